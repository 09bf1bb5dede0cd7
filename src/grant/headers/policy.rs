//! The compiled request-header policy and exposed headers.

use http::header::GetAll;
use http::{HeaderName, HeaderValue};

use super::request_list::{cmp_to_lowercase, for_each_name, listed_line, Requested, SHORT_LIST};
use super::{ExposeSpec, HeaderSpec};
use crate::grant::util::{is_token, join_values, list_entry_problem};
use crate::report::decision::Denial;
use crate::report::error::{ConfigProblem, ProblemKind};
use crate::report::field::Field;

/// Validates and lowercases a list of header names, reporting problems under `field`.
fn compile_names(
    list: &[String],
    field: Field,
    problems: &mut Vec<ConfigProblem>,
) -> Vec<Box<[u8]>> {
    let mut names: Vec<Box<[u8]>> = Vec::with_capacity(list.len());
    for (index, name) in list.iter().enumerate() {
        let problem = |kind| ConfigProblem::new(field, Some(index), name, kind);
        if let Some(kind) = list_entry_problem(name.as_bytes()) {
            problems.push(problem(kind));
        } else if !is_token(name.as_bytes()) {
            problems.push(problem(ProblemKind::InvalidHeaderName));
        } else {
            let lower: Box<[u8]> = name.to_ascii_lowercase().into_bytes().into();
            if !names.contains(&lower) {
                names.push(lower);
            }
        }
    }
    names
}

/// The compiled request-header policy.
#[derive(Debug)]
pub(crate) enum HeaderPolicy {
    List {
        /// Sorted lowercase names.
        names: Vec<Box<[u8]>>,
        header: Option<HeaderValue>,
    },
    /// `*` (or `*, authorization`) sent as is.
    Wildcard {
        authorization: bool,
        header: HeaderValue,
    },
    /// Echo the requested headers; `authorization` only when allowed.
    Mirror { authorization: bool },
}

impl HeaderPolicy {
    /// Compiles the request-header setting; `name_limit` is the longest name a preflight may
    /// ask for, which a listed name must not exceed.
    pub(crate) fn compile(
        spec: &HeaderSpec,
        credentials: bool,
        name_limit: usize,
        problems: &mut Vec<ConfigProblem>,
    ) -> Self {
        match spec {
            HeaderSpec::Unset => Self::List {
                names: Vec::new(),
                header: None,
            },
            HeaderSpec::List(list) => {
                for (index, name) in list.iter().enumerate() {
                    if name.len() > name_limit && name_limit > 0 {
                        problems.push(ConfigProblem::new(
                            Field::AllowHeaders,
                            Some(index),
                            name,
                            ProblemKind::HeaderNameOverLimit,
                        ));
                    }
                }
                let mut names = compile_names(list, Field::AllowHeaders, problems);
                let header = join_values(names.iter().map(|n| &**n));
                names.sort();
                Self::List { names, header }
            }
            HeaderSpec::Any { authorization } if !credentials => Self::Wildcard {
                authorization: *authorization,
                header: HeaderValue::from_static(if *authorization {
                    "*, authorization"
                } else {
                    "*"
                }),
            },
            HeaderSpec::Any { authorization } => Self::Mirror {
                authorization: *authorization,
            },
            HeaderSpec::Mirror => Self::Mirror {
                authorization: true,
            },
        }
    }

    /// Checks every name of `Access-Control-Request-Headers`, at most `limit` of them, each
    /// at most `name_limit` bytes long (a listed name is never longer: see
    /// [`HeaderPolicy::compile`]).
    pub(crate) fn check(
        &self,
        requested: &GetAll<'_, HeaderValue>,
        limit: usize,
        name_limit: usize,
    ) -> Result<Requested, Denial> {
        // The usual preflight first: one line of names a short list allows.
        if let Self::List { names, .. } = self {
            let mut lines = requested.iter();
            if let (true, Some(line), None) =
                (names.len() <= SHORT_LIST, lines.next(), lines.next())
            {
                if let Some(requested) = listed_line(line.as_bytes(), names, limit) {
                    return Ok(requested);
                }
            }
        }
        let mut count = 0usize;
        let one_tidy_line = for_each_name(requested.iter(), |name, shape| {
            count += 1;
            if count > limit {
                return Err(Denial::TooManyRequestHeaders { limit });
            }
            if !shape.token {
                return Err(Denial::MalformedRequestHeaders);
            }
            if name.len() > name_limit {
                return Err(Denial::RequestHeaderNameTooLong { limit: name_limit });
            }
            let allowed = match self {
                // A short list is compared name by name, lengths first, where most
                // comparisons end.
                Self::List { names, .. } if names.len() <= SHORT_LIST => names.iter().any(|n| {
                    n.len() == name.len()
                        && if shape.uppercase {
                            n.eq_ignore_ascii_case(name)
                        } else {
                            **n == *name
                        }
                }),
                // Browsers send lowercase names: then a plain comparison gives the same order.
                Self::List { names, .. } if shape.uppercase => names
                    .binary_search_by(|n| cmp_to_lowercase(n, name))
                    .is_ok(),
                Self::List { names, .. } => names.binary_search_by(|n| (**n).cmp(name)).is_ok(),
                Self::Wildcard { authorization, .. } | Self::Mirror { authorization } => {
                    *authorization || !name.eq_ignore_ascii_case(b"authorization")
                }
            };
            if allowed {
                return Ok(());
            }
            let name = HeaderName::from_bytes(name).map_err(|_| Denial::MalformedRequestHeaders)?;
            Err(match self {
                Self::List { .. } => Denial::HeaderNotAllowed(name),
                _ => Denial::AuthorizationNotCoveredByWildcard,
            })
        })?;
        Ok(Requested {
            count,
            one_tidy_line,
        })
    }
}

/// The compiled `Access-Control-Expose-Headers` value.
pub(crate) fn compile_expose(
    spec: &ExposeSpec,
    credentials: bool,
    problems: &mut Vec<ConfigProblem>,
) -> Option<HeaderValue> {
    match spec {
        ExposeSpec::Unset => None,
        ExposeSpec::Any if credentials => {
            problems.push(ConfigProblem::new(
                Field::ExposeHeaders,
                None,
                "*",
                ProblemKind::AnyExposeWithCredentials,
            ));
            None
        }
        ExposeSpec::Any => Some(HeaderValue::from_static("*")),
        ExposeSpec::List(list) => {
            let names = compile_names(list, Field::ExposeHeaders, problems);
            join_values(names.iter().map(|n| &**n))
        }
    }
}
