//! The public API example (`*`, no credentials) in real browsers: any page reads it and the
//! exposed rate limit; a credentialed call is refused by the browser although the API
//! answered; an API key in `Authorization` goes through because the policy lists the header,
//! and fails its preflight under a policy of "any header", which does not cover it.

#[allow(dead_code)]
#[path = "../../examples/public_api.rs"]
mod public_api;

use std::sync::{Arc, Mutex};

use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Html;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use tower_cors::{AllowHeaders, CorsLayer};

use crate::support::browser::{Browser, Engine, Page};
use crate::support::serve;

in_every_engine! {
    every_page_reads_the_public_api_without_credentials,
}

const HOSTS: &[&str] = &["anyone.example.test", "api.example.test"];

/// A public API on api.example.test and the requests it answered (`METHOD STATUS`).
struct Api {
    origin: String,
    answered: Arc<Mutex<Vec<String>>>,
}

fn start_api(runtime: &tokio::runtime::Runtime, cors: CorsLayer) -> Api {
    let answered = Arc::new(Mutex::new(Vec::new()));
    let writer = answered.clone();
    let app =
        public_api::app(cors).layer(middleware::from_fn(move |request: Request, next: Next| {
            let log = writer.clone();
            async move {
                let method = request.method().clone();
                let response = next.run(request).await;
                log.lock()
                    .unwrap()
                    .push(format!("{method} {}", response.status().as_u16()));
                response
            }
        }));
    let port = runtime.block_on(serve(app)).port();
    Api {
        origin: format!("http://api.example.test:{port}"),
        answered,
    }
}

const PAGE: &str = r#"<!doctype html><meta charset="utf-8"><title>anyone</title>
<script>
async function probe(url, init) {
  try {
    const response = await fetch(url, init);
    return {
      ok: true,
      status: response.status,
      body: await response.text(),
      remaining: response.headers.get("x-ratelimit-remaining"),
    };
  } catch (error) {
    return { ok: false, error: String(error) };
  }
}
</script>"#;

/// What the page got from `path` on `api` with `init`, and what the API answered meanwhile.
fn call(
    browser: &mut Browser,
    page: &Page,
    api: &Api,
    path: &str,
    init: Value,
) -> (Value, Vec<String>) {
    let before = api.answered.lock().unwrap().len();
    let url = json!(format!("{}{path}", api.origin));
    let got = browser.eval(page, &format!("probe({url}, {init})"));
    let answered = api.answered.lock().unwrap()[before..].to_vec();
    (got, answered)
}

fn every_page_reads_the_public_api_without_credentials(engine: Engine) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let api = start_api(&runtime, public_api::policy().build().unwrap());
    let star_headers = start_api(
        &runtime,
        public_api::policy()
            .allow_headers(AllowHeaders::any())
            .build()
            .unwrap(),
    );
    let page_app = Router::new().route("/", get(|| async { Html(PAGE) }));
    let page_port = runtime.block_on(serve(page_app)).port();
    let Some(mut browser) = engine.start(HOSTS) else {
        return;
    };
    let page = browser.open(&format!("http://anyone.example.test:{page_port}/"));

    // Anyone reads the open data and the exposed rate limit, without a preflight.
    let (r, answered) = call(&mut browser, &page, &api, "/v1/quotes", json!({}));
    assert_eq!(r["ok"], true, "in {engine}: {r}");
    assert!(r["body"].as_str().unwrap().contains("KTL"), "{r}");
    assert_eq!(r["remaining"], "59", "in {engine}: {r}");
    assert_eq!(answered, ["GET 200"], "in {engine}");

    // With credentials: the API answered, the browser hides the answer from the page.
    let include = json!({ "credentials": "include" });
    let (r, answered) = call(&mut browser, &page, &api, "/v1/quotes", include);
    assert_eq!(r["ok"], false, "in {engine}: {r}");
    assert_eq!(answered, ["GET 200"], "in {engine}");

    // An API key: preflighted, allowed because `Authorization` is listed.
    let key = json!({ "headers": { "authorization": format!("Bearer {}", public_api::API_KEY) } });
    let (r, answered) = call(&mut browser, &page, &api, "/v1/usage", key.clone());
    assert_eq!(r["ok"], true, "in {engine}: {r}");
    assert_eq!(r["status"], 200, "in {engine}: {r}");
    assert_eq!(r["remaining"], "58", "in {engine}: {r}");
    assert_eq!(answered, ["OPTIONS 204", "GET 200"], "in {engine}");
    // A wrong key: the page reads the 401.
    let wrong = json!({ "headers": { "authorization": "Bearer wrong" } });
    let (r, _) = call(&mut browser, &page, &api, "/v1/usage", wrong);
    assert_eq!(r["status"], 401, "in {engine}: {r}");

    // Under `Access-Control-Allow-Headers: *` the preflight fails: `*` is not `Authorization`.
    let (r, answered) = call(&mut browser, &page, &star_headers, "/v1/usage", key);
    assert_eq!(r["ok"], false, "in {engine}: {r}");
    assert_eq!(
        answered,
        ["OPTIONS 204"],
        "in {engine}: the GET is never sent"
    );
    // Other headers it does cover.
    let custom = json!({ "headers": { "x-client": "1" } });
    let (r, answered) = call(&mut browser, &page, &star_headers, "/v1/quotes", custom);
    assert_eq!(r["ok"], true, "in {engine}: {r}");
    assert_eq!(answered, ["OPTIONS 204", "GET 200"], "in {engine}");
}
