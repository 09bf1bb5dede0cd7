//! Allowed request headers (`Access-Control-Allow-Headers`,
//! <https://fetch.spec.whatwg.org/#http-access-control-allow-headers>) and exposed response
//! headers (`Access-Control-Expose-Headers`,
//! <https://fetch.spec.whatwg.org/#http-access-control-expose-headers>). `*` means "any" only
//! without credentials, and never covers `Authorization`
//! (<https://fetch.spec.whatwg.org/#cors-non-wildcard-request-header-name>).

use http::HeaderName;

use crate::grant::fetch::{is_forbidden_header_name, is_never_exposed};
use crate::report::field::Field;
use crate::report::warning::{ConfigWarning, WarningKind};

mod policy;
mod request_list;

pub(crate) use policy::{compile_expose, HeaderPolicy};
pub(crate) use request_list::{join_request_headers, Requested};

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

impl AllowHeaders {
    /// The warnings of the listed headers: those browsers never let a page set.
    pub(crate) fn warnings(&self, out: &mut Vec<ConfigWarning>) {
        if let HeaderSpec::List(names) = &self.0 {
            for (index, name) in names.iter().enumerate() {
                if is_forbidden_header_name(&name.to_ascii_lowercase()) {
                    out.push(ConfigWarning::new(
                        Field::AllowHeaders,
                        Some(index),
                        name,
                        WarningKind::ForbiddenRequestHeader,
                    ));
                }
            }
        }
    }
}

impl ExposeHeaders {
    /// The warnings of the exposed headers: those browsers never show to a page.
    pub(crate) fn warnings(&self, out: &mut Vec<ConfigWarning>) {
        if let ExposeSpec::List(names) = &self.0 {
            for (index, name) in names.iter().enumerate() {
                if is_never_exposed(&name.to_ascii_lowercase()) {
                    out.push(ConfigWarning::new(
                        Field::ExposeHeaders,
                        Some(index),
                        name,
                        WarningKind::NeverExposed,
                    ));
                }
            }
        }
    }
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
