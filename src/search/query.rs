//! User text → tantivy query, built in code: any string is a valid query.
//!
//! Per word: exact term (high boost) + light stem + Snowball stem + a length-gated fuzzy
//! term on the exact field. Then a bonus for documents holding every word, synonym
//! expansions (phrases on the light field), a phrase boost, place names matched to the
//! `places` field, `"exact phrases"` as requirements and `-word` as exclusions.

use std::collections::HashSet;

use tantivy::Term;
use tantivy::query::{
    BooleanQuery, BoostQuery, EmptyQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};

use super::synonyms::Synonyms;
use crate::analysis::{self, Analyzer, fold_key};
use crate::gazetteer::Gazetteer;
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
/// Longest place name looked for in a query, in words.
const MAX_PLACE_WORDS: usize = 6;

/// The parts of what a person typed.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ParsedQuery {
    /// Free words, folded, in order (stop words included).
    pub words: Vec<QueryWord>,
    /// `"quoted phrases"`, folded words each.
    pub phrases: Vec<Vec<String>>,
    /// `-excluded` words, folded.
    pub excluded: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct QueryWord {
    /// Token position in the query (stop words count).
    pub position: usize,
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
        parsed.words.push(QueryWord {
            position: token.position,
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
}

/// A query ready to run.
pub struct Built {
    /// What matches and its first score; `None` means "everything".
    pub query: Option<Box<dyn Query>>,
    /// Boosts added to the best candidates only (phrase and coordination): they change the
    /// order, never the set, and reading positions for every match was most of a query's
    /// time on a large corpus.
    pub rescore: Option<Box<dyn Query>>,
    pub spec: MatchSpec,
}

/// The tantivy queries and the highlight spec of a parsed query.
///
/// `indexed` says whether a folded word is in the exact field: a word the index holds is
/// taken as typed, and only unknown words get typo expansion.
pub fn build(
    parsed: &ParsedQuery,
    fields: &Fields,
    synonyms: &Synonyms,
    indexed: &dyn Fn(&str) -> bool,
) -> Built {
    let mut spec = MatchSpec::default();
    let mut rescore: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut per_word: Vec<Box<dyn Query>> = Vec::new();
    let mut seen = HashSet::new();

    for word in &parsed.words {
        let (Some(stem), Some(light)) = (&word.stem, &word.light) else {
            continue;
        };
        if !seen.insert(word.exact.clone()) {
            continue;
        }
        let mut alternatives: Vec<Box<dyn Query>> = vec![
            boosted(term(fields.all_exact, &word.exact), EXACT_BOOST),
            boosted(term(fields.all_light, light), LIGHT_BOOST),
            boosted(term(fields.all_stem, stem), STEM_BOOST),
        ];
        let distance = fuzzy_distance(&word.exact);
        if distance > 0 && !indexed(&word.exact) {
            let fuzzy = FuzzyTermQuery::new(
                Term::from_field_text(fields.all_exact, &word.exact),
                distance,
                true,
            );
            alternatives.push(boosted(Box::new(fuzzy), FUZZY_BOOST));
            spec.fuzzy.push((word.exact.clone(), distance));
        }
        spec.exact.insert(word.exact.clone());
        spec.stems.insert(stem.clone());
        spec.lights.insert(light.clone());
        // Summed, not max: a word found in its exact form, its light and its Snowball
        // stem outranks one found only through the stem (dis-max measured no better).
        per_word.push(Box::new(BooleanQuery::new(
            alternatives
                .into_iter()
                .map(|q| (Occur::Should, q))
                .collect(),
        )));
    }
    // Coordination: documents holding every content word score their words again, so a
    // text about all of "plans estratègics comarcals" beats one repeating two of them.
    if per_word.len() >= 2 {
        let all: Vec<(Occur, Box<dyn Query>)> = per_word
            .iter()
            .map(|q| (Occur::Must, q.box_clone()))
            .collect();
        rescore.push((
            Occur::Should,
            boosted(Box::new(BooleanQuery::new(all)), ALL_WORDS_BOOST),
        ));
    }
    should.extend(per_word.into_iter().map(|q| (Occur::Should, q)));

    let content: Vec<&QueryWord> = parsed.words.iter().filter(|w| w.light.is_some()).collect();
    let lights: Vec<String> = content.iter().filter_map(|w| w.light.clone()).collect();
    for found in synonyms.find(&lights) {
        for alternative in found.alternatives {
            for (_, exact, light) in &alternative.words {
                spec.exact.insert(exact.clone());
                spec.lights.insert(light.clone());
            }
            match alternative.words.as_slice() {
                [(_, exact, light)] => {
                    let query = Box::new(BooleanQuery::new(vec![
                        (Occur::Should, term(fields.all_exact, exact)),
                        (Occur::Should, term(fields.all_light, light)),
                    ]));
                    should.push((Occur::Should, boosted(query, SYNONYM_BOOST)));
                }
                words => {
                    // Matching needs every word of the expression; the phrase itself, which
                    // reads positions, only reorders the best candidates.
                    let all = words
                        .iter()
                        .map(|(_, _, l)| (Occur::Must, term(fields.all_light, l)))
                        .collect();
                    should.push((
                        Occur::Should,
                        boosted(Box::new(BooleanQuery::new(all)), SYNONYM_WORDS_BOOST),
                    ));
                    let phrase = phrase_at(
                        fields.all_light,
                        words.iter().map(|(p, _, l)| (*p, l.as_str())),
                        1,
                    );
                    rescore.push((Occur::Should, boosted(phrase, SYNONYM_BOOST)));
                }
            }
        }
    }

    if content.len() >= 2 {
        let first = content[0].position;
        rescore.push((
            Occur::Should,
            boosted(
                phrase_at(
                    fields.all_light,
                    content
                        .iter()
                        .filter_map(|w| Some((w.position - first, w.light.as_deref()?))),
                    2,
                ),
                PHRASE_BOOST,
            ),
        ));
    }

    let exact_words: Vec<String> = parsed.words.iter().map(|w| w.exact.clone()).collect();
    for place in places_in(&exact_words) {
        should.push((
            Occur::Should,
            boosted(term(fields.places, &place), PLACE_BOOST),
        ));
    }

    for words in &parsed.phrases {
        spec.exact.extend(words.iter().cloned());
        let query = match words.as_slice() {
            [single] => term(fields.all_exact, single),
            many => phrase(fields.all_exact, many, 0),
        };
        must.push((Occur::Must, query));
    }

    if should.is_empty() && must.is_empty() {
        return Built {
            query: None,
            rescore: None,
            spec,
        };
    }
    let mut clauses = must;
    if !should.is_empty() {
        let occur = if clauses.is_empty() {
            Occur::Must
        } else {
            Occur::Should
        };
        clauses.push((occur, Box::new(BooleanQuery::new(should))));
    }
    for word in &parsed.excluded {
        clauses.push((Occur::MustNot, term(fields.all_exact, word)));
    }
    Built {
        query: Some(Box::new(BooleanQuery::new(clauses))),
        rescore: (!rescore.is_empty())
            .then(|| Box::new(BooleanQuery::new(rescore)) as Box<dyn Query>),
        spec,
    }
}

/// Folded names of municipalities and comarques found as runs of query words.
fn places_in(words: &[String]) -> Vec<String> {
    let gazetteer = Gazetteer::get();
    let mut found = Vec::new();
    for start in 0..words.len() {
        for len in (1..=MAX_PLACE_WORDS.min(words.len() - start)).rev() {
            let run = &words[start..start + len];
            if run.iter().all(|w| analysis::is_stop_word(w)) {
                continue;
            }
            let text = run.join(" ");
            let name = gazetteer
                .municipality(&text)
                .map(|m| m.name.as_str())
                .or_else(|| gazetteer.comarca(&text));
            if let Some(name) = name {
                found.push(fold_key(name));
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

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

/// A phrase of (position, word) pairs: stop words removed by the analyzer keep their gap.
fn phrase_at<'a>(
    field: Field,
    words: impl Iterator<Item = (usize, &'a str)>,
    slop: u32,
) -> Box<dyn Query> {
    let terms: Vec<(usize, Term)> = words
        .map(|(p, w)| (p, Term::from_field_text(field, w)))
        .collect();
    match terms.as_slice() {
        [] => return Box::new(EmptyQuery),
        [(_, single)] => {
            return Box::new(TermQuery::new(single.clone(), IndexRecordOption::WithFreqs));
        }
        _ => {}
    }
    Box::new(PhraseQuery::new_with_offset_and_slop(terms, slop))
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

    #[test]
    fn only_words_the_index_lacks_get_typo_expansion() {
        let (_, fields) = crate::index::schema::build();
        let parsed = parse("cooperatiwa habitatge");
        let synonyms = Synonyms::default();
        let indexed = |w: &str| w != "cooperatiwa";
        let spec = build(&parsed, &fields, &synonyms, &indexed).spec;
        let fuzzy: Vec<&str> = spec.fuzzy.iter().map(|(w, _)| w.as_str()).collect();
        assert_eq!(fuzzy, vec!["cooperatiwa"]);
        let none = build(&parsed, &fields, &synonyms, &|_| true).spec;
        assert!(none.fuzzy.is_empty());
    }

    #[test]
    fn typo_budget_grows_with_word_length() {
        assert_eq!(fuzzy_distance("cura"), 0);
        assert_eq!(fuzzy_distance("moneda"), 1);
        assert_eq!(fuzzy_distance("cooperatives"), 2);
        assert_eq!(fuzzy_distance("xmess"), 0);
        assert_eq!(fuzzy_distance("2023"), 0);
    }

    #[test]
    fn finds_place_names_without_article_or_accents() {
        let words: Vec<String> = "ess prat de llobregat i valles occidental"
            .split(' ')
            .map(String::from)
            .collect();
        let places = places_in(&words);
        assert!(
            places.contains(&"el prat de llobregat".to_string()),
            "{places:?}"
        );
        assert!(
            places.contains(&"valles occidental".to_string()),
            "{places:?}"
        );
        let les: Vec<String> = vec!["les".into(), "cures".into()];
        assert!(
            places_in(&les).is_empty(),
            "a stop word is not the town of Les"
        );
    }
}
