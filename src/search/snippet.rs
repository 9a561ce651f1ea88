//! Highlights and excerpts. Words are matched the way the query matched them (exact, stem,
//! fuzzy or synonym) and marked on the original text, so `l’Ajuntament` or `col·laboració`
//! are highlighted whole. The result is text plus ranges: whoever shows it escapes it.

use std::ops::Range;

use rustc_hash::FxHashMap;

use super::query::MatchSpec;
use crate::analysis::{self, Analyzer};

/// A text (a title, or a passage of a body) with the matched words marked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Highlighted {
    pub text: String,
    /// Byte ranges of `text`, in order, never overlapping.
    pub marks: Vec<Range<usize>>,
    /// The passage starts or ends inside a longer text.
    pub cut_before: bool,
    pub cut_after: bool,
}

/// A run of a highlighted text, marked or not.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Piece<'a> {
    pub text: &'a str,
    pub marked: bool,
}

impl Highlighted {
    /// The text in pieces, in order.
    pub fn pieces(&self) -> Vec<Piece<'_>> {
        let mut pieces = Vec::with_capacity(self.marks.len() * 2 + 1);
        let mut at = 0;
        for mark in &self.marks {
            if mark.start > at {
                let text = &self.text[at..mark.start];
                pieces.push(Piece {
                    text,
                    marked: false,
                });
            }
            let text = &self.text[mark.clone()];
            pieces.push(Piece { text, marked: true });
            at = mark.end;
        }
        if at < self.text.len() {
            let text = &self.text[at..];
            pieces.push(Piece {
                text,
                marked: false,
            });
        }
        pieces
    }

    /// The text alone, `…` where it is cut.
    pub fn plain(&self) -> String {
        let before = if self.cut_before { "…" } else { "" };
        let after = if self.cut_after { "…" } else { "" };
        format!("{before}{}{after}", self.text)
    }

    /// The marked words, in order.
    pub fn marked(&self) -> impl Iterator<Item = &str> {
        self.marks.iter().map(|m| &self.text[m.clone()])
    }
}

/// Byte ranges of `text` that match the spec, in order, never overlapping.
pub fn matches(text: &str, spec: &MatchSpec) -> Vec<(usize, usize)> {
    let nothing = spec.exact.is_empty() && spec.stems.is_empty() && spec.lights.is_empty();
    if nothing && spec.phrases.is_empty() {
        return Vec::new();
    }
    let tokens = analysis::tokens(Analyzer::Exact, text);
    // Words repeat within a text: each distinct word is judged once.
    let mut judged: FxHashMap<&str, bool> = FxHashMap::default();
    let mut ranges = Vec::new();
    for t in &tokens {
        let hit = *judged
            .entry(t.text.as_str())
            .or_insert_with(|| word_matches(&t.text, spec));
        if hit {
            ranges.push((t.offset_from, t.offset_to));
        }
    }
    if !spec.phrases.is_empty() {
        ranges.extend(phrase_matches(&tokens, &spec.phrases));
        ranges.sort_unstable();
        // A phrase and a word of it marked on their own are one mark.
        let mut merged: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
        for (from, to) in ranges {
            match merged.last_mut() {
                Some(last) if from <= last.1 => last.1 = last.1.max(to),
                _ => merged.push((from, to)),
            }
        }
        ranges = merged;
    }
    ranges
}

/// Where the phrases (light stems in order; stop words between them are skipped) occur.
fn phrase_matches(
    tokens: &[tantivy::tokenizer::Token],
    phrases: &[Vec<String>],
) -> Vec<(usize, usize)> {
    let lights: Vec<Option<String>> = tokens
        .iter()
        .map(|t| {
            (!analysis::is_stop_word(&t.text)).then(|| analysis::light_stem(&t.text).into_owned())
        })
        .collect();
    let mut found = Vec::new();
    for phrase in phrases.iter().filter(|p| !p.is_empty()) {
        for start in 0..tokens.len() {
            if lights[start].as_deref() != Some(phrase[0].as_str()) {
                continue;
            }
            let (mut at, mut next) = (start, 1);
            while next < phrase.len() {
                at += 1;
                match lights.get(at) {
                    Some(None) => continue,
                    Some(Some(light)) if *light == phrase[next] => next += 1,
                    _ => break,
                }
            }
            if next == phrase.len() {
                found.push((tokens[start].offset_from, tokens[at].offset_to));
            }
        }
    }
    found
}

/// Whether one folded word matches the spec the way the query matched it.
fn word_matches(word: &str, spec: &MatchSpec) -> bool {
    spec.exact.contains(word)
        || spec.lights.contains(analysis::light_stem(word).as_ref())
        // What the stem field makes of this word (stop words have no stem), computed only
        // for the words not matched already: stemming every word of ten bodies was half of
        // a query's fixed cost.
        // The Snowball chain strips suffixes from a folded word and at most rewrites the
        // stem's last letter (politiques → politic), so a stem whose head does not start
        // the word cannot be its stem: most words are skipped unstemmed.
        || (spec.stems.iter().any(|s| word.starts_with(head(s)))
            && !analysis::is_stop_word(word)
            && spec.stems.contains(analysis::stem(word).as_ref()))
        || spec.fuzzy.iter().any(|(w, d)| {
            word.len().abs_diff(w.len()) <= usize::from(*d)
                && strsim::levenshtein(word, w) <= usize::from(*d)
        })
}

/// A stem without its last character.
fn head(stem: &str) -> &str {
    let mut chars = stem.chars();
    chars.next_back();
    chars.as_str()
}

/// The whole text with its matches marked (for titles).
pub fn highlight(text: &str, spec: &MatchSpec) -> Highlighted {
    excerpt(text, 0, text.len(), &matches(text, spec))
}

/// The best window of about `max_chars` characters with its matches marked; the start of
/// the text when nothing matches.
pub fn snippet(text: &str, spec: &MatchSpec, max_chars: usize) -> Highlighted {
    let ranges = matches(text, spec);
    let (start, end) = best_window(text, &ranges, max_chars * 2);
    excerpt(text, start, end, &ranges)
}

/// `text[start..end]` on one line, with the ranges inside it (a range that overlaps the one
/// before is dropped; one that runs past the end is cut there).
fn excerpt(text: &str, start: usize, end: usize, ranges: &[(usize, usize)]) -> Highlighted {
    let mut marks = Vec::new();
    let mut at = start;
    for &(from, to) in ranges {
        if to <= start || from >= end || from < at {
            continue;
        }
        marks.push(from - start..to.min(end) - start);
        at = to.min(end);
    }
    Highlighted {
        text: text[start..end].replace('\n', " "),
        marks,
        cut_before: start > 0,
        cut_after: end < text.len(),
    }
}

/// Chooses the window holding the most distinct matched words, snapped to word boundaries.
fn best_window(text: &str, ranges: &[(usize, usize)], max_bytes: usize) -> (usize, usize) {
    if text.len() <= max_bytes {
        return (0, text.len());
    }
    let mut best = (0usize, 0usize);
    // Lower-cased once per match, not once per window that holds it.
    let lowered: Vec<String> = ranges
        .iter()
        .map(|&(f, t)| text[f..t].to_lowercase())
        .collect();
    for (i, &(from, _)) in ranges.iter().enumerate() {
        let limit = from + max_bytes;
        let mut distinct: Vec<&str> = Vec::new();
        let window = ranges[i..].iter().take_while(|&&(_, t)| t <= limit);
        for (&(f, t), word) in window.zip(&lowered[i..]) {
            if !distinct.iter().any(|d| d.eq_ignore_ascii_case(word)) {
                distinct.push(&text[f..t]);
            }
        }
        if distinct.len() > best.0 {
            best = (distinct.len(), from);
        }
    }
    // Start a little before the first match, at a word boundary.
    let anchor = if ranges.is_empty() { 0 } else { best.1 };
    let back = anchor.saturating_sub(max_bytes / 5);
    let start = if back == 0 {
        0
    } else {
        word_boundary_after(text, back)
    };
    let end = word_boundary_before(text, (start + max_bytes).min(text.len()));
    (start, end.max(start))
}

fn word_boundary_after(text: &str, at: usize) -> usize {
    let mut i = at;
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    match text[i..].find(char::is_whitespace) {
        Some(p) => i + p + 1,
        None => i,
    }
}

fn word_boundary_before(text: &str, at: usize) -> usize {
    if at >= text.len() {
        return text.len();
    }
    let mut i = at;
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    text[..i].rfind(char::is_whitespace).unwrap_or(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(exact: &[&str], stems: &[&str]) -> MatchSpec {
        MatchSpec {
            exact: exact.iter().map(|s| s.to_string()).collect(),
            stems: stems.iter().map(|s| s.to_string()).collect(),
            ..MatchSpec::default()
        }
    }

    /// The pieces with `[…]` around marks and `…` where the passage is cut.
    fn shown(h: &Highlighted) -> String {
        let body: String = h
            .pieces()
            .into_iter()
            .map(|p| {
                if p.marked {
                    format!("[{}]", p.text)
                } else {
                    p.text.to_string()
                }
            })
            .collect();
        let before = if h.cut_before { "…" } else { "" };
        let after = if h.cut_after { "…" } else { "" };
        format!("{before}{body}{after}")
    }

    #[test]
    fn marks_the_original_spelling_with_curly_apostrophe_and_middle_dot() {
        let h = highlight(
            "Amb l’Ajuntament i la col·laboració <b>",
            &spec(&["ajuntament", "collaboracio"], &[]),
        );
        assert_eq!(shown(&h), "Amb [l’Ajuntament] i la [col·laboració] <b>");
        assert_eq!(
            h.marked().collect::<Vec<_>>(),
            vec!["l’Ajuntament", "col·laboració"]
        );
    }

    #[test]
    fn marks_stem_and_fuzzy_matches() {
        let mut s = spec(&[], &[&analysis::stem("cooperativa")]);
        s.fuzzy.push(("habitatge".into(), 2));
        let h = highlight("Cooperatives d'habitatges", &s);
        assert_eq!(shown(&h), "[Cooperatives] [d'habitatges]");
    }

    #[test]
    fn marks_light_stem_matches_that_snowball_misses() {
        // Snowball stems "plans" to "plan" but "pla" to "pla"; the light stem joins them.
        let spec = MatchSpec {
            lights: ["pla".to_string()].into(),
            ..MatchSpec::default()
        };
        assert_eq!(
            shown(&highlight("Un Pla i dos plans", &spec)),
            "Un [Pla] i dos [plans]"
        );
    }

    #[test]
    fn a_multi_word_synonym_is_marked_whole_never_one_word_alone() {
        let spec = MatchSpec {
            phrases: vec![vec!["moned".into(), "social".into()]],
            ..MatchSpec::default()
        };
        let h = highlight(
            "La moneda social i l'economia social: monedes socials",
            &spec,
        );
        assert_eq!(
            shown(&h),
            "La [moneda social] i l'economia social: [monedes socials]"
        );
    }

    #[test]
    fn snippet_centres_on_matches_on_one_line() {
        let text = format!(
            "{} moneda\nlocal <i> {}",
            "paraula ".repeat(100),
            "final ".repeat(100)
        );
        let h = snippet(&text, &spec(&["moneda", "local"], &[]), 120);
        let shown = shown(&h);
        assert!(shown.contains("[moneda] [local] <i>"), "{shown}");
        assert!(shown.starts_with('…') && shown.ends_with('…'), "{shown}");
    }
}
