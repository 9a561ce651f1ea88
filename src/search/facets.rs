//! Facets: their kinds, the value dictionary stored with each index generation, and the
//! one-pass collector that returns the page's top documents together with disjunctive
//! counts (OR inside a facet, AND across facets, each facet counted without its own
//! selection) and applies the audience filter to all of them.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

use serde::{Deserialize, Serialize};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

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

/// Top documents plus facet counts, honouring selections and the audience.
pub struct FacetedCollector {
    /// Fast-field names of every facet, in `FacetKind::ALL` order.
    pub facet_fields: Vec<String>,
    pub dictionary_sizes: Vec<usize>,
    /// Selected ordinals (sorted) per facet index; facets without selection are absent.
    pub selections: Vec<(usize, Vec<u64>)>,
    pub top_n: usize,
    pub sort: Sort,
    /// Highest visibility this audience may see (`Publica` = 0, `Interna` = 1).
    pub max_visibility: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub recency: u64,
    pub score: Score,
    pub doc: DocAddress,
}

impl Eq for Candidate {}

impl Ord for Candidate {
    /// Greater = better.
    fn cmp(&self, other: &Self) -> Ordering {
        self.recency
            .cmp(&other.recency)
            .then(self.score.total_cmp(&other.score))
            .then(other.doc.cmp(&self.doc))
    }
}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[derive(Debug, Default)]
pub struct FacetedFruit {
    pub total: usize,
    /// Counts per facet index and ordinal.
    pub counts: Vec<Vec<u64>>,
    /// Best first.
    pub top: Vec<Candidate>,
}

pub struct FacetedSegmentCollector {
    segment: SegmentOrdinal,
    columns: Vec<Column<u64>>,
    visibility: Column<u64>,
    recency: Option<Column<u64>>,
    selections: Vec<(usize, Vec<u64>)>,
    max_visibility: u64,
    top_n: usize,
    heap: BinaryHeap<std::cmp::Reverse<Candidate>>,
    total: usize,
    counts: Vec<Vec<u64>>,
}

impl Collector for FacetedCollector {
    type Fruit = FacetedFruit;
    type Child = FacetedSegmentCollector;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<FacetedSegmentCollector> {
        let fast = reader.fast_fields();
        let columns = self
            .facet_fields
            .iter()
            .map(|name| fast.u64(name))
            .collect::<tantivy::Result<Vec<_>>>()?;
        Ok(FacetedSegmentCollector {
            segment,
            columns,
            visibility: fast.u64("visibility")?,
            recency: match self.sort {
                Sort::Recents => Some(fast.u64("recency")?),
                Sort::Rellevancia => None,
            },
            selections: self.selections.clone(),
            max_visibility: self.max_visibility,
            top_n: self.top_n,
            heap: BinaryHeap::with_capacity(self.top_n + 1),
            total: 0,
            counts: self.dictionary_sizes.iter().map(|&n| vec![0; n]).collect(),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.sort == Sort::Rellevancia
    }

    fn merge_fruits(&self, fruits: Vec<FacetedFruit>) -> tantivy::Result<FacetedFruit> {
        let mut merged = FacetedFruit {
            total: 0,
            counts: self.dictionary_sizes.iter().map(|&n| vec![0; n]).collect(),
            top: Vec::new(),
        };
        for fruit in fruits {
            merged.total += fruit.total;
            for (acc, counts) in merged.counts.iter_mut().zip(fruit.counts) {
                for (a, c) in acc.iter_mut().zip(counts) {
                    *a += c;
                }
            }
            merged.top.extend(fruit.top);
        }
        merged.top.sort_by(|a, b| b.cmp(a));
        merged.top.truncate(self.top_n);
        Ok(merged)
    }
}

impl FacetedSegmentCollector {
    fn count(&mut self, facet: usize, doc: DocId) {
        let (columns, counts) = (&self.columns, &mut self.counts);
        for ord in columns[facet].values_for_doc(doc) {
            if let Some(c) = counts[facet].get_mut(ord as usize) {
                *c += 1;
            }
        }
    }
}

impl SegmentCollector for FacetedSegmentCollector {
    type Fruit = FacetedFruit;

    fn collect(&mut self, doc: DocId, score: Score) {
        // The audience filter comes first: nothing below may see a document it rejects.
        if self.visibility.first(doc).unwrap_or(u64::MAX) > self.max_visibility {
            return;
        }
        let mut failed: Option<usize> = None;
        for (facet, selected) in &self.selections {
            let hit = self.columns[*facet]
                .values_for_doc(doc)
                .any(|v| selected.binary_search(&v).is_ok());
            if !hit {
                if failed.is_some() {
                    return;
                }
                failed = Some(*facet);
            }
        }
        if let Some(facet) = failed {
            // Fails only its own facet: it counts for that facet's other values.
            self.count(facet, doc);
            return;
        }
        self.total += 1;
        for facet in 0..self.columns.len() {
            self.count(facet, doc);
        }
        if self.top_n == 0 {
            return;
        }
        let recency = self
            .recency
            .as_ref()
            .and_then(|c| c.first(doc))
            .unwrap_or(0);
        let candidate = Candidate {
            recency,
            score,
            doc: DocAddress::new(self.segment, doc),
        };
        if self.heap.len() < self.top_n {
            self.heap.push(std::cmp::Reverse(candidate));
        } else if let Some(worst) = self.heap.peek()
            && candidate > worst.0
        {
            self.heap.pop();
            self.heap.push(std::cmp::Reverse(candidate));
        }
    }

    fn harvest(self) -> FacetedFruit {
        let mut top: Vec<Candidate> = self.heap.into_iter().map(|r| r.0).collect();
        top.sort_by(|a, b| b.cmp(a));
        FacetedFruit {
            total: self.total,
            counts: self.counts,
            top,
        }
    }
}

/// Numeric code of a visibility in the index.
pub fn visibility_code(v: Visibility) -> u64 {
    match v {
        Visibility::Publica => 0,
        Visibility::Interna => 1,
    }
}
