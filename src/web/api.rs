//! JSON API: `/api/cerca`, `/api/document/{id}` and `/salut`.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::error::{ApiError, WebError};
use super::params::SearchParams;
use super::{AppState, Viewer};
use crate::search::{Audience, SearchResults, ThemeRef};
use crate::taxonomy::{DocKind, Visibility};

pub async fn search(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Json<SearchResults>, ApiError> {
    let params = SearchParams::parse(raw.as_deref()).map_err(WebError::BadRequest)?;
    let generation = state.generation()?;
    Ok(Json(generation.search(&params.request(viewer.audience))?))
}

#[derive(Serialize)]
pub struct DocumentJson {
    pub id: String,
    pub title: String,
    pub kind: DocKind,
    pub municipalities: Vec<String>,
    pub comarques: Vec<String>,
    pub provinces: Vec<String>,
    pub themes: Vec<ThemeRef>,
    pub years: Option<String>,
    pub date: Option<String>,
    pub collection: Option<String>,
    pub sources: Vec<String>,
    /// Only ever true for advisors.
    pub internal: bool,
    /// The body in Markdown, as written in the corpus.
    pub body: String,
    pub url: String,
}

pub async fn document(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Json<DocumentJson>, ApiError> {
    let generation = state.generation()?;
    let doc = generation
        .document(&id, viewer.audience)?
        .ok_or(WebError::NotFound)?;
    Ok(Json(DocumentJson {
        themes: generation.theme_refs(&doc),
        url: format!("/document/{}", doc.id),
        years: doc.years.map(|y| y.label()),
        internal: doc.visibility == Visibility::Interna,
        id: doc.id,
        title: doc.title,
        kind: doc.kind,
        municipalities: doc.municipalities,
        comarques: doc.comarques,
        provinces: doc.provinces,
        date: doc.date,
        collection: doc.collection,
        sources: doc.sources,
        body: doc.body,
    }))
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
    generation: String,
    documents: usize,
    built_at: String,
}

pub async fn health(State(state): State<AppState>) -> Response {
    match state.generation() {
        Ok(g) => Json(Health {
            status: "ok",
            generation: g.info.generation.clone(),
            documents: g.visible_documents(Audience::Public),
            built_at: g.info.built_at.clone(),
        })
        .into_response(),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({"status": "sense_index"})),
        )
            .into_response(),
    }
}

#[derive(Serialize)]
pub struct SuggestionsJson {
    pub query: String,
    pub suggestions: Vec<crate::search::suggest::Suggestion>,
}

/// `/api/suggeriments?q=…`: what the search box offers while typing.
pub async fn suggestions(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Json<SuggestionsJson>, ApiError> {
    let params = SearchParams::parse(raw.as_deref()).map_err(WebError::BadRequest)?;
    let generation = state.generation()?;
    Ok(Json(SuggestionsJson {
        suggestions: generation.suggest(&params.q, viewer.audience)?,
        query: params.q,
    }))
}
