//! Servers that are not tower-cors: hand-written hyper services that set CORS headers
//! themselves, wrongly in most of these tests, and redirect.

use super::{answer, cors_explain, Handmade};

const APP: &str = "https://app.example.com";

#[test]
fn wildcard_origin_with_credentials() {
    let server = Handmade::start(|_| {
        answer(
            200,
            &[
                ("access-control-allow-origin", "*"),
                ("access-control-allow-credentials", "true"),
            ],
        )
    });
    let (code, out, _) = cors_explain(&[
        "--url",
        &server.url("/me"),
        "--origin",
        APP,
        "--credentials",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("Browser: BLOCKED, Access-Control-Allow-Origin is \"*\", which is refused on credentialed requests"), "{out}");
    assert!(out.contains("  - the response must carry Access-Control-Allow-Origin: https://app.example.com instead of *: a request with credentials needs the exact origin\n"), "{out}");
    // Without credentials the same answer is fine.
    let (code, out, _) = cors_explain(&["--url", &server.url("/me"), "--origin", APP]);
    assert_eq!(code, 0, "{out}");
    // The server saw the request as the browser sends it.
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].method, "GET");
    assert_eq!(seen[0].headers["origin"], APP);
    assert!(seen[0].headers.get("cookie").is_none());
}

#[test]
fn preflight_that_omits_a_header() {
    let server = Handmade::start(|seen| {
        if seen.method == "OPTIONS" {
            answer(
                204,
                &[
                    ("access-control-allow-origin", APP),
                    ("access-control-allow-methods", "GET, PUT"),
                    ("access-control-allow-headers", "Content-Type"),
                ],
            )
        } else {
            answer(200, &[("access-control-allow-origin", APP)])
        }
    });
    let (code, out, _) = cors_explain(&[
        "--url",
        &server.url("/items/7"),
        "--origin",
        APP,
        "--method",
        "PUT",
        "--header",
        "x-request-id:abc",
        "--header",
        "content-type",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("  browser: the preflight fails: Access-Control-Allow-Headers does not include \"x-request-id\""), "{out}");
    assert!(out.contains("What the server must change:\n  - the preflight answer must list x-request-id in Access-Control-Allow-Headers\n"), "{out}");
    assert!(!out.contains("Access-Control-Allow-Origin:"), "{out}");
    assert!(!out.contains("no Access-Control-* header at all"), "{out}");
    // Only the preflight went out, built as a browser builds it.
    let seen = server.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].method, "OPTIONS");
    assert_eq!(seen[0].path, "/items/7");
    assert_eq!(seen[0].headers["access-control-request-method"], "PUT");
    assert_eq!(
        seen[0].headers["access-control-request-headers"],
        "content-type,x-request-id"
    );
    assert!(seen[0].headers.get("x-request-id").is_none());
}

#[test]
fn preflight_refused_by_routing_or_redirected() {
    // A server that knows nothing of OPTIONS.
    let server = Handmade::start(|seen| match seen.method.as_str() {
        "OPTIONS" => answer(405, &[("allow", "GET, DELETE")]),
        _ => answer(200, &[("access-control-allow-origin", "*")]),
    });
    let (code, out, _) = cors_explain(&[
        "--url",
        &server.url("/a"),
        "--origin",
        APP,
        "--method",
        "DELETE",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(
            "Browser: BLOCKED, the preflight answer has status 405 Method Not Allowed, not 2xx"
        ),
        "{out}"
    );
    assert!(out.contains("  - the preflight (OPTIONS /a) must be answered with a 2xx status (usually 204), not 405 Method Not Allowed;"), "{out}");
    // Once the status is fixed the grant is still missing: both are listed.
    assert!(out.contains("  - the preflight answer must carry Access-Control-Allow-Origin: https://app.example.com (or *)\n"), "{out}");
    assert!(
        out.contains("  - the preflight answer must list DELETE in Access-Control-Allow-Methods\n"),
        "{out}"
    );

    // A preflight answered with a redirect fails, whatever the headers.
    let server = Handmade::start(|_| {
        answer(
            301,
            &[
                ("location", "/b/"),
                ("access-control-allow-origin", "*"),
                ("access-control-allow-methods", "*"),
            ],
        )
    });
    let (code, out, _) = cors_explain(&[
        "--url",
        &server.url("/b"),
        "--origin",
        APP,
        "--method",
        "PATCH",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("    location: /b/\n"), "{out}");
    assert!(out.contains("the preflight answer is a redirect (301 Moved Permanently); browsers never follow redirects for a preflight"), "{out}");
    assert!(
        out.contains("must be answered with a 2xx status (usually 204), not redirected"),
        "{out}"
    );
    assert_eq!(server.seen().len(), 1, "the redirect is not followed");
}

#[test]
fn two_allow_origin_headers() {
    // An application and a proxy in front of it both add the header.
    let server = Handmade::start(|_| {
        answer(
            200,
            &[
                ("access-control-allow-origin", APP),
                ("access-control-allow-origin", APP),
            ],
        )
    });
    let (code, out, _) = cors_explain(&["--url", &server.url("/"), "--origin", APP]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("Browser: BLOCKED, Access-Control-Allow-Origin has several values (\"https://app.example.com, https://app.example.com\"); only one is allowed"), "{out}");
    assert!(out.contains("must carry Access-Control-Allow-Origin once, with the one value \"https://app.example.com\""), "{out}");
}

#[test]
fn see_other_after_post_becomes_get_without_body_headers() {
    let server = Handmade::start(|seen| match (seen.method.as_str(), seen.path.as_str()) {
        ("OPTIONS", _) => answer(
            204,
            &[
                ("access-control-allow-origin", APP),
                ("access-control-allow-methods", "POST"),
                ("access-control-allow-headers", "content-type"),
            ],
        ),
        ("POST", "/orders") => answer(
            303,
            &[
                ("location", "/orders/42"),
                ("access-control-allow-origin", APP),
            ],
        ),
        _ => answer(200, &[("access-control-allow-origin", APP)]),
    });
    let (code, out, _) = cors_explain(&[
        "--url",
        &server.url("/orders"),
        "--origin",
        APP,
        "--method",
        "POST",
        "--header",
        "content-type: application/json",
        "--header",
        "accept: application/json",
    ]);
    assert_eq!(code, 0, "{out}");
    let target = server.url("/orders/42");
    assert!(
        out.contains(&format!(
            "Redirect 1: GET {target} (303 turns POST into GET, without the body and its headers)"
        )),
        "{out}"
    );
    assert!(out.contains("Browser: ALLOWED"), "{out}");
    let seen = server.seen();
    let methods: Vec<_> = seen
        .iter()
        .map(|s| format!("{} {}", s.method, s.path))
        .collect();
    // The GET has only safelisted headers left: no second preflight.
    assert_eq!(
        methods,
        ["OPTIONS /orders", "POST /orders", "GET /orders/42"]
    );
    assert!(
        seen[2].headers.get("content-type").is_none(),
        "{:?}",
        seen[2]
    );
    assert_eq!(seen[2].headers["accept"], "application/json");
    assert_eq!(
        seen[2].headers["origin"], APP,
        "same-origin redirect: the origin stays"
    );
}

#[test]
fn redirect_to_another_origin_sends_origin_null() {
    let api = Handmade::start(|seen| {
        // Grants the page's origin only, as many servers do.
        let origin = seen
            .headers
            .get("origin")
            .and_then(|o| o.to_str().ok())
            .unwrap_or("");
        let grant = if origin == APP {
            APP
        } else {
            "https://nobody.example"
        };
        answer(200, &[("access-control-allow-origin", grant)])
    });
    let target = api.url("/v2/items");
    let front = Handmade::start(move |_| {
        answer(
            307,
            &[
                ("location", target.as_str()),
                ("access-control-allow-origin", "*"),
            ],
        )
    });
    let (code, out, _) = cors_explain(&["--url", &front.url("/items"), "--origin", APP]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!(
            "Redirect 1: GET {} (to another origin: from now on the browser sends Origin: null)",
            api.url("/v2/items")
        )),
        "{out}"
    );
    assert!(out.contains("    origin: null\n"), "{out}");
    assert!(out.contains("Browser: BLOCKED, Access-Control-Allow-Origin is \"https://nobody.example\", not the page's origin"), "{out}");
    assert!(out.contains("  - the response must carry Access-Control-Allow-Origin: null (or *), not \"https://nobody.example\" (the browser sends Origin: null since a redirect took the request to another origin)\n"), "{out}");
    let seen = api.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].headers["origin"], "null");
}

#[test]
fn redirects_must_pass_the_cors_check_and_end() {
    // A redirect without a grant is not followed.
    let server = Handmade::start(|_| answer(302, &[("location", "/elsewhere")]));
    let (code, out, _) = cors_explain(&["--url", &server.url("/"), "--origin", APP]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("  browser: the redirect is not followed: the answer has no Access-Control-Allow-Origin"), "{out}");
    assert!(out.contains("  - the redirect must carry Access-Control-Allow-Origin: https://app.example.com (or *)\n"), "{out}");
    assert_eq!(server.seen().len(), 1);

    // A loop ends after 20 redirects.
    let server = Handmade::start(|_| {
        answer(
            302,
            &[("location", "/loop"), ("access-control-allow-origin", "*")],
        )
    });
    let (code, out, _) = cors_explain(&["--url", &server.url("/loop"), "--origin", APP]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("Redirect 20: GET"), "{out}");
    assert!(!out.contains("Redirect 21"), "{out}");
    assert!(
        out.contains("Browser: BLOCKED, more than 20 redirects"),
        "{out}"
    );
    assert_eq!(server.seen().len(), 21);
}

#[test]
fn what_the_server_sends_is_escaped() {
    // U+009B is CSI to terminals that read C1 controls: `ESC [` in one character.
    let server = Handmade::start(|_| {
        let mut response = answer(200, &[("access-control-allow-origin", APP)]);
        for (name, value) in [
            ("vary", "origin\u{9b}2J"),
            ("access-control-max-age", "\u{202e}5"),
        ] {
            response.headers_mut().insert(
                name,
                http::HeaderValue::from_bytes(value.as_bytes()).unwrap(),
            );
        }
        response
    });
    let (code, out, _) = cors_explain(&["--url", &server.url("/"), "--origin", APP]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("    vary: origin\\u{9b}2J\n"), "{out}");
    assert!(
        out.contains("    access-control-max-age: \\u{202e}5\n"),
        "{out}"
    );
    assert!(!out.contains(['\u{9b}', '\u{202e}']), "{out}");
}

#[test]
fn null_origin_without_a_redirect_is_not_blamed_on_one() {
    // A sandboxed iframe, a data: or a file: page sends Origin: null.
    let server = Handmade::start(|_| answer(200, &[("access-control-allow-origin", APP)]));
    let (code, out, _) = cors_explain(&["--url", &server.url("/"), "--origin", "null"]);
    assert_eq!(code, 1, "{out}");
    assert!(!out.contains("redirect"), "{out}");
    assert!(out.contains("  - the response must carry Access-Control-Allow-Origin: null (or *), not \"https://app.example.com\" (the page's origin is null, as for sandboxed iframes and data: or file: pages; every such page sends Origin: null, whatever its site)\n"), "{out}");
}
