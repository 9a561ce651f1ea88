//! One corpus file → a validated [`Document`], or every problem in it with its line.

use std::collections::BTreeSet;
use std::ops::Range;
use std::path::Path;

use toml::Spanned;

use super::document::{Document, Years};
use super::error::CorpusError;
use super::front_matter::{self, RawFrontMatter, file_line};
use crate::gazetteer::Gazetteer;
use crate::taxonomy::{AbcCategory, DocKind, Scope, Themes, Visibility};

/// What validating one file needs besides the file.
pub(super) struct Context<'a> {
    pub root: &'a Path,
    pub themes: &'a Themes,
    pub gazetteer: &'a Gazetteer,
}

/// Collects the errors of one file, each at its line.
struct Errors<'a> {
    path: &'a Path,
    front_matter: &'a str,
    list: Vec<CorpusError>,
}

impl Errors<'_> {
    fn at(&mut self, span: Range<usize>, message: String) {
        let line = file_line(self.front_matter, span.start);
        self.list.push(CorpusError::new(self.path, line, message));
    }

    /// A value of a closed vocabulary: `default` when absent, an error listing the choices
    /// when unknown (`None`).
    fn closed<T>(
        &mut self,
        value: Option<&Spanned<String>>,
        default: Option<T>,
        from_slug: fn(&str) -> Option<T>,
        unknown: &str,
        choices: fn() -> String,
    ) -> Option<Option<T>> {
        let Some(value) = value else {
            return Some(default);
        };
        match from_slug(value.get_ref()) {
            Some(found) => Some(Some(found)),
            None => {
                let message = format!(
                    "{unknown} «{}»; valors possibles: {}",
                    value.get_ref(),
                    choices()
                );
                self.at(value.span(), message);
                None
            }
        }
    }
}

pub(super) fn document(
    text: &str,
    path: &Path,
    context: &Context,
) -> Result<Document, Vec<CorpusError>> {
    if text.trim().is_empty() {
        return Err(vec![CorpusError::new(
            path,
            1,
            "el fitxer és buit; cal un bloc de metadades entre línies «+++» i el text del document",
        )]);
    }
    let split = front_matter::split(text).map_err(|(l, m)| vec![CorpusError::new(path, l, m)])?;
    let raw = front_matter::parse(split.front_matter)
        .map_err(|(l, m)| vec![CorpusError::new(path, l, m)])?;
    let mut errors = Errors {
        path,
        front_matter: split.front_matter,
        list: Vec::new(),
    };
    check_id(&raw, path, &mut errors);
    let kind = errors.closed(
        Some(&raw.tipus),
        None,
        DocKind::from_slug,
        "tipus desconegut",
        DocKind::choices,
    );
    let scope = errors.closed(
        raw.ambit.as_ref(),
        Some(Scope::Municipal),
        Scope::from_slug,
        "àmbit desconegut",
        Scope::choices,
    );
    let abc_category = errors.closed(
        raw.categoria_abc.as_ref(),
        None,
        AbcCategory::from_slug,
        "categoria ABC desconeguda",
        AbcCategory::choices,
    );
    let visibility = errors.closed(
        raw.visibilitat.as_ref(),
        Some(Visibility::Publica),
        Visibility::from_slug,
        "visibilitat desconeguda",
        Visibility::choices,
    );
    if raw.titol.get_ref().trim().is_empty() {
        errors.at(raw.titol.span(), "el títol és buit".into());
    }
    let places = places(&raw, context.gazetteer, &mut errors);
    let themes = themes(&raw, context.themes, &mut errors);
    let years = raw.anys.as_ref().and_then(|a| {
        let parsed = Years::parse(a.get_ref());
        if parsed.is_none() {
            errors.at(a.span(), format!("anys «{}» no vàlids; escriviu un any («2019»), un interval («2021-2023») o un inici obert («2016-»)", a.get_ref()));
        }
        parsed
    });
    let date = raw
        .data
        .as_ref()
        .and_then(|d| match (d.get_ref().date, d.get_ref().time) {
            (Some(date), None) => Some(format!(
                "{:04}-{:02}-{:02}",
                date.year, date.month, date.day
            )),
            _ => {
                let message = "la data ha de ser un dia sense hora, per exemple data = 2023-09-21";
                errors.at(d.span(), message.into());
                None
            }
        });
    let sources = sources(&raw, visibility.flatten(), &mut errors);
    let body = split.body.trim();
    if body.is_empty() {
        errors.list.push(CorpusError::new(
            path,
            split.body_line,
            "el cos del document és buit; escriviu-hi el text després de la línia «+++»",
        ));
    }
    let (Some(Some(kind)), Some(Some(scope)), Some(abc_category), Some(Some(visibility)), true) = (
        kind,
        scope,
        abc_category,
        visibility,
        errors.list.is_empty(),
    ) else {
        return Err(errors.list);
    };
    check_folder(path, context.root, kind, &raw, split.front_matter)?;
    let Places {
        municipalities,
        comarques,
        provinces,
        size_bands,
    } = places;
    Ok(Document {
        id: raw.id.into_inner(),
        kind,
        title: raw.titol.get_ref().trim().to_string(),
        municipalities,
        comarques: comarques.into_iter().collect(),
        provinces: provinces.into_iter().collect(),
        size_bands: size_bands.into_iter().collect(),
        scope,
        themes,
        abc_category,
        collection: raw.colleccio.filter(|c| !c.trim().is_empty()),
        years,
        date,
        visibility,
        sources,
        body: body.to_string(),
        path: path.display().to_string(),
    })
}

fn check_id(raw: &RawFrontMatter, path: &Path, errors: &mut Errors) {
    let id = raw.id.get_ref();
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    let valid = !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !valid {
        let message =
            format!("l'id «{id}» només pot tenir minúscules sense accents, xifres i guions");
        errors.at(raw.id.span(), message);
    } else if *id != stem {
        let message = format!(
            "l'id «{id}» no coincideix amb el nom del fitxer «{stem}.md»; canvieu l'un o l'altre"
        );
        errors.at(raw.id.span(), message);
    }
}

/// A document of a kind lives in that kind's folder (or at the top of the corpus).
fn check_folder(
    path: &Path,
    root: &Path,
    kind: DocKind,
    raw: &RawFrontMatter,
    front_matter: &str,
) -> Result<(), Vec<CorpusError>> {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let in_folder = rel
        .components()
        .next()
        .map(|c| c.as_os_str().to_string_lossy().to_string());
    if rel.components().count() > 1 && in_folder.as_deref() != Some(kind.folder()) {
        return Err(vec![CorpusError::new(
            path,
            file_line(front_matter, raw.tipus.span().start),
            format!(
                "un document de tipus «{}» ha d'estar a la carpeta {}/ (és a {}/)",
                kind.slug(),
                kind.folder(),
                in_folder.unwrap_or_default()
            ),
        )]);
    }
    Ok(())
}

#[derive(Default)]
struct Places {
    municipalities: Vec<String>,
    comarques: BTreeSet<String>,
    provinces: BTreeSet<String>,
    size_bands: BTreeSet<crate::gazetteer::SizeBand>,
}

fn places(raw: &RawFrontMatter, gazetteer: &Gazetteer, errors: &mut Errors) -> Places {
    let mut places = Places::default();
    for name in &raw.municipis {
        match gazetteer.municipality(name.get_ref()) {
            Some(m) => {
                if !places.municipalities.contains(&m.name) {
                    places.municipalities.push(m.name.clone());
                }
                places.comarques.insert(m.comarca.clone());
                places.provinces.insert(m.province.clone());
                places.size_bands.insert(m.size_band());
            }
            None => {
                let hints = gazetteer.suggest_municipality(name.get_ref());
                let message = unknown_with_hint("municipi desconegut", name.get_ref(), &hints);
                errors.at(name.span(), message);
            }
        }
    }
    for name in &raw.comarques {
        match gazetteer.comarca(name.get_ref()) {
            Some(c) => {
                places.comarques.insert(c.to_string());
            }
            None => {
                let hints = gazetteer.suggest_comarca(name.get_ref());
                let message = unknown_with_hint("comarca desconeguda", name.get_ref(), &hints);
                errors.at(name.span(), message);
            }
        }
    }
    places
}

fn themes(raw: &RawFrontMatter, themes: &Themes, errors: &mut Errors) -> Vec<String> {
    let listed = raw
        .temes
        .as_ref()
        .map_or(&[][..], |t| t.get_ref().as_slice());
    if listed.is_empty() {
        let span = raw.temes.as_ref().map_or(0..0, |t| t.span());
        errors.at(
            span,
            "cal almenys un tema de corpus/temes.toml a «temes»".into(),
        );
    }
    let mut slugs = Vec::new();
    // Without a valid vocabulary every theme would be "unknown": that error is reported once.
    for name in listed.iter().filter(|_| !themes.all().is_empty()) {
        match themes.find(name.get_ref()) {
            Some(t) if slugs.contains(&t.slug) => {}
            Some(t) => slugs.push(t.slug.clone()),
            None => {
                let hints = themes.suggest(name.get_ref());
                let message = unknown_with_hint("tema desconegut", name.get_ref(), &hints);
                errors.at(name.span(), message);
            }
        }
    }
    slugs
}

fn sources(
    raw: &RawFrontMatter,
    visibility: Option<Visibility>,
    errors: &mut Errors,
) -> Vec<String> {
    let listed = raw
        .fonts
        .as_ref()
        .map_or(&[][..], |f| f.get_ref().as_slice());
    for url in listed {
        let text = url.get_ref();
        let web = text.starts_with("https://") || text.starts_with("http://");
        if !web || text.contains(char::is_whitespace) {
            let message =
                format!("la font «{text}» no és una adreça web (ha de començar per https://)");
            errors.at(url.span(), message);
        }
    }
    if listed.is_empty() && visibility == Some(Visibility::Publica) {
        let span = raw.fonts.as_ref().map_or(0..0, |f| f.span());
        let message = "un document públic ha de citar almenys una font a «fonts»";
        errors.at(span, message.into());
    }
    listed.iter().map(|u| u.get_ref().clone()).collect()
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
