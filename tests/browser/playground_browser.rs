//! The demo's playground in real browsers: a composed request the policy refuses is shown
//! blocked, with the layer's reason and fix; an invalid edit of the policy is refused with
//! every problem and changes nothing; the edit the fix asks for is applied through the page,
//! and the same request then goes through, its preflight answered with the header allowed.

use std::net::SocketAddr;

use serde_json::Value;

use crate::demo;
use crate::support::browser::{Browser, Engine, Page};

in_every_engine! {
    an_edit_of_the_policy_fixes_a_blocked_request,
}

/// Fills in the composer, presses Send and returns what the page then shows.
fn send(browser: &mut Browser, page: &Page, method: &str, path: &str, headers: &str) -> Value {
    let script = format!(
        r#"(async () => {{
            document.getElementById("method").value = {method};
            document.getElementById("path").value = {path};
            document.getElementById("headers").value = {headers};
            document.getElementById("credentials").checked = false;
            document.getElementById("send").click();
            return await window.lastSend;
        }})()"#,
        method = Value::from(method),
        path = Value::from(path),
        headers = Value::from(headers),
    );
    browser.eval(page, &script)
}

/// Puts `policy` in the editor, presses Apply and returns what the page then shows.
fn apply(browser: &mut Browser, page: &Page, policy: &str) -> Value {
    let script = format!(
        r#"(async () => {{
            document.getElementById("policy").value = {policy};
            document.getElementById("apply").click();
            return await window.lastApply;
        }})()"#,
        policy = Value::from(policy),
    );
    browser.eval(page, &script)
}

fn text(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

fn an_edit_of_the_policy_fixes_a_blocked_request(engine: Engine) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let any_port = SocketAddr::from(([127, 0, 0, 1], 0));
    let demo = runtime.block_on(demo::start(any_port, any_port)).unwrap();
    let origin = demo.page_origin.clone();

    let Some(mut browser) = engine.start(&[]) else {
        return;
    };
    let page = browser.open(&format!("{origin}/"));

    // The editor shows the policy the API runs.
    let initial = demo.policy.text();
    assert!(initial.contains(&format!(r#"allow_origins = ["{origin}"]"#)));
    let shown = browser.eval(&page, r#"document.getElementById("policy").value"#);
    assert_eq!(text(&shown), initial);

    // A header the policy does not allow: the browser blocks the request, and the page shows
    // why and what to change, next to each other.
    let blocked = send(&mut browser, &page, "PUT", "/api/items/1", "x-trace-id: 7");
    assert!(
        text(&blocked["outcome"]).starts_with("blocked: the script cannot read the answer"),
        "{blocked}"
    );
    assert_eq!(
        text(&blocked["reason"]),
        r#"reason: preflight denied: the header "x-trace-id" is not allowed"#,
        "{blocked}"
    );
    assert_eq!(
        text(&blocked["fix"]),
        r#"fix: add "x-trace-id" to allow_headers"#,
        "{blocked}"
    );
    // The exchange: the preflight alone (the browser sent nothing after its refusal), asking
    // for the header and answered without any grant.
    let exchange = blocked["exchange"].as_array().unwrap();
    assert_eq!(exchange.len(), 1, "{blocked}");
    assert_eq!(exchange[0]["kind"], "preflight", "{blocked}");
    let preflight = text(&exchange[0]["text"]);
    assert!(
        preflight.starts_with("preflight: OPTIONS /api/items/1 → 204"),
        "{preflight}"
    );
    assert!(
        preflight.contains("access-control-request-method: PUT"),
        "{preflight}"
    );
    assert!(
        preflight.contains("access-control-request-headers: x-trace-id"),
        "{preflight}"
    );
    assert!(!preflight.contains("access-control-allow-"), "{preflight}");

    // An invalid policy: every problem is listed, and the API keeps its policy.
    let broken = initial.replace(&origin, &format!("{origin}/")).replace(
        "max_age_secs = 0",
        "max_age_secs = 0\npreflight_status = 99",
    );
    let refused = apply(&mut browser, &page, &broken);
    assert_eq!(
        text(&refused["result"]),
        "refused: the API keeps its current policy",
        "{refused}"
    );
    let problems = refused["details"].as_array().unwrap();
    assert_eq!(problems.len(), 2, "{refused}");
    assert!(
        text(&problems[0]).starts_with(&format!(
            r#"allow_origins[0]: "{origin}/" has a trailing slash"#
        )),
        "{refused}"
    );
    assert!(
        text(&problems[1]).starts_with(r#"preflight_status: "99" is not an HTTP status code"#),
        "{refused}"
    );
    assert_eq!(demo.policy.text(), initial);
    let still = send(&mut browser, &page, "GET", "/api/hello", "");
    assert!(
        text(&still["outcome"]).starts_with("readable: 200"),
        "{still}"
    );
    let still = send(&mut browser, &page, "PUT", "/api/items/2", "x-trace-id: 7");
    assert!(text(&still["outcome"]).starts_with("blocked"), "{still}");

    // The fix, made through the page.
    let fixed = initial.replace(r#""x-custom"]"#, r#""x-custom", "x-trace-id"]"#);
    assert_ne!(fixed, initial);
    let applied = apply(&mut browser, &page, &fixed);
    assert_eq!(
        text(&applied["result"]),
        "applied: the API runs this policy now",
        "{applied}"
    );
    assert_eq!(applied["details"], Value::Array(Vec::new()), "{applied}");
    assert_eq!(demo.policy.text(), fixed);

    // The same request, on another path so that no cached preflight answer is in the way.
    let allowed = send(&mut browser, &page, "PUT", "/api/items/3", "x-trace-id: 7");
    assert!(
        text(&allowed["outcome"]).starts_with("readable: 200"),
        "{allowed}"
    );
    assert_eq!(
        text(&allowed["reason"]),
        "reason: allowed: the browser lets the page read the answer",
        "{allowed}"
    );
    assert_eq!(text(&allowed["fix"]), "fix: none needed", "{allowed}");
    let exchange = allowed["exchange"].as_array().unwrap();
    assert_eq!(exchange.len(), 2, "{allowed}");
    assert_eq!(exchange[0]["kind"], "preflight", "{allowed}");
    let preflight = text(&exchange[0]["text"]);
    assert!(
        preflight.starts_with("preflight: OPTIONS /api/items/3 → 204"),
        "{preflight}"
    );
    assert!(
        preflight.contains("access-control-allow-headers: content-type, x-custom, x-trace-id"),
        "{preflight}"
    );
    assert!(
        preflight.contains("layer: preflight allowed"),
        "{preflight}"
    );
    assert_eq!(exchange[1]["kind"], "request", "{allowed}");
    let request = text(&exchange[1]["text"]);
    assert!(
        request.starts_with("request: PUT /api/items/3 → 200"),
        "{request}"
    );
    assert!(
        request.contains(&format!("access-control-allow-origin: {origin}")),
        "{request}"
    );
    assert!(request.contains("layer: request allowed"), "{request}");

    // A reloaded page shows the policy now in force.
    let page = browser.open(&format!("{origin}/"));
    let shown = browser.eval(&page, r#"document.getElementById("policy").value"#);
    assert_eq!(text(&shown), fixed);
}

/// The policy the page shows (the configuration file's text) is the one the demo starts with
/// (made with the builder, so that the demo runs without the `serde` feature too).
#[test]
fn the_policy_text_is_the_policy_the_demo_starts_with() {
    use http::{header, Request};

    let origin = "http://localhost:3000";
    let from_text = demo::playground::parse(&demo::playground::initial_policy(origin)).unwrap();
    let built = demo::playground::initial_layer(origin).unwrap();
    let requests = [
        ("GET", origin, None, None),
        ("GET", "http://localhost:3001", None, None),
        (
            "OPTIONS",
            origin,
            Some("PUT"),
            Some("content-type, x-custom"),
        ),
        ("OPTIONS", origin, Some("DELETE"), None),
        ("OPTIONS", origin, Some("PUT"), Some("x-trace-id")),
    ];
    for (method, from, wanted, headers) in requests {
        let mut request = Request::builder()
            .method(method)
            .uri("/api/items/1")
            .header(header::ORIGIN, from);
        if let Some(wanted) = wanted {
            request = request.header(header::ACCESS_CONTROL_REQUEST_METHOD, wanted);
        }
        if let Some(headers) = headers {
            request = request.header(header::ACCESS_CONTROL_REQUEST_HEADERS, headers);
        }
        let request = request.body(()).unwrap();
        assert_eq!(
            from_text.headers_for(&request),
            built.headers_for(&request),
            "{method} from {from}"
        );
    }
}
