//! The accept loop: what a connection may cost. Each connection holds one of a fixed number
//! of slots; one that does not send a whole request head in time (a new one, a slow one, an
//! idle keep-alive one) is closed; on Ctrl-C or SIGTERM the server stops accepting, lets
//! requests in flight finish, and stops waiting after a deadline. axum's own `serve` has
//! none of these knobs, so the loop is hyper's, as in axum's "serve with hyper" example.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{ConnectInfo, Request};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// What connections may hold.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Connections open at once; beyond it, new ones are closed at once.
    pub max_connections: usize,
    /// Time to send a whole request head, counted from the first wait for it (so it is also
    /// how long an idle keep-alive connection stays open).
    pub header_timeout: Duration,
    /// How long shutdown waits for requests in flight.
    pub shutdown_deadline: Duration,
}

impl Limits {
    /// The defaults, with `XMESS_KB_HEADER_TIMEOUT_MS` read for tests that cannot wait.
    pub fn from_env(max_connections: usize) -> Limits {
        let header_timeout = std::env::var("XMESS_KB_HEADER_TIMEOUT_MS")
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
            .map_or(HEADER_TIMEOUT, |ms| Duration::from_millis(ms.max(50)));
        Limits {
            max_connections,
            header_timeout,
            shutdown_deadline: SHUTDOWN_DEADLINE,
        }
    }
}

/// Slow or idle clients are closed after this: a browser sends a head in milliseconds.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
const SHUTDOWN_DEADLINE: Duration = Duration::from_secs(10);
/// Files kept free for the index, the logs and the reload poller when capping connections.
const RESERVED_FILES: u64 = 256;

/// Raises the open-file limit to what the system allows (systemd's default soft limit is
/// 1,024) and returns how many connections fit under it.
pub fn connections_that_fit(wanted: usize) -> usize {
    let limit = match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => limit,
        Err(e) => {
            tracing::warn!(error = %e, "could not read or raise the open-file limit");
            return wanted;
        }
    };
    let fit = usize::try_from(limit.saturating_sub(RESERVED_FILES)).unwrap_or(usize::MAX);
    if fit < wanted {
        tracing::warn!(
            open_file_limit = limit,
            wanted,
            capped_at = fit,
            "the open-file limit holds fewer connections than configured"
        );
    }
    wanted.min(fit).max(1)
}

/// Serves `router` on `listener` until `shutdown` completes, then drains.
pub(super) async fn run(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    tokio::pin!(shutdown);
    let mut refused: u64 = 0;
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors or a connection reset before accept: wait a
                    // moment rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            refused += 1;
            if refused.is_power_of_two() {
                tracing::warn!(
                    refused,
                    max = limits.max_connections,
                    "connection limit reached: closing new connections"
                );
            }
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let service = router
            .clone()
            .map_request(move |mut request: Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                request
            })
            .map_err(|e: Infallible| match e {});
        let connection =
            http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, %peer, "connection closed with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    tracing::info!(
        open = graceful.count(),
        "no longer accepting; waiting for requests in flight"
    );
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(limits.shutdown_deadline) => {
            tracing::warn!(
                deadline_secs = limits.shutdown_deadline.as_secs(),
                "connections still open at the shutdown deadline: closing them"
            );
        }
    }
}
