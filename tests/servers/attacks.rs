//! Attacks on the echo server, over loopback: what a cache in front of it stores, and what the
//! server says about a dangerous policy when it starts.

use reqwest::StatusCode;

use crate::echo_server::Server;
use crate::support::client;

/// A font behind a `*` policy, fetched through a CDN that forwards two `Origin` headers: the
/// response it would store must still carry `*`, or every later `fetch` fails for its TTL.
#[tokio::test]
async fn a_wildcard_policy_answers_star_to_repeated_origins() {
    for reject in [false, true] {
        let server = Server::start(
            &format!("wildcard-{reject}"),
            &format!("allow_origins = \"*\"\nreject_disallowed_origins = {reject}\n"),
        );
        let response = client()
            .get(server.url("/font.woff?header=cache-control:public,max-age=86400"))
            .header("origin", "https://a.example")
            .header("origin", "https://a.example")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "reject {reject}");
        let headers = response.headers();
        assert_eq!(
            headers
                .get("access-control-allow-origin")
                .map(|v| v.as_bytes()),
            Some(&b"*"[..]),
            "reject {reject}: {headers:?}"
        );
        assert_eq!(
            headers.get("cache-control").unwrap(),
            "public,max-age=86400"
        );
        // The echoed request shows both headers arrived.
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(
            body["headers"]["origin"], "https://a.example, https://a.example",
            "{body}"
        );
    }
}

#[test]
fn the_echo_server_prints_every_warning_at_start() {
    let server = Server::start(
        "warnings",
        "allow_origins = [\"null\", \"https://app.example.com\"]\npreserve_inner_cors_headers = true\n",
    );
    let stderr = server.stop();
    assert!(
        stderr.contains("echo: warning: allow_origins[0]: \"null\" lets every sandboxed frame"),
        "{stderr}"
    );
    assert!(
        stderr.contains("echo: warning: preserve_inner_cors_headers: is on"),
        "{stderr}"
    );
}
