//! The real corpus: valid, complete against the source records, every theme used.

use std::collections::HashSet;
use std::path::Path;

use xmess_kb::corpus;
use xmess_kb::gazetteer::Gazetteer;

fn real_corpus() -> corpus::Corpus {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    corpus::load(&dir).unwrap_or_else(|e| panic!("the real corpus has errors:\n{e}"))
}

#[test]
fn every_source_record_has_a_document() {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sources/practices.jsonl");
    let text = std::fs::read_to_string(&source).unwrap_or_else(|e| {
        panic!(
            "{} is needed to check the corpus against its sources: {e}",
            source.display()
        )
    });
    let ids: HashSet<String> = real_corpus().documents.into_iter().map(|d| d.id).collect();
    let mut missing = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let record: serde_json::Value = serde_json::from_str(line).expect("JSON line");
        let id = record["id"].as_str().expect("id").to_string();
        if !ids.contains(&id) {
            missing.push(id);
        }
    }
    assert!(
        missing.is_empty(),
        "records without a document: {missing:?}"
    );
}

#[test]
fn themes_and_places_resolve_and_every_theme_is_used() {
    let corpus = real_corpus();
    let gazetteer = Gazetteer::get();
    for doc in &corpus.documents {
        assert!(!doc.themes.is_empty(), "{}", doc.id);
        for slug in &doc.themes {
            assert!(corpus.themes.by_slug(slug).is_some(), "{}: {slug}", doc.id);
        }
        for m in &doc.municipalities {
            assert_eq!(
                gazetteer.municipality(m).map(|g| &g.name),
                Some(m),
                "{}",
                doc.id
            );
        }
        assert!(!doc.sources.is_empty(), "{} cites no source", doc.id);
    }
    let n = corpus.themes.all().len();
    assert!((20..=30).contains(&n), "{n} themes");
    for theme in corpus.themes.all() {
        assert!(
            corpus
                .documents
                .iter()
                .any(|d| d.themes.contains(&theme.slug)),
            "theme «{}» has no document",
            theme.label
        );
    }
}

#[test]
fn no_two_documents_share_more_than_a_third_of_their_text() {
    let corpus = real_corpus();
    let pairs = corpus::shared_text(&corpus.documents);
    assert!(
        pairs.is_empty(),
        "documents sharing too much text: {pairs:?}"
    );
}
