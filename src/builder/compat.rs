//! Names tower-http users reach for, so that code moving over compiles with its import
//! swapped and `.build()` added. Each says what it does here.

use http::header::{ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN};
use http::HeaderName;

use crate::builder::CorsBuilder;
use crate::grant::credentials::AllowCredentials;
use crate::grant::headers::{AllowHeaders, ExposeHeaders};
use crate::grant::max_age::MaxAge;
use crate::grant::methods::AllowMethods;
use crate::grant::origin::AllowOrigin;
use crate::grant::private_network::AllowPrivateNetwork;
use crate::layer::CorsLayer;
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

/// tower-http's builder methods, on the layer: each starts a [`CorsBuilder`] from the settings
/// this layer was built from and applies one change, so that a tower-http chain that starts
/// from a layer (`CorsLayer::default().allow_headers(..).allow_origin(..)`) compiles with
/// `.build()` appended, and is validated like any other.
impl CorsLayer {
    /// A builder with the settings this layer was built from, to refine and build again.
    /// A layer made without a builder (none is) starts from the defaults.
    ///
    /// ```
    /// use http::{header, Request};
    /// use tower_cors::CorsLayer;
    ///
    /// let base = CorsLayer::builder().allow_origin("https://app.example.com").build()?;
    /// let wider = base.to_builder().allow_origins(["https://app.example.com", "https://admin.example.com"]).build()?;
    /// let from = |o| Request::get("/").header(header::ORIGIN, o).body(()).unwrap();
    /// assert!(!base.decide(&from("https://admin.example.com")).is_allowed());
    /// assert!(wider.decide(&from("https://admin.example.com")).is_allowed());
    /// # Ok::<(), tower_cors::ConfigError>(())
    /// ```
    pub fn to_builder(&self) -> CorsBuilder {
        let settings = self.policy().source.as_deref().cloned().unwrap_or_default();
        CorsBuilder { settings }
    }

    /// [`CorsBuilder::allow_origin`], starting from this layer's settings.
    ///
    /// ```
    /// use http::{header, Request};
    /// use tower_cors::{AllowHeaders, CorsLayer};
    ///
    /// let layer = CorsLayer::default()
    ///     .allow_headers(AllowHeaders::any())
    ///     .allow_origin("https://app.example.com".parse::<http::HeaderValue>()?)
    ///     .build()?;
    /// let request = Request::get("/").header(header::ORIGIN, "https://app.example.com").body(())?;
    /// assert!(layer.decide(&request).is_allowed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn allow_origin(self, origin: impl Into<AllowOrigin>) -> CorsBuilder {
        self.to_builder().allow_origin(origin)
    }

    /// [`CorsBuilder::allow_methods`], starting from this layer's settings.
    ///
    /// ```
    /// use http::Method;
    /// use tower_cors::CorsLayer;
    ///
    /// let layer = CorsLayer::default()
    ///     .allow_methods([Method::GET, Method::PUT])
    ///     .allow_origin("https://app.example.com")
    ///     .build()?;
    /// # let _ = layer;
    /// # Ok::<(), tower_cors::ConfigError>(())
    /// ```
    pub fn allow_methods(self, methods: impl Into<AllowMethods>) -> CorsBuilder {
        self.to_builder().allow_methods(methods)
    }

    /// [`CorsBuilder::allow_headers`], starting from this layer's settings.
    ///
    /// ```
    /// use tower_cors::{Any, CorsLayer};
    ///
    /// let layer = CorsLayer::permissive().build()?.allow_headers(Any).build()?;
    /// # let _ = layer;
    /// # Ok::<(), tower_cors::ConfigError>(())
    /// ```
    pub fn allow_headers(self, headers: impl Into<AllowHeaders>) -> CorsBuilder {
        self.to_builder().allow_headers(headers)
    }

    /// [`CorsBuilder::expose_headers`], starting from this layer's settings.
    ///
    /// ```
    /// use tower_cors::CorsLayer;
    ///
    /// let layer = CorsLayer::permissive().build()?.expose_headers(["x-request-id"]).build()?;
    /// # let _ = layer;
    /// # Ok::<(), tower_cors::ConfigError>(())
    /// ```
    pub fn expose_headers(self, headers: impl Into<ExposeHeaders>) -> CorsBuilder {
        self.to_builder().expose_headers(headers)
    }

    /// [`CorsBuilder::allow_credentials`], starting from this layer's settings. Refining a
    /// layer open to everyone with credentials is refused when built, as for the builder.
    ///
    /// ```
    /// use tower_cors::CorsLayer;
    ///
    /// assert!(CorsLayer::permissive().build()?.allow_credentials(true).build().is_err());
    /// let layer = CorsLayer::default()
    ///     .allow_origin("https://app.example.com")
    ///     .allow_credentials(true)
    ///     .build()?;
    /// # let _ = layer;
    /// # Ok::<(), tower_cors::ConfigError>(())
    /// ```
    pub fn allow_credentials(self, allow: impl Into<AllowCredentials>) -> CorsBuilder {
        self.to_builder().allow_credentials(allow)
    }

    /// [`CorsBuilder::max_age`], starting from this layer's settings.
    ///
    /// ```
    /// use std::time::Duration;
    /// use tower_cors::CorsLayer;
    ///
    /// let layer = CorsLayer::permissive().build()?.max_age(Duration::from_secs(600)).build()?;
    /// # let _ = layer;
    /// # Ok::<(), tower_cors::ConfigError>(())
    /// ```
    pub fn max_age(self, max_age: impl Into<MaxAge>) -> CorsBuilder {
        self.to_builder().max_age(max_age)
    }

    /// [`CorsBuilder::allow_private_network`], starting from this layer's settings.
    ///
    /// ```
    /// use tower_cors::CorsLayer;
    ///
    /// let layer = CorsLayer::default()
    ///     .allow_origin("https://app.example.com")
    ///     .allow_private_network(true)
    ///     .build()?;
    /// # let _ = layer;
    /// # Ok::<(), tower_cors::ConfigError>(())
    /// ```
    pub fn allow_private_network(self, allow: impl Into<AllowPrivateNetwork>) -> CorsBuilder {
        self.to_builder().allow_private_network(allow)
    }
}
