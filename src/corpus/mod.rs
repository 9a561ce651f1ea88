//! Reads `corpus/`: Markdown files with TOML front matter, the theme vocabulary and the
//! synonym list, validated into [`Document`]s. Every problem of every file is reported in
//! one run; nothing here panics on file contents.

mod document;
mod error;
pub(crate) mod front_matter;

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

use unicode_normalization::UnicodeNormalization;

pub use document::{Document, Years};
pub use error::{CorpusError, CorpusErrors};

use crate::gazetteer::Gazetteer;
use crate::search::synonyms::Synonyms;
use crate::taxonomy::{AbcCategory, DocKind, Scope, Themes, Visibility};

pub const THEMES_FILE: &str = "temes.toml";
pub const SYNONYMS_FILE: &str = "sinonims.toml";
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
    /// Files that are not corpus documents (for `--verbose`).
    pub ignored: Vec<PathBuf>,
}

/// Loads and validates the corpus in `dir`.
pub fn load(dir: &Path) -> Result<Corpus, CorpusErrors> {
    let mut errors = Vec::new();
    let themes_path = dir.join(THEMES_FILE);
    let (themes, themes_source) = match read_text(&themes_path) {
        Ok(text) => match Themes::parse(&text) {
            Ok(t) => (t, text),
            Err((line, e)) => {
                errors.push(CorpusError::new(&themes_path, line, e));
                (Themes::default(), text)
            }
        },
        Err(e) => {
            errors.push(e);
            (Themes::default(), String::new())
        }
    };
    let synonyms_path = dir.join(SYNONYMS_FILE);
    let (synonyms, synonyms_source) = match read_text(&synonyms_path) {
        Ok(text) => match Synonyms::parse(&text) {
            Ok(s) => (s, text),
            Err((line, msg)) => {
                errors.push(CorpusError::new(&synonyms_path, line, msg));
                (Synonyms::default(), text)
            }
        },
        Err(_) => (Synonyms::default(), String::new()),
    };

    let mut found = Walk::default();
    if let Err(e) = walk(dir, &mut found) {
        errors.push(CorpusError::new(
            dir,
            1,
            format!("no es pot llegir la carpeta del corpus: {e}; comproveu que existeix i que es pot llegir"),
        ));
    }
    errors.append(&mut found.errors);
    let Walk {
        mut files, ignored, ..
    } = found;
    files.sort();

    let gazetteer = Gazetteer::get();
    let mut documents = Vec::new();
    let mut seen: HashMap<String, PathBuf> = HashMap::new();
    for path in files {
        match load_file(&path, dir, &themes, gazetteer) {
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
                    documents.push(doc);
                }
            }
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() {
        Ok(Corpus {
            documents,
            themes,
            synonyms,
            themes_source,
            synonyms_source,
            ignored,
        })
    } else {
        Err(CorpusErrors(errors))
    }
}

/// What a walk of the corpus folder found.
#[derive(Default)]
struct Walk {
    files: Vec<PathBuf>,
    ignored: Vec<PathBuf>,
    errors: Vec<CorpusError>,
    /// Canonical paths of the folders already walked: a symbolic link back up the tree
    /// is reported instead of followed forever.
    visited: Vec<PathBuf>,
}

/// Collects `*.md` files below `dir`, following symbolic links to files and folders.
fn walk(dir: &Path, found: &mut Walk) -> std::io::Result<()> {
    if let Ok(canonical) = fs::canonicalize(dir) {
        found.visited.push(canonical);
    }
    let mut entries: Vec<_> = fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let mut file_type = entry.file_type()?;
        if file_type.is_symlink() {
            match fs::metadata(&path) {
                Ok(meta) => file_type = meta.file_type(),
                Err(e) => {
                    found.errors.push(CorpusError::new(
                        &path,
                        1,
                        format!(
                            "l'enllaç simbòlic no porta enlloc ({e}); esborreu-lo o feu-lo apuntar a un fitxer que existeixi"
                        ),
                    ));
                    continue;
                }
            }
        }
        if file_type.is_dir() {
            let canonical = fs::canonicalize(&path)?;
            if found.visited.contains(&canonical) {
                found.errors.push(CorpusError::new(
                    &path,
                    1,
                    format!(
                        "l'enllaç simbòlic torna a la carpeta {}, ja llegida, i faria un bucle; esborreu-lo",
                        canonical.display()
                    ),
                ));
                continue;
            }
            walk(&path, found)?;
        } else if file_type.is_file() && path.extension().is_some_and(|e| e == "md") {
            if name.eq_ignore_ascii_case("README.md") {
                found.ignored.push(path)
            } else {
                found.files.push(path)
            }
        } else if ![THEMES_FILE, SYNONYMS_FILE].contains(&name.to_string_lossy().as_ref()) {
            found.ignored.push(path);
        }
    }
    Ok(())
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

fn load_file(
    path: &Path,
    root: &Path,
    themes: &Themes,
    gazetteer: &Gazetteer,
) -> Result<Document, Vec<CorpusError>> {
    let text = read_text(path).map_err(|e| vec![e])?;
    if text.trim().is_empty() {
        return Err(vec![CorpusError::new(
            path,
            1,
            "el fitxer és buit; cal un bloc de metadades entre línies «+++» i el text del document",
        )]);
    }
    let split = front_matter::split(&text).map_err(|(l, m)| vec![CorpusError::new(path, l, m)])?;
    let raw = front_matter::parse(split.front_matter)
        .map_err(|(l, m)| vec![CorpusError::new(path, l, m)])?;
    let fm = split.front_matter;
    let mut errors = Vec::new();
    let mut err = |line: usize, msg: String| errors.push(CorpusError::new(path, line, msg));
    let line = |key: &str, value: Option<&str>| front_matter::find_line(fm, key, value);

    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    let id_ok = !raw.id.is_empty()
        && raw
            .id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !id_ok {
        err(
            line("id", None),
            format!(
                "l'id «{}» només pot tenir minúscules sense accents, xifres i guions",
                raw.id
            ),
        );
    } else if raw.id != stem {
        err(
            line("id", None),
            format!(
                "l'id «{}» no coincideix amb el nom del fitxer «{stem}.md»; canvieu l'un o l'altre",
                raw.id
            ),
        );
    }

    let kind = DocKind::from_slug(&raw.tipus);
    if kind.is_none() {
        err(
            line("tipus", None),
            format!(
                "tipus desconegut «{}»; valors possibles: {}",
                raw.tipus,
                DocKind::choices()
            ),
        );
    }
    if raw.titol.trim().is_empty() {
        err(line("titol", None), "el títol és buit".into());
    }

    let mut municipalities = Vec::new();
    let mut comarques = BTreeSet::new();
    let mut provinces = BTreeSet::new();
    let mut size_bands = BTreeSet::new();
    for name in &raw.municipis {
        match gazetteer.municipality(name) {
            Some(m) => {
                if !municipalities.contains(&m.name) {
                    municipalities.push(m.name.clone());
                }
                comarques.insert(m.comarca.clone());
                provinces.insert(m.province.clone());
                size_bands.insert(m.size_band());
            }
            None => err(
                line("municipis", Some(name)),
                unknown_with_hint(
                    "municipi desconegut",
                    name,
                    &gazetteer.suggest_municipality(name),
                ),
            ),
        }
    }
    for name in &raw.comarques {
        match gazetteer.comarca(name) {
            Some(c) => {
                comarques.insert(c.to_string());
            }
            None => err(
                line("comarques", Some(name)),
                unknown_with_hint(
                    "comarca desconeguda",
                    name,
                    &gazetteer.suggest_comarca(name),
                ),
            ),
        }
    }

    let scope = match raw.ambit.as_deref() {
        None => Some(Scope::Municipal),
        Some(s) => Scope::from_slug(s),
    };
    if scope.is_none() {
        err(
            line("ambit", None),
            format!(
                "àmbit desconegut «{}»; valors possibles: {}",
                raw.ambit.as_deref().unwrap_or(""),
                Scope::choices()
            ),
        );
    }

    let mut theme_slugs = Vec::new();
    if raw.temes.is_empty() {
        err(
            line("temes", None).max(2),
            "cal almenys un tema de corpus/temes.toml a «temes»".into(),
        );
    }
    // Without a valid vocabulary every theme would be "unknown": that error is reported once.
    for name in raw.temes.iter().filter(|_| !themes.all().is_empty()) {
        match themes.find(name) {
            Some(t) => {
                if !theme_slugs.contains(&t.slug) {
                    theme_slugs.push(t.slug.clone());
                }
            }
            None => err(
                line("temes", Some(name)),
                unknown_with_hint("tema desconegut", name, &themes.suggest(name)),
            ),
        }
    }

    let abc_category = raw.categoria_abc.as_deref().and_then(|c| {
        let found = AbcCategory::from_slug(c);
        if found.is_none() {
            err(
                line("categoria_abc", None),
                format!(
                    "categoria ABC desconeguda «{c}»; valors possibles: {}",
                    AbcCategory::choices()
                ),
            );
        }
        found
    });
    let years = raw.anys.as_deref().and_then(|a| {
        let parsed = Years::parse(a);
        if parsed.is_none() {
            err(line("anys", None), format!("anys «{a}» no vàlids; escriviu un any («2019»), un interval («2021-2023») o un inici obert («2016-»)"));
        }
        parsed
    });
    let date = raw.data.as_ref().and_then(|d| match (d.date, d.time) {
        (Some(date), None) => Some(format!(
            "{:04}-{:02}-{:02}",
            date.year, date.month, date.day
        )),
        _ => {
            err(
                line("data", None),
                "la data ha de ser un dia sense hora, per exemple data = 2023-09-21".into(),
            );
            None
        }
    });
    let visibility = match raw.visibilitat.as_deref() {
        None => Some(Visibility::Publica),
        Some(v) => Visibility::from_slug(v),
    };
    if visibility.is_none() {
        err(
            line("visibilitat", None),
            format!(
                "visibilitat desconeguda «{}»; valors possibles: {}",
                raw.visibilitat.as_deref().unwrap_or(""),
                Visibility::choices()
            ),
        );
    }
    for url in &raw.fonts {
        if !(url.starts_with("https://") || url.starts_with("http://"))
            || url.contains(char::is_whitespace)
        {
            err(
                line("fonts", Some(url)),
                format!("la font «{url}» no és una adreça web (ha de començar per https://)"),
            );
        }
    }
    if raw.fonts.is_empty() && visibility == Some(Visibility::Publica) {
        err(
            line("fonts", None),
            "un document públic ha de citar almenys una font a «fonts»".into(),
        );
    }
    let body = split.body.trim();
    if body.is_empty() {
        err(
            split.body_line,
            "el cos del document és buit; escriviu-hi el text després de la línia «+++»".into(),
        );
    }

    let (Some(kind), Some(scope), Some(visibility), true) =
        (kind, scope, visibility, errors.is_empty())
    else {
        return Err(errors);
    };
    let rel = path.strip_prefix(root).unwrap_or(path);
    let in_folder = rel
        .components()
        .next()
        .map(|c| c.as_os_str().to_string_lossy().to_string());
    if rel.components().count() > 1 && in_folder.as_deref() != Some(kind.folder()) {
        return Err(vec![CorpusError::new(
            path,
            line("tipus", None),
            format!(
                "un document de tipus «{}» ha d'estar a la carpeta {}/ (és a {}/)",
                kind.slug(),
                kind.folder(),
                in_folder.unwrap_or_default()
            ),
        )]);
    }
    Ok(Document {
        id: raw.id,
        kind,
        title: raw.titol.trim().to_string(),
        municipalities,
        comarques: comarques.into_iter().collect(),
        provinces: provinces.into_iter().collect(),
        size_bands: size_bands.into_iter().collect(),
        scope,
        themes: theme_slugs,
        abc_category,
        collection: raw.colleccio.filter(|c| !c.trim().is_empty()),
        years,
        date,
        visibility,
        sources: raw.fonts,
        body: body.to_string(),
        path: path.display().to_string(),
    })
}

/// "municipi desconegut «X»; vols dir «Y»?"
fn unknown_with_hint(what: &str, name: &str, suggestions: &[&str]) -> String {
    match suggestions {
        [] => format!("{what} «{name}»"),
        [one] => format!("{what} «{name}»; vols dir «{one}»?"),
        many => format!(
            "{what} «{name}»; vols dir {}?",
            many.iter()
                .map(|s| format!("«{s}»"))
                .collect::<Vec<_>>()
                .join(" o ")
        ),
    }
}
