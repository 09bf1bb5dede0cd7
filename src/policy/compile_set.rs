//! Compiling a set of policies: each policy on its own, the path prefixes, the index, and the
//! warnings about policies that an earlier one hides.

use super::paths::{is_ambiguous, normalise_prefix};
use super::set::{PolicySet, Rule};
use super::{Policy, Settings};
use crate::grant::origin::{normalised_exact, Admission, OriginMatcher, OriginSpec};
use crate::report::error::{ConfigProblem, ProblemKind};
use crate::report::field::Field;
use crate::report::warning::{ConfigWarning, WarningKind};

/// The problem of paths on the top-level policy, which is the last resort for every path.
pub(super) fn top_level_paths(paths: &[String]) -> ConfigProblem {
    ConfigProblem::new(
        Field::Paths,
        None,
        paths.join(", "),
        ProblemKind::PathsOnTopLevel,
    )
}

/// Checks the path prefixes of a policy; returns them normalised.
fn compile_paths(paths: &[String], problems: &mut Vec<ConfigProblem>) -> Vec<Box<[u8]>> {
    let mut compiled = Vec::with_capacity(paths.len());
    for (index, path) in paths.iter().enumerate() {
        let well_formed = path.starts_with('/')
            && path
                .bytes()
                .all(|b| b.is_ascii_graphic() && !matches!(b, b'?' | b'#' | b'*'))
            && !is_ambiguous(path.as_bytes());
        if well_formed {
            compiled.push(normalise_prefix(path));
        } else {
            problems.push(ConfigProblem::new(
                Field::Paths,
                Some(index),
                path,
                ProblemKind::InvalidPathPrefix,
            ));
        }
    }
    if paths.is_empty() {
        problems.push(ConfigProblem::new(
            Field::Paths,
            None,
            "",
            ProblemKind::NoPaths,
        ));
    }
    compiled
}

/// Whether a policy answers `*` to everyone.
fn is_static_any(settings: &Settings) -> bool {
    matches!(settings.allow_origin.0, OriginSpec::Any)
}

/// Compiles a set: the top-level policy (with the `problems` found already), then each
/// policy of the set.
pub(super) fn compile_set(
    top: &Settings,
    problems: Vec<ConfigProblem>,
) -> Result<Policy, Vec<ConfigProblem>> {
    // The chosen policy depends on the origin, so every answer varies by it, unless every
    // policy answers `*` to everyone.
    let vary_origin = !(is_static_any(top) && top.policies.iter().all(is_static_any));
    let (top_policy, mut problems) = match top.compile_one(vary_origin, problems) {
        Ok(policy) => (Some(policy), Vec::new()),
        Err(problems) => (None, problems),
    };
    let mut rules = Vec::with_capacity(top.policies.len());
    for (index, settings) in top.policies.iter().enumerate() {
        let mut own = Vec::new();
        if !settings.policies.is_empty() {
            own.push(ConfigProblem::new(
                Field::Policies,
                None,
                "",
                ProblemKind::NestedPolicies,
            ));
        }
        let paths = match &settings.paths {
            Some(paths) => compile_paths(paths, &mut own),
            None => Vec::new(),
        };
        match settings.compile_one(vary_origin, own) {
            Ok(mut policy) => {
                policy.set_index = Some(index);
                rules.push(Rule::new(policy, paths));
            }
            Err(mut own) => {
                for problem in &mut own {
                    problem.at.policy = Some(index);
                }
                problems.extend(own);
            }
        }
    }
    let mut policy = match top_policy {
        Some(policy) if problems.is_empty() => policy,
        _ => return Err(problems),
    };
    let mut warnings = std::mem::take(&mut policy.warnings);
    for (index, rule) in rules.iter().enumerate() {
        let own = &rule.policy.warnings;
        warnings.extend(own.iter().cloned().map(|mut w| {
            w.at.policy = Some(index);
            w
        }));
    }
    warnings.extend(hidden(&rules, &top.policies));
    policy.warnings = warnings;
    policy.calls_predicate |= rules.iter().any(|r| r.policy.calls_predicate);
    policy.set = Some(Box::new(PolicySet::new(rules)));
    Ok(policy)
}

/// Warnings for the origins of a policy that an earlier policy, applying to all of its paths,
/// admits: the later one never decides for them.
fn hidden(rules: &[Rule], settings: &[Settings]) -> Vec<ConfigWarning> {
    let mut warnings = Vec::new();
    for (later, rule) in rules.iter().enumerate() {
        let Some(earlier) = (0..later).find(|&e| {
            rule.covered_by(&rules[e]) && matches!(rules[e].policy.origin, OriginMatcher::Any)
        }) else {
            // Origin by origin, for the listed ones.
            if let OriginSpec::List(entries) = &settings[later].allow_origin.0 {
                for (entry_index, entry) in entries.iter().enumerate() {
                    let origin = normalised_exact(entry);
                    let shadow = (0..later).find(|&e| {
                        rule.covered_by(&rules[e])
                            && admits_listed(&rules[e].policy, origin.as_deref())
                    });
                    if let Some(e) = shadow {
                        let mut warning = ConfigWarning::new(
                            Field::AllowOrigins,
                            Some(entry_index),
                            String::from_utf8_lossy(entry),
                            WarningKind::HiddenByEarlierPolicy { earlier: e },
                        );
                        warning.at.policy = Some(later);
                        warnings.push(warning);
                    }
                }
            }
            continue;
        };
        let mut warning = ConfigWarning::new(
            Field::AllowOrigins,
            None,
            "",
            WarningKind::HiddenByEarlierPolicy { earlier },
        );
        warning.at.policy = Some(later);
        warnings.push(warning);
    }
    warnings
}

/// Whether a policy's origins surely admit a configured entry, as they would the same origin
/// in a request: `origin` is an exact entry (or `null`) normalised as it is for matching, or
/// `None` for a pattern, which only `*` and mirroring surely cover (a pattern never matches
/// `null`). A function's answer is not known before a request.
fn admits_listed(policy: &Policy, origin: Option<&[u8]>) -> bool {
    match origin {
        Some(origin) => policy.origin.admission(origin) == Admission::Admitted,
        None => matches!(
            policy.origin,
            OriginMatcher::Any | OriginMatcher::Mirror { .. }
        ),
    }
}
