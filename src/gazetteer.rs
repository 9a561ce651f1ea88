//! Municipalities and comarques of Catalonia (data/municipis.csv, data/comarques.csv,
//! compiled into the binary): canonical names, derived comarca, província, population band
//! and coordinates, and lookups that forgive missing articles and accents.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::analysis::fold_key;

const MUNICIPIS_CSV: &str = include_str!("../data/municipis.csv");
const COMARQUES_CSV: &str = include_str!("../data/comarques.csv");

#[derive(Debug, Clone)]
pub struct Municipality {
    pub name: String,
    pub comarca: String,
    pub province: String,
    pub population: u32,
    pub lat: f64,
    pub lon: f64,
}

impl Municipality {
    pub fn size_band(&self) -> SizeBand {
        SizeBand::of(self.population)
    }

    /// Great-circle distance to another town, in kilometres.
    pub fn distance_km(&self, other: &Municipality) -> f64 {
        const EARTH_KM: f64 = 6371.0;
        let (la1, la2) = (self.lat.to_radians(), other.lat.to_radians());
        let dla = la2 - la1;
        let dlo = (other.lon - self.lon).to_radians();
        let h = (dla / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlo / 2.0).sin().powi(2);
        2.0 * EARTH_KM * h.sqrt().asin()
    }
}

/// Population bands of the `mida` facet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SizeBand {
    Under5k,
    From5kTo20k,
    From20kTo50k,
    From50kTo100k,
    Over100k,
}

impl SizeBand {
    pub const ALL: [SizeBand; 5] = [
        SizeBand::Under5k,
        SizeBand::From5kTo20k,
        SizeBand::From20kTo50k,
        SizeBand::From50kTo100k,
        SizeBand::Over100k,
    ];

    pub fn of(population: u32) -> SizeBand {
        match population {
            0..5_000 => SizeBand::Under5k,
            5_000..20_000 => SizeBand::From5kTo20k,
            20_000..50_000 => SizeBand::From20kTo50k,
            50_000..100_000 => SizeBand::From50kTo100k,
            _ => SizeBand::Over100k,
        }
    }

    /// The value used in URLs and the API.
    pub fn slug(self) -> &'static str {
        match self {
            SizeBand::Under5k => "<5k",
            SizeBand::From5kTo20k => "5k-20k",
            SizeBand::From20kTo50k => "20k-50k",
            SizeBand::From50kTo100k => "50k-100k",
            SizeBand::Over100k => ">100k",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SizeBand::Under5k => "Menys de 5.000 habitants",
            SizeBand::From5kTo20k => "De 5.000 a 20.000 habitants",
            SizeBand::From20kTo50k => "De 20.000 a 50.000 habitants",
            SizeBand::From50kTo100k => "De 50.000 a 100.000 habitants",
            SizeBand::Over100k => "Més de 100.000 habitants",
        }
    }

    pub fn from_slug(slug: &str) -> Option<SizeBand> {
        SizeBand::ALL.into_iter().find(|b| b.slug() == slug)
    }
}

pub struct Gazetteer {
    municipalities: Vec<Municipality>,
    by_key: HashMap<String, usize>,
    /// The keys of `by_key`, sorted, for lookups by the start of a name.
    sorted_keys: Vec<(String, usize)>,
    comarques: Vec<String>,
    comarca_by_key: HashMap<String, usize>,
}

/// Catalan articles that may lead a place name and that people often leave out.
const ARTICLES: [&str; 5] = ["el ", "la ", "els ", "les ", "es "];

fn without_article(key: &str) -> &str {
    ARTICLES
        .iter()
        .find_map(|a| key.strip_prefix(a))
        .unwrap_or(key)
}

impl Gazetteer {
    /// The gazetteer compiled into the binary.
    pub fn get() -> &'static Gazetteer {
        static GAZETTEER: OnceLock<Gazetteer> = OnceLock::new();
        GAZETTEER.get_or_init(|| Gazetteer::parse(MUNICIPIS_CSV, COMARQUES_CSV))
    }

    fn parse(municipis: &str, comarques_csv: &str) -> Gazetteer {
        #[derive(serde::Deserialize)]
        struct Row {
            municipi: String,
            comarca: String,
            provincia: String,
            poblacio: u32,
            lat: f64,
            lon: f64,
        }
        // The files are checked in tests; a malformed row is skipped rather than trusted.
        let municipalities: Vec<Municipality> = csv::Reader::from_reader(municipis.as_bytes())
            .deserialize::<Row>()
            .flatten()
            .map(|r| Municipality {
                name: r.municipi,
                comarca: r.comarca,
                province: r.provincia,
                population: r.poblacio,
                lat: r.lat,
                lon: r.lon,
            })
            .collect();
        let mut by_key = HashMap::new();
        for (i, m) in municipalities.iter().enumerate() {
            let key = fold_key(&m.name);
            by_key.insert(without_article(&key).to_string(), i);
            by_key.insert(key, i);
        }
        let comarques: Vec<String> = csv::Reader::from_reader(comarques_csv.as_bytes())
            .records()
            .flatten()
            .filter_map(|row| row.get(1).map(String::from))
            .collect();
        let comarca_by_key = comarques
            .iter()
            .enumerate()
            .map(|(i, c)| (fold_key(c), i))
            .collect();
        let mut sorted_keys: Vec<(String, usize)> =
            by_key.iter().map(|(k, &i)| (k.clone(), i)).collect();
        sorted_keys.sort();
        Gazetteer {
            municipalities,
            by_key,
            sorted_keys,
            comarques,
            comarca_by_key,
        }
    }

    pub fn municipalities(&self) -> &[Municipality] {
        &self.municipalities
    }

    pub fn comarques(&self) -> &[String] {
        &self.comarques
    }

    /// Finds a municipality whatever the article, case or accents ("prat de llobregat").
    pub fn municipality(&self, name: &str) -> Option<&Municipality> {
        let key = fold_key(name);
        self.by_key
            .get(&key)
            .or_else(|| self.by_key.get(without_article(&key)))
            .map(|&i| &self.municipalities[i])
    }

    /// Canonical comarca name, forgiving article, case and accents ("valles occidental").
    pub fn comarca(&self, name: &str) -> Option<&str> {
        let key = fold_key(name);
        self.comarca_by_key
            .get(&key)
            .or_else(|| self.comarca_by_key.get(without_article(&key)))
            .map(|&i| self.comarques[i].as_str())
    }

    /// The municipalities whose name (article optional) starts with the words of `text`.
    pub fn municipalities_starting_with(&self, text: &str) -> Vec<&Municipality> {
        let key = fold_key(text);
        let words = format!("{key} ");
        // Keys are sorted: the names starting with `key` are one run from `key` on.
        let from = self
            .sorted_keys
            .partition_point(|(k, _)| k.as_str() < key.as_str());
        let mut found: Vec<usize> = self.sorted_keys[from..]
            .iter()
            .take_while(|(k, _)| k.starts_with(&key))
            .filter(|(k, _)| *k == key || k.starts_with(&words))
            .map(|&(_, i)| i)
            .collect();
        found.sort_unstable();
        found.dedup();
        found.iter().map(|&i| &self.municipalities[i]).collect()
    }

    /// The closest municipality names to a misspelt one, best first.
    pub fn suggest_municipality(&self, name: &str) -> Vec<&str> {
        suggest(name, self.municipalities.iter().map(|m| m.name.as_str()))
    }

    pub fn suggest_comarca(&self, name: &str) -> Vec<&str> {
        suggest(name, self.comarques.iter().map(String::as_str))
    }
}

/// Up to three candidates within a small edit distance of `name` (compared folded).
pub fn suggest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let key = fold_key(name);
    let key = without_article(&key).to_string();
    let stems = stem_key(&key);
    let budget = (key.chars().count() / 4).clamp(1, 4);
    // Ranked by edits, then by how much longer the candidate is (a prefix costs no edit).
    let mut scored: Vec<(usize, usize, &str)> = candidates
        .filter_map(|c| {
            let ck = fold_key(c);
            let ck = without_article(&ck);
            // Same stems ("cura" / "Cures") count as no edit at all.
            let d = if stem_key(ck) == stems {
                0
            } else {
                strsim::levenshtein(&key, ck)
            };
            let prefix = ck.starts_with(&key) && key.len() >= 4;
            let extra = ck.len().abs_diff(key.len());
            (d <= budget || prefix).then_some((if prefix { 0 } else { d }, extra, c))
        })
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, _, c)| c).collect()
}

fn stem_key(folded: &str) -> String {
    folded
        .split(' ')
        .map(|w| crate::analysis::stem(w).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_every_municipality_and_comarca() {
        let g = Gazetteer::get();
        assert_eq!(g.municipalities().len(), 947);
        assert_eq!(g.comarques().len(), 43);
        let comma = g.municipality("Castell d'Aro, Platja d'Aro i s'Agaró");
        assert_eq!(comma.map(|m| m.comarca.as_str()), Some("Baix Empordà"));
    }

    #[test]
    fn finds_names_without_article_or_accents() {
        let g = Gazetteer::get();
        let prat = g.municipality("prat de llobregat").map(|m| m.name.as_str());
        assert_eq!(prat, Some("El Prat de Llobregat"));
        let hosp = g
            .municipality("l’hospitalet de llobregat")
            .map(|m| m.name.as_str());
        assert_eq!(hosp, Some("L'Hospitalet de Llobregat"));
        assert_eq!(
            g.municipality("navas").map(|m| m.name.as_str()),
            Some("Navàs")
        );
        assert_eq!(g.comarca("valles occidental"), Some("Vallès Occidental"));
        assert!(g.municipality("Atlantis").is_none());
    }

    #[test]
    fn distances_between_towns_are_great_circle_kilometres() {
        let g = Gazetteer::get();
        let (Some(vic), Some(centelles), Some(girona)) = (
            g.municipality("Vic"),
            g.municipality("Centelles"),
            g.municipality("Girona"),
        ) else {
            panic!("the gazetteer has these towns");
        };
        let near = vic.distance_km(centelles);
        let far = vic.distance_km(girona);
        assert!((10.0..25.0).contains(&near), "{near}");
        assert!((40.0..60.0).contains(&far), "{far}");
        assert!(vic.distance_km(vic) < 1e-9);
    }

    #[test]
    fn derives_size_band_from_population() {
        let g = Gazetteer::get();
        let band = |n: &str| g.municipality(n).map(Municipality::size_band);
        assert_eq!(band("Barcelona"), Some(SizeBand::Over100k));
        assert_eq!(band("Navàs"), Some(SizeBand::From5kTo20k));
        assert_eq!(band("Rupià"), Some(SizeBand::Under5k));
    }

    #[test]
    fn finds_the_towns_a_name_starts() {
        let g = Gazetteer::get();
        let names = |text: &str| -> Vec<&str> {
            g.municipalities_starting_with(text)
                .iter()
                .map(|m| m.name.as_str())
                .collect()
        };
        assert_eq!(
            names("sant cugat"),
            vec!["Sant Cugat del Vallès", "Sant Cugat Sesgarrigues"]
        );
        assert_eq!(names("prat de llobregat"), vec!["El Prat de Llobregat"]);
        assert!(names("sant cug").is_empty(), "whole words only");
        assert!(names("sant joan").len() > 3);
    }

    #[test]
    fn suggests_close_names() {
        let g = Gazetteer::get();
        assert_eq!(
            g.suggest_municipality("Sant Cugat").first().copied(),
            Some("Sant Cugat del Vallès")
        );
        assert_eq!(
            g.suggest_municipality("Mantresa").first().copied(),
            Some("Manresa")
        );
    }
}
