//! Development mode: the `cors-debug` header that says why the layer denied something.

use http::HeaderValue;

use super::Policy;
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
}
