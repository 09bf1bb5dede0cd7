//! The settings of a policy: the key of each ([`Field`]), and the one table of the plain ones.
//!
//! A *switch* is a setting that is one plain value with a default: a boolean or a number.
//! `switches!` lists them, each with its builder documentation, type, default, [`Field`] and
//! the value a configuration file takes. Everything that reads settings expands it: this
//! file's [`Field`], the policy's `Switches` (kept as configured, and as compiled), the
//! builder's setters, [`CorsConfig`](crate::CorsConfig)'s keys and its environment variables.
//! A new switch is an entry here, plus the code that acts on it.

use std::fmt;

/// Calls the macro `$then` with every switch, in the order of the builder's documentation:
/// `docs name: type = default => FieldVariant, "value in a configuration file";`, and for a
/// boolean that is dangerous when on, `, warns WarningKindVariant` before the `;`.
macro_rules! switches {
    ($then:ident) => { $then! {
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
        strict_preflight: bool = false => StrictPreflight, "boolean";
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
        reject_disallowed_origins: bool = false => RejectDisallowedOrigins, "boolean";
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
        preflight_continue: bool = false => PreflightContinue, "boolean";
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
        max_request_headers: usize = 64 => MaxRequestHeaders, "number, at least 1";
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
        max_request_header_name_len: usize = 128 => MaxRequestHeaderNameLen, "number of bytes, at least 1";
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
        preserve_inner_cors_headers: bool = false => PreserveInnerCorsHeaders, "boolean", warns PreservesInnerGrants;
        /// Let subdomain patterns cover a public suffix, such as `https://*.github.io`,
        /// `https://*.vercel.app` or `https://*.co.uk`. Refused by default: anyone can register a
        /// name under a public suffix (the [Public Suffix List][psl], compiled in), and so read
        /// every response the pattern grants. List the names you own under it instead
        /// (`https://*.your-app.github.io`); only turn this on for data that is public anyway.
        ///
        /// ```
        /// use tower_cors::{CorsLayer, ProblemKind};
        ///
        /// let err = CorsLayer::builder().allow_origin("https://*.github.io").build().unwrap_err();
        /// assert_eq!(err.problems()[0].kind(), ProblemKind::PatternOverPublicSuffix);
        ///
        /// let layer = CorsLayer::builder()
        ///     .allow_origin("https://*.github.io")
        ///     .dangerously_allow_public_suffix_patterns(true)
        ///     .build();
        /// assert!(layer.is_ok());
        /// ```
        ///
        /// [psl]: https://publicsuffix.org/
        dangerously_allow_public_suffix_patterns: bool = false => DangerouslyAllowPublicSuffixPatterns, "boolean", warns PublicSuffixPatternsAllowed;
        /// Let WebSocket handshakes through from any origin. Off by default: browsers send
        /// `Origin` on a WebSocket handshake but apply no CORS check to it, so the layer refuses
        /// with `403`, before your service runs, a handshake (HTTP/1.1 `GET` with
        /// `Upgrade: websocket`, or HTTP/2's extended `CONNECT`) whose origin the policy does not
        /// admit and that is not the server's own origin (the `Origin`'s host and port are the
        /// request's `Host`). Requests without `Origin` pass. Turning the guard off lets any page
        /// open a WebSocket with its users' cookies (cross-site WebSocket hijacking), and is a
        /// warning.
        ///
        /// ```
        /// use http::{header, Request};
        /// use tower_cors::{CorsLayer, Denial};
        ///
        /// let handshake = |origin| {
        ///     Request::get("/chat")
        ///         .header(header::HOST, "chat.example.com")
        ///         .header(header::UPGRADE, "websocket")
        ///         .header(header::CONNECTION, "Upgrade")
        ///         .header(header::ORIGIN, origin)
        ///         .body(())
        ///         .unwrap()
        /// };
        /// let guarded = CorsLayer::builder().allow_origin("https://app.example.com").build()?;
        /// assert!(guarded.decide(&handshake("https://app.example.com")).is_allowed());
        /// // The server's own pages: no CORS grant, but not refused either; the service answers.
        /// assert_eq!(
        ///     guarded.decide(&handshake("https://chat.example.com")).denial(),
        ///     Some(&Denial::OriginNotAllowed)
        /// );
        /// assert_eq!(
        ///     guarded.decide(&handshake("https://evil.example")).denial(),
        ///     Some(&Denial::CrossOriginWebSocket)
        /// );
        ///
        /// let open = CorsLayer::builder()
        ///     .allow_origin("https://app.example.com")
        ///     .dangerously_allow_cross_origin_websockets(true)
        ///     .build()?;
        /// assert_eq!(open.decide(&handshake("https://evil.example")).denial(), Some(&Denial::OriginNotAllowed));
        /// # Ok::<(), tower_cors::ConfigError>(())
        /// ```
        dangerously_allow_cross_origin_websockets: bool = false => DangerouslyAllowCrossOriginWebsockets, "boolean", warns CrossOriginWebSocketsAllowed;
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
        debug_header: bool = false => DebugHeader, "boolean (development only)", warns DebugHeader;
        /// Refuse to build a policy that has warnings: each
        /// [`ConfigWarning`](crate::ConfigWarning) becomes a problem of the
        /// [`ConfigError`](crate::ConfigError), of kind
        /// [`ProblemKind::Warning`](crate::ProblemKind::Warning). For production, where a
        /// dangerous or dead setting should stop the server from starting rather than be
        /// logged. Set on the top-level policy or on any policy of a set, it covers the
        /// warnings of the whole set.
        ///
        /// ```
        /// use tower_cors::{CorsLayer, ProblemKind, WarningKind};
        ///
        /// let lenient = CorsLayer::builder()
        ///     .allow_origin("https://app.example.com")
        ///     .expose_headers(["set-cookie"])
        ///     .build()?;
        /// assert_eq!(lenient.warnings()[0].kind(), WarningKind::NeverExposed);
        ///
        /// let err = CorsLayer::builder()
        ///     .allow_origin("https://app.example.com")
        ///     .expose_headers(["set-cookie"])
        ///     .warnings_as_errors(true)
        ///     .build()
        ///     .unwrap_err();
        /// assert_eq!(err.problems()[0].kind(), ProblemKind::Warning(WarningKind::NeverExposed));
        /// assert_eq!(err.problems()[0].path(), "expose_headers[0]");
        /// # Ok::<(), tower_cors::ConfigError>(())
        /// ```
        warnings_as_errors: bool = false => WarningsAsErrors, "boolean";
    } };
}
pub(crate) use switches;

/// Defines [`Field`] from the switches and the settings that are not switches.
macro_rules! define_field {
    ($( $(#[$doc:meta])* $name:ident: $ty:ty = $default:expr => $variant:ident, $value:literal $(, warns $warning:ident)?; )*) => {
        /// A setting of the policy, named by its configuration key: what a
        /// [`ConfigProblem`](crate::ConfigProblem) is about. Its [`Display`](fmt::Display) is
        /// the key used in configuration files, so messages read the same from the builder and
        /// from a file; [`Field::ALL`] lists the keys of one policy (every key but `paths` and
        /// `policies`), in the order of the builder.
        ///
        /// ```
        /// use tower_cors::{CorsLayer, Field};
        ///
        /// let err = CorsLayer::builder()
        ///     .allow_origin("https://app.example.com")
        ///     .max_request_headers(0)
        ///     .build()
        ///     .unwrap_err();
        /// assert_eq!(err.problems()[0].field(), Field::MaxRequestHeaders);
        /// assert_eq!(Field::MaxAge.to_string(), "max_age_secs");
        /// assert_eq!(Field::ALL.len(), 18);
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Field {
            /// [`CorsBuilder::allow_origin`](crate::CorsBuilder::allow_origin).
            AllowOrigins,
            /// [`CorsBuilder::allow_methods`](crate::CorsBuilder::allow_methods).
            AllowMethods,
            /// [`CorsBuilder::allow_headers`](crate::CorsBuilder::allow_headers).
            AllowHeaders,
            /// [`CorsBuilder::expose_headers`](crate::CorsBuilder::expose_headers).
            ExposeHeaders,
            /// [`CorsBuilder::allow_credentials`](crate::CorsBuilder::allow_credentials).
            AllowCredentials,
            /// [`CorsBuilder::max_age`](crate::CorsBuilder::max_age).
            MaxAge,
            /// [`CorsBuilder::allow_private_network`](crate::CorsBuilder::allow_private_network).
            AllowPrivateNetwork,
            /// [`CorsBuilder::preflight_status`](crate::CorsBuilder::preflight_status).
            PreflightStatus,
            $(
                #[doc = concat!(
                    "[`CorsBuilder::", stringify!($name), "`](crate::CorsBuilder::",
                    stringify!($name), ")."
                )]
                $variant,
            )*
            /// [`CorsBuilder::paths`](crate::CorsBuilder::paths): the path prefixes a policy
            /// of a set applies to.
            Paths,
            /// [`CorsBuilder::policy`](crate::CorsBuilder::policy): the policies of a set.
            Policies,
        }

        impl Field {
            /// The settings of one policy, in the order of the builder's documentation: every
            /// key but `paths` and `policies`, which shape a set of policies (and are read
            /// from files only, never from environment variables).
            ///
            /// ```
            /// use tower_cors::Field;
            ///
            /// assert_eq!(Field::ALL[0], Field::AllowOrigins);
            /// assert!(Field::ALL.iter().all(|f| f.as_str().chars().all(|c| c.is_ascii_lowercase() || c == '_')));
            /// ```
            pub const ALL: [Field; 8 + [$(stringify!($name)),*].len()] = [
                Self::AllowOrigins,
                Self::AllowMethods,
                Self::AllowHeaders,
                Self::ExposeHeaders,
                Self::AllowCredentials,
                Self::MaxAge,
                Self::AllowPrivateNetwork,
                Self::PreflightStatus,
                $(Self::$variant,)*
            ];

            /// The configuration key of this setting.
            ///
            /// ```
            /// assert_eq!(tower_cors::Field::AllowOrigins.as_str(), "allow_origins");
            /// ```
            pub fn as_str(self) -> &'static str {
                match self {
                    Self::AllowOrigins => "allow_origins",
                    Self::AllowMethods => "allow_methods",
                    Self::AllowHeaders => "allow_headers",
                    Self::ExposeHeaders => "expose_headers",
                    Self::AllowCredentials => "allow_credentials",
                    Self::MaxAge => "max_age_secs",
                    Self::AllowPrivateNetwork => "allow_private_network",
                    Self::PreflightStatus => "preflight_status",
                    $(Self::$variant => stringify!($name),)*
                    Self::Paths => "paths",
                    Self::Policies => "policies",
                }
            }
        }
    };
}

switches!(define_field);

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
