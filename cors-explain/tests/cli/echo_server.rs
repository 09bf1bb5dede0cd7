//! tower-cors's `echo` example (`examples/echo.rs` at the top of the workspace) as a real
//! server for `cors-explain --url`: built by cargo when the tests first need it, started on a
//! free port, stopped when dropped.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, OnceLock};
use std::time::{Duration, Instant};

/// How long the server may take to print its address.
const STARTUP: Duration = Duration::from_secs(60);

/// The `echo` executable, built in this test's target directory and profile.
///
/// Cargo builds it once per test run (`cargo build -p tower-cors --example echo
/// --all-features`): a no-op after `cargo test --workspace --all-features`, which has built
/// it already, and a real build after `cargo test -p cors-explain`, which does not build the
/// library's examples. It is built with all of the library's features, as the workspace's
/// test command builds it: the library's own tests, which run the same file, need `watch`,
/// and a build with fewer features would replace theirs.
fn echo_binary() -> &'static Path {
    static ECHO: OnceLock<PathBuf> = OnceLock::new();
    ECHO.get_or_init(|| {
        // target/<profile>/deps/<test executable> -> target/<profile> -> target
        let test = std::env::current_exe().expect("the test executable's path");
        let profile_dir = test
            .parent()
            .and_then(Path::parent)
            .expect("the test executable is in target/<profile>/deps");
        let target_dir = profile_dir.parent().expect("target/<profile>");
        let profile = match profile_dir.file_name().and_then(|name| name.to_str()) {
            Some("debug") | None => "dev",
            Some(other) => other,
        };
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("cors-explain is a member of the tower-cors workspace");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let build = Command::new(cargo)
            .current_dir(workspace)
            .args(["build", "--package", "tower-cors", "--example", "echo"])
            .args(["--all-features", "--profile", profile])
            .arg("--target-dir")
            .arg(target_dir)
            .output()
            .expect("cannot run cargo to build the echo example");
        assert!(
            build.status.success(),
            "cargo could not build the echo example:\n{}",
            String::from_utf8_lossy(&build.stderr)
        );
        let path = profile_dir
            .join("examples")
            .join(format!("echo{}", std::env::consts::EXE_SUFFIX));
        assert!(path.is_file(), "cargo built no {}", path.display());
        path
    })
}

/// Writes a configuration file for one server.
fn config_file(name: &str, toml: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("echo-{name}.toml"));
    std::fs::write(&path, toml).expect("cannot write the configuration file");
    path
}

/// A running echo server, stopped when dropped.
pub(crate) struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub(crate) base: String,
}

impl Server {
    /// Starts the server on the policy `toml`, written to a file named after `name`.
    pub(crate) fn start(name: &str, toml: &str) -> Self {
        let mut child = Command::new(echo_binary())
            .arg("--config")
            .arg(config_file(name, toml))
            .args(["--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("cannot start the echo example");

        // Read stdout on a thread so that a silent server fails the test after a while.
        let stdout = child.stdout.take().expect("piped stdout");
        let (lines, received) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if lines.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + STARTUP;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match received.recv_timeout(left) {
                Ok(line) => {
                    if let Some(at) = line.find("listening on http://") {
                        let base = line[at + "listening on ".len()..].trim().to_owned();
                        let port: u16 = base
                            .rsplit(':')
                            .next()
                            .and_then(|p| p.parse().ok())
                            .unwrap_or_else(|| panic!("no port in {line:?}"));
                        assert_ne!(
                            port, 0,
                            "the server printed port 0 instead of its real port"
                        );
                        assert!(base.starts_with("http://127.0.0.1:"), "{line:?}");
                        return Self { child, base };
                    }
                }
                Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    let mut stderr = String::new();
                    if let Some(mut pipe) = child.stderr.take() {
                        let _ = pipe.read_to_string(&mut stderr);
                    }
                    panic!("the echo server never printed its address; stderr:\n{stderr}");
                }
            }
        }
    }

    /// The URL of `path_and_query` on this server.
    pub(crate) fn url(&self, path_and_query: &str) -> String {
        format!("{}{path_and_query}", self.base)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
