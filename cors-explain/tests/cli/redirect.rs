//! Redirects that change what the browser sends: `Authorization` stays on the origin the
//! script gave it to.

use super::{answer, cors_explain, Handmade};

const APP: &str = "https://app.example.com";

/// Grants the page whatever it asks for, preflights included.
fn granting(seen: &super::Seen) -> http::Response<http_body_util::Full<bytes::Bytes>> {
    let grants = [
        ("access-control-allow-origin", APP),
        ("access-control-allow-headers", "authorization"),
    ];
    match (seen.method.as_str(), seen.path.as_str()) {
        ("OPTIONS", _) => answer(204, &grants),
        (_, "/same") => answer(307, &[("location", "/same/next"), grants[0]]),
        _ => answer(200, &grants),
    }
}

#[test]
fn authorization_is_removed_on_a_redirect_to_another_origin() {
    let api = Handmade::start(|seen| {
        if seen.headers.contains_key("authorization") {
            answer(200, &[("access-control-allow-origin", "*")])
        } else {
            answer(401, &[("access-control-allow-origin", "*")])
        }
    });
    let target = api.url("/v2/items");
    let front = Handmade::start(move |seen| match seen.method.as_str() {
        "OPTIONS" => granting(seen),
        _ => answer(
            307,
            &[
                ("location", target.as_str()),
                ("access-control-allow-origin", APP),
            ],
        ),
    });
    let (code, out, _) = cors_explain(&[
        "--url",
        &front.url("/items"),
        "--origin",
        APP,
        "--header",
        "authorization: Bearer SECRET",
    ]);
    // The page reads the API's answer to a request without the token.
    assert_eq!(code, 0, "{out}");
    let redirect = out.find("Redirect 1: GET").expect("a redirect");
    assert!(
        out[redirect..].contains(
            "  browser: removes the Authorization header, since the redirect goes to another origin\n"
        ),
        "{out}"
    );
    assert!(!out[redirect..].contains("SECRET"), "{out}");
    assert!(out[redirect..].contains("Preflight: not needed"), "{out}");
    assert!(out.contains("  answer: 401 Unauthorized"), "{out}");
    let front_seen = front.seen();
    assert_eq!(front_seen[1].headers["authorization"], "Bearer SECRET");
    let seen = api.seen();
    assert_eq!(seen.len(), 1, "no preflight without the header: {seen:?}");
    assert!(seen[0].headers.get("authorization").is_none(), "{seen:?}");
}

#[test]
fn authorization_stays_on_a_redirect_within_the_origin() {
    let server = Handmade::start(granting);
    let (code, out, _) = cors_explain(&[
        "--url",
        &server.url("/same"),
        "--origin",
        APP,
        "--header",
        "authorization: Bearer SECRET",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("removes the Authorization header"), "{out}");
    let seen: Vec<_> = server
        .seen()
        .into_iter()
        .map(|s| (s.method, s.path, s.headers.get("authorization").cloned()))
        .collect();
    let token = Some(http::HeaderValue::from_static("Bearer SECRET"));
    assert_eq!(
        seen,
        [
            ("OPTIONS".to_owned(), "/same".to_owned(), None),
            ("GET".to_owned(), "/same".to_owned(), token.clone()),
            ("OPTIONS".to_owned(), "/same/next".to_owned(), None),
            ("GET".to_owned(), "/same/next".to_owned(), token),
        ]
    );
}
