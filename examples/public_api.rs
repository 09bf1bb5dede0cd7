//! A public API that every web site may call from its pages: a policy of `*`, without
//! credentials.
//!
//! - `GET /v1/quotes`: open data, no key needed. The answer carries `X-RateLimit-Remaining`,
//!   exposed so that pages can read it (a response header outside the safelist is hidden from
//!   scripts unless exposed).
//! - `GET /v1/usage`: the caller's usage, for an API key sent as `Authorization: Bearer KEY`;
//!   `401` otherwise, which the page can read too.
//!
//! What browsers allow and refuse under `*`:
//!
//! - Any page may read the answers, without a preflight for a plain `GET`.
//! - Credentialed calls (`fetch(url, { credentials: "include" })`, `withCredentials`) fail:
//!   browsers never let a page read an answer sent with cookies when it says `*`. The layer
//!   refuses to build `*` with credentials for that reason; a public API authenticates with
//!   keys in a header instead, which no other site can make the user's browser send.
//! - `Authorization` has to be listed: it is the one header `Access-Control-Allow-Headers: *`
//!   does not cover, so a policy of "any header" (`AllowHeaders::any()`) still fails the
//!   preflight of a call that sends a key. This policy lists it.
//!
//! ```text
//! cargo run --example public_api
//! ```
//!
//! listens on http://127.0.0.1:4300 (set `PORT` to change it), then:
//!
//! ```text
//! curl -i http://127.0.0.1:4300/v1/quotes -H 'Origin: https://any.example'
//! curl -i -X OPTIONS http://127.0.0.1:4300/v1/usage -H 'Origin: https://any.example' \
//!   -H 'Access-Control-Request-Method: GET' -H 'Access-Control-Request-Headers: authorization'
//! ```

use std::error::Error;
use std::time::Duration;

use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderName, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use tower_cors::{Any, CorsBuilder, CorsLayer};

/// The API key the example accepts.
pub(crate) const API_KEY: &str = "public-demo-key";

const DEFAULT_PORT: u16 = 4300;
const RATE_LIMIT_REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-remaining");

/// The policy: every origin, no credentials, `Authorization` listed, the rate limit exposed.
/// Preflights are kept two hours, the most Chromium honours.
pub(crate) fn policy() -> CorsBuilder {
    CorsLayer::builder()
        .allow_origin(Any)
        .allow_methods([Method::GET])
        .allow_headers([AUTHORIZATION])
        .expose_headers([RATE_LIMIT_REMAINING])
        .max_age(Duration::from_secs(2 * 60 * 60))
}

/// The API's routes behind `cors`.
pub(crate) fn app(cors: CorsLayer) -> Router {
    Router::new()
        .route("/v1/quotes", get(quotes))
        .route("/v1/usage", get(usage))
        .layer(cors)
}

async fn quotes() -> impl IntoResponse {
    (
        [(RATE_LIMIT_REMAINING, "59")],
        Json(json!([
            { "symbol": "KTL", "price": 12.5 },
            { "symbol": "TPT", "price": 7.25 },
        ])),
    )
}

async fn usage(headers: HeaderMap) -> Response {
    let expected = format!("Bearer {API_KEY}");
    match headers.get(AUTHORIZATION) {
        Some(key) if key.as_bytes() == expected.as_bytes() => (
            [(RATE_LIMIT_REMAINING, "58")],
            Json(json!({ "key": API_KEY, "calls_today": 2 })),
        )
            .into_response(),
        _ => (
            StatusCode::UNAUTHORIZED,
            [(WWW_AUTHENTICATE, "Bearer")],
            "an API key is needed: Authorization: Bearer KEY",
        )
            .into_response(),
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let port = match std::env::var("PORT") {
        Ok(port) => port.parse()?,
        Err(_) => DEFAULT_PORT,
    };
    let app = app(policy().build()?);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!(
        "public API for every origin on http://{}",
        listener.local_addr()?
    );
    axum::serve(listener, app).await?;
    Ok(())
}
