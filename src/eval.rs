//! `xmess-kb eval`: search quality on graded judgments, with the metrics and conventions of
//! the maintainers' scorer (k = 10; gain 2^g − 1; duplicates count once), and the quality of
//! the whole result set (what totals, facet counts, the map and the exports are made of).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use crate::search::Engine;
use crate::search::{Audience, SearchRequest};

pub const K: usize = 10;
/// Hits kept per query for run files (metrics use the first `K`).
const RUN_DEPTH: usize = 100;

#[derive(Deserialize)]
struct QrelLine {
    qid: String,
    query: String,
    #[serde(rename = "type", default)]
    kind: Option<String>,
    judgments: HashMap<String, i64>,
}

#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct Metrics {
    pub ndcg: f64,
    pub mrr: f64,
    pub recall: f64,
    pub success1: f64,
    /// Share of the whole result set that is judged relevant.
    pub set_precision: f64,
    /// Share of the judged relevant documents that are in the result set.
    pub set_recall: f64,
    pub set_f1: f64,
}

#[derive(Debug, Serialize)]
pub struct QueryResult {
    pub qid: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub query: String,
    #[serde(flatten)]
    pub metrics: Metrics,
    /// The top `K` ids.
    pub retrieved: Vec<String>,
    /// The top `RUN_DEPTH` ids and scores, for run files.
    #[serde(skip)]
    pub run: Vec<(String, f32)>,
    /// Judged-relevant ids (grade ≥ 1) missing from the top 10.
    pub missed: Vec<String>,
    /// Documents in the result set (its total).
    pub set_size: usize,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub k: usize,
    pub queries: usize,
    pub mean: Metrics,
    pub by_type: BTreeMap<String, (usize, Metrics)>,
    /// Median size of the result sets (the upper one of an even count).
    pub median_set: usize,
    pub worst: Vec<String>,
    pub per_query: Vec<QueryResult>,
}

fn dcg(grades: impl Iterator<Item = i64>) -> f64 {
    grades
        .enumerate()
        .map(|(i, g)| (2f64.powi(g as i32) - 1.0) / ((i + 2) as f64).log2())
        .sum()
}

/// Scores one ranking against graded judgments (grades ≤ 0 are not relevant): the first
/// `K` for the ranking metrics, every id and `total` (when larger) for the set.
pub fn score(judgments: &HashMap<String, i64>, ranking: &[String], total: usize) -> Metrics {
    let mut seen = HashSet::new();
    let top: Vec<&String> = ranking.iter().filter(|d| seen.insert(*d)).take(K).collect();
    let grade = |d: &String| judgments.get(d).copied().unwrap_or(0).max(0);
    let gains: Vec<i64> = top.iter().map(|d| grade(d)).collect();
    let mut ideal: Vec<i64> = judgments.values().copied().filter(|&g| g > 0).collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    ideal.truncate(K);
    let idcg = dcg(ideal.iter().copied());
    let relevant = judgments.values().filter(|&&g| g >= 1).count();
    let size = ranking.len().max(total);
    let distinct: HashSet<&String> = ranking.iter().collect();
    let found = distinct.iter().filter(|d| grade(d) >= 1).count();
    let set_precision = if size > 0 {
        found as f64 / size as f64
    } else {
        0.0
    };
    let set_recall = if relevant > 0 {
        found as f64 / relevant as f64
    } else {
        0.0
    };
    let sum = set_precision + set_recall;
    Metrics {
        set_precision,
        set_recall,
        set_f1: if sum > 0.0 {
            2.0 * set_precision * set_recall / sum
        } else {
            0.0
        },
        ndcg: if idcg > 0.0 {
            dcg(gains.iter().copied()) / idcg
        } else {
            0.0
        },
        mrr: gains
            .iter()
            .position(|&g| g >= 1)
            .map_or(0.0, |i| 1.0 / (i + 1) as f64),
        recall: if relevant > 0 {
            gains.iter().filter(|&&g| g >= 1).count() as f64 / relevant as f64
        } else {
            0.0
        },
        success1: if gains.first() == Some(&2) { 1.0 } else { 0.0 },
    }
}

fn mean<'a>(rows: impl Iterator<Item = &'a Metrics>) -> Metrics {
    let rows: Vec<&Metrics> = rows.collect();
    let n = rows.len().max(1) as f64;
    let avg = |f: fn(&Metrics) -> f64| rows.iter().map(|m| f(m)).sum::<f64>() / n;
    Metrics {
        ndcg: avg(|m| m.ndcg),
        mrr: avg(|m| m.mrr),
        recall: avg(|m| m.recall),
        success1: avg(|m| m.success1),
        set_precision: avg(|m| m.set_precision),
        set_recall: avg(|m| m.set_recall),
        set_f1: avg(|m| m.set_f1),
    }
}

/// Runs every query of `qrels` as an advisor (judgments cover advisory records too).
pub fn evaluate(engine: &Engine, qrels: &Path) -> Result<Report> {
    let text = std::fs::read_to_string(qrels)
        .with_context(|| format!("no es pot llegir {}", qrels.display()))?;
    let mut per_query = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let q: QrelLine = serde_json::from_str(line).with_context(|| {
            format!("{}:{}: no és una línia de judicis", qrels.display(), n + 1)
        })?;
        let mut request = SearchRequest::new(&q.query, Audience::Advisor);
        request.per_page = RUN_DEPTH;
        let results = engine.search(&request)?;
        let total = results.total;
        let run: Vec<(String, f32)> = results.hits.into_iter().map(|h| (h.id, h.score)).collect();
        let ids: Vec<String> = run.iter().map(|(id, _)| id.clone()).collect();
        let retrieved: Vec<String> = ids.iter().take(K).cloned().collect();
        let metrics = score(&q.judgments, &ids, total);
        let mut missed: Vec<String> = q
            .judgments
            .iter()
            .filter(|&(id, &g)| g >= 1 && !retrieved.contains(id))
            .map(|(id, _)| id.clone())
            .collect();
        missed.sort();
        per_query.push(QueryResult {
            qid: q.qid,
            kind: q.kind.unwrap_or_else(|| "-".into()),
            query: q.query,
            metrics,
            retrieved,
            run,
            missed,
            set_size: total,
        });
    }
    if per_query.is_empty() {
        bail!("{} no té cap consulta", qrels.display());
    }
    let mut by_type = BTreeMap::new();
    let kinds: std::collections::BTreeSet<&String> = per_query.iter().map(|q| &q.kind).collect();
    for kind in kinds {
        let rows: Vec<&QueryResult> = per_query.iter().filter(|q| &q.kind == kind).collect();
        by_type.insert(
            kind.clone(),
            (rows.len(), mean(rows.iter().map(|q| &q.metrics))),
        );
    }
    let mut order: Vec<&QueryResult> = per_query.iter().collect();
    order.sort_by(|a, b| {
        a.metrics
            .ndcg
            .total_cmp(&b.metrics.ndcg)
            .then(a.qid.cmp(&b.qid))
    });
    let mut sizes: Vec<usize> = per_query.iter().map(|q| q.set_size).collect();
    sizes.sort_unstable();
    Ok(Report {
        median_set: sizes[sizes.len() / 2],
        k: K,
        queries: per_query.len(),
        mean: mean(per_query.iter().map(|q| &q.metrics)),
        by_type,
        worst: order.iter().take(10).map(|q| q.qid.clone()).collect(),
        per_query,
    })
}

impl Report {
    /// TREC run lines (`qid Q0 doc rank score tag`), the format of score.py and the peers.
    pub fn trec_run(&self, tag: &str) -> String {
        let mut s = String::new();
        for q in &self.per_query {
            for (rank, (id, score)) in q.run.iter().enumerate() {
                let _ = writeln!(s, "{} Q0 {id} {} {score:.4} {tag}", q.qid, rank + 1);
            }
        }
        s
    }

    /// The table of score.py: one row per query type, then overall and the worst queries.
    pub fn table(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{:<18}{:>4}{:>10}{:>10}{:>10}{:>10}{:>10}{:>10}{:>10}",
            "type", "n", "nDCG@10", "MRR@10", "R@10", "S@1", "SetP", "SetR", "SetF1"
        );
        let row = |s: &mut String, name: &str, n: usize, m: &Metrics| {
            let _ = writeln!(
                s,
                "{name:<18}{n:>4}{:>10.3}{:>10.3}{:>10.3}{:>10.3}{:>10.3}{:>10.3}{:>10.3}",
                m.ndcg, m.mrr, m.recall, m.success1, m.set_precision, m.set_recall, m.set_f1
            );
        };
        for (kind, (n, m)) in &self.by_type {
            row(&mut s, kind, *n, m);
        }
        let _ = writeln!(s, "{}", "-".repeat(92));
        row(&mut s, "overall", self.queries, &self.mean);
        let _ = writeln!(s, "median result set: {} documents", self.median_set);
        let _ = writeln!(s, "\n10 worst queries by nDCG@10:");
        for qid in &self.worst {
            if let Some(q) = self.per_query.iter().find(|q| &q.qid == qid) {
                let _ = writeln!(
                    s,
                    "  {:<8} {:.3}  [{}] {}",
                    q.qid, q.metrics.ndcg, q.kind, q.query
                );
                let _ = writeln!(
                    s,
                    "           got:    {}",
                    q.retrieved
                        .iter()
                        .take(5)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(" ")
                );
                let _ = writeln!(s, "           missed: {}", q.missed.join(" "));
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judgments(pairs: &[(&str, i64)]) -> HashMap<String, i64> {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn perfect_ranking_scores_one() {
        let j = judgments(&[("a", 2), ("b", 1)]);
        let m = score(&j, &ids(&["a", "b", "c"]), 3);
        assert!((m.ndcg - 1.0).abs() < 1e-12);
        assert_eq!((m.mrr, m.recall, m.success1), (1.0, 1.0, 1.0));
    }

    #[test]
    fn matches_score_py_on_a_worked_example() {
        // score.py: gains [0, 1, 2] vs ideal [2, 1] → dcg = 1/log2(3) + 3/log2(4).
        let j = judgments(&[("a", 2), ("b", 1), ("z", 0)]);
        let m = score(&j, &ids(&["z", "b", "a", "a"]), 40);
        let expected = (1.0 / 3f64.log2() + 3.0 / 2.0) / (3.0 + 1.0 / 3f64.log2());
        assert!((m.ndcg - expected).abs() < 1e-12, "{}", m.ndcg);
        assert_eq!(m.mrr, 0.5);
        assert_eq!(m.recall, 1.0);
        assert_eq!(m.success1, 0.0);
        // The set: 40 results, of which the 2 relevant ones (a counted once).
        assert!(
            (m.set_precision - 2.0 / 40.0).abs() < 1e-12,
            "{}",
            m.set_precision
        );
        assert_eq!(m.set_recall, 1.0);
    }
}
