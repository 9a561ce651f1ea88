//! A real deployment: the site mounted under a sub-path by a reverse proxy, with absolute
//! links from its public URL, never from what a request's `Host` claims.

use std::collections::{BTreeSet, VecDeque};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use scraper::{Html, Selector};
use xmess_kb::web::{AdvisorSecret, AppState, Links, Options};

use crate::support::{Reply, basic_index, send};

const TOKEN: &str = "codi-de-prova-del-desplegament-42";
const BASE: &str = "/cercador";

fn mounted() -> AppState {
    let links = Links::configure(Some("https://xmess.cat/cercador"), None, "http://unused")
        .expect("a valid public URL");
    let options = Options {
        links,
        advisor_secret: Some(AdvisorSecret::new(TOKEN).expect("long enough")),
        ..Options::default()
    };
    AppState::with_options(basic_index().to_path_buf(), options).expect("state")
}

async fn call(
    state: &AppState,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Reply {
    let mut request = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    send(
        state.clone(),
        request.body(Body::from(body.to_string())).expect("request"),
    )
    .await
}

/// Every link, asset and form target of a page that points into this site.
fn local_targets(html: &str) -> Vec<String> {
    let page = Html::parse_document(html);
    let mut out = Vec::new();
    for (css, attr) in [
        ("[href]", "href"),
        ("[src]", "src"),
        ("form[action]", "action"),
    ] {
        let selector = Selector::parse(css).expect("selector");
        for element in page.select(&selector) {
            if let Some(target) = element.value().attr(attr)
                && !target.starts_with("http")
                && !target.starts_with("mailto:")
                && !target.starts_with('#')
            {
                out.push(target.to_string());
            }
        }
    }
    out
}

fn under_base(target: &str) -> bool {
    target == BASE
        || target.starts_with(&format!("{BASE}/"))
        || target.starts_with(&format!("{BASE}?"))
}

#[tokio::test]
async fn every_link_reached_from_the_main_pages_stays_under_the_sub_path() {
    let state = mounted();
    let results = call(&state, "GET", "/cercador/cerca?q=cures", &[], "").await;
    let document = local_targets(&results.body)
        .into_iter()
        .find(|t| t.starts_with("/cercador/document/"))
        .expect("a result links its document");
    let starts = [
        "/cercador".to_string(),
        "/cercador/cerca?q=cures".to_string(),
        document,
        // Its body links another document of the corpus.
        "/cercador/document/vic-cures".to_string(),
        "/cercador/mapa".to_string(),
        "/cercador/entrar".to_string(),
    ];
    // The start pages and every page they link to: fetched, and their links checked.
    let mut queue: VecDeque<(String, usize)> = starts.iter().map(|s| (s.clone(), 0)).collect();
    let mut seen: BTreeSet<String> = starts.iter().cloned().collect();
    let mut escaping = Vec::new();
    let mut fetched = 0;
    while let Some((target, depth)) = queue.pop_front() {
        let reply = call(&state, "GET", &target, &[], "").await;
        fetched += 1;
        assert!(
            reply.status == StatusCode::OK,
            "{target} (linked from the site) answered {}",
            reply.status
        );
        let html = reply
            .headers
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
        if !html {
            continue;
        }
        for link in local_targets(&reply.body) {
            if !under_base(&link) {
                escaping.push(format!("{target} → {link}"));
            } else if depth == 0 && seen.insert(link.clone()) {
                queue.push_back((link, depth + 1));
            }
        }
    }
    assert!(fetched > 40, "the crawl reached only {fetched} pages");
    assert!(
        escaping.is_empty(),
        "links out of {BASE}:\n{}",
        escaping.join("\n")
    );
}

#[tokio::test]
async fn redirects_cookies_and_unknown_paths_respect_the_sub_path() {
    let state = mounted();
    let slash = call(&state, "GET", "/cercador/", &[], "").await;
    assert_eq!(slash.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(slash.headers[header::LOCATION], "/cercador");
    assert_eq!(
        call(&state, "GET", "/cerca?q=cures", &[], "").await.status,
        404
    );
    let outside = call(&state, "GET", "/cercadors", &[], "").await;
    assert_eq!(outside.status, 404);
    assert!(local_targets(&outside.body).iter().all(|t| under_base(t)));

    // What a browser sends with the form of https://xmess.cat/cercador/entrar.
    let form = [
        ("content-type", "application/x-www-form-urlencoded"),
        ("origin", "https://xmess.cat"),
    ];
    let body = format!("codi={TOKEN}&tornar=%2Fcercador%2Fcerca%3Fq%3Dcures");
    let login = call(&state, "POST", "/cercador/entrar", &form, &body).await;
    assert_eq!(login.status, StatusCode::SEE_OTHER);
    assert_eq!(login.headers[header::LOCATION], "/cercador/cerca?q=cures");
    let cookie = login.headers[header::SET_COOKIE].to_str().expect("ascii");
    assert!(cookie.contains("Path=/cercador"), "{cookie}");
    // A return path outside the site leads home instead.
    let elsewhere = format!("codi={TOKEN}&tornar=%2Faltre");
    let login = call(&state, "POST", "/cercador/entrar", &form, &elsewhere).await;
    assert_eq!(login.headers[header::LOCATION], "/cercador");
    let logout = call(&state, "POST", "/cercador/sortir", &form[1..], "").await;
    assert_eq!(logout.headers[header::LOCATION], "/cercador");
}

#[tokio::test]
async fn feeds_and_exports_link_to_the_public_url_whatever_the_host_header_says() {
    let state = mounted();
    let host = [
        ("host", "evil.example"),
        ("x-forwarded-host", "evil.example"),
    ];
    for uri in [
        "/cercador/cerca.atom?q=cures",
        "/cercador/cerca.csv?q=cures",
    ] {
        let reply = call(&state, "GET", uri, &host, "").await;
        assert_eq!(reply.status, 200, "{uri}");
        assert!(
            !reply.body.contains("evil.example"),
            "{uri}: {}",
            reply.body
        );
        assert!(
            reply.body.contains("https://xmess.cat/cercador/document/"),
            "{uri}: {}",
            reply.body
        );
    }
}

#[test]
fn a_public_url_and_a_base_path_that_disagree_are_refused_with_a_message() {
    let refused = Links::configure(
        Some("https://xmess.cat/cercador"),
        Some("/altre"),
        "http://x",
    );
    let message = refused.expect_err("they disagree");
    assert!(message.contains("han de coincidir"), "{message}");
}

#[test]
fn the_container_health_check_asks_the_server_under_its_base_path() {
    use std::process::Command;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = crate::support::fixture("basic");
    let index = tempfile::tempdir().expect("temp dir");
    let mut command = Command::new(env!("CARGO_BIN_EXE_xmess-kb"));
    command
        .arg("serve")
        .arg("--corpus")
        .arg(&corpus)
        .arg("--index")
        .arg(index.path())
        .env("XMESS_KB_PUBLIC_URL", "https://xmess.cat/cercador");
    let (mut server, addr) = crate::support::serve(command);
    let check = |vars: &[(&str, &str)]| {
        let mut command = Command::new("bash");
        command.arg(root.join("deploy/healthcheck.sh")).env_clear();
        command.env("XMESS_KB_ADDR", &addr);
        for (name, value) in vars {
            command.env(name, value);
        }
        command.output().expect("bash runs")
    };
    // The base path comes from the public URL, as it does for serve.
    let healthy = check(&[("XMESS_KB_PUBLIC_URL", "https://xmess.cat/cercador")]);
    let said = String::from_utf8_lossy(&healthy.stderr).into_owned();
    let explicit = check(&[("XMESS_KB_BASE_PATH", "/cercador/")]);
    let wrong = check(&[("XMESS_KB_BASE_PATH", "/altre")]);
    let _ = server.kill();
    let _ = server.wait();
    assert!(healthy.status.success(), "{said}");
    assert!(explicit.status.success());
    assert!(!wrong.status.success());
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("/altre/salut"));
}
