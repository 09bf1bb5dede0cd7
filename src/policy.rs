//! The compiled policy and the pure decision function.
//!
//! Nothing here knows about services or I/O: [`Policy::evaluate`] maps a request head to a
//! [`Verdict`], and [`Policy::apply`] writes a verdict's headers into a header map.

use std::time::Duration;

use http::header::GetAll;
use http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE,
    ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN,
};
use http::request::Parts;
use http::response;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Response, StatusCode, Uri};

use crate::builder::CorsBuilder;
use crate::decision::{Decision, Denial, RequestKind};
use crate::error::{ConfigProblem, Field, ProblemKind};
use crate::headers::{compile_expose, HeaderPolicy};
use crate::methods::MethodPolicy;
use crate::origin::{
    compile_list, is_wellformed_request_origin, BoxBoolFuture, OriginMatcher, OriginSpec,
};
use crate::util::is_token;
use crate::vary::Vary;

pub(crate) const ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-request-private-network");
pub(crate) const ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-allow-private-network");

const TRUE: HeaderValue = HeaderValue::from_static("true");
const WILDCARD: HeaderValue = HeaderValue::from_static("*");

/// The default for [`CorsBuilder::max_request_headers`].
pub(crate) const DEFAULT_MAX_REQUEST_HEADERS: usize = 64;

/// The parts of a request the policy looks at.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Head<'a> {
    pub(crate) method: &'a Method,
    pub(crate) uri: &'a Uri,
    pub(crate) headers: &'a HeaderMap,
}

impl<'a> Head<'a> {
    pub(crate) fn of<B>(request: &'a http::Request<B>) -> Self {
        Self {
            method: request.method(),
            uri: request.uri(),
            headers: request.headers(),
        }
    }

    pub(crate) fn of_parts(parts: &'a Parts) -> Self {
        Self {
            method: &parts.method,
            uri: &parts.uri,
            headers: &parts.headers,
        }
    }

    /// Whether this is a CORS preflight: `OPTIONS` with `Origin` and
    /// `Access-Control-Request-Method`, to a path (not the asterisk-form `OPTIONS *`, which
    /// asks about the server as a whole and which browsers never send).
    pub(crate) fn is_preflight(&self) -> bool {
        self.method == Method::OPTIONS
            && self.uri != "*"
            && self.headers.contains_key(ORIGIN)
            && self.headers.contains_key(ACCESS_CONTROL_REQUEST_METHOD)
    }

    /// Request parts for predicates called outside a service (dry runs only).
    fn to_parts(self) -> Parts {
        let mut request = http::Request::new(());
        *request.method_mut() = self.method.clone();
        *request.uri_mut() = self.uri.clone();
        *request.headers_mut() = self.headers.clone();
        request.into_parts().0
    }
}

/// What a granted request gets.
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    allow_origin: HeaderValue,
    /// Preflight only.
    allow_methods: Option<HeaderValue>,
    /// Preflight only.
    allow_headers: Option<HeaderValue>,
    /// Preflight only.
    private_network: bool,
}

/// The outcome of [`Policy::evaluate`], with everything needed to write the headers.
#[derive(Debug, Clone)]
pub(crate) enum Verdict {
    NotCors,
    Allowed { kind: RequestKind, grant: Grant },
    Denied { kind: RequestKind, denial: Denial },
}

impl Verdict {
    pub(crate) fn kind(&self) -> RequestKind {
        match self {
            Self::NotCors => RequestKind::NotCors,
            Self::Allowed { kind, .. } | Self::Denied { kind, .. } => *kind,
        }
    }

    pub(crate) fn decision(&self) -> Decision {
        Decision {
            kind: self.kind(),
            denial: match self {
                Self::Denied { denial, .. } => Some(denial.clone()),
                _ => None,
            },
            passthrough: false,
        }
    }

    /// Replaces a verdict by an origin denial (after a predicate said no).
    pub(crate) fn deny_origin(self) -> Self {
        match self {
            Self::Allowed { kind, .. } | Self::Denied { kind, .. } => Self::Denied {
                kind,
                denial: Denial::OriginRefusedByPredicate,
            },
            Self::NotCors => Self::NotCors,
        }
    }

    fn is_denied(&self) -> bool {
        matches!(self, Self::Denied { .. })
    }
}

/// A verdict, or one that waits for an async origin check.
pub(crate) enum Evaluation {
    Done(Verdict),
    /// `provisional` is the verdict if the origin turns out to be allowed.
    Pending {
        check: BoxBoolFuture,
        provisional: Verdict,
    },
}

/// What the service does with a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Route {
    /// Answer without calling the inner service.
    Respond,
    /// Call the inner service and decorate its response.
    Forward,
}

/// The validated, precomputed policy shared by every clone of the layer and service.
#[derive(Debug)]
pub(crate) struct Policy {
    pub(crate) origin: OriginMatcher,
    pub(crate) credentials: bool,
    pub(crate) methods: MethodPolicy,
    pub(crate) headers: HeaderPolicy,
    pub(crate) expose: Option<HeaderValue>,
    pub(crate) max_age: Option<HeaderValue>,
    pub(crate) private_network: bool,
    pub(crate) preflight_status: StatusCode,
    pub(crate) strict_preflight: bool,
    pub(crate) reject_disallowed_origins: bool,
    pub(crate) preflight_continue: bool,
    pub(crate) max_request_headers: usize,
    /// Insert the [`Decision`] into request extensions.
    pub(crate) decision_extension: bool,
    #[cfg(feature = "tracing")]
    pub(crate) denial_level: tracing::Level,
    /// `Vary` for responses to requests that are not preflights; `None` when the answer does
    /// not depend on the origin (`*`).
    vary_actual: Option<&'static Vary>,
    vary_preflight: &'static Vary,
    /// Answers to allowed preflights without and with `Access-Control-Allow-Headers`; see
    /// [`Policy::preflight_template`].
    preflight_templates: [HeaderMap; 2],
}

/// The headers added to the response of the inner service to a request that is not a
/// preflight.
#[derive(Debug)]
pub(crate) struct Decoration {
    /// Granted: `Access-Control-Allow-Origin`.
    allow_origin: Option<HeaderValue>,
    credentials: bool,
    expose: Option<HeaderValue>,
    vary: Option<&'static Vary>,
}

impl Decoration {
    /// Writes the headers into the response's own map, overwriting CORS headers and merging
    /// `Vary`.
    pub(crate) fn write(self, headers: &mut HeaderMap) {
        if let Some(allow_origin) = self.allow_origin {
            headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin);
            if self.credentials {
                headers.insert(ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE);
            }
            if let Some(expose) = self.expose {
                headers.insert(ACCESS_CONTROL_EXPOSE_HEADERS, expose);
            }
        }
        if let Some(vary) = self.vary {
            vary.merge_into(headers);
        }
    }
}

static VARY_ORIGIN: Vary = Vary::new(&["origin"], "origin");

/// `Vary` of preflight answers, origin-dependent or not. `Access-Control-Request-Private-Network`
/// is always listed: the answer depends on it whether private network access is allowed
/// (granted) or not (refused).
static VARY_PREFLIGHT: [Vary; 2] = [
    Vary::new(
        &[
            "origin",
            "access-control-request-method",
            "access-control-request-headers",
            "access-control-request-private-network",
        ],
        "origin, access-control-request-method, access-control-request-headers, access-control-request-private-network",
    ),
    Vary::new(
        &[
            "access-control-request-method",
            "access-control-request-headers",
            "access-control-request-private-network",
        ],
        "access-control-request-method, access-control-request-headers, access-control-request-private-network",
    ),
];

impl Policy {
    /// Validates a builder. Returns the policy and every problem found; the policy must not be
    /// used when there are problems.
    pub(crate) fn compile(b: &CorsBuilder) -> (Self, Vec<ConfigProblem>) {
        let mut problems = Vec::new();
        let credentials = b.allow_credentials;
        let credentials_problem = |kind| ConfigProblem::new(Field::AllowOrigins, None, "", kind);
        let origin = match &b.allow_origin.0 {
            OriginSpec::Unset => {
                problems.push(credentials_problem(ProblemKind::NoOriginPolicy));
                OriginMatcher::List(Default::default())
            }
            OriginSpec::Any => {
                if credentials {
                    problems.push(ConfigProblem::new(
                        Field::AllowOrigins,
                        None,
                        "*",
                        ProblemKind::AnyOriginWithCredentials,
                    ));
                }
                OriginMatcher::Any
            }
            OriginSpec::List(entries) => OriginMatcher::List(compile_list(entries, &mut problems)),
            OriginSpec::Predicate(f) => OriginMatcher::Predicate(f.clone()),
            OriginSpec::AsyncPredicate(f) => OriginMatcher::AsyncPredicate(f.clone()),
            OriginSpec::Mirror => {
                if credentials {
                    problems.push(credentials_problem(ProblemKind::MirrorWithCredentials));
                }
                OriginMatcher::Mirror { dangerous: false }
            }
            OriginSpec::DangerousMirror => OriginMatcher::Mirror { dangerous: true },
        };
        let methods = MethodPolicy::compile(&b.allow_methods.0, credentials, &mut problems);
        let headers = HeaderPolicy::compile(&b.allow_headers.0, credentials, &mut problems);
        let expose = compile_expose(&b.expose_headers.0, credentials, &mut problems);
        let max_age = b.max_age.map(max_age_value);
        if !b.preflight_status.is_success() {
            problems.push(ConfigProblem::new(
                Field::PreflightStatus,
                None,
                b.preflight_status.as_str(),
                ProblemKind::PreflightStatusNotOk,
            ));
        }
        if b.max_request_headers == 0 {
            problems.push(ConfigProblem::new(
                Field::MaxRequestHeaders,
                None,
                "0",
                ProblemKind::ZeroLimit,
            ));
        }

        let origin_dependent = !matches!(origin, OriginMatcher::Any);
        let vary_preflight = if origin_dependent {
            &VARY_PREFLIGHT[0]
        } else {
            &VARY_PREFLIGHT[1]
        };
        let vary_actual = origin_dependent.then_some(&VARY_ORIGIN);

        let mut policy = Self {
            origin,
            credentials,
            methods,
            headers,
            expose,
            max_age,
            private_network: b.allow_private_network,
            preflight_status: b.preflight_status,
            strict_preflight: b.strict_preflight,
            reject_disallowed_origins: b.reject_disallowed_origins,
            preflight_continue: b.preflight_continue,
            max_request_headers: b.max_request_headers,
            decision_extension: b.decision_extension,
            #[cfg(feature = "tracing")]
            denial_level: b.denial_level,
            vary_actual,
            vary_preflight,
            preflight_templates: [HeaderMap::new(), HeaderMap::new()],
        };
        policy.preflight_templates = [
            policy.preflight_template(false),
            policy.preflight_template(true),
        ];
        (policy, problems)
    }

    /// The answer to an allowed preflight that does not ask for private network access, with
    /// placeholders where the values depend on the request; `with_allow_headers` says whether
    /// it has `Access-Control-Allow-Headers`. Cloning it and filling the placeholders gives
    /// the same map, in the same order, as writing the headers one by one.
    fn preflight_template(&self, with_allow_headers: bool) -> HeaderMap {
        let placeholder = WILDCARD;
        let allow_headers = match &self.headers {
            HeaderPolicy::List { header, .. } => header.clone(),
            HeaderPolicy::Wildcard { header, .. } => Some(header.clone()),
            HeaderPolicy::Mirror { .. } => Some(placeholder.clone()),
        };
        let grant = Grant {
            allow_origin: placeholder.clone(),
            allow_methods: self.methods.header(&placeholder),
            allow_headers: allow_headers.filter(|_| with_allow_headers),
            private_network: false,
        };
        let mut headers = HeaderMap::new();
        self.apply(
            Verdict::Allowed {
                kind: RequestKind::Preflight,
                grant,
            },
            &mut headers,
        );
        headers
    }

    /// The headers of the layer's own answer to a request.
    fn answer_headers(&self, verdict: Verdict) -> HeaderMap {
        match verdict {
            Verdict::Allowed {
                kind: RequestKind::Preflight,
                grant,
            } if !grant.private_network => {
                let template =
                    &self.preflight_templates[usize::from(grant.allow_headers.is_some())];
                let mut headers = template.clone();
                // Replace placeholders in place: the clone is full, and an insert would first
                // make room.
                let mut fill = |name: HeaderName, value: HeaderValue| {
                    if let Some(slot) = headers.get_mut(name) {
                        *slot = value;
                    }
                };
                if !matches!(self.origin, OriginMatcher::Any) {
                    fill(ACCESS_CONTROL_ALLOW_ORIGIN, grant.allow_origin);
                }
                if let (MethodPolicy::Mirror, Some(v)) = (&self.methods, grant.allow_methods) {
                    fill(ACCESS_CONTROL_ALLOW_METHODS, v);
                }
                if let (HeaderPolicy::Mirror { .. }, Some(v)) = (&self.headers, grant.allow_headers)
                {
                    fill(ACCESS_CONTROL_ALLOW_HEADERS, v);
                }
                headers
            }
            verdict => {
                let mut headers = HeaderMap::new();
                self.apply(verdict, &mut headers);
                headers
            }
        }
    }

    /// The layer's own answer (a preflight's, or a refusal): status and headers.
    pub(crate) fn answer(&self, verdict: Verdict) -> response::Parts {
        let (mut head, ()) = Response::new(()).into_parts();
        head.status = match verdict.kind() {
            RequestKind::Preflight => self.preflight_status(&verdict),
            _ => StatusCode::FORBIDDEN,
        };
        head.headers = self.answer_headers(verdict);
        head
    }

    /// The headers to add to the inner service's response to a request that is not a
    /// preflight, taken out of the policy so that the response future does not need it.
    #[inline]
    pub(crate) fn decoration(&self, verdict: Verdict) -> Decoration {
        let allow_origin = match verdict {
            Verdict::Allowed { grant, .. } => Some(grant.allow_origin),
            _ => None,
        };
        Decoration {
            expose: if allow_origin.is_some() {
                self.expose.clone()
            } else {
                None
            },
            credentials: self.credentials,
            allow_origin,
            vary: self.vary_actual,
        }
    }

    /// The public decision for a verdict of this policy.
    pub(crate) fn decision(&self, verdict: &Verdict) -> Decision {
        let mut decision = verdict.decision();
        decision.passthrough = decision.kind == RequestKind::Preflight && self.preflight_continue;
        decision
    }

    /// Where a request of this kind goes.
    pub(crate) fn route(&self, kind: RequestKind) -> Route {
        match kind {
            RequestKind::Preflight if !self.preflight_continue => Route::Respond,
            _ => Route::Forward,
        }
    }

    /// Whether a denied verdict is answered by the layer with 403 instead of being forwarded.
    pub(crate) fn rejects(&self, verdict: &Verdict) -> bool {
        verdict.is_denied()
            && verdict.kind() == RequestKind::Actual
            && self.reject_disallowed_origins
            && matches!(
                verdict,
                Verdict::Denied {
                    denial: Denial::MultipleOrigins
                        | Denial::MalformedOrigin
                        | Denial::NullOrigin
                        | Denial::OriginNotAllowed
                        | Denial::OriginRefusedByPredicate,
                    ..
                }
            )
    }

    /// The status of a preflight answered by the layer.
    pub(crate) fn preflight_status(&self, verdict: &Verdict) -> StatusCode {
        if verdict.is_denied() && self.strict_preflight {
            StatusCode::FORBIDDEN
        } else {
            self.preflight_status
        }
    }

    /// Evaluates a request head.
    pub(crate) fn evaluate(&self, head: Head<'_>, parts: Option<&Parts>) -> Evaluation {
        let headers = head.headers;
        let mut origins = headers.get_all(ORIGIN).iter();
        let Some(origin) = origins.next() else {
            return Evaluation::Done(Verdict::NotCors);
        };
        // `head.is_preflight()`, looking `Access-Control-Request-Method` up once for both the
        // classification and the preflight check.
        let request_methods = (*head.method == Method::OPTIONS && *head.uri != "*")
            .then(|| headers.get_all(ACCESS_CONTROL_REQUEST_METHOD))
            .filter(|methods| methods.iter().next().is_some());
        let kind = if request_methods.is_some() {
            RequestKind::Preflight
        } else {
            RequestKind::Actual
        };
        let deny = |denial| Evaluation::Done(Verdict::Denied { kind, denial });
        if origins.next().is_some() {
            return deny(Denial::MultipleOrigins);
        }
        let origin_bytes = origin.as_bytes();
        let allow_origin = match &self.origin {
            OriginMatcher::Any => WILDCARD,
            OriginMatcher::List(list) => {
                if list.matches(origin_bytes) {
                    origin.clone()
                } else {
                    return deny(classify_refusal(origin_bytes));
                }
            }
            OriginMatcher::Mirror { .. } => {
                if origin_bytes != b"null" && is_wellformed_request_origin(origin_bytes) {
                    origin.clone()
                } else {
                    return deny(classify_refusal(origin_bytes));
                }
            }
            OriginMatcher::Predicate(_) | OriginMatcher::AsyncPredicate(_) => {
                if !is_wellformed_request_origin(origin_bytes) {
                    return deny(Denial::MalformedOrigin);
                }
                origin.clone()
            }
        };
        let verdict = match request_methods {
            Some(methods) => self.evaluate_preflight(headers, methods, allow_origin),
            None => Verdict::Allowed {
                kind,
                grant: Grant {
                    allow_origin,
                    allow_methods: None,
                    allow_headers: None,
                    private_network: false,
                },
            },
        };
        match &self.origin {
            OriginMatcher::Predicate(f) => {
                let allowed = match parts {
                    Some(parts) => f(origin, parts),
                    None => f(origin, &head.to_parts()),
                };
                Evaluation::Done(if allowed {
                    verdict
                } else {
                    verdict.deny_origin()
                })
            }
            OriginMatcher::AsyncPredicate(f) => {
                let check = match parts {
                    Some(parts) => f(origin.clone(), parts),
                    None => f(origin.clone(), &head.to_parts()),
                };
                Evaluation::Pending {
                    check,
                    provisional: verdict,
                }
            }
            _ => Evaluation::Done(verdict),
        }
    }

    fn evaluate_preflight(
        &self,
        headers: &HeaderMap,
        methods: GetAll<'_, HeaderValue>,
        allow_origin: HeaderValue,
    ) -> Verdict {
        let deny = |denial| Verdict::Denied {
            kind: RequestKind::Preflight,
            denial,
        };
        let mut methods = methods.iter();
        let method = match (methods.next(), methods.next()) {
            (Some(m), None) if is_token(m.as_bytes()) => m,
            _ => return deny(Denial::MalformedMethod),
        };
        if !self.methods.allows(method.as_bytes()) {
            return deny(match Method::from_bytes(method.as_bytes()) {
                Ok(m) => Denial::MethodNotAllowed(m),
                Err(_) => Denial::MalformedMethod,
            });
        }
        let requested_headers = headers.get_all(ACCESS_CONTROL_REQUEST_HEADERS);
        if let Err(denial) = self
            .headers
            .check(&requested_headers, self.max_request_headers)
        {
            return deny(denial);
        }
        let private_network = headers
            .get(ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK)
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"true"));
        if private_network && !self.private_network {
            return deny(Denial::PrivateNetworkNotAllowed);
        }
        Verdict::Allowed {
            kind: RequestKind::Preflight,
            grant: Grant {
                allow_origin,
                allow_methods: self.methods.header(method),
                allow_headers: self.headers.header(&requested_headers),
                private_network,
            },
        }
    }

    /// Writes a verdict's headers into `headers` (the response's own map), overwriting CORS
    /// headers and merging `Vary`.
    pub(crate) fn apply(&self, verdict: Verdict, headers: &mut HeaderMap) {
        if verdict.kind() != RequestKind::Preflight {
            self.decoration(verdict).write(headers);
            return;
        }
        if let Verdict::Allowed { grant, .. } = verdict {
            headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, grant.allow_origin);
            if self.credentials {
                headers.insert(ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE);
            }
            if let Some(v) = grant.allow_methods {
                headers.insert(ACCESS_CONTROL_ALLOW_METHODS, v);
            }
            if let Some(v) = grant.allow_headers {
                headers.insert(ACCESS_CONTROL_ALLOW_HEADERS, v);
            }
            if let Some(v) = &self.max_age {
                headers.insert(ACCESS_CONTROL_MAX_AGE, v.clone());
            }
            if grant.private_network {
                headers.insert(ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK, TRUE);
            }
        }
        self.vary_preflight.merge_into(headers);
    }
}

/// Why a listed/mirrored origin was refused.
fn classify_refusal(origin: &[u8]) -> Denial {
    if origin == b"null" {
        Denial::NullOrigin
    } else if is_wellformed_request_origin(origin) {
        Denial::OriginNotAllowed
    } else {
        Denial::MalformedOrigin
    }
}

fn max_age_value(d: Duration) -> HeaderValue {
    HeaderValue::from(d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AllowHeaders, AllowMethods, AllowOrigin};

    fn ordered(headers: &HeaderMap) -> Vec<(String, String)> {
        headers
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_str().unwrap().to_owned()))
            .collect()
    }

    #[test]
    fn vary_values_join_their_tokens() {
        assert!(VARY_ORIGIN.is_consistent());
        assert!(VARY_PREFLIGHT.iter().all(Vary::is_consistent));
    }

    /// The answer built from a template is the map `apply` writes, header for header and in
    /// the same order, whatever the policy and the preflight.
    #[test]
    fn preflight_templates_match_the_headers_written_one_by_one() {
        let origins = [
            AllowOrigin::list(["https://a.example", "https://b.example"]),
            AllowOrigin::any(),
            AllowOrigin::mirror_request(),
        ];
        let methods = [
            AllowMethods::default(),
            AllowMethods::list([Method::PUT, Method::DELETE]),
            AllowMethods::any(),
            AllowMethods::mirror_request(),
        ];
        let headers = [
            AllowHeaders::default(),
            AllowHeaders::list(["content-type", "x-custom"]),
            AllowHeaders::any(),
            AllowHeaders::any_with_authorization(),
            AllowHeaders::mirror_request(),
        ];
        let requests = [
            ("PUT", None, None),
            ("DELETE", Some("content-type, x-custom"), None),
            ("PUT", Some("X-Custom"), None),
            ("GET", Some("content-type"), Some("true")),
            ("PUT", Some(""), None),
        ];
        let mut compared = 0;
        for origin in &origins {
            for method in &methods {
                for header in &headers {
                    for credentials in [false, true] {
                        for private_network in [false, true] {
                            for max_age in [None, Some(Duration::from_secs(600))] {
                                let mut builder = CorsBuilder::new()
                                    .allow_origin(origin.clone())
                                    .allow_methods(method.clone())
                                    .allow_headers(header.clone())
                                    .allow_credentials(credentials)
                                    .allow_private_network(private_network);
                                if let Some(max_age) = max_age {
                                    builder = builder.max_age(max_age);
                                }
                                let (policy, problems) = Policy::compile(&builder);
                                if !problems.is_empty() {
                                    continue;
                                }
                                for (request_method, request_headers, pna) in requests {
                                    let mut request = http::Request::options("/items/1")
                                        .header(ORIGIN, "https://a.example")
                                        .header(ACCESS_CONTROL_REQUEST_METHOD, request_method);
                                    if let Some(h) = request_headers {
                                        request = request.header(ACCESS_CONTROL_REQUEST_HEADERS, h);
                                    }
                                    if let Some(p) = pna {
                                        request = request
                                            .header(ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK, p);
                                    }
                                    let request = request.body(()).unwrap();
                                    let Evaluation::Done(verdict) =
                                        policy.evaluate(Head::of(&request), None)
                                    else {
                                        panic!("no async predicate here");
                                    };
                                    let mut expected = HeaderMap::new();
                                    policy.apply(verdict.clone(), &mut expected);
                                    let answer = policy.answer(verdict);
                                    assert_eq!(
                                        ordered(&answer.headers),
                                        ordered(&expected),
                                        "{builder:?} {request:?}"
                                    );
                                    compared += 1;
                                }
                            }
                        }
                    }
                }
            }
        }
        assert!(
            compared > 500,
            "only {compared} policies and requests compared"
        );
    }
}
