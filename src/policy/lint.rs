//! Warnings: settings that build but that no browser honours, or that are almost always a
//! mistake.

use std::time::Duration;

use super::Settings;
use crate::grant::fetch::{is_forbidden_header_name, is_forbidden_method, is_never_exposed};
use crate::grant::headers::{ExposeSpec, HeaderSpec};
use crate::grant::max_age::MaxAgeSpec;
use crate::grant::methods::{is_safelisted_method, MethodSpec};
use crate::grant::origin::OriginSpec;
use crate::report::field::Field;
use crate::report::warning::{ConfigWarning, WarningKind};

/// Chromium's cap on a preflight cache entry (Firefox's is 24 hours): a longer max-age is cut
/// to it, so a longer one does not do what it says in the most used browser.
const CHROMIUM_PREFLIGHT_CACHE: Duration = Duration::from_secs(2 * 60 * 60);

impl Settings {
    /// Every warning, in the order of the settings.
    pub(super) fn warnings(&self) -> Vec<ConfigWarning> {
        let mut warnings = Vec::new();
        let mut warn = |field, index, value: &str, kind| {
            warnings.push(ConfigWarning::new(field, index, value, kind));
        };
        match self.allow_origin.0 {
            OriginSpec::Unset => warn(Field::AllowOrigins, None, "", WarningKind::NoOrigins),
            OriginSpec::DangerousMirror if self.allow_credentials.is_possible() => warn(
                Field::AllowOrigins,
                None,
                "",
                WarningKind::MirrorAnyOriginWithCredentials,
            ),
            _ => {}
        }
        if let OriginSpec::List(entries) = &self.allow_origin.0 {
            for (index, entry) in entries.iter().enumerate() {
                let entry = String::from_utf8_lossy(entry);
                if entry.eq_ignore_ascii_case("null") {
                    warn(
                        Field::AllowOrigins,
                        Some(index),
                        &entry,
                        WarningKind::NullOrigin,
                    );
                } else if self.allow_credentials.is_possible() && is_insecure_remote(&entry) {
                    warn(
                        Field::AllowOrigins,
                        Some(index),
                        &entry,
                        WarningKind::InsecureOriginWithCredentials,
                    );
                }
            }
        }
        if let MethodSpec::List(methods) = &self.allow_methods.0 {
            for (index, method) in methods.iter().enumerate() {
                if is_forbidden_method(method.as_bytes()) {
                    warn(
                        Field::AllowMethods,
                        Some(index),
                        method,
                        WarningKind::ForbiddenMethod,
                    );
                }
            }
        }
        if let HeaderSpec::List(names) = &self.allow_headers.0 {
            for (index, name) in names.iter().enumerate() {
                if is_forbidden_header_name(&name.to_ascii_lowercase()) {
                    warn(
                        Field::AllowHeaders,
                        Some(index),
                        name,
                        WarningKind::ForbiddenRequestHeader,
                    );
                }
            }
        }
        if let ExposeSpec::List(names) = &self.expose_headers.0 {
            for (index, name) in names.iter().enumerate() {
                if is_never_exposed(&name.to_ascii_lowercase()) {
                    warn(
                        Field::ExposeHeaders,
                        Some(index),
                        name,
                        WarningKind::NeverExposed,
                    );
                }
            }
        }
        if matches!(self.max_age.0, MaxAgeSpec::Unset) && self.preflights_can_pass() {
            warn(Field::MaxAge, None, "", WarningKind::NoMaxAge);
        }
        if let MaxAgeSpec::Exact(max_age) = self.max_age.0 {
            if max_age > CHROMIUM_PREFLIGHT_CACHE {
                warn(
                    Field::MaxAge,
                    None,
                    &max_age.as_secs().to_string(),
                    WarningKind::MaxAgeOverBrowserCaps,
                );
            }
        }
        if self.switches.preserve_inner_cors_headers {
            warn(
                Field::PreserveInnerCorsHeaders,
                None,
                "",
                WarningKind::PreservesInnerGrants,
            );
        }
        if self.switches.dangerously_allow_cross_origin_websockets {
            warn(
                Field::DangerouslyAllowCrossOriginWebsockets,
                None,
                "",
                WarningKind::CrossOriginWebSocketsAllowed,
            );
        }
        if self.switches.dangerously_allow_public_suffix_patterns {
            warn(
                Field::DangerouslyAllowPublicSuffixPatterns,
                None,
                "",
                WarningKind::PublicSuffixPatternsAllowed,
            );
        }
        if self.switches.debug_header {
            warn(Field::DebugHeader, None, "", WarningKind::DebugHeader);
        }
        warnings
    }
}

impl Settings {
    /// Whether a preflight can be allowed: some origin is admitted, and a method other than
    /// `GET`, `HEAD` and `POST`, a request header or private network access is allowed.
    fn preflights_can_pass(&self) -> bool {
        let origins = match &self.allow_origin.0 {
            OriginSpec::Unset => false,
            OriginSpec::List(entries) => !entries.is_empty(),
            _ => true,
        };
        let methods = match &self.allow_methods.0 {
            MethodSpec::Unset => false,
            MethodSpec::List(methods) => methods
                .iter()
                .any(|m| !is_safelisted_method(m.trim().to_ascii_uppercase().as_bytes())),
            MethodSpec::Any | MethodSpec::Mirror => true,
        };
        let headers = match &self.allow_headers.0 {
            HeaderSpec::Unset => false,
            HeaderSpec::List(names) => !names.is_empty(),
            HeaderSpec::Any { .. } | HeaderSpec::Mirror => true,
        };
        origins && (methods || headers || self.allow_private_network.is_possible())
    }
}

/// Whether a configured origin is plain `http://` to a host that is not this machine.
fn is_insecure_remote(origin: &str) -> bool {
    let lower = origin.to_ascii_lowercase();
    let Some(rest) = lower.strip_prefix("http://") else {
        return false;
    };
    let host = if rest.starts_with('[') {
        rest.split_inclusive(']').next().unwrap_or(rest)
    } else {
        rest.split(':').next().unwrap_or(rest)
    };
    let loopback = host == "localhost"
        || host.ends_with(".localhost")
        || host.starts_with("127.")
        || host == "[::1]";
    !loopback
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_origins_are_not_insecure() {
        for origin in [
            "http://localhost:3000",
            "http://app.localhost",
            "http://127.0.0.1:8080",
            "http://[::1]:5173",
            "https://app.example.com",
        ] {
            assert!(!is_insecure_remote(origin), "{origin}");
        }
        for origin in [
            "http://app.example.com",
            "HTTP://10.0.0.2:8080",
            "http://*.example.com",
        ] {
            assert!(is_insecure_remote(origin), "{origin}");
        }
    }
}
