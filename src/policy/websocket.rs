//! The WebSocket guard: browsers send `Origin` on a WebSocket handshake but apply no CORS check
//! to the answer, so any page could open a WebSocket to the server with the user's cookies and
//! read everything ("cross-site WebSocket hijacking"). The layer refuses, with `403` and before
//! the inner service runs, a handshake whose origin the chosen policy does not admit and that
//! is not the server's own origin. Requests without `Origin` (programs, not browsers) pass.

use http::header::ORIGIN;

use super::{Head, Policy, Verdict};
use crate::report::decision::{Denial, RequestKind};

impl Policy {
    /// An origin refusal of a request of this policy: a cross-origin WebSocket handshake's
    /// becomes [`Denial::CrossOriginWebSocket`], which the plan answers with `403`. Only
    /// refusals come here (`docs/performance.md`, "Inlining").
    #[cold]
    #[inline(never)]
    pub(super) fn refuse_origin<'a>(&self, verdict: Verdict<'a>, head: Head<'_>) -> Verdict<'a> {
        if self.guards_handshake(verdict.kind(), head) {
            verdict.refuse_websocket()
        } else {
            verdict
        }
    }

    /// Whether the guard applies to a request of `kind`: it is on, and the request is a
    /// WebSocket handshake from another origin than the server's.
    pub(super) fn guards_handshake(&self, kind: RequestKind, head: Head<'_>) -> bool {
        !self.switches.dangerously_allow_cross_origin_websockets
            && kind == RequestKind::Actual
            && cross_origin_handshake(head)
    }
}

/// Whether `head` is a WebSocket handshake from a page on another origin than the server's.
fn cross_origin_handshake(head: Head<'_>) -> bool {
    head.is_websocket_handshake()
        && !head
            .headers
            .get(ORIGIN)
            .is_some_and(|origin| head.is_same_origin(origin.as_bytes()))
}

impl Verdict<'_> {
    /// Whether the request was refused for its origin.
    pub(super) fn is_origin_refusal(&self) -> bool {
        match self {
            Self::OriginRefused { .. } => true,
            Self::Denied { denial, .. } => denial.is_origin_refusal(),
            _ => false,
        }
    }

    /// This verdict once an async origin check answered `allowed`; `websocket` says the request
    /// is a cross-origin WebSocket handshake, refused as such when the origin is.
    pub(crate) fn after_async_check(self, allowed: bool, websocket: bool) -> Self {
        let verdict = self.after_origin_check(allowed);
        if websocket {
            verdict.refuse_websocket()
        } else {
            verdict
        }
    }

    /// The same verdict, a refused origin becoming a refused WebSocket handshake.
    pub(super) fn refuse_websocket(self) -> Self {
        if self.is_origin_refusal() {
            Self::Denied {
                kind: self.kind(),
                denial: Denial::CrossOriginWebSocket,
                origin_grant: None,
            }
        } else {
            self
        }
    }
}
