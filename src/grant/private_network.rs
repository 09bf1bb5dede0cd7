//! Whether pages on public networks may reach this service through Private Network Access:
//! the public configuration type.

use crate::grant::toggle::toggle_grant;

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
