//! Closed vocabularies: document kinds, scopes, ABC categories, visibility and who may see
//! it, the facets, and the theme list loaded from `corpus/temes.toml`.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::analysis::fold_key;
use crate::gazetteer::SizeBand;

macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $slug:literal, $label:literal;)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.slug())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let slug = String::deserialize(d)?;
                Self::from_slug(&slug).ok_or_else(|| {
                    serde::de::Error::custom(format!("unknown value «{slug}»; expected {}", Self::choices()))
                })
            }
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value written in corpus files, URLs and the API.
            pub fn slug(self) -> &'static str {
                match self { $($name::$variant => $slug),+ }
            }

            /// The Catalan label shown to people.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn from_slug(slug: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.slug() == slug)
            }

            /// The accepted values, for error messages.
            pub fn choices() -> String {
                Self::ALL.iter().map(|v| format!("«{}»", v.slug())).collect::<Vec<_>>().join(", ")
            }
        }
    };
}

vocabulary!(
    /// What a document is; also the corpus sub-folder it lives in.
    DocKind {
        Experiencia => "experiencia", "Experiència";
        Guia => "guia", "Guia";
        GrupDeTreball => "grup-de-treball", "Grup de treball";
        Assessorament => "assessorament", "Assessorament";
        Jornada => "jornada", "Jornada";
    }
);

vocabulary!(
    /// Who acts: one town, several (comarca, mancomunitat, consortium) or the network.
    Scope {
        Municipal => "municipal", "Municipal";
        Supramunicipal => "supramunicipal", "Supramunicipal";
        Xarxa => "xarxa", "Xarxa XMESS";
    }
);

vocabulary!(
    /// The policy families of the ABC guide.
    AbcCategory {
        ConeixementPlanificacio => "coneixement-i-planificacio", "Coneixement i planificació";
        Normatives => "normatives", "Normatives";
        Fertilitzacio => "fertilitzacio", "Fertilització";
        Impuls => "impuls", "Impuls";
    }
);

vocabulary!(
    /// Internal documents are only ever shown to advisors.
    Visibility {
        Publica => "publica", "Pública";
        Interna => "interna", "Interna";
    }
);

impl Visibility {
    /// Its code in the index: an audience sees the codes up to its own.
    pub fn code(self) -> u64 {
        match self {
            Visibility::Publica => 0,
            Visibility::Interna => 1,
        }
    }
}

/// Who is asking. The public never sees, counts or hears of an internal document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Public,
    Advisor,
}

impl Audience {
    /// The highest visibility code this audience may see.
    pub fn max_visibility(self) -> u64 {
        match self {
            Audience::Public => Visibility::Publica.code(),
            Audience::Advisor => Visibility::Interna.code(),
        }
    }

    pub fn may_see(self, visibility: Visibility) -> bool {
        visibility.code() <= self.max_visibility()
    }
}

/// The facets a search can be narrowed by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FacetKind {
    Tema,
    Tipus,
    Municipi,
    Comarca,
    Provincia,
    Mida,
    #[serde(rename = "any")]
    Year,
    Categoria,
    Colleccio,
    /// Advisors only: public or internal.
    Visibilitat,
}

impl FacetKind {
    /// In the order pages list them.
    pub const ALL: &'static [FacetKind] = &[
        FacetKind::Tema,
        FacetKind::Tipus,
        FacetKind::Comarca,
        FacetKind::Municipi,
        FacetKind::Mida,
        FacetKind::Provincia,
        FacetKind::Year,
        FacetKind::Categoria,
        FacetKind::Colleccio,
        FacetKind::Visibilitat,
    ];

    /// Name of the URL parameter and of the API facet.
    pub fn param(self) -> &'static str {
        match self {
            FacetKind::Tema => "tema",
            FacetKind::Tipus => "tipus",
            FacetKind::Municipi => "municipi",
            FacetKind::Comarca => "comarca",
            FacetKind::Provincia => "provincia",
            FacetKind::Mida => "mida",
            FacetKind::Year => "any",
            FacetKind::Categoria => "categoria",
            FacetKind::Colleccio => "colleccio",
            FacetKind::Visibilitat => "visibilitat",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FacetKind::Tema => "Tema",
            FacetKind::Tipus => "Tipus de document",
            FacetKind::Municipi => "Municipi",
            FacetKind::Comarca => "Comarca",
            FacetKind::Provincia => "Província",
            FacetKind::Mida => "Mida del municipi",
            FacetKind::Year => "Any",
            FacetKind::Categoria => "Categoria de l'ABC",
            FacetKind::Colleccio => "Col·lecció",
            FacetKind::Visibilitat => "Visibilitat",
        }
    }

    /// Whether this audience gets the facet (the public never hears of visibility).
    pub fn offered_to(self, audience: Audience) -> bool {
        self != FacetKind::Visibilitat || audience == Audience::Advisor
    }

    pub fn from_param(param: &str) -> Option<FacetKind> {
        FacetKind::ALL.iter().copied().find(|k| k.param() == param)
    }
}

/// The label people see for a facet value.
pub fn facet_label(themes: &Themes, kind: FacetKind, value: &str) -> String {
    let label = match kind {
        FacetKind::Tema => themes.by_slug(value).map(|t| t.label.clone()),
        FacetKind::Tipus => DocKind::from_slug(value).map(|k| k.label().to_string()),
        FacetKind::Mida => SizeBand::from_slug(value).map(|b| b.label().to_string()),
        FacetKind::Categoria => AbcCategory::from_slug(value).map(|c| c.label().to_string()),
        FacetKind::Visibilitat => Visibility::from_slug(value).map(|v| v.label().to_string()),
        _ => None,
    };
    label.unwrap_or_else(|| value.to_string())
}

impl DocKind {
    /// The corpus sub-folder for this kind.
    pub fn folder(self) -> &'static str {
        match self {
            DocKind::Experiencia => "experiencies",
            DocKind::Guia => "guies",
            DocKind::GrupDeTreball => "grups-de-treball",
            DocKind::Assessorament => "assessoraments",
            DocKind::Jornada => "jornades",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Theme {
    pub slug: String,
    #[serde(rename = "etiqueta")]
    pub label: String,
    #[serde(rename = "descripcio")]
    pub description: String,
    #[serde(rename = "sinonims", default)]
    pub synonyms: Vec<String>,
    /// What the theme does not cover, for whoever tags documents.
    #[serde(rename = "no_inclou", default)]
    pub excludes: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    tema: Vec<Theme>,
}

/// The controlled theme vocabulary.
#[derive(Debug, Clone, Default)]
pub struct Themes {
    themes: Vec<Theme>,
    by_key: HashMap<String, usize>,
}

impl Themes {
    /// Parses `temes.toml`; the error is (line, message).
    pub fn parse(text: &str) -> Result<Themes, (usize, String)> {
        let file: ThemeFile = parse_toml(text, "temes no vàlids")?;
        Themes::from_list(file.tema).map_err(|e| (1, e))
    }

    pub fn from_list(themes: Vec<Theme>) -> Result<Themes, String> {
        let mut by_key = HashMap::new();
        for (i, t) in themes.iter().enumerate() {
            let valid_slug = !t.slug.is_empty()
                && t.slug
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !valid_slug {
                return Err(format!(
                    "el slug «{}» del tema «{}» només pot tenir minúscules, xifres i guions",
                    t.slug, t.label
                ));
            }
            for key in [t.slug.clone(), fold_key(&t.label)] {
                if by_key.insert(key, i).is_some_and(|prev| prev != i) {
                    return Err(format!("el tema «{}» està repetit", t.label));
                }
            }
        }
        Ok(Themes { themes, by_key })
    }

    pub fn all(&self) -> &[Theme] {
        &self.themes
    }

    /// Finds a theme by slug or by label (case and accents forgiven).
    pub fn find(&self, name: &str) -> Option<&Theme> {
        self.by_key
            .get(name)
            .or_else(|| self.by_key.get(&fold_key(name)))
            .map(|&i| &self.themes[i])
    }

    pub fn by_slug(&self, slug: &str) -> Option<&Theme> {
        self.by_key.get(slug).map(|&i| &self.themes[i])
    }

    pub fn suggest(&self, name: &str) -> Vec<&str> {
        crate::gazetteer::suggest(name, self.themes.iter().map(|t| t.label.as_str()))
    }
}

/// Parses a vocabulary file (themes, synonyms); the error is (line, "what: message").
pub fn parse_toml<T: serde::de::DeserializeOwned>(
    text: &str,
    what: &str,
) -> Result<T, (usize, String)> {
    toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(1, |s| line_at(text, s.start));
        (line, format!("{what}: {}", e.message().trim()))
    })
}

/// 1-based line of a byte offset.
pub fn line_at(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_slugs() {
        for kind in DocKind::ALL {
            assert_eq!(DocKind::from_slug(kind.slug()), Some(*kind));
        }
        assert_eq!(DocKind::from_slug("experiència"), None);
    }

    #[test]
    fn themes_are_found_by_label_or_slug_and_errors_name_the_line() {
        let text = "[[tema]]\nslug = \"cures\"\netiqueta = \"Cures\"\ndescripcio = \"d\"\n";
        let themes = Themes::parse(text).expect("valid");
        assert_eq!(
            themes.find("cures").map(|t| t.label.as_str()),
            Some("Cures")
        );
        assert_eq!(themes.find("CURES").map(|t| t.slug.as_str()), Some("cures"));
        let bad = "[[tema]]\nslug = \"cures\"\netiqueta = \"Cures\"\ncolor = 1\n";
        let (line, msg) = Themes::parse(bad).expect_err("unknown key");
        assert_eq!(line, 4, "{msg}");
    }
}
