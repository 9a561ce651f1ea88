//! User text → the parts of a query, built in code: any string is a valid query.
//!
//! What a document must match is its concepts (`concepts.rs`). How a match scores: per
//! word, exact term (high boost) + light stem + Snowball stem + typo corrections of an
//! unknown word; synonym expansions; a bonus for documents holding every word; a phrase
//! boost; place names matched to the `places` field. `"Exact phrases"` are requirements and
//! `-word` exclusions.

use std::collections::{HashMap, HashSet};

use tantivy::Term;
use tantivy::query::{BoostQuery, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};

use super::concepts::{self, Concept, How, phrase_at};
use super::vocabulary::Vocabulary;
use crate::analysis::{self, Analyzer};
use crate::corpus::Synonyms;
use crate::index::schema::Fields;

const EXACT_BOOST: f32 = 3.0;
const LIGHT_BOOST: f32 = 2.0;
const STEM_BOOST: f32 = 1.0;
const FUZZY_BOOST: f32 = 0.5;
const SYNONYM_BOOST: f32 = 2.5;
/// Every word of a multi-word synonym, anywhere in the text (the phrase adds `SYNONYM_BOOST`).
const SYNONYM_WORDS_BOOST: f32 = 1.0;
const PHRASE_BOOST: f32 = 2.0;
const PLACE_BOOST: f32 = 4.0;
const ALL_WORDS_BOOST: f32 = 2.0;
/// Words that open a question: such a query is read as natural language.
const QUESTION_WORDS: &[&str] = &[
    "com", "que", "quin", "quina", "quins", "quines", "on", "quan", "qui", "perque", "quant",
    "quanta", "quants", "quantes",
];

/// The parts of what a person typed.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ParsedQuery {
    /// Free words, folded, in order (stop words included).
    pub words: Vec<QueryWord>,
    /// `"quoted phrases"`, folded words each.
    pub phrases: Vec<Vec<String>>,
    /// `-excluded` words, folded.
    pub excluded: Vec<String>,
    /// It reads as a question (an opening question word or a final «?»).
    pub question: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct QueryWord {
    /// Token position in the query (stop words count).
    pub position: usize,
    /// As typed.
    pub typed: String,
    pub exact: String,
    /// `None` for stop words.
    pub stem: Option<String>,
    /// Light (plural/gender) stem; `None` for stop words.
    pub light: Option<String>,
}

impl ParsedQuery {
    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.phrases.is_empty()
    }
}

/// Splits quotes and exclusions off, then analyses each part.
pub fn parse(text: &str) -> ParsedQuery {
    let mut parsed = ParsedQuery::default();
    let mut free = String::new();
    let mut rest = text;
    while let Some(open) = rest.find(['"', '“', '”', '«', '»']) {
        free.push_str(&rest[..open]);
        let after = &rest[open..];
        let quote_len = after.chars().next().map_or(1, char::len_utf8);
        let inner = &after[quote_len..];
        match inner.find(['"', '“', '”', '«', '»']) {
            Some(close) => {
                let phrase = words_of(&inner[..close]);
                if !phrase.is_empty() {
                    parsed.phrases.push(phrase);
                }
                let close_len = inner[close..].chars().next().map_or(1, char::len_utf8);
                rest = &inner[close + close_len..];
            }
            None => {
                // An unmatched quote is just punctuation.
                free.push(' ');
                rest = inner;
            }
        }
    }
    free.push_str(rest);
    parsed.question = text.trim_end().ends_with('?');
    let mut kept = String::new();
    for piece in free.split_whitespace() {
        match piece.strip_prefix('-') {
            Some(word) if word.chars().next().is_some_and(char::is_alphanumeric) => {
                parsed.excluded.extend(words_of(word));
            }
            _ => {
                kept.push_str(piece);
                kept.push(' ');
            }
        }
    }
    for token in analysis::tokens(Analyzer::Exact, &kept) {
        let original = &kept[token.offset_from..token.offset_to];
        let stem = analysis::tokens(Analyzer::Stem, original)
            .into_iter()
            .next()
            .map(|t| t.text);
        let light = stem
            .as_ref()
            .map(|_| analysis::light_stem(&token.text).into_owned());
        if parsed.words.is_empty() && QUESTION_WORDS.contains(&token.text.as_str()) {
            parsed.question = true;
        }
        parsed.words.push(QueryWord {
            position: token.position,
            typed: original.to_string(),
            exact: token.text,
            stem,
            light,
        });
    }
    parsed
}

fn words_of(text: &str) -> Vec<String> {
    analysis::tokens(Analyzer::Exact, text)
        .into_iter()
        .map(|t| t.text)
        .collect()
}

/// Edits allowed for a word of this length (Meilisearch's policy): none for short words,
/// numbers and protected words such as acronyms.
pub fn fuzzy_distance(word: &str) -> u8 {
    if word.bytes().any(|b| b.is_ascii_digit()) || analysis::protected_stem(word).is_some() {
        return 0;
    }
    match word.chars().count() {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

/// What the highlighter should mark for this query.
#[derive(Debug, Default, Clone)]
pub struct MatchSpec {
    pub exact: HashSet<String>,
    pub stems: HashSet<String>,
    pub lights: HashSet<String>,
    pub fuzzy: Vec<(String, u8)>,
    /// Multi-word synonyms, as light stems: marked only whole, never one word alone.
    pub phrases: Vec<Vec<String>>,
}

/// Most indexed words one mistyped word may stand for.
const MAX_TYPO_TERMS: usize = 16;

/// A query ready to run, as the parts the search runs itself: which documents match, and
/// how a candidate's score adds up. Keeping the terms flat (rather than one nested tantivy
/// query) lets the search build the match set from posting lists, rank with block-max WAND
/// and score only the best candidates term by term.
#[derive(Default)]
pub struct Built {
    /// What a document must match: every concept (or, for a question or a long query,
    /// enough of them by weight; see `execute.rs`).
    pub concepts: Vec<Concept>,
    /// Natural language: not every concept is required.
    pub lenient: bool,
    /// Every scored term.
    pub terms: Vec<ScoredTerm>,
    /// Number of term groups (multi-word synonyms: they count only all together).
    pub groups: usize,
    /// Number of content words; with two or more, documents holding every one of them get
    /// the coordination bonus.
    pub words: usize,
    /// Quoted phrases: every one must match, and its score counts.
    pub required: Vec<Box<dyn Query>>,
    /// `-words`: documents holding any of them never match.
    pub excluded: Vec<Term>,
    /// Boosts added to the best candidates only (phrases): they change the order, never
    /// the set, and reading positions for every match was most of a query's time on a
    /// large corpus.
    pub boosts: Vec<Box<dyn Query>>,
    pub spec: MatchSpec,
    /// Foreign words read in Catalan before anything else (`translate.rs`).
    pub translated: Vec<super::translate::Translation>,
}

#[derive(Debug, Clone)]
pub struct ScoredTerm {
    pub term: Term,
    pub boost: f32,
    /// The content word this term stands for (coordination).
    pub word: Option<usize>,
    /// The group this term belongs to.
    pub group: Option<usize>,
    /// Every document holding this term holds another term of the query: matching skips
    /// it. (The light field is the exact field's words through the light stemmer, so a
    /// document with the exact word always has its light stem.)
    pub implied: bool,
}

/// Extra weight of the words' own scores for a document holding every content word.
pub const COORDINATION_BOOST: f32 = ALL_WORDS_BOOST;

impl Built {
    /// Whether nothing was asked for: every document matches.
    pub fn matches_everything(&self) -> bool {
        self.concepts.is_empty() && self.required.is_empty()
    }

    fn term(&mut self, field: Field, text: &str, boost: f32, word: Option<usize>) {
        self.terms.push(ScoredTerm {
            term: Term::from_field_text(field, text),
            boost,
            word,
            group: None,
            implied: false,
        });
    }

    /// A candidate's score from the scores of the terms it holds (`None`: not held) and
    /// of the required phrases.
    pub fn score(&self, term_scores: &[Option<f32>], required: f32) -> f32 {
        let mut total = required;
        let mut groups: Vec<(f32, bool)> = vec![(0.0, true); self.groups];
        let mut words: Vec<bool> = vec![false; self.words];
        let mut word_sum = 0.0;
        for (t, score) in self.terms.iter().zip(term_scores) {
            match (t.group, score) {
                (Some(g), Some(s)) => {
                    if let Some(group) = groups.get_mut(g) {
                        group.0 += s;
                    }
                }
                (Some(g), None) => {
                    if let Some(group) = groups.get_mut(g) {
                        group.1 = false;
                    }
                }
                (None, Some(s)) => {
                    total += s;
                    if let Some(w) = t.word {
                        word_sum += s;
                        if let Some(seen) = words.get_mut(w) {
                            *seen = true;
                        }
                    }
                }
                (None, None) => {}
            }
        }
        total += groups
            .iter()
            .filter(|(_, complete)| *complete)
            .map(|(s, _)| s)
            .sum::<f32>();
        if self.words >= 2 && words.iter().all(|&w| w) {
            total += COORDINATION_BOOST * word_sum;
        }
        total
    }
}

/// The parts and the highlight spec of a parsed query.
///
/// A word the index holds is taken as typed; only unknown words get typo expansion, to the
/// indexed words `vocabulary` finds a few edits away.
pub fn build(
    parsed: &ParsedQuery,
    fields: &Fields,
    synonyms: &Synonyms,
    names: &[concepts::FacetName],
    vocabulary: &dyn Vocabulary,
) -> Built {
    let mut built = Built::default();
    let mut seen = HashSet::new();
    let mut typos: HashMap<String, Vec<String>> = HashMap::new();

    for word in &parsed.words {
        let (Some(stem), Some(light)) = (&word.stem, &word.light) else {
            continue;
        };
        if !seen.insert(word.exact.clone()) {
            continue;
        }
        // Summed, not max: a word found in its exact form, its light and its Snowball
        // stem outranks one found only through the stem (dis-max measured no better).
        let w = Some(built.words);
        built.term(fields.all_exact, &word.exact, EXACT_BOOST, w);
        if let Some(exact) = built.terms.last_mut() {
            exact.implied = true;
        }
        built.term(fields.all_light, light, LIGHT_BOOST, w);
        built.term(fields.all_stem, stem, STEM_BOOST, w);
        let distance = fuzzy_distance(&word.exact);
        if distance > 0 && !vocabulary.holds(&word.exact) {
            let near = vocabulary.near(&word.exact, distance, MAX_TYPO_TERMS);
            for n in &near {
                built.term(fields.all_exact, n, FUZZY_BOOST, w);
                built.spec.exact.insert(n.clone());
            }
            typos.insert(word.exact.clone(), near);
            built.spec.fuzzy.push((word.exact.clone(), distance));
        }
        built.spec.exact.insert(word.exact.clone());
        built.spec.stems.insert(stem.clone());
        built.spec.lights.insert(light.clone());
        built.words += 1;
    }

    let content: Vec<&QueryWord> = parsed.words.iter().filter(|w| w.light.is_some()).collect();
    let lights: Vec<String> = content.iter().filter_map(|w| w.light.clone()).collect();
    for found in synonyms.find(&lights) {
        for alternative in found.alternatives {
            match alternative.words.as_slice() {
                [(_, exact, light)] => {
                    built.spec.exact.insert(exact.clone());
                    built.spec.lights.insert(light.clone());
                    built.term(fields.all_exact, exact, SYNONYM_BOOST, None);
                    built.term(fields.all_light, light, SYNONYM_BOOST, None);
                }
                words => {
                    built
                        .spec
                        .phrases
                        .push(words.iter().map(|(_, _, l)| l.clone()).collect());
                    // Scored whole: every word of the expression, plus its phrase.
                    let group = Some(built.groups);
                    built.groups += 1;
                    for (_, _, l) in words {
                        built.term(fields.all_light, l, SYNONYM_WORDS_BOOST, None);
                        if let Some(last) = built.terms.last_mut() {
                            last.group = group;
                        }
                    }
                    let phrase = phrase_at(
                        fields.all_light,
                        words.iter().map(|(p, _, l)| (*p, l.as_str())),
                        1,
                    );
                    built.boosts.push(boosted(phrase, SYNONYM_BOOST));
                }
            }
        }
    }

    if content.len() >= 2 {
        let first = content[0].position;
        built.boosts.push(boosted(
            phrase_at(
                fields.all_light,
                content
                    .iter()
                    .filter_map(|w| Some((w.position - first, w.light.as_deref()?))),
                2,
            ),
            PHRASE_BOOST,
        ));
    }

    let typos_of = |word: &str| typos.get(word).cloned().unwrap_or_default();
    built.concepts = concepts::concepts(&parsed.words, fields, synonyms, names, &typos_of);
    let places: Vec<Term> = built
        .concepts
        .iter()
        .flat_map(|c| &c.alternatives)
        .filter(|a| matches!(a.how, How::Place(_)))
        .filter_map(|a| match &a.matcher {
            concepts::Matcher::Words(groups) => groups.first()?.first().cloned(),
            _ => None,
        })
        .collect();
    for place in places {
        built.terms.push(ScoredTerm {
            term: place,
            boost: PLACE_BOOST,
            word: None,
            group: None,
            implied: false,
        });
    }
    built.lenient = parsed.question || built.concepts.len() > LONG_QUERY_CONCEPTS;

    for words in &parsed.phrases {
        built.spec.exact.extend(words.iter().cloned());
        built.required.push(phrase(fields.all_exact, words, 0));
    }
    for word in &parsed.excluded {
        built
            .excluded
            .push(Term::from_field_text(fields.all_exact, word));
    }
    built
}

/// More concepts than this, and not every one is required.
const LONG_QUERY_CONCEPTS: usize = 3;

fn term(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

fn phrase(field: Field, words: &[String], slop: u32) -> Box<dyn Query> {
    if words.len() == 1 {
        return term(field, &words[0]);
    }
    let terms = words
        .iter()
        .map(|w| Term::from_field_text(field, w))
        .collect();
    let mut query = PhraseQuery::new(terms);
    query.set_slop(slop);
    Box::new(query)
}

fn boosted(query: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(query, boost))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_exclusions_are_split_off() {
        let p = parse("habitatge \"cessió d'ús\" -barcelona");
        assert_eq!(
            p.phrases,
            vec![vec!["cessio".to_string(), "us".to_string()]]
        );
        assert_eq!(p.excluded, vec!["barcelona".to_string()]);
        assert_eq!(p.words.len(), 1);
        assert_eq!(p.words[0].exact, "habitatge");
    }

    #[test]
    fn odd_input_parses_to_something_or_nothing_without_panicking() {
        for text in [
            "",
            "   ",
            "\"",
            "l'",
            "-",
            "*?~:()[]{}^",
            "\u{0}\u{7}",
            "«»",
            "-\"x",
        ] {
            let p = parse(text);
            assert!(p.words.iter().all(|w| !w.exact.is_empty()), "{text:?}");
        }
        assert!(parse("\"").is_empty());
        assert!(parse("-").is_empty());
    }

    #[test]
    fn stop_words_have_no_stem() {
        let p = parse("economia de les cures");
        let stems: Vec<_> = p.words.iter().map(|w| w.stem.is_some()).collect();
        assert_eq!(stems, vec![true, false, false, true]);
    }

    /// An index that holds `words`; a word's neighbours are the held words of its length.
    struct Held(&'static [&'static str]);

    impl Vocabulary for Held {
        fn holds(&self, word: &str) -> bool {
            self.0.contains(&word)
        }
        fn near(&self, word: &str, _distance: u8, limit: usize) -> Vec<String> {
            let len = word.chars().count();
            self.0
                .iter()
                .filter(|w| w.chars().count() == len && **w != word)
                .take(limit)
                .map(|w| w.to_string())
                .collect()
        }
    }

    #[test]
    fn only_words_the_index_lacks_get_typo_expansion() {
        let (_, fields) = crate::index::schema::build();
        let parsed = parse("cooperatiwa habitatge");
        let synonyms = Synonyms::default();
        let index = Held(&["cooperativa", "habitatge"]);
        let built = build(&parsed, &fields, &synonyms, &[], &index);
        let fuzzy: Vec<&str> = built.spec.fuzzy.iter().map(|(w, _)| w.as_str()).collect();
        assert_eq!(fuzzy, vec!["cooperatiwa"]);
        assert!(
            built.spec.exact.contains("cooperativa"),
            "the expansion is marked"
        );
        let typed = build(
            &parse("cooperativa habitatge"),
            &fields,
            &synonyms,
            &[],
            &index,
        );
        assert!(typed.spec.fuzzy.is_empty());
        assert!(!typed.spec.exact.contains("cooperatiwa"));
    }

    #[test]
    fn parts_of_a_query() {
        let (_, fields) = crate::index::schema::build();
        let synonyms = Synonyms::default();
        let index = Held(&[]);
        let plain = build(
            &parse("moneda local -barcelona"),
            &fields,
            &synonyms,
            &[],
            &index,
        );
        assert_eq!(plain.words, 2);
        assert_eq!(plain.terms.len(), 6, "exact, light and stem of each word");
        assert_eq!(plain.excluded.len(), 1);
        assert_eq!(plain.boosts.len(), 1, "the phrase boost");
        assert_eq!(plain.concepts.len(), 2, "a concept per word");
        let quoted = build(&parse("\"moneda local\""), &fields, &synonyms, &[], &index);
        assert_eq!(quoted.required.len(), 1);
        assert!(quoted.terms.is_empty() && !quoted.matches_everything());
        assert!(build(&parse("-barcelona"), &fields, &synonyms, &[], &index).matches_everything());
    }

    #[test]
    fn a_score_adds_terms_complete_groups_and_coordination() {
        let (_, fields) = crate::index::schema::build();
        let mut built = Built {
            words: 2,
            groups: 1,
            ..Built::default()
        };
        built.term(fields.all_exact, "moneda", 1.0, Some(0));
        built.term(fields.all_exact, "local", 1.0, Some(1));
        built.term(fields.all_light, "economia", 1.0, None);
        built.term(fields.all_light, "social", 1.0, None);
        built.terms[2].group = Some(0);
        built.terms[3].group = Some(0);
        // Both words (1 + 2, and twice that again), an incomplete group, a phrase of 0.5.
        let all_words = built.score(&[Some(1.0), Some(2.0), Some(3.0), None], 0.5);
        assert!((all_words - (0.5 + 3.0 + COORDINATION_BOOST * 3.0)).abs() < 1e-6);
        // One word and the complete group: no coordination.
        let group = built.score(&[Some(1.0), None, Some(3.0), Some(4.0)], 0.0);
        assert!((group - 8.0).abs() < 1e-6);
    }

    #[test]
    fn typo_budget_grows_with_word_length() {
        assert_eq!(fuzzy_distance("cura"), 0);
        assert_eq!(fuzzy_distance("moneda"), 1);
        assert_eq!(fuzzy_distance("cooperatives"), 2);
        assert_eq!(fuzzy_distance("xmess"), 0);
        assert_eq!(fuzzy_distance("2023"), 0);
    }
}
