//! What a document must match: the query as a set of concepts. A concept is one content
//! word with every form the engine knows (exact, plural and gender, Snowball stem, typo
//! corrections of an unknown word, single-word synonyms), or a run of words that is a place
//! or an expression with synonyms, taken whole: «moneda local» matches the two words or
//! «moneda social» as a phrase, never «social» alone; «Sant Cugat» matches the documents of
//! Sant Cugat, not the word «sant» anywhere. Stop words never count.

use std::collections::HashSet;

use serde::Serialize;
use tantivy::Term;
use tantivy::query::{BooleanQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};

use super::query::QueryWord;
use crate::analysis::{self, fold_key};
use crate::corpus::{Expression, Synonyms};
use crate::gazetteer::Gazetteer;
use crate::index::schema::Fields;
use crate::taxonomy::{DocKind, FacetKind, Themes};

/// Longest place name looked for in a query, in words.
const MAX_PLACE_WORDS: usize = 6;
/// A run of words that starts this many municipality names at most is taken as a place
/// («sant cugat»: two towns); more, and it is only words («sant joan»: eleven).
const MAX_TOWNS_BY_PREFIX: usize = 3;

/// One thing the query asks for.
pub struct Concept {
    /// What the person typed for it.
    pub text: String,
    /// A place or a kind of document: a filter named in words, always required.
    pub required: bool,
    /// Ways to match it: a document matches the concept if it matches any.
    pub alternatives: Vec<Alternative>,
}

pub struct Alternative {
    pub how: How,
    pub matcher: Matcher,
    /// Every document it matches is matched by another alternative (the exact form of a
    /// word always has its light stem): matching skips it, explaining does not.
    pub implied: bool,
}

/// How a document matched a concept, for «Per què surt?».
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "text", rename_all = "snake_case")]
pub enum How {
    /// The word as typed (accents, case and elision aside).
    Exact,
    /// Another number or gender of it (plans / pla).
    Inflection,
    /// Another word of its family (cooperatiu / cooperativisme).
    Derived,
    /// Every word of a multi-word expression, in some form.
    Words,
    /// A correction of a word the index does not hold.
    Typo(String),
    /// A synonym or an expansion from the synonym list.
    Synonym(String),
    /// A place named in the query: the document is located there.
    Place(String),
    /// A theme or a kind of document named in the query: the document is tagged with it.
    Tag(String),
}

pub enum Matcher {
    /// The document holds, for each group, at least one of its terms.
    Words(Vec<Vec<Term>>),
    /// The document holds this phrase.
    Phrase(Box<dyn Query>),
    /// The document has this value in this facet.
    Facet(FacetKind, String),
}

/// A name people may type for a facet value: a theme by its label or a synonym of it, a kind
/// of document by its name.
#[derive(Debug, Clone)]
pub struct FacetName {
    pub expression: Expression,
    pub kind: FacetKind,
    pub value: String,
    pub label: String,
}

/// The facet names of a generation's themes and of the kinds of document.
pub(super) fn facet_names(themes: &Themes) -> Vec<FacetName> {
    let mut out = Vec::new();
    for theme in themes.all() {
        for text in std::iter::once(&theme.label).chain(&theme.synonyms) {
            out.push(FacetName {
                expression: Expression::parse(text),
                kind: FacetKind::Tema,
                value: theme.slug.clone(),
                label: theme.label.clone(),
            });
        }
    }
    for kind in DocKind::ALL {
        out.push(FacetName {
            expression: Expression::parse(kind.label()),
            kind: FacetKind::Tipus,
            value: kind.slug().to_string(),
            label: kind.label().to_string(),
        });
    }
    out.retain(|n| !n.expression.words.is_empty());
    out
}

impl Matcher {
    fn term(term: Term) -> Matcher {
        Matcher::Words(vec![vec![term]])
    }

    /// The same condition as a tantivy query (for checking a few documents); `None` for a
    /// facet, which is not in the inverted index.
    pub fn query(&self) -> Option<Box<dyn Query>> {
        Some(match self {
            Matcher::Facet(..) => return None,
            Matcher::Phrase(phrase) => phrase.box_clone(),
            Matcher::Words(groups) => {
                let any = |terms: &Vec<Term>| -> Box<dyn Query> {
                    let clauses = terms
                        .iter()
                        .map(|t| {
                            let q: Box<dyn Query> =
                                Box::new(TermQuery::new(t.clone(), IndexRecordOption::Basic));
                            (Occur::Should, q)
                        })
                        .collect();
                    Box::new(BooleanQuery::new(clauses))
                };
                let all = groups.iter().map(|g| (Occur::Must, any(g))).collect();
                Box::new(BooleanQuery::new(all))
            }
        })
    }
}

/// A run of content words taken as one concept, and what it names.
#[derive(Default)]
struct Span {
    start: usize,
    len: usize,
    /// Folded names of the places the run names.
    places: Vec<String>,
    synonyms: Vec<Expression>,
    tags: Vec<FacetName>,
}

/// The concepts of a query's words. `typos` gives the indexed words a mistyped word may
/// stand for (none for a word the index holds), the most frequent first.
pub(super) fn concepts(
    words: &[QueryWord],
    fields: &Fields,
    synonyms: &Synonyms,
    names: &[FacetName],
    typos: &dyn Fn(&str) -> Vec<String>,
) -> Vec<Concept> {
    let content: Vec<&QueryWord> = words.iter().filter(|w| w.light.is_some()).collect();
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let spans = spans(words, &content, synonyms, names, typos);
    let mut i = 0;
    while i < content.len() {
        if let Some(span) = spans.iter().find(|s| s.start == i) {
            let run = &content[i..i + span.len];
            out.push(span_concept(run, words, span, fields, typos));
            i += span.len;
            continue;
        }
        let word = content[i];
        if seen.insert(word.exact.clone()) {
            out.push(Concept {
                text: word.typed.clone(),
                required: false,
                alternatives: word_alternatives(word, fields, typos),
            });
        }
        i += 1;
    }
    out
}

/// Exact, light and Snowball forms of a word, then its typo corrections.
fn word_alternatives(
    word: &QueryWord,
    fields: &Fields,
    typos: &dyn Fn(&str) -> Vec<String>,
) -> Vec<Alternative> {
    let (Some(light), Some(stem)) = (&word.light, &word.stem) else {
        return Vec::new();
    };
    let text = |field: Field, t: &str| Matcher::term(Term::from_field_text(field, t));
    let mut out = vec![
        Alternative {
            how: How::Exact,
            matcher: text(fields.all_exact, &word.exact),
            implied: true,
        },
        Alternative {
            how: How::Inflection,
            matcher: text(fields.all_light, light),
            implied: false,
        },
        Alternative {
            how: How::Derived,
            matcher: text(fields.all_stem, stem),
            implied: false,
        },
    ];
    for near in typos(&word.exact) {
        out.push(Alternative {
            matcher: text(fields.all_exact, &near),
            how: How::Typo(near),
            implied: false,
        });
    }
    out
}

fn span_concept(
    run: &[&QueryWord],
    words: &[QueryWord],
    span: &Span,
    fields: &Fields,
    typos: &dyn Fn(&str) -> Vec<String>,
) -> Concept {
    let mut alternatives = match run {
        [one] => word_alternatives(one, fields, typos),
        _ => {
            // Every word of the run, in its light or Snowball form (or its correction),
            // anywhere.
            let groups = run
                .iter()
                .filter_map(|w| {
                    let mut group = vec![
                        Term::from_field_text(fields.all_light, w.light.as_deref()?),
                        Term::from_field_text(fields.all_stem, w.stem.as_deref()?),
                    ];
                    for near in typos(&w.exact) {
                        group.push(Term::from_field_text(fields.all_exact, &near));
                    }
                    Some(group)
                })
                .collect();
            vec![Alternative {
                how: How::Words,
                matcher: Matcher::Words(groups),
                implied: false,
            }]
        }
    };
    let gazetteer = Gazetteer::get();
    for name in &span.places {
        let shown = gazetteer
            .municipality(name)
            .map(|m| m.name.clone())
            .or_else(|| gazetteer.comarca(name).map(String::from))
            .unwrap_or_else(|| name.clone());
        alternatives.push(Alternative {
            how: How::Place(shown),
            matcher: Matcher::Words(vec![vec![Term::from_field_text(fields.places, name)]]),
            implied: false,
        });
    }
    for e in &span.synonyms {
        alternatives.push(Alternative {
            how: How::Synonym(e.text.clone()),
            matcher: expression_matcher(e, fields),
            implied: false,
        });
    }
    for tag in &span.tags {
        alternatives.push(Alternative {
            how: How::Tag(tag.label.clone()),
            matcher: Matcher::Facet(tag.kind, tag.value.clone()),
            implied: false,
        });
    }
    let (first, last) = (run[0].position, run[run.len() - 1].position);
    let text = words
        .iter()
        .filter(|w| (first..=last).contains(&w.position))
        .map(|w| w.typed.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    Concept {
        text,
        required: !span.places.is_empty() || span.tags.iter().any(|t| t.kind == FacetKind::Tipus),
        alternatives,
    }
}

/// A single word as its exact or light form; several as a phrase on the light field (stop
/// words leave their gaps).
pub(super) fn expression_matcher(e: &Expression, fields: &Fields) -> Matcher {
    match e.words.as_slice() {
        [(_, exact, light)] => Matcher::Words(vec![vec![
            Term::from_field_text(fields.all_exact, exact),
            Term::from_field_text(fields.all_light, light),
        ]]),
        words => Matcher::Phrase(phrase_at(
            fields.all_light,
            words.iter().map(|(p, _, l)| (*p, l.as_str())),
            1,
        )),
    }
}

/// A phrase of (position, word) pairs: stop words removed by the analyzer keep their gap.
pub(super) fn phrase_at<'a>(
    field: Field,
    words: impl Iterator<Item = (usize, &'a str)>,
    slop: u32,
) -> Box<dyn Query> {
    let terms: Vec<(usize, Term)> = words
        .map(|(p, w)| (p, Term::from_field_text(field, w)))
        .collect();
    match terms.as_slice() {
        [] => Box::new(tantivy::query::EmptyQuery),
        [(_, single)] => Box::new(TermQuery::new(single.clone(), IndexRecordOption::WithFreqs)),
        _ => Box::new(PhraseQuery::new_with_offset_and_slop(terms, slop)),
    }
}

/// The runs of content words that are places, expressions with synonyms or names of themes
/// and kinds, longest first, never overlapping. A mistyped word is read as its likeliest
/// correction.
fn spans(
    words: &[QueryWord],
    content: &[&QueryWord],
    synonyms: &Synonyms,
    names: &[FacetName],
    typos: &dyn Fn(&str) -> Vec<String>,
) -> Vec<Span> {
    let mut found: Vec<Span> = Vec::new();
    /// The span of this run, made if new.
    fn at(found: &mut Vec<Span>, start: usize, len: usize) -> &mut Span {
        let i = match found.iter().position(|s| (s.start, s.len) == (start, len)) {
            Some(i) => i,
            None => {
                found.push(Span {
                    start,
                    len,
                    ..Span::default()
                });
                found.len() - 1
            }
        };
        &mut found[i]
    }
    let mut places = Vec::new();
    for (first, last, names) in places_in(words) {
        let covered: Vec<usize> = content
            .iter()
            .enumerate()
            .filter(|(_, w)| (first..=last).contains(&w.position))
            .map(|(i, _)| i)
            .collect();
        if let (Some(&start), Some(&end)) = (covered.first(), covered.last()) {
            places.push((start, end - start + 1, names));
        }
    }
    for (start, len, names) in places {
        at(&mut found, start, len).places = names;
    }
    let lights: Vec<String> = content
        .iter()
        .map(|w| match typos(&w.exact).first() {
            Some(near) => analysis::light_stem(near).into_owned(),
            None => w.light.clone().unwrap_or_default(),
        })
        .collect();
    for m in synonyms.find(&lights) {
        if !m.alternatives.is_empty() {
            at(&mut found, m.start, m.len).synonyms = m.alternatives;
        }
    }
    for name in names {
        let stems: Vec<&str> = name
            .expression
            .words
            .iter()
            .map(|(_, _, l)| l.as_str())
            .collect();
        let len = stems.len();
        for start in 0..(lights.len() + 1).saturating_sub(len) {
            if lights[start..start + len]
                .iter()
                .map(String::as_str)
                .eq(stems.iter().copied())
            {
                let span = at(&mut found, start, len);
                if !span
                    .tags
                    .iter()
                    .any(|t| t.value == name.value && t.kind == name.kind)
                {
                    span.tags.push(name.clone());
                }
            }
        }
    }
    // A single word that names nothing beyond itself is no span.
    found.retain(|s| {
        s.len > 1 || !s.places.is_empty() || !s.synonyms.is_empty() || !s.tags.is_empty()
    });
    found.sort_by(|a, b| {
        let place = |s: &Span| !s.places.is_empty();
        a.start
            .cmp(&b.start)
            .then(b.len.cmp(&a.len))
            .then(place(b).cmp(&place(a)))
    });
    let mut chosen: Vec<Span> = Vec::new();
    for span in found {
        let free = chosen.iter().all(|c| span.start >= c.start + c.len);
        if free {
            chosen.push(span);
        }
    }
    chosen
}

/// Runs of query words that name places: (first and last position, folded names). A
/// municipality or comarca by its name (article and accents optional), or the start of the
/// names of a few municipalities (two words at least).
fn places_in(words: &[QueryWord]) -> Vec<(usize, usize, Vec<String>)> {
    let gazetteer = Gazetteer::get();
    let mut found = Vec::new();
    for start in 0..words.len() {
        for len in (1..=MAX_PLACE_WORDS.min(words.len() - start)).rev() {
            let run = &words[start..start + len];
            let last = &run[len - 1];
            if last.light.is_none() {
                // Names do not end with a stop word; a run of stop words is no place.
                continue;
            }
            let text = run
                .iter()
                .map(|w| w.exact.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            let named = gazetteer
                .municipality(&text)
                .map(|m| m.name.as_str())
                .or_else(|| gazetteer.comarca(&text));
            let names: Vec<String> = match named {
                Some(name) => vec![fold_key(name)],
                None if len >= 2 => {
                    let towns = gazetteer.municipalities_starting_with(&text);
                    if towns.is_empty() || towns.len() > MAX_TOWNS_BY_PREFIX {
                        continue;
                    }
                    towns.iter().map(|m| fold_key(&m.name)).collect()
                }
                None => continue,
            };
            if run.iter().all(|w| analysis::is_stop_word(&w.exact)) {
                continue;
            }
            found.push((run[0].position, last.position, names));
            break;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::query::parse;

    fn texts(query: &str, synonyms: &Synonyms) -> Vec<String> {
        let (_, fields) = crate::index::schema::build();
        concepts(&parse(query).words, &fields, synonyms, &[], &|_| Vec::new())
            .into_iter()
            .map(|c| c.text)
            .collect()
    }

    #[test]
    fn places_and_expressions_are_one_concept_and_stop_words_none() {
        let synonyms =
            Synonyms::parse("[[grup]]\ntermes = [\"moneda local\", \"moneda social\"]\n")
                .expect("valid");
        assert_eq!(
            texts("la moneda local del Prat de Llobregat", &synonyms),
            vec!["moneda local", "Prat de Llobregat"]
        );
        assert_eq!(
            texts("cooperatives a Sant Cugat", &synonyms),
            vec!["cooperatives", "Sant Cugat"]
        );
        assert_eq!(
            texts("les cures al valles occidental", &synonyms),
            vec!["cures", "valles occidental"]
        );
        assert_eq!(
            texts("sant joan cures", &synonyms),
            vec!["sant", "joan", "cures"]
        );
    }

    #[test]
    fn a_place_concept_matches_the_places_field_and_a_synonym_a_phrase() {
        let synonyms =
            Synonyms::parse("[[grup]]\ntermes = [\"moneda local\", \"moneda social\"]\n")
                .expect("valid");
        let (_, fields) = crate::index::schema::build();
        let found = concepts(
            &parse("moneda local sant cugat").words,
            &fields,
            &synonyms,
            &[],
            &|_| Vec::new(),
        );
        let hows: Vec<Vec<How>> = found
            .iter()
            .map(|c| c.alternatives.iter().map(|a| a.how.clone()).collect())
            .collect();
        assert_eq!(
            hows[0],
            vec![How::Words, How::Synonym("moneda social".into())]
        );
        assert!(matches!(
            found[0].alternatives[1].matcher,
            Matcher::Phrase(_)
        ));
        assert_eq!(
            hows[1],
            vec![
                How::Words,
                How::Place("Sant Cugat del Vallès".into()),
                How::Place("Sant Cugat Sesgarrigues".into())
            ]
        );
    }
}
