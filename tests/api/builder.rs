//! Building a policy: every configuration problem is an error naming the value, reported all
//! at once; presets are what they say.

use std::convert::Infallible;
use std::task::{Context, Poll};

use http::header;
use http::{Method, Request, Response, StatusCode};
use tower::{service_fn, Layer, Service, ServiceExt};
use tower_cors::{
    AllowHeaders, AllowMethods, AllowOrigin, Any, CorsBuilder, CorsLayer, Denial, ExposeHeaders,
    Field, ProblemKind,
};

fn problems(builder: CorsBuilder) -> Vec<(String, ProblemKind)> {
    builder
        .build()
        .expect_err("the configuration should be refused")
        .problems()
        .iter()
        .map(|p| (p.path(), p.kind()))
        .collect()
}

#[test]
fn unset_origin_denies_everything_with_a_warning() {
    let layer = CorsLayer::builder().build().unwrap();
    let warnings = layer.warnings();
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].kind(), tower_cors::WarningKind::NoOrigins);
    assert_eq!(warnings[0].field(), Field::AllowOrigins);
    assert!(
        warnings[0].to_string().contains("no origin is allowed"),
        "{}",
        warnings[0]
    );
    let request = http::Request::get("/")
        .header("origin", "https://app.example.com")
        .body(())
        .unwrap();
    assert!(!layer.decide(&request).is_allowed());
    // Refusing every origin on purpose is no warning.
    let none = CorsLayer::builder()
        .allow_origin(tower_cors::AllowOrigin::none())
        .build()
        .unwrap();
    assert!(none.warnings().is_empty());
}

#[test]
fn every_problem_is_reported_at_once() {
    let got = problems(
        CorsLayer::builder()
            .allow_origins([
                "https://ok.example.com",
                "https://a.com/",
                "https://a.com/x",
                "a.com",
                "https://*",
                "https://*.com",
                "https://a.*.com",
                "*",
                " https://a.com",
                "https://a.com:65536",
                "https://a.com?q",
                "https://a.com#f",
                "https://u@a.com",
                "https://",
                "1ttp://a.com",
                "https://bad_host!.com",
                "https://bücher.de",
            ])
            .allow_methods(["GET", "P UT", "*", ""])
            .allow_headers(["content-type", "x y", "*"])
            .expose_headers(["x-ok", "bad header"])
            .preflight_status(StatusCode::NOT_FOUND)
            .max_request_headers(0),
    );
    let expected: Vec<(String, ProblemKind)> = [
        ("allow_origins[1]", ProblemKind::OriginTrailingSlash),
        ("allow_origins[2]", ProblemKind::OriginHasPath),
        ("allow_origins[3]", ProblemKind::OriginMissingScheme),
        ("allow_origins[4]", ProblemKind::PatternTooBroad),
        ("allow_origins[5]", ProblemKind::PatternTooBroad),
        ("allow_origins[6]", ProblemKind::PatternWildcardPlacement),
        ("allow_origins[7]", ProblemKind::WildcardInList),
        ("allow_origins[8]", ProblemKind::Whitespace),
        ("allow_origins[9]", ProblemKind::OriginBadPort),
        ("allow_origins[10]", ProblemKind::OriginHasQuery),
        ("allow_origins[11]", ProblemKind::OriginHasFragment),
        ("allow_origins[12]", ProblemKind::OriginHasUserInfo),
        ("allow_origins[13]", ProblemKind::OriginEmptyHost),
        ("allow_origins[14]", ProblemKind::OriginBadScheme),
        ("allow_origins[15]", ProblemKind::OriginBadHost),
        ("allow_origins[16]", ProblemKind::OriginNonAscii),
        ("allow_methods[1]", ProblemKind::InvalidMethod),
        ("allow_methods[2]", ProblemKind::WildcardInList),
        ("allow_methods[3]", ProblemKind::InvalidMethod),
        ("allow_headers[1]", ProblemKind::InvalidHeaderName),
        ("allow_headers[2]", ProblemKind::WildcardInList),
        ("expose_headers[1]", ProblemKind::InvalidHeaderName),
        ("preflight_status", ProblemKind::PreflightStatusNotOk),
        ("max_request_headers", ProblemKind::ZeroLimit),
    ]
    .into_iter()
    .map(|(p, k)| (p.to_owned(), k))
    .collect();
    assert_eq!(got, expected);
}

#[test]
fn messages_name_the_value_and_the_fix() {
    let err = CorsLayer::builder()
        .allow_origins(["https://a.com/", "https://*.com"])
        .build()
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains(r#"allow_origins[0]: "https://a.com/" has a trailing slash"#),
        "{text}"
    );
    assert!(
        text.contains(r#"allow_origins[1]: "https://*.com" is too broad"#),
        "{text}"
    );
}

#[test]
fn credentials_refuse_wildcards_and_blind_mirroring() {
    assert_eq!(
        problems(
            CorsLayer::builder()
                .allow_origin(Any)
                .allow_credentials(true)
        ),
        [(
            "allow_origins".to_owned(),
            ProblemKind::AnyOriginWithCredentials
        )]
    );
    assert_eq!(
        problems(
            CorsLayer::builder()
                .allow_origin(AllowOrigin::mirror_request())
                .allow_credentials(true)
        ),
        [(
            "allow_origins".to_owned(),
            ProblemKind::MirrorWithCredentials
        )]
    );
    let err = CorsLayer::builder()
        .allow_origin(AllowOrigin::mirror_request())
        .allow_credentials(true)
        .build()
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("dangerously_mirror_any_origin_with_credentials"),
        "{err}"
    );
    assert_eq!(
        problems(
            CorsLayer::builder()
                .allow_origin("https://a.com")
                .expose_headers(ExposeHeaders::any())
                .allow_credentials(true)
        ),
        [(
            "expose_headers".to_owned(),
            ProblemKind::AnyExposeWithCredentials
        )]
    );
    // Named on purpose: allowed.
    let _layer = CorsLayer::builder()
        .allow_origin(AllowOrigin::dangerously_mirror_any_origin_with_credentials())
        .allow_credentials(true)
        .build()
        .unwrap();
    // Method and header wildcards with credentials are mirrored, not refused.
    let _layer = CorsLayer::builder()
        .allow_origin("https://a.com")
        .allow_methods(AllowMethods::any())
        .allow_headers(AllowHeaders::any())
        .allow_credentials(true)
        .build()
        .unwrap();
}

#[test]
fn options_that_passthrough_would_ignore_are_errors() {
    let got = problems(
        CorsLayer::builder()
            .allow_origin("https://a.com")
            .preflight_continue(true)
            .preflight_status(StatusCode::OK)
            .strict_preflight(true),
    );
    assert_eq!(
        got,
        [
            (
                "preflight_status".to_owned(),
                ProblemKind::IgnoredWithPreflightContinue
            ),
            (
                "strict_preflight".to_owned(),
                ProblemKind::IgnoredWithPreflightContinue
            ),
        ]
    );
    let err = CorsLayer::builder()
        .allow_origin("https://a.com")
        .preflight_continue(true)
        .strict_preflight(true)
        .build()
        .unwrap_err();
    assert_eq!(
        err.problems()[0].to_string(),
        "strict_preflight: \"true\" has no effect with preflight_continue, where the service answers preflights itself"
    );
    // The default status is not an explicit setting.
    let _layer = CorsLayer::builder()
        .allow_origin("https://a.com")
        .preflight_continue(true)
        .build()
        .unwrap();
}

#[test]
fn explicit_none_is_allowed_and_refuses_everyone() {
    let layer = CorsLayer::builder()
        .allow_origin(AllowOrigin::none())
        .build()
        .unwrap();
    let request = Request::get("/")
        .header(header::ORIGIN, "https://a.com")
        .body(())
        .unwrap();
    assert_eq!(
        layer.decide(&request).denial(),
        Some(&Denial::OriginNotAllowed)
    );
}

#[test]
fn a_later_call_replaces_an_earlier_one() {
    let layer = CorsLayer::builder()
        .allow_origin("https://first.example")
        .allow_origin("https://second.example")
        .build()
        .unwrap();
    let from = |origin: &str| {
        let request = Request::get("/")
            .header(header::ORIGIN, origin)
            .body(())
            .unwrap();
        layer.decide(&request).is_allowed()
    };
    assert!(!from("https://first.example"));
    assert!(from("https://second.example"));
}

#[tokio::test]
async fn permissive_preset() {
    let layer = CorsLayer::permissive().build().unwrap();
    let preflight = Request::options("/")
        .header(header::ORIGIN, "https://anyone.example")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "DELETE")
        .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "x-anything")
        .body(())
        .unwrap();
    let (decision, headers) = layer.headers_for(&preflight);
    assert!(decision.is_allowed());
    assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_METHODS], "*");
    assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_HEADERS], "*");
    assert!(headers
        .get(header::ACCESS_CONTROL_ALLOW_CREDENTIALS)
        .is_none());

    let actual = Request::get("/")
        .header(header::ORIGIN, "https://anyone.example")
        .body(())
        .unwrap();
    let (_, headers) = layer.headers_for(&actual);
    assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    assert_eq!(headers[header::ACCESS_CONTROL_EXPOSE_HEADERS], "*");
    assert!(headers.get(header::VARY).is_none());
}

#[test]
fn config_values_are_normalised_and_deduplicated() {
    let layer = CorsLayer::builder()
        .allow_origins(["HTTPS://App.Example.com:443"])
        .allow_methods([Method::PUT, Method::PUT, Method::DELETE])
        .allow_headers(["X-Custom", "x-custom", "Content-Type"])
        .build()
        .unwrap();
    let preflight = Request::options("/")
        .header(header::ORIGIN, "https://app.example.com")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "PUT")
        .body(())
        .unwrap();
    let (decision, headers) = layer.headers_for(&preflight);
    assert!(decision.is_allowed(), "{decision}");
    assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_METHODS], "PUT, DELETE");
    assert_eq!(
        headers[header::ACCESS_CONTROL_ALLOW_HEADERS],
        "x-custom, content-type"
    );
}

/// A service that is never ready.
#[derive(Clone)]
struct NeverReady;

impl Service<Request<()>> for NeverReady {
    type Response = Response<()>;
    type Error = Infallible;
    type Future = std::future::Ready<Result<Response<()>, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Pending
    }

    fn call(&mut self, _req: Request<()>) -> Self::Future {
        std::future::ready(Ok(Response::new(())))
    }
}

#[test]
fn poll_ready_is_the_inner_services() {
    let mut service = CorsLayer::permissive().build().unwrap().layer(NeverReady);
    let waker = std::task::Waker::noop();
    let mut cx = Context::from_waker(waker);
    assert!(service.poll_ready(&mut cx).is_pending());
}

#[tokio::test]
async fn services_and_layers_share_one_policy() {
    let layer = CorsLayer::builder()
        .allow_origin("https://a.com")
        .build()
        .unwrap();
    let clone = layer.clone();
    let service = clone.layer(service_fn(|_req: Request<()>| async {
        Ok::<_, Infallible>(Response::new(()))
    }));
    drop(layer);
    let response = service
        .clone()
        .oneshot(
            Request::get("/")
                .header(header::ORIGIN, "https://a.com")
                .body(())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(
        response.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://a.com"
    );
}

/// Every list (origins, methods, request headers, exposed headers) refuses an entry with
/// whitespace around it, ASCII or not, and a `*` entry, the same way.
#[test]
fn list_entries_are_checked_alike() {
    use tower_cors::{AllowHeaders, AllowMethods, ExposeHeaders, ProblemKind};

    for entry in [" GET", "GET\u{a0}", "\u{2003}GET", "*"] {
        let expected = if entry == "*" {
            ProblemKind::WildcardInList
        } else {
            ProblemKind::Whitespace
        };
        let kinds = |builder: tower_cors::CorsBuilder| -> Vec<ProblemKind> {
            builder
                .build()
                .unwrap_err()
                .problems()
                .iter()
                .map(|p| p.kind())
                .collect()
        };
        let base = || CorsLayer::builder().allow_origin("https://app.example.com");
        let origin = entry.replace("GET", "https://a.example");
        assert_eq!(
            kinds(CorsLayer::builder().allow_origins([origin.as_str()])),
            [expected],
            "{entry:?}"
        );
        assert_eq!(
            kinds(base().allow_methods(AllowMethods::list([entry]))),
            [expected],
            "{entry:?}"
        );
        let header = entry.replace("GET", "x-custom");
        assert_eq!(
            kinds(base().allow_headers(AllowHeaders::list([header.as_str()]))),
            [expected],
            "{entry:?}"
        );
        assert_eq!(
            kinds(base().expose_headers(ExposeHeaders::list([header.as_str()]))),
            [expected],
            "{entry:?}"
        );
    }
}
