//! Exports of the current search, with the same parameters and audience rules as the
//! page: `/cerca.csv` (UTF-8 with BOM, so spreadsheets read accents) and `/cerca.atom`.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use super::auth::is_https;
use super::error::WebError;
use super::params::SearchParams;
use super::{AppState, Viewer};
use crate::search::facets::Sort;
use crate::search::{Audience, Hit, MAX_PER_PAGE};

/// Rows in one CSV export.
pub const MAX_EXPORT_ROWS: usize = 5_000;
/// Entries in a feed.
const FEED_ENTRIES: usize = 50;

/// `scheme://host` of this request, for absolute links in exports and feeds.
fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        })
        .unwrap_or("localhost");
    let scheme = if is_https(headers) { "https" } else { "http" };
    format!("{scheme}://{host}")
}

fn hits(
    state: &AppState,
    params: &SearchParams,
    audience: Audience,
    limit: usize,
) -> Result<(Vec<Hit>, String), WebError> {
    let generation = state.generation()?;
    let mut out = Vec::new();
    let mut page = 1;
    while out.len() < limit {
        let mut request = params.first_page().request(audience);
        request.per_page = MAX_PER_PAGE;
        request.page = page;
        let results = generation.search(&request)?;
        let last = results.hits.len() < MAX_PER_PAGE;
        out.extend(results.hits);
        if last {
            break;
        }
        page += 1;
    }
    out.truncate(limit);
    Ok((out, generation.info.built_at.clone()))
}

/// One CSV field: quoted when needed, and a leading `= + - @` neutralised so a spreadsheet
/// never runs a cell as a formula.
fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if value.contains([',', '"', '\n', '\r', ';']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

pub fn csv(hits: &[Hit], base: &str, advisor: bool) -> String {
    let mut out = String::from("\u{feff}");
    let mut header = vec![
        "id",
        "titol",
        "tipus",
        "municipis",
        "comarques",
        "temes",
        "anys",
        "data",
        "url",
    ];
    if advisor {
        header.push("intern");
    }
    out.push_str(&header.join(","));
    out.push_str("\r\n");
    for h in hits {
        let themes: Vec<&str> = h.themes.iter().map(|t| t.label.as_str()).collect();
        let mut row = vec![
            csv_field(&h.id),
            csv_field(&h.title),
            csv_field(h.kind_label),
            csv_field(&h.municipalities.join("; ")),
            csv_field(&h.comarques.join("; ")),
            csv_field(&themes.join("; ")),
            csv_field(h.years.as_deref().unwrap_or("")),
            csv_field(h.date.as_deref().unwrap_or("")),
            csv_field(&format!("{base}/document/{}", h.id)),
        ];
        if advisor {
            row.push(if h.internal { "sí" } else { "no" }.to_string());
        }
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

pub async fn search_csv(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let params = SearchParams::parse(raw.as_deref()).map_err(WebError::BadRequest)?;
    let (hits, _) = hits(&state, &params, viewer.audience, MAX_EXPORT_ROWS)?;
    let body = csv(&hits, &base_url(&headers), viewer.is_advisor());
    Ok((
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                CONTENT_DISPOSITION,
                "attachment; filename=\"xmess-cerca.csv\"",
            ),
        ],
        body,
    )
        .into_response())
}

pub struct FeedEntry {
    pub id: String,
    pub title: String,
    pub url: String,
    pub updated: String,
    pub summary: String,
    pub categories: Vec<String>,
    pub places: String,
}

#[derive(Template)]
#[template(path = "feed.xml")]
pub struct Feed {
    pub title: String,
    pub self_url: String,
    pub html_url: String,
    pub updated: String,
    pub entries: Vec<FeedEntry>,
}

/// When a document is dated in a feed: its day, else 1 January of its first year.
fn entry_date(hit: &Hit, fallback: &str) -> String {
    if let Some(d) = &hit.date {
        return format!("{d}T00:00:00Z");
    }
    hit.years
        .as_deref()
        .and_then(|y| y.get(..4))
        .filter(|y| y.bytes().all(|b| b.is_ascii_digit()))
        .map_or_else(|| fallback.to_string(), |y| format!("{y}-01-01T00:00:00Z"))
}

pub async fn search_atom(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let mut params = SearchParams::parse(raw.as_deref()).map_err(WebError::BadRequest)?;
    // A feed is about what is new.
    params.sort = Some(Sort::Recents);
    let (hits, built_at) = hits(&state, &params, viewer.audience, FEED_ENTRIES)?;
    let base = base_url(&headers);
    let entries = hits
        .iter()
        .map(|h| FeedEntry {
            id: format!("{base}/document/{}", h.id),
            title: h.title.clone(),
            url: format!("{base}/document/{}", h.id),
            updated: entry_date(h, &built_at),
            summary: super::unescape(&h.snippet.replace("<mark>", "").replace("</mark>", "")),
            categories: h.themes.iter().map(|t| t.label.clone()).collect(),
            places: h.municipalities.join(", "),
        })
        .collect();
    let what = if params.q.trim().is_empty() {
        "Novetats".to_string()
    } else {
        format!("«{}»", params.q.trim())
    };
    let feed = Feed {
        title: format!("{what} · Cercador de polítiques municipals d'ESS (XMESS)"),
        self_url: format!("{base}{}", params.url_at("/cerca.atom")),
        html_url: format!("{base}{}", params.url()),
        updated: built_at,
        entries,
    };
    Ok((
        [(CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        feed.render()?,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn csv_fields_are_quoted_and_formulas_neutralised() {
        assert_eq!(csv_field("Vic"), "Vic");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("dit \"així\""), "\"dit \"\"així\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("-2"), "'-2");
    }
}
