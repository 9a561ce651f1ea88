//! Query-time synonyms and acronyms from `corpus/sinonims.toml`: groups of expressions that
//! mean the same, expanded in every direction. Expansion happens only when searching, so
//! editing the list needs no reindex of the text (only a rebuild to publish the file).

use serde::Deserialize;

use crate::analysis::fold_key;
use crate::corpus::front_matter::parse_toml;

#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    /// Each group as folded word sequences.
    groups: Vec<Vec<Vec<String>>>,
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
    /// First query word covered and how many.
    pub start: usize,
    pub len: usize,
    /// The other expressions of the group, as folded words.
    pub alternatives: Vec<Vec<String>>,
}

impl Synonyms {
    /// Parses the file; the error is (line, message).
    pub fn parse(text: &str) -> Result<Synonyms, (usize, String)> {
        let file: File = parse_toml(text, "sinònims no vàlids")?;
        let mut groups = Vec::new();
        for (i, g) in file.grup.iter().enumerate() {
            let terms: Vec<Vec<String>> = g
                .termes
                .iter()
                .map(|t| {
                    fold_key(t)
                        .split(' ')
                        .filter(|w| !w.is_empty())
                        .map(String::from)
                        .collect()
                })
                .filter(|t: &Vec<String>| !t.is_empty())
                .collect();
            if terms.len() < 2 {
                return Err((
                    line_of_group(text, i),
                    "cada [[grup]] necessita almenys dos termes a «termes»".into(),
                ));
            }
            groups.push(terms);
        }
        Ok(Synonyms { groups })
    }

    pub fn len(&self) -> usize {
        self.groups.len()
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// Every expression of every group found in `words` (folded query words), longest first
    /// at each position; overlapping matches are all returned.
    pub fn find(&self, words: &[String]) -> Vec<SynonymMatch> {
        let mut out = Vec::new();
        for group in &self.groups {
            for (ti, term) in group.iter().enumerate() {
                if term.len() > words.len() {
                    continue;
                }
                for start in 0..=(words.len() - term.len()) {
                    if words[start..start + term.len()] == term[..] {
                        let alternatives = group
                            .iter()
                            .enumerate()
                            .filter(|&(j, _)| j != ti)
                            .map(|(_, t)| t.clone())
                            .collect();
                        out.push(SynonymMatch {
                            start,
                            len: term.len(),
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

    fn words(s: &str) -> Vec<String> {
        fold_key(s).split(' ').map(String::from).collect()
    }

    #[test]
    fn expands_acronyms_both_ways() {
        let s = Synonyms::parse(
            "[[grup]]\ntermes = [\"CCPR\", \"compra i contractació pública responsable\"]\n",
        )
        .expect("valid");
        let m = s.find(&words("guia CCPR"));
        assert_eq!(m.len(), 1);
        assert_eq!((m[0].start, m[0].len), (1, 1));
        assert_eq!(
            m[0].alternatives,
            vec![words("compra i contractacio publica responsable")]
        );
        let back = s.find(&words("la compra i contractacio publica responsable"));
        assert_eq!(back[0].alternatives, vec![vec!["ccpr".to_string()]]);
    }

    #[test]
    fn a_group_of_one_is_an_error_with_its_line() {
        let err = Synonyms::parse("# x\n[[grup]]\ntermes = [\"ESS\"]\n").expect_err("one term");
        assert_eq!(err.0, 2);
    }
}
