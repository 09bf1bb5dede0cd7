//! The service: loads the policy, evaluates the request, and follows the plan.

use std::fmt;
use std::mem;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::request::Parts;
use http::{Request, Response};
use tower_service::Service;

use crate::policy::{Evaluation, Head, Plan, Policy, Selected, Verdict};
use crate::shared::{PolicyCell, Shared};

mod body;
mod future;

pub use body::ResponseBody;
pub use future::ResponseFuture;

/// A service wrapped by [`CorsLayer`](crate::CorsLayer).
///
/// It answers preflights itself (the inner service is not called, even though its
/// `poll_ready` was; the [`Service`] contract allows a ready service never to be called) and
/// adds the granted CORS headers to every response of the inner service, whatever its status.
///
/// Every CORS outcome is a response, never an error: `Error` is the inner service's.
///
/// ```
/// use http::{header, Request, Response, StatusCode};
/// use tower::{service_fn, Layer, ServiceExt};
/// use tower_cors::{Cors, CorsLayer};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let layer = CorsLayer::builder().allow_origin("https://app.example.com").build()?;
/// let service: Cors<_> = layer.layer(service_fn(|_req: Request<()>| async {
///     let mut response = Response::new(());
///     *response.status_mut() = StatusCode::NOT_FOUND;
///     Ok::<_, std::convert::Infallible>(response)
/// }));
/// let request = Request::get("/missing").header(header::ORIGIN, "https://app.example.com").body(())?;
/// let response = service.oneshot(request).await?;
/// // The inner service's status, with the grant added.
/// assert_eq!(response.status(), StatusCode::NOT_FOUND);
/// assert_eq!(response.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "https://app.example.com");
/// # Ok(())
/// # }
/// ```
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
    /// let cors = CorsLayer::permissive().build().unwrap().layer(inner);
    /// let _inner = cors.get_ref();
    /// ```
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The inner service, mutably.
    ///
    /// ```
    /// use tower::Layer;
    /// use tower_cors::CorsLayer;
    ///
    /// struct Handler { greeting: &'static str }
    ///
    /// let mut cors = CorsLayer::permissive().build().unwrap().layer(Handler { greeting: "hello" });
    /// cors.get_mut().greeting = "bonjour";
    /// assert_eq!(cors.get_ref().greeting, "bonjour");
    /// ```
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Unwraps the inner service.
    ///
    /// ```
    /// use tower::Layer;
    /// use tower_cors::CorsLayer;
    ///
    /// struct Handler { greeting: &'static str }
    ///
    /// let cors = CorsLayer::permissive().build().unwrap().layer(Handler { greeting: "hello" });
    /// let handler: Handler = cors.into_inner();
    /// assert_eq!(handler.greeting, "hello");
    /// ```
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

    fn call(&mut self, mut request: Request<ReqBody>) -> Self::Future {
        // Borrow the current policy; a request keeps this one snapshot from start to end, and
        // only a response future that needs the policy later holds a reference count on it.
        let guard;
        let policy: &Arc<Policy> = match &self.shared.policy {
            PolicyCell::Fixed(policy) => policy,
            PolicyCell::Live(cell) => {
                guard = cell.load();
                &guard
            }
        };
        // The policy that decides (the layer's own, or one of its set), and its verdict.
        let (selected, evaluation) = if policy.calls_predicate() {
            with_parts(&mut request, |parts| {
                let head = Head::of_parts(parts);
                let selected = policy.select(head, Some(parts));
                (selected, selected.policy.evaluate(head, Some(parts)))
            })
        } else {
            let head = Head::of(&request);
            let selected = policy.select(head, None);
            (selected, selected.policy.evaluate(head, None))
        };
        // A verdict still waiting on an async origin check is not known yet: it is traced when
        // the check answers, and neither compared with a report-only candidate nor put into
        // the request's extensions.
        if let Evaluation::Done(verdict) = &evaluation {
            observe(&self.shared, policy, selected, verdict, &mut request);
        }
        match selected.policy.plan(evaluation, selected.index) {
            Plan::Answer(head) => ResponseFuture::answer(head),
            Plan::Forward(decoration) => {
                ResponseFuture::forward(self.inner.call(request), decoration)
            }
            Plan::CheckThenAnswer(pending) => ResponseFuture::check_then_answer(pending),
            Plan::CheckThenForward(pending) => {
                ResponseFuture::check_then_forward(self.inner.call(request), pending)
            }
        }
    }
}

/// What happens to a decision known when the request comes in, besides its plan: the
/// report-only comparison, the `tracing` event and the request extension.
#[inline]
fn observe<B>(
    shared: &Shared,
    top: &Policy,
    selected: Selected<'_>,
    verdict: &Verdict,
    request: &mut Request<B>,
) {
    if let Some(report_only) = &shared.report_only {
        report_only.observe(Head::of(request), verdict);
    }
    let policy = selected.policy;
    #[cfg(feature = "tracing")]
    crate::trace::decision(
        policy.denial_level,
        Some(Head::of(request)),
        &selected.decision(top, verdict, request.uri().path()),
    );
    if policy.decision_extension {
        let decision = selected.decision(top, verdict, request.uri().path());
        request.extensions_mut().insert(decision);
    }
    let _ = top;
}

/// Runs `f` on the request's head as [`Parts`], which predicates take, and puts the head back.
///
/// The fields are swapped out and in rather than the request taken apart, so that the request
/// itself stays where it is on the path without predicates.
#[cold]
fn with_parts<B, T>(request: &mut Request<B>, f: impl FnOnce(&Parts) -> T) -> T {
    let (mut parts, ()) = Request::new(()).into_parts();
    swap_head(request, &mut parts);
    let value = f(&parts);
    swap_head(request, &mut parts);
    value
}

fn swap_head<B>(request: &mut Request<B>, parts: &mut Parts) {
    mem::swap(request.method_mut(), &mut parts.method);
    mem::swap(request.uri_mut(), &mut parts.uri);
    mem::swap(request.version_mut(), &mut parts.version);
    mem::swap(request.headers_mut(), &mut parts.headers);
    mem::swap(request.extensions_mut(), &mut parts.extensions);
}
