//! Evaluation: what the policy grants a request, or why it refuses it.

use std::cell::OnceCell;

use http::header::GetAll;
use http::header::{ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN};
use http::request::Parts;
use http::{HeaderMap, HeaderValue, Method};

use super::{Head, Policy, Switch, ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK};
use crate::decision::{Denial, RequestKind};
use crate::headers::{join_request_headers, HeaderPolicy, Requested};
use crate::origin::{is_wellformed_request_origin, BoxBoolFuture, OriginMatcher};
use crate::util::{is_token, WILDCARD};

/// What an allowed request is granted: the values that depend on the request, borrowed from the
/// request and the policy. Nothing is cloned until a value is written into a response.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Grant<'a> {
    /// The request's origin, or `*`.
    pub(super) allow_origin: &'a HeaderValue,
    pub(super) credentials: bool,
    /// Preflight only.
    pub(super) max_age: Option<MaxAge<'a>>,
    /// Preflight only.
    pub(super) allow_methods: Option<&'a HeaderValue>,
    /// Preflight only.
    pub(super) allow_headers: AllowedHeaders<'a>,
    /// Preflight only.
    pub(super) private_network: bool,
}

/// A granted `Access-Control-Max-Age`.
#[derive(Debug, Clone, Copy)]
pub(super) enum MaxAge<'a> {
    Value(&'a HeaderValue),
    /// Decided for this request.
    Seconds(u64),
}

impl MaxAge<'_> {
    pub(super) fn value(self) -> HeaderValue {
        match self {
            Self::Value(value) => value.clone(),
            Self::Seconds(seconds) => HeaderValue::from(seconds),
        }
    }
}

/// A granted `Access-Control-Allow-Headers`.
#[derive(Debug, Clone, Copy)]
pub(crate) enum AllowedHeaders<'a> {
    None,
    Value(&'a HeaderValue),
    /// The names of the request's `Access-Control-Request-Headers`, joined when written: they
    /// are on several lines, or on one with empty elements (rare). There is at least one.
    Joined(&'a HeaderMap),
}

impl AllowedHeaders<'_> {
    pub(super) fn is_some(self) -> bool {
        !matches!(self, Self::None)
    }

    #[inline]
    pub(super) fn value(self) -> Option<HeaderValue> {
        match self {
            Self::None => None,
            Self::Value(value) => Some(value.clone()),
            Self::Joined(headers) => {
                join_request_headers(&headers.get_all(ACCESS_CONTROL_REQUEST_HEADERS))
            }
        }
    }
}

/// The outcome of [`Policy::evaluate`], with everything needed to write the headers.
#[derive(Debug, Clone)]
pub(crate) enum Verdict<'a> {
    NotCors,
    Allowed {
        kind: RequestKind,
        grant: Grant<'a>,
    },
    Denied {
        kind: RequestKind,
        denial: Denial,
        /// With the debug header on, for a preflight refused for its method or headers from an
        /// allowed origin: the origin's grant (`Access-Control-Allow-Origin`, and whether
        /// credentials are allowed), which the answer then carries so that the browser names
        /// the real cause.
        origin_grant: Option<(&'a HeaderValue, bool)>,
    },
    /// Denied because a listed or mirrored origin refuses `origin`. Whether for
    /// [`Denial::NullOrigin`], [`Denial::MalformedOrigin`] or [`Denial::OriginNotAllowed`] is
    /// worked out only when the denial is asked for: the answer is the same for all three,
    /// and telling them apart parses the origin.
    OriginRefused {
        kind: RequestKind,
        origin: &'a HeaderValue,
    },
}

impl Verdict<'_> {
    pub(crate) fn kind(&self) -> RequestKind {
        match self {
            Self::NotCors => RequestKind::NotCors,
            Self::Allowed { kind, .. }
            | Self::Denied { kind, .. }
            | Self::OriginRefused { kind, .. } => *kind,
        }
    }

    pub(crate) fn is_denied(&self) -> bool {
        matches!(self, Self::Denied { .. } | Self::OriginRefused { .. })
    }

    pub(crate) fn denial(&self) -> Option<Denial> {
        match self {
            Self::Denied { denial, .. } => Some(denial.clone()),
            Self::OriginRefused { origin, .. } => Some(classify_refusal(origin.as_bytes())),
            _ => None,
        }
    }

    /// This verdict once an origin check has answered: unchanged when it allowed the origin,
    /// an origin denial otherwise.
    pub(crate) fn after_origin_check(self, allowed: bool) -> Self {
        match self {
            Self::Allowed { kind, .. }
            | Self::Denied { kind, .. }
            | Self::OriginRefused { kind, .. }
                if !allowed =>
            {
                Self::Denied {
                    kind,
                    denial: Denial::OriginRefusedByPredicate,
                    origin_grant: None,
                }
            }
            verdict => verdict,
        }
    }

    /// The same verdict, owning its values.
    pub(crate) fn to_owned(&self) -> OwnedVerdict {
        match self {
            Self::NotCors => OwnedVerdict::NotCors,
            Self::Allowed { kind, grant } => OwnedVerdict::Allowed {
                kind: *kind,
                grant: OwnedGrant {
                    allow_origin: grant.allow_origin.clone(),
                    credentials: grant.credentials,
                    max_age: grant.max_age.map(MaxAge::value),
                    allow_methods: grant.allow_methods.cloned(),
                    allow_headers: grant.allow_headers.value(),
                    private_network: grant.private_network,
                },
            },
            Self::Denied {
                kind, origin_grant, ..
            } => OwnedVerdict::Denied {
                kind: *kind,
                denial: self.denial().expect("a denied verdict"),
                origin_grant: origin_grant
                    .map(|(origin, credentials)| (origin.clone(), credentials)),
            },
            Self::OriginRefused { kind, .. } => OwnedVerdict::Denied {
                kind: *kind,
                denial: self.denial().expect("a denied verdict"),
                origin_grant: None,
            },
        }
    }
}

/// A [`Verdict`] that owns its values, for one that outlives the request: the provisional
/// verdict of an async origin check.
#[derive(Debug)]
pub(crate) enum OwnedVerdict {
    NotCors,
    Allowed {
        kind: RequestKind,
        grant: OwnedGrant,
    },
    Denied {
        kind: RequestKind,
        denial: Denial,
        origin_grant: Option<(HeaderValue, bool)>,
    },
}

/// A [`Grant`] that owns its values.
#[derive(Debug)]
pub(crate) struct OwnedGrant {
    allow_origin: HeaderValue,
    credentials: bool,
    max_age: Option<HeaderValue>,
    allow_methods: Option<HeaderValue>,
    allow_headers: Option<HeaderValue>,
    private_network: bool,
}

impl OwnedVerdict {
    /// The verdict, borrowing from this one.
    pub(crate) fn verdict(&self) -> Verdict<'_> {
        match self {
            Self::NotCors => Verdict::NotCors,
            Self::Allowed { kind, grant } => Verdict::Allowed {
                kind: *kind,
                grant: Grant {
                    allow_origin: &grant.allow_origin,
                    credentials: grant.credentials,
                    max_age: grant.max_age.as_ref().map(MaxAge::Value),
                    allow_methods: grant.allow_methods.as_ref(),
                    allow_headers: match &grant.allow_headers {
                        Some(value) => AllowedHeaders::Value(value),
                        None => AllowedHeaders::None,
                    },
                    private_network: grant.private_network,
                },
            },
            Self::Denied {
                kind,
                denial,
                origin_grant,
            } => Verdict::Denied {
                kind: *kind,
                denial: denial.clone(),
                origin_grant: origin_grant
                    .as_ref()
                    .map(|(origin, credentials)| (origin, *credentials)),
            },
        }
    }
}

/// A verdict, or one that waits for an async origin check.
pub(crate) enum Evaluation<'a> {
    Done(Verdict<'a>),
    /// `provisional` is the verdict if the origin turns out to be allowed.
    Pending {
        check: BoxBoolFuture,
        provisional: Verdict<'a>,
    },
}

impl<'a> Evaluation<'a> {
    /// The verdict, taking an async origin check that cannot be run (a dry run) as allowing.
    pub(crate) fn assuming_origin_allowed(self) -> Verdict<'a> {
        match self {
            Self::Done(verdict) => verdict,
            Self::Pending { provisional, .. } => provisional,
        }
    }
}

impl Policy {
    /// Evaluates a request head. `parts` is the request's head as [`Parts`] when the caller has
    /// it (the service, for predicates); dry runs pass `None` and predicates get a copy.
    #[cfg(test)]
    pub(crate) fn evaluate<'a>(&'a self, head: Head<'a>, parts: Option<&Parts>) -> Evaluation<'a> {
        self.evaluate_chosen(head, parts, false)
    }

    /// [`Policy::evaluate`] for the policy a set chose; `origin_admitted` says that choosing
    /// it found that its origins admit the request's origin, which is then not asked again.
    pub(super) fn evaluate_chosen<'a>(
        &'a self,
        head: Head<'a>,
        parts: Option<&Parts>,
        origin_admitted: bool,
    ) -> Evaluation<'a> {
        let headers = head.headers;
        let mut origins = headers.get_all(ORIGIN).into_iter();
        let Some(origin) = origins.next() else {
            return Evaluation::Done(Verdict::NotCors);
        };
        // `head.is_preflight()`, looking `Access-Control-Request-Method` up once for both the
        // classification and the preflight check.
        let request_methods = head
            .may_be_preflight()
            .then(|| headers.get_all(ACCESS_CONTROL_REQUEST_METHOD))
            .filter(|methods| methods.iter().next().is_some());
        let kind = if request_methods.is_some() {
            RequestKind::Preflight
        } else {
            RequestKind::Actual
        };
        let deny = |denial| {
            Evaluation::Done(Verdict::Denied {
                kind,
                denial,
                origin_grant: None,
            })
        };
        if origins.next().is_some() {
            return deny(Denial::MultipleOrigins);
        }
        let origin_bytes = origin.as_bytes();
        let allow_origin = match &self.origin {
            OriginMatcher::Any => &WILDCARD,
            OriginMatcher::List(list) => {
                if origin_admitted || list.matches(origin_bytes) {
                    origin
                } else {
                    return Evaluation::Done(Verdict::OriginRefused { kind, origin });
                }
            }
            OriginMatcher::Mirror { .. } => {
                if origin_admitted
                    || (origin_bytes != b"null" && is_wellformed_request_origin(origin_bytes))
                {
                    origin
                } else {
                    return Evaluation::Done(Verdict::OriginRefused { kind, origin });
                }
            }
            OriginMatcher::Predicate(_) | OriginMatcher::AsyncPredicate(_) => {
                if !origin_admitted && !is_wellformed_request_origin(origin_bytes) {
                    return deny(Denial::MalformedOrigin);
                }
                origin
            }
        };
        // The request's head as the functions of the policy take it, copied only for a dry
        // run that calls one.
        let copy = OnceCell::new();
        let parts = || parts.unwrap_or_else(|| copy.get_or_init(|| head.to_parts()));
        let verdict = match request_methods {
            Some(methods) => {
                self.evaluate_preflight(headers, methods, allow_origin, origin, &parts)
            }
            None => Verdict::Allowed {
                kind,
                grant: Grant {
                    allow_origin,
                    credentials: self.credentials.decide(origin, &parts),
                    max_age: None,
                    allow_methods: None,
                    allow_headers: AllowedHeaders::None,
                    private_network: false,
                },
            },
        };
        match &self.origin {
            OriginMatcher::Predicate(f) if !origin_admitted => {
                Evaluation::Done(verdict.after_origin_check(f(origin, parts())))
            }
            OriginMatcher::AsyncPredicate(f) => {
                let check = f(origin.clone(), parts());
                Evaluation::Pending {
                    check,
                    provisional: verdict,
                }
            }
            _ => Evaluation::Done(verdict),
        }
    }

    fn evaluate_preflight<'a, 'p>(
        &'a self,
        headers: &'a HeaderMap,
        methods: GetAll<'a, HeaderValue>,
        allow_origin: &'a HeaderValue,
        origin: &HeaderValue,
        parts: &impl Fn() -> &'p Parts,
    ) -> Verdict<'a> {
        // The origin is allowed: only the method or the headers can be refused here.
        let deny = |denial| Verdict::Denied {
            kind: RequestKind::Preflight,
            denial,
            origin_grant: self
                .debug_header
                .then(|| (allow_origin, self.credentials.decide(origin, parts))),
        };
        let mut methods = methods.into_iter();
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
        let requested = match self
            .headers
            .check(&requested_headers, self.max_request_headers)
        {
            Ok(requested) => requested,
            Err(denial) => return deny(denial),
        };
        // Private Network Access: answered only when the policy allows it, and only for the
        // exact value `true`. Otherwise the header is ignored, as a server that does not know
        // it would; the browser then refuses the preflight for want of
        // `Access-Control-Allow-Private-Network`.
        // The header is looked up only when the policy may allow it: its name is not a
        // standard one, and hashing it costs more than the rest of the check.
        let private_network = !matches!(self.private_network, Switch::Off)
            && headers
                .get(ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK)
                .is_some_and(|v| v == "true")
            && self.private_network.decide(origin, parts);
        Verdict::Allowed {
            kind: RequestKind::Preflight,
            grant: Grant {
                allow_origin,
                credentials: self.credentials.decide(origin, parts),
                max_age: self.max_age.grant(origin, parts),
                allow_methods: self.methods.header(method),
                allow_headers: allowed_headers(
                    &self.headers,
                    headers,
                    requested_headers,
                    requested,
                ),
                private_network,
            },
        }
    }
}

/// The `Access-Control-Allow-Headers` value for an allowed preflight that asked for the
/// `requested` headers (`lines`, from `headers`).
fn allowed_headers<'a>(
    policy: &'a HeaderPolicy,
    headers: &'a HeaderMap,
    lines: GetAll<'a, HeaderValue>,
    requested: Requested,
) -> AllowedHeaders<'a> {
    match policy {
        HeaderPolicy::List { header, .. } => header
            .as_ref()
            .map_or(AllowedHeaders::None, AllowedHeaders::Value),
        HeaderPolicy::Wildcard { header, .. } => AllowedHeaders::Value(header),
        HeaderPolicy::Mirror { .. } => match lines.into_iter().next() {
            // The usual case: one line as browsers write it, sent back as is.
            Some(line) if requested.one_tidy_line => AllowedHeaders::Value(line),
            _ if requested.count == 0 => AllowedHeaders::None,
            // Several lines, or empty elements: the names are joined when written.
            _ => AllowedHeaders::Joined(headers),
        },
    }
}

/// Why a listed or mirrored origin was refused.
fn classify_refusal(origin: &[u8]) -> Denial {
    if origin == b"null" {
        Denial::NullOrigin
    } else if is_wellformed_request_origin(origin) {
        Denial::OriginNotAllowed
    } else {
        Denial::MalformedOrigin
    }
}
