//! Text two documents share: runs of five words found in both, over the shorter one's runs.
//! Copied paragraphs make documents match the same queries and crowd the results, so
//! `xmess-kb check` warns about any pair sharing more than a third of its text.

use rustc_hash::{FxHashMap, FxHashSet};

use super::Document;
use crate::analysis::{self, Analyzer};

/// Words in a run.
const RUN: usize = 5;
/// Share of the shorter document above which a pair is reported.
pub const MAX_SHARED: f64 = 1.0 / 3.0;
/// A run found in more documents than this is a formula of the field, not copied text.
const MAX_HOLDERS: usize = 32;

/// Two documents and the share of the shorter one's runs that the other also has.
#[derive(Debug, Clone, PartialEq)]
pub struct SharedText {
    pub first: String,
    pub second: String,
    pub share: f64,
}

/// The hashed runs of a body's folded words (one-letter words left out).
fn runs(text: &str) -> FxHashSet<u64> {
    let words: Vec<String> = analysis::tokens(Analyzer::Exact, text)
        .into_iter()
        .map(|t| t.text)
        .filter(|w| w.chars().count() > 1)
        .collect();
    words
        .windows(RUN)
        .map(|run| {
            use std::hash::{BuildHasher, BuildHasherDefault};
            BuildHasherDefault::<rustc_hash::FxHasher>::default().hash_one(run)
        })
        .collect()
}

/// Every pair of documents sharing more than `MAX_SHARED` of the shorter one's text, most
/// shared first.
pub fn over_limit(documents: &[Document]) -> Vec<SharedText> {
    let sets: Vec<FxHashSet<u64>> = documents.iter().map(|d| runs(&d.plain_body())).collect();
    let mut holders: FxHashMap<u64, Vec<u32>> = FxHashMap::default();
    for (i, set) in sets.iter().enumerate() {
        for &run in set {
            holders.entry(run).or_default().push(i as u32);
        }
    }
    let mut common: FxHashMap<(u32, u32), usize> = FxHashMap::default();
    for docs in holders
        .values()
        .filter(|d| (2..=MAX_HOLDERS).contains(&d.len()))
    {
        for (n, &a) in docs.iter().enumerate() {
            for &b in &docs[n + 1..] {
                *common.entry((a, b)).or_default() += 1;
            }
        }
    }
    let mut pairs: Vec<SharedText> = common
        .into_iter()
        .filter_map(|((a, b), shared)| {
            let shorter = sets[a as usize].len().min(sets[b as usize].len());
            let share = shared as f64 / shorter.max(1) as f64;
            (share > MAX_SHARED).then(|| SharedText {
                first: documents[a as usize].id.clone(),
                second: documents[b as usize].id.clone(),
                share,
            })
        })
        .collect();
    pairs.sort_by(|x, y| y.share.total_cmp(&x.share).then(x.first.cmp(&y.first)));
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(id: &str, body: &str) -> Document {
        let text = format!(
            "+++\nid = \"{id}\"\ntipus = \"guia\"\ntitol = \"t\"\ntemes = [\"Cures\"]\nfonts = [\"https://example.org\"]\n+++\n{body}\n"
        );
        let themes = crate::taxonomy::Themes::parse(
            "[[tema]]\nslug = \"cures\"\netiqueta = \"Cures\"\ndescripcio = \"d\"\n",
        )
        .expect("themes");
        let context = super::super::validate::Context {
            root: std::path::Path::new("/"),
            themes: &themes,
            gazetteer: crate::gazetteer::Gazetteer::get(),
        };
        let path = std::path::PathBuf::from(format!("/{id}.md"));
        super::super::validate::document(&text, &path, &context).expect("valid")
    }

    #[test]
    fn a_copied_paragraph_is_reported_and_a_shared_phrase_is_not() {
        let stock = "La memòria anual de la xarxa recull totes les activitats que els municipis membres van fer durant l'any amb el suport de la secretaria tècnica.";
        let a = document(
            "a",
            &format!("El grup de cures es va reunir tres vegades. {stock}"),
        );
        let b = document(
            "b",
            &format!("La jornada de Ripoll va tractar la compra pública. {stock}"),
        );
        let c = document(
            "c",
            "El grup de cures es va reunir per preparar una guia sobre corresponsabilitat i serveis municipals de proximitat.",
        );
        let found = over_limit(&[a, b, c]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            (found[0].first.as_str(), found[0].second.as_str()),
            ("a", "b")
        );
        assert!(found[0].share > 0.5, "{found:?}");
    }
}
