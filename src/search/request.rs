//! What a search asks for.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::taxonomy::{Audience, FacetKind};

pub const MAX_PER_PAGE: usize = 100;
pub const DEFAULT_PER_PAGE: usize = 20;

/// Candidates kept for rescoring: a document outside it would need boosts worth more than
/// the whole gap to enter the first page. `examples/latency --agreement` measures how often
/// the first page differs from a far larger window's (see BENCHMARKS.md).
pub const RESCORE_WINDOW: usize = 100;

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

#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub query: String,
    /// Selected values per facet (OR inside a facet, AND across facets).
    pub filters: BTreeMap<FacetKind, Vec<String>>,
    pub sort: Option<Sort>,
    /// 1-based.
    pub page: usize,
    pub per_page: usize,
    pub audience: Audience,
    /// Years from–to, both included: documents active in any year of the range.
    pub years: Option<(u16, u16)>,
    /// Best candidates of the ranking that the phrase and coordination boosts reorder:
    /// larger comes closer to rescoring every match, and costs more.
    pub rescore_window: usize,
}

impl SearchRequest {
    pub fn new(query: &str, audience: Audience) -> SearchRequest {
        SearchRequest {
            query: query.to_string(),
            filters: BTreeMap::new(),
            sort: None,
            page: 1,
            per_page: DEFAULT_PER_PAGE,
            audience,
            years: None,
            rescore_window: RESCORE_WINDOW,
        }
    }
}
