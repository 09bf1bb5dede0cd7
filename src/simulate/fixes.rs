//! Fixes: the configuration change that would let a blocked request through.

use super::{Blocked, BrowserRequest};
use crate::grant::origin::OriginMatcher;
use crate::policy::Policy;
use crate::report::decision::{Decision, Denial};

/// The configuration change that would have avoided a denial, naming the policy of a set to
/// change. `top` is the layer's policy.
pub(super) fn fix_for_denial(
    denial: &Denial,
    decision: &Decision,
    request: &BrowserRequest,
    top: &Policy,
) -> String {
    let fix = fix_in_policy(denial, request, top.at(decision.policy()));
    match decision.policy() {
        // The fix names the chosen policy's keys already.
        Some(_) => fix,
        None if !decision.considered().is_empty() => {
            let considered: Vec<String> = decision
                .considered()
                .iter()
                .map(|i| format!("policies[{i}]"))
                .collect();
            format!(
                "{fix} (of the top-level policy, or of one of the policies for this path: {})",
                considered.join(", ")
            )
        }
        None => fix,
    }
}

/// The fix within the policy that decided, naming its keys (with `policies[i].` in a set).
fn fix_in_policy(denial: &Denial, request: &BrowserRequest, policy: &Policy) -> String {
    let origin = String::from_utf8_lossy(request.origin.as_bytes());
    let key = |name: &str| policy.key(name);
    match denial {
        Denial::OriginNotAllowed => {
            let misses = match &policy.origin {
                OriginMatcher::List(list) => list.near_misses(request.origin.as_bytes(), 3),
                _ => Vec::new(),
            };
            if misses.is_empty() {
                format!("add {origin:?} to {}", key("allow_origins"))
            } else {
                format!(
                    "add {origin:?} to {} (near misses: {})",
                    key("allow_origins"),
                    misses.join("; ")
                )
            }
        }
        Denial::OriginRefusedByPredicate => {
            format!("make the origin predicate accept {origin:?}")
        }
        Denial::NullOrigin => format!(
            "add \"null\" to {} (only if sandboxed or file: pages must read the answers)",
            key("allow_origins")
        ),
        Denial::MultipleOrigins | Denial::MalformedOrigin => {
            format!("{origin:?} is not an origin a browser sends: scheme://host[:port], lowercase, no default port")
        }
        Denial::MalformedMethod => "the requested method is not a valid method token".to_owned(),
        Denial::MethodNotAllowed(m) => format!("add {:?} to {}", m.as_str(), key("allow_methods")),
        Denial::MalformedRequestHeaders => {
            "the requested headers are not valid header names".to_owned()
        }
        Denial::TooManyRequestHeaders { limit } => {
            format!("raise {} above {limit}", key("max_request_headers"))
        }
        Denial::RequestHeaderNameTooLong { limit } => {
            format!("raise {} above {limit}", key("max_request_header_name_len"))
        }
        Denial::HeaderNotAllowed(h) => format!("add {:?} to {}", h.as_str(), key("allow_headers")),
        Denial::AuthorizationNotCoveredByWildcard => {
            format!("add \"authorization\" to {} (the \"*\" wildcard never covers it; \"*, authorization\" allows both)", key("allow_headers"))
        }
    }
}

/// The configuration change for a block the layer itself did not decide, naming the keys of
/// the policy that decided (`decision`, with `policies[i].` in a set). `top` is the layer's
/// policy.
pub(super) fn fix_for_block(
    blocked: &Blocked,
    decision: &Decision,
    top: &Policy,
) -> Option<String> {
    let policy = top.at(decision.policy());
    let key = |name: &str| policy.key(name);
    Some(match blocked {
        Blocked::WildcardOriginWithCredentials => format!(
            "list the page's origin in {} instead of \"*\": credentialed requests need the exact origin",
            key("allow_origins")
        ),
        Blocked::NoAllowCredentials => format!("set {} = true", key("allow_credentials")),
        Blocked::PreflightStatus(_) => format!(
            "set {} to a 2xx status (and {} = false)",
            key("preflight_status"),
            key("strict_preflight")
        ),
        Blocked::PrivateNetworkNotAllowed => format!(
            "set {} = true (Private Network Access, which only older Chromium versions ask for)",
            key("allow_private_network")
        ),
        _ => return None,
    })
}
