//! Rebuilding while serving: interrupted and concurrent builds, unwritable index folders,
//! corpus edge cases, and a server under load while the index is rebuilt.

use std::collections::HashMap;
use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use xmess_kb::search::Engine;
use xmess_kb::search::{Audience, SearchRequest};

use crate::support::{build_index, fixture};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_xmess-kb"));
    c.env_remove("XMESS_KB_CORPUS")
        .env_remove("XMESS_KB_INDEX")
        .env_remove("XMESS_KB_ADVISOR_TOKEN")
        .env_remove("XMESS_KB_ADVISOR_TOKEN_FILE");
    c
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("binary runs")
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn current(index: &Path) -> String {
    fs::read_to_string(index.join("CURRENT"))
        .expect("a published generation")
        .trim()
        .to_string()
}

fn scratch_dirs(index: &Path) -> Vec<String> {
    fs::read_dir(index)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with(".building-"))
                .collect()
        })
        .unwrap_or_default()
}

/// Polls until `done` holds; panics after `limit` (a guard against hangs, not a timing check).
fn wait_until(limit: Duration, what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// A copy of the `basic` fixture with `extra` more experiences: a corpus whose build takes
/// long enough to be interrupted, or whose size tells generations apart.
fn corpus_with(extra: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&fixture("basic"), dir.path());
    add_documents(dir.path(), 0, extra);
    dir
}

fn add_documents(corpus: &Path, from: usize, count: usize) {
    let folder = corpus.join("experiencies");
    fs::create_dir_all(&folder).expect("mkdir");
    for n in from..from + count {
        let body = format!(
            "La cooperativa número {n} de Vic ofereix serveis de cures i d'habitatge cooperatiu. \
             Treballa amb l'Ajuntament, les entitats del barri i la moneda local des de {}.\n",
            2000 + n % 25
        )
        .repeat(6);
        let doc = format!(
            "+++\nid = \"generada-{n}\"\ntipus = \"experiencia\"\ntitol = \"Experiència generada {n}\"\n\
             municipis = [\"Vic\"]\ntemes = [\"cures\"]\nanys = \"{}\"\nfonts = [\"https://example.org/{n}\"]\n+++\n{body}",
            2000 + n % 25
        );
        fs::write(folder.join(format!("generada-{n}.md")), doc).expect("write");
    }
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for entry in fs::read_dir(from).expect("read").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// One large corpus shared by the tests that need a build in progress.
fn large_corpus() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| corpus_with(6000)).path()
}

/// Starts `index` on the large corpus and returns once it holds the lock and writes.
fn start_large_build(index: &Path) -> Child {
    let child = bin()
        .args(["index", "--corpus", s(large_corpus()), "--index", s(index)])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    wait_until(
        Duration::from_secs(120),
        "the build to start writing",
        || !scratch_dirs(index).is_empty(),
    );
    child
}

fn assert_serves(index: &Path, generation: &str) {
    assert_eq!(current(index), generation);
    let g = Engine::open_current(index).expect("the published generation opens");
    let results = g
        .search(&SearchRequest::new("cures", Audience::Public))
        .expect("it searches");
    assert!(results.total > 0);
}

#[test]
fn a_build_killed_halfway_leaves_the_published_index_serving() {
    let index = build_index(&fixture("basic"));
    let before = current(index.path());
    let mut child = start_large_build(index.path());
    child.kill().expect("SIGKILL");
    let status = child.wait().expect("reaped");
    assert!(
        !status.success(),
        "the build finished before it could be killed"
    );
    assert_serves(index.path(), &before);
    // The lock died with the process: the next build runs and clears the leftovers.
    let out = run(&[
        "index",
        "--corpus",
        s(&fixture("basic")),
        "--index",
        s(index.path()),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_ne!(current(index.path()), before);
    assert!(
        scratch_dirs(index.path()).is_empty(),
        "{:?}",
        scratch_dirs(index.path())
    );
}

#[test]
fn a_second_build_at_the_same_time_is_refused_clearly() {
    let index = build_index(&fixture("basic"));
    let before = current(index.path());
    let mut first = start_large_build(index.path());
    let second = run(&[
        "index",
        "--corpus",
        s(&fixture("basic")),
        "--index",
        s(index.path()),
    ]);
    let _ = first.kill();
    let _ = first.wait();
    assert_eq!(second.status.code(), Some(1));
    let err = text(&second.stderr);
    assert!(
        err.contains("un altre `xmess-kb index` està construint"),
        "{err}"
    );
    assert_serves(index.path(), &before);
}

#[test]
fn an_index_folder_that_cannot_be_created_is_reported() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("a-file");
    fs::write(&file, "not a folder").expect("write");
    let index = file.join("index");
    let out = run(&[
        "index",
        "--corpus",
        s(&fixture("basic")),
        "--index",
        s(&index),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("no es pot crear la carpeta de l'índex") && err.contains(s(&index)),
        "{err}"
    );
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| text(&o.stdout).trim() == "0")
}

#[test]
fn a_read_only_index_folder_fails_without_touching_the_published_index() {
    use std::os::unix::fs::PermissionsExt;
    let mode =
        |p: &Path, m: u32| fs::set_permissions(p, fs::Permissions::from_mode(m)).expect("chmod");
    // Everything the build needs lives in one world-readable folder, so that an
    // unprivileged user can run it (the clone and target folders may be private).
    let dir = tempfile::tempdir().expect("temp dir");
    mode(dir.path(), 0o755);
    let corpus = dir.path().join("corpus");
    copy_dir(&fixture("basic"), &corpus);
    let binary = dir.path().join("xmess-kb");
    fs::copy(env!("CARGO_BIN_EXE_xmess-kb"), &binary).expect("copy binary");
    mode(&binary, 0o755);
    let index = dir.path().join("index");
    let args = ["index", "--corpus", s(&corpus), "--index", s(&index)];
    assert!(run(&args).status.success());
    let before = current(&index);
    mode(&index, 0o555);
    // Root ignores permissions, so as root the build runs as `nobody` (util-linux setpriv).
    let out = if is_root() {
        Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&binary)
            .args(args)
            .output()
            .expect("setpriv (util-linux) runs")
    } else {
        Command::new(&binary).args(args).output().expect("runs")
    };
    mode(&index, 0o755);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("no es pot crear {}", s(&index.join(".lock")))),
        "{err}"
    );
    assert!(err.contains("comproveu els permisos"), "{err}");
    assert_serves(&index, &before);
}

#[test]
fn corpus_edge_cases_are_accepted_or_reported_with_file_and_line() {
    let dir = corpus_with(0);
    let corpus = dir.path();
    let folder = corpus.join("experiencies");
    // BOM, CRLF and NFD text are normalised, not rejected.
    let nfd_title = "Cooperacio\u{301} i coope\u{300}ratives";
    let doc = format!(
        "\u{feff}+++\r\nid = \"bom-crlf-nfd\"\r\ntipus = \"experiencia\"\r\ntitol = \"{nfd_title}\"\r\n\
         municipis = [\"Vic\"]\r\ntemes = [\"cures\"]\r\nfonts = [\"https://example.org/x\"]\r\n+++\r\n\
         Text amb salts de línia de Windows.\r\n"
    );
    fs::write(folder.join("bom-crlf-nfd.md"), doc).expect("write");
    fs::write(corpus.join("notes.txt"), "not a document").expect("write");
    fs::write(folder.join("foto.png"), [0x89, b'P', b'N', b'G']).expect("write");
    let out = run(&["check", "--verbose", "--corpus", s(corpus)]);
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("notes.txt") && err.contains("foto.png"),
        "{err}"
    );
    let index = build_index(corpus);
    let g = Engine::open_current(index.path()).expect("opens");
    let doc = g
        .document("bom-crlf-nfd", Audience::Public)
        .expect("lookup")
        .expect("indexed");
    assert_eq!(
        doc.title,
        "Cooperació i cooperatives".replace("coope", "coopè")
    );
    let hits = g
        .search(&SearchRequest::new("cooperació", Audience::Public))
        .expect("search");
    assert!(hits.hits.iter().any(|h| h.id == "bom-crlf-nfd"));

    // Broken files: each one named, with its line.
    fs::write(folder.join("buit.md"), "").expect("write");
    let big = "+++\nid = \"gros\"\n+++\n".to_string() + &"x".repeat(20 * 1024 * 1024);
    fs::write(folder.join("gros.md"), big).expect("write");
    std::os::unix::fs::symlink("..", folder.join("bucle")).expect("symlink");
    std::os::unix::fs::symlink("no-existeix.md", folder.join("trencat.md")).expect("symlink");
    let out = run(&["check", "--corpus", s(corpus)]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    for (file, message) in [
        ("buit.md:1:", "el fitxer és buit"),
        ("gros.md:1:", "el màxim és"),
        ("bucle:1:", "bucle"),
        ("trencat.md:1:", "enllaç simbòlic"),
    ] {
        let line = err
            .lines()
            .find(|l| l.contains(file))
            .unwrap_or_else(|| panic!("no error for {file}:\n{err}"));
        assert!(line.contains(message), "{line}");
    }
    assert!(
        !err.contains("bom-crlf-nfd"),
        "a valid file was reported:\n{err}"
    );
}

/// A minimal HTTP/1.1 GET over loopback: (status, body).
fn http_get(addr: &str, path: &str) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let status = raw
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = raw
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    Ok((status, body))
}

fn sigterm(child: &Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
}

#[test]
fn searches_never_fail_while_the_index_is_rebuilt_and_sigterm_stops_cleanly() {
    let corpus = corpus_with(0);
    let index_dir = tempfile::tempdir().expect("temp dir");
    let index = index_dir.path().join("index");
    let build = |corpus: &Path| {
        let out = run(&["index", "--corpus", s(corpus), "--index", s(&index)]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let name = current(&index);
        let info: serde_json::Value = serde_json::from_str(
            &fs::read_to_string(index.join(&name).join("xmess-build.json")).expect("info"),
        )
        .expect("json");
        (name, info["public_documents"].as_u64().expect("count"))
    };
    let mut expected: HashMap<String, u64> = HashMap::new();
    let (name, count) = build(corpus.path());
    expected.insert(name, count);

    let (mut server, addr) = start_server(&index, corpus.path());

    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let clients: Vec<_> = (0..4)
        .map(|i| {
            let addr = addr.clone();
            let stop = stop.clone();
            std::thread::spawn(move || {
                let path = if i % 2 == 0 {
                    "/api/cerca?per_pagina=1"
                } else {
                    "/api/cerca?q=cures&per_pagina=1"
                };
                let mut seen = Vec::new();
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    seen.push((path, http_get(&addr, path)));
                }
                seen
            })
        })
        .collect();

    for round in 1..=4 {
        add_documents(corpus.path(), round * 10, round);
        let (name, count) = build(corpus.path());
        expected.insert(name.clone(), count);
        // Let the server pick this generation up and serve it for a while.
        wait_until(Duration::from_secs(30), "the server to reload", || {
            http_get(&addr, "/salut").is_ok_and(|(_, body)| body.contains(&name))
        });
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);

    let mut generations_seen = std::collections::HashSet::new();
    let mut requests = 0;
    for client in clients {
        for (path, result) in client.join().expect("client thread") {
            requests += 1;
            let (status, body) =
                result.unwrap_or_else(|e| panic!("{path}: connection failed: {e}"));
            assert_eq!(status, 200, "{path}: {body}");
            let json: serde_json::Value = serde_json::from_str(&body).expect("JSON");
            let generation = json["generation"].as_str().expect("generation").to_string();
            let count = expected
                .get(&generation)
                .unwrap_or_else(|| panic!("answer from unknown generation {generation}"));
            if path.ends_with("?per_pagina=1") {
                // Every document matches the empty query: the total is that generation's.
                assert_eq!(json["total"].as_u64(), Some(*count), "{generation}");
            }
            generations_seen.insert(generation);
        }
    }
    assert!(requests > 0);
    assert!(generations_seen.len() >= 2, "saw only {generations_seen:?}");

    sigterm(&server);
    let mut status = None;
    wait_until(Duration::from_secs(30), "the server to stop", || {
        status = server.try_wait().expect("wait");
        status.is_some()
    });
    assert!(status.is_some_and(|s| s.success()), "{status:?}");
}

/// Starts `serve` on a free port of loopback over `index`; returns it and its address.
fn start_server(index: &Path, corpus: &Path) -> (Child, String) {
    let mut command = bin();
    command
        .args(["serve", "--index", s(index), "--corpus", s(corpus)])
        .env("XMESS_KB_RELOAD_MS", "50");
    crate::support::serve(command)
}

#[test]
fn two_servers_reading_one_index_folder_both_switch_to_a_new_generation() {
    // What replicas behind a load balancer do with a copied index folder.
    let corpus = corpus_with(0);
    let index_dir = tempfile::tempdir().expect("temp dir");
    let index = index_dir.path().join("index");
    let build = || {
        let out = run(&["index", "--corpus", s(corpus.path()), "--index", s(&index)]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        current(&index)
    };
    let first = build();
    let servers = [
        start_server(&index, corpus.path()),
        start_server(&index, corpus.path()),
    ];
    for (_, addr) in &servers {
        let (_, body) = http_get(addr, "/salut").expect("health");
        assert!(body.contains(&first), "{body}");
    }
    add_documents(corpus.path(), 50, 2);
    let second = build();
    assert_ne!(first, second);
    for (_, addr) in &servers {
        wait_until(Duration::from_secs(30), "both servers to switch", || {
            http_get(addr, "/salut").is_ok_and(|(_, body)| body.contains(&second))
        });
        let (status, body) = http_get(addr, "/api/cerca?per_pagina=1").expect("search");
        assert_eq!(status, 200);
        assert!(body.contains(&second), "{body}");
    }
    for (mut server, _) in servers {
        sigterm(&server);
        let _ = server.wait();
    }
}
