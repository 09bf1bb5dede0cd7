//! The services and requests compared by `benches/cors.rs`, `tests/alloc.rs` and
//! `examples/load_server.rs`, defined once so that all of them measure the same thing.
//!
//! Four contenders serve every request:
//! - `none`: the inner service alone;
//! - `floor`: the inner service plus the least work any layer must do to send the same CORS
//!   headers as tower-cors (see [`Floor`]);
//! - `tower-cors`: the inner service behind this crate's layer;
//! - `tower-http`: the inner service behind tower-http's `CorsLayer`.
//!
//! The inner service answers at once with a realistic small response: a `Full<Bytes>` body and
//! one `Content-Type` header (so the response's header map is already allocated, with room for
//! five more headers, as with most handlers).
//!
//! One request is `poll_ready`, `call`, and polling the response future to completion. The
//! request is prepared once and cloned for each run, as a server hands over freshly parsed
//! requests whose header values share the read buffer.
#![allow(dead_code, unreachable_pub)]

use std::convert::Infallible;
use std::future::{ready, Future, Ready};
use std::pin::{pin, Pin};
use std::sync::Arc;
use std::task::{ready, Context, Poll, Wake, Waker};
use std::time::Duration;

use bytes::Bytes;
use http::header::{
    ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, CONTENT_TYPE, ORIGIN,
};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, Response};
use http_body_util::Full;
use tower::service_fn;
use tower::util::ServiceFn;
use tower::{Layer, Service};

/// The request and response body type of every contender.
pub type Body = Full<Bytes>;

type InnerFn = fn(Request<Body>) -> Ready<Result<Response<Body>, Infallible>>;

/// The inner service.
pub type Inner = ServiceFn<InnerFn>;

/// The inner service behind tower-cors.
pub type TowerCors = tower_cors::Cors<Inner>;

/// The inner service behind tower-http.
pub type TowerHttp = tower_http::cors::Cors<Inner>;

const X_CUSTOM: HeaderName = HeaderName::from_static("x-custom");
const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
const X_TRACE_ID: HeaderName = HeaderName::from_static("x-trace-id");
const MAX_AGE: Duration = Duration::from_secs(600);

fn answer(_request: Request<Body>) -> Ready<Result<Response<Body>, Infallible>> {
    let mut response = Response::new(Full::new(Bytes::from_static(b"hello, world")));
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    ready(Ok(response))
}

/// The bare inner service: a ready `200 OK` with `Content-Type` and a 12-byte body.
pub fn inner() -> Inner {
    service_fn(answer as InnerFn)
}

/// `https://app{i}.example.com` for `i` in `0..n`. Requests use the last one.
pub fn origins(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("https://app{i}.example.com"))
        .collect()
}

/// `https://*.tenant{i}.example.com` for `i` in `0..n`, as (scheme, host suffix) pairs.
/// Requests come from `https://app.tenant{n-1}.example.com`.
pub fn subdomain_patterns(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("https://*.tenant{i}.example.com"))
        .collect()
}

/// How preflights' request headers are allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Headers {
    /// `content-type, x-custom`.
    Listed,
    /// Echo `Access-Control-Request-Headers`.
    Mirrored,
}

/// The shared policy, apart from the origins: credentials, methods `GET, POST, PUT`,
/// request headers `content-type, x-custom` (or mirrored), exposed headers
/// `x-request-id, x-trace-id`, max age 600 s.
pub fn tower_cors_layer(
    allow_origin: tower_cors::AllowOrigin,
    headers: Headers,
) -> tower_cors::CorsLayer {
    let builder = tower_cors::CorsLayer::builder()
        .allow_origin(allow_origin)
        .allow_credentials(true)
        .allow_methods([Method::GET, Method::POST, Method::PUT])
        .expose_headers([X_REQUEST_ID, X_TRACE_ID])
        .max_age(MAX_AGE);
    let builder = match headers {
        Headers::Listed => builder.allow_headers([CONTENT_TYPE, X_CUSTOM]),
        Headers::Mirrored => builder.allow_headers(tower_cors::AllowHeaders::mirror_request()),
    };
    builder.build().expect("the benchmark policy is valid")
}

/// The same policy for tower-http.
pub fn tower_http_layer(
    allow_origin: tower_http::cors::AllowOrigin,
    headers: Headers,
) -> tower_http::cors::CorsLayer {
    let layer = tower_http::cors::CorsLayer::new()
        .allow_origin(allow_origin)
        .allow_credentials(true)
        .allow_methods([Method::GET, Method::POST, Method::PUT])
        .expose_headers([X_REQUEST_ID, X_TRACE_ID])
        .max_age(MAX_AGE);
    match headers {
        Headers::Listed => layer.allow_headers([CONTENT_TYPE, X_CUSTOM]),
        Headers::Mirrored => layer.allow_headers(tower_http::cors::AllowHeaders::mirror_request()),
    }
}

fn header_values(list: &[String]) -> Vec<HeaderValue> {
    list.iter()
        .map(|o| HeaderValue::from_str(o).expect("a valid origin"))
        .collect()
}

/// The floor: the least work any layer must do to send tower-cors's headers for a case, with
/// `http`'s `HeaderMap`. It checks the method, reads `Origin` and compares it with the one
/// origin it allows. Then, for another or no origin, it appends `Vary: origin` to the inner
/// service's response; for that origin, it inserts precomputed grant values into the response,
/// or answers a preflight with a clone of a precomputed map, the origin put in place. It reads
/// no other request header (but `Access-Control-Request-Headers`, when it mirrors them) and
/// validates nothing, so it is not a CORS implementation: it measures what is left once all
/// CORS logic is taken away.
///
/// It is a layer like any other: generic over the inner service, it returns a future that
/// wraps the inner one and writes the headers when that one is ready (see [`FloorFuture`]).
/// Its precomputed values live for the whole process, so that its future holds a reference
/// to them and, of the request, only the origin it grants.
#[derive(Clone)]
pub struct Floor<S = Inner> {
    inner: S,
    allowed: HeaderValue,
    requested: Headers,
    values: &'static FloorValues,
}

/// What the floor writes, made once.
pub struct FloorValues {
    credentials: HeaderValue,
    expose: HeaderValue,
    vary: HeaderValue,
    /// A preflight's answer, with a placeholder for the origin first.
    preflight: HeaderMap,
}

impl Floor {
    /// A floor that allows `origin`, answering preflights' request headers as `requested`.
    pub fn new(origin: &str, requested: Headers) -> Self {
        use http::header::{
            ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS,
            ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_MAX_AGE,
            VARY,
        };
        let value = HeaderValue::from_static;
        let mut preflight = HeaderMap::new();
        preflight.insert(ACCESS_CONTROL_ALLOW_ORIGIN, value("*"));
        preflight.insert(ACCESS_CONTROL_ALLOW_CREDENTIALS, value("true"));
        preflight.insert(ACCESS_CONTROL_ALLOW_METHODS, value("GET, POST, PUT"));
        preflight.insert(
            ACCESS_CONTROL_ALLOW_HEADERS,
            value("content-type, x-custom"),
        );
        preflight.insert(ACCESS_CONTROL_MAX_AGE, value("600"));
        preflight.insert(
            VARY,
            value("origin, access-control-request-method, access-control-request-headers"),
        );
        Self {
            inner: inner(),
            allowed: HeaderValue::from_str(origin).expect("a valid origin"),
            requested,
            values: Box::leak(Box::new(FloorValues {
                credentials: value("true"),
                expose: value("x-request-id, x-trace-id"),
                vary: value("origin"),
                preflight,
            })),
        }
    }
}

impl<S, B> Service<Request<Body>> for Floor<S>
where
    S: Service<Request<Body>, Response = Response<B>>,
    B: Default,
{
    type Response = Response<B>;
    type Error = S::Error;
    type Future = FloorFuture<S::Future, B>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        let preflight = request.method() == Method::OPTIONS;
        let origin = request
            .headers()
            .get(ORIGIN)
            .filter(|origin| origin.as_bytes() == self.allowed.as_bytes())
            .cloned();
        if origin.is_none() || !preflight {
            return FloorFuture::Forward {
                inner: self.inner.call(request),
                origin,
                values: self.values,
            };
        }
        let allow_headers = match self.requested {
            Headers::Listed => None,
            Headers::Mirrored => request
                .headers()
                .get(ACCESS_CONTROL_REQUEST_HEADERS)
                .cloned(),
        };
        drop(request);
        let mut response = Response::new(B::default());
        *response.status_mut() = http::StatusCode::NO_CONTENT;
        let mut headers = self.values.preflight.clone();
        // The template's first value is the origin's placeholder, its fourth the request headers'.
        let mut slots = headers.values_mut();
        if let (Some(origin), Some(slot)) = (origin, slots.next()) {
            *slot = origin;
        }
        if let (Some(value), Some(slot)) = (allow_headers, slots.nth(2)) {
            *slot = value;
        }
        *response.headers_mut() = headers;
        FloorFuture::Answer {
            response: Some(response),
        }
    }
}

pin_project_lite::pin_project! {
    /// The floor's response future: its own answer, or the inner service's future and what
    /// to write into its response.
    #[project = FloorProj]
    pub enum FloorFuture<F, B> {
        Answer { response: Option<Response<B>> },
        Forward {
            #[pin]
            inner: F,
            // The granted origin; `None` for another or no origin.
            origin: Option<HeaderValue>,
            values: &'static FloorValues,
        },
    }
}

impl<F, B, E> Future for FloorFuture<F, B>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        use http::header::{
            ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_ORIGIN,
            ACCESS_CONTROL_EXPOSE_HEADERS, VARY,
        };
        match self.project() {
            FloorProj::Answer { response } => {
                Poll::Ready(Ok(response.take().expect("polled after completion")))
            }
            FloorProj::Forward {
                inner,
                origin,
                values,
            } => {
                let mut result = ready!(inner.poll(cx));
                if let Ok(response) = &mut result {
                    let headers = response.headers_mut();
                    if let Some(origin) = origin.take() {
                        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
                        headers
                            .insert(ACCESS_CONTROL_ALLOW_CREDENTIALS, values.credentials.clone());
                        headers.insert(ACCESS_CONTROL_EXPOSE_HEADERS, values.expose.clone());
                    }
                    headers.append(VARY, values.vary.clone());
                }
                Poll::Ready(result)
            }
        }
    }
}

/// The contenders for one policy.
pub struct Contenders {
    pub none: Inner,
    pub floor: Floor,
    pub tower_cors: TowerCors,
    pub tower_http: TowerHttp,
}

impl Contenders {
    /// `n` exact origins.
    pub fn with_origins(n: usize, headers: Headers) -> Self {
        let list = origins(n);
        Self {
            none: inner(),
            floor: Floor::new(&listed_origin(n), headers),
            tower_cors: tower_cors_layer(tower_cors::AllowOrigin::from_strs(&list), headers)
                .layer(inner()),
            tower_http: tower_http_layer(
                tower_http::cors::AllowOrigin::list(header_values(&list)),
                headers,
            )
            .layer(inner()),
        }
    }

    /// `n` subdomain patterns. tower-http has no patterns: it gets the predicate a user would
    /// write, checking the scheme and each suffix in turn.
    pub fn with_patterns(n: usize) -> Self {
        let patterns = subdomain_patterns(n);
        let suffixes: Vec<Vec<u8>> = (0..n)
            .map(|i| format!(".tenant{i}.example.com").into_bytes())
            .collect();
        let predicate = move |origin: &HeaderValue, _: &http::request::Parts| {
            let origin = origin.as_bytes();
            match origin.strip_prefix(b"https://") {
                Some(host) => suffixes
                    .iter()
                    .any(|s| host.len() > s.len() && host.ends_with(s)),
                None => false,
            }
        };
        Self {
            none: inner(),
            floor: Floor::new(&pattern_origin(n), Headers::Listed),
            tower_cors: tower_cors_layer(
                tower_cors::AllowOrigin::from_strs(&patterns),
                Headers::Listed,
            )
            .layer(inner()),
            tower_http: tower_http_layer(
                tower_http::cors::AllowOrigin::predicate(predicate),
                Headers::Listed,
            )
            .layer(inner()),
        }
    }

    /// A set of `n` policies of one exact origin each (the request's is the last), each with
    /// the grant of [`tower_cors_layer`], in front of a top-level policy of 3 origins.
    /// tower-http has no sets: it gets the `n` origins as one list, the closest it comes.
    pub fn with_policies(n: usize) -> Self {
        let list = origins(n);
        let mut builder = tower_cors::CorsLayer::builder().allow_origins(origins(3));
        for origin in &list {
            builder = builder.policy(
                tower_cors::CorsLayer::builder()
                    .allow_origins([origin])
                    .allow_credentials(true)
                    .allow_methods([Method::GET, Method::POST, Method::PUT])
                    .allow_headers([CONTENT_TYPE, X_CUSTOM])
                    .expose_headers([X_REQUEST_ID, X_TRACE_ID])
                    .max_age(MAX_AGE),
            );
        }
        Self {
            none: inner(),
            floor: Floor::new(&listed_origin(n), Headers::Listed),
            tower_cors: builder.build().expect("a valid set").layer(inner()),
            tower_http: tower_http_layer(
                tower_http::cors::AllowOrigin::list(header_values(&list)),
                Headers::Listed,
            )
            .layer(inner()),
        }
    }
}

/// The `Origin` of requests against [`origins`]`(n)`: the last one listed.
pub fn listed_origin(n: usize) -> String {
    format!("https://app{}.example.com", n - 1)
}

/// The `Origin` of requests against [`subdomain_patterns`]`(n)`.
pub fn pattern_origin(n: usize) -> String {
    format!("https://app.tenant{}.example.com", n - 1)
}

/// `GET /items/1`, with an `Origin` or without.
pub fn get(origin: Option<&str>) -> Request<Body> {
    let mut builder = Request::get("/items/1").header("accept", "application/json");
    if let Some(origin) = origin {
        builder = builder.header(ORIGIN, origin);
    }
    prepared(builder.body(Body::default()).expect("a valid request"))
}

/// The preflight of `PUT /items/1` with `content-type, x-custom`.
pub fn preflight(origin: &str) -> Request<Body> {
    let request = Request::options("/items/1")
        .header("accept", "*/*")
        .header(ORIGIN, origin)
        .header(ACCESS_CONTROL_REQUEST_METHOD, "PUT")
        .header(ACCESS_CONTROL_REQUEST_HEADERS, "content-type,x-custom")
        .body(Body::default())
        .expect("a valid request");
    prepared(request)
}

/// The same preflight with the headers Chromium sends along (HTTP/1.1, in its order): what
/// reading the CORS headers of a preflight costs when they are among a dozen others.
pub fn browser_preflight(origin: &str) -> Request<Body> {
    let request = Request::options("/items/1")
        .header("host", "api.example.com")
        .header("connection", "keep-alive")
        .header("accept", "*/*")
        .header(ACCESS_CONTROL_REQUEST_METHOD, "PUT")
        .header(ACCESS_CONTROL_REQUEST_HEADERS, "content-type,x-custom")
        .header(ORIGIN, origin)
        .header(
            "user-agent",
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
             Chrome/131.0.0.0 Safari/537.36",
        )
        .header("sec-fetch-mode", "cors")
        .header("sec-fetch-site", "same-site")
        .header("sec-fetch-dest", "empty")
        .header("referer", format!("{origin}/"))
        .header("accept-encoding", "gzip, deflate, br, zstd")
        .header("accept-language", "en-US,en;q=0.9")
        .body(Body::default())
        .expect("a valid request");
    prepared(request)
}

/// Clones a request the way a benchmark does for each run. The first clone of a header value
/// made from a string moves its bytes to shared storage (one allocation); doing it here, once,
/// leaves every later clone a reference-count increment, as for header values a server parsed
/// out of its read buffer.
fn prepared(request: Request<Body>) -> Request<Body> {
    let copy = clone_request(&request);
    drop(copy);
    request
}

/// A copy of a prepared request (method, URI, headers, empty body).
pub fn clone_request(request: &Request<Body>) -> Request<Body> {
    let mut copy = Request::new(request.body().clone());
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.headers_mut() = request.headers().clone();
    copy
}

struct NoopWake;

impl Wake for NoopWake {
    fn wake(self: Arc<Self>) {}
}

/// A waker that does nothing: every service here is always ready and every future completes
/// on its first poll.
pub fn noop_waker() -> Waker {
    Waker::from(Arc::new(NoopWake))
}

/// One request: `poll_ready`, `call`, and the response future polled to completion.
///
/// # Panics
///
/// If the service is not ready or its future is not complete at the first poll (none of the
/// contenders ever is).
#[inline]
pub fn serve<S, B>(service: &mut S, request: Request<Body>, waker: &Waker) -> Response<B>
where
    S: Service<Request<Body>, Response = Response<B>, Error = Infallible>,
{
    let mut cx = Context::from_waker(waker);
    match service.poll_ready(&mut cx) {
        Poll::Ready(Ok(())) => {}
        _ => panic!("the service is always ready"),
    }
    let future = pin!(service.call(request));
    match Future::poll(future, &mut cx) {
        Poll::Ready(Ok(response)) => response,
        _ => panic!("the response future completes at once"),
    }
}

/// A measured case: a name, a request, and the policy it runs against.
pub struct Case {
    /// The criterion group name (also the README row).
    pub name: &'static str,
    pub request: Request<Body>,
    pub contenders: Contenders,
}

/// The four request shapes of the comparison, plus preflights with mirrored request headers
/// and with the headers a browser sends along, against 3 listed origins.
pub const REQUEST_CASES: [&str; 6] = [
    "get_allowed_origin",
    "preflight",
    "preflight_mirrored_headers",
    "preflight_browser_headers",
    "get_no_origin",
    "get_disallowed_origin",
];

/// Allowed `GET`s against growing policies.
pub const SCALING_CASES: [&str; 5] = [
    "origins_3",
    "origins_1000",
    "origins_100000",
    "patterns_1",
    "patterns_1000",
];

/// Allowed `GET`s against sets of policies of one exact origin each: choosing the policy
/// must not grow with their number.
pub const SET_CASES: [&str; 2] = ["policies_1", "policies_1000"];

/// The case called `name`, one of [`REQUEST_CASES`], [`SCALING_CASES`] and [`SET_CASES`]; only its own
/// policy is built.
///
/// # Panics
///
/// For any other name.
pub fn case(name: &'static str) -> Case {
    let origin = listed_origin(3);
    let (request, contenders) = match name {
        "get_allowed_origin" => (
            get(Some(&origin)),
            Contenders::with_origins(3, Headers::Listed),
        ),
        "preflight" => (
            preflight(&origin),
            Contenders::with_origins(3, Headers::Listed),
        ),
        "preflight_mirrored_headers" => (
            preflight(&origin),
            Contenders::with_origins(3, Headers::Mirrored),
        ),
        "preflight_browser_headers" => (
            browser_preflight(&origin),
            Contenders::with_origins(3, Headers::Listed),
        ),
        "get_no_origin" => (get(None), Contenders::with_origins(3, Headers::Listed)),
        "get_disallowed_origin" => (
            get(Some("https://evil.example.net")),
            Contenders::with_origins(3, Headers::Listed),
        ),
        "origins_3" => exact_origins(3),
        "origins_1000" => exact_origins(1_000),
        "origins_100000" => exact_origins(100_000),
        "patterns_1" => subdomains(1),
        "patterns_1000" => subdomains(1_000),
        "policies_1" => (get(Some(&listed_origin(1))), Contenders::with_policies(1)),
        "policies_1000" => (
            get(Some(&listed_origin(1_000))),
            Contenders::with_policies(1_000),
        ),
        _ => panic!("no case named {name}"),
    };
    Case {
        name,
        request,
        contenders,
    }
}

fn exact_origins(n: usize) -> (Request<Body>, Contenders) {
    (
        get(Some(&listed_origin(n))),
        Contenders::with_origins(n, Headers::Listed),
    )
}

fn subdomains(n: usize) -> (Request<Body>, Contenders) {
    (get(Some(&pattern_origin(n))), Contenders::with_patterns(n))
}

/// Every case of [`REQUEST_CASES`].
pub fn request_cases() -> Vec<Case> {
    REQUEST_CASES.into_iter().map(case).collect()
}

/// Every case of [`SCALING_CASES`].
pub fn scaling_cases() -> Vec<Case> {
    SCALING_CASES.into_iter().map(case).collect()
}

/// Every case of [`SET_CASES`].
pub fn set_cases() -> Vec<Case> {
    SET_CASES.into_iter().map(case).collect()
}
