//! The plain data of a policy, and its compilation into a [`Policy`].

use http::{HeaderMap, StatusCode};

use super::compile_set::{compile_set, top_level_paths};
use super::Policy;
use crate::grant::credentials::AllowCredentials;
use crate::grant::headers::{compile_expose, AllowHeaders, ExposeHeaders, HeaderPolicy};
use crate::grant::max_age::{CompiledMaxAge, MaxAge};
use crate::grant::methods::{AllowMethods, MethodPolicy};
use crate::grant::origin::{AllowOrigin, OriginMatcher};
use crate::grant::private_network::AllowPrivateNetwork;
use crate::grant::toggle::Toggle;
use crate::grant::vary::{VARY_ORIGIN, VARY_PREFLIGHT};
use crate::report::error::{ConfigProblem, ProblemKind};
use crate::report::field::{switches, Field};

/// Defines `Switches` from the `switches!` table.
macro_rules! define_switches {
    ($( $(#[$doc:meta])* $name:ident: $ty:ty = $default:expr => $variant:ident, $value:literal $(, warns $warning:ident)?; )*) => {
        /// The plain settings of a policy: booleans and numbers, each with its default. The
        /// same values as configured and as compiled; [`Settings::compile`] checks them.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub(crate) struct Switches {
            $(pub(crate) $name: $ty,)*
        }

        impl Default for Switches {
            fn default() -> Self {
                Self {
                    $($name: $default,)*
                }
            }
        }
    };
}

switches!(define_switches);

/// A policy as configured: what the builder, a configuration file and the presets fill in.
/// Nothing is checked until [`Settings::compile`].
#[derive(Clone, Debug)]
pub(crate) struct Settings {
    pub(crate) allow_origin: AllowOrigin,
    pub(crate) allow_methods: AllowMethods,
    pub(crate) allow_headers: AllowHeaders,
    pub(crate) expose_headers: ExposeHeaders,
    pub(crate) allow_credentials: AllowCredentials,
    pub(crate) max_age: MaxAge,
    pub(crate) allow_private_network: AllowPrivateNetwork,
    /// `None` for the default, `204 No Content`. A number rather than a [`StatusCode`], so
    /// that a configuration file's value that is no status at all is reported here, in order,
    /// with every other problem.
    pub(crate) preflight_status: Option<u16>,
    /// The plain settings, those of the `switches!` table.
    pub(crate) switches: Switches,
    pub(crate) decision_extension: bool,
    /// The path prefixes of a policy of a set; `None`: every path.
    pub(crate) paths: Option<Vec<String>>,
    /// The policies of a set, in front of this one.
    pub(crate) policies: Vec<Settings>,
    #[cfg(feature = "tracing")]
    pub(crate) denial_level: tracing::Level,
}

// Derivable without `tracing` only: with it, denials are logged at `DEBUG` by default.
#[cfg_attr(not(feature = "tracing"), allow(clippy::derivable_impls))]
impl Default for Settings {
    fn default() -> Self {
        Self {
            allow_origin: AllowOrigin::default(),
            allow_methods: AllowMethods::default(),
            allow_headers: AllowHeaders::default(),
            expose_headers: ExposeHeaders::default(),
            allow_credentials: AllowCredentials::default(),
            max_age: MaxAge::default(),
            allow_private_network: AllowPrivateNetwork::default(),
            preflight_status: None,
            switches: Switches::default(),
            decision_extension: false,
            paths: None,
            policies: Vec::new(),
            #[cfg(feature = "tracing")]
            denial_level: tracing::Level::DEBUG,
        }
    }
}

impl Settings {
    /// Validates every setting, of every policy of a set, and precomputes every header
    /// value. The problems come in the order of the settings, then the combinations that
    /// conflict, then each policy of the set's.
    pub(crate) fn compile(&self) -> Result<Policy, Vec<ConfigProblem>> {
        let problems = self
            .paths
            .iter()
            .map(|paths| top_level_paths(paths))
            .collect();
        if self.policies.is_empty() {
            return self.compile_one(false, problems);
        }
        compile_set(self, problems)
    }

    /// Compiles one policy. `vary_origin`: send `Vary: Origin` whatever the origins, as every
    /// policy of a set does unless all of them answer `*`. `problems` holds those found
    /// already.
    pub(super) fn compile_one(
        &self,
        vary_origin: bool,
        mut problems: Vec<ConfigProblem>,
    ) -> Result<Policy, Vec<ConfigProblem>> {
        // What is refused with credentials is refused with a credentials predicate too: it
        // may say yes to any request.
        let credentials = self.allow_credentials.is_possible();
        let origin = OriginMatcher::compile(
            &self.allow_origin.0,
            credentials,
            self.switches.dangerously_allow_public_suffix_patterns,
            &mut problems,
        );
        let methods = MethodPolicy::compile(&self.allow_methods.0, credentials, &mut problems);
        let headers = HeaderPolicy::compile(
            &self.allow_headers.0,
            credentials,
            self.switches.max_request_header_name_len,
            &mut problems,
        );
        let expose = compile_expose(&self.expose_headers.0, credentials, &mut problems);
        let max_age = CompiledMaxAge::compile(&self.max_age);
        let preflight_status = self.compile_preflight_status(&mut problems);
        for (field, limit) in [
            (Field::MaxRequestHeaders, self.switches.max_request_headers),
            (
                Field::MaxRequestHeaderNameLen,
                self.switches.max_request_header_name_len,
            ),
        ] {
            if limit == 0 {
                problems.push(ConfigProblem::new(field, None, "0", ProblemKind::ZeroLimit));
            }
        }
        if self.switches.preflight_continue {
            if let Ok(Some(status)) = preflight_status {
                problems.push(ConfigProblem::new(
                    Field::PreflightStatus,
                    None,
                    status.as_str(),
                    ProblemKind::IgnoredWithPreflightContinue,
                ));
            }
            if self.switches.strict_preflight {
                problems.push(ConfigProblem::new(
                    Field::StrictPreflight,
                    None,
                    "true",
                    ProblemKind::IgnoredWithPreflightContinue,
                ));
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }

        let origin_dependent = vary_origin || !matches!(origin, OriginMatcher::Any);
        let credentials = self.allow_credentials.0.clone();
        let private_network = self.allow_private_network.0.clone();
        let calls_predicate = origin.calls_predicate()
            || [&credentials, &private_network]
                .iter()
                .any(|s| matches!(s, Toggle::Predicate(_)))
            || max_age.is_dynamic();
        let mut policy = Policy {
            origin,
            credentials,
            methods,
            headers,
            expose,
            max_age,
            private_network,
            calls_predicate,
            preflight_status: preflight_status
                .ok()
                .flatten()
                .unwrap_or(StatusCode::NO_CONTENT),
            switches: self.switches,
            set_index: None,
            decision_extension: self.decision_extension,
            #[cfg(feature = "tracing")]
            denial_level: self.denial_level,
            vary_actual: origin_dependent.then_some(&VARY_ORIGIN),
            vary_preflight: &VARY_PREFLIGHT[usize::from(!origin_dependent)]
                [usize::from(self.allow_private_network.is_possible())],
            warnings: self.warnings(),
            set: None,
            preflight_templates: [HeaderMap::new(), HeaderMap::new()],
            source: None,
        };
        policy.preflight_templates = [
            policy.preflight_template(false),
            policy.preflight_template(true),
        ];
        Ok(policy)
    }

    /// The configured preflight status, if it is one and a 2xx one. `Err(())` when it is not
    /// a status code at all.
    fn compile_preflight_status(
        &self,
        problems: &mut Vec<ConfigProblem>,
    ) -> Result<Option<StatusCode>, ()> {
        let Some(code) = self.preflight_status else {
            return Ok(None);
        };
        let problem =
            |kind| ConfigProblem::new(Field::PreflightStatus, None, code.to_string(), kind);
        let Ok(status) = StatusCode::from_u16(code) else {
            problems.push(problem(ProblemKind::InvalidStatus));
            return Err(());
        };
        if !status.is_success() {
            problems.push(problem(ProblemKind::PreflightStatusNotOk));
        }
        Ok(Some(status))
    }
}
