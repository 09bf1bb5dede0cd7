//! Development mode: the `cors-debug` header that says why the layer denied something.

use http::{HeaderMap, HeaderValue};

use super::{Policy, Verdict, CORS_DEBUG};
use crate::report::fix::fix_for_denial;

impl Policy {
    /// Debug mode: `cors-debug` for a denied verdict, the reason and the fix naming the setting
    /// to change (with its policy, in a set), in a map of its own. `None` when the mode is off
    /// or the verdict is not a denial. The mode is asked first, since the denial of a refused
    /// origin is worked out on demand.
    #[inline]
    pub(super) fn debug_header_map(&self, verdict: &Verdict<'_>) -> Option<Box<HeaderMap>> {
        if !self.switches.debug_header {
            return None;
        }
        self.explain_denial(verdict)
    }

    /// The work of [`Policy::debug_header_map`] with the mode on: kept out of the frame of
    /// every denial, as the mode is for development.
    #[cold]
    #[inline(never)]
    fn explain_denial(&self, verdict: &Verdict<'_>) -> Option<Box<HeaderMap>> {
        let denial = verdict.denial()?;
        let fix = fix_for_denial(&denial, None, &|field| self.key(field));
        let value = HeaderValue::from_str(&format!("{denial}; {fix}")).ok()?;
        let mut headers = HeaderMap::new();
        headers.insert(CORS_DEBUG, value);
        Some(Box::new(headers))
    }
}
