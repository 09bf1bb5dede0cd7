//! What the configured origins warn about: no origin setting at all, mirroring with
//! credentials, `null`, and plain `http://` origins that receive credentials.

use super::{AllowOrigin, OriginSpec};
use crate::report::field::Field;
use crate::report::warning::{ConfigWarning, WarningKind};

impl AllowOrigin {
    /// The warnings of the origin setting; `credentials`: whether the policy may allow them.
    pub(crate) fn warnings(&self, credentials: bool, out: &mut Vec<ConfigWarning>) {
        let mut warn = |index, value: &str, kind| {
            out.push(ConfigWarning::new(Field::AllowOrigins, index, value, kind));
        };
        match &self.0 {
            OriginSpec::Unset => warn(None, "", WarningKind::NoOrigins),
            OriginSpec::DangerousMirror if credentials => {
                warn(None, "", WarningKind::MirrorAnyOriginWithCredentials);
            }
            OriginSpec::List(entries) => {
                for (index, entry) in entries.iter().enumerate() {
                    let entry = String::from_utf8_lossy(entry);
                    if entry.eq_ignore_ascii_case("null") {
                        warn(Some(index), &entry, WarningKind::NullOrigin);
                    } else if credentials && is_insecure_remote(&entry) {
                        warn(
                            Some(index),
                            &entry,
                            WarningKind::InsecureOriginWithCredentials,
                        );
                    }
                }
            }
            _ => {}
        }
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
