//! Opens a published generation's files for reading.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use tantivy::{IndexReader, ReloadPolicy, Searcher};

use super::schema::Fields;
use super::storage;
use super::{
    ADVISOR_PART, CURRENT, DICTIONARY_FILE, FacetDictionary, INFO_FILE, LANGUAGES_COPY,
    PUBLIC_PART, SYNONYMS_COPY, THEMES_COPY,
};
use crate::analysis;
use crate::taxonomy::{Audience, Themes};

/// What `/salut` and the footer report about a generation.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BuildInfo {
    pub generation: String,
    pub documents: usize,
    pub public_documents: usize,
    pub built_at: String,
    /// Year used to expand ongoing spans ("2016-") into the year facet.
    pub year: u16,
    pub analyzers: Vec<String>,
}

/// An opened, immutable index generation.
///
/// It holds two tantivy indexes: one of the public documents only, which every public
/// request searches, and one of all documents, for advisors. Nothing internal is in the
/// files the public searches, not even the term statistics that shape scores.
pub struct Generation {
    public: Part,
    /// `None` when the corpus has no internal document: advisors then search `public`.
    advisor: Option<Part>,
    pub themes: Themes,
    /// The synonym list the generation was built with (the search analyses it).
    pub synonyms_source: String,
    /// Empty when the generation has no copy of `altres-llengues.toml`.
    pub languages_source: String,
    pub info: BuildInfo,
}

/// One tantivy index of a generation and its facet dictionary.
pub struct Part {
    pub reader: IndexReader,
    pub fields: Fields,
    pub dictionary: FacetDictionary,
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
                    "{} no indica cap generació; torneu a construir l'índex amb `xmess-kb index`",
                    pointer.display()
                );
            }
            Ok(Some(name))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("no es pot llegir {}", pointer.display())),
    }
}

impl Part {
    fn open(dir: &Path) -> Result<Part> {
        let index = storage::open(dir, storage::IN_MEMORY_LIMIT)?;
        analysis::register(index.tokenizers());
        // An analyzer renamed since the build (its version bumped) means the terms on disk
        // were made by another chain: refuse rather than silently mismatch.
        for (_, entry) in index.schema().fields() {
            if let tantivy::schema::FieldType::Str(options) = entry.field_type()
                && let Some(indexing) = options.get_indexing_options()
                && index.tokenizers().get(indexing.tokenizer()).is_none()
            {
                bail!(
                    "{} es va construir amb l'analitzador {}, que aquesta versió ja no té; torneu-lo a construir amb `xmess-kb index`",
                    dir.display(),
                    indexing.tokenizer()
                );
            }
        }
        let fields = Fields::from_schema(&index.schema()).with_context(|| {
            format!(
                "{} es va construir amb una altra versió; torneu-lo a construir",
                dir.display()
            )
        })?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let path = dir.join(DICTIONARY_FILE);
        let text = fs::read_to_string(&path)
            .with_context(|| format!("falta {}; torneu a construir l'índex", path.display()))?;
        let dictionary: FacetDictionary = serde_json::from_str(&text).with_context(|| {
            format!("{} no és vàlid; torneu a construir l'índex", path.display())
        })?;
        Ok(Part {
            reader,
            fields,
            dictionary,
        })
    }

    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }
}

impl Generation {
    /// The index this audience searches.
    pub fn part(&self, audience: Audience) -> &Part {
        match self.slot(audience) {
            0 => &self.public,
            _ => self.advisor.as_ref().unwrap_or(&self.public),
        }
    }

    /// Which of [`Generation::parts`] this audience searches: advisors search the public
    /// part when there is nothing internal.
    pub fn slot(&self, audience: Audience) -> usize {
        match (audience, &self.advisor) {
            (Audience::Advisor, Some(_)) => 1,
            _ => 0,
        }
    }

    /// Every part of the generation, the public one first.
    pub fn parts(&self) -> impl Iterator<Item = &Part> {
        std::iter::once(&self.public).chain(&self.advisor)
    }

    /// Opens the published generation of `index_dir`.
    pub fn open_current(index_dir: &Path) -> Result<Generation> {
        let Some(name) = current_generation_name(index_dir)? else {
            bail!(
                "no hi ha cap índex a {}; construïu-lo amb `xmess-kb index`",
                index_dir.display()
            );
        };
        Generation::open(&index_dir.join(name))
    }

    /// Opens one generation directory, every index file's checksum verified first.
    pub fn open(dir: &Path) -> Result<Generation> {
        let public = Part::open(&dir.join(PUBLIC_PART))?;
        let read = |name: &str| {
            fs::read_to_string(dir.join(name))
                .with_context(|| format!("falta {} a {}", name, dir.display()))
        };
        let info: BuildInfo = serde_json::from_str(&read(INFO_FILE)?)?;
        let advisor_dir = dir.join(ADVISOR_PART);
        let advisor = if advisor_dir.is_dir() {
            Some(Part::open(&advisor_dir)?)
        } else if info.documents == info.public_documents {
            None
        } else {
            bail!(
                "falta {} tot i que la generació té documents interns; torneu-la a construir amb `xmess-kb index`",
                advisor_dir.display()
            );
        };
        let themes = Themes::parse(&read(THEMES_COPY)?).map_err(|(_, m)| anyhow::Error::msg(m))?;
        Ok(Generation {
            public,
            advisor,
            themes,
            synonyms_source: read(SYNONYMS_COPY)?,
            languages_source: fs::read_to_string(dir.join(LANGUAGES_COPY)).unwrap_or_default(),
            info,
        })
    }

    /// Total documents this audience may see.
    pub fn visible_documents(&self, audience: Audience) -> usize {
        match audience {
            Audience::Public => self.info.public_documents,
            Audience::Advisor => self.info.documents,
        }
    }
}
