//! What browsers make of the layer behind caches and stacked headers, and of a set of
//! policies: a stylesheet loaded without CORS and then fetched from the cache, an upstream
//! that grants everyone by itself, and two pages on two origins given different grants by one
//! layer.

use axum::http::Method;
use serde_json::json;
use tower_cors::{Any, CorsLayer};

use super::browser::{fetch, start_api, start_page, HOSTS};
use crate::support::browser::Engine;

in_every_engine! {
    a_public_resource_cached_without_cors_serves_a_later_fetch,
    an_upstreams_own_grant_never_reaches_a_refused_page,
    two_pages_two_grants_from_one_layer,
}

fn a_public_resource_cached_without_cors_serves_a_later_fetch(engine: Engine) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let page_port = start_page(&runtime);
    let api = start_api(&runtime, CorsLayer::permissive());
    let Some(mut browser) = engine.start(HOSTS) else {
        return;
    };
    let page = browser.open(&format!("http://app.example.test:{page_port}/"));
    // A plain stylesheet load: no Origin, no CORS. The answer may be cached (max-age=600).
    let loaded = browser.eval(
        &page,
        &format!(
            "new Promise(done => {{ const link = document.createElement('link'); \
             link.rel = 'stylesheet'; link.href = {}; \
             link.onload = () => done('loaded'); link.onerror = () => done('failed'); \
             document.head.appendChild(link); }})",
            json!(api.url("/asset"))
        ),
    );
    assert_eq!(loaded, json!("loaded"), "in {engine}");
    let answered = api.answered();
    assert_eq!(answered.len(), 1, "in {engine}");
    // What a cache keeps for every later request of any page, whichever engine stored it.
    assert_eq!(
        answered[0].allow_origin.as_deref(),
        Some("*"),
        "the plain load's answer, in {engine}"
    );
    // The same URL from a script, in CORS mode: whether the browser takes the cached answer or
    // asks again, the page can read it, because the open policy said `*` to the plain load too.
    let r = fetch(&mut browser, &page, &api, "/asset", json!({}));
    assert!(r.readable(), "{r}");
    assert_eq!(r.page["body"], "body { color: black }", "{r}");
    // Chromium serves the fetch from the cached plain load (the case that breaks when the
    // plain load got no `*`); Firefox and WebKit may ask the API again.
    if matches!(engine, Engine::Chromium) {
        assert!(r.answers().is_empty(), "served from the cache: {r}");
    }
}

fn an_upstreams_own_grant_never_reaches_a_refused_page(engine: Engine) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let page_port = start_page(&runtime);
    let api = start_api(
        &runtime,
        CorsLayer::builder().allow_origins([format!("http://app.example.test:{page_port}")]),
    );
    let Some(mut browser) = engine.start(HOSTS) else {
        return;
    };
    // The upstream says `Access-Control-Allow-Origin: *` for everyone; the layer's policy
    // decides instead.
    let refused = browser.open(&format!("http://evil.test:{page_port}/"));
    let r = fetch(&mut browser, &refused, &api, "/leaky", json!({}));
    assert!(r.blocked(), "{r}");
    assert_eq!(r.answers(), ["GET 200"], "{r}");
    let allowed = browser.open(&format!("http://app.example.test:{page_port}/"));
    let r = fetch(&mut browser, &allowed, &api, "/leaky", json!({}));
    assert!(r.readable(), "{r}");
    // Nor does the upstream's exposure of x-secret reach the allowed page.
    assert_eq!(r.page["secret"], json!(null), "{r}");
}

fn two_pages_two_grants_from_one_layer(engine: Engine) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let page_port = start_page(&runtime);
    let app = format!("http://app.example.test:{page_port}");
    let admin = format!("http://deep.app.example.test:{page_port}");
    let api = start_api(
        &runtime,
        CorsLayer::builder()
            // The last resort: the app may read, not write.
            .allow_origins([app.clone()])
            .allow_methods([Method::GET])
            // The admin front-end may also store and delete.
            .policy(
                CorsLayer::builder()
                    .allow_origins([admin.clone()])
                    .allow_methods([Method::GET, Method::PUT, Method::DELETE])
                    .allow_headers(["content-type"]),
            )
            // Error pages are open to everyone.
            .policy(CorsLayer::builder().paths(["/boom"]).allow_origin(Any)),
    );
    let Some(mut browser) = engine.start(HOSTS) else {
        return;
    };
    let delete = json!({ "method": "DELETE" });

    let app_page = browser.open(&format!("{app}/"));
    let r = fetch(&mut browser, &app_page, &api, "/data", json!({}));
    assert!(r.readable(), "{r}");
    let r = fetch(&mut browser, &app_page, &api, "/data", delete.clone());
    assert!(r.blocked(), "{r}");
    assert_eq!(
        r.answers(),
        ["OPTIONS 204"],
        "the DELETE is never sent: {r}"
    );

    let admin_page = browser.open(&format!("{admin}/"));
    let r = fetch(&mut browser, &admin_page, &api, "/data", delete);
    assert!(r.readable(), "{r}");
    assert_eq!(r.page["body"], "deleted", "{r}");
    assert_eq!(r.answers(), ["OPTIONS 204", "DELETE 200"], "{r}");

    let stranger = browser.open(&format!("http://evil.test:{page_port}/"));
    let r = fetch(&mut browser, &stranger, &api, "/data", json!({}));
    assert!(r.blocked(), "{r}");
    let r = fetch(&mut browser, &stranger, &api, "/boom", json!({}));
    assert!(r.readable(), "{r}");
    assert_eq!(r.page["status"], 500, "{r}");
}
