//! Micro-benchmarks of the query path on the real corpus (122 documents), for quick before/after
//! comparisons of one step: `cargo bench --bench search`. The scale runs (1k to 100k documents,
//! HTTP, peers) are `scripts/bench`; see BENCHMARKS.md.

use std::path::Path;
use std::sync::LazyLock;

use xmess_kb::index::{BuildOptions, Generation};
use xmess_kb::search::{Audience, SearchRequest, query, snippet};

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
static INDEX: LazyLock<(tempfile::TempDir, Generation)> = LazyLock::new(|| {
    let dir = tempfile::tempdir().expect("a temporary folder for the benchmark index");
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    xmess_kb::index::build(&BuildOptions {
        corpus,
        index: dir.path().to_path_buf(),
        dry_run: false,
    })
    .expect("the project's corpus builds");
    let generation = Generation::open_current(dir.path()).expect("the new index opens");
    (dir, generation)
});

fn generation() -> &'static Generation {
    &INDEX.1
}

fn main() {
    divan::main();
}

/// Text → parsed words → tantivy query (no search).
#[divan::bench(args = QUERIES)]
fn parse_and_build(bencher: divan::Bencher, q: &str) {
    let g = generation();
    let part = g.part(Audience::Public);
    let searcher = part.reader.searcher();
    let vocabulary = part.vocabulary(&searcher);
    bencher.bench(|| {
        query::build(
            &query::parse(divan::black_box(q)),
            &part.fields,
            &g.synonyms,
            &vocabulary,
        )
    });
}

/// Highlighted snippet of the longest public body for a query.
#[divan::bench(args = QUERIES)]
fn snippet_of_a_body(bencher: divan::Bencher, q: &str) {
    let g = generation();
    let part = g.part(Audience::Public);
    let searcher = part.reader.searcher();
    let vocabulary = part.vocabulary(&searcher);
    let spec = query::build(&query::parse(q), &part.fields, &g.synonyms, &vocabulary).spec;
    let mut request = SearchRequest::new("", Audience::Public);
    request.per_page = 100;
    let body = g
        .search(&request)
        .expect("listing the corpus")
        .hits
        .iter()
        .filter_map(|h| g.document(&h.id, Audience::Public).ok().flatten())
        .map(|d| d.plain_body())
        .max_by_key(String::len)
        .unwrap_or_default();
    bencher.bench(|| snippet::snippet(divan::black_box(&body), &spec, 240));
}

/// The full public search: query, facets, ten hits with snippets.
#[divan::bench(args = QUERIES)]
fn full_search(bencher: divan::Bencher, q: &str) {
    let g = generation();
    let mut request = SearchRequest::new(q, Audience::Public);
    request.per_page = 10;
    bencher.bench(|| g.search(divan::black_box(&request)).expect("search"));
}
