//! The command line on fixture corpora, valid and broken.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use crate::support::{build_index, fixture, get_from};

fn xmess(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xmess-kb"))
        .args(args)
        .env_remove("XMESS_KB_CORPUS")
        .env_remove("XMESS_KB_INDEX")
        .output()
        .expect("binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[test]
fn check_reports_every_broken_file_with_its_line() {
    let corpus = fixture("broken");
    let out = xmess(&["check", "--corpus", path(&corpus)]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    let expect = [
        (
            "experiencies/unknown-muni.md:7:",
            "vols dir «Sant Cugat del Vallès»",
        ),
        ("experiencies/bad-key.md:6:", "clau desconeguda «color»"),
        (
            "experiencies/wrong-id.md:2:",
            "no coincideix amb el nom del fitxer",
        ),
        ("experiencies/empty-body.md:", "el cos del document és buit"),
        ("experiencies/unknown-theme.md:5:", "vols dir «Cures»?"),
        ("guies/dup-id.md:", "ja el fa servir"),
        (
            "experiencies/unterminated.md:1:",
            "les metadades no es tanquen",
        ),
        (
            "experiencies/dead-links.md:11:",
            "cap document del corpus té l'id «no-existeix»",
        ),
        (
            "experiencies/dead-links.md:13:",
            "enllaça el document intern «consulta-interna»",
        ),
    ];
    for (location, message) in expect {
        let line = err
            .lines()
            .find(|l| l.contains(location))
            .unwrap_or_else(|| panic!("no error for {location} in:\n{err}"));
        assert!(line.contains(message), "{line}");
    }
    assert!(err.contains("no s'ha publicat res"), "{err}");
    assert!(!err.contains("good.md"), "a valid file was reported: {err}");
    assert!(
        !err.contains("dead-links.md:9:") && !err.contains("consulta-interna.md"),
        "a valid link or record was reported: {err}"
    );
}

#[test]
fn a_broken_corpus_never_replaces_the_published_index() {
    let index = build_index(&fixture("basic"));
    let before = fs::read_to_string(index.path().join("CURRENT")).expect("published");
    let out = xmess(&[
        "index",
        "--corpus",
        path(&fixture("broken")),
        "--index",
        path(index.path()),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let after = fs::read_to_string(index.path().join("CURRENT")).expect("still published");
    assert_eq!(before, after);
    assert!(index.path().join(before.trim()).is_dir());
    let leftovers: Vec<_> = fs::read_dir(index.path())
        .expect("dir")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".building"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn non_utf8_bytes_are_reported_with_their_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let corpus = dir.path().join("corpus");
    fs::create_dir_all(corpus.join("experiencies")).expect("mkdir");
    fs::copy(
        fixture("basic").join("temes.toml"),
        corpus.join("temes.toml"),
    )
    .expect("copy");
    let mut bytes = b"+++\nid = \"latin1\"\ntipus = \"experiencia\"\ntitol = \"Cura\"\n".to_vec();
    bytes.extend_from_slice(
        b"temes = [\"Cures\"]\nfonts = [\"https://e.org\"]\n+++\nCo\xefperativa\n",
    );
    fs::write(corpus.join("experiencies/latin1.md"), bytes).expect("write");
    let out = xmess(&["check", "--corpus", path(&corpus)]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("latin1.md:8:") && err.contains("UTF-8"),
        "{err}"
    );
}

#[test]
fn check_prints_counts_for_a_valid_corpus() {
    let out = xmess(&["check", "--corpus", path(&fixture("basic"))]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("5 documents, 0 errors"), "{stdout}");
    assert!(stdout.contains("3  Cures"), "{stdout}");
    assert!(stdout.contains("2  Bages"), "{stdout}");
}

#[test]
fn dry_run_publishes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = xmess(&[
        "index",
        "--dry-run",
        "--corpus",
        path(&fixture("basic")),
        "--index",
        path(dir.path()),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let published = dir.path().join("CURRENT").try_exists();
    assert!(!published.expect("the folder is readable"));
}

#[tokio::test]
async fn search_json_is_exactly_the_api_json() {
    let index = build_index(&fixture("basic"));
    let out = xmess(&[
        "search",
        "--json",
        "--limit",
        "20",
        "--index",
        path(index.path()),
        "habitatge",
        "cooperatiu",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let cli: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(cli["total"].as_u64().unwrap_or(0) >= 2);
    assert!(cli["facets"]["tema"].is_array());
    let api = get_from(
        index.path(),
        "/api/cerca?q=habitatge+cooperatiu&per_pagina=20",
    )
    .await
    .json();
    assert_eq!(cli, api);
}

#[test]
fn every_subcommand_has_help() {
    for sub in ["index", "check", "search", "serve", "eval"] {
        let out = xmess(&[sub, "--help"]);
        assert_eq!(out.status.code(), Some(0), "{sub}");
        assert!(text(&out.stdout).contains("Usage"), "{sub}");
    }
}

#[test]
fn export_writes_public_documents_only_as_json_lines() {
    let out = xmess(&["export", "--corpus", path(&fixture("access"))]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    let ids: Vec<&str> = lines.iter().filter_map(|d| d["id"].as_str()).collect();
    assert_eq!(
        ids,
        vec!["vic-cooperativa-cures", "guia-cooperatives-habitatge"]
    );
    let vic = &lines[0];
    assert_eq!(vic["municipality"][0], "Vic");
    assert_eq!(vic["comarca"][0], "Osona");
    assert_eq!(vic["kind"], "experiencia");
    assert!(
        vic["body"]
            .as_str()
            .is_some_and(|b| b.contains("cooperativa"))
    );
}

#[test]
fn the_advisors_index_is_built_only_when_there_are_internal_records() {
    use xmess_kb::search::Engine;
    use xmess_kb::search::{Audience, SearchRequest};
    for (corpus, internal) in [("basic", false), ("access", true)] {
        let index = build_index(&fixture(corpus));
        let name = fs::read_to_string(index.path().join("CURRENT")).expect("published");
        let generation_dir = index.path().join(name.trim());
        assert!(generation_dir.join("public").is_dir());
        assert_eq!(
            generation_dir.join("advisor").is_dir(),
            internal,
            "{corpus}"
        );
        let g = Engine::open_current(index.path()).expect("opens");
        let all = |audience| {
            g.search(&SearchRequest::new("", audience))
                .expect("search")
                .total
        };
        assert_eq!(all(Audience::Advisor), g.info().documents, "{corpus}");
        assert_eq!(all(Audience::Public), g.info().public_documents, "{corpus}");
    }
}
