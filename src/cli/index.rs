//! `xmess-kb index`: build and publish a generation.

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;

use super::progress::Progress;
use super::{CorpusDir, IndexDir};
use crate::index::{self, BuildOptions};
use crate::search::{self, Engine};

#[derive(Args)]
pub(super) struct IndexArgs {
    #[command(flatten)]
    corpus: CorpusDir,
    #[command(flatten)]
    index: IndexDir,
    /// Valida i construeix, però no publica res.
    #[arg(long)]
    dry_run: bool,
    /// Llista també els fitxers que no són documents.
    #[arg(long)]
    verbose: bool,
}

pub(super) fn run(args: &IndexArgs) -> Result<ExitCode> {
    if args.verbose {
        super::check::list_ignored(&args.corpus.corpus);
    }
    build(&args.corpus.corpus, &args.index.index, args.dry_run)?;
    Ok(ExitCode::SUCCESS)
}

/// Builds (and publishes, unless `dry_run`) the index of `corpus` into `index`.
pub(super) fn build(corpus: &Path, index: &Path, dry_run: bool) -> Result<()> {
    let mut progress = Progress::new(std::io::stderr().is_terminal());
    let options = BuildOptions {
        corpus: corpus.to_path_buf(),
        index: index.to_path_buf(),
        dry_run,
    };
    let report = search::build(&options, &mut |event| progress.event(event))?;
    let rate = report.documents as f64 / report.seconds.max(1e-9);
    match report.generation {
        Some(g) => println!(
            "Publicada la generació {g}: {} documents ({} públics) en {:.2} s ({rate:.0} documents/s), {}",
            report.documents,
            report.public_documents,
            report.seconds,
            index.display()
        ),
        None => println!(
            "Prova: {} documents ({} públics) són vàlids i s'indexen en {:.2} s; no s'ha publicat res",
            report.documents, report.public_documents, report.seconds
        ),
    }
    Ok(())
}

/// The engine of the published generation. The index is built from the corpus first when
/// none is published, or when the published one cannot be served: damaged (a checksum that
/// does not match, a file missing or unreadable, a panic while opening it) or built by
/// another version. The damaged generation stays on disk, no longer published.
pub(super) fn ensure(corpus: &Path, index: &Path) -> Result<Engine> {
    let problem = match index::current_generation_name(index) {
        Ok(Some(name)) => match Engine::open(&index.join(&name)) {
            Ok(engine) => return Ok(engine),
            Err(e) => {
                tracing::warn!(
                    generation = %name,
                    error = format!("{e:#}"),
                    "the published generation cannot be served; rebuilding the index from the corpus"
                );
                format!("L'índex publicat ({name}) no es pot fer servir: {e:#}")
            }
        },
        Ok(None) => {
            eprintln!(
                "No hi ha cap índex a {}; es construeix a partir de {}…",
                index.display(),
                corpus.display()
            );
            return build_and_open(corpus, index);
        }
        Err(e) => {
            tracing::warn!(
                error = format!("{e:#}"),
                "the published index cannot be read; rebuilding it from the corpus"
            );
            format!("L'índex publicat no es pot fer servir: {e:#}")
        }
    };
    eprintln!(
        "{problem}\nEs torna a construir a partir de {}…",
        corpus.display()
    );
    build_and_open(corpus, index)
}

fn build_and_open(corpus: &Path, index: &Path) -> Result<Engine> {
    build(corpus, index, false).with_context(|| {
        format!(
            "no s'ha pogut construir l'índex a partir de {}",
            corpus.display()
        )
    })?;
    Engine::open_current(index)
}
