//! Verdicts: what an evaluation finds a request is granted, or why it is refused, borrowed
//! from the request and the policy until the headers are written.

use http::header::ACCESS_CONTROL_REQUEST_HEADERS;
use http::{HeaderMap, HeaderValue};

use crate::grant::headers::join_request_headers;
use crate::grant::max_age::GrantedMaxAge;
use crate::grant::origin::{is_wellformed_request_origin, BoxBoolFuture};
use crate::report::decision::{Denial, RequestKind};

/// What an allowed request is granted: the values that depend on the request, borrowed from the
/// request and the policy. Nothing is cloned until a value is written into a response.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Grant<'a> {
    /// The request's origin, or `*`.
    pub(super) allow_origin: &'a HeaderValue,
    pub(super) credentials: bool,
    /// Preflight only.
    pub(super) max_age: Option<GrantedMaxAge<'a>>,
    /// Preflight only.
    pub(super) allow_methods: Option<&'a HeaderValue>,
    /// Preflight only.
    pub(super) allow_headers: AllowedHeaders<'a>,
    /// Preflight only.
    pub(super) private_network: bool,
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

/// The outcome of a policy's evaluation of a request, with everything needed to write the
/// headers.
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
    /// A denial that grants nothing.
    pub(crate) fn denied(kind: RequestKind, denial: Denial) -> Self {
        Self::Denied {
            kind,
            denial,
            origin_grant: None,
        }
    }

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
                    max_age: grant.max_age.map(GrantedMaxAge::value),
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
                    max_age: grant.max_age.as_ref().map(GrantedMaxAge::Value),
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
        /// A WebSocket handshake from another origin than the server's: refused with
        /// [`Denial::CrossOriginWebSocket`] if the check refuses the origin.
        websocket: bool,
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
