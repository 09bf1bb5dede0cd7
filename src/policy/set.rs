//! Sets of policies: different grants per origin and per path in one layer.
//!
//! A set is an ordered list of policies, each with the path prefixes it applies to (none: every
//! path), in front of the top-level policy, the last resort. The first policy whose paths match
//! the request and whose origins admit its origin decides everything about the request.

use std::collections::HashMap;
use std::sync::Arc;

use http::header::ORIGIN;
use http::request::Parts;
use http::HeaderValue;

use super::paths::{is_ambiguous, is_under};
use super::{Evaluation, Head, Policy, Verdict};
use crate::grant::origin::{Admission, LookupHashBuilder, OriginMatcher};
use crate::report::decision::{Decision, Denial};

/// The policies in front of the top-level one.
#[derive(Debug)]
pub(crate) struct PolicySet {
    rules: Vec<Rule>,
    /// Each exact origin, to the rules that list it, in order: choosing among rules of exact
    /// origins is one lookup, however many there are.
    exact: HashMap<Box<[u8]>, Vec<usize>, LookupHashBuilder>,
    /// The rules that admit more than exact origins (patterns, `null`, `*`, mirroring,
    /// predicates), in order: these are asked in turn.
    others: Vec<usize>,
}

/// One policy of a set.
#[derive(Debug)]
pub(crate) struct Rule {
    pub(crate) policy: Arc<Policy>,
    /// Normalised prefixes without a trailing `/` (`""` for `/`); empty: every path.
    paths: Vec<Box<[u8]>>,
}

/// The policy chosen for a request (its `set_index` says which of the set).
#[derive(Clone, Copy)]
pub(crate) struct Selected<'a> {
    pub(crate) policy: &'a Arc<Policy>,
    /// Whether choosing it found that its origins admit the request's origin: then its
    /// evaluation does not ask them again (a sync predicate is called once per request).
    origin_admitted: bool,
}

impl Rule {
    pub(crate) fn new(policy: Policy, paths: Vec<Box<[u8]>>) -> Self {
        Self {
            policy: Arc::new(policy),
            paths,
        }
    }

    /// Whether the rule applies to a request path. A rule limited to some paths never applies
    /// to a path that another server could read as a different one (see [`is_ambiguous`]).
    pub(crate) fn applies_to(&self, path: &[u8]) -> bool {
        self.paths.is_empty()
            || (!is_ambiguous(path) && self.paths.iter().any(|prefix| is_under(path, prefix)))
    }

    /// Whether every path this rule applies to, `earlier` applies to as well.
    pub(crate) fn covered_by(&self, earlier: &Rule) -> bool {
        earlier.paths.is_empty()
            || (!self.paths.is_empty()
                && self
                    .paths
                    .iter()
                    .all(|p| earlier.paths.iter().any(|e| is_under(p, e))))
    }
}

impl PolicySet {
    pub(crate) fn new(rules: Vec<Rule>) -> Self {
        let mut exact: HashMap<Box<[u8]>, Vec<usize>, LookupHashBuilder> = HashMap::default();
        let mut others = Vec::new();
        for (index, rule) in rules.iter().enumerate() {
            match &rule.policy.origin {
                OriginMatcher::List(list) => {
                    for origin in list.exact_origins() {
                        exact.entry(origin.into()).or_default().push(index);
                    }
                    if !list.is_exact_only() {
                        others.push(index);
                    }
                }
                _ => others.push(index),
            }
        }
        Self {
            rules,
            exact,
            others,
        }
    }

    /// The indices of the rules that apply to a path: the ones a refused request was
    /// considered for.
    pub(crate) fn considered(&self, path: &[u8]) -> Vec<usize> {
        (0..self.rules.len())
            .filter(|&i| self.rules[i].applies_to(path))
            .collect()
    }

    /// The first rule whose paths match and whose origins admit the request's origin, and
    /// whether they were found to admit it (not for a request without `Origin`, nor for an
    /// async predicate, whose check is still to run).
    fn choose(
        &self,
        head: Head<'_>,
        parts: &dyn Fn() -> Parts,
        given: Option<&Parts>,
    ) -> Option<(usize, bool)> {
        let path = head.uri.path().as_bytes();
        let mut origins = head.headers.get_all(ORIGIN).iter();
        let Some(origin) = origins.next() else {
            // Not a CORS request: the first rule for the path answers it, so that a rule open
            // to everyone says so to every request (and any other varies by origin).
            return (0..self.rules.len())
                .find(|&i| self.rules[i].applies_to(path))
                .map(|i| (i, false));
        };
        if origins.next().is_some() {
            return None; // refused by the top-level policy
        }
        let listing: &[usize] = self.exact.get(origin.as_bytes()).map_or(&[], Vec::as_slice);
        // Both lists are in rule order; walk them together.
        let (mut a, mut b) = (listing.iter().peekable(), self.others.iter().peekable());
        loop {
            let (index, listed) = match (a.peek(), b.peek()) {
                (None, None) => return None,
                (Some(&&x), Some(&&y)) if x <= y => {
                    a.next();
                    if x == y {
                        b.next();
                    }
                    (x, true)
                }
                (Some(&&x), None) => {
                    a.next();
                    (x, true)
                }
                (_, Some(&&y)) => {
                    b.next();
                    (y, false)
                }
            };
            let rule = &self.rules[index];
            if rule.applies_to(path) && (listed || admits(&rule.policy, origin, parts, given)) {
                let admitted = !matches!(rule.policy.origin, OriginMatcher::AsyncPredicate(_));
                return Some((index, admitted));
            }
        }
    }
}

/// Whether a policy's origins admit an origin, for choosing among the rules of a set. An async
/// predicate cannot be asked here: its rule is chosen, and its check decides.
fn admits(
    policy: &Policy,
    origin: &HeaderValue,
    parts: &dyn Fn() -> Parts,
    given: Option<&Parts>,
) -> bool {
    match (policy.origin.admission(origin.as_bytes()), &policy.origin) {
        (Admission::Admitted, _) => true,
        (Admission::Refused | Admission::Malformed, _) => false,
        (Admission::AskFunction, OriginMatcher::Predicate(f)) => match given {
            Some(given) => f(origin, given),
            None => f(origin, &parts()),
        },
        // Chosen, and its own check decides.
        (Admission::AskFunction, _) => true,
    }
}

impl<'p> Selected<'p> {
    /// The decision for a verdict of the chosen policy: which policy decided and, for an
    /// origin that no policy of the set admitted, which policies were considered. `top` is
    /// the layer's policy, which the choice was made in.
    pub(crate) fn decision(&self, top: &Policy, verdict: &Verdict<'_>, path: &str) -> Decision {
        let mut decision = self.policy.decision(verdict);
        if let (None, Some(set)) = (self.policy.set_index, &top.set) {
            if decision
                .denial
                .as_ref()
                .is_some_and(Denial::is_origin_refusal)
            {
                decision.considered = set.considered(path.as_bytes());
            }
        }
        decision
    }

    /// The chosen policy's evaluation of the request head (see [`Policy::evaluate_chosen`]).
    #[inline]
    pub(crate) fn evaluate<'h>(&self, head: Head<'h>, parts: Option<&Parts>) -> Evaluation<'h>
    where
        'p: 'h,
    {
        self.policy
            .evaluate_chosen(head, parts, self.origin_admitted)
    }
}

impl Policy {
    /// The policy that decides a request: for a set, the first policy whose paths and origins
    /// admit it, or else the top-level one (which then refuses it, unless it admits the
    /// origin itself).
    #[inline]
    pub(crate) fn select<'a>(
        self: &'a Arc<Self>,
        head: Head<'_>,
        parts: Option<&Parts>,
    ) -> Selected<'a> {
        let top = Selected {
            policy: self,
            origin_admitted: false,
        };
        let Some(set) = &self.set else {
            return top;
        };
        match set.choose(head, &|| head.to_parts(), parts) {
            Some((index, origin_admitted)) => Selected {
                policy: &set.rules[index].policy,
                origin_admitted,
            },
            None => top,
        }
    }

    /// The policy at an index of the set (`None`: this, the top-level one).
    pub(crate) fn at(&self, index: Option<usize>) -> &Policy {
        match (index, &self.set) {
            (Some(i), Some(set)) if i < set.rules.len() => &set.rules[i].policy,
            _ => self,
        }
    }
}
