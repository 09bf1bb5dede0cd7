//! Development mode: the `cors-debug` header that says why the layer denied something.

use http::{HeaderMap, HeaderValue};

use super::{Policy, Verdict, CORS_DEBUG};
use crate::report::decision::Denial;
use crate::report::fix::fix_for_denial;

impl Policy {
    /// Debug mode: the `cors-debug` value for a denial, the reason and the fix, naming the
    /// setting to change (with its policy, in a set). `None` when the mode is off.
    pub(super) fn debug_value(&self, denial: &Denial) -> Option<HeaderValue> {
        if !self.switches.debug_header {
            return None;
        }
        let fix = fix_for_denial(denial, None, &|field| self.key(field));
        HeaderValue::from_str(&format!("{denial}; {fix}")).ok()
    }

    /// Debug mode: `cors-debug` for a denied verdict, in a map of its own. The mode is asked
    /// first, since the denial of a refused origin is worked out on demand.
    pub(super) fn debug_header_map(&self, verdict: &Verdict<'_>) -> Option<Box<HeaderMap>> {
        if !self.switches.debug_header {
            return None;
        }
        let debug = verdict
            .denial()
            .and_then(|denial| self.debug_value(&denial))?;
        let mut headers = HeaderMap::new();
        headers.insert(CORS_DEBUG, debug);
        Some(Box::new(headers))
    }
}
