//! Arbitrary configuration origins: building never panics, and a built policy matches
//! arbitrary request origins without panicking or granting malformed ones.
#![no_main]

use http::header::{self, HeaderValue};
use http::Request;
use libfuzzer_sys::fuzz_target;
use tower_cors::CorsLayer;

fuzz_target!(|data: &[u8]| {
    // Lines: configuration entries, then (after an empty line) request origins.
    let mut parts = data.splitn(2, |&b| b == 0);
    let config: Vec<&[u8]> = parts
        .next()
        .unwrap_or_default()
        .split(|&b| b == b'\n')
        .collect();
    let requests = parts.next().unwrap_or_default();
    // Configured origins are strings; bytes that are not UTF-8 arrive as replacement
    // characters, which the checks must refuse like any other non-ASCII.
    let config: Vec<String> = config
        .iter()
        .map(|entry| String::from_utf8_lossy(entry).into_owned())
        .collect();
    let Ok(layer) = CorsLayer::builder().allow_origins(config).build() else {
        return;
    };
    for origin in requests.split(|&b| b == b'\n') {
        let Ok(value) = HeaderValue::from_bytes(origin) else {
            continue;
        };
        let request = Request::get("/")
            .header(header::ORIGIN, value.clone())
            .body(())
            .unwrap();
        let decision = layer.decide(&request);
        if decision.is_allowed() {
            // Whatever was configured, only browser-shaped origins are ever granted.
            let text = std::str::from_utf8(origin).expect("granted origins are ASCII");
            let shaped = match text.split_once("://") {
                Some((scheme, rest)) => {
                    !scheme.is_empty()
                        && !rest.is_empty()
                        && !rest.contains(['/', '?', '#', '@'])
                        && !text
                            .chars()
                            .any(|c| c.is_ascii_uppercase() || c.is_whitespace())
                }
                None => text == "null",
            };
            assert!(shaped, "granted {text:?}");
        }
    }
});
