//! Closed vocabularies: document kinds, scopes, ABC categories, visibility, and the theme
//! list loaded from `corpus/temes.toml`.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::analysis::fold_key;
use crate::corpus::front_matter::parse_toml;

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
