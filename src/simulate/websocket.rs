//! A WebSocket connection as a page opens it: `new WebSocket(url)` sends `Origin` and asks to
//! upgrade, without a preflight, and browsers apply no CORS check to the answer. The page
//! talks to the server once the server switches protocols; only the server's own refusal (the
//! layer's WebSocket guard, `403`) keeps it out.

use std::sync::Arc;

use http::header::{CONNECTION, HOST, SEC_WEBSOCKET_KEY, SEC_WEBSOCKET_VERSION, UPGRADE};
use http::{HeaderValue, Method, Request, StatusCode, Uri};

use super::fixes::fix_for_denial;
use super::{exchange, Blocked, BrowserRequest, InvalidRequest, Simulation};
use crate::policy::Policy;

impl BrowserRequest {
    /// A WebSocket connection a page on `origin` opens to `url` (`ws://` or `wss://`, or a
    /// path): a `GET` asking to upgrade, with no preflight. The URL's host is the `Host` the
    /// handshake carries, so a page on the server's own origin is recognised as such.
    ///
    /// ```
    /// use http::{StatusCode, Uri};
    /// use tower_cors::{Blocked, BrowserRequest, CorsLayer};
    ///
    /// let layer = CorsLayer::builder().allow_origin("https://app.example.com").build()?;
    /// let url = Uri::from_static("wss://api.example.com/chat");
    /// let app = BrowserRequest::websocket("https://app.example.com", &url)?;
    /// assert!(!app.needs_preflight());
    /// assert!(layer.simulate(&app).is_allowed());
    ///
    /// let evil = BrowserRequest::websocket("https://evil.example", &url)?;
    /// let simulation = layer.simulate(&evil);
    /// assert_eq!(simulation.blocked, Some(Blocked::HandshakeRefused(StatusCode::FORBIDDEN)));
    /// assert_eq!(simulation.fixes.len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// When `origin` cannot be a header value.
    pub fn websocket(origin: &str, url: &Uri) -> Result<Self, InvalidRequest> {
        let mut request = Self::new(origin, Method::GET)?;
        let path = url
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .parse::<Uri>()
            .unwrap_or_else(|_| Uri::from_static("/"));
        request.uri = match url.authority() {
            Some(authority) => Uri::builder()
                .scheme(url.scheme_str().unwrap_or("ws"))
                .authority(authority.as_str())
                .path_and_query(path.to_string())
                .build()
                .unwrap_or(path),
            None => path,
        };
        request.websocket = true;
        Ok(request)
    }

    /// Whether this is a WebSocket connection ([`BrowserRequest::websocket`]).
    ///
    /// ```
    /// use http::{Method, Uri};
    /// use tower_cors::BrowserRequest;
    ///
    /// let url = Uri::from_static("ws://localhost:4100/chat");
    /// assert!(BrowserRequest::websocket("http://localhost:3000", &url)?.is_websocket());
    /// assert!(!BrowserRequest::new("http://localhost:3000", Method::GET)?.is_websocket());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_websocket(&self) -> bool {
        self.websocket
    }

    /// The headers a browser's WebSocket handshake carries besides `Origin`.
    pub(super) fn add_handshake_headers(&self, request: &mut Request<()>) {
        let authority = request.uri().authority().map(|a| a.as_str().to_owned());
        let headers = request.headers_mut();
        if let Some(host) = authority.and_then(|a| HeaderValue::from_str(&a).ok()) {
            headers.insert(HOST, host);
        }
        headers.insert(UPGRADE, HeaderValue::from_static("websocket"));
        headers.insert(CONNECTION, HeaderValue::from_static("Upgrade"));
        headers.insert(SEC_WEBSOCKET_VERSION, HeaderValue::from_static("13"));
        headers.insert(
            SEC_WEBSOCKET_KEY,
            HeaderValue::from_static("dGhlIHNhbXBsZSBub25jZQ=="),
        );
    }

    /// The dry run of a WebSocket connection: the handshake and the layer's answer. The
    /// connection opens unless the layer answers the handshake itself.
    pub(super) fn simulate_handshake(
        &self,
        policy: &Arc<Policy>,
        notes: Vec<String>,
    ) -> Simulation {
        let actual = exchange(policy, self.actual_request());
        let mut fixes = Vec::new();
        if let Some(denial) = actual.decision.denial() {
            if actual.status.is_some() {
                fixes.push(fix_for_denial(denial, &actual.decision, self, policy));
            }
        }
        let blocked = actual
            .status
            .filter(|&status| status != StatusCode::SWITCHING_PROTOCOLS)
            .map(Blocked::HandshakeRefused);
        Simulation {
            preflight: None,
            actual: Some(actual),
            blocked,
            fixes,
            notes,
            credentials: self.credentials,
        }
    }
}
