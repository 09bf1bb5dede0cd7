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
use crate::service::Cors;

/// A validated CORS policy, as a [`Layer`] that wraps services in [`Cors`].
///
/// Made by [`CorsLayer::builder`] then [`CorsBuilder::build`], or by a preset. Cloning it, and
/// cloning the services it makes, only bumps a reference count: the policy is compiled once and
/// shared.
///
/// Put it outermost, outside timeouts, authentication, rate limits and error handlers, so that
/// preflights are answered before anything can refuse them and every response, errors
/// included, carries the CORS headers (a browser hides a response without them behind a
/// generic CORS error). See the [crate documentation](crate) for an example.
#[derive(Clone, Debug)]
#[must_use]
pub struct CorsLayer {
    policy: Arc<Policy>,
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

    pub(crate) fn from_policy(policy: Arc<Policy>) -> Self {
        Self { policy }
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
        match self.policy.evaluate(Head::of(request), None) {
            Evaluation::Done(verdict) => verdict.decision(),
            Evaluation::Pending { provisional, .. } => provisional.decision(),
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
        match self.policy.evaluate(Head::of_parts(parts), Some(parts)) {
            Evaluation::Done(verdict) => verdict.decision(),
            Evaluation::Pending { check, provisional } => {
                if check.await {
                    provisional.decision()
                } else {
                    provisional.deny_origin().decision()
                }
            }
        }
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
        let verdict: Verdict = match self.policy.evaluate(Head::of(request), None) {
            Evaluation::Done(verdict) => verdict,
            Evaluation::Pending { provisional, .. } => provisional,
        };
        let decision = verdict.decision();
        let mut headers = HeaderMap::new();
        self.policy.apply(verdict, &mut headers);
        (decision, headers)
    }
}

impl<S> Layer<S> for CorsLayer {
    type Service = Cors<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Cors::new(inner, self.policy.clone())
    }
}
