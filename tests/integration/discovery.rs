//! Discovery on the `basic` fixture: zero-results rescue, "vols dir", the facet value
//! pages, year ranges, the document page's trail and related documents, exports, the map
//! and suggestions. Every check reads parsed HTML or JSON.

use crate::support::{attrs, get, texts};

#[tokio::test]
async fn zero_results_offer_the_search_without_each_filter_and_the_themes() {
    let html = get("/cerca?q=moneda&comarca=Priorat").await.html();
    assert_eq!(
        texts(&html, ".summary")[0],
        "Cap resultat per «moneda» · Comarca: Priorat"
    );
    let relaxed = texts(&html, ".relaxed li");
    assert!(
        relaxed
            .iter()
            .any(|l| l.starts_with("Sense el filtre Comarca: Priorat: 1 resultat")),
        "{relaxed:?}"
    );
    assert!(
        !relaxed.iter().any(|l| l.starts_with("Sense les paraules")),
        "only relaxations that find something are offered: {relaxed:?}"
    );
    let links = attrs(&html, ".relaxed a", "href");
    assert_eq!(links[0], "/cerca?q=moneda");
    assert!(
        !texts(&html, ".empty .tags li").is_empty(),
        "themes to browse"
    );
}

#[tokio::test]
async fn an_unknown_word_gets_a_did_you_mean_from_the_vocabulary() {
    let html = get("/cerca?q=cooperatiwa+habitatje").await.html();
    let offer = texts(&html, ".did-you-mean a");
    assert_eq!(offer, vec!["«cooperativa habitatge»"]);
    let known = get("/cerca?q=cooperativa").await.html();
    assert!(texts(&known, ".did-you-mean").is_empty());
}

#[tokio::test]
async fn every_value_of_a_facet_has_a_page_with_a_filter_box() {
    let html = get("/cerca/valors/municipi?q=cooperativa&filtre=VIC")
        .await
        .html();
    assert_eq!(texts(&html, ".value-list .label"), vec!["Vic"]);
    let link = &attrs(&html, ".value-list a", "href")[0];
    assert_eq!(link, "/cerca?q=cooperativa&municipi=Vic");
    // The filter box keeps the search in hidden fields.
    assert!(
        attrs(&html, "form.value-filter input[type=hidden]", "value")
            .contains(&"cooperativa".to_string())
    );
    let all = get("/cerca/valors/municipi").await.html();
    assert!(texts(&all, ".value-list .label").len() >= 3);
    assert_eq!(get("/cerca/valors/res").await.status, 404);
    assert_eq!(
        get("/cerca/valors/visibilitat").await.status,
        404,
        "not for the public"
    );
}

#[tokio::test]
async fn a_year_range_keeps_documents_active_in_it() {
    let all = get("/api/cerca?per_pagina=100").await.json();
    let active = |label: &str, from: u16, to: u16| {
        let (a, b) = label.split_once(['-', '–']).unwrap_or((label, label));
        let a: u16 = a.parse().expect("year");
        let b: u16 = b.parse().unwrap_or(2100);
        a <= to && b >= from
    };
    let expected = all["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .filter(|h| h["years"].as_str().is_some_and(|y| active(y, 2020, 2021)))
        .count();
    let ranged = get("/api/cerca?des=2021&fins=2020").await.json();
    assert_eq!(ranged["total"].as_u64(), Some(expected as u64));
    assert!(expected >= 2 && expected < all["total"].as_u64().unwrap_or(0) as usize);
    let html = get("/cerca?des=2020&fins=2021").await.html();
    assert!(texts(&html, ".chip").contains(&"Anys: 2020–2021 ×".to_string()));
    assert_eq!(attrs(&html, "#des", "value"), vec!["2020"]);
    assert_eq!(get("/cerca?des=mil").await.status, 400);
}

#[tokio::test]
async fn a_document_opened_from_a_search_knows_its_place_in_it() {
    let results = get("/cerca?q=cures").await.html();
    let total: usize = get("/api/cerca?q=cures").await.json()["total"]
        .as_u64()
        .expect("n") as usize;
    assert!(total >= 2);
    let first = attrs(&results, ".hit h3 a", "href")[0].clone();
    assert!(first.ends_with("q=cures&pos=1"), "{first}");
    let page = get(&first).await.html();
    assert_eq!(
        texts(&page, ".trail span"),
        vec![format!("Resultat 1 de {total}")]
    );
    assert_eq!(attrs(&page, ".trail a", "href")[0], "/cerca?q=cures");
    let next = attrs(&page, ".trail a[rel=next]", "href");
    assert!(next[0].ends_with("pos=2"), "{next:?}");
    let second = get(&next[0]).await.html();
    assert_eq!(
        texts(&second, ".trail span"),
        vec![format!("Resultat 2 de {total}")]
    );
    assert!(attrs(&second, ".trail a[rel=prev]", "href")[0].ends_with("pos=1"));
    // Without a search, plain breadcrumbs.
    let bare = get("/document/vic-cures").await.html();
    assert!(texts(&bare, ".trail").is_empty());
}

#[tokio::test]
async fn document_pages_offer_related_documents_and_similar_towns() {
    let html = get("/document/manresa-habitatge").await.html();
    let related = texts(&html, "#relacionats-titol + .related li");
    assert!(!related.is_empty());
    assert!(
        related
            .iter()
            .all(|r| !r.contains("Habitatge cooperatiu en cessió d'ús a Manresa"))
    );
    assert!(
        texts(&html, ".reason")
            .iter()
            .any(|r| r.contains("Comparteixen: Habitatge cooperatiu")),
        "{:?}",
        texts(&html, ".reason")
    );
    let headings = texts(&html, ".more h2");
    assert!(
        headings.contains(&"A la mateixa comarca (Bages)".to_string()),
        "{headings:?}"
    );
}

#[tokio::test]
async fn csv_export_has_a_bom_a_header_and_one_row_per_result() {
    let reply = get("/cerca.csv?q=cooperativa").await;
    assert!(
        reply.headers["content-type"]
            .to_str()
            .unwrap_or("")
            .starts_with("text/csv")
    );
    assert!(reply.body.starts_with('\u{feff}'));
    let total = get("/api/cerca?q=cooperativa").await.json()["total"]
        .as_u64()
        .expect("n");
    let lines: Vec<&str> = reply.body.trim_end().split("\r\n").collect();
    assert!(
        lines[0]
            .trim_start_matches('\u{feff}')
            .starts_with("id,titol,tipus,municipis")
    );
    assert!(
        !lines[0].contains("intern"),
        "the public export has no visibility column"
    );
    assert_eq!(lines.len() as u64, total + 1);
}

#[tokio::test]
async fn atom_feed_lists_the_search_newest_first() {
    let reply = get("/cerca.atom?tema=cures").await;
    assert!(
        reply.headers["content-type"]
            .to_str()
            .unwrap_or("")
            .starts_with("application/atom+xml")
    );
    assert!(
        reply
            .body
            .contains("<feed xmlns=\"http://www.w3.org/2005/Atom\"")
    );
    let total = get("/api/cerca?tema=cures").await.json()["total"]
        .as_u64()
        .expect("n");
    assert_eq!(reply.body.matches("<entry>").count() as u64, total);
    let updated: Vec<&str> = reply
        .body
        .split("<entry>")
        .skip(1)
        .filter_map(|e| e.split("<updated>").nth(1)?.split('<').next())
        .collect();
    let mut sorted = updated.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(updated, sorted, "newest first");
}

#[tokio::test]
async fn the_map_has_one_linked_circle_per_town_with_results() {
    let json = get("/api/cerca?q=cooperativa&per_pagina=1").await.json();
    let towns = json["facets"]["municipi"].as_array().expect("facet").len();
    let html = get("/mapa?q=cooperativa").await.html();
    let links = attrs(&html, "svg .hits a", "href");
    assert_eq!(links.len(), towns);
    assert!(
        links
            .iter()
            .all(|l| l.starts_with("/cerca?q=cooperativa&municipi="))
    );
    assert_eq!(texts(&html, ".map-table tbody tr").len(), towns);
}

#[tokio::test]
async fn suggestions_complete_words_and_name_themes_and_places() {
    let kinds = |json: &serde_json::Value, kind: &str| -> Vec<String> {
        json["suggestions"]
            .as_array()
            .expect("list")
            .iter()
            .filter(|s| s["kind"] == kind)
            .filter_map(|s| s["text"].as_str().map(String::from))
            .collect()
    };
    let words = get("/api/suggeriments?q=coop").await.json();
    assert!(
        kinds(&words, "paraula")
            .iter()
            .any(|w| w.starts_with("coop")),
        "{words}"
    );
    assert!(!kinds(&words, "document").is_empty());
    assert_eq!(
        kinds(&get("/api/suggeriments?q=bag").await.json(), "comarca"),
        vec!["Bages"]
    );
    assert_eq!(
        kinds(&get("/api/suggeriments?q=cur").await.json(), "tema"),
        vec!["Cures"]
    );
    assert!(
        get("/api/suggeriments?q=c").await.json()["suggestions"]
            .as_array()
            .expect("list")
            .is_empty()
    );
    // Without JavaScript the box still offers the themes.
    let home = get("/").await.html();
    assert!(attrs(&home, "datalist#suggeriments option", "value").contains(&"Cures".to_string()));
    let script = attrs(&home, "script", "src");
    assert_eq!(script.len(), 1);
    assert!(script[0].starts_with("/static/cerca.js?v="), "{script:?}");
    // The versioned link may be kept for a year; any other, an hour.
    let cache = |reply: &crate::support::Reply| reply.headers["cache-control"].clone();
    assert!(
        cache(&get(&script[0]).await)
            .to_str()
            .unwrap_or("")
            .contains("immutable")
    );
    let stale = get("/static/cerca.js?v=00000000").await;
    assert_eq!(cache(&stale), "public, max-age=3600");
}
