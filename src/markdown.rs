//! Markdown bodies: plain text for indexing and snippets, safe HTML for the document page.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};

/// Text of the Markdown without its syntax; block boundaries become line breaks so that
/// words of two paragraphs never join.
pub fn to_plain_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, Options::empty()) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                out.push_str(&t);
            }
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item) => {
                // A heading or list item read inline in a snippet still needs its full stop.
                let ends_sentence = out.trim_end().ends_with(['.', ':', ';', '!', '?', '…']);
                if !out.trim_end().is_empty() && !ends_sentence {
                    out.push('.');
                }
                out.push('\n');
            }
            _ => {}
        }
    }
    out.trim().to_string()
}

/// HTML of the body. Raw HTML in the source is shown as text, never interpreted; links and
/// images go only to http(s), mail addresses, the page itself (`#…`) and the paths of the
/// site that `site_path` resolves (`/document/<id>`, which it rewrites under the base path
/// the site is mounted on). Any other destination (`javascript:`, `data:`, an unknown path)
/// keeps its text and loses the link.
pub fn to_html(markdown: &str, site_path: &dyn Fn(&str) -> Option<String>) -> String {
    // Per open link or image: whether it was kept, to drop its end tag too.
    let mut open: Vec<bool> = Vec::new();
    let parser = Parser::new_ext(markdown, Options::ENABLE_TABLES).filter_map(|event| {
        Some(match event {
            Event::Html(t) | Event::InlineHtml(t) => Event::Text(t),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest = destination(&dest_url, site_path);
                open.push(dest.is_some());
                return dest.map(|dest_url| {
                    Event::Start(Tag::Link {
                        link_type,
                        dest_url: dest_url.into(),
                        title,
                        id,
                    })
                });
            }
            Event::Start(Tag::Image { ref dest_url, .. }) => {
                let kept = dest_url.starts_with("http://") || dest_url.starts_with("https://");
                open.push(kept);
                return kept.then_some(event);
            }
            Event::End(TagEnd::Link | TagEnd::Image) => {
                return open.pop().unwrap_or(false).then_some(event);
            }
            // Headings of the body sit under the page's own h1.
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => Event::Start(Tag::Heading {
                level: demote(level),
                id,
                classes,
                attrs,
            }),
            Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(demote(level))),
            other => other,
        })
    });
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, parser);
    out
}

/// Where a link may point: the web, mail, a place on the same page, or a path of the site.
fn destination(url: &str, site_path: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    let url = url.trim();
    if url.starts_with('#') {
        return Some(url.to_string());
    }
    if url.starts_with('/') && !url.starts_with("//") {
        return site_path(url);
    }
    let (scheme, _) = url.split_once(':')?;
    ["http", "https", "mailto"]
        .iter()
        .any(|allowed| scheme.eq_ignore_ascii_case(allowed))
        .then(|| url.to_string())
}

fn demote(level: pulldown_cmark::HeadingLevel) -> pulldown_cmark::HeadingLevel {
    use pulldown_cmark::HeadingLevel::*;
    match level {
        H1 => H2,
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_drops_syntax_and_keeps_word_boundaries() {
        let text = to_plain_text("## Xifres\n- 12 **cooperatives**\n- 3 municipis\n\nFi");
        assert_eq!(text, "Xifres.\n12 cooperatives.\n3 municipis.\nFi.");
    }

    #[test]
    fn links_go_only_to_the_web_mail_or_the_page() {
        let site = |path: &str| {
            path.strip_prefix("/document/")
                .map(|id| format!("/cercador/document/{id}"))
        };
        let html = to_html(
            "[a](javascript:alert(1)) [b](JavaScript:x) [c](data:text/html,x) [d](/admin) \
             [e](https://xmess.cat) [f](mailto:xarxa@xmess.cat) [g](#fonts) ![h](javascript:x) \
             [i](/document/vic-cures) [j](//evil.example/x)",
            &site,
        );
        for bad in [
            "javascript",
            "JavaScript",
            "data:",
            "/admin",
            "<img",
            "evil",
        ] {
            assert!(!html.contains(bad), "{bad}: {html}");
        }
        assert!(html.starts_with("<p>a b c d "), "the texts stay: {html}");
        assert!(html.contains("</a> h "), "an image's text stays: {html}");
        assert!(
            html.contains(r#"<a href="/cercador/document/vic-cures">i</a> j</p>"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<a href="https://xmess.cat">e</a>"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<a href="mailto:xarxa@xmess.cat">f</a>"#),
            "{html}"
        );
        assert!(html.contains(r##"<a href="#fonts">g</a>"##), "{html}");
    }

    #[test]
    fn raw_html_is_escaped() {
        let html = to_html("Hola <script>alert(1)</script>", &|_| None);
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }
}
