//! The setters of what a policy grants.

use super::CorsBuilder;
use crate::grant::credentials::AllowCredentials;
use crate::grant::headers::{AllowHeaders, ExposeHeaders};
use crate::grant::max_age::MaxAge;
use crate::grant::methods::AllowMethods;
use crate::grant::origin::AllowOrigin;
use crate::grant::private_network::AllowPrivateNetwork;

impl CorsBuilder {
    /// Which origins may read responses ([`Access-Control-Allow-Origin`][mdn]).
    ///
    /// Required: a policy without it is a configuration error. See [`AllowOrigin`] for exact
    /// origins, subdomain and port patterns, `null`, predicates, mirroring and `*`.
    ///
    /// ```
    /// use tower_cors::{AllowOrigin, Any, CorsLayer};
    ///
    /// // One origin
    /// let one = CorsLayer::builder().allow_origin("https://app.example.com").build().unwrap();
    /// // A list with a subdomain pattern
    /// let list = CorsLayer::builder()
    ///     .allow_origins(["https://app.example.com", "https://*.example.org"])
    ///     .build()
    ///     .unwrap();
    /// // Everyone
    /// let any = CorsLayer::builder().allow_origin(Any).build().unwrap();
    /// // A function of the origin
    /// let function = CorsLayer::builder()
    ///     .allow_origin(AllowOrigin::predicate(|origin, _| origin.as_bytes().ends_with(b".test")))
    ///     .build()
    ///     .unwrap();
    /// # let _ = (one, list, any, function);
    /// ```
    ///
    /// [mdn]: https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Access-Control-Allow-Origin
    pub fn allow_origin(mut self, origin: impl Into<AllowOrigin>) -> Self {
        self.settings.allow_origin = origin.into();
        self
    }

    /// Which origins may read responses, as strings: the same as
    /// `allow_origin(AllowOrigin::from_strs(origins))`, named like the configuration key.
    ///
    /// ```
    /// use tower_cors::CorsLayer;
    ///
    /// let layer = CorsLayer::builder()
    ///     .allow_origins(["https://app.example.com", "https://*.preview.example.com"])
    ///     .build()?;
    /// # let _ = layer;
    /// # Ok::<(), tower_cors::ConfigError>(())
    /// ```
    pub fn allow_origins<I, T>(self, origins: I) -> Self
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        self.allow_origin(AllowOrigin::from_strs(origins))
    }

    /// Which methods preflights may ask for ([`Access-Control-Allow-Methods`][mdn]).
    ///
    /// `GET`, `HEAD` and `POST` are always allowed. See [`AllowMethods`].
    ///
    /// ```
    /// use http::Method;
    /// use tower_cors::{Any, CorsLayer};
    ///
    /// let list = CorsLayer::builder()
    ///     .allow_origin("https://app.example.com")
    ///     .allow_methods([Method::PUT, Method::DELETE])
    ///     .build()
    ///     .unwrap();
    /// let any = CorsLayer::builder()
    ///     .allow_origin("https://app.example.com")
    ///     .allow_methods(Any)
    ///     .build()
    ///     .unwrap();
    /// # let _ = (list, any);
    /// ```
    ///
    /// [mdn]: https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Access-Control-Allow-Methods
    pub fn allow_methods(mut self, methods: impl Into<AllowMethods>) -> Self {
        self.settings.allow_methods = methods.into();
        self
    }

    /// Which request headers preflights may ask for ([`Access-Control-Allow-Headers`][mdn]).
    ///
    /// See [`AllowHeaders`]; note that the wildcard never covers `Authorization`.
    ///
    /// ```
    /// use http::header;
    /// use tower_cors::{AllowHeaders, CorsLayer};
    ///
    /// let layer = CorsLayer::builder()
    ///     .allow_origin("https://app.example.com")
    ///     .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION])
    ///     .build()
    ///     .unwrap();
    /// let any_and_auth = CorsLayer::builder()
    ///     .allow_origin("https://app.example.com")
    ///     .allow_headers(AllowHeaders::any_with_authorization())
    ///     .build()
    ///     .unwrap();
    /// # let _ = (layer, any_and_auth);
    /// ```
    ///
    /// [mdn]: https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Access-Control-Allow-Headers
    pub fn allow_headers(mut self, headers: impl Into<AllowHeaders>) -> Self {
        self.settings.allow_headers = headers.into();
        self
    }

    /// Which response headers scripts may read ([`Access-Control-Expose-Headers`][mdn]).
    ///
    /// ```
    /// use tower_cors::CorsLayer;
    ///
    /// let layer = CorsLayer::builder()
    ///     .allow_origin("https://app.example.com")
    ///     .expose_headers(["x-request-id", "x-ratelimit-remaining"])
    ///     .build()
    ///     .unwrap();
    /// # let _ = layer;
    /// ```
    ///
    /// [mdn]: https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Access-Control-Expose-Headers
    pub fn expose_headers(mut self, headers: impl Into<ExposeHeaders>) -> Self {
        self.settings.expose_headers = headers.into();
        self
    }

    /// Whether credentialed requests (cookies, HTTP authentication, client certificates) may
    /// read responses ([`Access-Control-Allow-Credentials`][mdn]).
    ///
    /// With credentials, `*` cannot be the allowed origin or the exposed headers (a
    /// configuration error), and the wildcard for methods and request headers is sent as the
    /// mirrored request values.
    ///
    /// ```
    /// use tower_cors::CorsLayer;
    ///
    /// let layer = CorsLayer::builder()
    ///     .allow_origin("https://app.example.com")
    ///     .allow_credentials(true)
    ///     .build()
    ///     .unwrap();
    /// # let _ = layer;
    /// ```
    ///
    /// [mdn]: https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Access-Control-Allow-Credentials
    pub fn allow_credentials(mut self, allow: impl Into<AllowCredentials>) -> Self {
        self.settings.allow_credentials = allow.into();
        self
    }

    /// How long browsers may cache a preflight answer ([`Access-Control-Max-Age`][mdn]), in
    /// whole seconds. Browsers cap it (Chromium at 2 hours, Firefox at 24 hours), and without
    /// it Chromium caches for 5 seconds.
    ///
    /// ```
    /// use std::time::Duration;
    /// use tower_cors::CorsLayer;
    ///
    /// let layer = CorsLayer::builder()
    ///     .allow_origin("https://app.example.com")
    ///     .max_age(Duration::from_secs(600))
    ///     .build()
    ///     .unwrap();
    /// # let _ = layer;
    /// ```
    ///
    /// [mdn]: https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Access-Control-Max-Age
    pub fn max_age(mut self, max_age: impl Into<MaxAge>) -> Self {
        self.settings.max_age = max_age.into();
        self
    }

    /// Whether pages on public networks may reach this (private network) service: answers
    /// `Access-Control-Request-Private-Network: true` with
    /// `Access-Control-Allow-Private-Network: true` ([Private Network Access][pna]). When off,
    /// such a preflight is denied.
    ///
    /// ```
    /// use tower_cors::CorsLayer;
    ///
    /// let layer = CorsLayer::builder()
    ///     .allow_origin("https://app.example.com")
    ///     .allow_private_network(true)
    ///     .build()
    ///     .unwrap();
    /// # let _ = layer;
    /// ```
    ///
    /// [pna]: https://wicg.github.io/private-network-access/
    pub fn allow_private_network(mut self, allow: impl Into<AllowPrivateNetwork>) -> Self {
        self.settings.allow_private_network = allow.into();
        self
    }
}
