//! Arbitrary `Access-Control-Request-Headers` lines against listed, wildcard and mirrored
//! header policies.
#![no_main]

use http::header::{self, HeaderValue};
use http::Request;
use libfuzzer_sys::fuzz_target;
use tower_cors::{AllowHeaders, CorsLayer};

fuzz_target!(|data: &[u8]| {
    let mut request = Request::options("/")
        .header(header::ORIGIN, "https://app.example.com")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "PUT")
        .body(())
        .unwrap();
    for line in data.split(|&b| b == b'\n') {
        if let Ok(value) = HeaderValue::from_bytes(line) {
            request
                .headers_mut()
                .append(header::ACCESS_CONTROL_REQUEST_HEADERS, value);
        }
    }
    for headers in [
        AllowHeaders::list(["content-type", "x-custom"]),
        AllowHeaders::any(),
        AllowHeaders::mirror_request(),
    ] {
        let layer = CorsLayer::builder()
            .allow_origin("https://app.example.com")
            .allow_methods(["PUT"])
            .allow_headers(headers)
            .build()
            .unwrap();
        let (decision, answer) = layer.headers_for(&request);
        assert_eq!(
            decision.is_allowed(),
            answer.contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN)
        );
        if let Some(allowed) = answer.get(header::ACCESS_CONTROL_ALLOW_HEADERS) {
            // A grant only ever names header tokens.
            for name in allowed.as_bytes().split(|&b| b == b',') {
                let name = name.trim_ascii();
                assert!(
                    !name.is_empty() && name.iter().all(|b| b.is_ascii_graphic()),
                    "{allowed:?}"
                );
            }
        }
    }
});
