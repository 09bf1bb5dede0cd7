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
//! The modules are in layers, each using only the ones before it:
//!
//! 1. `report`: what the user reads back ([`Decision`], [`Denial`], [`ConfigError`],
//!    [`ConfigWarning`], the fix for each denial), and the settings table: every key as a
//!    [`Field`], and `switches!`, the one list of the plain settings that the policy, the
//!    builder, configuration files and environment variables all follow.
//! 2. `grant`: one module per CORS concept (origins, methods, request and exposed headers,
//!    credentials, private network access, max-age, `Vary`), each with its public
//!    configuration type, its compiled form and its check of a request.
//! 3. `policy`: the pure core. Plain settings, compiled once into a `Policy`, and the pure
//!    functions that decide every request; it knows nothing of services or futures.
//! 4. `service`: the [`Cors`] service and its [`ResponseFuture`], which follow the core's plan,
//!    with report-only mode and `tracing` events.
//! 5. `layer`: the [`CorsLayer`] and the entry points that evaluate a request without a
//!    service ([`CorsLayer::decide`], [`CorsLayer::headers_for`]).
//! 6. `builder`, then `config` and [`watch`]: everything that fills the settings (the builder,
//!    the presets, tower-http's names, configuration files, a watched file swapped in through
//!    a [`ReloadHandle`]); the single compile step validates them and reports every problem
//!    at once.
//! 7. `simulate`: the browser's side of an exchange, for dry runs and for judging a live
//!    server's answers ([`BrowserRequest::check_preflight`],
//!    [`BrowserRequest::check_response`]; the `cors-explain` command-line tool, a crate of its
//!    own, uses them).
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

// What a policy grants, one module per CORS concept: origins, methods, request and exposed
// headers, credentials, private network access, max-age, `Vary`, and the Fetch Standard's facts.
mod grant;
// The pure core: compiled policies, and the one place where requests are decided.
mod policy;
// What the user reads back: decisions, configuration problems and warnings, the keys.
mod report;

// Building a policy: the builder, presets and tower-http names fill `policy::Settings`.
mod builder;
#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
mod config;

// Serving: the layer, its services and futures, and what they share.
mod layer;
mod service;
#[cfg(feature = "watch")]
#[cfg_attr(docsrs, doc(cfg(feature = "watch")))]
pub mod watch;

// Explaining: the browser's side of an exchange, for dry runs and live answers.
mod simulate;

#[allow(deprecated)]
pub use builder::compat::{any, preflight_request_headers, Vary};
pub use builder::reload::ReloadHandle;
pub use builder::CorsBuilder;
#[cfg(feature = "serde")]
pub use config::{CorsConfig, EnvError, EnvProblem, EnvProblemKind};
pub use grant::credentials::AllowCredentials;
pub use grant::headers::{AllowHeaders, ExposeHeaders};
pub use grant::max_age::MaxAge;
pub use grant::methods::AllowMethods;
pub use grant::origin::AllowOrigin;
pub use grant::private_network::AllowPrivateNetwork;
pub use layer::CorsLayer;
pub use report::decision::{Decision, Denial, RequestKind};
pub use report::error::{ConfigError, ConfigProblem, ProblemKind};
pub use report::field::Field;
pub use report::warning::{ConfigWarning, WarningKind};
pub use service::report_only::Report;
pub use service::{Cors, ResponseBody, ResponseFuture};
pub use simulate::{Blocked, BrowserRequest, Exchange, InvalidRequest, Simulation};

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
