//! "Vols dir …?": words of a query that the index does not hold, replaced by the closest
//! word it does hold (edit distance, then frequency). The vocabulary is the audience's own
//! index part, so the public is never offered a word found only in internal records.

use std::collections::{HashMap, HashSet};

use anyhow::Result;
use tantivy::Term;

use super::engine::Engine;
use super::vocabulary::IndexVocabulary;
use crate::analysis::{self, Analyzer};
use crate::taxonomy::Audience;

/// Words shorter than this are left alone: too many neighbours to guess well.
const MIN_CHARS: usize = 4;

impl Engine {
    /// "Vols dir …?": the query with unknown words corrected, or `None` when there is
    /// nothing to correct.
    pub fn spelling(&self, text: &str, audience: Audience) -> Result<Option<String>> {
        let part = self.view(audience).part;
        let searcher = part.searcher();
        let vocabulary = IndexVocabulary::of(part, &searcher);
        // A Spanish or English word read in Catalan is no typo to correct.
        let (_, translated) =
            super::translate::translate(super::query::parse(text), &self.languages, &vocabulary);
        let foreign: HashSet<String> = translated
            .iter()
            .flat_map(|t| analysis::tokens(Analyzer::Exact, &t.from))
            .map(|t| t.text)
            .collect();
        correct(&vocabulary, text, &foreign)
    }
}

fn correct(
    vocabulary: &IndexVocabulary,
    text: &str,
    foreign: &HashSet<String>,
) -> Result<Option<String>> {
    let searcher = vocabulary.searcher;
    let field = vocabulary.field;
    let mut out = String::new();
    let mut last = 0;
    let mut changed = false;
    for token in analysis::tokens(Analyzer::Exact, text) {
        let word = &token.text;
        if word.chars().count() < MIN_CHARS
            || word.bytes().any(|b| b.is_ascii_digit())
            || foreign.contains(word)
        {
            continue;
        }
        if searcher.doc_freq(&Term::from_field_text(field, word))? > 0 {
            continue;
        }
        // Another number or gender of a word the index holds is no typo («digitals»).
        let light = analysis::tokens(Analyzer::Light, word);
        if let Some(light) = light.first()
            && searcher.doc_freq(&Term::from_field_text(vocabulary.light, &light.text))? > 0
        {
            continue;
        }
        if let Some(better) = closest(vocabulary, word)? {
            out.push_str(&text[last..token.offset_from]);
            // Keep an elided article as typed: «d'habitatje» → «d'habitatge».
            let original = &text[token.offset_from..token.offset_to];
            if let Some((i, c)) = original
                .char_indices()
                .rev()
                .find(|(_, c)| matches!(c, '\'' | '’'))
            {
                out.push_str(&original[..i + c.len_utf8()]);
            }
            out.push_str(&better);
            last = token.offset_to;
            changed = true;
        }
    }
    if !changed {
        return Ok(None);
    }
    out.push_str(&text[last..]);
    Ok(Some(out))
}

/// The indexed word nearest to `word`: at most 1 edit for words up to 6 characters, 2
/// beyond; ties go to the word found in more documents. Only words sharing the first
/// letter are scanned, which keeps this cheap on a large vocabulary.
fn closest(vocabulary: &IndexVocabulary, word: &str) -> Result<Option<String>> {
    let Some(first) = word.chars().next() else {
        return Ok(None);
    };
    let budget = if word.chars().count() <= 6 { 1 } else { 2 };
    let mut best: HashMap<String, (usize, u64)> = HashMap::new();
    vocabulary.for_each_with_prefix(first.encode_utf8(&mut [0u8; 4]), |candidate, doc_freq| {
        if candidate.len().abs_diff(word.len()) > budget {
            return;
        }
        let distance = strsim::levenshtein(word, candidate);
        if distance == 0 || distance > budget {
            return;
        }
        best.entry(candidate.to_string()).or_insert((distance, 0)).1 += doc_freq;
    })?;
    Ok(best
        .into_iter()
        .min_by(|a, b| {
            a.1.0
                .cmp(&b.1.0)
                .then(b.1.1.cmp(&a.1.1))
                .then(a.0.cmp(&b.0))
        })
        .map(|(w, _)| w))
}
