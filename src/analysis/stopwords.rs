//! Closed word lists of the stem field: Catalan function words (already folded, because the
//! filter runs after ASCII folding) and words the stemmer must not touch.

use std::sync::LazyLock;

use rustc_hash::{FxHashMap, FxHashSet};

/// Articles, prepositions, pronouns, conjunctions and the commonest auxiliary forms.
/// Written for this project; kept sorted (a test checks it) so the list reads well.
const STOP_WORDS: &[&str] = &[
    "a",
    "abans",
    "aci",
    "aixi",
    "aixo",
    "al",
    "algun",
    "alguna",
    "algunes",
    "alguns",
    "alla",
    "alli",
    "allo",
    "als",
    "altra",
    "altre",
    "altres",
    "amb",
    "aquell",
    "aquella",
    "aquelles",
    "aquells",
    "aquest",
    "aquesta",
    "aquestes",
    "aquests",
    "aqui",
    "cada",
    "com",
    "con",
    "contra",
    "d",
    "de",
    "del",
    "dels",
    "des",
    "despres",
    "dins",
    "doncs",
    "durant",
    "e",
    "el",
    "ell",
    "ella",
    "elles",
    "ells",
    "els",
    "em",
    "en",
    "entre",
    "era",
    "eren",
    "es",
    "esta",
    "estan",
    "estava",
    "et",
    "fa",
    "fins",
    "ha",
    "han",
    "havia",
    "he",
    "hem",
    "heu",
    "hi",
    "ho",
    "i",
    "jo",
    "l",
    "la",
    "les",
    "li",
    "lo",
    "los",
    "m",
    "me",
    "mes",
    "meu",
    "meva",
    "mi",
    "molt",
    "molta",
    "moltes",
    "molts",
    "n",
    "na",
    "ne",
    "ni",
    "no",
    "nos",
    "nosaltres",
    "o",
    "on",
    "pel",
    "pels",
    "per",
    "pero",
    "perque",
    "poc",
    "qual",
    "quals",
    "quan",
    "que",
    "qui",
    "s",
    "sa",
    "se",
    "sense",
    "ses",
    "seu",
    "seus",
    "seva",
    "seves",
    "si",
    "sobre",
    "son",
    "sou",
    "t",
    "tal",
    "tambe",
    "te",
    "tenen",
    "teu",
    "teva",
    "tot",
    "tota",
    "totes",
    "tots",
    "un",
    "una",
    "unes",
    "uns",
    "va",
    "van",
    "vosaltres",
    "y",
];

/// Whether a folded, lower-case word is a stop word of the stem field.
pub fn is_stop_word(word: &str) -> bool {
    // Asked for every token of two fields: one hash lookup instead of a binary search's
    // eight string comparisons.
    static SET: LazyLock<FxHashSet<&str>> = LazyLock::new(|| STOP_WORDS.iter().copied().collect());
    SET.contains(word)
}

/// Acronyms keep their letters (Snowball would turn `ess` into `es` = `és`), and a few
/// frequent words get a hand-checked stem instead of Snowball's over-conflation
/// (habitatge/habitant → `hab`, social/soci → `soc`, local/loc...).
const PROTECTED: &[(&str, &str)] = &[
    ("abc", "abc"),
    ("acm", "acm"),
    ("amb", "amb"),
    ("ccpr", "ccpr"),
    ("entitat", "entitat"),
    ("entitats", "entitat"),
    ("escola", "escol"),
    ("escoles", "escol"),
    ("ess", "ess"),
    ("fesc", "fesc"),
    ("gt", "gt"),
    ("habitant", "habitant"),
    ("habitants", "habitant"),
    ("habitatge", "habitatg"),
    ("habitatges", "habitatg"),
    ("local", "local"),
    ("locals", "local"),
    ("ods", "ods"),
    ("pcap", "pcap"),
    ("piess", "piess"),
    ("ppt", "ppt"),
    ("rec", "rec"),
    ("soci", "soci"),
    ("social", "social"),
    ("socials", "social"),
    ("socies", "soci"),
    ("socis", "soci"),
    ("xes", "xes"),
    ("xmess", "xmess"),
];

/// The fixed stem of a protected word, if it is one.
pub fn protected_stem(word: &str) -> Option<&'static str> {
    static MAP: LazyLock<FxHashMap<&str, &str>> =
        LazyLock::new(|| PROTECTED.iter().copied().collect());
    MAP.get(word).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_sorted_for_binary_search() {
        assert!(
            STOP_WORDS.windows(2).all(|w| w[0] < w[1]),
            "STOP_WORDS unsorted"
        );
        assert!(
            PROTECTED.windows(2).all(|w| w[0].0 < w[1].0),
            "PROTECTED unsorted"
        );
    }

    #[test]
    fn content_words_are_not_stop_words() {
        for word in ["us_", "cessio", "moneda", "economia", "estatut"] {
            assert!(!is_stop_word(word), "{word}");
        }
        assert!(is_stop_word("de"));
        assert!(is_stop_word("aquesta"));
    }
}
