//! The setters of a set of policies.

use super::CorsBuilder;

impl CorsBuilder {
    /// Adds a policy to the set, after those added before. For each request the first policy
    /// whose [`paths`](Self::paths) match and whose origins admit the request's origin decides
    /// everything about it (methods, headers, credentials, max-age, options); the policy
    /// being built here, the top level, is the last resort, and refuses what no policy admits.
    ///
    /// Choosing among policies that list exact origins is one hash lookup, however many there
    /// are; the others (patterns, `*`, mirroring, predicates) are asked in turn. Every answer
    /// of a set carries `Vary: Origin`, unless every policy answers `*`. An async origin
    /// predicate is not asked while choosing: its policy is chosen, and its check decides.
    ///
    /// ```
    /// use http::{header, Method, Request};
    /// use tower_cors::{Any, CorsLayer};
    ///
    /// let layer = CorsLayer::builder()
    ///     .allow_origins(["https://app.example.com"]) // the last resort
    ///     .allow_methods([Method::GET, Method::POST])
    ///     .policy(
    ///         CorsLayer::builder()
    ///             .allow_origins(["https://admin.example.com"])
    ///             .allow_methods([Method::GET, Method::POST, Method::DELETE])
    ///             .allow_credentials(true),
    ///     )
    ///     .policy(CorsLayer::builder().paths(["/public/"]).allow_origin(Any))
    ///     .build()?;
    ///
    /// let get = |origin, path| Request::get(path).header(header::ORIGIN, origin).body(()).unwrap();
    /// let (decision, headers) = layer.headers_for(&get("https://admin.example.com", "/users"));
    /// assert_eq!(decision.policy(), Some(0));
    /// assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_CREDENTIALS], "true");
    /// let (decision, headers) = layer.headers_for(&get("https://anyone.example", "/public/a.css"));
    /// assert_eq!(decision.policy(), Some(1));
    /// assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    /// let (decision, _) = layer.headers_for(&get("https://anyone.example", "/users"));
    /// assert!(!decision.is_allowed());
    /// assert_eq!(decision.considered(), [0]);
    /// # Ok::<(), tower_cors::ConfigError>(())
    /// ```
    pub fn policy(mut self, policy: CorsBuilder) -> Self {
        self.settings.policies.push(policy.settings);
        self
    }

    /// The path prefixes a policy of a set applies to (left out: every path). A prefix matches
    /// whole segments: `/public/` and `/public` both match `/public` and `/public/a.css`,
    /// neither matches `/publicity`; `/` matches every path.
    ///
    /// Prefixes are compared byte for byte with the request's path, as it arrives, without
    /// its query: case-sensitive, and with percent-encoding left as it is (`/public%2Fa` is
    /// not under `/public/`), which is what routers such as axum's match on. Only policies
    /// added with [`policy`](Self::policy) take paths; the top-level policy is the last
    /// resort for every path.
    ///
    /// ```
    /// use http::{header, Request};
    /// use tower_cors::{Any, CorsLayer};
    ///
    /// let layer = CorsLayer::builder()
    ///     .allow_origins(["https://app.example.com"])
    ///     .policy(CorsLayer::builder().paths(["/public"]).allow_origin(Any))
    ///     .build()?;
    /// let get = |path| Request::get(path).header(header::ORIGIN, "https://x.example").body(()).unwrap();
    /// assert!(layer.decide(&get("/public/fonts/a.woff2?v=2")).is_allowed());
    /// assert!(!layer.decide(&get("/publicity")).is_allowed());
    /// # Ok::<(), tower_cors::ConfigError>(())
    /// ```
    pub fn paths<I, T>(mut self, prefixes: I) -> Self
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        self.settings.paths = Some(
            prefixes
                .into_iter()
                .map(|p| p.as_ref().to_owned())
                .collect(),
        );
        self
    }
}
