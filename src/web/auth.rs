//! Advisor access. A secret token configured on the server unlocks internal records: the
//! API takes it as `Authorization: Bearer`, the site exchanges it at `/entrar` for a signed,
//! expiring session cookie. Without a configured secret nobody is an advisor.
//!
//! Sessions are stateless: `v1.<expiry>.<nonce>.<mac>`, the MAC an HMAC-SHA256 under a key
//! derived from the token, so changing the token ends every session.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use cookie::{Cookie, SameSite};

use super::AppState;
use super::error::WebError;
use crate::taxonomy::Audience;

type HmacSha256 = Hmac<Sha256>;

pub const SESSION_COOKIE: &str = "xmess_sessio";
/// How long a login lasts.
pub const SESSION_SECS: u64 = 8 * 60 * 60;
/// Shortest token accepted: a guessable secret would guard nothing.
pub const MIN_TOKEN_CHARS: usize = 16;

/// The advisors' secret, kept only as derived keys.
pub struct AdvisorSecret {
    key: [u8; 32],
    token_tag: [u8; 32],
}

impl AdvisorSecret {
    pub fn new(token: &str) -> Result<AdvisorSecret> {
        let token = token.trim();
        let chars = token.chars().count();
        if chars < MIN_TOKEN_CHARS {
            bail!(
                "el codi d'assessorament té {chars} caràcters; feu-ne servir almenys {MIN_TOKEN_CHARS} (per exemple la sortida de `openssl rand -hex 24`)"
            );
        }
        let key = tag(token.as_bytes(), b"xmess-kb session key v1");
        let token_tag = tag(&key, token.as_bytes());
        Ok(AdvisorSecret { key, token_tag })
    }

    /// Reads the secret from `XMESS_KB_ADVISOR_TOKEN`, or from the file named by
    /// `XMESS_KB_ADVISOR_TOKEN_FILE`. `None` when neither is set.
    pub fn from_env() -> Result<Option<AdvisorSecret>> {
        if let Ok(path) = std::env::var("XMESS_KB_ADVISOR_TOKEN_FILE") {
            let text = std::fs::read_to_string(Path::new(&path)).with_context(|| {
                format!("no es pot llegir el fitxer del codi d'assessorament {path}")
            })?;
            return AdvisorSecret::new(&text)
                .with_context(|| format!("a {path}"))
                .map(Some);
        }
        match std::env::var("XMESS_KB_ADVISOR_TOKEN") {
            Ok(token) => AdvisorSecret::new(&token)
                .context("a XMESS_KB_ADVISOR_TOKEN")
                .map(Some),
            Err(_) => Ok(None),
        }
    }

    /// Constant-time check of a presented token.
    pub fn token_matches(&self, candidate: &str) -> bool {
        mac(&self.key, candidate.trim().as_bytes())
            .verify_slice(&self.token_tag)
            .is_ok()
    }

    /// A session value valid until `now + SESSION_SECS`.
    pub fn issue(&self, now: u64) -> String {
        let mut nonce = [0u8; 16];
        // Without randomness the value is still unforgeable; the nonce only keeps two
        // sessions of the same second apart.
        let _ = getrandom::fill(&mut nonce);
        self.sign(now + SESSION_SECS, &hex(&nonce))
    }

    /// A session value expiring at `expiry` (seconds since the epoch).
    pub fn sign(&self, expiry: u64, nonce: &str) -> String {
        let payload = format!("v1.{expiry}.{nonce}");
        let tag = tag(&self.key, payload.as_bytes());
        format!("{payload}.{}", hex(&tag))
    }

    /// Whether `value` is a session this secret signed and that has not expired.
    pub fn session_valid(&self, value: &str, now: u64) -> bool {
        let Some((payload, tag_hex)) = value.rsplit_once('.') else {
            return false;
        };
        let Some(tag) = unhex(tag_hex) else {
            return false;
        };
        if mac(&self.key, payload.as_bytes())
            .verify_slice(&tag)
            .is_err()
        {
            return false;
        }
        let mut parts = payload.split('.');
        parts.next() == Some("v1")
            && parts
                .next()
                .and_then(|e| e.parse::<u64>().ok())
                .is_some_and(|expiry| now < expiry)
    }
}

fn mac(key: &[u8], data: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length, so this cannot fail.
    let mut m = <HmacSha256 as KeyInit>::new_from_slice(key).expect("HMAC accepts any key length");
    m.update(data);
    m
}

fn tag(key: &[u8], data: &[u8]) -> [u8; 32] {
    mac(key, data).finalize().into_bytes().into()
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Slows down repeated failed logins: the first few are free, then each waits twice as
/// long as the one before, up to a ceiling. Shared by all clients, so guessing from many
/// addresses is slowed as much as from one.
#[derive(Default)]
pub struct LoginThrottle {
    failures: Mutex<VecDeque<Instant>>,
}

/// Failures older than this are forgotten.
const THROTTLE_WINDOW: Duration = Duration::from_secs(15 * 60);
const FREE_FAILURES: usize = 3;
const MAX_DELAY: Duration = Duration::from_secs(16);

/// The wait before answering a login when `recent` attempts failed in the window.
pub fn throttle_delay(recent: usize) -> Duration {
    match recent.checked_sub(FREE_FAILURES) {
        None => Duration::ZERO,
        Some(n) => Duration::from_millis(500u64.saturating_mul(1 << n.min(10))).min(MAX_DELAY),
    }
}

impl LoginThrottle {
    pub fn delay(&self) -> Duration {
        let Ok(mut failures) = self.failures.lock() else {
            return MAX_DELAY;
        };
        let now = Instant::now();
        while failures
            .front()
            .is_some_and(|t| now.duration_since(*t) > THROTTLE_WINDOW)
        {
            failures.pop_front();
        }
        throttle_delay(failures.len())
    }

    pub fn record_failure(&self) {
        if let Ok(mut failures) = self.failures.lock() {
            failures.push_back(Instant::now());
            // Bounded: beyond this the delay is at its ceiling anyway.
            while failures.len() > 64 {
                failures.pop_front();
            }
        }
    }
}

/// Who is making a request, resolved once per request from its credentials.
#[derive(Debug, Clone, Copy)]
pub struct Viewer {
    pub audience: Audience,
}

impl Viewer {
    pub fn is_advisor(self) -> bool {
        self.audience == Audience::Advisor
    }
}

impl FromRequestParts<AppState> for Viewer {
    /// A 401 page, or its JSON twin under `/api/`.
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let secret = state.advisor_secret();
        if let Some(value) = parts.headers.get(AUTHORIZATION) {
            // A presented credential that does not work is an error, not a silent downgrade
            // to the public view.
            let token = value.to_str().ok().and_then(|v| v.strip_prefix("Bearer "));
            return match (secret, token) {
                (Some(s), Some(token)) if s.token_matches(token) => Ok(Viewer {
                    audience: Audience::Advisor,
                }),
                _ if parts.uri.path().starts_with("/api/") => {
                    Err(WebError::Unauthorized.into_api_response())
                }
                _ => Err(WebError::Unauthorized.into_response()),
            };
        }
        let session = session_cookie(parts);
        let advisor = match (secret, session) {
            (Some(s), Some(value)) => s.session_valid(&value, crate::clock::now_secs()),
            _ => false,
        };
        Ok(Viewer {
            audience: if advisor {
                Audience::Advisor
            } else {
                Audience::Public
            },
        })
    }
}

fn session_cookie(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .flatten()
        .find(|c| c.name() == SESSION_COOKIE)
        .map(|c| c.value().to_string())
}

/// `Set-Cookie` for a session value kept `max_age` seconds under `path`; `Secure` when the
/// site is reached over HTTPS.
fn session_header(value: &str, max_age: u64, secure: bool, path: &str) -> String {
    let path = if path.is_empty() { "/" } else { path };
    Cookie::build((SESSION_COOKIE, value))
        .path(path.to_string())
        .max_age(cookie::time::Duration::seconds(
            i64::try_from(max_age).unwrap_or(i64::MAX),
        ))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .build()
        .to_string()
}

/// `Set-Cookie` for a new session.
pub fn session_set_cookie(value: &str, secure: bool, path: &str) -> String {
    session_header(value, SESSION_SECS, secure, path)
}

/// `Set-Cookie` that ends the session in the browser.
pub fn session_clear_cookie(secure: bool, path: &str) -> String {
    session_header("", 0, secure, path)
}

/// Whether the request came over HTTPS (directly or through a proxy that says so).
pub fn is_https(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "una-clau-llarga-de-prova-1234";

    fn secret() -> AdvisorSecret {
        AdvisorSecret::new(TOKEN).expect("long enough")
    }

    #[test]
    fn tokens_are_checked_exactly() {
        let s = secret();
        assert!(s.token_matches(TOKEN));
        assert!(s.token_matches(&format!(" {TOKEN}\n")));
        assert!(!s.token_matches("una-clau-llarga-de-prova-1235"));
        assert!(!s.token_matches(""));
        assert!(AdvisorSecret::new("curta").is_err());
    }

    #[test]
    fn sessions_expire_and_cannot_be_forged() {
        let s = secret();
        let now = 1_800_000_000;
        let value = s.issue(now);
        assert!(s.session_valid(&value, now));
        assert!(s.session_valid(&value, now + SESSION_SECS - 1));
        assert!(!s.session_valid(&value, now + SESSION_SECS));
        // Extending the expiry breaks the signature.
        let (payload, mac) = value.rsplit_once('.').expect("has a mac");
        let forged = payload.replace(&(now + SESSION_SECS).to_string(), "9999999999");
        assert!(!s.session_valid(&format!("{forged}.{mac}"), now));
        // Another secret's sessions are not valid here.
        let other = AdvisorSecret::new("una-altra-clau-diferent-5678").expect("long enough");
        assert!(!other.session_valid(&value, now));
        for junk in ["", ".", "v1", "v1.1.2.zz", "v1.x.y.00"] {
            assert!(!s.session_valid(junk, now), "{junk:?}");
        }
    }

    #[test]
    fn failed_logins_wait_longer_and_longer() {
        assert_eq!(throttle_delay(0), Duration::ZERO);
        assert_eq!(throttle_delay(FREE_FAILURES - 1), Duration::ZERO);
        assert!(throttle_delay(FREE_FAILURES) > Duration::ZERO);
        assert!(throttle_delay(FREE_FAILURES + 2) > throttle_delay(FREE_FAILURES + 1));
        assert_eq!(throttle_delay(1000), MAX_DELAY);
    }
}
