//! The `cors-debug` header of development mode: on every denial, with its reason and fix; never
//! on grants; never when the mode is off.

use std::convert::Infallible;

use http::header::{self, HeaderMap};
use http::{Method, Request, Response, StatusCode};
use tower::{service_fn, Layer, ServiceExt};
use tower_cors::{AllowHeaders, CorsBuilder, CorsLayer};

use crate::requests::{get, preflight};

const APP: &str = "https://app.example.com";

fn policy() -> CorsBuilder {
    CorsLayer::builder()
        .allow_origins([APP])
        .allow_methods([Method::PUT])
        .allow_headers(["content-type"])
        .allow_credentials(true)
        .max_request_headers(3)
}

/// The response the service gives, the layer's own answers included.
async fn send(layer: &CorsLayer, request: Request<()>) -> (StatusCode, HeaderMap) {
    let service = layer.clone().layer(service_fn(|_req: Request<()>| async {
        Ok::<_, Infallible>(Response::new(()))
    }));
    let response = service.oneshot(request).await.unwrap();
    (response.status(), response.headers().clone())
}

#[tokio::test]
async fn every_denial_says_why_and_what_to_change() {
    let debug = policy().debug_header(true).build().unwrap();
    let wildcard = CorsLayer::builder()
        .allow_origins([APP])
        .allow_headers(AllowHeaders::any())
        .debug_header(true)
        .build()
        .unwrap();
    let mut two_origins = get(APP);
    two_origins
        .headers_mut()
        .append(header::ORIGIN, "https://b.example".parse().unwrap());
    let cases: Vec<(&CorsLayer, Request<()>, &str)> = vec![
        (&debug, get("https://evil.example"), "the origin is not allowed by the policy; add the origin to allow_origins"),
        (&debug, get("null"), "the origin is \"null\", which the policy does not list; add \"null\" to allow_origins (only if sandboxed or file: pages must read the answers)"),
        (&debug, get("HTTPS://APP.EXAMPLE.COM"), "the Origin header is not a serialized origin (scheme://host[:port], lowercase, no default port); browsers send scheme://host[:port], lowercase, no default port"),
        (&debug, two_origins, "the request has more than one Origin header; send one Origin header, as browsers do"),
        (&debug, preflight(APP, "DELETE", None), "the method \"DELETE\" is not allowed (methods are case-sensitive); add \"DELETE\" to allow_methods"),
        (&debug, preflight(APP, "P UT", None), "Access-Control-Request-Method is not a single valid method; send one method token in Access-Control-Request-Method"),
        (&debug, preflight(APP, "PUT", Some("x-custom")), "the header \"x-custom\" is not allowed; add \"x-custom\" to allow_headers"),
        (&debug, preflight(APP, "PUT", Some("a b")), "Access-Control-Request-Headers is not a list of header names; send header names in Access-Control-Request-Headers"),
        (&debug, preflight(APP, "PUT", Some("content-type,content-type,content-type,content-type")), "Access-Control-Request-Headers names more than 3 headers; raise max_request_headers above 3"),
        (&wildcard, preflight(APP, "GET", Some("authorization")), "the header \"authorization\" is not covered by the \"*\" wildcard; allow it by name; add \"authorization\" to allow_headers (the \"*\" wildcard never covers it; \"*, authorization\" allows both)"),
        (&debug, preflight("https://evil.example", "PUT", None), "the origin is not allowed by the policy; add the origin to allow_origins"),
    ];
    for (layer, request, expected) in cases {
        let described = format!("{} {:?}", request.method(), request.headers());
        let (_, headers) = send(layer, request).await;
        assert_eq!(
            headers.get("cors-debug").map(|v| v.to_str().unwrap()),
            Some(expected),
            "{described}"
        );
    }
}

#[tokio::test]
async fn a_refused_method_or_header_keeps_the_origins_grant() {
    let debug = policy().debug_header(true).build().unwrap();
    for request in [
        preflight(APP, "DELETE", None),
        preflight(APP, "PUT", Some("content-type, x-custom")),
    ] {
        let (status, headers) = send(&debug, request).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], APP);
        assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_CREDENTIALS], "true");
        // Never the refused method or header: the browser still fails the preflight.
        assert!(headers.get(header::ACCESS_CONTROL_ALLOW_METHODS).is_none());
        assert!(headers.get(header::ACCESS_CONTROL_ALLOW_HEADERS).is_none());
        assert!(headers.get(header::ACCESS_CONTROL_MAX_AGE).is_none());
    }
    // A refused origin gets no grant at all.
    let (_, headers) = send(&debug, preflight("https://evil.example", "PUT", None)).await;
    assert!(headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
}

#[tokio::test]
async fn nothing_on_grants_and_nothing_when_off() {
    let debug = policy().debug_header(true).build().unwrap();
    let off = policy().build().unwrap();
    for request in [get(APP), preflight(APP, "PUT", Some("content-type"))] {
        let (_, headers) = send(&debug, request).await;
        assert!(headers.get("cors-debug").is_none(), "{headers:?}");
    }
    for request in [
        get("https://evil.example"),
        preflight(APP, "DELETE", None),
        preflight(APP, "PUT", Some("x-custom")),
    ] {
        let (_, headers) = send(&off, request).await;
        assert!(headers.get("cors-debug").is_none(), "{headers:?}");
        assert!(headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
    }
    let no_origin = Request::get("/").body(()).unwrap();
    let (_, headers) = send(&debug, no_origin).await;
    assert!(headers.get("cors-debug").is_none());
}

#[tokio::test]
async fn in_a_set_the_fix_names_the_policy() {
    let layer = CorsLayer::builder()
        .allow_origins([APP])
        .policy(
            CorsLayer::builder()
                .allow_origins(["https://admin.example.com"])
                .allow_methods([Method::DELETE])
                .debug_header(true),
        )
        .build()
        .unwrap();
    let (_, headers) = send(
        &layer,
        preflight("https://admin.example.com", "PATCH", None),
    )
    .await;
    assert_eq!(
        headers["cors-debug"],
        "the method \"PATCH\" is not allowed (methods are case-sensitive); add \"PATCH\" to policies[0].allow_methods"
    );
}
