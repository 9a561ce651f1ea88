//! Search over one index generation: query building, facets, snippets and the audience
//! filter. Every entry point takes an [`Audience`]; internal documents are filtered inside
//! the collector and the lookups here, so no caller can forget it.

mod docbits;
mod execute;
pub mod facet_counts;
pub mod facets;
pub mod query;
pub mod related;
pub mod snippet;
pub mod spelling;
pub mod suggest;
pub mod synonyms;
pub mod term_sets;
pub mod vocabulary;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use crate::fasthash::FastMap;

use anyhow::Result;
use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

use crate::corpus::Document;
use crate::gazetteer::SizeBand;
use crate::index::{Generation, Part};
use crate::taxonomy::{AbcCategory, DocKind, Themes, Visibility};
use facet_counts::Counting;
use facets::{FacetDictionary, FacetKind, Sort, visibility_code};

/// Who is asking. The public never sees, counts or hears of an internal document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Public,
    Advisor,
}

impl Audience {
    fn max_visibility(self) -> u64 {
        match self {
            Audience::Public => visibility_code(Visibility::Publica),
            Audience::Advisor => visibility_code(Visibility::Interna),
        }
    }

    pub fn may_see(self, visibility: Visibility) -> bool {
        visibility_code(visibility) <= self.max_visibility()
    }
}

pub const MAX_PER_PAGE: usize = 100;
pub const DEFAULT_PER_PAGE: usize = 20;

#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub query: String,
    /// Selected values per facet (OR inside a facet, AND across facets).
    pub filters: BTreeMap<FacetKind, Vec<String>>,
    pub sort: Option<Sort>,
    /// 1-based.
    pub page: usize,
    pub per_page: usize,
    pub audience: Audience,
    /// Years from–to, both included: documents active in any year of the range.
    pub years: Option<(u16, u16)>,
    /// Best candidates of the ranking that the phrase and coordination boosts reorder:
    /// larger comes closer to rescoring every match, and costs more.
    pub rescore_window: usize,
}

impl SearchRequest {
    pub fn new(query: &str, audience: Audience) -> SearchRequest {
        SearchRequest {
            query: query.to_string(),
            filters: BTreeMap::new(),
            sort: None,
            page: 1,
            per_page: DEFAULT_PER_PAGE,
            audience,
            years: None,
            rescore_window: RESCORE_WINDOW,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    /// The index generation that answered (one search never mixes two).
    pub generation: String,
    pub query: String,
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
    pub pages: usize,
    pub sort: Sort,
    pub hits: Vec<Hit>,
    pub facets: BTreeMap<FacetKind, Vec<FacetValue>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub id: String,
    pub title: String,
    /// Title, escaped, with `<mark>` around matched words.
    pub title_html: String,
    pub kind: DocKind,
    pub kind_label: &'static str,
    pub municipalities: Vec<String>,
    pub comarques: Vec<String>,
    pub themes: Vec<ThemeRef>,
    pub years: Option<String>,
    pub date: Option<String>,
    /// "21 de setembre de 2023", or the years.
    pub when: Option<String>,
    pub internal: bool,
    /// Escaped text with `<mark>` around matches, nothing else.
    pub snippet: String,
    pub url: String,
    pub score: f32,
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

/// Longest snippet, in characters.
const SNIPPET_CHARS: usize = 240;

impl Generation {
    /// Runs a search; unknown facet values simply match nothing.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults> {
        let parsed = query::parse(&request.query);
        // The public searches an index without internal documents; the collector's
        // audience filter below is a second, independent guard.
        let part = self.part(request.audience);
        // One searcher for the whole request: the query's vocabulary checks and the
        // collection see the same segments.
        let searcher = part.reader.searcher();
        let vocabulary = part.vocabulary(&searcher);
        let built = query::build(&parsed, &part.fields, &self.synonyms, &vocabulary);
        let sort = request.sort.unwrap_or(if !built.matches_everything() {
            Sort::Rellevancia
        } else {
            Sort::Recents
        });
        let per_page = request.per_page.clamp(1, MAX_PER_PAGE);
        let page = request.page.max(1);
        let offset = (page - 1).saturating_mul(per_page);

        let mut selections = Vec::new();
        for (facet_index, &kind) in FacetKind::ALL.iter().enumerate() {
            if !kind.offered_to(request.audience) {
                continue;
            }
            let values = request.filters.get(&kind).filter(|v| !v.is_empty());
            let range = request.years.filter(|_| kind == FacetKind::Any);
            if values.is_none() && range.is_none() {
                continue;
            }
            let mut ords: Vec<u64> = match values {
                Some(values) => values
                    .iter()
                    .filter_map(|v| part.dictionary.ordinal(kind, v))
                    .collect(),
                None => (0..part.dictionary.values(kind).len() as u64).collect(),
            };
            // A year range narrows the year facet's selection (or stands for it).
            if let Some((from, to)) = range {
                let years = part.dictionary.values(kind);
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
        let sizes = facet_counts::sizes(&part.dictionary);
        let counted = FacetKind::ALL
            .iter()
            .map(|k| k.offered_to(request.audience))
            .collect();
        let counting = Counting::new(
            &sizes,
            selections,
            request.audience.max_visibility(),
            counted,
        );
        let page_end = offset.saturating_add(per_page);
        // Scoring reorders a window of the best candidates, at least the page.
        let window = if sort == Sort::Rellevancia && !built.matches_everything() {
            page_end.max(request.rescore_window)
        } else {
            page_end
        };
        let plan = execute::Plan {
            built: &built,
            sort,
            window: window.min(10_000),
        };
        let outcome = execute::run(
            &searcher,
            &part.facet_cache,
            &part.term_sets,
            &sizes,
            counting,
            &plan,
        )?;
        let spec = built.spec;
        let total = outcome.counting.total;
        let counts = outcome.counting.counts();
        let mut fruit_top = outcome.top;
        fruit_top.truncate(page_end);

        let mut hits = Vec::new();
        for candidate in fruit_top.iter().skip(offset) {
            let doc = load(part, &searcher, candidate.doc)?;
            hits.push(self.hit(&doc, &spec, candidate.score));
        }

        let mut facet_values = BTreeMap::new();
        for (facet_index, &kind) in FacetKind::ALL.iter().enumerate() {
            if !kind.offered_to(request.audience) {
                continue;
            }
            let selected = request.filters.get(&kind);
            let is_selected = |v: &str| selected.is_some_and(|s| s.iter().any(|x| x == v));
            let mut values: Vec<FacetValue> = part
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
            if let Some(selected) = selected {
                for v in selected {
                    if !values.iter().any(|x| &x.value == v) {
                        values.push(FacetValue {
                            value: v.clone(),
                            label: self.facet_label(kind, v),
                            count: 0,
                            selected: true,
                        });
                    }
                }
            }
            sort_facet_values(kind, &mut values, self.facet_sort_keys.get(&kind));
            facet_values.insert(kind, values);
        }
        Ok(SearchResults {
            generation: self.info.generation.clone(),
            query: request.query.clone(),
            total,
            page,
            per_page,
            pages: total.div_ceil(per_page),
            sort,
            hits,
            facets: facet_values,
        })
    }

    /// A document by id, if this audience may see it. An internal id looks exactly like an
    /// unknown one to the public.
    pub fn document(&self, id: &str, audience: Audience) -> Result<Option<Document>> {
        let part = self.part(audience);
        let searcher = part.reader.searcher();
        let query = TermQuery::new(
            Term::from_field_text(part.fields.id, id),
            IndexRecordOption::Basic,
        );
        let top = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
        let Some((_, address)) = top.first() else {
            return Ok(None);
        };
        let doc = load(part, &searcher, *address)?;
        Ok(audience.may_see(doc.visibility).then_some(doc))
    }

    fn hit(&self, doc: &Document, spec: &query::MatchSpec, score: f32) -> Hit {
        let body = doc.plain_body();
        Hit {
            id: doc.id.clone(),
            title: doc.title.clone(),
            title_html: snippet::highlight(&doc.title, spec),
            kind: doc.kind,
            kind_label: doc.kind.label(),
            municipalities: doc.municipalities.clone(),
            comarques: doc.comarques.clone(),
            themes: self.theme_refs(doc),
            years: doc.years.map(|y| y.label()),
            date: doc.date.clone(),
            when: doc
                .date
                .as_deref()
                .map(crate::clock::catalan_date)
                .or_else(|| doc.years.map(|y| y.label())),
            internal: doc.visibility == Visibility::Interna,
            snippet: snippet::snippet(&body, spec, SNIPPET_CHARS),
            url: format!("/document/{}", doc.id),
            score,
        }
    }

    pub fn theme_refs(&self, doc: &Document) -> Vec<ThemeRef> {
        doc.themes
            .iter()
            .map(|slug| ThemeRef {
                slug: slug.clone(),
                label: self
                    .themes
                    .by_slug(slug)
                    .map_or_else(|| slug.clone(), |t| t.label.clone()),
            })
            .collect()
    }

    /// The label people see for a facet value.
    pub fn facet_label(&self, kind: FacetKind, value: &str) -> String {
        facet_label(&self.themes, kind, value)
    }
}

/// The label people see for a facet value, given the generation's themes.
pub fn facet_label(themes: &Themes, kind: FacetKind, value: &str) -> String {
    let label = match kind {
        FacetKind::Tema => themes.by_slug(value).map(|t| t.label.clone()),
        FacetKind::Tipus => DocKind::from_slug(value).map(|k| k.label().to_string()),
        FacetKind::Mida => SizeBand::from_slug(value).map(|b| b.label().to_string()),
        FacetKind::Categoria => AbcCategory::from_slug(value).map(|c| c.label().to_string()),
        FacetKind::Visibilitat => Visibility::from_slug(value).map(|v| v.label().to_string()),
        _ => None,
    };
    label.unwrap_or_else(|| value.to_string())
}

/// Folded labels of every facet value of both parts, computed once per generation: sorting
/// the long municipality list folded each label on every search.
pub fn facet_sort_keys<'a>(
    themes: &Themes,
    dictionaries: impl Iterator<Item = &'a FacetDictionary>,
) -> HashMap<FacetKind, FastMap<String, String>> {
    let mut keys: HashMap<FacetKind, FastMap<String, String>> = HashMap::new();
    for dictionary in dictionaries {
        for &kind in FacetKind::ALL {
            let of_kind = keys.entry(kind).or_default();
            for value in dictionary.values(kind) {
                if !of_kind.contains_key(value) {
                    let key = crate::analysis::fold_key(&facet_label(themes, kind, value));
                    of_kind.insert(value.clone(), key);
                }
            }
        }
    }
    keys
}

impl Generation {
    /// Total documents this audience may see.
    pub fn visible_documents(&self, audience: Audience) -> usize {
        match audience {
            Audience::Public => self.info.public_documents,
            Audience::Advisor => self.info.documents,
        }
    }
}

/// Candidates kept for rescoring: a document outside it would need boosts worth more than
/// the whole gap to enter the first page. `examples/latency --agreement` measures how often
/// the first page differs from a far larger window's (see BENCHMARKS.md).
pub const RESCORE_WINDOW: usize = 100;

pub(crate) fn load(part: &Part, searcher: &Searcher, address: DocAddress) -> Result<Document> {
    let stored: TantivyDocument = searcher.doc(address)?;
    let json = stored
        .get_first(part.fields.stored)
        .and_then(|v| v.as_str())
        .unwrap_or("{}");
    Ok(serde_json::from_str(json)?)
}

fn sort_facet_values(
    kind: FacetKind,
    values: &mut [FacetValue],
    keys: Option<&FastMap<String, String>>,
) {
    match kind {
        FacetKind::Any => values.sort_by(|a, b| b.value.cmp(&a.value)),
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
