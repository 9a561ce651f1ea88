//! JSON API: `/api/cerca`, `/api/document/{id}`, `/api/suggeriments` and `/salut`. The
//! JSON of a search is built here once; `xmess-kb search --json` prints the same.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::error::{ApiError, WebError};
use super::links::Links;
use super::params::SearchParams;
use super::view::{highlighted_html, when};
use super::{AppState, Viewer};
use crate::search::{ConceptMatch, FacetValue, Hit, SearchResults, Sort, Suggestion, ThemeRef};
use crate::taxonomy::{Audience, DocKind, FacetKind, Visibility};

#[derive(Serialize)]
pub struct SearchJson {
    pub generation: String,
    pub query: String,
    /// What the query was read as: its concepts, each as typed.
    pub concepts: Vec<String>,
    /// Concepts no document matches, left out of the search.
    pub unknown: Vec<String>,
    /// Spanish or English words searched as the Catalan they mean: `{from, to}`.
    pub translated: Vec<crate::search::Translation>,
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
    pub pages: usize,
    pub sort: Sort,
    pub hits: Vec<HitJson>,
    pub facets: BTreeMap<FacetKind, Vec<FacetValue>>,
    /// When no document matches every concept: those matching the most, apart (not in
    /// `total` nor in the facets).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relaxed: Option<RelaxedJson>,
}

#[derive(Serialize)]
pub struct RelaxedJson {
    pub total: usize,
    pub matched: usize,
    pub of: usize,
    pub hits: Vec<HitJson>,
}

#[derive(Serialize)]
pub struct HitJson {
    pub id: String,
    pub title: String,
    /// The title, escaped, with `<mark>` around matched words.
    pub title_html: String,
    pub kind: DocKind,
    pub kind_label: &'static str,
    pub municipalities: Vec<String>,
    pub comarques: Vec<String>,
    pub themes: Vec<ThemeRef>,
    pub years: Option<String>,
    pub date: Option<String>,
    /// "21 de setembre de 2023", or the years.
    pub when: Option<String>,
    pub internal: bool,
    /// Escaped text with `<mark>` around matches, nothing else.
    pub snippet: String,
    pub url: String,
    pub score: f32,
    /// Each concept of the query it matched, and how («Per què surt?»).
    pub why: Vec<ConceptMatch>,
    /// The concepts it lacks (only partial matches have any).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
}

impl SearchJson {
    pub fn of(results: SearchResults, links: &Links) -> SearchJson {
        SearchJson {
            hits: results
                .hits
                .into_iter()
                .map(|h| HitJson::of(h, links))
                .collect(),
            relaxed: results.relaxed.map(|r| RelaxedJson {
                total: r.total,
                matched: r.matched,
                of: r.of,
                hits: r.hits.into_iter().map(|h| HitJson::of(h, links)).collect(),
            }),
            generation: results.generation,
            query: results.query,
            concepts: results.concepts,
            unknown: results.unknown,
            translated: results.translated,
            total: results.total,
            page: results.page,
            per_page: results.per_page,
            pages: results.pages,
            sort: results.sort,
            facets: results.facets,
        }
    }
}

impl HitJson {
    fn of(hit: Hit, links: &Links) -> HitJson {
        HitJson {
            url: links.document(&hit.id),
            title_html: highlighted_html(&hit.title),
            snippet: highlighted_html(&hit.snippet),
            when: when(hit.date.as_deref(), hit.years.as_deref()),
            kind_label: hit.kind.label(),
            id: hit.id,
            title: hit.title.text,
            kind: hit.kind,
            municipalities: hit.municipalities,
            comarques: hit.comarques,
            themes: hit.themes,
            years: hit.years,
            date: hit.date,
            internal: hit.internal,
            score: hit.score,
            why: hit.why,
            missing: hit.missing,
        }
    }
}

pub(super) async fn search(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = SearchParams::parse(raw.as_deref()).map_err(WebError::BadRequest)?;
    let request = params.request(viewer.audience);
    // Serialised where the results were made, so that their many small allocations are
    // freed by the thread that made them.
    let body = state
        .search(move |engine, links| {
            let json = SearchJson::of(engine.search(&request)?, links);
            serde_json::to_vec(&json).map_err(|e| WebError::Internal(e.into()))
        })
        .await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

#[derive(Serialize)]
pub(super) struct DocumentJson {
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

pub(super) async fn document(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Json<DocumentJson>, ApiError> {
    let audience = viewer.audience;
    let json = state
        .search(move |engine, links| {
            let doc = engine.document(&id, audience)?.ok_or(WebError::NotFound)?;
            Ok(DocumentJson {
                themes: engine.theme_refs(&doc),
                url: links.document(&doc.id),
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
            })
        })
        .await?;
    Ok(Json(json))
}

#[derive(Serialize)]
struct Health {
    status: &'static str,
    generation: String,
    documents: usize,
    built_at: String,
    /// The published generation when it failed its checks and is not served (the log says
    /// why; paths of the server are not for the public).
    #[serde(skip_serializing_if = "Option::is_none")]
    rejected_generation: Option<String>,
}

pub(super) async fn health(State(state): State<AppState>) -> Response {
    match state.engine() {
        Ok(engine) => Json(Health {
            status: "ok",
            generation: engine.info().generation.clone(),
            documents: engine.visible_documents(Audience::Public),
            built_at: engine.info().built_at.clone(),
            rejected_generation: state.rejected().map(|r| r.generation),
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
pub(super) struct SuggestionsJson {
    pub query: String,
    pub suggestions: Vec<Suggestion>,
}

/// `/api/suggeriments?q=…`: what the search box offers while typing.
pub(super) async fn suggestions(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Json<SuggestionsJson>, ApiError> {
    let params = SearchParams::parse(raw.as_deref()).map_err(WebError::BadRequest)?;
    let audience = viewer.audience;
    let json = state
        .search(move |engine, _| {
            Ok(SuggestionsJson {
                suggestions: engine.suggest(&params.q, audience)?,
                query: params.q,
            })
        })
        .await?;
    Ok(Json(json))
}
