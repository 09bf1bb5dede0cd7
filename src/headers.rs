//! Allowed request headers and exposed response headers.

use std::cmp::Ordering;

use http::header::GetAll;
use http::{HeaderName, HeaderValue};

use crate::decision::Denial;
use crate::error::{ConfigProblem, ProblemKind};
use crate::field::Field;
use crate::util::{for_each_element, is_token, join_values, trim_ows};

/// Which request headers a preflight may ask for.
///
/// Header names are compared case-insensitively.
///
/// See [`CorsBuilder::allow_headers`](crate::CorsBuilder::allow_headers) for more details.
///
/// # Example
///
/// ```
/// use http::header::{AUTHORIZATION, CONTENT_TYPE};
/// use tower_cors::AllowHeaders;
///
/// let headers = AllowHeaders::list([CONTENT_TYPE, AUTHORIZATION]);
/// let same = AllowHeaders::list(["content-type", "authorization"]);
/// # let _ = (headers, same);
/// ```
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct AllowHeaders(pub(crate) HeaderSpec);

#[derive(Clone, Debug, Default)]
pub(crate) enum HeaderSpec {
    #[default]
    Unset,
    List(Vec<String>),
    Any {
        authorization: bool,
    },
    Mirror,
}

impl AllowHeaders {
    /// Allow the listed headers.
    ///
    /// ```
    /// use tower_cors::AllowHeaders;
    ///
    /// let headers = AllowHeaders::list(["content-type", "x-request-id"]);
    /// # let _ = headers;
    /// ```
    pub fn list<I, T>(headers: I) -> Self
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        Self(HeaderSpec::List(
            headers.into_iter().map(|h| h.as_ref().to_owned()).collect(),
        ))
    }

    /// Allow any header except `Authorization`, which is what `*` means to browsers.
    ///
    /// Without credentials the answer is `Access-Control-Allow-Headers: *`; with credentials
    /// browsers read `*` as a header literally named `*`, so the layer mirrors the requested
    /// headers instead. Either way a preflight asking for `authorization` is refused; use
    /// [`AllowHeaders::any_with_authorization`] to allow it too.
    ///
    /// ```
    /// use tower_cors::AllowHeaders;
    ///
    /// let headers = AllowHeaders::any();
    /// # let _ = headers;
    /// ```
    pub fn any() -> Self {
        Self(HeaderSpec::Any {
            authorization: false,
        })
    }

    /// Allow any header, `Authorization` included (`Access-Control-Allow-Headers: *,
    /// authorization` without credentials, the mirrored list with credentials).
    ///
    /// ```
    /// use tower_cors::AllowHeaders;
    ///
    /// let headers = AllowHeaders::any_with_authorization();
    /// # let _ = headers;
    /// ```
    pub fn any_with_authorization() -> Self {
        Self(HeaderSpec::Any {
            authorization: true,
        })
    }

    /// Allow every requested header by echoing `Access-Control-Request-Headers`
    /// (`Authorization` included).
    ///
    /// ```
    /// use tower_cors::AllowHeaders;
    ///
    /// let headers = AllowHeaders::mirror_request();
    /// # let _ = headers;
    /// ```
    pub fn mirror_request() -> Self {
        Self(HeaderSpec::Mirror)
    }
}

impl From<crate::Any> for AllowHeaders {
    fn from(_: crate::Any) -> Self {
        Self::any()
    }
}

impl From<HeaderName> for AllowHeaders {
    fn from(name: HeaderName) -> Self {
        Self::list([name])
    }
}

impl<T: AsRef<str>, const N: usize> From<[T; N]> for AllowHeaders {
    fn from(names: [T; N]) -> Self {
        Self::list(names)
    }
}

impl<T: AsRef<str>> From<Vec<T>> for AllowHeaders {
    fn from(names: Vec<T>) -> Self {
        Self::list(names)
    }
}

/// Which response headers scripts may read, beyond the CORS-safelisted ones
/// (`Cache-Control`, `Content-Language`, `Content-Length`, `Content-Type`, `Expires`,
/// `Last-Modified`, `Pragma`).
///
/// See [`CorsBuilder::expose_headers`](crate::CorsBuilder::expose_headers) for more details.
///
/// # Example
///
/// ```
/// use tower_cors::ExposeHeaders;
///
/// let headers = ExposeHeaders::list(["x-request-id", "grpc-status"]);
/// # let _ = headers;
/// ```
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct ExposeHeaders(pub(crate) ExposeSpec);

#[derive(Clone, Debug, Default)]
pub(crate) enum ExposeSpec {
    #[default]
    Unset,
    List(Vec<String>),
    Any,
}

impl ExposeHeaders {
    /// Expose the listed headers.
    ///
    /// ```
    /// use tower_cors::ExposeHeaders;
    ///
    /// let headers = ExposeHeaders::list(["x-request-id"]);
    /// # let _ = headers;
    /// ```
    pub fn list<I, T>(headers: I) -> Self
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        Self(ExposeSpec::List(
            headers.into_iter().map(|h| h.as_ref().to_owned()).collect(),
        ))
    }

    /// Expose every header (`Access-Control-Expose-Headers: *`). Browsers ignore the wildcard on
    /// credentialed requests, so combining it with credentials is a configuration error.
    ///
    /// ```
    /// use tower_cors::ExposeHeaders;
    ///
    /// let headers = ExposeHeaders::any();
    /// # let _ = headers;
    /// ```
    pub fn any() -> Self {
        Self(ExposeSpec::Any)
    }
}

impl From<crate::Any> for ExposeHeaders {
    fn from(_: crate::Any) -> Self {
        Self::any()
    }
}

impl From<HeaderName> for ExposeHeaders {
    fn from(name: HeaderName) -> Self {
        Self::list([name])
    }
}

impl<T: AsRef<str>, const N: usize> From<[T; N]> for ExposeHeaders {
    fn from(names: [T; N]) -> Self {
        Self::list(names)
    }
}

impl<T: AsRef<str>> From<Vec<T>> for ExposeHeaders {
    fn from(names: Vec<T>) -> Self {
        Self::list(names)
    }
}

/// Validates and lowercases a list of header names, reporting problems under `field`.
fn compile_names(
    list: &[String],
    field: Field,
    problems: &mut Vec<ConfigProblem>,
) -> Vec<Box<[u8]>> {
    let mut names: Vec<Box<[u8]>> = Vec::with_capacity(list.len());
    for (index, name) in list.iter().enumerate() {
        let problem = |kind| ConfigProblem::new(field, Some(index), name, kind);
        if name == "*" {
            problems.push(problem(ProblemKind::WildcardInList));
        } else if name.trim() != name {
            problems.push(problem(ProblemKind::Whitespace));
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
    pub(crate) fn compile(
        spec: &HeaderSpec,
        credentials: bool,
        problems: &mut Vec<ConfigProblem>,
    ) -> Self {
        match spec {
            HeaderSpec::Unset => Self::List {
                names: Vec::new(),
                header: None,
            },
            HeaderSpec::List(list) => {
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

    /// Checks every name of `Access-Control-Request-Headers`, at most `limit` of them, and
    /// counts them.
    pub(crate) fn check(
        &self,
        requested: &GetAll<'_, HeaderValue>,
        limit: usize,
    ) -> Result<usize, Denial> {
        let mut count = 0usize;
        for_each_element(requested.iter(), |name| {
            count += 1;
            if count > limit {
                return Err(Denial::TooManyRequestHeaders { limit });
            }
            if !is_token(name) {
                return Err(Denial::MalformedRequestHeaders);
            }
            let allowed = match self {
                // Browsers send lowercase names: then a plain comparison gives the same order.
                Self::List { names, .. } if name.iter().any(u8::is_ascii_uppercase) => names
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
        Ok(count)
    }
}

/// The names of `Access-Control-Request-Headers` lines, joined into one value; `None` when
/// there are none.
pub(crate) fn join_request_headers(requested: &GetAll<'_, HeaderValue>) -> Option<HeaderValue> {
    let mut names = Vec::new();
    let _ = for_each_element::<()>(requested.iter(), |n| {
        names.push(n);
        Ok(())
    });
    join_values(names)
}

/// Compares a lowercase name with `name` lowercased, without lowercasing a copy: the order of
/// `lower.cmp(&name.to_ascii_lowercase())`.
fn cmp_to_lowercase(lower: &[u8], name: &[u8]) -> Ordering {
    for (a, b) in lower.iter().zip(name) {
        match a.cmp(&b.to_ascii_lowercase()) {
            Ordering::Equal => {}
            unequal => return unequal,
        }
    }
    lower.len().cmp(&name.len())
}

/// Whether a list has no empty elements and no surrounding whitespace.
pub(crate) fn is_tidy_list(value: &[u8]) -> bool {
    !value.is_empty()
        && trim_ows(value).len() == value.len()
        && value.split(|&b| b == b',').all(|e| !trim_ows(e).is_empty())
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
