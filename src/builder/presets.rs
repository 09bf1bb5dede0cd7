//! Presets: ready-made policies, each through the builder's checks.

use std::time::Duration;

use http::Method;

use crate::builder::CorsBuilder;
use crate::grant::headers::{AllowHeaders, ExposeHeaders};
use crate::grant::methods::AllowMethods;
use crate::grant::origin::AllowOrigin;
use crate::layer::CorsLayer;

/// How long browsers may cache a gRPC-web preflight: two hours, the most Chromium honours.
const GRPC_WEB_MAX_AGE: Duration = Duration::from_secs(2 * 60 * 60);

impl CorsLayer {
    /// A policy that lets any page read any response, without credentials:
    ///
    /// - `Access-Control-Allow-Origin: *`, on every response (requests without `Origin`
    ///   included, so cached responses serve everyone)
    /// - `Access-Control-Allow-Methods: *`
    /// - `Access-Control-Allow-Headers: *` (which never covers `Authorization`)
    /// - `Access-Control-Expose-Headers: *`
    ///
    /// Fine for public, read-only data; for anything else list the origins. It returns the
    /// builder, so the preset can be refined before [`build`](CorsBuilder::build).
    ///
    /// ```
    /// use http::Method;
    /// use tower_cors::CorsLayer;
    ///
    /// let layer = CorsLayer::permissive().build()?;
    /// let read_only = CorsLayer::permissive().allow_methods([Method::GET, Method::HEAD]).build()?;
    /// # let _ = (layer, read_only);
    /// # Ok::<(), tower_cors::ConfigError>(())
    /// ```
    pub fn permissive() -> CorsBuilder {
        CorsBuilder::new()
            .allow_origin(AllowOrigin::any())
            .allow_methods(AllowMethods::any())
            .allow_headers(AllowHeaders::any())
            .expose_headers(ExposeHeaders::any())
    }

    /// What tower-http calls `very_permissive`: every origin mirrored **with credentials**,
    /// and the requested methods and headers mirrored. Any web site can then make your
    /// users' browsers send their cookies here and read the answers.
    ///
    /// It is here so that code moving from tower-http compiles and warns; prefer
    /// [`CorsLayer::permissive`] (no credentials) or list the origins that may use
    /// credentials. It is built with
    /// [`AllowOrigin::dangerously_mirror_any_origin_with_credentials`].
    ///
    /// ```
    /// # #![allow(deprecated)]
    /// use http::{header, Request};
    /// use tower_cors::CorsLayer;
    ///
    /// let layer = CorsLayer::very_permissive().build()?;
    /// let request = Request::get("/").header(header::ORIGIN, "https://any.example").body(())?;
    /// let (_, headers) = layer.headers_for(&request);
    /// assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "https://any.example");
    /// assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_CREDENTIALS], "true");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[deprecated(
        since = "0.1.0",
        note = "mirrors every origin with credentials, so any site can read your users' data; \
                use `CorsLayer::permissive()` (no credentials) or list the origins that may use \
                credentials"
    )]
    pub fn very_permissive() -> CorsBuilder {
        CorsBuilder::new()
            .allow_origin(AllowOrigin::dangerously_mirror_any_origin_with_credentials())
            .allow_credentials(true)
            .allow_methods(AllowMethods::mirror_request())
            .allow_headers(AllowHeaders::mirror_request())
    }

    /// The request headers [`CorsLayer::grpc_web`] allows: what gRPC-web clients (grpc-web,
    /// Connect's gRPC-web transport) send on their own.
    ///
    /// - `content-type`: `application/grpc-web+proto` and the like are not CORS-safelisted
    /// - `x-grpc-web`, `x-user-agent`: protocol marker and client identification
    /// - `grpc-timeout`: the call's deadline
    /// - `grpc-encoding`, `grpc-accept-encoding`: message compression, when the client uses it
    ///
    /// Application metadata, `authorization` included, is not in the list: add the names your
    /// clients send (see [`CorsLayer::grpc_web`]).
    ///
    /// ```
    /// use http::{header, Request};
    /// use tower_cors::CorsLayer;
    ///
    /// let layer = CorsLayer::grpc_web("https://app.example.com").build()?;
    /// let preflight = Request::options("/demo.v1.Greeter/SayHello")
    ///     .header(header::ORIGIN, "https://app.example.com")
    ///     .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
    ///     .header(header::ACCESS_CONTROL_REQUEST_HEADERS, CorsLayer::GRPC_WEB_REQUEST_HEADERS.join(","))
    ///     .body(())?;
    /// assert!(layer.decide(&preflight).is_allowed());
    /// assert!(!CorsLayer::GRPC_WEB_REQUEST_HEADERS.contains(&"authorization"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub const GRPC_WEB_REQUEST_HEADERS: &'static [&'static str] = &[
        "content-type",
        "x-grpc-web",
        "x-user-agent",
        "grpc-timeout",
        "grpc-encoding",
        "grpc-accept-encoding",
    ];

    /// The response headers [`CorsLayer::grpc_web`] exposes to scripts.
    ///
    /// - `grpc-status`, `grpc-message`, `grpc-status-details-bin`: the call's outcome, sent as
    ///   response headers when a call fails before any message ("trailers-only"); a gRPC-web
    ///   client that cannot read them reports every such failure as an unknown error
    /// - `grpc-encoding`: how response messages are compressed, which a client that sent
    ///   `grpc-accept-encoding` needs to decode them
    ///
    /// ```
    /// use http::{header, Request};
    /// use tower_cors::CorsLayer;
    ///
    /// let layer = CorsLayer::grpc_web("https://app.example.com").build()?;
    /// let call = Request::post("/demo.v1.Greeter/SayHello")
    ///     .header(header::ORIGIN, "https://app.example.com")
    ///     .body(())?;
    /// let (_, headers) = layer.headers_for(&call);
    /// let exposed = CorsLayer::GRPC_WEB_EXPOSED_HEADERS.join(", ");
    /// assert_eq!(headers[header::ACCESS_CONTROL_EXPOSE_HEADERS], exposed);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub const GRPC_WEB_EXPOSED_HEADERS: &'static [&'static str] = &[
        "grpc-status",
        "grpc-message",
        "grpc-status-details-bin",
        "grpc-encoding",
    ];

    /// A policy for browsers calling a gRPC-web service (for example a tonic server behind
    /// `tonic_web::GrpcWebLayer`), from the given origins.
    ///
    /// It returns the builder, so that credentials, a different max-age or more headers can be
    /// set before [`build`](CorsBuilder::build). It sets:
    ///
    /// - the allowed origins: `origins`
    /// - `Access-Control-Allow-Methods: POST` (every gRPC-web call is a `POST`)
    /// - `Access-Control-Allow-Headers`: [`CorsLayer::GRPC_WEB_REQUEST_HEADERS`], that is
    ///   `content-type, x-grpc-web, x-user-agent, grpc-timeout, grpc-encoding,
    ///   grpc-accept-encoding`
    /// - `Access-Control-Expose-Headers`: [`CorsLayer::GRPC_WEB_EXPOSED_HEADERS`], that is
    ///   `grpc-status, grpc-message, grpc-status-details-bin, grpc-encoding`
    /// - `Access-Control-Max-Age: 7200` (two hours, Chromium's cap): every gRPC-web call is
    ///   preflighted, so caching the answer saves a round trip per call
    ///
    /// Everything else keeps the [`CorsBuilder`] defaults: no credentials, no private network
    /// access. Custom metadata such as `authorization` must be allowed explicitly; calling
    /// [`allow_headers`](CorsBuilder::allow_headers) replaces the list, so extend
    /// [`CorsLayer::GRPC_WEB_REQUEST_HEADERS`] as the example shows.
    ///
    /// Put the layer outside `GrpcWebLayer`: tonic-web answers an HTTP/1.1 `OPTIONS` request
    /// with `400 Bad Request`, so a preflight must never reach it.
    ///
    /// # Example
    ///
    /// ```
    /// use http::{header, Request, StatusCode};
    /// use tower::{service_fn, Layer, ServiceExt};
    /// use tower_cors::{AllowHeaders, CorsLayer};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// // The preset as is.
    /// let cors = CorsLayer::grpc_web("https://app.example.com").build()?;
    ///
    /// // The preset with bearer tokens and a session cookie.
    /// let with_auth = CorsLayer::grpc_web("https://app.example.com")
    ///     .allow_headers(AllowHeaders::list(
    ///         CorsLayer::GRPC_WEB_REQUEST_HEADERS.iter().chain(&["authorization"]),
    ///     ))
    ///     .allow_credentials(true)
    ///     .build()?;
    /// # let _ = with_auth;
    ///
    /// let service = cors.layer(service_fn(|_req: Request<()>| async {
    ///     Ok::<_, std::convert::Infallible>(http::Response::new(()))
    /// }));
    /// let preflight = Request::options("/demo.v1.Greeter/SayHello")
    ///     .header(header::ORIGIN, "https://app.example.com")
    ///     .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
    ///     .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "content-type,x-grpc-web,x-user-agent")
    ///     .body(())?;
    /// let response = service.oneshot(preflight).await?;
    /// assert_eq!(response.status(), StatusCode::NO_CONTENT);
    /// assert_eq!(response.headers()[header::ACCESS_CONTROL_ALLOW_METHODS], "POST");
    /// assert_eq!(response.headers()[header::ACCESS_CONTROL_MAX_AGE], "7200");
    /// # Ok(())
    /// # }
    /// ```
    pub fn grpc_web(origins: impl Into<AllowOrigin>) -> CorsBuilder {
        CorsBuilder::new()
            .allow_origin(origins)
            .allow_methods([Method::POST])
            .allow_headers(AllowHeaders::list(Self::GRPC_WEB_REQUEST_HEADERS))
            .expose_headers(ExposeHeaders::list(Self::GRPC_WEB_EXPOSED_HEADERS))
            .max_age(GRPC_WEB_MAX_AGE)
    }
}

#[cfg(test)]
mod tests {
    use http::header::{
        ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS,
        ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS,
        ACCESS_CONTROL_MAX_AGE, ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD,
        CONTENT_TYPE, ORIGIN,
    };
    use http::{HeaderName, Method, Request};

    use crate::{AllowHeaders, AllowOrigin, Any, CorsLayer, Denial, RequestKind};

    const APP: &str = "https://app.example.com";

    #[test]
    fn the_permissive_preset_allows_any_origin_method_and_header() {
        let layer = CorsLayer::permissive().build().unwrap();
        let request = preflight("https://any.example", "PATCH", "x-anything");
        let (decision, headers) = layer.headers_for(&request);
        assert!(decision.is_allowed());
        assert_eq!(headers[ACCESS_CONTROL_ALLOW_ORIGIN], "*");
        assert_eq!(headers[ACCESS_CONTROL_ALLOW_METHODS], "*");
        assert_eq!(headers[ACCESS_CONTROL_ALLOW_HEADERS], "*");
        let get = Request::get("/").header(ORIGIN, APP).body(()).unwrap();
        assert_eq!(
            layer.headers_for(&get).1[ACCESS_CONTROL_EXPOSE_HEADERS],
            "*"
        );
    }

    fn preflight(origin: &str, method: &str, headers: &str) -> Request<()> {
        let mut builder = Request::options("/demo.v1.Greeter/SayHello")
            .header(ORIGIN, origin)
            .header(ACCESS_CONTROL_REQUEST_METHOD, method);
        if !headers.is_empty() {
            builder = builder.header(ACCESS_CONTROL_REQUEST_HEADERS, headers);
        }
        builder.body(()).unwrap()
    }

    fn grpc_web_call(origin: &str) -> Request<()> {
        Request::post("/demo.v1.Greeter/SayHello")
            .header(ORIGIN, origin)
            .header(CONTENT_TYPE, "application/grpc-web+proto")
            .header("x-grpc-web", "1")
            .body(())
            .unwrap()
    }

    #[test]
    fn preflight_answer_lists_exactly_the_preset() {
        let layer = CorsLayer::grpc_web(APP).build().unwrap();
        let request = preflight(
            APP,
            "POST",
            "content-type,x-grpc-web,x-user-agent,grpc-timeout,grpc-encoding,grpc-accept-encoding",
        );
        let (decision, headers) = layer.headers_for(&request);
        assert_eq!(decision.kind(), RequestKind::Preflight);
        assert!(decision.is_allowed(), "{decision:?}");
        assert_eq!(headers[ACCESS_CONTROL_ALLOW_ORIGIN], APP);
        assert_eq!(headers[ACCESS_CONTROL_ALLOW_METHODS], "POST");
        assert_eq!(
            headers[ACCESS_CONTROL_ALLOW_HEADERS],
            "content-type, x-grpc-web, x-user-agent, grpc-timeout, grpc-encoding, \
             grpc-accept-encoding"
        );
        assert_eq!(headers[ACCESS_CONTROL_MAX_AGE], "7200");
        assert!(headers.get(ACCESS_CONTROL_ALLOW_CREDENTIALS).is_none());
        // The exposed list belongs to actual responses, not to the preflight answer.
        assert!(headers.get(ACCESS_CONTROL_EXPOSE_HEADERS).is_none());
    }

    #[test]
    fn actual_response_exposes_grpc_status_headers() {
        let layer = CorsLayer::grpc_web(APP).build().unwrap();
        let (decision, headers) = layer.headers_for(&grpc_web_call(APP));
        assert_eq!(decision.kind(), RequestKind::Actual);
        assert!(decision.is_allowed());
        assert_eq!(headers[ACCESS_CONTROL_ALLOW_ORIGIN], APP);
        assert_eq!(
            headers[ACCESS_CONTROL_EXPOSE_HEADERS],
            "grpc-status, grpc-message, grpc-status-details-bin, grpc-encoding"
        );
        assert!(headers.get(ACCESS_CONTROL_ALLOW_METHODS).is_none());
        assert!(headers.get(ACCESS_CONTROL_MAX_AGE).is_none());
    }

    #[test]
    fn header_names_are_matched_case_insensitively() {
        let layer = CorsLayer::grpc_web(APP).build().unwrap();
        let request = preflight(APP, "POST", "Content-Type, X-Grpc-Web, X-User-Agent");
        assert!(layer.decide(&request).is_allowed());
    }

    #[test]
    fn other_methods_are_refused() {
        let layer = CorsLayer::grpc_web(APP).build().unwrap();
        let decision = layer.decide(&preflight(APP, "PUT", "content-type"));
        assert_eq!(
            decision.denial(),
            Some(&Denial::MethodNotAllowed(Method::PUT))
        );
    }

    #[test]
    fn authorization_and_custom_metadata_are_not_allowed_by_default() {
        let layer = CorsLayer::grpc_web(APP).build().unwrap();
        for name in ["authorization", "x-tenant-id"] {
            let decision = layer.decide(&preflight(APP, "POST", &format!("content-type,{name}")));
            assert_eq!(
                decision.denial(),
                Some(&Denial::HeaderNotAllowed(HeaderName::from_static(name))),
                "{name}"
            );
        }
    }

    #[test]
    fn other_origins_get_no_grant() {
        let layer = CorsLayer::grpc_web(APP).build().unwrap();
        let request = preflight("https://evil.example", "POST", "content-type");
        let (decision, headers) = layer.headers_for(&request);
        assert_eq!(decision.denial(), Some(&Denial::OriginNotAllowed));
        assert!(headers.get(ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
        assert!(headers.get(ACCESS_CONTROL_ALLOW_HEADERS).is_none());
    }

    #[test]
    fn builder_stays_open_for_credentials_and_extra_headers() {
        let layer = CorsLayer::grpc_web(AllowOrigin::from_strs([APP, "https://admin.example.com"]))
            .allow_headers(AllowHeaders::list(
                CorsLayer::GRPC_WEB_REQUEST_HEADERS
                    .iter()
                    .chain(&["authorization"]),
            ))
            .allow_credentials(true)
            .max_age(std::time::Duration::from_secs(60))
            .build()
            .unwrap();
        let request = preflight(
            "https://admin.example.com",
            "POST",
            "authorization,content-type,x-grpc-web",
        );
        let (decision, headers) = layer.headers_for(&request);
        assert!(decision.is_allowed(), "{decision:?}");
        assert_eq!(
            headers[ACCESS_CONTROL_ALLOW_ORIGIN],
            "https://admin.example.com"
        );
        assert_eq!(headers[ACCESS_CONTROL_ALLOW_CREDENTIALS], "true");
        assert_eq!(headers[ACCESS_CONTROL_MAX_AGE], "60");
        assert!(headers[ACCESS_CONTROL_ALLOW_HEADERS]
            .to_str()
            .unwrap()
            .ends_with(", authorization"));
    }

    #[test]
    fn wildcard_origin_with_credentials_is_a_build_error() {
        assert!(CorsLayer::grpc_web(Any).build().is_ok());
        assert!(CorsLayer::grpc_web(Any)
            .allow_credentials(true)
            .build()
            .is_err());
    }

    #[test]
    fn published_lists_are_valid_lowercase_header_names() {
        let lists = [
            CorsLayer::GRPC_WEB_REQUEST_HEADERS,
            CorsLayer::GRPC_WEB_EXPOSED_HEADERS,
        ];
        for name in lists.iter().flat_map(|list| list.iter()) {
            let parsed = HeaderName::from_bytes(name.as_bytes()).unwrap();
            assert_eq!(parsed.as_str(), *name);
        }
    }
}
