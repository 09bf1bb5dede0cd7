//! The pure core: the compiled policy, and the one place where requests are decided.
//!
//! Nothing here knows about services, futures or I/O, and nothing here imports a module above
//! it. A request goes through two steps:
//!
//! 1. [`Policy::evaluate_chosen`], for the policy [`Policy::select`] chose, reads the request
//!    [`Head`] and gives a [`Verdict`] (not a CORS
//!    request, allowed with this grant, denied for this reason), or an [`Evaluation::Pending`]
//!    verdict that waits on an async origin check;
//! 2. [`Policy::plan`] turns that into a [`Plan`]: answer now with this head, forward and
//!    write these headers into the inner service's response, or run the origin check first
//!    (`answer` writes the layer's own heads, `decoration` what it adds to the inner
//!    service's).
//!
//! The service, its response future, report-only mode and the dry runs all follow the plan;
//! none of them decides a status or a route of its own.
//!
//! [`Settings`] is the plain data the builder, the configuration file and the presets fill;
//! [`Settings::compile`] validates it, reporting every problem at once, and precomputes every
//! header value.

use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};

use crate::grant::headers::HeaderPolicy;
use crate::grant::max_age::CompiledMaxAge;
use crate::grant::methods::MethodPolicy;
use crate::grant::origin::OriginMatcher;
use crate::grant::toggle::Toggle;
use crate::grant::vary::VaryTokens;
use crate::report::decision::{Decision, RequestKind};
use crate::report::field::Field;
use crate::report::warning::ConfigWarning;

mod answer;
mod compile_set;
mod debug;
mod decoration;
mod evaluate;
mod head;
mod inner_headers;
mod lint;
mod paths;
mod plan;
mod set;
mod settings;
mod verdict;
mod websocket;

pub(crate) use decoration::Decoration;
pub(crate) use head::Head;
#[cfg(feature = "tracing")]
pub(crate) use inner_headers::GrantHeaders;
pub(crate) use plan::{DryRun, Pending, Plan};
use set::PolicySet;
pub(crate) use set::Selected;
pub(crate) use settings::{Settings, Switches};
pub(crate) use verdict::{Evaluation, OwnedVerdict, Verdict};

pub(crate) use crate::grant::private_network::{
    ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK, ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK,
};
/// The response header that says why the layer denied something, in debug mode.
pub(crate) const CORS_DEBUG: HeaderName = HeaderName::from_static("cors-debug");

const TRUE: HeaderValue = HeaderValue::from_static("true");

/// The validated, precomputed policy shared by every clone of the layer and service.
#[derive(Debug)]
pub(crate) struct Policy {
    pub(crate) origin: OriginMatcher,
    credentials: Toggle,
    methods: MethodPolicy,
    headers: HeaderPolicy,
    expose: Option<HeaderValue>,
    max_age: CompiledMaxAge,
    private_network: Toggle,
    /// Whether evaluating calls a function of the request head (an origin, credentials,
    /// max-age or private network predicate), which takes the head as [`Parts`].
    calls_predicate: bool,
    preflight_status: StatusCode,
    /// The plain settings, as configured.
    switches: Switches,
    /// `policies[i]` of its layer's set, for the fixes the debug header and the dry run name.
    set_index: Option<usize>,
    /// Insert the [`Decision`] into request extensions.
    pub(crate) decision_extension: bool,
    #[cfg(feature = "tracing")]
    pub(crate) denial_level: tracing::Level,
    /// `Vary` for responses to requests that are not preflights; `None` when the answer does
    /// not depend on the origin (`*`).
    vary_actual: Option<&'static VaryTokens>,
    vary_preflight: &'static VaryTokens,
    /// Settings that build but that no browser honours, or that are almost always a mistake.
    pub(crate) warnings: Vec<ConfigWarning>,
    /// The policies in front of this one, for a set; this one is then the last resort.
    set: Option<Box<PolicySet>>,
    /// Answers to allowed preflights without and with `Access-Control-Allow-Headers`, with
    /// placeholders where a value depends on the request; see [`Policy::answer`].
    preflight_templates: [HeaderMap; 2],
    /// The settings the policy was built from, for a builder that refines them; set by
    /// [`CorsBuilder::build`](crate::CorsBuilder::build) on the layer's own policy.
    pub(crate) source: Option<Box<Settings>>,
}

impl Policy {
    /// Whether evaluating a request calls a function of its head, which takes it as
    /// [`Parts`].
    pub(crate) fn calls_predicate(&self) -> bool {
        self.calls_predicate
    }

    /// A configuration key of this policy as a fix names it: `policies[i].name` in a set,
    /// `name` at the top level.
    pub(crate) fn key(&self, field: Field) -> String {
        match self.set_index {
            Some(index) => format!("policies[{index}].{field}"),
            None => field.to_string(),
        }
    }

    /// Whether the inner service's own grant headers reach the browser beside the layer's.
    pub(crate) fn preserves_inner_headers(&self) -> bool {
        self.switches.preserve_inner_cors_headers
    }

    /// The public decision for a verdict of this policy.
    pub(crate) fn decision(&self, verdict: &Verdict<'_>) -> Decision {
        let kind = verdict.kind();
        Decision {
            kind,
            denial: verdict.denial(),
            passthrough: kind == RequestKind::Preflight && self.switches.preflight_continue,
            policy: self.set_index,
            considered: Vec::new(),
        }
    }
}
