#![allow(unreachable_pub)]
//! One integration test binary; modules share the helpers in `support`.

mod access;
mod api;
mod architecture;
mod cli;
mod corpus_check;
mod corrupt_index;
mod deployment;
mod discovery;
mod facets;
mod fuzz;
mod hardening;
mod hardening_auth;
mod matching;
mod precision;
mod rebuild;
mod standalone;
mod support;
mod web_pages;
