//! The grant headers of the inner service's response, which the layer replaces by default.

use http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE,
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
    #[cfg(feature = "tracing")]
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

/// Removes every grant header from `headers`. One pass over the names finds them; the usual
/// response has none and costs nothing more.
pub(super) fn remove_grant_headers(headers: &mut HeaderMap) -> Removed {
    let mut found = 0u8;
    for name in headers.keys() {
        if let Some(i) = GRANT_HEADERS.iter().position(|grant| grant == name) {
            found |= 1 << i;
        }
    }
    if found != 0 {
        for (i, name) in GRANT_HEADERS.iter().enumerate() {
            if found & (1 << i) != 0 {
                headers.remove(name);
            }
        }
    }
    Removed(found)
}
