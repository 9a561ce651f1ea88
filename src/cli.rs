//! Command line: `index`, `check`, `search`, `serve`, `eval`, `export`, `analyze`.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};

use crate::corpus;
use crate::index::{self, BuildOptions, Generation};
use crate::search::facets::{FacetKind, Sort};
use crate::search::{Audience, SearchRequest, SearchResults};

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

#[derive(Args, Clone)]
struct Paths {
    /// Folder of the corpus (Markdown documents, temes.toml, sinonims.toml).
    #[arg(long, env = "XMESS_KB_CORPUS", default_value = "corpus")]
    corpus: PathBuf,
    /// Folder of the index generations.
    #[arg(long, env = "XMESS_KB_INDEX", default_value = "index")]
    index: PathBuf,
}

#[derive(Subcommand)]
enum Command {
    /// Validate the corpus, build a new index generation and publish it atomically.
    Index {
        #[command(flatten)]
        paths: Paths,
        /// Validate and build, but publish nothing.
        #[arg(long)]
        dry_run: bool,
        /// Also list files that are not documents.
        #[arg(long)]
        verbose: bool,
    },
    /// Validate the corpus and print counts per kind, theme and comarca.
    Check {
        #[arg(long, env = "XMESS_KB_CORPUS", default_value = "corpus")]
        corpus: PathBuf,
        /// Also list files that are not documents.
        #[arg(long)]
        verbose: bool,
    },
    /// Search the published index from the terminal.
    Search(SearchArgs),
    /// Serve the site and the JSON API (builds the index first if there is none).
    ///
    /// Advisors' access to internal records needs a secret token in XMESS_KB_ADVISOR_TOKEN
    /// or in the file named by XMESS_KB_ADVISOR_TOKEN_FILE (at least 16 characters); without
    /// one, internal records are served to no one.
    Serve {
        #[command(flatten)]
        paths: Paths,
        /// Address to listen on.
        #[arg(long, env = "XMESS_KB_ADDR", default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
    },
    /// Score the search against graded judgments (nDCG@10, MRR@10, Recall@10, Success@1).
    Eval {
        #[arg(long, env = "XMESS_KB_INDEX", default_value = "index")]
        index: PathBuf,
        /// JSON Lines file of queries with judgments.
        #[arg(long)]
        qrels: PathBuf,
        /// Print machine-readable results.
        #[arg(long)]
        json: bool,
        /// Also write the top 100 of every query as a TREC run file (for score.py and peers).
        #[arg(long)]
        run: Option<PathBuf>,
    },
    /// Print the public documents as JSON Lines (id, title, municipality, comarca, themes,
    /// kind, years, body, url): open data, and the input format of the peer engines in
    /// shared/peers. Internal records are never exported.
    Export {
        #[arg(long, env = "XMESS_KB_CORPUS", default_value = "corpus")]
        corpus: PathBuf,
        /// JSON Lines, one document per line (the only format, and the default).
        #[arg(long, default_value_t = true)]
        jsonl: bool,
    },
    /// Show how a text is analysed: the tokens of the exact and the stem fields, with offsets.
    Analyze {
        /// Any text, as it would be typed or written in a document.
        text: Vec<String>,
    },
}

#[derive(Args)]
struct SearchArgs {
    /// What to look for (words, "exact phrases", -excluded).
    query: Vec<String>,
    #[arg(long, env = "XMESS_KB_INDEX", default_value = "index")]
    index: PathBuf,
    /// Print the JSON that GET /api/cerca returns.
    #[arg(long)]
    json: bool,
    /// Hits per page.
    #[arg(long, default_value_t = 10)]
    limit: usize,
    #[arg(long, default_value_t = 1)]
    page: usize,
    /// Theme slug (repeatable).
    #[arg(long)]
    tema: Vec<String>,
    /// Municipality (repeatable).
    #[arg(long)]
    municipi: Vec<String>,
    /// Comarca (repeatable).
    #[arg(long)]
    comarca: Vec<String>,
    /// Document kind: experiencia, guia, grup-de-treball, assessorament, jornada.
    #[arg(long)]
    tipus: Vec<String>,
    /// Year (repeatable).
    #[arg(long)]
    any: Vec<String>,
    /// Sort by most recent instead of relevance.
    #[arg(long)]
    recents: bool,
    /// Include internal records (advisors' view).
    #[arg(long)]
    intern: bool,
}

pub fn run() -> Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Command::Index {
            paths,
            dry_run,
            verbose,
        } => run_index(&paths, dry_run, verbose),
        Command::Check { corpus, verbose } => run_check(&corpus, verbose),
        Command::Search(args) => run_search(&args),
        Command::Serve { paths, addr } => {
            init_logging();
            let secret = crate::web::AdvisorSecret::from_env()?;
            ensure_index(&paths)?;
            let runtime = tokio::runtime::Runtime::new()?;
            runtime.block_on(crate::web::serve(paths.index.clone(), addr, secret))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Eval {
            index,
            qrels,
            json,
            run,
        } => {
            let generation = Generation::open_current(&index)?;
            let report = crate::eval::evaluate(&generation, &qrels)?;
            if let Some(path) = run {
                std::fs::write(&path, report.trec_run("xmess-kb"))
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
            let mut out = std::io::stdout().lock();
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
            } else {
                write!(out, "{}", report.table())?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Export { corpus, jsonl: _ } => run_export(&corpus),
        Command::Analyze { text } => {
            let text = text.join(" ");
            let mut out = std::io::stdout().lock();
            for (name, kind) in [
                (crate::analysis::EXACT, crate::analysis::Analyzer::Exact),
                (crate::analysis::STEM, crate::analysis::Analyzer::Stem),
                (crate::analysis::LIGHT, crate::analysis::Analyzer::Light),
            ] {
                writeln!(out, "{name}:")?;
                for t in crate::analysis::tokens(kind, &text) {
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
    }
}

fn run_export(dir: &Path) -> Result<ExitCode> {
    let corpus = match corpus::load(dir) {
        Ok(c) => c,
        Err(errors) => {
            eprintln!("{errors}");
            return Ok(ExitCode::from(1));
        }
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for d in corpus
        .documents
        .iter()
        .filter(|d| d.visibility == crate::taxonomy::Visibility::Publica)
    {
        let themes: Vec<&str> = d
            .themes
            .iter()
            .map(|s| {
                corpus
                    .themes
                    .by_slug(s)
                    .map_or(s.as_str(), |t| t.label.as_str())
            })
            .collect();
        let line = serde_json::json!({
            "id": d.id,
            "title": d.title,
            "municipality": d.municipalities,
            "comarca": d.comarques,
            "themes": themes,
            "kind": d.kind,
            "years": d.years.map(|y| y.label()),
            "body": d.plain_body(),
            "url": format!("/document/{}", d.id),
        });
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
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

fn ensure_index(paths: &Paths) -> Result<()> {
    match index::current_generation_name(&paths.index)? {
        Some(name) => match Generation::open(&paths.index.join(&name)) {
            Ok(_) => return Ok(()),
            Err(e) => eprintln!(
                "The published index cannot be used ({e:#}); rebuilding it from {}…",
                paths.corpus.display()
            ),
        },
        None => eprintln!(
            "No index in {}; building it from {}…",
            paths.index.display(),
            paths.corpus.display()
        ),
    }
    run_index(paths, false, false).map(|_| ())
}

fn run_index(paths: &Paths, dry_run: bool, verbose: bool) -> Result<ExitCode> {
    if verbose {
        list_ignored(&paths.corpus);
    }
    let mut progress = crate::progress::Progress::new(std::io::stderr().is_terminal());
    let report = index::build_with_progress(
        &BuildOptions {
            corpus: paths.corpus.clone(),
            index: paths.index.clone(),
            dry_run,
        },
        &mut |event| progress.event(event),
    )?;
    let rate = report.documents as f64 / report.seconds.max(1e-9);
    match report.generation {
        Some(g) => println!(
            "Published generation {g}: {} documents ({} public) in {:.2} s ({rate:.0} documents/s), {}",
            report.documents,
            report.public_documents,
            report.seconds,
            paths.index.display()
        ),
        None => println!(
            "Dry run: {} documents ({} public) are valid and index in {:.2} s; nothing was published",
            report.documents, report.public_documents, report.seconds
        ),
    }
    Ok(ExitCode::SUCCESS)
}

fn list_ignored(dir: &Path) {
    if let Ok(c) = corpus::load(dir) {
        for path in &c.ignored {
            eprintln!("ignored (not a document): {}", path.display());
        }
    }
}

fn run_check(dir: &Path, verbose: bool) -> Result<ExitCode> {
    let corpus = match corpus::load(dir) {
        Ok(c) => c,
        Err(errors) => {
            eprintln!("{errors}");
            return Ok(ExitCode::from(1));
        }
    };
    if verbose {
        for path in &corpus.ignored {
            eprintln!("ignored (not a document): {}", path.display());
        }
    }
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{}: {} documents, 0 errors",
        dir.display(),
        corpus.documents.len()
    )?;
    let count = |f: &dyn Fn(&corpus::Document) -> Vec<String>| {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for d in &corpus.documents {
            for v in f(d) {
                *counts.entry(v).or_default() += 1;
            }
        }
        counts
    };
    let sections: [(&str, BTreeMap<String, usize>); 4] = [
        ("Per tipus", count(&|d| vec![d.kind.label().to_string()])),
        (
            "Per visibilitat",
            count(&|d| vec![d.visibility.label().to_string()]),
        ),
        (
            "Per tema",
            count(&|d| {
                d.themes
                    .iter()
                    .map(|s| {
                        corpus
                            .themes
                            .by_slug(s)
                            .map_or(s.clone(), |t| t.label.clone())
                    })
                    .collect()
            }),
        ),
        ("Per comarca", count(&|d| d.comarques.clone())),
    ];
    for (title, counts) in sections {
        writeln!(out, "\n{title}:")?;
        for (k, v) in counts {
            writeln!(out, "  {v:>4}  {k}")?;
        }
    }
    let unused: Vec<_> = corpus
        .themes
        .all()
        .iter()
        .filter(|t| !corpus.documents.iter().any(|d| d.themes.contains(&t.slug)))
        .map(|t| t.label.as_str())
        .collect();
    if !unused.is_empty() {
        writeln!(out, "\nThemes without documents: {}", unused.join(", "))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn run_search(args: &SearchArgs) -> Result<ExitCode> {
    let generation = Generation::open_current(&args.index)
        .with_context(|| format!("cannot open the index in {}", args.index.display()))?;
    let mut request = SearchRequest::new(
        &args.query.join(" "),
        if args.intern {
            Audience::Advisor
        } else {
            Audience::Public
        },
    );
    request.per_page = args.limit;
    request.page = args.page;
    if args.recents {
        request.sort = Some(Sort::Recents);
    }
    for (kind, values) in [
        (FacetKind::Tema, &args.tema),
        (FacetKind::Municipi, &args.municipi),
        (FacetKind::Comarca, &args.comarca),
        (FacetKind::Tipus, &args.tipus),
        (FacetKind::Any, &args.any),
    ] {
        if !values.is_empty() {
            request.filters.insert(kind, values.clone());
        }
    }
    let results = generation.search(&request)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string(&results)?)?;
    } else {
        print_results(&mut out, &results)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn print_results(out: &mut impl Write, results: &SearchResults) -> Result<()> {
    writeln!(out, "{} resultats per «{}»", results.total, results.query)?;
    for (i, hit) in results.hits.iter().enumerate() {
        let rank = (results.page - 1) * results.per_page + i + 1;
        writeln!(out, "\n{rank:>3}. {}  [{}]", hit.title, hit.id)?;
        let places = hit.municipalities.join(", ");
        writeln!(
            out,
            "     {} · {} · {:.2}",
            hit.kind_label, places, hit.score
        )?;
        let plain = hit.snippet.replace("<mark>", "«").replace("</mark>", "»");
        writeln!(out, "     {}", crate::web::unescape(&plain))?;
    }
    Ok(())
}
