//! Allowed origins: the public configuration type ([`AllowOrigin`]) and, below it, how origins
//! are parsed, compiled into a lookup table and matched.
//!
//! - `parse`: the syntax of configured and request origins (`ip`: IP address hosts);
//! - `list`: exact origins and patterns, matched in constant time (`exact`: the exact
//!   origins, compared one by one while they are few);
//! - `compile`: configured entries compiled into a list, with every problem collected;
//! - `hash`: the seeded hash those tables use;
//! - `near_miss`: what almost matched a refused origin, for explanations;
//! - `public_suffix`: whether a subdomain pattern covers a name anyone can register;
//! - `matcher`: the compiled origin policy the core evaluates.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use http::request::Parts;
use http::HeaderValue;

mod compile;
mod exact;
mod hash;
mod ip;
mod list;
mod matcher;
mod near_miss;
mod parse;
mod public_suffix;
mod warnings;

pub(crate) use compile::normalised_exact;
pub(crate) use hash::LookupHashBuilder;
pub(crate) use matcher::{Admission, OriginMatcher};
pub(crate) use parse::{is_wellformed_request_origin, parse_request_origin};

/// A boxed future answering "is this origin allowed?", returned by async predicates.
pub(crate) type BoxBoolFuture = Pin<Box<dyn Future<Output = bool> + Send + 'static>>;

pub(crate) type SyncPredicate = Arc<dyn Fn(&HeaderValue, &Parts) -> bool + Send + Sync + 'static>;
pub(crate) type AsyncPredicate =
    Arc<dyn Fn(HeaderValue, &Parts) -> BoxBoolFuture + Send + Sync + 'static>;

/// Which origins may read responses.
///
/// Build one with [`AllowOrigin::list`], [`AllowOrigin::any`], [`AllowOrigin::predicate`],
/// [`AllowOrigin::async_predicate`] or [`AllowOrigin::mirror_request`], or convert from a
/// string, a [`HeaderValue`], an array or a `Vec` of those, or [`Any`](crate::Any).
///
/// Nothing is validated here: [`CorsBuilder::build`](crate::CorsBuilder::build) checks every
/// entry and reports all problems at once.
///
/// See [`CorsBuilder::allow_origin`](crate::CorsBuilder::allow_origin) for more details.
///
/// # Example
///
/// ```
/// use tower_cors::AllowOrigin;
///
/// let origins = AllowOrigin::from_strs([
///     "https://app.example.com",
///     "https://*.preview.example.com",
///     "http://localhost:*",
/// ]);
/// # let _ = origins;
/// ```
#[derive(Clone, Default)]
#[must_use]
pub struct AllowOrigin(pub(crate) OriginSpec);

#[derive(Clone, Default)]
pub(crate) enum OriginSpec {
    #[default]
    Unset,
    Any,
    List(Vec<Vec<u8>>),
    Predicate(SyncPredicate),
    AsyncPredicate(AsyncPredicate),
    Mirror,
    DangerousMirror,
}

impl AllowOrigin {
    /// Allow every origin.
    ///
    /// Without credentials the layer answers `Access-Control-Allow-Origin: *`, the same for
    /// everyone, and adds no `Vary: Origin`. With credentials this is a configuration error:
    /// browsers never accept `*` on a credentialed request.
    ///
    /// ```
    /// use tower_cors::{AllowOrigin, CorsLayer};
    ///
    /// let layer = CorsLayer::builder().allow_origin(AllowOrigin::any()).build().unwrap();
    /// # let _ = layer;
    /// ```
    pub fn any() -> Self {
        Self(OriginSpec::Any)
    }

    /// Allow the listed origins and origin patterns, given as [`HeaderValue`]s (as in
    /// tower-http, so `"https://a.example".parse()` infers its type). For strings, see
    /// [`AllowOrigin::from_strs`] and [`CorsBuilder::allow_origins`](crate::CorsBuilder::allow_origins).
    ///
    /// Each entry is one of:
    /// - an exact origin such as `https://app.example.com` or `http://localhost:3000`. It is
    ///   normalised when the layer is built (scheme and host lowercased, the scheme's default
    ///   port dropped), the way browsers serialise the `Origin` header. An origin with a path,
    ///   query, fragment, user info or trailing slash is a configuration error;
    /// - a subdomain pattern such as `https://*.example.com`, matching one or more whole labels
    ///   before `.example.com` (so `https://a.example.com` and `https://a.b.example.com`, never
    ///   `https://example.com` nor `https://evilexample.com`), with the same scheme and port. A
    ///   pattern over a public suffix (`https://*.github.io`) is a configuration error;
    /// - any of the above with `:*` as the port, matching every port (and none):
    ///   `http://localhost:*`, `https://*.example.com:*`;
    /// - `null`, the opaque origin of sandboxed frames and `file:` pages. It is only matched
    ///   when listed, never by a pattern or by mirroring.
    ///
    /// Matching does not grow with the list: up to 8 exact origins are compared in place and
    /// more are looked up in a hash table, so 100,000 cost what 3 do; likewise, patterns of up
    /// to 8 hosts are compared with the end of the request's host and more are indexed by
    /// their suffix.
    ///
    /// ```
    /// use http::HeaderValue;
    /// use tower_cors::{AllowOrigin, CorsLayer};
    ///
    /// let origins: Vec<HeaderValue> = ["https://app.example.com", "https://*.example.org"]
    ///     .iter()
    ///     .map(|o| o.parse().unwrap())
    ///     .collect();
    /// let layer = CorsLayer::builder().allow_origin(AllowOrigin::list(origins)).build()?;
    /// # let _ = layer;
    /// # Ok::<(), tower_cors::ConfigError>(())
    /// ```
    pub fn list<I>(origins: I) -> Self
    where
        I: IntoIterator<Item = HeaderValue>,
    {
        Self(OriginSpec::List(
            origins.into_iter().map(|o| o.as_bytes().to_vec()).collect(),
        ))
    }

    /// Allow the listed origins and origin patterns, given as strings; see
    /// [`AllowOrigin::list`] for what an entry can be.
    ///
    /// ```
    /// use tower_cors::{AllowOrigin, CorsLayer};
    ///
    /// let layer = CorsLayer::builder()
    ///     .allow_origin(AllowOrigin::from_strs(["https://app.example.com", "https://*.example.org"]))
    ///     .build()?;
    /// # let _ = layer;
    /// # Ok::<(), tower_cors::ConfigError>(())
    /// ```
    pub fn from_strs<I, T>(origins: I) -> Self
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        Self(OriginSpec::List(
            origins
                .into_iter()
                .map(|o| o.as_ref().as_bytes().to_vec())
                .collect(),
        ))
    }

    /// Allow a single origin or origin pattern; see [`AllowOrigin::list`].
    ///
    /// ```
    /// use tower_cors::AllowOrigin;
    ///
    /// let origin = AllowOrigin::exact("https://app.example.com".parse().unwrap());
    /// # let _ = origin;
    /// ```
    pub fn exact(origin: HeaderValue) -> Self {
        Self::list([origin])
    }

    /// Allow no origin at all: the layer refuses every cross-origin request.
    ///
    /// Leaving the origin unset is a configuration error, so a layer that grants nothing has
    /// to be asked for by name.
    ///
    /// ```
    /// use tower_cors::{AllowOrigin, CorsLayer};
    ///
    /// let layer = CorsLayer::builder().allow_origin(AllowOrigin::none()).build().unwrap();
    /// # let _ = layer;
    /// ```
    pub fn none() -> Self {
        Self(OriginSpec::List(Vec::new()))
    }

    /// Decide with a function of the origin and the request head.
    ///
    /// The function only sees origins that are syntactically valid serialised origins (or
    /// `null`); anything else is refused before it runs.
    ///
    /// ```
    /// use tower_cors::{AllowOrigin, CorsLayer};
    ///
    /// let layer = CorsLayer::builder()
    ///     .allow_origin(AllowOrigin::predicate(|origin, _parts| {
    ///         origin.as_bytes().ends_with(b".internal.example.com")
    ///     }))
    ///     .build()
    ///     .unwrap();
    /// # let _ = layer;
    /// ```
    pub fn predicate<F>(f: F) -> Self
    where
        F: Fn(&HeaderValue, &Parts) -> bool + Send + Sync + 'static,
    {
        Self(OriginSpec::Predicate(Arc::new(f)))
    }

    /// Decide with an asynchronous function of the origin and the request head, for instance
    /// a lookup in a tenant database.
    ///
    /// The check completes before the inner service's future is first polled. The function
    /// is cloned for each request, so it may move what it captured into the future it
    /// returns.
    ///
    /// ```
    /// use tower_cors::{AllowOrigin, CorsLayer};
    ///
    /// let layer = CorsLayer::builder()
    ///     .allow_origin(AllowOrigin::async_predicate(|origin, _parts| async move {
    ///         // e.g. look the origin up in a database
    ///         origin == "https://tenant.example.com"
    ///     }))
    ///     .build()
    ///     .unwrap();
    /// # let _ = layer;
    /// ```
    pub fn async_predicate<F, Fut>(f: F) -> Self
    where
        F: FnOnce(HeaderValue, &Parts) -> Fut + Clone + Send + Sync + 'static,
        Fut: Future<Output = bool> + Send + 'static,
    {
        Self(OriginSpec::AsyncPredicate(Arc::new(
            move |origin, parts| Box::pin((f.clone())(origin, parts)) as BoxBoolFuture,
        )))
    }

    /// Allow every well-formed origin by echoing it back.
    ///
    /// This is the right choice for a public API that wants `Vary: Origin` responses instead of
    /// `*`. It cannot be combined with credentials: reflecting any origin while allowing
    /// credentials lets every web site read your users' data. If that is truly intended, use
    /// [`AllowOrigin::dangerously_mirror_any_origin_with_credentials`].
    ///
    /// ```
    /// use tower_cors::{AllowOrigin, CorsLayer};
    ///
    /// let layer = CorsLayer::builder().allow_origin(AllowOrigin::mirror_request()).build().unwrap();
    /// # let _ = layer;
    /// ```
    pub fn mirror_request() -> Self {
        Self(OriginSpec::Mirror)
    }

    /// Echo every well-formed origin back, even on credentialed requests.
    ///
    /// Any web site can then make your users' browsers send their cookies to this service and
    /// read the answers. Only use it for services that hold nothing private, or behind another
    /// check; prefer [`AllowOrigin::list`].
    ///
    /// ```
    /// use tower_cors::{AllowOrigin, CorsLayer};
    ///
    /// let layer = CorsLayer::builder()
    ///     .allow_origin(AllowOrigin::dangerously_mirror_any_origin_with_credentials())
    ///     .allow_credentials(true)
    ///     .build()
    ///     .unwrap();
    /// # let _ = layer;
    /// ```
    pub fn dangerously_mirror_any_origin_with_credentials() -> Self {
        Self(OriginSpec::DangerousMirror)
    }
}

impl fmt::Debug for AllowOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            OriginSpec::Unset => f.write_str("AllowOrigin::Unset"),
            OriginSpec::Any => f.write_str("AllowOrigin::Any"),
            OriginSpec::List(list) => f
                .debug_tuple("AllowOrigin::List")
                .field(
                    &list
                        .iter()
                        .map(|o| String::from_utf8_lossy(o))
                        .collect::<Vec<_>>(),
                )
                .finish(),
            OriginSpec::Predicate(_) => f.write_str("AllowOrigin::Predicate(..)"),
            OriginSpec::AsyncPredicate(_) => f.write_str("AllowOrigin::AsyncPredicate(..)"),
            OriginSpec::Mirror => f.write_str("AllowOrigin::MirrorRequest"),
            OriginSpec::DangerousMirror => {
                f.write_str("AllowOrigin::DangerouslyMirrorAnyOriginWithCredentials")
            }
        }
    }
}

impl From<crate::Any> for AllowOrigin {
    fn from(_: crate::Any) -> Self {
        Self::any()
    }
}

impl From<HeaderValue> for AllowOrigin {
    fn from(origin: HeaderValue) -> Self {
        Self::exact(origin)
    }
}

impl From<&str> for AllowOrigin {
    fn from(origin: &str) -> Self {
        Self::from_strs([origin])
    }
}

impl From<String> for AllowOrigin {
    fn from(origin: String) -> Self {
        Self::from_strs([origin])
    }
}

impl<const N: usize> From<[HeaderValue; N]> for AllowOrigin {
    fn from(origins: [HeaderValue; N]) -> Self {
        Self::list(origins)
    }
}

impl From<Vec<HeaderValue>> for AllowOrigin {
    fn from(origins: Vec<HeaderValue>) -> Self {
        Self::list(origins)
    }
}
