//! The requests the browser sends for a script's request: the preflight and the actual
//! request (the requests after a redirect are in `redirect`).

use http::header::{ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN};
use http::{HeaderValue, Method, Request};

use super::BrowserRequest;
use crate::policy::ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK;

impl BrowserRequest {
    /// The preflight the browser sends first, when [`needs_preflight`](Self::needs_preflight):
    /// `OPTIONS` to the same path with `Origin`, `Access-Control-Request-Method` and, when
    /// there are unsafe headers, `Access-Control-Request-Headers` listing their names
    /// (lowercase, sorted, comma-separated). It carries none of the script's headers and never
    /// credentials.
    ///
    /// ```
    /// use http::{header, Method};
    /// use tower_cors::BrowserRequest;
    ///
    /// let request = BrowserRequest::new("https://app.example.com", Method::POST)?
    ///     .header("X-Trace", "1")?
    ///     .header("Content-Type", "application/json")?;
    /// let preflight = request.preflight_request().ok_or("a JSON POST is preflighted")?;
    /// assert_eq!(preflight.method(), Method::OPTIONS);
    /// assert_eq!(preflight.headers()[header::ORIGIN], "https://app.example.com");
    /// assert_eq!(preflight.headers()[header::ACCESS_CONTROL_REQUEST_METHOD], "POST");
    /// assert_eq!(
    ///     preflight.headers()[header::ACCESS_CONTROL_REQUEST_HEADERS],
    ///     "content-type,x-trace"
    /// );
    /// assert!(preflight.headers().get("x-trace").is_none());
    ///
    /// let simple = BrowserRequest::new("https://app.example.com", Method::GET)?;
    /// assert!(simple.preflight_request().is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn preflight_request(&self) -> Option<Request<()>> {
        if !self.needs_preflight() {
            return None;
        }
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
        Some(request)
    }

    /// The actual request: the method, path, `Origin` and the script's headers.
    ///
    /// ```
    /// use http::{header, Method};
    /// use tower_cors::BrowserRequest;
    ///
    /// let request = BrowserRequest::new("https://app.example.com", Method::from_bytes(b"put")?)?
    ///     .header("x-custom", "1")?;
    /// let actual = request.actual_request();
    /// assert_eq!(actual.method(), Method::PUT);
    /// assert_eq!(actual.headers()[header::ORIGIN], "https://app.example.com");
    /// assert_eq!(actual.headers()["x-custom"], "1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn actual_request(&self) -> Request<()> {
        let mut request = Request::new(());
        *request.method_mut() = self.method.clone();
        *request.uri_mut() = self.uri.clone();
        let headers = request.headers_mut();
        headers.insert(ORIGIN, self.origin.clone());
        for (name, value) in &self.headers {
            headers.append(name.clone(), value.clone());
        }
        if self.websocket {
            self.add_handshake_headers(&mut request);
        }
        request
    }
}
