//! `xmess-kb index`: corpus → a verified new generation → atomic publish.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use tantivy::{Index, IndexWriter, TantivyDocument, Term, doc};

use super::generation::{BuildInfo, Generation, current_generation_name};
use super::schema::{self, Fields};
use super::{
    ADVISOR_PART, CURRENT, DICTIONARY_FILE, FacetDictionary, INFO_FILE, LANGUAGES_COPY,
    PUBLIC_PART, SYNONYMS_COPY, THEMES_COPY,
};
use crate::analysis::{self, fold_key};
use crate::clock;
use crate::corpus::{self, Corpus, Document};
use crate::taxonomy::{Audience, FacetKind, Themes, Visibility};

pub struct BuildOptions {
    pub corpus: PathBuf,
    pub index: PathBuf,
    /// Validate and build in a scratch directory, publish nothing.
    pub dry_run: bool,
}

#[derive(Debug)]
pub struct BuildReport {
    pub generation: Option<String>,
    pub documents: usize,
    pub public_documents: usize,
    pub seconds: f64,
}

/// What a build is doing, for progress displays.
#[derive(Debug, Clone, Copy)]
pub enum BuildEvent {
    /// The corpus is valid and holds this many documents.
    Loaded {
        documents: usize,
    },
    /// `done` of `total` documents written into one part (`public` or `advisor`).
    Indexing {
        part: &'static str,
        done: usize,
        total: usize,
    },
    /// All documents of a part are handed over; tantivy finishes indexing and writes them.
    Committing {
        part: &'static str,
    },
    Verifying,
}

/// A document of the new generation, for the caller's own check that it answers.
#[derive(Debug, Clone)]
pub struct Sample {
    pub id: String,
    pub title: String,
    /// Documents in the generation.
    pub documents: usize,
}

/// Builds and publishes a new generation, reporting each step to `progress`; `check` is
/// given the new generation's folder and a sample before it is published. The published
/// one is untouched on any error.
pub fn build(
    options: &BuildOptions,
    progress: &mut dyn FnMut(BuildEvent),
    check: &dyn Fn(&Path, &Sample) -> Result<()>,
) -> Result<BuildReport> {
    let started = Instant::now();
    let corpus = corpus::load(&options.corpus)?;
    progress(BuildEvent::Loaded {
        documents: corpus.documents.len(),
    });
    fs::create_dir_all(&options.index).with_context(|| {
        format!(
            "no es pot crear la carpeta de l'índex {}; comproveu-ne els permisos",
            options.index.display()
        )
    })?;
    let _lock = lock(&options.index)?;
    let secs = clock::now_secs();
    let name = format!("gen-{}-{}", clock::compact(secs), std::process::id());
    let scratch = options.index.join(format!(".building-{name}"));
    let expected = Expected::of(&corpus);
    let result = write_generation(corpus, &scratch, &name, secs, progress).and_then(|info| {
        progress(BuildEvent::Verifying);
        verify(&scratch, &expected, check).map(|()| info)
    });
    let info = match result {
        Ok(info) => info,
        Err(e) => {
            let _ = fs::remove_dir_all(&scratch);
            return Err(e);
        }
    };
    if options.dry_run {
        fs::remove_dir_all(&scratch)?;
        return Ok(BuildReport {
            generation: None,
            documents: info.documents,
            public_documents: info.public_documents,
            seconds: started.elapsed().as_secs_f64(),
        });
    }
    let published = options.index.join(&name);
    fs::rename(&scratch, &published)
        .with_context(|| format!("no es pot moure l'índex nou a {}", published.display()))?;
    let previous = current_generation_name(&options.index).ok().flatten();
    publish(&options.index, &name)?;
    remove_old_generations(&options.index, &name, previous.as_deref());
    Ok(BuildReport {
        generation: Some(name),
        documents: info.documents,
        public_documents: info.public_documents,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// An exclusive lock on `index/.lock`, released when the process ends, however it ends.
fn lock(index_dir: &Path) -> Result<File> {
    let path = index_dir.join(".lock");
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("no es pot crear {}; comproveu els permisos", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => bail!(
            "un altre `xmess-kb index` està construint l'índex a {}; espereu que acabi i torneu-ho a provar",
            index_dir.display()
        ),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(e).with_context(|| format!("no es pot blocar {}", path.display()))
        }
    }
}

/// Writes both parts and the generation's files. The documents are consumed by the last
/// part written, each dropped once indexed, so the corpus and tantivy's writer arena are
/// not both whole in memory at the end of a large build.
fn write_generation(
    corpus: Corpus,
    dir: &Path,
    name: &str,
    secs: u64,
    progress: &mut dyn FnMut(BuildEvent),
) -> Result<BuildInfo> {
    fs::create_dir_all(dir)
        .with_context(|| format!("no es pot crear {}; comproveu els permisos", dir.display()))?;
    let year = clock::current_year();
    let Corpus {
        documents,
        themes,
        themes_source,
        synonyms_source,
        languages_source,
        ..
    } = corpus;
    let is_public = |d: &Document| d.visibility == Visibility::Publica;
    let total = documents.len();
    let public = documents.iter().filter(|d| is_public(d)).count();
    // Without internal documents the advisors' index would be a copy of the public one.
    if total > public {
        let dictionary = FacetDictionary::build(documents.iter(), year);
        let context = PartContext {
            themes: &themes,
            year,
            dictionary: &dictionary,
        };
        write_part(
            ADVISOR_PART,
            dir,
            &context,
            documents.iter(),
            total,
            progress,
        )?;
    }
    let dictionary = FacetDictionary::build(documents.iter().filter(|d| is_public(d)), year);
    let context = PartContext {
        themes: &themes,
        year,
        dictionary: &dictionary,
    };
    let public_documents = documents.into_iter().filter(is_public);
    write_part(
        PUBLIC_PART,
        dir,
        &context,
        public_documents,
        public,
        progress,
    )?;
    let info = BuildInfo {
        generation: name.to_string(),
        documents: total,
        public_documents: public,
        built_at: clock::timestamp(secs),
        year,
        analyzers: vec![
            analysis::EXACT.into(),
            analysis::STEM.into(),
            analysis::LIGHT.into(),
        ],
    };
    write_file(&dir.join(INFO_FILE), &serde_json::to_string_pretty(&info)?)?;
    write_file(&dir.join(THEMES_COPY), &themes_source)?;
    write_file(&dir.join(SYNONYMS_COPY), &synonyms_source)?;
    write_file(&dir.join(LANGUAGES_COPY), &languages_source)?;
    Ok(info)
}

/// What turning a document into an index entry needs besides the document.
struct PartContext<'a> {
    themes: &'a Themes,
    /// Year that ongoing spans run to.
    year: u16,
    /// Facet values of the part's documents.
    dictionary: &'a FacetDictionary,
}

/// One tantivy index of `documents` (`total` of them), with the facet dictionary of their
/// values.
fn write_part<D: std::borrow::Borrow<Document>>(
    part: &'static str,
    generation: &Path,
    context: &PartContext,
    documents: impl Iterator<Item = D>,
    total: usize,
    progress: &mut dyn FnMut(BuildEvent),
) -> Result<()> {
    let dir = &generation.join(part);
    fs::create_dir_all(dir)
        .with_context(|| format!("no es pot crear {}; comproveu els permisos", dir.display()))?;
    let (schema, fields) = schema::build();
    let index = Index::create_in_dir(dir, schema)?;
    analysis::register(index.tokenizers());
    let mut writer: IndexWriter = index.writer_with_num_threads(1, 100_000_000)?;
    for (done, document) in documents.enumerate() {
        let doc = to_tantivy(document.borrow(), &fields, context)?;
        writer.add_document(doc)?;
        progress(BuildEvent::Indexing {
            part,
            done: done + 1,
            total,
        });
    }
    if total == 0 {
        progress(BuildEvent::Indexing {
            part,
            done: 0,
            total,
        });
    }
    progress(BuildEvent::Committing { part });
    writer.commit()?;
    writer.wait_merging_threads()?;
    write_file(
        &dir.join(DICTIONARY_FILE),
        &serde_json::to_string(context.dictionary)?,
    )?;
    Ok(())
}

fn to_tantivy(d: &Document, fields: &Fields, context: &PartContext) -> Result<TantivyDocument> {
    let PartContext {
        themes,
        year,
        dictionary,
    } = *context;
    let theme_labels: Vec<&str> = d
        .themes
        .iter()
        .filter_map(|s| themes.by_slug(s).map(|t| t.label.as_str()))
        .collect();
    let places: Vec<&str> = d
        .municipalities
        .iter()
        .chain(&d.comarques)
        .map(String::as_str)
        .collect();
    let tags = format!("{}\n{}", theme_labels.join(". "), places.join(". "));
    // Title three times and tags twice: a pooled field approximates BM25F weighting.
    let pooled = format!(
        "{t}\n{t}\n{t}\n{tags}\n{tags}\n{body}",
        t = d.title,
        body = d.plain_body()
    );
    let mut doc = doc!(
        fields.id => d.id.clone(),
        fields.all_exact => pooled.clone(),
        fields.all_stem => pooled.clone(),
        fields.all_light => pooled,
        fields.visibility => d.visibility.code(),
        fields.recency => d.recency(year),
        fields.stored => serde_json::to_string(d)?,
    );
    for place in d
        .municipalities
        .iter()
        .chain(&d.comarques)
        .chain(&d.provinces)
    {
        doc.add_text(fields.places, fold_key(place));
    }
    for &kind in FacetKind::ALL {
        for value in d.facet_values(kind, year) {
            if let Some(ord) = dictionary.ordinal(kind, &value) {
                doc.add_u64(fields.facet(kind), ord);
            }
        }
    }
    Ok(doc)
}

fn write_file(path: &Path, content: &str) -> Result<()> {
    let mut f =
        File::create(path).with_context(|| format!("no es pot escriure {}", path.display()))?;
    f.write_all(content.as_bytes())?;
    f.sync_all()?;
    Ok(())
}

/// What the verification expects of a new generation, taken from the corpus before its
/// documents are consumed by the build.
struct Expected {
    documents: usize,
    public: usize,
    first: Option<Sample>,
}

impl Expected {
    fn of(corpus: &Corpus) -> Expected {
        let documents = corpus.documents.len();
        Expected {
            documents,
            public: corpus
                .documents
                .iter()
                .filter(|d| d.visibility == Visibility::Publica)
                .count(),
            first: corpus.documents.first().map(|d| Sample {
                id: d.id.clone(),
                title: d.title.clone(),
                documents,
            }),
        }
    }
}

/// Opens the new generation as the server would and checks its files: every document in
/// the advisors' index, only the public ones in the public index, a document found by its
/// id; then the caller's `check`.
fn verify(
    dir: &Path,
    expected: &Expected,
    check: &dyn Fn(&Path, &Sample) -> Result<()>,
) -> Result<()> {
    let generation = Generation::open(dir)?;
    for (audience, expected) in [
        (Audience::Advisor, expected.documents),
        (Audience::Public, expected.public),
    ] {
        let part = generation.part(audience);
        let searcher = part.searcher();
        let count = searcher.num_docs() as usize;
        if count != expected {
            bail!(
                "la verificació ha fallat: l'índex nou ({audience:?}) té {count} documents i se n'esperaven {expected}"
            );
        }
        let internal = Term::from_field_u64(part.fields.visibility, Visibility::Interna.code());
        let internal = searcher.doc_freq(&internal)?;
        if audience == Audience::Public && internal != 0 {
            bail!("la verificació ha fallat: l'índex públic té {internal} documents interns");
        }
    }
    if let Some(sample) = &expected.first {
        let part = generation.part(Audience::Advisor);
        let id = Term::from_field_text(part.fields.id, &sample.id);
        let hits = part.searcher().doc_freq(&id)?;
        if hits != 1 {
            bail!(
                "la verificació ha fallat: buscar «{}» ha trobat {hits} documents",
                sample.id
            );
        }
        check(dir, sample)?;
    }
    Ok(())
}

/// Switches `CURRENT` to `name` with an atomic rename.
fn publish(index_dir: &Path, name: &str) -> Result<()> {
    let tmp = index_dir.join(format!("{CURRENT}.tmp"));
    write_file(&tmp, name)?;
    fs::rename(&tmp, index_dir.join(CURRENT))
        .with_context(|| format!("no es pot publicar l'índex nou a {}", index_dir.display()))?;
    if let Ok(dir) = File::open(index_dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// Keeps the new and the previous generation; removes older ones and stale scratch dirs.
fn remove_old_generations(index_dir: &Path, current: &str, previous: Option<&str>) {
    let Ok(entries) = fs::read_dir(index_dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let keep = name == current || Some(name.as_str()) == previous;
        let ours = name.starts_with("gen-") || name.starts_with(".building-");
        if ours && !keep && entry.path().is_dir() {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}
