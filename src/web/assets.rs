//! Static files compiled into the binary. Pages link them with their content's hash
//! (`?v=…`), so a link to the current version may be cached for a year and a new version is
//! a new URL.

use std::sync::LazyLock;

use axum::extract::RawQuery;
use axum::http::header;
use axum::response::IntoResponse;

const STYLE: &str = include_str!("../../static/style.css");
/// Progressive enhancement only: suggestions while typing. Every feature works without it.
const SCRIPT: &str = include_str!("../../static/cerca.js");

/// A short hash of both files.
pub(super) fn version() -> &'static str {
    static VERSION: LazyLock<String> = LazyLock::new(|| {
        use std::hash::BuildHasher;
        let hash = rustc_hash::FxBuildHasher.hash_one((STYLE, SCRIPT));
        format!("{:08x}", hash & 0xffff_ffff)
    });
    &VERSION
}

fn serve(
    body: &'static str,
    content_type: &'static str,
    query: Option<String>,
) -> impl IntoResponse {
    let current = query.is_some_and(|q| q == format!("v={}", version()));
    let cache = if current {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=3600"
    };
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, cache),
        ],
        body,
    )
}

pub(super) async fn style(RawQuery(query): RawQuery) -> impl IntoResponse {
    serve(STYLE, "text/css; charset=utf-8", query)
}

pub(super) async fn script(RawQuery(query): RawQuery) -> impl IntoResponse {
    serve(SCRIPT, "text/javascript; charset=utf-8", query)
}
