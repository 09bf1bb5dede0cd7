//! The request a page's script makes, and the requests the browser sends for it.

use std::fmt;

use http::{HeaderName, HeaderValue, Method, Uri};

use super::rules::{
    is_forbidden_request_header, is_safelisted_request_header, normalize_method,
    SAFELISTED_TOTAL_LIMIT,
};
use crate::grant::methods::is_safelisted_method;

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
    /// The origin sent in `Origin`: the page's, or `null` once a redirect tainted it.
    pub(super) origin: HeaderValue,
    /// The page's origin, which a redirect never changes.
    pub(super) page: HeaderValue,
    pub(super) method: Method,
    pub(super) uri: Uri,
    pub(super) headers: Vec<(HeaderName, HeaderValue)>,
    pub(super) credentials: bool,
    pub(super) private_network: bool,
    /// The address the server is reached at, for the Local Network Access note.
    pub(super) server: Option<std::net::IpAddr>,
    /// A WebSocket connection (`new WebSocket(url)`) rather than a `fetch`.
    pub(super) websocket: bool,
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
pub struct InvalidRequest(pub(super) String);

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
            page: origin.clone(),
            origin,
            method,
            uri: Uri::from_static("/"),
            headers: Vec::new(),
            credentials: false,
            private_network: false,
            server: None,
            websocket: false,
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

    /// The address the page reaches the server at. With a loopback, private or link-local
    /// address and a page on a public origin, the dry run notes that Chrome asks the user for
    /// Local Network Access permission first, whatever the headers say.
    ///
    /// ```
    /// use http::Method;
    /// use tower_cors::{BrowserRequest, CorsLayer};
    ///
    /// let request = BrowserRequest::new("https://app.example.com", Method::GET)?
    ///     .server_address("192.168.1.20".parse()?);
    /// let layer = CorsLayer::builder().allow_origin("https://app.example.com").build()?;
    /// let simulation = layer.simulate(&request);
    /// assert!(simulation.is_allowed());
    /// assert!(simulation.notes[0].contains("Local Network Access"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn server_address(mut self, server: std::net::IpAddr) -> Self {
        self.server = Some(server);
        self
    }

    /// Whether the page is on a less private network than the server (Private Network
    /// Access, legacy): the browser then sends `Access-Control-Request-Private-Network: true`
    /// on a preflight.
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
    /// let simulation = CorsLayer::permissive().build().unwrap().simulate(&request);
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
        let safelisted_bytes = self.safelisted_bytes();
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

    /// The length of the CORS-safelisted header values, added up: over
    /// `SAFELISTED_TOTAL_LIMIT` bytes, none of those headers is safelisted any more.
    pub(super) fn safelisted_bytes(&self) -> usize {
        self.headers
            .iter()
            .filter(|(name, value)| is_safelisted_request_header(name, value))
            .map(|(_, value)| value.len())
            .sum()
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
        !self.websocket && !is_safelisted_method(self.method.as_str().as_bytes())
            || !self.unsafe_header_names().is_empty()
            || self.private_network
    }

    /// The origin the browser sends in `Origin`: the page's, or `null` after a redirect that
    /// tainted it (see [`follow_redirect`](Self::follow_redirect)).
    ///
    /// ```
    /// use http::Method;
    /// use tower_cors::BrowserRequest;
    ///
    /// let request = BrowserRequest::new("https://app.example.com", Method::GET)?;
    /// assert_eq!(request.origin(), "https://app.example.com");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn origin(&self) -> &HeaderValue {
        &self.origin
    }

    /// Whether the request includes credentials (see [`credentials`](Self::credentials)).
    ///
    /// ```
    /// use http::Method;
    /// use tower_cors::BrowserRequest;
    ///
    /// let request = BrowserRequest::new("https://app.example.com", Method::GET)?;
    /// assert!(!request.includes_credentials());
    /// assert!(request.credentials(true).includes_credentials());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn includes_credentials(&self) -> bool {
        self.credentials
    }
}
