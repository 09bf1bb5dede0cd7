//! The `explain` example, run as a program: its output and exit codes.
#![cfg(feature = "serde")]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use serde_json::Value;

fn explain_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let output = Command::new(env!("CARGO"))
            .args([
                "build",
                "--example",
                "explain",
                "--features",
                "serde",
                "--message-format=json",
            ])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stderr(Stdio::inherit())
            .output()
            .expect("cannot run cargo to build the explain example");
        assert!(
            output.status.success(),
            "building the explain example failed"
        );
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "explain")
            .find_map(|m| m["executable"].as_str().map(PathBuf::from))
            .expect("cargo reported no executable for the explain example")
    })
}

fn config(name: &str, toml: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("explain-{name}.toml"));
    std::fs::write(&path, toml).unwrap();
    path
}

const POLICY: &str = r#"
allow_origins = ["https://app.example.com"]
allow_methods = ["GET", "PUT"]
allow_headers = ["content-type"]
expose_headers = ["x-request-id"]
"#;

/// Runs explain; returns (exit code, stdout, stderr).
fn explain(config: &Path, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(explain_binary())
        .arg("--config")
        .arg(config)
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn allowed_preflighted_request() {
    let policy = config("policy", POLICY);
    let (code, out, _) = explain(
        &policy,
        &[
            "--origin",
            "https://app.example.com",
            "--method",
            "PUT",
            "--header",
            "content-type",
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Preflight: needed (the method PUT is not GET, HEAD or POST; the header(s) content-type are not CORS-safelisted)"), "{out}");
    assert!(
        out.contains("access-control-request-headers: content-type"),
        "{out}"
    );
    assert!(out.contains("layer: preflight allowed"), "{out}");
    assert!(
        out.contains("access-control-allow-methods: GET, PUT"),
        "{out}"
    );
    assert!(out.contains("layer: request allowed"), "{out}");
    assert!(
        out.contains("access-control-expose-headers: x-request-id"),
        "{out}"
    );
    assert!(out.contains("Browser: ALLOWED"), "{out}");
    assert!(!out.contains("To allow it"), "{out}");
}

#[test]
fn simple_request_needs_no_preflight() {
    let policy = config("policy", POLICY);
    let (code, out, _) = explain(
        &policy,
        &[
            "--origin",
            "https://app.example.com",
            "--header",
            "content-type:text/plain",
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Preflight: not needed"), "{out}");
    assert!(
        out.contains("access-control-allow-origin: https://app.example.com"),
        "{out}"
    );
}

#[test]
fn denied_header_names_the_fix() {
    let policy = config("policy", POLICY);
    let (code, out, _) = explain(
        &policy,
        &[
            "--origin",
            "https://app.example.com",
            "--method",
            "PUT",
            "--header",
            "x-custom",
            "--header",
            "content-type",
        ],
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(r#"layer: preflight denied: the header "x-custom" is not allowed"#),
        "{out}"
    );
    assert!(out.contains("Actual request: not sent"), "{out}");
    assert!(out.contains("Browser: BLOCKED"), "{out}");
    assert!(
        out.contains(r#"- add "x-custom" to allow_headers"#),
        "{out}"
    );
}

#[test]
fn denied_method_and_origin_name_their_fixes() {
    let policy = config("policy", POLICY);
    let (code, out, _) = explain(
        &policy,
        &["--origin", "https://app.example.com", "--method", "DELETE"],
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(r#"- add "DELETE" to allow_methods"#), "{out}");

    let (code, out, _) = explain(&policy, &["--origin", "https://other.example.com"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("Preflight: not needed"), "{out}");
    assert!(!out.contains("access-control-allow-origin"), "{out}");
    assert!(out.contains("    vary: origin"), "{out}");
    assert!(
        out.contains(r#"- add "https://other.example.com" to allow_origins"#),
        "{out}"
    );
}

#[test]
fn browser_side_failures_are_explained_too() {
    // The layer grants, but the browser needs credentials to be allowed.
    let policy = config("policy", POLICY);
    let (code, out, _) = explain(
        &policy,
        &["--origin", "https://app.example.com", "--credentials"],
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("Browser: BLOCKED, the request includes credentials"),
        "{out}"
    );
    assert!(out.contains("- set allow_credentials = true"), "{out}");

    // `*` cannot serve a credentialed request.
    let any = config("any", "allow_origins = \"*\"\n");
    let (code, out, _) = explain(
        &any,
        &["--origin", "https://app.example.com", "--credentials"],
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(r#"Access-Control-Allow-Origin is "*""#),
        "{out}"
    );
    assert!(out.contains("instead of \"*\""), "{out}");

    // Private network access.
    let (code, out, _) = explain(
        &policy,
        &["--origin", "https://app.example.com", "--private-network"],
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("- set allow_private_network = true"), "{out}");
}

#[test]
fn bad_input_exits_with_2() {
    let policy = config("policy", POLICY);
    let (code, _, err) = explain(&policy, &[]);
    assert_eq!(code, 2);
    assert!(err.contains("--origin is required"), "{err}");

    let (code, _, err) = explain(&policy, &["--origin", "https://a.com", "--bogus"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown argument"), "{err}");

    let (code, _, err) = explain(
        &policy,
        &["--origin", "https://a.com", "--header", "bad name"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("not a valid header name"), "{err}");

    let broken = config(
        "broken",
        "allow_origins = [\"https://a.com/\"]\nallow_metods = []\n",
    );
    let (code, _, err) = explain(&broken, &["--origin", "https://a.com"]);
    assert_eq!(code, 2);
    assert!(err.contains("allow_metods"), "{err}");

    let invalid = config(
        "invalid",
        "allow_origins = [\"https://a.com/\", \"*.com\"]\n",
    );
    let (code, _, err) = explain(&invalid, &["--origin", "https://a.com"]);
    assert_eq!(code, 2);
    assert!(
        err.contains(r#"allow_origins[0]: "https://a.com/" has a trailing slash"#),
        "{err}"
    );
    assert!(err.contains(r#"allow_origins[1]: "*.com""#), "{err}");
}
