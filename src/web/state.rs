//! What every request shares: the engine being served (swapped in whole when a new
//! generation is published), the search pool, the links, who may be an advisor, and the
//! advisors' throttle and ended sessions.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Result;
use arc_swap::ArcSwapOption;

use super::auth::{AdvisorSecret, RevokedSessions};
use super::client::TrustedProxies;
use super::error::WebError;
use super::links::Links;
use super::pool::{Pool, PoolError};
use super::throttle::Throttle;
use crate::index::current_generation_name;
use crate::search::Engine;

/// How a server is set up besides its index.
#[derive(Default)]
pub struct Options {
    /// Without it, internal records are served to no one.
    pub advisor_secret: Option<AdvisorSecret>,
    /// The pool searches run on; the default fits this machine.
    pub pool: Option<Arc<Pool>>,
    /// Where the site lives (base path, public URL).
    pub links: Links,
    /// The proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed.
    pub trusted_proxies: TrustedProxies,
}

/// Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    shared: Arc<Shared>,
}

struct Shared {
    index_dir: PathBuf,
    engine: ArcSwapOption<Engine>,
    advisor_secret: Option<AdvisorSecret>,
    throttle: Throttle,
    revoked_sessions: RevokedSessions,
    pool: Arc<Pool>,
    links: Links,
    trusted_proxies: TrustedProxies,
}

impl AppState {
    /// State for the index in `index_dir` with no advisor access.
    pub fn open(index_dir: PathBuf) -> Result<AppState> {
        AppState::with_options(index_dir, Options::default())
    }

    pub fn open_with_secret(
        index_dir: PathBuf,
        advisor_secret: Option<AdvisorSecret>,
    ) -> Result<AppState> {
        let options = Options {
            advisor_secret,
            ..Options::default()
        };
        AppState::with_options(index_dir, options)
    }

    /// State for the index in `index_dir`; opens its published generation if there is one.
    pub fn with_options(index_dir: PathBuf, options: Options) -> Result<AppState> {
        let engine = match current_generation_name(&index_dir)? {
            Some(_) => Some(Arc::new(Engine::open_current(&index_dir)?)),
            None => None,
        };
        Ok(AppState {
            shared: Arc::new(Shared {
                index_dir,
                engine: ArcSwapOption::new(engine),
                advisor_secret: options.advisor_secret,
                throttle: Throttle::default(),
                revoked_sessions: RevokedSessions::default(),
                pool: options
                    .pool
                    .unwrap_or_else(|| Arc::new(Pool::for_this_machine())),
                links: options.links,
                trusted_proxies: options.trusted_proxies,
            }),
        })
    }

    pub fn advisor_secret(&self) -> Option<&AdvisorSecret> {
        self.shared.advisor_secret.as_ref()
    }

    /// Failed logins and wrong Bearer tokens, per client.
    pub fn throttle(&self) -> &Throttle {
        &self.shared.throttle
    }

    /// Sessions ended by logout in this process.
    pub fn revoked_sessions(&self) -> &RevokedSessions {
        &self.shared.revoked_sessions
    }

    pub fn trusted_proxies(&self) -> &TrustedProxies {
        &self.shared.trusted_proxies
    }

    pub fn links(&self) -> &Links {
        &self.shared.links
    }

    /// The engine to answer this request with; it stays valid for the whole request even if
    /// a newer generation is published meanwhile.
    pub fn engine(&self) -> Result<Arc<Engine>, WebError> {
        self.shared.engine.load_full().ok_or(WebError::Unavailable)
    }

    /// Runs `work` on the search pool with the engine being served.
    pub async fn search<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Engine, &Links) -> Result<T, WebError> + Send + 'static,
    ) -> Result<T, WebError> {
        let engine = self.engine()?;
        let state = self.clone();
        let done = self
            .shared
            .pool
            .run(move || work(&engine, state.links()))
            .await;
        match done {
            Ok(result) => result,
            Err(PoolError::Busy) => Err(WebError::Busy),
            Err(PoolError::Panicked) => {
                Err(WebError::Internal(anyhow::anyhow!("a search panicked")))
            }
        }
    }

    /// Opens the published generation if it differs from the one being served.
    pub fn reload_if_changed(&self) -> Result<bool> {
        let Some(name) = current_generation_name(&self.shared.index_dir)? else {
            return Ok(false);
        };
        let serving = self.shared.engine.load();
        if serving.as_ref().map(|e| e.info().generation.as_str()) == Some(name.as_str()) {
            return Ok(false);
        }
        let fresh = Engine::open(&self.shared.index_dir.join(&name))?;
        self.shared.engine.store(Some(Arc::new(fresh)));
        tracing::info!(generation = %name, "serving a new index generation");
        Ok(true)
    }
}
