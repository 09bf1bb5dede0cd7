//! The `echo` example with `--watch` (feature `watch`): a real server on loopback that follows
//! its policy file. Every wait polls, up to `PATIENCE`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::header;

use crate::support::{client, example_binary, header};

/// How long the server may take to start.
const STARTUP: Duration = Duration::from_secs(60);
/// How long a change of the file may take to show.
const PATIENCE: Duration = Duration::from_secs(10);

const NEW: &str = "https://new.example.com";
const THIRD: &str = "https://third.example.com";

/// An echo server started with `--watch`, stopped when dropped; its stderr is collected.
struct Watching {
    child: Child,
    base: String,
    stderr: Arc<Mutex<Vec<String>>>,
}

impl Watching {
    fn start(config: &Path) -> Self {
        let mut child = Command::new(example_binary("echo"))
            .arg("--config")
            .arg(config)
            .args(["--listen", "127.0.0.1:0", "--watch"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("cannot start the echo example");
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let pipe = child.stderr.take().expect("piped stderr");
        let lines = stderr.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                lines.lock().unwrap().push(line);
            }
        });
        let (sender, received) = mpsc::channel();
        let stdout = child.stdout.take().expect("piped stdout");
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server = Self {
            child,
            base: String::new(),
            stderr,
        };
        let deadline = Instant::now() + STARTUP;
        while let Ok(line) =
            received.recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            if let Some(address) = line.strip_prefix("listening on ") {
                server.base = address.trim().to_owned();
                return server;
            }
        }
        panic!(
            "the echo server never printed its address; stderr: {:?}",
            server.stderr()
        );
    }

    fn stderr(&self) -> Vec<String> {
        self.stderr.lock().unwrap().clone()
    }

    /// The `Access-Control-Allow-Origin` of a `GET` from `origin`.
    async fn grant(&self, origin: &str) -> Option<String> {
        let response = client()
            .get(format!("{}/items", self.base))
            .header(header::ORIGIN, origin)
            .send()
            .await
            .expect("the echo server answers");
        assert_eq!(response.status(), reqwest::StatusCode::OK);
        header(&response, "access-control-allow-origin").map(str::to_owned)
    }

    /// Polls until `origin` is granted.
    async fn wait_for_grant(&self, origin: &str, what: &str) {
        let deadline = Instant::now() + PATIENCE;
        while self.grant(origin).await.as_deref() != Some(origin) {
            assert!(
                Instant::now() < deadline,
                "{what}: {origin} not granted after {PATIENCE:?}; stderr: {:?}",
                self.stderr()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Polls until stderr has `count` lines starting with `prefix`; returns them.
    async fn wait_for_lines(&self, prefix: &str, count: usize) -> Vec<String> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let lines = self.stderr();
            let found = lines.iter().filter(|l| l.starts_with(prefix)).count();
            if found >= count {
                return lines;
            }
            assert!(
                Instant::now() < deadline,
                "no {count} lines {prefix:?} after {PATIENCE:?}; stderr: {lines:?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn policy(origins: &[&str]) -> String {
    format!("allow_origins = {origins:?}\nallow_methods = [\"GET\", \"PUT\"]\n")
}

/// A directory of its own for one test's policy file.
fn directory(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("watch-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("cannot make the test directory");
    dir
}

#[tokio::test]
async fn the_echo_server_follows_its_policy_file() {
    let dir = directory("follows");
    let path = dir.join("cors.toml");
    std::fs::write(&path, policy(&["http://localhost:3000"])).unwrap();
    let server = Watching::start(&path);

    // Not in the file: no grant.
    assert_eq!(server.grant(NEW).await, None);

    // Written aside and renamed over, as a ConfigMap or a deployment tool does.
    let aside = dir.join("cors.toml.tmp");
    std::fs::write(&aside, policy(&["http://localhost:3000", NEW])).unwrap();
    std::fs::rename(&aside, &path).unwrap();
    server.wait_for_grant(NEW, "after the rename").await;
    let reloaded = format!("echo: reloaded {}", path.display());
    server.wait_for_lines(&reloaded, 1).await;

    // Written in place.
    std::fs::write(&path, policy(&[NEW, THIRD])).unwrap();
    server
        .wait_for_grant(THIRD, "after the in-place write")
        .await;
    server.wait_for_lines(&reloaded, 2).await;
    assert_eq!(server.grant("http://localhost:3000").await, None);

    // Invalid: refused with every problem, and the grants stay.
    std::fs::write(
        &path,
        "allow_origins = [\"https://third.example.com/\"]\nallow_methods = [\"P UT\"]\n",
    )
    .unwrap();
    let refused = format!(
        "echo: refused {}: invalid CORS configuration:",
        path.display()
    );
    let lines = server.wait_for_lines(&refused, 1).await;
    let text = lines.join("\n");
    assert!(
        text.contains("allow_origins[0]: \"https://third.example.com/\" has a trailing slash"),
        "{text}"
    );
    assert!(
        text.contains("allow_methods[0]: \"P UT\" is not a valid HTTP method"),
        "{text}"
    );
    assert_eq!(server.grant(THIRD).await.as_deref(), Some(THIRD));
    assert_eq!(server.grant(NEW).await.as_deref(), Some(NEW));

    // Not even TOML: refused too, still with the last good policy.
    std::fs::write(&path, "allow_origins = [").unwrap();
    let refused = format!("echo: refused {}: not a valid TOML policy:", path.display());
    server.wait_for_lines(&refused, 1).await;
    assert_eq!(server.grant(THIRD).await.as_deref(), Some(THIRD));
    let reloads = server
        .stderr()
        .iter()
        .filter(|l| l.starts_with(&reloaded))
        .count();
    assert_eq!(reloads, 2, "{:?}", server.stderr());
}

#[tokio::test]
async fn the_echo_server_watches_yaml_files() {
    let dir = directory("yaml");
    let path = dir.join("cors.yml");
    std::fs::write(&path, "allow_origins:\n  - http://localhost:3000\n").unwrap();
    let server = Watching::start(&path);
    assert_eq!(
        server.grant("http://localhost:3000").await.as_deref(),
        Some("http://localhost:3000")
    );
    std::fs::write(&path, format!("allow_origins: [{NEW:?}]\n")).unwrap();
    server.wait_for_grant(NEW, "after the YAML change").await;
    assert_eq!(server.grant("http://localhost:3000").await, None);
}

#[tokio::test]
async fn the_echo_server_follows_a_release_switched_behind_a_symlink_and_reports_a_lost_watch() {
    let dir = directory("release");
    let release = |n: u32, origins: &[&str]| {
        let release = dir.join(format!("releases/{n}"));
        std::fs::create_dir_all(&release).unwrap();
        std::fs::write(release.join("cors.toml"), policy(origins)).unwrap();
    };
    release(1, &["http://localhost:3000", NEW]);
    let current = dir.join("current");
    std::os::unix::fs::symlink("releases/1", &current).unwrap();
    let path = current.join("cors.toml");
    let server = Watching::start(&path);
    assert_eq!(server.grant(NEW).await.as_deref(), Some(NEW));

    // current -> releases/2, renamed over as deployment tools do: NEW loses its grant.
    release(2, &["http://localhost:3000", THIRD]);
    std::os::unix::fs::symlink("releases/2", dir.join("current.next")).unwrap();
    std::fs::rename(dir.join("current.next"), &current).unwrap();
    server.wait_for_grant(THIRD, "after the switch").await;
    assert_eq!(server.grant(NEW).await, None);

    // The release directory gone: said on stderr, and the grants stay.
    std::fs::remove_file(&current).unwrap();
    let lost = format!("echo: lost the watch: {}", path.display());
    let lines = server.wait_for_lines(&lost, 1).await;
    let text = lines.join("\n");
    assert!(
        text.contains(&format!("{} does not exist", current.display())),
        "{text}"
    );
    assert_eq!(server.grant(THIRD).await.as_deref(), Some(THIRD));
    std::os::unix::fs::symlink("releases/1", &current).unwrap();
    server
        .wait_for_grant(NEW, "after the symlink is back")
        .await;
    server
        .wait_for_lines(&format!("echo: watching {} again", path.display()), 1)
        .await;
}
