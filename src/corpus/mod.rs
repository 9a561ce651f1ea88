//! Reads `corpus/`: Markdown files with TOML front matter, the theme vocabulary and the
//! synonym list, validated into [`Document`]s. Every problem of every file is reported in
//! one run; nothing here panics on file contents.

mod document;
mod error;
mod front_matter;
mod links;
mod overlap;
mod synonyms;
mod validate;

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use unicode_normalization::UnicodeNormalization;

pub use document::{Document, Years};
pub use error::{CorpusError, CorpusErrors};
pub use overlap::{MAX_SHARED, SharedText, over_limit as shared_text};
pub use synonyms::{Expression, SynonymMatch, Synonyms};

use crate::gazetteer::Gazetteer;
use crate::taxonomy::Themes;

pub const THEMES_FILE: &str = "temes.toml";
pub const SYNONYMS_FILE: &str = "sinonims.toml";
/// Spanish and English terms and their Catalan (optional).
pub const LANGUAGES_FILE: &str = "altres-llengues.toml";
/// Larger files are refused rather than read into memory.
pub const MAX_FILE_BYTES: u64 = 2 * 1024 * 1024;

/// A whole, valid corpus.
#[derive(Debug, Clone)]
pub struct Corpus {
    pub documents: Vec<Document>,
    pub themes: Themes,
    pub synonyms: Synonyms,
    /// The raw vocabulary files, copied next to the index they were built with.
    pub themes_source: String,
    pub synonyms_source: String,
    pub languages: Synonyms,
    pub languages_source: String,
    /// Files that are not corpus documents (for `--verbose`).
    pub ignored: Vec<PathBuf>,
}

/// Loads and validates the corpus in `dir`.
pub fn load(dir: &Path) -> Result<Corpus, CorpusErrors> {
    let mut errors = Vec::new();
    let mut vocabulary = |name: &str, required: bool| {
        let path = dir.join(name);
        match read_text(&path) {
            Ok(text) => Some((path, text)),
            Err(e) => {
                if required {
                    errors.push(e);
                }
                None
            }
        }
    };
    let themes_file = vocabulary(THEMES_FILE, true);
    let synonyms_file = vocabulary(SYNONYMS_FILE, false);
    let languages_file = vocabulary(LANGUAGES_FILE, false);
    let (themes, themes_source) = match themes_file {
        Some((path, text)) => match Themes::parse(&text) {
            Ok(t) => (t, text),
            Err((line, e)) => {
                errors.push(CorpusError::new(&path, line, e));
                (Themes::default(), text)
            }
        },
        None => (Themes::default(), String::new()),
    };
    let (synonyms, synonyms_source) = match synonyms_file {
        Some((path, text)) => match Synonyms::parse(&text) {
            Ok(s) => (s, text),
            Err((line, msg)) => {
                errors.push(CorpusError::new(&path, line, msg));
                (Synonyms::default(), text)
            }
        },
        None => (Synonyms::default(), String::new()),
    };
    let (languages, languages_source) = match languages_file {
        Some((path, text)) => match Synonyms::parse_other_languages(&text) {
            Ok(l) => (l, text),
            Err((line, msg)) => {
                errors.push(CorpusError::new(&path, line, msg));
                (Synonyms::default(), text)
            }
        },
        None => (Synonyms::default(), String::new()),
    };

    let Walk {
        files,
        ignored,
        errors: mut walk_errors,
    } = walk(dir);
    errors.append(&mut walk_errors);
    let context = validate::Context {
        root: dir,
        themes: &themes,
        gazetteer: Gazetteer::get(),
    };
    let mut documents = Vec::new();
    let mut seen: HashMap<String, PathBuf> = HashMap::new();
    let mut document_links = Vec::new();
    for path in files {
        let text = match read_text(&path) {
            Ok(text) => text,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        match validate::document(&text, &path, &context) {
            Ok(doc) => {
                if let Some(first) = seen.get(&doc.id) {
                    errors.push(CorpusError::new(
                        &path,
                        2,
                        format!(
                            "l'identificador «{}» ja el fa servir {}; cada document necessita un id únic",
                            doc.id,
                            first.display()
                        ),
                    ));
                } else {
                    seen.insert(doc.id.clone(), path.clone());
                    document_links.extend(links::in_file(&text, &doc.body, documents.len(), &path));
                    documents.push(doc);
                }
            }
            Err(mut e) => errors.append(&mut e),
        }
    }
    errors.extend(links::check(&document_links, &documents));
    if errors.is_empty() {
        Ok(Corpus {
            documents,
            themes,
            synonyms,
            themes_source,
            synonyms_source,
            languages,
            languages_source,
            ignored,
        })
    } else {
        Err(CorpusErrors(errors))
    }
}

/// What a walk of the corpus folder found.
struct Walk {
    files: Vec<PathBuf>,
    ignored: Vec<PathBuf>,
    errors: Vec<CorpusError>,
}

/// Collects `*.md` files below `dir` in name order, following symbolic links; a link back up
/// the tree or to nothing is reported, never followed forever.
fn walk(dir: &Path) -> Walk {
    let mut found = Walk {
        files: Vec::new(),
        ignored: Vec::new(),
        errors: Vec::new(),
    };
    let hidden =
        |e: &walkdir::DirEntry| e.depth() > 0 && e.file_name().to_string_lossy().starts_with('.');
    let entries = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !hidden(e));
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                let path = e.path().unwrap_or(dir).to_path_buf();
                let message = if let Some(ancestor) = e.loop_ancestor() {
                    format!(
                        "l'enllaç simbòlic torna a la carpeta {}, ja llegida, i faria un bucle; esborreu-lo",
                        ancestor.display()
                    )
                } else if e.depth() == 0 {
                    format!(
                        "no es pot llegir la carpeta del corpus: {e}; comproveu que existeix i que es pot llegir"
                    )
                } else if path.is_symlink() {
                    format!(
                        "l'enllaç simbòlic no porta enlloc ({e}); esborreu-lo o feu-lo apuntar a un fitxer que existeixi"
                    )
                } else {
                    format!("no es pot llegir: {e}")
                };
                found.errors.push(CorpusError::new(&path, 1, message));
                continue;
            }
        };
        if !entry.file_type().is_file() {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.into_path();
        if path.extension().is_some_and(|e| e == "md") && !name.eq_ignore_ascii_case("README.md") {
            found.files.push(path);
        } else if !(path.parent() == Some(dir)
            && [THEMES_FILE, SYNONYMS_FILE, LANGUAGES_FILE].contains(&name.as_str()))
        {
            found.ignored.push(path);
        }
    }
    found
}

/// Reads a UTF-8 text file: BOM removed, CRLF to LF, NFC.
fn read_text(path: &Path) -> Result<String, CorpusError> {
    let meta = fs::metadata(path)
        .map_err(|e| CorpusError::new(path, 1, format!("no es pot llegir el fitxer: {e}")))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(CorpusError::new(
            path,
            1,
            format!(
                "el fitxer fa {} bytes i el màxim és {MAX_FILE_BYTES}; divideix-lo en documents més petits",
                meta.len()
            ),
        ));
    }
    let bytes = fs::read(path)
        .map_err(|e| CorpusError::new(path, 1, format!("no es pot llegir el fitxer: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..valid]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        CorpusError::new(
            path,
            line,
            format!(
                "el text no és UTF-8 vàlid (byte {valid}); deseu el fitxer amb la codificació UTF-8"
            ),
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let text = text.replace("\r\n", "\n");
    Ok(clean_text(&text))
}

/// NFC, and no soft hyphens or zero-width characters (they would split words).
fn clean_text(text: &str) -> String {
    text.nfc()
        .filter(|c| {
            !matches!(
                c,
                '\u{00ad}' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}'
            )
        })
        .collect()
}
