//! Fixture corpus → temporary index → router, plus request and HTML helpers.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use scraper::{Html, Selector};
use tower::ServiceExt;
use xmess_kb::index::BuildOptions;
use xmess_kb::web::{AppState, app};

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .join("corpus")
}

/// Builds `corpus` into a fresh index directory and returns it (kept alive by the TempDir).
pub fn build_index(corpus: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let options = BuildOptions {
        corpus: corpus.to_path_buf(),
        index: dir.path().to_path_buf(),
        dry_run: false,
    };
    xmess_kb::search::build(&options, &mut |_| {}).expect("fixture corpus indexes");
    dir
}

/// One index of the real corpus shared by the read-only tests.
pub fn real_index() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| build_index(&Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")))
        .path()
}

/// One index of the `basic` fixture shared by the read-only tests.
pub fn basic_index() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| build_index(&fixture("basic"))).path()
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn html(&self) -> Html {
        Html::parse_document(&self.body)
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

pub async fn get(uri: &str) -> Reply {
    get_from(basic_index(), uri).await
}

pub async fn get_from(index_dir: &Path, uri: &str) -> Reply {
    let state = AppState::open(index_dir.to_path_buf()).expect("state");
    send(
        state,
        Request::get(uri).body(Body::empty()).expect("request"),
    )
    .await
}

/// One request through the whole router, as the server would answer it.
pub async fn send(state: AppState, request: Request<Body>) -> Reply {
    let response = app(state)
        .oneshot(request)
        .await
        .expect("infallible router");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// Texts of the elements matching a CSS selector, whitespace collapsed.
pub fn texts(html: &Html, css: &str) -> Vec<String> {
    let selector = Selector::parse(css).unwrap_or_else(|e| panic!("bad selector {css}: {e}"));
    html.select(&selector)
        .map(|e| {
            e.text()
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

pub fn attrs(html: &Html, css: &str, attr: &str) -> Vec<String> {
    let selector = Selector::parse(css).unwrap_or_else(|e| panic!("bad selector {css}: {e}"));
    html.select(&selector)
        .filter_map(|e| e.value().attr(attr).map(String::from))
        .collect()
}

/// Runs `serve` (`command` holds its arguments) on a free port of loopback; returns the
/// process and the address it printed.
pub fn serve(command: std::process::Command) -> (std::process::Child, String) {
    serve_logging_to(command, std::process::Stdio::null())
}

/// [`serve`], with its log (stderr, `RUST_LOG=warn`) written to `log`.
pub fn serve_logging_to(
    mut command: std::process::Command,
    log: impl Into<std::process::Stdio>,
) -> (std::process::Child, String) {
    use std::io::{BufRead, BufReader};
    let mut server = command
        .args(["--addr", "127.0.0.1:0"])
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(log)
        .spawn()
        .expect("serve starts");
    let out = BufReader::new(server.stdout.take().expect("stdout"));
    // Building a missing index prints its own lines first.
    let addr = out
        .lines()
        .map_while(Result::ok)
        .find_map(|line| {
            let rest = line.split("http://").nth(1)?;
            rest.split('/').next().map(String::from)
        })
        .expect("serve prints its address");
    (server, addr)
}
