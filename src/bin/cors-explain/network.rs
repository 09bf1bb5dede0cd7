//! Local Network Access: Chrome asks the user before a page on a public origin reaches a
//! loopback or private address, and no response header can stand in for that permission.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use url::{Host, Url};

/// What kind of local address `ip` is, or `None` for a public one.
pub(crate) fn local_kind(ip: IpAddr) -> Option<&'static str> {
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

/// Whether a page on `origin` is on the public internet as far as the origin tells: not
/// `null`, not `localhost` and not a local address.
pub(crate) fn is_public_origin(origin: &str) -> bool {
    let Ok(url) = Url::parse(origin) else {
        return false; // `null`
    };
    match url.host() {
        Some(Host::Domain(domain)) => {
            let domain = domain.trim_end_matches('.');
            domain != "localhost" && !domain.ends_with(".localhost")
        }
        Some(Host::Ipv4(ip)) => local_kind(IpAddr::V4(ip)).is_none(),
        Some(Host::Ipv6(ip)) => local_kind(IpAddr::V6(ip)).is_none(),
        None => false,
    }
}

/// The note for a page on `origin` whose request reached `ip`, when Chrome would ask the user
/// first.
pub(crate) fn local_network_note(origin: &str, ip: IpAddr) -> Option<String> {
    let kind = local_kind(ip)?;
    is_public_origin(origin).then(|| {
        format!(
            "Note: {origin} is a public origin and {ip} is {kind}: Chrome (Local Network Access, \
             Chrome 142+) asks the user for permission before the page may reach it, whatever \
             the headers say; no response header grants it."
        )
    })
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
        assert!(is_public_origin("https://app.example.com"));
        assert!(is_public_origin("http://93.184.216.34:8080"));
        assert!(!is_public_origin("http://localhost:3000"));
        assert!(!is_public_origin("http://app.localhost"));
        assert!(!is_public_origin("http://192.168.0.10"));
        assert!(!is_public_origin("http://[::1]:3000"));
        assert!(!is_public_origin("null"));
        let loopback = "127.0.0.1".parse().unwrap();
        assert!(local_network_note("https://app.example.com", loopback).is_some());
        assert!(local_network_note("http://localhost:3000", loopback).is_none());
        assert!(
            local_network_note("https://app.example.com", "1.1.1.1".parse().unwrap()).is_none()
        );
    }
}
