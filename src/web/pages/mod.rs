//! HTML pages. Each is an askama template struct holding exactly what it shows, built on
//! the search pool; every link comes from `Links`.

mod document;
mod home;
mod rescue;
mod results;
mod values;

use askama::Template;
use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};

pub(super) use document::document;
pub(super) use home::home;
pub(super) use results::search;
pub(super) use values::facet_values;

use super::error::WebError;
use super::view::Layout;
use super::{AppState, Viewer};

#[derive(Template)]
#[template(path = "accessibility.html")]
pub(super) struct AccessibilityPage {
    pub layout: Layout,
    pub q: String,
    pub prepared: &'static str,
}

/// The accessibility statement (RD 1112/2018; model of Decision (EU) 2018/1523).
pub(super) async fn accessibility(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Html<String>, WebError> {
    let page = AccessibilityPage {
        layout: Layout::bare(viewer.audience, state.links()),
        q: String::new(),
        prepared: "29 de novembre de 2026",
    };
    Ok(Html(page.render()?))
}

pub(super) async fn not_found() -> Response {
    WebError::NotFound.into_response()
}
