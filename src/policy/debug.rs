//! Development mode: the `cors-debug` header that says why the layer denied something.

use http::HeaderValue;

use super::Policy;
use crate::report::decision::Denial;

impl Policy {
    /// Debug mode: the `cors-debug` value for a denial, the reason and the fix, naming the
    /// setting to change (with its policy, in a set). `None` when the mode is off.
    pub(super) fn debug_value(&self, denial: &Denial) -> Option<HeaderValue> {
        if !self.debug_header {
            return None;
        }
        let key = |name: &str| self.key(name);
        let fix = match denial {
            Denial::MultipleOrigins => "send a single Origin header".to_owned(),
            Denial::MalformedOrigin => {
                "browsers send scheme://host[:port], lowercase, without the default port".to_owned()
            }
            Denial::NullOrigin => format!(
                "add \"null\" to {} if sandboxed or file: pages must read the answers",
                key("allow_origins")
            ),
            Denial::OriginNotAllowed => format!("add the origin to {}", key("allow_origins")),
            Denial::OriginRefusedByPredicate => {
                "make the origin predicate accept the origin".to_owned()
            }
            Denial::MalformedMethod => {
                "send one method token in Access-Control-Request-Method".to_owned()
            }
            Denial::MethodNotAllowed(_) => format!("add it to {}", key("allow_methods")),
            Denial::MalformedRequestHeaders => {
                "send header names in Access-Control-Request-Headers".to_owned()
            }
            Denial::TooManyRequestHeaders { .. } => format!("raise {}", key("max_request_headers")),
            Denial::RequestHeaderNameTooLong { .. } => {
                format!("raise {}", key("max_request_header_name_len"))
            }
            Denial::HeaderNotAllowed(_) => format!("add it to {}", key("allow_headers")),
            Denial::AuthorizationNotCoveredByWildcard => format!(
                "add \"authorization\" to {} (\"*, authorization\" allows both)",
                key("allow_headers")
            ),
        };
        HeaderValue::from_str(&format!("{denial}; {fix}")).ok()
    }
}
