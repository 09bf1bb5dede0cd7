//! tower-cors with axum 0.8.
//!
//! - `/api/*`: the application's API, for the application's own pages. The CORS layer is
//!   applied to the whole router with `Router::layer`, outermost, then tracing, a timeout and
//!   bearer-token authentication inside it. Preflights are answered before authentication can
//!   refuse them (browsers never send credentials on a preflight), and every response the
//!   inner layers make (401, 404, 405, 500, 504) still carries the CORS headers, so the page
//!   sees the real status instead of an opaque CORS failure.
//! - `/partner/*`: a public read-only feed nested with its own, different policy.
//!
//! Run with `cargo run --example axum` (set `PORT` to change the port, 3000 by default), then:
//!
//! ```text
//! curl -i -X OPTIONS http://127.0.0.1:3000/api/items \
//!   -H 'Origin: https://app.example.com' \
//!   -H 'Access-Control-Request-Method: PUT' \
//!   -H 'Access-Control-Request-Headers: authorization, content-type'
//! curl -i http://127.0.0.1:3000/api/fail \
//!   -H 'Origin: https://app.example.com' -H 'Authorization: Bearer demo-token'
//! ```

use std::error::Error;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::extract::{Path, Request};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE};
use axum::http::{HeaderName, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use tower::ServiceBuilder;
use tower_cors::{ConfigError, CorsLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// The origin of the application's own pages.
pub(crate) const APP_ORIGIN: &str = "https://app.example.com";
/// The origin of the partner allowed to read `/partner/*`.
pub(crate) const PARTNER_ORIGIN: &str = "https://partner.example.org";
/// The token the demo authentication accepts.
pub(crate) const TOKEN: &str = "demo-token";

const DEFAULT_PORT: u16 = 3000;
const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
const RATE_LIMIT_REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-remaining");

/// The policy of `/api/*`: the application's pages, with cookies or bearer tokens.
pub(crate) fn api_cors() -> Result<CorsLayer, ConfigError> {
    CorsLayer::builder()
        .allow_origins([APP_ORIGIN, "http://localhost:5173"])
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
        .allow_headers([AUTHORIZATION, CONTENT_TYPE])
        .expose_headers([REQUEST_ID])
        .allow_credentials(true)
        .max_age(Duration::from_secs(600))
        .build()
}

/// The policy of `/partner/*`: one partner origin, reading only, without credentials.
pub(crate) fn partner_cors() -> Result<CorsLayer, ConfigError> {
    CorsLayer::builder()
        .allow_origin(PARTNER_ORIGIN)
        .allow_methods([Method::GET])
        .expose_headers([RATE_LIMIT_REMAINING])
        .build()
}

/// The whole application; handlers running longer than `timeout` are answered with
/// `504 Gateway Timeout`.
pub(crate) fn app(timeout: Duration) -> Result<Router, ConfigError> {
    let api = Router::new()
        .route("/api/items", get(list_items).post(create_item))
        .route(
            "/api/items/{id}",
            get(get_item).put(update_item).delete(delete_item),
        )
        .route("/api/fail", get(fail))
        .route("/api/slow", get(slow))
        // One `Router::layer` call for the whole router, its fallback (404) included.
        // `ServiceBuilder` runs its layers top to bottom: CORS sees every request first and
        // every response last.
        .layer(
            ServiceBuilder::new()
                .layer(api_cors()?)
                .layer(TraceLayer::new_for_http())
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::GATEWAY_TIMEOUT,
                    timeout,
                ))
                .layer(middleware::from_fn(require_token)),
        );

    // Per-route policy: routes added after `Router::layer` are not wrapped by it, so the
    // nested router is covered by its own layer only.
    let partner = Router::new().route("/feed", get(partner_feed)).layer(
        ServiceBuilder::new()
            .layer(partner_cors()?)
            .layer(TraceLayer::new_for_http()),
    );

    Ok(api.nest("/partner", partner))
}

/// Demo authentication: `Authorization: Bearer demo-token` or `401 Unauthorized`.
///
/// Behind the CORS layer a preflight never gets here. Where this middleware has to be
/// mounted outside a CORS layer, the `is_preflight` check lets preflights through, since
/// browsers never attach credentials to them; refusing them would fail every cross-origin
/// call that needs one.
pub(crate) async fn require_token(request: Request, next: Next) -> Response {
    if tower_cors::is_preflight(&request) {
        return next.run(request).await;
    }
    let expected = format!("Bearer {TOKEN}");
    match request.headers().get(AUTHORIZATION) {
        Some(value) if value.as_bytes() == expected.as_bytes() => next.run(request).await,
        _ => (
            StatusCode::UNAUTHORIZED,
            [(WWW_AUTHENTICATE, "Bearer")],
            "missing or wrong bearer token",
        )
            .into_response(),
    }
}

fn next_request_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed).to_string()
}

async fn list_items() -> impl IntoResponse {
    (
        [(REQUEST_ID, next_request_id())],
        Json(json!([{ "id": 1, "name": "kettle" }, { "id": 2, "name": "teapot" }])),
    )
}

async fn get_item(Path(id): Path<u32>) -> Response {
    match id {
        1 => Json(json!({ "id": 1, "name": "kettle" })).into_response(),
        2 => Json(json!({ "id": 2, "name": "teapot" })).into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn create_item(Json(item): Json<Value>) -> impl IntoResponse {
    (
        StatusCode::CREATED,
        [(REQUEST_ID, next_request_id())],
        Json(item),
    )
}

async fn update_item(Path(id): Path<u32>, Json(mut item): Json<Value>) -> impl IntoResponse {
    if let Some(fields) = item.as_object_mut() {
        fields.insert("id".to_owned(), json!(id));
    }
    ([(REQUEST_ID, next_request_id())], Json(item))
}

async fn delete_item(Path(_id): Path<u32>) -> StatusCode {
    StatusCode::NO_CONTENT
}

async fn fail() -> Result<Json<Value>, AppError> {
    Err(AppError("the item store is unavailable"))
}

async fn slow() -> &'static str {
    tokio::time::sleep(Duration::from_secs(3600)).await;
    "done"
}

async fn partner_feed() -> impl IntoResponse {
    (
        [(RATE_LIMIT_REMAINING, "99")],
        Json(json!({ "items": ["kettle", "teapot"] })),
    )
}

/// A handler error, answered with `500 Internal Server Error`.
struct AppError(&'static str);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({ "error": self.0 })),
        )
            .into_response()
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    tracing_subscriber::fmt()
        .with_max_level(tracing_subscriber::filter::LevelFilter::DEBUG)
        .with_writer(std::io::stderr)
        .init();

    let port = match std::env::var("PORT") {
        Ok(port) => port.parse()?,
        Err(_) => DEFAULT_PORT,
    };
    let app = app(Duration::from_secs(5))?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
