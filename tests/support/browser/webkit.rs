//! WebKitGTK's MiniBrowser through WebKitWebDriver, on an X server of its own (Xvfb). WebKit
//! has no setting that maps host names, so the test host names go into /etc/hosts while a
//! WebKit browser runs.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::Duration;

use serde_json::json;

use super::webdriver::{Failure, Remote, Session};
use super::{locate, wait_for_line, Engine, Process, Scratch};

/// WebKitWebDriver, the browser it drives, and the X server it runs on.
pub(super) struct Programs {
    driver: PathBuf,
    browser: PathBuf,
    xvfb: PathBuf,
}

/// All three programs, if all are there. MiniBrowser is not on PATH: it is in the library
/// directory of the installed WebKitGTK, e.g. /usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/.
pub(super) fn find() -> Option<Programs> {
    let bin = [PathBuf::from("/usr/bin")];
    let driver = locate("WEBKIT_DRIVER", &["WebKitWebDriver"], &bin)?;
    let xvfb = locate("XVFB", &["Xvfb"], &bin)?;
    let browser = match std::env::var_os("WEBKIT_BROWSER").filter(|v| !v.is_empty()) {
        Some(browser) => Some(PathBuf::from(browser)).filter(|p| p.is_file()),
        None => mini_browser(),
    }?;
    Some(Programs {
        driver,
        browser,
        xvfb,
    })
}

fn mini_browser() -> Option<PathBuf> {
    let apis = ["webkit2gtk-4.1", "webkitgtk-6.0", "webkit2gtk-4.0"];
    let mut dirs = vec![PathBuf::from("/usr/lib"), PathBuf::from("/usr/libexec")];
    if let Ok(entries) = std::fs::read_dir("/usr/lib") {
        let mut multiarch: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.is_dir())
            .collect();
        multiarch.sort();
        dirs.extend(multiarch);
    }
    apis.iter()
        .flat_map(|api| {
            dirs.iter()
                .map(move |dir| dir.join(api).join("MiniBrowser"))
        })
        .find(|candidate| candidate.is_file())
}

pub(super) fn start(programs: Programs, hosts: &[&str]) -> Remote {
    let hosts_line = HostsLine::add(hosts);
    let scratch = Scratch::new(Engine::WebKit);
    let (xvfb, display) = start_xvfb(&programs.xvfb);
    // MiniBrowser's default cookie policy, no-third-party, refuses the cookie that
    // api.example.test sets in a fetch from app.example.test, whatever its SameSite (seen with
    // WebKitGTK 2.50), though both hosts are one site; Chromium and Firefox keep it.
    let capabilities = json!({
        "webkitgtk:browserOptions": {
            "binary": programs.browser,
            "args": ["--automation", "--cookies-policy=always"],
        },
    });
    // The driver cannot be asked to pick its own port: take a free one, and try another
    // should some other process take it first.
    let mut attempts = 0;
    loop {
        attempts += 1;
        let port = free_port();
        let mut command = Command::new(&programs.driver);
        command.arg(format!("--port={port}"));
        scratch.environment(&mut command);
        command
            .env("DISPLAY", format!(":{display}"))
            .env("GDK_BACKEND", "x11")
            .env_remove("WAYLAND_DISPLAY")
            .env("NO_AT_BRIDGE", "1");
        let (mut driver, _lines) = Process::spawn(
            command,
            &programs.driver.display().to_string(),
            "install it with `apt-get install -y webkit2gtk-driver xvfb`",
        );
        match Session::new(
            &mut driver,
            port,
            capabilities.clone(),
            Duration::from_secs(30),
        ) {
            Ok(session) => {
                return Remote {
                    session,
                    driver,
                    extra: Box::new((xvfb, hosts_line)),
                    scratch,
                }
            }
            Err(Failure::Unreachable(_)) if driver.exited() && attempts < 3 => continue,
            Err(failure) => panic!("WebKit did not start: {failure:?}"),
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free loopback port")
        .port()
}

/// Starts Xvfb on the first free display; returns it with the display's number.
fn start_xvfb(xvfb: &Path) -> (Process, u32) {
    let mut command = Command::new(xvfb);
    // -displayfd 1: Xvfb picks a free display and writes its number on stdout.
    command.args([
        "-displayfd",
        "1",
        "-nolisten",
        "tcp",
        "-screen",
        "0",
        "1280x1024x24",
    ]);
    let (process, lines) = Process::spawn(
        command,
        &xvfb.display().to_string(),
        "install it with `apt-get install -y xvfb`",
    );
    let display = wait_for_line(&lines, "Xvfb's display", Duration::from_secs(30), |line| {
        line.trim().parse::<u32>().ok()
    });
    (process, display)
}

const HOSTS_FILE: &str = "/etc/hosts";
/// Ends the lines of /etc/hosts these tests add, followed by the id of the process that added
/// them.
const MARK: &str = "# added by the tower-cors browser tests, pid ";

/// How many WebKit browsers of this process need the /etc/hosts lines, and their names.
static HOSTS: Mutex<(usize, BTreeSet<String>)> = Mutex::new((0, BTreeSet::new()));

/// This process's /etc/hosts lines mapping the test host names to loopback, there while one
/// is held. Each process has lines of its own, so two test runs do not remove each other's;
/// lines whose process is gone (a run that was killed) are removed with the next change.
struct HostsLine;

impl HostsLine {
    fn add(hosts: &[&str]) -> Option<Self> {
        if hosts.is_empty() {
            return None;
        }
        let mut state = HOSTS
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut names = state.1.clone();
        names.extend(hosts.iter().map(|host| (*host).to_owned()));
        if state.0 == 0 || names != state.1 {
            if let Err(e) = write_hosts(Some(&names)) {
                panic!(
                    "WebKit resolves the test host names through {HOSTS_FILE}, which could not \
                     be changed ({e}); run the tests as root"
                );
            }
        }
        state.0 += 1;
        state.1 = names;
        Some(HostsLine)
    }
}

impl Drop for HostsLine {
    fn drop(&mut self) {
        let mut state = HOSTS
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        state.0 -= 1;
        if state.0 == 0 {
            state.1.clear();
            let _ = write_hosts(None);
        }
    }
}

/// Rewrites /etc/hosts in place (it may be a mount point) without this process's lines nor
/// those of processes that are gone, and with new lines for `names` when given.
fn write_hosts(names: Option<&BTreeSet<String>>) -> std::io::Result<()> {
    let pid = std::process::id();
    let before = std::fs::read_to_string(HOSTS_FILE)?;
    let mut after: String = before
        .lines()
        .filter(|line| match line.split_once(MARK) {
            None => true,
            Some((_, owner)) => owner
                .trim()
                .parse::<u32>()
                .is_ok_and(|owner| owner != pid && Path::new(&format!("/proc/{owner}")).exists()),
        })
        .flat_map(|line| [line, "\n"])
        .collect();
    if let Some(names) = names {
        // An IPv6 line too: WebKit looks up IPv4 and IPv6 addresses apart, and a name that
        // /etc/hosts has for one family only goes to DNS for the other.
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let names = names.join(" ");
        after.push_str(&format!(
            "127.0.0.1 {names} {MARK}{pid}\n::1 {names} {MARK}{pid}\n"
        ));
    }
    if after != before {
        std::fs::write(HOSTS_FILE, after)?;
    }
    Ok(())
}
