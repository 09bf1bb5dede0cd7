//! A headless Chromium driven over the DevTools protocol, for tests that need a real browser.
//!
//! Chromium comes from Debian's `chromium` package (`apt-get install -y chromium`); `.ci/run`
//! installs it. Without it the tests fail with a message saying so.

#![allow(dead_code)] // each test file uses a part

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

/// A running headless Chromium with its own profile, home and temporary directories.
pub(crate) struct Browser {
    child: Child,
    dir: PathBuf,
    socket: WebSocket<MaybeTlsStream<TcpStream>>,
    next_id: u64,
}

fn chromium_path() -> PathBuf {
    if let Ok(path) = std::env::var("CHROMIUM") {
        return PathBuf::from(path);
    }
    for candidate in [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ] {
        if Path::new(candidate).exists() {
            return PathBuf::from(candidate);
        }
    }
    panic!(
        "Chromium is required for the browser tests but was not found. Install it with \
         `apt-get install -y chromium` (Debian), or point the CHROMIUM environment variable \
         at a Chromium or Chrome binary."
    );
}

impl Browser {
    /// Starts Chromium. `extra` flags are added to the usual headless ones, e.g.
    /// `--host-resolver-rules=MAP *.test 127.0.0.1`.
    pub(crate) fn start(extra: &[&str]) -> Self {
        let binary = chromium_path();
        let dir = std::env::temp_dir().join(format!(
            "tower-cors-chromium-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        let profile = dir.join("profile");
        let home = dir.join("home");
        let tmp = dir.join("tmp");
        for d in [&profile, &home, &tmp] {
            std::fs::create_dir_all(d).unwrap();
        }
        let mut command = Command::new(&binary);
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
            .arg(format!("--user-data-dir={}", profile.display()))
            .args(extra)
            .arg("about:blank")
            .env("HOME", &home)
            .env("TMPDIR", &tmp)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = command.spawn().unwrap_or_else(|e| {
            panic!(
                "could not start {} ({e}); install Chromium with `apt-get install -y chromium`",
                binary.display()
            )
        });
        // Chromium prints "DevTools listening on ws://..." on stderr.
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut sent = false;
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if !sent {
                    if let Some(url) = line.strip_prefix("DevTools listening on ") {
                        let _ = tx.send(url.trim().to_owned());
                        sent = true;
                    }
                }
            }
        });
        let url = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("Chromium did not print its DevTools address within 30 s");
        let (socket, _) = tungstenite::connect(url.as_str()).expect("connect to DevTools");
        Self {
            child,
            dir,
            socket,
            next_id: 1,
        }
    }

    /// Sends a command (on a page session when `session` is given) and waits for its answer.
    pub(crate) fn call(&mut self, session: Option<&str>, method: &str, params: Value) -> Value {
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

    /// Opens a new tab on `url`, waits until it has loaded, and returns its session.
    pub(crate) fn open(&mut self, url: &str) -> Page {
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
        let page = Page { session };
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

    /// Evaluates a JavaScript expression in the page, awaiting it if it is a promise, and
    /// returns its value. A thrown exception fails the test.
    pub(crate) fn eval(&mut self, page: &Page, expression: &str) -> Value {
        let result = self.call(
            Some(&page.session),
            "Runtime.evaluate",
            json!({ "expression": expression, "awaitPromise": true, "returnByValue": true }),
        );
        if let Some(exception) = result.get("exceptionDetails") {
            panic!("JavaScript exception in `{expression}`: {exception}");
        }
        result["result"]["value"].clone()
    }
}

/// A tab, attached with its own DevTools session.
pub(crate) struct Page {
    session: String,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
