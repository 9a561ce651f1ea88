//! `/cerca`: the results page, with its facets, filter chips, sorting, paging, exports and,
//! when nothing matches, the way out.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Html;

use super::rescue::{Rescue, did_you_mean, rescue};
use crate::search::{Engine, SearchResults, Sort};
use crate::taxonomy::{Audience, FacetKind};
use crate::web::error::WebError;
use crate::web::links::Links;
use crate::web::params::SearchParams;
use crate::web::view::{HitView, Layout, LinkCount, thousands};
use crate::web::{AppState, Viewer};

/// How many values of a facet are listed before "Mostra'n més".
const FACET_VALUES_SHOWN: usize = 12;

pub(super) struct FacetLink {
    pub label: String,
    pub count: u64,
    pub selected: bool,
    pub url: String,
}

pub(super) struct FacetView {
    pub param: &'static str,
    pub label: &'static str,
    pub values: Vec<FacetLink>,
    pub hidden: usize,
    /// The page listing every value, with a filter box.
    pub more_url: String,
}

pub(super) struct Chip {
    pub facet: &'static str,
    pub label: String,
    pub url: String,
}

pub(super) struct PageLink {
    pub number: usize,
    pub url: String,
    pub current: bool,
}

pub(super) struct SortLink {
    pub label: &'static str,
    pub url: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "search.html")]
pub(super) struct SearchPage {
    pub layout: Layout,
    pub q: String,
    pub summary: String,
    pub total: usize,
    pub first_rank: usize,
    pub hits: Vec<HitView>,
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
    /// Concepts no document holds, left out, and those searched instead.
    pub unknown: Vec<String>,
    pub searched: Vec<String>,
    /// Spanish or English words searched in Catalan.
    pub translated: Vec<crate::search::Translation>,
    /// When nothing matches every concept: the documents matching the most.
    pub partial: Option<PartialView>,
    pub csv_url: String,
    pub atom_url: String,
    pub map_url: String,
}

/// Documents that match most of the query when none matches it all.
pub(crate) struct PartialView {
    pub total: usize,
    pub matched: usize,
    pub of: usize,
    pub hits: Vec<HitView>,
}

pub(crate) async fn search(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Html<String>, WebError> {
    let params = SearchParams::parse(raw.as_deref()).map_err(WebError::BadRequest)?;
    let audience = viewer.audience;
    state
        .search(move |engine, links| {
            let results = engine.search(&params.request(audience))?;
            let page = search_page(engine, links, &params, results, audience);
            Ok(Html(page.render()?))
        })
        .await
}

fn search_page(
    engine: &Engine,
    links: &Links,
    params: &SearchParams,
    results: SearchResults,
    audience: Audience,
) -> SearchPage {
    let (facets, chips) = facets_and_chips(links, params, &results);
    let summary = summary(&results, params, &chips);
    let last = results.pages.max(1);
    let from = results.page.saturating_sub(3).max(1);
    let to = (results.page + 3).min(last);
    let pages = (from..=to)
        .map(|n| PageLink {
            number: n,
            url: links.search(&params.with_page(n)),
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
    let rescue = (results.total == 0).then(|| rescue(engine, links, params, audience));
    // Partial matches are worth showing only when dropping a filter finds nothing whole.
    let filters_help = rescue.as_ref().is_some_and(|r| {
        r.relaxed
            .iter()
            .any(|l| !l.label.starts_with("Sense les paraules"))
    });
    let partial = match results.relaxed {
        Some(relaxed) if !filters_help => Some(PartialView {
            total: relaxed.total,
            matched: relaxed.matched,
            of: relaxed.of,
            hits: relaxed
                .hits
                .into_iter()
                .map(|hit| {
                    let url = links.document(&hit.id);
                    HitView::of(hit, url, links)
                })
                .collect(),
        }),
        _ => None,
    };
    let first_rank = (results.page - 1) * results.per_page + 1;
    SearchPage {
        layout: Layout::of(engine, audience, links),
        q: params.q.clone(),
        summary,
        total: results.total,
        first_rank,
        prev_url: (results.page > 1 && results.page <= last)
            .then(|| links.search(&params.with_page(results.page - 1))),
        next_url: (results.page < last).then(|| links.search(&params.with_page(results.page + 1))),
        sorts: sort_links(links, params, results.sort),
        sizes: size_links(links, params, results.per_page),
        hits: HitView::page(results.hits, params, first_rank, links),
        facets,
        chips,
        clear_url: links.search(&params.without_filters()),
        pages,
        hidden_filters,
        range_hidden,
        year_from: params.year_from.map(|y| y.to_string()).unwrap_or_default(),
        year_to: params.year_to.map(|y| y.to_string()).unwrap_or_default(),
        rescue,
        did_you_mean: did_you_mean(engine, links, params, audience),
        unknown: results.unknown,
        searched: results.concepts,
        translated: results.translated,
        partial,
        csv_url: links.at("/cerca.csv", &params.first_page()),
        atom_url: links.at("/cerca.atom", &params.first_page()),
        map_url: links.at("/mapa", &params.first_page()),
    }
}

/// Each facet with its first values, and a chip for every selected value (and the years).
fn facets_and_chips(
    links: &Links,
    params: &SearchParams,
    results: &SearchResults,
) -> (Vec<FacetView>, Vec<Chip>) {
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
                url: links.search(&params.toggled(kind, &v.value)),
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
                url: links.search(&params.toggled(kind, &v.value)),
            })
            .collect();
        facets.push(FacetView {
            param: kind.param(),
            label: kind.label(),
            hidden: values.len() - shown.len(),
            values: shown,
            more_url: links.at(
                &format!("/cerca/valors/{}", kind.param()),
                &params.first_page(),
            ),
        });
    }
    if let Some(label) = params.years_label() {
        chips.push(Chip {
            facet: "Anys",
            label,
            url: links.search(&params.without_years()),
        });
    }
    (facets, chips)
}

fn sort_links(links: &Links, params: &SearchParams, current: Sort) -> Vec<SortLink> {
    [
        (Sort::Rellevancia, "Rellevància"),
        (Sort::Recents, "Més recents"),
    ]
    .into_iter()
    .map(|(sort, label)| SortLink {
        label,
        url: links.search(&params.with_sort(sort)),
        current: sort == current,
    })
    .collect()
}

fn size_links(links: &Links, params: &SearchParams, current: usize) -> Vec<SortLink> {
    [(10usize, "10"), (20, "20"), (50, "50")]
        .into_iter()
        .map(|(n, label)| SortLink {
            label,
            url: links.search(&SearchParams {
                per_page: Some(n),
                ..params.first_page()
            }),
            current: n == current,
        })
        .collect()
}

/// "23 resultats per «moneda local» · Tema: Cures"
fn summary(results: &SearchResults, params: &SearchParams, chips: &[Chip]) -> String {
    let mut s = match results.total {
        0 => "Cap resultat".to_string(),
        1 => "1 resultat".to_string(),
        n => format!("{} resultats", thousands(n)),
    };
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
