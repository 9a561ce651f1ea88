//! `/entrar` and `/sortir`: advisors exchange the secret token for a session cookie, and
//! end it. Both forms are accepted only when posted from this site; a client that failed
//! too often is told to wait. Everything else about access lives in `auth`.

use askama::Template;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{RawQuery, State};
use axum::http::header::{LOCATION, RETRY_AFTER, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use super::auth::{session_clear_cookie, session_cookie, session_set_cookie};
use super::client::Client;
use super::error::{WebError, too_many_attempts};
use super::links::Links;
use super::throttle::whole_seconds;
use super::view::Layout;
use super::{AppState, Viewer};

#[derive(Template)]
#[template(path = "login.html")]
pub(super) struct LoginPage {
    pub q: String,
    pub layout: Layout,
    /// Advisor access is configured on this server.
    pub configured: bool,
    pub error: Option<String>,
    /// Where to go back after logging in (a local path).
    pub tornar: String,
}

#[derive(Template)]
#[template(path = "logout.html")]
pub(super) struct LogoutPage {
    pub q: String,
    pub layout: Layout,
}

#[derive(Deserialize)]
pub(super) struct Credentials {
    #[serde(default)]
    codi: String,
    #[serde(default)]
    tornar: String,
}

/// Only paths of this site: an open redirect would let a link send an advisor anywhere.
fn local_path(target: &str, links: &Links) -> String {
    let base = links.base();
    let ok = target.starts_with('/')
        && !target.starts_with("//")
        && !target.contains('\\')
        && !target.chars().any(char::is_control)
        && (base.is_empty() || target == base || target.starts_with(&format!("{base}/")));
    if ok { target.to_string() } else { links.home() }
}

fn login_page(
    state: &AppState,
    viewer: Viewer,
    error: Option<String>,
    tornar: &str,
) -> Result<String, WebError> {
    Ok(LoginPage {
        q: String::new(),
        layout: Layout::bare(viewer.audience, state.links()),
        configured: state.advisor_secret().is_some(),
        error,
        tornar: local_path(tornar, state.links()),
    }
    .render()?)
}

pub(super) async fn form(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Html<String>, WebError> {
    let tornar = form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "tornar")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    Ok(Html(login_page(&state, viewer, None, &tornar)?))
}

pub(super) async fn submit(
    State(state): State<AppState>,
    viewer: Viewer,
    client: Client,
    headers: HeaderMap,
    form: Result<Form<Credentials>, FormRejection>,
) -> Result<Response, WebError> {
    if !client.posted_from_this_site(&headers, state.links().public_origin()) {
        tracing::warn!(client = %client.key, "advisor login posted from another site");
        return Err(WebError::CrossSite);
    }
    let Form(credentials) = form.map_err(|_| {
        WebError::BadRequest(
            "El formulari d'accés no ha arribat sencer. Torneu a obrir /entrar i envieu-lo de nou."
                .into(),
        )
    })?;
    let Some(secret) = state.advisor_secret() else {
        let html = login_page(&state, viewer, None, &credentials.tornar)?;
        return Ok((StatusCode::FORBIDDEN, Html(html)).into_response());
    };
    // Decided before the token is looked at: guessing on during the wait learns nothing.
    // A success forgets the client's earlier failures (whoever knows the token need not
    // guess it). Tokio's clock, so that tests can stop it.
    let now = tokio::time::Instant::now().into_std();
    let attempt = state
        .throttle()
        .attempt(client.key, now, || secret.token_matches(&credentials.codi));
    let refusal = match attempt {
        Ok(true) => None,
        Ok(false) => {
            tracing::warn!(client = %client.key, "failed advisor login");
            let error = "El codi d'accés no és correcte. Comproveu-lo i torneu-ho a provar.";
            Some((StatusCode::UNAUTHORIZED, error.to_string(), None))
        }
        Err(wait) => {
            let secs = whole_seconds(wait);
            let error = too_many_attempts(secs);
            Some((StatusCode::TOO_MANY_REQUESTS, error, Some(secs)))
        }
    };
    if let Some((status, error, retry_after)) = refusal {
        let html = login_page(&state, viewer, Some(error), &credentials.tornar)?;
        let mut response = (status, Html(html)).into_response();
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(secs));
        }
        return Ok(response);
    }
    let session = secret.issue(crate::clock::now_secs());
    let cookie = session_set_cookie(&session, client.https, state.links().base());
    tracing::info!(client = %client.key, "advisor logged in");
    Ok((
        StatusCode::SEE_OTHER,
        [
            (SET_COOKIE, cookie),
            (LOCATION, local_path(&credentials.tornar, state.links())),
        ],
    )
        .into_response())
}

pub(super) async fn confirm_logout(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Html<String>, WebError> {
    let page = LogoutPage {
        q: String::new(),
        layout: Layout::bare(viewer.audience, state.links()),
    };
    Ok(Html(page.render()?))
}

/// Ends the session on the server (a copy of the cookie stops working at once) and in the
/// browser.
pub(super) async fn logout(
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let links = state.links();
    if !client.posted_from_this_site(&headers, links.public_origin()) {
        tracing::warn!(client = %client.key, "advisor logout posted from another site");
        return Err(WebError::CrossSite);
    }
    let now = crate::clock::now_secs();
    let session = state
        .advisor_secret()
        .zip(session_cookie(&headers))
        .and_then(|(secret, value)| secret.session(&value, now));
    if let Some(session) = session {
        state.revoked_sessions().revoke(&session, now);
        tracing::info!(client = %client.key, "advisor logged out");
    }
    Ok((
        StatusCode::SEE_OTHER,
        [
            (SET_COOKIE, session_clear_cookie(client.https, links.base())),
            (LOCATION, links.home()),
        ],
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::{Links, local_path};

    #[test]
    fn only_local_paths_are_followed_after_login() {
        let links = Links::default();
        assert_eq!(local_path("/cerca?q=x", &links), "/cerca?q=x");
        let under = Links::new("/cercador", "https://xmess.cat/cercador");
        assert_eq!(local_path("/cercador/cerca", &under), "/cercador/cerca");
        assert_eq!(local_path("/cerca", &under), "/cercador");
        for bad in [
            "",
            "https://evil.example",
            "//evil.example",
            "/\\evil",
            "cerca",
        ] {
            assert_eq!(local_path(bad, &links), "/", "{bad}");
        }
    }
}
