//! Advisor access under attack. Failed logins and wrong Bearer tokens are counted per client
//! and, beyond a free allowance, answered at once with 429 and `Retry-After` (nothing sleeps,
//! so no worker is held); a client that never failed is never held back. `X-Forwarded-For`
//! and `X-Forwarded-Proto` count only from a trusted proxy. Logout ends the session on the
//! server, the login and logout forms are refused from other sites, HTTPS responses carry
//! HSTS, and a token with too little variety is refused.
//!
//! The router is called in-process with the peer address a server would insert
//! (`ConnectInfo`); the last tests run the real server over TCP from several loopback
//! addresses. Time-sensitive tests run on tokio's paused clock: a handler that slept would
//! move it, so "answered at once" is checked without measuring time.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use xmess_kb::web::{AdvisorSecret, AppState, Links, Options, TrustedProxies};

use crate::support::{Reply, basic_index, send, texts};

const TOKEN: &str = "codi-de-prova-enduriment-7f3a9c";
const WRONG: &str = "codi-de-prova-enduriment-000000";
const HSTS: &str = "max-age=31536000";

fn state_with(links: Links, trusted: &[&str]) -> AppState {
    let options = Options {
        advisor_secret: Some(AdvisorSecret::new(TOKEN).expect("a good token")),
        links,
        trusted_proxies: TrustedProxies::parse(trusted).expect("valid proxies"),
        ..Options::default()
    };
    AppState::with_options(basic_index().to_path_buf(), options).expect("state")
}

fn state() -> AppState {
    state_with(Links::default(), &[])
}

/// One request from `peer` (as the server would record the connection), or from no known
/// address when `None`.
async fn call(
    state: &AppState,
    method: &str,
    uri: &str,
    peer: Option<&str>,
    headers: &[(&str, &str)],
    body: &str,
) -> Reply {
    let mut request = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let mut request = request.body(Body::from(body.to_string())).expect("request");
    if let Some(peer) = peer {
        let addr: SocketAddr = peer.parse().expect("a socket address");
        request.extensions_mut().insert(ConnectInfo(addr));
    }
    send(state.clone(), request).await
}

/// What a browser sends with the login form of `http://localhost`.
const FORM: [(&str, &str); 3] = [
    ("content-type", "application/x-www-form-urlencoded"),
    ("host", "localhost"),
    ("origin", "http://localhost"),
];

async fn login(state: &AppState, peer: &str, code: &str) -> Reply {
    let body = format!("codi={code}&tornar=/cerca");
    call(state, "POST", "/entrar", Some(peer), &FORM, &body).await
}

async fn bearer(state: &AppState, peer: &str, token: &str) -> Reply {
    let value = format!("Bearer {token}");
    let headers = [("authorization", value.as_str())];
    call(state, "GET", "/api/cerca?q=cures", Some(peer), &headers, "").await
}

fn retry_after(reply: &Reply) -> Option<u64> {
    reply
        .headers
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
}

fn session_cookie(reply: &Reply) -> String {
    let set = reply
        .headers
        .get(header::SET_COOKIE)
        .unwrap_or_else(|| panic!("no Set-Cookie ({}): {}", reply.status, reply.body))
        .to_str()
        .expect("ascii");
    set.split(';').next().expect("name=value").to_string()
}

/// Whether `cookie` opens an advisor's session: the header shows it on the home page.
async fn is_advisor(state: &AppState, cookie: &str) -> bool {
    let page = call(state, "GET", "/", None, &[("cookie", cookie)], "").await;
    assert_eq!(page.status, StatusCode::OK);
    !texts(&page.html(), "header form.session").is_empty()
}

#[tokio::test(start_paused = true)]
async fn wrong_bearer_tokens_are_counted_and_then_answered_429_at_once() {
    let start = tokio::time::Instant::now();
    let state = state();
    let a = "198.51.100.1:50000";
    for attempt in 1..=3 {
        let reply = bearer(&state, a, WRONG).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
        assert_eq!(retry_after(&reply), None);
    }
    let throttled = bearer(&state, a, WRONG).await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    let wait = retry_after(&throttled).expect("a Retry-After in seconds");
    assert!(wait >= 1, "{wait}");
    let error = &throttled.json()["error"];
    assert_eq!(error["code"], "massa_intents");
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|m| m.contains(&format!("{wait} segon"))),
        "{error}"
    );
    // While it waits, even the right token is not tried: the throttle is no oracle.
    let right = bearer(&state, a, TOKEN).await;
    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS);
    // A wrong Bearer on a page counts and is refused the same way, as a Catalan page.
    let page = call(
        &state,
        "GET",
        "/cerca?q=cures",
        Some(a),
        &[("authorization", "Bearer x")],
        "",
    )
    .await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(retry_after(&page).is_some());
    assert_eq!(texts(&page.html(), "h1"), vec!["Massa intents fallits"]);
    assert_eq!(
        tokio::time::Instant::now(),
        start,
        "a request slept instead of answering at once"
    );
}

#[tokio::test(start_paused = true)]
async fn wrong_logins_are_answered_429_at_once_with_the_wait_in_catalan() {
    let start = tokio::time::Instant::now();
    let state = state();
    let a = "198.51.100.2:50000";
    for attempt in 1..=3 {
        let reply = login(&state, a, WRONG).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
        assert_eq!(retry_after(&reply), None);
    }
    // The right token now waits too: the wait is decided before the token is looked at.
    let throttled = login(&state, a, TOKEN).await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(throttled.headers.get(header::SET_COOKIE).is_none());
    let wait = retry_after(&throttled).expect("a Retry-After in seconds");
    let alert = texts(&throttled.html(), "[role=alert]").join(" ");
    assert!(alert.contains(&format!("{wait} segon")), "{alert}");
    assert!(
        !texts(&throttled.html(), "form.login").is_empty(),
        "the form stays, to try again later"
    );
    // Logins and Bearer tokens share one count per client.
    assert_eq!(
        bearer(&state, a, TOKEN).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(tokio::time::Instant::now(), start, "a request slept");
}

#[tokio::test(start_paused = true)]
async fn of_150_wrong_logins_sent_at_once_three_are_tried_and_none_waits() {
    let start = tokio::time::Instant::now();
    let state = state();
    let mut attempts = tokio::task::JoinSet::new();
    for n in 0..150 {
        let state = state.clone();
        // Many connections of one client (only the port differs).
        let peer = format!("198.51.100.3:{}", 20000 + n);
        attempts.spawn(async move { login(&state, &peer, WRONG).await.status.as_u16() });
    }
    let mut statuses = attempts.join_all().await;
    statuses.sort_unstable();
    assert_eq!(statuses.iter().filter(|s| **s == 401).count(), 3);
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 147);
    assert_eq!(tokio::time::Instant::now(), start, "a request slept");
}

#[tokio::test(start_paused = true)]
async fn a_client_that_never_failed_is_never_held_back() {
    let start = tokio::time::Instant::now();
    let state = state();
    let attacker = "203.0.113.66:40000";
    let mut statuses = Vec::new();
    for i in 0..20 {
        let reply = if i % 2 == 0 {
            login(&state, attacker, WRONG).await
        } else {
            bearer(&state, attacker, WRONG).await
        };
        statuses.push(reply.status.as_u16());
    }
    assert_eq!(&statuses[..3], &[401, 401, 401]);
    assert!(statuses[3..].iter().all(|s| *s == 429), "{statuses:?}");

    // The advisor, from another address, meanwhile.
    let advisor = "192.0.2.10:51000";
    let ok = login(&state, advisor, TOKEN).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(retry_after(&ok), None);
    assert!(is_advisor(&state, &session_cookie(&ok)).await);
    let api = bearer(&state, advisor, TOKEN).await;
    assert_eq!(api.status, StatusCode::OK);
    assert_eq!(retry_after(&api), None);
    // Its own first mistake is only a mistake.
    assert_eq!(
        login(&state, advisor, WRONG).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(tokio::time::Instant::now(), start, "a request slept");
}

#[tokio::test]
async fn an_ipv6_client_is_its_slash_64() {
    let state = state();
    for _ in 0..3 {
        bearer(&state, "[2001:db8:1:2::1]:40000", WRONG).await;
    }
    // Another address of the same /64 is the same client; the next /64 is another one.
    let same = bearer(&state, "[2001:db8:1:2:ffff::9]:40001", TOKEN).await;
    assert_eq!(same.status, StatusCode::TOO_MANY_REQUESTS);
    let next = bearer(&state, "[2001:db8:1:3::1]:40000", TOKEN).await;
    assert_eq!(next.status, StatusCode::OK);
}

#[tokio::test]
async fn forwarded_for_is_believed_only_from_a_trusted_proxy() {
    // No trusted proxy: the header is the client's own words, changed at every attempt.
    let direct = state();
    let peer = "198.51.100.7:40000";
    let mut statuses = Vec::new();
    for i in 0..5 {
        let xff = format!("203.0.113.{i}");
        let value = format!("Bearer {WRONG}");
        let headers = [("x-forwarded-for", xff.as_str()), ("authorization", &value)];
        let reply = call(&direct, "GET", "/api/cerca", Some(peer), &headers, "").await;
        statuses.push(reply.status.as_u16());
    }
    assert_eq!(statuses, vec![401, 401, 401, 429, 429]);

    // Behind trusted proxies: the right-most address that is not a proxy is the client.
    let proxied = state_with(Links::default(), &["127.0.0.1", "10.0.0.0/8"]);
    let from = |xff: &'static str, peer: &'static str, token: &'static str| {
        let proxied = proxied.clone();
        async move {
            let value = format!("Bearer {token}");
            let headers = [("x-forwarded-for", xff), ("authorization", value.as_str())];
            call(&proxied, "GET", "/api/cerca", Some(peer), &headers, "")
                .await
                .status
                .as_u16()
        }
    };
    let proxy = "127.0.0.1:33000";
    for _ in 0..3 {
        assert_eq!(from("203.0.113.5", proxy, WRONG).await, 401);
    }
    assert_eq!(from("203.0.113.5", proxy, TOKEN).await, 429);
    // Another client behind the same proxy is not held back.
    assert_eq!(from("203.0.113.6", proxy, TOKEN).await, 200);
    // The same client through two trusted hops, or with a forged address on the left.
    assert_eq!(from("203.0.113.5, 10.1.2.3", proxy, TOKEN).await, 429);
    assert_eq!(from("6.6.6.6, 203.0.113.5", proxy, TOKEN).await, 429);
    assert_eq!(from("203.0.113.5", "10.9.9.9:1000", TOKEN).await, 429);
    // A peer that is not a trusted proxy is itself the client, whatever it forwards.
    let untrusted = "192.0.2.50:1000";
    for _ in 0..3 {
        assert_eq!(from("203.0.113.6", untrusted, WRONG).await, 401);
    }
    assert_eq!(from("203.0.113.6", untrusted, TOKEN).await, 429);
    assert_eq!(from("203.0.113.6", proxy, TOKEN).await, 200);
}

#[tokio::test]
async fn https_is_believed_only_from_a_trusted_proxy_and_brings_hsts() {
    let proxied = state_with(Links::default(), &["127.0.0.1"]);
    let https = [("x-forwarded-proto", "https")];
    for uri in [
        "/",
        "/cerca?q=cures",
        "/api/cerca?q=cures",
        "/salut",
        "/static/style.css",
        "/no-hi-es",
        "/cerca?pagina=0",
    ] {
        let reply = call(&proxied, "GET", uri, Some("127.0.0.1:1000"), &https, "").await;
        assert_eq!(
            reply
                .headers
                .get(header::STRICT_TRANSPORT_SECURITY)
                .map(|v| v.to_str().expect("ascii")),
            Some(HSTS),
            "{uri} ({})",
            reply.status
        );
        // Over plain HTTP, whoever claims otherwise: never.
        for (peer, proto) in [
            (Some("127.0.0.1:1000"), "http"),
            (Some("192.0.2.1:1000"), "https"),
            (None, "https"),
        ] {
            let headers = [("x-forwarded-proto", proto)];
            let plain = call(&proxied, "GET", uri, peer, &headers, "").await;
            assert!(
                plain
                    .headers
                    .get(header::STRICT_TRANSPORT_SECURITY)
                    .is_none(),
                "{uri} from {peer:?} saying {proto}"
            );
        }
    }
    let secure = |reply: &Reply| {
        reply.headers[header::SET_COOKIE]
            .to_str()
            .expect("ascii")
            .contains("; Secure")
    };
    let mut headers = FORM.to_vec();
    headers.push(("x-forwarded-proto", "https"));
    let form = format!("codi={TOKEN}");
    // The Origin a browser sends over HTTPS.
    headers[2] = ("origin", "https://localhost");
    let through_proxy = call(
        &proxied,
        "POST",
        "/entrar",
        Some("127.0.0.1:1000"),
        &headers,
        &form,
    )
    .await;
    assert_eq!(through_proxy.status, StatusCode::SEE_OTHER);
    assert!(secure(&through_proxy));
    headers[2] = ("origin", "http://localhost");
    let forged = call(
        &proxied,
        "POST",
        "/entrar",
        Some("192.0.2.1:1000"),
        &headers,
        &form,
    )
    .await;
    assert_eq!(forged.status, StatusCode::SEE_OTHER);
    assert!(
        !secure(&forged),
        "an untrusted X-Forwarded-Proto was believed"
    );

    // A public URL in https: the site is reached over HTTPS through a proxy, even one not
    // named; but not from a peer that is not the named proxy.
    let public =
        Links::configure(Some("https://xmess.cat/cercador"), None, "http://unused").expect("valid");
    let unnamed = state_with(public.clone(), &[]);
    let reply = call(
        &unnamed,
        "GET",
        "/cercador",
        Some("192.0.2.1:1000"),
        &[],
        "",
    )
    .await;
    assert_eq!(reply.headers[header::STRICT_TRANSPORT_SECURITY], HSTS);
    let named = state_with(public, &["127.0.0.1"]);
    let behind = call(&named, "GET", "/cercador", Some("127.0.0.1:1000"), &[], "").await;
    assert_eq!(behind.headers[header::STRICT_TRANSPORT_SECURITY], HSTS);
    let around = call(
        &named,
        "GET",
        "/cercador",
        Some("192.0.2.1:1000"),
        &https,
        "",
    )
    .await;
    assert!(
        around
            .headers
            .get(header::STRICT_TRANSPORT_SECURITY)
            .is_none()
    );
}

#[tokio::test]
async fn logout_ends_that_session_at_once() {
    let state = state();
    let peer = "192.0.2.20:1000";
    let first = session_cookie(&login(&state, peer, TOKEN).await);
    let second = session_cookie(&login(&state, peer, TOKEN).await);
    assert!(is_advisor(&state, &first).await);
    assert!(is_advisor(&state, &second).await);

    let mut headers = FORM.to_vec();
    headers.push(("cookie", &first));
    let out = call(&state, "POST", "/sortir", Some(peer), &headers, "").await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(
        out.headers[header::SET_COOKIE]
            .to_str()
            .expect("ascii")
            .contains("Max-Age=0")
    );
    // The same cookie, kept by someone who copied it, no longer opens anything.
    assert!(
        !is_advisor(&state, &first).await,
        "the session outlived logout"
    );
    let api = call(
        &state,
        "GET",
        "/sortir",
        Some(peer),
        &[("cookie", &first)],
        "",
    )
    .await;
    assert!(api.body.contains("No hi ha cap sessió"));
    // Another browser's session goes on.
    assert!(is_advisor(&state, &second).await);
}

#[tokio::test]
async fn login_and_logout_refuse_posts_from_other_sites() {
    let state = state();
    let peer = "192.0.2.30:1000";
    let body = format!("codi={TOKEN}");
    let form = ("content-type", "application/x-www-form-urlencoded");
    let host = ("host", "localhost");
    let refused: &[&[(&str, &str)]] = &[
        &[form, host, ("origin", "https://evil.example")],
        &[form, host, ("origin", "null")],
        &[form, host, ("origin", "http://localhost:8080")],
        &[form, host, ("origin", "https://localhost")],
        &[form, host, ("origin", "http://localhost.evil.example")],
        &[form, host, ("referer", "https://evil.example/entrar")],
        &[form, host, ("referer", "http://localhost@evil.example/")],
        // Neither header: browsers send Origin with every form POST, so this is not one.
        &[form, host],
        // No Host to compare with.
        &[form, ("origin", "http://localhost")],
        // Origin decides when present, even with a Referer that would do.
        &[
            form,
            host,
            ("origin", "https://evil.example"),
            ("referer", "http://localhost/entrar"),
        ],
    ];
    for headers in refused {
        let reply = call(&state, "POST", "/entrar", Some(peer), headers, &body).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{headers:?}");
        assert!(
            reply.headers.get(header::SET_COOKIE).is_none(),
            "{headers:?}"
        );
        assert_eq!(
            texts(&reply.html(), "h1"),
            vec!["Formulari enviat des d'un altre lloc"],
            "{headers:?}"
        );
    }
    let accepted: &[&[(&str, &str)]] = &[
        &[form, host, ("origin", "http://localhost")],
        &[form, host, ("origin", "HTTP://LOCALHOST:80")],
        &[
            form,
            host,
            ("referer", "http://localhost/entrar?tornar=/cerca"),
        ],
    ];
    for headers in accepted {
        let reply = call(&state, "POST", "/entrar", Some(peer), headers, &body).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{headers:?}");
    }

    // Logout from another site leaves the session alone.
    let cookie = session_cookie(&login(&state, peer, TOKEN).await);
    let headers = [
        host,
        ("origin", "https://evil.example"),
        ("cookie", &cookie),
    ];
    let out = call(&state, "POST", "/sortir", Some(peer), &headers, "").await;
    assert_eq!(out.status, StatusCode::FORBIDDEN);
    assert!(out.headers.get(header::SET_COOKIE).is_none());
    assert!(is_advisor(&state, &cookie).await);
    let headers = [host, ("cookie", cookie.as_str())];
    let bare = call(&state, "POST", "/sortir", Some(peer), &headers, "").await;
    assert_eq!(bare.status, StatusCode::FORBIDDEN);

    // With a public URL, the site's origin is the public one, whatever the Host says.
    let public =
        Links::configure(Some("https://xmess.cat/cercador"), None, "http://unused").expect("valid");
    let mounted = state_with(public, &[]);
    for (origin, status) in [
        ("https://xmess.cat", StatusCode::SEE_OTHER),
        ("https://xmess.cat:443", StatusCode::SEE_OTHER),
        ("http://localhost", StatusCode::FORBIDDEN),
        ("http://xmess.cat", StatusCode::FORBIDDEN),
    ] {
        let headers = [form, host, ("origin", origin)];
        let reply = call(
            &mounted,
            "POST",
            "/cercador/entrar",
            Some(peer),
            &headers,
            &body,
        )
        .await;
        assert_eq!(reply.status, status, "{origin}");
    }
    // Failures of the check are not login failures: they never throttle.
    assert_eq!(
        login(&state, peer, TOKEN).await.status,
        StatusCode::SEE_OTHER
    );
}

#[test]
fn tokens_with_too_little_variety_are_refused_with_advice() {
    for weak in [
        "aaaaaaaaaaaaaaaa",
        "abababababababababababab",
        "1234123412341234",
        "        aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "abcdefgabcdefgabcdefg",
    ] {
        let error = AdvisorSecret::new(weak)
            .err()
            .unwrap_or_else(|| panic!("{weak:?} was accepted"));
        let message = format!("{error:#}");
        assert!(
            message.contains("caràcters diferents") && message.contains("openssl rand -hex 24"),
            "{message}"
        );
    }
    for good in [
        TOKEN,
        "abcdefghabcdefgh",
        "3f9a0c1e7b2d4f6a8c0e1b3d5f7a9c0e2b4d6f8a0c1e3b5d",
    ] {
        assert!(AdvisorSecret::new(good).is_ok(), "{good}");
    }
}

fn bin() -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_xmess-kb"));
    command
        .env_remove("XMESS_KB_ADVISOR_TOKEN_FILE")
        .env_remove("XMESS_KB_TRUSTED_PROXY")
        .env_remove("XMESS_KB_PUBLIC_URL")
        .env_remove("XMESS_KB_BASE_PATH");
    command
}

/// Runs `serve` expecting it to refuse to start; its stderr. A server that starts anyway
/// is stopped and the test fails.
fn refused_to_serve(mut command: std::process::Command, args: &[&str]) -> String {
    use std::io::{BufRead, BufReader, Read};
    let index = tempfile::tempdir().expect("temp dir");
    let mut server = command
        .arg("serve")
        .arg("--corpus")
        .arg(crate::support::fixture("basic"))
        .arg("--index")
        .arg(index.path())
        .args(["--addr", "127.0.0.1:0"])
        .args(args)
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("serve runs");
    let out = BufReader::new(server.stdout.take().expect("stdout"));
    let served = out
        .lines()
        .map_while(Result::ok)
        .any(|line| line.contains("Servint a"));
    if served {
        let _ = server.kill();
    }
    let status = server.wait().expect("exits");
    let mut stderr = String::new();
    let _ = server
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr);
    assert!(!served, "serve started: {stderr}");
    assert!(!status.success());
    stderr
}

#[test]
fn serve_refuses_a_weak_token_and_a_bad_trusted_proxy_in_catalan() {
    let mut weak = bin();
    weak.env("XMESS_KB_ADVISOR_TOKEN", "aaaaaaaaaaaaaaaaaaaaaaaa");
    let said = refused_to_serve(weak, &[]);
    assert!(said.contains("openssl rand -hex 24"), "{said}");

    let mut proxy = bin();
    proxy.env_remove("XMESS_KB_ADVISOR_TOKEN");
    let said = refused_to_serve(proxy, &["--trusted-proxy", "127.0.0.1,proxy.local"]);
    assert!(said.contains("«proxy.local» no és una adreça IP"), "{said}");
}

/// A raw HTTP/1.1 exchange with `server` from the loopback address `from`; the status and
/// the headers (names lowercase).
async fn over_tcp(
    server: &str,
    from: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> (u16, Vec<(String, String)>) {
    use std::io::{Read, Write};
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket
        .bind(format!("{from}:0").parse().expect("address"))
        .expect("bind a loopback address");
    let stream = socket
        .connect(server.parse().expect("server address"))
        .await
        .expect("connect");
    // Bound and connected by tokio (std cannot bind before connecting); the exchange is
    // plain blocking I/O with a server in another process.
    let mut stream = stream.into_std().expect("a std stream");
    stream.set_nonblocking(false).expect("blocking");
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: {server}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).expect("request sent");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("answer read");
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let head = answer.split("\r\n\r\n").next().unwrap_or_default();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line: {answer}"));
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (status, headers)
}

fn has(headers: &[(String, String)], name: &str) -> bool {
    headers.iter().any(|(n, _)| n == name)
}

#[tokio::test]
async fn over_tcp_each_connecting_address_is_its_own_client() {
    let index = tempfile::tempdir().expect("temp dir");
    let mut command = bin();
    command
        .arg("serve")
        .arg("--corpus")
        .arg(crate::support::fixture("basic"))
        .arg("--index")
        .arg(index.path())
        .env("XMESS_KB_ADVISOR_TOKEN", TOKEN)
        .env("XMESS_KB_TRUSTED_PROXY", "127.0.0.1");
    let (mut server, addr) = crate::support::serve(command);
    let wrong = format!("Bearer {WRONG}");
    let right = format!("Bearer {TOKEN}");
    let api = "/api/cerca?q=cures";
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let headers = [("authorization", wrong.as_str())];
        statuses.push(over_tcp(&addr, "127.0.0.2", api, &headers).await.0);
    }
    // Not a trusted proxy: what it forwards changes nothing.
    let spoofed = [
        ("authorization", right.as_str()),
        ("x-forwarded-for", "203.0.113.99"),
        ("x-forwarded-proto", "https"),
    ];
    let (still, spoofed_headers) = over_tcp(&addr, "127.0.0.2", api, &spoofed).await;
    let other = over_tcp(&addr, "127.0.0.3", api, &[("authorization", &right)]).await;
    // The trusted proxy forwards for a client that never failed, over HTTPS.
    let (proxied, proxied_headers) = over_tcp(&addr, "127.0.0.1", api, &spoofed).await;
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(statuses, vec![401, 401, 401, 429]);
    assert_eq!(still, 429);
    assert!(!has(&spoofed_headers, "strict-transport-security"));
    assert_eq!(other.0, 200);
    assert!(!has(&other.1, "retry-after"));
    assert_eq!(proxied, 200);
    assert!(has(&proxied_headers, "strict-transport-security"));
}
