//! The tower-cors demo: an API on one origin, a page on another, and a browser in between.
//!
//! ```text
//! cargo run --example demo
//! ```
//!
//! Starts an axum API on http://127.0.0.1:4000 wrapped in a `CorsLayer` that allows the page's
//! origin http://localhost:3000, and serves that page. Open the page and press the buttons:
//! each one makes a cross-origin request and shows whether the browser let the page read the
//! answer. The terminal prints why the layer refused what it refused.
//!
//! A page cannot read why a cross-origin request failed: the browser only says "blocked". So a
//! small middleware around the API's layer asks the layer what it decided for each request
//! (`CorsLayer::decide`) and how to fix a refusal (`CorsLayer::simulate`), and writes it down
//! under the id the page put in the request's query. After a blocked request the page asks its
//! own server, `GET /explain?id=...` (same origin, so readable), and shows the answer next to
//! the button.
//!
//! Ports can be changed with `DEMO_API_PORT` and `DEMO_PAGE_PORT`.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};
use tokio::net::TcpListener;
use tower_cors::{BrowserRequest, CorsLayer};

/// A running demo: where its two servers listen, and the layer's denials so far.
#[derive(Debug)]
pub(crate) struct Demo {
    /// The API (the cross-origin server).
    pub(crate) api: SocketAddr,
    /// The page's origin, as the browser must load it: `http://localhost:PORT`.
    pub(crate) page_origin: String,
    /// One line per request the layer refused, with the reason.
    pub(crate) denials: Arc<Mutex<Vec<String>>>,
}

/// What the layer said about each refused request, by the id the page gave it: the text the
/// page shows next to the button.
type Explanations = Arc<Mutex<HashMap<String, String>>>;

/// What the middleware around the API's layer needs.
#[derive(Clone)]
struct Recorder {
    /// The API's layer, asked what it decides for each request.
    cors: CorsLayer,
    denials: Arc<Mutex<Vec<String>>>,
    explanations: Explanations,
}

/// The policy: the page's origin only, a few methods and headers, one exposed header,
/// credentials on.
pub(crate) fn policy(page_origin: &str) -> Result<CorsLayer, tower_cors::ConfigError> {
    CorsLayer::builder()
        .allow_origin(page_origin)
        .allow_methods([Method::GET, Method::PUT])
        .allow_headers([
            header::CONTENT_TYPE,
            header::HeaderName::from_static("x-custom"),
        ])
        .expose_headers(["x-request-id"])
        .allow_credentials(true)
        .max_age(Duration::from_secs(600))
        .build()
}

/// Starts the API and the page on the given addresses (port 0 picks a free port).
pub(crate) async fn start(api: SocketAddr, page: SocketAddr) -> std::io::Result<Demo> {
    let page_listener = TcpListener::bind(page).await?;
    let page_port = page_listener.local_addr()?.port();
    // `localhost` may resolve to ::1 first; serve the page there too when the port is free.
    let page_listener_v6 = TcpListener::bind(("::1", page_port)).await.ok();
    let page_origin = format!("http://localhost:{page_port}");

    let api_listener = TcpListener::bind(api).await?;
    let api = api_listener.local_addr()?;

    let cors = policy(&page_origin).map_err(std::io::Error::other)?;
    let denials = Arc::new(Mutex::new(Vec::new()));

    let explanations = Explanations::default();
    let recorder = Recorder {
        cors: cors.clone(),
        denials: denials.clone(),
        explanations: explanations.clone(),
    };
    let api_app = Router::new()
        .route("/api/hello", get(hello))
        .route("/api/items/{id}", put(put_item).delete(put_item))
        .route("/api/me", get(me))
        .layer(cors)
        // Outside the CORS layer, so it also sees the preflights the layer answers.
        .layer(middleware::from_fn_with_state(recorder, record_decision));

    let api_base = format!("http://{api}");
    let page_app = Router::new()
        .route(
            "/",
            get(move || {
                let html = PAGE.replace("{{API}}", &api_base);
                async move { Html(html) }
            }),
        )
        .route("/explain", get(explain))
        .with_state(explanations);

    tokio::spawn(async move {
        let _ = axum::serve(api_listener, api_app).await;
    });
    if let Some(listener) = page_listener_v6 {
        let app = page_app.clone();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
    }
    tokio::spawn(async move {
        let _ = axum::serve(page_listener, page_app).await;
    });

    Ok(Demo {
        api,
        page_origin,
        denials,
    })
}

/// Asks the layer what it decides for `request` before passing the request on. A refusal is
/// printed, and, when the page tagged the request with `?demo=ID`, kept with its fix for the
/// page to fetch.
async fn record_decision(
    State(recorder): State<Recorder>,
    request: Request,
    next: Next,
) -> Response {
    let decision = recorder.cors.decide(&request);
    if !decision.is_allowed() {
        let origin = request
            .headers()
            .get(header::ORIGIN)
            .map(|o| String::from_utf8_lossy(o.as_bytes()).into_owned())
            .unwrap_or_default();
        let line = format!(
            "{} {} from {origin}: {decision}",
            request.method(),
            request.uri().path()
        );
        println!("cors: {line}");
        lock(&recorder.denials).push(line);

        if let Some(id) = demo_id(request.uri()) {
            // The crate's own fix: a dry run of the fetch that sent this request.
            let fixes = browser_request(&request)
                .map(|fetch| recorder.cors.simulate(&fetch).fixes)
                .unwrap_or_default();
            let mut explanation = format!("layer: {decision}");
            if !fixes.is_empty() {
                explanation += &format!(" — fix: {}", fixes.join("; "));
            }
            lock(&recorder.explanations).insert(id.to_owned(), explanation);
        }
    }
    next.run(request).await
}

/// The id the page puts in the query of each request it makes: `?demo=ID`.
fn demo_id(uri: &Uri) -> Option<&str> {
    uri.query()?
        .split('&')
        .find_map(|pair| pair.strip_prefix("demo="))
}

/// The `fetch` a page made, as far as the request tells: for a preflight, the method and the
/// header names it asks for (a preflight carries no header values).
fn browser_request(request: &Request) -> Option<BrowserRequest> {
    let headers = request.headers();
    let origin = headers.get(header::ORIGIN)?.to_str().ok()?;
    if !tower_cors::is_preflight(request) {
        let fetch = BrowserRequest::new(origin, request.method().clone()).ok()?;
        return Some(fetch.uri(request.uri().clone()));
    }
    let method = headers
        .get(header::ACCESS_CONTROL_REQUEST_METHOD)?
        .as_bytes();
    let mut fetch = BrowserRequest::new(origin, Method::from_bytes(method).ok()?)
        .ok()?
        .uri(request.uri().clone());
    let names = headers
        .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        fetch = fetch.header(name, "demo").ok()?;
    }
    Some(fetch)
}

/// `GET /explain?id=ID` on the page's server: what the layer said about the request `ID`.
async fn explain(
    State(explanations): State<Explanations>,
    Query(query): Query<HashMap<String, String>>,
) -> (StatusCode, String) {
    let id = query.get("id").map(String::as_str).unwrap_or_default();
    match lock(&explanations).get(id) {
        Some(explanation) => (StatusCode::OK, explanation.clone()),
        None => (
            StatusCode::NOT_FOUND,
            "layer: no refusal recorded for this request".to_owned(),
        ),
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

static REQUEST_IDS: AtomicU64 = AtomicU64::new(1);

async fn hello() -> Response {
    let id = REQUEST_IDS.fetch_add(1, Ordering::Relaxed);
    let mut response = Json(serde_json::json!({ "message": "hello from the API" })).into_response();
    let headers = response.headers_mut();
    headers.insert("x-request-id", HeaderValue::from(id));
    // Not exposed: scripts on the page cannot read it.
    headers.insert("x-internal", HeaderValue::from_static("secret"));
    response
}

async fn put_item(Path(id): Path<String>, body: String) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "id": id, "stored": body }))
}

async fn me(headers: HeaderMap) -> Json<serde_json::Value> {
    let cookie = headers
        .get(header::COOKIE)
        .and_then(|c| c.to_str().ok())
        .map(str::to_owned);
    Json(serde_json::json!({ "cookie": cookie }))
}

const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>tower-cors demo</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 2rem; max-width: 60rem; }
  td, th { padding: .4rem .8rem; text-align: left; vertical-align: top; }
  .allowed { color: #176117; } .blocked { color: #a11; }
  code { background: #eee; padding: 0 .2rem; }
</style>
</head>
<body>
<h1>tower-cors demo</h1>
<p>This page's origin is <code id="origin"></code>; the API is <code>{{API}}</code>, another
origin. Its CorsLayer allows this page, methods GET and PUT, request headers
<code>content-type</code> and <code>x-custom</code>, exposes <code>x-request-id</code>, and allows
credentials. Next to a blocked request, this page shows what the layer said and the fix, asked
from this page's own server (the browser tells a page only that a request was blocked, not
why); the terminal running the demo prints the same reasons.</p>
<table>
<tr><th>request</th><th>outcome</th><th>what the layer said</th></tr>
<tr><td><button data-test="simple">Simple GET</button> <code>GET /api/hello</code></td><td id="out-simple"></td><td id="why-simple"></td></tr>
<tr><td><button data-test="preflight">Preflighted PUT</button> <code>PUT /api/items/1</code>, JSON body, <code>X-Custom</code> header</td><td id="out-preflight"></td><td id="why-preflight"></td></tr>
<tr><td><button data-test="credentials">Credentialed GET</button> <code>GET /api/me</code> with <code>credentials: "include"</code></td><td id="out-credentials"></td><td id="why-credentials"></td></tr>
<tr><td><button data-test="exposed">Read headers</button> <code>x-request-id</code> (exposed) and <code>x-internal</code> (not exposed)</td><td id="out-exposed"></td><td id="why-exposed"></td></tr>
<tr><td><button data-test="error">Error response</button> <code>GET /api/missing</code> (404, still readable)</td><td id="out-error"></td><td id="why-error"></td></tr>
<tr><td><button data-test="denied-header">Denied header</button> <code>PUT</code> with <code>X-Forbidden</code></td><td id="out-denied-header"></td><td id="why-denied-header"></td></tr>
<tr><td><button data-test="denied-method">Denied method</button> <code>DELETE /api/items/1</code></td><td id="out-denied-method"></td><td id="why-denied-method"></td></tr>
</table>
<script>
const API = "{{API}}";
document.getElementById("origin").textContent = location.origin;
// Each request carries ?demo=ID, under which the API's middleware keeps what the layer said.
const requests = {
  "simple": (q) => fetch(API + "/api/hello" + q),
  "preflight": (q) => fetch(API + "/api/items/1" + q, {
    method: "PUT",
    headers: { "Content-Type": "application/json", "X-Custom": "demo" },
    body: JSON.stringify({ name: "demo" }),
  }),
  "credentials": (q) => fetch(API + "/api/me" + q, { credentials: "include" }),
  "exposed": (q) => fetch(API + "/api/hello" + q),
  "error": (q) => fetch(API + "/api/missing" + q),
  "denied-header": (q) => fetch(API + "/api/items/1" + q, { method: "PUT", headers: { "X-Forbidden": "1" } }),
  "denied-method": (q) => fetch(API + "/api/items/1" + q, { method: "DELETE" }),
};
let sent = 0;
async function run(name) {
  const out = document.getElementById("out-" + name);
  const why = document.getElementById("why-" + name);
  const id = name + "-" + (++sent) + "-" + Date.now();
  out.textContent = "...";
  why.textContent = "";
  try {
    const response = await requests[name]("?demo=" + id);
    let text = "allowed: " + response.status;
    if (name === "exposed") {
      text += "; x-request-id=" + (response.headers.get("x-request-id") ?? "hidden");
      text += "; x-internal=" + (response.headers.get("x-internal") ?? "hidden");
    }
    out.textContent = text;
    out.className = "allowed";
  } catch (error) {
    out.textContent = "blocked by the browser (" + error.message + ")";
    out.className = "blocked";
    // Same origin as this page: readable.
    const explanation = await fetch("/explain?id=" + encodeURIComponent(id));
    why.textContent = await explanation.text();
  }
  return { outcome: out.textContent, layer: why.textContent };
}
window.lastRun = Promise.resolve();
for (const button of document.querySelectorAll("button[data-test]")) {
  button.addEventListener("click", () => { window.lastRun = run(button.dataset.test); });
}
</script>
</body>
</html>
"#;

fn port_from_env(name: &str, default: u16) -> u16 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[allow(dead_code)] // unused when this file is included by the browser test
#[tokio::main]
async fn main() -> std::io::Result<()> {
    let api = SocketAddr::from(([127, 0, 0, 1], port_from_env("DEMO_API_PORT", 4000)));
    let page = SocketAddr::from(([127, 0, 0, 1], port_from_env("DEMO_PAGE_PORT", 3000)));
    let demo = start(api, page).await?;
    println!(
        "API   listening on http://{} (allows {})",
        demo.api, demo.page_origin
    );
    println!(
        "Page  listening on {}/  <- open this in a browser",
        demo.page_origin
    );
    println!("Press Ctrl-C to stop.");
    tokio::signal::ctrl_c().await?;
    let refused = demo.denials.lock().map(|d| d.len()).unwrap_or_default();
    println!("stopped; the layer refused {refused} request(s)");
    Ok(())
}
