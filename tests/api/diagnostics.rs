//! Diagnostics: every denial reason, the decision in request extensions, tracing events,
//! report-only mode, and live reconfiguration under concurrent load.

use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use http::header::{self, HeaderValue};
use http::{Method, Request, Response};
use tower::{service_fn, Layer, ServiceExt};
use tower_cors::{AllowHeaders, AllowOrigin, CorsLayer, Decision, Denial, RequestKind};

const APP: &str = "https://app.example.com";

fn request(method: Method, headers: &[(&str, &str)]) -> Request<()> {
    let mut request = Request::builder().method(method).uri("/").body(()).unwrap();
    for (name, value) in headers {
        request.headers_mut().append(
            header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    request
}

#[test]
fn every_denial_is_reachable_and_explained() {
    let layer = CorsLayer::builder()
        .allow_origins([APP])
        .allow_methods([Method::PUT])
        .allow_headers(["content-type"])
        .max_request_headers(3)
        .build()
        .unwrap();
    let wildcard = CorsLayer::builder()
        .allow_origin(AllowOrigin::any())
        .allow_methods(tower_cors::Any)
        .allow_headers(AllowHeaders::any())
        .build()
        .unwrap();
    let predicate = CorsLayer::builder()
        .allow_origin(AllowOrigin::predicate(|_, _| false))
        .build()
        .unwrap();
    let preflight = |extra: &[(&'static str, &'static str)]| {
        let mut headers = vec![("origin", APP), ("access-control-request-method", "PUT")];
        headers.extend_from_slice(extra);
        request(Method::OPTIONS, &headers)
    };
    let cases: Vec<(&CorsLayer, Request<()>, Denial, &str)> = vec![
        (
            &layer,
            request(Method::GET, &[("origin", APP), ("origin", APP)]),
            Denial::MultipleOrigins,
            "the request has more than one Origin header",
        ),
        (
            &layer,
            request(Method::GET, &[("origin", "https://app.example.com/")]),
            Denial::MalformedOrigin,
            "the Origin header is not a serialized origin (scheme://host[:port], lowercase, no default port)",
        ),
        (
            &layer,
            request(Method::GET, &[("origin", "null")]),
            Denial::NullOrigin,
            "the origin is \"null\", which the policy does not list",
        ),
        (
            &layer,
            request(Method::GET, &[("origin", "https://evil.example")]),
            Denial::OriginNotAllowed,
            "the origin is not allowed by the policy",
        ),
        (
            &predicate,
            request(Method::GET, &[("origin", APP)]),
            Denial::OriginRefusedByPredicate,
            "the origin predicate refused the origin",
        ),
        (
            &layer,
            request(
                Method::OPTIONS,
                &[("origin", APP), ("access-control-request-method", "P T")],
            ),
            Denial::MalformedMethod,
            "Access-Control-Request-Method is not a single valid method",
        ),
        (
            &layer,
            request(
                Method::OPTIONS,
                &[("origin", APP), ("access-control-request-method", "DELETE")],
            ),
            Denial::MethodNotAllowed(Method::DELETE),
            "the method \"DELETE\" is not allowed (methods are case-sensitive)",
        ),
        (
            &layer,
            preflight(&[("access-control-request-headers", "content-type;")]),
            Denial::MalformedRequestHeaders,
            "Access-Control-Request-Headers is not a list of header names",
        ),
        (
            &layer,
            preflight(&[("access-control-request-headers", "content-type,Content-Type,content-type,content-type")]),
            Denial::TooManyRequestHeaders { limit: 3 },
            "Access-Control-Request-Headers names more than 3 headers",
        ),
        (
            &layer,
            preflight(&[("access-control-request-headers", "content-type,x-custom")]),
            Denial::HeaderNotAllowed(header::HeaderName::from_static("x-custom")),
            "the header \"x-custom\" is not allowed",
        ),
        (
            &wildcard,
            preflight(&[("access-control-request-headers", "Authorization")]),
            Denial::AuthorizationNotCoveredByWildcard,
            "the header \"authorization\" is not covered by the \"*\" wildcard; allow it by name",
        ),
    ];
    for (layer, request, denial, message) in cases {
        let decision = layer.decide(&request);
        assert_eq!(decision.denial(), Some(&denial), "{request:?}");
        assert_eq!(denial.to_string(), message);
        let kind = if tower_cors::is_preflight(&request) {
            "preflight"
        } else {
            "request"
        };
        assert_eq!(decision.to_string(), format!("{kind} denied: {message}"));
    }
}

#[test]
fn outcomes_that_are_not_denials() {
    let layer = CorsLayer::builder()
        .allow_origins([APP])
        .preflight_continue(true)
        .build()
        .unwrap();
    let no_origin = layer.decide(&request(Method::GET, &[]));
    assert_eq!(no_origin.kind(), RequestKind::NotCors);
    assert!(no_origin.is_allowed());
    assert_eq!(no_origin.to_string(), "not a CORS request");

    let passthrough = layer.decide(&request(
        Method::OPTIONS,
        &[("origin", APP), ("access-control-request-method", "GET")],
    ));
    assert!(passthrough.is_passthrough());
    assert_eq!(
        passthrough.to_string(),
        "preflight allowed (passed to the service)"
    );
}

async fn decision_seen_by_handler(layer: CorsLayer, request: Request<()>) -> Option<Decision> {
    let service = layer.layer(service_fn(|request: Request<()>| async move {
        Ok::<_, Infallible>(Response::new(
            request.extensions().get::<Decision>().cloned(),
        ))
    }));
    let response = service.oneshot(request).await.unwrap();
    response.into_body().into_inner().flatten()
}

#[tokio::test]
async fn the_decision_reaches_the_handler_when_asked_for() {
    let builder = CorsLayer::builder().allow_origins([APP]);
    let on = builder.clone().decision_extension(true).build().unwrap();
    let off = builder.build().unwrap();

    let denied = request(Method::GET, &[("origin", "https://evil.example")]);
    let seen = decision_seen_by_handler(on.clone(), denied).await.unwrap();
    assert_eq!(seen.denial(), Some(&Denial::OriginNotAllowed));

    let granted = request(Method::GET, &[("origin", APP)]);
    let seen = decision_seen_by_handler(on.clone(), granted).await.unwrap();
    assert!(seen.is_allowed());
    assert_eq!(seen.kind(), RequestKind::Actual);

    let plain = request(Method::GET, &[]);
    let seen = decision_seen_by_handler(on, plain).await.unwrap();
    assert_eq!(seen.kind(), RequestKind::NotCors);

    let granted = request(Method::GET, &[("origin", APP)]);
    assert!(decision_seen_by_handler(off, granted).await.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_only_under_concurrent_load() {
    let old = CorsLayer::builder()
        .allow_origins([APP, "https://legacy.example.com"])
        .build()
        .unwrap();
    let new = CorsLayer::builder().allow_origins([APP]).build().unwrap();
    let reports = Arc::new(AtomicUsize::new(0));
    let texts = Arc::new(Mutex::new(Vec::new()));
    let (count, sink) = (reports.clone(), texts.clone());
    let layer = old.with_report_only(new, move |report| {
        count.fetch_add(1, Ordering::SeqCst);
        let mut texts = sink.lock().unwrap();
        if texts.is_empty() {
            texts.push(report.to_string());
        }
    });
    let service = layer.layer(service_fn(|_req: Request<()>| async {
        Ok::<_, Infallible>(Response::new(()))
    }));

    let mut tasks = Vec::new();
    for task in 0..8 {
        let service = service.clone();
        tasks.push(tokio::spawn(async move {
            let mut legacy = 0;
            for i in 0..1000 {
                let origin = if (task + i) % 2 == 0 {
                    legacy += 1;
                    "https://legacy.example.com"
                } else {
                    APP
                };
                let response = service
                    .clone()
                    .oneshot(request(Method::GET, &[("origin", origin)]))
                    .await
                    .unwrap();
                // The enforced (old) policy still grants both.
                assert_eq!(
                    response.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN],
                    origin
                );
            }
            legacy
        }));
    }
    let mut legacy = 0;
    for task in tasks {
        legacy += task.await.unwrap();
    }
    assert_eq!(reports.load(Ordering::SeqCst), legacy);
    assert_eq!(
        texts.lock().unwrap()[0],
        "GET / from https://legacy.example.com would be refused: request denied: the origin is not allowed by the policy"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reloading_under_concurrent_load_never_tears_a_policy() {
    // Two policies that differ in every header, so a response mixing them is detectable.
    let policy_a = || {
        CorsLayer::builder()
            .allow_origins(["https://a.example", "https://both.example"])
            .allow_methods([Method::PUT])
            .expose_headers(["x-policy-a"])
            .max_age(std::time::Duration::from_secs(1))
    };
    let policy_b = || {
        CorsLayer::builder()
            .allow_origins(["https://b.example", "https://both.example"])
            .allow_methods([Method::DELETE])
            .expose_headers(["x-policy-b"])
            .max_age(std::time::Duration::from_secs(2))
    };
    let (layer, handle) = policy_a().build().unwrap().reloadable();
    let service = layer.layer(service_fn(|_req: Request<()>| async {
        Ok::<_, Infallible>(Response::new(()))
    }));

    let stop = Arc::new(AtomicBool::new(false));
    let swaps = Arc::new(AtomicUsize::new(0));
    let swapper = {
        let (stop, swaps) = (stop.clone(), swaps.clone());
        std::thread::spawn(move || {
            let (a, b) = (policy_a(), policy_b());
            let invalid = CorsLayer::builder().allow_origin("https://bad.example/");
            while !stop.load(Ordering::SeqCst) {
                let next = if swaps.load(Ordering::SeqCst) % 2 == 0 {
                    &b
                } else {
                    &a
                };
                handle.reload(next).unwrap();
                // An invalid policy is refused and changes nothing.
                assert!(handle.reload(&invalid).is_err());
                swaps.fetch_add(1, Ordering::SeqCst);
                std::thread::yield_now();
            }
        })
    };

    let mut tasks = Vec::new();
    for task in 0..8usize {
        let service = service.clone();
        tasks.push(tokio::spawn(async move {
            let (mut seen_a, mut seen_b) = (0, 0);
            for i in 0..1000usize {
                let preflight = (task + i) % 2 == 0;
                let request = if preflight {
                    request(
                        Method::OPTIONS,
                        &[
                            ("origin", "https://both.example"),
                            ("access-control-request-method", "GET"),
                        ],
                    )
                } else {
                    request(Method::GET, &[("origin", "https://both.example")])
                };
                let response = service.clone().oneshot(request).await.unwrap();
                let h = response.headers();
                assert_eq!(
                    h[header::ACCESS_CONTROL_ALLOW_ORIGIN],
                    "https://both.example"
                );
                let signature = if preflight {
                    (
                        h[header::ACCESS_CONTROL_ALLOW_METHODS].to_str().unwrap(),
                        h[header::ACCESS_CONTROL_MAX_AGE].to_str().unwrap(),
                    )
                } else {
                    (
                        h[header::ACCESS_CONTROL_EXPOSE_HEADERS].to_str().unwrap(),
                        "",
                    )
                };
                match signature {
                    ("PUT", "1") | ("x-policy-a", "") => seen_a += 1,
                    ("DELETE", "2") | ("x-policy-b", "") => seen_b += 1,
                    torn => panic!("a response mixing two policies: {torn:?}"),
                }
                tokio::task::yield_now().await;
            }
            (seen_a, seen_b)
        }));
    }
    let (mut seen_a, mut seen_b) = (0, 0);
    for task in tasks {
        let (a, b) = task.await.unwrap();
        seen_a += a;
        seen_b += b;
    }
    stop.store(true, Ordering::SeqCst);
    swapper.join().unwrap();
    assert_eq!(seen_a + seen_b, 8000);
    assert!(
        swaps.load(Ordering::SeqCst) > 10,
        "the policy was swapped during the run"
    );
    assert!(
        seen_a > 0 && seen_b > 0,
        "both policies served requests ({seen_a}, {seen_b})"
    );
}

#[test]
fn a_dry_run_says_when_the_inner_service_grants_unseen() {
    use tower_cors::BrowserRequest;

    let request = BrowserRequest::new("http://localhost:3000", Method::HEAD).unwrap();
    let preserving = CorsLayer::builder()
        .allow_origin("http://*.example.test:1")
        .preserve_inner_cors_headers(true)
        .build()
        .unwrap();
    let simulation = preserving.simulate(&request);
    assert!(!simulation.is_allowed());
    assert!(simulation.fixes.is_empty(), "{:?}", simulation.fixes);
    assert_eq!(simulation.notes.len(), 1);
    assert!(
        simulation.notes[0].contains("preserve_inner_cors_headers"),
        "{:?}",
        simulation.notes
    );

    // Only the policy of a set that keeps them, and only for what reaches the service.
    let set = CorsLayer::builder()
        .allow_origin("https://app.example.com")
        .policy(
            CorsLayer::builder()
                .allow_origin("https://partner.example.com")
                .allow_methods([Method::PUT])
                .preserve_inner_cors_headers(true)
                .paths(["/partner/"]),
        )
        .build()
        .unwrap();
    let elsewhere = BrowserRequest::new("http://localhost:3000", Method::GET).unwrap();
    let simulation = set.simulate(&elsewhere);
    assert!(simulation.notes.is_empty(), "{:?}", simulation.notes);
    assert_eq!(
        simulation.fixes,
        ["add \"http://localhost:3000\" to allow_origins"]
    );
    let partner = BrowserRequest::new("https://partner.example.com", Method::PUT)
        .unwrap()
        .uri(http::Uri::from_static("/partner/x"));
    let simulation = set.simulate(&partner);
    assert!(simulation.is_allowed());
    assert_eq!(simulation.notes.len(), 1, "{:?}", simulation.notes);
}

#[test]
fn what_a_preflight_costs_is_told() {
    use std::time::Duration;
    use tower_cors::{BrowserRequest, WarningKind};

    let kinds = |layer: CorsLayer| -> Vec<WarningKind> {
        layer.warnings().iter().map(|w| w.kind()).collect()
    };
    // Preflights can pass and nothing says how long to keep them: a warning.
    let put = CorsLayer::builder()
        .allow_origin("https://app.example.com")
        .allow_methods([Method::PUT]);
    assert_eq!(kinds(put.clone().build().unwrap()), [WarningKind::NoMaxAge]);
    let headers = CorsLayer::builder()
        .allow_origin("https://app.example.com")
        .allow_headers(["content-type"]);
    assert_eq!(kinds(headers.build().unwrap()), [WarningKind::NoMaxAge]);
    // An explicit 0 is a choice; simple methods need no preflight; no origin, no preflight.
    assert!(kinds(put.clone().max_age(Duration::ZERO).build().unwrap()).is_empty());
    let simple = CorsLayer::builder()
        .allow_origin("https://app.example.com")
        .allow_methods([Method::GET, Method::POST]);
    assert!(kinds(simple.build().unwrap()).is_empty());
    let nobody = CorsLayer::builder()
        .allow_origin(AllowOrigin::none())
        .allow_methods([Method::PUT]);
    assert!(kinds(nobody.build().unwrap()).is_empty());

    // The dry run: why the preflight, how long it is reused, what the script can read.
    let layer = CorsLayer::builder()
        .allow_origin("https://app.example.com")
        .allow_methods([Method::PUT])
        .allow_headers(["content-type"])
        .expose_headers(["x-request-id"])
        .max_age(Duration::from_secs(86_400))
        .build()
        .unwrap();
    let request = BrowserRequest::new("https://app.example.com", Method::PUT)
        .unwrap()
        .header("content-type", "application/json")
        .unwrap();
    let reasons = request.preflight_reasons();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert_eq!(reasons[0], "the method PUT is not GET, HEAD or POST");
    assert!(reasons[1].starts_with("content-type: application/json is not a CORS-safelisted value"));
    let simulation = layer.simulate(&request);
    assert!(simulation.is_allowed());
    assert_eq!(
        simulation.preflight_reuse(),
        Some((Duration::from_secs(7_200), Duration::from_secs(86_400)))
    );
    let readable = simulation.readable_headers().unwrap();
    assert!(
        readable.contains(&"x-request-id".to_owned()),
        "{readable:?}"
    );
    assert!(!readable.contains(&"x-secret".to_owned()), "{readable:?}");
    // A plain-text POST needs no preflight at all.
    let text = BrowserRequest::new("https://app.example.com", Method::POST)
        .unwrap()
        .header("content-type", "text/plain")
        .unwrap();
    assert!(text.preflight_reasons().is_empty());
    assert_eq!(layer.simulate(&text).preflight_reuse(), None);
}
