//! The parts of a request the policy reads.

use http::header::{ACCESS_CONTROL_REQUEST_METHOD, ORIGIN};
use http::request::Parts;
use http::{HeaderMap, Method, Uri};

/// The parts of a request the policy reads, borrowed from a request or from its [`Parts`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct Head<'a> {
    pub(crate) method: &'a Method,
    pub(crate) uri: &'a Uri,
    pub(crate) headers: &'a HeaderMap,
}

impl<'a> Head<'a> {
    pub(crate) fn of<B>(request: &'a http::Request<B>) -> Self {
        Self {
            method: request.method(),
            uri: request.uri(),
            headers: request.headers(),
        }
    }

    pub(crate) fn of_parts(parts: &'a Parts) -> Self {
        Self {
            method: &parts.method,
            uri: &parts.uri,
            headers: &parts.headers,
        }
    }

    /// Whether this is a CORS preflight: `OPTIONS` with `Origin` and
    /// `Access-Control-Request-Method`, to a path (not the asterisk-form `OPTIONS *`, which
    /// asks about the server as a whole and which browsers never send).
    pub(crate) fn is_preflight(&self) -> bool {
        self.may_be_preflight()
            && self.headers.contains_key(ORIGIN)
            && self.headers.contains_key(ACCESS_CONTROL_REQUEST_METHOD)
    }

    /// The method and target of a preflight: `OPTIONS` to a path.
    pub(crate) fn may_be_preflight(&self) -> bool {
        // Comparing the whole URI with `*` costs more than the rest of a preflight's
        // classification; a path that is not `*` rules it out first.
        *self.method == Method::OPTIONS && !(self.uri.path() == "*" && *self.uri == "*")
    }

    /// Request parts for predicates called outside a service (dry runs only).
    pub(crate) fn to_parts(self) -> Parts {
        let mut request = http::Request::new(());
        *request.method_mut() = self.method.clone();
        *request.uri_mut() = self.uri.clone();
        *request.headers_mut() = self.headers.clone();
        request.into_parts().0
    }
}
