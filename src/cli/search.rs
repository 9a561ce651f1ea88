//! `xmess-kb search`: search the published index from the terminal.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;

use super::IndexDir;
use crate::search::{Audience, Engine, Highlighted, Hit, SearchRequest, SearchResults, Sort};
use crate::taxonomy::FacetKind;
use crate::web::{Links, SearchJson};

#[derive(Args)]
pub(super) struct SearchArgs {
    /// Què cal cercar (paraules, "frases exactes", -paraules excloses).
    query: Vec<String>,
    #[command(flatten)]
    index: IndexDir,
    /// Escriu el JSON que respon GET /api/cerca.
    #[arg(long)]
    json: bool,
    /// Resultats per pàgina.
    #[arg(long, default_value_t = 10)]
    limit: usize,
    #[arg(long, default_value_t = 1)]
    page: usize,
    /// Tema, pel seu slug (es pot repetir).
    #[arg(long)]
    tema: Vec<String>,
    /// Municipi (es pot repetir).
    #[arg(long)]
    municipi: Vec<String>,
    /// Comarca (es pot repetir).
    #[arg(long)]
    comarca: Vec<String>,
    /// Tipus de document: experiencia, guia, grup-de-treball, assessorament, jornada.
    #[arg(long)]
    tipus: Vec<String>,
    /// Any (es pot repetir).
    #[arg(long)]
    any: Vec<String>,
    /// Ordena pels més recents en lloc de per rellevància.
    #[arg(long)]
    recents: bool,
    /// Inclou els documents interns (la vista d'assessorament).
    #[arg(long)]
    intern: bool,
}

pub(super) fn run(args: &SearchArgs) -> Result<ExitCode> {
    let index = &args.index.index;
    let engine = Engine::open_current(index)
        .with_context(|| format!("no es pot obrir l'índex de {}", index.display()))?;
    let audience = if args.intern {
        Audience::Advisor
    } else {
        Audience::Public
    };
    let mut request = SearchRequest::new(&args.query.join(" "), audience);
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
        (FacetKind::Year, &args.any),
    ] {
        if !values.is_empty() {
            request.filters.insert(kind, values.clone());
        }
    }
    let results = engine.search(&request)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        let json = SearchJson::of(results, &Links::default());
        writeln!(out, "{}", serde_json::to_string(&json)?)?;
    } else {
        print_results(&mut out, &results)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Marked words between «», where the passage is cut, `…`.
fn emphasised(h: &Highlighted) -> String {
    let mut out = String::from(if h.cut_before { "…" } else { "" });
    for piece in h.pieces() {
        if piece.marked {
            out.push_str(&format!("«{}»", piece.text));
        } else {
            out.push_str(piece.text);
        }
    }
    if h.cut_after {
        out.push('…');
    }
    out
}

fn quoted(words: &[String]) -> String {
    let quoted: Vec<String> = words.iter().map(|w| format!("«{w}»")).collect();
    quoted.join(", ")
}

fn print_results(out: &mut impl Write, results: &SearchResults) -> Result<()> {
    writeln!(out, "{} resultats per «{}»", results.total, results.query)?;
    for t in &results.translated {
        writeln!(out, "Hem cercat «{}» per «{}»", t.to, t.from)?;
    }
    if !results.unknown.is_empty() {
        let searched = quoted(&results.concepts);
        let unknown = quoted(&results.unknown);
        writeln!(
            out,
            "No hem trobat {unknown} en cap document; hem cercat {searched}"
        )?;
    }
    let first = (results.page - 1) * results.per_page + 1;
    print_hits(out, &results.hits, first)?;
    if let Some(relaxed) = &results.relaxed {
        writeln!(
            out,
            "\nCap document no conté totes les paraules; {} en contenen {} de {}:",
            relaxed.total, relaxed.matched, relaxed.of
        )?;
        print_hits(out, &relaxed.hits, 1)?;
    }
    Ok(())
}

fn print_hits(out: &mut impl Write, hits: &[Hit], first: usize) -> Result<()> {
    for (i, hit) in hits.iter().enumerate() {
        writeln!(out, "\n{:>3}. {}  [{}]", first + i, hit.title.text, hit.id)?;
        let places = hit.municipalities.join(", ");
        let kind = hit.kind.label();
        writeln!(out, "     {kind} · {places} · {:.2}", hit.score)?;
        writeln!(out, "     {}", emphasised(&hit.snippet))?;
        if !hit.missing.is_empty() {
            writeln!(out, "     Falta: {}", quoted(&hit.missing))?;
        }
    }
    Ok(())
}
