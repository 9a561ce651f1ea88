//! Facets: their kinds and the value dictionary stored with each index generation (their
//! counting is in `facet_counts`).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::corpus::Document;
use crate::taxonomy::Visibility;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FacetKind {
    Tema,
    Tipus,
    Municipi,
    Comarca,
    Provincia,
    Mida,
    Any,
    Categoria,
    Colleccio,
    /// Advisors only: public or internal.
    Visibilitat,
}

impl FacetKind {
    pub const ALL: &'static [FacetKind] = &[
        FacetKind::Tema,
        FacetKind::Tipus,
        FacetKind::Comarca,
        FacetKind::Municipi,
        FacetKind::Mida,
        FacetKind::Provincia,
        FacetKind::Any,
        FacetKind::Categoria,
        FacetKind::Colleccio,
        FacetKind::Visibilitat,
    ];

    /// Name of the URL parameter and of the API facet.
    pub fn param(self) -> &'static str {
        match self {
            FacetKind::Tema => "tema",
            FacetKind::Tipus => "tipus",
            FacetKind::Municipi => "municipi",
            FacetKind::Comarca => "comarca",
            FacetKind::Provincia => "provincia",
            FacetKind::Mida => "mida",
            FacetKind::Any => "any",
            FacetKind::Categoria => "categoria",
            FacetKind::Colleccio => "colleccio",
            FacetKind::Visibilitat => "visibilitat",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FacetKind::Tema => "Tema",
            FacetKind::Tipus => "Tipus de document",
            FacetKind::Municipi => "Municipi",
            FacetKind::Comarca => "Comarca",
            FacetKind::Provincia => "Província",
            FacetKind::Mida => "Mida del municipi",
            FacetKind::Any => "Any",
            FacetKind::Categoria => "Categoria de l'ABC",
            FacetKind::Colleccio => "Col·lecció",
            FacetKind::Visibilitat => "Visibilitat",
        }
    }

    /// Whether this audience gets the facet (the public never hears of visibility).
    pub fn offered_to(self, audience: crate::search::Audience) -> bool {
        self != FacetKind::Visibilitat || audience == crate::search::Audience::Advisor
    }

    pub fn from_param(param: &str) -> Option<FacetKind> {
        FacetKind::ALL.iter().copied().find(|k| k.param() == param)
    }

    /// The values a document takes in this facet (years of an ongoing span run to `year`).
    pub fn values(self, doc: &Document, year: u16) -> Vec<String> {
        match self {
            FacetKind::Tema => doc.themes.clone(),
            FacetKind::Tipus => vec![doc.kind.slug().to_string()],
            FacetKind::Municipi => doc.municipalities.clone(),
            FacetKind::Comarca => doc.comarques.clone(),
            FacetKind::Provincia => doc.provinces.clone(),
            FacetKind::Mida => doc
                .size_bands
                .iter()
                .map(|b| b.slug().to_string())
                .collect(),
            FacetKind::Any => doc
                .years
                .map(|y| y.each(year).map(|y| y.to_string()).collect())
                .unwrap_or_default(),
            FacetKind::Categoria => doc
                .abc_category
                .iter()
                .map(|c| c.slug().to_string())
                .collect(),
            FacetKind::Colleccio => doc.collection.iter().cloned().collect(),
            FacetKind::Visibilitat => vec![doc.visibility.slug().to_string()],
        }
    }
}

/// Facet values of one index generation; a value's position is its ordinal in the index.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FacetDictionary {
    values: HashMap<FacetKind, Vec<String>>,
}

impl FacetDictionary {
    /// Assigns an ordinal to every value of every facet of `docs`.
    pub fn build<'a>(
        docs: impl Iterator<Item = &'a Document> + Clone,
        year: u16,
    ) -> FacetDictionary {
        let mut values: HashMap<FacetKind, Vec<String>> = HashMap::new();
        for &kind in FacetKind::ALL {
            let mut all: Vec<String> = docs.clone().flat_map(|d| kind.values(d, year)).collect();
            all.sort();
            all.dedup();
            values.insert(kind, all);
        }
        FacetDictionary { values }
    }

    pub fn values(&self, kind: FacetKind) -> &[String] {
        self.values.get(&kind).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn ordinal(&self, kind: FacetKind, value: &str) -> Option<u64> {
        self.values(kind)
            .binary_search_by(|v| v.as_str().cmp(value))
            .ok()
            .map(|i| i as u64)
    }
}

/// How hits are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    #[default]
    Rellevancia,
    Recents,
}

impl Sort {
    pub fn param(self) -> &'static str {
        match self {
            Sort::Rellevancia => "rellevancia",
            Sort::Recents => "recents",
        }
    }
}

/// Fast-field names of the facets, in `FacetKind::ALL` order.
pub fn facet_field_names() -> Vec<String> {
    FacetKind::ALL
        .iter()
        .map(|k| format!("f_{}", k.param()))
        .collect()
}

/// Numeric code of a visibility in the index.
pub fn visibility_code(v: Visibility) -> u64 {
    match v {
        Visibility::Publica => 0,
        Visibility::Interna => 1,
    }
}
