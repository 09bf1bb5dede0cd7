//! The demo's server side: the policy the API runs, swapped through the layer's reload handle
//! when the page applies an edit, and what the API saw of each request the page tagged.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::{Query, Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use tower_cors::{BrowserRequest, CorsLayer, InvalidRequest, ReloadHandle};

/// The page, with `{{API}}` and `{{POLICY}}` to fill in.
const PAGE: &str = include_str!("page.html");

/// How many tagged requests the recorder keeps; the oldest go first.
const KEPT: usize = 500;

/// The demo's policy as its configuration file says it: the page's origin only, a few methods
/// and headers, one exposed header, credentials on.
pub(crate) fn initial_policy(page_origin: &str) -> String {
    format!(
        r#"# The page's origin only.
allow_origins = ["{page_origin}"]
allow_methods = ["GET", "PUT"]
allow_headers = ["content-type", "x-custom"]
expose_headers = ["x-request-id"]
allow_credentials = true
# 0: the browser asks again before each preflighted request, so an edit shows at once. In
# production, let it reuse the answer: 600 saves a round trip for ten minutes.
max_age_secs = 0
"#
    )
}

/// The layer [`initial_policy`] describes, made with the builder, so that the demo starts
/// without the `serde` feature too.
pub(crate) fn initial_layer(page_origin: &str) -> Result<CorsLayer, tower_cors::ConfigError> {
    CorsLayer::builder()
        .allow_origin(page_origin)
        .allow_methods([Method::GET, Method::PUT])
        .allow_headers(["content-type", "x-custom"])
        .expose_headers(["x-request-id"])
        .allow_credentials(true)
        .max_age(std::time::Duration::ZERO)
        .build()
}

/// Reads a policy from its TOML text and builds it: the layer, or every problem.
#[cfg(feature = "serde")]
pub(crate) fn parse(text: &str) -> Result<CorsLayer, Vec<String>> {
    let config: tower_cors::CorsConfig = toml::from_str(text).map_err(|e| vec![e.to_string()])?;
    config
        .build()
        .map_err(|e| e.problems().iter().map(ToString::to_string).collect())
}

/// Without the `serde` feature there is no configuration file to read: the policy stays as
/// it started, and the page says how to edit it.
#[cfg(not(feature = "serde"))]
pub(crate) fn parse(_text: &str) -> Result<CorsLayer, Vec<String>> {
    Err(vec![
        "editing the policy reads it as a configuration file, which needs the serde feature: \
         cargo run --features serde --example demo"
            .to_owned(),
    ])
}

/// The policy in force: its text, the layer built from it, and the handle that swaps it into
/// the API's layer.
#[derive(Clone, Debug)]
pub(crate) struct Policy {
    current: Arc<Mutex<(String, CorsLayer)>>,
    handle: ReloadHandle,
}

impl Policy {
    /// The policy `text`, built into `layer`, which `handle` swaps.
    pub(crate) fn new(text: String, layer: CorsLayer, handle: ReloadHandle) -> Self {
        Policy {
            current: Arc::new(Mutex::new((text, layer))),
            handle,
        }
    }

    /// The text of the policy in force.
    pub(crate) fn text(&self) -> String {
        lock(&self.current).0.clone()
    }

    /// The layer of the policy in force (not reloadable: a snapshot).
    fn layer(&self) -> CorsLayer {
        lock(&self.current).1.clone()
    }

    /// Builds `text` and, when it is valid, makes it the API's policy: its warnings, or every
    /// problem (the current policy then stays).
    pub(crate) fn apply(&self, text: &str) -> Result<Vec<String>, Vec<String>> {
        let layer = parse(text)?;
        let mut current = lock(&self.current);
        self.handle.replace(&layer);
        let warnings = layer.warnings().iter().map(ToString::to_string).collect();
        *current = (text.to_owned(), layer);
        Ok(warnings)
    }
}

/// What the API saw of one tagged request (a preflight and its request share the tag).
#[derive(Debug)]
struct Record {
    /// Each request as it reached the API: method, CORS headers, the answer's status and CORS
    /// headers, the layer's decision.
    exchanges: Vec<Value>,
    /// The layer's first refusal, as it said it.
    refusal: Option<String>,
    /// That refusal with the fix: `layer: ... — fix: ...`.
    explanation: Option<String>,
    /// The policy in force when the first of them arrived.
    policy: CorsLayer,
}

/// The records, by the id the page put in each request's query.
#[derive(Clone, Debug, Default)]
pub(crate) struct Records(Arc<Mutex<Kept>>);

/// The last [`KEPT`] records.
#[derive(Debug, Default)]
struct Kept {
    by_id: HashMap<String, Record>,
    /// Their ids, oldest first.
    order: VecDeque<String>,
}

/// What the middleware around the API's layer needs.
#[derive(Clone, Debug)]
pub(crate) struct Recorder {
    /// The API's layer, asked what it decides for each request.
    pub(crate) cors: CorsLayer,
    pub(crate) policy: Policy,
    /// One line per request the layer refused, with the reason.
    pub(crate) denials: Arc<Mutex<Vec<String>>>,
    pub(crate) records: Records,
}

/// Asks the layer what it decides for `request`, passes the request on, and, when the page
/// tagged it with `?demo=ID`, writes down the exchange. A refusal is printed, and kept with
/// its fix.
pub(crate) async fn record(
    State(recorder): State<Recorder>,
    request: Request,
    next: Next,
) -> Response {
    let decision = recorder.cors.decide(&request);
    let policy = recorder.policy.layer();
    let id = demo_id(request.uri()).map(str::to_owned);
    let mut explanation = None;
    if !decision.is_allowed() {
        let origin = request
            .headers()
            .get(header::ORIGIN)
            .map(|o| String::from_utf8_lossy(o.as_bytes()).into_owned())
            .unwrap_or_default();
        let line = format!(
            "{} {} from {origin}: {decision}",
            request.method(),
            request.uri().path()
        );
        println!("cors: {line}");
        lock(&recorder.denials).push(line);
        // The crate's own fix: a dry run of the fetch that sent this request.
        let fixes = browser_request(&request)
            .map(|fetch| policy.simulate(&fetch).fixes)
            .unwrap_or_default();
        let mut text = format!("layer: {decision}");
        if !fixes.is_empty() {
            text += &format!(" — fix: {}", fixes.join("; "));
        }
        explanation = Some(text);
    }
    let preflight = tower_cors::is_preflight(&request);
    let method = request.method().to_string();
    let path = request.uri().path().to_owned();
    let asked = cors_headers(request.headers(), |name| {
        name == "origin" || name.starts_with("access-control-request-")
    });
    let response = next.run(request).await;
    if let Some(id) = id {
        let exchange = json!({
            "method": method,
            "path": path,
            "preflight": preflight,
            "request_headers": asked,
            "status": response.status().as_u16(),
            "response_headers": cors_headers(response.headers(), |name| {
                name == "vary" || name.starts_with("access-control-")
            }),
            "decision": decision.to_string(),
        });
        let refusal = (!decision.is_allowed()).then(|| decision.to_string());
        recorder
            .records
            .add(id, exchange, refusal, explanation, policy);
    }
    response
}

impl Records {
    fn add(
        &self,
        id: String,
        exchange: Value,
        refusal: Option<String>,
        explanation: Option<String>,
        policy: CorsLayer,
    ) {
        let mut kept = lock(&self.0);
        let Kept { by_id, order } = &mut *kept;
        let record = by_id.entry(id.clone()).or_insert_with(|| {
            order.push_back(id);
            Record {
                exchanges: Vec::new(),
                refusal: None,
                explanation: None,
                policy,
            }
        });
        record.exchanges.push(exchange);
        record.refusal = record.refusal.take().or(refusal);
        record.explanation = record.explanation.take().or(explanation);
        while order.len() > KEPT {
            if let Some(oldest) = order.pop_front() {
                by_id.remove(&oldest);
            }
        }
    }
}

/// The headers of `headers` whose names `keep`, as `[name, value]` pairs.
fn cors_headers(headers: &HeaderMap, keep: impl Fn(&str) -> bool) -> Vec<[String; 2]> {
    headers
        .iter()
        .filter(|(name, _)| keep(name.as_str()))
        .map(|(name, value)| {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            [name.as_str().to_owned(), value]
        })
        .collect()
}

/// The id the page puts in the query of each request it makes: `?demo=ID`.
fn demo_id(uri: &Uri) -> Option<&str> {
    uri.query()?
        .split('&')
        .find_map(|pair| pair.strip_prefix("demo="))
}

/// The `fetch` a page made, as far as the request tells: for a preflight, the method and the
/// header names it asks for (a preflight carries no header values).
fn browser_request(request: &Request) -> Option<BrowserRequest> {
    let headers = request.headers();
    let origin = headers.get(header::ORIGIN)?.to_str().ok()?;
    if !tower_cors::is_preflight(request) {
        let fetch = BrowserRequest::new(origin, request.method().clone()).ok()?;
        return Some(fetch.uri(request.uri().clone()));
    }
    let method = headers
        .get(header::ACCESS_CONTROL_REQUEST_METHOD)?
        .as_bytes();
    let mut fetch = BrowserRequest::new(origin, Method::from_bytes(method).ok()?)
        .ok()?
        .uri(request.uri().clone());
    let names = headers
        .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        fetch = fetch.header(name, "demo").ok()?;
    }
    Some(fetch)
}

/// What the page's own server needs.
#[derive(Clone, Debug)]
pub(crate) struct Page {
    pub(crate) api_base: String,
    pub(crate) page_origin: String,
    pub(crate) policy: Policy,
    pub(crate) records: Records,
}

/// `GET /`: the page, showing the policy in force.
pub(crate) async fn page(State(page): State<Page>) -> Html<String> {
    let policy = page
        .policy
        .text()
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    Html(
        PAGE.replace("{{API}}", &page.api_base)
            .replace("{{POLICY}}", &policy),
    )
}

/// `POST /policy` with the TOML text: applies it, answering its warnings, or refuses it,
/// answering every problem.
pub(crate) async fn apply(State(page): State<Page>, text: String) -> Response {
    match page.policy.apply(&text) {
        Ok(warnings) => {
            println!("policy: the page applied an edit");
            Json(json!({ "applied": true, "warnings": warnings })).into_response()
        }
        Err(problems) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({ "applied": false, "problems": problems })),
        )
            .into_response(),
    }
}

/// `GET /explain?id=ID`: what the layer said about the refused request `ID`, and the fix.
pub(crate) async fn explain(
    State(page): State<Page>,
    Query(query): Query<HashMap<String, String>>,
) -> (StatusCode, String) {
    let id = query.get("id").map(String::as_str).unwrap_or_default();
    let records = lock(&page.records.0);
    match records.by_id.get(id).and_then(|r| r.explanation.clone()) {
        Some(explanation) => (StatusCode::OK, explanation),
        None => (
            StatusCode::NOT_FOUND,
            "layer: no refusal recorded for this request".to_owned(),
        ),
    }
}

/// `POST /exchange` with the request the page composed (`id`, `method`, `path`, `headers` as
/// `[name, value]` pairs, `credentials`): what reached the API under that id, the layer's
/// reason, and the fix, from a dry run of that request against the policy then in force.
pub(crate) async fn exchange(State(page): State<Page>, Json(sent): Json<Value>) -> Json<Value> {
    let id = sent["id"].as_str().unwrap_or_default();
    let (exchanges, refusal, policy) = match lock(&page.records.0).by_id.get(id) {
        Some(r) => (r.exchanges.clone(), r.refusal.clone(), r.policy.clone()),
        None => (Vec::new(), None, page.policy.layer()),
    };
    let fetch = match composed(&page.page_origin, &sent) {
        Ok(fetch) => fetch,
        Err(invalid) => {
            return Json(json!({
                "exchanges": exchanges,
                "reason": format!("not a request a page can make: {invalid}"),
                "fixes": [],
                "notes": [],
                "needs_preflight": false,
            }))
        }
    };
    let simulation = policy.simulate(&fetch);
    let reason = match (refusal, &simulation.blocked) {
        (Some(refusal), _) => refusal,
        (None, Some(blocked)) => {
            format!("the layer allows it, but the browser blocks it: {blocked}")
        }
        (None, None) => "allowed: the browser lets the page read the answer".to_owned(),
    };
    Json(json!({
        "exchanges": exchanges,
        "reason": reason,
        "fixes": simulation.fixes,
        "notes": simulation.notes,
        "needs_preflight": fetch.needs_preflight(),
    }))
}

/// The `fetch` the page made from its composer.
fn composed(origin: &str, sent: &Value) -> Result<BrowserRequest, String> {
    let method = sent["method"].as_str().unwrap_or("GET");
    let method = Method::from_bytes(method.as_bytes())
        .map_err(|_| format!("{method:?} is not an HTTP method"))?;
    let path = sent["path"].as_str().unwrap_or("/");
    let invalid = |e: InvalidRequest| e.to_string();
    let mut fetch = BrowserRequest::new(origin, method)
        .map_err(invalid)?
        .credentials(sent["credentials"].as_bool().unwrap_or(false));
    if let Ok(uri) = path.parse::<Uri>() {
        fetch = fetch.uri(uri);
    }
    for pair in sent["headers"].as_array().into_iter().flatten() {
        let name = pair[0].as_str().unwrap_or_default();
        let value = pair[1].as_str().unwrap_or_default();
        fetch = fetch.header(name, value).map_err(invalid)?;
    }
    Ok(fetch)
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
