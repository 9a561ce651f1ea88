//! Damaged and read-only index files: a generation is checked before it is served, a damaged
//! one is rebuilt at start and never switched to while serving, a panic answers the Catalan
//! 500 page, a read-only copy serves, and a generation changed in place does not kill the
//! server.

use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::time::Duration;

use xmess_kb::web::AppState;

use crate::support::{build_index, fixture, get_from, serve_logging_to};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_xmess-kb"));
    c.env_remove("XMESS_KB_CORPUS")
        .env_remove("XMESS_KB_INDEX")
        .env_remove("XMESS_KB_ADVISOR_TOKEN")
        .env_remove("XMESS_KB_ADVISOR_TOKEN_FILE")
        .env("RUST_BACKTRACE", "0");
    c
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

/// Builds `corpus` into `index` with the binary (one process per build, so that two builds
/// of one test never share a generation name) and returns the new generation.
fn publish(corpus: &Path, index: &Path) -> String {
    let out = bin()
        .args(["index", "--corpus", s(corpus), "--index", s(index)])
        .output()
        .expect("binary runs");
    assert!(out.status.success(), "{}", text(&out.stderr));
    current(index)
}

/// The one file with this extension in the public part of `generation`.
fn segment_file(index: &Path, generation: &str, extension: &str) -> PathBuf {
    let part = index.join(generation).join("public");
    let found: Vec<PathBuf> = fs::read_dir(&part)
        .expect("the public part")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == extension))
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    found.into_iter().next().expect("one file")
}

/// Inverts the bytes of the second quarter of `path`, in place (same file, same length).
fn damage(path: &Path) -> Vec<u8> {
    use std::io::{Seek, SeekFrom};
    let original = fs::read(path).expect("read");
    let (from, to) = (original.len() / 4, original.len() / 2);
    let flipped: Vec<u8> = original[from..to].iter().map(|b| !b).collect();
    let mut file = fs::OpenOptions::new()
        .write(true)
        .open(path)
        .expect("open for writing");
    file.seek(SeekFrom::Start(from as u64)).expect("seek");
    file.write_all(&flipped).expect("write");
    original
}

/// CRC-32 (IEEE), the checksum tantivy's file footers hold.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// [`damage`], then rewrites the file's footer so that its checksum matches the damaged
/// bytes: garbage that only opening or reading the file can find.
fn damage_with_valid_checksum(path: &Path) {
    damage(path);
    let bytes = fs::read(path).expect("read");
    // A footer is its JSON, then the JSON's length and a magic number, both u32 LE.
    let tail = bytes.len() - 8;
    let json_len = u32::from_le_bytes(bytes[tail..tail + 4].try_into().expect("4 bytes"));
    let body_end = tail - json_len as usize;
    let mut footer: serde_json::Value =
        serde_json::from_slice(&bytes[body_end..tail]).expect("a JSON footer");
    footer["crc"] = crc32(&bytes[..body_end]).into();
    let json = serde_json::to_vec(&footer).expect("JSON");
    let mut rewritten = bytes[..body_end].to_vec();
    rewritten.extend_from_slice(&json);
    rewritten.extend_from_slice(&(json.len() as u32).to_le_bytes());
    rewritten.extend_from_slice(&bytes[tail + 4..]);
    fs::write(path, rewritten).expect("write");
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

/// A running `serve` with its log in a file.
struct Server {
    child: Child,
    addr: String,
    log: tempfile::NamedTempFile,
}

impl Server {
    fn start(mut command: Command) -> Server {
        let log = tempfile::NamedTempFile::new().expect("log file");
        let file = log.reopen().expect("log file");
        command.env("XMESS_KB_RELOAD_MS", "50");
        let (child, addr) = serve_logging_to(command, file);
        Server { child, addr, log }
    }

    fn on(index: &Path, corpus: &Path) -> Server {
        let mut command = bin();
        command.args(["serve", "--index", s(index), "--corpus", s(corpus)]);
        Server::start(command)
    }

    fn get(&self, path: &str) -> (u16, String) {
        http_get(&self.addr, path)
            .unwrap_or_else(|e| panic!("{path}: no answer ({e}); log:\n{}", self.log()))
    }

    /// `GET /api/cerca?q=…`: the generation that answered and the total, after a 200.
    fn search(&self, q: &str) -> (String, u64) {
        let (status, body) = self.get(&format!("/api/cerca?q={q}"));
        assert_eq!(status, 200, "{body}\nlog:\n{}", self.log());
        let json: serde_json::Value = serde_json::from_str(&body).expect("JSON");
        let generation = json["generation"].as_str().expect("generation").to_string();
        (generation, json["total"].as_u64().expect("total"))
    }

    fn log(&self) -> String {
        fs::read_to_string(self.log.path()).unwrap_or_default()
    }

    fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.log()
    }
}

#[test]
fn a_damaged_file_at_start_is_rebuilt_from_the_corpus_and_served() {
    // A fast field panicked while opening, postings panicked in a search, a store answered 500
    // to a document: each is now found by its checksum before anything is served.
    for extension in ["fast", "idx", "store", "term", "pos", "fieldnorm"] {
        let index = build_index(&fixture("basic"));
        let damaged = current(index.path());
        let file = segment_file(index.path(), &damaged, extension);
        damage(&file);
        let server = Server::on(index.path(), &fixture("basic"));
        let (generation, total) = server.search("cures");
        assert_ne!(generation, damaged, "{extension}");
        assert!(total > 0, "{extension}");
        let (status, body) = server.get("/document/vic-cures");
        assert_eq!(status, 200, "{extension}: {body}");
        let (status, _) = server.get("/cerca?q=habitatge");
        assert_eq!(status, 200, "{extension}");
        assert_eq!(current(index.path()), generation);
        let log = server.stop();
        let name = file.file_name().expect("a name").to_string_lossy();
        assert!(
            log.contains(&damaged) && log.contains(name.as_ref()),
            "the log names neither the generation nor the file:\n{log}"
        );
        assert!(log.contains("torna a construir a partir de"), "{log}");
        assert!(!log.contains("panicked"), "{log}");
    }
}

#[test]
fn a_panic_while_opening_at_start_is_rebuilt_instead_of_exiting() {
    // Garbage whose checksum matches: only opening finds it, and tantivy panics doing so.
    let index = build_index(&fixture("basic"));
    let damaged = current(index.path());
    damage_with_valid_checksum(&segment_file(index.path(), &damaged, "fast"));
    let server = Server::on(index.path(), &fixture("basic"));
    let (generation, total) = server.search("cures");
    assert_ne!(generation, damaged);
    assert!(total > 0);
    let log = server.stop();
    assert!(log.contains(&damaged), "{log}");
    assert!(log.contains("torna a construir a partir de"), "{log}");
}

#[test]
fn a_damaged_index_and_a_broken_corpus_stop_serve_with_a_clear_error() {
    let index = build_index(&fixture("basic"));
    let damaged = current(index.path());
    damage(&segment_file(index.path(), &damaged, "fast"));
    let out: Output = bin()
        .args(["serve", "--addr", "127.0.0.1:0", "--index", s(index.path())])
        .args(["--corpus", s(&fixture("broken"))])
        .output()
        .expect("binary runs");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains(&damaged), "{err}");
    assert!(err.contains("no s'ha pogut construir l'índex"), "{err}");
    assert!(err.contains("unknown-muni.md:7:"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// A writable copy of the `basic` fixture.
fn corpus_copy() -> tempfile::TempDir {
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
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&fixture("basic"), dir.path());
    dir
}

fn add_document(corpus: &Path, n: usize) {
    let doc = format!(
        "+++\nid = \"afegida-{n}\"\ntipus = \"experiencia\"\ntitol = \"Experiència afegida {n}\"\n\
         municipis = [\"Vic\"]\ntemes = [\"cures\"]\nanys = \"2020\"\nfonts = [\"https://example.org/{n}\"]\n+++\n\
         Una cooperativa de cures de Vic.\n"
    );
    fs::write(corpus.join(format!("experiencies/afegida-{n}.md")), doc).expect("write");
}

async fn health(state: &AppState) -> serde_json::Value {
    let request = axum::http::Request::get("/salut")
        .body(axum::body::Body::empty())
        .expect("request");
    crate::support::send(state.clone(), request).await.json()
}

#[tokio::test]
async fn a_damaged_new_generation_is_never_switched_to() {
    let corpus = corpus_copy();
    let dir = tempfile::tempdir().expect("temp dir");
    let index = dir.path();
    let first = publish(corpus.path(), index);
    let state = AppState::open(index.to_path_buf()).expect("state");

    // A store damaged after the build opens like a good one, and every document it holds
    // answered 500: its checksum now keeps it out.
    add_document(corpus.path(), 1);
    let damaged = publish(corpus.path(), index);
    let store = segment_file(index, &damaged, "store");
    let original = damage(&store);
    assert!(
        !state
            .reload_if_changed()
            .expect("a damaged generation is not an error")
    );
    let json = health(&state).await;
    assert_eq!(json["generation"], first.as_str());
    assert_eq!(json["rejected_generation"], damaged.as_str(), "{json}");
    let rejected = state
        .rejected()
        .expect("the damaged generation is remembered");
    let name = store.file_name().expect("a name").to_string_lossy();
    assert!(rejected.error.contains(name.as_ref()), "{}", rejected.error);
    let search = crate::support::send(
        state.clone(),
        axum::http::Request::get("/api/cerca?q=cures")
            .body(axum::body::Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(search.status, 200);
    assert_eq!(search.json()["generation"], first.as_str());

    // Refused once, never tried again while CURRENT names it: not even repaired in place.
    fs::write(&store, original).expect("repair");
    assert!(!state.reload_if_changed().expect("no error"));
    assert_eq!(health(&state).await["generation"], first.as_str());

    // The next publication is taken.
    add_document(corpus.path(), 2);
    let next = publish(corpus.path(), index);
    assert!(state.reload_if_changed().expect("opens"));
    let json = health(&state).await;
    assert_eq!(json["generation"], next.as_str());
    assert!(json.get("rejected_generation").is_none(), "{json}");
    assert!(state.rejected().is_none());
}

#[test]
fn a_server_sees_a_damaged_generation_published_while_it_serves_and_keeps_the_previous() {
    let corpus = corpus_copy();
    let dir = tempfile::tempdir().expect("temp dir");
    let index = dir.path().join("index");
    let first = publish(corpus.path(), &index);
    let server = Server::on(&index, corpus.path());
    // Built and damaged elsewhere, then copied in and published as replicas are: the server
    // must never see it undamaged.
    add_document(corpus.path(), 1);
    let staging = tempfile::tempdir().expect("temp dir");
    let damaged = publish(corpus.path(), staging.path());
    let store = segment_file(staging.path(), &damaged, "store");
    damage(&store);
    let status = Command::new("cp")
        .arg("-r")
        .arg(staging.path().join(&damaged))
        .arg(&index)
        .status()
        .expect("cp");
    assert!(status.success());
    fs::write(index.join("CURRENT.tmp"), &damaged).expect("write");
    fs::rename(index.join("CURRENT.tmp"), index.join("CURRENT")).expect("publish");
    // Wait (bounded) until the server has looked at the new generation and said so.
    let mut rejected = serde_json::Value::Null;
    for _ in 0..600 {
        let (_, body) = server.get("/salut");
        let json: serde_json::Value = serde_json::from_str(&body).expect("JSON");
        if !json["rejected_generation"].is_null() {
            rejected = json;
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(rejected["generation"], first.as_str(), "{rejected}");
    assert_eq!(rejected["rejected_generation"], damaged.as_str());
    let (generation, _) = server.search("cures");
    assert_eq!(generation, first);
    let (status, body) = server.get("/document/vic-cures");
    assert_eq!(status, 200, "{body}");
    let log = server.stop();
    let warnings: Vec<&str> = log.lines().filter(|l| l.contains(&damaged)).collect();
    assert_eq!(warnings.len(), 1, "one warning, not one per poll:\n{log}");
    assert!(warnings[0].contains("WARN"), "{log}");
    let name = store.file_name().expect("a name").to_string_lossy();
    assert!(warnings[0].contains(name.as_ref()), "{log}");
}

#[test]
fn a_generation_changed_in_place_while_served_does_not_kill_the_server() {
    let corpus = corpus_copy();
    let dir = tempfile::tempdir().expect("temp dir");
    let index = dir.path().join("index");
    let served = publish(corpus.path(), &index);
    let server = Server::on(&index, corpus.path());
    let (_, total) = server.search("cures");
    // Truncated in place: with the files mapped, the next read was a SIGBUS.
    for entry in fs::read_dir(index.join(&served).join("public"))
        .expect("part")
        .flatten()
    {
        let path = entry.path();
        let is_segment = path.extension().is_some_and(|e| {
            ["idx", "pos", "store", "term", "fast", "fieldnorm"].contains(&e.to_str().unwrap_or(""))
        });
        if is_segment {
            let file = fs::OpenOptions::new()
                .write(true)
                .open(&path)
                .expect("open");
            file.set_len(0).expect("truncate");
        }
    }
    assert_eq!(server.search("cures"), (served.clone(), total));
    assert_eq!(server.search("habitatge+cooperatiu").0, served);
    let (status, body) = server.get("/document/vic-cures");
    assert_eq!(status, 200, "{body}");
    server.stop();
    // At the next start its checksums find the damage and the corpus is indexed again.
    let server = Server::on(&index, corpus.path());
    let (generation, again) = server.search("cures");
    assert_ne!(generation, served);
    assert_eq!(again, total);
    server.stop();
}

#[tokio::test]
async fn a_panic_in_a_search_answers_the_catalan_500_page_and_the_server_goes_on() {
    // Postings damaged with a matching checksum open fine and panic in a search.
    let index = build_index(&fixture("basic"));
    let generation = current(index.path());
    damage_with_valid_checksum(&segment_file(index.path(), &generation, "idx"));
    let page = get_from(index.path(), "/cerca?q=cures").await;
    assert_eq!(page.status, 500);
    assert!(page.body.contains("Hi ha hagut un error"), "{}", page.body);
    assert!(page.body.contains("<html"), "{}", page.body);
    let api = get_from(index.path(), "/api/cerca?q=cures").await;
    assert_eq!(api.status, 500);
    assert_eq!(api.json()["error"]["code"], "error_intern");
    let health = get_from(index.path(), "/salut").await;
    assert_eq!(health.status, 200);
}

/// Runs `command` as `nobody` when this is root (root ignores file permissions).
fn as_unprivileged(binary: &Path) -> Command {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| text(&o.stdout).trim() == "0");
    let mut command = if root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(binary);
        c
    } else {
        Command::new(binary)
    };
    command
        .env_remove("XMESS_KB_CORPUS")
        .env_remove("XMESS_KB_INDEX")
        .env_remove("XMESS_KB_ADVISOR_TOKEN")
        .env_remove("XMESS_KB_ADVISOR_TOKEN_FILE");
    command
}

/// Every path under `dir`, relative, sorted.
fn listing(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in fs::read_dir(dir).expect("read").flatten() {
            let path = entry.path();
            out.push(
                path.strip_prefix(root)
                    .expect("under the root")
                    .to_string_lossy()
                    .into_owned(),
            );
            if path.is_dir() {
                walk(root, &path, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

fn chmod_tree(path: &Path, directories: u32, files: u32) {
    use std::os::unix::fs::PermissionsExt;
    let mode = if path.is_dir() { directories } else { files };
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
    if path.is_dir() {
        for entry in fs::read_dir(path).expect("read").flatten() {
            chmod_tree(&entry.path(), directories, files);
        }
    }
}

#[test]
fn a_read_only_copy_of_a_valid_index_is_searched_and_served() {
    // Everything lives in one world-readable folder so that `nobody` can read it; the index
    // is readable and not writable by anyone but root, and as root the commands run as
    // `nobody`, for whom the permissions hold (a read-only mount behaves the same way).
    let dir = tempfile::tempdir().expect("temp dir");
    chmod_tree(dir.path(), 0o755, 0o644);
    let binary = dir.path().join("xmess-kb");
    fs::copy(env!("CARGO_BIN_EXE_xmess-kb"), &binary).expect("copy binary");
    let corpus = dir.path().join("corpus");
    let built = build_index(&fixture("basic"));
    let index = dir.path().join("index");
    let status = Command::new("cp")
        .args(["-r", s(built.path()), s(&index)])
        .status()
        .expect("cp");
    assert!(status.success());
    fs::create_dir_all(&corpus).expect("mkdir");
    // Lock files are what tantivy creates when it opens for reading: start without them.
    for path in listing(&index) {
        if path.contains(".tantivy-") {
            fs::remove_file(index.join(path)).expect("remove");
        }
    }
    chmod_tree(&index, 0o555, 0o444);
    chmod_tree(&binary, 0o755, 0o755);
    let before = listing(&index);

    let out = as_unprivileged(&binary)
        .args(["search", "--index", s(&index), "cures"])
        .output()
        .expect("search runs");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("vic-cures"),
        "{}",
        text(&out.stdout)
    );

    let mut command = as_unprivileged(&binary);
    command.args(["serve", "--index", s(&index), "--corpus", s(&corpus)]);
    let server = Server::start(command);
    let (_, total) = server.search("cures");
    assert!(total > 0);
    let (status, _) = server.get("/document/vic-cures");
    assert_eq!(status, 200);
    server.stop();

    chmod_tree(&index, 0o755, 0o644);
    assert_eq!(listing(&index), before, "opening the index wrote into it");
}

#[test]
fn a_served_generation_keeps_no_lock_and_writes_nothing_into_its_folder() {
    // As root, where permissions cannot show it: the folder holds after serving exactly
    // what it held before.
    let index = build_index(&fixture("basic"));
    for path in listing(index.path()) {
        if path.contains(".tantivy-") {
            fs::remove_file(index.path().join(path)).expect("remove");
        }
    }
    let before = listing(index.path());
    let server = Server::on(index.path(), &fixture("basic"));
    server.search("cures");
    server.stop();
    let out = bin()
        .args(["search", "--index", s(index.path()), "cures"])
        .output()
        .expect("search runs");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(listing(index.path()), before);
}
