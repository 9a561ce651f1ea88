//! Suggestions while typing: completions of the last word from the index's own vocabulary,
//! themes and places that have documents, and the titles the completed text finds. All of
//! it comes from the audience's index part, so the public is never offered anything that
//! exists only in internal records.

use anyhow::Result;
use serde::Serialize;

use super::engine::Engine;
use super::request::SearchRequest;
use super::vocabulary::IndexVocabulary;
use crate::analysis::{self, Analyzer, fold_key};
use crate::taxonomy::{Audience, FacetKind};

/// Suggestions returned at most, per kind.
const PER_KIND: usize = 4;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Suggestion {
    /// What goes into the search box.
    pub text: String,
    /// tema, municipi, comarca, paraula or document.
    pub kind: &'static str,
}

impl Engine {
    /// What the search box offers while `text` is typed.
    pub fn suggest(&self, text: &str, audience: Audience) -> Result<Vec<Suggestion>> {
        let needle = fold_key(text);
        if needle.chars().count() < 2 {
            return Ok(Vec::new());
        }
        let part = self.view(audience).part;
        let searcher = part.searcher();
        let vocabulary = IndexVocabulary::of(part, &searcher);
        let mut out = Vec::new();

        // Themes and places with documents, matched at the start of any of their words.
        let starts = |label: &str| {
            let key = fold_key(label);
            key.starts_with(&needle) || key.split(' ').any(|w| w.starts_with(&needle))
        };
        for (kind, name) in [
            (FacetKind::Tema, "tema"),
            (FacetKind::Comarca, "comarca"),
            (FacetKind::Municipi, "municipi"),
        ] {
            out.extend(
                part.dictionary
                    .values(kind)
                    .iter()
                    .map(|v| self.facet_label(kind, v))
                    .filter(|label| starts(label))
                    .take(PER_KIND)
                    .map(|label| Suggestion {
                        text: label,
                        kind: name,
                    }),
            );
        }

        // The last word completed from the vocabulary, most frequent first.
        let words = analysis::tokens(Analyzer::Exact, text);
        let completed = match words.last() {
            Some(last) => {
                let head = &text[..last.offset_from];
                completions(&vocabulary, &last.text)?
                    .into_iter()
                    .take(PER_KIND)
                    .map(|w| format!("{head}{w}"))
                    .collect()
            }
            None => Vec::new(),
        };
        let best = completed
            .first()
            .cloned()
            .unwrap_or_else(|| text.to_string());
        out.extend(completed.into_iter().map(|text| Suggestion {
            text,
            kind: "paraula",
        }));

        // Titles the (completed) text finds.
        let request = SearchRequest::new(&best, audience);
        let found = self.top_documents(&request, PER_KIND)?;
        out.extend(found.into_iter().map(|d| Suggestion {
            text: d.title,
            kind: "document",
        }));
        let mut seen = std::collections::HashSet::new();
        out.retain(|s| seen.insert(fold_key(&s.text)));
        Ok(out)
    }
}

/// What a filter box typed over a list of labels keeps: labels holding its text, whatever
/// the case, accents or apostrophes.
pub struct LabelFilter(String);

impl LabelFilter {
    pub fn new(text: &str) -> LabelFilter {
        LabelFilter(fold_key(text))
    }

    pub fn keeps(&self, label: &str) -> bool {
        self.0.is_empty() || fold_key(label).contains(&self.0)
    }
}

/// Indexed words starting with `prefix` (folded), by document frequency.
fn completions(vocabulary: &IndexVocabulary, prefix: &str) -> Result<Vec<String>> {
    if prefix.chars().count() < 2 {
        return Ok(Vec::new());
    }
    let mut found: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    vocabulary.for_each_with_prefix(prefix, |word, doc_freq| {
        if word != prefix && !analysis::is_stop_word(word) {
            *found.entry(word.to_string()).or_default() += doc_freq;
        }
    })?;
    let mut words: Vec<(String, u64)> = found.into_iter().collect();
    words.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(words.into_iter().map(|(w, _)| w).collect())
}
