//! Suggestions while typing: completions of the last word from the index's own vocabulary,
//! themes and places that have documents, and the titles the completed text finds. All of
//! it comes from the audience's index part, so the public is never offered anything that
//! exists only in internal records.

use anyhow::Result;
use serde::Serialize;

use super::facets::FacetKind;
use super::{Audience, SearchRequest};
use crate::analysis::{self, Analyzer, fold_key};
use crate::index::{Generation, Part};

/// Suggestions returned at most, per kind.
const PER_KIND: usize = 4;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Suggestion {
    /// What goes into the search box.
    pub text: String,
    /// tema, municipi, comarca, paraula or document.
    pub kind: &'static str,
}

impl Generation {
    pub fn suggest(&self, text: &str, audience: Audience) -> Result<Vec<Suggestion>> {
        let needle = fold_key(text);
        if needle.chars().count() < 2 {
            return Ok(Vec::new());
        }
        let part = self.part(audience);
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
                completions(part, &last.text)?
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
        let mut request = SearchRequest::new(&best, audience);
        request.per_page = PER_KIND;
        out.extend(self.search(&request)?.hits.into_iter().map(|h| Suggestion {
            text: h.title,
            kind: "document",
        }));
        let mut seen = std::collections::HashSet::new();
        out.retain(|s| seen.insert(fold_key(&s.text)));
        Ok(out)
    }
}

/// Indexed words starting with `prefix` (folded), by document frequency.
fn completions(part: &Part, prefix: &str) -> Result<Vec<String>> {
    if prefix.chars().count() < 2 {
        return Ok(Vec::new());
    }
    let mut found: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    part.for_each_exact_word(prefix, |word, doc_freq| {
        if word != prefix && !analysis::is_stop_word(word) {
            *found.entry(word.to_string()).or_default() += doc_freq;
        }
    })?;
    let mut words: Vec<(String, u64)> = found.into_iter().collect();
    words.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(words.into_iter().map(|(w, _)| w).collect())
}
