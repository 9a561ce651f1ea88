//! `/`: the search box, every theme with its count, the kinds and the latest documents.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::response::Html;

use crate::search::{SearchRequest, SearchResults, Sort};
use crate::taxonomy::{DocKind, FacetKind};
use crate::web::error::WebError;
use crate::web::view::{HitView, Layout, LinkCount};
use crate::web::{AppState, Viewer};

#[derive(Template)]
#[template(path = "home.html")]
pub(super) struct HomePage {
    pub layout: Layout,
    pub q: String,
    pub total: usize,
    pub themes: Vec<LinkCount>,
    pub kinds: Vec<LinkCount>,
    pub latest: Vec<HitView>,
}

/// Value → count of one facet of `results`.
fn counts(results: &SearchResults, kind: FacetKind) -> HashMap<String, u64> {
    results
        .facets
        .get(&kind)
        .map(|values| values.iter().map(|v| (v.value.clone(), v.count)).collect())
        .unwrap_or_default()
}

pub(crate) async fn home(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Html<String>, WebError> {
    let audience = viewer.audience;
    state
        .search(move |engine, links| {
            let mut request = SearchRequest::new("", audience);
            request.per_page = 6;
            request.sort = Some(Sort::Recents);
            let results = engine.search(&request)?;
            let theme_counts = counts(&results, FacetKind::Tema);
            let themes = engine
                .themes()
                .all()
                .iter()
                .map(|t| LinkCount {
                    label: t.label.clone(),
                    description: t.description.clone(),
                    count: theme_counts.get(&t.slug).copied().unwrap_or(0),
                    url: links.filtered(FacetKind::Tema, &t.slug),
                })
                .collect();
            let kind_counts = counts(&results, FacetKind::Tipus);
            let kinds = DocKind::ALL
                .iter()
                .filter_map(|k| {
                    Some(LinkCount {
                        label: k.label().to_string(),
                        description: String::new(),
                        count: kind_counts.get(k.slug()).copied()?,
                        url: links.filtered(FacetKind::Tipus, k.slug()),
                    })
                })
                .collect();
            let latest = results
                .hits
                .into_iter()
                .map(|hit| {
                    let url = links.document(&hit.id);
                    HitView::of(hit, url, links)
                })
                .collect();
            let page = HomePage {
                layout: Layout::of(engine, audience, links),
                q: String::new(),
                total: results.total,
                themes,
                kinds,
                latest,
            };
            Ok(Html(page.render()?))
        })
        .await
}
