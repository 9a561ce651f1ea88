//! Query-time synonyms and acronyms from `corpus/sinonims.toml`: groups of expressions that
//! mean the same, expanded in every direction. Expansion happens only when searching, so
//! editing the list needs no reindex of the text (only a rebuild to publish the file).

use serde::Deserialize;

use crate::analysis::{self, Analyzer};
use crate::taxonomy::parse_toml;

#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    groups: Vec<Vec<Expression>>,
}

/// One expression of a group, as analysed by the light field: content words only, each
/// with its position (stop words leave gaps), so plurals and elisions match too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expression {
    /// (position relative to the first word, folded word, light stem).
    pub words: Vec<(usize, String, String)>,
}

impl Expression {
    pub fn parse(text: &str) -> Expression {
        let tokens = analysis::tokens(Analyzer::Light, text);
        let first = tokens.first().map_or(0, |t| t.position);
        let exact = analysis::tokens(Analyzer::Exact, text);
        let words = tokens
            .into_iter()
            .map(|t| {
                let folded = exact
                    .iter()
                    .find(|e| e.offset_from == t.offset_from)
                    .map_or_else(|| t.text.clone(), |e| e.text.clone());
                (t.position - first, folded, t.text)
            })
            .collect();
        Expression { words }
    }

    fn stems(&self) -> impl Iterator<Item = &str> {
        self.words.iter().map(|(_, _, s)| s.as_str())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    grup: Vec<Group>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Group {
    termes: Vec<String>,
}

/// One place in the query where an expression of a group was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynonymMatch {
    /// First content word of the query covered and how many.
    pub start: usize,
    pub len: usize,
    /// The other expressions of the group.
    pub alternatives: Vec<Expression>,
}

impl Synonyms {
    /// Parses the file; the error is (line, message).
    pub fn parse(text: &str) -> Result<Synonyms, (usize, String)> {
        let file: File = parse_toml(text, "sinònims no vàlids")?;
        let mut groups = Vec::new();
        for (i, g) in file.grup.iter().enumerate() {
            let mut terms: Vec<Expression> = Vec::new();
            for e in g.termes.iter().map(|t| Expression::parse(t)) {
                // Spellings that analyse alike (with and without accents) are one expression.
                if !e.words.is_empty() && !terms.iter().any(|t| t.stems().eq(e.stems())) {
                    terms.push(e);
                }
            }
            if g.termes.iter().filter(|t| !t.trim().is_empty()).count() < 2 {
                return Err((
                    line_of_group(text, i),
                    "cada [[grup]] necessita almenys dos termes a «termes»".into(),
                ));
            }
            // A group whose terms all analyse alike (singular and plural) adds nothing: the
            // light stem already joins them.
            if terms.len() >= 2 {
                groups.push(terms);
            }
        }
        Ok(Synonyms { groups })
    }

    /// Every expression of every group found in `stems` (the light stems of the query's
    /// content words, in order), longest first at each position; overlaps are all returned.
    pub fn find(&self, stems: &[String]) -> Vec<SynonymMatch> {
        let mut out = Vec::new();
        for group in &self.groups {
            for (ti, term) in group.iter().enumerate() {
                let len = term.words.len();
                if len > stems.len() {
                    continue;
                }
                for start in 0..=(stems.len() - len) {
                    if stems[start..start + len]
                        .iter()
                        .map(String::as_str)
                        .eq(term.stems())
                    {
                        let alternatives = group
                            .iter()
                            .enumerate()
                            .filter(|&(j, _)| j != ti)
                            .map(|(_, t)| t.clone())
                            .collect();
                        out.push(SynonymMatch {
                            start,
                            len,
                            alternatives,
                        });
                    }
                }
            }
        }
        out.sort_by(|a, b| a.start.cmp(&b.start).then(b.len.cmp(&a.len)));
        out
    }
}

fn line_of_group(text: &str, index: usize) -> usize {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.trim() == "[[grup]]")
        .nth(index)
        .map_or(1, |(i, _)| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stems(s: &str) -> Vec<String> {
        analysis::tokens(Analyzer::Light, s)
            .into_iter()
            .map(|t| t.text)
            .collect()
    }

    #[test]
    fn expands_acronyms_both_ways() {
        let s = Synonyms::parse(
            "[[grup]]\ntermes = [\"CCPR\", \"compra i contractació pública responsable\"]\n",
        )
        .expect("valid");
        let m = s.find(&stems("guia CCPR"));
        assert_eq!(m.len(), 1);
        assert_eq!((m[0].start, m[0].len), (1, 1));
        let words: Vec<(usize, &str)> = m[0].alternatives[0]
            .words
            .iter()
            .map(|(p, w, _)| (*p, w.as_str()))
            .collect();
        // The stop word "i" leaves a gap, so the phrase matches with it in place.
        assert_eq!(
            words,
            vec![
                (0, "compra"),
                (2, "contractacio"),
                (3, "publica"),
                (4, "responsable")
            ]
        );
        let back = s.find(&stems("la compra i contractacio publica responsable"));
        assert_eq!(back[0].alternatives[0].words[0].1, "ccpr");
    }

    #[test]
    fn plural_and_elided_forms_of_an_expression_match() {
        let s =
            Synonyms::parse("[[grup]]\ntermes = [\"cooperativa d'habitatge\", \"cessió d'ús\"]\n")
                .expect("valid");
        let m = s.find(&stems("cooperatives d’habitatges a Barcelona"));
        assert_eq!(m.len(), 1, "{m:?}");
        assert_eq!(m[0].alternatives[0].words[0].1, "cessio");
    }

    #[test]
    fn spellings_that_analyse_alike_are_one_expression() {
        let s = Synonyms::parse(
            "[[grup]]\ntermes = [\"ESS\", \"economia social i solidària\", \"economia social i solidaria\"]\n",
        )
        .expect("valid");
        assert_eq!(s.find(&stems("ESS"))[0].alternatives.len(), 1);
    }

    #[test]
    fn a_group_of_one_is_an_error_with_its_line() {
        let err = Synonyms::parse("# x\n[[grup]]\ntermes = [\"ESS\"]\n").expect_err("one term");
        assert_eq!(err.0, 2);
    }
}
