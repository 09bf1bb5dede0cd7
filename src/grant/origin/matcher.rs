//! The compiled origin policy.

use std::fmt;

use super::compile::compile_list;
use super::list::OriginList;
use super::parse::is_wellformed_request_origin;
use super::{AsyncPredicate, OriginSpec, SyncPredicate};
use crate::report::error::{ConfigProblem, ProblemKind};
use crate::report::field::Field;

/// The compiled origin policy.
pub(crate) enum OriginMatcher {
    Any,
    List(OriginList),
    Predicate(SyncPredicate),
    AsyncPredicate(AsyncPredicate),
    Mirror { dangerous: bool },
}

/// What an origin setting says of a request's origin before any function is called: the one
/// rule the evaluation of a request, the choice of a policy in a set and the build-time
/// warnings about hidden policies all follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Admission {
    /// The origin is admitted: `*`, listed, or mirrored.
    Admitted,
    /// The origin is refused: not listed, or not one a mirror echoes.
    Refused,
    /// A function decides, and the origin is well-formed enough to ask it.
    AskFunction,
    /// A function would decide, but the value is no origin a browser sends; it is not asked.
    Malformed,
}

impl OriginMatcher {
    /// What this setting says of `origin`, the bytes of an `Origin` header.
    ///
    /// Mirroring echoes any well-formed origin but `null`, which every sandboxed frame and
    /// `file:` page sends (a policy lists `null` to admit it). A function is asked only about
    /// a well-formed origin (<https://fetch.spec.whatwg.org/#origin-header>), so that it never
    /// sees a value no browser sends.
    #[inline]
    pub(crate) fn admission(&self, origin: &[u8]) -> Admission {
        let admitted = match self {
            Self::Any => true,
            Self::List(list) => list.matches(origin),
            Self::Mirror { .. } => origin != b"null" && is_wellformed_request_origin(origin),
            Self::Predicate(_) | Self::AsyncPredicate(_) => {
                return if is_wellformed_request_origin(origin) {
                    Admission::AskFunction
                } else {
                    Admission::Malformed
                };
            }
        };
        if admitted {
            Admission::Admitted
        } else {
            Admission::Refused
        }
    }

    /// Compiles the configured origins, collecting every problem. `credentials`: whether the
    /// policy allows credentials, which rules out `*` and plain mirroring;
    /// `allow_public_suffixes`: whether subdomain patterns may cover a public suffix.
    pub(crate) fn compile(
        spec: &OriginSpec,
        credentials: bool,
        allow_public_suffixes: bool,
        problems: &mut Vec<ConfigProblem>,
    ) -> Self {
        let problem =
            |value: &str, kind| ConfigProblem::new(Field::AllowOrigins, None, value, kind);
        match spec {
            // No origin setting at all grants nothing, which is safe; it is a warning.
            OriginSpec::Unset => Self::List(OriginList::default()),
            OriginSpec::Any => {
                if credentials {
                    problems.push(problem("*", ProblemKind::AnyOriginWithCredentials));
                }
                Self::Any
            }
            OriginSpec::List(entries) => {
                Self::List(compile_list(entries, allow_public_suffixes, problems))
            }
            OriginSpec::Predicate(f) => Self::Predicate(f.clone()),
            OriginSpec::AsyncPredicate(f) => Self::AsyncPredicate(f.clone()),
            OriginSpec::Mirror => {
                if credentials {
                    problems.push(problem("", ProblemKind::MirrorWithCredentials));
                }
                Self::Mirror { dangerous: false }
            }
            OriginSpec::DangerousMirror => Self::Mirror { dangerous: true },
        }
    }

    /// Whether deciding calls a predicate, which takes the request's [`Parts`](http::request::Parts).
    pub(crate) fn calls_predicate(&self) -> bool {
        matches!(self, Self::Predicate(_) | Self::AsyncPredicate(_))
    }
}

impl fmt::Debug for OriginMatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Any => f.write_str("Any"),
            Self::List(list) => f
                .debug_struct("List")
                .field("exact", &list.exact_count())
                .field("patterns", &list.pattern_count())
                .field("null", &list.null)
                .finish(),
            Self::Predicate(_) => f.write_str("Predicate(..)"),
            Self::AsyncPredicate(_) => f.write_str("AsyncPredicate(..)"),
            Self::Mirror { dangerous } => f
                .debug_struct("Mirror")
                .field("dangerous", dangerous)
                .finish(),
        }
    }
}
