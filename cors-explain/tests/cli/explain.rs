//! `cors-explain --config`, the dry run of a policy file: its output and exit codes.

use std::path::{Path, PathBuf};

use crate::cors_explain;

/// Writes a policy file. Tests run in parallel and share names, so each file is written
/// under a name of its own and renamed into place: a reader never sees a half-written file.
pub(crate) fn config(name: &str, toml: &str) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let staging = dir.join(format!("explain-{name}.{}.{n}.tmp", std::process::id()));
    std::fs::write(&staging, toml).unwrap();
    let path = dir.join(format!("explain-{name}.toml"));
    std::fs::rename(&staging, &path).unwrap();
    path
}

const POLICY: &str = r#"
allow_origins = ["https://app.example.com"]
allow_methods = ["GET", "PUT"]
allow_headers = ["content-type"]
expose_headers = ["x-request-id"]
"#;

/// Runs `cors-explain --config CONFIG ARGS`; returns (exit code, stdout, stderr).
fn explain(config: &Path, args: &[&str]) -> (i32, String, String) {
    let config = config.to_str().expect("a UTF-8 path");
    cors_explain(&[&["--config", config], args].concat())
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
    assert!(out.contains("Preflight: needed (the method PUT is not GET, HEAD or POST; content-type: application/json is not a CORS-safelisted value (text/plain, multipart/form-data and application/x-www-form-urlencoded are))"), "{out}");
    assert!(
        out.contains("Preflight answer reused for: 5 s in Chromium, 5 s in Firefox"),
        "{out}"
    );
    assert!(out.contains("Response headers the script can read: cache-control, content-language, content-length, content-type, expires, last-modified, pragma, x-request-id (any other reads as null)"), "{out}");
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

#[test]
fn methods_are_normalised_as_fetch_does() {
    let policy = config("policy", POLICY);
    // `fetch` sends `put` as PUT, which the policy allows.
    let (code, out, _) = explain(
        &policy,
        &["--origin", "https://app.example.com", "--method", "put"],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Request: PUT / from"), "{out}");
    assert!(out.contains("access-control-request-method: PUT"), "{out}");
    // `get` is a simple GET: no preflight.
    let (code, out, _) = explain(
        &policy,
        &["--origin", "https://app.example.com", "--method", "get"],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Preflight: not needed"), "{out}");
    // Other methods keep their case (methods are case-sensitive).
    let (code, out, _) = explain(
        &policy,
        &["--origin", "https://app.example.com", "--method", "patch"],
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("access-control-request-method: patch"),
        "{out}"
    );
    // Methods fetch refuses are bad input.
    let (code, _, err) = explain(
        &policy,
        &["--origin", "https://app.example.com", "--method", "trace"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("forbidden method"), "{err}");
}

#[test]
fn forbidden_headers_are_bad_input() {
    let policy = config("policy", POLICY);
    for header in [
        "cookie:a=b",
        "host:x",
        "sec-fetch-mode:cors",
        "proxy-authorization:x",
    ] {
        let (code, _, err) = explain(
            &policy,
            &["--origin", "https://app.example.com", "--header", header],
        );
        assert_eq!(code, 2, "{header}");
        assert!(err.contains("forbidden request header"), "{header}: {err}");
    }
}

#[test]
fn large_safelisted_values_need_a_preflight() {
    let policy = config("policy", POLICY);
    // Safelisted values of 220 bytes in all: no preflight.
    let long = format!("accept:{}", "a".repeat(100));
    let language = format!("accept-language:{}", "e".repeat(120));
    let (code, out, _) = explain(
        &policy,
        &[
            "--origin",
            "https://app.example.com",
            "--header",
            &long,
            "--header",
            &language,
        ],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Preflight: not needed"), "{out}");

    let big: Vec<String> = (0..3)
        .map(|_| format!("content-language:{}", "e".repeat(120)))
        .chain((0..8).map(|_| format!("accept:{}", "a".repeat(100))))
        .collect();
    let mut args = vec!["--origin", "https://app.example.com"];
    for header in &big {
        args.extend(["--header", header.as_str()]);
    }
    let (code, out, _) = explain(&policy, &args);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("Preflight: needed"), "{out}");
    assert!(
        out.contains("the safelisted header values add up to 1160 bytes, over 1024"),
        "{out}"
    );
}

#[test]
fn refused_origins_name_their_near_misses() {
    let policy = config(
        "near-misses",
        r#"allow_origins = ["http://localhost:3000", "https://*.example.com", "https://app.example.org", "https://www.shop.example.net"]"#,
    );
    for (origin, hint) in [
        (
            "http://127.0.0.1:3000",
            r#"near misses: "http://localhost:3000" is another host: localhost, 127.0.0.1 and [::1] are different origins to a browser"#,
        ),
        (
            "http://localhost:5173",
            r#"near misses: "http://localhost:3000" has another port"#,
        ),
        (
            "http://app.example.org",
            r#"near misses: "https://app.example.org" has another scheme"#,
        ),
        (
            "https://example.com",
            r#"near misses: "https://*.example.com" matches subdomains of example.com only, not example.com itself"#,
        ),
        (
            "http://api.example.com",
            r#"near misses: "https://*.example.com" has another scheme"#,
        ),
        (
            "https://shop.example.net",
            r#"near misses: "https://www.shop.example.net" differs in the www. prefix"#,
        ),
    ] {
        let (code, out, _) = explain(&policy, &["--origin", origin]);
        assert_eq!(code, 1, "{out}");
        assert!(
            out.contains(&format!("- add \"{origin}\" to allow_origins (")),
            "{origin}: {out}"
        );
        assert!(out.contains(hint), "{origin}: {out}");
    }
    // Nothing close: the plain fix.
    let (code, out, _) = explain(&policy, &["--origin", "https://evil.test"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("- add \"https://evil.test\" to allow_origins\n"),
        "{out}"
    );
}

#[test]
fn policy_warnings_are_printed() {
    let policy = config(
        "warned",
        "allow_origins = [\"https://app.example.com\"]\nallow_headers = [\"content-type\", \"cookie\"]\n",
    );
    let (code, out, _) = explain(&policy, &["--origin", "https://app.example.com"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("\nPolicy warnings ("), "{out}");
    assert!(out.contains("  - allow_headers[1]: \"cookie\" "), "{out}");

    // The shared policy allows preflights without saying how long to keep them.
    let (_, out, _) = explain(
        &config("policy", POLICY),
        &["--origin", "https://app.example.com"],
    );
    assert!(
        out.contains(
            "  - max_age_secs: is not set, so browsers keep each preflight answer 5 seconds"
        ),
        "{out}"
    );
    let clean = config("clean", &format!("{POLICY}max_age_secs = 600\n"));
    let (_, out, _) = explain(&clean, &["--origin", "https://app.example.com"]);
    assert!(!out.contains("Policy warnings"), "{out}");
}

#[test]
fn preserved_inner_grants_are_named_instead_of_a_fix() {
    let policy = config(
        "preserve",
        "allow_origins = [\"http://*.example.test:1\"]\npreserve_inner_cors_headers = true\n",
    );
    let (code, out, _) = explain(
        &policy,
        &["--origin", "http://localhost:3000", "--method", "HEAD"],
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("Browser: BLOCKED"), "{out}");
    assert!(
        out.contains("Note: the policy keeps the inner service's own Access-Control-* headers"),
        "{out}"
    );
    assert!(!out.contains("To allow it:"), "{out}");

    // Without the setting, the layer alone decides, and the fix is named.
    let policy = config(
        "no-preserve",
        "allow_origins = [\"http://*.example.test:1\"]\n",
    );
    let (code, out, _) = explain(
        &policy,
        &["--origin", "http://localhost:3000", "--method", "HEAD"],
    );
    assert_eq!(code, 1, "{out}");
    assert!(!out.contains("Note:"), "{out}");
    assert!(
        out.contains("add \"http://localhost:3000\" to allow_origins"),
        "{out}"
    );
}
