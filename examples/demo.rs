//! The tower-cors demo: an API on one origin, a page on another, and a browser in between; the
//! page is a playground for the API's CORS policy.
//!
//! ```text
//! cargo run --example demo                   # the page, the composer and the explanations
//! cargo run --features serde --example demo   # and the policy editor
//! ```
//!
//! Starts an axum API on http://127.0.0.1:4000 wrapped in a `CorsLayer` that allows the page's
//! origin http://localhost:3000, and serves that page. The page shows the API's policy as its
//! configuration file says it (TOML, read by `CorsConfig`: with the `serde` feature); applying
//! an edit swaps the API's policy while it runs, through the layer's `ReloadHandle`, or lists
//! every problem of an invalid one. The page composes a cross-origin request (method, path,
//! headers, credentials), sends it, and shows whether the browser let it read the answer, the
//! exchange as the API saw it (the preflight, if any, and the request, with their CORS
//! headers), and the layer's reason and fix side by side. Ready-made requests below it show the
//! usual cases; the terminal prints why the layer refused what it refused.
//!
//! A page cannot read why a cross-origin request failed: the browser only says "blocked". So a
//! small middleware around the API's layer asks the layer what it decided for each request
//! (`CorsLayer::decide`) and writes the exchange down under the id the page put in the
//! request's query. The page then asks its own server (same origin, so readable) what was
//! written down, and for the fix: a dry run of the request (`CorsLayer::simulate`) against the
//! policy in force when it arrived.
//!
//! Ports can be changed with `DEMO_API_PORT` and `DEMO_PAGE_PORT`.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use tokio::net::TcpListener;

#[path = "demo/playground.rs"]
pub(crate) mod playground;

/// A running demo: where its two servers listen, the policy in force, and the layer's denials
/// so far.
#[derive(Debug)]
pub(crate) struct Demo {
    /// The API (the cross-origin server).
    pub(crate) api: SocketAddr,
    /// The page's origin, as the browser must load it: `http://localhost:PORT`.
    pub(crate) page_origin: String,
    /// The API's policy, which the page edits.
    pub(crate) policy: playground::Policy,
    /// One line per request the layer refused, with the reason.
    pub(crate) denials: Arc<Mutex<Vec<String>>>,
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

    let text = playground::initial_policy(&page_origin);
    let layer = playground::initial_layer(&page_origin).map_err(std::io::Error::other)?;
    // The API's layer: the same policy, swappable while the API runs.
    let (cors, handle) = layer.clone().reloadable();
    let policy = playground::Policy::new(text, layer, handle);
    let denials = Arc::new(Mutex::new(Vec::new()));
    let records = playground::Records::default();
    let recorder = playground::Recorder {
        cors: cors.clone(),
        policy: policy.clone(),
        denials: denials.clone(),
        records: records.clone(),
    };
    let api_app = Router::new()
        .route("/api/hello", get(hello))
        .route("/api/items/{id}", put(put_item).delete(put_item))
        .route("/api/me", get(me))
        .layer(cors)
        // Outside the CORS layer, so it also sees the preflights the layer answers.
        .layer(middleware::from_fn_with_state(recorder, playground::record));

    let page_app = Router::new()
        .route("/", get(playground::page))
        .route("/policy", post(playground::apply))
        .route("/explain", get(playground::explain))
        .route("/exchange", post(playground::exchange))
        .with_state(playground::Page {
            api_base: format!("http://{api}"),
            page_origin: page_origin.clone(),
            policy: policy.clone(),
            records,
        });

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
        policy,
        denials,
    })
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
    println!(
        "The API's policy, which the page edits:\n{}",
        demo.policy.text()
    );
    println!("Press Ctrl-C to stop.");
    tokio::signal::ctrl_c().await?;
    let refused = demo.denials.lock().map(|d| d.len()).unwrap_or_default();
    println!("stopped; the layer refused {refused} request(s)");
    Ok(())
}
