//! Local Network Access: Chrome (142 and later) asks the user before a page on a public origin
//! reaches a loopback or private address, and no response header can stand in for that
//! permission.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::BrowserRequest;
use crate::grant::origin::parse_request_origin;

/// What kind of local address `ip` is, or `None` for a public one.
fn local_kind(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => v4_kind(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4_kind(v4),
            None => v6_kind(v6),
        },
    }
}

fn v4_kind(ip: Ipv4Addr) -> Option<&'static str> {
    if ip.is_loopback() {
        Some("a loopback address")
    } else if ip.is_private() {
        Some("a private address")
    } else if ip.is_link_local() {
        Some("a link-local address")
    } else {
        None
    }
}

fn v6_kind(ip: Ipv6Addr) -> Option<&'static str> {
    let first = ip.segments()[0];
    if ip.is_loopback() {
        Some("a loopback address")
    } else if first & 0xfe00 == 0xfc00 {
        Some("a private address") // fc00::/7, unique local
    } else if first & 0xffc0 == 0xfe80 {
        Some("a link-local address") // fe80::/10
    } else {
        None
    }
}

/// Whether a page on `origin` is on the public internet as far as its origin tells: not
/// `null`, not `localhost` and not a local address.
fn is_public_origin(origin: &[u8]) -> bool {
    let Some(parts) = parse_request_origin(origin) else {
        return false; // `null`, or not an origin at all
    };
    let host = std::str::from_utf8(parts.host).unwrap_or_default();
    if host == "localhost" || host.ends_with(".localhost") {
        return false;
    }
    let literal = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    match literal.parse::<IpAddr>() {
        Ok(ip) => local_kind(ip).is_none(),
        Err(_) => true,
    }
}

impl BrowserRequest {
    /// The Local Network Access note for this request to a server at `server`, when Chrome
    /// would ask the user for permission first: the page's origin is public and `server` is
    /// a loopback, private or link-local address. No response header grants that permission.
    ///
    /// ```
    /// use http::Method;
    /// use tower_cors::BrowserRequest;
    ///
    /// let public = BrowserRequest::new("https://app.example.com", Method::GET)?;
    /// assert!(public.local_network_note("127.0.0.1".parse()?).is_some());
    /// assert!(public.local_network_note("93.184.216.34".parse()?).is_none());
    /// let local = BrowserRequest::new("http://localhost:3000", Method::GET)?;
    /// assert!(local.local_network_note("127.0.0.1".parse()?).is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn local_network_note(&self, server: IpAddr) -> Option<String> {
        let kind = local_kind(server)?;
        is_public_origin(self.origin.as_bytes()).then(|| {
            format!(
                "Note: {} is a public origin and {server} is {kind}: Chrome (Local Network \
                 Access, Chrome 142+) asks the user for permission before the page may reach it, \
                 whatever the headers say; no response header grants it.",
                String::from_utf8_lossy(self.origin.as_bytes())
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_addresses() {
        for (ip, kind) in [
            ("127.0.0.1", Some("a loopback address")),
            ("127.8.9.10", Some("a loopback address")),
            ("::1", Some("a loopback address")),
            ("::ffff:127.0.0.1", Some("a loopback address")),
            ("10.1.2.3", Some("a private address")),
            ("172.16.0.1", Some("a private address")),
            ("172.31.255.255", Some("a private address")),
            ("192.168.1.1", Some("a private address")),
            ("fd12:3456::1", Some("a private address")),
            ("fc00::1", Some("a private address")),
            ("169.254.169.254", Some("a link-local address")),
            ("fe80::1", Some("a link-local address")),
            ("172.32.0.1", None),
            ("8.8.8.8", None),
            ("2001:db8::1", None),
        ] {
            assert_eq!(local_kind(ip.parse().unwrap()), kind, "{ip}");
        }
    }

    #[test]
    fn public_origins() {
        assert!(is_public_origin(b"https://app.example.com"));
        assert!(is_public_origin(b"http://93.184.216.34:8080"));
        assert!(!is_public_origin(b"http://localhost:3000"));
        assert!(!is_public_origin(b"http://app.localhost"));
        assert!(!is_public_origin(b"http://192.168.0.10"));
        assert!(!is_public_origin(b"http://[::1]:3000"));
        assert!(!is_public_origin(b"null"));
    }
}
