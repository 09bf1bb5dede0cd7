//! What the library's echo-server helper (`tests/servers/echo_server.rs`, included as
//! `echo_server`) needs from its test crate: the `echo` executable, which cargo builds when the
//! tests first need it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The `echo` executable, built in this test's target directory and profile.
///
/// Cargo builds it once per test run (`cargo build -p tower-cors --example echo
/// --all-features`): a no-op after `cargo test --workspace --all-features`, which has built
/// it already, and a real build after `cargo test -p cors-explain`, which does not build the
/// library's examples. It is built with all of the library's features, as the workspace's
/// test command builds it: the library's own tests, which run the same file, need `watch`,
/// and a build with fewer features would replace theirs.
pub(crate) fn example_binary(name: &str) -> PathBuf {
    assert_eq!(name, "echo", "only the echo example is built here");
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
    .clone()
}
