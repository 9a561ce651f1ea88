//! `/entrar` and `/sortir`: advisors exchange the secret token for a session cookie, and
//! end it. Everything else about access lives in `auth`.

use askama::Template;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{RawQuery, State};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use super::auth::{is_https, session_clear_cookie, session_set_cookie};
use super::error::WebError;
use super::links::Links;
use super::view::Layout;
use super::{AppState, Viewer};

#[derive(Template)]
#[template(path = "login.html")]
pub(super) struct LoginPage {
    pub q: String,
    pub layout: Layout,
    /// Advisor access is configured on this server.
    pub configured: bool,
    pub error: Option<&'static str>,
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
    error: Option<&'static str>,
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
    headers: HeaderMap,
    form: Result<Form<Credentials>, FormRejection>,
) -> Result<Response, WebError> {
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
    let delay = state.login_throttle().delay();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    if !secret.token_matches(&credentials.codi) {
        state.login_throttle().record_failure();
        tracing::warn!("failed advisor login");
        let html = login_page(
            &state,
            viewer,
            Some("El codi d'accés no és correcte. Comproveu-lo i torneu-ho a provar."),
            &credentials.tornar,
        )?;
        return Ok((StatusCode::UNAUTHORIZED, Html(html)).into_response());
    }
    let session = secret.issue(crate::clock::now_secs());
    let cookie = session_set_cookie(&session, is_https(&headers), state.links().base());
    tracing::info!("advisor logged in");
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

pub(super) async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let links = state.links();
    (
        StatusCode::SEE_OTHER,
        [
            (
                SET_COOKIE,
                session_clear_cookie(is_https(&headers), links.base()),
            ),
            (LOCATION, links.home()),
        ],
    )
        .into_response()
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
