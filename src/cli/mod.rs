//! The command line: one file per subcommand. Messages to people are in Catalan.

mod analyze;
mod check;
mod eval;
mod export;
mod index;
mod progress;
mod search;
mod serve;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "xmess-kb",
    version,
    about = "Cercador de polítiques públiques municipals d'economia social i solidària (XMESS)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The corpus folder.
#[derive(Args, Clone)]
struct CorpusDir {
    /// Carpeta del corpus (documents Markdown, temes.toml, sinonims.toml).
    #[arg(
        long,
        env = "XMESS_KB_CORPUS",
        default_value = "corpus",
        value_name = "CARPETA"
    )]
    corpus: PathBuf,
}

/// The index folder.
#[derive(Args, Clone)]
struct IndexDir {
    /// Carpeta de les generacions de l'índex.
    #[arg(
        long,
        env = "XMESS_KB_INDEX",
        default_value = "index",
        value_name = "CARPETA"
    )]
    index: PathBuf,
}

#[derive(Subcommand)]
enum Command {
    /// Valida el corpus, construeix una generació nova de l'índex i la publica de cop.
    Index(index::IndexArgs),
    /// Valida el corpus i compta els documents per tipus, tema i comarca.
    Check(check::CheckArgs),
    /// Cerca a l'índex publicat des del terminal.
    Search(search::SearchArgs),
    /// Serveix el web i l'API JSON (abans construeix l'índex si no n'hi ha).
    ///
    /// L'accés d'assessorament als documents interns necessita un codi secret a
    /// XMESS_KB_ADVISOR_TOKEN o al fitxer que indiqui XMESS_KB_ADVISOR_TOKEN_FILE (almenys 16
    /// caràcters, 8 de diferents; per exemple `openssl rand -hex 24`); sense codi, els
    /// documents interns no es mostren a ningú.
    Serve(serve::ServeArgs),
    /// Avalua la cerca amb judicis graduats (nDCG@10, MRR@10, Recall@10, Success@1).
    Eval(eval::EvalArgs),
    /// Escriu els documents públics en JSON Lines (id, títol, municipi, comarca, temes, tipus,
    /// anys, text, url): dades obertes, i l'entrada dels motors de comparació. Els documents
    /// interns no s'exporten mai.
    Export(export::ExportArgs),
    /// Mostra com s'analitza un text: els mots de cada analitzador, amb posicions.
    Analyze(analyze::AnalyzeArgs),
}

pub fn run() -> Result<ExitCode> {
    match Cli::parse().command {
        Command::Index(args) => index::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Search(args) => search::run(&args),
        Command::Serve(args) => serve::run(&args),
        Command::Eval(args) => eval::run(&args),
        Command::Export(args) => export::run(&args),
        Command::Analyze(args) => analyze::run(&args),
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .try_init();
}
