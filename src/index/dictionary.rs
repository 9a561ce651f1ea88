//! The facet values of one index part, each with an ordinal: the fast fields store ordinals,
//! and this dictionary, written beside the part, turns them back into values.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::corpus::Document;
use crate::taxonomy::FacetKind;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FacetDictionary {
    values: HashMap<FacetKind, Vec<String>>,
}

impl FacetDictionary {
    /// Assigns an ordinal to every value of every facet of `docs`, in sorted order.
    pub fn build<'a>(docs: impl Iterator<Item = &'a Document>, year: u16) -> FacetDictionary {
        let mut values: HashMap<FacetKind, Vec<String>> = HashMap::new();
        for doc in docs {
            for &kind in FacetKind::ALL {
                let of_kind = values.entry(kind).or_default();
                of_kind.extend(doc.facet_values(kind, year));
            }
        }
        for of_kind in values.values_mut() {
            of_kind.sort();
            of_kind.dedup();
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

    /// Number of values of each facet, in `FacetKind::ALL` order.
    pub fn sizes(&self) -> Vec<usize> {
        FacetKind::ALL
            .iter()
            .map(|&k| self.values(k).len())
            .collect()
    }
}
