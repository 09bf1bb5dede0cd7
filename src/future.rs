//! The response future.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use http::{Response, StatusCode};
use pin_project_lite::pin_project;

use crate::body::ResponseBody;
use crate::decision::RequestKind;
use crate::origin::BoxBoolFuture;
use crate::policy::{Policy, Verdict};

pin_project! {
    /// The response future of [`Cors`](crate::Cors).
    ///
    /// No allocation and no boxing, unless the policy uses an async origin predicate.
    pub struct ResponseFuture<F> {
        #[pin]
        state: State<F>,
        policy: Arc<Policy>,
        // The decision, until it is written into the response.
        verdict: Option<Verdict>,
        // A pending async origin check.
        check: Option<BoxBoolFuture>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F> {
        // The layer answers by itself.
        Respond,
        // The inner service answers; the layer decorates.
        Forward { #[pin] future: F },
    }
}

impl<F> ResponseFuture<F> {
    pub(crate) fn respond(
        policy: Arc<Policy>,
        verdict: Verdict,
        check: Option<BoxBoolFuture>,
    ) -> Self {
        Self {
            state: State::Respond,
            policy,
            verdict: Some(verdict),
            check,
        }
    }

    pub(crate) fn forward(
        future: F,
        policy: Arc<Policy>,
        verdict: Verdict,
        check: Option<BoxBoolFuture>,
    ) -> Self {
        Self {
            state: State::Forward { future },
            policy,
            verdict: Some(verdict),
            check,
        }
    }
}

impl<F> std::fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseFuture")
            .field("verdict", &self.verdict)
            .field("checking_origin", &self.check.is_some())
            .finish_non_exhaustive()
    }
}

/// The layer's own answer: empty body, the policy's status for the verdict, its headers.
fn own_response<B>(policy: &Policy, verdict: Verdict) -> Response<ResponseBody<B>> {
    let mut response = Response::new(ResponseBody::empty());
    *response.status_mut() = match verdict.kind() {
        RequestKind::Preflight => policy.preflight_status(&verdict),
        _ => StatusCode::FORBIDDEN,
    };
    policy.apply(verdict, response.headers_mut());
    response
}

impl<F, B, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<ResponseBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        if let Some(check) = this.check {
            let allowed = ready!(check.as_mut().poll(cx));
            *this.check = None;
            if !allowed {
                let verdict = this.verdict.take().map(Verdict::deny_origin);
                *this.verdict = verdict;
            }
            #[cfg(feature = "tracing")]
            if let Some(verdict) = this.verdict.as_ref() {
                crate::trace::decision(
                    this.policy.denial_level,
                    None,
                    &this.policy.decision(verdict),
                );
            }
            let forwarding = matches!(this.state.as_mut().project(), StateProj::Forward { .. });
            if forwarding
                && this
                    .verdict
                    .as_ref()
                    .is_some_and(|v| this.policy.rejects(v))
            {
                // The inner future is dropped without having been polled.
                let verdict = this.verdict.take().unwrap_or(Verdict::NotCors);
                return Poll::Ready(Ok(own_response(this.policy, verdict)));
            }
        }
        match this.state.project() {
            StateProj::Respond => {
                let verdict = this.verdict.take().unwrap_or(Verdict::NotCors);
                Poll::Ready(Ok(own_response(this.policy, verdict)))
            }
            StateProj::Forward { future } => {
                let response = ready!(future.poll(cx))?;
                let (mut parts, body) = response.into_parts();
                if let Some(verdict) = this.verdict.take() {
                    this.policy.apply(verdict, &mut parts.headers);
                }
                Poll::Ready(Ok(Response::from_parts(parts, ResponseBody::new(body))))
            }
        }
    }
}
