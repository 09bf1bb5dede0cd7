//! How long browsers may cache a preflight answer (`Access-Control-Max-Age`): the public
//! configuration type, its compiled form, and the value a preflight is granted
//! (<https://fetch.spec.whatwg.org/#http-access-control-max-age>; what browsers do with it:
//! <https://fetch.spec.whatwg.org/#cors-preflight-cache>).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::request::Parts;
use http::HeaderValue;

use crate::report::field::Field;
use crate::report::warning::{ConfigWarning, WarningKind};

pub(crate) type DurationFn = Arc<dyn Fn(&HeaderValue, &Parts) -> Duration + Send + Sync + 'static>;

/// How long browsers may cache a preflight answer ([`Access-Control-Max-Age`][mdn]), in whole
/// seconds.
///
/// Converts from a [`Duration`]; [`MaxAge::dynamic`] computes it per preflight. Browsers cap
/// it (Chromium at 2 hours, Firefox at 24 hours), and without it Chromium caches for 5
/// seconds. See [`CorsBuilder::max_age`](crate::CorsBuilder::max_age) for more details.
///
/// ```
/// use std::time::Duration;
/// use tower_cors::MaxAge;
///
/// let ten_minutes = MaxAge::exact(Duration::from_secs(600));
/// let same: MaxAge = Duration::from_secs(600).into();
/// # let _ = (ten_minutes, same);
/// ```
///
/// [mdn]: https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Access-Control-Max-Age
#[derive(Clone, Default)]
#[must_use]
pub struct MaxAge(pub(crate) MaxAgeSpec);

#[derive(Clone, Default)]
pub(crate) enum MaxAgeSpec {
    #[default]
    Unset,
    Exact(Duration),
    Dynamic(DurationFn),
}

impl MaxAge {
    /// The same max-age for every preflight.
    ///
    /// ```
    /// use std::time::Duration;
    /// use tower_cors::{CorsLayer, MaxAge};
    ///
    /// let layer = CorsLayer::builder()
    ///     .allow_origin("https://app.example.com")
    ///     .max_age(MaxAge::exact(Duration::from_secs(600)))
    ///     .build()?;
    /// # let _ = layer;
    /// # Ok::<(), tower_cors::ConfigError>(())
    /// ```
    pub fn exact(max_age: Duration) -> Self {
        Self(MaxAgeSpec::Exact(max_age))
    }

    /// A max-age computed for each allowed preflight from its origin and head.
    ///
    /// ```
    /// use std::time::Duration;
    /// use http::{header, Request};
    /// use tower_cors::{CorsLayer, MaxAge};
    ///
    /// let layer = CorsLayer::builder()
    ///     .allow_origin(["https://app.example.com".parse()?, "http://localhost:3000".parse()?])
    ///     .max_age(MaxAge::dynamic(|origin, _parts| {
    ///         if origin.as_bytes().starts_with(b"http://localhost") {
    ///             Duration::ZERO // development: never cache
    ///         } else {
    ///             Duration::from_secs(3600)
    ///         }
    ///     }))
    ///     .build()?;
    /// let preflight = Request::options("/")
    ///     .header(header::ORIGIN, "http://localhost:3000")
    ///     .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
    ///     .body(())?;
    /// assert_eq!(layer.headers_for(&preflight).1[header::ACCESS_CONTROL_MAX_AGE], "0");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn dynamic<F>(f: F) -> Self
    where
        F: Fn(&HeaderValue, &Parts) -> Duration + Send + Sync + 'static,
    {
        Self(MaxAgeSpec::Dynamic(Arc::new(f)))
    }
}

impl From<Duration> for MaxAge {
    fn from(max_age: Duration) -> Self {
        Self::exact(max_age)
    }
}

impl fmt::Debug for MaxAge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            MaxAgeSpec::Unset => f.write_str("MaxAge::Unset"),
            MaxAgeSpec::Exact(d) => f.debug_tuple("MaxAge::Exact").field(d).finish(),
            MaxAgeSpec::Dynamic(_) => f.write_str("MaxAge::Dynamic(..)"),
        }
    }
}

/// Chromium's cap on a preflight cache entry (Firefox's is 24 hours): a longer max-age is cut
/// to it, so a longer one does not do what it says in the most used browser.
const CHROMIUM_PREFLIGHT_CACHE: Duration = Duration::from_secs(2 * 60 * 60);

impl MaxAge {
    /// The warnings of the max-age: none set while some preflight can pass (each is then
    /// repeated before its request, or cached for 5 seconds), or one over the browsers' caps.
    pub(crate) fn warnings(&self, preflights_can_pass: bool, out: &mut Vec<ConfigWarning>) {
        let warn = |value: String, kind| ConfigWarning::new(Field::MaxAge, None, value, kind);
        match self.0 {
            MaxAgeSpec::Unset if preflights_can_pass => {
                out.push(warn(String::new(), WarningKind::NoMaxAge));
            }
            MaxAgeSpec::Exact(max_age) if max_age > CHROMIUM_PREFLIGHT_CACHE => {
                let seconds = max_age.as_secs().to_string();
                out.push(warn(seconds, WarningKind::MaxAgeOverBrowserCaps));
            }
            _ => {}
        }
    }
}

/// The compiled `Access-Control-Max-Age` of a policy.
pub(crate) enum CompiledMaxAge {
    Unset,
    Fixed(HeaderValue),
    Dynamic(DurationFn),
}

impl CompiledMaxAge {
    pub(crate) fn compile(max_age: &MaxAge) -> Self {
        match &max_age.0 {
            MaxAgeSpec::Unset => Self::Unset,
            MaxAgeSpec::Exact(d) => Self::Fixed(HeaderValue::from(d.as_secs())),
            MaxAgeSpec::Dynamic(f) => Self::Dynamic(f.clone()),
        }
    }

    /// The max-age an allowed preflight gets, `None` when the policy sets none.
    pub(crate) fn grant<'p>(
        &self,
        origin: &HeaderValue,
        parts: &impl Fn() -> &'p Parts,
    ) -> Option<GrantedMaxAge<'_>> {
        match self {
            Self::Unset => None,
            Self::Fixed(value) => Some(GrantedMaxAge::Value(value)),
            Self::Dynamic(f) => Some(GrantedMaxAge::Seconds(f(origin, parts()).as_secs())),
        }
    }

    /// The max-age every preflight gets, when it is the same for all.
    pub(crate) fn fixed(&self) -> Option<GrantedMaxAge<'_>> {
        match self {
            Self::Fixed(value) => Some(GrantedMaxAge::Value(value)),
            Self::Unset | Self::Dynamic(_) => None,
        }
    }

    /// Whether a function computes it for each preflight.
    pub(crate) fn is_dynamic(&self) -> bool {
        matches!(self, Self::Dynamic(_))
    }
}

impl fmt::Debug for CompiledMaxAge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unset => f.write_str("Unset"),
            Self::Fixed(value) => f.debug_tuple("Fixed").field(value).finish(),
            Self::Dynamic(_) => f.write_str("Dynamic(..)"),
        }
    }
}

/// The `Access-Control-Max-Age` a preflight is granted.
#[derive(Debug, Clone, Copy)]
pub(crate) enum GrantedMaxAge<'a> {
    /// The policy's own value.
    Value(&'a HeaderValue),
    /// Computed for this preflight.
    Seconds(u64),
}

impl GrantedMaxAge<'_> {
    pub(crate) fn value(self) -> HeaderValue {
        match self {
            Self::Value(value) => value.clone(),
            Self::Seconds(seconds) => HeaderValue::from(seconds),
        }
    }
}
