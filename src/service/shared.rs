//! What a layer and its services share: the policy (fixed or swappable) and an optional
//! report-only candidate.

use std::fmt;
use std::sync::Arc;

use arc_swap::ArcSwap;

use crate::policy::Policy;
use crate::service::report_only::ReportOnly;

/// The enforced policy: fixed, or swappable through a
/// [`ReloadHandle`](crate::ReloadHandle).
#[derive(Clone)]
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

#[derive(Clone)]
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
