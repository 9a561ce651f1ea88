//! Searches run off the async runtime, on a bounded number of blocking threads: a slow
//! search never holds a runtime worker, and when every thread is busy and the queue is full
//! the request is turned away at once (503) instead of piling up.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::Semaphore;

/// How the pool turned work away or lost it.
#[derive(Debug, PartialEq, Eq)]
pub enum PoolError {
    /// Every thread is busy and the queue is full.
    Busy,
    /// The work panicked.
    Panicked,
}

pub struct Pool {
    threads: Arc<Semaphore>,
    waiting: AtomicUsize,
    max_waiting: usize,
}

/// Counts one waiting request for as long as it lives (a client that goes away while
/// waiting leaves the queue).
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Pool {
    /// At most `threads` pieces of work at once and `max_waiting` waiting for a thread.
    pub fn new(threads: usize, max_waiting: usize) -> Pool {
        Pool {
            threads: Arc::new(Semaphore::new(threads.max(1))),
            waiting: AtomicUsize::new(0),
            max_waiting,
        }
    }

    /// Threads for this machine: `XMESS_KB_SEARCH_THREADS`, else four per core (a core is
    /// never left idle while a finished search hands its thread to the next).
    pub fn for_this_machine() -> Pool {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        let threads = std::env::var("XMESS_KB_SEARCH_THREADS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(cores * 4);
        Pool::new(threads, 256)
    }

    /// Runs `work` on a blocking thread once one is free.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, PoolError> {
        let permit = match self.threads.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.max_waiting {
                    self.waiting.fetch_sub(1, Ordering::SeqCst);
                    return Err(PoolError::Busy);
                }
                let _waiting = Waiting(&self.waiting);
                self.threads
                    .clone()
                    .acquire_owned()
                    .await
                    .map_err(|_| PoolError::Busy)?
            }
        };
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work()
        })
        .await
        .map_err(|_| PoolError::Panicked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_full_queue_turns_work_away_and_a_panic_is_an_error() {
        let pool = Arc::new(Pool::new(1, 1));
        let (started, wait) = std::sync::mpsc::channel::<()>();
        let (release, hold) = std::sync::mpsc::channel::<()>();
        let busy = pool.clone();
        let first = tokio::spawn(async move {
            busy.run(move || {
                let _ = started.send(());
                let _ = hold.recv_timeout(Duration::from_secs(10));
                1
            })
            .await
        });
        assert!(wait.recv_timeout(Duration::from_secs(10)).is_ok());
        let queued = pool.clone();
        let second = tokio::spawn(async move { queued.run(|| 2).await });
        // Let the second one take the only place in the queue.
        while pool.waiting.load(Ordering::SeqCst) == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert_eq!(pool.run(|| 3).await, Err(PoolError::Busy));
        assert!(release.send(()).is_ok());
        assert_eq!(first.await.ok(), Some(Ok(1)));
        assert_eq!(second.await.ok(), Some(Ok(2)));
        assert_eq!(pool.run(|| 4).await, Ok(4));
        let panicked = pool.run(|| -> u8 { panic!("a search that fails") }).await;
        assert_eq!(panicked, Err(PoolError::Panicked));
    }
}
