//! The layer against a real browser: headless Chromium loads a page from one origin and calls
//! an API on another, on loopback. Host names under `example.test` and `evil.test` are mapped
//! to 127.0.0.1, so origins can differ by host as well as by port.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::Request;
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Html;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use tower_cors::{CorsBuilder, CorsLayer};

use crate::support::browser::{Browser, Page};
use crate::support::serve;

const RESOLVER: &str = "--host-resolver-rules=MAP *.test 127.0.0.1";

/// An API server wrapped in a layer, counting the preflights it receives.
struct Api {
    port: u16,
    preflights: Arc<AtomicUsize>,
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
        .route(
            "/boom",
            get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "boom") }),
        )
        .fallback(|| async { (StatusCode::NOT_FOUND, "no such thing") })
}

fn start_api(runtime: &tokio::runtime::Runtime, policy: CorsBuilder) -> Api {
    let cors = policy.build().expect("valid policy");
    let preflights = Arc::new(AtomicUsize::new(0));
    let counter = preflights.clone();
    let app =
        routes()
            .layer(cors)
            .layer(middleware::from_fn(move |request: Request, next: Next| {
                if tower_cors::is_preflight(&request) {
                    counter.fetch_add(1, Ordering::SeqCst);
                }
                next.run(request)
            }));
    let port = runtime.block_on(serve(app)).port();
    Api { port, preflights }
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
fn start_page(runtime: &tokio::runtime::Runtime) -> u16 {
    let app = Router::new().route("/", get(|| async { Html(PAGE) }));
    runtime.block_on(serve(app)).port()
}

fn probe(browser: &mut Browser, page: &Page, url: &str, init: Value) -> Value {
    browser.eval(page, &format!("probe({}, {init})", json!(url)))
}

fn allowed(result: &Value) -> bool {
    result["ok"] == json!(true)
}

fn policy(page_origin: &str) -> CorsBuilder {
    CorsLayer::builder()
        .allow_origin(page_origin)
        .allow_methods([Method::GET, Method::PUT])
        .allow_headers([header::CONTENT_TYPE])
        .expose_headers(["x-request-id"])
}

#[test]
fn simple_preflighted_exposed_and_error_responses() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let page_port = start_page(&runtime);
    let origin = format!("http://app.example.test:{page_port}");
    let api = start_api(&runtime, policy(&origin));
    let base = format!("http://api.example.test:{}", api.port);

    let Some(mut browser) = Browser::start(&[RESOLVER]) else {
        return;
    };
    let page = browser.open(&format!("{origin}/"));

    // A simple request: no preflight, readable, only the exposed header visible.
    let r = probe(&mut browser, &page, &format!("{base}/data"), json!({}));
    assert!(allowed(&r), "{r}");
    assert_eq!(r["body"], "data");
    assert_eq!(r["requestId"], "42");
    assert_eq!(r["secret"], Value::Null, "x-secret is not exposed: {r}");
    assert_eq!(api.preflights.load(Ordering::SeqCst), 0);

    // A preflighted request with an allowed method and header.
    let r = probe(
        &mut browser,
        &page,
        &format!("{base}/data"),
        json!({ "method": "PUT", "headers": { "content-type": "application/json" }, "body": "{}" }),
    );
    assert!(allowed(&r), "{r}");
    assert_eq!(r["body"], "stored");
    assert_eq!(api.preflights.load(Ordering::SeqCst), 1);

    // A method the policy does not allow: the preflight fails, the request is never sent.
    let r = probe(
        &mut browser,
        &page,
        &format!("{base}/data"),
        json!({ "method": "DELETE" }),
    );
    assert!(!allowed(&r), "{r}");

    // A header the policy does not allow.
    let r = probe(
        &mut browser,
        &page,
        &format!("{base}/data"),
        json!({ "method": "PUT", "headers": { "x-not-allowed": "1" } }),
    );
    assert!(!allowed(&r), "{r}");

    // Error responses are readable: the page sees the real status and body.
    let r = probe(&mut browser, &page, &format!("{base}/missing"), json!({}));
    assert!(allowed(&r), "{r}");
    assert_eq!(r["status"], 404);
    assert_eq!(r["body"], "no such thing");
    let r = probe(&mut browser, &page, &format!("{base}/boom"), json!({}));
    assert!(allowed(&r), "{r}");
    assert_eq!(r["status"], 500);

    // Another origin (same page, another host name) is blocked, even for a simple request.
    let evil = browser.open(&format!("http://evil.test:{page_port}/"));
    let r = probe(&mut browser, &evil, &format!("{base}/data"), json!({}));
    assert!(!allowed(&r), "{r}");
}

#[test]
fn credentials_with_cookies() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let page_port = start_page(&runtime);
    let origin = format!("http://app.example.test:{page_port}");
    let with_credentials = start_api(&runtime, policy(&origin).allow_credentials(true));
    let without_credentials = start_api(&runtime, policy(&origin));
    let base = format!("http://api.example.test:{}", with_credentials.port);
    let other = format!("http://api.example.test:{}", without_credentials.port);

    let Some(mut browser) = Browser::start(&[RESOLVER]) else {
        return;
    };
    let page = browser.open(&format!("{origin}/"));
    let include = json!({ "credentials": "include" });

    // The API sets a cookie on a credentialed request (cookies are per host, not per port, so
    // both APIs on api.example.test receive it from now on).
    let r = probe(
        &mut browser,
        &page,
        &format!("{base}/login"),
        include.clone(),
    );
    assert!(allowed(&r), "{r}");
    let r = probe(&mut browser, &page, &format!("{base}/me"), include.clone());
    assert!(allowed(&r), "{r}");
    assert_eq!(r["body"], "session=s3cret");

    // Without `credentials: "include"` no cookie is sent.
    let r = probe(&mut browser, &page, &format!("{base}/me"), json!({}));
    assert!(allowed(&r), "{r}");
    assert_eq!(r["body"], "no cookie");

    // A policy without credentials: the credentialed response cannot be read...
    let r = probe(&mut browser, &page, &format!("{other}/me"), include);
    assert!(!allowed(&r), "{r}");
    // ...while an uncredentialed request to it is fine.
    let r = probe(&mut browser, &page, &format!("{other}/me"), json!({}));
    assert!(allowed(&r), "{r}");
}

#[test]
fn subdomain_patterns() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let page_port = start_page(&runtime);
    let api = start_api(
        &runtime,
        CorsLayer::builder().allow_origins(["http://*.example.test:*"]),
    );
    let base = format!("http://api.example.test:{}", api.port);

    let Some(mut browser) = Browser::start(&[RESOLVER]) else {
        return;
    };
    for (host, expected) in [
        ("app.example.test", true),
        ("deep.app.example.test", true),
        ("example.test", false),
        ("evilexample.test", false),
    ] {
        let page = browser.open(&format!("http://{host}:{page_port}/"));
        let r = probe(&mut browser, &page, &format!("{base}/data"), json!({}));
        assert_eq!(allowed(&r), expected, "{host}: {r}");
    }
}

#[test]
fn max_age_spares_the_second_preflight() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let page_port = start_page(&runtime);
    let origin = format!("http://app.example.test:{page_port}");
    let cached = start_api(&runtime, policy(&origin).max_age(Duration::from_secs(600)));
    let uncached = start_api(&runtime, policy(&origin));

    let Some(mut browser) = Browser::start(&[RESOLVER]) else {
        return;
    };
    let page = browser.open(&format!("{origin}/"));
    let put =
        json!({ "method": "PUT", "headers": { "content-type": "application/json" }, "body": "{}" });
    let send_both = |browser: &mut Browser| {
        for api in [&cached, &uncached] {
            let url = format!("http://api.example.test:{}/data", api.port);
            let r = probe(browser, &page, &url, put.clone());
            assert!(allowed(&r), "{r}");
        }
    };
    send_both(&mut browser);
    assert_eq!(cached.preflights.load(Ordering::SeqCst), 1);
    assert_eq!(uncached.preflights.load(Ordering::SeqCst), 1);
    // Chromium keeps a preflight without Access-Control-Max-Age for 5 seconds.
    std::thread::sleep(Duration::from_secs(6));
    send_both(&mut browser);
    assert_eq!(
        cached.preflights.load(Ordering::SeqCst),
        1,
        "Access-Control-Max-Age: 600 should spare the second preflight"
    );
    assert_eq!(
        uncached.preflights.load(Ordering::SeqCst),
        2,
        "without Max-Age the browser asks again after 5 s"
    );
}

#[test]
fn preflight_status_and_strict_mode_as_browsers_see_them() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let page_port = start_page(&runtime);
    let origin = format!("http://app.example.test:{page_port}");
    let ok200 = start_api(&runtime, policy(&origin).preflight_status(StatusCode::OK));
    let strict = start_api(&runtime, policy(&origin).strict_preflight(true));

    let Some(mut browser) = Browser::start(&[RESOLVER]) else {
        return;
    };
    let page = browser.open(&format!("{origin}/"));
    let put =
        json!({ "method": "PUT", "headers": { "content-type": "application/json" }, "body": "{}" });
    let delete = json!({ "method": "DELETE" });
    let url = |api: &Api| format!("http://api.example.test:{}/data", api.port);

    assert!(allowed(&probe(
        &mut browser,
        &page,
        &url(&ok200),
        put.clone()
    )));
    assert!(allowed(&probe(&mut browser, &page, &url(&strict), put)));
    assert!(!allowed(&probe(&mut browser, &page, &url(&strict), delete)));
}
