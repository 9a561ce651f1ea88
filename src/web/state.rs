//! What every request shares: the engine being served (swapped in whole when a new
//! generation is published), the search pool, the links, who may be an advisor, and the
//! advisors' throttle and ended sessions.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use anyhow::Result;
use arc_swap::ArcSwapOption;

use super::auth::{AdvisorSecret, RevokedSessions};
use super::client::TrustedProxies;
use super::error::WebError;
use super::links::Links;
use super::pool::{Pool, PoolError};
use super::throttle::Throttle;
use crate::index::{CURRENT, current_generation_name};
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
    /// The published generation, already opened (`serve` opens it at start, after rebuilding
    /// a damaged one); without it the state opens it, and fails if it cannot.
    pub engine: Option<Arc<Engine>>,
}

/// A published generation that failed its checks and is not served.
#[derive(Clone, Debug)]
pub struct Rejected {
    pub generation: String,
    /// Why, naming the damaged files.
    pub error: String,
    /// When `CURRENT` was written: a generation is tried again only once it is published again.
    published: Option<SystemTime>,
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
    rejected: Mutex<Option<Rejected>>,
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
        let engine = match (options.engine, current_generation_name(&index_dir)?) {
            (Some(engine), _) => Some(engine),
            (None, Some(_)) => Some(Arc::new(Engine::open_current(&index_dir)?)),
            (None, None) => None,
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
                rejected: Mutex::new(None),
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

    /// The published generation that failed its checks, if the one published now did.
    pub fn rejected(&self) -> Option<Rejected> {
        self.rejected_slot().clone()
    }

    fn rejected_slot(&self) -> std::sync::MutexGuard<'_, Option<Rejected>> {
        // What it guards is replaced whole: a panic elsewhere cannot leave it half-written.
        self.shared
            .rejected
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Switches to the published generation if it differs from the one being served and
    /// passes its checks (checksums of every file, then opening it). One that fails is
    /// logged once and not tried again until `CURRENT` is written again; the previous
    /// generation goes on serving.
    pub fn reload_if_changed(&self) -> Result<bool> {
        let dir = &self.shared.index_dir;
        let published = published_at(dir);
        let Some(name) = current_generation_name(dir)? else {
            return Ok(false);
        };
        let serving = self.shared.engine.load();
        if serving.as_ref().map(|e| e.info().generation.as_str()) == Some(name.as_str()) {
            *self.rejected_slot() = None;
            return Ok(false);
        }
        let known = self
            .rejected_slot()
            .as_ref()
            .is_some_and(|r| r.generation == name && r.published == published);
        if known {
            return Ok(false);
        }
        match Engine::open(&dir.join(&name)) {
            Ok(fresh) => {
                self.shared.engine.store(Some(Arc::new(fresh)));
                *self.rejected_slot() = None;
                tracing::info!(generation = %name, "serving a new index generation");
                Ok(true)
            }
            Err(e) => {
                let error = format!("{e:#}");
                tracing::warn!(
                    generation = %name,
                    error = %error,
                    "the published generation failed its checks and is not served; \
                     still serving the previous one until another is published"
                );
                *self.rejected_slot() = Some(Rejected {
                    generation: name,
                    error,
                    published,
                });
                Ok(false)
            }
        }
    }
}

/// When `CURRENT` was last written, if it can be told.
fn published_at(index_dir: &Path) -> Option<SystemTime> {
    std::fs::metadata(index_dir.join(CURRENT))
        .and_then(|m| m.modified())
        .ok()
}
