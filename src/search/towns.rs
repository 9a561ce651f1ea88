//! «Pràctiques per a municipis com el meu»: for any municipality of the gazetteer, with or
//! without documents of its own, the practices of its comarca, of the nearest towns that
//! have some, and of towns of its size, each narrowed to a topic when one is given.

use std::collections::BTreeMap;

use anyhow::Result;

use super::engine::Engine;
use super::request::SearchRequest;
use crate::gazetteer::{Gazetteer, Municipality};
use crate::taxonomy::{Audience, DocKind, FacetKind};

/// Documents shown per group; each group links to its whole search.
const PER_GROUP: usize = 5;
/// Nearest towns with documents gathered into one group.
const NEAREST_TOWNS: usize = 5;

/// The practices for towns like one.
#[derive(Debug, Clone)]
pub struct TownsLike {
    pub town: Municipality,
    pub topic: String,
    pub groups: Vec<TownGroup>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupKind {
    /// The town's own documents.
    Own,
    Comarca,
    Nearest,
    SameSize,
}

/// One way a town is like another, and what it finds.
#[derive(Debug, Clone)]
pub struct TownGroup {
    pub kind: GroupKind,
    pub heading: String,
    /// The search behind the group (the topic and these filters), for its link.
    pub filters: BTreeMap<FacetKind, Vec<String>>,
    /// Documents of that search, the town's own left out of every group but its own.
    pub total: usize,
    pub docs: Vec<TownDoc>,
}

#[derive(Debug, Clone)]
pub struct TownDoc {
    pub id: String,
    pub title: String,
    pub kind: DocKind,
    /// The document's towns, with their distance when the group is the nearest towns.
    pub places: String,
}

impl Engine {
    /// The groups for `town` (a gazetteer name, any spelling), or `None` for a name the
    /// gazetteer does not know.
    pub fn towns_like(
        &self,
        town: &str,
        topic: &str,
        audience: Audience,
    ) -> Result<Option<TownsLike>> {
        let Some(town) = Gazetteer::get().municipality(town).cloned() else {
            return Ok(None);
        };
        let band = town.size_band();
        let mut groups = Vec::new();
        let one = |kind: FacetKind, value: &str| BTreeMap::from([(kind, vec![value.to_string()])]);
        let asked = [
            (
                GroupKind::Own,
                format!("De {}", town.name),
                one(FacetKind::Municipi, &town.name),
            ),
            (
                GroupKind::Comarca,
                format!("A la comarca ({})", town.comarca),
                one(FacetKind::Comarca, &town.comarca),
            ),
        ];
        for (kind, heading, filters) in asked {
            groups.push(self.town_group(kind, heading, filters, topic, audience, &town)?);
        }
        if let Some(nearest) = self.nearest_towns(&town, topic, audience)? {
            groups.push(nearest);
        }
        groups.push(self.town_group(
            GroupKind::SameSize,
            format!(
                "Municipis de la mateixa mida ({})",
                band.label().to_lowercase()
            ),
            one(FacetKind::Mida, band.slug()),
            topic,
            audience,
            &town,
        )?);
        Ok(Some(TownsLike {
            town,
            topic: topic.to_string(),
            groups,
        }))
    }

    fn town_group(
        &self,
        kind: GroupKind,
        heading: String,
        filters: BTreeMap<FacetKind, Vec<String>>,
        topic: &str,
        audience: Audience,
        town: &Municipality,
    ) -> Result<TownGroup> {
        let mut request = SearchRequest::new(topic, audience);
        request.filters = filters.clone();
        let own = kind == GroupKind::Own;
        let total = self.count(&request)?;
        let docs = self
            .top_documents(&request, PER_GROUP + if own { 0 } else { PER_GROUP })?
            .into_iter()
            .filter(|d| own || !d.municipalities.contains(&town.name))
            .take(PER_GROUP)
            .map(|d| TownDoc {
                places: d.municipalities.join(", "),
                id: d.id,
                title: d.title,
                kind: d.kind,
            })
            .collect();
        Ok(TownGroup {
            kind,
            heading,
            filters,
            total,
            docs,
        })
    }

    /// The nearest towns (not `town`) with documents for the topic, as one group.
    fn nearest_towns(
        &self,
        town: &Municipality,
        topic: &str,
        audience: Audience,
    ) -> Result<Option<TownGroup>> {
        let mut request = SearchRequest::new(topic, audience);
        request.per_page = 1;
        let results = self.search(&request)?;
        let gazetteer = Gazetteer::get();
        let mut near: Vec<(f64, &Municipality)> = results
            .facets
            .get(&FacetKind::Municipi)
            .into_iter()
            .flatten()
            .filter(|v| v.count > 0)
            .filter_map(|v| gazetteer.municipality(&v.value))
            .filter(|m| m.name != town.name)
            .map(|m| (town.distance_km(m), m))
            .collect();
        near.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.name.cmp(&b.1.name)));
        near.truncate(NEAREST_TOWNS);
        if near.is_empty() {
            return Ok(None);
        }
        let names: Vec<String> = near.iter().map(|(_, m)| m.name.clone()).collect();
        let filters = BTreeMap::from([(FacetKind::Municipi, names)]);
        let mut group = self.town_group(
            GroupKind::Nearest,
            "Els municipis més propers amb pràctiques".to_string(),
            filters,
            topic,
            audience,
            town,
        )?;
        let km: BTreeMap<&str, f64> = near.iter().map(|(d, m)| (m.name.as_str(), *d)).collect();
        for doc in &mut group.docs {
            doc.places = doc
                .places
                .split(", ")
                .map(|p| match km.get(p) {
                    Some(d) => format!("{p} (a {} km)", d.round()),
                    None => p.to_string(),
                })
                .collect::<Vec<_>>()
                .join(", ");
        }
        Ok(Some(group))
    }
}
