//! The dry run against real browsers: random policies and random `fetch` calls, each fetch
//! made by a page in a browser against the `echo` example serving the policy, and compared
//! with what `CorsLayer::simulate` says of the same fetch under the same policy (built from
//! the same TOML text): whether the page can read the response, and if so, which of a few
//! response headers its script can read.
//!
//! `DIFF_SEED` (decimal, or hexadecimal after `0x`) seeds the cases, `DIFF_COUNT` says how
//! many to run (60 by default), and `DIFF_CASE` runs only the case of that index. Every case
//! depends on the seed and its index only, so a failure names what replays it.
//!
//! Each case has an echo server of its own (a port of its own, so no preflight or response a
//! browser cached for an earlier case can answer it); pages are served on every test host
//! and reused across cases.

mod generate;

use std::collections::HashMap;
use std::fmt;
use std::io::Write;
use std::time::Instant;

use http::header::ACCESS_CONTROL_EXPOSE_HEADERS;
use http::{HeaderMap, Method, Uri};
use serde_json::{json, Value};
use tower_cors::{BrowserRequest, Simulation};

use self::generate::{Case, Rng, PROBED};
use super::browser::{start_page, HOSTS};
use super::echo_server::{config_file, Server};
use crate::support::browser::{Engine, Page};

in_every_engine! {
    random_fetches_agree_with_the_dry_run,
}

/// The seed when `DIFF_SEED` is not set.
const DEFAULT_SEED: u64 = 0xD1FF;
/// The number of cases when `DIFF_COUNT` is not set.
const DEFAULT_COUNT: usize = 60;

/// The response headers whose names are CORS-safelisted: a script may always read them.
const SAFELISTED_RESPONSE_HEADERS: &[&str] = &[
    "cache-control",
    "content-language",
    "content-length",
    "content-type",
    "expires",
    "last-modified",
    "pragma",
];

/// What the page gets: blocked, or the response and the probed headers it can read.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    Blocked,
    Allowed { readable: Vec<String> },
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Blocked => f.write_str("blocked"),
            Verdict::Allowed { readable } => write!(f, "allowed, reads [{}]", readable.join(", ")),
        }
    }
}

fn env_number(name: &str) -> Option<u64> {
    let text = std::env::var(name).ok().filter(|v| !v.trim().is_empty())?;
    let text = text.trim();
    let parsed = match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => text.parse(),
    };
    Some(parsed.unwrap_or_else(|_| panic!("{name}={text:?} is not a number")))
}

/// Tells stderr, where the test harness does not capture it, what the run is: the seed shows
/// up whether the test passes, fails or stops halfway.
fn say(line: &str) {
    let _ = std::io::stderr().write_all(format!("{line}\n").as_bytes());
}

fn random_fetches_agree_with_the_dry_run(engine: Engine) {
    let seed = env_number("DIFF_SEED").unwrap_or(DEFAULT_SEED);
    let count = env_number("DIFF_COUNT").map_or(DEFAULT_COUNT, |n| n as usize);
    let indices: Vec<usize> = match env_number("DIFF_CASE") {
        Some(index) => vec![index as usize],
        None => (0..count).collect(),
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let page_port = start_page(&runtime);
    let Some(mut browser) = engine.start(HOSTS) else {
        return;
    };
    say(&format!(
        "differential in {engine}: {} cases of seed {seed:#x}",
        indices.len()
    ));
    let started = Instant::now();
    let mut pages: HashMap<&str, Page> = HashMap::new();
    let mut failures = Vec::new();
    let (mut allowed, mut preflighted) = (0, 0);
    for &index in &indices {
        let (case, layer) = generate::case(&mut Rng::for_case(seed, index), index, page_port);
        let page_origin = format!("http://{}:{page_port}", case.host);
        let name = format!(
            "differential-{}-{}-{index}",
            engine.name().to_ascii_lowercase(),
            std::process::id()
        );
        let config = config_file(&name, &case.toml);
        let server = Server::start_with(&config);
        let _ = std::fs::remove_file(config);
        let port = server.base.rsplit(':').next().unwrap();
        let url = format!("http://api.example.test:{port}{}", case.path_and_query());

        let page = match pages.get(case.host) {
            Some(page) => page.clone(),
            None => {
                let page = browser.open(&format!("{page_origin}/"));
                pages.insert(case.host, page.clone());
                page
            }
        };
        let seen = browser.eval(&page, &script(&url, &case.init()));
        drop(server);

        let simulation = layer.simulate(&request(&case, &page_origin));
        let expected = expected(&case, &simulation);
        let got = match seen["ok"].as_bool() {
            Some(true) => Verdict::Allowed {
                readable: serde_json::from_value(seen["readable"].clone()).unwrap(),
            },
            _ => Verdict::Blocked,
        };
        allowed += usize::from(got != Verdict::Blocked);
        preflighted += usize::from(simulation.preflight.is_some());
        if got != expected {
            failures.push(format!(
                "case {index} (DIFF_SEED={seed:#x} DIFF_CASE={index}):\n\
                 policy:\n{}\
                 fetch from {page_origin}: fetch({}, {})\n\
                 {engine}: {got} ({seen})\n\
                 dry run: {expected} ({})",
                indent(&case.toml),
                json!(url),
                case.init(),
                explain(&simulation),
            ));
        }
    }
    say(&format!(
        "differential in {engine}: {allowed} allowed, {preflighted} preflighted, {} disagreeing, \
         in {:.1?}",
        failures.len(),
        started.elapsed()
    ));
    assert!(
        failures.is_empty(),
        "{engine} and the dry run disagree on {} of {} cases of seed {seed:#x}:\n\n{}",
        failures.len(),
        indices.len(),
        failures.join("\n\n")
    );
}

/// The script that makes the fetch and reports what the page could see.
fn script(url: &str, init: &Value) -> String {
    format!(
        "(async () => {{
            try {{
                const response = await fetch({url}, {init});
                const readable = {probed}.filter(name => response.headers.get(name) !== null);
                await response.arrayBuffer();
                return {{ ok: true, status: response.status, readable }};
            }} catch (error) {{
                return {{ ok: false, error: String(error) }};
            }}
        }})()",
        url = json!(url),
        probed = json!(PROBED),
    )
}

/// The fetch of `case`, as the dry run takes it.
fn request(case: &Case, page_origin: &str) -> BrowserRequest {
    let method = Method::from_bytes(case.method.as_bytes()).unwrap();
    let uri: Uri = case.path_and_query().parse().unwrap();
    let mut request = BrowserRequest::new(page_origin, method)
        .unwrap()
        .uri(uri)
        .credentials(case.includes_credentials());
    for (name, value) in &case.headers {
        request = request.header(name, value).unwrap();
    }
    request
}

/// What the dry run says the page gets. The readable headers follow the Fetch Standard: a
/// header the response has is readable when its name is safelisted or exposed by
/// `Access-Control-Expose-Headers`, where `*` exposes every name unless the request includes
/// credentials.
fn expected(case: &Case, simulation: &Simulation) -> Verdict {
    let Some(actual) = simulation
        .actual
        .as_ref()
        .filter(|_| simulation.is_allowed())
    else {
        return Verdict::Blocked;
    };
    let exposed = list_items(&actual.headers, ACCESS_CONTROL_EXPOSE_HEADERS);
    let everything = !case.includes_credentials() && exposed.iter().any(|name| name == "*");
    let readable = PROBED
        .iter()
        .filter(|name| case.server_sends(name) || actual.headers.contains_key(**name))
        .filter(|name| {
            SAFELISTED_RESPONSE_HEADERS.contains(name)
                || everything
                || exposed.iter().any(|exposed| exposed == *name)
        })
        .map(|name| (*name).to_owned())
        .collect();
    Verdict::Allowed { readable }
}

/// The comma-separated items of every line of a header, lowercase (the layer sends ASCII).
fn list_items(headers: &HeaderMap, name: http::HeaderName) -> Vec<String> {
    headers
        .get_all(name)
        .iter()
        .map(|value| value.to_str().expect("an ASCII header value"))
        .flat_map(|value| value.split(','))
        .map(|item| item.trim().to_ascii_lowercase())
        .filter(|item| !item.is_empty())
        .collect()
}

/// The dry run in short: why it blocks, and the headers of each exchange.
fn explain(simulation: &Simulation) -> String {
    let headers = |headers: &HeaderMap| {
        let lines: Vec<String> = headers
            .iter()
            .map(|(name, value)| format!("{name}: {}", String::from_utf8_lossy(value.as_bytes())))
            .collect();
        format!("[{}]", lines.join("; "))
    };
    let mut parts = Vec::new();
    if let Some(blocked) = &simulation.blocked {
        parts.push(format!("blocked: {blocked}"));
    }
    if let Some(preflight) = &simulation.preflight {
        let status = preflight
            .status
            .map_or("forwarded".to_owned(), |s| s.to_string());
        parts.push(format!(
            "preflight {status} {}",
            headers(&preflight.headers)
        ));
    }
    if let Some(actual) = &simulation.actual {
        let status = actual
            .status
            .map_or("forwarded".to_owned(), |s| s.to_string());
        parts.push(format!("actual {status} {}", headers(&actual.headers)));
    }
    parts.join("; ")
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|line| match line {
            "" => "\n".to_owned(),
            line => format!("    {line}\n"),
        })
        .collect()
}
