//! Errors of the web layer: a Catalan page for people, `{"error": {code, message}}` for
//! the API. Internal faults are logged and never shown in detail.

use askama::Template;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

#[derive(Debug)]
pub enum WebError {
    BadRequest(String),
    NotFound,
    /// A credential was presented and is not valid.
    Unauthorized,
    /// No index has been published yet.
    Unavailable,
    Internal(anyhow::Error),
}

impl WebError {
    fn status(&self) -> StatusCode {
        match self {
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::NotFound => StatusCode::NOT_FOUND,
            WebError::Unauthorized => StatusCode::UNAUTHORIZED,
            WebError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            WebError::BadRequest(_) => "consulta_no_valida",
            WebError::NotFound => "no_trobat",
            WebError::Unauthorized => "credencial_no_valida",
            WebError::Unavailable => "index_no_disponible",
            WebError::Internal(_) => "error_intern",
        }
    }

    fn title(&self) -> &'static str {
        match self {
            WebError::BadRequest(_) => "La consulta no és vàlida",
            WebError::NotFound => "No hem trobat aquesta pàgina",
            WebError::Unauthorized => "La credencial no és vàlida",
            WebError::Unavailable => "El cercador encara no està a punt",
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
            WebError::Unavailable => {
                "Encara no s'ha construït l'índex. Torneu-ho a provar d'aquí a uns minuts.".into()
            }
            WebError::Internal(_) => {
                "No hem pogut respondre la petició. Torneu-ho a provar; si l'error continua, aviseu la secretaria tècnica de la XMESS.".into()
            }
        }
    }

    fn log(&self) {
        if let WebError::Internal(e) = self {
            tracing::error!(error = format!("{e:#}"), "internal error");
        }
    }

    /// The JSON twin, for `/api` routes.
    pub fn into_api_response(self) -> Response {
        self.log();
        let body = serde_json::json!({
            "error": { "code": self.code(), "message": self.message() }
        });
        let mut response = (self.status(), Json(body)).into_response();
        if matches!(self, WebError::Unauthorized) {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer realm=\"xmess-kb\""),
            );
        }
        response
    }
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
pub struct ErrorPage {
    pub q: String,
    pub status: u16,
    pub title: &'static str,
    pub message: String,
    pub footer: super::pages::Footer,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        self.log();
        let page = ErrorPage {
            q: String::new(),
            status: self.status().as_u16(),
            title: self.title(),
            message: self.message(),
            footer: super::pages::Footer::default(),
        };
        match page.render() {
            Ok(html) => (self.status(), Html(html)).into_response(),
            Err(_) => (self.status(), self.message()).into_response(),
        }
    }
}

/// An API handler's error: the same errors, rendered as JSON.
pub struct ApiError(pub WebError);

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
