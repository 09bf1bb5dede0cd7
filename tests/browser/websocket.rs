//! WebSockets from real pages: a page on an allowed origin connects to the example's `/chat`
//! and exchanges a message; a page on another origin cannot, and the handler never runs.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use serde_json::{json, Value};

use super::browser::{start_page, HOSTS};
use crate::support::browser::Engine;
use crate::support::serve;

#[path = "../../examples/websocket.rs"]
#[allow(dead_code)]
mod example;

in_every_engine! {
    websockets_open_only_from_admitted_origins,
}

/// Opens a WebSocket to `url` from the page, sends `hello` and waits for the reply.
fn connect_script(url: &str) -> String {
    format!(
        r#"new Promise((resolve) => {{
  const socket = new WebSocket({url});
  const timer = setTimeout(() => resolve({{ ok: false, timeout: true }}), 10000);
  socket.onopen = () => socket.send("hello");
  socket.onmessage = (event) => {{ clearTimeout(timer); resolve({{ ok: true, reply: event.data }}); socket.close(); }};
  socket.onerror = () => {{ clearTimeout(timer); resolve({{ ok: false }}); }};
}})"#,
        url = json!(url)
    )
}

fn websockets_open_only_from_admitted_origins(engine: Engine) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let page_port = start_page(&runtime);
    let app_origin = format!("http://app.example.test:{page_port}");
    let handlers = Arc::new(AtomicUsize::new(0));
    let api = runtime.block_on(serve(example::app(
        example::cors(&[&app_origin]),
        handlers.clone(),
    )));
    let url = format!("ws://api.example.test:{}/chat", api.port());

    let Some(mut browser) = engine.start(HOSTS) else {
        return;
    };
    let page = browser.open(&format!("{app_origin}/"));
    let result: Value = browser.eval(&page, &connect_script(&url));
    assert_eq!(result["ok"], json!(true), "{engine:?}: {result}");
    assert_eq!(
        result["reply"],
        json!("echo: hello"),
        "{engine:?}: {result}"
    );
    assert_eq!(handlers.load(Ordering::SeqCst), 1);

    let evil = browser.open(&format!("http://evil.test:{page_port}/"));
    let result: Value = browser.eval(&evil, &connect_script(&url));
    assert_eq!(result["ok"], json!(false), "{engine:?}: {result}");
    assert_eq!(
        result.get("timeout"),
        None,
        "refused, not timed out: {result}"
    );
    assert_eq!(
        handlers.load(Ordering::SeqCst),
        1,
        "the handler never ran for the refused handshake"
    );
}
