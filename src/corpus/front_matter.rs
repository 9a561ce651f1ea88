//! Splits a corpus file into TOML front matter and Markdown body, and parses the front
//! matter into its raw, unvalidated form.

use serde::Deserialize;

/// The front matter exactly as written; `document.rs` validates it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFrontMatter {
    pub id: String,
    pub tipus: String,
    pub titol: String,
    #[serde(default)]
    pub municipis: Vec<String>,
    #[serde(default)]
    pub comarques: Vec<String>,
    pub ambit: Option<String>,
    #[serde(default)]
    pub temes: Vec<String>,
    pub categoria_abc: Option<String>,
    pub colleccio: Option<String>,
    pub anys: Option<String>,
    pub data: Option<toml::value::Datetime>,
    pub visibilitat: Option<String>,
    #[serde(default)]
    pub fonts: Vec<String>,
}

/// A file split at its `+++` fences. `body_line` is the 1-based line where the body starts.
pub struct Split<'a> {
    pub front_matter: &'a str,
    pub body: &'a str,
    pub body_line: usize,
}

/// Splits `text` (already LF-only); the error is (line, message).
pub fn split(text: &str) -> Result<Split<'_>, (usize, String)> {
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

/// Parses the front matter; the error is (line in the file, message).
pub fn parse(front_matter: &str) -> Result<RawFrontMatter, (usize, String)> {
    toml::from_str(front_matter).map_err(|e| {
        let line = e
            .span()
            .map(|s| line_at(front_matter, s.start))
            .unwrap_or(1);
        (line + 1, translate_toml_error(e.message()))
    })
}

/// Parses a TOML vocabulary file; the error is (line, "what: message").
pub fn parse_toml<T: serde::de::DeserializeOwned>(
    text: &str,
    what: &str,
) -> Result<T, (usize, String)> {
    toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_at(text, s.start)).unwrap_or(1);
        (line, format!("{what}: {}", e.message().trim()))
    })
}

/// 1-based line of a byte offset inside the front matter.
pub fn line_at(front_matter: &str, offset: usize) -> usize {
    let offset = offset.min(front_matter.len());
    front_matter.as_bytes()[..offset]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Line in the file (not the front matter) of `key = …`, or of `value` after it.
pub fn find_line(front_matter: &str, key: &str, value: Option<&str>) -> usize {
    let mut key_line = None;
    for (i, line) in front_matter.lines().enumerate() {
        let trimmed = line.trim_start();
        let is_key = trimmed
            .strip_prefix(key)
            .is_some_and(|r| r.trim_start().starts_with('='));
        if is_key {
            key_line = Some(i);
        }
        if let Some(k) = key_line {
            match value {
                None => return k + 2,
                Some(v) if line.contains(&format!("\"{v}\"")) || line.contains(v) => {
                    return i + 2;
                }
                _ => {}
            }
        }
    }
    key_line.map_or(2, |k| k + 2)
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
    fn finds_the_line_of_a_list_value() {
        let fm = "id = \"a\"\nmunicipis = [\n  \"Manresa\",\n  \"Vic\",\n]\n";
        assert_eq!(find_line(fm, "municipis", Some("Vic")), 5);
        assert_eq!(find_line(fm, "id", None), 2);
    }
}
