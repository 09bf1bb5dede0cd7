//! The layer against real browsers: a page loaded from one origin calls an API on another, on
//! loopback, in Chromium, Firefox and WebKit alike. Host names under `example.test`, and
//! `evil.test`, resolve to 127.0.0.1, so origins can differ by host as well as by port.
//!
//! Each scenario runs once per engine (`chromium::…`, `firefox::…`, `webkit::…`). The API logs
//! every request it answers: that is how preflights are counted, in every engine alike. And
//! since a browser tells the page only that a fetch failed, a request counts as blocked by
//! CORS when the API answered it and the page could not read the answer.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::Request;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Html;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use tower_cors::{CorsBuilder, CorsLayer};

use crate::support::browser::{Browser, Engine, Page};
use crate::support::serve;

in_every_engine! {
    simple_preflighted_exposed_and_error_responses,
    credentials_with_cookies,
    subdomain_patterns,
    max_age_spares_the_second_preflight,
    preflight_status_and_strict_mode_as_browsers_see_them,
}

/// Every host name the scenarios load pages from or send requests to.
pub(super) const HOSTS: &[&str] = &[
    "app.example.test",
    "api.example.test",
    "deep.app.example.test",
    "example.test",
    "evilexample.test",
    "evil.test",
];

/// One request the API answered.
#[derive(Clone, Debug)]
pub(super) struct Exchange {
    preflight: bool,
    method: Method,
    path: String,
    status: u16,
    /// The `Access-Control-Allow-Origin` the answer carried.
    pub(super) allow_origin: Option<String>,
}

/// An API server on api.example.test, wrapped in a layer, logging what it answers.
pub(super) struct Api {
    port: u16,
    log: Arc<Mutex<Vec<Exchange>>>,
}

impl Api {
    pub(super) fn url(&self, path: &str) -> String {
        format!("http://api.example.test:{}{path}", self.port)
    }

    pub(super) fn answered(&self) -> Vec<Exchange> {
        self.log.lock().unwrap().clone()
    }

    fn preflights(&self) -> usize {
        self.answered().iter().filter(|e| e.preflight).count()
    }
}

/// The routes every API serves, inside the CORS layer.
fn routes() -> Router {
    Router::new()
        .route(
            "/data",
            get(|| async {
                (
                    [("x-request-id", "42"), ("x-secret", "hidden-value")],
                    "data",
                )
            })
            .put(|| async { "stored" })
            .delete(|| async { "deleted" }),
        )
        .route(
            "/login",
            get(|| async {
                (
                    [(header::SET_COOKIE, "session=s3cret; Path=/; SameSite=Lax")],
                    "logged in",
                )
            }),
        )
        .route(
            "/me",
            get(|headers: HeaderMap| async move {
                headers
                    .get(header::COOKIE)
                    .map(|c| String::from_utf8_lossy(c.as_bytes()).into_owned())
                    .unwrap_or_else(|| "no cookie".to_owned())
            }),
        )
        // A careless upstream that grants everyone by itself.
        .route(
            "/leaky",
            get(|| async {
                (
                    [
                        (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
                        (header::ACCESS_CONTROL_EXPOSE_HEADERS, "x-secret"),
                    ],
                    "leaky",
                )
            }),
        )
        // A static asset that caches may keep.
        .route(
            "/asset",
            get(|| async {
                (
                    [
                        (header::CACHE_CONTROL, "public, max-age=600"),
                        (header::CONTENT_TYPE, "text/css"),
                    ],
                    "body { color: black }",
                )
            }),
        )
        .route(
            "/boom",
            get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "boom") }),
        )
        .fallback(|| async { (StatusCode::NOT_FOUND, "no such thing") })
}

pub(super) fn start_api(runtime: &tokio::runtime::Runtime, policy: CorsBuilder) -> Api {
    let cors = policy.build().expect("valid policy");
    let log = Arc::new(Mutex::new(Vec::new()));
    let writer = log.clone();
    let app =
        routes()
            .layer(cors)
            .layer(middleware::from_fn(move |request: Request, next: Next| {
                let log = writer.clone();
                async move {
                    let preflight = tower_cors::is_preflight(&request);
                    let method = request.method().clone();
                    let path = request.uri().path().to_owned();
                    let response = next.run(request).await;
                    // Logged before the response leaves, so before the page can see it.
                    log.lock().unwrap().push(Exchange {
                        preflight,
                        method,
                        path,
                        status: response.status().as_u16(),
                        allow_origin: response
                            .headers()
                            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
                            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
                    });
                    response
                }
            }));
    let port = runtime.block_on(serve(app)).port();
    Api { port, log }
}

const PAGE: &str = r#"<!doctype html><meta charset="utf-8"><title>page</title>
<script>
async function probe(url, init) {
  try {
    const response = await fetch(url, init);
    return {
      ok: true,
      status: response.status,
      body: await response.text(),
      requestId: response.headers.get("x-request-id"),
      secret: response.headers.get("x-secret"),
    };
  } catch (error) {
    return { ok: false, error: String(error) };
  }
}
</script>"#;

/// Serves the page on every host name; returns its port.
pub(super) fn start_page(runtime: &tokio::runtime::Runtime) -> u16 {
    let app = Router::new().route("/", get(|| async { Html(PAGE) }));
    runtime.block_on(serve(app)).port()
}

/// What a `fetch` from the page came to: what the page could read, and what the API answered
/// meanwhile.
pub(super) struct Fetched {
    engine: Engine,
    pub(super) page: Value,
    answered: Vec<Exchange>,
}

impl Fetched {
    /// The page could read the response.
    pub(super) fn readable(&self) -> bool {
        self.page["ok"] == json!(true)
    }

    /// Blocked by CORS: the API answered, yet the page could not read the response.
    pub(super) fn blocked(&self) -> bool {
        !self.readable() && !self.answered.is_empty()
    }

    /// What the API answered meanwhile: each request's method and the status it got.
    pub(super) fn answers(&self) -> Vec<String> {
        self.answered
            .iter()
            .map(|e| format!("{} {}", e.method, e.status))
            .collect()
    }
}

impl fmt::Display for Fetched {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let answered: Vec<String> = self
            .answered
            .iter()
            .map(|e| format!("{} {} -> {}", e.method, e.path, e.status))
            .collect();
        write!(
            f,
            "in {}: the page got {}; the API answered [{}]",
            self.engine,
            self.page,
            answered.join(", ")
        )
    }
}

/// Fetches `path` on `api` from `page` with `init` (the options of `fetch`).
pub(super) fn fetch(
    browser: &mut Browser,
    page: &Page,
    api: &Api,
    path: &str,
    init: Value,
) -> Fetched {
    let before = api.log.lock().unwrap().len();
    let result = browser.eval(page, &format!("probe({}, {init})", json!(api.url(path))));
    let answered = api.log.lock().unwrap()[before..].to_vec();
    Fetched {
        engine: browser.engine(),
        page: result,
        answered,
    }
}

fn policy(page_origin: &str) -> CorsBuilder {
    CorsLayer::builder()
        .allow_origin(page_origin)
        .allow_methods([Method::GET, Method::PUT])
        .allow_headers([header::CONTENT_TYPE])
        .expose_headers(["x-request-id"])
}

/// A PUT with a JSON body: preflighted, and allowed by `policy`.
fn put() -> Value {
    json!({ "method": "PUT", "headers": { "content-type": "application/json" }, "body": "{}" })
}

fn simple_preflighted_exposed_and_error_responses(engine: Engine) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let page_port = start_page(&runtime);
    let origin = format!("http://app.example.test:{page_port}");
    let api = start_api(&runtime, policy(&origin));

    let Some(mut browser) = engine.start(HOSTS) else {
        return;
    };
    let page = browser.open(&format!("{origin}/"));

    // A simple request: no preflight, readable, only the exposed header visible.
    let r = fetch(&mut browser, &page, &api, "/data", json!({}));
    assert!(r.readable(), "{r}");
    assert_eq!(r.page["body"], "data", "{r}");
    assert_eq!(r.page["requestId"], "42", "{r}");
    assert_eq!(
        r.page["secret"],
        Value::Null,
        "x-secret is not exposed: {r}"
    );
    assert_eq!(r.answers(), ["GET 200"], "no preflight: {r}");

    // A preflighted request with an allowed method and header.
    let r = fetch(&mut browser, &page, &api, "/data", put());
    assert!(r.readable(), "{r}");
    assert_eq!(r.page["body"], "stored", "{r}");
    assert_eq!(r.answers(), ["OPTIONS 204", "PUT 200"], "{r}");
    assert_eq!(api.preflights(), 1, "{:?}", api.answered());

    // A method the policy does not allow: the preflight fails, the request is never sent.
    let r = fetch(
        &mut browser,
        &page,
        &api,
        "/data",
        json!({ "method": "DELETE" }),
    );
    assert!(r.blocked(), "{r}");
    assert_eq!(r.answers(), ["OPTIONS 204"], "only the preflight: {r}");

    // A header the policy does not allow.
    let r = fetch(
        &mut browser,
        &page,
        &api,
        "/data",
        json!({ "method": "PUT", "headers": { "x-not-allowed": "1" } }),
    );
    assert!(r.blocked(), "{r}");
    assert_eq!(r.answers(), ["OPTIONS 204"], "only the preflight: {r}");

    // Error responses are readable: the page sees the real status and body.
    let r = fetch(&mut browser, &page, &api, "/missing", json!({}));
    assert!(r.readable(), "{r}");
    assert_eq!(r.page["status"], 404, "{r}");
    assert_eq!(r.page["body"], "no such thing", "{r}");
    let r = fetch(&mut browser, &page, &api, "/boom", json!({}));
    assert!(r.readable(), "{r}");
    assert_eq!(r.page["status"], 500, "{r}");

    // Another origin (same page, another host name) is blocked, even for a simple request:
    // the request reaches the API, the answer does not reach the page.
    let evil = browser.open(&format!("http://evil.test:{page_port}/"));
    let r = fetch(&mut browser, &evil, &api, "/data", json!({}));
    assert!(r.blocked(), "{r}");
    assert_eq!(r.answers(), ["GET 200"], "{r}");
}

fn credentials_with_cookies(engine: Engine) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let page_port = start_page(&runtime);
    let origin = format!("http://app.example.test:{page_port}");
    let with_credentials = start_api(&runtime, policy(&origin).allow_credentials(true));
    let without_credentials = start_api(&runtime, policy(&origin));

    let Some(mut browser) = engine.start(HOSTS) else {
        return;
    };
    let page = browser.open(&format!("{origin}/"));
    let include = json!({ "credentials": "include" });

    // The API sets a cookie on a credentialed request (cookies are per host, not per port, so
    // both APIs on api.example.test receive it from now on).
    let r = fetch(
        &mut browser,
        &page,
        &with_credentials,
        "/login",
        include.clone(),
    );
    assert!(r.readable(), "{r}");
    let r = fetch(
        &mut browser,
        &page,
        &with_credentials,
        "/me",
        include.clone(),
    );
    assert!(r.readable(), "{r}");
    assert_eq!(r.page["body"], "session=s3cret", "{r}");

    // Without `credentials: "include"` no cookie is sent.
    let r = fetch(&mut browser, &page, &with_credentials, "/me", json!({}));
    assert!(r.readable(), "{r}");
    assert_eq!(r.page["body"], "no cookie", "{r}");

    // A policy without credentials: the credentialed response cannot be read...
    let r = fetch(&mut browser, &page, &without_credentials, "/me", include);
    assert!(r.blocked(), "{r}");
    assert_eq!(r.answers(), ["GET 200"], "{r}");
    // ...while an uncredentialed request to it is fine.
    let r = fetch(&mut browser, &page, &without_credentials, "/me", json!({}));
    assert!(r.readable(), "{r}");
    assert_eq!(r.page["body"], "no cookie", "{r}");
}

fn subdomain_patterns(engine: Engine) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let page_port = start_page(&runtime);
    let api = start_api(
        &runtime,
        CorsLayer::builder().allow_origins(["http://*.example.test:*"]),
    );

    let Some(mut browser) = engine.start(HOSTS) else {
        return;
    };
    for (host, expected) in [
        ("app.example.test", true),
        ("deep.app.example.test", true),
        ("example.test", false),
        ("evilexample.test", false),
    ] {
        let page = browser.open(&format!("http://{host}:{page_port}/"));
        let r = fetch(&mut browser, &page, &api, "/data", json!({}));
        if expected {
            assert!(r.readable(), "{host}: {r}");
        } else {
            assert!(r.blocked(), "{host}: {r}");
        }
    }
}

fn max_age_spares_the_second_preflight(engine: Engine) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let page_port = start_page(&runtime);
    let origin = format!("http://app.example.test:{page_port}");
    let cached = start_api(&runtime, policy(&origin).max_age(Duration::from_secs(600)));
    let uncached = start_api(&runtime, policy(&origin));

    let Some(mut browser) = engine.start(HOSTS) else {
        return;
    };
    let page = browser.open(&format!("{origin}/"));
    let send_both = |browser: &mut Browser| {
        for api in [&cached, &uncached] {
            let r = fetch(browser, &page, api, "/data", put());
            assert!(r.readable(), "{r}");
        }
    };
    send_both(&mut browser);
    assert_eq!(cached.preflights(), 1, "in {engine}");
    assert_eq!(uncached.preflights(), 1, "in {engine}");
    // Without Access-Control-Max-Age a preflight is kept 5 seconds at most.
    std::thread::sleep(Duration::from_secs(6));
    send_both(&mut browser);
    assert_eq!(
        cached.preflights(),
        1,
        "in {engine}, Access-Control-Max-Age: 600 should spare the second preflight: {:?}",
        cached.answered()
    );
    assert_eq!(
        uncached.preflights(),
        2,
        "in {engine}, without Max-Age the browser asks again after 6 s: {:?}",
        uncached.answered()
    );
}

fn preflight_status_and_strict_mode_as_browsers_see_them(engine: Engine) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let page_port = start_page(&runtime);
    let origin = format!("http://app.example.test:{page_port}");
    let ok200 = start_api(&runtime, policy(&origin).preflight_status(StatusCode::OK));
    let strict = start_api(&runtime, policy(&origin).strict_preflight(true));

    let Some(mut browser) = engine.start(HOSTS) else {
        return;
    };
    let page = browser.open(&format!("{origin}/"));

    // A preflight answered 200 instead of 204 is as good.
    let r = fetch(&mut browser, &page, &ok200, "/data", put());
    assert!(r.readable(), "{r}");
    assert_eq!(r.answers(), ["OPTIONS 200", "PUT 200"], "{r}");

    // Strict mode changes nothing for an allowed preflight, and refuses a denied one with 403.
    let r = fetch(&mut browser, &page, &strict, "/data", put());
    assert!(r.readable(), "{r}");
    assert_eq!(r.answers(), ["OPTIONS 204", "PUT 200"], "{r}");
    let r = fetch(
        &mut browser,
        &page,
        &strict,
        "/data",
        json!({ "method": "DELETE" }),
    );
    assert!(r.blocked(), "{r}");
    assert_eq!(r.answers(), ["OPTIONS 403"], "{r}");
}
