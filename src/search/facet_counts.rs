//! Facet values of every document of a segment, read once when an index is opened, and the
//! counting of one search's matches into disjunctive facet counts (OR inside a facet, AND
//! across facets, each facet counted without its own selection) under the audience filter.
//!
//! A facet with few values keeps one document bitset per value, so its counts are
//! population counts of word-wide ANDs; a facet with many values (municipalities) keeps the
//! values of each document and the documents of each value. At 100,000 documents this
//! counts a search matching half of them in a fraction of a millisecond, where offering
//! every match to a counter took longer than the search itself.

use std::collections::HashMap;
use std::sync::Arc;

use tantivy::index::SegmentId;
use tantivy::{DocId, Searcher, SegmentReader};

use super::docbits::DocBits;
use crate::index::FacetDictionary;
use crate::index::schema::facet_field_name;
use crate::taxonomy::FacetKind;

/// Facets with at most this many values are counted from per-value bitsets.
const MAX_BITSET_VALUES: usize = 64;

/// How one facet's values are held for a segment.
#[derive(Debug)]
enum Values {
    /// The documents of each value.
    Bits(Vec<DocBits>),
    /// The values of each document and the documents of each value, and the count of
    /// each value over the documents each audience may see (`totals[code]`).
    Lists {
        by_doc: Csr,
        by_value: Csr,
        totals: Vec<Vec<u64>>,
    },
}

/// Compressed rows: row `r` is `items[starts[r]..starts[r + 1]]`.
#[derive(Debug, Default)]
struct Csr {
    starts: Vec<u32>,
    items: Vec<u32>,
}

impl Csr {
    fn from_rows(rows: usize, pairs: &[(u32, u32)]) -> Csr {
        let mut starts = vec![0u32; rows + 1];
        for &(row, _) in pairs {
            starts[row as usize + 1] += 1;
        }
        for r in 0..rows {
            starts[r + 1] += starts[r];
        }
        let mut fill = starts.clone();
        let mut items = vec![0u32; pairs.len()];
        for &(row, item) in pairs {
            let at = &mut fill[row as usize];
            items[*at as usize] = item;
            *at += 1;
        }
        Csr { starts, items }
    }

    fn row(&self, r: u32) -> &[u32] {
        let r = r as usize;
        match (self.starts.get(r), self.starts.get(r + 1)) {
            (Some(&from), Some(&to)) => &self.items[from as usize..to as usize],
            _ => &[],
        }
    }
}

/// Facet values, visibility and recency order of one segment.
#[derive(Debug)]
pub(super) struct SegmentFacets {
    max_doc: u32,
    /// Per facet, in `FacetKind::ALL` order.
    facets: Vec<Values>,
    /// `visible[code]`: documents of visibility `code` or lower (0 public, 1 internal).
    visible: Vec<DocBits>,
    /// Documents and their recency, newest first (ties: lower id first).
    by_recency: Vec<(DocId, u64)>,
    sizes: Vec<usize>,
}

impl SegmentFacets {
    pub(super) fn read(reader: &SegmentReader, sizes: &[usize]) -> tantivy::Result<SegmentFacets> {
        let fast = reader.fast_fields();
        let max_doc = reader.max_doc();
        let mut facets = Vec::with_capacity(sizes.len());
        for (&kind, &size) in FacetKind::ALL.iter().zip(sizes) {
            let column = fast.u64(&facet_field_name(kind))?;
            let mut pairs: Vec<(u32, u32)> = Vec::new();
            for doc in 0..max_doc {
                for ord in column.values_for_doc(doc) {
                    // Values the dictionary does not know are never counted.
                    if (ord as usize) < size {
                        pairs.push((doc, ord as u32));
                    }
                }
            }
            facets.push(if size <= MAX_BITSET_VALUES {
                let mut bits = vec![DocBits::empty(max_doc); size];
                for &(doc, ord) in &pairs {
                    bits[ord as usize].insert(doc);
                }
                Values::Bits(bits)
            } else {
                let by_doc = Csr::from_rows(max_doc as usize, &pairs);
                let flipped: Vec<(u32, u32)> = pairs.iter().map(|&(d, v)| (v, d)).collect();
                let by_value = Csr::from_rows(size, &flipped);
                Values::Lists {
                    by_doc,
                    by_value,
                    totals: Vec::new(),
                }
            });
        }
        let codes = fast.u64("visibility")?;
        let mut visible = vec![DocBits::empty(max_doc), DocBits::empty(max_doc)];
        for doc in 0..max_doc {
            // A document without a visibility is never shown.
            let code = codes.first(doc).unwrap_or(u64::MAX);
            for (level, bits) in visible.iter_mut().enumerate() {
                if code <= level as u64 {
                    bits.insert(doc);
                }
            }
        }
        for (values, &size) in facets.iter_mut().zip(sizes) {
            if let Values::Lists { by_doc, totals, .. } = values {
                *totals = visible
                    .iter()
                    .map(|bits| {
                        let mut counts = vec![0u64; size];
                        add_rows(by_doc, bits.ones(), &mut counts);
                        counts
                    })
                    .collect();
            }
        }
        let recency = fast.u64("recency")?;
        let mut by_recency: Vec<(DocId, u64)> = (0..max_doc)
            .map(|d| (d, recency.first(d).unwrap_or(0)))
            .collect();
        by_recency.sort_by_key(|&(d, r)| (std::cmp::Reverse(r), d));
        Ok(SegmentFacets {
            max_doc,
            facets,
            visible,
            by_recency,
            sizes: sizes.to_vec(),
        })
    }

    /// Documents of this segment and their recency, newest first.
    pub(super) fn by_recency(&self) -> &[(DocId, u64)] {
        &self.by_recency
    }

    /// Documents holding any of `ords` in `facet`.
    pub(super) fn selection(&self, facet: usize, ords: &[u64]) -> DocBits {
        let mut bits = DocBits::empty(self.max_doc);
        match self.facets.get(facet) {
            Some(Values::Bits(per_value)) => {
                for &o in ords {
                    if let Some(b) = per_value.get(o as usize) {
                        bits.or_with(b);
                    }
                }
            }
            Some(Values::Lists { by_value, .. }) => {
                for &o in ords {
                    for &doc in by_value.row(o as u32) {
                        bits.insert(doc);
                    }
                }
            }
            None => {}
        }
        bits
    }

    /// Adds the counts of `facet`'s values over `docs` (documents visible at `level`) to
    /// `counts`.
    fn count(&self, facet: usize, docs: &DocBits, level: usize, counts: &mut [u64]) {
        match self.facets.get(facet) {
            Some(Values::Bits(per_value)) => {
                for (count, bits) in counts.iter_mut().zip(per_value) {
                    *count += docs.count_and(bits);
                }
            }
            Some(Values::Lists { by_doc, totals, .. }) => {
                let (Some(visible), Some(totals)) = (self.visible.get(level), totals.get(level))
                else {
                    return;
                };
                // Most searches match most documents: then the visible documents they do
                // not match are fewer to walk, and their counts come off the totals.
                if docs.count() * 2 > visible.count() {
                    let mut rest = visible.clone();
                    rest.and_not(docs);
                    let mut missing = vec![0u64; counts.len()];
                    add_rows(by_doc, rest.ones(), &mut missing);
                    for ((c, t), m) in counts.iter_mut().zip(totals).zip(missing) {
                        *c += t.saturating_sub(m);
                    }
                } else {
                    add_rows(by_doc, docs.ones(), counts);
                }
            }
            None => {}
        }
    }
}

/// Adds one to `counts` for each value of each of `docs`.
fn add_rows(by_doc: &Csr, docs: impl Iterator<Item = DocId>, counts: &mut [u64]) {
    for doc in docs {
        for &v in by_doc.row(doc) {
            if let Some(c) = counts.get_mut(v as usize) {
                *c += 1;
            }
        }
    }
}

/// `SegmentFacets` of every segment of an opened index.
#[derive(Debug, Default)]
pub(super) struct FacetCache {
    segments: HashMap<SegmentId, Arc<SegmentFacets>>,
}

impl FacetCache {
    pub(super) fn build(
        searcher: &Searcher,
        dictionary: &FacetDictionary,
    ) -> tantivy::Result<Self> {
        let sizes = dictionary.sizes();
        let mut segments = HashMap::new();
        for reader in searcher.segment_readers() {
            let facets = SegmentFacets::read(reader, &sizes)?;
            segments.insert(reader.segment_id(), Arc::new(facets));
        }
        Ok(FacetCache { segments })
    }

    /// The segment's facet values, read now if the cache lacks them.
    pub(super) fn segment(
        &self,
        reader: &SegmentReader,
        sizes: &[usize],
    ) -> tantivy::Result<Arc<SegmentFacets>> {
        let cached = self
            .segments
            .get(&reader.segment_id())
            .filter(|f| f.sizes == sizes && f.max_doc == reader.max_doc());
        match cached {
            Some(facets) => Ok(facets.clone()),
            None => Ok(Arc::new(SegmentFacets::read(reader, sizes)?)),
        }
    }
}

/// The facet counts and results of one search, summed over its segments.
pub(super) struct Counting {
    /// Selected ordinals per facet index; facets without selection are absent.
    selections: Vec<(usize, Vec<u64>)>,
    /// Highest visibility this audience may see (`Publica` = 0, `Interna` = 1).
    max_visibility: u64,
    /// Facets whose counts are wanted.
    counted: Vec<bool>,
    pub total: usize,
    /// Counts per facet index and ordinal.
    counts: Vec<Vec<u64>>,
}

impl Counting {
    pub(super) fn new(
        sizes: &[usize],
        selections: Vec<(usize, Vec<u64>)>,
        max_visibility: u64,
        counted: Vec<bool>,
    ) -> Counting {
        Counting {
            selections,
            max_visibility,
            counted,
            total: 0,
            counts: sizes.iter().map(|&n| vec![0; n]).collect(),
        }
    }

    /// The documents of `matched` this audience may see that are in every selection, not
    /// counted.
    pub(super) fn filter(&self, facets: &SegmentFacets, mut matched: DocBits) -> DocBits {
        match facets.visible.get(self.max_visibility as usize) {
            Some(visible) => matched.and_with(visible),
            None => return DocBits::empty(facets.max_doc),
        }
        for (facet, ords) in &self.selections {
            matched.and_with(&facets.selection(*facet, ords));
        }
        matched
    }

    /// Counts one segment's matches and returns its results: the matches this audience may
    /// see that are in every selection.
    pub(super) fn segment(&mut self, facets: &SegmentFacets, mut matched: DocBits) -> DocBits {
        let level = self.max_visibility as usize;
        match facets.visible.get(level) {
            Some(visible) => matched.and_with(visible),
            None => return DocBits::empty(facets.max_doc),
        }
        let selected: Vec<(usize, DocBits)> = self
            .selections
            .iter()
            .map(|(facet, ords)| (*facet, facets.selection(*facet, ords)))
            .collect();
        let mut results = matched.clone();
        for (_, bits) in &selected {
            results.and_with(bits);
        }
        for (facet, counts) in self.counts.iter_mut().enumerate() {
            if !self.counted.get(facet).copied().unwrap_or(false) {
                continue;
            }
            if selected.iter().any(|(f, _)| *f == facet) {
                // Counted without its own selection: other values stay reachable.
                let mut docs = matched.clone();
                for (_, bits) in selected.iter().filter(|(f, _)| *f != facet) {
                    docs.and_with(bits);
                }
                facets.count(facet, &docs, level, counts);
            } else {
                facets.count(facet, &results, level, counts);
            }
        }
        self.total += results.count() as usize;
        results
    }

    pub(super) fn counts(self) -> Vec<Vec<u64>> {
        self.counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_valued_facets_count_the_same_from_either_side() {
        // Ten documents, values 0..3; document 9 is internal, document 4 has two values.
        let pairs: Vec<(u32, u32)> = (0..10).map(|d| (d, d % 3)).chain([(4, 0)]).collect();
        let by_doc = Csr::from_rows(10, &pairs);
        let flipped: Vec<(u32, u32)> = pairs.iter().map(|&(d, v)| (v, d)).collect();
        let visible = vec![DocBits::of(10, 0..9), DocBits::full(10)];
        let totals = visible
            .iter()
            .map(|bits| {
                let mut counts = vec![0; 3];
                add_rows(&by_doc, bits.ones(), &mut counts);
                counts
            })
            .collect();
        let facets = SegmentFacets {
            max_doc: 10,
            facets: vec![Values::Lists {
                by_doc,
                by_value: Csr::from_rows(3, &flipped),
                totals,
            }],
            visible,
            by_recency: Vec::new(),
            sizes: vec![3],
        };
        let naive = |docs: &[u32]| {
            let mut counts = vec![0u64; 3];
            for &(d, v) in &pairs {
                if docs.contains(&d) {
                    counts[v as usize] += 1;
                }
            }
            counts
        };
        for docs in [
            vec![1, 4],
            vec![0, 1, 2, 3, 4, 5, 7],
            (0..9).collect(),
            vec![],
        ] {
            let mut counts = vec![0u64; 3];
            facets.count(0, &DocBits::of(10, docs.iter().copied()), 0, &mut counts);
            assert_eq!(counts, naive(&docs), "{docs:?}");
        }
        let mut selected = facets.selection(0, &[1]);
        selected.and_with(&facets.visible[0]);
        assert_eq!(selected.ones().collect::<Vec<_>>(), vec![1, 4, 7]);
    }

    #[test]
    fn compressed_rows_keep_every_pair_in_order() {
        let csr = Csr::from_rows(4, &[(2, 7), (0, 1), (2, 3), (3, 9)]);
        assert_eq!(csr.row(0), &[1]);
        assert_eq!(csr.row(1), &[] as &[u32]);
        assert_eq!(csr.row(2), &[7, 3]);
        assert_eq!(csr.row(3), &[9]);
        assert_eq!(csr.row(4), &[] as &[u32]);
    }
}
