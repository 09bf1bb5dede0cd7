//! Allowed request headers and exposed response headers.

use std::cmp::Ordering;

use http::header::GetAll;
use http::{HeaderName, HeaderValue};

use crate::decision::Denial;
use crate::error::{ConfigProblem, ProblemKind};
use crate::field::Field;
use crate::util::{for_each_element, is_token, is_token_byte, join_values, trim_ows};

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

    /// Checks every name of `Access-Control-Request-Headers`, at most `limit` of them.
    pub(crate) fn check(
        &self,
        requested: &GetAll<'_, HeaderValue>,
        limit: usize,
    ) -> Result<Requested, Denial> {
        let mut count = 0usize;
        let one_tidy_line = for_each_name(requested.iter(), |name, shape| {
            count += 1;
            if count > limit {
                return Err(Denial::TooManyRequestHeaders { limit });
            }
            if !shape.token {
                return Err(Denial::MalformedRequestHeaders);
            }
            let allowed = match self {
                // A short list is compared name by name, lengths first: most comparisons end
                // there, and none calls into `memcmp` for nothing.
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

/// What [`HeaderPolicy::check`] found in `Access-Control-Request-Headers`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Requested {
    /// The names.
    pub(crate) count: usize,
    /// One line, without empty elements or whitespace around it: as browsers write it.
    pub(crate) one_tidy_line: bool,
}

/// The longest list of allowed names that is searched name by name instead of by bisection.
const SHORT_LIST: usize = 16;

/// What [`for_each_name`] found out about an element while looking for its end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Shape {
    /// An RFC 9110 token, as header names are.
    token: bool,
    uppercase: bool,
}

/// The bytes of a header name: not one (0), a lowercase one, an uppercase one.
const NAME_LOWERCASE: u8 = 1;
const NAME_UPPERCASE: u8 = 2;
const NAME_BYTES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        if is_token_byte(b) {
            table[i] = if b.is_ascii_uppercase() {
                NAME_UPPERCASE
            } else {
                NAME_LOWERCASE
            };
        }
        i += 1;
    }
    table
};

fn is_whitespace(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// The length of the run of name bytes at the start of `bytes`, and the classes found in it.
/// Out of line, so that this loop, which most of a preflight's check is spent in, keeps its
/// registers to itself.
#[inline(never)]
fn name_at(bytes: &[u8]) -> (usize, u8) {
    let mut classes = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let class = NAME_BYTES[usize::from(b)];
        if class == 0 {
            return (i, classes);
        }
        classes |= class;
    }
    (bytes.len(), classes)
}

/// [`for_each_element`] for lists of header names, telling for each element whether it is a
/// token and has uppercase letters. A name is read in one tight loop over its bytes; only an
/// element that is not a token is looked at again.
///
/// Returns whether the list is one tidy line (see [`is_tidy_list`]), which a mirroring policy
/// sends back as it is.
fn for_each_name<'a, E>(
    values: impl IntoIterator<Item = &'a HeaderValue>,
    mut f: impl FnMut(&'a [u8], Shape) -> Result<(), E>,
) -> Result<bool, E> {
    let (mut lines, mut tidy) = (0, true);
    for value in values {
        let bytes = value.as_bytes();
        lines += 1;
        tidy &= match (bytes.first(), bytes.last()) {
            (Some(&first), Some(&last)) => {
                !is_whitespace(first) && !is_whitespace(last) && last != b','
            }
            _ => false,
        };
        let mut i = 0;
        while i < bytes.len() {
            while i < bytes.len() && is_whitespace(bytes[i]) {
                i += 1;
            }
            if i == bytes.len() {
                break;
            }
            if bytes[i] == b',' {
                tidy = false; // an empty element
                i += 1;
                continue;
            }
            let start = i;
            let (len, classes) = name_at(&bytes[start..]);
            i += len;
            let name = &bytes[start..i];
            while i < bytes.len() && is_whitespace(bytes[i]) {
                i += 1;
            }
            if i == bytes.len() || bytes[i] == b',' {
                let uppercase = classes & NAME_UPPERCASE != 0;
                f(
                    name,
                    Shape {
                        token: true,
                        uppercase,
                    },
                )?;
                i += 1;
                continue;
            }
            // Something else than a name: the element runs to the next comma.
            let end = bytes[i..]
                .iter()
                .position(|&b| b == b',')
                .map_or(bytes.len(), |comma| i + comma);
            let element = trim_ows(&bytes[start..end]);
            let uppercase = element.iter().any(u8::is_ascii_uppercase);
            f(
                element,
                Shape {
                    token: false,
                    uppercase,
                },
            )?;
            i = end + 1;
        }
    }
    Ok(tidy && lines == 1)
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

/// Whether a list has no empty elements and no surrounding whitespace: the oracle
/// [`for_each_name`]'s answer is tested against.
#[cfg(test)]
fn is_tidy_list(value: &[u8]) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

    /// One pass over the bytes finds the elements, in order, that splitting, trimming and
    /// checking each one do.
    #[test]
    fn names_are_the_trimmed_elements() {
        let lists = [
            "content-type,x-custom",
            "Content-Type, X-Custom",
            " a ,, b\t,",
            "",
            " ",
            ",",
            "a b, c",
            "a/b,c",
            "authorization",
            "\ta\t",
            "a ,b",
            "a\tb",
            ", a",
            "a,",
            "A b,c",
            "a,b c,d",
            "a , B ,",
            "a;b",
        ];
        let mut values: Vec<HeaderValue> =
            lists.iter().map(|l| HeaderValue::from_static(l)).collect();
        values.push(HeaderValue::from_bytes(b"x-\xe9t\xe9, y").unwrap());
        for value in &values {
            let mut expected = Vec::new();
            let _ = for_each_element::<()>([value], |e| {
                let uppercase = e.iter().any(u8::is_ascii_uppercase);
                expected.push((
                    e.to_vec(),
                    Shape {
                        token: is_token(e),
                        uppercase,
                    },
                ));
                Ok(())
            });
            let mut found = Vec::new();
            let tidy = for_each_name::<()>([value], |e, shape| {
                found.push((e.to_vec(), shape));
                Ok(())
            });
            assert_eq!(found, expected, "{value:?}");
            assert_eq!(tidy, Ok(is_tidy_list(value.as_bytes())), "{value:?}");
            assert_eq!(
                for_each_name::<()>([value, value], |_, _| Ok(())),
                Ok(false)
            );
        }
    }
}
