//! HTML pages: home, results, document, not found. Each page is an askama template struct
//! holding exactly what it shows; every link is built in Rust by `SearchParams`.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::{Html, IntoResponse, Response};

use super::error::WebError;
use super::params::SearchParams;
use super::rescue::{Rescue, did_you_mean, rescue};
use super::{AppState, Viewer};
use crate::clock::catalan_date;
use crate::corpus::Document;
use crate::gazetteer::Gazetteer;
use crate::index::Generation;
use crate::search::facets::{FacetKind, Sort};
use crate::search::related::{RelatedDoc, SimilarTowns};
use crate::search::{Audience, Hit, SearchRequest, SearchResults, ThemeRef};
use crate::taxonomy::DocKind;

/// What every page shows around its content: the session in the header, the index being
/// served at the bottom.
#[derive(Debug, Clone, Default)]
pub struct Footer {
    pub generation: String,
    pub documents: usize,
    pub built_at: String,
    /// An advisor is logged in (header shows the session and the way out).
    pub advisor: bool,
    /// Theme labels offered by the search box before anything is typed.
    pub themes: Vec<String>,
}

impl Footer {
    pub fn of(generation: &Generation, audience: Audience) -> Footer {
        let info = &generation.info;
        Footer {
            themes: generation
                .themes
                .all()
                .iter()
                .map(|t| t.label.clone())
                .collect(),
            generation: info.generation.clone(),
            documents: match audience {
                Audience::Public => info.public_documents,
                Audience::Advisor => info.documents,
            },
            built_at: catalan_date(&info.built_at),
            advisor: audience == Audience::Advisor,
        }
    }

    /// For pages shown without an index (errors, login).
    pub fn bare(audience: Audience) -> Footer {
        Footer {
            advisor: audience == Audience::Advisor,
            ..Footer::default()
        }
    }
}

pub struct LinkCount {
    pub label: String,
    pub description: String,
    pub count: u64,
    pub url: String,
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub footer: Footer,
    pub q: String,
    pub total: usize,
    pub themes: Vec<LinkCount>,
    pub kinds: Vec<LinkCount>,
    pub latest: Vec<Hit>,
}

pub struct FacetLink {
    pub label: String,
    pub count: u64,
    pub selected: bool,
    pub url: String,
}

pub struct FacetView {
    pub param: &'static str,
    pub label: &'static str,
    pub values: Vec<FacetLink>,
    pub hidden: usize,
    /// The page listing every value, with a filter box.
    pub more_url: String,
}

pub struct Chip {
    pub facet: &'static str,
    pub label: String,
    pub url: String,
}

pub struct PageLink {
    pub number: usize,
    pub url: String,
    pub current: bool,
}

pub struct SortLink {
    pub label: &'static str,
    pub url: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "search.html")]
pub struct SearchPage {
    pub footer: Footer,
    pub q: String,
    pub summary: String,
    pub total: usize,
    pub first_rank: usize,
    pub hits: Vec<Hit>,
    pub facets: Vec<FacetView>,
    pub chips: Vec<Chip>,
    pub clear_url: String,
    pub sorts: Vec<SortLink>,
    /// "Per pàgina: 10 · 20 · 50".
    pub sizes: Vec<SortLink>,
    pub pages: Vec<PageLink>,
    pub prev_url: Option<String>,
    pub next_url: Option<String>,
    pub hidden_filters: Vec<(&'static str, String)>,
    /// Hidden inputs of the year-range form: everything but the range and the page.
    pub range_hidden: Vec<(&'static str, String)>,
    pub year_from: String,
    pub year_to: String,
    pub rescue: Option<Rescue>,
    pub did_you_mean: Option<LinkCount>,
    pub csv_url: String,
    pub atom_url: String,
    pub map_url: String,
}

pub struct PlaceView {
    pub name: String,
    pub comarca: String,
    pub population: String,
    pub url: String,
}

pub struct SourceView {
    pub url: String,
    pub domain: String,
}

#[derive(Template)]
#[template(path = "document.html")]
pub struct DocumentPage {
    pub footer: Footer,
    pub q: String,
    pub doc: Document,
    pub kind_url: String,
    pub when: Option<String>,
    pub places: Vec<PlaceView>,
    pub comarques: Vec<(String, String)>,
    pub themes: Vec<ThemeRef>,
    pub body_html: String,
    pub sources: Vec<SourceView>,
    pub scope: &'static str,
    pub category: Option<&'static str>,
    pub internal: bool,
    /// "Resultat 5 de 23" with previous and next, when reached from a search.
    pub trail: Option<Trail>,
    pub related: Vec<RelatedDoc>,
    pub similar: Vec<SimilarTowns>,
}

/// Where a document sits in the search it was opened from.
pub struct Trail {
    pub position: usize,
    pub total: usize,
    pub back_url: String,
    pub prev_url: Option<String>,
    pub next_url: Option<String>,
}

/// Rebuilds the search a document was opened from (`?{search}&pos=N`), if any.
fn trail(generation: &Generation, raw: Option<&str>, audience: Audience) -> Option<Trail> {
    let raw = raw?;
    let position: usize = form_urlencoded::parse(raw.as_bytes())
        .find(|(k, _)| k == "pos")
        .and_then(|(_, v)| v.parse().ok())
        .filter(|p| (1..=10_000).contains(p))?;
    let params = SearchParams::parse(Some(raw)).ok()?.first_page();
    // The document at `rank` of the search, with the search's total.
    let at = |rank: usize| -> Option<(Option<String>, usize)> {
        let mut request = params.request(audience);
        request.per_page = 1;
        request.page = rank;
        let results = generation.search(&request).ok()?;
        let url = results
            .hits
            .first()
            .map(|hit| document_url(&hit.id, &params, rank));
        Some((url, results.total))
    };
    let (next_url, total) = at(position + 1)?;
    if position > total {
        return None;
    }
    let prev_url = if position > 1 {
        at(position - 1)?.0
    } else {
        None
    };
    let per_page = params.per_page.unwrap_or(crate::search::DEFAULT_PER_PAGE);
    Some(Trail {
        position,
        total,
        back_url: params.with_page(position.div_ceil(per_page)).url(),
        prev_url,
        next_url,
    })
}

/// How many values of a facet are listed before "i N més".
const FACET_VALUES_SHOWN: usize = 12;

pub async fn home(State(state): State<AppState>, viewer: Viewer) -> Result<Html<String>, WebError> {
    let generation = state.generation()?;
    let audience = viewer.audience;
    let mut request = SearchRequest::new("", audience);
    request.per_page = 6;
    request.sort = Some(Sort::Recents);
    let results = generation.search(&request)?;
    let counts = |kind: FacetKind| {
        results
            .facets
            .get(&kind)
            .map(|values| {
                values
                    .iter()
                    .map(|v| (v.value.clone(), v.count))
                    .collect::<std::collections::HashMap<_, _>>()
            })
            .unwrap_or_default()
    };
    let theme_counts = counts(FacetKind::Tema);
    let themes = generation
        .themes
        .all()
        .iter()
        .map(|t| LinkCount {
            label: t.label.clone(),
            description: t.description.clone(),
            count: theme_counts.get(&t.slug).copied().unwrap_or(0),
            url: SearchParams::default()
                .toggled(FacetKind::Tema, &t.slug)
                .url(),
        })
        .collect();
    let kind_counts = counts(FacetKind::Tipus);
    let kinds = DocKind::ALL
        .iter()
        .filter_map(|k| {
            let count = kind_counts.get(k.slug()).copied()?;
            Some(LinkCount {
                label: k.label().to_string(),
                description: String::new(),
                count,
                url: SearchParams::default()
                    .toggled(FacetKind::Tipus, k.slug())
                    .url(),
            })
        })
        .collect();
    let page = HomePage {
        footer: Footer::of(&generation, audience),
        q: String::new(),
        total: results.total,
        themes,
        kinds,
        latest: results.hits,
    };
    Ok(Html(page.render()?))
}

pub async fn search(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Html<String>, WebError> {
    let params = SearchParams::parse(raw.as_deref()).map_err(WebError::BadRequest)?;
    let generation = state.generation()?;
    let audience = viewer.audience;
    let results = generation.search(&params.request(audience))?;
    let page = search_page(&generation, &params, results, audience);
    Ok(Html(page.render()?))
}

fn search_page(
    generation: &Generation,
    params: &SearchParams,
    results: SearchResults,
    audience: Audience,
) -> SearchPage {
    let mut facets = Vec::new();
    let mut chips = Vec::new();
    for &kind in FacetKind::ALL {
        let Some(values) = results.facets.get(&kind) else {
            continue;
        };
        for v in values.iter().filter(|v| v.selected) {
            chips.push(Chip {
                facet: kind.label(),
                label: v.label.clone(),
                url: params.toggled(kind, &v.value).url(),
            });
        }
        if values.is_empty() {
            continue;
        }
        let shown: Vec<FacetLink> = values
            .iter()
            .enumerate()
            .filter(|(i, v)| *i < FACET_VALUES_SHOWN || v.selected)
            .map(|(_, v)| FacetLink {
                label: v.label.clone(),
                count: v.count,
                selected: v.selected,
                url: params.toggled(kind, &v.value).url(),
            })
            .collect();
        facets.push(FacetView {
            param: kind.param(),
            label: kind.label(),
            hidden: values.len() - shown.len(),
            values: shown,
            more_url: params
                .first_page()
                .url_at(&format!("/cerca/valors/{}", kind.param())),
        });
    }
    if let Some(label) = params.years_label() {
        chips.push(Chip {
            facet: "Anys",
            label,
            url: params.without_years().url(),
        });
    }
    let summary = summary(&results, params, &chips);
    let sort = results.sort;
    let sorts = [
        (Sort::Rellevancia, "Rellevància"),
        (Sort::Recents, "Més recents"),
    ]
    .into_iter()
    .map(|(s, label)| SortLink {
        label,
        url: params.with_sort(s).url(),
        current: s == sort,
    })
    .collect();
    let sizes = [10usize, 20, 50]
        .into_iter()
        .map(|n| SortLink {
            label: match n {
                10 => "10",
                20 => "20",
                _ => "50",
            },
            url: SearchParams {
                per_page: Some(n),
                ..params.first_page()
            }
            .url(),
            current: n == results.per_page,
        })
        .collect();
    let last = results.pages.max(1);
    let from = results.page.saturating_sub(3).max(1);
    let to = (results.page + 3).min(last);
    let pages = (from..=to)
        .map(|n| PageLink {
            number: n,
            url: params.with_page(n).url(),
            current: n == results.page,
        })
        .collect();
    let hidden_filters = params.hidden_inputs();
    let mut range_hidden: Vec<(&'static str, String)> = hidden_filters
        .iter()
        .filter(|(k, _)| *k != "des" && *k != "fins")
        .cloned()
        .collect();
    if !params.q.is_empty() {
        range_hidden.push(("q", params.q.clone()));
    }
    if let Some(sort) = params.sort {
        range_hidden.push(("ordre", sort.param().to_string()));
    }
    let rescue = (results.total == 0).then(|| rescue(generation, params, audience));
    let did_you_mean = did_you_mean(generation, params, audience);
    let mut hits = results.hits;
    // Links keep the search, so the document page can offer "n de N", previous and next.
    let first_rank = (results.page - 1) * results.per_page + 1;
    for (i, hit) in hits.iter_mut().enumerate() {
        hit.url = document_url(&hit.id, params, first_rank + i);
    }
    SearchPage {
        footer: Footer::of(generation, audience),
        q: params.q.clone(),
        summary,
        total: results.total,
        first_rank,
        prev_url: (results.page > 1 && results.page <= last)
            .then(|| params.with_page(results.page - 1).url()),
        next_url: (results.page < last).then(|| params.with_page(results.page + 1).url()),
        hits,
        facets,
        chips,
        clear_url: params.without_filters().url(),
        sorts,
        sizes,
        pages,
        hidden_filters,
        range_hidden,
        year_from: params.year_from.map(|y| y.to_string()).unwrap_or_default(),
        year_to: params.year_to.map(|y| y.to_string()).unwrap_or_default(),
        rescue,
        did_you_mean,
        csv_url: params.first_page().url_at("/cerca.csv"),
        atom_url: params.first_page().url_at("/cerca.atom"),
        map_url: params.first_page().url_at("/mapa"),
    }
}

#[derive(Template)]
#[template(path = "facet_values.html")]
pub struct FacetValuesPage {
    pub footer: Footer,
    pub q: String,
    pub label: &'static str,
    pub param: &'static str,
    pub filter: String,
    pub values: Vec<FacetLink>,
    /// Values of the facet before the filter box narrowed them.
    pub total_values: usize,
    pub back_url: String,
    pub hidden: Vec<(&'static str, String)>,
}

/// `/cerca/valors/{facet}`: every value of one facet for the current search, narrowed by a
/// filter box that works as a plain GET form.
pub async fn facet_values(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(facet): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Html<String>, WebError> {
    let kind = FacetKind::from_param(&facet)
        .filter(|k| k.offered_to(viewer.audience))
        .ok_or(WebError::NotFound)?;
    let params = SearchParams::parse(raw.as_deref()).map_err(WebError::BadRequest)?;
    let filter: String = form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "filtre")
        .map(|(_, v)| v.chars().filter(|c| !c.is_control()).take(100).collect())
        .unwrap_or_default();
    let generation = state.generation()?;
    let mut request = params.first_page().request(viewer.audience);
    request.per_page = 1;
    let results = generation.search(&request)?;
    let all = results.facets.get(&kind).cloned().unwrap_or_default();
    let needle = crate::analysis::fold_key(&filter);
    let values = all
        .iter()
        .filter(|v| needle.is_empty() || crate::analysis::fold_key(&v.label).contains(&needle))
        .map(|v| FacetLink {
            label: v.label.clone(),
            count: v.count,
            selected: v.selected,
            url: params.toggled(kind, &v.value).url(),
        })
        .collect();
    let mut hidden = params.hidden_inputs();
    if !params.q.is_empty() {
        hidden.push(("q", params.q.clone()));
    }
    let page = FacetValuesPage {
        footer: Footer::of(&generation, viewer.audience),
        q: params.q.clone(),
        label: kind.label(),
        param: kind.param(),
        filter,
        values,
        total_values: all.len(),
        back_url: params.first_page().url(),
        hidden,
    };
    Ok(Html(page.render()?))
}

/// `/document/{id}?{search}&pos=N`: the document, seen from rank N of a search.
pub fn document_url(id: &str, params: &SearchParams, rank: usize) -> String {
    let search = params.first_page().query_string();
    let id: String = form_urlencoded::byte_serialize(id.as_bytes()).collect();
    if search.is_empty() {
        format!("/document/{id}?pos={rank}")
    } else {
        format!("/document/{id}?{search}&pos={rank}")
    }
}

/// "23 resultats per «moneda local» · Tema: Cures"
fn summary(results: &SearchResults, params: &SearchParams, chips: &[Chip]) -> String {
    let count = match results.total {
        0 => "Cap resultat".to_string(),
        1 => "1 resultat".to_string(),
        n => format!("{} resultats", thousands(n)),
    };
    let mut s = count;
    if !params.q.trim().is_empty() {
        s.push_str(&format!(" per «{}»", params.q.trim()));
    }
    if !chips.is_empty() {
        let filters: Vec<String> = chips
            .iter()
            .map(|c| format!("{}: {}", c.facet, c.label))
            .collect();
        s.push_str(&format!(" · {}", filters.join(" · ")));
    }
    s
}

/// 12345 → "12.345"
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

pub async fn document(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Html<String>, WebError> {
    let generation = state.generation()?;
    let audience = viewer.audience;
    let doc = generation
        .document(&id, audience)?
        .ok_or(WebError::NotFound)?;
    let gazetteer = Gazetteer::get();
    let places = doc
        .municipalities
        .iter()
        .filter_map(|name| gazetteer.municipality(name))
        .map(|m| PlaceView {
            name: m.name.clone(),
            comarca: m.comarca.clone(),
            population: thousands(m.population as usize),
            url: SearchParams::default()
                .toggled(FacetKind::Municipi, &m.name)
                .url(),
        })
        .collect();
    let comarques = doc
        .comarques
        .iter()
        .map(|c| {
            (
                c.clone(),
                SearchParams::default().toggled(FacetKind::Comarca, c).url(),
            )
        })
        .collect();
    let sources = doc
        .sources
        .iter()
        .map(|url| SourceView {
            url: url.clone(),
            domain: domain_of(url),
        })
        .collect();
    let page = DocumentPage {
        footer: Footer::of(&generation, audience),
        q: String::new(),
        kind_url: SearchParams::default()
            .toggled(FacetKind::Tipus, doc.kind.slug())
            .url(),
        when: doc
            .date
            .as_deref()
            .map(catalan_date)
            .or_else(|| doc.years.map(|y| y.label())),
        places,
        comarques,
        themes: generation.theme_refs(&doc),
        body_html: crate::markdown::to_html(&doc.body),
        sources,
        scope: doc.scope.label(),
        category: doc.abc_category.map(|c| c.label()),
        internal: doc.visibility == crate::taxonomy::Visibility::Interna,
        trail: trail(&generation, raw.as_deref(), audience),
        related: generation.related(&doc, audience, 5)?,
        similar: generation.similar_towns(&doc, audience, 4)?,
        doc,
    };
    Ok(Html(page.render()?))
}

/// "https://www.xmess.cat/x" → "xmess.cat"
pub fn domain_of(url: &str) -> String {
    let rest = url.split("://").nth(1).unwrap_or(url);
    let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    host.strip_prefix("www.").unwrap_or(host).to_string()
}

#[derive(Template)]
#[template(path = "accessibility.html")]
pub struct AccessibilityPage {
    pub footer: Footer,
    pub q: String,
    pub prepared: &'static str,
}

/// The accessibility statement (RD 1112/2018; model of Decision (EU) 2018/1523).
pub async fn accessibility(viewer: Viewer) -> Result<Html<String>, WebError> {
    Ok(Html(
        AccessibilityPage {
            footer: Footer::bare(viewer.audience),
            q: String::new(),
            prepared: "29 de novembre de 2026",
        }
        .render()?,
    ))
}

pub async fn not_found() -> Response {
    WebError::NotFound.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_numbers_and_domains() {
        assert_eq!(thousands(7), "7");
        assert_eq!(thousands(12_345), "12.345");
        assert_eq!(thousands(1_686_208), "1.686.208");
        assert_eq!(domain_of("https://www.xmess.cat/guia?x=1"), "xmess.cat");
    }
}
