//! HTML pages through the router, checked with CSS selectors.

use crate::support::{attrs, get, texts};

#[tokio::test]
async fn home_lists_every_theme_with_its_count() {
    let reply = get("/").await;
    assert_eq!(reply.status, 200);
    let html = reply.html();
    let themes = texts(&html, ".theme-list a");
    assert_eq!(
        themes,
        vec![
            "Cures 3 documents",
            "Habitatge cooperatiu 2 documents",
            "Moneda local i social 1 document"
        ]
    );
    let links = attrs(&html, ".theme-list a", "href");
    assert_eq!(links[0], "/cerca?tema=cures");
    assert_eq!(texts(&html, "#recents-titol ~ .hit").len(), 5);
}

#[tokio::test]
async fn results_page_shows_count_hits_snippets_and_facets() {
    let reply = get("/cerca?q=habitatge+cooperatiu").await;
    assert_eq!(reply.status, 200);
    let html = reply.html();
    let summary = texts(&html, "[role=status]");
    let titles = texts(&html, ".hit h3");
    assert_eq!(
        summary,
        vec![format!(
            "{} resultats per «habitatge cooperatiu»",
            titles.len()
        )]
    );
    // Both documents about cooperative housing come before the one that only says «cooperativa».
    let mut top: Vec<_> = titles.iter().take(2).cloned().collect();
    top.sort();
    assert_eq!(
        top,
        vec![
            "Guia de l'habitatge cooperatiu per a ajuntaments",
            "Habitatge cooperatiu en cessió d'ús a Manresa"
        ]
    );
    let marks = texts(&html, ".hit mark");
    assert!(
        marks.iter().any(|m| m.eq_ignore_ascii_case("habitatge")),
        "{marks:?}"
    );
    let facet_headings = texts(&html, ".facet h3");
    assert!(
        facet_headings.contains(&"Tema".to_string()),
        "{facet_headings:?}"
    );
    let theme_values = texts(&html, "#facet-tema ~ ul li");
    assert_eq!(theme_values[0], "Habitatge cooperatiu (2 documents)");
}

#[tokio::test]
async fn page_size_links_keep_the_search_and_restart_at_page_one() {
    let html = get("/cerca?q=cures&tema=cures&per_pagina=1&pagina=2")
        .await
        .html();
    let sizes = attrs(&html, "nav[aria-label='Resultats per pàgina'] a", "href");
    assert_eq!(
        sizes,
        vec![
            "/cerca?q=cures&tema=cures&per_pagina=10",
            "/cerca?q=cures&tema=cures&per_pagina=20",
            "/cerca?q=cures&tema=cures&per_pagina=50"
        ]
    );
    let tiny = get("/cerca?q=cures&per_pagina=1").await.html();
    assert_eq!(texts(&tiny, ".hit").len(), 1);
}

#[tokio::test]
async fn facet_links_keep_the_other_selections() {
    let html = get("/cerca?q=cures&comarca=Bages").await.html();
    let links = attrs(&html, "#facet-tema ~ ul a", "href");
    assert!(!links.is_empty());
    for link in &links {
        assert!(link.contains("q=cures"), "{link}");
        assert!(link.contains("comarca=Bages"), "{link}");
    }
    let chips = texts(&html, ".chips a.chip");
    assert_eq!(chips, vec!["Comarca: Bages ×", "Esborra-ho tot"]);
    let remove = attrs(&html, ".chips a.chip", "href");
    assert_eq!(remove[0], "/cerca?q=cures");
    // The header search form carries the filters along.
    let hidden = attrs(&html, "form[role=search] input[type=hidden]", "value");
    assert_eq!(hidden, vec!["Bages"]);
}

#[tokio::test]
async fn pagination_links_walk_the_results() {
    let html = get("/cerca?per_pagina=2").await.html();
    assert_eq!(texts(&html, ".hits > li").len(), 2);
    let pages = texts(&html, ".pagination strong, .pagination a");
    assert_eq!(pages, vec!["1", "2", "3", "Següent →"]);
    let page3 = get("/cerca?per_pagina=2&pagina=3").await.html();
    assert_eq!(texts(&page3, ".hits > li").len(), 1);
    assert_eq!(attrs(&page3, "ol.hits", "start"), vec!["5"]);
}

#[tokio::test]
async fn document_page_shows_places_themes_and_sources() {
    let reply = get("/document/navas-moneda").await;
    assert_eq!(reply.status, 200);
    let html = reply.html();
    assert_eq!(texts(&html, "h1"), vec!["Moneda social i cures a Navàs"]);
    let places = texts(&html, ".facts .inline li");
    assert!(
        places.iter().any(|p| p.starts_with("Navàs (Bages,")),
        "{places:?}"
    );
    assert_eq!(
        texts(&html, ".facts .tags a"),
        vec!["Moneda local i social", "Cures"]
    );
    assert_eq!(texts(&html, ".sources a"), vec!["example.org"]);
}

#[tokio::test]
async fn unknown_document_and_route_get_a_styled_404() {
    for uri in ["/document/no-existeix", "/no/hi/es"] {
        let reply = get(uri).await;
        assert_eq!(reply.status, 404, "{uri}");
        let html = reply.html();
        assert_eq!(
            texts(&html, "h1"),
            vec!["No hem trobat aquesta pàgina"],
            "{uri}"
        );
        assert!(attrs(&html, ".recovery a", "href").contains(&"/".to_string()));
    }
}

#[tokio::test]
async fn markup_in_queries_and_documents_is_escaped() {
    let reply =
        get("/cerca?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E+%22%3E%3Cimg+onerror%3Dx%3E").await;
    assert_eq!(reply.status, 200);
    let html = reply.html();
    // Our own deferred script is the only one a page may have.
    assert!(texts(&html, "script:not([src^='/static/cerca.js?v='])").is_empty());
    assert!(texts(&html, "img").is_empty());
    assert!(!reply.body.contains("<script>"));

    let doc = get("/document/jornada-ccpr").await;
    let page = doc.html();
    assert!(
        texts(&page, "script:not([src^='/static/cerca.js?v='])").is_empty(),
        "script from the corpus rendered"
    );
    assert!(
        texts(&page, "img").is_empty(),
        "img from the corpus title rendered"
    );
    assert!(
        texts(&page, "h1")[0].contains("<script>"),
        "the title is shown as text"
    );

    let hits = get("/cerca?q=jornada").await;
    assert!(
        texts(
            &hits.html(),
            "script:not([src^='/static/cerca.js?v=']), img"
        )
        .is_empty()
    );
}

#[tokio::test]
async fn every_response_has_security_headers() {
    let uris = xmess_kb::web::ROUTES
        .iter()
        .map(|r| r.replace("{id}", "vic-cures"))
        .chain(["/nope".to_string(), "/cerca?q=x".to_string()]);
    for uri in uris {
        let uri = uri.as_str();
        let reply = get(uri).await;
        assert!(
            uri.starts_with("/static/")
                || reply
                    .headers
                    .get("cache-control")
                    .is_some_and(|v| v.as_bytes().starts_with(b"private")),
            "{uri}: a shared cache could keep an advisor's page"
        );
        let csp = reply
            .headers
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert!(
            csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
            "{uri}: {csp}"
        );
        assert_eq!(
            reply
                .headers
                .get("x-content-type-options")
                .map(|v| v.as_bytes()),
            Some(&b"nosniff"[..]),
            "{uri}"
        );
        assert!(reply.headers.contains_key("referrer-policy"), "{uri}");
    }
}

#[tokio::test]
async fn bad_input_never_gives_a_500() {
    let long = format!("/cerca?q={}", "a".repeat(10_000));
    let cases = [
        "/cerca?q=",
        "/cerca?q=+++",
        "/cerca?q=%22",
        "/cerca?q=l%27",
        "/cerca?q=-",
        "/cerca?q=*%3F~%3A()%5B%5D%7B%7D%5E",
        "/cerca?q=%00%07%1B",
        "/cerca?q=%ZZ%C3%28",
        "/cerca?tema=no-existeix&mida=%3C5k",
        "/cerca?pagina=0",
        "/cerca?pagina=1000000000",
        "/cerca?pagina=-1",
        "/cerca?ordre=x",
        long.as_str(),
        "/document/%00",
        "/document/..%2F..%2Fetc%2Fpasswd",
    ];
    for uri in cases {
        let reply = get(uri).await;
        assert!(
            reply.status == 200 || reply.status == 400 || reply.status == 404,
            "{uri}: {}",
            reply.status
        );
        assert!(reply.body.contains("<html"), "{uri}: not a page");
    }
    let too_long = get(&long).await;
    assert_eq!(too_long.status, 400);
    let message = texts(&too_long.html(), ".error-page p");
    assert!(
        message.iter().any(|m| m.contains("massa llarga")),
        "{message:?}"
    );
    let page0 = get("/cerca?pagina=0").await;
    assert_eq!(page0.status, 400);
}
