//! The service: loads the policy, evaluates the request, and follows the plan.

use std::fmt;
use std::mem;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::request::Parts;
use http::{Request, Response};
use tower_service::Service;

use crate::policy::{Evaluation, Head, Plan, Policy, Selected, Verdict};
use crate::report::decision::Decision;
use crate::service::shared::{PolicyCell, Shared};

mod body;
mod future;
pub(crate) mod report_only;
pub(crate) mod shared;
#[cfg(feature = "tracing")]
pub(crate) mod trace;

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
        // The policy that decides (the layer's own, or one of its set), its verdict and the
        // plan. The verdict borrows from the request's head, so the decision for the request's
        // extensions is put there once the plan is made.
        let mut extension = None;
        let plan = if policy.calls_predicate() {
            with_parts(&mut request, |parts| {
                plan_request(
                    &self.shared,
                    policy,
                    Head::of_parts(parts),
                    Some(parts),
                    &mut extension,
                )
            })
        } else {
            plan_request(
                &self.shared,
                policy,
                Head::of(&request),
                None,
                &mut extension,
            )
        };
        if let Some(decision) = extension {
            request.extensions_mut().insert(decision);
        }
        match plan {
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

/// The plan for a request head, after what happens to a decision known when the request comes
/// in: the report-only comparison, the `tracing` event and, when the policy asks for it, the
/// decision for the request's extensions.
#[inline(always)]
fn plan_request(
    shared: &Shared,
    top: &Arc<Policy>,
    head: Head<'_>,
    parts: Option<&Parts>,
    extension: &mut Option<Decision>,
) -> Plan {
    let selected = top.select(head, parts);
    let evaluation = selected.evaluate(head, parts);
    // A verdict still waiting on an async origin check is not known yet: it is traced when
    // the check answers, and neither compared with a report-only candidate nor put into the
    // request's extensions.
    let observed = shared.report_only.is_some()
        || cfg!(feature = "tracing")
        || selected.policy.decision_extension;
    if let (true, Evaluation::Done(verdict)) = (observed, &evaluation) {
        observe(shared, top, selected, verdict, head, extension);
    }
    selected.policy.plan(evaluation)
}

fn observe(
    shared: &Shared,
    top: &Policy,
    selected: Selected<'_>,
    verdict: &Verdict<'_>,
    head: Head<'_>,
    extension: &mut Option<Decision>,
) {
    if let Some(report_only) = &shared.report_only {
        report_only.observe(head, verdict);
    }
    let policy = selected.policy;
    // Built once, for the event and the extension alike.
    let decision = (cfg!(feature = "tracing") || policy.decision_extension)
        .then(|| selected.decision(top, verdict, head.uri.path()));
    #[cfg(feature = "tracing")]
    if let Some(decision) = &decision {
        crate::service::trace::decision(policy.denial_level, Some(head), decision);
    }
    if policy.decision_extension {
        *extension = decision;
    }
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
