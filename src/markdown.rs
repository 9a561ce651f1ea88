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

/// HTML of the body. Raw HTML in the source is shown as text, never interpreted.
pub fn to_html(markdown: &str) -> String {
    let parser = Parser::new_ext(markdown, Options::ENABLE_TABLES).map(|event| match event {
        Event::Html(t) | Event::InlineHtml(t) => Event::Text(t),
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
    });
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, parser);
    out
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
    fn raw_html_is_escaped() {
        let html = to_html("Hola <script>alert(1)</script>");
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }
}
