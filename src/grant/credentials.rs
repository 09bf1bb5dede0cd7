//! Whether credentialed requests may read responses (`Access-Control-Allow-Credentials`,
//! <https://fetch.spec.whatwg.org/#http-access-control-allow-credentials>): the public
//! configuration type and its compiled form. With credentials, no grant may be `*`
//! (<https://fetch.spec.whatwg.org/#cors-protocol-and-credentials>).

use crate::grant::toggle::toggle_grant;

toggle_grant! {
    /// Whether credentialed requests (cookies, HTTP authentication, client certificates) may read
    /// responses ([`Access-Control-Allow-Credentials`][mdn]).
    ///
    /// Converts from a `bool`; [`AllowCredentials::predicate`] decides per request. Whichever it
    /// is, a policy that may allow credentials never answers with `*`: the wildcard origin and
    /// exposed headers are configuration errors, and the method and header wildcards are sent as
    /// the mirrored request values.
    ///
    /// See [`CorsBuilder::allow_credentials`](crate::CorsBuilder::allow_credentials) for more
    /// details.
    ///
    /// ```
    /// use tower_cors::{AllowCredentials, CorsLayer};
    ///
    /// let always = CorsLayer::builder()
    ///     .allow_origin("https://app.example.com")
    ///     .allow_credentials(AllowCredentials::yes())
    ///     .build()?;
    /// let same = CorsLayer::builder().allow_origin("https://app.example.com").allow_credentials(true).build()?;
    /// # let _ = (always, same);
    /// # Ok::<(), tower_cors::ConfigError>(())
    /// ```
    ///
    /// [mdn]: https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Access-Control-Allow-Credentials
    pub struct AllowCredentials;

    /// Allow credentials on every granted request.
    ///
    /// ```
    /// use tower_cors::AllowCredentials;
    ///
    /// let credentials = AllowCredentials::yes();
    /// # let _ = credentials;
    /// ```
    pub fn yes();

    /// Allow credentials on the granted requests for which `f` returns `true`; it gets the
    /// request's origin (already allowed by the origin policy) and head.
    ///
    /// ```
    /// use http::{header, Request};
    /// use tower_cors::{AllowCredentials, CorsLayer};
    ///
    /// let layer = CorsLayer::builder()
    ///     .allow_origin(["https://app.example.com".parse()?, "https://docs.example.com".parse()?])
    ///     .allow_credentials(AllowCredentials::predicate(|origin, _parts| {
    ///         origin == "https://app.example.com"
    ///     }))
    ///     .build()?;
    /// let from = |origin| Request::get("/").header(header::ORIGIN, origin).body(()).unwrap();
    /// let (_, app) = layer.headers_for(&from("https://app.example.com"));
    /// assert_eq!(app[header::ACCESS_CONTROL_ALLOW_CREDENTIALS], "true");
    /// let (_, docs) = layer.headers_for(&from("https://docs.example.com"));
    /// assert!(docs.get(header::ACCESS_CONTROL_ALLOW_CREDENTIALS).is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn predicate();

    /// Whether the policy may allow credentials on some request.
    pub(crate) fn is_possible();
}
