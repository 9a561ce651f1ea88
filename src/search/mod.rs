//! Search over one index generation. [`Engine`] holds an opened generation with its per-part
//! caches, and every way of asking it something is a method there: `search`, `count`,
//! `neighbours`, `document`, `related`, `similar_towns`, `suggest`, `spelling`. Every one
//! takes an [`Audience`]: internal documents are filtered by the index part searched and
//! again when counting, so no caller can forget it. Results are data (highlights are text
//! plus ranges); rendering them is the caller's.

mod concepts;
mod docbits;
mod engine;
mod execute;
mod facet_counts;
pub mod query;
mod related;
mod request;
mod results;
pub mod snippet;
mod spelling;
mod suggest;
mod term_sets;
mod towns;
mod translate;
mod vocabulary;

pub use concepts::How;
pub use engine::{Engine, build};
pub use related::{RelatedDoc, SimilarTowns};
pub use request::{DEFAULT_PER_PAGE, MAX_PER_PAGE, RESCORE_WINDOW, SearchRequest, Sort};
pub use results::{ConceptMatch, FacetValue, Hit, Neighbours, Relaxed, SearchResults, ThemeRef};
pub use snippet::Highlighted;
pub use suggest::{LabelFilter, Suggestion};
pub use towns::{GroupKind, TownDoc, TownGroup, TownsLike};
pub use translate::Translation;

pub use crate::taxonomy::Audience;
