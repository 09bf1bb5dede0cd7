//! The compiled origin policy.

use std::fmt;

use super::compile::compile_list;
use super::list::OriginList;
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

/// Whether mirroring admits a request's origin: any well-formed origin but `null`, which
/// every sandboxed frame and `file:` page sends (a mirroring policy lists it to admit it).
#[inline]
pub(crate) fn mirror_admits(origin: &[u8]) -> bool {
    origin != b"null" && super::is_wellformed_request_origin(origin)
}

impl OriginMatcher {
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
