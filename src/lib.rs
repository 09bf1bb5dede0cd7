//! A spec-correct CORS middleware for [tower] services: axum routers, tonic servers, plain
//! hyper services.
//!
//! [`CorsLayer`] answers CORS preflights itself and adds the granted `Access-Control-*`
//! headers to every response of the service it wraps, following the [Fetch Standard]'s CORS
//! protocol and [Private Network Access]. The policy is validated when it is built (every
//! problem reported at once, never a panic) and compiled so that serving a request allocates
//! nothing that could have been computed in advance.
//!
//! # Example
//!
//! ```
//! use std::convert::Infallible;
//! use http::{header, Method, Request, Response, StatusCode};
//! use tower::{service_fn, ServiceBuilder, ServiceExt};
//! use tower_cors::CorsLayer;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let cors = CorsLayer::builder()
//!     .allow_origin("https://app.example.com")
//!     .allow_methods([Method::GET, Method::PUT])
//!     .allow_headers([header::CONTENT_TYPE])
//!     .build()?;
//!
//! let service = ServiceBuilder::new()
//!     .layer(cors)
//!     .service(service_fn(|_req: Request<()>| async {
//!         Ok::<_, Infallible>(Response::new("hello"))
//!     }));
//!
//! // A preflight is answered by the layer.
//! let preflight = Request::options("/items/1")
//!     .header(header::ORIGIN, "https://app.example.com")
//!     .header(header::ACCESS_CONTROL_REQUEST_METHOD, "PUT")
//!     .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "content-type")
//!     .body(())?;
//! let response = service.clone().oneshot(preflight).await?;
//! assert_eq!(response.status(), StatusCode::NO_CONTENT);
//! assert_eq!(response.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "https://app.example.com");
//! assert_eq!(response.headers()[header::ACCESS_CONTROL_ALLOW_METHODS], "GET, PUT");
//!
//! // An actual request is passed on, and its response decorated.
//! let request = Request::get("/items/1")
//!     .header(header::ORIGIN, "https://app.example.com")
//!     .body(())?;
//! let response = service.clone().oneshot(request).await?;
//! assert_eq!(response.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "https://app.example.com");
//! assert_eq!(response.headers()[header::VARY], "origin");
//!
//! // Another origin gets no grant at all.
//! let request = Request::get("/items/1")
//!     .header(header::ORIGIN, "https://evil.example")
//!     .body(())?;
//! let response = service.oneshot(request).await?;
//! assert!(response.headers().get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
//! # Ok(())
//! # }
//! ```
//!
//! # Where to put the layer
//!
//! Outermost. Timeouts, authentication, rate limiting and error handlers belong inside it, so
//! that preflights never reach them and every response they produce (401, 404, 500, 504) still
//! carries the CORS headers; a browser hides a response without them behind a generic CORS
//! error. An authentication layer that must sit outside can let preflights through with
//! [`is_preflight`].
//!
//! # Behaviour
//!
//! - A preflight is an `OPTIONS` request with `Origin` and `Access-Control-Request-Method`.
//!   Any other request, `OPTIONS` included, goes to the inner service.
//! - An allowed preflight is answered with `204 No Content` (configurable) and the grant; a
//!   denied one gets no `Access-Control-*` header at all (or `403` in strict mode).
//! - Responses to requests without `Origin` or from a refused origin carry no grant header.
//! - `Vary` is merged with what the inner service set, without duplicates, leaving `Vary: *`
//!   alone.
//! - Every decision has a typed reason ([`Decision`], [`Denial`]); [`CorsLayer::decide`]
//!   evaluates a request without a service.
//!
//! # How it works
//!
//! The crate is in four parts, each using only the ones before it:
//!
//! 1. **The core** (`policy`, with `origin`, `methods`, `headers`, `vary`, `decision`,
//!    `error`, `field`): plain settings, compiled once into a `Policy`, and the two pure
//!    functions that decide every request. It knows nothing of services or futures.
//! 2. **Building** (`builder`, `config`, `presets`): everything that fills the settings; the
//!    single compile step validates them and reports every problem at once.
//! 3. **Serving** (`layer`, `service`, `shared`, `reload`, `report_only`, `trace`): the
//!    [`CorsLayer`], the [`Cors`] service and its [`ResponseFuture`], and what they share;
//!    with the `watch` feature, [`watch`] follows a configuration file and swaps each valid
//!    version in through a [`ReloadHandle`].
//! 4. **Explaining** (`simulate`): the browser's side of an exchange, for dry runs, and for
//!    judging a live server's answers ([`BrowserRequest::check_preflight`],
//!    [`BrowserRequest::check_response`]; the `cors-explain` command-line tool, a crate of
//!    its own).
//!
//! The walk of one request:
//!
//! 1. [`Cors::call`](tower_service::Service::call) takes the current policy snapshot (one
//!    `Arc`, swapped atomically by a [`ReloadHandle`]);
//! 2. `Policy::select` chooses the policy that decides: the layer's own, or, for a set of
//!    policies, the first whose paths and origins admit the request;
//! 3. its `Policy::evaluate` reads the request head and gives a verdict: not a CORS request,
//!    allowed with this grant, or denied for this [`Denial`] (or a verdict that waits on an
//!    async origin predicate);
//! 4. the service reports the verdict (report-only mode, `tracing`, the request extension);
//! 5. `Policy::plan` turns the verdict into a plan: answer now with this head; forward to the
//!    inner service and write these headers into its response; or run the origin check first,
//!    then answer or forward;
//! 6. the [`ResponseFuture`] follows the plan. It decides nothing itself.
//!
//! [`CorsLayer::decide`], [`CorsLayer::headers_for`] and [`CorsLayer::simulate`] run the
//! same choice, evaluation and plan without a service, so a dry run can never disagree with
//! the layer.
//!
//! [tower]: https://docs.rs/tower
//! [Fetch Standard]: https://fetch.spec.whatwg.org/#http-cors-protocol
//! [Private Network Access]: https://wicg.github.io/private-network-access/
#![cfg_attr(docsrs, feature(doc_cfg))]

// The pure core and what it is made of: nothing here knows about services.
mod credentials;
mod decision;
mod error;
mod fetch;
mod field;
mod headers;
mod max_age;
mod methods;
mod origin;
mod policy;
mod private_network;
mod util;
mod vary;
mod warning;

// Building a policy: the builder, configuration files and presets fill `policy::Settings`.
mod builder;
mod compat;
#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
mod config;
mod presets;

// Serving: the layer, its services and futures, and what they share.
mod layer;
mod reload;
mod report_only;
mod service;
mod shared;
#[cfg(feature = "tracing")]
mod trace;
#[cfg(feature = "watch")]
#[cfg_attr(docsrs, doc(cfg(feature = "watch")))]
pub mod watch;

// Explaining: the browser's side of an exchange, for dry runs and live answers.
mod simulate;

pub use builder::CorsBuilder;
#[allow(deprecated)]
pub use compat::{any, preflight_request_headers, Vary};
#[cfg(feature = "serde")]
pub use config::{CorsConfig, EnvError, EnvProblem, EnvProblemKind};
pub use credentials::AllowCredentials;
pub use decision::{Decision, Denial, RequestKind};
pub use error::{ConfigError, ConfigProblem, ProblemKind};
pub use field::Field;
pub use headers::{AllowHeaders, ExposeHeaders};
pub use layer::CorsLayer;
pub use max_age::MaxAge;
pub use methods::AllowMethods;
pub use origin::AllowOrigin;
pub use private_network::AllowPrivateNetwork;
pub use reload::ReloadHandle;
pub use report_only::Report;
pub use service::{Cors, ResponseBody, ResponseFuture};
pub use simulate::{Blocked, BrowserRequest, Exchange, InvalidRequest, Simulation};
pub use warning::{ConfigWarning, WarningKind};

/// The wildcard: converts into "allow any" for origins, methods, request headers and exposed
/// headers.
///
/// ```
/// use tower_cors::{Any, CorsLayer};
///
/// let layer = CorsLayer::builder()
///     .allow_origin(Any)
///     .allow_methods(Any)
///     .allow_headers(Any)
///     .build()
///     .unwrap();
/// # let _ = layer;
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Any;

/// Whether a request is a CORS preflight: `OPTIONS` with both `Origin` and
/// `Access-Control-Request-Method` (and not the asterisk-form `OPTIONS *`).
///
/// Useful in an authentication layer that must let preflights through (browsers never send
/// credentials on a preflight).
///
/// ```
/// use http::{header, Request};
///
/// let preflight = Request::options("/")
///     .header(header::ORIGIN, "https://app.example.com")
///     .header(header::ACCESS_CONTROL_REQUEST_METHOD, "PUT")
///     .body(())
///     .unwrap();
/// assert!(tower_cors::is_preflight(&preflight));
///
/// let plain_options = Request::options("/").body(()).unwrap();
/// assert!(!tower_cors::is_preflight(&plain_options));
/// ```
pub fn is_preflight<B>(request: &http::Request<B>) -> bool {
    policy::Head::of(request).is_preflight()
}

/// The README's code blocks, compiled as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
