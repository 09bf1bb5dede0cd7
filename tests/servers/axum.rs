//! The axum example's application, served on loopback and called with a real HTTP client.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::routing::get;
use axum::Router;
use http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE,
    AUTHORIZATION, ORIGIN,
};
use http::{Method, StatusCode};
use tower::ServiceBuilder;

use crate::support::{client, header, preflight, serve, vary};

#[allow(dead_code)]
#[path = "../../examples/axum.rs"]
mod example;

use example::{APP_ORIGIN, PARTNER_ORIGIN, TOKEN};

const TIMEOUT: Duration = Duration::from_millis(300);

async fn serve_example() -> SocketAddr {
    serve(example::app(TIMEOUT).unwrap()).await
}

async fn call(
    addr: SocketAddr,
    method: Method,
    path: &str,
    origin: &str,
    token: bool,
) -> reqwest::Response {
    let mut request = client()
        .request(method, format!("http://{addr}{path}"))
        .header(ORIGIN, origin);
    if token {
        request = request.header(AUTHORIZATION, format!("Bearer {TOKEN}"));
    }
    request.send().await.unwrap()
}

/// The headers the API policy adds to every response for its own origin.
fn assert_api_grant(response: &reqwest::Response) {
    let status = response.status();
    assert_eq!(
        header(response, &ACCESS_CONTROL_ALLOW_ORIGIN),
        Some(APP_ORIGIN),
        "{status}"
    );
    assert_eq!(
        header(response, &ACCESS_CONTROL_ALLOW_CREDENTIALS),
        Some("true"),
        "{status}"
    );
    assert_eq!(
        header(response, &ACCESS_CONTROL_EXPOSE_HEADERS),
        Some("x-request-id"),
        "{status}"
    );
    assert!(
        vary(response).contains(&"origin".to_owned()),
        "{status}: {:?}",
        vary(response)
    );
}

#[tokio::test]
async fn preflight_is_answered_without_credentials() {
    let addr = serve_example().await;
    let response = preflight(
        addr,
        "/api/items/1",
        APP_ORIGIN,
        "PUT",
        Some("authorization, content-type"),
    )
    .await;

    // 401 would mean authentication saw it; 405 that the router did.
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        header(&response, &ACCESS_CONTROL_ALLOW_ORIGIN),
        Some(APP_ORIGIN)
    );
    assert_eq!(
        header(&response, &ACCESS_CONTROL_ALLOW_CREDENTIALS),
        Some("true")
    );
    assert_eq!(
        header(&response, &ACCESS_CONTROL_ALLOW_METHODS),
        Some("GET, POST, PUT, DELETE")
    );
    assert_eq!(
        header(&response, &ACCESS_CONTROL_ALLOW_HEADERS),
        Some("authorization, content-type")
    );
    assert_eq!(header(&response, &ACCESS_CONTROL_MAX_AGE), Some("600"));
    assert!(header(&response, &ACCESS_CONTROL_EXPOSE_HEADERS).is_none());
    assert!(vary(&response).contains(&"origin".to_owned()));
    assert_eq!(response.content_length(), Some(0));
}

#[tokio::test]
async fn preflight_for_a_method_or_header_outside_the_policy_gets_no_grant() {
    let addr = serve_example().await;
    let patch = preflight(addr, "/api/items/1", APP_ORIGIN, "PATCH", None).await;
    assert!(header(&patch, &ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
    assert!(header(&patch, &ACCESS_CONTROL_ALLOW_METHODS).is_none());

    let custom = preflight(addr, "/api/items/1", APP_ORIGIN, "PUT", Some("x-debug")).await;
    assert!(header(&custom, &ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
    assert!(header(&custom, &ACCESS_CONTROL_ALLOW_HEADERS).is_none());
}

#[tokio::test]
async fn actual_requests_are_granted_and_reach_the_handler() {
    let addr = serve_example().await;

    let list = call(addr, Method::GET, "/api/items", APP_ORIGIN, true).await;
    assert_eq!(list.status(), StatusCode::OK);
    assert_api_grant(&list);
    assert!(header(&list, &http::HeaderName::from_static("x-request-id")).is_some());
    let items: serde_json::Value = list.json().await.unwrap();
    assert_eq!(items[1]["name"], "teapot");

    let update = client()
        .put(format!("http://{addr}/api/items/7"))
        .header(ORIGIN, "http://localhost:5173")
        .header(AUTHORIZATION, format!("Bearer {TOKEN}"))
        .json(&serde_json::json!({ "name": "mug" }))
        .send()
        .await
        .unwrap();
    assert_eq!(update.status(), StatusCode::OK);
    assert_eq!(
        header(&update, &ACCESS_CONTROL_ALLOW_ORIGIN),
        Some("http://localhost:5173")
    );
    let item: serde_json::Value = update.json().await.unwrap();
    assert_eq!(item, serde_json::json!({ "id": 7, "name": "mug" }));
}

#[tokio::test]
async fn error_responses_carry_the_cors_headers() {
    let addr = serve_example().await;
    let cases = [
        (Method::GET, "/api/items", false, StatusCode::UNAUTHORIZED),
        (Method::GET, "/api/nowhere", true, StatusCode::NOT_FOUND),
        (Method::GET, "/api/items/99", true, StatusCode::NOT_FOUND),
        (
            Method::PATCH,
            "/api/items",
            true,
            StatusCode::METHOD_NOT_ALLOWED,
        ),
        (
            Method::GET,
            "/api/fail",
            true,
            StatusCode::INTERNAL_SERVER_ERROR,
        ),
        (Method::GET, "/api/slow", true, StatusCode::GATEWAY_TIMEOUT),
    ];
    for (method, path, token, status) in cases {
        let response = call(addr, method.clone(), path, APP_ORIGIN, token).await;
        assert_eq!(response.status(), status, "{method} {path}");
        assert_api_grant(&response);
    }
}

#[tokio::test]
async fn other_origins_get_no_grant() {
    let addr = serve_example().await;
    let response = call(
        addr,
        Method::GET,
        "/api/items",
        "https://evil.example",
        true,
    )
    .await;
    // The request is served (CORS is enforced by the browser), but nothing is granted.
    assert_eq!(response.status(), StatusCode::OK);
    assert!(header(&response, &ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
    assert!(header(&response, &ACCESS_CONTROL_ALLOW_CREDENTIALS).is_none());
    assert!(vary(&response).contains(&"origin".to_owned()));

    let response = preflight(addr, "/api/items", "https://evil.example", "PUT", None).await;
    assert!(header(&response, &ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
    assert!(header(&response, &ACCESS_CONTROL_ALLOW_METHODS).is_none());
}

#[tokio::test]
async fn requests_without_origin_pass_through() {
    let addr = serve_example().await;
    let response = client()
        .get(format!("http://{addr}/api/items"))
        .header(AUTHORIZATION, format!("Bearer {TOKEN}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(header(&response, &ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
}

#[tokio::test]
async fn nested_router_has_its_own_policy() {
    let addr = serve_example().await;

    let allowed = preflight(addr, "/partner/feed", PARTNER_ORIGIN, "GET", None).await;
    assert_eq!(allowed.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        header(&allowed, &ACCESS_CONTROL_ALLOW_ORIGIN),
        Some(PARTNER_ORIGIN)
    );
    assert_eq!(header(&allowed, &ACCESS_CONTROL_ALLOW_METHODS), Some("GET"));
    assert!(header(&allowed, &ACCESS_CONTROL_ALLOW_CREDENTIALS).is_none());
    assert!(header(&allowed, &ACCESS_CONTROL_MAX_AGE).is_none());

    // No token needed here: the API's authentication does not wrap the nested router.
    let feed = call(addr, Method::GET, "/partner/feed", PARTNER_ORIGIN, false).await;
    assert_eq!(feed.status(), StatusCode::OK);
    assert_eq!(
        header(&feed, &ACCESS_CONTROL_ALLOW_ORIGIN),
        Some(PARTNER_ORIGIN)
    );
    assert_eq!(
        header(&feed, &ACCESS_CONTROL_EXPOSE_HEADERS),
        Some("x-ratelimit-remaining")
    );
    assert!(header(&feed, &ACCESS_CONTROL_ALLOW_CREDENTIALS).is_none());

    // Each policy knows only its own origins.
    let app_on_partner = call(addr, Method::GET, "/partner/feed", APP_ORIGIN, false).await;
    assert_eq!(app_on_partner.status(), StatusCode::OK);
    assert!(header(&app_on_partner, &ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
    let partner_on_api = preflight(addr, "/api/items", PARTNER_ORIGIN, "GET", None).await;
    assert!(header(&partner_on_api, &ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
    let partner_put = preflight(addr, "/partner/feed", PARTNER_ORIGIN, "PUT", None).await;
    assert!(header(&partner_put, &ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
}

/// A router with the example's CORS policy and authentication, counting the requests that
/// reach the authentication middleware.
fn counted(cors_outside_auth: bool) -> (Router, Arc<AtomicUsize>) {
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    let count = middleware::from_fn(move |request: Request, next: Next| {
        let counter = counter.clone();
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            next.run(request).await
        }
    });
    let router = Router::new().route("/private", get(|| async { "secret" }));
    let router = if cors_outside_auth {
        router.layer(
            ServiceBuilder::new()
                .layer(example::api_cors().unwrap())
                .layer(count)
                .layer(middleware::from_fn(example::require_token)),
        )
    } else {
        router.layer(
            ServiceBuilder::new()
                .layer(count)
                .layer(middleware::from_fn(example::require_token))
                .layer(example::api_cors().unwrap()),
        )
    };
    (router, seen)
}

#[tokio::test]
async fn preflights_never_reach_authentication_inside_the_layer() {
    let (router, seen) = counted(true);
    let addr = serve(router).await;

    for _ in 0..3 {
        let response = preflight(addr, "/private", APP_ORIGIN, "GET", Some("authorization")).await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        assert_eq!(
            header(&response, &ACCESS_CONTROL_ALLOW_ORIGIN),
            Some(APP_ORIGIN)
        );
    }
    assert_eq!(
        seen.load(Ordering::SeqCst),
        0,
        "a preflight reached authentication"
    );

    let refused = call(addr, Method::GET, "/private", APP_ORIGIN, false).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert_api_grant(&refused);
    let served = call(addr, Method::GET, "/private", APP_ORIGIN, true).await;
    assert_eq!(served.status(), StatusCode::OK);
    assert_eq!(served.text().await.unwrap(), "secret");
    assert_eq!(seen.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn authentication_outside_the_layer_lets_preflights_through() {
    let (router, seen) = counted(false);
    let addr = serve(router).await;

    let response = preflight(addr, "/private", APP_ORIGIN, "GET", Some("authorization")).await;
    assert_eq!(seen.load(Ordering::SeqCst), 1);
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        header(&response, &ACCESS_CONTROL_ALLOW_ORIGIN),
        Some(APP_ORIGIN)
    );

    // The price of this order: the 401 is made outside the layer, so the browser cannot read
    // it. That is why the example puts CORS outermost.
    let refused = call(addr, Method::GET, "/private", APP_ORIGIN, false).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert!(header(&refused, &ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
}
