//! What an outsider can make the server do: answers bounded by a budget on the input,
//! Markdown that never links out of http(s) and mail, stable pages, Catalan errors for bad
//! paths. Server limits (timeouts, connection cap) are exercised over TCP here too; their
//! memory and time figures are in `scripts/soak`, not in tests.

use crate::support::{get_from, real_index, texts};

/// The largest selection the site accepts: 20 values, each of the longest length allowed,
/// in one facet, as an attacker would write it.
fn largest_accepted_selection() -> String {
    let values: Vec<String> = (0..20)
        .map(|i| format!("municipi={}{i:02}", "y".repeat(98)))
        .collect();
    format!("q=cooperativa&{}", values.join("&"))
}

#[tokio::test]
async fn a_selection_beyond_the_budget_is_a_catalan_400() {
    let one_more = format!("{}&tema=habitatge-cooperatiu", largest_accepted_selection());
    for path in ["/cerca", "/cerca/valors/municipi", "/mapa", "/cerca.csv"] {
        let reply = get_from(real_index(), &format!("{path}?{one_more}")).await;
        assert_eq!(reply.status, 400, "{path}");
        assert!(
            reply.body.contains("massa valors seleccionats"),
            "{path}: {}",
            reply.body
        );
    }
    // The reported attack: 50 values of 100 characters in each of 9 facets.
    let facets = [
        "tema",
        "tipus",
        "municipi",
        "comarca",
        "provincia",
        "mida",
        "any",
        "categoria",
        "colleccio",
    ];
    let attack: Vec<String> = facets
        .iter()
        .flat_map(|f| (0..50).map(move |i| format!("{f}={}{i:02}", "z".repeat(98))))
        .collect();
    let reply = get_from(real_index(), &format!("/cerca?{}", attack.join("&"))).await;
    assert_eq!(reply.status, 400);
    assert!(reply.body.len() < 20_000, "{} bytes", reply.body.len());
    let long = format!("/cerca?q=x&tema={}", "a".repeat(101));
    let reply = get_from(real_index(), &long).await;
    assert_eq!(reply.status, 400);
    assert!(reply.body.contains("és massa llarg"), "{}", reply.body);
    let api = get_from(real_index(), &format!("/api/cerca?{one_more}")).await;
    assert_eq!(api.status, 400);
    assert_eq!(
        api.json()["error"]["code"],
        "consulta_no_valida",
        "{}",
        api.body
    );
}

#[tokio::test]
async fn the_largest_accepted_selection_gives_a_bounded_page() {
    // Before the budget, 50 values in each of 9 facets made a 46.7 MB page from a 49.6 KB
    // URL: every link repeats the selection. Now the largest page is a few hundred KB.
    let query = largest_accepted_selection();
    for path in ["/cerca", "/cerca/valors/municipi", "/mapa"] {
        let reply = get_from(real_index(), &format!("{path}?{query}")).await;
        assert_eq!(reply.status, 200, "{path}");
        assert!(
            reply.body.len() < 400_000,
            "{path}: {} bytes from a {} byte query",
            reply.body.len(),
            query.len()
        );
    }
    let page = get_from(real_index(), &format!("/cerca?{query}"))
        .await
        .html();
    // Twenty chips to remove one value each, and one to remove them all.
    assert_eq!(texts(&page, ".chips a.chip").len(), 21);
}

#[tokio::test]
async fn the_same_document_page_offers_the_same_related_documents_every_time() {
    // More-like-this picked its words from a hash map: equal requests got one of two
    // lists. Every document of the real corpus, asked three times.
    let ids: Vec<String> = get_from(real_index(), "/api/cerca?per_pagina=100")
        .await
        .json()["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .filter_map(|h| h["id"].as_str().map(String::from))
        .take(40)
        .collect();
    assert_eq!(ids.len(), 40);
    for id in ids {
        let uri = format!("/document/{id}");
        let first = texts(&get_from(real_index(), &uri).await.html(), ".related a");
        for _ in 0..2 {
            let again = texts(&get_from(real_index(), &uri).await.html(), ".related a");
            assert_eq!(first, again, "{id}");
        }
    }
}

#[tokio::test]
async fn a_path_the_router_refuses_is_answered_in_catalan() {
    // Axum's own rejections were English text/plain.
    for path in ["/document/%FF", "/cerca/valors/%FF%FE"] {
        let reply = get_from(real_index(), path).await;
        assert_eq!(reply.status, 400, "{path}");
        let kind = reply.headers[axum::http::header::CONTENT_TYPE]
            .to_str()
            .expect("ascii");
        assert!(kind.starts_with("text/html"), "{path}: {kind}");
        assert!(
            texts(&reply.html(), "h1")
                .iter()
                .any(|h| h == "La petició no és vàlida"),
            "{path}: {}",
            reply.body
        );
    }
    let api = get_from(real_index(), "/api/document/%FF").await;
    assert_eq!(api.status, 400);
    assert_eq!(api.json()["error"]["code"], "peticio_no_valida");
    let state = xmess_kb::web::AppState::open(real_index().to_path_buf()).expect("state");
    let post = crate::support::send(
        state,
        axum::http::Request::post("/cerca")
            .body(axum::body::Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(post.status, 405);
    assert!(post.headers.contains_key(axum::http::header::ALLOW));
    assert!(
        post.body.contains("no accepta aquest tipus de petició"),
        "{}",
        post.body
    );
}

mod connections {
    //! Over TCP, against the real server: slow and idle clients are closed, a full server
    //! closes new connections instead of queueing them, and shutdown has a deadline.

    use std::io::{Read, Write};
    use std::net::TcpStream;
    use std::process::{Child, Command};
    use std::time::{Duration, Instant};

    use crate::support::{basic_index, fixture};

    /// `serve` over the shared basic index with extra environment.
    fn server(args: &[&str], env: &[(&str, &str)]) -> (Child, String) {
        let mut command = Command::new(env!("CARGO_BIN_EXE_xmess-kb"));
        command
            .arg("serve")
            .arg("--index")
            .arg(basic_index())
            .arg("--corpus")
            .arg(fixture("basic"))
            .args(args);
        for (name, value) in env {
            command.env(name, value);
        }
        crate::support::serve(command)
    }

    fn connect(addr: &str) -> TcpStream {
        let stream = TcpStream::connect(addr).expect("connects");
        // A guard against a hung test, not a measurement.
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .expect("timeout");
        stream
    }

    /// Whether the server closed the connection without answering (EOF or reset).
    fn closed_without_answer(stream: &mut TcpStream) -> bool {
        let mut buf = [0u8; 64];
        match stream.read(&mut buf) {
            Ok(0) => true,
            Ok(_) => false,
            Err(e) => matches!(
                e.kind(),
                std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted
            ),
        }
    }

    fn health(addr: &str) -> String {
        let mut stream = connect(addr);
        stream
            .write_all(b"GET /salut HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .expect("writes");
        let mut reply = String::new();
        let _ = stream.read_to_string(&mut reply);
        reply
    }

    fn stop(mut server: Child) {
        let _ = server.kill();
        let _ = server.wait();
    }

    #[test]
    fn a_client_that_sends_its_request_head_too_slowly_is_closed() {
        let (server, addr) = server(&[], &[("XMESS_KB_HEADER_TIMEOUT_MS", "300")]);
        let mut slow = connect(&addr);
        slow.write_all(b"GET / HTTP/1.1\r\nHo").expect("writes");
        let mut idle = connect(&addr);
        // Both are closed without an answer: before, they stayed open for as long as the
        // client wished.
        assert!(
            closed_without_answer(&mut slow),
            "the slow client is closed"
        );
        assert!(
            closed_without_answer(&mut idle),
            "the idle client is closed"
        );
        assert!(health(&addr).starts_with("HTTP/1.1 200"));
        stop(server);
    }

    #[test]
    fn a_full_server_closes_new_connections_and_serves_again_when_they_go() {
        let (server, addr) = server(
            &["--max-connections", "3"],
            &[("XMESS_KB_HEADER_TIMEOUT_MS", "1500")],
        );
        let held: Vec<TcpStream> = (0..3).map(|_| connect(&addr)).collect();
        // Accepted, given no slot, closed: not left waiting in the queue.
        let mut fourth = connect(&addr);
        fourth
            .write_all(b"GET /salut HTTP/1.1\r\nHost: x\r\n\r\n")
            .expect("writes");
        assert!(closed_without_answer(&mut fourth));
        drop(held);
        let started = Instant::now();
        let mut reply = String::new();
        while started.elapsed() < Duration::from_secs(20) {
            reply = health(&addr);
            if reply.starts_with("HTTP/1.1 200") {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
        stop(server);
    }

    #[cfg(unix)]
    #[test]
    fn shutdown_finishes_with_slow_clients_connected() {
        // Slow clients would keep their connections for a minute; shutdown does not wait
        // for them past its deadline.
        let (mut server, addr) = server(&[], &[("XMESS_KB_HEADER_TIMEOUT_MS", "60000")]);
        let mut slow: Vec<TcpStream> = (0..5).map(|_| connect(&addr)).collect();
        for client in &mut slow {
            client.write_all(b"GET / HTTP/1.1\r\nHo").expect("writes");
        }
        let status = Command::new("kill")
            .args(["-TERM", &server.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
        let started = Instant::now();
        let mut exit = None;
        while started.elapsed() < Duration::from_secs(40) && exit.is_none() {
            exit = server.try_wait().expect("wait");
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = server.kill();
        assert!(exit.is_some_and(|s| s.success()), "{exit:?}");
        for client in &mut slow {
            assert!(closed_without_answer(client));
        }
    }
}
