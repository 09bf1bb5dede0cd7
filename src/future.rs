//! The response future.

use std::future::Future;
use std::mem;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use http::{response, Response};
use pin_project_lite::pin_project;

use crate::body::ResponseBody;
use crate::origin::BoxBoolFuture;
use crate::policy::{Decoration, Policy, Verdict};

pin_project! {
    /// The response future of [`Cors`](crate::Cors).
    ///
    /// No allocation and no boxing, unless the policy uses an async origin predicate.
    ///
    /// ```
    /// use http::{header, Request, Response};
    /// use tower::{service_fn, Layer, Service, ServiceExt};
    /// use tower_cors::{CorsLayer, ResponseFuture};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let mut service = CorsLayer::permissive().layer(service_fn(|_req: Request<()>| async {
    ///     Ok::<_, std::convert::Infallible>(Response::new(()))
    /// }));
    /// let request = Request::get("/").header(header::ORIGIN, "https://a.example").body(())?;
    /// let future: ResponseFuture<_> = service.ready().await?.call(request);
    /// let response = future.await?;
    /// assert_eq!(response.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    /// # Ok(())
    /// # }
    /// ```
    pub struct ResponseFuture<F> {
        #[pin]
        state: State<F>,
        // What the layer still has to write, until it is written.
        owed: Owed,
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

/// What the layer owes the response.
pub(crate) enum Owed {
    /// Its own answer, built when the request came in.
    Answer(response::Parts),
    /// Headers for the inner service's response, taken out of the policy when the request
    /// came in.
    Decoration(Decoration),
    /// Headers the policy writes at the end: after an async origin check, or for a preflight
    /// passed on to the inner service.
    Verdict(Arc<Policy>, Verdict),
    /// Nothing any more: the response was produced.
    Paid,
}

impl<F> ResponseFuture<F> {
    #[inline]
    pub(crate) fn respond(owed: Owed, check: Option<BoxBoolFuture>) -> Self {
        Self {
            state: State::Respond,
            owed,
            check,
        }
    }

    #[inline]
    pub(crate) fn forward(future: F, owed: Owed, check: Option<BoxBoolFuture>) -> Self {
        Self {
            state: State::Forward { future },
            owed,
            check,
        }
    }
}

impl<F> std::fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let verdict = match &self.owed {
            Owed::Verdict(_, verdict) => Some(verdict),
            _ => None,
        };
        f.debug_struct("ResponseFuture")
            .field("verdict", &verdict)
            .field("checking_origin", &self.check.is_some())
            .finish_non_exhaustive()
    }
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
            if let Owed::Verdict(policy, verdict) = this.owed {
                if !allowed {
                    *verdict = mem::replace(verdict, Verdict::NotCors).deny_origin();
                }
                #[cfg(feature = "tracing")]
                crate::trace::decision(policy.denial_level, None, &policy.decision(verdict));
                let forwarding = matches!(this.state.as_mut().project(), StateProj::Forward { .. });
                if forwarding && policy.rejects(verdict) {
                    // The inner future is dropped without having been polled.
                    let head = policy.answer(mem::replace(verdict, Verdict::NotCors));
                    *this.owed = Owed::Paid;
                    return Poll::Ready(Ok(Response::from_parts(head, ResponseBody::empty())));
                }
            }
        }
        match this.state.project() {
            StateProj::Respond => {
                let head = match mem::replace(this.owed, Owed::Paid) {
                    Owed::Answer(head) => head,
                    Owed::Verdict(policy, verdict) => policy.answer(verdict),
                    // Polled again after completion.
                    Owed::Decoration(_) | Owed::Paid => Response::new(()).into_parts().0,
                };
                Poll::Ready(Ok(Response::from_parts(head, ResponseBody::empty())))
            }
            StateProj::Forward { future } => {
                let mut response = ready!(future.poll(cx))?;
                match mem::replace(this.owed, Owed::Paid) {
                    Owed::Decoration(decoration) => decoration.write(response.headers_mut()),
                    Owed::Verdict(policy, verdict) => policy.apply(verdict, response.headers_mut()),
                    Owed::Answer(_) | Owed::Paid => {}
                }
                Poll::Ready(Ok(response.map(ResponseBody::new)))
            }
        }
    }
}
