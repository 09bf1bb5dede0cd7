//! Sets of policies: the choice of the policy that decides, by path and origin, and what the
//! layer answers for each; the problems and warnings of a set.

use http::header::{self, HeaderMap};
use http::{Method, Request};
use tower_cors::{AllowOrigin, Any, CorsBuilder, CorsLayer, Field, ProblemKind, WarningKind};

use crate::requests::{get_to, preflight_to};

const APP: &str = "https://app.example.com";
const ADMIN: &str = "https://admin.example.com";
const PARTNER: &str = "https://widget.partner.example";
const EVIL: &str = "https://evil.example.net";

/// The set of the README: the app as the last resort, the admin front-end with credentials
/// and DELETE, a partner's widget with GET only, `/public/` open to everyone, `/webhooks/` to
/// no one.
fn deployment() -> CorsBuilder {
    CorsLayer::builder()
        .allow_origins([APP])
        .allow_methods([Method::GET, Method::POST])
        .policy(
            CorsLayer::builder()
                .paths(["/webhooks/"])
                .allow_origin(AllowOrigin::none()),
        )
        .policy(
            CorsLayer::builder()
                .allow_origins([ADMIN])
                .allow_methods([Method::GET, Method::POST, Method::DELETE])
                .allow_credentials(true),
        )
        .policy(
            CorsLayer::builder()
                .allow_origins([PARTNER])
                .allow_methods([Method::GET]),
        )
        .policy(
            CorsLayer::builder()
                .paths(["/public/"])
                .allow_origin(Any)
                .allow_methods([Method::GET]),
        )
}

fn value(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).map(|v| v.to_str().unwrap())
}

#[test]
fn the_first_policy_whose_paths_and_origins_admit_the_request_decides() {
    let layer = deployment().build().unwrap();
    /// Origin, path, the deciding policy, `Access-Control-Allow-Origin`, credentials.
    type Case<'a> = (&'a str, &'a str, Option<usize>, Option<&'a str>, bool);
    let cases: &[Case<'_>] = &[
        (ADMIN, "/users", Some(1), Some(ADMIN), true),
        (PARTNER, "/items", Some(2), Some(PARTNER), false),
        (APP, "/items", None, Some(APP), false),
        (EVIL, "/public/logo.svg", Some(3), Some("*"), false),
        // The admin policy comes before the public one, and admits its origin on every path.
        (ADMIN, "/public/logo.svg", Some(1), Some(ADMIN), true),
        // `/webhooks/` admits no origin: the next policies decide, and none admits EVIL.
        (EVIL, "/webhooks/github", None, None, false),
        (EVIL, "/items", None, None, false),
        // Whole segments only.
        (EVIL, "/publicity", None, None, false),
        (EVIL, "/public", Some(3), Some("*"), false),
    ];
    for &(origin, path, policy, allow_origin, credentials) in cases {
        let (decision, headers) = layer.headers_for(&get_to(Some(origin), path));
        assert_eq!(decision.policy(), policy, "{origin} {path}: {decision}");
        assert_eq!(
            value(&headers, header::ACCESS_CONTROL_ALLOW_ORIGIN),
            allow_origin,
            "{origin} {path}"
        );
        assert_eq!(
            headers.contains_key(header::ACCESS_CONTROL_ALLOW_CREDENTIALS),
            credentials,
            "{origin} {path}"
        );
        // A set varies by origin on every answer (not every policy is `*`).
        assert!(
            headers.get_all(header::VARY).iter().any(|v| v == "origin"),
            "{origin} {path}: {headers:?}"
        );
    }
}

#[test]
fn the_chosen_policy_decides_everything_without_falling_through() {
    let layer = deployment().build().unwrap();
    // The partner's policy allows GET only: its DELETE preflight is refused, even though the
    // top-level policy would not be asked anyway.
    let decision = layer.decide(&preflight_to(PARTNER, "/items/7", "DELETE"));
    assert_eq!(decision.policy(), Some(2));
    assert_eq!(
        decision.denial(),
        Some(&tower_cors::Denial::MethodNotAllowed(Method::DELETE))
    );
    assert_eq!(
        decision.to_string(),
        "preflight denied: the method \"DELETE\" is not allowed (methods are case-sensitive) (policies[2])"
    );
    let (decision, headers) = layer.headers_for(&preflight_to(ADMIN, "/items/7", "DELETE"));
    assert!(decision.is_allowed());
    assert_eq!(
        value(&headers, header::ACCESS_CONTROL_ALLOW_METHODS),
        Some("GET, POST, DELETE")
    );
}

#[test]
fn a_refusal_names_the_policies_considered() {
    let layer = deployment().build().unwrap();
    // A dot segment never selects a path-limited policy: a server behind the layer may serve
    // `/public/../items` from `/items`.
    let decision = layer.decide(&get_to(Some(EVIL), "/public/../items"));
    assert!(!decision.is_allowed());
    let decision = layer.decide(&get_to(Some(EVIL), "/items"));
    assert_eq!(decision.considered(), [1, 2]);
    assert_eq!(
        decision.to_string(),
        "request denied: the origin is not allowed by the policy (considered: policies[1], policies[2], then the top-level policy)"
    );
    let decision = layer.decide(&get_to(Some(EVIL), "/webhooks/x"));
    assert_eq!(decision.considered(), [0, 1, 2]);
}

#[test]
fn requests_without_origin_follow_the_first_policy_for_their_path() {
    let layer = deployment().build().unwrap();
    // `/public/` is open to everyone, but an earlier policy (admin) applies to the path too:
    // the answer still varies by origin.
    let (_, headers) = layer.headers_for(&get_to(None, "/public/a.css"));
    assert!(headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
    assert_eq!(value(&headers, header::VARY), Some("origin"));

    // A set where the first policy for the path is open to everyone: every origin gets `*`,
    // and so does the request without one.
    let open_first = CorsLayer::builder()
        .allow_origins([APP])
        .policy(CorsLayer::builder().paths(["/fonts/"]).allow_origin(Any))
        .policy(
            CorsLayer::builder()
                .allow_origins([ADMIN])
                .allow_credentials(true),
        )
        .build()
        .unwrap();
    let (_, headers) = open_first.headers_for(&get_to(None, "/fonts/a.woff2"));
    assert_eq!(
        value(&headers, header::ACCESS_CONTROL_ALLOW_ORIGIN),
        Some("*")
    );
}

#[test]
fn a_set_where_every_policy_answers_star_does_not_vary() {
    let layer = CorsLayer::builder()
        .allow_origin(Any)
        .allow_methods([Method::GET])
        .policy(
            CorsLayer::builder()
                .paths(["/upload/"])
                .allow_origin(Any)
                .allow_methods([Method::PUT]),
        )
        .build()
        .unwrap();
    let (decision, headers) = layer.headers_for(&preflight_to(EVIL, "/upload/x", "PUT"));
    assert_eq!(decision.policy(), Some(0));
    assert_eq!(
        value(&headers, header::ACCESS_CONTROL_ALLOW_METHODS),
        Some("PUT")
    );
    let vary: Vec<&str> = headers
        .get_all(header::VARY)
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert!(vary.iter().all(|v| !v.contains("origin")), "{vary:?}");
    let (_, headers) = layer.headers_for(&get_to(None, "/anything"));
    assert_eq!(
        value(&headers, header::ACCESS_CONTROL_ALLOW_ORIGIN),
        Some("*")
    );
    assert!(headers.get(header::VARY).is_none());
}

#[test]
fn a_thousand_policies_of_one_exact_origin_each() {
    let mut builder = CorsLayer::builder().allow_origins([APP]);
    for i in 0..1_000 {
        builder = builder.policy(
            CorsLayer::builder()
                .allow_origins([format!("https://tenant-{i}.example.com")])
                .allow_methods([Method::PUT]),
        );
    }
    let layer = builder.build().unwrap();
    for i in [0, 499, 999] {
        let origin = format!("https://tenant-{i}.example.com");
        let decision = layer.decide(&preflight_to(&origin, "/", "PUT"));
        assert_eq!(decision.policy(), Some(i));
        assert!(decision.is_allowed());
    }
    assert!(!layer.decide(&get_to(Some(EVIL), "/")).is_allowed());
}

#[test]
fn predicates_and_patterns_in_a_set() {
    let layer = CorsLayer::builder()
        .allow_origins([APP])
        .policy(
            CorsLayer::builder()
                .allow_origins(["https://*.preview.example.com"])
                .allow_methods([Method::PATCH]),
        )
        .policy(
            CorsLayer::builder().allow_origin(AllowOrigin::predicate(|origin, parts| {
                parts.uri.path().starts_with("/tenants/")
                    && origin.as_bytes().ends_with(b".tenant.example")
            })),
        )
        .build()
        .unwrap();
    assert_eq!(
        layer
            .decide(&get_to(Some("https://pr-7.preview.example.com"), "/"))
            .policy(),
        Some(0)
    );
    assert_eq!(
        layer
            .decide(&get_to(Some("https://a.tenant.example"), "/tenants/a"))
            .policy(),
        Some(1)
    );
    assert!(!layer
        .decide(&get_to(Some("https://a.tenant.example"), "/other"))
        .is_allowed());
}

/// A sync predicate of a set decides once per request: choosing its policy asks it, and the
/// policy's own evaluation does not ask it again.
#[tokio::test]
async fn a_predicate_that_chose_its_policy_is_asked_once() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    let calls = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&calls);
    let layer = CorsLayer::builder()
        .allow_origins([APP])
        .policy(
            CorsLayer::builder().allow_origin(AllowOrigin::predicate(move |origin, _| {
                counted.fetch_add(1, Ordering::SeqCst);
                origin.as_bytes().ends_with(b".tenant.example")
            })),
        )
        .build()
        .unwrap();
    let service = tower::Layer::layer(
        &layer,
        tower::service_fn(|_: Request<()>| async {
            Ok::<_, std::convert::Infallible>(http::Response::new(()))
        }),
    );
    let response =
        tower::ServiceExt::oneshot(service, get_to(Some("https://a.tenant.example"), "/"))
            .await
            .unwrap();
    assert_eq!(
        response.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://a.tenant.example"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    // A refused origin: asked once while choosing, then the top-level policy refuses it.
    assert!(!layer.decide(&get_to(Some(EVIL), "/")).is_allowed());
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[test]
fn problems_are_named_with_their_policy() {
    let err = CorsLayer::builder()
        .allow_origins([APP])
        .paths(["/api/"])
        .policy(
            CorsLayer::builder()
                .allow_origins([ADMIN])
                .allow_methods(["GET", "P UT"]),
        )
        .policy(
            CorsLayer::builder()
                .paths(["public/", "/ok", "/a?b", "/*"])
                .allow_origins([APP]),
        )
        .policy(
            CorsLayer::builder()
                .paths(Vec::<String>::new())
                .allow_origins([APP]),
        )
        .policy(
            CorsLayer::builder()
                .allow_origins([APP])
                .policy(CorsLayer::builder().allow_origins([ADMIN])),
        )
        .build()
        .unwrap_err();
    let problems: Vec<(String, ProblemKind)> = err
        .problems()
        .iter()
        .map(|p| (p.path(), p.kind()))
        .collect();
    assert_eq!(
        problems,
        [
            ("paths".to_owned(), ProblemKind::PathsOnTopLevel),
            (
                "policies[0].allow_methods[1]".to_owned(),
                ProblemKind::InvalidMethod
            ),
            (
                "policies[1].paths[0]".to_owned(),
                ProblemKind::InvalidPathPrefix
            ),
            (
                "policies[1].paths[2]".to_owned(),
                ProblemKind::InvalidPathPrefix
            ),
            (
                "policies[1].paths[3]".to_owned(),
                ProblemKind::InvalidPathPrefix
            ),
            ("policies[2].paths".to_owned(), ProblemKind::NoPaths),
            (
                "policies[3].policies".to_owned(),
                ProblemKind::NestedPolicies
            ),
        ]
    );
    assert_eq!(err.problems()[1].field(), Field::AllowMethods);
    assert_eq!(err.problems()[1].policy(), Some(0));
}

#[test]
fn hidden_policies_are_warnings() {
    let layer = CorsLayer::builder()
        .allow_origins([APP])
        .policy(CorsLayer::builder().allow_origins([ADMIN, PARTNER]))
        .policy(
            CorsLayer::builder()
                .paths(["/admin/"])
                .allow_origins([ADMIN, "https://ops.example.com"])
                .allow_credentials(true),
        )
        .policy(CorsLayer::builder().paths(["/public/"]).allow_origin(Any))
        .policy(
            CorsLayer::builder()
                .paths(["/public/fonts/"])
                .allow_origins([PARTNER]),
        )
        .build()
        .unwrap();
    let warnings: Vec<String> = layer.warnings().iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            "policies[1].allow_origins[0]: \"https://admin.example.com\" is never reached: policies[0] comes first, applies to all of these paths and admits it",
            "policies[3].allow_origins: is never reached: policies[2] comes first, applies to all of these paths and admits it",
        ]
    );
    assert!(matches!(
        layer.warnings()[0].kind(),
        WarningKind::HiddenByEarlierPolicy { earlier: 0 }
    ));
    // An origin written another way is the same origin: the comparison is of the normalised
    // origins, as requests are matched.
    let layer = CorsLayer::builder()
        .allow_origins([APP])
        .policy(CorsLayer::builder().allow_origins(["https://admin.example.com", "null"]))
        .policy(CorsLayer::builder().allow_origins(["HTTPS://Admin.Example.com:443", "NULL"]))
        .build()
        .unwrap();
    let hidden: Vec<String> = layer
        .warnings()
        .iter()
        .filter(|w| matches!(w.kind(), WarningKind::HiddenByEarlierPolicy { .. }))
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        hidden,
        [
            "policies[1].allow_origins[0]: \"HTTPS://Admin.Example.com:443\" is never reached: policies[0] comes first, applies to all of these paths and admits it",
            "policies[1].allow_origins[1]: \"NULL\" is never reached: policies[0] comes first, applies to all of these paths and admits it",
        ]
    );
    // A policy that mirrors every origin hides a later pattern as well.
    let layer = CorsLayer::builder()
        .allow_origins([APP])
        .policy(CorsLayer::builder().allow_origin(tower_cors::AllowOrigin::mirror_request()))
        .policy(CorsLayer::builder().allow_origins(["https://*.example.com"]))
        .build()
        .unwrap();
    assert!(layer.warnings().iter().any(|w| {
        w.path() == "policies[1].allow_origins[0]"
            && matches!(w.kind(), WarningKind::HiddenByEarlierPolicy { earlier: 0 })
    }));
    // But not a later `null`: mirroring never echoes it, so requests from sandboxed frames
    // reach the later policy that lists it, and no warning says otherwise.
    let layer = CorsLayer::builder()
        .allow_origins([APP])
        .policy(CorsLayer::builder().allow_origin(tower_cors::AllowOrigin::mirror_request()))
        .policy(CorsLayer::builder().allow_origins(["null"]))
        .build()
        .unwrap();
    assert!(
        !layer
            .warnings()
            .iter()
            .any(|w| matches!(w.kind(), WarningKind::HiddenByEarlierPolicy { .. })),
        "{:?}",
        layer.warnings()
    );
    let null = http::Request::get("/")
        .header(http::header::ORIGIN, "null")
        .body(())
        .unwrap();
    assert_eq!(layer.decide(&null).policy(), Some(1));
    // Each policy's own warnings carry its index.
    let layer = CorsLayer::builder()
        .allow_origins([APP])
        .policy(
            CorsLayer::builder()
                .allow_origins([ADMIN])
                .expose_headers(["set-cookie"]),
        )
        .build()
        .unwrap();
    assert_eq!(layer.warnings()[0].path(), "policies[0].expose_headers[0]");
}

#[test]
fn dry_runs_name_the_policy_to_change() {
    let layer = deployment().build().unwrap();
    let request = tower_cors::BrowserRequest::new(PARTNER, Method::DELETE).unwrap();
    let simulation = layer.simulate(&request);
    assert!(!simulation.is_allowed());
    assert_eq!(
        simulation.fixes,
        ["add \"DELETE\" to policies[2].allow_methods"]
    );
    let request = tower_cors::BrowserRequest::new(EVIL, Method::GET)
        .unwrap()
        .uri("/items".parse().unwrap());
    let simulation = layer.simulate(&request);
    assert_eq!(
        simulation.fixes,
        ["add \"https://evil.example.net\" to allow_origins (of the top-level policy, or of one of the policies for this path: policies[1], policies[2])"]
    );
    // So does a fix for what the browser refused in an answer the policy allowed.
    let request = tower_cors::BrowserRequest::new(PARTNER, Method::GET)
        .unwrap()
        .credentials(true);
    assert_eq!(
        layer.simulate(&request).fixes,
        ["set policies[2].allow_credentials = true"]
    );
    // Every fix names the chosen policy's key, whatever its wording.
    let layer = CorsLayer::builder()
        .allow_origins([APP])
        .policy(
            CorsLayer::builder()
                .allow_origins([ADMIN])
                .allow_methods([Method::PUT])
                .allow_headers(["x-a", "x-b"])
                .max_request_headers(1),
        )
        .build()
        .unwrap();
    let request = tower_cors::BrowserRequest::new(ADMIN, Method::PUT)
        .unwrap()
        .header("x-a", "1")
        .unwrap()
        .header("x-b", "1")
        .unwrap();
    assert_eq!(
        layer.simulate(&request).fixes,
        ["raise policies[0].max_request_headers above 1"]
    );
}
