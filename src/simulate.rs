//! What a browser concludes from the layer's answers: a dry run of a cross-origin `fetch`.
//!
//! The layer's side uses the same evaluation and header functions as the service; the
//! browser's side follows the Fetch Standard's CORS check and CORS-preflight fetch.

use std::fmt;

use http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD,
    AUTHORIZATION, ORIGIN,
};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, StatusCode, Uri};

use crate::decision::{Decision, Denial, RequestKind};
use crate::layer::CorsLayer;
use crate::methods::is_safelisted_method;
use crate::origin::OriginMatcher;
use crate::policy::{
    Evaluation, Head, Route, ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK,
    ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK,
};
use crate::util::{for_each_element, trim_ows};

/// A cross-origin request as a page's script would make it with `fetch`.
///
/// ```
/// use http::Method;
/// use tower_cors::BrowserRequest;
///
/// let request = BrowserRequest::new("https://app.example.com", Method::PUT)
///     .unwrap()
///     .header("content-type", "application/json")
///     .unwrap()
///     .credentials(true);
/// assert!(request.needs_preflight());
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct BrowserRequest {
    origin: HeaderValue,
    method: Method,
    uri: Uri,
    headers: Vec<(HeaderName, HeaderValue)>,
    credentials: bool,
    private_network: bool,
}

/// A header name or value that is not valid HTTP.
///
/// ```
/// use http::Method;
/// use tower_cors::BrowserRequest;
///
/// let request = BrowserRequest::new("https://app.example.com", Method::GET)?;
/// let err = request.header("x custom", "1").unwrap_err();
/// assert_eq!(err.to_string(), "\"x custom\" is not a valid header name");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidRequest(String);

impl fmt::Display for InvalidRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InvalidRequest {}

impl BrowserRequest {
    /// A request from a page on `origin` with `method` to `/`.
    ///
    /// As `fetch` does, the methods `delete`, `get`, `head`, `options`, `post` and `put` are
    /// uppercased whatever their case (`put` is sent as `PUT`); other methods are sent as
    /// given.
    ///
    /// ```
    /// use http::Method;
    /// use tower_cors::BrowserRequest;
    ///
    /// let request = BrowserRequest::new("https://app.example.com", Method::from_bytes(b"get")?)?;
    /// assert!(!request.needs_preflight()); // sent as GET
    /// assert!(BrowserRequest::new("https://app.example.com", Method::TRACE).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// When `origin` cannot be a header value, or the method is one `fetch` refuses
    /// (`CONNECT`, `TRACE`, `TRACK`).
    pub fn new(origin: &str, method: Method) -> Result<Self, InvalidRequest> {
        let origin = HeaderValue::from_str(origin)
            .map_err(|_| InvalidRequest(format!("{origin:?} is not a valid header value")))?;
        let method = normalize_method(method)?;
        Ok(Self {
            origin,
            method,
            uri: Uri::from_static("/"),
            headers: Vec::new(),
            credentials: false,
            private_network: false,
        })
    }

    /// A header the script sets.
    ///
    /// ```
    /// use http::Method;
    /// use tower_cors::BrowserRequest;
    ///
    /// let request = BrowserRequest::new("https://app.example.com", Method::GET)?;
    /// assert!(request.clone().header("x-custom", "1")?.needs_preflight());
    /// // Browsers set cookies themselves; a script cannot.
    /// assert!(request.header("cookie", "a=b").is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// When the name or value is not valid HTTP, or the header is a forbidden request header
    /// that browsers do not let scripts set (`cookie`, `host`, `origin`, `sec-*`, `proxy-*`,
    /// ...); use [`credentials`](Self::credentials) for cookies.
    pub fn header(mut self, name: &str, value: &str) -> Result<Self, InvalidRequest> {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| InvalidRequest(format!("{name:?} is not a valid header name")))?;
        let value = HeaderValue::from_str(value)
            .map_err(|_| InvalidRequest(format!("{value:?} is not a valid header value")))?;
        if is_forbidden_request_header(&name, &value) {
            return Err(InvalidRequest(format!(
                "{:?} is a forbidden request header: browsers do not let scripts set it",
                name.as_str()
            )));
        }
        self.headers.push((name, value));
        Ok(self)
    }

    /// `credentials: "include"` (cookies, HTTP authentication).
    ///
    /// ```
    /// use http::Method;
    /// use tower_cors::{Any, Blocked, BrowserRequest, CorsLayer};
    ///
    /// let layer = CorsLayer::builder().allow_origin(Any).build()?;
    /// let request = BrowserRequest::new("https://app.example.com", Method::GET)?;
    /// assert!(layer.simulate(&request).is_allowed());
    /// let with_cookies = request.credentials(true);
    /// let blocked = layer.simulate(&with_cookies).blocked;
    /// assert_eq!(blocked, Some(Blocked::WildcardOriginWithCredentials));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn credentials(mut self, include: bool) -> Self {
        self.credentials = include;
        self
    }

    /// The page is on a less private network than the server (Private Network Access).
    ///
    /// ```
    /// use http::Method;
    /// use tower_cors::{BrowserRequest, CorsLayer};
    ///
    /// let request = BrowserRequest::new("https://app.example.com", Method::GET)?
    ///     .private_network(true);
    /// assert!(request.needs_preflight());
    /// let builder = CorsLayer::builder().allow_origin("https://app.example.com");
    /// assert!(!builder.build()?.simulate(&request).is_allowed());
    /// let layer = builder.allow_private_network(true).build()?;
    /// assert!(layer.simulate(&request).is_allowed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn private_network(mut self, private: bool) -> Self {
        self.private_network = private;
        self
    }

    /// The method as `fetch` sends it.
    ///
    /// ```
    /// use http::Method;
    /// use tower_cors::BrowserRequest;
    ///
    /// let request = BrowserRequest::new("https://app.example.com", Method::from_bytes(b"put")?)?;
    /// assert_eq!(request.method(), Method::PUT);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The request's path and query.
    ///
    /// ```
    /// use http::{Method, Uri};
    /// use tower_cors::{BrowserRequest, CorsLayer};
    ///
    /// let request = BrowserRequest::new("https://app.example.com", Method::DELETE)?
    ///     .uri(Uri::from_static("/items/7?force=true"));
    /// let simulation = CorsLayer::permissive().simulate(&request);
    /// let preflight = simulation.preflight.ok_or("DELETE is preflighted")?;
    /// assert_eq!(preflight.request.uri(), "/items/7?force=true");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn uri(mut self, uri: Uri) -> Self {
        self.uri = uri;
        self
    }

    /// The names of the headers that are not CORS-safelisted, lowercase, sorted, deduplicated:
    /// what the browser lists in `Access-Control-Request-Headers`.
    ///
    /// Safelisted headers whose values add up to more than 1,024 bytes are all unsafe, as in
    /// the Fetch Standard.
    ///
    /// ```
    /// use http::Method;
    /// use tower_cors::BrowserRequest;
    ///
    /// let request = BrowserRequest::new("https://app.example.com", Method::POST)?
    ///     .header("X-Request-Id", "42")?
    ///     .header("Accept", "application/json")?
    ///     .header("Content-Type", "application/json")?;
    /// // `accept` is safelisted; `content-type` only for form and plain-text types.
    /// assert_eq!(request.unsafe_header_names(), ["content-type", "x-request-id"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn unsafe_header_names(&self) -> Vec<String> {
        let safelisted_bytes: usize = self
            .headers
            .iter()
            .filter(|(name, value)| is_safelisted_request_header(name, value))
            .map(|(_, value)| value.len())
            .sum();
        let mut names: Vec<String> = self
            .headers
            .iter()
            .filter(|(name, value)| {
                safelisted_bytes > SAFELISTED_TOTAL_LIMIT
                    || !is_safelisted_request_header(name, value)
            })
            .map(|(name, _)| name.as_str().to_owned())
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// Whether the browser sends a preflight first: a method other than `GET`, `HEAD` and
    /// `POST`, a header that is not CORS-safelisted, or private network access.
    ///
    /// ```
    /// use http::Method;
    /// use tower_cors::BrowserRequest;
    ///
    /// let form = BrowserRequest::new("https://app.example.com", Method::POST)?
    ///     .header("content-type", "application/x-www-form-urlencoded")?;
    /// assert!(!form.needs_preflight());
    /// let put = BrowserRequest::new("https://app.example.com", Method::PUT)?;
    /// assert!(put.needs_preflight());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn needs_preflight(&self) -> bool {
        !is_safelisted_method(self.method.as_str().as_bytes())
            || !self.unsafe_header_names().is_empty()
            || self.private_network
    }

    fn preflight(&self) -> Request<()> {
        let mut request = Request::new(());
        *request.method_mut() = Method::OPTIONS;
        *request.uri_mut() = self.uri.clone();
        let headers = request.headers_mut();
        headers.insert(ORIGIN, self.origin.clone());
        if let Ok(method) = HeaderValue::from_str(self.method.as_str()) {
            headers.insert(ACCESS_CONTROL_REQUEST_METHOD, method);
        }
        let names = self.unsafe_header_names();
        if !names.is_empty() {
            if let Ok(value) = HeaderValue::from_str(&names.join(",")) {
                headers.insert(ACCESS_CONTROL_REQUEST_HEADERS, value);
            }
        }
        if self.private_network {
            headers.insert(
                ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK,
                HeaderValue::from_static("true"),
            );
        }
        request
    }

    fn actual(&self) -> Request<()> {
        let mut request = Request::new(());
        *request.method_mut() = self.method.clone();
        *request.uri_mut() = self.uri.clone();
        let headers = request.headers_mut();
        headers.insert(ORIGIN, self.origin.clone());
        for (name, value) in &self.headers {
            headers.append(name.clone(), value.clone());
        }
        request
    }
}

/// The most bytes of safelisted header values a request can carry without a preflight.
const SAFELISTED_TOTAL_LIMIT: usize = 1024;

/// Whether `fetch` refuses a method: `CONNECT`, `TRACE` and `TRACK`, in any case.
fn is_forbidden_method(method: &[u8]) -> bool {
    [&b"CONNECT"[..], b"TRACE", b"TRACK"]
        .iter()
        .any(|m| m.eq_ignore_ascii_case(method))
}

/// `fetch` uppercases these methods whatever their case, and refuses the forbidden ones.
fn normalize_method(method: Method) -> Result<Method, InvalidRequest> {
    const NORMALIZED: [Method; 6] = [
        Method::DELETE,
        Method::GET,
        Method::HEAD,
        Method::OPTIONS,
        Method::POST,
        Method::PUT,
    ];
    let name = method.as_str();
    if is_forbidden_method(name.as_bytes()) {
        return Err(InvalidRequest(format!(
            "{name:?} is a forbidden method: fetch refuses it"
        )));
    }
    Ok(NORMALIZED
        .into_iter()
        .find(|m| m.as_str().eq_ignore_ascii_case(name))
        .unwrap_or(method))
}

/// Forbidden request headers (Fetch Standard): set by the browser, never by a script.
fn is_forbidden_request_header(name: &HeaderName, value: &HeaderValue) -> bool {
    const FORBIDDEN: [&str; 21] = [
        "accept-charset",
        "accept-encoding",
        "access-control-request-headers",
        "access-control-request-method",
        "connection",
        "content-length",
        "cookie",
        "cookie2",
        "date",
        "dnt",
        "expect",
        "host",
        "keep-alive",
        "origin",
        "referer",
        "set-cookie",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "via",
    ];
    let name = name.as_str();
    if FORBIDDEN.contains(&name) || name.starts_with("proxy-") || name.starts_with("sec-") {
        return true;
    }
    // Method overrides are forbidden when they name a forbidden method.
    matches!(
        name,
        "x-http-method" | "x-http-method-override" | "x-method-override"
    ) && split_outside_quotes(value.as_bytes()).any(is_forbidden_method)
}

/// The elements of a header value split at commas outside quoted strings, trimmed of
/// whitespace (the Fetch Standard's "get, decode, and split"; a quoted element keeps its
/// quotes, so it never equals a method name).
fn split_outside_quotes(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = Some(value);
    std::iter::from_fn(move || {
        let current = rest?;
        let (mut quoted, mut escaped) = (false, false);
        let comma = current.iter().position(|&b| {
            match b {
                _ if escaped => escaped = false,
                b'\\' if quoted => escaped = true,
                b'"' => quoted = !quoted,
                b',' if !quoted => return true,
                _ => {}
            }
            false
        });
        let element = match comma {
            Some(i) => {
                rest = Some(&current[i + 1..]);
                &current[..i]
            }
            None => {
                rest = None;
                current
            }
        };
        Some(trim_ows(element))
    })
}

/// CORS-safelisted request headers (Fetch Standard), which never cause a preflight.
fn is_safelisted_request_header(name: &HeaderName, value: &HeaderValue) -> bool {
    let v = value.as_bytes();
    if v.len() > 128 {
        return false;
    }
    let unsafe_byte = |b: &u8| {
        (*b < 0x20 && *b != b'\t')
            || matches!(
                b,
                b'"' | b'('
                    | b')'
                    | b':'
                    | b'<'
                    | b'>'
                    | b'?'
                    | b'@'
                    | b'['
                    | b'\\'
                    | b']'
                    | b'{'
                    | b'}'
                    | 0x7f
            )
    };
    match name.as_str() {
        "accept" => !v.iter().any(unsafe_byte),
        "accept-language" | "content-language" => v.iter().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b' ' | b'*' | b',' | b'-' | b'.' | b';' | b'=')
        }),
        "content-type" => {
            if v.iter().any(unsafe_byte) {
                return false;
            }
            let essence = v.split(|&b| b == b';').next().unwrap_or_default();
            let essence = trim_ows(essence).to_ascii_lowercase();
            matches!(
                essence.as_slice(),
                b"application/x-www-form-urlencoded" | b"multipart/form-data" | b"text/plain"
            )
        }
        "range" => {
            let Some(range) = v.strip_prefix(b"bytes=") else {
                return false;
            };
            let mut parts = range.splitn(2, |&b| b == b'-');
            let start = parts.next().unwrap_or_default();
            let end = parts.next();
            !start.is_empty()
                && start.iter().all(u8::is_ascii_digit)
                && end.is_some_and(|e| e.iter().all(u8::is_ascii_digit))
        }
        _ => false,
    }
}

/// One request the browser sends and the layer's answer.
///
/// ```
/// use http::{header, Method, StatusCode};
/// use tower_cors::{BrowserRequest, CorsLayer};
///
/// let request = BrowserRequest::new("https://app.example.com", Method::PUT)?;
/// let simulation = CorsLayer::permissive().simulate(&request);
/// let preflight = simulation.preflight.ok_or("PUT is preflighted")?;
/// assert_eq!(preflight.request.method(), Method::OPTIONS);
/// assert_eq!(preflight.status, Some(StatusCode::NO_CONTENT));
/// let actual = simulation.actual.ok_or("the preflight passed")?;
/// assert_eq!(actual.status, None); // the inner service answers
/// assert_eq!(actual.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Exchange {
    /// The request as the browser sends it.
    pub request: Request<()>,
    /// The layer's decision.
    pub decision: Decision,
    /// The status when the layer answers itself; `None` when the inner service answers.
    pub status: Option<StatusCode>,
    /// The CORS headers the layer sends (for a forwarded request: the headers it adds to the
    /// inner service's response, assuming that sets no `Vary`).
    pub headers: HeaderMap,
}

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

/// The result of [`CorsLayer::simulate`].
///
/// ```
/// use http::Method;
/// use tower_cors::{BrowserRequest, CorsLayer};
///
/// let layer = CorsLayer::builder().allow_origin("https://app.example.com").build()?;
/// let request = BrowserRequest::new("https://other.example", Method::GET)?;
/// let simulation = layer.simulate(&request);
/// assert!(simulation.preflight.is_none()); // a simple request
/// assert!(simulation.actual.is_some()); // sent, but the page cannot read the answer
/// assert_eq!(simulation.fixes, ["add \"https://other.example\" to allow_origins"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Simulation {
    /// The preflight, when the request needs one.
    pub preflight: Option<Exchange>,
    /// The actual request, unless a failed preflight stopped the browser from sending it.
    pub actual: Option<Exchange>,
    /// Why the browser blocks the request, or `None` when the page can read the response.
    pub blocked: Option<Blocked>,
    /// Configuration changes that would let the request through, in configuration-key terms.
    pub fixes: Vec<String>,
}

impl Simulation {
    /// Whether the page can read the response.
    ///
    /// ```
    /// use http::Method;
    /// use tower_cors::{BrowserRequest, CorsLayer};
    ///
    /// let layer = CorsLayer::builder().allow_origin("https://app.example.com").build()?;
    /// let app = BrowserRequest::new("https://app.example.com", Method::GET)?;
    /// assert!(layer.simulate(&app).is_allowed());
    /// let other = BrowserRequest::new("https://other.example", Method::GET)?;
    /// assert!(!layer.simulate(&other).is_allowed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_allowed(&self) -> bool {
        self.blocked.is_none()
    }
}

fn exchange(layer: &CorsLayer, request: Request<()>) -> Exchange {
    let policy = layer.shared().policy.load();
    let verdict = match policy.evaluate(Head::of(&request), None) {
        Evaluation::Done(verdict) => verdict,
        Evaluation::Pending { provisional, .. } => provisional,
    };
    let decision = policy.decision(&verdict);
    let status = match verdict.kind() {
        RequestKind::Preflight if policy.route(RequestKind::Preflight) == Route::Respond => {
            Some(policy.preflight_status(&verdict))
        }
        _ if policy.rejects(&verdict) => Some(StatusCode::FORBIDDEN),
        _ => None,
    };
    let mut headers = HeaderMap::new();
    policy.apply(verdict, &mut headers);
    Exchange {
        request,
        decision,
        status,
        headers,
    }
}

/// The CORS check: can the page read a response with these headers?
fn cors_check(request: &BrowserRequest, headers: &HeaderMap) -> Result<(), Blocked> {
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
fn preflight_check(request: &BrowserRequest, exchange: &Exchange) -> Result<(), Blocked> {
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

/// The configuration change that would have avoided a denial.
fn fix_for_denial(denial: &Denial, request: &BrowserRequest, layer: &CorsLayer) -> String {
    let origin = String::from_utf8_lossy(request.origin.as_bytes());
    match denial {
        Denial::OriginNotAllowed => {
            let misses = match &layer.policy().origin {
                OriginMatcher::List(list) => list.near_misses(request.origin.as_bytes(), 3),
                _ => Vec::new(),
            };
            if misses.is_empty() {
                format!("add {origin:?} to allow_origins")
            } else {
                format!(
                    "add {origin:?} to allow_origins (near misses: {})",
                    misses.join("; ")
                )
            }
        }
        Denial::OriginRefusedByPredicate => {
            format!("make the origin predicate accept {origin:?}")
        }
        Denial::NullOrigin => "add \"null\" to allow_origins (only if sandboxed or file: pages must read the answers)".to_owned(),
        Denial::MultipleOrigins | Denial::MalformedOrigin => {
            format!("{origin:?} is not an origin a browser sends: scheme://host[:port], lowercase, no default port")
        }
        Denial::MalformedMethod => "the requested method is not a valid method token".to_owned(),
        Denial::MethodNotAllowed(m) => format!("add {:?} to allow_methods", m.as_str()),
        Denial::MalformedRequestHeaders => {
            "the requested headers are not valid header names".to_owned()
        }
        Denial::TooManyRequestHeaders { limit } => {
            format!("raise max_request_headers above {limit}")
        }
        Denial::HeaderNotAllowed(h) => format!("add {:?} to allow_headers", h.as_str()),
        Denial::AuthorizationNotCoveredByWildcard => {
            "add \"authorization\" to allow_headers (the \"*\" wildcard never covers it; \"*, authorization\" allows both)".to_owned()
        }
        Denial::PrivateNetworkNotAllowed => "set allow_private_network = true".to_owned(),
    }
}

/// The configuration change for a block the layer itself did not decide.
fn fix_for_block(blocked: &Blocked) -> Option<String> {
    Some(match blocked {
        Blocked::WildcardOriginWithCredentials => {
            "list the page's origin in allow_origins instead of \"*\": credentialed requests need the exact origin".to_owned()
        }
        Blocked::NoAllowCredentials => "set allow_credentials = true".to_owned(),
        Blocked::PreflightStatus(_) => "set preflight_status to a 2xx status (and strict_preflight = false)".to_owned(),
        _ => return None,
    })
}

impl CorsLayer {
    /// A dry run of a cross-origin request: the preflight the browser would send (if any),
    /// the layer's decisions and headers, and whether the browser would let the page read the
    /// response, with the configuration changes that would allow it.
    ///
    /// The layer's side is computed by the same functions the service uses. An async origin
    /// predicate is not run (its origin counts as allowed).
    ///
    /// ```
    /// use http::Method;
    /// use tower_cors::{Blocked, BrowserRequest, CorsLayer};
    ///
    /// let layer = CorsLayer::builder()
    ///     .allow_origin("https://app.example.com")
    ///     .allow_methods([Method::PUT])
    ///     .build()?;
    /// let request = BrowserRequest::new("https://app.example.com", Method::PUT)?
    ///     .header("x-custom", "1")?;
    /// let simulation = layer.simulate(&request);
    /// assert!(simulation.preflight.is_some());
    /// assert!(simulation.actual.is_none()); // the failed preflight stops the browser
    /// assert_eq!(simulation.blocked, Some(Blocked::NoAllowOrigin));
    /// assert_eq!(simulation.fixes, ["add \"x-custom\" to allow_headers"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn simulate(&self, request: &BrowserRequest) -> Simulation {
        let mut fixes = Vec::new();
        let note = |decision: &Decision, fixes: &mut Vec<String>| {
            if let Some(denial) = decision.denial() {
                fixes.push(fix_for_denial(denial, request, self));
            }
        };
        let preflight = request
            .needs_preflight()
            .then(|| exchange(self, request.preflight()));
        if let Some(preflight) = &preflight {
            note(&preflight.decision, &mut fixes);
            if let Err(blocked) = preflight_check(request, preflight) {
                if fixes.is_empty() {
                    fixes.extend(fix_for_block(&blocked));
                }
                return Simulation {
                    preflight: Some(preflight.clone()),
                    actual: None,
                    blocked: Some(blocked),
                    fixes,
                };
            }
        }
        let actual = exchange(self, request.actual());
        note(&actual.decision, &mut fixes);
        let blocked = cors_check(request, &actual.headers).err();
        if let Some(blocked) = &blocked {
            if fixes.is_empty() {
                fixes.extend(fix_for_block(blocked));
            }
        }
        Simulation {
            preflight,
            actual: Some(actual),
            blocked,
            fixes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_overrides_are_split_outside_quoted_strings() {
        let forbidden = |value: &'static str| {
            is_forbidden_request_header(
                &HeaderName::from_static("x-http-method-override"),
                &HeaderValue::from_static(value),
            )
        };
        assert!(forbidden("TRACE"));
        assert!(forbidden("get, trace"));
        assert!(forbidden(" PUT ,Connect"));
        assert!(!forbidden("\"a,TRACE\""));
        assert!(!forbidden("\"a\\\",TRACE\""));
        assert!(forbidden("\"a\", TRACE"));
        assert!(!forbidden("PATCH"));
    }

    fn safelisted(name: &str, value: &str) -> bool {
        is_safelisted_request_header(
            &HeaderName::from_bytes(name.as_bytes()).unwrap(),
            &HeaderValue::from_str(value).unwrap(),
        )
    }

    #[test]
    fn safelisted_request_headers() {
        assert!(safelisted("accept", "application/json"));
        assert!(safelisted("content-type", "text/plain; charset=utf-8"));
        assert!(!safelisted("content-type", "application/json"));
        assert!(safelisted("accept-language", "en-US,en;q=0.5"));
        assert!(safelisted("range", "bytes=0-"));
        assert!(!safelisted("range", "bytes=0-1,2-3"));
        assert!(!safelisted("x-custom", "1"));
        assert!(!safelisted("authorization", "Bearer x"));
    }
}
