//! Whether pages on public networks may reach this service through Private Network Access
//! (<https://wicg.github.io/private-network-access/#cors-preflight>): the public configuration
//! type, its headers, and the check of a preflight.

use http::request::Parts;
use http::{HeaderMap, HeaderName, HeaderValue};

use crate::grant::toggle::{toggle_grant, Toggle};

/// The preflight's question: `true` asks for access to a private network.
pub(crate) const ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-request-private-network");
/// The answer that grants it.
pub(crate) const ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-allow-private-network");

/// Whether a preflight from an allowed `origin` is granted private network access: it asks
/// with exactly `true`, and `policy` allows it. Otherwise the question is ignored, as a server
/// that does not know it would; the browser then refuses the preflight for want of
/// `Access-Control-Allow-Private-Network`. The header is looked up only when the policy may
/// allow it.
#[inline]
pub(crate) fn grants_private_network<'a>(
    policy: &Toggle,
    headers: &HeaderMap,
    origin: &HeaderValue,
    parts: &impl Fn() -> &'a Parts,
) -> bool {
    policy.is_possible()
        && headers
            .get(ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK)
            .is_some_and(|v| v == "true")
        && policy.decide(origin, parts)
}

toggle_grant! {
    /// Whether to answer Private Network Access preflights
    /// (`Access-Control-Request-Private-Network: true`) with
    /// `Access-Control-Allow-Private-Network: true`.
    ///
    /// Converts from a `bool`; [`AllowPrivateNetwork::predicate`] decides per preflight. Private
    /// Network Access is legacy: Chrome stopped sending these preflights in Chrome 138 for its
    /// Local Network Access permission prompt, which no header grants. See
    /// [`CorsBuilder::allow_private_network`](crate::CorsBuilder::allow_private_network).
    ///
    /// ```
    /// use tower_cors::{AllowPrivateNetwork, CorsLayer};
    ///
    /// let layer = CorsLayer::builder()
    ///     .allow_origin("https://app.example.com")
    ///     .allow_private_network(AllowPrivateNetwork::yes())
    ///     .build()?;
    /// # let _ = layer;
    /// # Ok::<(), tower_cors::ConfigError>(())
    /// ```
    pub struct AllowPrivateNetwork;

    /// Answer every Private Network Access preflight from an allowed origin.
    ///
    /// ```
    /// let pna = tower_cors::AllowPrivateNetwork::yes();
    /// # let _ = pna;
    /// ```
    pub fn yes();

    /// Answer the Private Network Access preflights for which `f` returns `true`; it gets the
    /// request's origin (already allowed) and head.
    ///
    /// ```
    /// use http::{header, Request};
    /// use tower_cors::{AllowPrivateNetwork, CorsLayer};
    ///
    /// let layer = CorsLayer::builder()
    ///     .allow_origin(["https://app.example.com".parse()?, "https://other.example.com".parse()?])
    ///     .allow_private_network(AllowPrivateNetwork::predicate(|origin, _| {
    ///         origin == "https://app.example.com"
    ///     }))
    ///     .build()?;
    /// let preflight = |origin| {
    ///     Request::options("/")
    ///         .header(header::ORIGIN, origin)
    ///         .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
    ///         .header("access-control-request-private-network", "true")
    ///         .body(())
    ///         .unwrap()
    /// };
    /// let (_, app) = layer.headers_for(&preflight("https://app.example.com"));
    /// assert_eq!(app["access-control-allow-private-network"], "true");
    /// let (_, other) = layer.headers_for(&preflight("https://other.example.com"));
    /// assert!(other.get("access-control-allow-private-network").is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn predicate();

    /// Whether some preflight may be granted private network access.
    pub(crate) fn is_possible();
}
