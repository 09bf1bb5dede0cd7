//! Names tower-http users reach for, so that code moving over compiles with its import
//! swapped and `.build()` added. Each says what it does here.

use http::header::{ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN};
use http::HeaderName;

use crate::builder::CorsBuilder;
use crate::Any;

/// The wildcard, as a function: use the unit struct [`Any`] instead.
///
/// ```
/// # #![allow(deprecated)]
/// assert_eq!(tower_cors::any(), tower_cors::Any);
/// ```
#[deprecated(since = "0.1.0", note = "use `Any`, the unit struct, instead")]
pub fn any() -> Any {
    Any
}

/// The request headers a preflight's answer can depend on: `Origin`,
/// `Access-Control-Request-Method` and `Access-Control-Request-Headers`.
///
/// tower-cors lists them in `Vary` by itself, whenever the answer depends on them.
///
/// ```
/// let names: Vec<_> = tower_cors::preflight_request_headers().collect();
/// assert_eq!(names, ["origin", "access-control-request-method", "access-control-request-headers"]);
/// ```
pub fn preflight_request_headers() -> impl Iterator<Item = HeaderName> {
    [
        ORIGIN,
        ACCESS_CONTROL_REQUEST_METHOD,
        ACCESS_CONTROL_REQUEST_HEADERS,
    ]
    .into_iter()
}

/// Header names for [`CorsBuilder::vary`], which tower-cors does not need: it computes `Vary`
/// from the policy.
///
/// ```
/// # #![allow(deprecated)]
/// use http::header::ORIGIN;
/// use tower_cors::Vary;
///
/// let vary = Vary::list([ORIGIN]);
/// # let _ = vary;
/// ```
#[deprecated(
    since = "0.1.0",
    note = "tower-cors computes `Vary` from the policy; remove the `.vary(..)` call"
)]
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct Vary(());

#[allow(deprecated)]
impl Vary {
    /// Header names to vary on; see [`Vary`].
    ///
    /// ```
    /// # #![allow(deprecated)]
    /// let vary = tower_cors::Vary::list(tower_cors::preflight_request_headers());
    /// # let _ = vary;
    /// ```
    pub fn list<I>(headers: I) -> Self
    where
        I: IntoIterator<Item = HeaderName>,
    {
        let _ = headers;
        Self(())
    }
}

#[allow(deprecated)]
impl<const N: usize> From<[HeaderName; N]> for Vary {
    fn from(headers: [HeaderName; N]) -> Self {
        Self::list(headers)
    }
}

#[allow(deprecated)]
impl From<Vec<HeaderName>> for Vary {
    fn from(headers: Vec<HeaderName>) -> Self {
        Self::list(headers)
    }
}

impl CorsBuilder {
    /// Accepted for code moving from tower-http, and without effect: tower-cors sends `Vary`
    /// itself, merged with the inner service's, listing `Origin` on every response whose
    /// answer depends on the origin and, on preflights, the request headers the answer
    /// depends on. A hand-set `Vary` can only get that wrong.
    ///
    /// ```
    /// # #![allow(deprecated)]
    /// use http::{header, Request};
    /// use tower_cors::CorsLayer;
    ///
    /// let layer = CorsLayer::builder()
    ///     .allow_origin("https://app.example.com")
    ///     .vary([header::ORIGIN])
    ///     .build()?;
    /// let request = Request::get("/").header(header::ORIGIN, "https://app.example.com").body(())?;
    /// assert_eq!(layer.headers_for(&request).1[header::VARY], "origin");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[deprecated(
        since = "0.1.0",
        note = "tower-cors computes `Vary` from the policy; remove the `.vary(..)` call"
    )]
    #[allow(deprecated)]
    pub fn vary(self, headers: impl Into<Vary>) -> Self {
        let _ = headers.into();
        self
    }
}
