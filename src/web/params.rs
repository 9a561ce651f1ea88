//! Search state in the URL: parsing it (forgivingly: empty values are absent, repeated keys
//! are lists, bad percent-encoding is replaced) and building every link of a results page.

use std::collections::BTreeMap;

use crate::search::{DEFAULT_PER_PAGE, MAX_PER_PAGE, RESCORE_WINDOW, SearchRequest, Sort};
use crate::taxonomy::{Audience, FacetKind};

/// Longest query accepted, in characters.
pub(super) const MAX_QUERY_CHARS: usize = 500;
/// Most filter values selected, all facets together: every link of a results page repeats
/// the selection, so this bounds the page (a person narrows by a handful of values).
pub(super) const MAX_SELECTED_VALUES: usize = 20;
/// Longest filter value, in characters (the longest theme or town name is about 50).
pub(super) const MAX_VALUE_CHARS: usize = 100;
pub(super) const MAX_PAGE: usize = 1_000;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchParams {
    pub q: String,
    pub filters: BTreeMap<FacetKind, Vec<String>>,
    pub sort: Option<Sort>,
    pub page: usize,
    pub per_page: Option<usize>,
    /// `des` and `fins`: a year range, both ends optional.
    pub year_from: Option<u16>,
    pub year_to: Option<u16>,
}

/// Years a range may name.
const YEARS: std::ops::RangeInclusive<u16> = 1900..=2100;

impl SearchParams {
    /// Parses a raw query string; the error is a Catalan message for a 400 page.
    pub fn parse(raw: Option<&str>) -> Result<SearchParams, String> {
        let mut params = SearchParams {
            page: 1,
            ..SearchParams::default()
        };
        for (key, value) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            match key.as_ref() {
                "q" => {
                    if value.chars().count() > MAX_QUERY_CHARS {
                        return Err(format!(
                            "La consulta és massa llarga: té {} caràcters i el màxim és {MAX_QUERY_CHARS}. Escurceu-la i torneu a cercar.",
                            value.chars().count()
                        ));
                    }
                    params.q = value.chars().filter(|c| !c.is_control()).collect();
                }
                "pagina" => {
                    params.page = value
                        .parse::<usize>()
                        .ok()
                        .filter(|p| (1..=MAX_PAGE).contains(p))
                        .ok_or_else(|| {
                            format!("La pàgina «{value}» no és vàlida: ha de ser un nombre entre 1 i {MAX_PAGE}.")
                        })?;
                }
                "per_pagina" => {
                    params.per_page = Some(
                        value
                            .parse::<usize>()
                            .ok()
                            .filter(|p| (1..=MAX_PER_PAGE).contains(p))
                            .ok_or_else(|| {
                                format!(
                                    "«per_pagina» ha de ser un nombre entre 1 i {MAX_PER_PAGE}."
                                )
                            })?,
                    );
                }
                "des" | "fins" => {
                    let year = value
                        .parse::<u16>()
                        .ok()
                        .filter(|y| YEARS.contains(y))
                        .ok_or_else(|| {
                            format!(
                                "L'any «{value}» no és vàlid: escriviu un any de quatre xifres entre {} i {}.",
                                YEARS.start(),
                                YEARS.end()
                            )
                        })?;
                    if key == "des" {
                        params.year_from = Some(year);
                    } else {
                        params.year_to = Some(year);
                    }
                }
                "ordre" => {
                    params.sort = match value {
                        "rellevancia" => Some(Sort::Rellevancia),
                        "recents" => Some(Sort::Recents),
                        _ => {
                            return Err(format!(
                                "L'ordre «{value}» no existeix: feu servir «rellevancia» o «recents»."
                            ));
                        }
                    }
                }
                key => {
                    if let Some(kind) = FacetKind::from_param(key) {
                        if value.chars().count() > MAX_VALUE_CHARS {
                            return Err(format!(
                                "Un valor del filtre «{}» és massa llarg: té {} caràcters i el màxim és {MAX_VALUE_CHARS}. Trieu el valor de la llista de filtres.",
                                kind.label(),
                                value.chars().count()
                            ));
                        }
                        let values = params.filters.entry(kind).or_default();
                        if !values.iter().any(|v| v == value) {
                            values.push(value.to_string());
                        }
                        let selected: usize = params.filters.values().map(Vec::len).sum();
                        if selected > MAX_SELECTED_VALUES {
                            return Err(format!(
                                "Hi ha massa valors seleccionats als filtres: el màxim és {MAX_SELECTED_VALUES} entre tots. Traieu-ne alguns i torneu a cercar."
                            ));
                        }
                    }
                    // Unknown parameters are ignored, as a search page should.
                }
            }
        }
        Ok(params)
    }

    pub fn request(&self, audience: Audience) -> SearchRequest {
        SearchRequest {
            query: self.q.clone(),
            filters: self.filters.clone(),
            sort: self.sort,
            page: self.page,
            per_page: self.per_page.unwrap_or(DEFAULT_PER_PAGE),
            audience,
            years: self.years(),
            rescore_window: RESCORE_WINDOW,
        }
    }

    /// The year range, ordered, when either end is given.
    pub fn years(&self) -> Option<(u16, u16)> {
        match (self.year_from, self.year_to) {
            (None, None) => None,
            (from, to) => {
                let (a, b) = (from.unwrap_or(*YEARS.start()), to.unwrap_or(*YEARS.end()));
                Some((a.min(b), a.max(b)))
            }
        }
    }

    /// "2019–2023", "des de 2019", "fins a 2023".
    pub fn years_label(&self) -> Option<String> {
        match (self.year_from, self.year_to) {
            (Some(a), Some(b)) => Some(format!("{}–{}", a.min(b), a.max(b))),
            (Some(a), None) => Some(format!("des de {a}")),
            (None, Some(b)) => Some(format!("fins a {b}")),
            (None, None) => None,
        }
    }

    pub fn without_years(&self) -> SearchParams {
        SearchParams {
            year_from: None,
            year_to: None,
            page: 1,
            ..self.clone()
        }
    }

    pub fn has_filters(&self) -> bool {
        self.filters.values().any(|v| !v.is_empty()) || self.years().is_some()
    }

    /// The parameters in canonical order, URL-encoded.
    pub fn query_string(&self) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        if !self.q.is_empty() {
            s.append_pair("q", &self.q);
        }
        for (kind, values) in &self.filters {
            for v in values {
                s.append_pair(kind.param(), v);
            }
        }
        if let Some(y) = self.year_from {
            s.append_pair("des", &y.to_string());
        }
        if let Some(y) = self.year_to {
            s.append_pair("fins", &y.to_string());
        }
        if let Some(sort) = self.sort {
            s.append_pair("ordre", sort.param());
        }
        if let Some(n) = self.per_page {
            s.append_pair("per_pagina", &n.to_string());
        }
        if self.page > 1 {
            s.append_pair("pagina", &self.page.to_string());
        }
        s.finish()
    }

    /// Selecting or unselecting a facet value starts again from page 1.
    pub fn toggled(&self, kind: FacetKind, value: &str) -> SearchParams {
        let mut next = self.clone();
        next.page = 1;
        let values = next.filters.entry(kind).or_default();
        if let Some(i) = values.iter().position(|v| v == value) {
            values.remove(i);
        } else {
            values.push(value.to_string());
        }
        next.filters.retain(|_, v| !v.is_empty());
        next
    }

    pub fn with_page(&self, page: usize) -> SearchParams {
        SearchParams {
            page,
            ..self.clone()
        }
    }

    pub fn with_sort(&self, sort: Sort) -> SearchParams {
        SearchParams {
            sort: Some(sort),
            page: 1,
            ..self.clone()
        }
    }

    /// Hidden form fields that carry these filters (and the year range) into a GET form.
    pub fn hidden_inputs(&self) -> Vec<(&'static str, String)> {
        self.filters
            .iter()
            .flat_map(|(k, vs)| vs.iter().map(move |v| (k.param(), v.clone())))
            .chain(self.year_from.map(|y| ("des", y.to_string())))
            .chain(self.year_to.map(|y| ("fins", y.to_string())))
            .collect()
    }

    /// Same query and filters, first page (for exports and maps, which are not paged).
    pub fn first_page(&self) -> SearchParams {
        SearchParams {
            page: 1,
            ..self.clone()
        }
    }

    /// Same query, no filters.
    pub fn without_filters(&self) -> SearchParams {
        SearchParams {
            q: self.q.clone(),
            sort: self.sort,
            page: 1,
            ..SearchParams::default()
        }
    }

    pub fn without_query(&self) -> SearchParams {
        SearchParams {
            q: String::new(),
            page: 1,
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_keys_become_lists_and_empty_values_are_absent() {
        let p = SearchParams::parse(Some(
            "q=moneda+local&tema=cures&tema=ocupacio&comarca=&pagina=2",
        ))
        .expect("valid");
        assert_eq!(p.q, "moneda local");
        assert_eq!(
            p.filters.get(&FacetKind::Tema),
            Some(&vec!["cures".to_string(), "ocupacio".to_string()])
        );
        assert!(!p.filters.contains_key(&FacetKind::Comarca));
        assert_eq!(p.page, 2);
    }

    #[test]
    fn urls_round_trip() {
        let raw = "q=cl%C3%A0usules+socials&tema=contractacio-publica-responsable&mida=%3C5k&des=2019&fins=2023&ordre=recents&pagina=3";
        let p = SearchParams::parse(Some(raw)).expect("valid");
        let again = SearchParams::parse(Some(&p.query_string())).expect("valid");
        assert_eq!(p, again);
    }

    #[test]
    fn toggling_keeps_other_selections_and_resets_the_page() {
        let p = SearchParams::parse(Some("q=x&tema=a&comarca=Bages&pagina=4")).expect("valid");
        let t = p.toggled(FacetKind::Tema, "b");
        assert_eq!(t.filters[&FacetKind::Tema], vec!["a", "b"]);
        assert_eq!(t.filters[&FacetKind::Comarca], vec!["Bages"]);
        assert_eq!(t.page, 1);
        let off = p.toggled(FacetKind::Tema, "a");
        assert!(!off.filters.contains_key(&FacetKind::Tema));
    }

    #[test]
    fn year_ranges_are_ordered_and_open_ended() {
        let p = SearchParams::parse(Some("des=2023&fins=2019")).expect("valid");
        assert_eq!(p.years(), Some((2019, 2023)));
        assert_eq!(p.years_label().as_deref(), Some("2019–2023"));
        let from = SearchParams::parse(Some("des=2020")).expect("valid");
        assert_eq!(from.years(), Some((2020, 2100)));
        assert!(from.has_filters());
        assert_eq!(from.without_years().years(), None);
    }

    #[test]
    fn bad_input_is_a_message_not_a_panic() {
        assert!(SearchParams::parse(Some("pagina=0")).is_err());
        assert!(SearchParams::parse(Some("pagina=1000000000")).is_err());
        assert!(SearchParams::parse(Some("pagina=abc")).is_err());
        assert!(SearchParams::parse(Some("ordre=alfabetic")).is_err());
        assert!(SearchParams::parse(Some("des=19")).is_err());
        assert!(SearchParams::parse(Some("fins=dos-mil")).is_err());
        let long = format!("q={}", "a".repeat(10_000));
        assert!(SearchParams::parse(Some(&long)).is_err());
        let p = SearchParams::parse(Some("q=%ZZ%C3%28&tema=%FF")).expect("lossy decoding");
        assert!(!p.q.is_empty());
    }
}
