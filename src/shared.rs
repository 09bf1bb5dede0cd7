//! What a layer and its services share: the policy (fixed or swappable) and an optional
//! report-only candidate.

use std::fmt;
use std::sync::Arc;

use arc_swap::ArcSwap;

use crate::builder::CorsBuilder;
use crate::error::ConfigError;
use crate::layer::CorsLayer;
use crate::policy::Policy;
use crate::report::ReportOnly;

/// The enforced policy: fixed, or swappable through a [`ReloadHandle`].
pub(crate) enum PolicyCell {
    Fixed(Arc<Policy>),
    Live(Arc<ArcSwap<Policy>>),
}

impl PolicyCell {
    /// The current policy. A request uses one snapshot from start to end, so a swap never
    /// mixes two policies in one answer.
    #[inline]
    pub(crate) fn load(&self) -> Arc<Policy> {
        match self {
            Self::Fixed(policy) => policy.clone(),
            Self::Live(cell) => cell.load_full(),
        }
    }
}

pub(crate) struct Shared {
    pub(crate) policy: PolicyCell,
    pub(crate) report_only: Option<ReportOnly>,
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let policy = self.policy.load();
        f.debug_struct("Shared")
            .field("policy", &policy)
            .field("live", &matches!(self.policy, PolicyCell::Live(_)))
            .field("report_only", &self.report_only.is_some())
            .finish()
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
/// handle.reload(&CorsLayer::builder().allow_origin(["https://a.example", "https://b.example"]))?;
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
    pub(crate) fn new(cell: Arc<ArcSwap<Policy>>) -> Self {
        Self { cell }
    }

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
    /// let (layer, handle) = CorsLayer::permissive().reloadable();
    /// let err = handle.reload(&CorsLayer::builder()).unwrap_err();
    /// assert_eq!(err.problems()[0].kind(), ProblemKind::NoOriginPolicy);
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
    /// let (layer, handle) = CorsLayer::permissive().reloadable();
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
