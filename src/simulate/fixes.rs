//! Fixes: the configuration change that would let a blocked request through.

use super::{Blocked, BrowserRequest};
use crate::grant::origin::OriginMatcher;
use crate::policy::Policy;
use crate::report::decision::{Decision, Denial};
use crate::report::field::Field;
use crate::report::fix::fix_for_denial as report_fix;

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

/// The fix within the policy that decided, naming its keys (with `policies[i].` in a set), and,
/// for a refused origin, the configured entries it nearly matches.
fn fix_in_policy(denial: &Denial, request: &BrowserRequest, policy: &Policy) -> String {
    let fix = report_fix(denial, Some(request.origin.as_bytes()), &|field| {
        policy.key(field)
    });
    let misses = match (denial, &policy.origin) {
        (Denial::OriginNotAllowed, OriginMatcher::List(list)) => {
            list.near_misses(request.origin.as_bytes(), 3)
        }
        _ => Vec::new(),
    };
    if misses.is_empty() {
        fix
    } else {
        format!("{fix} (near misses: {})", misses.join("; "))
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
    let key = |field: Field| policy.key(field);
    Some(match blocked {
        Blocked::WildcardOriginWithCredentials => format!(
            "list the page's origin in {} instead of \"*\": credentialed requests need the exact origin",
            key(Field::AllowOrigins)
        ),
        Blocked::NoAllowCredentials => format!("set {} = true", key(Field::AllowCredentials)),
        Blocked::PreflightStatus(_) => format!(
            "set {} to a 2xx status (and {} = false)",
            key(Field::PreflightStatus),
            key(Field::StrictPreflight)
        ),
        Blocked::PrivateNetworkNotAllowed => format!(
            "set {} = true (Private Network Access, which only older Chromium versions ask for)",
            key(Field::AllowPrivateNetwork)
        ),
        _ => return None,
    })
}
