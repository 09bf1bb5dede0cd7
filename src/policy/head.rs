//! The parts of a request the policy reads.

use http::header::GetAll;
use http::header::{ACCESS_CONTROL_REQUEST_METHOD, HOST, ORIGIN, UPGRADE};
use http::request::Parts;
use http::{HeaderMap, HeaderValue, Method, Uri};

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
    /// asks about the server as a whole and which browsers never send); see
    /// <https://fetch.spec.whatwg.org/#cors-preflight-request>.
    pub(crate) fn is_preflight(&self) -> bool {
        self.headers.contains_key(ORIGIN) && self.requested_methods().is_some()
    }

    /// The `Access-Control-Request-Method` lines of a request that is a preflight if it has
    /// `Origin` (which the caller looks up): `OPTIONS` to a path, with at least one such line.
    /// The one classification the evaluation and [`Head::is_preflight`] share.
    #[inline]
    pub(crate) fn requested_methods(&self) -> Option<GetAll<'a, HeaderValue>> {
        self.may_be_preflight()
            .then(|| self.headers.get_all(ACCESS_CONTROL_REQUEST_METHOD))
            .filter(|methods| methods.iter().next().is_some())
    }

    /// The method and target of a preflight: `OPTIONS` to a path.
    pub(crate) fn may_be_preflight(&self) -> bool {
        // Comparing the whole URI with `*` costs more than the rest of a preflight's
        // classification; a path that is not `*` rules it out first.
        *self.method == Method::OPTIONS && !(self.uri.path() == "*" && *self.uri == "*")
    }

    /// Whether this is a WebSocket handshake: an HTTP/1.1 `GET` asking to upgrade to
    /// `websocket` (RFC 6455; the token in any case, among others), or a `CONNECT`, which
    /// browsers send only as HTTP/2's extended `CONNECT` for a WebSocket (RFC 8441).
    pub(crate) fn is_websocket_handshake(&self) -> bool {
        match *self.method {
            Method::GET => self.headers.get_all(UPGRADE).iter().any(|value| {
                value
                    .as_bytes()
                    .split(|&b| b == b',')
                    .any(|token| token.trim_ascii().eq_ignore_ascii_case(b"websocket"))
            }),
            Method::CONNECT => true,
            _ => false,
        }
    }

    /// Whether `origin` is the server's own: its host and port are those of the request's
    /// `Host` (or, for HTTP/2, of its authority), the default port of the origin's scheme
    /// standing for a missing one. A page never needs CORS to reach its own server.
    pub(crate) fn is_same_origin(&self, origin: &[u8]) -> bool {
        let Some((scheme, authority)) = split_scheme(origin) else {
            return false;
        };
        let default_port: &[u8] = match scheme {
            b"https" | b"wss" => b"443",
            b"http" | b"ws" => b"80",
            _ => return false,
        };
        let host = match self.headers.get(HOST) {
            Some(host) => host.as_bytes(),
            None => match self.uri.authority() {
                Some(authority) => authority.as_str().as_bytes(),
                None => return false,
            },
        };
        let (origin_host, origin_port) = host_and_port(authority, default_port);
        let (server_host, server_port) = host_and_port(host, default_port);
        origin_host.eq_ignore_ascii_case(server_host) && origin_port == server_port
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

/// The scheme and authority of a serialized origin (`https://app.example.com:8443`).
fn split_scheme(origin: &[u8]) -> Option<(&[u8], &[u8])> {
    let at = origin.windows(3).position(|w| w == b"://")?;
    Some((&origin[..at], &origin[at + 3..]))
}

/// An authority's host and port, `default_port` when it has none. An IPv6 literal keeps its
/// brackets.
fn host_and_port<'a>(authority: &'a [u8], default_port: &'a [u8]) -> (&'a [u8], &'a [u8]) {
    let after_host = match authority.first() {
        Some(b'[') => authority
            .iter()
            .position(|&b| b == b']')
            .map_or(0, |i| i + 1),
        _ => 0,
    };
    match authority[after_host..].iter().position(|&b| b == b':') {
        Some(colon) => {
            let colon = after_host + colon;
            (&authority[..colon], &authority[colon + 1..])
        }
        None => (authority, default_port),
    }
}

#[cfg(test)]
mod tests {
    use http::Request;

    use super::*;

    fn head_of(request: &Request<()>) -> Head<'_> {
        Head::of(request)
    }

    #[test]
    fn websocket_handshakes_are_recognised() {
        for (method, upgrade, expected) in [
            ("GET", Some("websocket"), true),
            ("GET", Some("WebSocket"), true),
            ("GET", Some("h2c, websocket"), true),
            ("GET", Some("h2c"), false),
            ("GET", None, false),
            ("POST", Some("websocket"), false),
            ("CONNECT", None, true),
        ] {
            let mut request = Request::builder().method(method).uri("/chat");
            if let Some(upgrade) = upgrade {
                request = request.header(UPGRADE, upgrade);
            }
            let request = request.body(()).unwrap();
            assert_eq!(
                head_of(&request).is_websocket_handshake(),
                expected,
                "{method} {upgrade:?}"
            );
        }
    }

    #[test]
    fn the_servers_own_origin_is_recognised() {
        let with_host = |host: &str| Request::get("/chat").header(HOST, host).body(()).unwrap();
        for (host, origin, expected) in [
            ("chat.example.com", "https://chat.example.com", true),
            ("chat.example.com:443", "https://chat.example.com", true),
            ("Chat.Example.com", "https://chat.example.com", true),
            ("chat.example.com", "http://chat.example.com", true),
            (
                "chat.example.com:8080",
                "http://chat.example.com:8080",
                true,
            ),
            ("chat.example.com:8080", "http://chat.example.com", false),
            ("chat.example.com", "https://evil.example.com", false),
            (
                "chat.example.com",
                "https://chat.example.com.evil.net",
                false,
            ),
            ("[::1]:8080", "http://[::1]:8080", true),
            ("[::1]", "http://[::1]:8080", false),
            ("chat.example.com", "null", false),
        ] {
            let request = with_host(host);
            assert_eq!(
                head_of(&request).is_same_origin(origin.as_bytes()),
                expected,
                "{host} {origin}"
            );
        }
        // HTTP/2: the authority, when there is no Host.
        let request = Request::get("https://chat.example.com/chat")
            .body(())
            .unwrap();
        assert!(head_of(&request).is_same_origin(b"https://chat.example.com"));
    }
}
