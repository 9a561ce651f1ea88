//! The on-disk index: one directory per generation under `index/`, and a `CURRENT` file
//! naming the published one. A build writes a fresh generation, verifies it and only then
//! switches `CURRENT` with an atomic rename, so readers never see a partial index. This
//! layer writes, verifies, publishes and opens files; it knows nothing of queries.

mod build;
mod dictionary;
mod generation;
pub mod schema;
mod storage;

pub use build::{BuildEvent, BuildOptions, BuildReport, Sample, build};
pub use dictionary::FacetDictionary;
pub use generation::{BuildInfo, Generation, Part, current_generation_name};

/// Name of the pointer file inside the index directory.
pub const CURRENT: &str = "CURRENT";
/// The two tantivy indexes of a generation: public documents only, and all documents.
pub const PUBLIC_PART: &str = "public";
pub const ADVISOR_PART: &str = "advisor";
/// Sidecar files written into every generation (the dictionary into each part).
pub const INFO_FILE: &str = "xmess-build.json";
pub const DICTIONARY_FILE: &str = "xmess-facets.json";
pub const THEMES_COPY: &str = "temes.toml";
pub const SYNONYMS_COPY: &str = "sinonims.toml";
/// Optional: generations built before it existed have none.
pub const LANGUAGES_COPY: &str = "altres-llengues.toml";
