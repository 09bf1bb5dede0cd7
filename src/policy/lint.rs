//! Warnings: settings that build but that no browser honours, or that are almost always a
//! mistake.

use super::Settings;
use crate::grant::headers::HeaderSpec;
use crate::grant::methods::{is_safelisted_method, MethodSpec};
use crate::grant::origin::OriginSpec;
use crate::report::field::{switches, Field};
use crate::report::warning::{ConfigWarning, WarningKind};

impl Settings {
    /// Every warning, in the order of the settings.
    pub(super) fn warnings(&self) -> Vec<ConfigWarning> {
        let mut warnings = Vec::new();
        let credentials = self.allow_credentials.is_possible();
        self.allow_origin.warnings(credentials, &mut warnings);
        self.allow_methods.warnings(&mut warnings);
        self.allow_headers.warnings(&mut warnings);
        self.expose_headers.warnings(&mut warnings);
        let preflights_can_pass = self.preflights_can_pass();
        self.max_age.warnings(preflights_can_pass, &mut warnings);
        self.switch_warnings(&mut warnings);
        warnings
    }
}

/// Defines `Settings::switch_warnings` from the `switches!` table.
macro_rules! define_switch_warnings {
    ($( $(#[$doc:meta])* $name:ident: $ty:ty = $default:expr => $variant:ident, $value:literal $(, warns $warning:ident)?; )*) => {
        impl Settings {
            /// A warning for each dangerous switch that is on.
            fn switch_warnings(&self, out: &mut Vec<ConfigWarning>) {
                $($(
                    if self.switches.$name {
                        let kind = WarningKind::$warning;
                        out.push(ConfigWarning::new(Field::$variant, None, "", kind));
                    }
                )?)*
            }
        }
    };
}

switches!(define_switch_warnings);

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
