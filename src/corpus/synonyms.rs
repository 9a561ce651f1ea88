//! Query-time synonyms and acronyms from `corpus/sinonims.toml`: groups of expressions that
//! mean the same, expanded in every direction, and one-way rules (a query with one of `de`
//! also finds `a`, not the reverse), for a narrow word that should not pull a broad one's
//! documents in. Expansion happens only when searching, so editing the list needs no
//! reindex of the text (only a rebuild to publish the file).

use serde::Deserialize;
use toml::Spanned;

use crate::analysis::{self, Analyzer};
use crate::taxonomy::parse_toml;

#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    rules: Vec<Rule>,
}

/// A query with an expression of `from` also finds the expressions of `to` (a group is a
/// rule from its expressions to themselves).
#[derive(Debug, Clone)]
struct Rule {
    from: Vec<Expression>,
    to: Vec<Expression>,
}

/// One expression of a group, as analysed by the light field: content words only, each
/// with its position (stop words leave gaps), so plurals and elisions match too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expression {
    /// As written in the file.
    pub text: String,
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
        Expression {
            text: text.trim().to_string(),
            words,
        }
    }

    fn stems(&self) -> impl Iterator<Item = &str> {
        self.words.iter().map(|(_, _, s)| s.as_str())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    grup: Vec<Spanned<Group>>,
    #[serde(default)]
    un_sentit: Vec<Spanned<OneWay>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Group {
    termes: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OneWay {
    de: Vec<String>,
    a: Vec<String>,
}

/// `altres-llengues.toml`: Spanish and English terms and the Catalan they mean.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LanguagesFile {
    #[serde(default)]
    termes: Vec<Spanned<Translated>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Translated {
    ca: String,
    #[serde(default)]
    es: Vec<String>,
    #[serde(default)]
    en: Vec<String>,
}

/// One place in the query where an expression with synonyms was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynonymMatch {
    /// First content word of the query covered and how many.
    pub start: usize,
    pub len: usize,
    /// What it also stands for.
    pub alternatives: Vec<Expression>,
}

/// The distinct expressions of `texts`: spellings that analyse alike (with and without
/// accents, singular and plural) are one.
fn expressions(texts: &[String]) -> Vec<Expression> {
    let mut out: Vec<Expression> = Vec::new();
    for e in texts.iter().map(|t| Expression::parse(t)) {
        if !e.words.is_empty() && !out.iter().any(|t| t.stems().eq(e.stems())) {
            out.push(e);
        }
    }
    out
}

impl Synonyms {
    /// Parses the file; the error is (line, message).
    pub fn parse(text: &str) -> Result<Synonyms, (usize, String)> {
        let file: File = parse_toml(text, "sinònims no vàlids")?;
        let line = |span: std::ops::Range<usize>| crate::taxonomy::line_at(text, span.start);
        let mut rules = Vec::new();
        for group in &file.grup {
            let listed = group
                .get_ref()
                .termes
                .iter()
                .filter(|t| !t.trim().is_empty());
            if listed.count() < 2 {
                let message = "cada [[grup]] necessita almenys dos termes a «termes»";
                return Err((line(group.span()), message.into()));
            }
            // A group whose terms all analyse alike (singular and plural) adds nothing: the
            // light stem already joins them.
            let terms = expressions(&group.get_ref().termes);
            if terms.len() >= 2 {
                rules.push(Rule {
                    from: terms.clone(),
                    to: terms,
                });
            }
        }
        for rule in &file.un_sentit {
            let (from, to) = (
                expressions(&rule.get_ref().de),
                expressions(&rule.get_ref().a),
            );
            if from.is_empty() || to.is_empty() {
                let message = "cada [[un_sentit]] necessita almenys un terme a «de» i un a «a»";
                return Err((line(rule.span()), message.into()));
            }
            rules.push(Rule { from, to });
        }
        Ok(Synonyms { rules })
    }

    /// Parses `altres-llengues.toml`: each term's Spanish and English expressions lead, one
    /// way, to its Catalan one. The error is (line, message).
    pub fn parse_other_languages(text: &str) -> Result<Synonyms, (usize, String)> {
        let file: LanguagesFile = parse_toml(text, "termes d'altres llengües no vàlids")?;
        let mut rules = Vec::new();
        for term in &file.termes {
            let line = crate::taxonomy::line_at(text, term.span().start);
            let Translated { ca, es, en } = term.get_ref();
            let to = expressions(std::slice::from_ref(ca));
            let from = expressions(&[es.as_slice(), en.as_slice()].concat());
            if to.is_empty() || from.is_empty() {
                let message = "cada terme necessita «ca» i almenys una expressió a «es» o a «en»";
                return Err((line, message.into()));
            }
            rules.push(Rule { from, to });
        }
        Ok(Synonyms { rules })
    }

    /// Every expression with synonyms found in `stems` (the light stems of the query's
    /// content words, in order), longest first at each position; overlaps are all returned.
    pub fn find(&self, stems: &[String]) -> Vec<SynonymMatch> {
        let mut out = Vec::new();
        for rule in &self.rules {
            for term in &rule.from {
                let len = term.words.len();
                if len > stems.len() {
                    continue;
                }
                for start in 0..=(stems.len() - len) {
                    if !stems[start..start + len]
                        .iter()
                        .map(String::as_str)
                        .eq(term.stems())
                    {
                        continue;
                    }
                    let alternatives = rule
                        .to
                        .iter()
                        .filter(|t| !t.stems().eq(term.stems()))
                        .cloned()
                        .collect();
                    out.push(SynonymMatch {
                        start,
                        len,
                        alternatives,
                    });
                }
            }
        }
        out.sort_by(|a, b| a.start.cmp(&b.start).then(b.len.cmp(&a.len)));
        // One match per place: the alternatives of every rule found there.
        let mut merged: Vec<SynonymMatch> = Vec::new();
        for m in out {
            match merged.last_mut() {
                Some(last) if (last.start, last.len) == (m.start, m.len) => {
                    for a in m.alternatives {
                        if !last.alternatives.iter().any(|x| x.stems().eq(a.stems())) {
                            last.alternatives.push(a);
                        }
                    }
                }
                _ => merged.push(m),
            }
        }
        merged
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_languages_lead_one_way_to_catalan_and_errors_name_the_line() {
        let text =
            "termes = [\n  { ca = \"habitatge\", es = [\"vivienda\"], en = [\"housing\"] },\n]\n";
        let languages = match Synonyms::parse_other_languages(text) {
            Ok(l) => l,
            Err(e) => panic!("{e:?}"),
        };
        let light = |w: &str| vec![crate::analysis::light_stem(w).into_owned()];
        let found = languages.find(&light("vivienda"));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].alternatives[0].text, "habitatge");
        assert!(
            languages.find(&light("habitatge")).is_empty(),
            "one way only"
        );
        let empty =
            "termes = [\n  { ca = \"xarxa\", es = [\"red\"] },\n  { ca = \"habitatge\" },\n]\n";
        match Synonyms::parse_other_languages(empty) {
            Err((line, message)) => {
                assert_eq!(line, 3, "{message}");
                assert!(message.contains("«es» o a «en»"), "{message}");
            }
            Ok(_) => panic!("a term with nothing to translate was accepted"),
        }
        let unknown = "termes = [\n  { ca = \"x\", fr = [\"y\"] },\n]\n";
        match Synonyms::parse_other_languages(unknown) {
            Err((line, message)) => {
                assert_eq!(line, 2, "{message}");
                assert!(message.contains("fr"), "{message}");
            }
            Ok(_) => panic!("an unknown language was accepted"),
        }
    }

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
    fn one_way_rules_expand_in_their_direction_only() {
        let s = Synonyms::parse(
            "[[un_sentit]]\nde = [\"PIESS\"]\na = [\"pla estratègic\"]\n\n[[grup]]\ntermes = [\"PIESS\", \"pla d'impuls de l'ESS\"]\n",
        )
        .expect("valid");
        let found = s.find(&stems("PIESS Barcelona"));
        assert_eq!(
            found.len(),
            1,
            "one match with both rules' alternatives: {found:?}"
        );
        let words: Vec<&str> = found[0]
            .alternatives
            .iter()
            .map(|a| a.words[0].1.as_str())
            .collect();
        assert_eq!(words, vec!["pla", "pla"]);
        assert!(s.find(&stems("pla estratègic")).is_empty(), "no way back");
        let err = Synonyms::parse("[[un_sentit]]\nde = []\na = [\"x\"]\n").expect_err("empty");
        assert_eq!(err.0, 1);
    }

    #[test]
    fn a_group_of_one_is_an_error_with_its_line() {
        let err = Synonyms::parse("# x\n[[grup]]\ntermes = [\"ESS\"]\n").expect_err("one term");
        assert_eq!(err.0, 2);
    }
}
