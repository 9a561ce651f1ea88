//! Internal records never leak to the public, through any route; advisors see them.
//!
//! The `access` fixture has two public and two internal records; the internal ones carry
//! marker words found nowhere else (a title word, a body word, a town, a comarca, a
//! province, a year, a document kind). Every public probe must (1) never show a marker and
//! (2) answer exactly as the same server does over the corpus with the internal files
//! deleted: then the public cannot tell that internal records exist at all.

use std::path::Path;
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use xmess_kb::web::{AdvisorSecret, AppState, Options, ROUTES, TrustedProxies};

use crate::support::{Reply, build_index, fixture, send, texts};

const TOKEN: &str = "codi-de-prova-assessorament-0123";
const MARKERS: &[&str] = &[
    "zanahoriot",
    "xarrupeta",
    "ulldecona",
    "montsi",
    "tarragona",
    "1999",
    "consulta-xarrupeta-ulldecona",
    "nota-zanahoriot-vic",
];
const INTERNAL_IDS: &[&str] = &["consulta-xarrupeta-ulldecona", "nota-zanahoriot-vic"];

/// The fixture with its internal records, and the same fixture without them.
fn indexes() -> &'static (tempfile::TempDir, tempfile::TempDir, tempfile::TempDir) {
    static DIRS: OnceLock<(tempfile::TempDir, tempfile::TempDir, tempfile::TempDir)> =
        OnceLock::new();
    DIRS.get_or_init(|| {
        let with = build_index(&fixture("access"));
        let copy = tempfile::tempdir().expect("temp dir");
        copy_dir(&fixture("access"), copy.path());
        std::fs::remove_dir_all(copy.path().join("assessoraments")).expect("remove internals");
        let without = build_index(copy.path());
        (with, without, copy)
    })
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read fixture") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

fn state(index: &Path, secret: bool) -> AppState {
    let secret = secret.then(|| AdvisorSecret::new(TOKEN).expect("valid token"));
    AppState::open_with_secret(index.to_path_buf(), secret).expect("state")
}

async fn call(
    state: AppState,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Reply {
    let mut request = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    send(
        state,
        request.body(Body::from(body.to_string())).expect("request"),
    )
    .await
}

/// Public probes per route: (method, uri, form body). Every route of `ROUTES` needs one.
/// (method, uri, form body)
type Probe = (&'static str, &'static str, &'static str);

fn probes() -> Vec<(&'static str, Vec<Probe>)> {
    vec![
        ("/", vec![("GET", "/", "")]),
        (
            "/cerca",
            vec![
                ("GET", "/cerca", ""),
                ("GET", "/cerca?q=zanahoriot", ""),
                ("GET", "/cerca?q=zanahoriota", ""),
                ("GET", "/cerca?q=xarrupeta+cooperativa", ""),
                ("GET", "/cerca?q=cooperativa", ""),
                ("GET", "/cerca?q=Ulldecona", ""),
                ("GET", "/cerca?q=cooperativa&municipi=Ulldecona", ""),
                ("GET", "/cerca?any=1999", ""),
                ("GET", "/cerca?tipus=assessorament", ""),
                ("GET", "/cerca?tema=financament", ""),
                ("GET", "/cerca?visibilitat=interna", ""),
                (
                    "GET",
                    "/cerca?q=cures&ordre=recents&pagina=2&per_pagina=1",
                    "",
                ),
                ("GET", "/cerca?pagina=9999", ""),
            ],
        ),
        (
            "/cerca/valors/{facet}",
            vec![
                ("GET", "/cerca/valors/municipi", ""),
                ("GET", "/cerca/valors/municipi?filtre=ull", ""),
                ("GET", "/cerca/valors/any?q=cooperativa", ""),
                ("GET", "/cerca/valors/tipus", ""),
                ("GET", "/cerca/valors/visibilitat", ""),
            ],
        ),
        (
            "/cerca.csv",
            vec![
                ("GET", "/cerca.csv", ""),
                ("GET", "/cerca.csv?q=cooperativa", ""),
                ("GET", "/cerca.csv?municipi=Ulldecona", ""),
            ],
        ),
        (
            "/cerca.atom",
            vec![
                ("GET", "/cerca.atom", ""),
                ("GET", "/cerca.atom?q=zanahoriot", ""),
                ("GET", "/cerca.atom?tema=financament", ""),
            ],
        ),
        (
            "/mapa",
            vec![
                ("GET", "/mapa", ""),
                ("GET", "/mapa?q=cooperativa", ""),
                ("GET", "/mapa?any=1999", ""),
            ],
        ),
        (
            "/document/{id}",
            vec![
                (
                    "GET",
                    "/document/vic-cooperativa-cures?q=cooperativa&pos=1",
                    "",
                ),
                (
                    "GET",
                    "/document/vic-cooperativa-cures?q=cooperativa&pos=2",
                    "",
                ),
                (
                    "GET",
                    "/document/consulta-xarrupeta-ulldecona?q=xarrupeta&pos=1",
                    "",
                ),
                ("GET", "/document/nota-zanahoriot-vic", ""),
                ("GET", "/document/vic-cooperativa-cures", ""),
            ],
        ),
        (
            "/entrar",
            vec![
                ("GET", "/entrar", ""),
                ("GET", "/entrar?tornar=/document/nota-zanahoriot-vic", ""),
                ("POST", "/entrar", "codi=incorrecte"),
            ],
        ),
        ("/sortir", vec![("GET", "/sortir", "")]),
        ("/accessibilitat", vec![("GET", "/accessibilitat", "")]),
        (
            "/api/cerca",
            vec![
                ("GET", "/api/cerca", ""),
                ("GET", "/api/cerca?q=zanahoriot", ""),
                ("GET", "/api/cerca?q=cooperativa", ""),
                ("GET", "/api/cerca?q=cooperativa+cures&per_pagina=100", ""),
                ("GET", "/api/cerca?municipi=Ulldecona", ""),
                ("GET", "/api/cerca?visibilitat=interna", ""),
                ("GET", "/api/cerca?tipus=assessorament&any=1999", ""),
            ],
        ),
        (
            "/api/document/{id}",
            vec![
                ("GET", "/api/document/consulta-xarrupeta-ulldecona", ""),
                ("GET", "/api/document/vic-cooperativa-cures", ""),
            ],
        ),
        (
            "/api/suggeriments",
            vec![
                ("GET", "/api/suggeriments?q=za", ""),
                ("GET", "/api/suggeriments?q=xarr", ""),
                ("GET", "/api/suggeriments?q=ull", ""),
                ("GET", "/api/suggeriments?q=coop", ""),
                ("GET", "/api/suggeriments?q=finan", ""),
                ("GET", "/api/suggeriments?q=tarra", ""),
            ],
        ),
        ("/salut", vec![("GET", "/salut", "")]),
        ("/static/style.css", vec![("GET", "/static/style.css", "")]),
        ("/static/cerca.js", vec![("GET", "/static/cerca.js", "")]),
    ]
}

/// What differs between two builds of the same documents: generation names and times.
fn build_stamps(index: &Path) -> Vec<String> {
    let name = std::fs::read_to_string(index.join("CURRENT"))
        .expect("published")
        .trim()
        .to_string();
    let info: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(index.join(&name).join("xmess-build.json")).expect("info"),
    )
    .expect("json");
    let built_at = info["built_at"].as_str().expect("built_at").to_string();
    vec![name, xmess_kb::clock::catalan_date(&built_at), built_at]
}

fn normalise(body: &str, stamps: &[String]) -> String {
    stamps.iter().fold(body.to_string(), |out, stamp| {
        out.replace(stamp.as_str(), "STAMP")
    })
}

#[test]
fn every_route_has_leak_probes() {
    let probed: Vec<&str> = probes().iter().map(|(route, _)| *route).collect();
    for route in ROUTES {
        assert!(
            probed.contains(route),
            "route {route} has no leak probe: add one to access::probes()"
        );
    }
    for route in &probed {
        assert!(ROUTES.contains(route), "probe for unknown route {route}");
    }
}

#[tokio::test]
async fn the_public_cannot_tell_internal_records_exist() {
    let (with, without, _) = indexes();
    let mut stamps = build_stamps(with.path());
    stamps.extend(build_stamps(without.path()));
    for secret in [false, true] {
        for (_, list) in probes() {
            for (method, uri, body) in list {
                // What a browser sends with the login form.
                let form = [
                    ("content-type", "application/x-www-form-urlencoded"),
                    ("host", "localhost"),
                    ("origin", "http://localhost"),
                ];
                let headers: &[(&str, &str)] = if method == "POST" { &form } else { &[] };
                let a = call(state(with.path(), secret), method, uri, headers, body).await;
                let b = call(state(without.path(), secret), method, uri, headers, body).await;
                assert_ne!(
                    a.status,
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "{method} {uri}"
                );
                let lower = a.body.to_lowercase();
                // A query echoes its own words; the comparison below still covers those.
                for marker in MARKERS.iter().filter(|m| !uri.to_lowercase().contains(*m)) {
                    assert!(
                        !lower.contains(marker),
                        "{method} {uri} (secret: {secret}) shows «{marker}» to the public"
                    );
                }
                assert_eq!(a.status, b.status, "{method} {uri}: status differs");
                assert_eq!(
                    normalise(&a.body, &stamps),
                    normalise(&b.body, &stamps),
                    "{method} {uri} (secret: {secret}): the public answer depends on internal records"
                );
            }
        }
    }
}

async fn advisor_get(uri: &str) -> Reply {
    let (with, _, _) = indexes();
    let bearer = format!("Bearer {TOKEN}");
    call(
        state(with.path(), true),
        "GET",
        uri,
        &[("authorization", &bearer)],
        "",
    )
    .await
}

#[tokio::test]
async fn advisors_find_the_same_markers_the_public_never_sees() {
    // The control: the probes above would catch a leak, because the markers are there.
    let json = advisor_get("/api/cerca?q=zanahoriot").await.json();
    assert_eq!(json["total"], 2);
    let ids: Vec<&str> = json["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .filter_map(|h| h["id"].as_str())
        .collect();
    for id in INTERNAL_IDS {
        assert!(ids.contains(id), "{id} not in {ids:?}");
    }
    assert!(json["hits"][0]["internal"].as_bool().expect("flag"));
    let visibility = &json["facets"]["visibilitat"];
    assert_eq!(visibility[0]["value"], "interna");
    assert_eq!(visibility[0]["count"], 2);

    let suggested = advisor_get("/api/suggeriments?q=ull").await.body;
    assert!(suggested.contains("Ulldecona"), "{suggested}");
    let filtered = advisor_get("/api/cerca?visibilitat=interna").await.json();
    assert_eq!(filtered["total"], 2);
    let doc = advisor_get("/api/document/consulta-xarrupeta-ulldecona").await;
    assert_eq!(doc.status, StatusCode::OK);
    assert_eq!(doc.json()["internal"], true);
    assert_eq!(doc.json()["municipalities"][0], "Ulldecona");
}

async fn login(with_secret: bool, code: &str, headers: &[(&str, &str)]) -> Reply {
    let (with, _, _) = indexes();
    let body = format!("codi={code}&tornar=/cerca?q=zanahoriot");
    let mut all = vec![
        ("content-type", "application/x-www-form-urlencoded"),
        ("host", "localhost"),
        ("origin", "http://localhost"),
    ];
    all.extend_from_slice(headers);
    call(
        state(with.path(), with_secret),
        "POST",
        "/entrar",
        &all,
        &body,
    )
    .await
}

fn cookie_of(reply: &Reply) -> String {
    let set = reply
        .headers
        .get(header::SET_COOKIE)
        .expect("a Set-Cookie")
        .to_str()
        .expect("ascii");
    set.split(';').next().expect("name=value").to_string()
}

#[tokio::test]
async fn login_sets_a_strict_http_only_cookie_that_opens_internal_records() {
    let reply = login(true, TOKEN, &[]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.headers[header::LOCATION], "/cerca?q=zanahoriot");
    let set = reply.headers[header::SET_COOKIE].to_str().expect("ascii");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=28800"] {
        assert!(set.contains(attribute), "{set} lacks {attribute}");
    }
    assert!(
        !set.contains("Secure"),
        "plain HTTP cannot carry a Secure cookie: {set}"
    );
    // Behind a trusted proxy that says the client came over HTTPS, the cookie is Secure.
    let (with, _, _) = indexes();
    let options = Options {
        advisor_secret: Some(AdvisorSecret::new(TOKEN).expect("valid token")),
        trusted_proxies: TrustedProxies::parse(&["127.0.0.1"]).expect("valid"),
        ..Options::default()
    };
    let proxied = AppState::with_options(with.path().to_path_buf(), options).expect("state");
    let mut request = Request::post("/entrar")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("host", "localhost")
        .header("origin", "https://localhost")
        .header("x-forwarded-proto", "https")
        .body(Body::from(format!("codi={TOKEN}")))
        .expect("request");
    let proxy: std::net::SocketAddr = "127.0.0.1:40000".parse().expect("address");
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(proxy));
    let https = send(proxied, request).await;
    assert!(
        https.headers[header::SET_COOKIE]
            .to_str()
            .expect("ascii")
            .contains("; Secure")
    );

    let cookie = cookie_of(&reply);
    let page = call(
        state(with.path(), true),
        "GET",
        "/cerca?q=zanahoriot",
        &[("cookie", &cookie)],
        "",
    )
    .await;
    let html = page.html();
    assert_eq!(
        texts(&html, ".hit .badge-internal"),
        vec!["Intern", "Intern"]
    );
    assert!(
        !texts(&html, "header form.session").is_empty(),
        "the header shows the session"
    );
    let doc = call(
        state(with.path(), true),
        "GET",
        "/document/nota-zanahoriot-vic",
        &[("cookie", &cookie)],
        "",
    )
    .await;
    assert_eq!(doc.status, StatusCode::OK);
    assert!(doc.body.contains("Document intern"));
}

#[tokio::test]
async fn wrong_token_missing_secret_expired_or_forged_sessions_stay_public() {
    let wrong = login(true, "no-es-el-codi-correcte", &[]).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.headers.get(header::SET_COOKIE).is_none());
    assert!(
        !texts(&wrong.html(), "[role=alert]").is_empty(),
        "the form says what went wrong"
    );

    let unconfigured = login(false, TOKEN, &[]).await;
    assert_eq!(unconfigured.status, StatusCode::FORBIDDEN);
    assert!(unconfigured.headers.get(header::SET_COOKIE).is_none());

    let (with, _, _) = indexes();
    let secret = AdvisorSecret::new(TOKEN).expect("valid");
    let now = xmess_kb::clock::now_secs();
    let expired = format!("xmess_sessio={}", secret.sign(now - 1, "abc"));
    let valid_elsewhere = format!(
        "xmess_sessio={}",
        AdvisorSecret::new("un-altre-servidor-amb-un-altre-codi")
            .expect("valid")
            .issue(now)
    );
    for cookie in [
        expired.as_str(),
        valid_elsewhere.as_str(),
        "xmess_sessio=v1.9999999999.x.00",
    ] {
        let reply = call(
            state(with.path(), true),
            "GET",
            "/api/cerca?q=zanahoriot",
            &[("cookie", cookie)],
            "",
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{cookie}");
        assert_eq!(reply.json()["total"], 0, "{cookie} opened internal records");
    }
    // A session signed by this server is valid only while this server has the secret.
    let live = format!("xmess_sessio={}", secret.issue(now));
    let no_secret = call(
        state(with.path(), false),
        "GET",
        "/api/cerca?q=zanahoriot",
        &[("cookie", &live)],
        "",
    )
    .await;
    assert_eq!(no_secret.json()["total"], 0);
}

#[tokio::test]
async fn bearer_tokens_are_checked_and_wrong_ones_answer_401_in_catalan() {
    let (with, _, _) = indexes();
    for (secret, value) in [
        (true, "Bearer no-es-el-codi-correcte"),
        (true, "Basic abc"),
        (false, "Bearer codi-de-prova-assessorament-0123"),
    ] {
        let reply = call(
            state(with.path(), secret),
            "GET",
            "/api/cerca?q=zanahoriot",
            &[("authorization", value)],
            "",
        )
        .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{value}");
        assert_eq!(reply.json()["error"]["code"], "credencial_no_valida");
        assert!(reply.headers.get(header::WWW_AUTHENTICATE).is_some());
        let page = call(
            state(with.path(), secret),
            "GET",
            "/cerca?q=zanahoriot",
            &[("authorization", value)],
            "",
        )
        .await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
        assert!(!texts(&page.html(), "h1").is_empty());
    }
}

#[tokio::test]
async fn logout_clears_the_cookie() {
    let (with, _, _) = indexes();
    let browser = [("host", "localhost"), ("origin", "http://localhost")];
    let reply = call(state(with.path(), true), "POST", "/sortir", &browser, "").await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let set = reply.headers[header::SET_COOKIE].to_str().expect("ascii");
    assert!(
        set.starts_with("xmess_sessio=;") && set.contains("Max-Age=0"),
        "{set}"
    );
}
