//! Token filters of the Catalan chain. Each one rewrites the token text and never its
//! offsets, so highlights land on the original characters.

use std::borrow::Cow;

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

use super::stopwords;
use super::tokenizer::{is_apostrophe, is_middle_dot};

/// What a filter does to one token: keep it (possibly rewritten) or drop it.
type TokenFn = fn(&mut Token) -> bool;

/// A token filter from a plain function; the chain's steps are all stateless.
#[derive(Clone, Copy)]
pub(super) struct FnFilter(TokenFn);

#[derive(Clone)]
pub(super) struct FnFilterWrapper<T> {
    inner: T,
    f: TokenFn,
}

pub(super) struct FnFilterStream<S> {
    tail: S,
    f: TokenFn,
}

impl TokenFilter for FnFilter {
    type Tokenizer<T: Tokenizer> = FnFilterWrapper<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> FnFilterWrapper<T> {
        FnFilterWrapper {
            inner: tokenizer,
            f: self.0,
        }
    }
}

impl<T: Tokenizer> Tokenizer for FnFilterWrapper<T> {
    type TokenStream<'a> = FnFilterStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        FnFilterStream {
            tail: self.inner.token_stream(text),
            f: self.f,
        }
    }
}

impl<S: TokenStream> TokenStream for FnFilterStream<S> {
    fn advance(&mut self) -> bool {
        while self.tail.advance() {
            if (self.f)(self.tail.token_mut()) {
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// Apostrophes to `'`, the `l·l` joiner removed, `ŀ` to `l`, then elision of
/// d' l' m' n' s' t' and of OCR `I'` (Catalan never elides `i`, so `i'` is a misread `l'`).
pub(super) fn catalan_normaliser() -> FnFilter {
    FnFilter(normalise_token)
}

fn normalise_token(token: &mut Token) -> bool {
    let text = &token.text;
    let needs_work = text
        .chars()
        .any(|c| is_apostrophe(c) || is_middle_dot(c) || c == '.' || c == 'ŀ');
    if needs_work {
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            match c {
                c if is_apostrophe(c) => out.push('\''),
                c if is_middle_dot(c) => {}
                '.' => {}
                'ŀ' => out.push('l'),
                c => out.push(c),
            }
        }
        token.text = out;
    }
    if let Some(idx) = token.text.find('\'') {
        let (head, tail) = token.text.split_at(idx);
        if matches!(head, "d" | "l" | "m" | "n" | "s" | "t" | "i") && tail.len() > 1 {
            token.text = tail[1..].to_string();
        }
    }
    !token.text.is_empty()
}

/// Drops the folded Catalan stop words (stem field only).
pub(super) fn stop_words() -> FnFilter {
    FnFilter(|token| !stopwords::is_stop_word(&token.text))
}

/// Protected words, `-ió` restoration and the Snowball Catalan stemmer, in that order.
pub(super) fn catalan_stemmer() -> FnFilter {
    FnFilter(|token| {
        if let Cow::Owned(stemmed) = stem(&token.text) {
            token.text = stemmed;
        }
        true
    })
}

/// The light plural/gender stemmer (light field only).
pub(super) fn light_stemmer() -> FnFilter {
    FnFilter(|token| {
        if let Cow::Owned(stemmed) = super::light::light_stem(&token.text) {
            token.text = stemmed;
        }
        true
    })
}

/// Stems one folded, lower-case word the way the stem field does.
pub fn stem(word: &str) -> Cow<'_, str> {
    if let Some(fixed) = stopwords::protected_stem(word) {
        return Cow::Owned(fixed.to_string());
    }
    let stemmer = frostem::Stemmer::new(frostem::Algorithm::Catalan);
    match restore_io(word) {
        Some(accented) => Cow::Owned(stemmer.stem(&accented).into_owned()),
        None => stemmer.stem(word),
    }
}

/// Folding turns `transició` into `transicio`, which Snowball no longer treats as a `-ció`
/// noun; the accent comes back when a consonant precedes the final `io`.
fn restore_io(word: &str) -> Option<String> {
    let stem = word.strip_suffix("io")?;
    let before = stem.chars().last()?;
    if before.is_ascii_alphabetic() && !"aeiou".contains(before) {
        Some(format!("{stem}ió"))
    } else {
        None
    }
}
