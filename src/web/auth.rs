//! Advisor access. A secret token configured on the server unlocks internal records: the
//! API takes it as `Authorization: Bearer`, the site exchanges it at `/entrar` for a signed,
//! expiring session cookie. Without a configured secret nobody is an advisor.
//!
//! Sessions are signed cookies, `v1.<expiry>.<nonce>.<mac>`, the MAC an HMAC-SHA256 under a
//! key derived from the token, so changing the token ends every session. Logout adds the
//! session to `RevokedSessions`, which this process then refuses until it would have expired.
//! Wrong tokens, as a Bearer or at `/entrar`, count against the client in the `throttle`.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::path::Path;
use std::sync::{Mutex, PoisonError};

use anyhow::{Context, Result, bail};
use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use cookie::{Cookie, SameSite};

use super::AppState;
use super::client::Client;
use super::error::WebError;
use super::throttle::whole_seconds;
use crate::taxonomy::Audience;

type HmacSha256 = Hmac<Sha256>;

pub const SESSION_COOKIE: &str = "xmess_sessio";
/// How long a login lasts.
pub const SESSION_SECS: u64 = 8 * 60 * 60;
/// Shortest token accepted: a guessable secret would guard nothing.
pub const MIN_TOKEN_CHARS: usize = 16;
/// Fewest different characters in a token. A floor against the obviously weak (one letter
/// repeated, `abababab…`, `12341234…`), not a strength meter: a random token (`openssl rand
/// -hex 24`, 192 bits) is what is asked for, and it has 15 or 16 different characters.
pub const MIN_DISTINCT_CHARS: usize = 8;

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
        let distinct = token.chars().collect::<HashSet<char>>().len();
        if distinct < MIN_DISTINCT_CHARS {
            bail!(
                "el codi d'assessorament només té {distinct} caràcters diferents i es pot endevinar; en calen almenys {MIN_DISTINCT_CHARS}. Genereu-ne un a l'atzar, per exemple amb `openssl rand -hex 24`"
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

    /// The session `value` stands for, if this secret signed it and it has not expired.
    pub fn session(&self, value: &str, now: u64) -> Option<Session> {
        let (payload, tag_hex) = value.rsplit_once('.')?;
        let tag = unhex(tag_hex)?;
        mac(&self.key, payload.as_bytes()).verify_slice(&tag).ok()?;
        let mut parts = payload.splitn(3, '.');
        if parts.next() != Some("v1") {
            return None;
        }
        let expiry = parts.next()?.parse::<u64>().ok()?;
        let nonce = parts.next()?.to_string();
        (now < expiry).then_some(Session { expiry, nonce })
    }

    /// Whether `value` is a session this secret signed and that has not expired (revocation
    /// aside: see `RevokedSessions`).
    pub fn session_valid(&self, value: &str, now: u64) -> bool {
        self.session(value, now).is_some()
    }
}

/// A signed session, as its cookie says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Seconds since the epoch.
    pub expiry: u64,
    pub nonce: String,
}

/// Most sessions remembered as ended before their expiry.
pub const MAX_REVOKED: usize = 10_000;

/// Sessions ended by logout, refused until they would have expired anyway. In memory, so
/// per process: another server sharing the index, or this one after a restart, does not
/// know them (ARCHITECTURE.md). Bounded: when full of live sessions, the one expiring first
/// is dropped and every session expiring no later than it is refused from then on, so
/// overflowing it logs some advisors out early but never brings an ended session back.
pub struct RevokedSessions {
    inner: Mutex<Revoked>,
    capacity: usize,
}

#[derive(Default)]
struct Revoked {
    /// Nonce → expiry.
    nonces: HashMap<String, u64>,
    /// Sessions expiring at or before this are refused.
    floor: u64,
}

impl Default for RevokedSessions {
    fn default() -> RevokedSessions {
        RevokedSessions::with_capacity(MAX_REVOKED)
    }
}

impl RevokedSessions {
    pub fn with_capacity(capacity: usize) -> RevokedSessions {
        RevokedSessions {
            inner: Mutex::new(Revoked::default()),
            capacity: capacity.max(1),
        }
    }

    /// Ends `session` at `now` (seconds since the epoch).
    pub fn revoke(&self, session: &Session, now: u64) {
        let mut revoked = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if revoked.nonces.len() >= self.capacity {
            revoked.nonces.retain(|_, expiry| *expiry > now);
        }
        while revoked.nonces.len() >= self.capacity {
            let Some((nonce, expiry)) = revoked
                .nonces
                .iter()
                .min_by_key(|(_, expiry)| **expiry)
                .map(|(n, e)| (n.clone(), *e))
            else {
                break;
            };
            revoked.nonces.remove(&nonce);
            revoked.floor = revoked.floor.max(expiry);
        }
        revoked.nonces.insert(session.nonce.clone(), session.expiry);
    }

    pub fn is_revoked(&self, session: &Session) -> bool {
        let revoked = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        session.expiry <= revoked.floor || revoked.nonces.contains_key(&session.nonce)
    }

    /// Sessions remembered one by one.
    pub fn len(&self) -> usize {
        let revoked = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        revoked.nonces.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
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
            let refuse = |error: WebError| {
                if parts.uri.path().starts_with("/api/") {
                    error.into_api_response()
                } else {
                    error.into_response()
                }
            };
            let token = value.to_str().ok().and_then(|v| v.strip_prefix("Bearer "));
            let (Some(secret), Some(token)) = (secret, token) else {
                return Err(refuse(WebError::Unauthorized));
            };
            // A waiting client is refused before its token is looked at, so that guessing
            // on during the wait learns nothing.
            let client = Client::of_parts(parts, state);
            let now = tokio::time::Instant::now().into_std();
            match state
                .throttle()
                .attempt(client.key, now, || secret.token_matches(token))
            {
                Err(wait) => return Err(refuse(WebError::TooManyAttempts(whole_seconds(wait)))),
                Ok(false) => {
                    tracing::warn!(client = %client.key, "wrong advisor Bearer token");
                    return Err(refuse(WebError::Unauthorized));
                }
                Ok(true) => {}
            }
            return Ok(Viewer {
                audience: Audience::Advisor,
            });
        }
        let advisor = match (secret, session_cookie(&parts.headers)) {
            (Some(s), Some(value)) => s
                .session(&value, crate::clock::now_secs())
                .is_some_and(|session| !state.revoked_sessions().is_revoked(&session)),
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

/// The value of the session cookie a request carries.
pub(super) fn session_cookie(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
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
    fn tokens_need_some_variety() {
        let few = AdvisorSecret::new("abcdefgabcdefgabcdefg")
            .err()
            .expect("7 different");
        let said = format!("{few:#}");
        assert!(said.contains("només té 7 caràcters diferents"), "{said}");
        assert!(said.contains("openssl rand -hex 24"), "{said}");
        assert!(
            AdvisorSecret::new("abcdefghabcdefgh").is_ok(),
            "8 different"
        );
    }

    #[test]
    fn a_session_names_its_expiry_and_nonce() {
        let s = secret();
        let value = s.sign(1_900_000_000, "abc.def");
        let session = s.session(&value, 1_800_000_000).expect("valid");
        assert_eq!(session.expiry, 1_900_000_000);
        assert_eq!(session.nonce, "abc.def");
    }

    fn session(nonce: &str, expiry: u64) -> Session {
        Session {
            expiry,
            nonce: nonce.into(),
        }
    }

    #[test]
    fn revoked_sessions_stay_revoked_and_memory_stays_bounded() {
        let revoked = RevokedSessions::with_capacity(3);
        let now = 1_000;
        revoked.revoke(&session("a", now + 10), now);
        assert!(revoked.is_revoked(&session("a", now + 10)));
        assert!(!revoked.is_revoked(&session("b", now + 20)));
        // Full of live sessions: the one expiring first goes, and so does every session
        // expiring no later than it; later ones are untouched.
        revoked.revoke(&session("b", now + 20), now);
        revoked.revoke(&session("c", now + 30), now);
        revoked.revoke(&session("d", now + 40), now);
        assert_eq!(revoked.len(), 3);
        assert!(revoked.is_revoked(&session("a", now + 10)), "still refused");
        assert!(
            revoked.is_revoked(&session("live", now + 10)),
            "logged out early"
        );
        assert!(!revoked.is_revoked(&session("live", now + 11)));
        for nonce in ["b", "c", "d"] {
            assert!(revoked.is_revoked(&session(nonce, now + 40)));
        }
        // Expired entries make room before anything live is dropped.
        let later = now + 35;
        revoked.revoke(&session("e", later + 100), later);
        assert_eq!(revoked.len(), 2, "b and c had expired");
        assert!(!revoked.is_revoked(&session("live", now + 11)));
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
}
