//! The hyper and proxy examples on loopback, called over HTTP/1.1 and HTTP/2 with hyper-util's
//! client.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE, ACCESS_CONTROL_REQUEST_HEADERS,
    ACCESS_CONTROL_REQUEST_METHOD, ALLOW, CONTENT_TYPE, ORIGIN,
};
use http::{HeaderName, Method, Request, Response, StatusCode, Version};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use crate::support::{header, listen, vary};

#[allow(dead_code)]
#[path = "../../examples/hyper.rs"]
mod hyper_example;

#[allow(dead_code)]
#[path = "../../examples/proxy.rs"]
mod proxy_example;

const APP_ORIGIN: &str = "https://app.example.com";
const VERSIONS: [Version; 2] = [Version::HTTP_11, Version::HTTP_2];

type HttpClient = Client<HttpConnector, Full<Bytes>>;

fn client(version: Version) -> HttpClient {
    let mut builder = Client::builder(TokioExecutor::new());
    // HTTP/2 without TLS: prior knowledge, no upgrade.
    builder.http2_only(version == Version::HTTP_2);
    builder.build_http()
}

async fn send(client: &HttpClient, request: Request<Full<Bytes>>) -> (Response<()>, Bytes) {
    let response = tokio::time::timeout(Duration::from_secs(10), client.request(request))
        .await
        .expect("the server answers within 10 s")
        .unwrap();
    let (parts, body) = response.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    (Response::from_parts(parts, ()), body)
}

fn request(method: Method, addr: SocketAddr, path: &str) -> http::request::Builder {
    Request::builder()
        .method(method)
        .uri(format!("http://{addr}{path}"))
}

fn preflight(addr: SocketAddr, path: &str, method: &str, headers: &str) -> Request<Full<Bytes>> {
    request(Method::OPTIONS, addr, path)
        .header(ORIGIN, APP_ORIGIN)
        .header(ACCESS_CONTROL_REQUEST_METHOD, method)
        .header(ACCESS_CONTROL_REQUEST_HEADERS, headers)
        .body(Full::default())
        .unwrap()
}

async fn serve_hyper_example() -> SocketAddr {
    let (listener, addr) = listen().await;
    tokio::spawn(hyper_example::serve(
        listener,
        hyper_example::cors().unwrap(),
    ));
    addr
}

#[tokio::test]
async fn hyper_server_preflight_and_actual_requests() {
    let addr = serve_hyper_example().await;
    for version in VERSIONS {
        let client = client(version);

        let (response, body) = send(&client, preflight(addr, "/echo", "PUT", "content-type")).await;
        assert_eq!(response.version(), version);
        assert_eq!(response.status(), StatusCode::NO_CONTENT, "{version:?}");
        assert_eq!(
            header(&response, &ACCESS_CONTROL_ALLOW_ORIGIN),
            Some(APP_ORIGIN)
        );
        assert_eq!(
            header(&response, &ACCESS_CONTROL_ALLOW_METHODS),
            Some("GET, PUT")
        );
        assert_eq!(
            header(&response, &ACCESS_CONTROL_ALLOW_HEADERS),
            Some("content-type")
        );
        assert_eq!(header(&response, &ACCESS_CONTROL_MAX_AGE), Some("600"));
        assert!(body.is_empty());

        let hello = request(Method::GET, addr, "/hello")
            .header(ORIGIN, APP_ORIGIN)
            .body(Full::default())
            .unwrap();
        let (response, body) = send(&client, hello).await;
        assert_eq!(response.version(), version);
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            header(&response, &ACCESS_CONTROL_ALLOW_ORIGIN),
            Some(APP_ORIGIN)
        );
        assert_eq!(
            header(&response, &ACCESS_CONTROL_EXPOSE_HEADERS),
            Some("x-served-by")
        );
        assert!(vary(&response).contains(&"origin".to_owned()));
        assert_eq!(body, "hello from hyper");

        let echo = request(Method::PUT, addr, "/echo")
            .header(ORIGIN, APP_ORIGIN)
            .header(CONTENT_TYPE, "application/json")
            .body(Full::from(r#"{"n":1}"#))
            .unwrap();
        let (response, body) = send(&client, echo).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(header(&response, &CONTENT_TYPE), Some("application/json"));
        assert_eq!(
            header(&response, &ACCESS_CONTROL_ALLOW_ORIGIN),
            Some(APP_ORIGIN)
        );
        assert_eq!(body, r#"{"n":1}"#);

        let missing = request(Method::GET, addr, "/missing")
            .header(ORIGIN, APP_ORIGIN)
            .body(Full::default())
            .unwrap();
        let (response, _) = send(&client, missing).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert_eq!(
            header(&response, &ACCESS_CONTROL_ALLOW_ORIGIN),
            Some(APP_ORIGIN)
        );
    }
}

#[tokio::test]
async fn hyper_server_passes_other_requests_to_the_handler() {
    let addr = serve_hyper_example().await;
    for version in VERSIONS {
        let client = client(version);

        // OPTIONS without Access-Control-Request-Method is not a preflight.
        let options = request(Method::OPTIONS, addr, "/hello")
            .header(ORIGIN, APP_ORIGIN)
            .body(Full::default())
            .unwrap();
        let (response, _) = send(&client, options).await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        assert_eq!(header(&response, &ALLOW), Some("GET, PUT, OPTIONS"));
        assert!(header(&response, &ACCESS_CONTROL_ALLOW_METHODS).is_none());
        assert_eq!(
            header(&response, &ACCESS_CONTROL_ALLOW_ORIGIN),
            Some(APP_ORIGIN)
        );

        let no_origin = request(Method::GET, addr, "/hello")
            .body(Full::default())
            .unwrap();
        let (response, body) = send(&client, no_origin).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(header(&response, &ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
        assert_eq!(body, "hello from hyper");

        let evil = request(Method::GET, addr, "/hello")
            .header(ORIGIN, "https://evil.example")
            .body(Full::default())
            .unwrap();
        let (response, _) = send(&client, evil).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(header(&response, &ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
        assert!(header(&response, &ACCESS_CONTROL_EXPOSE_HEADERS).is_none());
    }
}

/// A demo upstream and the proxy in front of it.
async fn serve_proxy() -> (SocketAddr, Arc<AtomicUsize>) {
    let (upstream_listener, upstream) = listen().await;
    let upstream = format!("http://{upstream}");
    let hits = Arc::new(AtomicUsize::new(0));
    tokio::spawn(proxy_example::serve_demo_upstream(
        upstream_listener,
        hits.clone(),
    ));
    (serve_proxy_to(&upstream).await, hits)
}

async fn serve_proxy_to(upstream: &str) -> SocketAddr {
    let proxy = proxy_example::Proxy::new(&upstream.parse().unwrap()).unwrap();
    let service = proxy_example::gateway(proxy_example::cors().unwrap(), proxy);
    let (listener, addr) = listen().await;
    tokio::spawn(proxy_example::serve(listener, service));
    addr
}

#[tokio::test]
async fn proxy_answers_preflights_without_the_upstream() {
    let (addr, hits) = serve_proxy().await;
    for version in VERSIONS {
        let client = client(version);
        let (response, body) =
            send(&client, preflight(addr, "/echo", "POST", "content-type")).await;
        assert_eq!(response.version(), version);
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        assert_eq!(
            header(&response, &ACCESS_CONTROL_ALLOW_ORIGIN),
            Some(APP_ORIGIN)
        );
        assert_eq!(
            header(&response, &ACCESS_CONTROL_ALLOW_METHODS),
            Some("GET, POST")
        );
        assert!(header(&response, &HeaderName::from_static("x-upstream")).is_none());
        assert!(body.is_empty());
    }
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "a preflight reached the upstream"
    );
}

#[tokio::test]
async fn proxy_streams_the_upstream_response_with_cors_headers() {
    let (addr, hits) = serve_proxy().await;
    for (n, version) in VERSIONS.into_iter().enumerate() {
        let client = client(version);

        let hello = request(Method::GET, addr, "/hello")
            .header(ORIGIN, APP_ORIGIN)
            .body(Full::default())
            .unwrap();
        let (response, body) = send(&client, hello).await;
        assert_eq!(response.version(), version);
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(body, "hello from upstream");
        assert_eq!(
            header(&response, &HeaderName::from_static("x-upstream")),
            Some("demo")
        );
        assert_eq!(
            header(&response, &ACCESS_CONTROL_ALLOW_ORIGIN),
            Some(APP_ORIGIN)
        );
        assert_eq!(
            header(&response, &ACCESS_CONTROL_EXPOSE_HEADERS),
            Some("x-upstream")
        );
        // The upstream's Vary is kept, the layer's added.
        assert_eq!(vary(&response), ["accept-encoding", "origin"]);

        let payload = "x".repeat(256 * 1024);
        let echo = request(Method::POST, addr, "/echo")
            .header(ORIGIN, APP_ORIGIN)
            .header(CONTENT_TYPE, "text/plain")
            .body(Full::from(payload.clone()))
            .unwrap();
        let (response, body) = send(&client, echo).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            header(&response, &ACCESS_CONTROL_ALLOW_ORIGIN),
            Some(APP_ORIGIN)
        );
        assert_eq!(body.len(), payload.len());
        assert_eq!(body, payload);

        let missing = request(Method::GET, addr, "/missing")
            .header(ORIGIN, APP_ORIGIN)
            .body(Full::default())
            .unwrap();
        let (response, _) = send(&client, missing).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert_eq!(
            header(&response, &ACCESS_CONTROL_ALLOW_ORIGIN),
            Some(APP_ORIGIN)
        );

        assert_eq!(hits.load(Ordering::SeqCst), 3 * (n + 1));
    }
}

#[tokio::test]
async fn proxy_answers_502_with_cors_headers_when_the_upstream_is_down() {
    // A port that was just free: nothing listens there.
    let (closed, upstream) = listen().await;
    let upstream = format!("http://{upstream}");
    drop(closed);
    let addr = serve_proxy_to(&upstream).await;

    for version in VERSIONS {
        let client = client(version);
        let hello = request(Method::GET, addr, "/hello")
            .header(ORIGIN, APP_ORIGIN)
            .body(Full::default())
            .unwrap();
        let (response, body) = send(&client, hello).await;
        assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
        assert_eq!(body, "upstream unavailable");
        assert_eq!(
            header(&response, &ACCESS_CONTROL_ALLOW_ORIGIN),
            Some(APP_ORIGIN)
        );
        assert_eq!(
            header(&response, &ACCESS_CONTROL_EXPOSE_HEADERS),
            Some("x-upstream")
        );
        assert_eq!(vary(&response), ["origin"]);

        let evil = request(Method::GET, addr, "/hello")
            .header(ORIGIN, "https://evil.example")
            .body(Full::default())
            .unwrap();
        let (response, _) = send(&client, evil).await;
        assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
        assert!(header(&response, &ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
    }
}
