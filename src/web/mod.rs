//! The web layer: router, shared state, live reload of new index generations, security
//! headers and graceful shutdown. Handlers live in `pages` (HTML) and `api` (JSON).

mod api;
mod assets;
pub mod auth;
mod error;
mod export;
mod login;
mod map;
mod pages;
mod params;
mod rescue;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use anyhow::Result;
use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;

use auth::LoginThrottle;
pub use auth::{AdvisorSecret, Viewer};
pub use error::WebError;
pub use params::SearchParams;

use crate::index::{Generation, current_generation_name};

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

/// Cheap to clone; holds the generation being served.
#[derive(Clone)]
pub struct AppState {
    shared: Arc<Shared>,
}

struct Shared {
    index_dir: PathBuf,
    current: RwLock<Option<Arc<Generation>>>,
    /// Without it, internal records are served to no one.
    advisor_secret: Option<AdvisorSecret>,
    login_throttle: LoginThrottle,
}

impl AppState {
    /// State for the index in `index_dir` with no advisor access.
    pub fn open(index_dir: PathBuf) -> Result<AppState> {
        AppState::open_with_secret(index_dir, None)
    }

    /// State for the index in `index_dir`; opens its published generation if there is one.
    pub fn open_with_secret(
        index_dir: PathBuf,
        advisor_secret: Option<AdvisorSecret>,
    ) -> Result<AppState> {
        let current = match current_generation_name(&index_dir)? {
            Some(_) => Some(Arc::new(Generation::open_current(&index_dir)?)),
            None => None,
        };
        Ok(AppState {
            shared: Arc::new(Shared {
                index_dir,
                current: RwLock::new(current),
                advisor_secret,
                login_throttle: LoginThrottle::default(),
            }),
        })
    }

    pub fn advisor_secret(&self) -> Option<&AdvisorSecret> {
        self.shared.advisor_secret.as_ref()
    }

    pub fn login_throttle(&self) -> &LoginThrottle {
        &self.shared.login_throttle
    }

    /// The generation to answer this request with; it stays valid for the whole request
    /// even if a newer one is published meanwhile.
    pub fn generation(&self) -> Result<Arc<Generation>, WebError> {
        let guard = self
            .shared
            .current
            .read()
            .map_err(|_| WebError::Internal(anyhow::anyhow!("state lock poisoned")))?;
        guard.clone().ok_or(WebError::Unavailable)
    }

    /// Opens the published generation if it differs from the one being served.
    pub fn reload_if_changed(&self) -> Result<bool> {
        let Some(name) = current_generation_name(&self.shared.index_dir)? else {
            return Ok(false);
        };
        let serving = self.generation().ok().map(|g| g.info.generation.clone());
        if serving.as_deref() == Some(name.as_str()) {
            return Ok(false);
        }
        let fresh = Arc::new(Generation::open(&self.shared.index_dir.join(&name))?);
        if let Ok(mut guard) = self.shared.current.write() {
            *guard = Some(fresh);
        }
        tracing::info!(generation = %name, "serving a new index generation");
        Ok(true)
    }
}

pub fn app(state: AppState) -> Router {
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
        .fallback(pages::not_found)
        .layer(middleware::from_fn(security_headers))
        .with_state(state)
}

async fn security_headers(request: Request, next: Next) -> Response {
    let started = std::time::Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let fixed = [
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
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    // Pages differ by session: no shared cache may keep an advisor's page. Static files,
    // the same for everyone, say otherwise themselves.
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
    }
    tracing::info!(
        %method,
        %path,
        status = response.status().as_u16(),
        micros = started.elapsed().as_micros() as u64,
        "request"
    );
    response
}

/// Serves until Ctrl-C or SIGTERM, reloading new generations as they are published.
pub async fn serve(
    index_dir: PathBuf,
    addr: SocketAddr,
    advisor_secret: Option<AdvisorSecret>,
) -> Result<()> {
    if advisor_secret.is_none() {
        tracing::info!("no advisor token configured: internal records are served to no one");
    }
    let state = AppState::open_with_secret(index_dir, advisor_secret)?;
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
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    tracing::info!("serving on http://{local}/");
    println!("Serving on http://{local}/ (Ctrl-C to stop)");
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown_signal())
        .await?;
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

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

/// Reverses the escaping of snippets, for terminal output.
pub fn unescape(html: &str) -> String {
    html.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}
