//! Report-only mode: enforce one policy, report what a stricter candidate would refuse.

use std::fmt;
use std::sync::Arc;

use http::{HeaderValue, Method, Uri};

use crate::policy::{Head, Policy, Verdict};
use crate::report::decision::Decision;

pub(crate) type Reporter = Arc<dyn Fn(&Report<'_>) + Send + Sync + 'static>;

#[derive(Clone)]
pub(crate) struct ReportOnly {
    pub(crate) candidate: Arc<Policy>,
    pub(crate) reporter: Reporter,
}

impl ReportOnly {
    /// Evaluates the candidate on a request the enforced policy allowed, and reports the
    /// request if the candidate refuses it. An async predicate of the candidate is not run; its
    /// origin counts as allowed.
    pub(crate) fn observe(&self, head: Head<'_>, enforced: &Verdict<'_>) {
        if enforced.is_denied() {
            return;
        }
        let candidate = self.candidate.dry_decision(head);
        if candidate.is_allowed() {
            return;
        }
        let report = Report {
            candidate: &candidate,
            method: head.method,
            uri: head.uri,
            origin: head.headers.get(http::header::ORIGIN),
        };
        #[cfg(feature = "tracing")]
        tracing::info!(
            target: "tower_cors::report_only",
            origin = ?report.origin,
            method = %report.method,
            path = %report.uri.path(),
            kind = ?candidate.kind(),
            reason = %candidate,
            "the report-only CORS policy would refuse this request"
        );
        (self.reporter)(&report);
    }
}

/// A request the enforced policy allowed and the report-only candidate would refuse.
///
/// See [`CorsLayer::with_report_only`](crate::CorsLayer::with_report_only).
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use http::{header, Method, Request, Response};
/// use tower::{service_fn, Layer, ServiceExt};
/// use tower_cors::{CorsLayer, Denial};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let seen = Arc::new(Mutex::new(Vec::new()));
/// let sink = seen.clone();
/// let candidate = CorsLayer::builder().allow_origin("https://app.example.com").build()?;
/// let layer = CorsLayer::permissive().build().unwrap().with_report_only(candidate, move |report| {
///     sink.lock().unwrap().push((report.method.clone(), report.candidate.denial().cloned()));
/// });
/// let service = layer.layer(service_fn(|_req: Request<()>| async {
///     Ok::<_, std::convert::Infallible>(Response::new(()))
/// }));
/// let request = Request::delete("/items/7").header(header::ORIGIN, "https://old.example").body(())?;
/// service.oneshot(request).await?;
/// assert_eq!(*seen.lock().unwrap(), [(Method::DELETE, Some(Denial::OriginNotAllowed))]);
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct Report<'a> {
    /// The candidate's decision: why it would refuse.
    pub candidate: &'a Decision,
    /// The request's method.
    pub method: &'a Method,
    /// The request's URI.
    pub uri: &'a Uri,
    /// The request's `Origin` header.
    pub origin: Option<&'a HeaderValue>,
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.uri.path())?;
        if let Some(origin) = self.origin {
            write!(f, " from {}", String::from_utf8_lossy(origin.as_bytes()))?;
        }
        write!(f, " would be refused: {}", self.candidate)
    }
}
