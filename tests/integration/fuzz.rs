//! Property tests: whatever people type or put in a URL, the query builder and the HTTP
//! handlers answer without panicking and without a 500.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use proptest::prelude::*;
use xmess_kb::search::Engine;
use xmess_kb::search::{Audience, SearchRequest};
use xmess_kb::web::AppState;

use crate::support::{basic_index, send};

/// Any Unicode, weighted towards what breaks query parsers: quotes, apostrophes, middle
/// dots, operators, whitespace and control characters.
fn typed_text(max: usize) -> impl Strategy<Value = String> {
    let tricky = prop::sample::select(
        "\"'’‘·.-–«»“”*?~:()[]{}^!&|\\/+%=#<>@ \t\n\r\u{0}\u{7}\u{200b}\u{feff}lL"
            .chars()
            .collect::<Vec<_>>(),
    );
    let letters = prop::sample::select("aàeèéiíoòóuúüçn ".chars().collect::<Vec<_>>());
    prop::collection::vec(
        prop_oneof![3 => any::<char>(), 3 => tricky, 4 => letters],
        0..max,
    )
    .prop_map(String::from_iter)
}

fn generation() -> &'static Engine {
    static G: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
    G.get_or_init(|| Engine::open_current(basic_index()).expect("opens"))
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static R: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    R.get_or_init(|| tokio::runtime::Runtime::new().expect("runtime"))
}

fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn any_text_searches_without_error(text in typed_text(600)) {
        for audience in [Audience::Public, Audience::Advisor] {
            let results = generation().search(&SearchRequest::new(&text, audience));
            prop_assert!(results.is_ok(), "{:?}", results.err());
        }
    }

    #[test]
    fn any_url_parameters_never_give_a_500(
        q in typed_text(700),
        key in prop::sample::select(vec!["q", "tema", "municipi", "pagina", "per_pagina", "ordre", "any", "visibilitat", "x"]),
        value in typed_text(40),
        raw in typed_text(60),
    ) {
        let uris = [
            format!("/cerca?q={}&{key}={}", encode(&q), encode(&value)),
            format!("/api/cerca?q={}&{key}={}", encode(&q), encode(&value)),
            // Raw, unencoded bytes where the URI syntax allows them to reach the handler.
            format!("/api/cerca?{}", raw.chars().filter(|c| c.is_ascii_graphic()).collect::<String>()),
            format!("/document/{}", encode(&value)),
            format!("/entrar?tornar={}", encode(&value)),
        ];
        for uri in uris {
            let Ok(request) = Request::get(uri.as_str()).body(Body::empty()) else {
                continue; // not a URI a client could send
            };
            let state = AppState::open(basic_index().to_path_buf()).expect("state");
            let reply = runtime().block_on(send(state, request));
            prop_assert_ne!(reply.status, StatusCode::INTERNAL_SERVER_ERROR, "{}: {}", uri, reply.body);
        }
    }
}
