//! The login throttle. Failed logins and wrong Bearer tokens are counted per client (an
//! IPv4 address or an IPv6 /64, see `client::ClientKey`): the first few are free, then the
//! client must wait before its next attempt, twice as long after each failure, up to a
//! ceiling. A waiting client is answered at once (429 with `Retry-After`) and never made to
//! sleep, so waiting holds no worker, and a client that has not failed is never held back
//! by others' failures. A success forgets the client's failures.
//!
//! The decision, the token's comparison and the count happen under one lock
//! (`Throttle::attempt`), so that attempts sent in parallel cannot all pass the decision
//! before the first of them is counted.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::client::ClientKey;

/// Failures a client may make before it has to wait.
pub const FREE_FAILURES: u32 = 3;
/// The longest wait between two attempts.
pub const MAX_WAIT: Duration = Duration::from_secs(16);
/// A client's failures are forgotten after this long without another.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Clients tracked at most; beyond it the one that failed longest ago is forgotten, so that
/// an attacker with many addresses cannot grow memory without bound.
pub const MAX_CLIENTS: usize = 10_000;

/// The wait before the next attempt of a client that has failed `failures` times in a row:
/// none for the first `FREE_FAILURES`, then 0.5 s, doubling, up to `MAX_WAIT`.
pub fn wait_after(failures: u32) -> Duration {
    match failures.checked_sub(FREE_FAILURES) {
        None => Duration::ZERO,
        Some(n) => Duration::from_millis(500u64 << n.min(10)).min(MAX_WAIT),
    }
}

/// Whole seconds for `Retry-After` and for people: rounded up, at least one.
pub fn whole_seconds(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

pub struct Throttle {
    table: Mutex<Table>,
    capacity: usize,
}

#[derive(Default)]
struct Table {
    clients: HashMap<ClientKey, Record>,
    /// The same clients by their last failure, oldest first: pruning and eviction.
    by_age: BTreeMap<(Instant, u64), ClientKey>,
    /// Tells apart failures of the same instant in `by_age`.
    sequence: u64,
}

struct Record {
    failures: u32,
    last: Instant,
    sequence: u64,
}

impl Default for Throttle {
    fn default() -> Throttle {
        Throttle::with_capacity(MAX_CLIENTS)
    }
}

impl Throttle {
    pub fn with_capacity(capacity: usize) -> Throttle {
        Throttle {
            table: Mutex::new(Table::default()),
            capacity: capacity.max(1),
        }
    }

    /// How long `client` must still wait before its next attempt at `now`; `None` when it
    /// may try at once (always, for a client with no recent failure).
    pub fn wait(&self, client: ClientKey, now: Instant) -> Option<Duration> {
        let table = self.table.lock().unwrap_or_else(PoisonError::into_inner);
        table.wait(client, now)
    }

    /// An attempt of `client` at `now`: `Err(wait)` without running `check` while it must
    /// wait; otherwise `check`'s verdict (is the token right?), counted as a failure or
    /// forgetting the earlier ones. `check` runs under the lock: keep it short (an HMAC).
    pub fn attempt(
        &self,
        client: ClientKey,
        now: Instant,
        check: impl FnOnce() -> bool,
    ) -> Result<bool, Duration> {
        let mut table = self.table.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(wait) = table.wait(client, now) {
            return Err(wait);
        }
        let right = check();
        if right {
            table.remove(client);
        } else {
            table.fail(client, now, self.capacity);
        }
        Ok(right)
    }

    /// Clients with failures being remembered.
    pub fn tracked(&self) -> usize {
        let table = self.table.lock().unwrap_or_else(PoisonError::into_inner);
        table.clients.len()
    }
}

impl Table {
    fn wait(&self, client: ClientKey, now: Instant) -> Option<Duration> {
        let record = self.clients.get(&client)?;
        if now.saturating_duration_since(record.last) > WINDOW {
            return None;
        }
        let until = record.last + wait_after(record.failures);
        (until > now).then(|| until - now)
    }

    /// Counts a failure of `client` at `now`, keeping at most `capacity` clients.
    fn fail(&mut self, client: ClientKey, now: Instant, capacity: usize) {
        self.forget_before(now.checked_sub(WINDOW));
        let failures = match self.remove(client) {
            Some(record) => record.failures.saturating_add(1),
            None => 1,
        };
        while self.clients.len() >= capacity {
            let Some((_, oldest)) = self.by_age.pop_first() else {
                break;
            };
            self.clients.remove(&oldest);
        }
        self.sequence += 1;
        let sequence = self.sequence;
        self.by_age.insert((now, sequence), client);
        self.clients.insert(
            client,
            Record {
                failures,
                last: now,
                sequence,
            },
        );
    }

    fn remove(&mut self, client: ClientKey) -> Option<Record> {
        let record = self.clients.remove(&client)?;
        self.by_age.remove(&(record.last, record.sequence));
        Some(record)
    }

    /// Drops every client whose last failure is older than `cutoff`.
    fn forget_before(&mut self, cutoff: Option<Instant>) {
        let Some(cutoff) = cutoff else {
            return;
        };
        while let Some(entry) = self.by_age.first_entry() {
            if entry.key().0 >= cutoff {
                break;
            }
            let client = entry.remove();
            self.clients.remove(&client);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    fn client(n: u32) -> ClientKey {
        ClientKey::V4(Ipv4Addr::from(0x0a00_0000 + n))
    }

    fn fail(throttle: &Throttle, client: ClientKey, now: Instant) {
        assert_eq!(throttle.attempt(client, now, || false), Ok(false));
    }

    #[test]
    fn waits_double_from_the_fourth_failure_up_to_a_ceiling() {
        assert_eq!(wait_after(0), Duration::ZERO);
        assert_eq!(wait_after(FREE_FAILURES - 1), Duration::ZERO);
        assert_eq!(wait_after(FREE_FAILURES), Duration::from_millis(500));
        assert_eq!(wait_after(FREE_FAILURES + 1), Duration::from_secs(1));
        assert_eq!(wait_after(FREE_FAILURES + 5), MAX_WAIT);
        assert_eq!(wait_after(u32::MAX), MAX_WAIT);
        assert_eq!(whole_seconds(Duration::from_millis(500)), 1);
        assert_eq!(whole_seconds(Duration::from_millis(2001)), 3);
        assert_eq!(whole_seconds(Duration::from_secs(16)), 16);
    }

    #[test]
    fn only_the_failing_client_waits_and_only_until_its_wait_is_over() {
        let throttle = Throttle::default();
        let t0 = Instant::now();
        for _ in 0..FREE_FAILURES {
            assert_eq!(throttle.wait(client(1), t0), None);
            fail(&throttle, client(1), t0);
        }
        assert_eq!(
            throttle.wait(client(1), t0),
            Some(Duration::from_millis(500))
        );
        assert_eq!(
            throttle.wait(client(1), t0 + Duration::from_millis(200)),
            Some(Duration::from_millis(300))
        );
        assert_eq!(
            throttle.wait(client(1), t0 + Duration::from_millis(500)),
            None
        );
        assert_eq!(throttle.wait(client(2), t0), None, "another client");
        // Failing again doubles the wait, counted from the new failure.
        let t1 = t0 + Duration::from_secs(1);
        fail(&throttle, client(1), t1);
        assert_eq!(throttle.wait(client(1), t1), Some(Duration::from_secs(1)));
        // While it waits, the check is not even run.
        let waiting = throttle.attempt(client(1), t1, || panic!("checked while waiting"));
        assert_eq!(waiting, Err(Duration::from_secs(1)));
        // A success forgets everything.
        let t2 = t1 + Duration::from_secs(1);
        assert_eq!(throttle.attempt(client(1), t2, || true), Ok(true));
        assert_eq!(throttle.wait(client(1), t2), None);
        assert_eq!(throttle.tracked(), 0);
    }

    #[test]
    fn failures_are_forgotten_after_the_window() {
        let throttle = Throttle::default();
        // Ten failures, each as soon as the last one's wait was over.
        let mut t0 = Instant::now();
        for failures in 0..10u32 {
            t0 += wait_after(failures);
            fail(&throttle, client(1), t0);
        }
        assert_eq!(throttle.wait(client(1), t0), Some(MAX_WAIT));
        let later = t0 + WINDOW + Duration::from_secs(1);
        assert_eq!(throttle.wait(client(1), later), None);
        // The next failure anywhere prunes it; its own count starts again.
        fail(&throttle, client(2), later);
        assert_eq!(throttle.tracked(), 1);
        fail(&throttle, client(1), later);
        assert_eq!(throttle.wait(client(1), later), None, "one failure is free");
    }

    #[test]
    fn the_number_of_clients_remembered_is_bounded_oldest_out_first() {
        let throttle = Throttle::with_capacity(100);
        let t0 = Instant::now();
        for _ in 0..FREE_FAILURES {
            fail(&throttle, client(0), t0);
        }
        for n in 1..1000 {
            fail(
                &throttle,
                client(n),
                t0 + Duration::from_millis(u64::from(n)),
            );
            assert!(throttle.tracked() <= 100);
        }
        assert_eq!(throttle.tracked(), 100);
        let now = t0 + Duration::from_millis(1000);
        assert_eq!(
            throttle.wait(client(0), t0),
            None,
            "the oldest was forgotten"
        );
        // The most recent are still counted.
        fail(&throttle, client(999), now);
        fail(&throttle, client(999), now);
        assert!(throttle.wait(client(999), now).is_some());
    }

    #[test]
    fn attempts_in_parallel_get_no_more_checks_than_one_after_another() {
        let throttle = std::sync::Arc::new(Throttle::default());
        let now = Instant::now();
        let checked = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
        let threads: Vec<_> = (0..16)
            .map(|_| {
                let (throttle, checked) = (throttle.clone(), checked.clone());
                std::thread::spawn(move || {
                    throttle.attempt(client(1), now, || {
                        checked.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        // A slow check would let a racing attempt past the decision.
                        std::thread::sleep(Duration::from_millis(5));
                        false
                    })
                })
            })
            .collect();
        let refused = threads
            .into_iter()
            .map(|t| t.join().expect("no panic"))
            .filter(Result::is_err)
            .count();
        assert_eq!(
            checked.load(std::sync::atomic::Ordering::SeqCst),
            FREE_FAILURES
        );
        assert_eq!(refused, 16 - FREE_FAILURES as usize);
    }
}
