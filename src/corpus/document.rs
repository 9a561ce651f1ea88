//! A validated corpus document, with the facets derived from the gazetteer.

use serde::{Deserialize, Serialize};

use crate::gazetteer::SizeBand;
use crate::taxonomy::{AbcCategory, DocKind, FacetKind, Scope, Visibility};

/// Years of activity: "2019", "2021-2023" or "2016-" (still going).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Years {
    pub from: u16,
    pub to: Option<u16>,
    pub ongoing: bool,
}

impl Years {
    pub fn parse(text: &str) -> Option<Years> {
        let year = |s: &str| {
            (s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse::<u16>().ok())
                .flatten()
                .filter(|y| (1900..=2100).contains(y))
        };
        let text = text.trim();
        match text.split_once('-') {
            None => year(text).map(|y| Years {
                from: y,
                to: Some(y),
                ongoing: false,
            }),
            Some((a, "")) => year(a).map(|from| Years {
                from,
                to: None,
                ongoing: true,
            }),
            Some((a, b)) => {
                let (from, to) = (year(a)?, year(b)?);
                (from <= to).then_some(Years {
                    from,
                    to: Some(to),
                    ongoing: false,
                })
            }
        }
    }

    /// Every year covered; an ongoing span runs to `current_year`.
    pub fn each(&self, current_year: u16) -> impl Iterator<Item = u16> {
        let last = self.to.unwrap_or(current_year.max(self.from));
        self.from..=last
    }

    /// "2019", "2021–2023", "des de 2016".
    pub fn label(&self) -> String {
        match (self.to, self.ongoing) {
            (Some(to), _) if to == self.from => self.from.to_string(),
            (Some(to), _) => format!("{}–{}", self.from, to),
            (None, _) => format!("des de {}", self.from),
        }
    }
}

/// One document of the knowledge base, ready to index and to display.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Document {
    pub id: String,
    pub kind: DocKind,
    pub title: String,
    /// Canonical gazetteer names.
    pub municipalities: Vec<String>,
    /// Comarques of the municipalities plus those named in the file, without duplicates.
    pub comarques: Vec<String>,
    pub provinces: Vec<String>,
    pub size_bands: Vec<SizeBand>,
    pub scope: Scope,
    /// Theme slugs from `temes.toml`.
    pub themes: Vec<String>,
    pub abc_category: Option<AbcCategory>,
    pub collection: Option<String>,
    pub years: Option<Years>,
    /// Day of an event, `YYYY-MM-DD`.
    pub date: Option<String>,
    pub visibility: Visibility,
    pub sources: Vec<String>,
    /// The body as written (Markdown).
    pub body: String,
    /// Corpus path, for messages.
    pub path: String,
}

impl Document {
    /// The body as plain text (Markdown syntax removed): what is indexed and snippeted.
    pub fn plain_body(&self) -> String {
        crate::markdown::to_plain_text(&self.body)
    }

    /// The values this document takes in a facet (years of an ongoing span run to `year`).
    pub fn facet_values(&self, kind: FacetKind, year: u16) -> Vec<String> {
        let slugs = |slugs: &mut dyn Iterator<Item = &'static str>| {
            slugs.map(String::from).collect::<Vec<_>>()
        };
        match kind {
            FacetKind::Tema => self.themes.clone(),
            FacetKind::Tipus => vec![self.kind.slug().to_string()],
            FacetKind::Municipi => self.municipalities.clone(),
            FacetKind::Comarca => self.comarques.clone(),
            FacetKind::Provincia => self.provinces.clone(),
            FacetKind::Mida => slugs(&mut self.size_bands.iter().map(|b| b.slug())),
            FacetKind::Year => self
                .years
                .map(|y| y.each(year).map(|y| y.to_string()).collect())
                .unwrap_or_default(),
            FacetKind::Categoria => slugs(&mut self.abc_category.iter().map(|c| c.slug())),
            FacetKind::Colleccio => self.collection.iter().cloned().collect(),
            FacetKind::Visibilitat => vec![self.visibility.slug().to_string()],
        }
    }

    /// Sort key for "most recent first": the event day, else the first year of activity
    /// (a 2019–2030 plan started in 2019; an ongoing 2013– programme is not new).
    pub fn recency(&self, current_year: u16) -> u64 {
        if let Some(date) = &self.date {
            let digits: String = date.chars().filter(char::is_ascii_digit).collect();
            if let Ok(n) = digits.parse::<u64>() {
                return n;
            }
        }
        match self.years {
            Some(y) => u64::from(y.from.min(current_year)) * 10_000 + 101,
            None => 0,
        }
    }
}

impl Serialize for SizeBand {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.slug())
    }
}

impl<'de> Deserialize<'de> for SizeBand {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let slug = String::deserialize(d)?;
        SizeBand::from_slug(&slug)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown size band {slug}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_year_spans() {
        let y = Years::parse("2021-2023").expect("range");
        assert_eq!(y.each(2026).collect::<Vec<_>>(), vec![2021, 2022, 2023]);
        let open = Years::parse("2024-").expect("open");
        assert_eq!(open.each(2026).collect::<Vec<_>>(), vec![2024, 2025, 2026]);
        assert_eq!(open.label(), "des de 2024");
        assert_eq!(Years::parse("2019").map(|y| y.label()), Some("2019".into()));
        for bad in ["", "19", "2023-2021", "abcd", "2019-20"] {
            assert_eq!(Years::parse(bad), None, "{bad}");
        }
    }
}
