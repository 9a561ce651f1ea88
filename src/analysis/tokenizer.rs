//! Word tokenizer for Catalan that keeps byte offsets into the original text.
//!
//! A word is a run of alphanumerics (and combining marks, in case text escaped NFC). It stays
//! whole across an apostrophe with letters on both sides (`l’Ajuntament`), across a middle dot
//! between two `l` (`col·laboració`, `col•laboració`) and across a full stop between two `l` of
//! the same case (`col.laboració`). Everything else splits, hyphens included (`fer-ho`).
//! The token text is the original slice; normalisation happens in later filters so that
//! offsets keep pointing at what the reader sees.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

#[derive(Clone, Default)]
pub struct CatalanTokenizer;

pub struct CatalanTokenStream<'a> {
    text: &'a str,
    cursor: usize,
    position: usize,
    token: Token,
}

impl Tokenizer for CatalanTokenizer {
    type TokenStream<'a> = CatalanTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> CatalanTokenStream<'a> {
        CatalanTokenStream {
            text,
            cursor: 0,
            position: usize::MAX,
            token: Token::default(),
        }
    }
}

pub(crate) fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ' | '‘' | '`' | '´')
}

pub(crate) fn is_middle_dot(c: char) -> bool {
    matches!(c, '·' | '•' | '‧' | '∙' | '⋅' | '․')
}

fn is_combining(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}')
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_combining(c)
}

fn is_l(c: char) -> bool {
    matches!(c, 'l' | 'L')
}

/// Whether the separator `sep` between `prev` and `next` belongs to the word.
fn joins(prev: char, sep: char, next: char) -> bool {
    if is_apostrophe(sep) {
        return prev.is_alphabetic() && next.is_alphabetic();
    }
    if is_middle_dot(sep) {
        return is_l(prev) && is_l(next);
    }
    if sep == '.' {
        return (prev == 'l' && next == 'l') || (prev == 'L' && next == 'L');
    }
    false
}

impl CatalanTokenStream<'_> {
    /// Finds the end of the word that starts at `start`.
    fn word_end(&self, start: usize) -> usize {
        let mut end = start;
        let mut chars = self.text[start..].char_indices().peekable();
        let mut prev: Option<char> = None;
        while let Some((offset, c)) = chars.next() {
            if is_word_char(c) {
                end = start + offset + c.len_utf8();
                prev = Some(c);
                continue;
            }
            let next = chars.peek().map(|&(_, n)| n);
            match (prev, next) {
                (Some(p), Some(n)) if is_word_char(n) && joins(p, c, n) => {
                    prev = Some(c);
                }
                _ => break,
            }
        }
        end
    }
}

impl TokenStream for CatalanTokenStream<'_> {
    fn advance(&mut self) -> bool {
        let rest = &self.text[self.cursor..];
        let Some((skip, _)) = rest.char_indices().find(|&(_, c)| c.is_alphanumeric()) else {
            self.cursor = self.text.len();
            return false;
        };
        let start = self.cursor + skip;
        let end = self.word_end(start);
        self.cursor = end;
        self.position = self.position.wrapping_add(1);
        self.token.text.clear();
        self.token.text.push_str(&self.text[start..end]);
        self.token.offset_from = start;
        self.token.offset_to = end;
        self.token.position = self.position;
        self.token.position_length = 1;
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}
