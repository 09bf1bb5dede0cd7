//! The settings of a policy, named by their configuration keys.

use std::fmt;

/// A setting of the policy, named by its configuration key: what a [`ConfigProblem`](crate::ConfigProblem) is
/// about. Its [`Display`](fmt::Display) is the key used in configuration files, so messages
/// read the same from the builder and from a file; [`Field::ALL`] lists the keys of one policy
/// (every key but `paths` and `policies`), in the order of the builder.
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
/// assert_eq!(Field::ALL.len(), 17);
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
    /// [`CorsBuilder::strict_preflight`](crate::CorsBuilder::strict_preflight).
    StrictPreflight,
    /// [`CorsBuilder::reject_disallowed_origins`](crate::CorsBuilder::reject_disallowed_origins).
    RejectDisallowedOrigins,
    /// [`CorsBuilder::preflight_continue`](crate::CorsBuilder::preflight_continue).
    PreflightContinue,
    /// [`CorsBuilder::max_request_headers`](crate::CorsBuilder::max_request_headers).
    MaxRequestHeaders,
    /// [`CorsBuilder::max_request_header_name_len`](crate::CorsBuilder::max_request_header_name_len).
    MaxRequestHeaderNameLen,
    /// [`CorsBuilder::preserve_inner_cors_headers`](crate::CorsBuilder::preserve_inner_cors_headers).
    PreserveInnerCorsHeaders,
    /// [`CorsBuilder::dangerously_allow_public_suffix_patterns`](crate::CorsBuilder::dangerously_allow_public_suffix_patterns).
    DangerouslyAllowPublicSuffixPatterns,
    /// [`CorsBuilder::dangerously_allow_cross_origin_websockets`](crate::CorsBuilder::dangerously_allow_cross_origin_websockets).
    DangerouslyAllowCrossOriginWebsockets,
    /// [`CorsBuilder::debug_header`](crate::CorsBuilder::debug_header).
    DebugHeader,
    /// [`CorsBuilder::paths`](crate::CorsBuilder::paths): the path prefixes a policy of a set
    /// applies to.
    Paths,
    /// [`CorsBuilder::policy`](crate::CorsBuilder::policy): the policies of a set.
    Policies,
}

impl Field {
    /// The settings of one policy, in the order of the builder's documentation: every key but
    /// `paths` and `policies`, which shape a set of policies (and are read from files only,
    /// never from environment variables).
    ///
    /// ```
    /// use tower_cors::Field;
    ///
    /// assert_eq!(Field::ALL[0], Field::AllowOrigins);
    /// assert!(Field::ALL.iter().all(|f| f.as_str().chars().all(|c| c.is_ascii_lowercase() || c == '_')));
    /// ```
    pub const ALL: [Field; 17] = [
        Self::AllowOrigins,
        Self::AllowMethods,
        Self::AllowHeaders,
        Self::ExposeHeaders,
        Self::AllowCredentials,
        Self::MaxAge,
        Self::AllowPrivateNetwork,
        Self::PreflightStatus,
        Self::StrictPreflight,
        Self::RejectDisallowedOrigins,
        Self::PreflightContinue,
        Self::MaxRequestHeaders,
        Self::MaxRequestHeaderNameLen,
        Self::PreserveInnerCorsHeaders,
        Self::DangerouslyAllowPublicSuffixPatterns,
        Self::DangerouslyAllowCrossOriginWebsockets,
        Self::DebugHeader,
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
            Self::StrictPreflight => "strict_preflight",
            Self::RejectDisallowedOrigins => "reject_disallowed_origins",
            Self::PreflightContinue => "preflight_continue",
            Self::MaxRequestHeaders => "max_request_headers",
            Self::MaxRequestHeaderNameLen => "max_request_header_name_len",
            Self::PreserveInnerCorsHeaders => "preserve_inner_cors_headers",
            Self::DangerouslyAllowPublicSuffixPatterns => {
                "dangerously_allow_public_suffix_patterns"
            }
            Self::DangerouslyAllowCrossOriginWebsockets => {
                "dangerously_allow_cross_origin_websockets"
            }
            Self::DebugHeader => "debug_header",
            Self::Paths => "paths",
            Self::Policies => "policies",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
