//! Hostile request heads: nothing panics, nothing widens a grant.

use std::convert::Infallible;
use std::time::Duration;

use http::header::{self, HeaderValue};
use http::{Method, Request, Response, StatusCode};
use tower::{service_fn, Layer, ServiceExt};
use tower_cors::{AllowHeaders, AllowOrigin, CorsLayer, Denial, RequestKind};

const APP: &str = "https://app.example.com";

fn layer() -> CorsLayer {
    CorsLayer::builder()
        .allow_origins([APP, "https://*.example.org"])
        .allow_methods([Method::PUT])
        .allow_headers(["content-type"])
        .allow_credentials(true)
        .max_age(Duration::from_secs(60))
        .build()
        .unwrap()
}

async fn send(
    layer: &CorsLayer,
    request: Request<()>,
) -> Response<tower_cors::ResponseBody<&'static str>> {
    layer
        .layer(service_fn(|_req: Request<()>| async {
            Ok::<_, Infallible>(Response::new("inner"))
        }))
        .oneshot(request)
        .await
        .unwrap()
}

fn grants(response: &Response<tower_cors::ResponseBody<&'static str>>) -> Vec<String> {
    response
        .headers()
        .keys()
        .filter(|n| n.as_str().starts_with("access-control-"))
        .map(|n| n.to_string())
        .collect()
}

fn origin_request(method: Method, origin: HeaderValue) -> Request<()> {
    let mut request = Request::builder().method(method).uri("/");
    request = request
        .header(header::ORIGIN, origin)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "PUT");
    request.body(()).unwrap()
}

#[tokio::test]
async fn hostile_origins_get_no_grant() {
    let layer = layer();
    let hostile: Vec<HeaderValue> = vec![
        HeaderValue::from_bytes(b"https://app.example.com\xff").unwrap(),
        HeaderValue::from_bytes(b"\xc3\x28https://app.example.com").unwrap(),
        HeaderValue::from_bytes(b"https://app.example.com\t").unwrap(),
        HeaderValue::from_bytes(b"https://app\x7f.example.com")
            .unwrap_or(HeaderValue::from_static("x")),
        HeaderValue::from_static("https://app.example.com/"),
        HeaderValue::from_static("https://app.example.com/path"),
        HeaderValue::from_static("https://app.example.com?x=1"),
        HeaderValue::from_static("https://app.example.com#f"),
        HeaderValue::from_static("https://user@app.example.com"),
        HeaderValue::from_static("https://app.example.com:443"),
        HeaderValue::from_static("https://app.example.com:"),
        HeaderValue::from_static("https://app.example.com:99999"),
        HeaderValue::from_static("HTTPS://APP.EXAMPLE.COM"),
        HeaderValue::from_static("https://app.example.com.evil.net"),
        HeaderValue::from_static("https://evil-app.example.com"),
        HeaderValue::from_static("https://.example.org"),
        HeaderValue::from_static("https://a..example.org"),
        HeaderValue::from_static("https://example.org"),
        HeaderValue::from_static("https://evilexample.org"),
        HeaderValue::from_static("https://*.example.org"),
        HeaderValue::from_static("https://a.example.org:*"),
        HeaderValue::from_static("https://[::1].example.org"),
        HeaderValue::from_static("null"),
        HeaderValue::from_static("*"),
        HeaderValue::from_static(""),
        HeaderValue::from_static("https://"),
        HeaderValue::from_static("://app.example.com"),
        HeaderValue::from_str(&format!("https://{}.example.org", "a.".repeat(3000))).unwrap(),
        HeaderValue::from_str(&format!("https://{}.example.org", "a".repeat(8000))).unwrap(),
    ];
    for origin in hostile {
        for method in [Method::GET, Method::OPTIONS] {
            let request = origin_request(method.clone(), origin.clone());
            let decision = layer.decide(&request);
            assert!(!decision.is_allowed(), "{origin:?} {method}: {decision}");
            let response = send(&layer, request).await;
            assert!(
                grants(&response).is_empty(),
                "{origin:?} {method}: {:?}",
                response.headers()
            );
            assert_eq!(response.headers().get_all(header::VARY).iter().count(), 1);
        }
    }
}

#[tokio::test]
async fn repeated_origin_headers_are_refused() {
    let layer = layer();
    let mut request = Request::get("/").body(()).unwrap();
    request
        .headers_mut()
        .append(header::ORIGIN, HeaderValue::from_static(APP));
    request.headers_mut().append(
        header::ORIGIN,
        HeaderValue::from_static("https://evil.example"),
    );
    assert_eq!(
        layer.decide(&request).denial(),
        Some(&Denial::MultipleOrigins)
    );
    let response = send(&layer, request).await;
    assert!(grants(&response).is_empty());
}

#[tokio::test]
async fn huge_request_header_lists_are_bounded() {
    let layer = layer();
    // 8 KiB of header names, all allowed: refused because of the count, not their content.
    let names = vec!["content-type"; 8 * 1024 / 13].join(",");
    assert!(names.len() >= 8 * 1024 - 13);
    let request = Request::options("/")
        .header(header::ORIGIN, APP)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "PUT")
        .header(header::ACCESS_CONTROL_REQUEST_HEADERS, names.as_str())
        .body(())
        .unwrap();
    assert_eq!(
        layer.decide(&request).denial(),
        Some(&Denial::TooManyRequestHeaders { limit: 64 })
    );
    let response = send(&layer, request).await;
    assert!(grants(&response).is_empty());

    // One 8 KiB name: refused as longer than any name may be.
    let long = "x".repeat(8 * 1024);
    let request = Request::options("/")
        .header(header::ORIGIN, APP)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "PUT")
        .header(header::ACCESS_CONTROL_REQUEST_HEADERS, long.as_str())
        .body(())
        .unwrap();
    assert_eq!(
        layer.decide(&request).denial(),
        Some(&Denial::RequestHeaderNameTooLong { limit: 128 })
    );

    // Mirroring a huge list does not echo it.
    let mirror = CorsLayer::builder()
        .allow_origin(APP)
        .allow_headers(AllowHeaders::mirror_request())
        .build()
        .unwrap();
    let names = (0..2000)
        .map(|i| format!("x-h{i}"))
        .collect::<Vec<_>>()
        .join(",");
    let request = Request::options("/")
        .header(header::ORIGIN, APP)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "PUT")
        .header(header::ACCESS_CONTROL_REQUEST_HEADERS, names.as_str())
        .body(())
        .unwrap();
    let response = send(&mirror, request).await;
    assert!(grants(&response).is_empty());
}

#[tokio::test]
async fn malformed_request_headers_and_methods() {
    let layer = layer();
    let cases: Vec<(&[u8], &[u8], Denial)> = vec![
        (
            b"put",
            b"",
            Denial::MethodNotAllowed(Method::from_bytes(b"put").unwrap()),
        ),
        (b"PU T", b"", Denial::MalformedMethod),
        (b"", b"", Denial::MalformedMethod),
        (b"P\xffT", b"", Denial::MalformedMethod),
        (b"PUT", b"content-type;x", Denial::MalformedRequestHeaders),
        (b"PUT", b"content type", Denial::MalformedRequestHeaders),
        (b"PUT", b"\xff\xfe", Denial::MalformedRequestHeaders),
        (
            b"PUT",
            b"content-type, authorization",
            Denial::HeaderNotAllowed(header::AUTHORIZATION),
        ),
    ];
    for (method, headers, denial) in cases {
        let mut request = Request::options("/").header(header::ORIGIN, APP).header(
            header::ACCESS_CONTROL_REQUEST_METHOD,
            HeaderValue::from_bytes(method).unwrap(),
        );
        if !headers.is_empty() {
            request = request.header(
                header::ACCESS_CONTROL_REQUEST_HEADERS,
                HeaderValue::from_bytes(headers).unwrap(),
            );
        }
        let request = request.body(()).unwrap();
        let decision = layer.decide(&request);
        assert_eq!(decision.kind(), RequestKind::Preflight);
        assert_eq!(decision.denial(), Some(&denial), "{method:?} {headers:?}");
        let response = send(&layer, request).await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        assert!(grants(&response).is_empty());
    }

    // Two request-method headers are ambiguous.
    let mut request = Request::options("/")
        .header(header::ORIGIN, APP)
        .body(())
        .unwrap();
    for m in ["PUT", "GET"] {
        request.headers_mut().append(
            header::ACCESS_CONTROL_REQUEST_METHOD,
            HeaderValue::from_static(m),
        );
    }
    assert_eq!(
        layer.decide(&request).denial(),
        Some(&Denial::MalformedMethod)
    );
}

#[tokio::test]
async fn predicates_only_see_wellformed_origins() {
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let record = seen.clone();
    let layer = CorsLayer::builder()
        .allow_origin(AllowOrigin::predicate(move |origin, _| {
            record.lock().unwrap().push(origin.clone());
            true
        }))
        .build()
        .unwrap();
    for origin in [
        "https://a.test/path",
        "not an origin",
        "HTTPS://A.TEST",
        "https://a.test",
    ] {
        let request = Request::get("/")
            .header(header::ORIGIN, origin)
            .body(())
            .unwrap();
        let decision = layer.decide(&request);
        if origin == "https://a.test" {
            assert!(decision.is_allowed());
        } else {
            assert_eq!(
                decision.denial(),
                Some(&Denial::MalformedOrigin),
                "{origin}"
            );
        }
    }
    assert_eq!(*seen.lock().unwrap(), ["https://a.test"]);
}

/// Found by fuzzing: mirroring an empty request-headers line sent an empty
/// `Access-Control-Allow-Headers`.
#[tokio::test]
async fn mirrored_header_lists_are_tidy() {
    let mirror = CorsLayer::builder()
        .allow_origin(APP)
        .allow_headers(AllowHeaders::mirror_request())
        .build()
        .unwrap();
    for (lines, expected) in [
        (&[""][..], None),
        (&[" , ,"][..], None),
        (&["x-a"][..], Some("x-a")),
        (&["x-a, x-b"][..], Some("x-a, x-b")),
        (&[" x-a,,x-b "][..], Some("x-a, x-b")),
        (&["x-a", "", "x-b"][..], Some("x-a, x-b")),
    ] {
        let mut request = Request::options("/")
            .header(header::ORIGIN, APP)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
            .body(())
            .unwrap();
        for line in lines {
            request.headers_mut().append(
                header::ACCESS_CONTROL_REQUEST_HEADERS,
                HeaderValue::from_static(line),
            );
        }
        let (decision, headers) = mirror.headers_for(&request);
        assert!(decision.is_allowed(), "{lines:?}");
        assert_eq!(
            headers
                .get(header::ACCESS_CONTROL_ALLOW_HEADERS)
                .map(|v| v.to_str().unwrap()),
            expected,
            "{lines:?}"
        );
    }
}
