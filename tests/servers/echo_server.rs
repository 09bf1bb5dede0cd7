//! The `echo` example as a child process: started on a free port with a policy file, stopped
//! when dropped.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::support::example_binary;

/// How long the server may take to print its address, or to exit on a bad configuration.
pub(crate) const STARTUP: Duration = Duration::from_secs(60);

/// Writes a configuration file for one test.
pub(crate) fn config_file(name: &str, toml: &str) -> PathBuf {
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
    pub(crate) fn start(name: &str, toml: &str) -> Self {
        Self::start_with(&config_file(name, toml))
    }

    pub(crate) fn start_with(config: &Path) -> Self {
        let mut child = Command::new(example_binary("echo"))
            .arg("--config")
            .arg(config)
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

    pub(crate) fn url(&self, path_and_query: &str) -> String {
        format!("{}{path_and_query}", self.base)
    }

    /// Stops the server and returns what it printed on stderr.
    pub(crate) fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut stderr = String::new();
        if let Some(mut pipe) = self.child.stderr.take() {
            let _ = pipe.read_to_string(&mut stderr);
        }
        stderr
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
