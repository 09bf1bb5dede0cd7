//! The grant headers of the inner service's response, which the layer replaces by default.

use http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE, VARY,
};
use http::{HeaderMap, HeaderName};

use super::ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK;

/// The response headers that grant something, which only the layer writes by default.
static GRANT_HEADERS: [HeaderName; 7] = [
    ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_ALLOW_CREDENTIALS,
    ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_HEADERS,
    ACCESS_CONTROL_EXPOSE_HEADERS,
    ACCESS_CONTROL_MAX_AGE,
    ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK,
];

/// Which grant headers the layer removed from the inner service's response: a set of
/// [`GRANT_HEADERS`], one bit each.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Removed(u8);

impl Removed {
    pub(crate) fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The names of the removed headers.
    #[cfg(feature = "tracing")]
    pub(crate) fn names(self) -> impl Iterator<Item = &'static str> {
        GRANT_HEADERS
            .iter()
            .enumerate()
            .filter(move |(i, _)| self.0 & (1 << i) != 0)
            .map(|(_, name)| name.as_str())
    }
}

/// What one pass over the names of the inner service's response finds: the grant headers it
/// set, and whether it set `Vary`.
#[derive(Default)]
pub(super) struct Found {
    pub(super) grants: Removed,
    pub(super) vary: bool,
}

/// Looks at every name of `headers` once. Every grant header starts with `access-control-`,
/// so most names are passed over after a comparison of their first bytes.
#[inline]
pub(super) fn find_grants_and_vary(headers: &HeaderMap) -> Found {
    let mut found = Found::default();
    for name in headers.keys() {
        if name.as_str().starts_with("access-control-") {
            if let Some(i) = grant_index(name) {
                found.grants.0 |= 1 << i;
            }
        } else if name == VARY {
            found.vary = true;
        }
    }
    found
}

/// The place of a name among [`GRANT_HEADERS`]. Out of line: inlined, the compiler loads the
/// seven names before the loop over the response's names, for every response.
#[cold]
#[inline(never)]
fn grant_index(name: &HeaderName) -> Option<usize> {
    GRANT_HEADERS.iter().position(|grant| grant == name)
}

/// Removes the grant headers `found` in `headers`.
pub(super) fn remove_grant_headers(headers: &mut HeaderMap, found: Removed) {
    for (i, name) in GRANT_HEADERS.iter().enumerate() {
        if found.0 & (1 << i) != 0 {
            headers.remove(name);
        }
    }
}
