//! Splits a corpus file into TOML front matter and Markdown body, and parses the front
//! matter into its raw, unvalidated form, each value with its place in the text.

use serde::Deserialize;
use toml::Spanned;

use crate::taxonomy::line_at;

/// The front matter exactly as written; `validate.rs` checks it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFrontMatter {
    pub id: Spanned<String>,
    pub tipus: Spanned<String>,
    pub titol: Spanned<String>,
    #[serde(default)]
    pub municipis: Vec<Spanned<String>>,
    #[serde(default)]
    pub comarques: Vec<Spanned<String>>,
    pub ambit: Option<Spanned<String>>,
    pub temes: Option<Spanned<Vec<Spanned<String>>>>,
    pub categoria_abc: Option<Spanned<String>>,
    pub colleccio: Option<String>,
    pub anys: Option<Spanned<String>>,
    pub data: Option<Spanned<toml::value::Datetime>>,
    pub visibilitat: Option<Spanned<String>>,
    pub fonts: Option<Spanned<Vec<Spanned<String>>>>,
}

/// A file split at its `+++` fences. `body_line` is the 1-based line where the body starts.
pub(super) struct Split<'a> {
    pub front_matter: &'a str,
    pub body: &'a str,
    pub body_line: usize,
}

/// Splits `text` (already LF-only); the error is (line, message).
pub(super) fn split(text: &str) -> Result<Split<'_>, (usize, String)> {
    let Some(rest) = text.strip_prefix("+++\n") else {
        return Err((
            1,
            "el fitxer ha de començar amb una línia «+++» que obre les metadades TOML".into(),
        ));
    };
    let close = if rest.starts_with("+++\n") || rest == "+++" {
        Some(0)
    } else {
        rest.find("\n+++\n")
            .map(|i| i + 1)
            .or_else(|| rest.strip_suffix("\n+++").map(|r| r.len() + 1))
    };
    let Some(close) = close else {
        return Err((
            1,
            "les metadades no es tanquen: falta la línia «+++» després del bloc TOML".into(),
        ));
    };
    let front_matter = &rest[..close];
    let after = &rest[close..];
    let body = after.strip_prefix("+++").unwrap_or(after);
    let body = body.strip_prefix('\n').unwrap_or(body);
    let body_line = 2 + front_matter.lines().count() + 1;
    Ok(Split {
        front_matter,
        body,
        body_line,
    })
}

/// Line in the file of a byte offset of the front matter (which starts on line 2).
pub(super) fn file_line(front_matter: &str, offset: usize) -> usize {
    line_at(front_matter, offset) + 1
}

/// Parses the front matter; the error is (line in the file, message).
pub(super) fn parse(front_matter: &str) -> Result<RawFrontMatter, (usize, String)> {
    toml::from_str(front_matter).map_err(|e| {
        let line = e.span().map_or(2, |s| file_line(front_matter, s.start));
        (line, translate_toml_error(e.message()))
    })
}

fn translate_toml_error(message: &str) -> String {
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let field = rest.split('`').next().unwrap_or(rest);
        return format!(
            "clau desconeguda «{field}»; les claus permeses són id, tipus, titol, municipis, \
             comarques, ambit, temes, categoria_abc, colleccio, anys, data, visibilitat i fonts"
        );
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or(rest);
        return format!("falta la clau obligatòria «{field}»");
    }
    format!("TOML no vàlid: {}", message.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_matter_and_body() {
        let s = split("+++\nid = \"a\"\n+++\nCos\n").expect("valid");
        assert_eq!(s.front_matter, "id = \"a\"\n");
        assert_eq!(s.body, "Cos\n");
        assert_eq!(s.body_line, 4);
    }

    #[test]
    fn unterminated_front_matter_is_an_error() {
        assert!(split("+++\nid = \"a\"\nCos\n").is_err());
        assert!(split("id = \"a\"\n").is_err());
    }

    #[test]
    fn unknown_key_names_its_line() {
        let fm = "id = \"a\"\ntipus = \"guia\"\ntitol = \"t\"\ncolor = \"blau\"\n";
        let (line, msg) = parse(fm).expect_err("unknown key");
        assert_eq!(line, 5);
        assert!(msg.contains("«color»"), "{msg}");
    }

    #[test]
    fn every_value_knows_its_line() {
        let fm = "id = \"a\"\ntipus = \"guia\"\ntitol = \"t\"\nmunicipis = [\n  \"Manresa\",\n  \"Vic\",\n]\n";
        let raw = parse(fm).expect("valid");
        let line = |span: std::ops::Range<usize>| file_line(fm, span.start);
        assert_eq!(line(raw.municipis[1].span()), 7);
        assert_eq!(line(raw.id.span()), 2);
    }
}
