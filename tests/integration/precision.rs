//! Result sets on the real corpus: every concept of a query counts, places are places, the
//! documents matching only part of a query stay apart and uncounted, unknown words are said.

use crate::support::{attrs, get_from, real_index, texts};

async fn page(uri: &str) -> scraper::Html {
    let reply = get_from(real_index(), uri).await;
    assert_eq!(reply.status, 200, "{uri}");
    reply.html()
}

async fn json(uri: &str) -> serde_json::Value {
    get_from(real_index(), uri).await.json()
}

fn total(json: &serde_json::Value) -> u64 {
    json["total"].as_u64().expect("a total")
}

#[tokio::test]
async fn a_filter_that_leaves_nothing_offers_the_search_without_it() {
    // No small town has a local currency: the answer is none here, and how many without
    // the size filter, not the documents that say only "local" or "social".
    let everywhere = total(&json("/api/cerca?q=moneda+local").await);
    assert!(everywhere >= 3, "{everywhere}");
    let html = page("/cerca?q=moneda+local&mida=5k-20k").await;
    let summary = texts(&html, ".summary");
    assert!(
        summary[0].starts_with("Cap resultat per «moneda local»"),
        "{summary:?}"
    );
    let expected = format!(
        "Sense el filtre Mida del municipi: De 5.000 a 20.000 habitants: {everywhere} resultats"
    );
    assert!(
        texts(&html, ".relaxed li").contains(&expected),
        "{:?}",
        texts(&html, ".relaxed li")
    );
    assert!(
        texts(&html, ".partial").is_empty(),
        "no partial matches when a filter is the cause"
    );
    let api = json("/api/cerca?q=moneda+local&mida=5k-20k").await;
    assert_eq!(total(&api), 0);
}

#[tokio::test]
async fn a_town_named_in_the_query_finds_that_town_not_the_word_sant() {
    let found = json("/api/cerca?q=sant+cugat&per_pagina=100").await;
    let hits = found["hits"].as_array().expect("hits");
    assert!((1..=3).contains(&hits.len()), "{}", hits.len());
    assert_eq!(total(&found) as usize, hits.len());
    for hit in hits {
        let towns: Vec<&str> = hit["municipalities"]
            .as_array()
            .expect("towns")
            .iter()
            .filter_map(|t| t.as_str())
            .collect();
        assert!(
            towns.is_empty() || towns.iter().any(|t| t.starts_with("Sant Cugat")),
            "{}: {towns:?}",
            hit["id"]
        );
    }
    let located = hits.iter().any(|h| {
        h["why"].as_array().is_some_and(|why| {
            why.iter().any(|m| {
                m["how"]
                    .as_array()
                    .is_some_and(|how| how.iter().any(|h| h["kind"] == "place"))
            })
        })
    });
    assert!(located, "a hit located in Sant Cugat says so");
}

#[tokio::test]
async fn every_word_counts_in_the_totals() {
    // Before: 63 and 101 documents, any of which shared one word.
    for (query, at_most) in [("habitatge+cooperatiu", 20), ("clausules+socials", 20)] {
        let n = total(&json(&format!("/api/cerca?q={query}")).await);
        assert!((1..=at_most).contains(&n), "{query}: {n}");
    }
}

#[tokio::test]
async fn documents_matching_only_part_of_the_query_are_apart_and_not_counted() {
    let api = json("/api/cerca?q=cures+osona").await;
    assert_eq!(total(&api), 0);
    assert!(api["hits"].as_array().expect("hits").is_empty());
    for values in api["facets"].as_object().expect("facets").values() {
        for v in values.as_array().expect("values") {
            assert_eq!(v["count"], 0, "facets count only whole matches: {v}");
        }
    }
    let relaxed = &api["relaxed"];
    assert!(relaxed["total"].as_u64().expect("a total") > 0);
    assert_eq!(
        (relaxed["matched"].as_u64(), relaxed["of"].as_u64()),
        (Some(1), Some(2))
    );
    let html = page("/cerca?q=cures+osona").await;
    assert_eq!(
        texts(&html, "#parcials-titol"),
        vec!["Cap document no conté totes les paraules; aquests en contenen la major part"]
    );
    let missing = texts(&html, ".partial .missing");
    assert!(!missing.is_empty());
    assert!(
        missing.iter().all(|m| m.starts_with("Falta: «")),
        "{missing:?}"
    );
    assert!(texts(&html, ".summary")[0].starts_with("Cap resultat"));
}

#[tokio::test]
async fn a_word_no_document_holds_is_said_with_what_was_searched() {
    let html = page("/cerca?q=kwyjibo+cooperativa").await;
    assert_eq!(
        texts(&html, ".unknown"),
        vec!["No hem trobat «kwyjibo» en cap document: hem cercat «cooperativa»."]
    );
    let api = json("/api/cerca?q=kwyjibo+cooperativa").await;
    assert_eq!(api["unknown"], serde_json::json!(["kwyjibo"]));
    assert_eq!(api["concepts"], serde_json::json!(["cooperativa"]));
}

#[tokio::test]
async fn spanish_and_english_are_searched_as_the_catalan_they_mean() {
    // «vivienda» was dropped as unknown and «community energy» found nothing.
    for (foreign, catalan) in [
        ("vivienda+cooperativa", "habitatge+cooperatiu"),
        ("viviendas+cooperativas", "habitatge+cooperatiu"),
        ("cooperative+housing", "habitatge+cooperatiu"),
        ("community+energy", "comunitat+energetica"),
        ("social+clauses", "clausules+socials"),
        ("comedores+escolares", "menjadors+escolars"),
        ("local+currency", "moneda+local"),
    ] {
        let api = json(&format!("/api/cerca?q={foreign}&per_pagina=100")).await;
        let expected = json(&format!("/api/cerca?q={catalan}&per_pagina=100")).await;
        assert!(total(&expected) > 0, "{catalan}");
        assert_eq!(total(&api), total(&expected), "{foreign} as {catalan}");
        assert_eq!(api["hits"][0]["id"], expected["hits"][0]["id"], "{foreign}");
        assert_eq!(api["unknown"], serde_json::json!([]), "{foreign}");
        assert_eq!(
            api["translated"][0]["from"],
            foreign.replace('+', " "),
            "{foreign}"
        );
    }
    let html = page("/cerca?q=vivienda+cooperativa").await;
    assert_eq!(
        texts(&html, ".translated"),
        vec!["Hem cercat «habitatge cooperatiu» per «vivienda cooperativa»."]
    );
    assert!(
        texts(&html, ".did-you-mean").is_empty(),
        "no typo to correct"
    );
    // Words the index holds stay as typed, even when Spanish spells them alike.
    let social = json("/api/cerca?q=economia+social").await;
    assert_eq!(social["translated"], serde_json::json!([]));
}

#[tokio::test]
async fn each_hit_says_why_it_is_a_result() {
    let html = page("/cerca?q=CCPR").await;
    let why = texts(&html, ".hit .why li");
    assert!(!why.is_empty());
    assert!(
        why.iter()
            .any(|w| w.contains("sinònim") || w.contains("etiquetat")),
        "an acronym is found through what it stands for: {why:?}"
    );
    assert!(!attrs(&html, ".hit details.why", "class").is_empty());
}

#[tokio::test]
async fn a_multi_word_synonym_is_highlighted_whole() {
    let api = json("/api/cerca?q=moneda+local&per_pagina=100").await;
    for hit in api["hits"].as_array().expect("hits") {
        let snippet = hit["snippet"].as_str().unwrap_or("").to_lowercase();
        for alone in ["<mark>social</mark>", "<mark>socials</mark>"] {
            assert!(!snippet.contains(alone), "{}: {snippet}", hit["id"]);
        }
    }
}

#[tokio::test]
async fn a_modifier_after_a_specific_head_may_be_missing_and_is_said() {
    // The local currencies that never say "digital" are answers to «monedes locals
    // digitals»: the words after the head of a phrase narrow it.
    let api = json("/api/cerca?q=monedes+locals+digitals&per_pagina=100").await;
    let hits = api["hits"].as_array().expect("hits");
    let missing_digital: Vec<&str> = hits
        .iter()
        .filter(|h| h["missing"] == serde_json::json!(["digitals"]))
        .filter_map(|h| h["id"].as_str())
        .collect();
    assert!(
        missing_digital.contains(&"monedes-locals-municipals-catalunya"),
        "{missing_digital:?}"
    );
    assert!(hits.len() < missing_digital.len() + 5, "{}", hits.len());
    for hit in hits {
        // A hit matching every concept carries no `missing`.
        let missing = hit["missing"].as_array().cloned().unwrap_or_default();
        assert!(
            !missing.contains(&serde_json::json!("monedes locals")),
            "the head is never missing: {}",
            hit["id"]
        );
    }
    // «digitals» is another number of an indexed word, not a typo to correct.
    let html = page("/cerca?q=monedes+locals+digitals").await;
    assert!(
        texts(&html, ".did-you-mean").is_empty(),
        "{:?}",
        texts(&html, ".did-you-mean")
    );
    // A common head is not specific enough to stand without its modifier: «espai de
    // cotreball» never becomes any «espai».
    let espai = json("/api/cerca?q=espai+cotreball&per_pagina=100").await;
    for hit in espai["hits"].as_array().expect("hits") {
        assert!(hit["missing"].is_null(), "{}", hit["id"]);
    }
}
