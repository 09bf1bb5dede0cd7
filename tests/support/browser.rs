//! A headless Chromium driven over the DevTools protocol, for tests that need a real browser.
//!
//! Chromium comes from Debian's `chromium` package (`apt-get install -y chromium`); `.ci/run`
//! installs it. It is the program the CHROMIUM environment variable names, or else the first
//! `chromium`, `chromium-browser` or `google-chrome` on PATH or in /usr/bin. Without it a test
//! says on stderr that it did not run and passes, unless the CI environment variable is set:
//! then it fails.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

/// What a browser test says when there is no browser to run it in.
const NOT_RUN: &str = "not run: Chromium not found; apt-get install -y chromium";

/// A running headless Chromium with its own profile, home and temporary directories.
pub(crate) struct Browser {
    child: Child,
    dir: PathBuf,
    socket: WebSocket<MaybeTlsStream<TcpStream>>,
    next_id: u64,
}

/// The executable `program` names: itself when it is a path, else the first match on PATH.
fn find(program: &OsStr) -> Option<PathBuf> {
    let program = Path::new(program);
    if program.components().count() > 1 {
        return program.is_file().then(|| program.to_owned());
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

fn chromium_path() -> Option<PathBuf> {
    if let Some(chromium) = std::env::var_os("CHROMIUM").filter(|v| !v.is_empty()) {
        return find(&chromium);
    }
    let names = ["chromium", "chromium-browser", "google-chrome"];
    names
        .iter()
        .find_map(|name| find(OsStr::new(name)))
        .or_else(|| {
            names
                .iter()
                .map(|name| Path::new("/usr/bin").join(name))
                .find(|candidate| candidate.is_file())
        })
}

/// No browser: says so on stderr, where the test harness does not capture it, so that a run
/// shows what it did not test; and fails the test when the CI environment variable is set.
fn not_found() {
    let message = match std::thread::current().name() {
        Some(test) if test != "main" => format!("{test}: {NOT_RUN}"),
        _ => NOT_RUN.to_owned(),
    };
    if std::env::var_os("CI").is_some_and(|ci| !ci.is_empty()) {
        panic!("{message}");
    }
    let _ = std::io::stderr().write_all(format!("{message}\n").as_bytes());
}

impl Browser {
    /// Starts Chromium. `extra` flags are added to the usual headless ones, e.g.
    /// `--host-resolver-rules=MAP *.test 127.0.0.1`. Without Chromium, `None` after saying
    /// that the test did not run (or a panic when CI is set): the test then returns.
    pub(crate) fn start(extra: &[&str]) -> Option<Self> {
        let Some(binary) = chromium_path() else {
            not_found();
            return None;
        };
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
        Some(Self {
            child,
            dir,
            socket,
            next_id: 1,
        })
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
