//! The setters of how the layer answers and reports: the preflight status, the decision in
//! the request's extensions, and every switch of the `switches!` table (booleans and limits,
//! documented there).

use http::StatusCode;

use super::CorsBuilder;
use crate::report::field::switches;

/// Defines a setter for each switch, with the switch's documentation.
macro_rules! define_setters {
    ($( $(#[$doc:meta])* $name:ident: $ty:ty = $default:expr => $variant:ident, $value:literal $(, warns $warning:ident)?; )*) => {
        impl CorsBuilder {
            $(
                $(#[$doc])*
                pub fn $name(mut self, value: $ty) -> Self {
                    self.settings.switches.$name = value;
                    self
                }
            )*
        }
    };
}

switches!(define_setters);

impl CorsBuilder {
    /// The status of an allowed preflight answered by the layer: `204 No Content` by default;
    /// some old clients want `200 OK`. It must be a 2xx status.
    ///
    /// ```
    /// use http::StatusCode;
    /// use tower_cors::CorsLayer;
    ///
    /// let layer = CorsLayer::builder()
    ///     .allow_origin("https://app.example.com")
    ///     .preflight_status(StatusCode::OK)
    ///     .build()
    ///     .unwrap();
    /// # let _ = layer;
    /// ```
    pub fn preflight_status(mut self, status: StatusCode) -> Self {
        self.settings.preflight_status = Some(status.as_u16());
        self
    }

    /// Insert the layer's [`Decision`](crate::Decision) into the request's extensions, so the
    /// inner service (handlers, metrics) can read whether and why the request was granted.
    ///
    /// Off by default because it costs an allocation per request when the request has no
    /// extensions yet. Preflights answered by the layer never reach the inner service. With an
    /// [async origin predicate](crate::AllowOrigin::async_predicate) nothing is inserted: the decision
    /// is only known after the inner service was called.
    ///
    /// ```
    /// use std::convert::Infallible;
    /// use http::{header, Request, Response};
    /// use tower::{service_fn, Layer, ServiceExt};
    /// use tower_cors::{CorsLayer, Decision};
    ///
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let layer = CorsLayer::builder()
    ///     .allow_origin("https://app.example.com")
    ///     .decision_extension(true)
    ///     .build()
    ///     .unwrap();
    /// let service = layer.layer(service_fn(|request: Request<()>| async move {
    ///     let decision = request.extensions().get::<Decision>().unwrap();
    ///     Ok::<_, Infallible>(Response::new(decision.to_string()))
    /// }));
    /// let request = Request::get("/")
    ///     .header(header::ORIGIN, "https://other.example")
    ///     .body(())
    ///     .unwrap();
    /// let response = service.oneshot(request).await.unwrap();
    /// assert_eq!(
    ///     response.into_body().into_inner().unwrap(),
    ///     "request denied: the origin is not allowed by the policy"
    /// );
    /// # });
    /// ```
    pub fn decision_extension(mut self, insert: bool) -> Self {
        self.settings.decision_extension = insert;
        self
    }

    /// The level of the `tracing` event emitted for each denied request (default `DEBUG`).
    /// Grants are traced at `TRACE`; requests without `Origin` are not traced.
    ///
    /// ```
    /// use tower_cors::CorsLayer;
    ///
    /// let layer = CorsLayer::builder()
    ///     .allow_origin("https://app.example.com")
    ///     .denial_level(tracing::Level::INFO)
    ///     .build()
    ///     .unwrap();
    /// # let _ = layer;
    /// ```
    #[cfg(feature = "tracing")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tracing")))]
    pub fn denial_level(mut self, level: tracing::Level) -> Self {
        self.settings.denial_level = level;
        self
    }
}
