//! Table-driven conformance tests: for each case the complete set of `Access-Control-*` and
//! `Vary` response headers, the status, and whether the inner service ran.
//!
//! The cases follow the CORS protocol of the Fetch Standard
//! (<https://fetch.spec.whatwg.org/#http-cors-protocol>) and Private Network Access.

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use http::header;
use http::{Method, Request, Response, StatusCode};
use tower::{service_fn, Layer, ServiceExt};
use tower_cors::{AllowHeaders, AllowMethods, AllowOrigin, Any, CorsBuilder, CorsLayer};

const APP: &str = "https://app.example.com";
const EVIL: &str = "https://evil.example.net";

/// The reference policy most cases use.
fn base() -> CorsBuilder {
    CorsLayer::builder()
        .allow_origins([APP, "https://*.example.org", "http://localhost:*"])
        .allow_methods([Method::GET, Method::PUT, Method::PATCH])
        .allow_headers(["content-type", "x-custom"])
        .expose_headers(["x-request-id"])
        .max_age(Duration::from_secs(600))
}

fn credentials() -> CorsBuilder {
    base().allow_credentials(true)
}

fn any() -> CorsBuilder {
    CorsLayer::builder()
        .allow_origin(Any)
        .allow_methods(Any)
        .allow_headers(Any)
}

/// What the inner service does.
#[derive(Clone, Copy)]
struct Inner {
    status: StatusCode,
    vary: Option<&'static str>,
    /// Headers it sets itself, as a proxied upstream or a second CORS layer would.
    headers: &'static [(&'static str, &'static str)],
}

const OK: Inner = Inner {
    status: StatusCode::OK,
    vary: None,
    headers: &[],
};

/// An inner service that grants everything by itself.
const INNER_GRANTS: Inner = Inner {
    status: StatusCode::OK,
    vary: None,
    headers: &[
        ("access-control-allow-origin", "*"),
        ("access-control-allow-credentials", "true"),
        ("access-control-allow-methods", "DELETE"),
        ("access-control-allow-headers", "x-secret"),
        ("access-control-expose-headers", "x-secret"),
        ("access-control-max-age", "86400"),
        ("access-control-allow-private-network", "true"),
    ],
};

struct Case {
    name: &'static str,
    policy: fn() -> CorsBuilder,
    method: Method,
    uri: &'static str,
    headers: &'static [(&'static str, &'static str)],
    inner: Inner,
    status: StatusCode,
    inner_called: bool,
    /// Every `access-control-*` and `vary` header of the response, in order.
    expect: &'static [(&'static str, &'static str)],
}

const PREFLIGHT_VARY: (&str, &str) = (
    "vary",
    "origin, access-control-request-method, access-control-request-headers",
);
/// With private network access allowed, the answer also depends on
/// `Access-Control-Request-Private-Network`.
const PNA_PREFLIGHT_VARY: (&str, &str) = (
    "vary",
    "origin, access-control-request-method, access-control-request-headers, access-control-request-private-network",
);
const GRANTED_PREFLIGHT: &[(&str, &str)] = &[
    ("access-control-allow-origin", APP),
    ("access-control-allow-methods", "GET, PUT, PATCH"),
    ("access-control-allow-headers", "content-type, x-custom"),
    ("access-control-max-age", "600"),
    PREFLIGHT_VARY,
];

fn cases() -> Vec<Case> {
    use Method as M;
    let preflight_put: &'static [(&str, &str)] = &[
        ("origin", APP),
        ("access-control-request-method", "PUT"),
        ("access-control-request-headers", "content-type,x-custom"),
    ];
    vec![
        // --- What is a preflight (rule 1) ---
        Case {
            name: "GET without Origin passes through, Vary: Origin added",
            policy: base,
            method: M::GET,
            uri: "/",
            headers: &[],
            inner: OK,
            status: StatusCode::OK,
            inner_called: true,
            expect: &[("vary", "origin")],
        },
        Case {
            name: "OPTIONS without Origin goes to the inner service",
            policy: base,
            method: M::OPTIONS,
            uri: "/",
            headers: &[("access-control-request-method", "PUT")],
            inner: OK,
            status: StatusCode::OK,
            inner_called: true,
            expect: &[("vary", "origin")],
        },
        Case {
            name: "OPTIONS with Origin but no request method is an actual request",
            policy: base,
            method: M::OPTIONS,
            uri: "/",
            headers: &[("origin", APP)],
            inner: OK,
            status: StatusCode::OK,
            inner_called: true,
            expect: &[
                ("access-control-allow-origin", APP),
                ("access-control-expose-headers", "x-request-id"),
                ("vary", "origin"),
            ],
        },
        Case {
            name: "OPTIONS * is never a preflight",
            policy: base,
            method: M::OPTIONS,
            uri: "*",
            headers: &[("origin", APP), ("access-control-request-method", "PUT")],
            inner: OK,
            status: StatusCode::OK,
            inner_called: true,
            expect: &[
                ("access-control-allow-origin", APP),
                ("access-control-expose-headers", "x-request-id"),
                ("vary", "origin"),
            ],
        },
        // --- Allowed preflights (rule 2) ---
        Case {
            name: "allowed preflight is answered by the layer",
            policy: base,
            method: M::OPTIONS,
            uri: "/items",
            headers: preflight_put,
            inner: OK,
            status: StatusCode::NO_CONTENT,
            inner_called: false,
            expect: GRANTED_PREFLIGHT,
        },
        Case {
            name: "allowed preflight with credentials",
            policy: credentials,
            method: M::OPTIONS,
            uri: "/items",
            headers: preflight_put,
            inner: OK,
            status: StatusCode::NO_CONTENT,
            inner_called: false,
            expect: &[
                ("access-control-allow-origin", APP),
                ("access-control-allow-credentials", "true"),
                ("access-control-allow-methods", "GET, PUT, PATCH"),
                ("access-control-allow-headers", "content-type, x-custom"),
                ("access-control-max-age", "600"),
                PREFLIGHT_VARY,
            ],
        },
        Case {
            name: "preflight status is configurable",
            policy: || base().preflight_status(StatusCode::OK),
            method: M::OPTIONS,
            uri: "/items",
            headers: preflight_put,
            inner: OK,
            status: StatusCode::OK,
            inner_called: false,
            expect: GRANTED_PREFLIGHT,
        },
        Case {
            name: "preflight without request headers",
            policy: base,
            method: M::OPTIONS,
            uri: "/",
            headers: &[("origin", APP), ("access-control-request-method", "PATCH")],
            inner: OK,
            status: StatusCode::NO_CONTENT,
            inner_called: false,
            expect: GRANTED_PREFLIGHT,
        },
        Case {
            name: "preflight for a safelisted method not in the list is allowed",
            policy: || base().allow_methods([Method::PUT]),
            method: M::OPTIONS,
            uri: "/",
            headers: &[
                ("origin", APP),
                ("access-control-request-method", "POST"),
                ("access-control-request-headers", "x-custom"),
            ],
            inner: OK,
            status: StatusCode::NO_CONTENT,
            inner_called: false,
            expect: &[
                ("access-control-allow-origin", APP),
                ("access-control-allow-methods", "PUT"),
                ("access-control-allow-headers", "content-type, x-custom"),
                ("access-control-max-age", "600"),
                PREFLIGHT_VARY,
            ],
        },
        // --- Validation of method and headers (rule 3) ---
        Case {
            name: "header names are case-insensitive",
            policy: base,
            method: M::OPTIONS,
            uri: "/",
            headers: &[
                ("origin", APP),
                ("access-control-request-method", "PUT"),
                ("access-control-request-headers", "Content-Type, X-CUSTOM"),
            ],
            inner: OK,
            status: StatusCode::NO_CONTENT,
            inner_called: false,
            expect: GRANTED_PREFLIGHT,
        },
        Case {
            name: "request headers split over lines, with whitespace and empty elements",
            policy: base,
            method: M::OPTIONS,
            uri: "/",
            headers: &[
                ("origin", APP),
                ("access-control-request-method", "PUT"),
                ("access-control-request-headers", " content-type ,, "),
                ("access-control-request-headers", ""),
                ("access-control-request-headers", ",\tx-custom"),
            ],
            inner: OK,
            status: StatusCode::NO_CONTENT,
            inner_called: false,
            expect: GRANTED_PREFLIGHT,
        },
        Case {
            name: "a method not allowed gets no grant",
            policy: base,
            method: M::OPTIONS,
            uri: "/",
            headers: &[("origin", APP), ("access-control-request-method", "DELETE")],
            inner: OK,
            status: StatusCode::NO_CONTENT,
            inner_called: false,
            expect: &[PREFLIGHT_VARY],
        },
        Case {
            name: "methods are case-sensitive",
            policy: base,
            method: M::OPTIONS,
            uri: "/",
            headers: &[("origin", APP), ("access-control-request-method", "patch")],
            inner: OK,
            status: StatusCode::NO_CONTENT,
            inner_called: false,
            expect: &[PREFLIGHT_VARY],
        },
        Case {
            name: "a header not allowed gets no grant",
            policy: base,
            method: M::OPTIONS,
            uri: "/",
            headers: &[
                ("origin", APP),
                ("access-control-request-method", "PUT"),
                ("access-control-request-headers", "content-type,x-other"),
            ],
            inner: OK,
            status: StatusCode::NO_CONTENT,
            inner_called: false,
            expect: &[PREFLIGHT_VARY],
        },
        Case {
            name: "strict mode answers a denied preflight with 403",
            policy: || base().strict_preflight(true),
            method: M::OPTIONS,
            uri: "/",
            headers: &[("origin", APP), ("access-control-request-method", "DELETE")],
            inner: OK,
            status: StatusCode::FORBIDDEN,
            inner_called: false,
            expect: &[PREFLIGHT_VARY],
        },
        Case {
            name: "passthrough lets the inner service answer, with the grant added",
            policy: || base().preflight_continue(true),
            method: M::OPTIONS,
            uri: "/",
            headers: preflight_put,
            inner: OK,
            status: StatusCode::OK,
            inner_called: true,
            expect: GRANTED_PREFLIGHT,
        },
        Case {
            name: "passthrough of a denied preflight adds no grant",
            policy: || base().preflight_continue(true),
            method: M::OPTIONS,
            uri: "/",
            headers: &[("origin", EVIL), ("access-control-request-method", "PUT")],
            inner: OK,
            status: StatusCode::OK,
            inner_called: true,
            expect: &[PREFLIGHT_VARY],
        },
        // --- Actual requests (rule 4) ---
        Case {
            name: "actual request from an allowed origin",
            policy: base,
            method: M::GET,
            uri: "/",
            headers: &[("origin", APP)],
            inner: OK,
            status: StatusCode::OK,
            inner_called: true,
            expect: &[
                ("access-control-allow-origin", APP),
                ("access-control-expose-headers", "x-request-id"),
                ("vary", "origin"),
            ],
        },
        Case {
            name: "actual request with credentials",
            policy: credentials,
            method: M::DELETE,
            uri: "/",
            headers: &[("origin", APP)],
            inner: OK,
            status: StatusCode::OK,
            inner_called: true,
            expect: &[
                ("access-control-allow-origin", APP),
                ("access-control-allow-credentials", "true"),
                ("access-control-expose-headers", "x-request-id"),
                ("vary", "origin"),
            ],
        },
        Case {
            name: "no grant leaks to a disallowed origin",
            policy: credentials,
            method: M::GET,
            uri: "/",
            headers: &[("origin", EVIL)],
            inner: OK,
            status: StatusCode::OK,
            inner_called: true,
            expect: &[("vary", "origin")],
        },
        Case {
            name: "no grant leaks to a disallowed origin's preflight",
            policy: credentials,
            method: M::OPTIONS,
            uri: "/",
            headers: &[("origin", EVIL), ("access-control-request-method", "PUT")],
            inner: OK,
            status: StatusCode::NO_CONTENT,
            inner_called: false,
            expect: &[PREFLIGHT_VARY],
        },
        Case {
            name: "no grant leaks without Origin, even with credentials",
            policy: credentials,
            method: M::GET,
            uri: "/",
            headers: &[],
            inner: OK,
            status: StatusCode::OK,
            inner_called: true,
            expect: &[("vary", "origin")],
        },
        Case {
            name: "strict rejection of a disallowed origin does not call the inner service",
            policy: || base().reject_disallowed_origins(true),
            method: M::POST,
            uri: "/",
            headers: &[("origin", EVIL)],
            inner: OK,
            status: StatusCode::FORBIDDEN,
            inner_called: false,
            expect: &[("vary", "origin")],
        },
        Case {
            name: "strict rejection leaves requests without Origin alone",
            policy: || base().reject_disallowed_origins(true),
            method: M::POST,
            uri: "/",
            headers: &[],
            inner: OK,
            status: StatusCode::OK,
            inner_called: true,
            expect: &[("vary", "origin")],
        },
        // --- Error responses are decorated (rule 5) ---
        Case {
            name: "404 from the inner service is decorated",
            policy: base,
            method: M::GET,
            uri: "/missing",
            headers: &[("origin", APP)],
            inner: Inner {
                status: StatusCode::NOT_FOUND,
                vary: None,
                headers: &[],
            },
            status: StatusCode::NOT_FOUND,
            inner_called: true,
            expect: &[
                ("access-control-allow-origin", APP),
                ("access-control-expose-headers", "x-request-id"),
                ("vary", "origin"),
            ],
        },
        Case {
            name: "500 from the inner service is decorated",
            policy: base,
            method: M::POST,
            uri: "/",
            headers: &[("origin", APP)],
            inner: Inner {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                vary: None,
                headers: &[],
            },
            status: StatusCode::INTERNAL_SERVER_ERROR,
            inner_called: true,
            expect: &[
                ("access-control-allow-origin", APP),
                ("access-control-expose-headers", "x-request-id"),
                ("vary", "origin"),
            ],
        },
        // --- Vary merging (rule 6) ---
        Case {
            name: "Vary from the inner service is kept and Origin added",
            policy: base,
            method: M::GET,
            uri: "/",
            headers: &[("origin", APP)],
            inner: Inner {
                status: StatusCode::OK,
                vary: Some("accept-encoding"),
                headers: &[],
            },
            status: StatusCode::OK,
            inner_called: true,
            expect: &[
                ("access-control-allow-origin", APP),
                ("access-control-expose-headers", "x-request-id"),
                ("vary", "accept-encoding"),
                ("vary", "origin"),
            ],
        },
        Case {
            name: "Vary: Origin already set is not duplicated, whatever its case",
            policy: base,
            method: M::GET,
            uri: "/",
            headers: &[("origin", APP)],
            inner: Inner {
                status: StatusCode::OK,
                vary: Some("Accept, ORIGIN"),
                headers: &[],
            },
            status: StatusCode::OK,
            inner_called: true,
            expect: &[
                ("access-control-allow-origin", APP),
                ("access-control-expose-headers", "x-request-id"),
                ("vary", "Accept, ORIGIN"),
            ],
        },
        Case {
            name: "Vary: * is left alone",
            policy: base,
            method: M::GET,
            uri: "/",
            headers: &[],
            inner: Inner {
                status: StatusCode::OK,
                vary: Some("*"),
                headers: &[],
            },
            status: StatusCode::OK,
            inner_called: true,
            expect: &[("vary", "*")],
        },
        Case {
            name: "passthrough preflight merges Vary with the inner service's",
            policy: || base().preflight_continue(true),
            method: M::OPTIONS,
            uri: "/",
            headers: preflight_put,
            inner: Inner {
                status: StatusCode::OK,
                vary: Some("origin"),
                headers: &[],
            },
            status: StatusCode::OK,
            inner_called: true,
            expect: &[
                ("access-control-allow-origin", APP),
                ("access-control-allow-methods", "GET, PUT, PATCH"),
                ("access-control-allow-headers", "content-type, x-custom"),
                ("access-control-max-age", "600"),
                ("vary", "origin"),
                (
                    "vary",
                    "access-control-request-method, access-control-request-headers",
                ),
            ],
        },
        // --- Origins (rule 7) ---
        Case {
            name: "subdomain pattern matches nested subdomains",
            policy: base,
            method: M::GET,
            uri: "/",
            headers: &[("origin", "https://a.b.example.org")],
            inner: OK,
            status: StatusCode::OK,
            inner_called: true,
            expect: &[
                ("access-control-allow-origin", "https://a.b.example.org"),
                ("access-control-expose-headers", "x-request-id"),
                ("vary", "origin"),
            ],
        },
        Case {
            name: "subdomain pattern never matches the apex",
            policy: base,
            method: M::GET,
            uri: "/",
            headers: &[("origin", "https://example.org")],
            inner: OK,
            status: StatusCode::OK,
            inner_called: true,
            expect: &[("vary", "origin")],
        },
        Case {
            name: "subdomain pattern never matches a longer label",
            policy: base,
            method: M::GET,
            uri: "/",
            headers: &[("origin", "https://evilexample.org")],
            inner: OK,
            status: StatusCode::OK,
            inner_called: true,
            expect: &[("vary", "origin")],
        },
        Case {
            name: "subdomain pattern checks the scheme",
            policy: base,
            method: M::GET,
            uri: "/",
            headers: &[("origin", "http://a.example.org")],
            inner: OK,
            status: StatusCode::OK,
            inner_called: true,
            expect: &[("vary", "origin")],
        },
        Case {
            name: "subdomain pattern checks the port",
            policy: base,
            method: M::GET,
            uri: "/",
            headers: &[("origin", "https://a.example.org:8443")],
            inner: OK,
            status: StatusCode::OK,
            inner_called: true,
            expect: &[("vary", "origin")],
        },
        Case {
            name: "port wildcard matches any port",
            policy: base,
            method: M::GET,
            uri: "/",
            headers: &[("origin", "http://localhost:5173")],
            inner: OK,
            status: StatusCode::OK,
            inner_called: true,
            expect: &[
                ("access-control-allow-origin", "http://localhost:5173"),
                ("access-control-expose-headers", "x-request-id"),
                ("vary", "origin"),
            ],
        },
        Case {
            name: "an origin with a path is refused",
            policy: base,
            method: M::GET,
            uri: "/",
            headers: &[("origin", "https://app.example.com/")],
            inner: OK,
            status: StatusCode::OK,
            inner_called: true,
            expect: &[("vary", "origin")],
        },
        Case {
            name: "an origin in upper case is not what a browser sends",
            policy: base,
            method: M::GET,
            uri: "/",
            headers: &[("origin", "HTTPS://APP.EXAMPLE.COM")],
            inner: OK,
            status: StatusCode::OK,
            inner_called: true,
            expect: &[("vary", "origin")],
        },
        Case {
            name: "the null origin is refused unless listed",
            policy: base,
            method: M::GET,
            uri: "/",
            headers: &[("origin", "null")],
            inner: OK,
            status: StatusCode::OK,
            inner_called: true,
            expect: &[("vary", "origin")],
        },
        Case {
            name: "the null origin is allowed when listed",
            policy: || CorsLayer::builder().allow_origins(["null"]),
            method: M::GET,
            uri: "/",
            headers: &[("origin", "null")],
            inner: OK,
            status: StatusCode::OK,
            inner_called: true,
            expect: &[("access-control-allow-origin", "null"), ("vary", "origin")],
        },
        Case {
            name: "mirroring never reflects null",
            policy: || CorsLayer::builder().allow_origin(AllowOrigin::mirror_request()),
            method: M::GET,
            uri: "/",
            headers: &[("origin", "null")],
            inner: OK,
            status: StatusCode::OK,
            inner_called: true,
            expect: &[("vary", "origin")],
        },
        Case {
            name: "mirroring reflects a well-formed origin",
            policy: || CorsLayer::builder().allow_origin(AllowOrigin::mirror_request()),
            method: M::GET,
            uri: "/",
            headers: &[("origin", "https://anyone.example")],
            inner: OK,
            status: StatusCode::OK,
            inner_called: true,
            expect: &[
                ("access-control-allow-origin", "https://anyone.example"),
                ("vary", "origin"),
            ],
        },
        Case {
            name: "mirroring refuses a malformed origin",
            policy: || CorsLayer::builder().allow_origin(AllowOrigin::mirror_request()),
            method: M::GET,
            uri: "/",
            headers: &[("origin", "https://anyone.example/path?q")],
            inner: OK,
            status: StatusCode::OK,
            inner_called: true,
            expect: &[("vary", "origin")],
        },
        Case {
            name: "a predicate decides",
            policy: || {
                CorsLayer::builder().allow_origin(AllowOrigin::predicate(|origin, parts| {
                    origin.as_bytes().ends_with(b".partner.test") && parts.uri.path() == "/open"
                }))
            },
            method: M::GET,
            uri: "/open",
            headers: &[("origin", "https://a.partner.test")],
            inner: OK,
            status: StatusCode::OK,
            inner_called: true,
            expect: &[
                ("access-control-allow-origin", "https://a.partner.test"),
                ("vary", "origin"),
            ],
        },
        Case {
            name: "a predicate sees the request head",
            policy: || {
                CorsLayer::builder().allow_origin(AllowOrigin::predicate(|origin, parts| {
                    origin.as_bytes().ends_with(b".partner.test") && parts.uri.path() == "/open"
                }))
            },
            method: M::GET,
            uri: "/closed",
            headers: &[("origin", "https://a.partner.test")],
            inner: OK,
            status: StatusCode::OK,
            inner_called: true,
            expect: &[("vary", "origin")],
        },
        Case {
            name: "an async predicate allows",
            policy: || {
                CorsLayer::builder()
                    .allow_origin(AllowOrigin::async_predicate(|origin, _| async move {
                        tokio::task::yield_now().await;
                        origin == "https://tenant.test"
                    }))
                    .allow_methods([Method::PUT])
            },
            method: M::OPTIONS,
            uri: "/",
            headers: &[
                ("origin", "https://tenant.test"),
                ("access-control-request-method", "PUT"),
            ],
            inner: OK,
            status: StatusCode::NO_CONTENT,
            inner_called: false,
            expect: &[
                ("access-control-allow-origin", "https://tenant.test"),
                ("access-control-allow-methods", "PUT"),
                PREFLIGHT_VARY,
            ],
        },
        Case {
            name: "an async predicate refuses, and strict rejection skips the inner service",
            policy: || {
                CorsLayer::builder()
                    .allow_origin(AllowOrigin::async_predicate(|origin, _| async move {
                        tokio::task::yield_now().await;
                        origin == "https://tenant.test"
                    }))
                    .reject_disallowed_origins(true)
            },
            method: M::POST,
            uri: "/",
            headers: &[("origin", "https://other.test")],
            inner: OK,
            status: StatusCode::FORBIDDEN,
            inner_called: false,
            expect: &[("vary", "origin")],
        },
        Case {
            name: "an async predicate refusal still forwards by default",
            policy: || {
                CorsLayer::builder().allow_origin(AllowOrigin::async_predicate(
                    |origin, _| async move { origin == "https://tenant.test" },
                ))
            },
            method: M::POST,
            uri: "/",
            headers: &[("origin", "https://other.test")],
            inner: OK,
            status: StatusCode::OK,
            inner_called: true,
            expect: &[("vary", "origin")],
        },
        Case {
            name: "repeated Origin headers are refused",
            policy: base,
            method: M::GET,
            uri: "/",
            headers: &[("origin", APP), ("origin", APP)],
            inner: OK,
            status: StatusCode::OK,
            inner_called: true,
            expect: &[("vary", "origin")],
        },
        // --- The wildcard (rules 6, 8, 9) ---
        Case {
            name: "any origin: * and no Vary: Origin on actual requests",
            policy: any,
            method: M::GET,
            uri: "/",
            headers: &[("origin", EVIL)],
            inner: OK,
            status: StatusCode::OK,
            inner_called: true,
            expect: &[("access-control-allow-origin", "*")],
        },
        Case {
            name: "any origin: the wildcard without Origin too, and no Vary",
            policy: any,
            method: M::GET,
            uri: "/",
            headers: &[],
            inner: OK,
            status: StatusCode::OK,
            inner_called: true,
            expect: &[("access-control-allow-origin", "*")],
        },
        Case {
            name: "any origin preflight: wildcards, Vary without Origin",
            policy: any,
            method: M::OPTIONS,
            uri: "/",
            headers: &[
                ("origin", EVIL),
                ("access-control-request-method", "DELETE"),
                ("access-control-request-headers", "x-anything"),
            ],
            inner: OK,
            status: StatusCode::NO_CONTENT,
            inner_called: false,
            expect: &[
                ("access-control-allow-origin", "*"),
                ("access-control-allow-methods", "*"),
                ("access-control-allow-headers", "*"),
                (
                    "vary",
                    "access-control-request-method, access-control-request-headers",
                ),
            ],
        },
        Case {
            name: "the header wildcard never covers Authorization",
            policy: any,
            method: M::OPTIONS,
            uri: "/",
            headers: &[
                ("origin", EVIL),
                ("access-control-request-method", "GET"),
                ("access-control-request-headers", "authorization,x-anything"),
            ],
            inner: OK,
            status: StatusCode::NO_CONTENT,
            inner_called: false,
            expect: &[(
                "vary",
                "access-control-request-method, access-control-request-headers",
            )],
        },
        Case {
            name: "any header plus Authorization",
            policy: || any().allow_headers(AllowHeaders::any_with_authorization()),
            method: M::OPTIONS,
            uri: "/",
            headers: &[
                ("origin", EVIL),
                ("access-control-request-method", "GET"),
                ("access-control-request-headers", "authorization,x-anything"),
            ],
            inner: OK,
            status: StatusCode::NO_CONTENT,
            inner_called: false,
            expect: &[
                ("access-control-allow-origin", "*"),
                ("access-control-allow-methods", "*"),
                ("access-control-allow-headers", "*, authorization"),
                (
                    "vary",
                    "access-control-request-method, access-control-request-headers",
                ),
            ],
        },
        Case {
            name: "with credentials the method and header wildcards are mirrored",
            policy: || {
                credentials()
                    .allow_methods(AllowMethods::any())
                    .allow_headers(AllowHeaders::any())
            },
            method: M::OPTIONS,
            uri: "/",
            headers: &[
                ("origin", APP),
                ("access-control-request-method", "DELETE"),
                ("access-control-request-headers", "x-one,x-two"),
            ],
            inner: OK,
            status: StatusCode::NO_CONTENT,
            inner_called: false,
            expect: &[
                ("access-control-allow-origin", APP),
                ("access-control-allow-credentials", "true"),
                ("access-control-allow-methods", "DELETE"),
                ("access-control-allow-headers", "x-one,x-two"),
                ("access-control-max-age", "600"),
                PREFLIGHT_VARY,
            ],
        },
        Case {
            name: "mirrored headers split over lines are joined",
            policy: || base().allow_headers(AllowHeaders::mirror_request()),
            method: M::OPTIONS,
            uri: "/",
            headers: &[
                ("origin", APP),
                ("access-control-request-method", "PUT"),
                ("access-control-request-headers", "x-one"),
                ("access-control-request-headers", " x-two ,"),
            ],
            inner: OK,
            status: StatusCode::NO_CONTENT,
            inner_called: false,
            expect: &[
                ("access-control-allow-origin", APP),
                ("access-control-allow-methods", "GET, PUT, PATCH"),
                ("access-control-allow-headers", "x-one, x-two"),
                ("access-control-max-age", "600"),
                PREFLIGHT_VARY,
            ],
        },
        // --- Private Network Access ---
        Case {
            name: "private network access granted when allowed",
            policy: || base().allow_private_network(true),
            method: M::OPTIONS,
            uri: "/",
            headers: &[
                ("origin", APP),
                ("access-control-request-method", "GET"),
                ("access-control-request-private-network", "true"),
            ],
            inner: OK,
            status: StatusCode::NO_CONTENT,
            inner_called: false,
            expect: &[
                ("access-control-allow-origin", APP),
                ("access-control-allow-methods", "GET, PUT, PATCH"),
                ("access-control-allow-headers", "content-type, x-custom"),
                ("access-control-max-age", "600"),
                ("access-control-allow-private-network", "true"),
                PNA_PREFLIGHT_VARY,
            ],
        },
        Case {
            name: "private network access not requested is not granted",
            policy: || base().allow_private_network(true),
            method: M::OPTIONS,
            uri: "/",
            headers: &[("origin", APP), ("access-control-request-method", "GET")],
            inner: OK,
            status: StatusCode::NO_CONTENT,
            inner_called: false,
            expect: &[
                ("access-control-allow-origin", APP),
                ("access-control-allow-methods", "GET, PUT, PATCH"),
                ("access-control-allow-headers", "content-type, x-custom"),
                ("access-control-max-age", "600"),
                PNA_PREFLIGHT_VARY,
            ],
        },
        Case {
            name: "private network access requested but not allowed is ignored",
            policy: base,
            method: M::OPTIONS,
            uri: "/",
            headers: &[
                ("origin", APP),
                ("access-control-request-method", "GET"),
                ("access-control-request-private-network", "true"),
            ],
            inner: OK,
            status: StatusCode::NO_CONTENT,
            inner_called: false,
            // The grant without Access-Control-Allow-Private-Network, which the browser then
            // refuses; the answer does not depend on the request header.
            expect: GRANTED_PREFLIGHT,
        },
        Case {
            name: "private network access is only answered for exactly true",
            policy: || base().allow_private_network(true),
            method: M::OPTIONS,
            uri: "/",
            headers: &[
                ("origin", APP),
                ("access-control-request-method", "GET"),
                ("access-control-request-private-network", "TRUE"),
            ],
            inner: OK,
            status: StatusCode::NO_CONTENT,
            inner_called: false,
            expect: &[
                ("access-control-allow-origin", APP),
                ("access-control-allow-methods", "GET, PUT, PATCH"),
                ("access-control-allow-headers", "content-type, x-custom"),
                ("access-control-max-age", "600"),
                PNA_PREFLIGHT_VARY,
            ],
        },
        // --- CORS and HTTP caches ---
        Case {
            name: "a resource public to everyone says so to requests without Origin",
            policy: || any().expose_headers(["x-request-id"]),
            method: M::GET,
            uri: "/fonts/a.woff2",
            headers: &[],
            inner: OK,
            status: StatusCode::OK,
            inner_called: true,
            // No Vary: Origin: the answer is the same for every request.
            expect: &[
                ("access-control-allow-origin", "*"),
                ("access-control-expose-headers", "x-request-id"),
            ],
        },
        Case {
            name: "a resource public to everyone says the same to a cross-origin request",
            policy: || any().expose_headers(["x-request-id"]),
            method: M::GET,
            uri: "/fonts/a.woff2",
            headers: &[("origin", EVIL)],
            inner: OK,
            status: StatusCode::OK,
            inner_called: true,
            expect: &[
                ("access-control-allow-origin", "*"),
                ("access-control-expose-headers", "x-request-id"),
            ],
        },
        Case {
            name: "a mirrored origin varies by origin even without Origin",
            policy: || CorsLayer::builder().allow_origin(AllowOrigin::mirror_request()),
            method: M::GET,
            uri: "/",
            headers: &[],
            inner: OK,
            status: StatusCode::OK,
            inner_called: true,
            expect: &[("vary", "origin")],
        },
        // --- Sets of policies ---
        Case {
            name: "a set: the first policy that admits the origin decides",
            policy: || {
                base().policy(
                    CorsLayer::builder()
                        .allow_origins([EVIL])
                        .allow_methods([M::DELETE])
                        .allow_credentials(true),
                )
            },
            method: M::OPTIONS,
            uri: "/items/1",
            headers: &[
                ("origin", EVIL),
                ("access-control-request-method", "DELETE"),
            ],
            inner: OK,
            status: StatusCode::NO_CONTENT,
            inner_called: false,
            expect: &[
                ("access-control-allow-origin", EVIL),
                ("access-control-allow-credentials", "true"),
                ("access-control-allow-methods", "DELETE"),
                PREFLIGHT_VARY,
            ],
        },
        Case {
            name: "a set: no policy admits the origin, the top level refuses",
            policy: || base().policy(CorsLayer::builder().allow_origins(["https://other.example"])),
            method: M::GET,
            uri: "/items/1",
            headers: &[("origin", EVIL)],
            inner: OK,
            status: StatusCode::OK,
            inner_called: true,
            expect: &[("vary", "origin")],
        },
        Case {
            name: "a set: paths match whole segments",
            policy: || base().policy(CorsLayer::builder().paths(["/public/"]).allow_origin(Any)),
            method: M::GET,
            uri: "/publicity",
            headers: &[("origin", EVIL)],
            inner: OK,
            status: StatusCode::OK,
            inner_called: true,
            expect: &[("vary", "origin")],
        },
        Case {
            name: "a set: an open policy for its path, still varying by origin",
            policy: || base().policy(CorsLayer::builder().paths(["/public/"]).allow_origin(Any)),
            method: M::GET,
            uri: "/public/a.css?v=1",
            headers: &[("origin", EVIL)],
            inner: OK,
            status: StatusCode::OK,
            inner_called: true,
            expect: &[("access-control-allow-origin", "*"), ("vary", "origin")],
        },
        // --- One authority over the grant headers ---
        Case {
            name: "a refused origin never receives the inner service's grant",
            policy: base,
            method: M::GET,
            uri: "/",
            headers: &[("origin", EVIL)],
            inner: INNER_GRANTS,
            status: StatusCode::OK,
            inner_called: true,
            expect: &[("vary", "origin")],
        },
        Case {
            name: "an allowed origin receives the layer's grant, not the inner service's",
            policy: base,
            method: M::GET,
            uri: "/",
            headers: &[("origin", APP)],
            inner: INNER_GRANTS,
            status: StatusCode::OK,
            inner_called: true,
            expect: &[
                ("access-control-allow-origin", APP),
                ("access-control-expose-headers", "x-request-id"),
                ("vary", "origin"),
            ],
        },
        Case {
            name: "a request without Origin loses the inner service's grant too",
            policy: base,
            method: M::GET,
            uri: "/",
            headers: &[],
            inner: INNER_GRANTS,
            status: StatusCode::OK,
            inner_called: true,
            expect: &[("vary", "origin")],
        },
        Case {
            name: "a preflight passed on gets the layer's grant only",
            policy: || base().preflight_continue(true),
            method: M::OPTIONS,
            uri: "/",
            headers: preflight_put,
            inner: INNER_GRANTS,
            status: StatusCode::OK,
            inner_called: true,
            expect: GRANTED_PREFLIGHT,
        },
        Case {
            name: "the inner service's grant is kept when asked for",
            policy: || base().preserve_inner_cors_headers(true),
            method: M::GET,
            uri: "/",
            headers: &[("origin", EVIL)],
            inner: INNER_GRANTS,
            status: StatusCode::OK,
            inner_called: true,
            expect: &[
                ("access-control-allow-origin", "*"),
                ("access-control-allow-credentials", "true"),
                ("access-control-allow-methods", "DELETE"),
                ("access-control-allow-headers", "x-secret"),
                ("access-control-expose-headers", "x-secret"),
                ("access-control-max-age", "86400"),
                ("access-control-allow-private-network", "true"),
                ("vary", "origin"),
            ],
        },
        Case {
            name: "kept inner grant headers are still overwritten by the layer's own",
            policy: || base().preserve_inner_cors_headers(true),
            method: M::GET,
            uri: "/",
            headers: &[("origin", APP)],
            inner: INNER_GRANTS,
            status: StatusCode::OK,
            inner_called: true,
            expect: &[
                ("access-control-allow-origin", APP),
                ("access-control-allow-credentials", "true"),
                ("access-control-allow-methods", "DELETE"),
                ("access-control-allow-headers", "x-secret"),
                ("access-control-expose-headers", "x-request-id"),
                ("access-control-max-age", "86400"),
                ("access-control-allow-private-network", "true"),
                ("vary", "origin"),
            ],
        },
    ]
}

async fn run(case: &Case) -> (StatusCode, bool, Vec<(String, String)>, bytes::Bytes) {
    let layer = (case.policy)()
        .build()
        .unwrap_or_else(|e| panic!("{}: {e}", case.name));
    let calls = Arc::new(AtomicUsize::new(0));
    let inner = case.inner;
    let counter = calls.clone();
    let service = layer.layer(service_fn(move |_req: Request<()>| {
        let counter = counter.clone();
        // Counted when the inner future runs: that is when a handler does its work.
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            let mut response = Response::builder()
                .status(inner.status)
                .header(header::CONTENT_TYPE, "text/plain");
            if let Some(vary) = inner.vary {
                response = response.header(header::VARY, vary);
            }
            for (name, value) in inner.headers {
                response = response.header(*name, *value);
            }
            Ok::<_, Infallible>(response.body("inner".to_owned()).unwrap())
        }
    }));
    let mut request = Request::builder().method(case.method.clone()).uri(case.uri);
    for (name, value) in case.headers {
        request = request.header(*name, *value);
    }
    let response = service.oneshot(request.body(()).unwrap()).await.unwrap();
    let status = response.status();
    let headers = response
        .headers()
        .iter()
        .filter(|(name, _)| name.as_str().starts_with("access-control-") || *name == header::VARY)
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_owned()))
        .collect();
    let body = response
        .into_body()
        .into_inner()
        .map(bytes::Bytes::from)
        .unwrap_or_default();
    (status, calls.load(Ordering::SeqCst) == 1, headers, body)
}

fn sorted(mut v: Vec<(String, String)>) -> Vec<(String, String)> {
    // Keep the relative order of values of one header; order names.
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

#[tokio::test]
async fn conformance_table() {
    let mut failures = Vec::new();
    for case in cases() {
        let (status, inner_called, headers, body) = run(&case).await;
        let expected: Vec<(String, String)> = case
            .expect
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        let mut problems = Vec::new();
        if status != case.status {
            problems.push(format!("status {status}, expected {}", case.status));
        }
        if inner_called != case.inner_called {
            problems.push(format!(
                "inner service called: {inner_called}, expected {}",
                case.inner_called
            ));
        }
        if !inner_called && !body.is_empty() {
            problems.push(format!("layer's own answer has a body: {body:?}"));
        }
        if sorted(headers.clone()) != sorted(expected.clone()) {
            problems.push(format!(
                "headers\n      got      {headers:?}\n      expected {expected:?}"
            ));
        }
        if !problems.is_empty() {
            failures.push(format!("- {}:\n    {}", case.name, problems.join("\n    ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn is_preflight_matches_the_layer() {
    let preflight = Request::options("/")
        .header(header::ORIGIN, APP)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "PUT")
        .body(())
        .unwrap();
    assert!(tower_cors::is_preflight(&preflight));
    let no_method = Request::options("/")
        .header(header::ORIGIN, APP)
        .body(())
        .unwrap();
    assert!(!tower_cors::is_preflight(&no_method));
    let get = Request::get("/")
        .header(header::ORIGIN, APP)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "PUT")
        .body(())
        .unwrap();
    assert!(!tower_cors::is_preflight(&get));
}
