//! Live reloading: a handle that swaps the policy of a running layer.

use std::fmt;
use std::sync::Arc;

use arc_swap::ArcSwap;

use crate::builder::CorsBuilder;
use crate::layer::CorsLayer;
use crate::policy::Policy;
use crate::report::error::ConfigError;
use crate::service::shared::{PolicyCell, Shared};

impl CorsLayer {
    /// Makes the policy swappable at run time: returns the layer (use it in place of this one)
    /// and a [`ReloadHandle`] that replaces the policy of the layer and of every service it
    /// made, atomically and without a lock on the request path.
    ///
    /// Calling it on a layer that is already reloadable keeps its policy cell: the earlier
    /// handle and the new one swap the same policy.
    ///
    /// ```
    /// use http::{header, Request};
    /// use tower_cors::CorsLayer;
    ///
    /// let (layer, handle) = CorsLayer::permissive().build().unwrap().reloadable();
    /// let request = Request::get("/").header(header::ORIGIN, "https://a.example").body(())?;
    /// assert!(layer.decide(&request).is_allowed());
    /// handle.reload(&CorsLayer::builder().allow_origin("https://b.example"))?;
    /// assert!(!layer.decide(&request).is_allowed());
    ///
    /// // Both handles of a layer made reloadable twice reach it.
    /// let (again, second) = layer.reloadable();
    /// handle.reload(&CorsLayer::builder().allow_origin("https://a.example"))?;
    /// assert!(again.decide(&request).is_allowed());
    /// second.reload(&CorsLayer::builder().allow_origin("https://b.example"))?;
    /// assert!(!again.decide(&request).is_allowed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// [`ReloadHandle`] has a longer example.
    pub fn reloadable(self) -> (Self, ReloadHandle) {
        let shared = self.shared();
        let cell = match &shared.policy {
            PolicyCell::Live(cell) => cell.clone(),
            PolicyCell::Fixed(policy) => Arc::new(ArcSwap::new(policy.clone())),
        };
        let layer = CorsLayer::from_shared(Shared {
            policy: PolicyCell::Live(cell.clone()),
            report_only: shared.report_only.clone(),
        });
        (layer, ReloadHandle { cell })
    }
}

/// Swaps the policy of a running layer, and of every service it made, atomically.
///
/// Requests in flight finish with the policy they started with; requests that start after
/// [`reload`](ReloadHandle::reload) returns use the new one. Reading the policy takes no lock.
/// Made by [`CorsLayer::reloadable`].
///
/// # Example
///
/// ```
/// use http::{header, Request};
/// use tower_cors::CorsLayer;
///
/// let (layer, handle) = CorsLayer::builder()
///     .allow_origin("https://a.example")
///     .build()?
///     .reloadable();
/// let from_b = Request::get("/").header(header::ORIGIN, "https://b.example").body(())?;
/// assert!(!layer.decide(&from_b).is_allowed());
///
/// // A new tenant: add its origin without a restart.
/// handle.reload(&CorsLayer::builder().allow_origins(["https://a.example", "https://b.example"]))?;
/// assert!(layer.decide(&from_b).is_allowed());
///
/// // An invalid policy is refused and the current one stays.
/// assert!(handle.reload(&CorsLayer::builder().allow_origin("https://c.example/")).is_err());
/// assert!(layer.decide(&from_b).is_allowed());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct ReloadHandle {
    cell: Arc<ArcSwap<Policy>>,
}

impl ReloadHandle {
    /// Validates `builder` and, if it is valid, makes it the policy of the layer.
    ///
    /// # Errors
    ///
    /// The [`ConfigError`] of [`CorsBuilder::build`]; the current policy then stays.
    ///
    /// ```
    /// use http::{header, Request};
    /// use tower_cors::{CorsLayer, ProblemKind};
    ///
    /// let (layer, handle) = CorsLayer::permissive().build().unwrap().reloadable();
    /// let err = handle.reload(&CorsLayer::builder().allow_origin("https://a.example/")).unwrap_err();
    /// assert_eq!(err.problems()[0].kind(), ProblemKind::OriginTrailingSlash);
    /// // The permissive policy is still in force.
    /// let request = Request::get("/").header(header::ORIGIN, "https://a.example").body(())?;
    /// assert!(layer.decide(&request).is_allowed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn reload(&self, builder: &CorsBuilder) -> Result<(), ConfigError> {
        let layer = builder.build()?;
        self.replace(&layer);
        Ok(())
    }

    /// Makes the (already validated) policy of `layer` the policy of the reloadable layer.
    /// Only the policy is taken, not a report-only candidate.
    ///
    /// ```
    /// use tower_cors::CorsLayer;
    ///
    /// let (layer, handle) = CorsLayer::permissive().build().unwrap().reloadable();
    /// handle.replace(&CorsLayer::builder().allow_origin("https://a.example").build()?);
    /// # let _ = layer;
    /// # Ok::<(), tower_cors::ConfigError>(())
    /// ```
    pub fn replace(&self, layer: &CorsLayer) {
        self.cell.store(layer.shared().policy.load());
    }
}

impl fmt::Debug for ReloadHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReloadHandle")
            .field("policy", &self.cell.load())
            .finish()
    }
}
