//! In-process query latency, single thread, warm (see BENCHMARKS.md and `scripts/bench`).
//!
//! ```sh
//! cargo run --release --example latency -- --index DIR --queries Q.tsv [--per-page 10]
//! ```
//!
//! Every query of the TSV (`qid<TAB>query`, qid `<kind>.<id>` as `synth --queries` writes
//! it) runs `--warmup` untimed passes, then `--reps` timed passes, in two modes:
//!
//! - `full`: `Engine::search` for the public, as `/api/cerca` runs it: exact + light
//!   stem + Snowball stem + fuzzy + synonyms + phrase + place names, top `--per-page`
//!   documents loaded with highlighted title and snippet, and every facet counted.
//! - `plain`: bare tantivy on the same index: the Snowball-stemmed words as one OR query
//!   on the pooled stem field, top `--per-page` ids and scores, nothing else (what the
//!   peers' tantivy-py "snowball_allfield" runs, without Python).
//!
//! Prints one JSON object: percentiles per mode and per query kind, and the slowest
//! queries. `--only KIND` and `--seconds S` (repeat until S seconds) are for profiling.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Parser;
use serde_json::json;
use tantivy::Term;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use xmess_kb::analysis::{self, Analyzer};
use xmess_kb::index::Generation;
use xmess_kb::search::Engine;
use xmess_kb::search::{Audience, SearchRequest};

#[derive(Parser)]
#[command(about = "Single-thread, warm, in-process query latency")]
struct Args {
    /// Index folder (the published generation is used).
    #[arg(long)]
    index: PathBuf,
    /// Queries, `qid<TAB>query` per line.
    #[arg(long)]
    queries: PathBuf,
    /// Hits per page (documents loaded, highlighted and snipped).
    #[arg(long, default_value_t = 10)]
    per_page: usize,
    #[arg(long, default_value_t = 1)]
    warmup: usize,
    #[arg(long, default_value_t = 3)]
    reps: usize,
    /// Only the queries of this kind (the qid part before the dot).
    #[arg(long)]
    only: Option<String>,
    /// Profiling: repeat the full mode for this many seconds, print nothing else.
    #[arg(long)]
    seconds: Option<f64>,
    /// Also compare each query's first page with the one a rescoring window of this size
    /// gives (a far larger window approaches rescoring every match).
    #[arg(long)]
    agreement: Option<usize>,
}

/// Nearest-rank percentile, as the peers' harness computes it.
fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn stats(samples: &[f64]) -> serde_json::Value {
    let mut s = samples.to_vec();
    s.sort_by(f64::total_cmp);
    let mean = s.iter().sum::<f64>() / s.len().max(1) as f64;
    let r = |x: f64| (x * 10_000.0).round() / 10_000.0;
    json!({
        "samples": s.len(),
        "p50": r(pct(&s, 50.0)),
        "p95": r(pct(&s, 95.0)),
        "p99": r(pct(&s, 99.0)),
        "mean": r(mean),
        "max": r(s.last().copied().unwrap_or(f64::NAN)),
    })
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() -> Result<()> {
    let args = Args::parse();
    let text = std::fs::read_to_string(&args.queries)
        .with_context(|| format!("cannot read {}", args.queries.display()))?;
    let mut queries: Vec<(String, String)> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((qid, q)) = line.split_once('\t') else {
            bail!(
                "{}:{}: expected qid<TAB>query",
                args.queries.display(),
                n + 1
            );
        };
        let kind = qid.split_once('.').map_or("other", |(k, _)| k);
        if args.only.as_deref().is_none_or(|o| o == kind) {
            queries.push((qid.to_string(), q.to_string()));
        }
    }
    if queries.is_empty() {
        bail!("no queries to run");
    }
    let generation = Engine::open_current(&args.index)?;
    let request = |q: &str| {
        let mut r = SearchRequest::new(q, Audience::Public);
        r.per_page = args.per_page;
        r
    };

    if let Some(seconds) = args.seconds {
        let until = Instant::now() + Duration::from_secs_f64(seconds);
        let mut runs = 0u64;
        while Instant::now() < until {
            for (_, q) in &queries {
                std::hint::black_box(generation.search(&request(q))?);
                runs += 1;
            }
        }
        eprintln!("{runs} searches");
        return Ok(());
    }

    // Full query: what /api/cerca runs, minus HTTP and JSON.
    let mut totals = BTreeMap::new();
    for _ in 0..args.warmup {
        for (qid, q) in &queries {
            totals.insert(qid.clone(), generation.search(&request(q))?.total);
        }
    }
    let mut full: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for _ in 0..args.reps {
        for (qid, q) in &queries {
            let started = Instant::now();
            std::hint::black_box(generation.search(&request(q))?);
            full.entry(qid.clone())
                .or_default()
                .push(ms(started.elapsed()));
        }
    }

    // Plain query: bare tantivy, Snowball terms ORed on the pooled stem field.
    // Bare tantivy reads the index files directly, without the engine's caches.
    let files = Generation::open_current(&args.index)?;
    let part = files.part(Audience::Public);
    let searcher = part.searcher();
    let plain_query = |q: &str| -> Box<dyn Query> {
        let clauses: Vec<(Occur, Box<dyn Query>)> = analysis::tokens(Analyzer::Stem, q)
            .into_iter()
            .map(|t| {
                let term = Term::from_field_text(part.fields.all_stem, &t.text);
                let q: Box<dyn Query> =
                    Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs));
                (Occur::Should, q)
            })
            .collect();
        Box::new(BooleanQuery::new(clauses))
    };
    let top = TopDocs::with_limit(args.per_page).order_by_score();
    for _ in 0..args.warmup {
        for (_, q) in &queries {
            searcher.search(plain_query(q).as_ref(), &top)?;
        }
    }
    let mut plain: Vec<f64> = Vec::new();
    for _ in 0..args.reps {
        for (_, q) in &queries {
            let started = Instant::now();
            // Analysis is inside the timing, as it is for the full query and the peers.
            let found = searcher.search(plain_query(q).as_ref(), &top)?;
            plain.push(ms(started.elapsed()));
            std::hint::black_box(found);
        }
    }

    let all: Vec<f64> = full.values().flatten().copied().collect();
    let mut by_kind: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for (qid, samples) in &full {
        let kind = qid.split_once('.').map_or("other", |(k, _)| k);
        by_kind.entry(kind.to_string()).or_default().extend(samples);
    }
    let median = |v: &[f64]| {
        let mut s = v.to_vec();
        s.sort_by(f64::total_cmp);
        pct(&s, 50.0)
    };
    let mut slowest: Vec<(&String, f64)> = full.iter().map(|(q, v)| (q, median(v))).collect();
    slowest.sort_by(|a, b| b.1.total_cmp(&a.1));
    let query_of = |qid: &str| {
        queries
            .iter()
            .find(|(id, _)| id == qid)
            .map_or("", |(_, q)| q.as_str())
    };
    // First pages beside a larger rescoring window's.
    let agreement = match args.agreement {
        Some(window) => {
            let (mut same, mut overlap) = (0usize, 0usize);
            let mut differing = Vec::new();
            for (qid, q) in &queries {
                let ids = |r: &SearchRequest| -> Result<Vec<String>> {
                    Ok(generation
                        .search(r)?
                        .hits
                        .into_iter()
                        .map(|h| h.id)
                        .collect())
                };
                let ours = ids(&request(q))?;
                let mut wide = request(q);
                wide.rescore_window = window;
                let theirs = ids(&wide)?;
                overlap += ours.iter().filter(|id| theirs.contains(id)).count();
                if ours == theirs {
                    same += 1;
                } else {
                    differing.push(qid.clone());
                }
            }
            json!({
                "window": SearchRequest::new("", Audience::Public).rescore_window,
                "against": window,
                "same_page": same,
                "queries": queries.len(),
                "overlap_at_page": overlap as f64 / (queries.len() * args.per_page) as f64,
                "differing": differing,
            })
        }
        None => serde_json::Value::Null,
    };

    let out = json!({
        "agreement": agreement,
        "documents": generation.visible_documents(Audience::Public),
        "segments": searcher.segment_readers().len(),
        "queries": queries.len(),
        "per_page": args.per_page,
        "warmup": args.warmup,
        "reps": args.reps,
        "full": stats(&all),
        "plain": stats(&plain),
        "by_kind": by_kind
            .iter()
            .map(|(k, v)| (k.clone(), stats(v)))
            .collect::<BTreeMap<_, _>>(),
        "slowest": slowest
            .iter()
            .take(10)
            .map(|(qid, m)| json!({
                "qid": qid,
                "query": query_of(qid),
                "median_ms": (m * 1000.0).round() / 1000.0,
                "total": totals.get(*qid),
            }))
            .collect::<Vec<_>>(),
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}
