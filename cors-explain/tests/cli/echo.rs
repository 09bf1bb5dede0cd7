//! Against the echo example: tower-cors in front of an echo service, on loopback.

use crate::echo_server::Server;

use super::cors_explain;

const POLICY: &str = r#"
allow_origins = ["https://app.example.com", "http://localhost:3000"]
allow_methods = ["GET", "PUT"]
allow_headers = ["content-type"]
expose_headers = ["x-request-id"]
"#;

const LNA_NOTE: &str = "Chrome (Local Network Access, Chrome 142+) asks the user for permission";

#[test]
fn allowed_preflighted_request_to_the_echo_server() {
    let server = Server::start("cli-allowed", POLICY);
    let url = server.url("/items/1?draft=yes");
    let (code, out, err) = cors_explain(&[
        "--url",
        &url,
        "--origin",
        "https://app.example.com",
        "--method",
        "put",
        "--header",
        "Content-Type: application/json",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains(&format!("Request: PUT {url} from https://app.example.com")),
        "{out}"
    );
    assert!(out.contains(&format!("    OPTIONS {url}\n    origin: https://app.example.com\n    access-control-request-method: PUT\n    access-control-request-headers: content-type\n")), "{out}");
    assert!(
        out.contains("  answer: 204 No Content (HTTP/1.1 from 127.0.0.1:"),
        "{out}"
    );
    assert!(
        out.contains("    access-control-allow-methods: GET, PUT\n"),
        "{out}"
    );
    assert!(out.contains("  browser: the preflight passes; its answer is reused for 5 s in Chromium, 5 s in Firefox"), "{out}");
    assert!(out.contains(&format!("Actual request:\n    PUT {url}\n    origin: https://app.example.com\n    content-type: application/json\n  answer: 200 OK")), "{out}");
    assert!(
        out.contains("    access-control-expose-headers: x-request-id\n"),
        "{out}"
    );
    assert!(
        out.contains("Browser: ALLOWED, the page can read the response"),
        "{out}"
    );
    assert!(out.contains("Response headers the script can read: cache-control, content-language, content-length, content-type, expires, last-modified, pragma, x-request-id (any other reads as null)"), "{out}");
    assert!(!out.contains("What the server must change"), "{out}");
    // A public origin calling a loopback address.
    assert!(
        out.contains(
            "Note: https://app.example.com is a public origin and 127.0.0.1 is a loopback address"
        ),
        "{out}"
    );
    assert!(out.contains(LNA_NOTE), "{out}");
    assert!(err.is_empty(), "{err}");
}

#[test]
fn refused_header() {
    let server = Server::start("cli-header", POLICY);
    let (code, out, _) = cors_explain(&[
        "--url",
        &server.url("/items"),
        "--origin",
        "http://localhost:3000",
        "--method",
        "PUT",
        "--header",
        "X-Custom",
        "--header",
        "content-type",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("access-control-request-headers: content-type,x-custom\n"),
        "{out}"
    );
    // tower-cors refuses the whole preflight: no grant at all.
    assert!(
        out.contains(
            "  browser: the preflight fails: the answer has no Access-Control-Allow-Origin"
        ),
        "{out}"
    );
    assert!(
        out.contains("Actual request: not sent, because the preflight failed"),
        "{out}"
    );
    // tower-cors refuses the whole preflight and sends no grant at all, so a passing answer
    // needs every part of it, each named once, in the order the browser checks them.
    assert!(
        out.contains(
            "What the server must change:
  - the preflight answer must carry Access-Control-Allow-Origin: http://localhost:3000 (or *)
  - the preflight answer must list PUT in Access-Control-Allow-Methods
  - the preflight answer must list content-type in Access-Control-Allow-Headers
  - the preflight answer must list x-custom in Access-Control-Allow-Headers
"
        ),
        "{out}"
    );
    assert!(!out.contains("Access-Control-Allow-Credentials"), "{out}");
    assert!(
        out.contains("  The preflight answer has no Access-Control-* header at all."),
        "{out}"
    );
    // A page on localhost is no public origin.
    assert!(!out.contains(LNA_NOTE), "{out}");
}

#[test]
fn refused_origin() {
    let server = Server::start("cli-origin", POLICY);
    let (code, out, _) = cors_explain(&[
        "--url",
        &server.url("/"),
        "--origin",
        "https://evil.example",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("Preflight: not needed"), "{out}");
    assert!(out.contains("  answer: 200 OK"), "{out}");
    assert!(out.contains("    vary: origin\n"), "{out}");
    assert!(
        out.contains("Browser: BLOCKED, the answer has no Access-Control-Allow-Origin"),
        "{out}"
    );
    assert!(out.contains("  - the response must carry Access-Control-Allow-Origin: https://evil.example (or *)\n"), "{out}");
}

#[test]
fn credentials_without_allow_credentials() {
    let server = Server::start("cli-credentials", POLICY);
    let (code, out, _) = cors_explain(&[
        "--url",
        &server.url("/"),
        "--origin",
        "https://app.example.com",
        "--credentials",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("from https://app.example.com with credentials"),
        "{out}"
    );
    assert!(
        out.contains("    access-control-allow-origin: https://app.example.com\n"),
        "{out}"
    );
    assert!(out.contains("Browser: BLOCKED, the request includes credentials and the answer lacks Access-Control-Allow-Credentials: true"), "{out}");
    assert!(
        out.contains("  - the response must carry Access-Control-Allow-Credentials: true\n"),
        "{out}"
    );

    // The same request with credentials allowed passes.
    let allowing = Server::start(
        "cli-credentials-allowed",
        &format!("{POLICY}allow_credentials = true\n"),
    );
    let (code, out, _) = cors_explain(&[
        "--url",
        &allowing.url("/"),
        "--origin",
        "https://app.example.com",
        "--credentials",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("    access-control-allow-credentials: true\n"),
        "{out}"
    );
}

#[test]
fn same_origin_needs_no_cors() {
    let server = Server::start("cli-same-origin", POLICY);
    let (code, out, _) = cors_explain(&[
        "--url",
        &server.url("/"),
        "--origin",
        &server.base,
        "--method",
        "DELETE",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Same origin: "), "{out}");
    assert!(!out.contains("OPTIONS"), "{out}");
}
