//! Micro-benchmarks of the query path on the real corpus (122 documents), for quick before/after
//! comparisons of one step: `cargo bench --bench search`. The scale runs (1k to 100k documents,
//! HTTP, peers) are `scripts/bench`; see BENCHMARKS.md.

use std::path::Path;
use std::sync::LazyLock;

use xmess_kb::index::BuildOptions;
use xmess_kb::search::{Audience, Engine, SearchRequest, snippet};

/// One query of each kind of the dev set.
const QUERIES: &[&str] = &[
    "clàusules socials",
    "habitatge cooperatiu cessio d'us",
    "plans estratègics comarcals",
    "fira ESS",
    "moneda local",
    "cooperatives d'habitatge Manresa",
    "coperativisme",
    "com ajudar les entitats d'ESS a sortir de la crisi de la covid",
];

/// The real corpus indexed once into a temporary folder, kept for the whole run.
static INDEX: LazyLock<(tempfile::TempDir, Engine)> = LazyLock::new(|| {
    let dir = tempfile::tempdir().expect("a temporary folder for the benchmark index");
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let options = BuildOptions {
        corpus,
        index: dir.path().to_path_buf(),
        dry_run: false,
    };
    xmess_kb::search::build(&options, &mut |_| {}).expect("the project's corpus builds");
    let engine = Engine::open_current(dir.path()).expect("the new index opens");
    (dir, engine)
});

fn engine() -> &'static Engine {
    &INDEX.1
}

fn main() {
    divan::main();
}

/// Text → parsed words → the parts of a query (no search).
#[divan::bench(args = QUERIES)]
fn parse_and_build(bencher: divan::Bencher, q: &str) {
    let engine = engine();
    bencher.bench(|| engine.build_query(divan::black_box(q), Audience::Public));
}

/// Highlighted snippet of the longest public body for a query.
#[divan::bench(args = QUERIES)]
fn snippet_of_a_body(bencher: divan::Bencher, q: &str) {
    let engine = engine();
    let spec = engine.build_query(q, Audience::Public).spec;
    let mut request = SearchRequest::new("", Audience::Public);
    request.per_page = 100;
    let body = engine
        .search(&request)
        .expect("listing the corpus")
        .hits
        .iter()
        .filter_map(|h| engine.document(&h.id, Audience::Public).ok().flatten())
        .map(|d| d.plain_body())
        .max_by_key(String::len)
        .unwrap_or_default();
    bencher.bench(|| snippet::snippet(divan::black_box(&body), &spec, 240));
}

/// The full public search: query, facets, ten hits with snippets.
#[divan::bench(args = QUERIES)]
fn full_search(bencher: divan::Bencher, q: &str) {
    let engine = engine();
    let mut request = SearchRequest::new(q, Audience::Public);
    request.per_page = 10;
    bencher.bench(|| engine.search(divan::black_box(&request)).expect("search"));
}
