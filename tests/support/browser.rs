//! Real browsers for tests: Chromium, Firefox and WebKit, each started headless (WebKit under
//! its own Xvfb) with a fresh profile, and driven the same way: open a page, evaluate a
//! script in it, read the JSON it returns.
//!
//! - Chromium, over the DevTools protocol: Debian's `chromium` (`apt-get install -y
//!   chromium`). The CHROMIUM environment variable names the program, else the first
//!   `chromium`, `chromium-browser` or `google-chrome` on PATH or in /usr/bin.
//! - Firefox, over W3C WebDriver through geckodriver: Debian's `firefox-esr` and
//!   `cargo install geckodriver --locked`. FIREFOX and GECKODRIVER name the programs, else
//!   `firefox-esr` or `firefox`, and `geckodriver` (also looked for in cargo's bin directory).
//! - WebKit, over W3C WebDriver through WebKitWebDriver driving MiniBrowser, under Xvfb:
//!   Debian's `webkit2gtk-driver` and `xvfb`. WEBKIT_DRIVER, WEBKIT_BROWSER and XVFB name the
//!   programs, else `WebKitWebDriver`, the MiniBrowser of the installed WebKitGTK, and `Xvfb`.
//!
//! Every engine makes the host names it is given resolve to 127.0.0.1: Chromium through
//! `--host-resolver-rules`, Firefox through its `network.dns.localDomains` preference, WebKit
//! through a line in /etc/hosts, added while a WebKit browser runs and removed after.
//!
//! Without an engine a test says on stderr that it did not run and passes, unless the CI
//! environment variable is set: then it fails. `.ci/run` installs all three.

mod chromium;
mod firefox;
mod webdriver;
mod webkit;

use std::ffi::OsStr;
use std::fmt;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::mpsc::{self, Receiver, Sender};

use serde_json::Value;

/// A browser engine the tests run in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Engine {
    Chromium,
    Firefox,
    WebKit,
}

impl Engine {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Engine::Chromium => "Chromium",
            Engine::Firefox => "Firefox",
            Engine::WebKit => "WebKit",
        }
    }

    /// The one command that installs what this engine needs.
    fn install_hint(self) -> &'static str {
        match self {
            Engine::Chromium => "apt-get install -y chromium",
            Engine::Firefox => {
                "apt-get install -y firefox-esr && cargo install geckodriver --locked"
            }
            Engine::WebKit => "apt-get install -y webkit2gtk-driver xvfb",
        }
    }

    /// Starts a browser of this engine in which every name in `hosts` resolves to 127.0.0.1.
    /// Without the engine, `None` after saying that the test did not run (or a panic when CI
    /// is set): the test then returns.
    pub(crate) fn start(self, hosts: &[&str]) -> Option<Browser> {
        let driver: Box<dyn Driver> = match self {
            Engine::Chromium => Box::new(chromium::Chromium::start(
                &self.found(chromium::find())?,
                hosts,
            )),
            Engine::Firefox => Box::new(firefox::start(self.found(firefox::find())?, hosts)),
            Engine::WebKit => Box::new(webkit::start(self.found(webkit::find())?, hosts)),
        };
        Some(Browser {
            engine: self,
            driver,
        })
    }

    /// Where this engine's programs are, or `None` after reporting that the test did not run.
    fn found<T>(self, programs: Option<T>) -> Option<T> {
        if programs.is_none() {
            not_found(self);
        }
        programs
    }
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What each engine's driver offers.
trait Driver {
    /// Opens `url` in a new tab (or the first, unused one) and waits until it has loaded.
    fn open(&mut self, url: &str) -> Page;
    /// Evaluates a JavaScript expression in `page`, awaiting it when it is a promise, and
    /// returns its value as JSON. A thrown exception fails the test.
    fn eval(&mut self, page: &Page, expression: &str) -> Value;
}

/// A running browser of one engine.
pub(crate) struct Browser {
    engine: Engine,
    driver: Box<dyn Driver>,
}

impl Browser {
    pub(crate) fn engine(&self) -> Engine {
        self.engine
    }

    /// Opens `url` in a new tab and waits until it has loaded.
    pub(crate) fn open(&mut self, url: &str) -> Page {
        self.driver.open(url)
    }

    /// Evaluates a JavaScript expression in the page, awaiting it if it is a promise, and
    /// returns its value. A thrown exception fails the test.
    pub(crate) fn eval(&mut self, page: &Page, expression: &str) -> Value {
        self.driver.eval(page, expression)
    }
}

/// A tab: a DevTools session for Chromium, a window handle for WebDriver.
#[derive(Clone, Debug)]
pub(crate) struct Page {
    id: String,
}

/// No engine: says so on stderr, where the test harness does not capture it, so that a run
/// shows what it did not test; and fails the test when the CI environment variable is set.
fn not_found(engine: Engine) {
    let not_run = format!(
        "not run: {} not found; {}",
        engine.name(),
        engine.install_hint()
    );
    let message = match std::thread::current().name() {
        Some(test) if test != "main" => format!("{test}: {not_run}"),
        _ => not_run,
    };
    if std::env::var_os("CI").is_some_and(|ci| !ci.is_empty()) {
        panic!("{message}");
    }
    let _ = std::io::stderr().write_all(format!("{message}\n").as_bytes());
}

/// The executable `program` names: itself when it is a path, else the first match on PATH.
fn find_program(program: &OsStr) -> Option<PathBuf> {
    let program = Path::new(program);
    if program.components().count() > 1 {
        return program.is_file().then(|| program.to_owned());
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// The program the environment variable `var` names when it is set (and nothing else then),
/// else the first of `names` on PATH or in one of `dirs`.
fn locate(var: &str, names: &[&str], dirs: &[PathBuf]) -> Option<PathBuf> {
    if let Some(program) = std::env::var_os(var).filter(|v| !v.is_empty()) {
        return find_program(&program);
    }
    names
        .iter()
        .find_map(|name| find_program(OsStr::new(name)))
        .or_else(|| {
            dirs.iter()
                .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
                .find(|candidate| candidate.is_file())
        })
}

/// A directory of its own for one browser (profile, home, temporary files), removed on drop.
struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    fn new(engine: Engine) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "tower-cors-{}-{}-{}",
            engine.name().to_ascii_lowercase(),
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        for sub in [
            "profile", "home", "tmp", "cache", "config", "data", "runtime",
        ] {
            std::fs::create_dir_all(dir.join(sub)).unwrap();
        }
        Self { dir }
    }

    fn path(&self, sub: &str) -> PathBuf {
        self.dir.join(sub)
    }

    /// Points a browser process at this directory (HOME, TMPDIR, the XDG directories) and
    /// keeps proxy settings from the environment away from it: tests talk to loopback only.
    fn environment(&self, command: &mut Command) {
        command
            .env("HOME", self.path("home"))
            .env("TMPDIR", self.path("tmp"))
            .env("XDG_CACHE_HOME", self.path("cache"))
            .env("XDG_CONFIG_HOME", self.path("config"))
            .env("XDG_DATA_HOME", self.path("data"))
            .env("XDG_RUNTIME_DIR", self.path("runtime"));
        for var in [
            "http_proxy",
            "https_proxy",
            "all_proxy",
            "no_proxy",
            "HTTP_PROXY",
            "HTTPS_PROXY",
            "ALL_PROXY",
            "NO_PROXY",
        ] {
            command.env_remove(var);
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A child process, killed when dropped.
struct Process {
    child: Child,
    name: String,
}

impl Process {
    /// Starts `command` with its stdout and stderr piped; returns it with a channel of their
    /// lines (both streams are drained to their end, whether or not anyone listens).
    fn spawn(mut command: Command, name: &str, hint: &str) -> (Self, Receiver<String>) {
        command
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("could not start {name} ({e}); {hint}"));
        let (tx, rx) = mpsc::channel();
        if let Some(stdout) = child.stdout.take() {
            forward_lines(stdout, tx.clone());
        }
        if let Some(stderr) = child.stderr.take() {
            forward_lines(stderr, tx);
        }
        let name = name.to_owned();
        (Self { child, name }, rx)
    }

    /// Whether the process has ended.
    fn exited(&mut self) -> bool {
        !matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Process {
    /// Kills the process and everything it started (a driver's browser, a browser's helper
    /// processes), which would otherwise outlive it.
    fn drop(&mut self) {
        let tree = descendants(self.child.id());
        let _ = self.child.kill();
        if !tree.is_empty() {
            let pids: Vec<String> = tree.iter().map(u32::to_string).collect();
            let _ = Command::new("sh")
                .arg("-c")
                .arg(format!("kill -KILL {} 2>/dev/null", pids.join(" ")))
                .status();
        }
        let _ = self.child.wait();
    }
}

/// The processes below `root` in the process tree, read from /proc.
fn descendants(root: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let parents: Vec<(u32, u32)> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
            // pid (comm) state ppid ...; comm may hold spaces and parentheses.
            let after_comm = &stat[stat.rfind(')')? + 1..];
            let ppid = after_comm.split_whitespace().nth(1)?.parse().ok()?;
            Some((pid, ppid))
        })
        .collect();
    let mut found = vec![root];
    let mut next = 0;
    while next < found.len() {
        let parent = found[next];
        found.extend(
            parents
                .iter()
                .filter(|(_, ppid)| *ppid == parent)
                .map(|(pid, _)| *pid),
        );
        next += 1;
    }
    found.remove(0);
    found
}

impl fmt::Debug for Process {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (pid {})", self.name, self.child.id())
    }
}

fn forward_lines(stream: impl Read + Send + 'static, tx: Sender<String>) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
}

/// Waits up to `timeout` for a line of `lines` that `pick` accepts; its answer, or a panic
/// that quotes the last lines seen.
fn wait_for_line<T>(
    lines: &Receiver<String>,
    what: &str,
    timeout: std::time::Duration,
    mut pick: impl FnMut(&str) -> Option<T>,
) -> T {
    let deadline = std::time::Instant::now() + timeout;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) => {
                if let Some(found) = pick(&line) {
                    return found;
                }
                seen.push(line);
            }
            Err(_) => panic!(
                "{what} did not appear within {timeout:?}; output so far:\n{}",
                seen.join("\n")
            ),
        }
    }
}
