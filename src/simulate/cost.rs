//! What a preflight costs and what the script gets: why the browser sends a preflight, for
//! how long it reuses the answer, and which response headers the script can read.

use std::time::Duration;

use http::header::{ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE};
use http::{HeaderMap, HeaderName};

use super::request::BrowserRequest;
use super::rules::{is_safelisted_request_header, SAFELISTED_TOTAL_LIMIT};
use super::Simulation;
use crate::grant::methods::is_safelisted_method;

/// How long browsers keep a preflight answer without `Access-Control-Max-Age`.
const DEFAULT_REUSE: Duration = Duration::from_secs(5);
/// Chromium's cap on a preflight cache entry.
const CHROMIUM_CAP: Duration = Duration::from_secs(2 * 60 * 60);
/// Firefox's cap on a preflight cache entry.
const FIREFOX_CAP: Duration = Duration::from_secs(24 * 60 * 60);

/// The response headers every script can read (the Fetch Standard's CORS-safelisted response
/// header names).
const SAFELISTED_RESPONSE_HEADERS: [&str; 7] = [
    "cache-control",
    "content-language",
    "content-length",
    "content-type",
    "expires",
    "last-modified",
    "pragma",
];

impl BrowserRequest {
    /// What makes the browser send a preflight for this request, one reason per part: the
    /// method, each header a script may not send without one (naming the value when only the
    /// value is the cause, as for `content-type: application/json`), safelisted values over
    /// 1,024 bytes in all, and private network access. Empty for a simple request.
    ///
    /// ```
    /// use http::Method;
    /// use tower_cors::BrowserRequest;
    ///
    /// let json = BrowserRequest::new("https://app.example.com", Method::POST)?
    ///     .header("content-type", "application/json")?;
    /// assert_eq!(
    ///     json.preflight_reasons(),
    ///     ["content-type: application/json is not a CORS-safelisted value \
    ///       (text/plain, multipart/form-data and application/x-www-form-urlencoded are)"]
    /// );
    /// let text = BrowserRequest::new("https://app.example.com", Method::POST)?
    ///     .header("content-type", "text/plain")?;
    /// assert!(text.preflight_reasons().is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn preflight_reasons(&self) -> Vec<String> {
        let mut reasons = Vec::new();
        if self.websocket {
            return reasons;
        }
        if !is_safelisted_method(self.method.as_str().as_bytes()) {
            reasons.push(format!(
                "the method {} is not GET, HEAD or POST",
                self.method
            ));
        }
        let safelisted_bytes = self.safelisted_bytes();
        for (name, value) in &self.headers {
            if is_safelisted_request_header(name, value) {
                continue;
            }
            let value = String::from_utf8_lossy(value.as_bytes());
            reasons.push(match name.as_str() {
                "content-type" => format!(
                    "content-type: {value} is not a CORS-safelisted value (text/plain, \
                     multipart/form-data and application/x-www-form-urlencoded are)"
                ),
                "accept" | "accept-language" | "content-language" | "range" => {
                    format!("{name}: {value} is not a CORS-safelisted value")
                }
                _ => format!("the header {name} is not CORS-safelisted"),
            });
        }
        if safelisted_bytes > SAFELISTED_TOTAL_LIMIT {
            reasons.push(format!(
                "the safelisted header values add up to {safelisted_bytes} bytes, over \
                 {SAFELISTED_TOTAL_LIMIT}"
            ));
        }
        if self.private_network {
            reasons.push("the server is on a more private network".to_owned());
        }
        reasons.dedup();
        reasons
    }
}

impl Simulation {
    /// For how long the browser reuses the preflight answer, as `(Chromium, Firefox)`:
    /// `Access-Control-Max-Age` capped at each engine's limit (2 hours, 24 hours), or 5
    /// seconds without it. `None` when no preflight passed.
    ///
    /// ```
    /// use std::time::Duration;
    /// use http::Method;
    /// use tower_cors::{BrowserRequest, CorsLayer};
    ///
    /// let request = BrowserRequest::new("https://app.example.com", Method::PUT)?;
    /// let layer = |secs| {
    ///     CorsLayer::builder()
    ///         .allow_origin("https://app.example.com")
    ///         .allow_methods([Method::PUT])
    ///         .max_age(Duration::from_secs(secs))
    ///         .build()
    ///         .unwrap()
    /// };
    /// assert_eq!(
    ///     layer(86_400).simulate(&request).preflight_reuse(),
    ///     Some((Duration::from_secs(7_200), Duration::from_secs(86_400)))
    /// );
    /// let unset = CorsLayer::builder()
    ///     .allow_origin("https://app.example.com")
    ///     .allow_methods([Method::PUT])
    ///     .build()?;
    /// assert_eq!(
    ///     unset.simulate(&request).preflight_reuse(),
    ///     Some((Duration::from_secs(5), Duration::from_secs(5)))
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn preflight_reuse(&self) -> Option<(Duration, Duration)> {
        let preflight = self.preflight.as_ref()?;
        // The preflight failed: nothing to reuse.
        self.actual.as_ref()?;
        Some(reuse(&preflight.headers))
    }

    /// The response headers the script can read, when the page can read the response: the
    /// CORS-safelisted response headers and those the answer exposes (`*` exposes every header
    /// but on a credentialed request). Reading any other header gives `null` in the browser.
    ///
    /// ```
    /// use http::Method;
    /// use tower_cors::{BrowserRequest, CorsLayer};
    ///
    /// let layer = CorsLayer::builder()
    ///     .allow_origin("https://app.example.com")
    ///     .expose_headers(["x-request-id"])
    ///     .build()?;
    /// let request = BrowserRequest::new("https://app.example.com", Method::GET)?;
    /// let readable = layer.simulate(&request).readable_headers().ok_or("allowed")?;
    /// assert!(readable.contains(&"x-request-id".to_owned()));
    /// assert!(readable.contains(&"content-type".to_owned()));
    /// assert!(!readable.contains(&"x-secret".to_owned()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn readable_headers(&self) -> Option<Vec<String>> {
        if self.blocked.is_some() {
            return None;
        }
        let actual = self.actual.as_ref()?;
        Some(readable(&actual.headers, self.credentials))
    }
}

impl BrowserRequest {
    /// For how long the browser reuses a passed preflight's answer with these `headers`, as
    /// `(Chromium, Firefox)`; see [`Simulation::preflight_reuse`]. For answers from any server.
    ///
    /// ```
    /// use std::time::Duration;
    /// use http::{HeaderMap, Method};
    /// use tower_cors::BrowserRequest;
    ///
    /// let request = BrowserRequest::new("https://app.example.com", Method::PUT)?;
    /// let mut answer = HeaderMap::new();
    /// answer.insert("access-control-max-age", "600".parse()?);
    /// let ten_minutes = Duration::from_secs(600);
    /// assert_eq!(request.preflight_reuse(&answer), (ten_minutes, ten_minutes));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn preflight_reuse(&self, headers: &HeaderMap) -> (Duration, Duration) {
        reuse(headers)
    }

    /// The response headers the script can read from an answer with these `headers`, which
    /// the browser let the page read; see [`Simulation::readable_headers`]. For answers from
    /// any server.
    ///
    /// ```
    /// use http::{HeaderMap, Method};
    /// use tower_cors::BrowserRequest;
    ///
    /// let request = BrowserRequest::new("https://app.example.com", Method::GET)?;
    /// let mut answer = HeaderMap::new();
    /// answer.insert("access-control-expose-headers", "X-Request-Id".parse()?);
    /// assert!(request.readable_headers(&answer).contains(&"x-request-id".to_owned()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn readable_headers(&self, headers: &HeaderMap) -> Vec<String> {
        readable(headers, self.credentials)
    }
}

/// `Access-Control-Max-Age` capped at each engine's limit, or the engines' default.
fn reuse(headers: &HeaderMap) -> (Duration, Duration) {
    let max_age = headers
        .get(ACCESS_CONTROL_MAX_AGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .map(Duration::from_secs);
    match max_age {
        Some(age) => (age.min(CHROMIUM_CAP), age.min(FIREFOX_CAP)),
        None => (DEFAULT_REUSE, DEFAULT_REUSE),
    }
}

/// The safelisted response headers and those `headers` expose (`*` only without credentials).
fn readable(headers: &HeaderMap, credentials: bool) -> Vec<String> {
    let mut names: Vec<String> = SAFELISTED_RESPONSE_HEADERS
        .iter()
        .map(|n| (*n).to_owned())
        .collect();
    for value in headers.get_all(ACCESS_CONTROL_EXPOSE_HEADERS) {
        for name in String::from_utf8_lossy(value.as_bytes()).split(',') {
            let name = name.trim().to_ascii_lowercase();
            if name == "*" && !credentials {
                names.push("* (every header)".to_owned());
            } else if HeaderName::from_bytes(name.as_bytes()).is_ok() {
                names.push(name);
            }
        }
    }
    names.sort();
    names.dedup();
    names
}
