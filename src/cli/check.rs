//! `xmess-kb check`: validate the corpus and count what it holds.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::CorpusDir;
use crate::corpus::{self, Document};

#[derive(Args)]
pub(super) struct CheckArgs {
    #[command(flatten)]
    corpus: CorpusDir,
    /// Llista també els fitxers que no són documents.
    #[arg(long)]
    verbose: bool,
}

pub(super) fn run(args: &CheckArgs) -> Result<ExitCode> {
    let dir = &args.corpus.corpus;
    let corpus = match corpus::load(dir) {
        Ok(c) => c,
        Err(errors) => {
            eprintln!("{errors}");
            return Ok(ExitCode::from(1));
        }
    };
    if args.verbose {
        for path in &corpus.ignored {
            eprintln!("ignorat (no és un document): {}", path.display());
        }
    }
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{}: {} documents, 0 errors",
        dir.display(),
        corpus.documents.len()
    )?;
    let count = |f: &dyn Fn(&Document) -> Vec<String>| {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for d in &corpus.documents {
            for v in f(d) {
                *counts.entry(v).or_default() += 1;
            }
        }
        counts
    };
    let theme_label = |s: &String| {
        corpus
            .themes
            .by_slug(s)
            .map_or(s.clone(), |t| t.label.clone())
    };
    let sections: [(&str, BTreeMap<String, usize>); 4] = [
        ("Per tipus", count(&|d| vec![d.kind.label().to_string()])),
        (
            "Per visibilitat",
            count(&|d| vec![d.visibility.label().to_string()]),
        ),
        (
            "Per tema",
            count(&|d| d.themes.iter().map(theme_label).collect()),
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
        writeln!(out, "\nTemes sense documents: {}", unused.join(", "))?;
    }
    shared_text(&mut out, &corpus.documents)?;
    Ok(ExitCode::SUCCESS)
}

/// Corpora larger than this are not compared pair by pair (synthetic benchmark corpora).
const MAX_COMPARED: usize = 5_000;

/// Warns about documents that share too much of their text.
fn shared_text(out: &mut impl Write, documents: &[Document]) -> Result<()> {
    if documents.len() > MAX_COMPARED {
        writeln!(
            out,
            "\nText compartit: no es compara en corpus de més de {MAX_COMPARED} documents."
        )?;
        return Ok(());
    }
    let limit = (corpus::MAX_SHARED * 100.0).round();
    let pairs = corpus::shared_text(documents);
    if pairs.is_empty() {
        writeln!(
            out,
            "\nText compartit: cap parella de documents en comparteix més del {limit} %."
        )?;
    }
    for pair in pairs {
        eprintln!(
            "avís: «{}» i «{}» comparteixen el {:.0} % del text (el límit és el {limit} %); deixeu el text comú en un sol document i enllaceu-lo des dels altres",
            pair.first,
            pair.second,
            pair.share * 100.0
        );
    }
    Ok(())
}

/// Lists the files of the corpus folder that are not documents (on stderr).
pub(super) fn list_ignored(dir: &Path) {
    if let Ok(c) = corpus::load(dir) {
        for path in &c.ignored {
            eprintln!("ignorat (no és un document): {}", path.display());
        }
    }
}
