//! The demo in real browsers: Chromium, Firefox and WebKit each load the page from one origin
//! (localhost), press every button, and each outcome is what the policy says; next to each
//! blocked button the page shows the layer's reason and fix, fetched from its own server.

use std::net::SocketAddr;

use serde_json::Value;

use crate::demo;
use crate::support::browser::Engine;

in_every_engine! {
    every_demo_button_behaves_as_documented,
}

fn every_demo_button_behaves_as_documented(engine: Engine) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let any_port = SocketAddr::from(([127, 0, 0, 1], 0));
    let demo = runtime.block_on(demo::start(any_port, any_port)).unwrap();

    let Some(mut browser) = engine.start(&[]) else {
        return;
    };
    let page = browser.open(&format!("{}/", demo.page_origin));
    assert_eq!(
        browser.eval(&page, "location.origin"),
        Value::from(demo.page_origin.clone())
    );
    let results = browser.eval(
        &page,
        r#"(async () => {
            const out = {};
            for (const button of document.querySelectorAll("button[data-test]")) {
                button.click();
                out[button.dataset.test] = await window.lastRun;
            }
            return out;
        })()"#,
    );
    let outcome = |name: &str| {
        results[name]["outcome"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    let layer_said = |name: &str| {
        results[name]["layer"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };

    assert_eq!(outcome("simple"), "allowed: 200", "{results}");
    assert_eq!(outcome("preflight"), "allowed: 200", "{results}");
    assert_eq!(outcome("credentials"), "allowed: 200", "{results}");
    let exposed = outcome("exposed");
    assert!(
        exposed.starts_with("allowed: 200; x-request-id="),
        "{exposed}"
    );
    assert!(!exposed.contains("x-request-id=hidden"), "{exposed}");
    assert!(exposed.ends_with("x-internal=hidden"), "{exposed}");
    assert_eq!(outcome("error"), "allowed: 404", "{results}");
    assert!(
        outcome("denied-header").starts_with("blocked by the browser"),
        "{results}"
    );
    assert!(
        outcome("denied-method").starts_with("blocked by the browser"),
        "{results}"
    );

    // The page shows, next to each blocked button, what the layer said and the fix...
    assert_eq!(
        layer_said("denied-header"),
        r#"layer: preflight denied: the header "x-forbidden" is not allowed — fix: add "x-forbidden" to allow_headers"#,
        "{results}"
    );
    assert_eq!(
        layer_said("denied-method"),
        r#"layer: preflight denied: the method "DELETE" is not allowed (methods are case-sensitive) — fix: add "DELETE" to allow_methods"#,
        "{results}"
    );
    // ...and nothing next to the others.
    for name in ["simple", "preflight", "credentials", "exposed", "error"] {
        assert_eq!(layer_said(name), "", "{name}: {results}");
    }

    // The server side explains the two refusals.
    let denials = demo.denials.lock().unwrap().clone();
    assert!(
        denials
            .iter()
            .any(|d| d.contains(r#"preflight denied: the header "x-forbidden" is not allowed"#)),
        "{denials:?}"
    );
    assert!(
        denials
            .iter()
            .any(|d| d.contains(r#"preflight denied: the method "DELETE" is not allowed"#)),
        "{denials:?}"
    );
    assert_eq!(denials.len(), 2, "{denials:?}");
}
