//! Every field of the index, its options and analyzer, named once.

use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};

use crate::analysis;
use crate::taxonomy::FacetKind;

/// Handles to the schema's fields.
#[derive(Clone, Debug)]
pub struct Fields {
    pub id: Field,
    /// Pooled text (title ×3, themes, places, body): scored as one BM25 field.
    pub all_exact: Field,
    pub all_stem: Field,
    pub all_light: Field,
    /// Municipality, comarca and province names, folded: for place names typed in a query.
    pub places: Field,
    pub visibility: Field,
    pub recency: Field,
    /// One multi-valued u64 fast field per facet; values are ordinals of `FacetDictionary`.
    pub facets: Vec<(FacetKind, Field)>,
    /// The whole `Document` as JSON, for display.
    pub stored: Field,
}

fn text(analyzer: &str, record: IndexRecordOption) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(analyzer)
            .set_index_option(record),
    )
}

/// The fast field of a facet's ordinals.
pub fn facet_field_name(kind: FacetKind) -> String {
    format!("f_{}", kind.param())
}

pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let id = b.add_text_field("id", STRING | STORED);
    let all_exact = b.add_text_field(
        "all_exact",
        text(analysis::EXACT, IndexRecordOption::WithFreqsAndPositions),
    );
    // Only term queries read the Snowball field (phrases use the exact and light ones), so
    // it keeps no positions: a smaller index and a faster build.
    let all_stem = b.add_text_field(
        "all_stem",
        text(analysis::STEM, IndexRecordOption::WithFreqs),
    );
    let all_light = b.add_text_field(
        "all_light",
        text(analysis::LIGHT, IndexRecordOption::WithFreqsAndPositions),
    );
    let places = b.add_text_field("places", STRING);
    let visibility = b.add_u64_field("visibility", INDEXED | FAST);
    let recency = b.add_u64_field("recency", FAST);
    let facets = FacetKind::ALL
        .iter()
        .map(|&k| (k, b.add_u64_field(&facet_field_name(k), FAST)))
        .collect();
    let stored = b.add_text_field("doc", STORED);
    let schema = b.build();
    (
        schema,
        Fields {
            id,
            all_exact,
            all_stem,
            all_light,
            places,
            visibility,
            recency,
            facets,
            stored,
        },
    )
}

impl Fields {
    /// Resolves the handles of an index opened from disk.
    pub fn from_schema(schema: &Schema) -> tantivy::Result<Fields> {
        let f = |name: &str| schema.get_field(name);
        Ok(Fields {
            id: f("id")?,
            all_exact: f("all_exact")?,
            all_stem: f("all_stem")?,
            all_light: f("all_light")?,
            places: f("places")?,
            visibility: f("visibility")?,
            recency: f("recency")?,
            facets: FacetKind::ALL
                .iter()
                .map(|&k| Ok((k, f(&facet_field_name(k))?)))
                .collect::<tantivy::Result<_>>()?,
            stored: f("doc")?,
        })
    }

    pub fn facet(&self, kind: FacetKind) -> Field {
        self.facets
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, f)| *f)
            .unwrap_or(self.recency)
    }
}
