//! Code written against tower-http's `cors` module, moved over with the two mechanical edits
//! the README promises: `tower_http::cors` becomes `tower_cors`, and each chain ends in
//! `.build()`. Every shape here follows tower-http's documented API; each layer is then
//! checked against an origin it allows and one it refuses.
#![allow(deprecated)] // `very_permissive`, `any` and `vary` compile, and warn.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use http::header::{self, HeaderName, HeaderValue};
use http::request::Parts as RequestParts;
use http::{Method, Request, Response};
use tower::{service_fn, Layer, ServiceExt};
// The first edit: this line was `use tower_http::cors::{...};`.
use tower_cors::{
    any, AllowCredentials, AllowHeaders, AllowMethods, AllowOrigin, AllowPrivateNetwork, Any,
    ConfigError, CorsLayer, ExposeHeaders, MaxAge,
};

const APP: &str = "https://app.example.com";
const EVIL: &str = "https://evil.example.net";

/// What a browser would see for a `GET` from `origin`: the grant, if any, and credentials.
fn get(layer: &CorsLayer, origin: &str) -> (Option<String>, bool) {
    let service = layer.clone().layer(service_fn(|_req: Request<()>| async {
        Ok::<_, std::convert::Infallible>(Response::new(()))
    }));
    let request = Request::get("/api/items")
        .header(header::ORIGIN, origin)
        .body(())
        .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let response = runtime.block_on(service.oneshot(request)).unwrap();
    let headers = response.headers();
    (
        headers
            .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
            .map(|v| v.to_str().unwrap().to_owned()),
        headers
            .get(header::ACCESS_CONTROL_ALLOW_CREDENTIALS)
            .is_some(),
    )
}

fn grants(layer: &CorsLayer, origin: &str) -> bool {
    get(layer, origin).0.is_some()
}

/// The preflight headers the layer answers with.
fn preflight(layer: &CorsLayer, origin: &str, method: &str, headers: &str) -> http::HeaderMap {
    let request = Request::options("/api/items")
        .header(header::ORIGIN, origin)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, method)
        .header(header::ACCESS_CONTROL_REQUEST_HEADERS, headers)
        .body(())
        .unwrap();
    layer.headers_for(&request).1
}

#[test]
fn a_refined_preset() -> Result<(), ConfigError> {
    let layer = CorsLayer::permissive()
        .allow_methods([Method::GET, Method::POST])
        .max_age(Duration::from_secs(3600))
        .build()?;
    assert_eq!(get(&layer, EVIL).0.as_deref(), Some("*"));
    let answer = preflight(&layer, APP, "POST", "x-anything");
    assert_eq!(answer[header::ACCESS_CONTROL_ALLOW_METHODS], "GET, POST");
    assert_eq!(answer[header::ACCESS_CONTROL_MAX_AGE], "3600");
    assert!(preflight(&layer, APP, "DELETE", "")
        .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
        .is_none());

    let narrowed = CorsLayer::permissive()
        .allow_origin(APP.parse::<HeaderValue>().unwrap())
        .build()?;
    assert!(grants(&narrowed, APP));
    assert!(!grants(&narrowed, EVIL));
    Ok(())
}

#[test]
fn origins_parsed_into_header_values() -> Result<(), Box<dyn std::error::Error>> {
    // An array whose element type `parse` infers from the conversion.
    let array = CorsLayer::new()
        .allow_origin([
            APP.parse().unwrap(),
            "http://localhost:3000".parse().unwrap(),
        ])
        .allow_methods([Method::GET, Method::POST, Method::PATCH, Method::DELETE])
        .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION])
        .build()?;
    // A vector filled in a loop.
    let mut origins = Vec::new();
    for origin in [APP, "https://admin.example.com"] {
        origins.push(origin.parse()?);
    }
    let vector = CorsLayer::new().allow_origin(origins).build()?;
    // One origin, with `exact` and with a turbofish.
    let exact = CorsLayer::new()
        .allow_origin(AllowOrigin::exact(APP.parse().unwrap()))
        .build()?;
    let single = CorsLayer::new()
        .allow_origin(APP.parse::<HeaderValue>()?)
        .allow_credentials(true)
        .build()?;
    // `list` over a mapped iterator.
    let listed = CorsLayer::new()
        .allow_origin(AllowOrigin::list(
            [APP, "https://b.example.com"]
                .iter()
                .map(|o| o.parse().unwrap()),
        ))
        .build()?;
    for layer in [&array, &vector, &exact, &single, &listed] {
        assert!(grants(layer, APP));
        assert!(!grants(layer, EVIL));
    }
    assert_eq!(get(&single, APP), (Some(APP.to_owned()), true));
    Ok(())
}

#[test]
fn origin_lists_from_the_environment() -> Result<(), ConfigError> {
    // As a service reads `ALLOWED_ORIGINS=https://app.example.com,https://admin.example.com`.
    let variable = format!("{APP},https://admin.example.com");
    let origins: Vec<HeaderValue> = variable
        .split(',')
        .map(|origin| origin.trim().parse().unwrap())
        .collect();
    let layer = CorsLayer::new()
        .allow_origin(origins)
        .allow_methods(Any)
        .allow_headers(Any)
        .build()?;
    assert!(grants(&layer, "https://admin.example.com"));
    assert!(!grants(&layer, EVIL));
    Ok(())
}

#[test]
fn predicates_of_both_kinds() -> Result<(), ConfigError> {
    let sync = CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(
            |origin: &HeaderValue, _request_parts: &RequestParts| {
                origin.as_bytes().ends_with(b".example.com")
            },
        ))
        .build()?;
    assert!(grants(&sync, APP));
    assert!(!grants(&sync, EVIL));

    // The closure moves its state into the future it returns: it is cloned per request.
    let tenants: Arc<HashSet<String>> = Arc::new([APP.to_owned()].into_iter().collect());
    let asynchronous = CorsLayer::new()
        .allow_origin(AllowOrigin::async_predicate(
            move |origin: HeaderValue, _parts: &RequestParts| {
                let tenants = tenants;
                async move { tenants.contains(origin.to_str().unwrap_or_default()) }
            },
        ))
        .build()?;
    assert!(grants(&asynchronous, APP));
    assert!(!grants(&asynchronous, EVIL));
    Ok(())
}

/// A lookup that a handler module might hand to the predicate.
async fn lookup(origin: HeaderValue) -> bool {
    origin == APP
}

#[test]
fn async_predicates_calling_functions() -> Result<(), ConfigError> {
    let layer = CorsLayer::new()
        .allow_origin(AllowOrigin::async_predicate(|origin, _parts| {
            lookup(origin)
        }))
        .build()?;
    assert!(grants(&layer, APP));
    assert!(!grants(&layer, EVIL));
    Ok(())
}

#[test]
fn a_credentials_predicate() -> Result<(), ConfigError> {
    let layer = CorsLayer::new()
        .allow_origin([
            APP.parse().unwrap(),
            "https://docs.example.com".parse().unwrap(),
        ])
        .allow_credentials(AllowCredentials::predicate(|origin, _parts| origin == APP))
        .build()?;
    assert_eq!(get(&layer, APP), (Some(APP.to_owned()), true));
    assert_eq!(
        get(&layer, "https://docs.example.com"),
        (Some("https://docs.example.com".to_owned()), false)
    );
    assert_eq!(get(&layer, EVIL), (None, false));
    // A predicate may say yes, so `*` stays refused with it.
    let err = CorsLayer::new()
        .allow_origin(Any)
        .allow_credentials(AllowCredentials::predicate(|_, _| false))
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("allow_origins"), "{err}");
    Ok(())
}

#[test]
fn optional_layers() -> Result<(), ConfigError> {
    let enabled = false;
    let layer: Option<CorsLayer> = enabled.then(|| CorsLayer::permissive().build().unwrap());
    let off = layer.unwrap_or_default();
    assert!(!grants(&off, APP));
    let default = CorsLayer::default();
    assert!(!grants(&default, APP));

    // No origin setting at all, which some projects use to mean "CORS off", or set next to
    // private network access only: a layer that refuses every origin, with a warning.
    let unset = CorsLayer::new().allow_private_network(true).build()?;
    assert!(!grants(&unset, APP));
    assert_eq!(unset.warnings().len(), 1);
    Ok(())
}

#[test]
fn every_other_name() -> Result<(), ConfigError> {
    let layer = CorsLayer::new()
        .allow_origin(APP.parse::<HeaderValue>().unwrap())
        .allow_methods(AllowMethods::exact(Method::PUT))
        .allow_headers(AllowHeaders::list([header::CONTENT_TYPE]))
        .expose_headers(ExposeHeaders::list([HeaderName::from_static(
            "x-request-id",
        )]))
        .max_age(MaxAge::exact(Duration::from_secs(600)))
        .allow_private_network(AllowPrivateNetwork::yes())
        .vary([header::ORIGIN, header::ACCESS_CONTROL_REQUEST_METHOD])
        .build()?;
    assert!(grants(&layer, APP));
    assert!(!grants(&layer, EVIL));
    let answer = preflight(&layer, APP, "PUT", "content-type");
    assert_eq!(answer[header::ACCESS_CONTROL_ALLOW_METHODS], "PUT");
    assert_eq!(answer[header::ACCESS_CONTROL_MAX_AGE], "600");

    let wildcard = CorsLayer::new()
        .allow_origin(any())
        .allow_methods(any())
        .expose_headers(Any)
        .vary(tower_cors::preflight_request_headers().collect::<Vec<_>>())
        .build()?;
    assert!(grants(&wildcard, EVIL));

    let dynamic = CorsLayer::new()
        .allow_origin(APP.parse::<HeaderValue>().unwrap())
        .max_age(MaxAge::dynamic(|_origin, _parts| Duration::from_secs(60)))
        .build()?;
    assert_eq!(
        preflight(&dynamic, APP, "GET", "")[header::ACCESS_CONTROL_MAX_AGE],
        "60"
    );
    Ok(())
}

#[test]
fn the_very_permissive_preset_compiles_warns_and_mirrors() -> Result<(), ConfigError> {
    let layer = CorsLayer::very_permissive().build()?;
    assert_eq!(get(&layer, EVIL), (Some(EVIL.to_owned()), true));
    Ok(())
}

#[test]
fn what_stays_refused_names_the_fix() {
    // Mirroring every origin with credentials.
    let err = CorsLayer::new()
        .allow_origin(AllowOrigin::mirror_request())
        .allow_credentials(true)
        .build()
        .unwrap_err();
    let message = err.to_string();
    assert!(message.contains("list the origins"), "{message}");
    assert!(
        message.contains("dangerously_mirror_any_origin_with_credentials"),
        "{message}"
    );
    // An origin with a trailing slash, which tower-http never matched.
    let err = CorsLayer::new()
        .allow_origin("https://app.example.com/".parse::<HeaderValue>().unwrap())
        .build()
        .unwrap_err();
    assert!(
        err.to_string().contains("remove the trailing slash"),
        "{err}"
    );
    // `Any` with credentials, which tower-http refuses with a panic.
    let err = CorsLayer::new()
        .allow_origin(Any)
        .allow_credentials(true)
        .build()
        .unwrap_err();
    assert!(
        err.to_string().contains("list the origins instead"),
        "{err}"
    );
}

/// A chain that starts from a layer, as tower-http allows: `CorsLayer::default()` then builder
/// methods.
#[test]
fn a_chain_from_the_default_layer() -> Result<(), ConfigError> {
    let layer = CorsLayer::default()
        .allow_headers(AllowHeaders::any())
        .allow_origin(APP.parse::<HeaderValue>().unwrap())
        .build()?;
    assert!(grants(&layer, APP));
    assert!(!grants(&layer, EVIL));
    let answer = preflight(&layer, APP, "GET", "x-custom");
    assert_eq!(answer[header::ACCESS_CONTROL_ALLOW_HEADERS], "*");
    Ok(())
}

/// A preset kept in a variable annotated `CorsLayer` and refined over several statements.
#[test]
fn a_preset_refined_over_several_statements() -> Result<(), ConfigError> {
    for restrict in [false, true] {
        let mut layer: CorsLayer = CorsLayer::permissive().build()?;
        if restrict {
            layer = layer
                .allow_origin(APP.parse::<HeaderValue>().unwrap())
                .build()?;
            layer = layer.max_age(Duration::from_secs(60)).build()?;
        }
        assert!(grants(&layer, APP));
        assert_eq!(grants(&layer, EVIL), !restrict, "restrict {restrict}");
        let answer = preflight(&layer, APP, "PUT", "x-custom");
        assert_eq!(
            answer
                .get(header::ACCESS_CONTROL_MAX_AGE)
                .map(|v| v.to_str().unwrap()),
            restrict.then_some("60"),
        );
    }
    Ok(())
}
