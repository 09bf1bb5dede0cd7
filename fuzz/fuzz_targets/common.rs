//! Shared by the fuzz targets: policies, request heads from bytes, and the invariants every
//! answer must keep.

use http::header::{self, HeaderName, HeaderValue};
use http::{HeaderMap, Method, Request};
use tower_cors::{AllowHeaders, AllowMethods, AllowOrigin, CorsLayer};

/// A few policies covering lists, patterns, wildcards, mirroring and credentials.
pub fn policies() -> Vec<(CorsLayer, bool)> {
    let list = [
        "https://app.example.com",
        "https://*.example.org",
        "http://localhost:*",
        "null",
    ];
    vec![
        (
            CorsLayer::builder()
                .allow_origins(list)
                .allow_methods(["PUT", "DELETE"])
                .allow_headers(["content-type", "x-custom"])
                .expose_headers(["x-request-id"])
                .allow_credentials(true)
                .allow_private_network(true)
                .build()
                .unwrap(),
            true,
        ),
        (CorsLayer::permissive().build().unwrap(), false),
        (
            CorsLayer::builder()
                .allow_origin(AllowOrigin::mirror_request())
                .allow_methods(AllowMethods::mirror_request())
                .allow_headers(AllowHeaders::mirror_request())
                .build()
                .unwrap(),
            false,
        ),
        (
            CorsLayer::builder()
                .allow_origins(list)
                .allow_methods(AllowMethods::any())
                .allow_headers(AllowHeaders::any())
                .allow_credentials(true)
                .build()
                .unwrap(),
            true,
        ),
    ]
}

/// Builds a request head from bytes: a method selector, then `\n`-separated header lines
/// `name:value` drawn mostly from the CORS request headers.
pub fn request_from(data: &[u8]) -> Option<Request<()>> {
    let (&selector, rest) = data.split_first()?;
    let method = match selector % 4 {
        0 => Method::OPTIONS,
        1 => Method::GET,
        2 => Method::POST,
        _ => Method::from_bytes(b"PATCH").ok()?,
    };
    let mut request = Request::builder().method(method).uri("/").body(()).ok()?;
    for line in rest.split(|&b| b == b'\n') {
        let (&kind, value) = match line.split_first() {
            Some(x) => x,
            None => continue,
        };
        let name = match kind % 6 {
            0 | 1 => header::ORIGIN,
            2 => header::ACCESS_CONTROL_REQUEST_METHOD,
            3 => header::ACCESS_CONTROL_REQUEST_HEADERS,
            4 => HeaderName::from_static("access-control-request-private-network"),
            _ => header::VARY,
        };
        if let Ok(value) = HeaderValue::from_bytes(value) {
            request.headers_mut().append(name, value);
        }
    }
    Some(request)
}

/// The invariants of an answer's headers.
pub fn check(request: &Request<()>, headers: &HeaderMap, credentials: bool) {
    let acao: Vec<_> = headers
        .get_all(header::ACCESS_CONTROL_ALLOW_ORIGIN)
        .iter()
        .collect();
    assert!(
        acao.len() <= 1,
        "several Access-Control-Allow-Origin: {acao:?}"
    );
    let acac = headers.contains_key(header::ACCESS_CONTROL_ALLOW_CREDENTIALS);
    assert_eq!(
        acac,
        credentials && !acao.is_empty(),
        "credentials header mismatch"
    );
    if let Some(acao) = acao.first() {
        assert!(!(acao.as_bytes() == b"*" && acac), "* with credentials");
        if acao.as_bytes() != b"*" {
            let origins: Vec<_> = request.headers().get_all(header::ORIGIN).iter().collect();
            assert_eq!(
                origins.len(),
                1,
                "granted with {} Origin headers",
                origins.len()
            );
            assert_eq!(
                *acao, origins[0],
                "granted another origin than the request's"
            );
        }
    } else {
        for name in headers.keys() {
            assert!(
                !name.as_str().starts_with("access-control-allow-")
                    && name != header::ACCESS_CONTROL_MAX_AGE
                    && name != header::ACCESS_CONTROL_EXPOSE_HEADERS,
                "{name} without a grant"
            );
        }
    }
}
