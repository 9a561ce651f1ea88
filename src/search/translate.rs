//! Spanish and English words read as the Catalan they mean (`altres-llengues.toml`), only
//! where the index does not hold what was typed: «vivienda cooperativa» is searched as
//! «habitatge cooperativa», «social» stays «social». The rest of the query never knows: it
//! sees the Catalan words, and the page says what was replaced.

use serde::Serialize;

use super::query::{self, ParsedQuery, QueryWord};
use super::vocabulary::Vocabulary;
use crate::corpus::Synonyms;

/// A run of the query read in Catalan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Translation {
    /// As typed.
    pub from: String,
    /// The Catalan searched instead.
    pub to: String,
}

/// `parsed` with every foreign run the index does not hold replaced by its Catalan.
pub(super) fn translate(
    mut parsed: ParsedQuery,
    languages: &Synonyms,
    vocabulary: &dyn Vocabulary,
) -> (ParsedQuery, Vec<Translation>) {
    let content: Vec<usize> = (0..parsed.words.len())
        .filter(|&i| parsed.words[i].light.is_some())
        .collect();
    let lights: Vec<String> = content
        .iter()
        .filter_map(|&i| parsed.words[i].light.clone())
        .collect();
    // Longest first at each place, never overlapping, left to right.
    let mut chosen = Vec::new();
    let mut free_from = 0;
    for found in languages.find(&lights) {
        if found.start < free_from {
            continue;
        }
        let run = &content[found.start..found.start + found.len];
        let foreign = run
            .iter()
            .any(|&i| !vocabulary.holds(&parsed.words[i].exact));
        if let (true, Some(catalan)) = (foreign, found.alternatives.first()) {
            chosen.push((run[0], run[run.len() - 1], catalan.text.clone()));
            free_from = found.start + found.len;
        }
    }
    if chosen.is_empty() {
        return (parsed, Vec::new());
    }
    let mut translations = Vec::new();
    // From the right, so that earlier indices stay valid.
    for (first, last, catalan) in chosen.into_iter().rev() {
        let from = parsed.words[first..=last]
            .iter()
            .map(|w| w.typed.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let start = parsed.words[first].position;
        let mut words: Vec<QueryWord> = query::parse(&catalan).words;
        let span = words.last().map_or(0, |w| w.position + 1);
        for w in &mut words {
            w.position += start;
        }
        // Later words keep their order after a longer or shorter replacement.
        let shift = span as isize - (parsed.words[last].position + 1 - start) as isize;
        for w in &mut parsed.words[last + 1..] {
            w.position = w.position.saturating_add_signed(shift);
        }
        parsed.words.splice(first..=last, words);
        translations.push(Translation { from, to: catalan });
    }
    translations.reverse();
    (parsed, translations)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::query::parse;

    struct Catalan(&'static [&'static str]);

    impl Vocabulary for Catalan {
        fn holds(&self, word: &str) -> bool {
            self.0.contains(&word)
        }
        fn near(&self, _: &str, _: u8, _: usize) -> Vec<String> {
            Vec::new()
        }
    }

    fn languages() -> Synonyms {
        let text = r#"termes = [
            { ca = "habitatge", es = ["vivienda", "viviendas"], en = ["housing"] },
            { ca = "comunitat energètica", en = ["community energy"] },
            { ca = "espai de cotreball", en = ["coworking"] },
            { ca = "xarxa", es = ["red"] },
        ]"#;
        match Synonyms::parse_other_languages(text) {
            Ok(l) => l,
            Err(e) => panic!("{e:?}"),
        }
    }

    fn read(query: &str, index: &'static [&'static str]) -> (Vec<String>, Vec<Translation>) {
        let (parsed, said) = translate(parse(query), &languages(), &Catalan(index));
        (parsed.words.iter().map(|w| w.exact.clone()).collect(), said)
    }

    #[test]
    fn a_foreign_word_the_index_lacks_is_read_in_catalan_and_said() {
        let (words, said) = read("viviendas cooperativas", &["habitatge", "cooperatives"]);
        assert_eq!(words, ["habitatge", "cooperativas"]);
        assert_eq!(
            said,
            [Translation {
                from: "viviendas".into(),
                to: "habitatge".into()
            }]
        );
        // A whole expression, and a longer Catalan that moves the words after it.
        let parsed = translate(
            parse("coworking community energy Vic"),
            &languages(),
            &Catalan(&["vic"]),
        )
        .0;
        let words: Vec<(usize, &str)> = parsed
            .words
            .iter()
            .map(|w| (w.position, w.exact.as_str()))
            .collect();
        assert_eq!(
            words,
            [
                (0, "espai"),
                (1, "de"),
                (2, "cotreball"),
                (3, "comunitat"),
                (4, "energetica"),
                (5, "vic")
            ]
        );
    }

    #[test]
    fn a_word_the_index_holds_is_left_as_typed() {
        let (words, said) = read("red housing", &["red", "housing"]);
        assert_eq!(words, ["red", "housing"]);
        assert!(said.is_empty());
    }
}
