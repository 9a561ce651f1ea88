//! `xmess-kb analyze`: how a text is analysed by each analyzer.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use crate::analysis::{self, Analyzer};

#[derive(Args)]
pub(super) struct AnalyzeArgs {
    /// Qualsevol text, tal com s'escriuria en una cerca o en un document.
    text: Vec<String>,
}

pub(super) fn run(args: &AnalyzeArgs) -> Result<ExitCode> {
    let text = args.text.join(" ");
    let mut out = std::io::stdout().lock();
    for (name, kind) in [
        (analysis::EXACT, Analyzer::Exact),
        (analysis::STEM, Analyzer::Stem),
        (analysis::LIGHT, Analyzer::Light),
    ] {
        writeln!(out, "{name}:")?;
        for t in analysis::tokens(kind, &text) {
            writeln!(
                out,
                "  {:>3}  {:<20} {:>4}..{:<4} {}",
                t.position,
                t.text,
                t.offset_from,
                t.offset_to,
                &text[t.offset_from..t.offset_to]
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
