//! The policy builder: setters that fill [`Settings`], and `build`, which compiles them.
//!
//! - `grants`: what the policy grants (origins, methods, headers, credentials, max-age);
//! - `behaviour`: how the layer answers and reports (statuses, refusals, limits, diagnostics).

use std::sync::Arc;

use crate::layer::CorsLayer;
use crate::policy::Settings;
use crate::report::error::{ConfigError, ConfigProblem};

mod behaviour;
pub(crate) mod compat;
mod grants;
mod presets;
pub(crate) mod reload;
mod sets;

/// Collects a CORS policy; [`build`](CorsBuilder::build) validates it into a [`CorsLayer`].
///
/// Every setting replaces what an earlier call of the same method set. Nothing is checked
/// until `build`, which reports every problem at once.
///
/// Defaults: no origin (which `build` refuses, see [`CorsBuilder::allow_origin`]), only the
/// CORS-safelisted methods, no extra request headers, no exposed headers, no credentials, no
/// `Access-Control-Max-Age`, no private network access, preflights answered with
/// `204 No Content`.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use http::{header, Method};
/// use tower_cors::CorsLayer;
///
/// let layer = CorsLayer::builder()
///     .allow_origins(["https://app.example.com", "https://*.preview.example.com"])
///     .allow_methods([Method::GET, Method::POST, Method::PUT])
///     .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION])
///     .expose_headers(["x-request-id"])
///     .allow_credentials(true)
///     .max_age(Duration::from_secs(600))
///     .build()?;
/// # let _ = layer;
/// # Ok::<(), tower_cors::ConfigError>(())
/// ```
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct CorsBuilder {
    pub(super) settings: Settings,
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
    /// // No origin at all refuses every cross-origin request, with a warning.
    /// assert_eq!(CorsLayer::new().build()?.warnings().len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[allow(clippy::new_ret_no_self)]
    pub fn new() -> CorsBuilder {
        CorsBuilder::new()
    }
}

impl CorsBuilder {
    /// An empty policy; the same as [`CorsLayer::builder`].
    ///
    /// ```
    /// use tower_cors::WarningKind;
    ///
    /// // No origin allowed yet: a layer that refuses every cross-origin request, and says so.
    /// let layer = tower_cors::CorsBuilder::new().build()?;
    /// assert_eq!(layer.warnings()[0].kind(), WarningKind::NoOrigins);
    /// # Ok::<(), tower_cors::ConfigError>(())
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    #[cfg(feature = "serde")]
    pub(crate) fn from_settings(settings: Settings) -> Self {
        Self { settings }
    }

    /// Validates the policy and precomputes every header value.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] listing every problem: a malformed origin or
    /// pattern, an invalid method or header name, `*` inside a list, `*` or mirroring with
    /// credentials, a preflight status that is not 2xx, a zero limit, options that
    /// [`preflight_continue`](Self::preflight_continue) would silently ignore.
    ///
    /// ```
    /// use tower_cors::{Any, CorsLayer};
    ///
    /// let err = CorsLayer::builder()
    ///     .allow_origin(Any)
    ///     .allow_credentials(true)
    ///     .build()
    ///     .unwrap_err();
    /// assert!(err.to_string().contains("allow_origins"));
    /// ```
    pub fn build(&self) -> Result<CorsLayer, ConfigError> {
        let mut policy = self.settings.compile().map_err(ConfigError::new)?;
        let strict = std::iter::once(&self.settings)
            .chain(&self.settings.policies)
            .any(|settings| settings.switches.warnings_as_errors);
        if strict && !policy.warnings.is_empty() {
            let problems = policy.warnings.iter().map(ConfigProblem::from_warning);
            return Err(ConfigError::new(problems.collect()));
        }
        policy.source = Some(Box::new(self.settings.clone()));
        #[cfg(feature = "tracing")]
        crate::service::trace::warnings(&policy.warnings);
        Ok(CorsLayer::from_policy(Arc::new(policy)))
    }
}

/// A layer that refuses every cross-origin request (no origin is allowed), as tower-http's
/// `CorsLayer::default()` does; useful as `Option<CorsLayer>::unwrap_or_default()` for "CORS
/// off".
///
/// ```
/// use http::{header, Request};
/// use tower_cors::CorsLayer;
///
/// let configured: Option<CorsLayer> = None;
/// let layer = configured.unwrap_or_default();
/// let request = Request::get("/").header(header::ORIGIN, "https://app.example.com").body(())?;
/// assert!(!layer.decide(&request).is_allowed());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
impl Default for CorsLayer {
    fn default() -> Self {
        CorsBuilder::new()
            .allow_origin(crate::grant::origin::AllowOrigin::none())
            .build()
            .expect("the policy that allows no origin is valid")
    }
}
