//! Synthetic corpus for the scale benchmarks (see BENCHMARKS.md and `scripts/bench`).
//!
//! ```sh
//! cargo run --release --example synth -- --n 100000 --seed 7 --out DIR --queries DIR.tsv
//! ```
//!
//! Writes N valid corpus documents (`DIR/<kind folder>/<id>.md`, plus copies of
//! `temes.toml` and `sinonims.toml`) that go through the real path: `check`, `index`,
//! `export`. They recombine the real corpus read at run time: titles (some spliced), body
//! sentences, headings and list items, real theme labels and municipality names (the
//! source's names swapped for the new document's), numbers jittered. The same seed gives
//! the same files. The text is not real: use it for timing and size, never for quality.
//!
//! `--queries FILE` also writes the speed query set as `qid<TAB>query` (the peers' format):
//! every dev query string (qid `<type>.<qid>`, from `--eval`), then random 1-3 word
//! queries drawn by token frequency from the real corpus (qid `random<k>.r-NNNN`).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Parser;
use xmess_kb::analysis::{self, Analyzer};
use xmess_kb::corpus::{self, Document};
use xmess_kb::gazetteer::Gazetteer;
use xmess_kb::taxonomy::{AbcCategory, DocKind};

/// Marks a folder as written by this generator, so a rerun may replace it.
const MARKER: &str = ".xmess-synth";

#[derive(Parser)]
#[command(about = "Writes a synthetic corpus and a speed query set")]
struct Args {
    /// Documents to write.
    #[arg(long, default_value_t = 100_000)]
    n: usize,
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// The real corpus to draw from.
    #[arg(long, default_value = "corpus")]
    source: PathBuf,
    /// Output corpus folder (replaced if an earlier run of this generator wrote it).
    #[arg(long)]
    out: PathBuf,
    /// Also write the speed query set here (TSV).
    #[arg(long)]
    queries: Option<PathBuf>,
    /// Queries in the set: the dev queries, then random ones up to this count.
    #[arg(long, default_value_t = 200)]
    query_count: usize,
    /// Eval JSON Lines whose query strings lead the query set ("" for none).
    #[arg(long, default_value = "data/eval/dev.jsonl")]
    eval: String,
}

/// splitmix64: tiny, deterministic, good enough to shuffle text.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in 0..n (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn range(&mut self, from: usize, to_inclusive: usize) -> usize {
        from + self.below(to_inclusive - from + 1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// A piece of real text and the municipalities of the document it came from.
struct Piece {
    text: String,
    source: usize,
}

/// Everything drawn from the real corpus.
struct Material {
    docs: Vec<Document>,
    titles: Vec<Piece>,
    sentences: Vec<Piece>,
    headings: Vec<String>,
    bullets: Vec<Piece>,
    theme_labels: Vec<String>,
    /// Municipalities named by real documents, once per mention (frequent ones weigh more).
    named_places: Vec<String>,
    /// Kinds, once per real document (the real mix).
    kinds: Vec<DocKind>,
}

fn material(source: &Path) -> Result<Material> {
    let corpus = corpus::load(source).map_err(|e| {
        anyhow::anyhow!("the source corpus {} is not valid:\n{e}", source.display())
    })?;
    let mut m = Material {
        docs: Vec::new(),
        titles: Vec::new(),
        sentences: Vec::new(),
        headings: Vec::new(),
        bullets: Vec::new(),
        theme_labels: corpus
            .themes
            .all()
            .iter()
            .map(|t| t.label.clone())
            .collect(),
        named_places: Vec::new(),
        kinds: Vec::new(),
    };
    for (i, doc) in corpus.documents.iter().enumerate() {
        m.titles.push(Piece {
            text: doc.title.clone(),
            source: i,
        });
        m.named_places.extend(doc.municipalities.iter().cloned());
        m.kinds.push(doc.kind);
        for line in doc.body.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if let Some(h) = line.strip_prefix("## ") {
                m.headings.push(h.to_string());
            } else if line.starts_with('#') || line.starts_with('|') || line.starts_with('>') {
                continue; // tables, quotes and other headings would need their context
            } else if let Some(item) = line.strip_prefix("- ") {
                m.bullets.push(Piece {
                    text: item.to_string(),
                    source: i,
                });
            } else {
                for sentence in sentences(line) {
                    m.sentences.push(Piece {
                        text: sentence.to_string(),
                        source: i,
                    });
                }
            }
        }
    }
    m.docs = corpus.documents;
    if m.titles.is_empty() || m.sentences.is_empty() || m.theme_labels.is_empty() {
        bail!(
            "{} has too little text to draw from (documents, sentences and themes are needed)",
            source.display()
        );
    }
    if m.headings.is_empty() {
        m.headings.push("Descripció".into());
    }
    if m.bullets.is_empty() {
        m.bullets.push(Piece {
            text: m.sentences[0].text.clone(),
            source: m.sentences[0].source,
        });
    }
    Ok(m)
}

/// Splits a paragraph after ". " (keeps the period).
fn sentences(paragraph: &str) -> impl Iterator<Item = &str> {
    paragraph
        .split_inclusive(". ")
        .map(str::trim)
        .filter(|s| s.chars().count() > 20)
}

/// Swaps the municipalities of the source document for those of the new one.
fn swap_places(text: &str, source: &Document, places: &[String], rng: &mut Rng) -> String {
    let mut text = text.to_string();
    if places.is_empty() {
        return text;
    }
    for name in &source.municipalities {
        if text.contains(name.as_str()) {
            let new = rng.pick(places).as_str();
            text = text.replace(name.as_str(), new);
        }
    }
    text
}

/// Same-length random digits for every number; years stay plausible.
fn jitter_numbers(text: &str, rng: &mut Rng) -> String {
    let mut out = String::with_capacity(text.len());
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String, rng: &mut Rng| {
        if digits.is_empty() {
            return;
        }
        if digits.len() == 4 && digits.starts_with("20") {
            let _ = write!(out, "{}", rng.range(2010, 2026));
        } else {
            for (i, _) in digits.chars().enumerate() {
                let d = if i == 0 && digits.len() > 1 {
                    rng.range(1, 9)
                } else {
                    rng.below(10)
                };
                let _ = write!(out, "{d}");
            }
        }
        digits.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out, rng);
            out.push(c);
        }
    }
    flush(&mut digits, &mut out, rng);
    out
}

/// A TOML basic string.
fn toml_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn toml_list(items: &[String]) -> String {
    let inner: Vec<String> = items.iter().map(|s| toml_str(s)).collect();
    format!("[{}]", inner.join(", "))
}

fn dedup(items: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    items.retain(|x| seen.insert(x.clone()));
}

/// One synthetic document: (kind, id, file text).
fn document(m: &Material, i: usize, rng: &mut Rng) -> (DocKind, String, String) {
    let kind = *rng.pick(&m.kinds);
    let id = format!("synth-{i:07}");
    let gazetteer = Gazetteer::get().municipalities();

    // Scope and places: mostly one town, some several, a few network-wide.
    let (scope, count) = match rng.below(100) {
        0..=7 => ("xarxa", 0),
        8..=21 => ("supramunicipal", rng.range(2, 3)),
        _ => ("municipal", 1),
    };
    let mut places: Vec<String> = (0..count)
        .map(|_| {
            if rng.chance(50) && !m.named_places.is_empty() {
                rng.pick(&m.named_places).clone()
            } else {
                rng.pick(gazetteer).name.clone()
            }
        })
        .collect();
    dedup(&mut places);

    let base = rng.pick(&m.titles);
    let mut title = swap_places(&base.text, &m.docs[base.source], &places, rng);
    // Two real titles spliced at word boundaries: real corpora seldom repeat a title, and
    // the build's own check (a document's title finds it) needs titles to tell apart.
    {
        let other = rng.pick(&m.titles);
        let other = swap_places(&other.text, &m.docs[other.source], &places, rng);
        let a: Vec<&str> = title.split_whitespace().collect();
        let b: Vec<&str> = other.split_whitespace().collect();
        let cut_a = rng.range(1, a.len().max(2) - 1).min(a.len());
        let cut_b = rng.below(b.len().max(1)).min(b.len());
        title = a[..cut_a]
            .iter()
            .chain(&b[cut_b..])
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
    }
    let title = jitter_numbers(&title, rng);

    let base_doc = &m.docs[base.source];
    let mut themes: Vec<String> = Vec::new();
    if rng.chance(60) {
        // The real document's themes, as written in its file (labels resolve the same).
        themes.extend(base_doc.themes.iter().take(2).cloned());
    }
    for _ in 0..rng.range(if themes.is_empty() { 1 } else { 0 }, 2) {
        themes.push(rng.pick(&m.theme_labels).clone());
    }
    dedup(&mut themes);
    themes.truncate(3);

    let from = rng.range(2010, 2025);
    let years = match rng.below(10) {
        0..=4 => from.to_string(),
        5..=7 => format!("{from}-{}", rng.range(from, 2026)),
        _ => format!("{from}-"),
    };

    let mut body = String::new();
    let sentence = |rng: &mut Rng| {
        let piece = rng.pick(&m.sentences);
        let text = swap_places(&piece.text, &m.docs[piece.source], &places, rng);
        jitter_numbers(&text, rng)
    };
    let intro: Vec<String> = (0..rng.range(2, 4)).map(|_| sentence(rng)).collect();
    body.push_str(&intro.join(" "));
    body.push('\n');
    for _ in 0..rng.range(0, 2) {
        let _ = write!(body, "\n## {}\n\n", rng.pick(&m.headings));
        if rng.chance(50) {
            for _ in 0..rng.range(2, 4) {
                let item = rng.pick(&m.bullets);
                let text = swap_places(&item.text, &m.docs[item.source], &places, rng);
                let _ = writeln!(body, "- {}", jitter_numbers(&text, rng));
            }
        } else {
            let para: Vec<String> = (0..rng.range(1, 3)).map(|_| sentence(rng)).collect();
            let _ = writeln!(body, "{}", para.join(" "));
        }
    }

    let mut file = String::with_capacity(body.len() + 512);
    let _ = writeln!(file, "+++");
    let _ = writeln!(file, "id = {}", toml_str(&id));
    let _ = writeln!(file, "tipus = {}", toml_str(kind.slug()));
    let _ = writeln!(file, "titol = {}", toml_str(&title));
    if !places.is_empty() {
        let _ = writeln!(file, "municipis = {}", toml_list(&places));
    }
    let _ = writeln!(file, "ambit = {}", toml_str(scope));
    let _ = writeln!(file, "temes = {}", toml_list(&themes));
    if kind == DocKind::Experiencia && rng.chance(60) {
        let category = rng.pick(AbcCategory::ALL).slug();
        let _ = writeln!(file, "categoria_abc = {}", toml_str(category));
        let collection = if from < 2020 {
            "ABC vol. 1 (2019)"
        } else {
            "ABC vol. 2 (2023)"
        };
        let _ = writeln!(file, "colleccio = {}", toml_str(collection));
    }
    let _ = writeln!(file, "anys = {}", toml_str(&years));
    if kind == DocKind::Jornada {
        let _ = writeln!(
            file,
            "data = {from:04}-{:02}-{:02}",
            rng.range(1, 12),
            rng.range(1, 28)
        );
    }
    let _ = writeln!(file, "visibilitat = \"publica\"");
    let _ = writeln!(
        file,
        "fonts = [{}]",
        toml_str(&format!("https://example.org/xmess-synth/{id}"))
    );
    let _ = writeln!(file, "+++");
    file.push_str(&body);
    (kind, id, file)
}

/// `<type>.<qid>` and the query of every distinct query string of the eval file.
fn eval_queries(path: &str) -> Result<Vec<(String, String)>> {
    let mut out: Vec<(String, String)> = Vec::new();
    if path.is_empty() {
        return Ok(out);
    }
    let text = fs::read_to_string(path).with_context(|| format!("cannot read {path}"))?;
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let value: serde_json::Value = serde_json::from_str(line)
            .with_context(|| format!("{path}:{}: not valid JSON", n + 1))?;
        let (Some(qid), Some(query)) = (value["qid"].as_str(), value["query"].as_str()) else {
            bail!("{path}:{}: expected qid and query strings", n + 1);
        };
        let kind = value["type"].as_str().unwrap_or("eval");
        let query = query.split_whitespace().collect::<Vec<_>>().join(" ");
        let clean = |s: &str| s.replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "_");
        if !query.is_empty() && !out.iter().any(|(_, q)| *q == query) {
            out.push((format!("{}.{}", clean(kind), clean(qid)), query));
        }
    }
    Ok(out)
}

/// Content words (4+ letters, no stop words) of the real corpus, once per occurrence, in
/// their written form without elision: drawing from it follows token frequency.
fn query_words(m: &Material) -> Vec<String> {
    let mut words = Vec::new();
    for doc in &m.docs {
        let text = format!("{}\n{}", doc.title, doc.plain_body());
        for token in analysis::tokens(Analyzer::Exact, &text) {
            let written = text[token.offset_from..token.offset_to].to_lowercase();
            let word = written
                .rsplit(['\'', '’'])
                .next()
                .unwrap_or(&written)
                .to_string();
            let letters = word.chars().all(|c| c.is_alphabetic() || c == '·');
            if letters && word.chars().count() >= 4 && !analysis::is_stop_word(&token.text) {
                words.push(word);
            }
        }
    }
    words
}

fn write_queries(m: &Material, args: &Args, path: &Path, rng: &mut Rng) -> Result<usize> {
    let mut queries = eval_queries(&args.eval)?;
    queries.truncate(args.query_count);
    let words = query_words(m);
    if words.is_empty() {
        bail!("no words to draw random queries from");
    }
    let mut n = 0;
    while queries.len() < args.query_count {
        n += 1;
        let k = rng.range(1, 3);
        let mut picked: Vec<String> = (0..k).map(|_| rng.pick(&words).clone()).collect();
        dedup(&mut picked);
        queries.push((format!("random{}.r-{n:04}", picked.len()), picked.join(" ")));
    }
    let mut tsv = String::new();
    for (qid, q) in &queries {
        let _ = writeln!(tsv, "{qid}\t{q}");
    }
    fs::write(path, tsv).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(queries.len())
}

fn prepare_out(out: &Path) -> Result<()> {
    if out.try_exists()? {
        let ours = out.join(MARKER).try_exists()?;
        let empty = fs::read_dir(out)?.next().is_none();
        if !ours && !empty {
            bail!(
                "{} exists and was not written by this generator; choose another --out",
                out.display()
            );
        }
        fs::remove_dir_all(out).with_context(|| format!("cannot replace {}", out.display()))?;
    }
    fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    Ok(())
}

fn main() -> Result<()> {
    let args = Args::parse();
    let m = material(&args.source)?;
    prepare_out(&args.out)?;
    fs::write(
        args.out.join(MARKER),
        format!("n = {}\nseed = {}\n", args.n, args.seed),
    )?;
    for name in [corpus::THEMES_FILE, corpus::SYNONYMS_FILE] {
        fs::copy(args.source.join(name), args.out.join(name))
            .with_context(|| format!("cannot copy {name}"))?;
    }
    let mut rng = Rng(args.seed);
    let mut per_kind: HashMap<DocKind, usize> = HashMap::new();
    let mut bytes = 0usize;
    for kind in DocKind::ALL {
        fs::create_dir_all(args.out.join(kind.folder()))?;
    }
    for i in 0..args.n {
        let (kind, id, text) = document(&m, i, &mut rng);
        let path = args.out.join(kind.folder()).join(format!("{id}.md"));
        fs::write(&path, &text).with_context(|| format!("cannot write {}", path.display()))?;
        *per_kind.entry(kind).or_default() += 1;
        bytes += text.len();
    }
    let mut summary: Vec<String> = DocKind::ALL
        .iter()
        .map(|k| format!("{} {}", per_kind.get(k).copied().unwrap_or(0), k.slug()))
        .collect();
    summary.sort();
    eprintln!(
        "{} documents ({:.1} MB) in {}: {}",
        args.n,
        bytes as f64 / 1e6,
        args.out.display(),
        summary.join(", ")
    );
    if let Some(path) = &args.queries {
        // A separate stream: the query set does not change when N does.
        let mut rng = Rng(args.seed ^ 0x0005_eed0_f9e7);
        let count = write_queries(&m, &args, path, &mut rng)?;
        eprintln!("{count} queries in {}", path.display());
    }
    Ok(())
}
