//! `CorsConfig`: every key, every error, TOML, JSON, nesting and environment variables.

use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use http::{header, HeaderMap, Method, Request, Response, StatusCode};
use serde::Deserialize;
use tower::{service_fn, ServiceBuilder, ServiceExt};
use tower_cors::{
    CorsConfig, CorsLayer, Denial, EnvProblemKind, Field, ProblemKind, RequestKind, WarningKind,
};

use crate::requests::{get, get_to, preflight};

// ---------------------------------------------------------------------------------------------
// Helpers

fn config(toml: &str) -> CorsConfig {
    toml::from_str(toml).unwrap_or_else(|err| panic!("{toml}\ndoes not parse: {err}"))
}

fn layer(toml: &str) -> CorsLayer {
    config(toml)
        .build()
        .unwrap_or_else(|err| panic!("{toml}\ndoes not build: {err}"))
}

/// The build problems of a configuration, as displayed.
fn problems(toml: &str) -> Vec<String> {
    match config(toml).build() {
        Ok(_) => panic!("{toml}\nbuilt, but should not have"),
        Err(err) => err.problems().iter().map(ToString::to_string).collect(),
    }
}

fn parse_error(toml: &str) -> String {
    match toml::from_str::<CorsConfig>(toml) {
        Ok(config) => panic!("{toml}\nparsed as {config:?}, but should not have"),
        Err(err) => err.to_string(),
    }
}

fn header(headers: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    headers.get(name).map(|v| v.to_str().unwrap())
}

/// Sends a request through the layer around a service that answers `200 inner`; returns the
/// response and whether the service was called.
async fn call(layer: CorsLayer, request: Request<()>) -> (Response<()>, bool) {
    let called = Arc::new(AtomicBool::new(false));
    let flag = called.clone();
    let service =
        ServiceBuilder::new()
            .layer(layer)
            .service(service_fn(move |_req: Request<()>| {
                flag.store(true, Ordering::SeqCst);
                async { Ok::<_, Infallible>(Response::new("inner")) }
            }));
    let response = service.oneshot(request).await.unwrap();
    let (parts, _body) = response.into_parts();
    (
        Response::from_parts(parts, ()),
        called.load(Ordering::SeqCst),
    )
}

// ---------------------------------------------------------------------------------------------
// Keys

#[test]
fn allow_origins_list() {
    let layer = layer(r#"allow_origins = ["https://app.example.com", "https://*.example.org"]"#);
    let (decision, headers) = layer.headers_for(&get("https://app.example.com"));
    assert!(decision.is_allowed());
    assert_eq!(
        header(&headers, header::ACCESS_CONTROL_ALLOW_ORIGIN),
        Some("https://app.example.com")
    );
    assert!(layer.decide(&get("https://a.b.example.org")).is_allowed());
    assert_eq!(
        layer.decide(&get("https://example.org")).denial(),
        Some(&Denial::OriginNotAllowed)
    );
    assert_eq!(
        layer.decide(&get("https://evil.example")).denial(),
        Some(&Denial::OriginNotAllowed)
    );
}

#[test]
fn allow_origins_single_string_and_comma_separated_string() {
    let one = layer(r#"allow_origins = "https://app.example.com""#);
    assert!(one.decide(&get("https://app.example.com")).is_allowed());
    assert!(!one.decide(&get("https://other.example.com")).is_allowed());

    let two = layer(r#"allow_origins = " https://a.example.com ,https://b.example.com,""#);
    assert!(two.decide(&get("https://a.example.com")).is_allowed());
    assert!(two.decide(&get("https://b.example.com")).is_allowed());
    assert!(!two.decide(&get("https://c.example.com")).is_allowed());
}

#[test]
fn allow_origins_wildcard() {
    let layer = layer(r#"allow_origins = "*""#);
    let (_, headers) = layer.headers_for(&get("https://anyone.example"));
    assert_eq!(
        header(&headers, header::ACCESS_CONTROL_ALLOW_ORIGIN),
        Some("*")
    );
    assert!(headers.get(header::VARY).is_none());
}

#[test]
fn allow_origins_mirror() {
    let layer = layer(r#"allow_origins = "mirror""#);
    let (_, headers) = layer.headers_for(&get("https://anyone.example"));
    assert_eq!(
        header(&headers, header::ACCESS_CONTROL_ALLOW_ORIGIN),
        Some("https://anyone.example")
    );
    assert_eq!(header(&headers, header::VARY), Some("origin"));
}

#[test]
fn allow_origins_dangerous_mirror_with_credentials() {
    let layer = layer(
        r#"
        allow_origins = "dangerously_mirror_any_origin_with_credentials"
        allow_credentials = true
        "#,
    );
    let (_, headers) = layer.headers_for(&get("https://anyone.example"));
    assert_eq!(
        header(&headers, header::ACCESS_CONTROL_ALLOW_ORIGIN),
        Some("https://anyone.example")
    );
    assert_eq!(
        header(&headers, header::ACCESS_CONTROL_ALLOW_CREDENTIALS),
        Some("true")
    );
}

#[test]
fn allow_origins_empty_refuses_everyone() {
    for toml in [r#"allow_origins = []"#, r#"allow_origins = """#] {
        let layer = layer(toml);
        assert_eq!(
            layer.decide(&get("https://app.example.com")).denial(),
            Some(&Denial::OriginNotAllowed),
            "{toml}"
        );
    }
}

#[test]
fn keywords_inside_a_list_are_not_keywords() {
    assert_eq!(
        problems(r#"allow_origins = ["mirror"]"#),
        ["allow_origins[0]: \"mirror\" has no scheme; write it as scheme://host[:port], e.g. https://app.example.com"]
    );
}

#[test]
fn allow_methods_list_wildcard_mirror() {
    let list = layer(
        r#"
        allow_origins = "https://app.example.com"
        allow_methods = ["PUT", "DELETE"]
        "#,
    );
    let (decision, headers) = list.headers_for(&preflight("https://app.example.com", "PUT", None));
    assert!(decision.is_allowed());
    assert_eq!(
        header(&headers, header::ACCESS_CONTROL_ALLOW_METHODS),
        Some("PUT, DELETE")
    );
    assert_eq!(
        list.decide(&preflight("https://app.example.com", "PATCH", None))
            .denial(),
        Some(&Denial::MethodNotAllowed(Method::PATCH))
    );

    let string = layer(
        r#"
        allow_origins = "https://app.example.com"
        allow_methods = "PUT, PATCH"
        "#,
    );
    let (_, headers) = string.headers_for(&preflight("https://app.example.com", "PATCH", None));
    assert_eq!(
        header(&headers, header::ACCESS_CONTROL_ALLOW_METHODS),
        Some("PUT, PATCH")
    );

    let any = layer(
        r#"
        allow_origins = "https://app.example.com"
        allow_methods = "*"
        "#,
    );
    let (_, headers) = any.headers_for(&preflight("https://app.example.com", "PURGE", None));
    assert_eq!(
        header(&headers, header::ACCESS_CONTROL_ALLOW_METHODS),
        Some("*")
    );

    let mirror = layer(
        r#"
        allow_origins = "https://app.example.com"
        allow_methods = "mirror"
        "#,
    );
    let (_, headers) = mirror.headers_for(&preflight("https://app.example.com", "PURGE", None));
    assert_eq!(
        header(&headers, header::ACCESS_CONTROL_ALLOW_METHODS),
        Some("PURGE")
    );
}

#[test]
fn allow_headers_list_wildcard_authorization_mirror() {
    let origin = "https://app.example.com";
    let list = layer(
        r#"
        allow_origins = "https://app.example.com"
        allow_headers = ["Content-Type", "x-trace"]
        "#,
    );
    let (decision, headers) = list.headers_for(&preflight(origin, "GET", Some("content-type")));
    assert!(decision.is_allowed());
    assert_eq!(
        header(&headers, header::ACCESS_CONTROL_ALLOW_HEADERS),
        Some("content-type, x-trace")
    );
    assert_eq!(
        list.decide(&preflight(origin, "GET", Some("x-other")))
            .denial(),
        Some(&Denial::HeaderNotAllowed(header::HeaderName::from_static(
            "x-other"
        )))
    );

    let any = layer(
        r#"
        allow_origins = "https://app.example.com"
        allow_headers = "*"
        "#,
    );
    let (_, headers) = any.headers_for(&preflight(origin, "GET", Some("x-anything")));
    assert_eq!(
        header(&headers, header::ACCESS_CONTROL_ALLOW_HEADERS),
        Some("*")
    );
    assert_eq!(
        any.decide(&preflight(origin, "GET", Some("authorization")))
            .denial(),
        Some(&Denial::AuthorizationNotCoveredByWildcard)
    );

    for spelling in [
        "*, authorization",
        "*,Authorization",
        " * ,  authorization ",
    ] {
        let any_auth = layer(&format!(
            "allow_origins = \"https://app.example.com\"\nallow_headers = \"{spelling}\""
        ));
        let (decision, headers) =
            any_auth.headers_for(&preflight(origin, "GET", Some("authorization, x-anything")));
        assert!(decision.is_allowed(), "{spelling}");
        assert_eq!(
            header(&headers, header::ACCESS_CONTROL_ALLOW_HEADERS),
            Some("*, authorization"),
            "{spelling}"
        );
    }

    let mirror = layer(
        r#"
        allow_origins = "https://app.example.com"
        allow_headers = "mirror"
        "#,
    );
    let (decision, headers) =
        mirror.headers_for(&preflight(origin, "GET", Some("authorization, x-anything")));
    assert!(decision.is_allowed());
    assert_eq!(
        header(&headers, header::ACCESS_CONTROL_ALLOW_HEADERS),
        Some("authorization, x-anything")
    );
}

#[test]
fn expose_headers_list_and_wildcard() {
    let list = layer(
        r#"
        allow_origins = "https://app.example.com"
        expose_headers = ["X-Request-Id", "x-ratelimit-remaining"]
        "#,
    );
    let (_, headers) = list.headers_for(&get("https://app.example.com"));
    assert_eq!(
        header(&headers, header::ACCESS_CONTROL_EXPOSE_HEADERS),
        Some("x-request-id, x-ratelimit-remaining")
    );

    let any = layer(
        r#"
        allow_origins = "https://app.example.com"
        expose_headers = "*"
        "#,
    );
    let (_, headers) = any.headers_for(&get("https://app.example.com"));
    assert_eq!(
        header(&headers, header::ACCESS_CONTROL_EXPOSE_HEADERS),
        Some("*")
    );
}

#[test]
fn allow_credentials_and_max_age() {
    let layer = layer(
        r#"
        allow_origins = "https://app.example.com"
        allow_credentials = true
        max_age_secs = 600
        "#,
    );
    let (_, headers) = layer.headers_for(&preflight("https://app.example.com", "GET", None));
    assert_eq!(
        header(&headers, header::ACCESS_CONTROL_ALLOW_CREDENTIALS),
        Some("true")
    );
    assert_eq!(
        header(&headers, header::ACCESS_CONTROL_MAX_AGE),
        Some("600")
    );

    let plain = self::layer(r#"allow_origins = "https://app.example.com""#);
    let (_, headers) = plain.headers_for(&preflight("https://app.example.com", "GET", None));
    assert!(headers
        .get(header::ACCESS_CONTROL_ALLOW_CREDENTIALS)
        .is_none());
    assert!(headers.get(header::ACCESS_CONTROL_MAX_AGE).is_none());
}

#[test]
fn allow_private_network() {
    let pna = |layer: &CorsLayer| {
        let mut request = preflight("https://app.example.com", "GET", None);
        request.headers_mut().insert(
            "access-control-request-private-network",
            http::HeaderValue::from_static("true"),
        );
        layer.headers_for(&request)
    };
    let on = layer(
        r#"
        allow_origins = "https://app.example.com"
        allow_private_network = true
        "#,
    );
    let (decision, headers) = pna(&on);
    assert!(decision.is_allowed());
    assert_eq!(
        headers
            .get("access-control-allow-private-network")
            .map(|v| v.to_str().unwrap()),
        Some("true")
    );

    // Off, the request header is ignored: no grant of private network access, and the
    // browser refuses the preflight for want of it.
    let off = layer(r#"allow_origins = "https://app.example.com""#);
    let (decision, headers) = pna(&off);
    assert!(decision.is_allowed());
    assert!(headers
        .get("access-control-allow-private-network")
        .is_none());
}

#[tokio::test]
async fn preflight_status() {
    let layer = layer(
        r#"
        allow_origins = "https://app.example.com"
        preflight_status = 200
        "#,
    );
    let (response, called) = call(layer, preflight("https://app.example.com", "GET", None)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(!called);
}

#[tokio::test]
async fn strict_preflight() {
    let toml = |strict: bool| {
        format!("allow_origins = \"https://app.example.com\"\nstrict_preflight = {strict}")
    };
    let denied = || preflight("https://evil.example", "GET", None);
    let (response, _) = call(layer(&toml(true)), denied()).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let (response, _) = call(layer(&toml(false)), denied()).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn reject_disallowed_origins() {
    let toml = |reject: bool| {
        format!("allow_origins = \"https://app.example.com\"\nreject_disallowed_origins = {reject}")
    };
    let (response, called) = call(layer(&toml(true)), get("https://evil.example")).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(!called);
    let (response, called) = call(layer(&toml(false)), get("https://evil.example")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(called);
}

#[tokio::test]
async fn preflight_continue() {
    let toml = |pass: bool| {
        format!("allow_origins = \"https://app.example.com\"\npreflight_continue = {pass}")
    };
    let request = || preflight("https://app.example.com", "GET", None);
    let (response, called) = call(layer(&toml(true)), request()).await;
    assert!(called);
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header(response.headers(), header::ACCESS_CONTROL_ALLOW_ORIGIN),
        Some("https://app.example.com")
    );
    let (_, called) = call(layer(&toml(false)), request()).await;
    assert!(!called);
}

#[test]
fn max_request_headers() {
    let layer = layer(
        r#"
        allow_origins = "https://app.example.com"
        allow_headers = "*"
        max_request_headers = 2
        "#,
    );
    let origin = "https://app.example.com";
    assert!(layer
        .decide(&preflight(origin, "GET", Some("a, b")))
        .is_allowed());
    assert_eq!(
        layer
            .decide(&preflight(origin, "GET", Some("a, b, c")))
            .denial(),
        Some(&Denial::TooManyRequestHeaders { limit: 2 })
    );
}

#[test]
fn default_is_empty_and_refuses_every_origin() {
    assert_eq!(config(""), CorsConfig::default());
    let layer = CorsConfig::default().build().unwrap();
    assert_eq!(layer.warnings()[0].path(), "allow_origins");
    assert!(config("allow_origins = []")
        .build()
        .unwrap()
        .warnings()
        .is_empty());
}

#[test]
fn into_layer_and_clone() {
    let config = config(r#"allow_origins = "https://app.example.com""#);
    let copy = config.clone();
    assert_eq!(copy, config);
    let layer = config.into_layer().unwrap();
    assert!(layer.decide(&get("https://app.example.com")).is_allowed());
    assert!(format!("{copy:?}").contains("https://app.example.com"));
}

// ---------------------------------------------------------------------------------------------
// Build errors

#[test]
fn no_origin_setting_is_a_warning() {
    let warnings: Vec<String> = layer("allow_credentials = true")
        .warnings()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        warnings,
        ["allow_origins: no origin is allowed, so every cross-origin request is refused; set allow_origins (an empty list refuses every origin on purpose)"]
    );
}

#[test]
fn error_origin_syntax_with_paths_and_values() {
    let toml = r#"
        allow_origins = [
            "https://ok.example.com",
            "app.example.com",
            "https://a.com/",
            "https://a.com/api",
            "https://*.com",
            "https://a.*.example.com",
            "https://a.com:99999",
            "https://user@a.com",
            "https://a.com?x=1",
            " https://a.com",
        ]
    "#;
    assert_eq!(
        problems(toml),
        [
            "allow_origins[1]: \"app.example.com\" has no scheme; write it as scheme://host[:port], e.g. https://app.example.com",
            "allow_origins[2]: \"https://a.com/\" has a trailing slash, which no Origin header has; remove the trailing slash",
            "allow_origins[3]: \"https://a.com/api\" has a path; an origin is scheme://host[:port] with nothing after it",
            "allow_origins[4]: \"https://*.com\" is too broad; a subdomain pattern needs at least two labels after \"*.\" (like https://*.example.com)",
            "allow_origins[5]: \"https://a.*.example.com\" has a misplaced wildcard; only a whole first label may be *, as in https://*.example.com",
            "allow_origins[6]: \"https://a.com:99999\" has an invalid port; use a number from 0 to 65535 without leading zeros, or *",
            "allow_origins[7]: \"https://user@a.com\" has user info (user@); an origin is scheme://host[:port]",
            "allow_origins[8]: \"https://a.com?x=1\" has a query; an origin is scheme://host[:port]",
            "allow_origins[9]: \" https://a.com\" has leading or trailing whitespace",
        ]
    );
}

#[test]
fn error_paths_count_entries_of_a_comma_separated_string() {
    let err = config(r#"allow_origins = "https://a.com, https://b.com/""#)
        .build()
        .unwrap_err();
    let problem = &err.problems()[0];
    assert_eq!(problem.field(), Field::AllowOrigins);
    assert_eq!(problem.index(), Some(1));
    assert_eq!(problem.value(), "https://b.com/");
    assert_eq!(problem.path(), "allow_origins[1]");
    assert_eq!(problem.kind(), ProblemKind::OriginTrailingSlash);
}

#[test]
fn error_wildcard_in_lists() {
    assert_eq!(
        problems(
            r#"
            allow_origins = ["https://a.com", "*"]
            allow_methods = ["GET", "*"]
            allow_headers = ["*", "authorization"]
            expose_headers = "x-a, *"
            "#
        ),
        [
            "allow_origins[1]: \"*\" is a wildcard inside a list; give the wildcard alone, not in a list",
            "allow_methods[1]: \"*\" is a wildcard inside a list; give the wildcard alone, not in a list",
            "allow_headers[0]: \"*\" is a wildcard inside a list; give the wildcard alone, not in a list",
            "expose_headers[1]: \"*\" is a wildcard inside a list; give the wildcard alone, not in a list",
        ]
    );
}

#[test]
fn error_methods_and_header_names() {
    assert_eq!(
        problems(
            r#"
            allow_origins = "https://a.com"
            allow_methods = ["GET", "P UT", " DELETE"]
            allow_headers = ["content type"]
            expose_headers = ["x:y"]
            "#
        ),
        [
            "allow_methods[1]: \"P UT\" is not a valid HTTP method",
            "allow_methods[2]: \" DELETE\" has leading or trailing whitespace",
            "allow_headers[0]: \"content type\" is not a valid HTTP header name",
            "expose_headers[0]: \"x:y\" is not a valid HTTP header name",
        ]
    );
}

#[test]
fn error_wildcards_with_credentials() {
    assert_eq!(
        problems(
            r#"
            allow_origins = "*"
            expose_headers = "*"
            allow_credentials = true
            "#
        ),
        [
            "allow_origins: \"*\" browsers refuse \"Access-Control-Allow-Origin: *\" on credentialed requests; list the origins instead",
            "expose_headers: \"*\" browsers read \"Access-Control-Expose-Headers: *\" literally on credentialed requests; list the headers to expose instead",
        ]
    );
    assert_eq!(
        problems(
            r#"
            allow_origins = "mirror"
            allow_credentials = true
            "#
        ),
        ["allow_origins: reflecting every origin with allow_credentials lets any web site read your users' responses; list the origins, or use dangerously_mirror_any_origin_with_credentials if that is really intended"]
    );
}

#[test]
fn error_preflight_status() {
    assert_eq!(
        problems(
            r#"
            allow_origins = "https://a.com"
            preflight_status = 404
            "#
        ),
        ["preflight_status: \"404\" is not a 2xx status; browsers fail a preflight that is not answered with an ok status"]
    );
    for code in [0, 99, 1000, 65535] {
        let toml = format!("allow_origins = \"https://a.com\"\npreflight_status = {code}");
        let err = config(&toml).build().unwrap_err();
        assert_eq!(err.problems().len(), 1, "{code}");
        let problem = &err.problems()[0];
        assert_eq!(problem.kind(), ProblemKind::InvalidStatus);
        assert_eq!(problem.path(), "preflight_status");
        assert_eq!(
            problem.to_string(),
            format!("preflight_status: \"{code}\" is not an HTTP status code; use a number from 100 to 999, like 204")
        );
    }
}

#[test]
fn error_zero_request_header_limit() {
    assert_eq!(
        problems(
            r#"
            allow_origins = "https://a.com"
            max_request_headers = 0
            "#
        ),
        ["max_request_headers: \"0\" must be at least 1"]
    );
}

#[test]
fn every_problem_at_once_in_key_order() {
    let err = config(
        r#"
        max_request_headers = 0
        preflight_status = 99
        allow_methods = ["B AD"]
        allow_origins = ["https://a.com/", "https://b.com", "nope"]
        "#,
    )
    .build()
    .unwrap_err();
    let paths: Vec<String> = err.problems().iter().map(|p| p.path()).collect();
    assert_eq!(
        paths,
        [
            "allow_origins[0]",
            "allow_origins[2]",
            "allow_methods[0]",
            "preflight_status",
            "max_request_headers"
        ]
    );
    assert!(err
        .to_string()
        .starts_with("invalid CORS configuration:\n  allow_origins[0]: "));

    // A status problem alone, and with builder problems only before it.
    let err = config("allow_origins = \"x\"\npreflight_status = 5")
        .build()
        .unwrap_err();
    let paths: Vec<String> = err.problems().iter().map(|p| p.path()).collect();
    assert_eq!(paths, ["allow_origins[0]", "preflight_status"]);
    let err = config("allow_origins = \"*\"\npreflight_status = 5")
        .build()
        .unwrap_err();
    let paths: Vec<String> = err.problems().iter().map(|p| p.path()).collect();
    assert_eq!(paths, ["preflight_status"]);
}

// ---------------------------------------------------------------------------------------------
// Parse errors (TOML and JSON)

#[test]
fn unknown_keys_are_errors() {
    let err = parse_error(r#"allow_origin = ["https://a.com"]"#);
    assert!(err.contains("unknown field `allow_origin`"), "{err}");
    assert!(err.contains("expected one of `allow_origins`"), "{err}");

    let err = serde_json::from_str::<CorsConfig>(r#"{"max_age": 600}"#)
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown field `max_age`"), "{err}");
}

#[test]
fn wrong_types_are_errors() {
    let err = parse_error(r#"allow_origins = 5"#);
    assert!(
        err.contains("invalid type: integer `5`, expected a string or a list of strings"),
        "{err}"
    );
    let err = parse_error(r#"allow_methods = ["GET", 1]"#);
    assert!(
        err.contains("invalid type: integer `1`, expected a string"),
        "{err}"
    );
    let err = parse_error(r#"allow_credentials = "yes""#);
    assert!(
        err.contains("invalid type: string \"yes\", expected a boolean"),
        "{err}"
    );
    let err = parse_error(r#"max_age_secs = -1"#);
    assert!(
        err.contains("invalid value: integer `-1`, expected u64"),
        "{err}"
    );
    let err = parse_error(r#"preflight_status = 70000"#);
    assert!(
        err.contains("invalid value: integer `70000`, expected u16"),
        "{err}"
    );
    let err = parse_error(r#"max_request_headers = "many""#);
    assert!(
        err.contains("invalid type: string \"many\", expected usize"),
        "{err}"
    );
    let err = serde_json::from_str::<CorsConfig>(r#"{"allow_headers": {"a": 1}}"#)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("expected a string or a list of strings"),
        "{err}"
    );
}

#[test]
fn json_and_toml_read_the_same() {
    let toml = config(
        r#"
        allow_origins = ["https://a.com", "https://*.b.com"]
        allow_methods = "*"
        allow_headers = "*, authorization"
        expose_headers = ["x-request-id"]
        allow_credentials = false
        max_age_secs = 60
        allow_private_network = true
        preflight_status = 200
        strict_preflight = true
        reject_disallowed_origins = true
        preflight_continue = false
        max_request_headers = 10
        "#,
    );
    let json: CorsConfig = serde_json::from_str(
        r#"{
            "allow_origins": ["https://a.com", "https://*.b.com"],
            "allow_methods": "*",
            "allow_headers": "*, authorization",
            "expose_headers": ["x-request-id"],
            "allow_credentials": false,
            "max_age_secs": 60,
            "allow_private_network": true,
            "preflight_status": 200,
            "strict_preflight": true,
            "reject_disallowed_origins": true,
            "preflight_continue": false,
            "max_request_headers": 10
        }"#,
    )
    .unwrap();
    assert_eq!(toml, json);
    assert!(json.build().is_ok());

    // JSON null is the same as leaving the key out.
    let null: CorsConfig = serde_json::from_str(r#"{"allow_origins": null}"#).unwrap();
    assert_eq!(null, CorsConfig::default());
}

#[test]
fn nests_in_an_application_config() {
    #[derive(Deserialize)]
    struct App {
        name: String,
        #[serde(default)]
        cors: CorsConfig,
    }

    let app: App = toml::from_str(
        r#"
        name = "api"

        [cors]
        allow_origins = ["https://app.example.com"]
        max_age_secs = 300
        "#,
    )
    .unwrap();
    assert_eq!(app.name, "api");
    let layer = app.cors.build().unwrap();
    let (_, headers) = layer.headers_for(&preflight("https://app.example.com", "GET", None));
    assert_eq!(
        header(&headers, header::ACCESS_CONTROL_MAX_AGE),
        Some("300")
    );

    let app: App = toml::from_str(r#"name = "api""#).unwrap();
    assert_eq!(app.cors, CorsConfig::default());

    let err = toml::from_str::<App>("name = \"api\"\n[cors]\nallow_origns = []\n")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(err.contains("unknown field `allow_origns`"), "{err}");

    let app: App = serde_json::from_str(
        r#"{"name": "api", "cors": {"allow_origins": "*", "expose_headers": "*"}}"#,
    )
    .unwrap();
    let (_, headers) = app
        .cors
        .build()
        .unwrap()
        .headers_for(&get("https://x.example"));
    assert_eq!(
        header(&headers, header::ACCESS_CONTROL_EXPOSE_HEADERS),
        Some("*")
    );
}

#[test]
fn shipped_example_config_is_valid() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/cors.toml");
    let text = std::fs::read_to_string(path).unwrap();
    let layer = layer(&text);
    assert!(layer.decide(&get("http://localhost:3000")).is_allowed());
}

// ---------------------------------------------------------------------------------------------
// Environment variables

#[test]
fn env_every_key() {
    let config = CorsConfig::from_vars(
        "CORS",
        [
            ("CORS_ALLOW_ORIGINS", "https://a.com,https://*.b.com"),
            ("CORS_ALLOW_METHODS", "GET,PUT"),
            ("CORS_ALLOW_HEADERS", "*,authorization"),
            ("CORS_EXPOSE_HEADERS", "x-request-id"),
            ("CORS_ALLOW_CREDENTIALS", "false"),
            ("CORS_MAX_AGE_SECS", "60"),
            ("CORS_ALLOW_PRIVATE_NETWORK", "TRUE"),
            ("CORS_PREFLIGHT_STATUS", "200"),
            ("CORS_STRICT_PREFLIGHT", "1"),
            ("CORS_REJECT_DISALLOWED_ORIGINS", "True"),
            ("CORS_PREFLIGHT_CONTINUE", "0"),
            ("CORS_MAX_REQUEST_HEADERS", " 10 "),
            ("HOME", "/root"),
            ("CORSAIR", "not ours"),
        ],
    )
    .unwrap();
    let expected = self::config(
        r#"
        allow_origins = "https://a.com,https://*.b.com"
        allow_methods = "GET,PUT"
        allow_headers = "*,authorization"
        expose_headers = "x-request-id"
        allow_credentials = false
        max_age_secs = 60
        allow_private_network = true
        preflight_status = 200
        strict_preflight = true
        reject_disallowed_origins = true
        preflight_continue = false
        max_request_headers = 10
        "#,
    );
    let layer = config.clone().build().unwrap();
    let (decision, headers) =
        layer.headers_for(&preflight("https://x.b.com", "PUT", Some("authorization")));
    assert!(decision.is_allowed());
    assert_eq!(
        header(&headers, header::ACCESS_CONTROL_ALLOW_HEADERS),
        Some("*, authorization")
    );
    assert_eq!(header(&headers, header::ACCESS_CONTROL_MAX_AGE), Some("60"));
    // Each variable reads like the same string in a file.
    assert_eq!(config, expected);
}

#[test]
fn env_keywords() {
    let config = CorsConfig::from_vars(
        "APP_CORS",
        [
            ("APP_CORS_ALLOW_ORIGINS", "*"),
            ("APP_CORS_ALLOW_METHODS", "mirror"),
            ("APP_CORS_ALLOW_HEADERS", "*"),
            ("APP_CORS_EXPOSE_HEADERS", "*"),
        ],
    )
    .unwrap();
    let layer = config.build().unwrap();
    let (_, headers) = layer.headers_for(&preflight("https://x.example", "PURGE", Some("x-a")));
    assert_eq!(
        header(&headers, header::ACCESS_CONTROL_ALLOW_ORIGIN),
        Some("*")
    );
    assert_eq!(
        header(&headers, header::ACCESS_CONTROL_ALLOW_METHODS),
        Some("PURGE")
    );
    assert_eq!(
        header(&headers, header::ACCESS_CONTROL_ALLOW_HEADERS),
        Some("*")
    );
}

#[test]
fn env_prefix_with_or_without_separator() {
    let vars = [("CORS_MAX_AGE_SECS", "5")];
    assert_eq!(
        CorsConfig::from_vars("CORS", vars).unwrap(),
        CorsConfig::from_vars("CORS_", vars).unwrap()
    );
    assert_eq!(
        CorsConfig::from_vars("CORS", vars).unwrap(),
        config("max_age_secs = 5")
    );
    // No prefix: the bare keys, and nothing else is an error.
    let bare = CorsConfig::from_vars("", [("MAX_AGE_SECS", "5"), ("PATH", "/bin")]).unwrap();
    assert_eq!(bare, config("max_age_secs = 5"));
}

#[test]
fn env_unparsable_values_name_the_variable() {
    let err = CorsConfig::from_vars(
        "CORS",
        [
            ("CORS_MAX_AGE_SECS", "ten"),
            ("CORS_ALLOW_CREDENTIALS", "yes"),
            ("CORS_PREFLIGHT_STATUS", "70000"),
            ("CORS_MAX_REQUEST_HEADERS", "-3"),
            ("CORS_STRICT_PREFLIGHT", ""),
            ("CORS_MAX_AGE_SECS", "1.5"),
            ("CORS_MAX_AGE_SECS", "99999999999999999999"),
        ],
    )
    .unwrap_err();
    let messages: Vec<String> = err.problems().iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            "CORS_MAX_AGE_SECS: \"ten\" is not a number",
            "CORS_ALLOW_CREDENTIALS: \"yes\" is not a boolean; use true or false",
            "CORS_PREFLIGHT_STATUS: \"70000\" is out of range; use a number from 0 to 65535",
            format!(
                "CORS_MAX_REQUEST_HEADERS: \"-3\" is out of range; use a number from 0 to {}",
                usize::MAX
            )
            .as_str(),
            "CORS_STRICT_PREFLIGHT: \"\" is not a boolean; use true or false",
            "CORS_MAX_AGE_SECS: \"1.5\" is not a number",
            "CORS_MAX_AGE_SECS: \"99999999999999999999\" is out of range; use a number from 0 to 18446744073709551615",
        ]
    );
    let kinds: Vec<EnvProblemKind> = err.problems().iter().map(|p| p.kind()).collect();
    assert_eq!(
        kinds,
        [
            EnvProblemKind::NotANumber,
            EnvProblemKind::NotABoolean,
            EnvProblemKind::OutOfRange,
            EnvProblemKind::OutOfRange,
            EnvProblemKind::NotABoolean,
            EnvProblemKind::NotANumber,
            EnvProblemKind::OutOfRange,
        ]
    );
    assert_eq!(err.problems()[0].variable(), "CORS_MAX_AGE_SECS");
    assert_eq!(err.problems()[0].value(), "ten");
    assert!(err
        .to_string()
        .starts_with("invalid CORS environment variables:\n  CORS_MAX_AGE_SECS: \"ten\""));
}

#[test]
fn env_unknown_variables_are_errors() {
    let err = CorsConfig::from_vars(
        "CORS",
        [
            ("CORS_ALLOW_ORIGIN", "https://a.com"),
            ("CORS_allow_origins", "https://a.com"),
            ("CORS_MAXAGE", "5"),
            ("CORS_PROXY_URL", "http://proxy"),
        ],
    )
    .unwrap_err();
    let messages: Vec<String> = err.problems().iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            "CORS_ALLOW_ORIGIN: unknown variable; did you mean CORS_ALLOW_ORIGINS?",
            "CORS_allow_origins: unknown variable; did you mean CORS_ALLOW_ORIGINS?",
            "CORS_MAXAGE: unknown variable; did you mean CORS_MAX_AGE_SECS?",
            "CORS_PROXY_URL: unknown variable; the variables are CORS_ALLOW_ORIGINS, CORS_ALLOW_METHODS, CORS_ALLOW_HEADERS, CORS_EXPOSE_HEADERS, CORS_ALLOW_CREDENTIALS, CORS_MAX_AGE_SECS, CORS_ALLOW_PRIVATE_NETWORK, CORS_PREFLIGHT_STATUS, CORS_STRICT_PREFLIGHT, CORS_REJECT_DISALLOWED_ORIGINS, CORS_PREFLIGHT_CONTINUE, CORS_MAX_REQUEST_HEADERS, CORS_MAX_REQUEST_HEADER_NAME_LEN, CORS_PRESERVE_INNER_CORS_HEADERS, CORS_DANGEROUSLY_ALLOW_PUBLIC_SUFFIX_PATTERNS, CORS_DANGEROUSLY_ALLOW_CROSS_ORIGIN_WEBSOCKETS, CORS_DEBUG_HEADER, CORS_WARNINGS_AS_ERRORS",
        ]
    );
    assert!(err
        .problems()
        .iter()
        .all(|p| p.kind() == EnvProblemKind::UnknownVariable));
}

#[test]
fn env_values_are_checked_when_built() {
    let config = CorsConfig::from_vars(
        "CORS",
        [("CORS_ALLOW_ORIGINS", "https://a.com,https://b.com/")],
    )
    .unwrap();
    assert_eq!(
        config.build().unwrap_err().problems()[0].to_string(),
        "allow_origins[1]: \"https://b.com/\" has a trailing slash, which no Origin header has; remove the trailing slash"
    );
    let config = CorsConfig::from_vars(
        "CORS",
        [("CORS_ALLOW_ORIGINS", "*"), ("CORS_PREFLIGHT_STATUS", "42")],
    )
    .unwrap();
    assert_eq!(
        config.build().unwrap_err().problems()[0].kind(),
        ProblemKind::InvalidStatus
    );
}

#[test]
fn env_overrides_a_file() {
    let file = config(
        r#"
        allow_origins = ["https://a.com"]
        allow_credentials = true
        max_age_secs = 600
        "#,
    );
    let merged = file
        .clone()
        .merge_vars(
            "CORS",
            [
                ("CORS_MAX_AGE_SECS", "60"),
                ("CORS_ALLOW_CREDENTIALS", "false"),
            ],
        )
        .unwrap();
    assert_eq!(
        merged,
        config(
            r#"
            allow_origins = ["https://a.com"]
            allow_credentials = false
            max_age_secs = 60
            "#
        )
    );
    // Nothing set: unchanged.
    assert_eq!(
        file.clone()
            .merge_vars("CORS", std::iter::empty::<(String, String)>())
            .unwrap(),
        file
    );
    // A bad variable: an error, not a half-applied configuration.
    assert!(file
        .merge_vars("CORS", [("CORS_MAX_AGE_SECS", "x")])
        .is_err());
}

#[test]
fn env_later_pairs_win() {
    let config = CorsConfig::from_vars(
        "CORS",
        [
            ("CORS_MAX_AGE_SECS", String::from("1")),
            ("CORS_MAX_AGE_SECS", String::from("2")),
        ],
    )
    .unwrap();
    assert_eq!(config, self::config("max_age_secs = 2"));
}

/// The one test that touches the process environment, with a prefix no other test uses.
#[test]
fn from_env_reads_the_process_environment() {
    const PREFIX: &str = "TOWER_CORS_CONFIG_TEST";
    assert_eq!(CorsConfig::from_env(PREFIX).unwrap(), CorsConfig::default());

    std::env::set_var("TOWER_CORS_CONFIG_TEST_ALLOW_ORIGINS", "https://a.com");
    std::env::set_var("TOWER_CORS_CONFIG_TEST_MAX_AGE_SECS", "30");
    assert_eq!(
        CorsConfig::from_env(PREFIX).unwrap(),
        config("allow_origins = \"https://a.com\"\nmax_age_secs = 30")
    );

    std::env::set_var("TOWER_CORS_CONFIG_TEST_MAX_AGE", "30");
    let err = CorsConfig::from_env(PREFIX).unwrap_err();
    assert_eq!(
        err.problems()[0].to_string(),
        "TOWER_CORS_CONFIG_TEST_MAX_AGE: unknown variable; did you mean TOWER_CORS_CONFIG_TEST_MAX_AGE_SECS?"
    );
    std::env::remove_var("TOWER_CORS_CONFIG_TEST_MAX_AGE");

    #[cfg(unix)]
    {
        use std::ffi::OsString;
        use std::os::unix::ffi::OsStringExt;

        std::env::set_var(
            "TOWER_CORS_CONFIG_TEST_ALLOW_METHODS",
            OsString::from_vec(vec![b'G', 0xff]),
        );
        let err = CorsConfig::from_env(PREFIX).unwrap_err();
        assert_eq!(err.problems()[0].kind(), EnvProblemKind::NotUnicode);
        assert_eq!(
            err.problems()[0].to_string(),
            "TOWER_CORS_CONFIG_TEST_ALLOW_METHODS: \"G\u{fffd}\" is not valid UTF-8"
        );
        std::env::remove_var("TOWER_CORS_CONFIG_TEST_ALLOW_METHODS");
    }

    let merged = config("allow_origins = \"*\"").merge_env(PREFIX).unwrap();
    assert_eq!(
        merged,
        config("allow_origins = \"https://a.com\"\nmax_age_secs = 30")
    );
    std::env::remove_var("TOWER_CORS_CONFIG_TEST_ALLOW_ORIGINS");
    std::env::remove_var("TOWER_CORS_CONFIG_TEST_MAX_AGE_SECS");
}

#[test]
fn decisions_keep_their_kind() {
    // A configured layer sees preflights and actual requests like a built one.
    let layer = layer(r#"allow_origins = "https://a.com""#);
    assert_eq!(
        layer
            .decide(&preflight("https://a.com", "GET", None))
            .kind(),
        RequestKind::Preflight
    );
    assert_eq!(
        layer.decide(&get("https://a.com")).kind(),
        RequestKind::Actual
    );
}

#[test]
fn patterns_over_public_suffixes_need_the_dangerous_key() {
    let refused: CorsConfig =
        toml::from_str(r#"allow_origins = ["https://app.example.com", "https://*.github.io"]"#)
            .unwrap();
    let err = refused.build().unwrap_err();
    assert_eq!(err.problems().len(), 1);
    assert_eq!(err.problems()[0].path(), "allow_origins[1]");
    assert_eq!(
        err.problems()[0].kind(),
        tower_cors::ProblemKind::PatternOverPublicSuffix
    );
    assert!(
        err.to_string().contains("https://*.your-app.github.io"),
        "{err}"
    );

    let allowed: CorsConfig = toml::from_str(
        r#"
        allow_origins = ["https://*.github.io"]
        dangerously_allow_public_suffix_patterns = true
        "#,
    )
    .unwrap();
    let layer = allowed.build().unwrap();
    let request = http::Request::get("/")
        .header("origin", "https://anyone.github.io")
        .body(())
        .unwrap();
    assert!(layer.decide(&request).is_allowed());
}

#[test]
fn warnings_come_with_their_keys() {
    let config: CorsConfig = toml::from_str(
        r#"
        allow_origins = ["https://app.example.com", "http://intranet.example.com", "null"]
        allow_methods = ["GET", "TRACK"]
        allow_headers = ["content-type", "Sec-Fetch-Mode", "proxy-authorization", "host"]
        expose_headers = ["Set-Cookie", "x-request-id"]
        allow_credentials = true
        max_age_secs = 7201
        "#,
    )
    .unwrap();
    let layer = config.build().unwrap();
    let warnings: Vec<(String, tower_cors::WarningKind)> = layer
        .warnings()
        .iter()
        .map(|w| (w.path(), w.kind()))
        .collect();
    use tower_cors::WarningKind as W;
    assert_eq!(
        warnings,
        [
            (
                "allow_origins[1]".to_owned(),
                W::InsecureOriginWithCredentials
            ),
            ("allow_origins[2]".to_owned(), W::NullOrigin),
            ("allow_methods[1]".to_owned(), W::ForbiddenMethod),
            ("allow_headers[1]".to_owned(), W::ForbiddenRequestHeader),
            ("allow_headers[2]".to_owned(), W::ForbiddenRequestHeader),
            ("allow_headers[3]".to_owned(), W::ForbiddenRequestHeader),
            ("expose_headers[0]".to_owned(), W::NeverExposed),
            ("max_age_secs".to_owned(), W::MaxAgeOverBrowserCaps),
        ]
    );
    // Two hours exactly is what Chromium honours: no warning.
    let config: CorsConfig = toml::from_str(
        r#"
        allow_origins = ["https://app.example.com", "http://localhost:3000"]
        allow_credentials = true
        max_age_secs = 7200
        "#,
    )
    .unwrap();
    assert!(config.build().unwrap().warnings().is_empty());
}

#[test]
fn policy_sets_from_files() {
    let layer = layer(
        r#"
        allow_origins = ["https://app.example.com"]
        allow_methods = ["GET", "POST"]

        [[policies]]
        allow_origins = ["https://admin.example.com"]
        allow_methods = ["GET", "POST", "DELETE"]
        allow_credentials = true

        [[policies]]
        paths = ["/public/"]
        allow_origins = "*"
        allow_methods = ["GET"]
        "#,
    );
    assert_eq!(
        layer
            .decide(&get_to(Some("https://admin.example.com"), "/x"))
            .policy(),
        Some(0)
    );
    assert_eq!(
        layer
            .decide(&get_to(Some("https://a.example"), "/public/x"))
            .policy(),
        Some(1)
    );
    assert_eq!(
        layer
            .decide(&get_to(Some("https://app.example.com"), "/x"))
            .policy(),
        None
    );

    // Every problem, named with its policy and key.
    assert_eq!(
        problems(
            r#"
            allow_origins = ["https://app.example.com"]
            paths = ["/api/"]

            [[policies]]
            allow_origins = ["https://admin.example.com/"]
            allow_methods = ["GET", "P UT"]

            [[policies]]
            paths = ["public"]
            allow_origins = "*"
            "#
        ),
        [
            "paths: \"/api/\" are paths on the top-level policy, which applies to every path as the last resort; give them to a policy of the set",
            "policies[0].allow_origins[0]: \"https://admin.example.com/\" has a trailing slash, which no Origin header has; remove the trailing slash",
            "policies[0].allow_methods[1]: \"P UT\" is not a valid HTTP method",
            "policies[1].paths[0]: \"public\" is not a path prefix: it starts with / and holds only printable ASCII other than ?, #, *, ; and \\, with no . or .. segment and no encoded / or \\ (like /public/)",
        ]
    );
    // Unknown keys inside a policy are errors too.
    let err = parse_error(
        r#"
        allow_origins = ["https://app.example.com"]
        [[policies]]
        allow_origin = ["https://admin.example.com"]
        "#,
    );
    assert!(err.contains("unknown field `allow_origin`"), "{err}");
    // The environment sets the top-level policy only.
    let err = CorsConfig::from_vars("CORS", [("CORS_POLICIES", "x")]).unwrap_err();
    assert_eq!(
        err.problems()[0].to_string(),
        "CORS_POLICIES: unknown variable; sets of policies are read from configuration files only; the environment sets the top-level policy"
    );
}

/// `warnings_as_errors`, from a file, from the environment, and in a set: the build fails with
/// each warning as a problem at the warning's own path, and without it the layer builds.
#[test]
fn warnings_as_errors_from_a_file_and_the_environment() {
    let dangerous = r#"
        allow_origins = "mirror"
        expose_headers = ["set-cookie"]
    "#;
    let warnings: Vec<String> = layer(dangerous)
        .warnings()
        .iter()
        .map(|w| format!("{w} (warnings_as_errors)"))
        .collect();
    let strict = format!("{dangerous}\nwarnings_as_errors = true");
    assert_eq!(problems(&strict), warnings);
    assert_eq!(
        warnings.last().unwrap(),
        "expose_headers[0]: \"set-cookie\" is never exposed to scripts, whatever the server says (warnings_as_errors)"
    );
    let err = config(dangerous)
        .merge_vars("CORS", [("CORS_WARNINGS_AS_ERRORS", "true")])
        .unwrap()
        .build()
        .unwrap_err();
    assert_eq!(
        err.problems().last().unwrap().kind(),
        ProblemKind::Warning(WarningKind::NeverExposed)
    );
    // Set on a policy of a set, it covers the top level's warnings too.
    let set = r#"
        allow_origins = ["https://app.example.com"]
        expose_headers = ["set-cookie"]

        [[policies]]
        allow_origins = ["https://admin.example.com"]
        warnings_as_errors = true
    "#;
    assert_eq!(problems(set).len(), 1, "{:?}", problems(set));
    // A policy without warnings builds as before.
    assert!(config("allow_origins = [\"https://app.example.com\"]\nmax_age_secs = 60\nwarnings_as_errors = true")
        .build()
        .is_ok());
}
