//! Runs a built query in three passes, so that the cost of a search follows the page it
//! shows rather than the number of documents it matches:
//!
//! 1. **Match**: one bitset per segment from the terms' posting lists (unscored), counted
//!    into the facets; the matches that pass the audience and the selections are results.
//! 2. **Rank**: block-max WAND over the terms' union (and over each multi-word synonym's
//!    intersection) finds the best `window` results without scoring every match.
//! 3. **Score**: those candidates alone get their full score, term by term (terms, complete
//!    groups, coordination, required phrases) plus the phrase boosts, and are sorted.
//!
//! Sorting by date, or listing without words, needs only the first pass.

use std::cmp::Ordering;
use std::collections::{BTreeSet, BinaryHeap};

use anyhow::Result;
use tantivy::query::{BooleanQuery, BoostQuery, EnableScoring, Occur, Query, TermQuery, Weight};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocId, DocSet, Score, Searcher, SegmentReader, TERMINATED, Term};

use super::docbits::DocBits;
use super::facet_counts::{Counting, FacetCache};
use super::query::Built;
use super::request::Sort;
use super::term_sets::{MIN_SHARE_DIVISOR, TermSets};

/// What to run.
pub(super) struct Plan<'q> {
    pub built: &'q Built,
    pub sort: Sort,
    /// Best candidates kept: the page's end, or the rescoring window.
    pub window: usize,
}

pub(super) struct Outcome {
    pub counting: Counting,
    /// Best first, at most `window`.
    pub top: Vec<Candidate>,
}

pub(super) fn run(
    searcher: &Searcher,
    cache: &FacetCache,
    term_sets: &TermSets,
    sizes: &[usize],
    mut counting: Counting,
    plan: &Plan,
) -> Result<Outcome> {
    let built = plan.built;
    // 1. Match.
    let required: Vec<Box<dyn Weight>> = built
        .required
        .iter()
        .map(|q| q.weight(EnableScoring::disabled_from_searcher(searcher)))
        .collect::<tantivy::Result<_>>()?;
    let mut results: Vec<DocBits> = Vec::with_capacity(searcher.segment_readers().len());
    let mut segments = Vec::with_capacity(searcher.segment_readers().len());
    for reader in searcher.segment_readers() {
        let facets = cache.segment(reader, sizes)?;
        let mut matched = if built.matches_everything() {
            DocBits::full(reader.max_doc())
        } else {
            match_set(reader, built, &required, term_sets)?
        };
        if let Some(alive) = reader.alive_bitset() {
            for doc in 0..reader.max_doc() {
                if !alive.is_alive(doc) {
                    matched.remove(doc);
                }
            }
        }
        results.push(counting.segment(&facets, matched));
        segments.push(facets);
    }

    let mut top = Top::new(plan.window);
    if plan.sort == Sort::Recents || built.matches_everything() {
        // By date (or, without words, in index order): walk each segment's recency order.
        for (ord, (kept, facets)) in results.iter().zip(&segments).enumerate() {
            let mut offer = |doc: DocId, recency: u64| {
                top.offer(Candidate {
                    recency,
                    score: 1.0,
                    doc: DocAddress::new(ord as u32, doc),
                });
            };
            if plan.sort == Sort::Recents {
                // Newest first: each segment's best `window` are its first results.
                let newest = facets
                    .by_recency()
                    .iter()
                    .filter(|(d, _)| kept.contains(*d));
                for &(doc, recency) in newest.take(plan.window) {
                    offer(doc, recency);
                }
            } else {
                for doc in kept.ones().take(plan.window) {
                    offer(doc, 0);
                }
            }
        }
        return Ok(Outcome {
            counting,
            top: top.into_sorted(),
        });
    }

    // 2. Rank: each ranker's best results are candidates.
    let mut candidates: BTreeSet<DocAddress> = BTreeSet::new();
    for ranker in rankers(built) {
        let weight = ranker.weight(EnableScoring::enabled_from_searcher(searcher))?;
        let mut best = Top::new(plan.window);
        for (ord, reader) in searcher.segment_readers().iter().enumerate() {
            let Some(kept) = results.get(ord).filter(|k| !k.is_empty()) else {
                continue;
            };
            weight.for_each_pruning(best.threshold(), reader, &mut |doc, score| {
                if kept.contains(doc) {
                    best.offer(Candidate {
                        recency: 0,
                        score,
                        doc: DocAddress::new(ord as u32, doc),
                    });
                }
                best.threshold()
            })?;
        }
        candidates.extend(best.heap.into_iter().map(|c| c.0.doc));
    }

    // 3. Score.
    let mut scored: Vec<Candidate> = candidates
        .into_iter()
        .map(|doc| Candidate {
            recency: 0,
            score: 0.0,
            doc,
        })
        .collect();
    let mut term_scores = vec![vec![None; built.terms.len()]; scored.len()];
    for (t, scored_term) in built.terms.iter().enumerate() {
        let query = boosted_term(&scored_term.term, scored_term.boost);
        let weight = query.weight(EnableScoring::enabled_from_searcher(searcher))?;
        each_score(searcher, weight.as_ref(), &scored, &mut |i, score| {
            term_scores[i][t] = Some(score);
        })?;
    }
    let mut extra = vec![0.0f32; scored.len()];
    for query in built.required.iter().chain(&built.boosts) {
        let weight = query.weight(EnableScoring::enabled_from_searcher(searcher))?;
        each_score(searcher, weight.as_ref(), &scored, &mut |i, score| {
            extra[i] += score;
        })?;
    }
    for (i, candidate) in scored.iter_mut().enumerate() {
        candidate.score = built.score(&term_scores[i], extra[i]);
    }
    scored.sort_by(|a, b| b.cmp(a));
    scored.truncate(plan.window);
    Ok(Outcome {
        counting,
        top: scored,
    })
}

/// The documents of one segment that match: any term outside a group, or every term of a
/// group; with quoted phrases, the documents holding all of them; never an excluded word.
fn match_set(
    reader: &SegmentReader,
    built: &Built,
    required: &[Box<dyn Weight>],
    term_sets: &TermSets,
) -> Result<DocBits> {
    let max_doc = reader.max_doc();
    let postings = Postings { reader, term_sets };
    let mut matched = if required.is_empty() {
        let mut any = DocBits::empty(max_doc);
        for t in built
            .terms
            .iter()
            .filter(|t| t.group.is_none() && !t.implied)
        {
            postings.add_to(&t.term, &mut any)?;
        }
        for group in 0..built.groups {
            let mut all: Option<DocBits> = None;
            for t in built.terms.iter().filter(|t| t.group == Some(group)) {
                let mut bits = DocBits::empty(max_doc);
                postings.add_to(&t.term, &mut bits)?;
                match all.as_mut() {
                    Some(all) => all.and_with(&bits),
                    None => all = Some(bits),
                }
            }
            if let Some(all) = all {
                any.or_with(&all);
            }
        }
        any
    } else {
        let mut all = DocBits::full(max_doc);
        for weight in required {
            let mut bits = DocBits::empty(max_doc);
            weight.for_each_no_score(reader, &mut |docs| {
                for &doc in docs {
                    bits.insert(doc);
                }
            })?;
            all.and_with(&bits);
        }
        all
    };
    for term in &built.excluded {
        let mut bits = DocBits::empty(max_doc);
        postings.add_to(term, &mut bits)?;
        matched.and_not(&bits);
    }
    Ok(matched)
}

/// One segment's posting lists, frequent ones through the term-set cache.
struct Postings<'a> {
    reader: &'a SegmentReader,
    term_sets: &'a TermSets,
}

impl Postings<'_> {
    /// Adds the term's documents to `bits`.
    fn add_to(&self, term: &Term, bits: &mut DocBits) -> Result<()> {
        let inverted = self.reader.inverted_index(term.field())?;
        let Some(info) = inverted.get_term_info(term)? else {
            return Ok(());
        };
        let max_doc = self.reader.max_doc();
        if info.doc_freq.saturating_mul(MIN_SHARE_DIVISOR) < max_doc {
            return each_posting(self.reader, term, &mut |doc| bits.insert(doc));
        }
        let set = self
            .term_sets
            .get_or_read(self.reader.segment_id(), term, || {
                let mut set = DocBits::empty(max_doc);
                each_posting(self.reader, term, &mut |doc| set.insert(doc))?;
                Ok(set)
            })?;
        bits.or_with(&set);
        Ok(())
    }
}

/// Calls `f` with every document of the term's posting list in this segment.
fn each_posting(reader: &SegmentReader, term: &Term, f: &mut dyn FnMut(DocId)) -> Result<()> {
    let inverted = reader.inverted_index(term.field())?;
    if let Some(mut postings) = inverted.read_block_postings(term, IndexRecordOption::Basic)? {
        loop {
            let docs = postings.docs();
            if docs.is_empty() {
                break;
            }
            docs.iter().for_each(|&doc| f(doc));
            postings.advance();
        }
    }
    Ok(())
}

fn boosted_term(term: &Term, boost: f32) -> Box<dyn Query> {
    let query = TermQuery::new(term.clone(), IndexRecordOption::WithFreqs);
    Box::new(BoostQuery::new(Box::new(query), boost))
}

/// Queries whose best results are the candidates: the union of the terms outside groups
/// (pruned with block-max WAND), each group's intersection (pruned likewise), and, when
/// only quoted phrases were typed, the phrases.
fn rankers(built: &Built) -> Vec<Box<dyn Query>> {
    let mut rankers: Vec<Box<dyn Query>> = Vec::new();
    let free: Vec<(Occur, Box<dyn Query>)> = built
        .terms
        .iter()
        .filter(|t| t.group.is_none())
        .map(|t| (Occur::Should, boosted_term(&t.term, t.boost)))
        .collect();
    if !free.is_empty() {
        rankers.push(Box::new(BooleanQuery::new(free)));
    }
    for group in 0..built.groups {
        let all = built
            .terms
            .iter()
            .filter(|t| t.group == Some(group))
            .map(|t| (Occur::Must, boosted_term(&t.term, t.boost)))
            .collect();
        rankers.push(Box::new(BooleanQuery::new(all)));
    }
    if rankers.is_empty() {
        let phrases = built
            .required
            .iter()
            .map(|q| (Occur::Should, q.box_clone()))
            .collect();
        rankers.push(Box::new(BooleanQuery::new(phrases)));
    }
    rankers
}

/// A result on its way to a page. Greater = better.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Candidate {
    /// Date rank (higher = newer) when sorting by date; 0 by relevance.
    pub recency: u64,
    pub score: Score,
    pub doc: DocAddress,
}

impl Eq for Candidate {}

impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> Ordering {
        self.recency
            .cmp(&other.recency)
            .then(self.score.total_cmp(&other.score))
            .then(other.doc.cmp(&self.doc))
    }
}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The best `limit` candidates seen so far.
struct Top {
    limit: usize,
    heap: BinaryHeap<std::cmp::Reverse<Candidate>>,
}

impl Top {
    fn new(limit: usize) -> Top {
        Top {
            limit,
            heap: BinaryHeap::with_capacity(limit + 1),
        }
    }

    fn offer(&mut self, candidate: Candidate) {
        if self.limit == 0 {
            return;
        }
        if self.heap.len() < self.limit {
            self.heap.push(std::cmp::Reverse(candidate));
        } else if let Some(worst) = self.heap.peek()
            && candidate > worst.0
        {
            self.heap.pop();
            self.heap.push(std::cmp::Reverse(candidate));
        }
    }

    /// The score a document must beat to enter (ties lose to the earlier document).
    fn threshold(&self) -> Score {
        match self.heap.peek() {
            Some(worst) if self.heap.len() >= self.limit => worst.0.score,
            _ if self.limit == 0 => Score::MAX,
            _ => Score::MIN,
        }
    }

    fn into_sorted(self) -> Vec<Candidate> {
        let mut top: Vec<Candidate> = self.heap.into_iter().map(|r| r.0).collect();
        top.sort_by(|a, b| b.cmp(a));
        top
    }
}

/// Calls `f(i, score)` for every candidate `i` (sorted by address) that `weight` matches.
/// Each is looked up with `seek_danger`, which tells a miss without searching on for the
/// next match (a phrase scorer would otherwise read positions up to the next real phrase).
fn each_score(
    searcher: &Searcher,
    weight: &dyn Weight,
    candidates: &[Candidate],
    f: &mut dyn FnMut(usize, Score),
) -> Result<()> {
    let mut start = 0;
    while start < candidates.len() {
        let segment = candidates[start].doc.segment_ord;
        let end = candidates[start..]
            .iter()
            .position(|c| c.doc.segment_ord != segment)
            .map_or(candidates.len(), |n| start + n);
        let reader = searcher.segment_reader(segment);
        segment_scores(weight, reader, &candidates[start..end], &mut |i, score| {
            f(start + i, score);
        })?;
        start = end;
    }
    Ok(())
}

fn segment_scores(
    weight: &dyn Weight,
    reader: &SegmentReader,
    candidates: &[Candidate],
    f: &mut dyn FnMut(usize, Score),
) -> Result<()> {
    use tantivy::SeekDangerResult;
    let Some(first) = candidates.first() else {
        return Ok(());
    };
    let (mut result, mut scorer) = weight.scorer_danger(reader, first.doc.doc_id, 1.0)?;
    // Below `lower`, nothing matches.
    let mut lower = first.doc.doc_id;
    for (i, candidate) in candidates.iter().enumerate() {
        let target = candidate.doc.doc_id;
        if i > 0 {
            if target < lower {
                continue;
            }
            result = scorer.seek_danger(target);
        }
        match result {
            SeekDangerResult::Found => {
                f(i, scorer.score());
                lower = target + 1;
            }
            SeekDangerResult::SeekLowerBound(next) => {
                if next >= TERMINATED {
                    break;
                }
                lower = next;
            }
        }
    }
    Ok(())
}
