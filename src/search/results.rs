//! A request → its results: the query built, the three passes run (`execute`), then the
//! page's hits with highlights and every facet's values with counts.

use std::borrow::Cow;
use std::collections::BTreeMap;

use anyhow::Result;
use rustc_hash::FxHashMap;
use serde::Serialize;
use tantivy::Searcher;

use super::concepts::How;
use super::engine::{Engine, View, load};
use super::execute::{self, Candidate, Outcome, Plan};
use super::facet_counts::Counting;
use super::query::{self, Built, MatchSpec};
use super::request::{MAX_PER_PAGE, SearchRequest, Sort};
use super::snippet::{self, Highlighted};
use super::translate::{self, Translation};
use super::vocabulary::IndexVocabulary;
use crate::corpus::Document;
use crate::gazetteer::SizeBand;
use crate::taxonomy::{DocKind, FacetKind, Visibility};

#[derive(Debug, Clone)]
pub struct SearchResults {
    /// The index generation that answered (one search never mixes two).
    pub generation: String,
    pub query: String,
    /// What the query was read as: each concept as typed (a word, an expression, a place).
    pub concepts: Vec<String>,
    /// Concepts no document matches: left out of the search, and said.
    pub unknown: Vec<String>,
    /// Spanish or English words searched as the Catalan they mean, and said.
    pub translated: Vec<Translation>,
    /// Documents matching every concept (or, for a question, enough of them).
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
    pub pages: usize,
    pub sort: Sort,
    pub hits: Vec<Hit>,
    pub facets: BTreeMap<FacetKind, Vec<FacetValue>>,
    /// When no document matches every concept: those matching the most, kept apart (never
    /// in the total, the facets or the exports).
    pub relaxed: Option<Relaxed>,
}

/// The documents that match most of a query's concepts when none matches them all.
#[derive(Debug, Clone)]
pub struct Relaxed {
    pub total: usize,
    /// How many of the concepts they match, of how many.
    pub matched: usize,
    pub of: usize,
    /// The first page of them; each says what it lacks (`Hit::missing`).
    pub hits: Vec<Hit>,
}

/// How a hit matched one concept of the query («Per què surt?»).
#[derive(Debug, Clone, Serialize)]
pub struct ConceptMatch {
    /// The concept as typed.
    pub concept: String,
    pub how: Vec<How>,
}

#[derive(Debug, Clone)]
pub struct Hit {
    pub id: String,
    /// The whole title, matched words marked.
    pub title: Highlighted,
    pub kind: DocKind,
    pub municipalities: Vec<String>,
    pub comarques: Vec<String>,
    pub themes: Vec<ThemeRef>,
    /// "2019", "2021–2023", "des de 2016".
    pub years: Option<String>,
    /// Day of an event, `YYYY-MM-DD`.
    pub date: Option<String>,
    pub internal: bool,
    /// The best passage of the body, matched words marked.
    pub snippet: Highlighted,
    pub score: f32,
    /// Why it is a result: each concept it matched, and how.
    pub why: Vec<ConceptMatch>,
    /// The concepts it does not match (only in `Relaxed`).
    pub missing: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ThemeRef {
    pub slug: String,
    pub label: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct FacetValue {
    pub value: String,
    pub label: String,
    pub count: u64,
    pub selected: bool,
}

/// Where a rank of a search sits among its results.
#[derive(Debug, Clone, Default)]
pub struct Neighbours {
    pub total: usize,
    /// Ids at the rank before and after.
    pub previous: Option<String>,
    pub next: Option<String>,
}

/// Longest snippet, in characters.
const SNIPPET_CHARS: usize = 240;

/// A request's query built against the part it searches, and how its results are sorted.
struct Prepared<'a> {
    view: View<'a>,
    searcher: Searcher,
    built: Built,
    sort: Sort,
}

impl Engine {
    pub fn theme_refs(&self, doc: &Document) -> Vec<ThemeRef> {
        doc.themes
            .iter()
            .map(|slug| ThemeRef {
                slug: slug.clone(),
                label: self
                    .themes()
                    .by_slug(slug)
                    .map_or_else(|| slug.clone(), |t| t.label.clone()),
            })
            .collect()
    }

    /// Runs a search; unknown facet values simply match nothing.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults> {
        let prepared = self.prepare(request);
        let per_page = request.per_page.clamp(1, MAX_PER_PAGE);
        let page = request.page.max(1);
        let offset = (page - 1).saturating_mul(per_page);
        let page_end = offset.saturating_add(per_page);
        let outcome = self.run(&prepared, request, page_end, true)?;
        let total = outcome.counting.total;
        let counts = outcome.counting.counts();
        let page_of = |top: &[Candidate]| -> Vec<Candidate> {
            top.iter().take(page_end).skip(offset).cloned().collect()
        };
        let hits = self.hits(&prepared, &page_of(&outcome.top), &outcome.unknown)?;
        let relaxed = match outcome.relaxed {
            Some(relaxed) => Some(Relaxed {
                total: relaxed.total,
                matched: relaxed.matched,
                of: prepared.built.concepts.len() - outcome.unknown.len(),
                hits: self.hits(&prepared, &page_of(&relaxed.top), &outcome.unknown)?,
            }),
            None => None,
        };
        let concept_texts = |known: bool| -> Vec<String> {
            let concepts = prepared.built.concepts.iter().enumerate();
            concepts
                .filter(|(i, _)| outcome.unknown.contains(i) != known)
                .map(|(_, c)| c.text.clone())
                .collect()
        };
        Ok(SearchResults {
            generation: self.info().generation.clone(),
            query: request.query.clone(),
            concepts: concept_texts(true),
            unknown: concept_texts(false),
            translated: prepared.built.translated.clone(),
            total,
            page,
            per_page,
            pages: total.div_ceil(per_page),
            sort: prepared.sort,
            hits,
            facets: self.facet_values(request, prepared.view, &counts),
            relaxed,
        })
    }

    /// How many results a request has (its page, sort and facet counts are ignored).
    pub fn count(&self, request: &SearchRequest) -> Result<usize> {
        let mut prepared = self.prepare(request);
        prepared.sort = Sort::Recents;
        Ok(self.run(&prepared, request, 0, false)?.counting.total)
    }

    /// The results before and after `rank` (1-based) of a request, and their total, as its
    /// pages list them.
    pub fn neighbours(&self, request: &SearchRequest, rank: usize) -> Result<Neighbours> {
        let prepared = self.prepare(request);
        let outcome = self.run(&prepared, request, rank.saturating_add(1), false)?;
        let (counting, top) = (outcome.counting, outcome.top);
        let id_at = |r: usize| -> Result<Option<String>> {
            match r.checked_sub(1).and_then(|i| top.get(i)) {
                Some(c) => Ok(Some(
                    load(prepared.view.part, &prepared.searcher, c.doc)?.id,
                )),
                None => Ok(None),
            }
        };
        Ok(Neighbours {
            total: counting.total,
            previous: if rank > 1 { id_at(rank - 1)? } else { None },
            next: id_at(rank + 1)?,
        })
    }

    /// The first `n` documents a request finds, without highlights or facet counts.
    pub(super) fn top_documents(&self, request: &SearchRequest, n: usize) -> Result<Vec<Document>> {
        let prepared = self.prepare(request);
        let top = self.run(&prepared, request, n, false)?.top;
        top.iter()
            .take(n)
            .map(|c| load(prepared.view.part, &prepared.searcher, c.doc))
            .collect()
    }

    /// What `text` becomes as a query of this audience's index part: its terms, boosts and
    /// what its highlights mark.
    pub fn build_query(&self, text: &str, audience: crate::taxonomy::Audience) -> Built {
        let view = self.view(audience);
        self.built(text, view, &view.part.searcher())
    }

    fn built(&self, text: &str, view: View, searcher: &Searcher) -> Built {
        let vocabulary = IndexVocabulary::of(view.part, searcher);
        let (parsed, translated) =
            translate::translate(query::parse(text), &self.languages, &vocabulary);
        let fields = &view.part.fields;
        let mut built = query::build(
            &parsed,
            fields,
            &self.synonyms,
            &self.facet_names,
            &vocabulary,
        );
        built.translated = translated;
        built
    }

    fn prepare(&self, request: &SearchRequest) -> Prepared<'_> {
        // The public searches an index without internal documents; the counting's audience
        // filter is a second, independent guard.
        let view = self.view(request.audience);
        // One searcher for the whole request: the query's vocabulary checks and the
        // collection see the same segments.
        let searcher = view.part.searcher();
        let built = self.built(&request.query, view, &searcher);
        let sort = request.sort.unwrap_or(if built.matches_everything() {
            Sort::Recents
        } else {
            Sort::Rellevancia
        });
        Prepared {
            view,
            searcher,
            built,
            sort,
        }
    }

    /// The three passes, keeping the best `page_end` (or the rescoring window) candidates.
    fn run(
        &self,
        prepared: &Prepared,
        request: &SearchRequest,
        page_end: usize,
        count_facets: bool,
    ) -> Result<Outcome> {
        let View { part, caches } = prepared.view;
        let sizes = part.dictionary.sizes();
        let counted = FacetKind::ALL
            .iter()
            .map(|k| count_facets && k.offered_to(request.audience))
            .collect();
        let counting = Counting::new(
            &sizes,
            selections(request, part),
            request.audience.max_visibility(),
            counted,
        );
        let built = &prepared.built;
        // Scoring reorders a window of the best candidates, at least the page.
        let window = if prepared.sort == Sort::Rellevancia && !built.matches_everything() {
            page_end.max(request.rescore_window)
        } else {
            page_end
        };
        let plan = Plan {
            built,
            sort: prepared.sort,
            window: window.min(10_000),
            dictionary: &part.dictionary,
        };
        execute::run(
            &prepared.searcher,
            &caches.facets,
            &caches.term_sets,
            &sizes,
            counting,
            &plan,
        )
    }

    /// The hits of `page`, with their highlights and why each is a result.
    fn hits(&self, prepared: &Prepared, page: &[Candidate], unknown: &[usize]) -> Result<Vec<Hit>> {
        let View { part, caches } = prepared.view;
        let docs: Vec<tantivy::DocAddress> = page.iter().map(|c| c.doc).collect();
        let sizes = part.dictionary.sizes();
        let mut hits = Vec::with_capacity(page.len());
        for candidate in page {
            let doc = load(part, &prepared.searcher, candidate.doc)?;
            hits.push(self.hit(&doc, &prepared.built.spec, candidate.score));
        }
        for (c, concept) in prepared.built.concepts.iter().enumerate() {
            if unknown.contains(&c) {
                continue;
            }
            let mut how: Vec<Vec<How>> = vec![Vec::new(); page.len()];
            for alternative in &concept.alternatives {
                let found = execute::matched_by(
                    &prepared.searcher,
                    &caches.facets,
                    &sizes,
                    &part.dictionary,
                    &alternative.matcher,
                    &docs,
                )?;
                for (i, _) in found.iter().enumerate().filter(|(_, f)| **f) {
                    how[i].push(alternative.how.clone());
                }
            }
            for (hit, how) in hits.iter_mut().zip(how) {
                if how.is_empty() {
                    hit.missing.push(concept.text.clone());
                } else {
                    hit.why.push(ConceptMatch {
                        concept: concept.text.clone(),
                        how: most_telling(how),
                    });
                }
            }
        }
        Ok(hits)
    }

    fn hit(&self, doc: &Document, spec: &MatchSpec, score: f32) -> Hit {
        Hit {
            id: doc.id.clone(),
            title: snippet::highlight(&doc.title, spec),
            kind: doc.kind,
            municipalities: doc.municipalities.clone(),
            comarques: doc.comarques.clone(),
            themes: self.theme_refs(doc),
            years: doc.years.map(|y| y.label()),
            date: doc.date.clone(),
            internal: doc.visibility == Visibility::Interna,
            snippet: snippet::snippet(&doc.plain_body(), spec, SNIPPET_CHARS),
            score,
            why: Vec::new(),
            missing: Vec::new(),
        }
    }

    /// Every value of every facet offered to the audience, with its count; selected values
    /// are kept even when nothing matches them.
    fn facet_values(
        &self,
        request: &SearchRequest,
        view: View,
        counts: &[Vec<u64>],
    ) -> BTreeMap<FacetKind, Vec<FacetValue>> {
        let mut facets = BTreeMap::new();
        for (facet_index, &kind) in FacetKind::ALL.iter().enumerate() {
            if !kind.offered_to(request.audience) {
                continue;
            }
            let selected = request.filters.get(&kind);
            let is_selected = |v: &str| selected.is_some_and(|s| s.iter().any(|x| x == v));
            let mut values: Vec<FacetValue> = view
                .part
                .dictionary
                .values(kind)
                .iter()
                .zip(&counts[facet_index])
                .filter(|&(v, &count)| count > 0 || is_selected(v))
                .map(|(v, &count)| FacetValue {
                    value: v.clone(),
                    label: self.facet_label(kind, v),
                    count,
                    selected: is_selected(v),
                })
                .collect();
            // Selected values that this generation does not know are still shown, with 0.
            for v in selected.into_iter().flatten() {
                if !values.iter().any(|x| &x.value == v) {
                    values.push(FacetValue {
                        value: v.clone(),
                        label: self.facet_label(kind, v),
                        count: 0,
                        selected: true,
                    });
                }
            }
            sort_facet_values(kind, &mut values, self.sort_keys.get(&kind));
            facets.insert(kind, values);
        }
        facets
    }
}

/// The ways worth telling of one concept's match: the typed form hides its inflections, and
/// a form of the words hides the derived family.
fn most_telling(mut how: Vec<How>) -> Vec<How> {
    if how.contains(&How::Exact) {
        how.retain(|h| !matches!(h, How::Inflection | How::Derived));
    } else if how.contains(&How::Inflection) {
        how.retain(|h| *h != How::Derived);
    }
    how
}

/// The ordinals each facet's selection stands for (facets in `FacetKind::ALL` order).
fn selections(request: &SearchRequest, part: &crate::index::Part) -> Vec<(usize, Vec<u64>)> {
    let mut selections = Vec::new();
    for (facet_index, &kind) in FacetKind::ALL.iter().enumerate() {
        if !kind.offered_to(request.audience) {
            continue;
        }
        let values = request.filters.get(&kind).filter(|v| !v.is_empty());
        let range = request.years.filter(|_| kind == FacetKind::Year);
        if values.is_none() && range.is_none() {
            continue;
        }
        let dictionary = &part.dictionary;
        let mut ords: Vec<u64> = match values {
            Some(values) => values
                .iter()
                .filter_map(|v| dictionary.ordinal(kind, v))
                .collect(),
            None => (0..dictionary.values(kind).len() as u64).collect(),
        };
        // A year range narrows the year facet's selection (or stands for it).
        if let Some((from, to)) = range {
            let years = dictionary.values(kind);
            ords.retain(|&o| {
                years
                    .get(o as usize)
                    .and_then(|y| y.parse::<u16>().ok())
                    .is_some_and(|y| (from..=to).contains(&y))
            });
        }
        ords.sort_unstable();
        ords.dedup();
        selections.push((facet_index, ords));
    }
    selections
}

fn sort_facet_values(
    kind: FacetKind,
    values: &mut [FacetValue],
    keys: Option<&FxHashMap<String, String>>,
) {
    match kind {
        FacetKind::Year => values.sort_by(|a, b| b.value.cmp(&a.value)),
        FacetKind::Mida => values.sort_by_key(|v| SizeBand::from_slug(&v.value)),
        // Count first, then the folded label (precomputed; folded here only for a selected
        // value the generation does not know).
        _ => values.sort_by_cached_key(|v| {
            let key = keys.and_then(|k| k.get(&v.value)).map_or_else(
                || Cow::Owned(crate::analysis::fold_key(&v.label)),
                |k| Cow::Borrowed(k.as_str()),
            );
            (std::cmp::Reverse(v.count), key)
        }),
    }
}
