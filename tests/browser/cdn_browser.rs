//! The static server example (`ServeDir` behind `*`) in real browsers: a page on another
//! origin links the server's stylesheet, whose `@font-face` font is a CORS load. With the
//! grant `document.fonts` reports the font loaded; with a policy that refuses the page, the
//! browser drops it. The same font loaded first without CORS, then by `@font-face`, loads too.

#[allow(dead_code)]
#[path = "../../examples/cdn.rs"]
mod cdn;

use std::sync::{Arc, Mutex};

use axum::extract::Request;
use axum::http::header;
use axum::middleware::{self, Next};
use axum::response::Html;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use tower_cors::{AllowOrigin, CorsLayer};

use crate::support::browser::Engine;
use crate::support::serve;

in_every_engine! {
    a_page_on_another_origin_loads_the_web_font,
    a_font_loaded_without_cors_first_still_loads_by_font_face,
}

const HOSTS: &[&str] = &["shop.example.test", "cdn.example.test"];

/// Each font request the server answered: whether it carried `Origin`, and the
/// `Access-Control-Allow-Origin` it got.
type Log = Arc<Mutex<Vec<(bool, Option<String>)>>>;

/// Serves `examples/static/` behind `cors` on cdn.example.test; its origin and its font log.
fn start_cdn(runtime: &tokio::runtime::Runtime, cors: CorsLayer) -> (String, Log) {
    let log = Log::default();
    let writer = log.clone();
    let app = cdn::app(&cdn::default_dir(), cors).layer(middleware::from_fn(
        move |request: Request, next: Next| {
            let log = writer.clone();
            async move {
                let font = request.uri().path().ends_with(".ttf");
                let origin = request.headers().contains_key(header::ORIGIN);
                let response = next.run(request).await;
                if font {
                    let granted = response
                        .headers()
                        .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
                        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
                    log.lock().unwrap().push((origin, granted));
                }
                response
            }
        },
    ));
    let port = runtime.block_on(serve(app)).port();
    (format!("http://cdn.example.test:{port}"), log)
}

/// A page that links a server's stylesheet and reports what became of its font.
const PAGE: &str = r#"<!doctype html><meta charset="utf-8"><title>customer</title>
<p style="font-family: Square, monospace">A</p>
<script>
async function useFont(cdn) {
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = cdn + "/fonts.css";
  await new Promise((done, fail) => {
    link.onload = done;
    link.onerror = () => fail(new Error("the stylesheet did not load"));
    document.head.appendChild(link);
  });
  try {
    await document.fonts.load('16px "Square"');
  } catch (error) {}
  const faces = [];
  document.fonts.forEach(face => faces.push(face));
  const square = faces.find(face => face.family.replace(/"/g, "") === "Square");
  return {
    status: square ? square.status : "absent",
    check: document.fonts.check('16px "Square"'),
  };
}
</script>"#;

fn start_page(runtime: &tokio::runtime::Runtime) -> String {
    let app = Router::new().route("/", get(|| async { Html(PAGE) }));
    let port = runtime.block_on(serve(app)).port();
    format!("http://shop.example.test:{port}")
}

fn loaded() -> Value {
    json!({ "status": "loaded", "check": true })
}

fn a_page_on_another_origin_loads_the_web_font(engine: Engine) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let shop = start_page(&runtime);
    let (open, open_log) = start_cdn(&runtime, cdn::policy().build().unwrap());
    let refusing = CorsLayer::builder()
        .allow_origin(AllowOrigin::none())
        .build()
        .unwrap();
    let (closed, closed_log) = start_cdn(&runtime, refusing);
    let Some(mut browser) = engine.start(HOSTS) else {
        return;
    };

    // Chromium and Firefox load `@font-face` fonts in CORS mode; WebKit loads them without
    // `Origin` and checks nothing, so there a font needs no grant.
    let cors_mode = engine != Engine::WebKit;
    let page = browser.open(&format!("{shop}/"));
    let font = browser.eval(&page, &format!("useFont({})", json!(open)));
    assert_eq!(font, loaded(), "in {engine}");
    let answered = open_log.lock().unwrap().clone();
    assert_eq!(
        answered,
        [(cors_mode, Some("*".to_owned()))],
        "in {engine}, one request for the font, granted"
    );
    // A script reading the font file: a CORS request in every engine.
    let read = browser.eval(&page, &read_font(&open));
    assert_eq!(read, json!(656), "in {engine}: the font's size");

    // Without the grant the stylesheet still loads; the font does not, where it is a CORS
    // load, and no script can read the file.
    let page = browser.open(&format!("{shop}/"));
    let font = browser.eval(&page, &format!("useFont({})", json!(closed)));
    if cors_mode {
        assert_eq!(font["status"], "error", "in {engine}: {font}");
        assert_eq!(font["check"], false, "in {engine}: {font}");
    } else {
        assert_eq!(font, loaded(), "in {engine}");
    }
    let read = browser.eval(&page, &read_font(&closed));
    assert_eq!(read, "refused", "in {engine}");
    let answered = closed_log.lock().unwrap().clone();
    assert!(
        answered.iter().filter(|(cors, _)| *cors).count() >= 1
            && answered.iter().all(|(_, grant)| grant.is_none()),
        "in {engine}, the server answered without a grant: {answered:?}"
    );
}

/// A script that fetches the font file from `cdn` and returns its size, or `"refused"`.
fn read_font(cdn: &str) -> String {
    format!(
        "fetch({}).then(r => r.arrayBuffer()).then(b => b.byteLength, () => 'refused')",
        json!(format!("{cdn}/fonts/square.ttf"))
    )
}

fn a_font_loaded_without_cors_first_still_loads_by_font_face(engine: Engine) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let shop = start_page(&runtime);
    let (cdn, log) = start_cdn(&runtime, cdn::policy().build().unwrap());
    let Some(mut browser) = engine.start(HOSTS) else {
        return;
    };
    let page = browser.open(&format!("{shop}/"));
    // A plain load first, as a preload without `crossorigin` or an old page would make it:
    // no `Origin`, and an answer the browser may keep (max-age=86400).
    let plain = browser.eval(
        &page,
        &format!(
            "fetch({}, {{ mode: 'no-cors' }}).then(r => r.type)",
            json!(format!("{cdn}/fonts/square.ttf"))
        ),
    );
    assert_eq!(plain, "opaque", "in {engine}");
    assert_eq!(
        log.lock().unwrap()[0],
        (false, Some("*".to_owned())),
        "in {engine}: the answer a cache keeps grants everyone"
    );
    // Then the same URL by `@font-face`, in CORS mode: from the cache or asked again, it loads.
    let font = browser.eval(&page, &format!("useFont({})", json!(cdn)));
    assert_eq!(font, loaded(), "in {engine}: {:?}", log.lock().unwrap());
    // Chromium takes the font from the cache: the case that breaks when the plain load got no
    // `*`.
    if engine == Engine::Chromium {
        assert_eq!(log.lock().unwrap().len(), 1, "served from the cache");
    }
}
