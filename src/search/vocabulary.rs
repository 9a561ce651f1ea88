//! What an index knows of the exact field's words: whether it holds a word, and which
//! indexed words are a typo away from it. Query building asks this instead of handing the
//! index an opaque fuzzy query, so typo matches are plain terms that rank like any other.

use std::sync::OnceLock;

use anyhow::Result;

use levenshtein_automata::{DFA, Distance, LevenshteinAutomatonBuilder, SINK_STATE};
use tantivy::schema::Field;
use tantivy::{Searcher, Term};
use tantivy_fst::Automaton;

use crate::index::Part;

pub trait Vocabulary {
    /// Whether the index holds this folded word.
    fn holds(&self, word: &str) -> bool;
    /// Indexed words within `distance` edits of `word` (a transposition is one edit), the
    /// most frequent first, at most `limit`.
    fn near(&self, word: &str, distance: u8, limit: usize) -> Vec<String>;
}

/// The exact field of one searcher's segments.
pub(super) struct IndexVocabulary<'a> {
    pub searcher: &'a Searcher,
    pub field: Field,
    /// The light (plural and gender) stems of the same words.
    pub light: Field,
}

impl<'a> IndexVocabulary<'a> {
    /// The exact field's words of `part` as `searcher` sees them.
    pub(super) fn of(part: &Part, searcher: &'a Searcher) -> IndexVocabulary<'a> {
        IndexVocabulary {
            searcher,
            field: part.fields.all_exact,
            light: part.fields.all_light,
        }
    }

    /// Calls `f` with every indexed word that starts with `prefix` and its document
    /// frequency, once per segment (callers sum across segments).
    pub(super) fn for_each_with_prefix(
        &self,
        prefix: &str,
        mut f: impl FnMut(&str, u64),
    ) -> Result<()> {
        // Every UTF-8 string that starts with `prefix` sorts below `prefix` + 0xFF.
        let mut upper = prefix.as_bytes().to_vec();
        upper.push(0xff);
        for segment in self.searcher.segment_readers() {
            let inverted = segment.inverted_index(self.field)?;
            let mut stream = inverted
                .terms()
                .range()
                .ge(prefix.as_bytes())
                .lt(&upper)
                .into_stream()?;
            while stream.advance() {
                if let Ok(word) = std::str::from_utf8(stream.key()) {
                    f(word, u64::from(stream.value().doc_freq));
                }
            }
        }
        Ok(())
    }
}

impl Vocabulary for IndexVocabulary<'_> {
    fn holds(&self, word: &str) -> bool {
        let term = Term::from_field_text(self.field, word);
        self.searcher.doc_freq(&term).is_ok_and(|n| n > 0)
    }

    fn near(&self, word: &str, distance: u8, limit: usize) -> Vec<String> {
        let Some(builder) = builder(distance) else {
            return Vec::new();
        };
        let automaton = Levenshtein(builder.build_dfa(word));
        let mut found: Vec<(String, u64)> = Vec::new();
        for segment in self.searcher.segment_readers() {
            let Ok(inverted) = segment.inverted_index(self.field) else {
                continue;
            };
            let Ok(mut stream) = inverted.terms().search(&automaton).into_stream() else {
                continue;
            };
            while stream.advance() {
                let Ok(text) = std::str::from_utf8(stream.key()) else {
                    continue;
                };
                let freq = u64::from(stream.value().doc_freq);
                match found.iter_mut().find(|(w, _)| w == text) {
                    Some((_, total)) => *total += freq,
                    None => found.push((text.to_string(), freq)),
                }
            }
        }
        found.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        found.truncate(limit);
        found.into_iter().map(|(w, _)| w).collect()
    }
}

/// Building a Levenshtein builder is costly (milliseconds at distance 2): one per distance.
fn builder(distance: u8) -> Option<&'static LevenshteinAutomatonBuilder> {
    static BUILDERS: [OnceLock<LevenshteinAutomatonBuilder>; 3] =
        [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let slot = BUILDERS.get(usize::from(distance))?;
    Some(slot.get_or_init(|| LevenshteinAutomatonBuilder::new(distance, true)))
}

struct Levenshtein(DFA);

impl Automaton for &Levenshtein {
    type State = u32;

    fn start(&self) -> u32 {
        self.0.initial_state()
    }

    fn is_match(&self, state: &u32) -> bool {
        matches!(self.0.distance(*state), Distance::Exact(_))
    }

    fn can_match(&self, state: &u32) -> bool {
        *state != SINK_STATE
    }

    fn accept(&self, state: &u32, byte: u8) -> u32 {
        self.0.transition(*state, byte)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_indexed_words_a_typo_away_most_frequent_first() {
        let mut builder = tantivy::schema::Schema::builder();
        let field = builder.add_text_field("w", tantivy::schema::STRING);
        let index = tantivy::Index::create_in_ram(builder.build());
        let Ok(mut writer) = index.writer_with_num_threads(1, 15_000_000) else {
            panic!("writer");
        };
        for word in [
            "cooperativa",
            "cooperativa",
            "cooperative",
            "corporativa",
            "casa",
        ] {
            let mut doc = tantivy::TantivyDocument::default();
            doc.add_text(field, word);
            assert!(writer.add_document(doc).is_ok());
        }
        assert!(writer.commit().is_ok());
        let Ok(reader) = index.reader() else {
            panic!("reader");
        };
        let searcher = reader.searcher();
        let vocabulary = IndexVocabulary {
            searcher: &searcher,
            field,
            light: field,
        };
        assert!(vocabulary.holds("casa"));
        assert!(!vocabulary.holds("cooperatiwa"));
        assert_eq!(
            vocabulary.near("cooperatiwa", 1, 10),
            vec!["cooperativa".to_string()]
        );
        assert_eq!(
            vocabulary.near("cooperatiwa", 2, 10),
            vec!["cooperativa".to_string(), "cooperative".to_string()]
        );
        assert_eq!(vocabulary.near("cooperatiwa", 2, 1).len(), 1);
        assert!(vocabulary.near("cooperatiwa", 7, 10).is_empty());
    }
}
