//! The `echo` example as a real server: started on a free port, spoken to over HTTP with a
//! real client.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use reqwest::header::{self, HeaderMap};
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::echo_server::{config_file, Server, STARTUP};
use crate::support::{client, example_binary, header};

const POLICY: &str = r#"
allow_origins = ["http://localhost:3000", "https://*.example.com"]
allow_methods = ["GET", "POST", "PUT", "DELETE"]
allow_headers = ["content-type", "x-request-id"]
expose_headers = ["x-request-id"]
allow_credentials = true
max_age_secs = 600
"#;

/// Runs the server on a configuration that must be refused; returns its exit status, stdout
/// and stderr.
fn run_refused(args: &[&str]) -> (ExitStatus, String, String) {
    let mut child = Command::new(example_binary("echo"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot start the echo example");
    let deadline = Instant::now() + STARTUP;
    let status = loop {
        if let Some(status) = child.try_wait().expect("cannot wait for the echo example") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the echo example kept running with {args:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stdout = String::new();
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stdout.take() {
        let _ = pipe.read_to_string(&mut stdout);
    }
    if let Some(mut pipe) = child.stderr.take() {
        let _ = pipe.read_to_string(&mut stderr);
    }
    (status, stdout, stderr)
}

fn all<'a>(headers: &'a HeaderMap, name: &str) -> Vec<&'a str> {
    headers
        .get_all(name)
        .iter()
        .map(|v| v.to_str().expect("ASCII header"))
        .collect()
}

fn assert_no_grant(headers: &HeaderMap) {
    let granted: Vec<&str> = headers
        .keys()
        .map(|k| k.as_str())
        .filter(|k| k.starts_with("access-control-"))
        .collect();
    assert!(granted.is_empty(), "unexpected CORS headers: {granted:?}");
}

#[tokio::test]
async fn allowed_preflight_is_answered_by_the_layer() {
    let server = Server::start("allowed-preflight", POLICY);
    let response = client()
        .request(Method::OPTIONS, server.url("/items/7"))
        .header(header::ORIGIN, "https://shop.example.com")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "PUT")
        .header(
            header::ACCESS_CONTROL_REQUEST_HEADERS,
            "content-type,x-request-id",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let headers = response.headers().clone();
    assert_eq!(
        header(&headers, "access-control-allow-origin"),
        Some("https://shop.example.com")
    );
    assert_eq!(
        header(&headers, "access-control-allow-credentials"),
        Some("true")
    );
    assert_eq!(
        header(&headers, "access-control-allow-methods"),
        Some("GET, POST, PUT, DELETE")
    );
    assert_eq!(
        header(&headers, "access-control-allow-headers"),
        Some("content-type, x-request-id")
    );
    assert_eq!(header(&headers, "access-control-max-age"), Some("600"));
    assert_eq!(
        all(&headers, "vary"),
        ["origin, access-control-request-method, access-control-request-headers"]
    );
    assert!(headers.get(header::CONTENT_TYPE).is_none());
    assert_eq!(response.bytes().await.unwrap().len(), 0);
}

#[tokio::test]
async fn denied_preflights_get_no_grant() {
    let server = Server::start("denied-preflight", POLICY);
    let client = client();
    for (origin, method, headers) in [
        ("https://evil.example", "PUT", "content-type"),
        ("https://shop.example.com", "PATCH", "content-type"),
        ("https://shop.example.com", "PUT", "x-secret"),
        ("https://example.com", "GET", "content-type"),
    ] {
        let response = client
            .request(Method::OPTIONS, server.url("/items"))
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, method)
            .header(header::ACCESS_CONTROL_REQUEST_HEADERS, headers)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            StatusCode::NO_CONTENT,
            "{origin} {method} {headers}"
        );
        assert_no_grant(response.headers());
        assert_eq!(response.bytes().await.unwrap().len(), 0);
    }
}

#[tokio::test]
async fn strict_mode_refuses_denied_preflights_with_403() {
    let server = Server::start(
        "strict",
        "allow_origins = [\"http://localhost:3000\"]\nstrict_preflight = true\n",
    );
    let response = client()
        .request(Method::OPTIONS, server.url("/"))
        .header(header::ORIGIN, "https://evil.example")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_no_grant(response.headers());
}

#[tokio::test]
async fn actual_request_is_echoed_and_vary_merged() {
    let server = Server::start("actual", POLICY);
    let response = client()
        .get(server.url("/items/7?header=vary:accept&header=x-request-id%3Aabc-123"))
        .header(header::ORIGIN, "http://localhost:3000")
        .header("x-custom", "one")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert_eq!(header(&headers, "content-type"), Some("application/json"));
    assert_eq!(
        header(&headers, "access-control-allow-origin"),
        Some("http://localhost:3000")
    );
    assert_eq!(
        header(&headers, "access-control-allow-credentials"),
        Some("true")
    );
    assert_eq!(
        header(&headers, "access-control-expose-headers"),
        Some("x-request-id")
    );
    assert_eq!(header(&headers, "x-request-id"), Some("abc-123"));
    // The service's Vary first, the layer's added after it.
    assert_eq!(all(&headers, "vary"), ["accept", "origin"]);
    // Actual responses carry no preflight headers.
    assert!(headers.get("access-control-allow-methods").is_none());
    assert!(headers.get("access-control-max-age").is_none());

    let body: Value = response.json().await.unwrap();
    assert_eq!(body["method"], "GET");
    assert_eq!(body["path"], "/items/7");
    assert_eq!(body["headers"]["origin"], "http://localhost:3000");
    assert_eq!(body["headers"]["x-custom"], "one");
    let host = server.base.trim_start_matches("http://");
    assert_eq!(body["headers"]["host"], host);
}

#[tokio::test]
async fn error_statuses_are_decorated_too() {
    let server = Server::start("status", POLICY);
    let response = client()
        .post(server.url("/fail?status=500"))
        .header(header::ORIGIN, "https://shop.example.com")
        .body("payload")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        header(response.headers(), "access-control-allow-origin"),
        Some("https://shop.example.com")
    );
    assert_eq!(all(response.headers(), "vary"), ["origin"]);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["method"], "POST");
    assert_eq!(body["path"], "/fail");
}

#[tokio::test]
async fn other_origins_and_no_origin_get_no_grant() {
    let server = Server::start("no-grant", POLICY);
    let client = client();

    let response = client
        .get(server.url("/?status=201"))
        .header(header::ORIGIN, "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_no_grant(response.headers());
    assert_eq!(all(response.headers(), "vary"), ["origin"]);

    let response = client.get(server.url("/plain")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_no_grant(response.headers());
    let body: Value = response.json().await.unwrap();
    assert!(body["headers"].get("origin").is_none());
}

#[tokio::test]
async fn plain_options_goes_to_the_service() {
    let server = Server::start("plain-options", POLICY);
    let response = client()
        .request(Method::OPTIONS, server.url("/items"))
        .header(header::ORIGIN, "http://localhost:3000")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["method"], "OPTIONS");
}

#[tokio::test]
async fn malformed_queries_are_bad_requests() {
    let server = Server::start("bad-query", POLICY);
    let client = client();
    for query in [
        "status=abc",
        "status=99",
        "header=novalue",
        "header=bad%20name:x",
    ] {
        let response = client
            .get(server.url(&format!("/?{query}")))
            .header(header::ORIGIN, "http://localhost:3000")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(
            header(response.headers(), "access-control-allow-origin"),
            Some("http://localhost:3000")
        );
        let body: Value = response.json().await.unwrap();
        assert!(body["error"].is_string(), "{query}: {body}");
    }
}

#[tokio::test]
async fn shipped_example_config_serves() {
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/cors.toml");
    let server = Server::start_with(&config);
    let response = client()
        .request(Method::OPTIONS, server.url("/"))
        .header(header::ORIGIN, "http://localhost:3000")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "DELETE")
        .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "authorization")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        header(response.headers(), "access-control-allow-origin"),
        Some("http://localhost:3000")
    );
}

#[test]
fn invalid_config_exits_before_listening_with_every_problem() {
    let config = config_file(
        "invalid",
        r#"
        allow_origins = ["https://a.com", "https://b.com", "https://c.com/"]
        allow_methods = ["GET", "P UT"]
        preflight_status = 99
        "#,
    );
    let (status, stdout, stderr) = run_refused(&[
        "--config",
        config.to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
    ]);
    assert_eq!(status.code(), Some(1), "stderr:\n{stderr}");
    assert!(!stdout.contains("listening"), "{stdout}");
    assert!(stderr.contains("invalid CORS configuration:"), "{stderr}");
    assert!(
        stderr.contains(
            "allow_origins[2]: \"https://c.com/\" has a trailing slash, which no Origin header has; remove the trailing slash"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("allow_methods[1]: \"P UT\" is not a valid HTTP method"),
        "{stderr}"
    );
    assert!(
        stderr.contains("preflight_status: \"99\" is not an HTTP status code"),
        "{stderr}"
    );
}

#[test]
fn unknown_key_and_unreadable_file_exit_with_the_reason() {
    let config = config_file("unknown-key", "allow_origin = [\"https://a.com\"]\n");
    let (status, stdout, stderr) = run_refused(&[
        "--config",
        config.to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
    ]);
    assert_eq!(status.code(), Some(1), "stderr:\n{stderr}");
    assert!(!stdout.contains("listening"), "{stdout}");
    assert!(stderr.contains("unknown field `allow_origin`"), "{stderr}");

    let missing = Path::new(env!("CARGO_TARGET_TMPDIR")).join("echo-no-such-file.toml");
    let (status, _, stderr) = run_refused(&[
        "--config",
        missing.to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
    ]);
    assert_eq!(status.code(), Some(1), "stderr:\n{stderr}");
    assert!(stderr.contains("cannot read"), "{stderr}");
}

#[test]
fn bad_arguments_exit_with_usage() {
    let config = config_file("args", POLICY);
    let config = config.to_str().unwrap();
    for args in [
        vec!["--listen", "127.0.0.1:0"],
        vec!["--config", config],
        vec!["--config", config, "--listen", "localhost"],
        vec!["--config", config, "--listen"],
        vec!["--config", config, "--listen", "127.0.0.1:0", "--verbose"],
    ] {
        let (status, _, stderr) = run_refused(&args);
        assert_eq!(status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("usage: echo --config FILE --listen ADDRESS"),
            "{stderr}"
        );
    }
    let (status, stdout, _) = run_refused(&["--help"]);
    assert!(status.success());
    assert!(stdout.contains("usage: echo"), "{stdout}");
}

#[tokio::test]
async fn inline_flag_values_are_accepted() {
    let config = config_file("inline", POLICY);
    let mut child = Command::new(example_binary("echo"))
        .arg(format!("--config={}", config.display()))
        .arg("--listen=127.0.0.1:0")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    let stdout = child.stdout.take().unwrap();
    let read = std::thread::spawn(move || {
        let _ = BufReader::new(stdout).read_line(&mut line);
        line
    });
    let deadline = Instant::now() + STARTUP;
    while !read.is_finished() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let finished = read.is_finished();
    let _ = child.kill();
    let _ = child.wait();
    assert!(finished, "no output from the echo example");
    let line = read.join().unwrap();
    assert!(
        line.starts_with("listening on http://127.0.0.1:"),
        "{line:?}"
    );
}
