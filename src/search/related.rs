//! What a document page offers next: documents like this one (more-like-this over its text
//! and themes, with the reason shown) and practices from similar towns (same comarca, same
//! population band). Everything runs on the audience's own index part.

use std::collections::BTreeMap;

use anyhow::Result;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{Searcher, Term};

use super::engine::{Engine, load};
use super::request::SearchRequest;
use crate::analysis::{self, Analyzer};
use crate::corpus::Document;
use crate::gazetteer::Gazetteer;
use crate::taxonomy::{Audience, DocKind, FacetKind};

/// Another document, with why it is offered.
#[derive(Debug, Clone)]
pub struct RelatedDoc {
    pub id: String,
    pub title: String,
    pub kind: DocKind,
    pub places: String,
    pub reason: String,
}

/// A group of practices from towns like this document's.
#[derive(Debug, Clone)]
pub struct SimilarTowns {
    pub heading: String,
    pub docs: Vec<RelatedDoc>,
}

impl Engine {
    /// Up to `n` documents most like `doc` by their words and themes.
    pub fn related(&self, doc: &Document, audience: Audience, n: usize) -> Result<Vec<RelatedDoc>> {
        let part = self.view(audience).part;
        let themes: Vec<String> = self.theme_refs(doc).into_iter().map(|t| t.label).collect();
        let text = format!(
            "{t}\n{t}\n{th}\n{th}\n{body}",
            t = doc.title,
            th = themes.join(". "),
            body = doc.plain_body()
        );
        let searcher = part.searcher();
        let query = more_like_this(&searcher, part.fields.all_light, &text)?;
        let top = searcher.search(&*query, &TopDocs::with_limit(n + 1).order_by_score())?;
        let mut out = Vec::new();
        for (_, address) in top {
            let other = load(part, &searcher, address)?;
            if other.id == doc.id || !audience.may_see(other.visibility) {
                continue;
            }
            let reason = self.reason(doc, &other);
            out.push(related_doc(other, reason));
            if out.len() == n {
                break;
            }
        }
        Ok(out)
    }

    /// "Comparteixen: Cures, Habitatge cooperatiu · mateixa comarca (Osona)".
    fn reason(&self, doc: &Document, other: &Document) -> String {
        let mut parts = Vec::new();
        let shared: Vec<String> = self
            .theme_refs(other)
            .into_iter()
            .filter(|t| doc.themes.contains(&t.slug))
            .map(|t| t.label)
            .collect();
        if !shared.is_empty() {
            parts.push(format!("Comparteixen: {}", shared.join(", ")));
        }
        if let Some(c) = other.comarques.iter().find(|c| doc.comarques.contains(c)) {
            parts.push(format!("mateixa comarca ({c})"));
        }
        if other.kind == doc.kind {
            parts.push(format!("també és {}", other.kind.label().to_lowercase()));
        }
        if parts.is_empty() {
            "Text semblant".into()
        } else {
            parts.join(" · ")
        }
    }

    /// Practices from the same comarca and from towns of the same population band as the
    /// document's first municipality (other towns only).
    pub fn similar_towns(
        &self,
        doc: &Document,
        audience: Audience,
        n: usize,
    ) -> Result<Vec<SimilarTowns>> {
        let Some(town) = doc
            .municipalities
            .first()
            .and_then(|m| Gazetteer::get().municipality(m))
        else {
            return Ok(Vec::new());
        };
        let band = town.size_band();
        let themes: Vec<String> = self.theme_refs(doc).into_iter().map(|t| t.label).collect();
        let groups = [
            (
                format!("A la mateixa comarca ({})", town.comarca),
                FacetKind::Comarca,
                town.comarca.clone(),
            ),
            (
                format!(
                    "Municipis de la mateixa mida ({})",
                    band.label().to_lowercase()
                ),
                FacetKind::Mida,
                band.slug().to_string(),
            ),
        ];
        let mut out = Vec::new();
        for (heading, facet, value) in groups {
            // The document's themes first, then the most recent of the rest.
            let mut found = Vec::new();
            for text in [themes.join(" "), String::new()] {
                let mut request = SearchRequest::new(&text, audience);
                request.filters.insert(facet, vec![value.clone()]);
                found.extend(self.top_documents(&request, n + 5)?);
            }
            let mut seen = std::collections::HashSet::new();
            let docs: Vec<RelatedDoc> = found
                .into_iter()
                .filter(|d| d.id != doc.id && !d.municipalities.contains(&town.name))
                .filter(|d| seen.insert(d.id.clone()))
                .take(n)
                .map(|d| RelatedDoc {
                    reason: d.municipalities.join(", "),
                    places: d.municipalities.join(", "),
                    id: d.id,
                    title: d.title,
                    kind: d.kind,
                })
                .collect();
            if !docs.is_empty() {
                out.push(SimilarTowns { heading, docs });
            }
        }
        Ok(out)
    }
}

/// Words of a document kept to find others like it.
const LIKE_THIS_TERMS: usize = 30;

/// The document's most telling words (frequency in it × rarity in the index), as a query
/// for documents holding them. Like tantivy's `MoreLikeThisQuery`, but ties between words
/// go by the word, not by a hash map's order: the same page offers the same documents.
fn more_like_this(
    searcher: &Searcher,
    field: tantivy::schema::Field,
    text: &str,
) -> Result<Box<dyn Query>> {
    let mut counts: BTreeMap<String, u32> = BTreeMap::new();
    for token in analysis::tokens(Analyzer::Light, text) {
        if token.text.chars().count() >= 3 {
            *counts.entry(token.text).or_default() += 1;
        }
    }
    let docs = searcher.num_docs() as f32;
    let mut scored = Vec::with_capacity(counts.len());
    for (word, count) in counts {
        let term = Term::from_field_text(field, &word);
        let df = searcher.doc_freq(&term)? as f32;
        if df > 0.0 {
            let idf = (1.0 + (docs - df + 0.5) / (df + 0.5)).ln();
            scored.push((count as f32 * idf, term));
        }
    }
    // Highest first; the BTreeMap gave the words in order, and the sort is stable.
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    let clauses: Vec<(Occur, Box<dyn Query>)> = scored
        .into_iter()
        .take(LIKE_THIS_TERMS)
        .map(|(_, term)| {
            let query: Box<dyn Query> =
                Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs));
            (Occur::Should, query)
        })
        .collect();
    Ok(Box::new(BooleanQuery::new(clauses)))
}

fn related_doc(doc: Document, reason: String) -> RelatedDoc {
    RelatedDoc {
        places: if doc.municipalities.is_empty() {
            doc.comarques.join(", ")
        } else {
            doc.municipalities.join(", ")
        },
        kind: doc.kind,
        id: doc.id,
        title: doc.title,
        reason,
    }
}
