//! Facet counts on the `basic` fixture, where the right numbers are known by construction:
//! 5 documents; Cures: vic, navas, jornada; Habitatge cooperatiu: manresa, guia;
//! Moneda local: navas. Bages: manresa, navas; Osona: vic; Barcelonès: jornada.

use std::collections::BTreeMap;

use crate::support::get;

fn counts(json: &serde_json::Value, facet: &str) -> BTreeMap<String, u64> {
    json["facets"][facet]
        .as_array()
        .unwrap_or_else(|| panic!("no facet {facet}"))
        .iter()
        .map(|v| {
            (
                v["value"].as_str().unwrap_or("").to_string(),
                v["count"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn map(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

#[tokio::test]
async fn no_selection_counts_every_document() {
    let json = get("/api/cerca").await.json();
    assert_eq!(json["total"], 5);
    assert_eq!(
        counts(&json, "tema"),
        map(&[
            ("cures", 3),
            ("habitatge-cooperatiu", 2),
            ("moneda-local", 1)
        ])
    );
    assert_eq!(
        counts(&json, "comarca"),
        map(&[("Bages", 2), ("Barcelonès", 1), ("Osona", 1)])
    );
    assert_eq!(
        counts(&json, "tipus"),
        map(&[("experiencia", 3), ("guia", 1), ("jornada", 1)])
    );
    assert_eq!(
        counts(&json, "mida"),
        map(&[("5k-20k", 1), ("20k-50k", 1), ("50k-100k", 1), (">100k", 1)])
    );
    assert_eq!(
        counts(&json, "any")["2020"],
        2,
        "2019-2021 and 2020 both cover 2020"
    );
}

#[tokio::test]
async fn a_facet_is_counted_without_its_own_selection() {
    let json = get("/api/cerca?tema=cures").await.json();
    assert_eq!(json["total"], 3);
    assert_eq!(
        counts(&json, "tema"),
        map(&[
            ("cures", 3),
            ("habitatge-cooperatiu", 2),
            ("moneda-local", 1)
        ])
    );
    assert_eq!(
        counts(&json, "comarca"),
        map(&[("Bages", 1), ("Barcelonès", 1), ("Osona", 1)])
    );
    assert_eq!(
        counts(&json, "tipus"),
        map(&[("experiencia", 2), ("jornada", 1)])
    );
}

#[tokio::test]
async fn and_across_facets_or_inside_one() {
    let json = get("/api/cerca?tema=cures&comarca=Bages").await.json();
    assert_eq!(json["total"], 1);
    assert_eq!(json["hits"][0]["id"], "navas-moneda");
    assert_eq!(
        counts(&json, "tema"),
        map(&[
            ("cures", 1),
            ("habitatge-cooperatiu", 1),
            ("moneda-local", 1)
        ])
    );
    assert_eq!(
        counts(&json, "comarca"),
        map(&[("Bages", 1), ("Barcelonès", 1), ("Osona", 1)])
    );

    let either = get("/api/cerca?tema=cures&tema=habitatge-cooperatiu")
        .await
        .json();
    assert_eq!(either["total"], 5);
    let selected = either["facets"]["tema"]
        .as_array()
        .map(|a| a.iter().filter(|v| v["selected"] == true).count());
    assert_eq!(selected, Some(2));
}

#[tokio::test]
async fn text_query_and_facets_combine() {
    let json = get("/api/cerca?q=cooperativa&comarca=Osona").await.json();
    let ids: Vec<_> = json["hits"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|h| h["id"].clone())
        .collect();
    assert_eq!(ids, vec![serde_json::json!("vic-cures")]);
    // Comarca counts ignore the comarca selection but keep the text query.
    let comarques = counts(&json, "comarca");
    assert_eq!(comarques.get("Osona"), Some(&1));
    assert_eq!(
        comarques.get("Bages"),
        Some(&1),
        "manresa matches «cooperativa»; navas does not"
    );
}

#[tokio::test]
async fn unknown_facet_values_match_nothing_and_are_shown_selected() {
    let json = get("/api/cerca?tema=no-existeix").await.json();
    assert_eq!(json["total"], 0);
    let tema = json["facets"]["tema"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        tema.iter()
            .any(|v| v["value"] == "no-existeix" && v["selected"] == true && v["count"] == 0)
    );
}
