//! xmess-kb: a searchable knowledge base of municipal policies for the social and
//! solidarity economy in Catalonia.
//!
//! The data path: [`corpus`] reads and validates Markdown files, [`analysis`] turns Catalan
//! text into terms, [`index`] builds and publishes a tantivy index generation, [`search`]
//! answers queries with facets and snippets for an audience, and [`web`] and [`cli`] put
//! that in front of people. See ARCHITECTURE.md for the walk-through.

pub mod analysis;
pub mod cli;
pub mod clock;
pub mod corpus;
pub mod eval;
pub mod fasthash;
pub mod gazetteer;
pub mod index;
pub mod markdown;
pub mod progress;
pub mod search;
pub mod taxonomy;
pub mod web;
