//! Evaluation: what the policy grants a request, or why it refuses it.

use std::cell::OnceCell;

use http::header::GetAll;
use http::header::{ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN};
use http::request::Parts;
use http::{HeaderMap, HeaderValue, Method};

use super::{Head, Policy, ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK, WILDCARD};
use crate::decision::{Denial, RequestKind};
use crate::origin::{is_wellformed_request_origin, BoxBoolFuture, OriginMatcher};
use crate::util::is_token;

/// What an allowed request is granted: the values that depend on the request.
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    pub(super) allow_origin: HeaderValue,
    pub(super) credentials: bool,
    /// Preflight only.
    pub(super) max_age: Option<HeaderValue>,
    /// Preflight only.
    pub(super) allow_methods: Option<HeaderValue>,
    /// Preflight only.
    pub(super) allow_headers: Option<HeaderValue>,
    /// Preflight only.
    pub(super) private_network: bool,
}

/// The outcome of [`Policy::evaluate`], with everything needed to write the headers.
#[derive(Debug, Clone)]
pub(crate) enum Verdict {
    NotCors,
    Allowed {
        kind: RequestKind,
        grant: Grant,
    },
    Denied {
        kind: RequestKind,
        denial: Denial,
        /// With the debug header on, for a preflight refused for its method or headers from an
        /// allowed origin: the origin's grant (`Access-Control-Allow-Origin`, and whether
        /// credentials are allowed), which the answer then carries so that the browser names
        /// the real cause.
        origin_grant: Option<(HeaderValue, bool)>,
    },
}

impl Verdict {
    pub(crate) fn kind(&self) -> RequestKind {
        match self {
            Self::NotCors => RequestKind::NotCors,
            Self::Allowed { kind, .. } | Self::Denied { kind, .. } => *kind,
        }
    }

    pub(crate) fn denial(&self) -> Option<&Denial> {
        match self {
            Self::Denied { denial, .. } => Some(denial),
            _ => None,
        }
    }

    /// This verdict once an origin check has answered: unchanged when it allowed the origin,
    /// an origin denial otherwise.
    pub(crate) fn after_origin_check(self, allowed: bool) -> Self {
        match self {
            Self::Allowed { kind, .. } | Self::Denied { kind, .. } if !allowed => Self::Denied {
                kind,
                denial: Denial::OriginRefusedByPredicate,
                origin_grant: None,
            },
            verdict => verdict,
        }
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

impl Evaluation {
    /// The verdict, taking an async origin check that cannot be run (a dry run) as allowing.
    pub(crate) fn assuming_origin_allowed(self) -> Verdict {
        match self {
            Self::Done(verdict) => verdict,
            Self::Pending { provisional, .. } => provisional,
        }
    }
}

impl Policy {
    /// Evaluates a request head. `parts` is the request's head as [`Parts`] when the caller has
    /// it (the service, for predicates); dry runs pass `None` and predicates get a copy.
    pub(crate) fn evaluate(&self, head: Head<'_>, parts: Option<&Parts>) -> Evaluation {
        let headers = head.headers;
        let mut origins = headers.get_all(ORIGIN).iter();
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
                    allow_headers: None,
                    private_network: false,
                },
            },
        };
        match &self.origin {
            OriginMatcher::Predicate(f) => {
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

    fn evaluate_preflight<'a>(
        &self,
        headers: &HeaderMap,
        methods: GetAll<'_, HeaderValue>,
        allow_origin: HeaderValue,
        origin: &HeaderValue,
        parts: &impl Fn() -> &'a Parts,
    ) -> Verdict {
        // The origin is allowed: only the method or the headers can be refused here.
        let deny = |denial| Verdict::Denied {
            kind: RequestKind::Preflight,
            denial,
            origin_grant: self
                .debug_header
                .then(|| (allow_origin.clone(), self.credentials.decide(origin, parts))),
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
        // Private Network Access: answered only when the policy allows it, and only for the
        // exact value `true`. Otherwise the header is ignored, as a server that does not know
        // it would; the browser then refuses the preflight for want of
        // `Access-Control-Allow-Private-Network`.
        let private_network = headers
            .get(ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK)
            .is_some_and(|v| v == "true")
            && self.private_network.decide(origin, parts);
        Verdict::Allowed {
            kind: RequestKind::Preflight,
            grant: Grant {
                allow_origin,
                credentials: self.credentials.decide(origin, parts),
                max_age: self.max_age.value(origin, parts),
                allow_methods: self.methods.header(method),
                allow_headers: self.headers.header(&requested_headers),
                private_network,
            },
        }
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
