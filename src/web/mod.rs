//! The web layer: the router, its middleware (security headers and HSTS, request log, error
//! pages), the reload of new index generations and graceful shutdown. Pages are in `pages`, the
//! JSON in `api`; searching happens on the engine, through the pool in `state`.

mod api;
mod assets;
pub mod auth;
mod client;
mod error;
mod export;
mod links;
mod login;
mod map;
mod pages;
mod params;
mod pool;
mod server;
mod state;
pub mod throttle;
mod view;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;
use axum::Router;
use axum::http::{HeaderName, HeaderValue, Request, header};
use axum::middleware;
use axum::response::Redirect;
use axum::routing::get;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

pub use api::SearchJson;
pub use auth::{AdvisorSecret, Viewer};
pub use client::{Client, ClientKey, TrustedProxies};
pub use error::WebError;
pub use links::Links;
pub use params::SearchParams;
pub use pool::Pool;
pub use server::{Limits, connections_that_fit};
pub use state::{AppState, Options, Rejected};

/// Every route the server answers, in one place (tests walk this table).
pub const ROUTES: &[&str] = &[
    "/",
    "/cerca",
    "/cerca/valors/{facet}",
    "/cerca.csv",
    "/cerca.atom",
    "/mapa",
    "/document/{id}",
    "/entrar",
    "/sortir",
    "/accessibilitat",
    "/api/cerca",
    "/api/document/{id}",
    "/api/suggeriments",
    "/salut",
    "/static/style.css",
    "/static/cerca.js",
];

/// Headers of every response.
const SECURITY_HEADERS: [(HeaderName, &str); 5] = [
    (
        header::CONTENT_SECURITY_POLICY,
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    ),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "same-origin"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::VARY, "Cookie, Authorization"),
];

/// Longest a request may take, body included; a search takes milliseconds.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The site's routes, at the root.
fn site() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::home))
        .route("/cerca", get(pages::search))
        .route("/cerca/valors/{facet}", get(pages::facet_values))
        .route("/cerca.csv", get(export::search_csv))
        .route("/cerca.atom", get(export::search_atom))
        .route("/mapa", get(map::map))
        .route("/document/{id}", get(pages::document))
        .route("/entrar", get(login::form).post(login::submit))
        .route("/sortir", get(login::confirm_logout).post(login::logout))
        .route("/accessibilitat", get(pages::accessibility))
        .route("/api/cerca", get(api::search))
        .route("/api/document/{id}", get(api::document))
        .route("/api/suggeriments", get(api::suggestions))
        .route("/salut", get(api::health))
        .route("/static/style.css", get(assets::style))
        .route("/static/cerca.js", get(assets::script))
}

/// The site under its base path, with every layer.
pub fn app(state: AppState) -> Router {
    let base = state.links().base().to_string();
    let router = if base.is_empty() {
        site()
    } else {
        // Mounted under a path: its home is `/cercador`, and `/cercador/` leads there.
        let home = state.links().home();
        let to_home = move || async move { Redirect::permanent(&home) };
        Router::new()
            .nest(&base, site())
            .route(&format!("{base}/"), get(to_home))
    };
    layered(router, state)
}

/// `router` with every layer of the site and its state.
fn layered(router: Router<AppState>, state: AppState) -> Router {
    let mut router = router
        .fallback(pages::not_found)
        // Inside `render_errors`, which draws the 500 page (or JSON) of a panic and of a
        // request cut short.
        .layer(CatchPanicLayer::custom(error::panicked))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            REQUEST_TIMEOUT,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            error::render_errors,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            client::strict_transport,
        ));
    for (name, value) in SECURITY_HEADERS {
        let value = HeaderValue::from_static(value);
        router = router.layer(SetResponseHeaderLayer::overriding(name, value));
    }
    // Pages differ by session: no shared cache may keep an advisor's page. Static files,
    // the same for everyone, say otherwise themselves.
    let private = HeaderValue::from_static("private, no-store");
    router
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            private,
        ))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request<_>| {
                    tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
                })
                .on_request(())
                .on_response(
                    DefaultOnResponse::new()
                        .level(tracing::Level::INFO)
                        .latency_unit(tower_http::LatencyUnit::Micros),
                ),
        )
        .with_state(state)
}

/// Serves until Ctrl-C or SIGTERM, reloading new generations as they are published.
pub async fn serve(
    index_dir: PathBuf,
    addr: SocketAddr,
    options: Options,
    limits: Limits,
) -> Result<()> {
    if options.advisor_secret.is_none() {
        tracing::info!("no advisor token configured: internal records are served to no one");
    }
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    let state = AppState::with_options(index_dir, options)?;
    let poller = state.clone();
    let every = reload_interval();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(every).await;
            let s = poller.clone();
            match tokio::task::spawn_blocking(move || s.reload_if_changed()).await {
                Ok(Err(e)) => tracing::warn!(
                    error = format!("{e:#}"),
                    "could not open the new generation; still serving the previous one"
                ),
                Err(e) => tracing::warn!(error = %e, "reload task failed"),
                Ok(Ok(_)) => {}
            }
        }
    });
    let shutdown = shutdown_signal();
    let home = state.links().home();
    tracing::info!("serving on http://{local}{home}");
    println!("Servint a http://{local}{home} (Ctrl-C per aturar)");
    server::run(listener, app(state), limits, shutdown).await;
    Ok(())
}

/// How often the server looks for a newly published generation: `XMESS_KB_RELOAD_MS`
/// (milliseconds, at least 50), 2 s by default. Reading one small file is cheap.
fn reload_interval() -> Duration {
    std::env::var("XMESS_KB_RELOAD_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .map_or(Duration::from_secs(2), |ms| {
            Duration::from_millis(ms.max(50))
        })
}

/// Ctrl-C or SIGTERM. The handlers are installed here, before the server says it is
/// listening: a signal sent as soon as it does must not find the default action.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let signals = {
        use tokio::signal::unix::{SignalKind, signal};
        (
            signal(SignalKind::terminate()).ok(),
            signal(SignalKind::interrupt()).ok(),
        )
    };
    async move {
        #[cfg(unix)]
        {
            let (terminate, interrupt) = signals;
            let wait = |s: Option<tokio::signal::unix::Signal>| async move {
                match s {
                    Some(mut s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                () = wait(terminate) => {},
                () = wait(interrupt) => {},
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
        tracing::info!("shutting down");
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::StatusCode;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    use super::*;

    async fn call(router: Router, uri: &str) -> (StatusCode, axum::http::HeaderMap, String) {
        let request = Request::get(uri).body(Body::empty()).expect("request");
        let response = router.oneshot(request).await.expect("infallible router");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        (
            status,
            headers,
            String::from_utf8_lossy(&bytes).into_owned(),
        )
    }

    #[tokio::test]
    async fn a_panicking_handler_answers_the_catalan_500_page_or_its_json() {
        // No route of the site panics outside the search pool; these two stand for a bug.
        let no_index = tempfile::tempdir().expect("temp dir");
        let state = AppState::open(no_index.path().to_path_buf()).expect("state");
        async fn boom() -> &'static str {
            panic!("a bug in a handler")
        }
        let router = Router::new()
            .route("/pagina", get(boom))
            .route("/api/dades", get(boom));
        let router = layered(router, state);

        let (status, headers, body) = call(router.clone(), "/pagina").await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(body.contains("<html"), "{body}");
        assert!(body.contains("Hi ha hagut un error"), "{body}");
        assert!(!body.contains("a bug in a handler"), "{body}");
        assert!(headers.contains_key(header::CONTENT_SECURITY_POLICY));

        let (status, headers, body) = call(router.clone(), "/api/dades").await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok()),
            Some("application/json")
        );
        let json: serde_json::Value = serde_json::from_str(&body).expect("JSON");
        assert_eq!(json["error"]["code"], "error_intern");
        assert!(
            json["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("No hem pogut respondre")),
            "{json}"
        );

        // Any error drawn for an `/api` address is JSON, an unknown one too.
        let (status, _, body) = call(router, "/api/enlloc").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let json: serde_json::Value = serde_json::from_str(&body).expect("JSON");
        assert_eq!(json["error"]["code"], "no_trobat");
    }
}
