//! Opens the published generation for searching.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use tantivy::{Index, IndexReader, ReloadPolicy};

use super::schema::Fields;
use super::{
    ADVISOR_PART, CURRENT, DICTIONARY_FILE, INFO_FILE, PUBLIC_PART, SYNONYMS_COPY, THEMES_COPY,
};
use crate::analysis;
use crate::search::Audience;
use crate::search::facet_counts::FacetCache;
use crate::search::facets::{FacetDictionary, FacetKind};
use crate::search::synonyms::Synonyms;
use crate::taxonomy::Themes;

/// What `/salut` and the footer report about a generation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BuildInfo {
    pub generation: String,
    pub documents: usize,
    pub public_documents: usize,
    pub built_at: String,
    /// Year used to expand ongoing spans ("2016-") into the `any` facet.
    pub year: u16,
    pub analyzers: Vec<String>,
}

/// An opened, immutable index generation with everything a search needs.
///
/// It holds two tantivy indexes: one of the public documents only, which every public
/// request searches, and one of all documents, for advisors. Nothing internal is in the
/// files the public searches, not even the term statistics that shape scores.
pub struct Generation {
    public: Part,
    /// `None` when the corpus has no internal document: advisors then search `public`.
    advisor: Option<Part>,
    pub themes: Themes,
    pub synonyms: Synonyms,
    pub info: BuildInfo,
    /// Folded label of every facet value, for sorting facet lists.
    pub facet_sort_keys: HashMap<FacetKind, crate::fasthash::FastMap<String, String>>,
}

/// The generation `CURRENT` points at, if any.
pub fn current_generation_name(index_dir: &Path) -> Result<Option<String>> {
    let pointer = index_dir.join(CURRENT);
    match fs::read_to_string(&pointer) {
        Ok(text) => {
            let name = text.trim().to_string();
            let valid = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if !valid {
                bail!(
                    "{} does not name a generation; rebuild with `xmess-kb index`",
                    pointer.display()
                );
            }
            Ok(Some(name))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", pointer.display())),
    }
}

/// One tantivy index of a generation and its facet dictionary.
pub struct Part {
    pub index: Index,
    pub reader: IndexReader,
    pub fields: Fields,
    pub dictionary: FacetDictionary,
    /// Facet values of every document, read once here rather than on every search.
    pub facet_cache: std::sync::Arc<FacetCache>,
    /// Bitsets of frequent terms, filled by searches.
    pub term_sets: crate::search::term_sets::TermSets,
}

impl Part {
    /// The exact field's words as `searcher` sees them (typo expansion, known words).
    pub fn vocabulary<'a>(
        &self,
        searcher: &'a tantivy::Searcher,
    ) -> crate::search::vocabulary::IndexVocabulary<'a> {
        crate::search::vocabulary::IndexVocabulary {
            searcher,
            field: self.fields.all_exact,
        }
    }

    /// Calls `f` with every word of the exact field that starts with `prefix` and its
    /// document frequency, once per segment (callers sum across segments).
    pub fn for_each_exact_word(&self, prefix: &str, mut f: impl FnMut(&str, u64)) -> Result<()> {
        // Every UTF-8 string that starts with `prefix` sorts below `prefix` + 0xFF.
        let mut upper = prefix.as_bytes().to_vec();
        upper.push(0xff);
        for segment in self.reader.searcher().segment_readers() {
            let inverted = segment.inverted_index(self.fields.all_exact)?;
            let mut stream = inverted
                .terms()
                .range()
                .ge(prefix.as_bytes())
                .lt(&upper)
                .into_stream()?;
            while stream.advance() {
                if let Ok(word) = std::str::from_utf8(stream.key()) {
                    f(word, u64::from(stream.value().doc_freq));
                }
            }
        }
        Ok(())
    }

    fn open(dir: &Path) -> Result<Part> {
        let index = Index::open_in_dir(dir)
            .with_context(|| format!("cannot open the index in {}", dir.display()))?;
        analysis::register(index.tokenizers());
        // An analyzer renamed since the build (its version bumped) means the terms on disk
        // were made by another chain: refuse rather than silently mismatch.
        for (_, entry) in index.schema().fields() {
            if let tantivy::schema::FieldType::Str(options) = entry.field_type()
                && let Some(indexing) = options.get_indexing_options()
                && index.tokenizers().get(indexing.tokenizer()).is_none()
            {
                bail!(
                    "{} was built with the analyzer {}, which this version no longer has; rebuild it with `xmess-kb index`",
                    dir.display(),
                    indexing.tokenizer()
                );
            }
        }
        let fields = Fields::from_schema(&index.schema()).with_context(|| {
            format!("{} was built by another version; rebuild it", dir.display())
        })?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let path = dir.join(DICTIONARY_FILE);
        let text = fs::read_to_string(&path)
            .with_context(|| format!("missing {}; rebuild the index", path.display()))?;
        let dictionary: FacetDictionary = serde_json::from_str(&text)
            .with_context(|| format!("{} is not valid; rebuild the index", path.display()))?;
        let facet_cache = std::sync::Arc::new(FacetCache::build(&reader.searcher(), &dictionary)?);
        Ok(Part {
            index,
            reader,
            fields,
            dictionary,
            facet_cache,
            term_sets: Default::default(),
        })
    }
}

impl Generation {
    /// The index this audience searches.
    pub fn part(&self, audience: Audience) -> &Part {
        match audience {
            Audience::Public => &self.public,
            Audience::Advisor => self.advisor.as_ref().unwrap_or(&self.public),
        }
    }

    /// Opens the published generation of `index_dir`.
    pub fn open_current(index_dir: &Path) -> Result<Generation> {
        let Some(name) = current_generation_name(index_dir)? else {
            bail!(
                "no index in {}; build it with `xmess-kb index`",
                index_dir.display()
            );
        };
        Generation::open(&index_dir.join(name))
    }

    /// Opens one generation directory.
    pub fn open(dir: &Path) -> Result<Generation> {
        let public = Part::open(&dir.join(PUBLIC_PART))?;
        let read = |name: &str| {
            fs::read_to_string(dir.join(name))
                .with_context(|| format!("missing {} in {}", name, dir.display()))
        };
        let info: BuildInfo = serde_json::from_str(&read(INFO_FILE)?)?;
        let advisor_dir = dir.join(ADVISOR_PART);
        let advisor = if advisor_dir.is_dir() {
            Some(Part::open(&advisor_dir)?)
        } else if info.documents == info.public_documents {
            None
        } else {
            bail!(
                "{} is missing although the generation holds internal documents; rebuild it with `xmess-kb index`",
                advisor_dir.display()
            );
        };
        let themes = Themes::parse(&read(THEMES_COPY)?).map_err(|(_, m)| anyhow::Error::msg(m))?;
        let synonyms =
            Synonyms::parse(&read(SYNONYMS_COPY)?).map_err(|(_, m)| anyhow::Error::msg(m))?;
        let facet_sort_keys = crate::search::facet_sort_keys(
            &themes,
            std::iter::once(&public.dictionary).chain(advisor.as_ref().map(|a| &a.dictionary)),
        );
        Ok(Generation {
            public,
            advisor,
            themes,
            synonyms,
            info,
            facet_sort_keys,
        })
    }
}
