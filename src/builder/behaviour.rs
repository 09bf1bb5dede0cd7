//! The setters of how the layer answers and reports.

use http::StatusCode;

use super::CorsBuilder;

impl CorsBuilder {
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
    /// With an [async origin predicate](crate::AllowOrigin::async_predicate) the inner service's
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

    /// The longest header name, in bytes, a preflight's `Access-Control-Request-Headers` may
    /// name (default 128). A preflight naming a longer one is denied
    /// ([`Denial::RequestHeaderNameTooLong`](crate::Denial::RequestHeaderNameTooLong)), so a
    /// policy that mirrors the requested headers never echoes an oversized name. Every name in
    /// [`allow_headers`](Self::allow_headers) must fit within it.
    ///
    /// ```
    /// use http::{header, Request};
    /// use tower_cors::{AllowHeaders, CorsLayer, Denial};
    ///
    /// let layer = CorsLayer::builder()
    ///     .allow_origin("https://app.example.com")
    ///     .allow_headers(AllowHeaders::mirror_request())
    ///     .max_request_header_name_len(32)
    ///     .build()
    ///     .unwrap();
    /// let preflight = Request::options("/")
    ///     .header(header::ORIGIN, "https://app.example.com")
    ///     .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
    ///     .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "x-".repeat(20))
    ///     .body(())
    ///     .unwrap();
    /// assert_eq!(
    ///     layer.decide(&preflight).denial(),
    ///     Some(&Denial::RequestHeaderNameTooLong { limit: 32 })
    /// );
    /// ```
    pub fn max_request_header_name_len(mut self, limit: usize) -> Self {
        self.settings.max_request_header_name_len = limit;
        self
    }

    /// Keep the CORS grant headers the inner service sets (`Access-Control-Allow-*`,
    /// `-Expose-Headers`, `-Max-Age`) instead of removing them. Off by default: the layer is
    /// the one authority over what a response grants, and removes every grant header the
    /// inner service set (a proxied upstream, a framework default, a second CORS layer) before
    /// writing its own. With the `tracing` feature each removal is a `DEBUG` event naming the
    /// headers, which is how a stacked CORS layer is found.
    ///
    /// With this on, the layer still overwrites the headers it writes itself, but whatever
    /// else the inner service grants reaches the browser: a refused origin can then receive
    /// the inner service's `Access-Control-Allow-Origin: *`. Only turn it on when the inner
    /// service's grants are meant to stand.
    ///
    /// ```
    /// use http::{header, Request, Response};
    /// use tower::{service_fn, Layer, ServiceExt};
    /// use tower_cors::CorsLayer;
    ///
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let upstream = || service_fn(|_req: Request<()>| async {
    ///     let mut response = Response::new(());
    ///     response.headers_mut().insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*".parse().unwrap());
    ///     Ok::<_, std::convert::Infallible>(response)
    /// });
    /// let refused = || Request::get("/").header(header::ORIGIN, "https://evil.example").body(()).unwrap();
    ///
    /// let owned = CorsLayer::builder().allow_origin("https://app.example.com").build().unwrap();
    /// let response = owned.layer(upstream()).oneshot(refused()).await.unwrap();
    /// assert!(response.headers().get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
    ///
    /// let keeping = CorsLayer::builder()
    ///     .allow_origin("https://app.example.com")
    ///     .preserve_inner_cors_headers(true)
    ///     .build()
    ///     .unwrap();
    /// let response = keeping.layer(upstream()).oneshot(refused()).await.unwrap();
    /// assert_eq!(response.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    /// # });
    /// ```
    pub fn preserve_inner_cors_headers(mut self, preserve: bool) -> Self {
        self.settings.preserve_inner_cors_headers = preserve;
        self
    }

    /// Development mode: on every response where the layer denied something, a `cors-debug`
    /// header says why and what to change, such as
    /// `cors-debug: the header "x-custom" is not allowed; add "x-custom" to allow_headers`, among the
    /// response headers the developer tools list for the request, where the page itself cannot
    /// read them. In this mode a preflight refused for its method or headers, from an allowed
    /// origin, also carries the origin's grant (`Access-Control-Allow-Origin`, and
    /// `-Credentials` when allowed), never the refused method or header: the browser still
    /// fails it, and complains about the refused method or header rather than about a missing
    /// `Access-Control-Allow-Origin`.
    ///
    /// **For development only:** it tells any caller the shape of the policy. The built layer
    /// carries a warning saying so ([`CorsLayer::warnings`](crate::CorsLayer::warnings), logged
    /// with the `tracing` feature). Off by default; the configuration key is `debug_header`.
    ///
    /// ```
    /// use http::{header, Method, Request};
    /// use tower_cors::{CorsLayer, WarningKind};
    ///
    /// let layer = CorsLayer::builder()
    ///     .allow_origin("https://app.example.com")
    ///     .allow_methods([Method::PUT])
    ///     .max_age(std::time::Duration::from_secs(600))
    ///     .debug_header(true)
    ///     .build()?;
    /// assert_eq!(layer.warnings()[0].kind(), WarningKind::DebugHeader);
    /// let preflight = Request::options("/")
    ///     .header(header::ORIGIN, "https://app.example.com")
    ///     .header(header::ACCESS_CONTROL_REQUEST_METHOD, "PUT")
    ///     .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "x-custom")
    ///     .body(())?;
    /// let (_, headers) = layer.headers_for(&preflight);
    /// assert_eq!(
    ///     headers["cors-debug"],
    ///     "the header \"x-custom\" is not allowed; add \"x-custom\" to allow_headers"
    /// );
    /// assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "https://app.example.com");
    /// assert!(headers.get(header::ACCESS_CONTROL_ALLOW_HEADERS).is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn debug_header(mut self, on: bool) -> Self {
        self.settings.debug_header = on;
        self
    }

    /// Insert the layer's [`Decision`](crate::Decision) into the request's extensions, so the
    /// inner service (handlers, metrics) can read whether and why the request was granted.
    ///
    /// Off by default because it costs an allocation per request when the request has no
    /// extensions yet. Preflights answered by the layer never reach the inner service. With an
    /// [async origin predicate](crate::AllowOrigin::async_predicate) nothing is inserted: the decision
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
}
