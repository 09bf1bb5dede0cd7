//! The browser's side: the Fetch Standard's CORS check and CORS-preflight fetch, applied to
//! an answer's status and headers, whoever sent them (the layer in a dry run, or a live
//! server).

use std::fmt;

use http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, AUTHORIZATION,
};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};

use super::BrowserRequest;
use crate::grant::methods::is_safelisted_method;
use crate::grant::util::for_each_element;
use crate::policy::ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK;

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
    /// The preflight's status is not 2xx (a redirect included: browsers never follow one for
    /// a preflight).
    PreflightStatus(StatusCode),
    /// No `Access-Control-Allow-Origin`.
    NoAllowOrigin,
    /// `Access-Control-Allow-Origin` names another origin.
    AllowOriginMismatch(HeaderValue),
    /// `Access-Control-Allow-Origin` holds several values (several header lines, or a list);
    /// the value is all of them as the browser reads them, joined with `", "`.
    MultipleAllowOrigins(HeaderValue),
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
    /// The page is on an `https://` origin and the URL (the first, or a redirect's) is a
    /// plain `http://` URL on a host that is not loopback: browsers block such mixed content
    /// before sending anything.
    MixedContent(Uri),
    /// A WebSocket handshake answered with this status instead of `101 Switching Protocols`:
    /// the server refused the connection.
    HandshakeRefused(StatusCode),
}

impl fmt::Display for Blocked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = |v: &HeaderValue| String::from_utf8_lossy(v.as_bytes()).into_owned();
        match self {
            Self::PreflightStatus(s) if s.is_redirection() => write!(
                f,
                "the preflight answer is a redirect ({s}); browsers never follow redirects for a preflight"
            ),
            Self::PreflightStatus(s) => write!(f, "the preflight answer has status {s}, not 2xx"),
            Self::NoAllowOrigin => f.write_str("the answer has no Access-Control-Allow-Origin"),
            Self::AllowOriginMismatch(v) => write!(
                f,
                "Access-Control-Allow-Origin is {:?}, not the page's origin",
                text(v)
            ),
            Self::MultipleAllowOrigins(v) => write!(
                f,
                "Access-Control-Allow-Origin has several values ({:?}); only one is allowed",
                text(v)
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
            Self::HandshakeRefused(status) => write!(
                f,
                "the server refused the WebSocket handshake with {status} (browsers apply no CORS check to WebSockets; the server decides by the Origin alone)"
            ),
            Self::MixedContent(url) => write!(
                f,
                "the page is on an https:// origin and {:?} is not a secure URL: browsers block \
                 this mixed content and send nothing",
                url.to_string()
            ),
        }
    }
}

impl std::error::Error for Blocked {}

/// A header as the Fetch Standard "gets" it: every line's value joined with `", "`, empty
/// ones included (which is why this is not `util::join_values`).
fn combined(headers: &HeaderMap, name: HeaderName) -> Option<HeaderValue> {
    let mut values = headers.get_all(name).iter();
    let first = values.next()?;
    let mut joined = first.as_bytes().to_vec();
    for value in values {
        joined.extend_from_slice(b", ");
        joined.extend_from_slice(value.as_bytes());
    }
    // Valid values joined with ", " are a valid value.
    Some(HeaderValue::from_bytes(&joined).unwrap_or_else(|_| first.clone()))
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

impl BrowserRequest {
    /// The Fetch Standard's CORS check: whether the page may read an answer with these
    /// headers. The browser applies it to the actual response, to every redirect on the way
    /// to it, and to the preflight's answer (as part of
    /// [`check_preflight`](Self::check_preflight)).
    ///
    /// ```
    /// use http::{header, HeaderMap, HeaderValue, Method};
    /// use tower_cors::{Blocked, BrowserRequest};
    ///
    /// let request = BrowserRequest::new("https://app.example.com", Method::GET)?;
    /// let mut headers = HeaderMap::new();
    /// assert_eq!(request.check_response(&headers), Err(Blocked::NoAllowOrigin));
    ///
    /// headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    /// assert_eq!(request.check_response(&headers), Ok(()));
    /// // `*` never serves a request with credentials.
    /// let with_cookies = request.clone().credentials(true);
    /// assert_eq!(
    ///     with_cookies.check_response(&headers),
    ///     Err(Blocked::WildcardOriginWithCredentials)
    /// );
    ///
    /// // Two lines (a proxy and the application both adding the header) are two values.
    /// headers.append(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    /// assert_eq!(
    ///     request.check_response(&headers),
    ///     Err(Blocked::MultipleAllowOrigins(HeaderValue::from_static("*, *")))
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The reason the browser blocks the answer.
    pub fn check_response(&self, headers: &HeaderMap) -> Result<(), Blocked> {
        let Some(origin) = combined(headers, ACCESS_CONTROL_ALLOW_ORIGIN) else {
            return Err(Blocked::NoAllowOrigin);
        };
        if origin == "*" {
            if self.credentials {
                return Err(Blocked::WildcardOriginWithCredentials);
            }
        } else if origin != self.origin {
            // Several lines are joined with `", "`, so a comma tells them apart from one.
            if origin.as_bytes().contains(&b',') {
                return Err(Blocked::MultipleAllowOrigins(origin));
            }
            return Err(Blocked::AllowOriginMismatch(origin));
        }
        if self.credentials
            && combined(headers, ACCESS_CONTROL_ALLOW_CREDENTIALS).is_none_or(|v| v != "true")
        {
            return Err(Blocked::NoAllowCredentials);
        }
        Ok(())
    }

    /// The CORS-preflight fetch's checks on the preflight's answer: a 2xx status, the CORS
    /// check, then the method, every header of
    /// [`unsafe_header_names`](Self::unsafe_header_names) and, when asked for, private network
    /// access. Only when they pass does the browser send the actual request.
    ///
    /// ```
    /// use http::{header, HeaderMap, HeaderValue, Method, StatusCode};
    /// use tower_cors::{Blocked, BrowserRequest};
    ///
    /// let request = BrowserRequest::new("https://app.example.com", Method::PUT)?
    ///     .header("x-custom", "1")?;
    /// let mut headers = HeaderMap::new();
    /// headers.insert(
    ///     header::ACCESS_CONTROL_ALLOW_ORIGIN,
    ///     HeaderValue::from_static("https://app.example.com"),
    /// );
    /// headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, PUT"));
    /// assert_eq!(
    ///     request.check_preflight(StatusCode::NO_CONTENT, &headers),
    ///     Err(Blocked::HeaderNotAllowed(header::HeaderName::from_static("x-custom")))
    /// );
    ///
    /// headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("X-Custom"));
    /// assert_eq!(request.check_preflight(StatusCode::NO_CONTENT, &headers), Ok(()));
    /// // A redirect is not followed: the preflight fails.
    /// assert_eq!(
    ///     request.check_preflight(StatusCode::MOVED_PERMANENTLY, &headers),
    ///     Err(Blocked::PreflightStatus(StatusCode::MOVED_PERMANENTLY))
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The reason the preflight fails, which stops the browser from sending the request.
    pub fn check_preflight(&self, status: StatusCode, headers: &HeaderMap) -> Result<(), Blocked> {
        if !status.is_success() {
            return Err(Blocked::PreflightStatus(status));
        }
        self.check_response(headers)?;
        let h = headers;
        if self.private_network
            && combined(h, ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK).is_none_or(|v| v != "true")
        {
            return Err(Blocked::PrivateNetworkNotAllowed);
        }
        let method = self.method.as_str().as_bytes();
        let wildcard_ok = !self.credentials;
        let method_allowed = is_safelisted_method(method)
            || list_contains(h, ACCESS_CONTROL_ALLOW_METHODS, method, false)
            || (wildcard_ok && list_contains(h, ACCESS_CONTROL_ALLOW_METHODS, b"*", false));
        if !method_allowed {
            return Err(Blocked::MethodNotAllowed(self.method.clone()));
        }
        for name in self.unsafe_header_names() {
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
}
