//! The widget example in real browsers: a customer's page loads the widget's script from the
//! widget's host and calls its API. A registered origin can; an unregistered one cannot; an
//! origin inserted into the tenant table can within a second, with the same server running,
//! and cannot within a second of its removal.

#[allow(dead_code)]
#[path = "../../examples/widget.rs"]
mod widget;

use std::time::Duration;

use axum::response::Html;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

use crate::support::browser::{Browser, Engine, Page};
use crate::support::serve;

in_every_engine! {
    a_tenants_page_calls_the_widget_from_registration_to_removal,
}

const HOSTS: &[&str] = &[
    "shop.example.test",
    "blog.example.test",
    "widget.example.test",
];

/// The longest a page may wait for an insert or a removal to take effect.
const WITHIN: Duration = Duration::from_secs(1);

/// A customer's page: the widget's script, and a helper that repeats a call until it succeeds
/// or fails as wanted (or `limit` ms pass), saying how long that took.
const PAGE: &str = r#"<!doctype html><meta charset="utf-8"><title>customer</title>
<script src="WIDGET/widget.js"></script>
<script>
async function attempt(call) {
  try {
    return { ok: true, ...(await call()) };
  } catch (error) {
    return { ok: false, error: String(error) };
  }
}
async function until(call, ok, limit) {
  const start = performance.now();
  for (;;) {
    const result = await attempt(call);
    const ms = performance.now() - start;
    if (result.ok === ok || ms > limit) return { ...result, ms };
    await new Promise(done => setTimeout(done, 10));
  }
}
</script>"#;

/// Serves the customer's page, loading the widget from `widget`, on every host name.
async fn start_page(widget: String) -> u16 {
    let app = Router::new().route(
        "/",
        get(move || {
            let page = PAGE.replace("WIDGET", &widget);
            async move { Html(page) }
        }),
    );
    serve(app).await.port()
}

fn call(browser: &mut Browser, page: &Page, call: &str) -> Value {
    browser.eval(page, &format!("attempt(() => {call})"))
}

/// Repeats `call` until its outcome is `ok`; the last result, with `ms`.
fn until(browser: &mut Browser, page: &Page, call: &str, ok: bool) -> Value {
    let limit = WITHIN.as_millis() * 3;
    browser.eval(page, &format!("until(() => {call}, {ok}, {limit})"))
}

fn a_tenants_page_calls_the_widget_from_registration_to_removal(engine: Engine) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tenants.sqlite3");
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let api = runtime
        .block_on(widget::start(listener, &db, widget::POLL))
        .unwrap();
    let api_origin = format!("http://widget.example.test:{}", api.addr.port());
    let page_port = runtime.block_on(start_page(api_origin));
    let shop = format!("http://shop.example.test:{page_port}");
    let blog = format!("http://blog.example.test:{page_port}");
    let admin = widget::open(&db).unwrap();
    widget::register(&admin, "acme", &shop).unwrap();

    let Some(mut browser) = engine.start(HOSTS) else {
        return;
    };
    let greet = "widget.greet()";
    let send = r#"widget.send("hello")"#;

    // A registered origin: reads, and posts JSON (preflighted).
    let shop_page = browser.open(&format!("{shop}/"));
    let r = until(&mut browser, &shop_page, greet, true);
    assert_eq!(r["ok"], true, "in {engine}: {r}");
    assert_eq!(r["body"]["tenant"], "acme", "in {engine}: {r}");
    let r = call(&mut browser, &shop_page, send);
    assert_eq!(r["status"], 201, "in {engine}: {r}");
    assert_eq!(r["body"], json!({ "tenant": "acme", "received": "hello" }));

    // An origin nobody registered: neither call goes through.
    let blog_page = browser.open(&format!("{blog}/"));
    for what in [greet, send] {
        let r = call(&mut browser, &blog_page, what);
        assert_eq!(r["ok"], false, "in {engine}, {what} from {blog}: {r}");
    }

    // The tenant adds its blog, with the server running: the same page gets in.
    widget::register(&admin, "acme", &blog).unwrap();
    let r = until(&mut browser, &blog_page, greet, true);
    assert_eq!(r["ok"], true, "in {engine}: {r}");
    assert!(
        r["ms"].as_f64().unwrap() < WITHIN.as_secs_f64() * 1000.0,
        "{r}"
    );
    assert_eq!(r["body"]["tenant"], "acme", "in {engine}: {r}");
    let r = call(&mut browser, &blog_page, send);
    assert_eq!(r["status"], 201, "in {engine}: {r}");

    // And removes it: the page is out again, for reads and for posts, although its browser
    // keeps the preflight (max-age 600 s).
    assert!(widget::unregister(&admin, &blog).unwrap());
    let r = until(&mut browser, &blog_page, greet, false);
    assert_eq!(r["ok"], false, "in {engine}: {r}");
    assert!(
        r["ms"].as_f64().unwrap() < WITHIN.as_secs_f64() * 1000.0,
        "{r}"
    );
    let r = call(&mut browser, &blog_page, send);
    assert_eq!(r["ok"], false, "in {engine}: {r}");

    // The registered origin never stopped working.
    let r = call(&mut browser, &shop_page, greet);
    assert_eq!(r["body"]["tenant"], "acme", "in {engine}: {r}");
}
