//! `xmess-kb eval`: search quality on graded judgments.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;

use super::IndexDir;
use crate::search::Engine;

#[derive(Args)]
pub(super) struct EvalArgs {
    #[command(flatten)]
    index: IndexDir,
    /// Fitxer JSON Lines de consultes amb judicis (per exemple data/eval/dev.jsonl).
    #[arg(long)]
    qrels: PathBuf,
    /// Escriu els resultats en JSON.
    #[arg(long)]
    json: bool,
    /// Escriu també els 100 primers de cada consulta com a fitxer TREC (per a score.py i els
    /// motors de comparació).
    #[arg(long)]
    run: Option<PathBuf>,
}

pub(super) fn run(args: &EvalArgs) -> Result<ExitCode> {
    let engine = Engine::open_current(&args.index.index)?;
    let report = crate::eval::evaluate(&engine, &args.qrels)?;
    if let Some(path) = &args.run {
        std::fs::write(path, report.trec_run("xmess-kb"))
            .with_context(|| format!("no es pot escriure {}", path.display()))?;
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        write!(out, "{}", report.table())?;
    }
    Ok(ExitCode::SUCCESS)
}
