//! Zero results is never a dead end: a spelling suggestion from the index's own vocabulary,
//! the same search without each filter (with its count), and the themes to browse.

use super::pages::LinkCount;
use super::params::SearchParams;
use crate::index::Generation;
use crate::search::facets::FacetKind;
use crate::search::{Audience, spelling};

pub struct Rescue {
    /// The search without one filter (or without its words), most results first.
    pub relaxed: Vec<LinkCount>,
    /// Themes with documents, to browse instead.
    pub themes: Vec<LinkCount>,
}

fn count(generation: &Generation, params: &SearchParams, audience: Audience) -> u64 {
    let mut request = params.first_page().request(audience);
    request.per_page = 1;
    generation.search(&request).map_or(0, |r| r.total as u64)
}

/// "Vols dir «…»?" when a word of the query is not in the index's vocabulary and a close
/// one is, with the count the corrected search finds.
pub fn did_you_mean(
    generation: &Generation,
    params: &SearchParams,
    audience: Audience,
) -> Option<LinkCount> {
    let text = spelling::suggest(generation.part(audience), &params.q).ok()??;
    let better = SearchParams {
        q: text.clone(),
        ..params.first_page()
    };
    let n = count(generation, &better, audience);
    (n > 0).then(|| LinkCount {
        label: text,
        description: String::new(),
        count: n,
        url: better.url(),
    })
}

pub fn rescue(generation: &Generation, params: &SearchParams, audience: Audience) -> Rescue {
    let mut relaxed = Vec::new();
    for (kind, values) in &params.filters {
        let mut without = params.first_page();
        without.filters.remove(kind);
        let labels: Vec<String> = values
            .iter()
            .map(|v| generation.facet_label(*kind, v))
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
            count: count(generation, &p, audience),
            url: p.url(),
            label,
            description: String::new(),
        })
        .filter(|l| l.count > 0)
        .collect();
    relaxed.sort_by_key(|l| std::cmp::Reverse(l.count));

    let mut all = crate::search::SearchRequest::new("", audience);
    all.per_page = 1;
    let themes = generation
        .search(&all)
        .map(|r| {
            r.facets
                .get(&FacetKind::Tema)
                .map(|values| {
                    values
                        .iter()
                        .take(12)
                        .map(|v| LinkCount {
                            label: v.label.clone(),
                            description: String::new(),
                            count: v.count,
                            url: SearchParams::default()
                                .toggled(FacetKind::Tema, &v.value)
                                .url(),
                        })
                        .collect()
                })
                .unwrap_or_default()
        })
        .unwrap_or_default();
    Rescue { relaxed, themes }
}
