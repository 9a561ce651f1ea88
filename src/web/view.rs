//! What pages share: the layout around every page, the card of a result, a link with a
//! count, and the small formatting of numbers and highlights.

use super::links::Links;
use super::params::SearchParams;
use crate::clock::catalan_date;
use crate::search::{Engine, Highlighted, Hit, How};
use crate::taxonomy::{Audience, DocKind, FacetKind};

/// What every page shows around its content: the session in the header, the index being
/// served at the bottom.
#[derive(Debug, Clone, Default)]
pub(super) struct Layout {
    /// The path the site is mounted at ("" at the root), before every fixed link.
    pub base: String,
    /// The home page's link.
    pub home: String,
    /// The version of the static files, in their links.
    pub assets: &'static str,
    pub generation: String,
    pub documents: usize,
    pub built_at: String,
    /// An advisor is logged in (the header shows the session and the way out).
    pub advisor: bool,
    /// Theme labels offered by the search box before anything is typed.
    pub themes: Vec<String>,
}

impl Layout {
    pub(super) fn of(engine: &Engine, audience: Audience, links: &Links) -> Layout {
        let info = engine.info();
        Layout {
            base: links.base().to_string(),
            home: links.home(),
            assets: super::assets::version(),
            themes: engine
                .themes()
                .all()
                .iter()
                .map(|t| t.label.clone())
                .collect(),
            generation: info.generation.clone(),
            documents: engine.visible_documents(audience),
            built_at: catalan_date(&info.built_at),
            advisor: audience == Audience::Advisor,
        }
    }

    /// For pages shown without an index (errors, login).
    pub(super) fn bare(audience: Audience, links: &Links) -> Layout {
        Layout {
            base: links.base().to_string(),
            home: links.home(),
            assets: super::assets::version(),
            advisor: audience == Audience::Advisor,
            ..Layout::default()
        }
    }
}

pub(super) struct LinkCount {
    pub label: String,
    pub description: String,
    pub count: u64,
    pub url: String,
}

/// A result as a card shows it.
pub(super) struct HitView {
    pub url: String,
    pub title: Highlighted,
    pub kind: DocKind,
    pub internal: bool,
    /// Municipalities, else comarques.
    pub places: String,
    /// "21 de setembre de 2023", or the years.
    pub when: Option<String>,
    pub snippet: Highlighted,
    /// (label, link) of each theme.
    pub themes: Vec<(String, String)>,
    /// «Per què surt?»: each concept matched, and how.
    pub why: Vec<(String, String)>,
    /// The concepts it lacks (a partial match).
    pub missing: Vec<String>,
}

impl HitView {
    pub(super) fn of(hit: Hit, url: String, links: &Links) -> HitView {
        let places = if hit.municipalities.is_empty() {
            hit.comarques.join(", ")
        } else {
            hit.municipalities.join(", ")
        };
        let why = hit
            .why
            .iter()
            .map(|m| {
                let how: Vec<String> = m.how.iter().map(how_text).collect();
                (m.concept.clone(), how.join("; "))
            })
            .collect();
        HitView {
            url,
            why,
            missing: hit.missing,
            when: when(hit.date.as_deref(), hit.years.as_deref()),
            themes: hit
                .themes
                .into_iter()
                .map(|t| (t.label, links.filtered(FacetKind::Tema, &t.slug)))
                .collect(),
            title: hit.title,
            kind: hit.kind,
            internal: hit.internal,
            places,
            snippet: hit.snippet,
        }
    }

    /// Cards of a page of results, each linking to its document seen from the search.
    pub(super) fn page(
        hits: Vec<Hit>,
        params: &SearchParams,
        first_rank: usize,
        links: &Links,
    ) -> Vec<HitView> {
        hits.into_iter()
            .enumerate()
            .map(|(i, hit)| {
                let url = links.document_in(&hit.id, params, first_rank + i);
                HitView::of(hit, url, links)
            })
            .collect()
    }
}

/// How a concept matched, as a reader is told.
pub(super) fn how_text(how: &How) -> String {
    match how {
        How::Exact => "tal com s'ha escrit".into(),
        How::Inflection => "en una altra forma (plural o gènere)".into(),
        How::Derived => "una paraula de la mateixa família".into(),
        How::Words => "hi surten totes les paraules".into(),
        How::Typo(word) => format!("corregit com a «{word}»"),
        How::Synonym(text) => format!("sinònim: «{text}»"),
        How::Place(name) => format!("és de {name}"),
        How::Tag(label) => format!("etiquetat «{label}»"),
    }
}

/// "21 de setembre de 2023" for an event's day, else its years.
pub(super) fn when(date: Option<&str>, years: Option<&str>) -> Option<String> {
    date.map(catalan_date).or_else(|| years.map(String::from))
}

/// The text escaped for HTML, `<mark>` around the marked words and `…` where it is cut.
pub(super) fn highlighted_html(h: &Highlighted) -> String {
    let mut out = String::with_capacity(h.text.len() + 32);
    if h.cut_before {
        out.push('…');
    }
    for piece in h.pieces() {
        if piece.marked {
            out.push_str("<mark>");
        }
        escape_into(piece.text, &mut out);
        if piece.marked {
            out.push_str("</mark>");
        }
    }
    if h.cut_after {
        out.push('…');
    }
    out
}

/// HTML escaping for text content and double-quoted attribute values.
fn escape_into(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}

/// 12345 → "12.345"
pub(super) fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// "https://www.xmess.cat/x" → "xmess.cat"
pub(super) fn domain_of(url: &str) -> String {
    let rest = url.split("://").nth(1).unwrap_or(url);
    let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    host.strip_prefix("www.").unwrap_or(host).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_numbers_domains_and_highlights() {
        assert_eq!(thousands(7), "7");
        assert_eq!(thousands(12_345), "12.345");
        assert_eq!(thousands(1_686_208), "1.686.208");
        assert_eq!(domain_of("https://www.xmess.cat/guia?x=1"), "xmess.cat");
        let h = Highlighted {
            text: "l’Ajuntament <b> & \"x\"".into(),
            marks: std::iter::once(0..14).collect(),
            cut_before: true,
            cut_after: false,
        };
        assert_eq!(
            highlighted_html(&h),
            "…<mark>l’Ajuntament</mark> &lt;b&gt; &amp; &quot;x&quot;"
        );
    }
}
