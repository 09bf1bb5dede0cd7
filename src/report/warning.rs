//! Configuration warnings: settings that are legal but dead, or almost always a mistake.

use std::fmt;

use crate::report::field::Field;
use crate::report::location::{located_accessors, Location};

/// A setting that builds, but that no browser honours or that is almost always a mistake.
///
/// [`CorsBuilder::build`](crate::CorsBuilder::build) still returns the layer; the warnings are
/// on [`CorsLayer::warnings`](crate::CorsLayer::warnings), and with the `tracing` feature each
/// is logged once, at `WARN`, when the layer is built.
///
/// ```
/// use std::time::Duration;
/// use tower_cors::{CorsLayer, Field, WarningKind};
///
/// let layer = CorsLayer::builder()
///     .allow_origins(["https://app.example.com", "null"])
///     .max_age(Duration::from_secs(86_400 * 7))
///     .build()?;
/// let warnings = layer.warnings();
/// assert_eq!(warnings[0].kind(), WarningKind::NullOrigin);
/// assert_eq!(warnings[0].path(), "allow_origins[1]");
/// assert_eq!(warnings[1].field(), Field::MaxAge);
/// assert_eq!(
///     warnings[1].to_string(),
///     "max_age_secs: \"604800\" is longer than browsers cache a preflight (Chromium 2 hours, \
///      Firefox 24 hours); they use their own cap"
/// );
/// # Ok::<(), tower_cors::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigWarning {
    pub(crate) at: Location,
    kind: WarningKind,
}

impl ConfigWarning {
    pub(crate) fn new(
        field: Field,
        index: Option<usize>,
        value: impl Into<String>,
        kind: WarningKind,
    ) -> Self {
        Self {
            at: Location::new(field, index, value.into()),
            kind,
        }
    }

    located_accessors! {
        /// The setting the warning is about.
        ///
        /// ```
        /// use tower_cors::{CorsLayer, Field};
        ///
        /// let layer = CorsLayer::builder()
        ///     .allow_origin("https://app.example.com")
        ///     .expose_headers(["set-cookie"])
        ///     .build()?;
        /// assert_eq!(layer.warnings()[0].field(), Field::ExposeHeaders);
        /// # Ok::<(), tower_cors::ConfigError>(())
        /// ```
        pub fn field() -> Field;

        /// The position in a list setting, if the warning is about one entry.
        ///
        /// ```
        /// use http::Method;
        /// use tower_cors::CorsLayer;
        ///
        /// let layer = CorsLayer::builder()
        ///     .allow_origin("https://app.example.com")
        ///     .allow_methods(["PUT", "TRACE"])
        ///     .build()?;
        /// assert_eq!(layer.warnings()[0].index(), Some(1));
        /// # Ok::<(), tower_cors::ConfigError>(())
        /// ```
        pub fn index();

        /// The value the warning is about, as configured.
        ///
        /// ```
        /// use tower_cors::CorsLayer;
        ///
        /// let layer = CorsLayer::builder()
        ///     .allow_origin("https://app.example.com")
        ///     .allow_headers(["content-type", "cookie"])
        ///     .build()?;
        /// assert_eq!(layer.warnings()[0].value(), "cookie");
        /// # Ok::<(), tower_cors::ConfigError>(())
        /// ```
        pub fn value();

        /// What is suspicious.
        ///
        /// ```
        /// use tower_cors::{CorsLayer, WarningKind};
        ///
        /// let layer = CorsLayer::builder()
        ///     .allow_origin("http://app.example.com")
        ///     .allow_credentials(true)
        ///     .build()?;
        /// assert_eq!(layer.warnings()[0].kind(), WarningKind::InsecureOriginWithCredentials);
        /// # Ok::<(), tower_cors::ConfigError>(())
        /// ```
        pub fn kind() -> WarningKind;

        /// Where in the configuration the setting is, like `allow_origins[2]`.
        ///
        /// ```
        /// use tower_cors::CorsLayer;
        ///
        /// let layer = CorsLayer::builder().allow_origins(["https://a.example", "null"]).build()?;
        /// assert_eq!(layer.warnings()[0].path(), "allow_origins[1]");
        /// # Ok::<(), tower_cors::ConfigError>(())
        /// ```
        pub fn path();

        /// The policy of a set the warning is about: `Some(i)` for `policies[i]`, `None` for
        /// the top-level policy.
        ///
        /// ```
        /// use tower_cors::CorsLayer;
        ///
        /// let layer = CorsLayer::builder()
        ///     .allow_origins(["https://app.example.com"])
        ///     .policy(CorsLayer::builder().allow_origins(["null"]))
        ///     .build()?;
        /// assert_eq!(layer.warnings()[0].policy(), Some(0));
        /// assert_eq!(layer.warnings()[0].path(), "policies[0].allow_origins[0]");
        /// # Ok::<(), tower_cors::ConfigError>(())
        /// ```
        pub fn policy();
    }
}

impl fmt::Display for ConfigWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.at, self.kind)
    }
}

/// What is suspicious about a setting; see [`ConfigWarning`].
///
/// ```
/// use tower_cors::WarningKind;
///
/// assert_eq!(
///     WarningKind::ForbiddenMethod.to_string(),
///     "is a method browsers never send (fetch refuses CONNECT, TRACE and TRACK)"
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WarningKind {
    /// No origin setting at all: the layer refuses every cross-origin request. Use
    /// [`AllowOrigin::none`](crate::AllowOrigin::none) (or `allow_origins = []`) to say so on
    /// purpose.
    NoOrigins,
    /// `null` is listed as an origin: every sandboxed frame and `file:` page, of any site,
    /// sends it.
    NullOrigin,
    /// A plain `http://` origin other than loopback, with credentials: anyone on the network
    /// path can impersonate it.
    InsecureOriginWithCredentials,
    /// Preflights can be allowed but no max-age is set: browsers then keep a preflight answer
    /// for 5 seconds, so a page calling the API pays a round trip every few seconds. An
    /// explicit `max_age` of 0 is a choice, and no warning.
    NoMaxAge,
    /// A max-age longer than browsers cache a preflight.
    MaxAgeOverBrowserCaps,
    /// An exposed header that browsers never let scripts read (`set-cookie`).
    NeverExposed,
    /// An allowed request header that scripts can never set (`cookie`, `host`, `sec-*`,
    /// `proxy-*`, ...).
    ForbiddenRequestHeader,
    /// An allowed method that `fetch` refuses to send (`CONNECT`, `TRACE`, `TRACK`).
    ForbiddenMethod,
    /// The debug header is on: every denial tells the caller the shape of the policy. For
    /// development only.
    DebugHeader,
    /// [`AllowOrigin::dangerously_mirror_any_origin_with_credentials`](crate::AllowOrigin::dangerously_mirror_any_origin_with_credentials)
    /// (or the `very_permissive` preset): every web site can read your users' responses with
    /// their cookies.
    MirrorAnyOriginWithCredentials,
    /// [`dangerously_allow_public_suffix_patterns`](crate::CorsBuilder::dangerously_allow_public_suffix_patterns)
    /// is on: a pattern may cover names anyone can register.
    PublicSuffixPatternsAllowed,
    /// [`preserve_inner_cors_headers`](crate::CorsBuilder::preserve_inner_cors_headers) is on:
    /// the inner service's own grant headers reach every caller, refused origins included.
    PreservesInnerGrants,
    /// [`dangerously_allow_cross_origin_websockets`](crate::CorsBuilder::dangerously_allow_cross_origin_websockets)
    /// is on: any page may open a WebSocket to the server with its users' cookies.
    CrossOriginWebSocketsAllowed,
    /// In a set of policies, an earlier policy that applies to all of this one's paths admits
    /// this origin (or every origin), so this policy never decides for it.
    HiddenByEarlierPolicy {
        /// The index of the earlier policy in the set.
        earlier: usize,
    },
}

impl fmt::Display for WarningKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let message = match self {
            Self::HiddenByEarlierPolicy { earlier } => {
                return write!(
                    f,
                    "is never reached: policies[{earlier}] comes first, applies to all of these paths and admits it"
                );
            }
            Self::NoOrigins => {
                "no origin is allowed, so every cross-origin request is refused; set allow_origins (an empty list refuses every origin on purpose)"
            }
            Self::DebugHeader => {
                "is on: every denial tells the caller the shape of the policy; for development only"
            }
            Self::MirrorAnyOriginWithCredentials => {
                "reflects every origin with credentials: any web site can read your users' responses with their cookies"
            }
            Self::CrossOriginWebSocketsAllowed => {
                "is on: any web page may open a WebSocket to this server with its users' cookies and read everything (browsers apply no CORS check to WebSockets)"
            }
            Self::PublicSuffixPatternsAllowed => {
                "is on: a pattern may cover a public suffix, under which anyone can register a name and read the responses"
            }
            Self::PreservesInnerGrants => {
                "is on: the inner service's own Access-Control-* headers reach every caller, refused origins included, and the layer no longer decides alone"
            }
            Self::NullOrigin => {
                "lets every sandboxed frame and file: page, of any site, read the responses"
            }
            Self::InsecureOriginWithCredentials => {
                "is plain http with credentials: anyone on the network path can impersonate it; use https"
            }
            Self::NoMaxAge => {
                "is not set, so browsers keep each preflight answer 5 seconds and a page calling this API pays an extra round trip every few seconds; set max_age_secs (600 keeps it 10 minutes; Chromium caps it at 2 hours), or 0 to say that preflights must not be reused"
            }
            Self::MaxAgeOverBrowserCaps => {
                "is longer than browsers cache a preflight (Chromium 2 hours, Firefox 24 hours); they use their own cap"
            }
            Self::NeverExposed => "is never exposed to scripts, whatever the server says",
            Self::ForbiddenRequestHeader => {
                "is a header scripts can never set; allowing it has no effect"
            }
            Self::ForbiddenMethod => {
                "is a method browsers never send (fetch refuses CONNECT, TRACE and TRACK)"
            }
        };
        f.write_str(message)
    }
}
