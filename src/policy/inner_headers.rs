//! The grant headers of the inner service's response, which the layer replaces by default:
//! every `Access-Control-Allow-*` header (those the Fetch Standard defines, Private Network
//! Access's, Local Network Access's, and any other), `Access-Control-Expose-Headers` and
//! `Access-Control-Max-Age`.

use http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE, VARY,
};
use http::{HeaderMap, HeaderName};

use super::ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK;

/// The grant headers the layer knows by name; any other name starting with
/// [`ALLOW_PREFIX`] is a grant header too.
static GRANT_HEADERS: [HeaderName; 7] = [
    ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_ALLOW_CREDENTIALS,
    ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_HEADERS,
    ACCESS_CONTROL_EXPOSE_HEADERS,
    ACCESS_CONTROL_MAX_AGE,
    ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK,
];

/// Every `Access-Control-Allow-*` header grants something.
const ALLOW_PREFIX: &str = "access-control-allow-";

/// The bit of [`GrantHeaders`] for grant headers that are not among [`GRANT_HEADERS`].
const OTHER: u8 = 1 << GRANT_HEADERS.len();

/// A set of grant headers, those an inner service's response has or those the layer removed
/// from it: one bit for each of [`GRANT_HEADERS`], and one ([`OTHER`]) for any other
/// `Access-Control-Allow-*` header.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct GrantHeaders(u8);

impl GrantHeaders {
    pub(crate) fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The names of the headers in the set (other `Access-Control-Allow-*` headers as one).
    #[cfg(feature = "tracing")]
    pub(crate) fn names(self) -> impl Iterator<Item = &'static str> {
        GRANT_HEADERS
            .iter()
            .map(HeaderName::as_str)
            .chain(["other access-control-allow-* headers"])
            .enumerate()
            .filter(move |(i, _)| self.0 & (1 << i) != 0)
            .map(|(_, name)| name)
    }
}

/// What one pass over the names of the inner service's response finds: the grant headers it
/// set, and whether it set `Vary`.
#[derive(Default)]
pub(super) struct Found {
    pub(super) grants: GrantHeaders,
    pub(super) vary: bool,
}

/// Looks at every name of `headers` once. Every grant header starts with `access-control-`,
/// so most names are passed over after a comparison of their first bytes.
#[inline]
pub(super) fn find_grants_and_vary(headers: &HeaderMap) -> Found {
    let mut found = Found::default();
    for name in headers.keys() {
        if name.as_str().starts_with("access-control-") {
            found.grants.0 |= grant_bit(name);
        } else if name == VARY {
            found.vary = true;
        }
    }
    found
}

/// The bit of [`GrantHeaders`] for a name starting with `access-control-`: its place among
/// [`GRANT_HEADERS`], [`OTHER`] for another `Access-Control-Allow-*` header, 0 for a header
/// that grants nothing (`Access-Control-Request-*` is a request header). Most responses
/// carry no such header (`docs/performance.md`, "Inlining").
#[cold]
#[inline(never)]
fn grant_bit(name: &HeaderName) -> u8 {
    match GRANT_HEADERS.iter().position(|grant| grant == name) {
        Some(i) => 1 << i,
        None if name.as_str().starts_with(ALLOW_PREFIX) => OTHER,
        None => 0,
    }
}

/// Removes the grant headers `found` in `headers`.
pub(super) fn remove_grant_headers(headers: &mut HeaderMap, found: GrantHeaders) {
    for (i, name) in GRANT_HEADERS.iter().enumerate() {
        if found.0 & (1 << i) != 0 {
            headers.remove(name);
        }
    }
    if found.0 & OTHER != 0 {
        let others: Vec<HeaderName> = headers
            .keys()
            .filter(|name| name.as_str().starts_with(ALLOW_PREFIX))
            .cloned()
            .collect();
        for name in others {
            headers.remove(name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_allow_header_is_a_grant_header() {
        let mut headers = HeaderMap::new();
        for name in [
            "access-control-allow-origin",
            "access-control-allow-local-network",
            "access-control-allow-anything-new",
            "access-control-expose-headers",
            "access-control-max-age",
            "access-control-request-method",
            "x-other",
        ] {
            headers.insert(HeaderName::from_static(name), "v".parse().unwrap());
        }
        let found = find_grants_and_vary(&headers);
        remove_grant_headers(&mut headers, found.grants);
        let mut left: Vec<&str> = headers.keys().map(HeaderName::as_str).collect();
        left.sort_unstable();
        assert_eq!(left, ["access-control-request-method", "x-other"]);
    }
}
