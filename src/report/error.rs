//! Configuration errors.

use std::fmt;

use crate::report::field::Field;
use crate::report::location::{located_accessors, Location};
use crate::report::warning::{ConfigWarning, WarningKind};

/// Every problem found while building a [`CorsLayer`](crate::CorsLayer).
///
/// Building never stops at the first problem: the error lists all of them, each naming the
/// setting and the offending value, so one round of fixes is enough.
///
/// # Example
///
/// ```
/// use tower_cors::{AllowOrigin, CorsLayer};
///
/// let err = CorsLayer::builder()
///     .allow_origin(AllowOrigin::from_strs(["https://a.com/", "https://*.com"]))
///     .build()
///     .unwrap_err();
/// assert_eq!(err.problems().len(), 2);
/// assert_eq!(
///     err.to_string(),
///     "invalid CORS configuration:\n  \
///      allow_origins[0]: \"https://a.com/\" has a trailing slash, which no Origin header has; remove the trailing slash\n  \
///      allow_origins[1]: \"https://*.com\" is too broad; a subdomain pattern needs at least two labels after \"*.\" (like https://*.example.com)"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    problems: Vec<ConfigProblem>,
}

impl ConfigError {
    pub(crate) fn new(problems: Vec<ConfigProblem>) -> Self {
        debug_assert!(
            !problems.is_empty(),
            "a ConfigError holds at least one problem"
        );
        Self { problems }
    }

    /// The problems, in the order of the settings.
    ///
    /// ```
    /// use tower_cors::{AllowMethods, CorsLayer, Field};
    ///
    /// let err = CorsLayer::builder()
    ///     .allow_methods(AllowMethods::list(["GET", "NOT A METHOD"]))
    ///     .allow_origin("https://app.example.com/")
    ///     .build()
    ///     .unwrap_err();
    /// let fields: Vec<Field> = err.problems().iter().map(|p| p.field()).collect();
    /// assert_eq!(fields, [Field::AllowOrigins, Field::AllowMethods]);
    /// ```
    pub fn problems(&self) -> &[ConfigProblem] {
        &self.problems
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid CORS configuration:")?;
        for p in &self.problems {
            write!(f, "\n  {p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

/// One problem in a configuration: which setting, which entry, which value, and what is wrong.
///
/// ```
/// use tower_cors::{AllowMethods, CorsLayer, Field, ProblemKind};
///
/// let err = CorsLayer::builder()
///     .allow_origin("https://app.example.com")
///     .allow_methods(AllowMethods::list(["GET", "P UT"]))
///     .build()
///     .unwrap_err();
/// let problem = &err.problems()[0];
/// assert_eq!(problem.field(), Field::AllowMethods);
/// assert_eq!(problem.index(), Some(1));
/// assert_eq!(problem.value(), "P UT");
/// assert_eq!(problem.kind(), ProblemKind::InvalidMethod);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    pub(crate) at: Location,
    pub(crate) kind: ProblemKind,
    /// A message naming what this value involves, in place of the kind's general one.
    pub(crate) message: Option<String>,
}

impl ConfigProblem {
    pub(crate) fn new(
        field: Field,
        index: Option<usize>,
        value: impl AsRef<[u8]>,
        kind: ProblemKind,
    ) -> Self {
        Self {
            at: Location::new(field, index, value),
            kind,
            message: None,
        }
    }

    /// Replaces the kind's general message with one about this value.
    pub(crate) fn with_message(mut self, message: String) -> Self {
        self.message = Some(message);
        self
    }

    /// A warning as a problem, for [`CorsBuilder::warnings_as_errors`](crate::CorsBuilder::warnings_as_errors).
    pub(crate) fn from_warning(warning: &ConfigWarning) -> Self {
        Self {
            at: warning.at.clone(),
            kind: ProblemKind::Warning(warning.kind()),
            message: Some(format!("{} (warnings_as_errors)", warning.kind())),
        }
    }

    located_accessors! {
        /// The setting.
        ///
        /// ```
        /// use http::StatusCode;
        /// use tower_cors::{CorsLayer, Field};
        ///
        /// let err = CorsLayer::builder()
        ///     .allow_origin("https://app.example.com")
        ///     .preflight_status(StatusCode::FOUND)
        ///     .build()
        ///     .unwrap_err();
        /// assert_eq!(err.problems()[0].field(), Field::PreflightStatus);
        /// ```
        pub fn field() -> Field;

        /// The position of the entry within a list setting.
        ///
        /// ```
        /// use tower_cors::{AllowHeaders, CorsLayer};
        ///
        /// let err = CorsLayer::builder()
        ///     .allow_origin("https://app.example.com")
        ///     .allow_headers(AllowHeaders::list(["content-type", "x custom"]))
        ///     .max_request_headers(0)
        ///     .build()
        ///     .unwrap_err();
        /// assert_eq!(err.problems()[0].index(), Some(1)); // the second header
        /// assert_eq!(err.problems()[1].index(), None); // not a list
        /// ```
        pub fn index();

        /// The offending value as given (non-UTF-8 bytes replaced).
        ///
        /// ```
        /// use tower_cors::{CorsLayer, ProblemKind};
        ///
        /// let err = CorsLayer::builder().allow_origin(" https://app.example.com").build().unwrap_err();
        /// assert_eq!(err.problems()[0].value(), " https://app.example.com");
        /// assert_eq!(err.problems()[0].kind(), ProblemKind::Whitespace);
        /// ```
        pub fn value();

        /// What is wrong.
        ///
        /// ```
        /// use tower_cors::{Any, CorsLayer, ProblemKind};
        ///
        /// let err = CorsLayer::builder().allow_origin(Any).allow_credentials(true).build().unwrap_err();
        /// assert_eq!(err.problems()[0].kind(), ProblemKind::AnyOriginWithCredentials);
        /// ```
        pub fn kind() -> ProblemKind;

        /// Where in the configuration the problem is, like `allow_origins[2]`.
        ///
        /// ```
        /// use tower_cors::CorsLayer;
        ///
        /// let err = CorsLayer::builder()
        ///     .allow_origins(["https://a.example", "https://b.example/"])
        ///     .max_request_headers(0)
        ///     .build()
        ///     .unwrap_err();
        /// assert_eq!(err.problems()[0].path(), "allow_origins[1]");
        /// assert_eq!(err.problems()[1].path(), "max_request_headers");
        /// ```
        pub fn path();

        /// The policy of a set the problem is in: `Some(i)` for `policies[i]`, `None` for the
        /// top-level policy.
        ///
        /// ```
        /// use tower_cors::CorsLayer;
        ///
        /// let err = CorsLayer::builder()
        ///     .allow_origins(["https://app.example.com"])
        ///     .policy(CorsLayer::builder().allow_origins(["https://admin.example.com/"]))
        ///     .build()
        ///     .unwrap_err();
        /// assert_eq!(err.problems()[0].policy(), Some(0));
        /// assert_eq!(err.problems()[0].path(), "policies[0].allow_origins[0]");
        /// # Ok::<(), tower_cors::ConfigError>(())
        /// ```
        pub fn policy();
    }
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.at)?;
        match &self.message {
            Some(message) => f.write_str(message),
            None => f.write_str(self.kind.message()),
        }
    }
}

impl std::error::Error for ConfigProblem {}

/// What is wrong with a setting.
///
/// Its [`Display`](fmt::Display) is the message that follows the value in a
/// [`ConfigProblem`]'s.
///
/// ```
/// use tower_cors::{CorsLayer, ProblemKind};
///
/// let err = CorsLayer::builder().allow_origin("https://a.example/").build().unwrap_err();
/// assert_eq!(err.problems()[0].kind(), ProblemKind::OriginTrailingSlash);
/// assert_eq!(ProblemKind::ZeroLimit.to_string(), "must be at least 1");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProblemKind {
    /// `*` inside a list; the wildcard is a policy of its own.
    WildcardInList,
    /// Leading or trailing whitespace.
    Whitespace,
    /// An origin without `scheme://`.
    OriginMissingScheme,
    /// An origin whose scheme is not a valid URL scheme.
    OriginBadScheme,
    /// An origin with a path.
    OriginHasPath,
    /// An origin ending in `/`.
    OriginTrailingSlash,
    /// An origin with a query.
    OriginHasQuery,
    /// An origin with a fragment.
    OriginHasFragment,
    /// An origin with `user@`.
    OriginHasUserInfo,
    /// An origin without a host.
    OriginEmptyHost,
    /// An origin whose host is not a valid host name or IP literal.
    OriginBadHost,
    /// An origin with non-ASCII characters (internationalised names must be given in punycode).
    OriginNonAscii,
    /// An origin whose port is not a number from 0 to 65535 (without leading zeros) or `*`.
    OriginBadPort,
    /// An origin whose host is an IPv4 address in a form browsers never send (`127.1`,
    /// `0x7f.0.0.1`, `127.000.0.1`): browsers send four decimal numbers.
    OriginIpv4NotCanonical,
    /// `*` somewhere else than as the whole first label of the host.
    PatternWildcardPlacement,
    /// A pattern such as `https://*.com` that would match whole top-level domains.
    PatternTooBroad,
    /// A subdomain pattern over a public suffix, such as `https://*.github.io` or
    /// `https://*.co.uk`: anyone can register a name under it and read the responses.
    PatternOverPublicSuffix,
    /// Reflecting every origin together with credentials.
    MirrorWithCredentials,
    /// `Access-Control-Allow-Origin: *` together with credentials.
    AnyOriginWithCredentials,
    /// `Access-Control-Expose-Headers: *` together with credentials: browsers would read it as a
    /// header literally named `*`.
    AnyExposeWithCredentials,
    /// Not a valid HTTP method token.
    InvalidMethod,
    /// Not a valid HTTP header name.
    InvalidHeaderName,
    /// A status that is not a 2xx success, which browsers require of a preflight.
    PreflightStatusNotOk,
    /// A number that is not an HTTP status code (100 to 999).
    InvalidStatus,
    /// The limit is zero, which would refuse every preflight that asks for a header.
    ZeroLimit,
    /// An option that has no effect because preflights are passed to the inner service.
    IgnoredWithPreflightContinue,
    /// An allowed request header name longer than `max_request_header_name_len`, which every
    /// preflight naming it would be refused for.
    HeaderNameOverLimit,
    /// Path prefixes on the top-level policy, which is the last resort for every path.
    PathsOnTopLevel,
    /// A path prefix that is not an absolute path (`/public/`), or holds `?`, `#`, `*`, or a
    /// byte that is not printable ASCII (whitespace included).
    InvalidPathPrefix,
    /// An empty list of path prefixes, under which the policy would never apply.
    NoPaths,
    /// A policy of a set that has policies of its own.
    NestedPolicies,
    /// A warning, which [`CorsBuilder::warnings_as_errors`](crate::CorsBuilder::warnings_as_errors)
    /// makes an error; the problem's message is the warning's.
    Warning(WarningKind),
}

impl ProblemKind {
    fn message(self) -> &'static str {
        match self {
            Self::WildcardInList => {
                "is a wildcard inside a list; give the wildcard alone, not in a list"
            }
            Self::Whitespace => "has leading or trailing whitespace",
            Self::OriginMissingScheme => {
                "has no scheme; write it as scheme://host[:port], e.g. https://app.example.com"
            }
            Self::OriginBadScheme => "has an invalid scheme",
            Self::OriginHasPath => {
                "has a path; an origin is scheme://host[:port] with nothing after it"
            }
            Self::OriginTrailingSlash => {
                "has a trailing slash, which no Origin header has; remove the trailing slash"
            }
            Self::OriginHasQuery => "has a query; an origin is scheme://host[:port]",
            Self::OriginHasFragment => "has a fragment; an origin is scheme://host[:port]",
            Self::OriginHasUserInfo => "has user info (user@); an origin is scheme://host[:port]",
            Self::OriginEmptyHost => "has no host",
            Self::OriginBadHost => "has an invalid host",
            Self::OriginNonAscii => {
                "has non-ASCII characters; write internationalised host names in punycode (xn--...)"
            }
            Self::OriginBadPort => {
                "has an invalid port; use a number from 0 to 65535 without leading zeros, or *"
            }
            Self::OriginIpv4NotCanonical => {
                "has an IPv4 address in a form browsers never send; write it as four decimal numbers (like 127.0.0.1)"
            }
            Self::PatternWildcardPlacement => {
                "has a misplaced wildcard; only a whole first label may be *, as in https://*.example.com"
            }
            Self::PatternTooBroad => {
                "is too broad; a subdomain pattern needs at least two labels after \"*.\" (like https://*.example.com)"
            }
            Self::PatternOverPublicSuffix => {
                "covers a public suffix, under which anyone can register a name and read the responses; \
                 list the names you own under it instead (like https://*.your-app.github.io), or set \
                 dangerously_allow_public_suffix_patterns"
            }
            Self::MirrorWithCredentials => {
                "reflecting every origin with allow_credentials lets any web site read your users' responses; list the origins, or use dangerously_mirror_any_origin_with_credentials if that is really intended"
            }
            Self::AnyOriginWithCredentials => {
                "browsers refuse \"Access-Control-Allow-Origin: *\" on credentialed requests; list the origins instead"
            }
            Self::AnyExposeWithCredentials => {
                "browsers read \"Access-Control-Expose-Headers: *\" literally on credentialed requests; list the headers to expose instead"
            }
            Self::InvalidMethod => "is not a valid HTTP method",
            Self::InvalidHeaderName => "is not a valid HTTP header name",
            Self::PreflightStatusNotOk => {
                "is not a 2xx status; browsers fail a preflight that is not answered with an ok status"
            }
            Self::InvalidStatus => "is not an HTTP status code; use a number from 100 to 999, like 204",
            Self::ZeroLimit => "must be at least 1",
            Self::PathsOnTopLevel => {
                "are paths on the top-level policy, which applies to every path as the last resort; give them to a policy of the set"
            }
            Self::InvalidPathPrefix => {
                "is not a path prefix: it starts with / and holds only printable ASCII other than ?, #, *, ; and \\, with no . or .. segment and no encoded / or \\ (like /public/)"
            }
            Self::NoPaths => "is an empty list, so the policy would never apply; leave paths out to apply it to every path",
            Self::NestedPolicies => "policies of a set cannot have policies of their own",
            Self::HeaderNameOverLimit => {
                "is longer than max_request_header_name_len, so every preflight naming it would be refused; raise the limit"
            }
            Self::IgnoredWithPreflightContinue => {
                "has no effect with preflight_continue, where the service answers preflights itself"
            }
            Self::Warning(_) => "is a warning, an error under warnings_as_errors",
        }
    }
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}
