//! `/cerca/valors/{facet}`: every value of one facet for the current search, narrowed by a
//! filter box that works as a plain GET form.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::Html;

use super::results::FacetLink;
use crate::search::LabelFilter;
use crate::taxonomy::FacetKind;
use crate::web::error::WebError;
use crate::web::params::SearchParams;
use crate::web::view::Layout;
use crate::web::{AppState, Viewer};

#[derive(Template)]
#[template(path = "facet_values.html")]
pub(super) struct FacetValuesPage {
    pub layout: Layout,
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

pub(crate) async fn facet_values(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(facet): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Html<String>, WebError> {
    let audience = viewer.audience;
    let kind = FacetKind::from_param(&facet)
        .filter(|k| k.offered_to(audience))
        .ok_or(WebError::NotFound)?;
    let params = SearchParams::parse(raw.as_deref()).map_err(WebError::BadRequest)?;
    let filter: String = form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "filtre")
        .map(|(_, v)| v.chars().filter(|c| !c.is_control()).take(100).collect())
        .unwrap_or_default();
    state
        .search(move |engine, links| {
            let mut request = params.first_page().request(audience);
            request.per_page = 1;
            let results = engine.search(&request)?;
            let all = results.facets.get(&kind).cloned().unwrap_or_default();
            let keep = LabelFilter::new(&filter);
            let values = all
                .iter()
                .filter(|v| keep.keeps(&v.label))
                .map(|v| FacetLink {
                    label: v.label.clone(),
                    count: v.count,
                    selected: v.selected,
                    url: links.search(&params.toggled(kind, &v.value)),
                })
                .collect();
            let mut hidden = params.hidden_inputs();
            if !params.q.is_empty() {
                hidden.push(("q", params.q.clone()));
            }
            let page = FacetValuesPage {
                layout: Layout::of(engine, audience, links),
                q: params.q.clone(),
                label: kind.label(),
                param: kind.param(),
                filter,
                values,
                total_values: all.len(),
                back_url: links.search(&params.first_page()),
                hidden,
            };
            Ok(Html(page.render()?))
        })
        .await
}
