//! The typed outcome of evaluating a request against a policy.

use std::fmt;

use http::{HeaderName, Method};

/// What kind of request the layer saw.
///
/// ```
/// use http::{header, Request};
/// use tower_cors::{CorsLayer, RequestKind};
///
/// let layer = CorsLayer::permissive().build().unwrap();
/// let same_origin = Request::get("/").body(())?;
/// assert_eq!(layer.decide(&same_origin).kind(), RequestKind::NotCors);
/// let preflight = Request::options("/")
///     .header(header::ORIGIN, "https://app.example.com")
///     .header(header::ACCESS_CONTROL_REQUEST_METHOD, "PUT")
///     .body(())?;
/// assert_eq!(layer.decide(&preflight).kind(), RequestKind::Preflight);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RequestKind {
    /// No `Origin` header: not a CORS request. It goes to the inner service untouched, apart
    /// from `Vary: Origin` when the policy depends on the origin.
    NotCors,
    /// A request with an `Origin` header that is not a preflight.
    Actual,
    /// An `OPTIONS` request with `Origin` and `Access-Control-Request-Method`.
    Preflight,
}

/// Why the layer refused to grant access.
///
/// Its [`Display`](fmt::Display) is a sentence meant for logs and error pages.
///
/// ```
/// use tower_cors::Denial;
///
/// assert_eq!(
///     Denial::OriginNotAllowed.to_string(),
///     "the origin is not allowed by the policy"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Denial {
    /// The request carries more than one `Origin` header.
    MultipleOrigins,
    /// The `Origin` header is not an origin a browser would send (`scheme://host[:port]`,
    /// lowercase, without the default port).
    MalformedOrigin,
    /// The origin is `null` (sandboxed frames, `file:` pages, some redirects) and the policy
    /// does not list `null`.
    NullOrigin,
    /// The origin is well formed but not among the allowed origins and patterns.
    OriginNotAllowed,
    /// The origin predicate (sync or async) returned `false`.
    OriginRefusedByPredicate,
    /// `Access-Control-Request-Method` is not a single valid method token.
    MalformedMethod,
    /// The requested method is not allowed (methods are case-sensitive).
    MethodNotAllowed(Method),
    /// `Access-Control-Request-Headers` holds something that is not a header name.
    MalformedRequestHeaders,
    /// `Access-Control-Request-Headers` names more headers than the configured limit.
    TooManyRequestHeaders {
        /// The limit set with
        /// [`CorsBuilder::max_request_headers`](crate::CorsBuilder::max_request_headers).
        limit: usize,
    },
    /// `Access-Control-Request-Headers` names a header longer than the configured limit.
    RequestHeaderNameTooLong {
        /// The limit in bytes, set with
        /// [`CorsBuilder::max_request_header_name_len`](crate::CorsBuilder::max_request_header_name_len).
        limit: usize,
    },
    /// A requested header is not allowed.
    HeaderNotAllowed(HeaderName),
    /// A WebSocket handshake from an origin the policy does not admit, and not the server's
    /// own: refused with `403` before the inner service runs (see
    /// [`CorsBuilder::dangerously_allow_cross_origin_websockets`](crate::CorsBuilder::dangerously_allow_cross_origin_websockets)).
    CrossOriginWebSocket,
    /// `Authorization` was requested, and the policy allows any header through the wildcard,
    /// which never covers `Authorization`.
    AuthorizationNotCoveredByWildcard,
}

impl Denial {
    /// Whether the request was refused for its origin (none admitted, or no single well-formed
    /// one), rather than for what it asked.
    pub(crate) fn is_origin_refusal(&self) -> bool {
        matches!(
            self,
            Self::MultipleOrigins
                | Self::MalformedOrigin
                | Self::NullOrigin
                | Self::OriginNotAllowed
                | Self::OriginRefusedByPredicate
                | Self::CrossOriginWebSocket
        )
    }
}

impl fmt::Display for Denial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MultipleOrigins => f.write_str("the request has more than one Origin header"),
            Self::MalformedOrigin => f.write_str(
                "the Origin header is not a serialized origin (scheme://host[:port], lowercase, no default port)",
            ),
            Self::NullOrigin => f.write_str("the origin is \"null\", which the policy does not list"),
            Self::OriginNotAllowed => f.write_str("the origin is not allowed by the policy"),
            Self::OriginRefusedByPredicate => f.write_str("the origin predicate refused the origin"),
            Self::MalformedMethod => {
                f.write_str("Access-Control-Request-Method is not a single valid method")
            }
            Self::MethodNotAllowed(m) => write!(
                f,
                "the method {:?} is not allowed (methods are case-sensitive)",
                m.as_str()
            ),
            Self::MalformedRequestHeaders => {
                f.write_str("Access-Control-Request-Headers is not a list of header names")
            }
            Self::TooManyRequestHeaders { limit } => write!(
                f,
                "Access-Control-Request-Headers names more than {limit} headers"
            ),
            Self::RequestHeaderNameTooLong { limit } => write!(
                f,
                "Access-Control-Request-Headers names a header longer than {limit} bytes"
            ),
            Self::CrossOriginWebSocket => f.write_str(
                "a WebSocket handshake from an origin the policy does not admit, which is not the server's own",
            ),
            Self::HeaderNotAllowed(h) => write!(f, "the header {:?} is not allowed", h.as_str()),
            Self::AuthorizationNotCoveredByWildcard => f.write_str(
                "the header \"authorization\" is not covered by the \"*\" wildcard; allow it by name",
            ),
        }
    }
}

impl std::error::Error for Denial {}

/// The layer's decision for one request.
///
/// ```
/// use http::{header, Request};
/// use tower_cors::{CorsLayer, Denial, RequestKind};
///
/// let layer = CorsLayer::builder()
///     .allow_origin("https://app.example.com")
///     .build()
///     .unwrap();
/// let request = Request::get("/")
///     .header(header::ORIGIN, "https://evil.example")
///     .body(())
///     .unwrap();
/// let decision = layer.decide(&request);
/// assert_eq!(decision.kind(), RequestKind::Actual);
/// assert!(!decision.is_allowed());
/// assert_eq!(decision.denial(), Some(&Denial::OriginNotAllowed));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub(crate) kind: RequestKind,
    pub(crate) denial: Option<Denial>,
    pub(crate) passthrough: bool,
    /// The policy of a set that decided; `None` for the top-level policy.
    pub(crate) policy: Option<usize>,
    /// For an origin that no policy of a set admitted: the policies that apply to the path.
    pub(crate) considered: Vec<usize>,
}

impl Decision {
    /// The kind of request.
    ///
    /// ```
    /// use http::{header, Request};
    /// use tower_cors::{CorsLayer, RequestKind};
    ///
    /// let options = Request::options("/")
    ///     .header(header::ORIGIN, "https://app.example.com")
    ///     .body(())?;
    /// // Without Access-Control-Request-Method, OPTIONS is not a preflight.
    /// assert_eq!(CorsLayer::permissive().build().unwrap().decide(&options).kind(), RequestKind::Actual);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn kind(&self) -> RequestKind {
        self.kind
    }

    /// Whether access was granted. A request that is not a CORS request counts as allowed:
    /// nothing was asked, nothing refused.
    ///
    /// ```
    /// use http::{header, Request};
    /// use tower_cors::CorsLayer;
    ///
    /// let layer = CorsLayer::builder().allow_origin("https://app.example.com").build()?;
    /// let no_origin = Request::get("/").body(())?;
    /// assert!(layer.decide(&no_origin).is_allowed());
    /// let other = Request::get("/").header(header::ORIGIN, "https://evil.example").body(())?;
    /// assert!(!layer.decide(&other).is_allowed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_allowed(&self) -> bool {
        self.denial.is_none()
    }

    /// Why access was refused, if it was.
    ///
    /// ```
    /// use http::{header, Request};
    /// use tower_cors::{CorsLayer, Denial};
    ///
    /// let layer = CorsLayer::builder().allow_origin("https://app.example.com").build()?;
    /// let sandboxed = Request::get("/").header(header::ORIGIN, "null").body(())?;
    /// assert_eq!(layer.decide(&sandboxed).denial(), Some(&Denial::NullOrigin));
    /// let app = Request::get("/").header(header::ORIGIN, "https://app.example.com").body(())?;
    /// assert_eq!(layer.decide(&app).denial(), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn denial(&self) -> Option<&Denial> {
        self.denial.as_ref()
    }

    /// Whether this is a preflight passed on to the inner service
    /// ([`CorsBuilder::preflight_continue`](crate::CorsBuilder::preflight_continue)).
    ///
    /// ```
    /// use http::{header, Request};
    /// use tower_cors::CorsLayer;
    ///
    /// let layer = CorsLayer::builder()
    ///     .allow_origin("https://app.example.com")
    ///     .preflight_continue(true)
    ///     .build()?;
    /// let preflight = Request::options("/")
    ///     .header(header::ORIGIN, "https://app.example.com")
    ///     .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
    ///     .body(())?;
    /// assert!(layer.decide(&preflight).is_passthrough());
    /// assert!(!CorsLayer::permissive().build().unwrap().decide(&preflight).is_passthrough());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_passthrough(&self) -> bool {
        self.passthrough
    }
}

impl Decision {
    /// In a layer with a set of policies, the policy that decided: `Some(i)` for
    /// `policies[i]`, `None` for the top-level policy (and always for a single policy). See
    /// [`CorsBuilder::policy`](crate::CorsBuilder::policy).
    ///
    /// ```
    /// use http::{header, Request};
    /// use tower_cors::CorsLayer;
    ///
    /// let layer = CorsLayer::builder()
    ///     .allow_origins(["https://app.example.com"])
    ///     .policy(CorsLayer::builder().allow_origins(["https://admin.example.com"]))
    ///     .build()?;
    /// let request = Request::get("/").header(header::ORIGIN, "https://admin.example.com").body(())?;
    /// assert_eq!(layer.decide(&request).policy(), Some(0));
    /// let request = Request::get("/").header(header::ORIGIN, "https://app.example.com").body(())?;
    /// assert_eq!(layer.decide(&request).policy(), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn policy(&self) -> Option<usize> {
        self.policy
    }

    /// For a request from an origin that no policy of a set admitted, the policies of the set
    /// that apply to its path, which were considered before the top-level policy refused it.
    /// Empty otherwise.
    ///
    /// ```
    /// use http::{header, Request};
    /// use tower_cors::{Any, CorsLayer};
    ///
    /// let layer = CorsLayer::builder()
    ///     .allow_origins(["https://app.example.com"])
    ///     .policy(CorsLayer::builder().allow_origins(["https://admin.example.com"]))
    ///     .policy(CorsLayer::builder().paths(["/public/"]).allow_origin(Any))
    ///     .build()?;
    /// let request = Request::get("/users").header(header::ORIGIN, "https://evil.example").body(())?;
    /// let decision = layer.decide(&request);
    /// assert_eq!(decision.considered(), [0]);
    /// assert_eq!(
    ///     decision.to_string(),
    ///     "request denied: the origin is not allowed by the policy \
    ///      (considered: policies[0], then the top-level policy)"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn considered(&self) -> &[usize] {
        &self.considered
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.kind {
            RequestKind::NotCors => return f.write_str("not a CORS request"),
            RequestKind::Actual => "request",
            RequestKind::Preflight => "preflight",
        };
        match &self.denial {
            None => write!(f, "{kind} allowed")?,
            Some(d) => write!(f, "{kind} denied: {d}")?,
        }
        if self.passthrough {
            f.write_str(" (passed to the service)")?;
        }
        if let Some(policy) = self.policy {
            write!(f, " (policies[{policy}])")?;
        }
        if !self.considered.is_empty() {
            f.write_str(" (considered: ")?;
            for policy in &self.considered {
                write!(f, "policies[{policy}], ")?;
            }
            f.write_str("then the top-level policy)")?;
        }
        Ok(())
    }
}
