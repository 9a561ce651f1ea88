//! `/mapa`: the current search on a map of Catalonia, drawn on the server as SVG from the
//! gazetteer's coordinates (every municipality a faint dot, so the country's shape needs no
//! outline file), one circle per municipality with results, sized by count, each a link to
//! the search filtered by that town. A table gives the same figures as text.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Html;

use super::error::WebError;
use super::links::Links;
use super::params::SearchParams;
use super::view::{Layout, thousands};
use super::{AppState, Viewer};
use crate::gazetteer::Gazetteer;
use crate::search::SearchResults;
use crate::taxonomy::FacetKind;

const WIDTH: f64 = 640.0;
const MARGIN: f64 = 12.0;

pub(super) struct Dot {
    pub x: String,
    pub y: String,
    pub r: String,
    pub name: String,
    pub comarca: String,
    pub count: u64,
    pub url: String,
}

#[derive(Template)]
#[template(path = "map.html")]
pub(super) struct MapPage {
    pub layout: Layout,
    pub q: String,
    pub summary: String,
    pub width: String,
    pub height: String,
    /// Every municipality, as "x,y" pairs for the background.
    pub background: Vec<(String, String)>,
    pub dots: Vec<Dot>,
    pub without_place: usize,
    pub back_url: String,
}

/// Equirectangular projection scaled by the cosine of the mean latitude: at this size it is
/// indistinguishable from a proper conic projection.
struct Projection {
    lon0: f64,
    lat1: f64,
    scale: f64,
    cos: f64,
}

impl Projection {
    fn fit() -> (Projection, f64) {
        let all = Gazetteer::get().municipalities();
        let (mut lon0, mut lon1, mut lat0, mut lat1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for m in all {
            lon0 = lon0.min(m.lon);
            lon1 = lon1.max(m.lon);
            lat0 = lat0.min(m.lat);
            lat1 = lat1.max(m.lat);
        }
        let cos = ((lat0 + lat1) / 2.0).to_radians().cos();
        let scale = (WIDTH - 2.0 * MARGIN) / ((lon1 - lon0) * cos).max(1e-9);
        let height = (lat1 - lat0) * scale + 2.0 * MARGIN;
        (
            Projection {
                lon0,
                lat1,
                scale,
                cos,
            },
            height,
        )
    }

    fn point(&self, lon: f64, lat: f64) -> (f64, f64) {
        (
            MARGIN + (lon - self.lon0) * self.cos * self.scale,
            MARGIN + (self.lat1 - lat) * self.scale,
        )
    }
}

pub(super) async fn map(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Html<String>, WebError> {
    let params = SearchParams::parse(raw.as_deref()).map_err(WebError::BadRequest)?;
    let audience = viewer.audience;
    state
        .search(move |engine, links| {
            let mut request = params.first_page().request(audience);
            request.per_page = 1;
            let results = engine.search(&request)?;
            let page = MapPage {
                layout: Layout::of(engine, audience, links),
                ..map_page(&results, &params, links)
            };
            Ok(Html(page.render()?))
        })
        .await
}

/// The map of a search's results (its layout left empty).
fn map_page(results: &SearchResults, params: &SearchParams, links: &Links) -> MapPage {
    let gazetteer = Gazetteer::get();
    let (projection, height) = Projection::fit();
    let background = gazetteer
        .municipalities()
        .iter()
        .map(|m| {
            let (x, y) = projection.point(m.lon, m.lat);
            (format!("{x:.1}"), format!("{y:.1}"))
        })
        .collect();
    let mut dots: Vec<Dot> = results
        .facets
        .get(&FacetKind::Municipi)
        .map(|values| {
            values
                .iter()
                .filter(|v| v.count > 0)
                .filter_map(|v| {
                    let m = gazetteer.municipality(&v.value)?;
                    let (x, y) = projection.point(m.lon, m.lat);
                    Some(Dot {
                        x: format!("{x:.1}"),
                        y: format!("{y:.1}"),
                        r: format!("{:.1}", 3.0 + 2.2 * (v.count as f64).sqrt()),
                        name: m.name.clone(),
                        comarca: m.comarca.clone(),
                        count: v.count,
                        url: links.search(&params.toggled(FacetKind::Municipi, &m.name)),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    // Big circles first, so small ones stay on top and clickable.
    dots.sort_by(|a, b| b.count.cmp(&a.count).then(a.name.cmp(&b.name)));
    let placed: u64 = dots.iter().map(|d| d.count).sum();
    let plural = |n: usize, one: &'static str, many: &'static str| if n == 1 { one } else { many };
    let summary = format!(
        "{} {} en {} {}",
        thousands(results.total),
        plural(results.total, "resultat", "resultats"),
        dots.len(),
        plural(dots.len(), "municipi", "municipis"),
    );
    MapPage {
        layout: Layout::default(),
        q: params.q.clone(),
        summary,
        width: format!("{WIDTH:.0}"),
        height: format!("{height:.0}"),
        background,
        without_place: results
            .total
            .saturating_sub(placed.min(results.total as u64) as usize),
        dots,
        back_url: links.search(&params.first_page()),
    }
}
