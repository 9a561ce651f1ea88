//! `/document/{id}`: one document, its place in the search it was opened from, related
//! documents and practices from similar towns.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::Html;

use crate::corpus::Document;
use crate::gazetteer::Gazetteer;
use crate::search::{Engine, RelatedDoc};
use crate::taxonomy::{Audience, FacetKind, Visibility};
use crate::web::error::WebError;
use crate::web::links::Links;
use crate::web::params::SearchParams;
use crate::web::view::{Layout, domain_of, thousands};
use crate::web::{AppState, Viewer};

pub(super) struct PlaceView {
    pub name: String,
    pub comarca: String,
    pub population: String,
    pub url: String,
}

pub(super) struct SourceView {
    pub url: String,
    pub domain: String,
}

/// A group of practices from towns like this document's, each with its link.
pub(super) struct SimilarView {
    pub heading: String,
    pub docs: Vec<(RelatedDoc, String)>,
}

/// Where a document sits in the search it was opened from.
pub(super) struct Trail {
    pub position: usize,
    pub total: usize,
    pub back_url: String,
    pub prev_url: Option<String>,
    pub next_url: Option<String>,
}

#[derive(Template)]
#[template(path = "document.html")]
pub(super) struct DocumentPage {
    pub layout: Layout,
    pub q: String,
    pub doc: Document,
    pub kind_url: String,
    pub when: Option<String>,
    pub places: Vec<PlaceView>,
    pub comarques: Vec<(String, String)>,
    /// (label, link) of each theme.
    pub themes: Vec<(String, String)>,
    pub body_html: String,
    pub sources: Vec<SourceView>,
    pub scope: &'static str,
    pub category: Option<&'static str>,
    pub internal: bool,
    /// "Resultat 5 de 23" with previous and next, when reached from a search.
    pub trail: Option<Trail>,
    pub related: Vec<(RelatedDoc, String)>,
    pub similar: Vec<SimilarView>,
}

/// Rebuilds the search a document was opened from (`?{search}&pos=N`), if any.
fn trail(engine: &Engine, links: &Links, raw: Option<&str>, audience: Audience) -> Option<Trail> {
    let raw = raw?;
    let position: usize = form_urlencoded::parse(raw.as_bytes())
        .find(|(k, _)| k == "pos")
        .and_then(|(_, v)| v.parse().ok())
        .filter(|p| (1..=10_000).contains(p))?;
    let params = SearchParams::parse(Some(raw)).ok()?.first_page();
    let around = engine
        .neighbours(&params.request(audience), position)
        .ok()?;
    if position > around.total {
        return None;
    }
    let link = |id: Option<String>, rank: usize| id.map(|id| links.document_in(&id, &params, rank));
    let per_page = params.per_page.unwrap_or(crate::search::DEFAULT_PER_PAGE);
    Some(Trail {
        position,
        total: around.total,
        back_url: links.search(&params.with_page(position.div_ceil(per_page))),
        prev_url: link(around.previous, position.saturating_sub(1)),
        next_url: link(around.next, position + 1),
    })
}

pub(crate) async fn document(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Html<String>, WebError> {
    let audience = viewer.audience;
    state
        .search(move |engine, links| {
            let doc = engine.document(&id, audience)?.ok_or(WebError::NotFound)?;
            let page = DocumentPage {
                layout: Layout::of(engine, audience, links),
                q: String::new(),
                kind_url: links.filtered(FacetKind::Tipus, doc.kind.slug()),
                when: crate::web::view::when(
                    doc.date.as_deref(),
                    doc.years.map(|y| y.label()).as_deref(),
                ),
                places: places(&doc, links),
                comarques: doc
                    .comarques
                    .iter()
                    .map(|c| (c.clone(), links.filtered(FacetKind::Comarca, c)))
                    .collect(),
                themes: engine
                    .theme_refs(&doc)
                    .into_iter()
                    .map(|t| (t.label, links.filtered(FacetKind::Tema, &t.slug)))
                    .collect(),
                body_html: crate::markdown::to_html(&doc.body, &|path| {
                    path.strip_prefix("/document/").map(|id| links.document(id))
                }),
                sources: doc
                    .sources
                    .iter()
                    .map(|url| SourceView {
                        url: url.clone(),
                        domain: domain_of(url),
                    })
                    .collect(),
                scope: doc.scope.label(),
                category: doc.abc_category.map(|c| c.label()),
                internal: doc.visibility == Visibility::Interna,
                trail: trail(engine, links, raw.as_deref(), audience),
                related: with_links(engine.related(&doc, audience, 5)?, links),
                similar: engine
                    .similar_towns(&doc, audience, 4)?
                    .into_iter()
                    .map(|g| SimilarView {
                        heading: g.heading,
                        docs: with_links(g.docs, links),
                    })
                    .collect(),
                doc,
            };
            Ok(Html(page.render()?))
        })
        .await
}

fn places(doc: &Document, links: &Links) -> Vec<PlaceView> {
    let gazetteer = Gazetteer::get();
    doc.municipalities
        .iter()
        .filter_map(|name| gazetteer.municipality(name))
        .map(|m| PlaceView {
            name: m.name.clone(),
            comarca: m.comarca.clone(),
            population: thousands(m.population as usize),
            url: links.filtered(FacetKind::Municipi, &m.name),
        })
        .collect()
}

fn with_links(docs: Vec<RelatedDoc>, links: &Links) -> Vec<(RelatedDoc, String)> {
    docs.into_iter()
        .map(|d| {
            let url = links.document(&d.id);
            (d, url)
        })
        .collect()
}
