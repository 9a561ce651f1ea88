//! Runs a built query in three passes, so that the cost of a search follows the page it
//! shows rather than the number of documents it matches:
//!
//! 1. **Match**: one bitset per segment and concept from the posting lists (unscored); a
//!    document must be in every concept's set (a question or a long query: in enough of
//!    them by weight). The matches are counted into the facets; those that pass the
//!    audience and the selections are results. When there are none, the documents that
//!    match most concepts are kept apart, ranked but never counted.
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

use std::sync::Arc;

use super::concepts::{How, Matcher};
use super::docbits::DocBits;
use super::facet_counts::{Counting, FacetCache, SegmentFacets};
use super::query::Built;
use super::request::Sort;
use super::term_sets::{MIN_SHARE_DIVISOR, TermSets};
use crate::index::FacetDictionary;
use crate::taxonomy::FacetKind;

/// What to run.
pub(super) struct Plan<'q> {
    pub built: &'q Built,
    pub sort: Sort,
    /// Best candidates kept: the page's end, or the rescoring window.
    pub window: usize,
    /// The facet values of the part searched (concepts may name one).
    pub dictionary: &'q FacetDictionary,
}

pub(super) struct Outcome {
    pub counting: Counting,
    /// Best first, at most `window`.
    pub top: Vec<Candidate>,
    /// Concepts that no document matches: left out, and said.
    pub unknown: Vec<usize>,
    /// When no document matches every concept: those that match the most.
    pub relaxed: Option<Relaxed>,
}

/// The documents matching the most concepts when none matches them all.
pub(super) struct Relaxed {
    /// Best first, at most `window`.
    pub top: Vec<Candidate>,
    pub total: usize,
    /// How many of the concepts they match.
    pub matched: usize,
}

/// Share of the query's weight a document must match: a short query's concepts all count
/// unless one is far more common than the rest; a question's or a long query's words are
/// often incidental (see `Weights`).
const SHORT_QUERY_SHARE: f32 = 0.65;
const LONG_QUERY_SHARE: f32 = 0.4;

/// Weight of concepts specific enough to stand without one modifier: together as rare as
/// words found in a tenth of the documents (see `Weights`).
const SPECIFIC_ENOUGH: f32 = std::f32::consts::LN_10;

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
    let disabled = || EnableScoring::disabled_from_searcher(searcher);
    let required: Vec<Box<dyn Weight>> = built
        .required
        .iter()
        .map(|q| q.weight(disabled()))
        .collect::<tantivy::Result<_>>()?;
    let readers = searcher.segment_readers();
    let segments: Vec<Arc<SegmentFacets>> = readers
        .iter()
        .map(|reader| cache.segment(reader, sizes))
        .collect::<tantivy::Result<_>>()?;
    let sets: Vec<ConceptSets> = readers
        .iter()
        .zip(&segments)
        .map(|(reader, facets)| {
            let segment = Segment {
                searcher,
                reader,
                term_sets,
                facets,
                dictionary: plan.dictionary,
            };
            segment.concept_sets(built)
        })
        .collect::<Result<_>>()?;
    let concept_sets: Vec<&[DocBits]> = sets.iter().map(|s| s.any.as_slice()).collect();
    let weights = Weights::of(&concept_sets, built, readers);
    let mut results: Vec<DocBits> = Vec::with_capacity(readers.len());
    let mut others: Vec<DocBits> = Vec::with_capacity(readers.len());
    for ((reader, sets), facets) in readers.iter().zip(&sets).zip(&segments) {
        let mut allowed = allowed(reader, built, &required, term_sets)?;
        let matched = if built.concepts.is_empty() {
            allowed
        } else {
            let mut strict = weights.strict(sets, reader.max_doc());
            strict.and_with(&allowed);
            allowed.and_not(&strict);
            others.push(allowed);
            strict
        };
        results.push(counting.segment(facets, matched));
    }

    let relaxed = if counting.total == 0 && weights.active.len() >= 2 {
        relaxed(&concept_sets, &weights, others, &counting, &segments)
    } else {
        None
    };
    let relaxed = match relaxed {
        Some((kept, matched)) => {
            let total = kept.iter().map(|k| k.count() as usize).sum();
            let top = rank_and_score(searcher, built, &kept, plan.window)?;
            Some(Relaxed {
                top,
                total,
                matched,
            })
        }
        None => None,
    };
    let unknown = weights.unknown;
    if plan.sort == Sort::Recents || built.matches_everything() {
        let top = by_date(&results, &segments, plan);
        return Ok(Outcome {
            counting,
            top,
            unknown,
            relaxed,
        });
    }
    let top = rank_and_score(searcher, built, &results, plan.window)?;
    Ok(Outcome {
        counting,
        top,
        unknown,
        relaxed,
    })
}

/// By date (or, without words, in index order): each segment's recency order.
fn by_date(results: &[DocBits], segments: &[Arc<SegmentFacets>], plan: &Plan) -> Vec<Candidate> {
    let mut top = Top::new(plan.window);
    for (ord, (kept, facets)) in results.iter().zip(segments).enumerate() {
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
    top.into_sorted()
}

/// The best `window` documents of `kept` (one bitset per segment) by their full score.
fn rank_and_score(
    searcher: &Searcher,
    built: &Built,
    kept: &[DocBits],
    window: usize,
) -> Result<Vec<Candidate>> {
    // 2. Rank: each ranker's best results are candidates.
    let mut candidates: BTreeSet<DocAddress> = BTreeSet::new();
    for ranker in rankers(built) {
        let weight = ranker.weight(EnableScoring::enabled_from_searcher(searcher))?;
        let mut best = Top::new(window);
        for (ord, reader) in searcher.segment_readers().iter().enumerate() {
            let Some(kept) = kept.get(ord).filter(|k| !k.is_empty()) else {
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
    scored.truncate(window);
    Ok(scored)
}

/// Which of `candidates` (any order) `matcher` matches.
pub(super) fn matched_by(
    searcher: &Searcher,
    cache: &FacetCache,
    sizes: &[usize],
    dictionary: &FacetDictionary,
    matcher: &Matcher,
    candidates: &[DocAddress],
) -> Result<Vec<bool>> {
    if let Some(query) = matcher.query() {
        return presence(searcher, query.as_ref(), candidates);
    }
    // A facet: its documents, read from the facet cache of each candidate's segment.
    candidates
        .iter()
        .map(|address| {
            let reader = searcher.segment_reader(address.segment_ord);
            let facets = cache.segment(reader, sizes)?;
            let segment = Segment {
                searcher,
                reader,
                term_sets: &TermSets::default(),
                facets: &facets,
                dictionary,
            };
            Ok(segment.documents(matcher)?.contains(address.doc_id))
        })
        .collect()
}

/// Which of `candidates` (any order) `query` matches.
fn presence(
    searcher: &Searcher,
    query: &dyn Query,
    candidates: &[DocAddress],
) -> Result<Vec<bool>> {
    let mut order: Vec<usize> = (0..candidates.len()).collect();
    order.sort_by_key(|&i| candidates[i]);
    let sorted: Vec<Candidate> = order
        .iter()
        .map(|&i| Candidate {
            recency: 0,
            score: 0.0,
            doc: candidates[i],
        })
        .collect();
    let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
    let mut found = vec![false; candidates.len()];
    each_score(searcher, weight.as_ref(), &sorted, &mut |i, _| {
        found[order[i]] = true;
    })?;
    Ok(found)
}

/// How much each concept weighs, and which are left out because nothing matches them.
///
/// A concept weighs its rarity, ln(documents / documents matching it): a word in every
/// document weighs nothing. A document must match every place and kind of document the
/// query names, and concepts holding a share of the rest of the weight: 65 % for a short
/// query (both words of a two-word query, unless one is far more common than the other:
/// then it only ranks), 40 % for a question or a query of more than three concepts (in the
/// spirit of Elasticsearch's `minimum_should_match`). A document also matches when it lacks
/// only one concept after the first, if the first (the head of a Catalan noun phrase: the
/// words after it narrow it) is among those it has and they are rare enough to stand alone
/// (`SPECIFIC_ENOUGH`): «monedes locals digitals» keeps the local currencies that never say
/// "digital", «banc del temps» does not become "temps".
struct Weights {
    /// Concepts with at least one document.
    active: Vec<usize>,
    unknown: Vec<usize>,
    weight: Vec<f32>,
    share: f32,
    /// Per concept: required whatever the rest (a place, a kind of document).
    required: Vec<bool>,
}

impl Weights {
    fn of(sets: &[&[DocBits]], built: &Built, readers: &[SegmentReader]) -> Weights {
        let n = built.concepts.len();
        let docs: u64 = readers.iter().map(|r| u64::from(r.num_docs())).sum();
        let df: Vec<u64> = (0..n)
            .map(|c| sets.iter().map(|s| s[c].count()).sum())
            .collect();
        let weight = df
            .iter()
            .map(|&d| match d {
                0 => 0.0,
                d => (docs as f32 / d as f32).ln().max(0.01),
            })
            .collect();
        Weights {
            active: (0..n).filter(|&c| df[c] > 0).collect(),
            unknown: (0..n).filter(|&c| df[c] == 0).collect(),
            weight,
            share: if built.lenient {
                LONG_QUERY_SHARE
            } else {
                SHORT_QUERY_SHARE
            },
            required: built.concepts.iter().map(|c| c.required).collect(),
        }
    }

    /// The documents of one segment that match enough of the active concepts: every
    /// required one, and concepts holding the query's share of the weight.
    fn strict(&self, concept: &ConceptSets, max_doc: u32) -> DocBits {
        let sets = &concept.any;
        if self.active.is_empty() {
            return DocBits::empty(max_doc);
        }
        let (required, weighed): (Vec<usize>, Vec<usize>) =
            self.active.iter().partition(|&&c| self.required[c]);
        let mut all = DocBits::full(max_doc);
        for &c in &required {
            all.and_with(&sets[c]);
        }
        if weighed.len() < 2 {
            for &c in &weighed {
                all.and_with(&sets[c]);
            }
            return all;
        }
        let total: f32 = weighed.iter().map(|&c| self.weight[c]).sum();
        let needed = self.share * total - 1e-4;
        let mut share = vec![0.0f32; max_doc as usize];
        let mut count = vec![0usize; max_doc as usize];
        for &c in &weighed {
            for doc in sets[c].ones() {
                share[doc as usize] += self.weight[c];
                count[doc as usize] += 1;
            }
        }
        let head = &concept.close[weighed[0]];
        all.and_with(&DocBits::of_fn(max_doc, |doc| {
            let (share, count) = (share[doc as usize], count[doc as usize]);
            share >= needed
                || (count + 1 == weighed.len() && share >= SPECIFIC_ENOUGH && head.contains(doc))
        }));
        all
    }
}

/// The documents (of `candidates`, per segment) matching the most active concepts, and how
/// many that is, among those the audience and the selections allow.
fn relaxed(
    sets: &[&[DocBits]],
    weights: &Weights,
    candidates: Vec<DocBits>,
    counting: &Counting,
    segments: &[Arc<SegmentFacets>],
) -> Option<(Vec<DocBits>, usize)> {
    let mut counts: Vec<Vec<u8>> = Vec::with_capacity(sets.len());
    let mut best = 0u8;
    let mut allowed = Vec::with_capacity(sets.len());
    for ((segment_sets, mut docs), facets) in sets.iter().zip(candidates).zip(segments) {
        docs = counting.filter(facets, docs);
        let mut count = vec![0u8; docs.len() as usize];
        for &c in &weights.active {
            for doc in segment_sets[c].ones() {
                if docs.contains(doc) {
                    count[doc as usize] = count[doc as usize].saturating_add(1);
                }
            }
        }
        best = best.max(count.iter().copied().max().unwrap_or(0));
        counts.push(count);
        allowed.push(docs);
    }
    if best == 0 {
        return None;
    }
    let kept = allowed
        .into_iter()
        .zip(&counts)
        .map(|(docs, count)| {
            DocBits::of_fn(docs.len(), |d| {
                docs.contains(d) && count[d as usize] == best
            })
        })
        .collect();
    Some((kept, usize::from(best)))
}

/// Per concept, in one segment: the documents matching it in any form, and in a close form.
pub(super) struct ConceptSets {
    any: Vec<DocBits>,
    close: Vec<DocBits>,
}

/// What evaluating a concept in one segment needs.
pub(super) struct Segment<'a> {
    pub searcher: &'a Searcher,
    pub reader: &'a SegmentReader,
    pub term_sets: &'a TermSets,
    pub facets: &'a SegmentFacets,
    pub dictionary: &'a FacetDictionary,
}

impl Segment<'_> {
    /// The documents of each concept: those matching any of its alternatives, and those
    /// matching one of its close forms (any but another word of its family).
    fn concept_sets(&self, built: &Built) -> Result<ConceptSets> {
        let n = built.concepts.len();
        let mut sets = ConceptSets {
            any: Vec::with_capacity(n),
            close: Vec::with_capacity(n),
        };
        for concept in &built.concepts {
            let mut close = DocBits::empty(self.reader.max_doc());
            let mut derived = DocBits::empty(self.reader.max_doc());
            for alternative in concept.alternatives.iter().filter(|a| !a.implied) {
                let into = match alternative.how {
                    How::Derived => &mut derived,
                    _ => &mut close,
                };
                into.or_with(&self.documents(&alternative.matcher)?);
            }
            derived.or_with(&close);
            sets.any.push(derived);
            sets.close.push(close);
        }
        Ok(sets)
    }

    /// The documents a matcher matches.
    pub(super) fn documents(&self, matcher: &Matcher) -> Result<DocBits> {
        let max_doc = self.reader.max_doc();
        Ok(match matcher {
            Matcher::Words(groups) => {
                let postings = Postings {
                    reader: self.reader,
                    term_sets: self.term_sets,
                };
                let mut all: Option<DocBits> = None;
                for group in groups {
                    let mut bits = DocBits::empty(max_doc);
                    for term in group {
                        postings.add_to(term, &mut bits)?;
                    }
                    match all.as_mut() {
                        Some(all) => all.and_with(&bits),
                        None => all = Some(bits),
                    }
                }
                all.unwrap_or_else(|| DocBits::empty(max_doc))
            }
            Matcher::Phrase(phrase) => {
                let mut bits = DocBits::empty(max_doc);
                let scoring = EnableScoring::disabled_from_searcher(self.searcher);
                phrase
                    .weight(scoring)?
                    .for_each_no_score(self.reader, &mut |docs| {
                        for &doc in docs {
                            bits.insert(doc);
                        }
                    })?;
                bits
            }
            Matcher::Facet(kind, value) => {
                let facet = FacetKind::ALL.iter().position(|k| k == kind);
                match (facet, self.dictionary.ordinal(*kind, value)) {
                    (Some(facet), Some(ord)) => self.facets.selection(facet, &[ord]),
                    _ => DocBits::empty(max_doc),
                }
            }
        })
    }
}

/// The documents of one segment a search may return whatever its words: alive, in every
/// quoted phrase, holding no excluded word.
fn allowed(
    reader: &SegmentReader,
    built: &Built,
    required: &[Box<dyn Weight>],
    term_sets: &TermSets,
) -> Result<DocBits> {
    let max_doc = reader.max_doc();
    let mut allowed = DocBits::full(max_doc);
    if let Some(alive) = reader.alive_bitset() {
        for doc in 0..max_doc {
            if !alive.is_alive(doc) {
                allowed.remove(doc);
            }
        }
    }
    for weight in required {
        let mut bits = DocBits::empty(max_doc);
        weight.for_each_no_score(reader, &mut |docs| {
            for &doc in docs {
                bits.insert(doc);
            }
        })?;
        allowed.and_with(&bits);
    }
    let postings = Postings { reader, term_sets };
    for term in &built.excluded {
        let mut bits = DocBits::empty(max_doc);
        postings.add_to(term, &mut bits)?;
        allowed.and_not(&bits);
    }
    Ok(allowed)
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
