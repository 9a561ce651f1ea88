//! `xmess-kb export`: the public documents as JSON Lines.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::CorpusDir;
use crate::corpus;
use crate::taxonomy::Visibility;

#[derive(Args)]
pub(super) struct ExportArgs {
    #[command(flatten)]
    corpus: CorpusDir,
}

pub(super) fn run(args: &ExportArgs) -> Result<ExitCode> {
    let corpus = match corpus::load(&args.corpus.corpus) {
        Ok(c) => c,
        Err(errors) => {
            eprintln!("{errors}");
            return Ok(ExitCode::from(1));
        }
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let public = corpus
        .documents
        .iter()
        .filter(|d| d.visibility == Visibility::Publica);
    for d in public {
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
