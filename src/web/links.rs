//! Every URL the site prints is built here, so that they all carry the path the site is
//! mounted at.

use super::params::SearchParams;
use crate::taxonomy::FacetKind;

#[derive(Debug, Clone, Default)]
pub struct Links {
    /// The path the site is mounted at: "" or "/cercador".
    base: String,
}

impl Links {
    pub fn new(base: &str) -> Links {
        Links {
            base: base.trim_end_matches('/').to_string(),
        }
    }

    /// The path the site is mounted at ("" at the root), for templates' fixed links.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// A path of the site: "/entrar" → "/cercador/entrar".
    pub fn path(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The results page of a search.
    pub fn search(&self, params: &SearchParams) -> String {
        self.at("/cerca", params)
    }

    /// `path?…` for a search's parameters (exports, map and value lists share them).
    pub fn at(&self, path: &str, params: &SearchParams) -> String {
        let query = params.query_string();
        if query.is_empty() {
            self.path(path)
        } else {
            format!("{}{path}?{query}", self.base)
        }
    }

    /// The search of one facet value, nothing else.
    pub fn filtered(&self, kind: FacetKind, value: &str) -> String {
        self.search(&SearchParams::default().toggled(kind, value))
    }

    pub fn document(&self, id: &str) -> String {
        let id: String = form_urlencoded::byte_serialize(id.as_bytes()).collect();
        self.path(&format!("/document/{id}"))
    }

    /// The document seen from rank `rank` of a search: `/document/{id}?{search}&pos=N`.
    pub fn document_in(&self, id: &str, params: &SearchParams, rank: usize) -> String {
        let search = params.first_page().query_string();
        let document = self.document(id);
        if search.is_empty() {
            format!("{document}?pos={rank}")
        } else {
            format!("{document}?{search}&pos={rank}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_link_starts_with_the_base_path() {
        let params = SearchParams::parse(Some("q=moneda&tema=cures&pagina=2")).expect("valid");
        for links in [Links::new(""), Links::new("/cercador/")] {
            let base = links.base().to_string();
            assert_eq!(
                links.search(&params),
                format!("{base}/cerca?q=moneda&tema=cures&pagina=2")
            );
            assert_eq!(
                links.path("/static/style.css"),
                format!("{base}/static/style.css")
            );
            assert_eq!(
                links.document_in("vic-cures", &params, 3),
                format!("{base}/document/vic-cures?q=moneda&tema=cures&pos=3")
            );
            assert_eq!(
                links.filtered(FacetKind::Tema, "cures"),
                format!("{base}/cerca?tema=cures")
            );
        }
    }
}
