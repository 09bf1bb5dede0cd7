//! The response future: follows the plan the policy made when the request came in.

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use http::{response, Response};
use pin_project_lite::pin_project;

use super::body::ResponseBody;
use crate::policy::{Decoration, Pending};

pin_project! {
    /// The response future of [`Cors`](crate::Cors).
    ///
    /// No allocation and no boxing, unless the policy uses an async origin predicate. It
    /// follows the plan the policy made for the request: answer, forward then decorate, or
    /// wait for the origin check first.
    ///
    /// ```
    /// use http::{header, Request, Response};
    /// use tower::{service_fn, Layer, Service, ServiceExt};
    /// use tower_cors::{CorsLayer, ResponseFuture};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let mut service = CorsLayer::permissive().build().unwrap().layer(service_fn(|_req: Request<()>| async {
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
    }
}

pin_project! {
    #[project = StateProj]
    #[project_replace = StateOwned]
    enum State<F> {
        // The layer answers by itself.
        Answer { head: response::Parts },
        // The layer answers once the origin check has.
        CheckThenAnswer { pending: Pending },
        // The inner service answers; the layer writes its headers into the response.
        Forward {
            #[pin]
            future: F,
            then: Then,
        },
        // The response was produced.
        Done,
    }
}

/// What the layer does when the inner service has answered.
enum Then {
    Decorate(Decoration),
    /// Resolved into `Decorate`, or into the layer's own answer, before the inner future is
    /// first polled.
    Check(Pending),
}

impl<F> ResponseFuture<F> {
    #[inline]
    pub(crate) fn answer(head: response::Parts) -> Self {
        Self {
            state: State::Answer { head },
        }
    }

    #[inline]
    pub(crate) fn forward(future: F, decoration: Decoration) -> Self {
        Self {
            state: State::Forward {
                future,
                then: Then::Decorate(decoration),
            },
        }
    }

    pub(crate) fn check_then_answer(pending: Pending) -> Self {
        Self {
            state: State::CheckThenAnswer { pending },
        }
    }

    pub(crate) fn check_then_forward(future: F, pending: Pending) -> Self {
        Self {
            state: State::Forward {
                future,
                then: Then::Check(pending),
            },
        }
    }
}

impl<F> std::fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match &self.state {
            State::Answer { .. } => "answer",
            State::CheckThenAnswer { .. } => "checking the origin, then answer",
            State::Forward {
                then: Then::Check(_),
                ..
            } => "checking the origin, then forward",
            State::Forward { .. } => "forward",
            State::Done => "done",
        };
        f.debug_struct("ResponseFuture")
            .field("state", &state)
            .finish_non_exhaustive()
    }
}

/// The `tracing` event for a decision that waited on an async origin check.
fn checked(pending: &Pending, allowed: bool) {
    #[cfg(feature = "tracing")]
    crate::service::trace::decision(pending.denial_level(), None, &pending.decision(allowed));
    #[cfg(not(feature = "tracing"))]
    let _ = (pending, allowed);
}

fn answered<B, E>(head: response::Parts) -> Poll<Result<Response<ResponseBody<B>>, E>> {
    Poll::Ready(Ok(Response::from_parts(head, ResponseBody::empty())))
}

impl<F, B, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<ResponseBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.project().state;
        match state.as_mut().project() {
            StateProj::Answer { .. } | StateProj::Done => {}
            StateProj::CheckThenAnswer { pending } => {
                let allowed = ready!(pending.poll_check(cx));
                checked(pending, allowed);
                let head = pending.answer(allowed);
                state.set(State::Done);
                return answered(head);
            }
            StateProj::Forward { future, then } => {
                if let Then::Check(pending) = then {
                    let allowed = ready!(pending.poll_check(cx));
                    checked(pending, allowed);
                    match pending.decoration_or_answer(allowed) {
                        Ok(decoration) => *then = Then::Decorate(decoration),
                        Err(head) => {
                            // The inner future is dropped without having been polled.
                            state.set(State::Done);
                            return answered(head);
                        }
                    }
                }
                let mut result = ready!(future.poll(cx));
                // The decoration is written from where it is: moving it, or the state, out
                // first would copy them for nothing.
                if let (Ok(response), Then::Decorate(decoration)) = (&mut result, then) {
                    let removed = decoration.write(response.headers_mut());
                    #[cfg(feature = "tracing")]
                    if !removed.is_empty() {
                        crate::service::trace::replaced_inner_headers(removed);
                    }
                    #[cfg(not(feature = "tracing"))]
                    let _ = removed;
                }
                state.set(State::Done);
                return Poll::Ready(result.map(|response| response.map(ResponseBody::new)));
            }
        }
        // An answer ready from the start, or a future polled again after it completed.
        match state.project_replace(State::Done) {
            StateOwned::Answer { head } => answered(head),
            _ => panic!("ResponseFuture polled after it completed"),
        }
    }
}
