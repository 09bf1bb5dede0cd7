//! The layer.

use std::sync::Arc;

use http::request::Parts;
use http::{HeaderMap, Request};
use tower_layer::Layer;

use crate::builder::CorsBuilder;
use crate::decision::Decision;
use crate::headers::{AllowHeaders, ExposeHeaders};
use crate::methods::AllowMethods;
use crate::origin::AllowOrigin;
use crate::policy::{Evaluation, Head, Policy, Verdict};
use crate::report::{Report, ReportOnly};
use crate::service::Cors;
use crate::shared::{PolicyCell, ReloadHandle, Shared};

/// A validated CORS policy, as a [`Layer`] that wraps services in [`Cors`].
///
/// Made by [`CorsLayer::builder`] then [`CorsBuilder::build`], or by a preset. Cloning it, and
/// cloning the services it makes, only bumps a reference count: the policy is compiled once and
/// shared.
///
/// Put it outermost, outside timeouts, authentication, rate limits and error handlers, so that
/// preflights are answered before anything can refuse them and every response, errors
/// included, carries the CORS headers (a browser hides a response without them behind a
/// generic CORS error). See the [crate documentation](crate) for a full example.
///
/// ```
/// use http::{header, Request};
/// use tower_cors::CorsLayer;
///
/// let layer = CorsLayer::builder().allow_origin("https://app.example.com").build()?;
/// let copy = layer.clone(); // the same compiled policy
/// let request = Request::get("/").header(header::ORIGIN, "https://app.example.com").body(())?;
/// assert_eq!(copy.decide(&request), layer.decide(&request));
/// assert!(copy.decide(&request).is_allowed());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct CorsLayer {
    shared: Arc<Shared>,
}

impl CorsLayer {
    /// Starts a policy. See [`CorsBuilder`].
    ///
    /// ```
    /// use tower_cors::CorsLayer;
    ///
    /// let layer = CorsLayer::builder().allow_origin("https://app.example.com").build()?;
    /// # let _ = layer;
    /// # Ok::<(), tower_cors::ConfigError>(())
    /// ```
    pub fn builder() -> CorsBuilder {
        CorsBuilder::new()
    }

    /// The same as [`CorsLayer::builder`], under the name tower-http users know:
    /// `CorsLayer::new().allow_origin(..)...` keeps working, with `.build()?` at the end, where
    /// every configuration problem is reported.
    ///
    /// ```
    /// use http::{header, Method, Request};
    /// use tower_cors::CorsLayer;
    ///
    /// let layer = CorsLayer::new()
    ///     .allow_origin("https://app.example.com")
    ///     .allow_methods([Method::GET, Method::POST])
    ///     .build()?;
    /// let request = Request::get("/").header(header::ORIGIN, "https://app.example.com").body(())?;
    /// assert!(layer.decide(&request).is_allowed());
    /// assert!(CorsLayer::new().build().is_err()); // no origin policy
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[allow(clippy::new_ret_no_self)]
    pub fn new() -> CorsBuilder {
        CorsBuilder::new()
    }

    pub(crate) fn from_policy(policy: Arc<Policy>) -> Self {
        Self {
            shared: Arc::new(Shared {
                policy: PolicyCell::Fixed(policy),
                report_only: None,
            }),
        }
    }

    pub(crate) fn shared(&self) -> &Shared {
        &self.shared
    }

    pub(crate) fn policy(&self) -> Arc<Policy> {
        self.shared.policy.load()
    }

    /// Makes the policy swappable at run time: returns the layer (use it in place of this one)
    /// and a [`ReloadHandle`] that replaces the policy of the layer and of every service it
    /// made, atomically and without a lock on the request path.
    ///
    /// ```
    /// use http::{header, Request};
    /// use tower_cors::CorsLayer;
    ///
    /// let (layer, handle) = CorsLayer::permissive().reloadable();
    /// let request = Request::get("/").header(header::ORIGIN, "https://a.example").body(())?;
    /// assert!(layer.decide(&request).is_allowed());
    /// handle.reload(&CorsLayer::builder().allow_origin("https://b.example"))?;
    /// assert!(!layer.decide(&request).is_allowed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// [`ReloadHandle`] has a longer example.
    pub fn reloadable(self) -> (Self, ReloadHandle) {
        let cell = Arc::new(arc_swap::ArcSwap::new(self.policy()));
        let layer = Self {
            shared: Arc::new(Shared {
                policy: PolicyCell::Live(cell.clone()),
                report_only: self.shared.report_only.clone(),
            }),
        };
        (layer, ReloadHandle::new(cell))
    }

    /// Report-only mode: keep enforcing this layer's policy, and call `report` for every
    /// request it allows that the `candidate` policy would refuse.
    ///
    /// Tighten an allow-list in production without breaking clients first: deploy the new
    /// policy as the candidate, watch the reports, then enforce it. With the `tracing` feature
    /// each report is also an `INFO` event (target `tower_cors::report_only`). Async origin
    /// predicates are not waited for: the candidate's count as allowing, and a request whose
    /// enforced decision waits on one is not compared.
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use http::{header, Request, Response};
    /// use tower::{service_fn, Layer, ServiceExt};
    /// use tower_cors::CorsLayer;
    ///
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let old = CorsLayer::builder()
    ///     .allow_origin(["https://app.example.com", "https://legacy.example.com"])
    ///     .build()
    ///     .unwrap();
    /// let new = CorsLayer::builder().allow_origin("https://app.example.com").build().unwrap();
    ///
    /// let reports = Arc::new(Mutex::new(Vec::new()));
    /// let sink = reports.clone();
    /// let layer = old.with_report_only(new, move |report| {
    ///     sink.lock().unwrap().push(report.to_string());
    /// });
    ///
    /// let service = layer.layer(service_fn(|_req: Request<()>| async {
    ///     Ok::<_, std::convert::Infallible>(Response::new(()))
    /// }));
    /// let request = Request::get("/data")
    ///     .header(header::ORIGIN, "https://legacy.example.com")
    ///     .body(())
    ///     .unwrap();
    /// let response = service.oneshot(request).await.unwrap();
    /// // Still granted by the enforced policy...
    /// assert_eq!(response.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "https://legacy.example.com");
    /// // ...and reported.
    /// assert_eq!(
    ///     reports.lock().unwrap().as_slice(),
    ///     ["GET /data from https://legacy.example.com would be refused: request denied: the origin is not allowed by the policy"]
    /// );
    /// # });
    /// ```
    pub fn with_report_only<F>(self, candidate: CorsLayer, report: F) -> Self
    where
        F: Fn(&Report<'_>) + Send + Sync + 'static,
    {
        let policy = match &self.shared.policy {
            PolicyCell::Fixed(p) => PolicyCell::Fixed(p.clone()),
            PolicyCell::Live(cell) => PolicyCell::Live(cell.clone()),
        };
        Self {
            shared: Arc::new(Shared {
                policy,
                report_only: Some(ReportOnly {
                    candidate: candidate.policy(),
                    reporter: Arc::new(report),
                }),
            }),
        }
    }

    /// A policy that lets any page read any response, without credentials:
    ///
    /// - `Access-Control-Allow-Origin: *`
    /// - `Access-Control-Allow-Methods: *`
    /// - `Access-Control-Allow-Headers: *` (which never covers `Authorization`)
    /// - `Access-Control-Expose-Headers: *`
    ///
    /// Fine for public, read-only data; for anything else list the origins.
    ///
    /// ```
    /// use tower_cors::CorsLayer;
    ///
    /// let layer = CorsLayer::permissive();
    /// # let _ = layer;
    /// ```
    pub fn permissive() -> Self {
        let builder = CorsBuilder::new()
            .allow_origin(AllowOrigin::any())
            .allow_methods(AllowMethods::any())
            .allow_headers(AllowHeaders::any())
            .expose_headers(ExposeHeaders::any());
        let (policy, problems) = Policy::compile(&builder);
        debug_assert!(
            problems.is_empty(),
            "the permissive preset is valid: {problems:?}"
        );
        Self::from_policy(Arc::new(policy))
    }

    /// Evaluates a request against the policy without calling any service: what the layer
    /// would decide for it.
    ///
    /// An async origin predicate cannot be run here; its origin counts as allowed and the rest
    /// of the request is checked. Use [`CorsLayer::decide_async`] to run it.
    ///
    /// ```
    /// use http::{header, Method, Request};
    /// use tower_cors::{CorsLayer, Denial, RequestKind};
    ///
    /// let layer = CorsLayer::builder()
    ///     .allow_origin("https://app.example.com")
    ///     .allow_methods([Method::PUT])
    ///     .build()?;
    /// let preflight = Request::options("/")
    ///     .header(header::ORIGIN, "https://app.example.com")
    ///     .header(header::ACCESS_CONTROL_REQUEST_METHOD, "DELETE")
    ///     .body(())?;
    /// let decision = layer.decide(&preflight);
    /// assert_eq!(decision.kind(), RequestKind::Preflight);
    /// assert_eq!(decision.denial(), Some(&Denial::MethodNotAllowed(Method::DELETE)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn decide<B>(&self, request: &Request<B>) -> Decision {
        let policy = self.policy();
        match policy.evaluate(Head::of(request), None) {
            Evaluation::Done(verdict) => policy.decision(&verdict),
            Evaluation::Pending { provisional, .. } => policy.decision(&provisional),
        }
    }

    /// Like [`CorsLayer::decide`], running an async origin predicate if there is one.
    ///
    /// ```
    /// use http::{header, Request};
    /// use tower_cors::{AllowOrigin, CorsLayer};
    ///
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let layer = CorsLayer::builder()
    ///     .allow_origin(AllowOrigin::async_predicate(|origin, _| async move {
    ///         origin == "https://tenant.example.com"
    ///     }))
    ///     .build()
    ///     .unwrap();
    /// let (parts, ()) = Request::get("/")
    ///     .header(header::ORIGIN, "https://other.example.com")
    ///     .body(())
    ///     .unwrap()
    ///     .into_parts();
    /// assert!(!layer.decide_async(&parts).await.is_allowed());
    /// # });
    /// ```
    pub async fn decide_async(&self, parts: &Parts) -> Decision {
        let policy = self.policy();
        let verdict = match policy.evaluate(Head::of_parts(parts), Some(parts)) {
            Evaluation::Done(verdict) => verdict,
            Evaluation::Pending { check, provisional } => {
                if check.await {
                    provisional
                } else {
                    provisional.deny_origin()
                }
            }
        };
        policy.decision(&verdict)
    }

    /// The exact CORS headers the layer adds for a request head (for a preflight, the headers
    /// of its answer; otherwise the headers added to the inner service's response, assuming it
    /// sets no `Vary`), with the decision.
    ///
    /// An async origin predicate is treated as in [`CorsLayer::decide`].
    ///
    /// ```
    /// use http::{header, Request};
    /// use tower_cors::CorsLayer;
    ///
    /// let layer = CorsLayer::builder().allow_origin("https://app.example.com").build()?;
    /// let request = Request::get("/")
    ///     .header(header::ORIGIN, "https://app.example.com")
    ///     .body(())?;
    /// let (decision, headers) = layer.headers_for(&request);
    /// assert!(decision.is_allowed());
    /// assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "https://app.example.com");
    /// assert_eq!(headers[header::VARY], "origin");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn headers_for<B>(&self, request: &Request<B>) -> (Decision, HeaderMap) {
        let policy = self.policy();
        let verdict: Verdict = match policy.evaluate(Head::of(request), None) {
            Evaluation::Done(verdict) => verdict,
            Evaluation::Pending { provisional, .. } => provisional,
        };
        let decision = policy.decision(&verdict);
        let mut headers = HeaderMap::new();
        policy.apply(verdict, &mut headers);
        (decision, headers)
    }
}

impl<S> Layer<S> for CorsLayer {
    type Service = Cors<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Cors::new(inner, self.shared.clone())
    }
}
