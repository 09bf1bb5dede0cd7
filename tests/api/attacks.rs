//! Attacks on the crate's written promises, each against the promise it targets: patterns over
//! public suffixes, a `*` policy behind caches, path-limited policies and dot segments, grant
//! headers the inner service sets, oversized header names, and dangerous settings.

use std::convert::Infallible;

use http::header::{self, HeaderName, HeaderValue};
use http::{HeaderMap, Request, Response, StatusCode};
use tower::{service_fn, Layer, ServiceExt};
use tower_cors::{
    AllowHeaders, AllowOrigin, CorsBuilder, CorsLayer, Denial, Field, ProblemKind, WarningKind,
};

const APP: &str = "https://app.example.com";
const PARTNER: &str = "https://partner.example.net";

/// Sends `request` through `layer` to a service that sets `inner` headers on its response;
/// returns the response's headers and whether the service ran.
async fn send(
    layer: &CorsLayer,
    request: Request<()>,
    inner: &[(&str, &str)],
) -> (StatusCode, HeaderMap, bool) {
    let inner: Vec<(HeaderName, HeaderValue)> = inner
        .iter()
        .map(|(n, v)| {
            (
                HeaderName::from_bytes(n.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            )
        })
        .collect();
    let ran = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let seen = ran.clone();
    let service = layer.layer(service_fn(move |_req: Request<()>| {
        seen.store(true, std::sync::atomic::Ordering::SeqCst);
        let mut response = Response::new("inner");
        for (name, value) in &inner {
            response.headers_mut().append(name.clone(), value.clone());
        }
        async move { Ok::<_, Infallible>(response) }
    }));
    let response = service.oneshot(request).await.unwrap();
    (
        response.status(),
        response.headers().clone(),
        ran.load(std::sync::atomic::Ordering::SeqCst),
    )
}

fn request(path: &str, origins: &[&[u8]]) -> Request<()> {
    let mut request = Request::get(path).body(()).unwrap();
    for origin in origins {
        request
            .headers_mut()
            .append(header::ORIGIN, HeaderValue::from_bytes(origin).unwrap());
    }
    request
}

fn values<'a>(headers: &'a HeaderMap, name: &str) -> Vec<&'a str> {
    headers
        .get_all(name)
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect()
}

fn varies_by_origin(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::VARY)
        .iter()
        .flat_map(|v| v.to_str().unwrap().split(','))
        .any(|token| token.trim().eq_ignore_ascii_case("origin"))
}

fn refusal(builder: CorsBuilder) -> (ProblemKind, String) {
    let err = builder.build().unwrap_err();
    assert_eq!(err.problems().len(), 1, "{err}");
    (err.problems()[0].kind(), err.problems()[0].to_string())
}

#[test]
fn patterns_covering_a_public_suffix_name_it() {
    // The host is a public suffix.
    let (kind, message) = refusal(CorsLayer::builder().allow_origin("https://*.github.io"));
    assert_eq!(kind, ProblemKind::PatternOverPublicSuffix);
    assert!(message.contains("public suffix github.io"), "{message}");
    assert!(
        message.contains("https://*.your-app.github.io"),
        "{message}"
    );
    // Every child of the host is a public suffix (wildcard rules of the list).
    for pattern in [
        "https://*.compute-1.amazonaws.com",
        "https://*.sch.uk",
        "https://*.kawasaki.jp",
        "https://*.nom.br",
    ] {
        let (kind, message) = refusal(CorsLayer::builder().allow_origin(pattern));
        assert_eq!(kind, ProblemKind::PatternOverPublicSuffix, "{pattern}");
        let host = pattern.trim_start_matches("https://*.");
        assert!(message.contains(&format!("rule *.{host}")), "{message}");
    }
    // A public suffix lies under the host.
    let (kind, message) = refusal(CorsLayer::builder().allow_origin("https://*.amazonaws.com"));
    assert_eq!(kind, ProblemKind::PatternOverPublicSuffix);
    assert!(
        message.contains("public suffix s3.amazonaws.com under amazonaws.com"),
        "{message}"
    );
    // In a file, with the place of the entry.
    let (_, message) = refusal(
        CorsLayer::builder().allow_origins([APP, "http://*.af-south-1.amazonaws.com:8080"]),
    );
    assert!(message.starts_with("allow_origins[1]: "), "{message}");
    assert!(
        message.contains("under af-south-1.amazonaws.com"),
        "{message}"
    );

    // Names someone owns are fine, under a suffix or not.
    for pattern in [
        "https://*.example.com",
        "https://*.my-app.github.io",
        "https://*.example.co.uk",
    ] {
        assert!(
            CorsLayer::builder().allow_origin(pattern).build().is_ok(),
            "{pattern}"
        );
    }

    // The dangerous opt-in lets them through, and says so.
    let layer = CorsLayer::builder()
        .allow_origin("https://*.compute-1.amazonaws.com")
        .dangerously_allow_public_suffix_patterns(true)
        .build()
        .unwrap();
    assert!(layer
        .decide(&request(
            "/",
            &[b"https://ec2-203-0-113-7.compute-1.amazonaws.com"]
        ))
        .is_allowed());
    let kinds: Vec<WarningKind> = layer.warnings().iter().map(|w| w.kind()).collect();
    assert_eq!(kinds, [WarningKind::PublicSuffixPatternsAllowed]);
}

#[tokio::test]
async fn a_wildcard_policy_answers_star_whatever_the_origin_headers() {
    let shapes: [&[&[u8]]; 7] = [
        &[],
        &[b"https://a.example"],
        &[b"https://a.example", b"https://a.example"],
        &[b"https://a.example", b"https://b.example"],
        &[b"https://a.example/"],
        &[b"null"],
        &[b"\xfe\xff"],
    ];
    for reject in [false, true] {
        let layer = CorsLayer::builder()
            .allow_origin(AllowOrigin::any())
            .expose_headers(["x-request-id"])
            .reject_disallowed_origins(reject)
            .build()
            .unwrap();
        for origins in shapes {
            let (status, headers, ran) = send(&layer, request("/font.woff", origins), &[]).await;
            let case = format!("reject {reject}, {origins:?}");
            assert_eq!(status, StatusCode::OK, "{case}");
            assert!(ran, "{case}");
            assert_eq!(
                values(&headers, "access-control-allow-origin"),
                ["*"],
                "{case}"
            );
            assert_eq!(
                values(&headers, "access-control-expose-headers"),
                ["x-request-id"],
                "{case}"
            );
            assert!(!varies_by_origin(&headers), "{case}");
        }
    }

    // Every policy whose answer depends on the origin says so on every answer, refusals of
    // repeated and malformed origins included.
    let dependent = [
        CorsLayer::builder().allow_origin(APP),
        CorsLayer::builder()
            .allow_origin(APP)
            .reject_disallowed_origins(true),
        CorsLayer::builder().allow_origin(AllowOrigin::mirror_request()),
        CorsLayer::builder().allow_origin(AllowOrigin::predicate(|o, _| o == APP)),
        CorsLayer::builder().allow_origin(APP).policy(
            CorsLayer::builder()
                .allow_origin(AllowOrigin::any())
                .paths(["/public/"]),
        ),
    ];
    for (i, builder) in dependent.into_iter().enumerate() {
        let layer = builder.build().unwrap();
        for origins in shapes {
            for path in ["/items", "/public/a"] {
                let (_, headers, _) = send(&layer, request(path, origins), &[]).await;
                assert!(
                    varies_by_origin(&headers),
                    "policy {i}, {path}, {origins:?}: {headers:?}"
                );
            }
        }
    }
}

#[tokio::test]
async fn path_limited_policies_never_decide_ambiguous_paths() {
    let layer = CorsLayer::builder()
        .allow_origin(APP)
        .allow_credentials(true)
        .policy(
            CorsLayer::builder()
                .allow_origin(PARTNER)
                .allow_credentials(true)
                .paths(["/public/"]),
        )
        .build()
        .unwrap();
    let (_, headers, _) = send(
        &layer,
        request("/public/report.csv", &[PARTNER.as_bytes()]),
        &[],
    )
    .await;
    assert_eq!(values(&headers, "access-control-allow-origin"), [PARTNER]);

    for path in [
        "/public/../admin",
        "/public/%2e%2e/admin",
        "/public/%2E%2e/admin",
        "/public/..%2fadmin",
        "/public/..%2Fadmin",
        "/public/..;/admin",
        "/public/./admin",
        "/public/..%5cadmin",
    ] {
        let (_, headers, _) = send(&layer, request(path, &[PARTNER.as_bytes()]), &[]).await;
        assert!(
            headers.get("access-control-allow-origin").is_none(),
            "{path}: {headers:?}"
        );
        assert!(
            headers.get("access-control-allow-credentials").is_none(),
            "{path}"
        );
        let decision = layer.decide(&request(path, &[PARTNER.as_bytes()]));
        assert_eq!(decision.denial(), Some(&Denial::OriginNotAllowed), "{path}");
        assert_eq!(
            decision.policy(),
            None,
            "{path}: the top-level policy decides"
        );
    }
    // The top-level policy, which applies to every path, still decides them.
    let (_, headers, _) = send(&layer, request("/public/../admin", &[APP.as_bytes()]), &[]).await;
    assert_eq!(values(&headers, "access-control-allow-origin"), [APP]);

    // Such a prefix cannot be configured either.
    for prefix in ["/public/../admin/", "/a;b/", "/a%2fb/"] {
        let (kind, _) = refusal(
            CorsLayer::builder()
                .allow_origin(APP)
                .policy(CorsLayer::builder().allow_origin(PARTNER).paths([prefix])),
        );
        assert_eq!(kind, ProblemKind::InvalidPathPrefix, "{prefix}");
    }
}

#[tokio::test]
async fn every_grant_header_the_inner_service_sets_is_replaced() {
    let layer = CorsLayer::builder().allow_origin(APP).build().unwrap();
    let inner = [
        ("access-control-allow-origin", "*"),
        ("access-control-allow-credentials", "true"),
        ("access-control-allow-local-network", "true"),
        ("access-control-allow-private-network", "true"),
        ("access-control-allow-something-new", "yes"),
        ("access-control-expose-headers", "*"),
        ("access-control-max-age", "86400"),
        ("x-request-id", "7"),
    ];
    let access_control = |headers: &HeaderMap| -> Vec<String> {
        let mut names: Vec<String> = headers
            .keys()
            .map(|n| n.to_string())
            .filter(|n| n.starts_with("access-control-"))
            .collect();
        names.sort();
        names
    };
    let (_, headers, _) = send(&layer, request("/", &[b"https://evil.example"]), &inner).await;
    assert!(access_control(&headers).is_empty(), "{headers:?}");
    assert_eq!(values(&headers, "x-request-id"), ["7"]);
    let (_, headers, _) = send(&layer, request("/", &[APP.as_bytes()]), &inner).await;
    assert_eq!(access_control(&headers), ["access-control-allow-origin"]);
    assert_eq!(values(&headers, "access-control-allow-origin"), [APP]);

    // Kept on request, and then the warning says what that costs.
    let keeping = CorsLayer::builder()
        .allow_origin(APP)
        .preserve_inner_cors_headers(true)
        .build()
        .unwrap();
    let (_, headers, _) = send(&keeping, request("/", &[b"https://evil.example"]), &inner).await;
    assert_eq!(
        values(&headers, "access-control-allow-local-network"),
        ["true"]
    );
    let kinds: Vec<WarningKind> = keeping.warnings().iter().map(|w| w.kind()).collect();
    assert_eq!(kinds, [WarningKind::PreservesInnerGrants]);
}

#[tokio::test]
async fn oversized_header_names_are_refused_not_echoed() {
    let preflight = |name: &str| {
        Request::options("/")
            .header(header::ORIGIN, APP)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "PUT")
            .header(
                header::ACCESS_CONTROL_REQUEST_HEADERS,
                format!("content-type, {name}"),
            )
            .body(())
            .unwrap()
    };
    let long = "x".repeat(6000);
    for (i, builder) in [
        CorsLayer::builder()
            .allow_origin(APP)
            .allow_headers(AllowHeaders::mirror_request()),
        CorsLayer::builder()
            .allow_origin(APP)
            .allow_headers(AllowHeaders::any())
            .allow_credentials(true),
        CorsLayer::builder()
            .allow_origin(APP)
            .allow_headers(AllowHeaders::any()),
    ]
    .into_iter()
    .enumerate()
    {
        let layer = builder.allow_methods(["PUT"]).build().unwrap();
        let (_, headers, ran) = send(&layer, preflight(&long), &[]).await;
        assert!(!ran);
        assert!(
            headers.get("access-control-allow-headers").is_none(),
            "policy {i}"
        );
        assert!(
            headers.get("access-control-allow-origin").is_none(),
            "policy {i}"
        );
        assert_eq!(
            layer.decide(&preflight(&long)).denial(),
            Some(&Denial::RequestHeaderNameTooLong { limit: 128 }),
            "policy {i}"
        );
        // At the limit, the name is answered.
        let (_, headers, _) = send(&layer, preflight(&"y".repeat(128)), &[]).await;
        assert!(
            headers.get("access-control-allow-headers").is_some(),
            "policy {i}"
        );
    }

    // The bound is a setting, checked like the others.
    let layer = CorsLayer::builder()
        .allow_origin(APP)
        .allow_headers(AllowHeaders::mirror_request())
        .allow_methods(["PUT"])
        .max_request_header_name_len(16)
        .build()
        .unwrap();
    assert_eq!(
        layer.decide(&preflight("x-seventeen-bytes")).denial(),
        Some(&Denial::RequestHeaderNameTooLong { limit: 16 })
    );
    assert!(layer.decide(&preflight("x-sixteen-bytes!")).is_allowed());
    let (kind, message) = refusal(
        CorsLayer::builder()
            .allow_origin(APP)
            .max_request_header_name_len(0),
    );
    assert_eq!(
        (kind, message.as_str()),
        (
            ProblemKind::ZeroLimit,
            "max_request_header_name_len: \"0\" must be at least 1"
        )
    );
    let err = CorsLayer::builder()
        .allow_origin(APP)
        .allow_headers(["content-type", "x-a-rather-long-header-name"])
        .max_request_header_name_len(16)
        .build()
        .unwrap_err();
    assert_eq!(err.problems()[0].kind(), ProblemKind::HeaderNameOverLimit);
    assert_eq!(err.problems()[0].path(), "allow_headers[1]");
    assert_eq!(
        Field::MaxRequestHeaderNameLen.as_str(),
        "max_request_header_name_len"
    );
}

#[test]
#[allow(deprecated)]
fn dangerous_settings_are_warnings() {
    let kinds = |builder: CorsBuilder| -> Vec<WarningKind> {
        builder
            .build()
            .unwrap()
            .warnings()
            .iter()
            .map(|w| w.kind())
            .collect()
    };
    let mirror_with_credentials = CorsLayer::builder()
        .allow_origin(AllowOrigin::dangerously_mirror_any_origin_with_credentials())
        .allow_credentials(true);
    assert_eq!(
        kinds(mirror_with_credentials),
        [WarningKind::MirrorAnyOriginWithCredentials]
    );
    assert_eq!(
        kinds(CorsLayer::very_permissive()),
        [
            WarningKind::MirrorAnyOriginWithCredentials,
            WarningKind::NoMaxAge
        ]
    );
    let warning = CorsLayer::very_permissive().build().unwrap().warnings()[0].to_string();
    assert!(warning.starts_with("allow_origins: "), "{warning}");
    assert!(
        warning.contains("any web site can read your users' responses"),
        "{warning}"
    );
    let suffixes = CorsLayer::builder()
        .allow_origin(APP)
        .dangerously_allow_public_suffix_patterns(true);
    assert_eq!(kinds(suffixes), [WarningKind::PublicSuffixPatternsAllowed]);
    // The plain preset says only what its preflights cost.
    assert_eq!(kinds(CorsLayer::permissive()), [WarningKind::NoMaxAge]);
}
