//! Highlighted, HTML-safe excerpts. Words are matched the way the query matched them
//! (exact, stem, fuzzy or synonym) and marked on the original text, so `l’Ajuntament` or
//! `col·laboració` are highlighted whole.

use super::query::MatchSpec;
use crate::analysis::{self, Analyzer};
use crate::fasthash::FastMap;
use crate::gazetteer::edit_distance;

/// Byte ranges of `text` that match the spec.
pub fn matches(text: &str, spec: &MatchSpec) -> Vec<(usize, usize)> {
    if spec.exact.is_empty() && spec.stems.is_empty() && spec.lights.is_empty() {
        return Vec::new();
    }
    let tokens = analysis::tokens(Analyzer::Exact, text);
    // Words repeat within a text: each distinct word is judged once.
    let mut judged: FastMap<&str, bool> = FastMap::default();
    let mut ranges = Vec::new();
    for t in &tokens {
        let hit = *judged
            .entry(t.text.as_str())
            .or_insert_with(|| word_matches(&t.text, spec));
        if hit {
            ranges.push((t.offset_from, t.offset_to));
        }
    }
    ranges
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
                && edit_distance(word, w) <= usize::from(*d)
        })
}

/// A stem without its last character.
fn head(stem: &str) -> &str {
    let mut chars = stem.chars();
    chars.next_back();
    chars.as_str()
}

/// The whole text, escaped, with `<mark>` around matches (for titles).
pub fn highlight(text: &str, spec: &MatchSpec) -> String {
    render(text, 0, text.len(), &matches(text, spec))
}

/// The best window of about `max_chars` characters, escaped, with `<mark>` around matches.
/// Falls back to the start of the text when nothing matches.
pub fn snippet(text: &str, spec: &MatchSpec, max_chars: usize) -> String {
    let ranges = matches(text, spec);
    let max_bytes = max_chars * 2;
    let (start, end) = best_window(text, &ranges, max_bytes);
    let mut html = String::new();
    if start > 0 {
        html.push('…');
    }
    html.push_str(&render(text, start, end, &ranges));
    if end < text.len() {
        html.push('…');
    }
    html
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

fn render(text: &str, start: usize, end: usize, ranges: &[(usize, usize)]) -> String {
    let mut out = String::with_capacity(end - start + 32);
    let mut at = start;
    for &(from, to) in ranges {
        if to <= start || from >= end || from < at {
            continue;
        }
        escape_into(&text[at..from], &mut out);
        out.push_str("<mark>");
        escape_into(&text[from..to.min(end)], &mut out);
        out.push_str("</mark>");
        at = to.min(end);
    }
    escape_into(&text[at..end], &mut out);
    out
}

/// HTML escaping for text content and double-quoted attribute values.
pub fn escape_into(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push(' '),
            c => out.push(c),
        }
    }
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

    #[test]
    fn marks_the_original_spelling_with_curly_apostrophe_and_middle_dot() {
        let html = highlight(
            "Amb l’Ajuntament i la col·laboració <b>",
            &spec(&["ajuntament", "collaboracio"], &[]),
        );
        assert_eq!(
            html,
            "Amb <mark>l’Ajuntament</mark> i la <mark>col·laboració</mark> &lt;b&gt;"
        );
    }

    #[test]
    fn marks_stem_and_fuzzy_matches() {
        let mut s = spec(&[], &[&analysis::stem("cooperativa")]);
        s.fuzzy.push(("habitatge".into(), 2));
        let html = highlight("Cooperatives d'habitatges", &s);
        assert_eq!(html, "<mark>Cooperatives</mark> <mark>d'habitatges</mark>");
    }

    #[test]
    fn marks_light_stem_matches_that_snowball_misses() {
        // Snowball stems "plans" to "plan" but "pla" to "pla"; the light stem joins them.
        let spec = MatchSpec {
            lights: ["pla".to_string()].into(),
            ..MatchSpec::default()
        };
        assert_eq!(
            highlight("Un Pla i dos plans", &spec),
            "Un <mark>Pla</mark> i dos <mark>plans</mark>"
        );
    }

    #[test]
    fn snippet_centres_on_matches_and_escapes() {
        let text = format!(
            "{} moneda local <i> {}",
            "paraula ".repeat(100),
            "final ".repeat(100)
        );
        let html = snippet(&text, &spec(&["moneda", "local"], &[]), 120);
        assert!(
            html.contains("<mark>moneda</mark> <mark>local</mark> &lt;i&gt;"),
            "{html}"
        );
        assert!(html.starts_with('…') && html.ends_with('…'), "{html}");
    }
}
