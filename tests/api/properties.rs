//! Property tests: random policies against random, partly hostile request heads.
//!
//! Grants are checked against a reference matcher written here, independently of the crate.

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use http::header::{self, HeaderName, HeaderValue};
use http::{Method, Request, Response};
use proptest::prelude::*;
use tower::{service_fn, Layer, ServiceExt};
use tower_cors::{AllowHeaders, AllowMethods, AllowOrigin, CorsBuilder, CorsLayer};

/// Configuration entries a policy may list (all valid).
const CONFIG_ORIGINS: &[&str] = &[
    "https://app.example.com",
    "http://localhost:3000",
    "https://*.example.org",
    "http://*.example.org:8080",
    "https://*.a.example.net:*",
    "http://localhost:*",
    "null",
    "http://[::1]:8080",
];

/// Origins requests carry: listed ones, near misses, and junk.
const REQUEST_ORIGINS: &[&str] = &[
    "https://app.example.com",
    "http://app.example.com",
    "https://app.example.com:443",
    "https://app.example.com/",
    "HTTPS://APP.EXAMPLE.COM",
    "http://localhost:3000",
    "http://localhost:3001",
    "http://localhost",
    "https://x.example.org",
    "https://x.y.example.org",
    "https://example.org",
    "https://evilexample.org",
    "https://x.example.org.evil.com",
    "http://x.example.org:8080",
    "http://x.example.org",
    "https://b.a.example.net:9",
    "https://a.example.net",
    "null",
    "*",
    "",
    "http://[::1]:8080",
    "file://",
];

#[derive(Debug, Clone)]
enum OriginPolicy {
    List(Vec<&'static str>),
    Any,
    Mirror,
}

#[derive(Debug, Clone)]
struct Policy {
    origins: OriginPolicy,
    credentials: bool,
    methods: Vec<&'static str>,
    headers: Option<Vec<&'static str>>, // None: mirror
    passthrough: bool,
    strict_preflight: bool,
    reject: bool,
}

impl Policy {
    fn builder(&self) -> CorsBuilder {
        let origin = match &self.origins {
            OriginPolicy::List(list) => AllowOrigin::from_strs(list.clone()),
            OriginPolicy::Any => AllowOrigin::any(),
            OriginPolicy::Mirror => AllowOrigin::mirror_request(),
        };
        CorsLayer::builder()
            .allow_origin(origin)
            .allow_credentials(self.credentials)
            .allow_methods(AllowMethods::list(self.methods.clone()))
            .allow_headers(match &self.headers {
                Some(list) => AllowHeaders::list(list.clone()),
                None => AllowHeaders::mirror_request(),
            })
            .expose_headers(["x-request-id"])
            .preflight_continue(self.passthrough)
            .strict_preflight(self.strict_preflight)
            .reject_disallowed_origins(self.reject)
    }
}

fn policy() -> impl Strategy<Value = Policy> {
    let origins = prop_oneof![
        4 => proptest::sample::subsequence(CONFIG_ORIGINS, 1..CONFIG_ORIGINS.len())
            .prop_map(OriginPolicy::List),
        1 => Just(OriginPolicy::Any),
        1 => Just(OriginPolicy::Mirror),
    ];
    (
        origins,
        any::<bool>(),
        proptest::sample::subsequence(&["PUT", "PATCH", "DELETE", "purge"][..], 0..4),
        prop_oneof![
            3 => proptest::sample::subsequence(&["content-type", "x-custom", "authorization"][..], 0..3)
                .prop_map(Some),
            1 => Just(None),
        ],
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(origins, credentials, methods, headers, passthrough, strict_preflight, reject)| {
                // `*` and blind mirroring with credentials are build errors (tested elsewhere).
                let credentials = credentials && matches!(origins, OriginPolicy::List(_));
                // Strict preflights with passthrough is a build error too.
                let strict_preflight = strict_preflight && !passthrough;
                Policy {
                    origins,
                    credentials,
                    methods,
                    headers,
                    passthrough,
                    strict_preflight,
                    reject,
                }
            },
        )
}

/// A header value: usually from a pool, sometimes arbitrary bytes (including obs-text and
/// control characters that `HeaderValue` accepts).
fn value_from(pool: &'static [&'static str]) -> impl Strategy<Value = HeaderValue> {
    prop_oneof![
        4 => proptest::sample::select(pool).prop_map(HeaderValue::from_static),
        1 => proptest::collection::vec(any::<u8>(), 0..64).prop_filter_map("valid header bytes", |b| {
            HeaderValue::from_bytes(&b).ok()
        }),
    ]
}

#[derive(Debug, Clone)]
struct Head {
    method: Method,
    origins: Vec<HeaderValue>,
    request_method: Option<HeaderValue>,
    request_headers: Vec<HeaderValue>,
    private_network: bool,
    inner_vary: Option<&'static str>,
    /// The inner service grants everything itself, as a second CORS layer would.
    inner_grants: bool,
}

fn head() -> impl Strategy<Value = Head> {
    (
        proptest::sample::select(
            &[Method::GET, Method::OPTIONS, Method::OPTIONS, Method::POST][..],
        ),
        proptest::collection::vec(value_from(REQUEST_ORIGINS), 0..3),
        proptest::option::of(value_from(&[
            "PUT", "PATCH", "patch", "DELETE", "GET", "purge", "P T",
        ])),
        proptest::collection::vec(
            value_from(&[
                "content-type",
                "X-Custom",
                "authorization",
                "x-other, content-type",
                " , ",
                "",
            ]),
            0..3,
        ),
        any::<bool>(),
        proptest::option::of(proptest::sample::select(
            &["accept", "Origin", "*", "accept-encoding, origin"][..],
        )),
        any::<bool>(),
    )
        .prop_map(
            |(
                method,
                origins,
                request_method,
                request_headers,
                private_network,
                inner_vary,
                inner_grants,
            )| {
                Head {
                    method,
                    origins,
                    request_method,
                    request_headers,
                    private_network,
                    inner_vary,
                    inner_grants,
                }
            },
        )
}

/// The reference matcher: does a listed policy allow this origin?
fn reference_allows(list: &[&str], origin: &str) -> bool {
    list.iter()
        .any(|entry| reference_entry_allows(entry, origin))
}

fn split_port(hostport: &str) -> (&str, Option<&str>) {
    if let Some(rest) = hostport.strip_prefix('[') {
        let close = rest.find(']').map(|i| i + 1).unwrap_or(rest.len());
        let (host, port) = hostport.split_at(close + 1);
        return (host, port.strip_prefix(':'));
    }
    match hostport.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (hostport, None),
    }
}

fn reference_entry_allows(entry: &str, origin: &str) -> bool {
    if entry == "null" || origin == "null" {
        return entry == origin;
    }
    let (Some((e_scheme, e_rest)), Some((o_scheme, o_rest))) =
        (entry.split_once("://"), origin.split_once("://"))
    else {
        return false;
    };
    if e_scheme != o_scheme {
        return false;
    }
    let (e_host, e_port) = split_port(e_rest);
    let (o_host, o_port) = split_port(o_rest);
    // Browsers never send the default port, an empty one, or upper case.
    if o_port == Some("")
        || o_port == Some("443") && o_scheme == "https"
        || o_port == Some("80") && o_scheme == "http"
    {
        return false;
    }
    if origin.chars().any(|c| c.is_ascii_uppercase()) {
        return false;
    }
    let port_ok = match e_port {
        Some("*") => o_port.is_none_or(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit())),
        other => other == o_port,
    };
    if !port_ok {
        return false;
    }
    match e_host.strip_prefix("*.") {
        Some(suffix) => match o_host
            .strip_suffix(suffix)
            .and_then(|p| p.strip_suffix('.'))
        {
            Some(labels) => {
                !labels.is_empty()
                    && labels.split('.').all(|l| {
                        !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    })
            }
            None => false,
        },
        None => e_host == o_host,
    }
}

fn vary_tokens(response: &Response<tower_cors::ResponseBody<String>>) -> Vec<String> {
    response
        .headers()
        .get_all(header::VARY)
        .iter()
        .flat_map(|v| {
            String::from_utf8_lossy(v.as_bytes())
                .split(',')
                .map(|t| t.trim().to_ascii_lowercase())
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>()
        })
        .collect()
}

fn check(policy: &Policy, head: &Head) -> Result<(), TestCaseError> {
    let layer = policy
        .builder()
        .build()
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let inner_vary = head.inner_vary;
    let inner_grants = head.inner_grants;
    let service = layer.layer(service_fn(move |_req: Request<()>| {
        counter.fetch_add(1, Ordering::SeqCst);
        async move {
            let mut response = Response::new("inner".to_owned());
            if let Some(v) = inner_vary {
                response
                    .headers_mut()
                    .insert(header::VARY, HeaderValue::from_static(v));
            }
            if inner_grants {
                // Everything a careless upstream could grant: the layer must remove it all.
                let h = response.headers_mut();
                let star = HeaderValue::from_static("*");
                h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, star.clone());
                h.insert(
                    header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                    HeaderValue::from_static("true"),
                );
                h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, star.clone());
                h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, star.clone());
                h.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, star);
                h.insert(
                    header::ACCESS_CONTROL_MAX_AGE,
                    HeaderValue::from_static("86400"),
                );
            }
            Ok::<_, Infallible>(response)
        }
    }));

    let mut request = Request::builder()
        .method(head.method.clone())
        .uri("/")
        .body(())
        .unwrap();
    let headers = request.headers_mut();
    for o in &head.origins {
        headers.append(header::ORIGIN, o.clone());
    }
    if let Some(m) = &head.request_method {
        headers.insert(header::ACCESS_CONTROL_REQUEST_METHOD, m.clone());
    }
    for h in &head.request_headers {
        headers.append(header::ACCESS_CONTROL_REQUEST_HEADERS, h.clone());
    }
    if head.private_network {
        headers.insert(
            HeaderName::from_static("access-control-request-private-network"),
            HeaderValue::from_static("true"),
        );
    }
    let is_preflight = tower_cors::is_preflight(&request);
    let decision = layer.decide(&request);

    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let response = runtime.block_on(service.oneshot(request)).unwrap();
    let h = response.headers();

    // At most one Access-Control-Allow-Origin, and never `*` with credentials.
    let acao: Vec<&HeaderValue> = h
        .get_all(header::ACCESS_CONTROL_ALLOW_ORIGIN)
        .iter()
        .collect();
    prop_assert!(acao.len() <= 1, "{acao:?}");
    let credentials = h.get(header::ACCESS_CONTROL_ALLOW_CREDENTIALS).is_some();
    if let Some(acao) = acao.first() {
        prop_assert!(!(acao.as_bytes() == b"*" && credentials));
        prop_assert!(decision.is_allowed(), "granted but decided {decision}");
        // The value is `*` or exactly the request's single origin.
        if acao.as_bytes() != b"*" {
            prop_assert_eq!(head.origins.len(), 1);
            prop_assert_eq!(*acao, &head.origins[0]);
            if let OriginPolicy::List(list) = &policy.origins {
                let origin = std::str::from_utf8(acao.as_bytes()).unwrap_or("");
                prop_assert!(
                    reference_allows(list, origin),
                    "granted {origin:?}, which {list:?} does not allow"
                );
            }
        } else {
            prop_assert!(matches!(policy.origins, OriginPolicy::Any));
        }
    } else {
        // No grant: no other grant header either.
        for name in h.keys() {
            prop_assert!(
                !name.as_str().starts_with("access-control-allow-")
                    && name != header::ACCESS_CONTROL_EXPOSE_HEADERS
                    && name != header::ACCESS_CONTROL_MAX_AGE,
                "{name} without Access-Control-Allow-Origin"
            );
        }
    }
    // A listed policy grants exactly what the reference allows (for well-formed requests).
    if let (OriginPolicy::List(list), [origin]) = (&policy.origins, head.origins.as_slice()) {
        let origin = std::str::from_utf8(origin.as_bytes()).unwrap_or("\u{0}");
        if !reference_allows(list, origin) {
            prop_assert!(acao.is_empty(), "{origin:?} granted");
        } else if !is_preflight {
            prop_assert_eq!(acao.len(), 1, "{:?} refused by the layer", origin);
        }
    }

    // Vary: Origin whenever the answer depends on it; no token twice (unless `*`).
    let tokens = vary_tokens(&response);
    if tokens.iter().any(|t| t == "*") {
        prop_assert_eq!(inner_vary, Some("*"));
    } else {
        if !matches!(policy.origins, OriginPolicy::Any) {
            prop_assert!(tokens.iter().any(|t| t == "origin"), "{tokens:?}");
        }
        let mut unique = tokens.clone();
        unique.sort();
        unique.dedup();
        prop_assert_eq!(
            unique.len(),
            tokens.len(),
            "duplicate Vary tokens {:?}",
            tokens
        );
    }

    // Who answered.
    let called = calls.load(Ordering::SeqCst) == 1;
    if is_preflight {
        prop_assert_eq!(called, policy.passthrough);
    } else {
        let refused = !decision.is_allowed();
        prop_assert_eq!(called, !(policy.reject && refused));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold(policy in policy(), head in head()) {
        check(&policy, &head)?;
    }
}

#[test]
fn reference_matcher_sanity() {
    let list = [
        "https://*.example.org",
        "http://localhost:*",
        "https://app.example.com",
    ];
    assert!(reference_allows(&list, "https://a.example.org"));
    assert!(!reference_allows(&list, "https://example.org"));
    assert!(!reference_allows(&list, "https://evilexample.org"));
    assert!(reference_allows(&list, "http://localhost:9"));
    assert!(reference_allows(&list, "https://app.example.com"));
    assert!(!reference_allows(&list, "https://app.example.com:443"));
}
