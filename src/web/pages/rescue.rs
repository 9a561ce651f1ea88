//! Zero results is never a dead end: a spelling suggestion from the index's own vocabulary,
//! the same search without each filter (with its count), and the themes to browse. Each
//! alternative is a count on the engine, not a whole search.

use crate::search::{Engine, SearchRequest};
use crate::taxonomy::{Audience, FacetKind};
use crate::web::links::Links;
use crate::web::params::SearchParams;
use crate::web::view::LinkCount;

pub(super) struct Rescue {
    /// The search without one filter (or without its words), most results first.
    pub relaxed: Vec<LinkCount>,
    /// Themes with documents, to browse instead.
    pub themes: Vec<LinkCount>,
}

fn count(engine: &Engine, params: &SearchParams, audience: Audience) -> u64 {
    engine
        .count(&params.first_page().request(audience))
        .map_or(0, |n| n as u64)
}

/// "Vols dir «…»?" when a word of the query is not in the index's vocabulary and a close
/// one is, with the count the corrected search finds.
pub(super) fn did_you_mean(
    engine: &Engine,
    links: &Links,
    params: &SearchParams,
    audience: Audience,
) -> Option<LinkCount> {
    let text = engine.spelling(&params.q, audience).ok()??;
    let better = SearchParams {
        q: text.clone(),
        ..params.first_page()
    };
    let n = count(engine, &better, audience);
    (n > 0).then(|| LinkCount {
        label: text,
        description: String::new(),
        count: n,
        url: links.search(&better),
    })
}

pub(super) fn rescue(
    engine: &Engine,
    links: &Links,
    params: &SearchParams,
    audience: Audience,
) -> Rescue {
    let mut relaxed = Vec::new();
    for (kind, values) in &params.filters {
        let mut without = params.first_page();
        without.filters.remove(kind);
        let labels: Vec<String> = values
            .iter()
            .map(|v| engine.facet_label(*kind, v))
            .collect();
        relaxed.push((
            format!("Sense el filtre {}: {}", kind.label(), labels.join(", ")),
            without,
        ));
    }
    if let Some(label) = params.years_label() {
        relaxed.push((
            format!("Sense el filtre d'anys ({label})"),
            params.without_years(),
        ));
    }
    if !params.q.trim().is_empty() && params.has_filters() {
        relaxed.push((
            format!(
                "Sense les paraules «{}», només amb els filtres",
                params.q.trim()
            ),
            params.without_query(),
        ));
    }
    let mut relaxed: Vec<LinkCount> = relaxed
        .into_iter()
        .map(|(label, p)| LinkCount {
            count: count(engine, &p, audience),
            url: links.search(&p),
            label,
            description: String::new(),
        })
        .filter(|l| l.count > 0)
        .collect();
    relaxed.sort_by_key(|l| std::cmp::Reverse(l.count));

    let mut all = SearchRequest::new("", audience);
    all.per_page = 1;
    let themes = engine
        .search(&all)
        .ok()
        .and_then(|r| r.facets.get(&FacetKind::Tema).cloned())
        .unwrap_or_default()
        .into_iter()
        .take(12)
        .map(|v| LinkCount {
            url: links.filtered(FacetKind::Tema, &v.value),
            label: v.label,
            description: String::new(),
            count: v.count,
        })
        .collect();
    Rescue { relaxed, themes }
}
