//! The browser's side: the Fetch Standard's CORS check and CORS-preflight fetch, applied to
//! the answers the layer would give.

use std::fmt;

use http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, AUTHORIZATION,
};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};

use super::{BrowserRequest, Exchange};
use crate::methods::is_safelisted_method;
use crate::policy::ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK;
use crate::util::for_each_element;

/// Why the browser refuses to let the page read the response.
///
/// ```
/// use http::Method;
/// use tower_cors::{Blocked, BrowserRequest, CorsLayer};
///
/// let layer = CorsLayer::builder().allow_origin("https://app.example.com").build()?;
/// let request = BrowserRequest::new("https://app.example.com", Method::GET)?.credentials(true);
/// let simulation = layer.simulate(&request);
/// assert_eq!(simulation.blocked, Some(Blocked::NoAllowCredentials));
/// assert_eq!(simulation.fixes, ["set allow_credentials = true"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Blocked {
    /// The preflight's status is not 2xx.
    PreflightStatus(StatusCode),
    /// No `Access-Control-Allow-Origin`.
    NoAllowOrigin,
    /// `Access-Control-Allow-Origin` names another origin.
    AllowOriginMismatch(HeaderValue),
    /// `Access-Control-Allow-Origin: *` on a credentialed request.
    WildcardOriginWithCredentials,
    /// A credentialed request without `Access-Control-Allow-Credentials: true`.
    NoAllowCredentials,
    /// The preflight does not allow the method.
    MethodNotAllowed(Method),
    /// The preflight does not allow a header.
    HeaderNotAllowed(HeaderName),
    /// The preflight does not grant private network access.
    PrivateNetworkNotAllowed,
}

impl fmt::Display for Blocked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PreflightStatus(s) => write!(f, "the preflight answer has status {s}, not 2xx"),
            Self::NoAllowOrigin => f.write_str("the answer has no Access-Control-Allow-Origin"),
            Self::AllowOriginMismatch(v) => write!(
                f,
                "Access-Control-Allow-Origin is {:?}, not the page's origin",
                String::from_utf8_lossy(v.as_bytes())
            ),
            Self::WildcardOriginWithCredentials => f.write_str(
                "Access-Control-Allow-Origin is \"*\", which is refused on credentialed requests",
            ),
            Self::NoAllowCredentials => f.write_str(
                "the request includes credentials and the answer lacks Access-Control-Allow-Credentials: true",
            ),
            Self::MethodNotAllowed(m) => write!(
                f,
                "Access-Control-Allow-Methods does not include {:?}",
                m.as_str()
            ),
            Self::HeaderNotAllowed(h) => write!(
                f,
                "Access-Control-Allow-Headers does not include {:?}",
                h.as_str()
            ),
            Self::PrivateNetworkNotAllowed => {
                f.write_str("the preflight answer lacks Access-Control-Allow-Private-Network: true")
            }
        }
    }
}

/// The CORS check: can the page read a response with these headers?
pub(super) fn cors_check(request: &BrowserRequest, headers: &HeaderMap) -> Result<(), Blocked> {
    let mut values = headers.get_all(ACCESS_CONTROL_ALLOW_ORIGIN).iter();
    let origin = match (values.next(), values.next()) {
        (Some(v), None) => v,
        (None, _) => return Err(Blocked::NoAllowOrigin),
        (Some(v), Some(_)) => return Err(Blocked::AllowOriginMismatch(v.clone())),
    };
    if origin == "*" {
        if request.credentials {
            return Err(Blocked::WildcardOriginWithCredentials);
        }
    } else if origin != request.origin {
        return Err(Blocked::AllowOriginMismatch(origin.clone()));
    }
    if request.credentials
        && headers
            .get(ACCESS_CONTROL_ALLOW_CREDENTIALS)
            .is_none_or(|v| v != "true")
    {
        return Err(Blocked::NoAllowCredentials);
    }
    Ok(())
}

fn list_contains(
    headers: &HeaderMap,
    name: HeaderName,
    item: &[u8],
    case_insensitive: bool,
) -> bool {
    let mut found = false;
    let _ = for_each_element::<()>(headers.get_all(name).iter(), |element| {
        if element == item || (case_insensitive && element.eq_ignore_ascii_case(item)) {
            found = true;
            return Err(());
        }
        Ok(())
    });
    found
}

/// The CORS-preflight fetch's checks after the CORS check.
pub(super) fn preflight_check(
    request: &BrowserRequest,
    exchange: &Exchange,
) -> Result<(), Blocked> {
    let status = exchange.status.unwrap_or(StatusCode::OK);
    if !status.is_success() {
        return Err(Blocked::PreflightStatus(status));
    }
    cors_check(request, &exchange.headers)?;
    let h = &exchange.headers;
    if request.private_network
        && h.get(ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK)
            .is_none_or(|v| v != "true")
    {
        return Err(Blocked::PrivateNetworkNotAllowed);
    }
    let method = request.method.as_str().as_bytes();
    let wildcard_ok = !request.credentials;
    let method_allowed = is_safelisted_method(method)
        || list_contains(h, ACCESS_CONTROL_ALLOW_METHODS, method, false)
        || (wildcard_ok && list_contains(h, ACCESS_CONTROL_ALLOW_METHODS, b"*", false));
    if !method_allowed {
        return Err(Blocked::MethodNotAllowed(request.method.clone()));
    }
    for name in request.unsafe_header_names() {
        let listed = list_contains(h, ACCESS_CONTROL_ALLOW_HEADERS, name.as_bytes(), true);
        let wildcard = wildcard_ok
            && name != AUTHORIZATION.as_str()
            && list_contains(h, ACCESS_CONTROL_ALLOW_HEADERS, b"*", false);
        if !listed && !wildcard {
            let name = HeaderName::from_bytes(name.as_bytes()).unwrap_or(AUTHORIZATION);
            return Err(Blocked::HeaderNotAllowed(name));
        }
    }
    Ok(())
}
