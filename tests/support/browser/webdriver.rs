//! A small client of the W3C WebDriver protocol (HTTP and JSON), enough for the tests: a
//! session, windows, navigation and asynchronous scripts. Both geckodriver and WebKitWebDriver
//! speak it.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{json, Value};

use super::{Driver, Page, Process, Scratch};

/// A WebDriver session on a driver listening on loopback. Dropping it ends the session,
/// which closes the browser.
pub(super) struct Session {
    runtime: tokio::runtime::Runtime,
    client: reqwest::Client,
    /// `http://127.0.0.1:PORT/session/ID`
    base: String,
    /// The window commands go to.
    current: String,
    /// The window the session started with, until a page is opened in it.
    unused: Option<String>,
}

/// How a WebDriver command failed.
#[derive(Debug)]
pub(super) enum Failure {
    /// No answer over HTTP (the driver is not listening, or not yet).
    Unreachable(String),
    /// An answer with a WebDriver error.
    Error(Value),
}

impl Session {
    /// Waits up to `timeout` for `driver`, listening on `port`, to be ready, then asks it for a
    /// session with `capabilities` (the `alwaysMatch` object). An error when the driver never
    /// answered, or exited first.
    pub(super) fn new(
        driver: &mut Process,
        port: u16,
        capabilities: Value,
        timeout: Duration,
    ) -> Result<Self, Failure> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let client = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(90))
            .build()
            .unwrap();
        let root = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + timeout;
        loop {
            let status = send(
                &runtime,
                &client,
                Method::GET,
                &format!("{root}/status"),
                None,
            );
            match status {
                Ok(status) if status["ready"] == json!(true) => break,
                Err(Failure::Error(error)) => return Err(Failure::Error(error)),
                _ if driver.exited() => {
                    return Err(Failure::Unreachable(format!("{driver:?} exited")))
                }
                _ if Instant::now() >= deadline => {
                    return Err(Failure::Unreachable(format!(
                        "the WebDriver server on port {port} was not ready within {timeout:?}"
                    )))
                }
                _ => std::thread::sleep(Duration::from_millis(50)),
            }
        }
        let created = send(
            &runtime,
            &client,
            Method::POST,
            &format!("{root}/session"),
            Some(json!({ "capabilities": { "alwaysMatch": capabilities } })),
        )?;
        let id = created["sessionId"]
            .as_str()
            .expect("a new session has an id");
        let mut session = Self {
            runtime,
            client,
            base: format!("{root}/session/{id}"),
            current: String::new(),
            unused: None,
        };
        let first = session.command(Method::GET, "/window", None);
        session.current = first.as_str().expect("a window handle").to_owned();
        session.unused = Some(session.current.clone());
        session.command(
            Method::POST,
            "/timeouts",
            Some(json!({ "script": 30_000, "pageLoad": 30_000 })),
        );
        Ok(session)
    }

    /// Sends a command to the session (`path` is relative to it); its value, or a panic.
    fn command(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.base);
        send(&self.runtime, &self.client, method.clone(), &url, body)
            .unwrap_or_else(|failure| panic!("WebDriver {method} {path} failed: {failure:?}"))
    }

    fn switch_to(&mut self, handle: &str) {
        if self.current != handle {
            self.command(Method::POST, "/window", Some(json!({ "handle": handle })));
            self.current = handle.to_owned();
        }
    }

    /// Opens `url` in a new tab (the first time, in the window the session started with) and
    /// returns once it has loaded.
    pub(super) fn open(&mut self, url: &str) -> Page {
        let handle = match self.unused.take() {
            Some(first) => first,
            None => {
                let created =
                    self.command(Method::POST, "/window/new", Some(json!({ "type": "tab" })));
                created["handle"]
                    .as_str()
                    .expect("a new window has a handle")
                    .to_owned()
            }
        };
        self.switch_to(&handle);
        // Navigation returns once the page has loaded (page load strategy "normal").
        self.command(Method::POST, "/url", Some(json!({ "url": url })));
        Page { id: handle }
    }

    /// Evaluates `expression` in `page` through Execute Async Script, awaiting it when it is a
    /// promise; its value. A thrown exception or rejection fails the test.
    pub(super) fn eval(&mut self, page: &Page, expression: &str) -> Value {
        self.switch_to(&page.id);
        // The last argument of an asynchronous script is the callback that finishes it.
        let script = format!(
            "const finish = arguments[arguments.length - 1];\n\
             Promise.resolve().then(() => ({expression})).then(\n  \
               (value) => finish([true, value === undefined ? null : value]),\n  \
               (error) => finish([false, String(error && error.stack || error)]));"
        );
        let answer = self.command(
            Method::POST,
            "/execute/async",
            Some(json!({ "script": script, "args": [] })),
        );
        match (&answer[0], &answer[1]) {
            (Value::Bool(true), value) => value.clone(),
            (_, error) => panic!("JavaScript exception in `{expression}`: {error}"),
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // Ends the session, which makes the driver close the browser; whatever the answer,
        // the driver process is killed afterwards.
        let request = self
            .client
            .request(Method::DELETE, &self.base)
            .timeout(Duration::from_secs(15));
        let _ = self.runtime.block_on(async { request.send().await });
    }
}

/// One HTTP exchange with a WebDriver server: the answer's `value`, or how it failed.
fn send(
    runtime: &tokio::runtime::Runtime,
    client: &reqwest::Client,
    method: Method,
    url: &str,
    body: Option<Value>,
) -> Result<Value, Failure> {
    runtime.block_on(async {
        let mut request = client.request(method, url);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| Failure::Unreachable(e.to_string()))?;
        let status = response.status();
        let answer: Value = response
            .json()
            .await
            .map_err(|e| Failure::Unreachable(format!("{status}, not JSON: {e}")))?;
        let value = answer.get("value").cloned().unwrap_or(Value::Null);
        if status.is_success() {
            Ok(value)
        } else {
            Err(Failure::Error(value))
        }
    })
}

/// A browser behind a WebDriver server: the session, the driver process, whatever else the
/// browser needs while it runs, and its directory, dropped in that order.
pub(super) struct Remote {
    pub(super) session: Session,
    pub(super) driver: Process,
    /// For WebKit, its X server and its /etc/hosts line.
    pub(super) extra: Box<dyn std::any::Any>,
    pub(super) scratch: Scratch,
}

impl Driver for Remote {
    fn open(&mut self, url: &str) -> Page {
        self.session.open(url)
    }

    fn eval(&mut self, page: &Page, expression: &str) -> Value {
        self.session.eval(page, expression)
    }
}
