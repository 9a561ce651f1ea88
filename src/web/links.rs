//! Every URL the site prints is built here, so that they all carry the path the site is
//! mounted at.

use super::params::SearchParams;
use crate::taxonomy::FacetKind;

#[derive(Debug, Clone)]
pub struct Links {
    /// The path the site is mounted at: "" or "/cercador".
    base: String,
    /// Where people reach the site, without a trailing slash: absolute links start here.
    public_url: String,
    /// The origin of the public URL (`https://xmess.cat`), only when one was configured.
    public_origin: Option<String>,
}

impl Default for Links {
    /// The root of a site reached at `http://localhost`.
    fn default() -> Links {
        Links::new("", "http://localhost")
    }
}

impl Links {
    /// The links of a site configured with a public URL and a base path (either may be
    /// missing; the base path defaults to the public URL's path, and without a public URL
    /// absolute links start with `origin`). The error says, in Catalan, what to fix.
    pub fn configure(
        public_url: Option<&str>,
        base_path: Option<&str>,
        origin: &str,
    ) -> Result<Links, String> {
        let base = match base_path.map(str::trim).filter(|b| !b.is_empty() && *b != "/") {
            None => None,
            Some(b) => Some(valid_path(b).ok_or_else(|| {
                format!("la ruta base «{b}» no és vàlida: ha de començar per «/» i tenir només lletres, xifres, «-», «_» i «/», per exemple «/cercador»")
            })?),
        };
        let Some(url) = public_url.map(str::trim).filter(|u| !u.is_empty()) else {
            let base = base.unwrap_or_default();
            return Ok(Links::new(&base, &format!("{origin}{base}")));
        };
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
            .filter(|r| !r.is_empty() && !r.contains(['?', '#', ' ', '\\']))
            .ok_or_else(|| format!("l'adreça pública «{url}» no és vàlida: escriviu-la sencera, per exemple «https://xmess.cat/cercador»"))?;
        let path = rest.find('/').map_or("", |at| &rest[at..]);
        let path = match path.trim_end_matches('/') {
            "" => String::new(),
            p => valid_path(p)
                .ok_or_else(|| format!("la ruta de l'adreça pública «{url}» no és vàlida"))?,
        };
        match base {
            Some(base) if base != path => Err(format!(
                "l'adreça pública «{url}» acaba amb «{path}» i la ruta base és «{base}»: han de coincidir, perquè el servidor rep les peticions amb la ruta sencera"
            )),
            _ => Ok(Links {
                public_origin: origin_of(url),
                ..Links::new(&path, url)
            }),
        }
    }

    /// Links under `base` (a path, "" for the root), reached at `public_url` (which ends
    /// with `base`).
    pub fn new(base: &str, public_url: &str) -> Links {
        Links {
            base: base.trim_end_matches('/').to_string(),
            public_url: public_url.trim_end_matches('/').to_string(),
            public_origin: None,
        }
    }

    /// The configured public URL's origin (`https://xmess.cat`), the only one the site's
    /// forms are accepted from; `None` when no public URL was configured.
    pub fn public_origin(&self) -> Option<&str> {
        self.public_origin.as_deref()
    }

    /// Whether the configured public URL is in `https`.
    pub fn public_https(&self) -> bool {
        self.public_origin
            .as_deref()
            .is_some_and(|o| o.starts_with("https://"))
    }

    /// The path the site is mounted at ("" at the root), for templates' fixed links.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The home page.
    pub fn home(&self) -> String {
        if self.base.is_empty() {
            "/".into()
        } else {
            self.base.clone()
        }
    }

    /// A link of the site (as the other methods give it) made absolute with the public URL,
    /// for feeds and exports read elsewhere.
    pub fn absolute(&self, link: &str) -> String {
        let rest = link.strip_prefix(self.base.as_str()).unwrap_or(link);
        format!("{}{rest}", self.public_url)
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

/// The origin of an absolute `http(s)` URL as a browser writes it in `Origin`: scheme and
/// host in lowercase, the default port left out (`HTTPS://X.cat:443/a` → `https://x.cat`).
/// `None` for anything else, `Origin: null` and URLs with credentials included.
pub(super) fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.trim().split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => ":80",
        "https" => ":443",
        _ => return None,
    };
    let authority = rest.split(['/', '?', '#']).next()?.to_ascii_lowercase();
    let plain = !authority.is_empty()
        && authority
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    if !plain {
        return None;
    }
    let authority = authority.strip_suffix(default_port).unwrap_or(&authority);
    Some(format!("{scheme}://{authority}"))
}

/// `path` without its trailing slash, if it is a plain absolute path.
fn valid_path(path: &str) -> Option<String> {
    let path = path.trim_end_matches('/');
    let plain = path.starts_with('/')
        && !path.contains("//")
        && !path.split('/').any(|s| s == "." || s == "..")
        && path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/' | '.'));
    plain.then(|| path.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_link_starts_with_the_base_path() {
        let params = SearchParams::parse(Some("q=moneda&tema=cures&pagina=2")).expect("valid");
        for links in [
            Links::new("", "http://localhost:8080"),
            Links::new("/cercador/", "https://xmess.cat/cercador"),
        ] {
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

    #[test]
    fn configuration_takes_the_base_path_from_the_public_url_and_refuses_a_mismatch() {
        let from_url =
            Links::configure(Some("https://xmess.cat/cercador/"), None, "http://x").expect("ok");
        assert_eq!(from_url.base(), "/cercador");
        let plain =
            Links::configure(None, Some("/cercador/"), "http://127.0.0.1:8080").expect("ok");
        assert_eq!(
            plain.absolute("/cercador/salut"),
            "http://127.0.0.1:8080/cercador/salut"
        );
        let root = Links::configure(Some("https://xmess.cat"), None, "http://x").expect("ok");
        assert_eq!(root.base(), "");
        assert_eq!(root.public_origin(), Some("https://xmess.cat"));
        assert!(root.public_https());
        assert_eq!(plain.public_origin(), None, "no public URL was configured");
        assert!(!plain.public_https());
        for (url, base) in [
            (Some("https://xmess.cat/cercador"), Some("/altre")),
            (Some("xmess.cat/cercador"), None),
            (Some("https://xmess.cat/c?x=1"), None),
            (None, Some("cercador")),
            (None, Some("/a/../b")),
        ] {
            assert!(
                Links::configure(url, base, "http://x").is_err(),
                "{url:?} {base:?}"
            );
        }
    }

    #[test]
    fn origins_are_compared_as_browsers_write_them() {
        for (url, origin) in [
            ("https://xmess.cat/cercador", Some("https://xmess.cat")),
            ("HTTPS://XMESS.cat:443", Some("https://xmess.cat")),
            ("http://localhost:80/entrar?x=1", Some("http://localhost")),
            ("http://127.0.0.1:8080", Some("http://127.0.0.1:8080")),
            ("http://[::1]:8080/", Some("http://[::1]:8080")),
            ("https://xmess.cat:4430", Some("https://xmess.cat:4430")),
            ("null", None),
            ("", None),
            ("ftp://xmess.cat", None),
            ("http://", None),
            ("http://user@evil.example", None),
            ("http://xmess.cat\\@evil.example", None),
        ] {
            assert_eq!(origin_of(url).as_deref(), origin, "{url}");
        }
    }
}
