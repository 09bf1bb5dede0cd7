//! Near misses: configured entries that differ from a refused origin in one usual way. For
//! dry runs and denial messages only.

use super::list::OriginList;
use super::parse::{parse_request_origin, split_origin, OriginParts, PortSpec};

/// The three names of this machine that browsers treat as different origins.
fn is_loopback_name(host: &[u8]) -> bool {
    matches!(host, b"localhost" | b"127.0.0.1" | b"[::1]")
}

/// How a configured exact origin differs from a request's origin when they differ in one
/// usual way only.
fn near_miss(configured: &OriginParts<'_>, request: &OriginParts<'_>) -> Option<&'static str> {
    let scheme = configured.scheme == request.scheme;
    let host = configured.host == request.host;
    let port = configured.port == request.port;
    let www = |a: &[u8], b: &[u8]| a.strip_prefix(b"www.") == Some(b);
    match (scheme, host, port) {
        (false, true, true) => Some("has another scheme"),
        (true, true, false) => Some("has another port"),
        (true, false, true) if is_loopback_name(configured.host) && is_loopback_name(request.host) => {
            Some("is another host: localhost, 127.0.0.1 and [::1] are different origins to a browser")
        }
        (true, false, true)
            if www(configured.host, request.host) || www(request.host, configured.host) =>
        {
            Some("differs in the www. prefix")
        }
        _ => None,
    }
}

impl OriginList {
    /// Configured entries that almost match a refused `origin`, each with what differs: the
    /// usual reasons an origin someone meant to allow is refused (another scheme or port,
    /// `localhost` against `127.0.0.1`, a `www.` prefix, a subdomain pattern against its apex).
    /// At most `limit`. For dry runs only: it walks the whole list.
    pub(crate) fn near_misses(&self, origin: &[u8], limit: usize) -> Vec<String> {
        let Some(request) = parse_request_origin(origin) else {
            return Vec::new();
        };
        let mut misses = Vec::new();
        let mut exact: Vec<&[u8]> = self.exact.iter().collect();
        exact.sort();
        for entry in exact {
            let Ok(configured) = split_origin(entry) else {
                continue;
            };
            if let Some(why) = near_miss(&configured, &request) {
                misses.push(format!("{:?} {why}", String::from_utf8_lossy(entry)));
            }
        }
        let mut patterns: Vec<_> = self.patterns.iter().collect();
        patterns.sort_by(|a, b| a.0.cmp(&b.0));
        for (host, rules) in patterns {
            for rule in rules {
                let shown = rule.display(host);
                let host_matches = if rule.subdomains {
                    request.host.len() > host.len()
                        && request.host.ends_with(host)
                        && request.host[request.host.len() - host.len() - 1] == b'.'
                } else {
                    request.host == &**host
                };
                let port_matches = rule.port == PortSpec::Any || rule.port == request.port;
                let why = if rule.subdomains && request.host == &**host {
                    Some(format!(
                        "matches subdomains of {} only, not {} itself; list the origin too",
                        String::from_utf8_lossy(host),
                        String::from_utf8_lossy(host)
                    ))
                } else if host_matches && *rule.scheme != *request.scheme && port_matches {
                    Some("has another scheme".to_owned())
                } else if host_matches && *rule.scheme == *request.scheme && !port_matches {
                    Some("has another port".to_owned())
                } else {
                    None
                };
                if let Some(why) = why {
                    misses.push(format!("{shown:?} {why}"));
                }
            }
        }
        misses.truncate(limit);
        misses
    }
}
