//! Catalan matching on the real corpus: the way technicians type finds the right practice,
//! highlights show why, and the dev judgments keep their quality floor.

use std::path::Path;
use std::sync::OnceLock;

use xmess_kb::search::Engine;
use xmess_kb::search::{Audience, SearchRequest, SearchResults};

use crate::support;

fn real_index() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::open_current(support::real_index()).expect("index opens"))
}

fn search(query: &str) -> SearchResults {
    real_index()
        .search(&SearchRequest::new(query, Audience::Public))
        .expect("search runs")
}

fn top_ids(query: &str, n: usize) -> Vec<String> {
    search(query)
        .hits
        .into_iter()
        .take(n)
        .map(|h| h.id)
        .collect()
}

#[test]
fn typed_variants_find_the_same_first_practice() {
    // Accents, case, curly apostrophes and typos: every spelling puts the same practice first.
    for (variants, expected) in [
        (
            &[
                "sobirania alimentària",
                "sobirania alimentaria",
                "sobriania alimentaria",
            ][..],
            "navas-sobirania-alimentaria",
        ),
        (
            &[
                "cooperatives d'habitatge en cessió d'ús",
                "cooperatives d’habitatge en cessio d'us",
                "cooperativa d'habitatge en cesio d'us",
            ],
            "barcelona-la-borda-dret-superficie",
        ),
        (
            &[
                "comunalitats urbanes",
                "comunalitas urbanes",
                "COMUNALITATS URBANES",
            ],
            "programa-comunalitats-urbanes",
        ),
    ] {
        for query in variants {
            let ids = top_ids(query, 1);
            assert_eq!(ids, vec![expected.to_string()], "{query}");
        }
    }
}

#[test]
fn plurals_meet_singulars_and_comarcal_plans_beat_municipal_ones() {
    let ids = top_ids("plans estratègics comarcals", 2);
    for id in ["selva-pla-estrategic-ess", "bergueda-pla-estrategic-ess"] {
        assert!(ids.contains(&id.to_string()), "{id} not in {ids:?}");
    }
}

#[test]
fn synonyms_find_practices_that_never_use_the_query_words() {
    // The Terrassa record never says "fair trade town"; Artés says "sense interessos".
    let fair = top_ids("fair trade town", 10);
    assert!(
        fair.contains(&"terrassa-candidatura-comerc-just".to_string()),
        "{fair:?}"
    );
    let loans = top_ids("préstecs a interès zero", 3);
    assert!(
        loans.contains(&"artes-microcredits-ess".to_string()),
        "{loans:?}"
    );
}

#[test]
fn highlights_show_synonym_and_plural_matches_on_the_original_text() {
    let results = search("préstecs a interès zero");
    let artes = results
        .hits
        .iter()
        .find(|h| h.id == "artes-microcredits-ess")
        .expect("Artés is found");
    let marked = |hit: &xmess_kb::search::Hit| -> Vec<String> {
        hit.title
            .marked()
            .chain(hit.snippet.marked())
            .map(String::from)
            .collect()
    };
    let words: Vec<String> = marked(artes).iter().map(|w| w.to_lowercase()).collect();
    assert!(
        words.contains(&"interessos".to_string()) || words.contains(&"microcrèdits".to_string()),
        "{words:?}"
    );
    let plans = search("plans estratègics comarcals");
    let words = marked(&plans.hits[0]);
    assert!(words.contains(&"Pla".to_string()), "{words:?}");
    assert!(words.contains(&"estratègic".to_string()), "{words:?}");
}

#[test]
fn dev_judgments_keep_their_quality_floor() {
    let qrels = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/eval/dev.jsonl");
    let report = xmess_kb::eval::evaluate(real_index(), &qrels).expect("dev.jsonl is readable");
    // Measured 0.924 / 0.933, and over whole result sets SetP 0.761, SetR 0.847, SetF1
    // 0.772 (median set 7), when this floor was set; the margin absorbs corpus edits.
    let m = &report.mean;
    assert!(m.ndcg >= 0.90, "nDCG@10 fell to {:.3}", m.ndcg);
    assert!(m.success1 >= 0.90, "S@1 fell to {:.3}", m.success1);
    assert!(m.set_f1 >= 0.73, "SetF1 fell to {:.3}", m.set_f1);
    assert!(
        m.set_precision >= 0.70,
        "SetP fell to {:.3}",
        m.set_precision
    );
    assert!(m.set_recall >= 0.80, "SetR fell to {:.3}", m.set_recall);
    assert!(
        report.median_set <= 12,
        "median set of {}",
        report.median_set
    );
    for (kind, (_, m)) in &report.by_type {
        assert!(m.ndcg >= 0.70, "{kind}: nDCG@10 {:.3}", m.ndcg);
    }
}

#[test]
fn ranking_the_best_candidates_gives_the_page_scoring_every_match_gives() {
    // A window of every document scores every match; a window of twice the page keeps
    // only the candidates that WAND ranks best (over the terms, and over each multi-word
    // synonym's words), which must still give the same page. (A window of the page alone
    // does not: the phrase and coordination boosts reorder beyond it.)
    let index = real_index();
    let qrels = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/eval/dev.jsonl");
    let text = std::fs::read_to_string(qrels).expect("dev.jsonl is readable");
    let mut queries: Vec<String> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["query"].as_str().map(String::from))
        .collect();
    queries.extend([
        "\"moneda local\"".into(),
        "xmess".into(),
        "ESS -Barcelona".into(),
    ]);
    assert!(queries.len() >= 30, "the dev queries were read");
    for query in queries {
        let page = |window: usize| {
            let mut request = SearchRequest::new(&query, Audience::Public);
            request.per_page = 10;
            request.rescore_window = window;
            let results = index.search(&request).expect("search runs");
            let ids: Vec<String> = results.hits.into_iter().map(|h| h.id).collect();
            (results.total, ids)
        };
        let every = page(10_000);
        let small = page(20);
        assert_eq!(small, every, "{query}");
        assert!(every.0 > 0, "{query} finds something");
    }
}
