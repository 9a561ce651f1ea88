//! Exports of the current search, with the same parameters and audience rules as the
//! page: `/cerca.csv` (UTF-8 with BOM, so spreadsheets read accents) and `/cerca.atom`.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use super::error::WebError;
use super::params::SearchParams;
use super::{AppState, Viewer};
use crate::search::{Engine, Hit, MAX_PER_PAGE, Sort};
use crate::taxonomy::Audience;

/// Rows in one CSV export.
pub(super) const MAX_EXPORT_ROWS: usize = 5_000;
/// Entries in a feed.
const FEED_ENTRIES: usize = 50;

/// Up to `limit` results of a search, in its order.
fn hits(
    engine: &Engine,
    params: &SearchParams,
    audience: Audience,
    limit: usize,
) -> Result<Vec<Hit>, WebError> {
    let mut out = Vec::new();
    let mut page = 1;
    while out.len() < limit {
        let mut request = params.first_page().request(audience);
        request.per_page = MAX_PER_PAGE;
        request.page = page;
        let results = engine.search(&request)?;
        let last = results.hits.len() < MAX_PER_PAGE;
        out.extend(results.hits);
        if last {
            break;
        }
        page += 1;
    }
    out.truncate(limit);
    Ok(out)
}

/// One CSV field: quoted when needed, and a leading `= + - @` neutralised so a spreadsheet
/// never runs a cell as a formula. (Hand-written: the `csv` crate's writer quotes only for
/// its own delimiter, and spreadsheets in Catalan locales also split fields on `;`.)
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

/// The CSV of `hits`; `url` gives a document's absolute link.
pub(super) fn csv(hits: &[Hit], url: impl Fn(&str) -> String, advisor: bool) -> String {
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
            csv_field(&h.title.text),
            csv_field(h.kind.label()),
            csv_field(&h.municipalities.join("; ")),
            csv_field(&h.comarques.join("; ")),
            csv_field(&themes.join("; ")),
            csv_field(h.years.as_deref().unwrap_or("")),
            csv_field(h.date.as_deref().unwrap_or("")),
            csv_field(&url(&h.id)),
        ];
        if advisor {
            row.push(if h.internal { "sí" } else { "no" }.to_string());
        }
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

pub(super) async fn search_csv(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let params = SearchParams::parse(raw.as_deref()).map_err(WebError::BadRequest)?;
    let audience = viewer.audience;
    let body = state
        .search(move |engine, links| {
            let hits = hits(engine, &params, audience, MAX_EXPORT_ROWS)?;
            let url = |id: &str| links.absolute(&links.document(id));
            Ok(csv(&hits, url, audience == Audience::Advisor))
        })
        .await?;
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

pub(super) struct FeedEntry {
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
pub(super) struct Feed {
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

pub(super) async fn search_atom(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let mut params = SearchParams::parse(raw.as_deref()).map_err(WebError::BadRequest)?;
    // A feed is about what is new.
    params.sort = Some(Sort::Recents);
    let audience = viewer.audience;
    let feed = state
        .search(move |engine, links| {
            let built_at = engine.info().built_at.clone();
            let entries = hits(engine, &params, audience, FEED_ENTRIES)?
                .into_iter()
                .map(|h| FeedEntry {
                    id: links.absolute(&links.document(&h.id)),
                    url: links.absolute(&links.document(&h.id)),
                    updated: entry_date(&h, &built_at),
                    summary: h.snippet.plain(),
                    categories: h.themes.into_iter().map(|t| t.label).collect(),
                    places: h.municipalities.join(", "),
                    title: h.title.text,
                })
                .collect();
            let what = if params.q.trim().is_empty() {
                "Novetats".to_string()
            } else {
                format!("«{}»", params.q.trim())
            };
            let feed = Feed {
                title: format!("{what} · Cercador de polítiques municipals d'ESS (XMESS)"),
                self_url: links.absolute(&links.at("/cerca.atom", &params)),
                html_url: links.absolute(&links.search(&params)),
                updated: built_at,
                entries,
            };
            Ok(feed.render()?)
        })
        .await?;
    Ok((
        [(CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        feed,
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
