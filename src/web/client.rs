//! Who is on the other end of a request: the client's address (the key of the login
//! throttle) and whether it came over HTTPS (Secure cookies, HSTS, the site's origin).
//! `X-Forwarded-For` and `X-Forwarded-Proto` are believed only from a configured trusted
//! proxy; from anyone else they are the client's own words and are ignored.

use std::convert::Infallible;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::str::FromStr;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{Extensions, HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use super::AppState;
use super::links::origin_of;

/// `Strict-Transport-Security` of every response to a request that came over HTTPS: a
/// year, this host only (the site lives under a path of a domain it does not own whole, so
/// it does not speak for its subdomains).
const HSTS: &str = "max-age=31536000";

/// An address or a CIDR range: `127.0.0.1`, `10.0.0.0/8`, `fd00::/8`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Net {
    addr: IpAddr,
    prefix: u8,
}

impl Net {
    fn contains(self, ip: IpAddr) -> bool {
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                masked(u128::from(u32::from(net)), self.prefix, 32)
                    == masked(u128::from(u32::from(ip)), self.prefix, 32)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                masked(u128::from(net), self.prefix, 128)
                    == masked(u128::from(ip), self.prefix, 128)
            }
            _ => false,
        }
    }
}

/// `bits` (an address `width` bits wide) with only its first `prefix` bits kept.
fn masked(bits: u128, prefix: u8, width: u8) -> u128 {
    let host = u32::from(width.saturating_sub(prefix));
    if host >= 128 { 0 } else { bits >> host }
}

impl FromStr for Net {
    type Err = String;

    fn from_str(text: &str) -> Result<Net, String> {
        let bad = || {
            format!(
                "«{text}» no és una adreça IP ni un rang CIDR; escriviu-ne una com 127.0.0.1, ::1 o 10.0.0.0/8"
            )
        };
        let (addr, prefix) = match text.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (text, None),
        };
        let addr = IpAddr::from_str(addr).map_err(|_| bad())?.to_canonical();
        let width = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => width,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= width)
                .ok_or_else(bad)?,
        };
        Ok(Net { addr, prefix })
    }
}

impl fmt::Display for Net {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

/// The proxies whose `X-Forwarded-*` headers are believed (`--trusted-proxy`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies {
    nets: Vec<Net>,
}

impl TrustedProxies {
    /// Addresses or CIDR ranges, each item possibly a comma-separated list; empty items are
    /// skipped. The error says, in Catalan, which item is wrong.
    pub fn parse<S: AsRef<str>>(items: &[S]) -> Result<TrustedProxies, String> {
        let mut nets = Vec::new();
        for item in items {
            for part in item.as_ref().split(',').map(str::trim) {
                if !part.is_empty() {
                    nets.push(part.parse::<Net>()?);
                }
            }
        }
        Ok(TrustedProxies { nets })
    }

    pub fn is_empty(&self) -> bool {
        self.nets.is_empty()
    }

    /// Whether `ip` (an IPv4-mapped IPv6 address counts as its IPv4 address) is trusted.
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.nets.iter().any(|n| n.contains(ip))
    }
}

/// The throttle's key for a client: an IPv4 address, or the /64 an IPv6 address belongs to
/// (one subscriber's usual allocation: rotating addresses inside it gains nothing).
/// `Unknown` when the server recorded no peer (a router called without a connection).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientKey {
    Unknown,
    V4(Ipv4Addr),
    V6Net(u64),
}

impl ClientKey {
    pub fn of(ip: IpAddr) -> ClientKey {
        match ip.to_canonical() {
            IpAddr::V4(v4) => ClientKey::V4(v4),
            IpAddr::V6(v6) => ClientKey::V6Net((u128::from(v6) >> 64) as u64),
        }
    }
}

impl fmt::Display for ClientKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientKey::Unknown => f.write_str("unknown"),
            ClientKey::V4(ip) => write!(f, "{ip}"),
            ClientKey::V6Net(net) => {
                let prefix = std::net::Ipv6Addr::from(u128::from(*net) << 64);
                write!(f, "{prefix}/64")
            }
        }
    }
}

/// Who is on the other end of a request, as far as the server can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Client {
    pub key: ClientKey,
    /// The request reached the site over HTTPS (this server speaks plain HTTP, so through a
    /// proxy).
    pub https: bool,
}

impl Client {
    /// The client of a request whose connection came from `peer` (`ConnectInfo`, inserted by
    /// the server for every request; absent when the router is called directly).
    ///
    /// From a trusted proxy: the right-most `X-Forwarded-For` address that is not itself a
    /// trusted proxy, and the scheme of `X-Forwarded-Proto` (the public URL's when the proxy
    /// sends none). From anyone else both headers are ignored: the peer is the client, and
    /// the request came over plain HTTP, unless no proxy is named and the public URL is in
    /// https (then every request comes through some TLS proxy the operator did not name).
    pub fn resolve(
        headers: &HeaderMap,
        extensions: &Extensions,
        proxies: &TrustedProxies,
        public_https: bool,
    ) -> Client {
        let peer = extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip().to_canonical());
        match peer {
            Some(peer) if proxies.contains(peer) => Client {
                key: ClientKey::of(forwarded_client(headers, proxies, peer)),
                https: forwarded_proto(headers)
                    .map_or(public_https, |proto| proto.eq_ignore_ascii_case("https")),
            },
            _ => Client {
                key: peer.map_or(ClientKey::Unknown, ClientKey::of),
                https: proxies.is_empty() && public_https,
            },
        }
    }

    pub fn of_parts(parts: &Parts, state: &AppState) -> Client {
        Client::resolve(
            &parts.headers,
            &parts.extensions,
            state.trusted_proxies(),
            state.links().public_https(),
        )
    }

    /// The site's own origin for this request: the public URL's when one is configured, else
    /// the request's scheme and `Host`. `None` without either.
    fn site_origin(self, headers: &HeaderMap, public_origin: Option<&str>) -> Option<String> {
        if let Some(origin) = public_origin {
            return Some(origin.to_string());
        }
        let host = headers.get(header::HOST)?.to_str().ok()?;
        let scheme = if self.https { "https" } else { "http" };
        origin_of(&format!("{scheme}://{host}"))
    }

    /// Whether a form was posted from a page of this site: its `Origin`, or without one its
    /// `Referer`, is the site's origin. A request with neither is refused: browsers send
    /// `Origin` with every form POST, so such a request comes from a script, which has no
    /// business with these forms (the API takes a Bearer token instead).
    ///
    /// Without a public URL the site's origin comes from the `Host` header, which only the
    /// sender of a request controls: a page of another site can make a browser post here, but
    /// with the browser's own `Host` (this site's) and `Origin` (the other site's), which then
    /// differ. A client forging both forges only its own request, which it could send anyway.
    pub fn posted_from_this_site(self, headers: &HeaderMap, public_origin: Option<&str>) -> bool {
        let Some(site) = self.site_origin(headers, public_origin) else {
            return false;
        };
        let claimed = match headers.get(header::ORIGIN) {
            Some(origin) => origin.to_str().ok().and_then(origin_of),
            None => headers
                .get(header::REFERER)
                .and_then(|r| r.to_str().ok())
                .and_then(origin_of),
        };
        claimed.is_some_and(|claimed| claimed == site)
    }
}

impl FromRequestParts<AppState> for Client {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Client, Infallible> {
        Ok(Client::of_parts(parts, state))
    }
}

/// The client behind a trusted proxy `peer`: walking `X-Forwarded-For` from the right, past
/// the trusted proxies, the first address that is not one. An entry that is not an address
/// stops the walk at the last trusted hop (a trusted proxy would not have written it).
fn forwarded_client(headers: &HeaderMap, proxies: &TrustedProxies, peer: IpAddr) -> IpAddr {
    let mut entries: Vec<Option<&str>> = Vec::new();
    for value in headers.get_all("x-forwarded-for") {
        match value.to_str() {
            Ok(text) => entries.extend(text.split(',').map(|e| Some(e.trim()))),
            Err(_) => entries.push(None),
        }
    }
    let mut client = peer;
    for entry in entries.into_iter().rev() {
        let Some(ip) = entry.and_then(forwarded_address) else {
            break;
        };
        client = ip;
        if !proxies.contains(ip) {
            break;
        }
    }
    client
}

/// An `X-Forwarded-For` entry: an address, possibly with a port or in brackets.
fn forwarded_address(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim_matches('"');
    let ip = entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| {
            let inner = entry.strip_prefix('[')?.strip_suffix(']')?;
            inner.parse::<IpAddr>().ok()
        })?;
    Some(ip.to_canonical())
}

/// The scheme the client used with the first proxy: the first `X-Forwarded-Proto` value.
fn forwarded_proto(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get("x-forwarded-proto")?.to_str().ok()?;
    value
        .split(',')
        .next()
        .map(str::trim)
        .filter(|p| !p.is_empty())
}

/// Adds HSTS to every response to a request that came over HTTPS, never over plain HTTP.
pub(super) async fn strict_transport(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let https = Client::resolve(
        request.headers(),
        request.extensions(),
        state.trusted_proxies(),
        state.links().public_https(),
    )
    .https;
    let mut response = next.run(request).await;
    if https {
        response.headers_mut().insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("an address")
    }

    #[test]
    fn addresses_and_ranges_are_parsed_and_matched() {
        let proxies = TrustedProxies::parse(&["127.0.0.1, 10.0.0.0/8", "fd00::/8", "", "::1"])
            .expect("valid");
        for trusted in [
            "127.0.0.1",
            "10.200.3.4",
            "fd12::1",
            "::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(proxies.contains(ip(trusted)), "{trusted}");
        }
        for other in [
            "127.0.0.2",
            "11.0.0.1",
            "fe80::1",
            "::2",
            "::ffff:127.0.0.2",
        ] {
            assert!(!proxies.contains(ip(other)), "{other}");
        }
        let everything = TrustedProxies::parse(&["0.0.0.0/0"]).expect("valid");
        assert!(everything.contains(ip("203.0.113.9")));
        assert!(!everything.contains(ip("2001:db8::1")));
        assert!(
            TrustedProxies::parse::<&str>(&[])
                .expect("empty")
                .is_empty()
        );
    }

    #[test]
    fn a_bad_item_is_named_in_catalan() {
        for bad in ["localhost", "10.0.0.0/33", "::1/129", "1.2.3.4/x", "1.2.3"] {
            let error = TrustedProxies::parse(&[bad]).expect_err(bad);
            assert!(
                error.contains(bad) && error.contains("no és una adreça IP"),
                "{error}"
            );
        }
    }

    fn request(peer: Option<&str>, headers: &[(&str, &str)]) -> (HeaderMap, Extensions) {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.append(
                header::HeaderName::from_bytes(name.as_bytes()).expect("name"),
                HeaderValue::from_str(value).expect("value"),
            );
        }
        let mut extensions = Extensions::new();
        if let Some(peer) = peer {
            let addr: SocketAddr = peer.parse().expect("a socket address");
            extensions.insert(ConnectInfo(addr));
        }
        (map, extensions)
    }

    fn client(proxies: &[&str], peer: Option<&str>, headers: &[(&str, &str)]) -> Client {
        let proxies = TrustedProxies::parse(proxies).expect("valid");
        let (headers, extensions) = request(peer, headers);
        Client::resolve(&headers, &extensions, &proxies, false)
    }

    fn v4(text: &str) -> ClientKey {
        ClientKey::of(ip(text))
    }

    #[test]
    fn the_client_is_the_right_most_untrusted_forwarded_address() {
        let proxies = ["127.0.0.1", "10.0.0.0/8"];
        let proxy = Some("127.0.0.1:5000");
        for (xff, expected) in [
            (&[][..], "127.0.0.1"),
            (&["203.0.113.1"][..], "203.0.113.1"),
            (&["6.6.6.6, 203.0.113.1"][..], "203.0.113.1"),
            (&["6.6.6.6", "203.0.113.1, 10.0.0.2"][..], "203.0.113.1"),
            (&["203.0.113.1:4444"][..], "203.0.113.1"),
            (&["\"[2001:db8::1]:80\""][..], "2001:db8::1"),
            (&["::ffff:203.0.113.1"][..], "203.0.113.1"),
            (&["10.0.0.3, 10.0.0.2"][..], "10.0.0.3"),
            (&["203.0.113.1, garbage, 10.0.0.2"][..], "10.0.0.2"),
            (&["garbage"][..], "127.0.0.1"),
        ] {
            let headers: Vec<(&str, &str)> = xff.iter().map(|v| ("x-forwarded-for", *v)).collect();
            assert_eq!(
                client(&proxies, proxy, &headers).key,
                v4(expected),
                "{xff:?}"
            );
        }
        // From anyone else, the header is ignored.
        let direct = client(
            &proxies,
            Some("192.0.2.1:1"),
            &[("x-forwarded-for", "203.0.113.1")],
        );
        assert_eq!(direct.key, v4("192.0.2.1"));
        let none = client(
            &[],
            Some("127.0.0.1:1"),
            &[("x-forwarded-for", "203.0.113.1")],
        );
        assert_eq!(none.key, v4("127.0.0.1"));
        assert_eq!(client(&proxies, None, &[]).key, ClientKey::Unknown);
    }

    #[test]
    fn ipv6_clients_are_keyed_by_their_slash_64() {
        assert_eq!(v4("2001:db8:1:2::1"), v4("2001:db8:1:2:abcd::9"));
        assert_ne!(v4("2001:db8:1:2::1"), v4("2001:db8:1:3::1"));
        assert_eq!(v4("::ffff:192.0.2.1"), v4("192.0.2.1"));
        assert_eq!(v4("2001:db8:1:2::1").to_string(), "2001:db8:1:2::/64");
    }

    #[test]
    fn https_is_taken_from_a_trusted_proxy_or_the_public_url() {
        let proxies = TrustedProxies::parse(&["127.0.0.1"]).expect("valid");
        let none = TrustedProxies::default();
        let https = [("x-forwarded-proto", "https")];
        let http = [("x-forwarded-proto", "http")];
        let case = |proxies: &TrustedProxies, peer, headers: &[(&str, &str)], public| {
            let (headers, extensions) = request(peer, headers);
            Client::resolve(&headers, &extensions, proxies, public).https
        };
        let proxy = Some("127.0.0.1:1");
        let other = Some("192.0.2.1:1");
        assert!(case(&proxies, proxy, &https, false));
        assert!(case(
            &proxies,
            proxy,
            &[("x-forwarded-proto", "HTTPS, http")],
            false
        ));
        assert!(
            !case(&proxies, proxy, &http, true),
            "the proxy knows better"
        );
        assert!(case(&proxies, proxy, &[], true), "the proxy says nothing");
        assert!(!case(&proxies, proxy, &[], false));
        assert!(
            !case(&proxies, other, &https, true),
            "around the named proxy"
        );
        assert!(!case(&proxies, None, &https, true));
        assert!(!case(&none, other, &https, false));
        assert!(
            case(&none, other, &[], true),
            "an https public URL, no proxy named"
        );
        assert!(case(&none, None, &http, true));
    }

    #[test]
    fn forms_are_accepted_only_from_the_sites_own_origin() {
        let plain = Client {
            key: ClientKey::Unknown,
            https: false,
        };
        let secure = Client {
            https: true,
            ..plain
        };
        let posted = |client: Client, headers: &[(&str, &str)], public: Option<&str>| {
            let (headers, _) = request(None, headers);
            client.posted_from_this_site(&headers, public)
        };
        let host = ("host", "127.0.0.1:8080");
        assert!(posted(
            plain,
            &[host, ("origin", "http://127.0.0.1:8080")],
            None
        ));
        assert!(!posted(
            secure,
            &[host, ("origin", "http://127.0.0.1:8080")],
            None
        ));
        assert!(posted(
            secure,
            &[host, ("origin", "https://127.0.0.1:8080")],
            None
        ));
        assert!(posted(
            plain,
            &[host, ("referer", "http://127.0.0.1:8080/entrar")],
            None
        ));
        assert!(!posted(plain, &[host, ("origin", "null")], None));
        assert!(!posted(plain, &[host], None));
        assert!(!posted(plain, &[("origin", "http://127.0.0.1:8080")], None));
        let public = Some("https://xmess.cat");
        assert!(posted(
            plain,
            &[host, ("origin", "https://xmess.cat")],
            public
        ));
        assert!(!posted(
            plain,
            &[host, ("origin", "http://127.0.0.1:8080")],
            public
        ));
    }
}
