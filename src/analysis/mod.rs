//! The Catalan analysis chain, registered once for both indexing and querying.
//!
//! `ca_exact_v1`: tokenizer → remove long → lower case → Catalan normaliser (apostrophes,
//! `l·l`, elision) → ASCII folding. `ca_stem_v1`: the same, then folded stop words and the
//! stemmer (protected words, `-ió` restoration, Snowball Catalan). `ca_light_v1`: the same
//! up to the stop words, then a light plural/gender stemmer. Bump the version suffix
//! whenever the chain changes, so an old index is rebuilt instead of silently mismatching.

mod filters;
mod light;
mod stopwords;
mod tokenizer;

use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, TextAnalyzer, TextAnalyzerBuilder, Token,
    Tokenizer, TokenizerManager,
};

pub use filters::stem;
pub use light::light_stem;
pub use stopwords::{is_stop_word, protected_stem};
pub use tokenizer::CatalanTokenizer;

/// Unstemmed, folded words: phrases, fuzzy matching, acronyms.
pub const EXACT: &str = "ca_exact_v1";
/// Stemmed, folded words without stop words: recall across inflections.
pub const STEM: &str = "ca_stem_v1";
/// Folded words without stop words, plural and gender removed: precise morphology.
pub const LIGHT: &str = "ca_light_v1";

/// The steps every field shares: tokenizer, long-token guard, lower case, Catalan
/// normaliser (apostrophes, `l·l`, elision), ASCII folding.
fn folded() -> TextAnalyzerBuilder<impl Tokenizer> {
    TextAnalyzer::builder(CatalanTokenizer)
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(filters::catalan_normaliser())
        .filter(AsciiFoldingFilter)
}

fn exact_analyzer() -> TextAnalyzer {
    folded().build()
}

fn stem_analyzer() -> TextAnalyzer {
    folded()
        .filter(filters::stop_words())
        .filter(filters::catalan_stemmer())
        .build()
}

fn light_analyzer() -> TextAnalyzer {
    folded()
        .filter(filters::stop_words())
        .filter(filters::light_stemmer())
        .build()
}

/// Registers every analyzer of the project; the indexer and the searcher both call this.
pub fn register(manager: &TokenizerManager) {
    manager.register(EXACT, exact_analyzer());
    manager.register(STEM, stem_analyzer());
    manager.register(LIGHT, light_analyzer());
}

/// Runs `text` through a fresh analyzer of the given kind and returns its tokens.
pub fn tokens(kind: Analyzer, text: &str) -> Vec<Token> {
    let mut analyzer = match kind {
        Analyzer::Exact => exact_analyzer(),
        Analyzer::Stem => stem_analyzer(),
        Analyzer::Light => light_analyzer(),
    };
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().clone());
    }
    out
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Analyzer {
    Exact,
    Stem,
    Light,
}

/// Folded words of `text` joined by one space: the matching key for names and phrases
/// ("L’Hospitalet de Llobregat" → "hospitalet de llobregat").
pub fn fold_key(text: &str) -> String {
    tokens(Analyzer::Exact, text)
        .into_iter()
        .map(|t| t.text)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (position, text, from, to) of every token, as tantivy's own tokenizer tests check.
    fn analyse(kind: Analyzer, text: &str) -> Vec<(usize, String, usize, usize)> {
        tokens(kind, text)
            .into_iter()
            .map(|t| (t.position, t.text, t.offset_from, t.offset_to))
            .collect()
    }

    fn texts(kind: Analyzer, text: &str) -> Vec<String> {
        tokens(kind, text).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn elision_with_curly_apostrophe_keeps_original_offsets() {
        assert_eq!(
            analyse(Analyzer::Exact, "l’Ajuntament d'Olot"),
            vec![
                (0, "ajuntament".to_string(), 0, 14),
                (1, "olot".to_string(), 15, 21),
            ]
        );
    }

    #[test]
    fn every_spelling_of_collaboracio_is_one_word() {
        for (text, len) in [
            ("col·laboració", 15),
            ("col.laboració", 14),
            ("col•laboració", 16),
            ("coŀlaboració", 14),
            ("COL·LABORACIÓ", 15),
        ] {
            assert_eq!(
                analyse(Analyzer::Exact, text),
                vec![(0, "collaboracio".to_string(), 0, len)],
                "{text}"
            );
        }
        assert_eq!(texts(Analyzer::Exact, "colaboració"), vec!["colaboracio"]);
    }

    #[test]
    fn dots_and_hyphens_split_elsewhere() {
        assert_eq!(
            texts(Analyzer::Exact, "municipal.Llavors fer-ho 2.000"),
            vec!["municipal", "llavors", "fer", "ho", "2", "000"]
        );
    }

    #[test]
    fn ocr_capital_i_apostrophe_is_an_elided_article() {
        assert_eq!(
            analyse(Analyzer::Exact, "I'ecosistema de I’ESS"),
            vec![
                (0, "ecosistema".to_string(), 0, 12),
                (1, "de".to_string(), 13, 15),
                (2, "ess".to_string(), 16, 23),
            ]
        );
    }

    #[test]
    fn acronyms_survive_the_stemmer() {
        assert_eq!(
            texts(Analyzer::Stem, "l'ESS i la XMESS"),
            vec!["ess", "xmess"]
        );
        assert_eq!(texts(Analyzer::Stem, "és"), Vec::<String>::new());
        assert_ne!(stem("ess"), stem("es"));
    }

    #[test]
    fn transicio_and_its_plural_share_a_stem_with_and_without_accents() {
        let forms = ["transició", "transicio", "transicions", "Transició"];
        let stems: Vec<_> = forms.iter().map(|f| texts(Analyzer::Stem, f)).collect();
        assert!(stems.windows(2).all(|w| w[0] == w[1]), "{stems:?}");
        let contract: Vec<_> = ["contractació", "contractacio", "contractacions"]
            .iter()
            .map(|f| texts(Analyzer::Stem, f))
            .collect();
        assert!(contract.windows(2).all(|w| w[0] == w[1]), "{contract:?}");
    }

    #[test]
    fn habitatge_and_habitants_do_not_conflate() {
        assert_eq!(
            texts(Analyzer::Stem, "habitatges"),
            texts(Analyzer::Stem, "habitatge")
        );
        assert_eq!(
            texts(Analyzer::Stem, "habitants"),
            texts(Analyzer::Stem, "habitant")
        );
        assert_ne!(
            texts(Analyzer::Stem, "habitatge"),
            texts(Analyzer::Stem, "habitants")
        );
    }

    #[test]
    fn plural_and_singular_conflate_in_the_stem_field() {
        for (a, b) in [
            ("cooperatives", "cooperativa"),
            ("clàusules", "clausula"),
            ("monedes", "moneda"),
            ("menjadors", "menjador"),
        ] {
            assert_eq!(
                texts(Analyzer::Stem, a),
                texts(Analyzer::Stem, b),
                "{a} {b}"
            );
        }
    }

    #[test]
    fn light_field_keeps_positions_and_offsets_across_stop_words_and_elision() {
        assert_eq!(
            analyse(Analyzer::Light, "Plans estratègics de l’ESS i cooperatives"),
            vec![
                (0, "pla".to_string(), 0, 5),
                (1, "estrategic".to_string(), 6, 18),
                (3, "ess".to_string(), 22, 29),
                (5, "cooperativ".to_string(), 32, 44),
            ]
        );
    }

    #[test]
    fn fold_key_drops_elided_articles_and_accents() {
        assert_eq!(
            fold_key("L’Hospitalet de Llobregat"),
            "hospitalet de llobregat"
        );
        assert_eq!(fold_key("Navàs"), "navas");
    }
}
