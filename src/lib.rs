//! xmess-kb: a searchable knowledge base of municipal policies for the social and
//! solidarity economy in Catalonia.
//!
//! The layers, each importing only from those below it (`tests/architecture.rs` checks):
//!
//! - [`cli`], then [`web`] and [`eval`]: what people use;
//! - [`search`]: the engine over an opened index generation;
//! - [`index`]: writing, verifying, publishing and opening generations;
//! - [`corpus`]: the Markdown documents and vocabulary files, validated;
//! - [`taxonomy`], then [`gazetteer`]: closed vocabularies and places;
//! - [`analysis`], [`markdown`], [`clock`]: Catalan text, Markdown bodies, dates.
//!
//! See ARCHITECTURE.md for the path of a query and of a build.

pub mod analysis;
pub mod cli;
pub mod clock;
pub mod corpus;
pub mod eval;
pub mod gazetteer;
pub mod index;
pub mod markdown;
pub mod search;
pub mod taxonomy;
pub mod web;
