//! The policy builder.

use std::sync::Arc;
use std::time::Duration;

use http::StatusCode;

use crate::error::ConfigError;
use crate::headers::{AllowHeaders, ExposeHeaders};
use crate::layer::CorsLayer;
use crate::methods::AllowMethods;
use crate::origin::AllowOrigin;
use crate::policy::Settings;

/// Collects a CORS policy; [`build`](CorsBuilder::build) validates it into a [`CorsLayer`].
///
/// Every setting replaces what an earlier call of the same method set. Nothing is checked
/// until `build`, which reports every problem at once.
///
/// Defaults: no origin (which `build` refuses, see [`CorsBuilder::allow_origin`]), only the
/// CORS-safelisted methods, no extra request headers, no exposed headers, no credentials, no
/// `Access-Control-Max-Age`, no private network access, preflights answered with
/// `204 No Content`.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use http::{header, Method};
/// use tower_cors::CorsLayer;
///
/// let layer = CorsLayer::builder()
///     .allow_origin(["https://app.example.com", "https://*.preview.example.com"])
///     .allow_methods([Method::GET, Method::POST, Method::PUT])
///     .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION])
///     .expose_headers(["x-request-id"])
///     .allow_credentials(true)
///     .max_age(Duration::from_secs(600))
///     .build()?;
/// # let _ = layer;
/// # Ok::<(), tower_cors::ConfigError>(())
/// ```
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct CorsBuilder {
    settings: Settings,
}

impl CorsLayer {
    /// Starts a policy. See [`CorsBuilder`].
    ///
    /// ```
    /// use tower_cors::CorsLayer;
    ///
    /// let layer = CorsLayer::builder().allow_origin("https://app.example.com").build()?;
    /// # let _ = layer;
    /// # Ok::<(), tower_cors::ConfigError>(())
    /// ```
    pub fn builder() -> CorsBuilder {
        CorsBuilder::new()
    }

    /// The same as [`CorsLayer::builder`], under the name tower-http users know:
    /// `CorsLayer::new().allow_origin(..)...` keeps working, with `.build()?` at the end, where
    /// every configuration problem is reported.
    ///
    /// ```
    /// use http::{header, Method, Request};
    /// use tower_cors::CorsLayer;
    ///
    /// let layer = CorsLayer::new()
    ///     .allow_origin("https://app.example.com")
    ///     .allow_methods([Method::GET, Method::POST])
    ///     .build()?;
    /// let request = Request::get("/").header(header::ORIGIN, "https://app.example.com").body(())?;
    /// assert!(layer.decide(&request).is_allowed());
    /// assert!(CorsLayer::new().build().is_err()); // no origin policy
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[allow(clippy::new_ret_no_self)]
    pub fn new() -> CorsBuilder {
        CorsBuilder::new()
    }
}

impl CorsBuilder {
    /// An empty policy; the same as [`CorsLayer::builder`].
    ///
    /// ```
    /// let builder = tower_cors::CorsBuilder::new();
    /// assert!(builder.build().is_err()); // no origin allowed yet
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    pub(crate) fn from_settings(settings: Settings) -> Self {
        Self { settings }
    }

    /// Which origins may read responses ([`Access-Control-Allow-Origin`][mdn]).
    ///
    /// Required: a policy without it is a configuration error. See [`AllowOrigin`] for exact
    /// origins, subdomain and port patterns, `null`, predicates, mirroring and `*`.
    ///
    /// ```
    /// use tower_cors::{AllowOrigin, Any, CorsLayer};
    ///
    /// // One origin
    /// let one = CorsLayer::builder().allow_origin("https://app.example.com").build().unwrap();
    /// // A list with a subdomain pattern
    /// let list = CorsLayer::builder()
    ///     .allow_origin(["https://app.example.com", "https://*.example.org"])
    ///     .build()
    ///     .unwrap();
    /// // Everyone
    /// let any = CorsLayer::builder().allow_origin(Any).build().unwrap();
    /// // A function of the origin
    /// let function = CorsLayer::builder()
    ///     .allow_origin(AllowOrigin::predicate(|origin, _| origin.as_bytes().ends_with(b".test")))
    ///     .build()
    ///     .unwrap();
    /// # let _ = (one, list, any, function);
    /// ```
    ///
    /// [mdn]: https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Access-Control-Allow-Origin
    pub fn allow_origin(mut self, origin: impl Into<AllowOrigin>) -> Self {
        self.settings.allow_origin = origin.into();
        self
    }

    /// Which methods preflights may ask for ([`Access-Control-Allow-Methods`][mdn]).
    ///
    /// `GET`, `HEAD` and `POST` are always allowed. See [`AllowMethods`].
    ///
    /// ```
    /// use http::Method;
    /// use tower_cors::{Any, CorsLayer};
    ///
    /// let list = CorsLayer::builder()
    ///     .allow_origin("https://app.example.com")
    ///     .allow_methods([Method::PUT, Method::DELETE])
    ///     .build()
    ///     .unwrap();
    /// let any = CorsLayer::builder()
    ///     .allow_origin("https://app.example.com")
    ///     .allow_methods(Any)
    ///     .build()
    ///     .unwrap();
    /// # let _ = (list, any);
    /// ```
    ///
    /// [mdn]: https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Access-Control-Allow-Methods
    pub fn allow_methods(mut self, methods: impl Into<AllowMethods>) -> Self {
        self.settings.allow_methods = methods.into();
        self
    }

    /// Which request headers preflights may ask for ([`Access-Control-Allow-Headers`][mdn]).
    ///
    /// See [`AllowHeaders`]; note that the wildcard never covers `Authorization`.
    ///
    /// ```
    /// use http::header;
    /// use tower_cors::{AllowHeaders, CorsLayer};
    ///
    /// let layer = CorsLayer::builder()
    ///     .allow_origin("https://app.example.com")
    ///     .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION])
    ///     .build()
    ///     .unwrap();
    /// let any_and_auth = CorsLayer::builder()
    ///     .allow_origin("https://app.example.com")
    ///     .allow_headers(AllowHeaders::any_with_authorization())
    ///     .build()
    ///     .unwrap();
    /// # let _ = (layer, any_and_auth);
    /// ```
    ///
    /// [mdn]: https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Access-Control-Allow-Headers
    pub fn allow_headers(mut self, headers: impl Into<AllowHeaders>) -> Self {
        self.settings.allow_headers = headers.into();
        self
    }

    /// Which response headers scripts may read ([`Access-Control-Expose-Headers`][mdn]).
    ///
    /// ```
    /// use tower_cors::CorsLayer;
    ///
    /// let layer = CorsLayer::builder()
    ///     .allow_origin("https://app.example.com")
    ///     .expose_headers(["x-request-id", "x-ratelimit-remaining"])
    ///     .build()
    ///     .unwrap();
    /// # let _ = layer;
    /// ```
    ///
    /// [mdn]: https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Access-Control-Expose-Headers
    pub fn expose_headers(mut self, headers: impl Into<ExposeHeaders>) -> Self {
        self.settings.expose_headers = headers.into();
        self
    }

    /// Whether credentialed requests (cookies, HTTP authentication, client certificates) may
    /// read responses ([`Access-Control-Allow-Credentials`][mdn]).
    ///
    /// With credentials, `*` cannot be the allowed origin or the exposed headers (a
    /// configuration error), and the wildcard for methods and request headers is sent as the
    /// mirrored request values.
    ///
    /// ```
    /// use tower_cors::CorsLayer;
    ///
    /// let layer = CorsLayer::builder()
    ///     .allow_origin("https://app.example.com")
    ///     .allow_credentials(true)
    ///     .build()
    ///     .unwrap();
    /// # let _ = layer;
    /// ```
    ///
    /// [mdn]: https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Access-Control-Allow-Credentials
    pub fn allow_credentials(mut self, allow: bool) -> Self {
        self.settings.allow_credentials = allow;
        self
    }

    /// How long browsers may cache a preflight answer ([`Access-Control-Max-Age`][mdn]), in
    /// whole seconds. Browsers cap it (Chromium at 2 hours, Firefox at 24 hours), and without
    /// it Chromium caches for 5 seconds.
    ///
    /// ```
    /// use std::time::Duration;
    /// use tower_cors::CorsLayer;
    ///
    /// let layer = CorsLayer::builder()
    ///     .allow_origin("https://app.example.com")
    ///     .max_age(Duration::from_secs(600))
    ///     .build()
    ///     .unwrap();
    /// # let _ = layer;
    /// ```
    ///
    /// [mdn]: https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Access-Control-Max-Age
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.settings.max_age = Some(max_age);
        self
    }

    /// Whether pages on public networks may reach this (private network) service: answers
    /// `Access-Control-Request-Private-Network: true` with
    /// `Access-Control-Allow-Private-Network: true` ([Private Network Access][pna]). When off,
    /// such a preflight is denied.
    ///
    /// ```
    /// use tower_cors::CorsLayer;
    ///
    /// let layer = CorsLayer::builder()
    ///     .allow_origin("https://app.example.com")
    ///     .allow_private_network(true)
    ///     .build()
    ///     .unwrap();
    /// # let _ = layer;
    /// ```
    ///
    /// [pna]: https://wicg.github.io/private-network-access/
    pub fn allow_private_network(mut self, allow: bool) -> Self {
        self.settings.allow_private_network = allow;
        self
    }

    /// The status of an allowed preflight answered by the layer: `204 No Content` by default;
    /// some old clients want `200 OK`. It must be a 2xx status.
    ///
    /// ```
    /// use http::StatusCode;
    /// use tower_cors::CorsLayer;
    ///
    /// let layer = CorsLayer::builder()
    ///     .allow_origin("https://app.example.com")
    ///     .preflight_status(StatusCode::OK)
    ///     .build()
    ///     .unwrap();
    /// # let _ = layer;
    /// ```
    pub fn preflight_status(mut self, status: StatusCode) -> Self {
        self.settings.preflight_status = Some(status.as_u16());
        self
    }

    /// Answer denied preflights with `403 Forbidden` instead of the preflight status.
    ///
    /// Either way a denied preflight carries no grant and the browser fails it; the status only
    /// makes denials easier to spot in logs and developer tools.
    ///
    /// ```
    /// use tower_cors::CorsLayer;
    ///
    /// let layer = CorsLayer::builder()
    ///     .allow_origin("https://app.example.com")
    ///     .strict_preflight(true)
    ///     .build()
    ///     .unwrap();
    /// # let _ = layer;
    /// ```
    pub fn strict_preflight(mut self, strict: bool) -> Self {
        self.settings.strict_preflight = strict;
        self
    }

    /// Answer requests from a refused origin with `403 Forbidden` without calling the inner
    /// service.
    ///
    /// Off by default: CORS is enforced by browsers, which already hide the response from the
    /// page; the request itself may still have effects, which this option prevents for
    /// requests that carry an `Origin`. Requests without `Origin` always go through.
    ///
    /// With an [async origin predicate](AllowOrigin::async_predicate) the inner service's
    /// `call` runs before the check completes (the service holds no clone of it to call later);
    /// when the origin is refused its future is dropped without ever being polled, so an
    /// `async` handler never runs.
    ///
    /// ```
    /// use tower_cors::CorsLayer;
    ///
    /// let layer = CorsLayer::builder()
    ///     .allow_origin("https://app.example.com")
    ///     .reject_disallowed_origins(true)
    ///     .build()
    ///     .unwrap();
    /// # let _ = layer;
    /// ```
    pub fn reject_disallowed_origins(mut self, reject: bool) -> Self {
        self.settings.reject_disallowed_origins = reject;
        self
    }

    /// Pass preflights on to the inner service instead of answering them, adding the CORS
    /// headers to its response (like `preflightContinue` in expressjs/cors).
    ///
    /// The service then chooses the status, so combining this with
    /// [`preflight_status`](Self::preflight_status) or
    /// [`strict_preflight`](Self::strict_preflight) is a configuration error.
    ///
    /// ```
    /// use tower_cors::CorsLayer;
    ///
    /// let layer = CorsLayer::builder()
    ///     .allow_origin("https://app.example.com")
    ///     .preflight_continue(true)
    ///     .build()
    ///     .unwrap();
    /// # let _ = layer;
    /// ```
    pub fn preflight_continue(mut self, pass: bool) -> Self {
        self.settings.preflight_continue = pass;
        self
    }

    /// The most header names a preflight's `Access-Control-Request-Headers` may list
    /// (default 64). A longer list is denied after reading `limit + 1` names, which bounds the
    /// work a hostile request can cause.
    ///
    /// ```
    /// use tower_cors::CorsLayer;
    ///
    /// let layer = CorsLayer::builder()
    ///     .allow_origin("https://app.example.com")
    ///     .max_request_headers(16)
    ///     .build()
    ///     .unwrap();
    /// # let _ = layer;
    /// ```
    pub fn max_request_headers(mut self, limit: usize) -> Self {
        self.settings.max_request_headers = limit;
        self
    }

    /// Insert the layer's [`Decision`](crate::Decision) into the request's extensions, so the
    /// inner service (handlers, metrics) can read whether and why the request was granted.
    ///
    /// Off by default because it costs an allocation per request when the request has no
    /// extensions yet. Preflights answered by the layer never reach the inner service. With an
    /// [async origin predicate](AllowOrigin::async_predicate) nothing is inserted: the decision
    /// is only known after the inner service was called.
    ///
    /// ```
    /// use std::convert::Infallible;
    /// use http::{header, Request, Response};
    /// use tower::{service_fn, Layer, ServiceExt};
    /// use tower_cors::{CorsLayer, Decision};
    ///
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let layer = CorsLayer::builder()
    ///     .allow_origin("https://app.example.com")
    ///     .decision_extension(true)
    ///     .build()
    ///     .unwrap();
    /// let service = layer.layer(service_fn(|request: Request<()>| async move {
    ///     let decision = request.extensions().get::<Decision>().unwrap();
    ///     Ok::<_, Infallible>(Response::new(decision.to_string()))
    /// }));
    /// let request = Request::get("/")
    ///     .header(header::ORIGIN, "https://other.example")
    ///     .body(())
    ///     .unwrap();
    /// let response = service.oneshot(request).await.unwrap();
    /// assert_eq!(
    ///     response.into_body().into_inner().unwrap(),
    ///     "request denied: the origin is not allowed by the policy"
    /// );
    /// # });
    /// ```
    pub fn decision_extension(mut self, insert: bool) -> Self {
        self.settings.decision_extension = insert;
        self
    }

    /// The level of the `tracing` event emitted for each denied request (default `DEBUG`).
    /// Grants are traced at `TRACE`; requests without `Origin` are not traced.
    ///
    /// ```
    /// use tower_cors::CorsLayer;
    ///
    /// let layer = CorsLayer::builder()
    ///     .allow_origin("https://app.example.com")
    ///     .denial_level(tracing::Level::INFO)
    ///     .build()
    ///     .unwrap();
    /// # let _ = layer;
    /// ```
    #[cfg(feature = "tracing")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tracing")))]
    pub fn denial_level(mut self, level: tracing::Level) -> Self {
        self.settings.denial_level = level;
        self
    }

    /// Validates the policy and precomputes every header value.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] listing every problem: no origin policy, a malformed origin or
    /// pattern, an invalid method or header name, `*` inside a list, `*` or mirroring with
    /// credentials, a preflight status that is not 2xx, a zero limit, options that
    /// [`preflight_continue`](Self::preflight_continue) would silently ignore.
    ///
    /// ```
    /// use tower_cors::{Any, CorsLayer};
    ///
    /// let err = CorsLayer::builder()
    ///     .allow_origin(Any)
    ///     .allow_credentials(true)
    ///     .build()
    ///     .unwrap_err();
    /// assert!(err.to_string().contains("allow_origins"));
    /// ```
    pub fn build(&self) -> Result<CorsLayer, ConfigError> {
        match self.settings.compile() {
            Ok(policy) => Ok(CorsLayer::from_policy(Arc::new(policy))),
            Err(problems) => Err(ConfigError::new(problems)),
        }
    }
}
