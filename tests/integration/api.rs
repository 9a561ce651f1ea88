//! The JSON API and the health check.

use crate::support::{get, texts};

#[tokio::test]
async fn search_json_has_the_documented_shape() {
    let reply = get("/api/cerca?q=cures").await;
    assert_eq!(reply.status, 200);
    assert!(
        reply.headers["content-type"]
            .to_str()
            .unwrap_or("")
            .starts_with("application/json")
    );
    let json = reply.json();
    for key in [
        "generation",
        "query",
        "total",
        "page",
        "per_page",
        "hits",
        "facets",
    ] {
        assert!(json.get(key).is_some(), "missing {key}");
    }
    let hit = &json["hits"][0];
    for key in [
        "id",
        "title",
        "kind",
        "municipalities",
        "comarques",
        "themes",
        "years",
        "snippet",
        "url",
        "score",
    ] {
        assert!(hit.get(key).is_some(), "hit missing {key}");
    }
    let snippet = hit["snippet"].as_str().unwrap_or("");
    let stripped = snippet.replace("<mark>", "").replace("</mark>", "");
    assert!(
        !stripped.contains('<'),
        "snippet has other markup: {snippet}"
    );
    for facet in [
        "tema",
        "tipus",
        "municipi",
        "comarca",
        "provincia",
        "mida",
        "any",
    ] {
        assert!(json["facets"][facet].is_array(), "facet {facet}");
    }
}

#[tokio::test]
async fn synonyms_expand_acronyms() {
    let json = get("/api/cerca?q=CCPR").await.json();
    assert_eq!(json["hits"][0]["id"], "jornada-ccpr");
}

#[tokio::test]
async fn document_json_and_its_404() {
    let json = get("/api/document/vic-cures").await.json();
    assert_eq!(json["id"], "vic-cures");
    assert_eq!(json["municipalities"][0], "Vic");
    let missing = get("/api/document/no-existeix").await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.json()["error"]["code"], "no_trobat");
}

#[tokio::test]
async fn api_errors_are_json_in_catalan() {
    let reply = get("/api/cerca?pagina=0").await;
    assert_eq!(reply.status, 400);
    let json = reply.json();
    assert_eq!(json["error"]["code"], "consulta_no_valida");
    assert!(
        json["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("pàgina")
    );
}

#[tokio::test]
async fn health_reports_the_generation() {
    let json = get("/salut").await.json();
    assert_eq!(json["status"], "ok");
    assert_eq!(json["documents"], 5);
    assert!(
        json["generation"]
            .as_str()
            .unwrap_or("")
            .starts_with("gen-")
    );
}

#[tokio::test]
async fn without_an_index_the_site_says_so() {
    let empty = tempfile::tempdir().expect("temp dir");
    let reply = crate::support::get_from(empty.path(), "/cerca?q=x").await;
    assert_eq!(reply.status, 503);
    assert!(reply.body.contains("encara no"));
    let health = crate::support::get_from(empty.path(), "/salut").await;
    assert_eq!(health.status, 503);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_search_queue_answers_503_with_retry_after_in_catalan() {
    use std::sync::Arc;
    use xmess_kb::web::{AppState, Options, Pool};
    // One search thread, no queue: while it is busy, every search is turned away.
    let pool = Arc::new(Pool::new(1, 0));
    let options = Options {
        pool: Some(pool.clone()),
        ..Options::default()
    };
    let state = AppState::with_options(crate::support::basic_index().to_path_buf(), options)
        .expect("state");
    let (started, wait) = std::sync::mpsc::channel::<()>();
    let (release, hold) = std::sync::mpsc::channel::<()>();
    let busy = tokio::spawn(async move {
        pool.run(move || {
            let _ = started.send(());
            let _ = hold.recv_timeout(std::time::Duration::from_secs(30));
        })
        .await
    });
    assert!(
        wait.recv_timeout(std::time::Duration::from_secs(30))
            .is_ok()
    );
    let get = |uri: &'static str| {
        let request = axum::http::Request::get(uri)
            .body(axum::body::Body::empty())
            .expect("request");
        crate::support::send(state.clone(), request)
    };
    let page = get("/cerca?q=cures").await;
    assert_eq!(page.status, 503);
    assert!(page.headers.contains_key("retry-after"));
    assert_eq!(
        texts(&page.html(), "h1"),
        vec!["El cercador està molt ocupat"]
    );
    let api = get("/api/cerca?q=cures").await;
    assert_eq!(api.status, 503);
    assert_eq!(api.json()["error"]["code"], "cercador_ocupat");
    // Health does not search: it answers while the searches wait.
    assert_eq!(get("/salut").await.status, 200);
    assert!(release.send(()).is_ok());
    assert!(busy.await.is_ok());
    assert_eq!(get("/cerca?q=cures").await.status, 200);
}
