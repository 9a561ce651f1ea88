//! Errors of the web layer: a Catalan page for people, `{"error": {code, message}}` for
//! the API. Internal faults are logged and never shown in detail. A handler's error leaves
//! the page to draw in the response; `render_errors` draws it with the site's links.

use std::any::Any;

use askama::Template;
use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use super::AppState;
use super::view::Layout;
use crate::taxonomy::Audience;

#[derive(Debug)]
pub enum WebError {
    BadRequest(String),
    NotFound,
    /// A credential was presented and is not valid.
    Unauthorized,
    /// The client failed too often and must wait this many seconds.
    TooManyAttempts(u64),
    /// A login or logout form posted from another site (or by a script).
    CrossSite,
    /// No index has been published yet.
    Unavailable,
    /// Every search thread is busy and the queue is full.
    Busy,
    /// A request the router or an extractor refused before any handler ran (a path
    /// segment that is not UTF-8, a method the route does not take…).
    Rejected(StatusCode),
    Internal(anyhow::Error),
}

/// Seconds a client is asked to wait when the server is busy.
const RETRY_AFTER_SECS: &str = "2";

impl WebError {
    fn status(&self) -> StatusCode {
        match self {
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::Unauthorized => StatusCode::UNAUTHORIZED,
            WebError::TooManyAttempts(_) => StatusCode::TOO_MANY_REQUESTS,
            WebError::CrossSite => StatusCode::FORBIDDEN,
            WebError::Unavailable | WebError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            WebError::Rejected(status) => *status,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            WebError::BadRequest(_) => "consulta_no_valida",
            WebError::NotFound => "no_trobat",
            WebError::Unauthorized => "credencial_no_valida",
            WebError::TooManyAttempts(_) => "massa_intents",
            WebError::CrossSite => "origen_no_permes",
            WebError::Unavailable => "index_no_disponible",
            WebError::Busy => "cercador_ocupat",
            WebError::Rejected(_) => "peticio_no_valida",
            WebError::Internal(_) => "error_intern",
        }
    }

    fn title(&self) -> &'static str {
        match self {
            WebError::BadRequest(_) => "La consulta no és vàlida",
            WebError::NotFound => "No hem trobat aquesta pàgina",
            WebError::Unauthorized => "La credencial no és vàlida",
            WebError::TooManyAttempts(_) => "Massa intents fallits",
            WebError::CrossSite => "Formulari enviat des d'un altre lloc",
            WebError::Unavailable => "El cercador encara no està a punt",
            WebError::Busy => "El cercador està molt ocupat",
            WebError::Rejected(_) => "La petició no és vàlida",
            WebError::Internal(_) => "Hi ha hagut un error",
        }
    }

    fn message(&self) -> String {
        match self {
            WebError::BadRequest(m) => m.clone(),
            WebError::NotFound => {
                "L'adreça no correspon a cap pàgina ni a cap document del cercador. Potser l'enllaç és antic o té un error.".into()
            }
            WebError::Unauthorized => {
                "El codi d'accés d'assessorament enviat a la capçalera Authorization no és vàlid. Comproveu que sigui «Bearer» seguit del codi vigent, o feu la consulta sense credencial per veure només els documents públics.".into()
            }
            WebError::TooManyAttempts(secs) => too_many_attempts(*secs),
            WebError::CrossSite => {
                "Per seguretat, l'accés i la sortida d'assessorament només s'accepten des dels formularis d'aquest mateix web. Obriu la pàgina d'accés del cercador i torneu-ho a provar des d'allà.".into()
            }
            WebError::Unavailable => {
                "Encara no s'ha construït l'índex. Torneu-ho a provar d'aquí a uns minuts.".into()
            }
            WebError::Busy => {
                "Ara mateix hi ha massa cerques en curs. Torneu-ho a provar d'aquí a uns segons.".into()
            }
            WebError::Rejected(status) if *status == StatusCode::METHOD_NOT_ALLOWED => {
                "Aquesta adreça no accepta aquest tipus de petició. Obriu-la des d'un enllaç o un formulari del cercador.".into()
            }
            WebError::Rejected(status) if status.is_client_error() => {
                "L'adreça té parts que no es poden llegir (per exemple caràcters mal codificats, com %FF) o la petició no té la forma esperada. Reviseu l'enllaç o torneu a la pàgina d'inici.".into()
            }
            WebError::Rejected(_) | WebError::Internal(_) => {
                "No hem pogut respondre la petició. Torneu-ho a provar; si l'error continua, aviseu la secretaria tècnica de la XMESS.".into()
            }
        }
    }

    fn log(&self) {
        if let WebError::Internal(e) = self {
            tracing::error!(error = format!("{e:#}"), "internal error");
        }
    }

    /// Headers a client needs to act on the error.
    fn headers(&self, response: &mut Response) {
        let headers = response.headers_mut();
        match self {
            WebError::Unauthorized => {
                let challenge = HeaderValue::from_static("Bearer realm=\"xmess-kb\"");
                headers.insert(header::WWW_AUTHENTICATE, challenge);
            }
            WebError::Busy => {
                let wait = HeaderValue::from_static(RETRY_AFTER_SECS);
                headers.insert(header::RETRY_AFTER, wait);
            }
            WebError::TooManyAttempts(secs) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*secs));
            }
            _ => {}
        }
    }

    /// The JSON twin, for `/api` routes.
    pub fn into_api_response(self) -> Response {
        self.log();
        let body = serde_json::json!({
            "error": { "code": self.code(), "message": self.message() }
        });
        let mut response = (self.status(), Json(body)).into_response();
        self.headers(&mut response);
        response
    }
}

/// What a client that failed too often is told, in Catalan.
pub(super) fn too_many_attempts(secs: u64) -> String {
    let wait = if secs == 1 {
        "1 segon".to_string()
    } else {
        format!("{secs} segons")
    };
    format!(
        "Hi ha hagut massa intents fallits amb el codi d'accés des d'aquesta adreça. Espereu {wait} abans de tornar-ho a provar."
    )
}

impl From<anyhow::Error> for WebError {
    fn from(e: anyhow::Error) -> WebError {
        WebError::Internal(e)
    }
}

impl From<askama::Error> for WebError {
    fn from(e: askama::Error) -> WebError {
        WebError::Internal(e.into())
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub(super) struct ErrorPage {
    pub q: String,
    pub status: u16,
    pub title: &'static str,
    pub message: String,
    pub layout: Layout,
}

/// The page an error response still has to draw.
#[derive(Clone)]
struct PendingPage {
    code: &'static str,
    title: &'static str,
    message: String,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        self.log();
        let mut response = self.status().into_response();
        self.headers(&mut response);
        response.extensions_mut().insert(PendingPage {
            code: self.code(),
            title: self.title(),
            message: self.message(),
        });
        response
    }
}

/// The answer to a request whose handler panicked (a bug, or tantivy reading a damaged
/// file): the 500 page, drawn by `render_errors` like any other, instead of a dropped
/// connection.
pub(super) fn panicked(panic: Box<dyn Any + Send + 'static>) -> Response {
    let what = match panic.downcast::<String>() {
        Ok(text) => *text,
        Err(panic) => panic
            .downcast_ref::<&str>()
            .map_or_else(String::new, |s| (*s).to_string()),
    };
    WebError::Internal(anyhow::anyhow!("a handler panicked: {what}")).into_response()
}

/// Draws the Catalan page of an error response, with the site's links; under `/api`, its
/// JSON twin (a route's own errors are JSON already; this draws the others, a panic or an
/// unknown address).
pub(super) async fn render_errors(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let api = request
        .uri()
        .path()
        .strip_prefix(state.links().base())
        .is_some_and(|rest| rest.starts_with("/api/"));
    let mut response = next.run(request).await;
    let pending = match response.extensions_mut().remove::<PendingPage>() {
        Some(pending) => pending,
        None if !bare_error(&response) => return response,
        // The router's or an extractor's own plain-text English answer: said in Catalan.
        None => {
            let mut said = WebError::Rejected(response.status()).into_response();
            for name in [header::ALLOW, header::RETRY_AFTER] {
                if let Some(value) = response.headers().get(&name) {
                    said.headers_mut().insert(name, value.clone());
                }
            }
            response = said;
            match response.extensions_mut().remove::<PendingPage>() {
                Some(pending) => pending,
                None => return response,
            }
        }
    };
    let status = response.status();
    let (parts, _) = response.into_parts();
    let mut drawn = if api {
        let body = serde_json::json!({
            "error": { "code": pending.code, "message": pending.message }
        });
        Json(body).into_response()
    } else {
        let page = ErrorPage {
            q: String::new(),
            status: status.as_u16(),
            title: pending.title,
            message: pending.message.clone(),
            layout: Layout::bare(Audience::Public, state.links()),
        };
        match page.render() {
            Ok(html) => Html(html).into_response(),
            Err(_) => pending.message.into_response(),
        }
    };
    *drawn.status_mut() = parts.status;
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            drawn.headers_mut().insert(name.clone(), value.clone());
        }
    }
    drawn
}

/// An error response no handler of this site drew: no page pending, and not HTML or JSON.
fn bare_error(response: &Response) -> bool {
    let status = response.status();
    let drawn = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html") || t.starts_with("application/json"));
    (status.is_client_error() || status.is_server_error()) && !drawn
}

/// An API handler's error: the same errors, rendered as JSON.
pub(super) struct ApiError(pub WebError);

impl<E: Into<WebError>> From<E> for ApiError {
    fn from(e: E) -> ApiError {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.into_api_response()
    }
}
