//! A fixed-size set of document ids of one segment, one bit each. Facet counting and result
//! filtering are word-wide ANDs and population counts over these.

use tantivy::DocId;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct DocBits {
    words: Vec<u64>,
    len: u32,
}

impl DocBits {
    /// No document of a segment of `len` documents.
    pub(super) fn empty(len: u32) -> DocBits {
        DocBits {
            words: vec![0; (len as usize).div_ceil(64)],
            len,
        }
    }

    /// Every document of a segment of `len` documents.
    pub(super) fn full(len: u32) -> DocBits {
        let mut bits = DocBits {
            words: vec![u64::MAX; (len as usize).div_ceil(64)],
            len,
        };
        let tail = len % 64;
        if tail != 0
            && let Some(last) = bits.words.last_mut()
        {
            *last = (1u64 << tail) - 1;
        }
        bits
    }

    /// The documents of a segment of `len` documents for which `keep` holds.
    pub(super) fn of_fn(len: u32, mut keep: impl FnMut(DocId) -> bool) -> DocBits {
        let mut bits = DocBits::empty(len);
        for doc in 0..len {
            if keep(doc) {
                bits.insert(doc);
            }
        }
        bits
    }

    /// Documents of `docs` (ids at or beyond `len` are ignored).
    #[cfg(test)]
    pub(super) fn of(len: u32, docs: impl IntoIterator<Item = DocId>) -> DocBits {
        let mut bits = DocBits::empty(len);
        for doc in docs {
            bits.insert(doc);
        }
        bits
    }

    #[inline]
    pub(super) fn insert(&mut self, doc: DocId) {
        if let Some(word) = self.words.get_mut((doc / 64) as usize) {
            *word |= 1 << (doc % 64);
        }
    }

    #[inline]
    pub(super) fn remove(&mut self, doc: DocId) {
        if let Some(word) = self.words.get_mut((doc / 64) as usize) {
            *word &= !(1 << (doc % 64));
        }
    }

    #[inline]
    pub(super) fn contains(&self, doc: DocId) -> bool {
        self.words
            .get((doc / 64) as usize)
            .is_some_and(|w| w & (1 << (doc % 64)) != 0)
    }

    pub(super) fn len(&self) -> u32 {
        self.len
    }

    pub(super) fn is_empty(&self) -> bool {
        self.words.iter().all(|&w| w == 0)
    }

    pub(super) fn count(&self) -> u64 {
        self.words.iter().map(|w| u64::from(w.count_ones())).sum()
    }

    /// Size of the intersection, without building it.
    pub(super) fn count_and(&self, other: &DocBits) -> u64 {
        self.words
            .iter()
            .zip(&other.words)
            .map(|(a, b)| u64::from((a & b).count_ones()))
            .sum()
    }

    pub(super) fn and_with(&mut self, other: &DocBits) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= b;
        }
    }

    pub(super) fn or_with(&mut self, other: &DocBits) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a |= b;
        }
    }

    /// Removes the documents of `other`.
    pub(super) fn and_not(&mut self, other: &DocBits) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= !b;
        }
    }

    /// Documents in the set, in increasing order.
    pub(super) fn ones(&self) -> impl Iterator<Item = DocId> + '_ {
        self.words.iter().enumerate().flat_map(|(i, &word)| {
            let mut rest = word;
            std::iter::from_fn(move || {
                if rest == 0 {
                    return None;
                }
                let bit = rest.trailing_zeros();
                rest &= rest - 1;
                Some(i as u32 * 64 + bit)
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_operations_agree_with_a_plain_model() {
        let a = DocBits::of(130, [0, 5, 63, 64, 100, 129, 500]);
        let b = DocBits::of(130, [5, 64, 65, 129]);
        assert_eq!(a.ones().collect::<Vec<_>>(), vec![0, 5, 63, 64, 100, 129]);
        assert_eq!(a.count(), 6);
        assert_eq!(a.count_and(&b), 3);
        let mut both = a.clone();
        both.and_with(&b);
        assert_eq!(both.ones().collect::<Vec<_>>(), vec![5, 64, 129]);
        let mut either = a.clone();
        either.or_with(&b);
        assert_eq!(either.count(), 7);
        let mut rest = a.clone();
        rest.and_not(&b);
        assert_eq!(rest.ones().collect::<Vec<_>>(), vec![0, 63, 100]);
        let mut less = a;
        less.remove(63);
        assert!(!less.contains(63) && less.contains(64));
        assert_eq!(DocBits::full(130).count(), 130);
        assert_eq!(DocBits::full(128).count(), 128);
        assert!(DocBits::empty(130).is_empty());
        assert!(!DocBits::full(130).contains(130));
    }
}
