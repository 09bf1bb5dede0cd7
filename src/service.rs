//! The service.

use std::fmt;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::{Request, Response};
use tower_service::Service;

use crate::body::ResponseBody;
use crate::future::ResponseFuture;
use crate::policy::{Evaluation, Head, Route};
use crate::shared::Shared;

/// A service wrapped by [`CorsLayer`](crate::CorsLayer).
///
/// It answers preflights itself (the inner service is not called, even though its
/// `poll_ready` was; the [`Service`] contract allows a ready service never to be called) and
/// adds the granted CORS headers to every response of the inner service, whatever its status.
///
/// Every CORS outcome is a response, never an error: `Error` is the inner service's.
#[derive(Clone)]
pub struct Cors<S> {
    inner: S,
    shared: Arc<Shared>,
}

impl<S> Cors<S> {
    pub(crate) fn new(inner: S, shared: Arc<Shared>) -> Self {
        Self { inner, shared }
    }

    /// The inner service.
    ///
    /// ```
    /// use tower::{service_fn, Layer};
    /// use tower_cors::CorsLayer;
    ///
    /// let inner = service_fn(|req: http::Request<()>| async { Ok::<_, std::convert::Infallible>(http::Response::new(())) });
    /// let cors = CorsLayer::permissive().layer(inner);
    /// let _inner = cors.get_ref();
    /// ```
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The inner service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Unwraps the inner service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S: fmt::Debug> fmt::Debug for Cors<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cors")
            .field("inner", &self.inner)
            .field("policy", &self.shared)
            .finish()
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for Cors<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
{
    type Response = Response<ResponseBody<ResBody>>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    #[inline]
    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let policy = self.shared.policy.load();
        let (mut parts, body) = request.into_parts();
        let evaluation = policy.evaluate(Head::of_parts(&parts), Some(&parts));
        let (verdict, check) = match evaluation {
            Evaluation::Done(verdict) => (verdict, None),
            Evaluation::Pending { check, provisional } => (provisional, Some(check)),
        };
        if let Some(report_only) = &self.shared.report_only {
            report_only.observe(Head::of_parts(&parts), &verdict);
        }
        if check.is_none() {
            #[cfg(feature = "tracing")]
            crate::trace::decision(
                policy.denial_level,
                Some(Head::of_parts(&parts)),
                &policy.decision(&verdict),
            );
            if policy.decision_extension {
                parts.extensions.insert(policy.decision(&verdict));
            }
        }
        let route = policy.route(verdict.kind());
        // Refusing an origin with 403 is decided here when the decision is known now; after an
        // async check it is decided by the future, before the inner future is polled.
        if route == Route::Respond || (check.is_none() && policy.rejects(&verdict)) {
            return ResponseFuture::respond(policy, verdict, check);
        }
        let future = self.inner.call(Request::from_parts(parts, body));
        ResponseFuture::forward(future, policy, verdict, check)
    }
}
