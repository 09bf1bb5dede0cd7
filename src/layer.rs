//! The layer: a compiled policy shared by every service it wraps.

use std::sync::Arc;

use http::request::Parts;
use http::{HeaderMap, Request};
use tower_layer::Layer;

use crate::policy::{DryRun, Evaluation, Head, Policy};
use crate::report::decision::Decision;
use crate::report::warning::ConfigWarning;
use crate::service::report_only::{Report, ReportOnly};
use crate::service::shared::{PolicyCell, Shared};
use crate::service::Cors;

/// A validated CORS policy, as a [`Layer`] that wraps services in [`Cors`].
///
/// Made by [`CorsLayer::builder`] then [`CorsBuilder::build`](crate::CorsBuilder::build), or by a preset. Cloning it, and
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
    pub(crate) fn from_policy(policy: Arc<Policy>) -> Self {
        Self::from_shared(Shared {
            policy: PolicyCell::Fixed(policy),
            report_only: None,
        })
    }

    pub(crate) fn from_shared(shared: Shared) -> Self {
        Self {
            shared: Arc::new(shared),
        }
    }

    /// Settings of the current policy that build but that no browser honours, or that are
    /// almost always a mistake; see [`ConfigWarning`]. Empty for a clean policy.
    ///
    /// ```
    /// use tower_cors::{CorsLayer, WarningKind};
    ///
    /// let clean = CorsLayer::builder().allow_origin("https://app.example.com").build()?;
    /// assert!(clean.warnings().is_empty());
    ///
    /// let layer = CorsLayer::builder()
    ///     .allow_origin("https://app.example.com")
    ///     .allow_headers(["content-type", "cookie"])
    ///     .build()?;
    /// assert_eq!(layer.warnings()[0].kind(), WarningKind::ForbiddenRequestHeader);
    /// # Ok::<(), tower_cors::ConfigError>(())
    /// ```
    pub fn warnings(&self) -> Vec<ConfigWarning> {
        self.policy().warnings.clone()
    }

    pub(crate) fn shared(&self) -> &Shared {
        &self.shared
    }

    pub(crate) fn policy(&self) -> Arc<Policy> {
        self.shared.policy.load()
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
    ///     .allow_origins(["https://app.example.com", "https://legacy.example.com"])
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
        Self::from_shared(Shared {
            policy: self.shared.policy.clone(),
            report_only: Some(ReportOnly {
                candidate: candidate.policy(),
                reporter: Arc::new(report),
            }),
        })
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
        self.policy().dry_decision(Head::of(request))
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
        let head = Head::of_parts(parts);
        let selected = policy.select(head, Some(parts));
        let verdict = match selected.evaluate(head, Some(parts)) {
            Evaluation::Done(verdict) => verdict,
            Evaluation::Pending {
                check,
                provisional,
                websocket,
            } => provisional.after_async_check(check.await, websocket),
        };
        selected.decision(&policy, &verdict, parts.uri.path())
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
        let DryRun {
            decision, headers, ..
        } = self.policy().dry_run(Head::of(request));
        (decision, headers)
    }
}

impl<S> Layer<S> for CorsLayer {
    type Service = Cors<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Cors::new(inner, self.shared.clone())
    }
}
