//! The documents of frequent terms, kept as bitsets per segment once a search has read
//! them. A term held by a good share of a segment costs a posting list of tens of
//! thousands of entries to decode on every search; OR-ing its bitset costs a few thousand
//! word operations (the role of Lucene's query cache for filters).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use tantivy::Term;
use tantivy::index::SegmentId;

use super::docbits::DocBits;

/// Cache bitsets only for terms in at least this share of a segment's documents: a
/// rarer term's posting list is short beside the segment's bitset.
pub(super) const MIN_SHARE_DIVISOR: u32 = 32;

/// Most bytes of bitsets kept per opened index part.
const BUDGET_BYTES: usize = 32 << 20;

#[derive(Default)]
pub(super) struct TermSets {
    sets: RwLock<HashMap<(SegmentId, Term), Arc<DocBits>>>,
    bytes: RwLock<usize>,
}

impl TermSets {
    /// The cached set of `term` in `segment`, or the one `read` makes (kept while the
    /// budget lasts; a full cache still answers, it just stops growing).
    pub(super) fn get_or_read(
        &self,
        segment: SegmentId,
        term: &Term,
        read: impl FnOnce() -> anyhow::Result<DocBits>,
    ) -> anyhow::Result<Arc<DocBits>> {
        let key = (segment, term.clone());
        if let Ok(sets) = self.sets.read()
            && let Some(found) = sets.get(&key)
        {
            return Ok(found.clone());
        }
        let bits = Arc::new(read()?);
        let size = (bits.len() as usize).div_ceil(8);
        if let (Ok(mut sets), Ok(mut bytes)) = (self.sets.write(), self.bytes.write())
            && *bytes + size <= BUDGET_BYTES
        {
            sets.insert(key, bits.clone());
            *bytes += size;
        }
        Ok(bits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_is_read_once_then_served_from_the_cache() {
        let sets = TermSets::default();
        let segment = SegmentId::generate_random();
        let term = Term::from_field_text(tantivy::schema::Field::from_field_id(0), "moneda");
        let mut reads = 0;
        for _ in 0..3 {
            let got = sets.get_or_read(segment, &term, || {
                reads += 1;
                Ok(DocBits::of(100, [1, 50]))
            });
            assert_eq!(got.ok().map(|b| b.count()), Some(2));
        }
        assert_eq!(reads, 1);
    }
}
