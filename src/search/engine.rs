//! [`Engine`]: an opened generation and what searching it keeps between requests.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Result, bail};
use rustc_hash::FxHashMap;
use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

use super::concepts::{FacetName, facet_names};
use super::facet_counts::FacetCache;
use super::request::SearchRequest;
use super::term_sets::TermSets;
use crate::corpus::{Document, Synonyms};
use crate::index::{self, BuildEvent, BuildInfo, BuildOptions, BuildReport, Generation, Part};
use crate::taxonomy::{Audience, FacetKind, Themes, facet_label};

/// An opened, immutable generation with its caches. Cheap to share behind an `Arc`; every
/// method takes `&self` and may run on many threads at once.
pub struct Engine {
    generation: Generation,
    /// Per part, in `Generation::parts` order.
    caches: Vec<PartCaches>,
    pub(super) synonyms: Synonyms,
    /// Spanish and English terms and their Catalan.
    pub(super) languages: Synonyms,
    /// Folded label of every facet value, for sorting facet lists.
    pub(super) sort_keys: HashMap<FacetKind, FxHashMap<String, String>>,
    /// Names of themes and kinds a query may use.
    pub(super) facet_names: Vec<FacetName>,
}

/// What searching one index part keeps: the facet values of its documents (read once) and
/// the bitsets of its frequent terms (filled by searches).
pub(super) struct PartCaches {
    pub facets: FacetCache,
    pub term_sets: TermSets,
}

/// The index part an audience searches, with its caches.
#[derive(Clone, Copy)]
pub(super) struct View<'a> {
    pub part: &'a Part,
    pub caches: &'a PartCaches,
}

impl Engine {
    /// Opens the published generation of `index_dir`.
    pub fn open_current(index_dir: &Path) -> Result<Engine> {
        refuse_panics(index_dir, || {
            Engine::from_generation(Generation::open_current(index_dir)?)
        })
    }

    /// Opens one generation directory; its files' checksums are verified first.
    pub fn open(dir: &Path) -> Result<Engine> {
        refuse_panics(dir, || Engine::from_generation(Generation::open(dir)?))
    }

    fn from_generation(generation: Generation) -> Result<Engine> {
        let synonyms = Synonyms::parse(&generation.synonyms_source)
            .map_err(|(line, message)| anyhow::anyhow!("sinonims.toml:{line}: {message}"))?;
        let languages = Synonyms::parse_other_languages(&generation.languages_source)
            .map_err(|(line, message)| anyhow::anyhow!("altres-llengues.toml:{line}: {message}"))?;
        let mut caches = Vec::new();
        let mut sort_keys: HashMap<FacetKind, FxHashMap<String, String>> = HashMap::new();
        for part in generation.parts() {
            caches.push(PartCaches {
                facets: FacetCache::build(&part.searcher(), &part.dictionary)?,
                term_sets: TermSets::default(),
            });
            for &kind in FacetKind::ALL {
                let keys = sort_keys.entry(kind).or_default();
                for value in part.dictionary.values(kind) {
                    if !keys.contains_key(value) {
                        let label = facet_label(&generation.themes, kind, value);
                        keys.insert(value.clone(), crate::analysis::fold_key(&label));
                    }
                }
            }
        }
        Ok(Engine {
            facet_names: facet_names(&generation.themes),
            generation,
            caches,
            synonyms,
            languages,
            sort_keys,
        })
    }

    pub fn info(&self) -> &BuildInfo {
        &self.generation.info
    }

    pub fn themes(&self) -> &Themes {
        &self.generation.themes
    }

    /// Total documents this audience may see.
    pub fn visible_documents(&self, audience: Audience) -> usize {
        self.generation.visible_documents(audience)
    }

    pub(super) fn view(&self, audience: Audience) -> View<'_> {
        let slot = self.generation.slot(audience);
        View {
            part: self.generation.part(audience),
            caches: &self.caches[slot],
        }
    }

    /// A document by id, if this audience may see it. An internal id looks exactly like an
    /// unknown one to the public.
    pub fn document(&self, id: &str, audience: Audience) -> Result<Option<Document>> {
        let part = self.generation.part(audience);
        let searcher = part.searcher();
        let query = TermQuery::new(
            Term::from_field_text(part.fields.id, id),
            IndexRecordOption::Basic,
        );
        let top = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
        let Some(&(_, address)) = top.first() else {
            return Ok(None);
        };
        let doc = load(part, &searcher, address)?;
        Ok(audience.may_see(doc.visibility).then_some(doc))
    }

    /// The label people see for a facet value.
    pub fn facet_label(&self, kind: FacetKind, value: &str) -> String {
        facet_label(self.themes(), kind, value)
    }
}

/// Runs `open`, a panic becoming an error: tantivy panics on some damaged files whose
/// checksum still matches (an `unwrap` reading a fast field), and such a generation must be
/// refused like any other damaged one, not end the process.
fn refuse_panics(
    dir: &Path,
    open: impl FnOnce() -> Result<Engine> + std::panic::UnwindSafe,
) -> Result<Engine> {
    std::panic::catch_unwind(open).unwrap_or_else(|panic| {
        let what = match panic.downcast::<String>() {
            Ok(text) => *text,
            Err(panic) => panic
                .downcast_ref::<&str>()
                .map_or_else(String::new, |s| (*s).to_string()),
        };
        bail!(
            "els fitxers de {} estan malmesos: obrir-los ha fallat ({what}); torneu a construir l'índex amb `xmess-kb index`",
            dir.display()
        )
    })
}

/// The stored document at `address`.
pub(super) fn load(part: &Part, searcher: &Searcher, address: DocAddress) -> Result<Document> {
    let stored: TantivyDocument = searcher.doc(address)?;
    let json = stored
        .get_first(part.fields.stored)
        .and_then(|v| v.as_str())
        .unwrap_or("{}");
    Ok(serde_json::from_str(json)?)
}

/// Builds and publishes a new generation (see [`index::build`]), checking before it is
/// published that searching a document's title finds it.
pub fn build(options: &BuildOptions, progress: &mut dyn FnMut(BuildEvent)) -> Result<BuildReport> {
    index::build(options, progress, &|dir, sample| {
        let engine = Engine::open(dir)?;
        let mut request = SearchRequest::new(&sample.title, Audience::Advisor);
        request.per_page = 10;
        let found = engine.search(&request)?;
        // A title of stop words only matches everything, in date order: nothing to check.
        let specific = found.total < sample.documents;
        if specific && !found.hits.iter().any(|h| h.id == sample.id) {
            bail!(
                "la verificació ha fallat: cercar el títol «{}» no troba {}",
                sample.title,
                sample.id
            );
        }
        Ok(())
    })
}
