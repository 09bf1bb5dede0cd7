//! Headless Chromium over the DevTools protocol, on a WebSocket.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

use super::{locate, wait_for_line, Driver, Engine, Page, Process, Scratch};

/// The Chromium executable, if there is one.
pub(super) fn find() -> Option<PathBuf> {
    locate(
        "CHROMIUM",
        &["chromium", "chromium-browser", "google-chrome"],
        &[PathBuf::from("/usr/bin")],
    )
}

/// A running headless Chromium with its own profile, home and temporary directories.
pub(super) struct Chromium {
    socket: WebSocket<MaybeTlsStream<TcpStream>>,
    next_id: u64,
    // Dropped in this order: the browser, then its directory.
    _process: Process,
    _scratch: Scratch,
}

impl Chromium {
    pub(super) fn start(binary: &Path, hosts: &[&str]) -> Self {
        let scratch = Scratch::new(Engine::Chromium);
        let mut command = Command::new(binary);
        command
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--remote-debugging-port=0",
            ])
            .arg(format!(
                "--user-data-dir={}",
                scratch.path("profile").display()
            ));
        // The test host names resolve to 127.0.0.1, and no other name resolves at all:
        // Chromium looks up Google's hosts even with background networking disabled.
        let mut rules: Vec<String> = hosts
            .iter()
            .map(|host| format!("MAP {host} 127.0.0.1"))
            .collect();
        rules.extend(
            ["MAP * ~NOTFOUND", "EXCLUDE localhost", "EXCLUDE 127.0.0.1"].map(String::from),
        );
        command.arg(format!("--host-resolver-rules={}", rules.join(",")));
        command.arg("about:blank");
        scratch.environment(&mut command);
        let (process, lines) = Process::spawn(
            command,
            &binary.display().to_string(),
            "install Chromium with `apt-get install -y chromium`",
        );
        // Chromium prints "DevTools listening on ws://..." on stderr.
        let url = wait_for_line(
            &lines,
            "Chromium's DevTools address",
            Duration::from_secs(30),
            |line| {
                line.strip_prefix("DevTools listening on ")
                    .map(|url| url.trim().to_owned())
            },
        );
        let (socket, _) = tungstenite::connect(url.as_str()).expect("connect to DevTools");
        Self {
            socket,
            next_id: 1,
            _process: process,
            _scratch: scratch,
        }
    }

    /// Sends a command (on a page session when `session` is given) and waits for its answer.
    fn call(&mut self, session: Option<&str>, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = session {
            message["sessionId"] = json!(session);
        }
        self.socket
            .send(Message::text(message.to_string()))
            .expect("send to DevTools");
        loop {
            let reply = self.socket.read().expect("read from DevTools");
            let Message::Text(text) = reply else { continue };
            let value: Value = serde_json::from_str(text.as_str()).expect("DevTools JSON");
            if value["id"] == json!(id) {
                if let Some(error) = value.get("error") {
                    panic!("DevTools {method} failed: {error}");
                }
                return value["result"].clone();
            }
        }
    }
}

impl Driver for Chromium {
    fn open(&mut self, url: &str) -> Page {
        let target = self.call(None, "Target.createTarget", json!({ "url": "about:blank" }));
        let target_id = target["targetId"].as_str().unwrap().to_owned();
        let attached = self.call(
            None,
            "Target.attachToTarget",
            json!({ "targetId": target_id, "flatten": true }),
        );
        let session = attached["sessionId"].as_str().unwrap().to_owned();
        self.call(Some(&session), "Page.enable", json!({}));
        self.call(Some(&session), "Page.navigate", json!({ "url": url }));
        let page = Page { id: session };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let state = self.eval(&page, "document.readyState");
            if state == json!("complete") {
                break;
            }
            assert!(Instant::now() < deadline, "{url} did not load within 30 s");
            std::thread::sleep(Duration::from_millis(50));
        }
        page
    }

    fn eval(&mut self, page: &Page, expression: &str) -> Value {
        let result = self.call(
            Some(&page.id),
            "Runtime.evaluate",
            json!({ "expression": expression, "awaitPromise": true, "returnByValue": true }),
        );
        if let Some(exception) = result.get("exceptionDetails") {
            panic!("JavaScript exception in `{expression}`: {exception}");
        }
        result["result"]["value"].clone()
    }
}
