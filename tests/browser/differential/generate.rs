//! The random side of the differential test: a small deterministic generator, and the cases
//! it makes (a policy in TOML that builds, and a `fetch` from a page on one of the test hosts).

use serde_json::{json, Map, Value};
use tower_cors::{CorsConfig, CorsLayer};

/// SplitMix64: enough randomness for test cases, the same sequence for the same seed
/// everywhere.
pub(super) struct Rng(u64);

impl Rng {
    /// The generator of case `index` of a run seeded with `seed`: each case depends on the
    /// seed and its index only, so any case can be replayed on its own.
    pub(super) fn for_case(seed: u64, index: usize) -> Self {
        let mut rng = Self(seed ^ (index as u64).wrapping_mul(0xA24B_AED4_963E_E407));
        rng.next();
        rng
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True `percent` times in a hundred.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    /// Each of `items`, kept `percent` times in a hundred.
    fn some<T: Copy>(&mut self, items: &[T], percent: u64) -> Vec<T> {
        items
            .iter()
            .copied()
            .filter(|_| self.chance(percent))
            .collect()
    }
}

/// The hosts pages are loaded from; `api.example.test` serves the echo server.
pub(super) const PAGE_HOSTS: &[&str] = &[
    "app.example.test",
    "deep.app.example.test",
    "example.test",
    "evil.test",
    "evilexample.test",
];

/// The response headers whose readability is compared (`response.headers.get(name)`).
pub(super) const PROBED: &[&str] = &[
    "content-type",
    "content-language",
    "x-one",
    "x-two",
    "x-three",
    "vary",
    "access-control-allow-origin",
];

/// A `content-language` value of 129 bytes: over the 128 a safelisted value may have.
const LONG_LANGUAGE: &str = concat!(
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
);

/// One generated case: the policy, and the `fetch` a page makes against it.
#[derive(Debug)]
pub(super) struct Case {
    /// The policy, as the echo server reads it.
    pub(super) toml: String,
    /// The host the page is loaded from.
    pub(super) host: &'static str,
    pub(super) method: &'static str,
    /// The headers the script sets.
    pub(super) headers: Vec<(&'static str, &'static str)>,
    /// The `credentials` option of `fetch`: `include`, `omit` or `same-origin` (the default).
    pub(super) credentials: &'static str,
    pub(super) path: String,
    /// The status the echo server answers with.
    pub(super) status: u16,
    /// The headers the echo server adds to its response (besides `content-type`).
    pub(super) response_headers: Vec<(&'static str, &'static str)>,
}

impl Case {
    /// The request's path and query, which tells the echo server what to answer.
    pub(super) fn path_and_query(&self) -> String {
        let mut query = vec![format!("status={}", self.status)];
        query.extend(
            self.response_headers
                .iter()
                .map(|(name, value)| format!("header={name}:{value}")),
        );
        format!("{}?{}", self.path, query.join("&"))
    }

    pub(super) fn includes_credentials(&self) -> bool {
        self.credentials == "include"
    }

    /// The options of `fetch`.
    pub(super) fn init(&self) -> Value {
        let headers: Map<String, Value> = self
            .headers
            .iter()
            .map(|(name, value)| ((*name).to_owned(), json!(value)))
            .collect();
        json!({ "method": self.method, "headers": headers, "credentials": self.credentials })
    }

    /// Whether the echo server's own response carries `name`.
    pub(super) fn server_sends(&self, name: &str) -> bool {
        name == "content-type" || self.response_headers.iter().any(|(n, _)| *n == name)
    }
}

/// Case `index`: a policy that builds (generated again until one does) with its layer, and a
/// fetch. Origins in the policy use `page_port`, the port every page is served on.
pub(super) fn case(rng: &mut Rng, index: usize, page_port: u16) -> (Case, CorsLayer) {
    let host = rng.pick(PAGE_HOSTS);
    let (toml, layer) = loop {
        let toml = policy_set(rng, host, page_port);
        let config: CorsConfig = toml::from_str(&toml)
            .unwrap_or_else(|err| panic!("the generated policy is not valid TOML: {err}\n{toml}"));
        if let Ok(layer) = config.build() {
            break (toml, layer);
        }
    };
    // `fetch` uppercases `put` but sends `patch` as written.
    let method = rng.pick(&[
        "GET", "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "put", "patch",
    ]);
    let mut headers = rng.some(
        &[
            ("accept", "application/json"),
            // A double quote is a CORS-unsafe byte: the header needs a preflight.
            ("accept", "\"quoted\""),
            ("content-language", "en"),
            ("content-language", LONG_LANGUAGE),
            ("accept-language", "fr"),
            ("range", "bytes=0-"),
            ("x-custom", "1"),
            ("X-Other", "2"),
            ("authorization", "Bearer token"),
        ],
        7,
    );
    // One value per name, as a `headers` object of `fetch` holds them.
    headers.dedup_by(|later, earlier| later.0.eq_ignore_ascii_case(earlier.0));
    if rng.chance(25) {
        let content_type = rng.pick(&[
            "text/plain",
            "text/plain;charset=utf-8",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/json",
            "text/html",
        ]);
        headers.push(("content-type", content_type));
    }
    let case = Case {
        toml,
        host,
        method,
        headers,
        credentials: rng.pick(&["include", "omit", "same-origin"]),
        path: format!("/{}/{index}", rng.pick(&["a", "b", "c"])),
        status: rng.pick(&[200, 200, 200, 404, 500]),
        response_headers: rng.some(
            &[("x-one", "1"), ("x-two", "2"), ("content-language", "de")],
            70,
        ),
    };
    (case, layer)
}

/// A policy, or now and then a set: the top-level policy and one or two `[[policies]]`.
fn policy_set(rng: &mut Rng, host: &str, page_port: u16) -> String {
    let mut toml = policy(rng, host, page_port);
    if rng.chance(30) {
        for _ in 0..=rng.below(2) {
            toml.push_str("\n[[policies]]\n");
            if rng.chance(70) {
                let paths = rng.pick(&[r#"["/a/"]"#, r#"["/b/"]"#, r#"["/a/", "/b/"]"#]);
                toml.push_str(&format!("paths = {paths}\n"));
            }
            toml.push_str(&policy(rng, host, page_port));
        }
    }
    toml
}

/// The keys of one policy; its origins name the page's host (`host`) more often than chance
/// would, so that many requests get past the origin check.
fn policy(rng: &mut Rng, host: &str, page_port: u16) -> String {
    let exact = |host: &str| format!("http://{host}:{page_port}");
    let origins = [
        exact("app.example.test"),
        exact("deep.app.example.test"),
        exact("evil.test"),
        exact("example.test"),
        // The right host on another port.
        "http://app.example.test".to_owned(),
        "http://*.example.test:*".to_owned(),
        format!("http://*.example.test:{page_port}"),
        format!("http://*.app.example.test:{page_port}"),
        "http://example.test:*".to_owned(),
    ];
    let mut toml = String::new();
    let mut key = |name: &str, value: String| toml.push_str(&format!("{name} = {value}\n"));
    key(
        "allow_origins",
        match rng.below(10) {
            0 => r#""*""#.to_owned(),
            1 => r#""mirror""#.to_owned(),
            2 => "[]".to_owned(),
            _ => {
                let mut chosen = vec![if rng.chance(60) {
                    exact(host)
                } else {
                    origins[rng.below(origins.len())].clone()
                }];
                for _ in 0..rng.below(3) {
                    let more = origins[rng.below(origins.len())].clone();
                    if !chosen.contains(&more) {
                        chosen.push(more);
                    }
                }
                list(&chosen)
            }
        },
    );
    if rng.chance(80) {
        key(
            "allow_methods",
            keyword_or_list(
                rng,
                &["*", "mirror"],
                &["GET", "POST", "PUT", "DELETE", "PATCH"],
            ),
        );
    }
    if rng.chance(80) {
        key(
            "allow_headers",
            keyword_or_list(
                rng,
                &["*", "*, authorization", "mirror"],
                &[
                    "content-type",
                    "x-custom",
                    "X-Other",
                    "authorization",
                    "range",
                ],
            ),
        );
    }
    if rng.chance(70) {
        key(
            "expose_headers",
            keyword_or_list(
                rng,
                &["*"],
                &["x-one", "X-Two", "x-three", "vary", "content-language"],
            ),
        );
    }
    if rng.chance(50) {
        key("allow_credentials", "true".to_owned());
    }
    if rng.chance(15) {
        key("strict_preflight", "true".to_owned());
    }
    if rng.chance(15) {
        key("reject_disallowed_origins", "true".to_owned());
    }
    if rng.chance(15) {
        key("preflight_status", "200".to_owned());
    }
    toml
}

/// One of `keywords` a quarter of the time, else a list of some of `names`.
fn keyword_or_list(rng: &mut Rng, keywords: &[&str], names: &[&str]) -> String {
    if rng.chance(25) {
        format!("{:?}", rng.pick(keywords))
    } else {
        list(&rng.some(names, 60))
    }
}

fn list<S: AsRef<str>>(items: &[S]) -> String {
    let quoted: Vec<String> = items
        .iter()
        .map(|item| format!("{:?}", item.as_ref()))
        .collect();
    format!("[{}]", quoted.join(", "))
}
