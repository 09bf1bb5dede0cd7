//! Plans: what happens to a request, from its verdict. The only place that decides whether the
//! layer answers by itself, with which status, and which headers it writes.

use std::sync::Arc;
use std::task::{Context, Poll};

use http::{response, HeaderMap, StatusCode};

use super::decoration::Decoration;
use super::{Evaluation, Head, OwnedVerdict, Policy, Selected, Verdict};
use crate::grant::origin::BoxBoolFuture;
use crate::report::decision::{Decision, Denial, RequestKind};

/// What the layer would do with a request: a dry run's result.
pub(crate) struct DryRun {
    pub(crate) decision: Decision,
    /// The status the layer answers with; `None` when the inner service answers.
    pub(crate) status: Option<StatusCode>,
    /// The headers the layer sends, or adds to the inner service's response.
    pub(crate) headers: HeaderMap,
}

/// What the service does with a request.
pub(crate) enum Plan {
    /// Answer with this head, without calling the inner service: a preflight, or a request
    /// from a refused origin under `reject_disallowed_origins`.
    Answer(response::Parts),
    /// Call the inner service and write these headers into its response.
    Forward(Decoration),
    /// Wait for the async origin check, then answer (a preflight the layer answers).
    CheckThenAnswer(Pending),
    /// Call the inner service now, and wait for the async origin check before polling it:
    /// then either decorate its response or, for a refused origin under
    /// `reject_disallowed_origins`, drop it unpolled and answer.
    CheckThenForward(Pending),
}

/// A verdict waiting on an async origin check. Boxed: only async origin predicates make one,
/// and a plan, which every request moves, stays the size of its other variants.
pub(crate) struct Pending(Box<Waiting>);

/// What [`Pending`] holds.
struct Waiting {
    check: BoxBoolFuture,
    policy: Arc<Policy>,
    /// Owned: the request it was made from is gone by the time the check answers.
    provisional: OwnedVerdict,
    /// A WebSocket handshake from another origin than the server's.
    websocket: bool,
}

impl Pending {
    /// Polls the origin check: `true` when it allowed the origin.
    pub(crate) fn poll_check(&mut self, cx: &mut Context<'_>) -> Poll<bool> {
        self.0.check.as_mut().poll(cx)
    }

    /// The decision once the check answered `allowed`.
    #[cfg(feature = "tracing")]
    pub(crate) fn decision(&self, allowed: bool) -> Decision {
        self.0.policy.decision(&self.verdict(allowed))
    }

    /// The layer's answer once the check answered (for [`Plan::CheckThenAnswer`]).
    pub(crate) fn answer(&self, allowed: bool) -> response::Parts {
        self.0.policy.answer(self.verdict(allowed))
    }

    /// What to do with the inner service's response once the check answered (for
    /// [`Plan::CheckThenForward`]): the headers to write, or the answer that replaces it.
    pub(crate) fn decoration_or_answer(
        &self,
        allowed: bool,
    ) -> Result<Decoration, response::Parts> {
        self.0.policy.decoration_or_answer(self.verdict(allowed))
    }

    /// The level of the `tracing` event for the decision.
    #[cfg(feature = "tracing")]
    pub(crate) fn denial_level(&self) -> tracing::Level {
        self.0.policy.denial_level
    }

    fn verdict(&self, allowed: bool) -> Verdict<'_> {
        self.0
            .provisional
            .verdict()
            .after_async_check(allowed, self.0.websocket)
    }

    /// The plan once the check answered: what a dry run follows.
    fn resolve(&self, allowed: bool) -> Plan {
        self.0.policy.plan_verdict(self.verdict(allowed))
    }
}

impl Plan {
    /// The status the layer answers with (`None` when the inner service answers) and the
    /// headers it sends or adds, for a dry run. An async origin check counts as allowing.
    fn dry_run(self) -> (Option<StatusCode>, HeaderMap) {
        match self {
            Self::Answer(head) => (Some(head.status), head.headers),
            Self::Forward(decoration) => {
                let mut headers = HeaderMap::new();
                decoration.write_new(&mut headers);
                (None, headers)
            }
            Self::CheckThenAnswer(pending) | Self::CheckThenForward(pending) => {
                pending.resolve(true).dry_run()
            }
        }
    }
}

impl Policy {
    /// A dry run for a request head. An async origin check counts as allowing; a sync
    /// predicate runs on a copy of the head.
    pub(crate) fn dry_run(self: &Arc<Self>, head: Head<'_>) -> DryRun {
        let (selected, verdict, decision) = self.dry_evaluation(head);
        let (status, headers) = selected.policy.plan_verdict(verdict).dry_run();
        DryRun {
            decision,
            status,
            headers,
        }
    }

    /// The decision of a dry run, without the headers.
    pub(crate) fn dry_decision(self: &Arc<Self>, head: Head<'_>) -> Decision {
        let (_, _, decision) = self.dry_evaluation(head);
        decision
    }

    /// The policy chosen for a head, its verdict and the decision, for a dry run: an async
    /// origin check counts as allowing.
    fn dry_evaluation<'a>(
        self: &'a Arc<Self>,
        head: Head<'a>,
    ) -> (Selected<'a>, Verdict<'a>, Decision) {
        let selected = self.select(head, None);
        let verdict = selected.evaluate(head, None).assuming_origin_allowed();
        let decision = selected.decision(self, &verdict, head.uri.path());
        (selected, verdict, decision)
    }

    /// The plan for an evaluated request of this policy.
    #[inline(always)]
    pub(crate) fn plan(self: &Arc<Self>, evaluation: Evaluation<'_>) -> Plan {
        match evaluation {
            Evaluation::Done(verdict) => self.plan_verdict(verdict),
            Evaluation::Pending {
                check,
                provisional,
                websocket,
            } => {
                let passes_on = self.passes_on(provisional.kind());
                let pending = Pending(Box::new(Waiting {
                    check,
                    policy: Arc::clone(self),
                    provisional: provisional.to_owned(),
                    websocket,
                }));
                if passes_on {
                    Plan::CheckThenForward(pending)
                } else {
                    Plan::CheckThenAnswer(pending)
                }
            }
        }
    }

    /// The plan for a verdict known now.
    #[inline(always)]
    fn plan_verdict(&self, verdict: Verdict<'_>) -> Plan {
        // Straight to the plan, without a `Result` in between: the decoration of a request
        // that goes on is then made where the plan keeps it.
        if !self.passes_on(verdict.kind()) || self.rejects(&verdict) {
            Plan::Answer(self.answer(verdict))
        } else {
            Plan::Forward(self.decoration(verdict))
        }
    }

    /// Whether a request of this kind goes to the inner service.
    fn passes_on(&self, kind: RequestKind) -> bool {
        kind != RequestKind::Preflight || self.switches.preflight_continue
    }

    /// For a request that goes to the inner service: the headers to add to its response, or
    /// the layer's answer when the origin is refused with `403`.
    fn decoration_or_answer(&self, verdict: Verdict<'_>) -> Result<Decoration, response::Parts> {
        if self.rejects(&verdict) {
            Err(self.answer(verdict))
        } else {
            Ok(self.decoration(verdict))
        }
    }

    /// Whether a request is answered with `403` instead of being forwarded: a cross-origin
    /// WebSocket handshake the guard refused, or a refused origin on a request that is not a
    /// preflight, under `reject_disallowed_origins`.
    #[inline]
    fn rejects(&self, verdict: &Verdict<'_>) -> bool {
        match verdict {
            Verdict::NotCors | Verdict::Allowed { .. } => false,
            // Browsers apply no CORS check to a WebSocket handshake, only send `Origin`
            // (https://www.rfc-editor.org/rfc/rfc6455#section-10.2): the server must refuse it.
            Verdict::Denied {
                denial: Denial::CrossOriginWebSocket,
                ..
            } => true,
            Verdict::Denied {
                kind: RequestKind::Actual,
                denial,
                ..
            } => self.switches.reject_disallowed_origins && denial.is_origin_refusal(),
            Verdict::OriginRefused { kind, .. } => {
                self.switches.reject_disallowed_origins && *kind == RequestKind::Actual
            }
            Verdict::Denied { .. } => false,
        }
    }
}
