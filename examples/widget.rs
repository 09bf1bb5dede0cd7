//! A third-party widget: a script that customers put on their own sites, calling the widget's
//! API from every one of them. Which sites may call is data, not configuration: each tenant
//! registers its origins, and they live in a SQLite table, `tenant_origins`.
//!
//! - An origin is allowed as soon as it is in the table, with the server running, and refused
//!   as soon as it is removed. An origin nobody registered is never allowed: entries are
//!   checked and normalised when they are inserted (an exact `http` or `https` origin, written
//!   as browsers send it: lowercase, no default port; no pattern, no `null`), and a row that
//!   was written into the table some other way and does not pass the same check is skipped.
//! - The policy is the table: a task reads SQLite's `PRAGMA data_version` every
//!   [`POLL`] and, when another connection has committed a change (the `add` command below,
//!   an admin service, the `sqlite3` shell), reads the table again and swaps the layer's
//!   policy through its `ReloadHandle`. Requests never touch the database for CORS: an origin
//!   is looked up in the compiled list, a hash lookup, however many tenants there are.
//! - Refused origins get `403` before any handler runs (`reject_disallowed_origins`), so a
//!   page that is not a tenant's cannot make the API do anything, even with a preflight its
//!   browser cached while the origin was still registered.
//!
//! Why a reload rather than an async origin check with a cache: the check would put the
//! database (or a cache miss) on the path of requests, let any site make the API query it
//! with made-up origins, and revoke an origin only when its cache entry expires. A reload
//! costs one table scan per change and keeps every request at the price of a static list.
//! Measured on 2 cores (`cargo test --release --test servers widget::measure -- --ignored
//! --nocapture`), over 20 inserts and 20 removals by another connection: an origin is allowed
//! 47 ms after its insert on average (97 ms at most; the poll is 100 ms) and refused 60 ms
//! after its removal (99 ms at most). Reloading 10,000 origins takes 18 ms (reading and
//! checking the rows 11.5 ms, building the policy 3 to 7 ms); deciding a request against them
//! takes 49 ns, where an async check asking the table on the blocking pool takes 32 µs (the
//! `SELECT` itself 1.2 µs).
//!
//! ```text
//! cargo run --example widget                  # the API, on http://127.0.0.1:4100
//! cargo run --example widget -- add acme https://shop.acme.example
//! cargo run --example widget -- remove https://shop.acme.example
//! cargo run --example widget -- list
//! ```
//!
//! The database is `WIDGET_DB`, by default `tower-cors-widget.sqlite3` in the temporary
//! directory; `PORT` changes the port. While the API runs, the commands change what it allows:
//!
//! ```text
//! curl -i http://127.0.0.1:4100/api/greeting -H 'Origin: https://shop.acme.example'
//! ```
//!
//! A customer's page loads the widget with `<script src="http://127.0.0.1:4100/widget.js">`
//! and calls `widget.greet()` or `widget.send("text")`.

use std::collections::HashMap;
use std::error::Error;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use rusqlite::Connection;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tower_cors::{CorsBuilder, CorsLayer, ReloadHandle};

/// How often the table is checked for changes: the longest an insert or a removal waits.
pub(crate) const POLL: Duration = Duration::from_millis(100);

const DEFAULT_PORT: u16 = 4100;

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS tenant_origins (
    origin TEXT PRIMARY KEY NOT NULL,
    tenant TEXT NOT NULL
) STRICT";

/// The registered origins and their tenants, as the policy now in force has them.
pub(crate) type Tenants = Arc<RwLock<Arc<HashMap<String, String>>>>;

/// Opens (and creates if needed) the tenant database at `path`.
pub(crate) fn open(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    // Readers (the API) and writers (the admin side) do not block each other.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.execute_batch(SCHEMA)?;
    Ok(conn)
}

/// `origin` as the table stores it and browsers send it, or why it cannot be registered.
///
/// The layer itself checks the syntax (no path, no trailing slash, a valid host); then the
/// scheme and host are lowercased and a default port dropped, and the result must be an
/// origin the layer matches, written the way browsers serialise it.
pub(crate) fn normalise(origin: &str) -> Result<String, String> {
    if origin.contains('*') || origin.eq_ignore_ascii_case("null") {
        return Err(format!(
            "{origin:?}: only an exact origin can be registered, not a pattern nor null"
        ));
    }
    let layer = CorsLayer::builder()
        .allow_origin(origin)
        .build()
        .map_err(|e| format!("{origin:?}: {e}"))?;
    let lower = origin.to_ascii_lowercase();
    let normalised = match lower.split_once("://") {
        Some(("https", rest)) => format!("https://{}", rest.strip_suffix(":443").unwrap_or(rest)),
        Some(("http", rest)) => format!("http://{}", rest.strip_suffix(":80").unwrap_or(rest)),
        _ => return Err(format!("{origin:?}: the scheme must be http or https")),
    };
    let from_browser = Request::get("/")
        .header(header::ORIGIN, &normalised)
        .body(())
        .map_err(|e| format!("{origin:?}: {e}"))?;
    if !layer.decide(&from_browser).is_allowed() {
        return Err(format!(
            "{origin:?}: write it as browsers send it (e.g. an IPv6 address in its short form)"
        ));
    }
    Ok(normalised)
}

/// Registers `origin` for `tenant`; returns the origin as stored.
///
/// # Errors
///
/// An origin that [`normalise`] refuses, one another tenant registered, or a database error.
pub(crate) fn register(
    conn: &Connection,
    tenant: &str,
    origin: &str,
) -> Result<String, Box<dyn Error + Send + Sync>> {
    let origin = normalise(origin)?;
    conn.execute(
        "INSERT INTO tenant_origins (origin, tenant) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
        (&origin, tenant),
    )?;
    let owner: String = conn.query_row(
        "SELECT tenant FROM tenant_origins WHERE origin = ?1",
        [&origin],
        |row| row.get(0),
    )?;
    if owner != tenant {
        return Err(format!("{origin} is registered by another tenant").into());
    }
    Ok(origin)
}

/// Removes `origin`, whoever registered it; whether it was there.
pub(crate) fn unregister(
    conn: &Connection,
    origin: &str,
) -> Result<bool, Box<dyn Error + Send + Sync>> {
    let origin = normalise(origin)?;
    let removed = conn.execute("DELETE FROM tenant_origins WHERE origin = ?1", [&origin])?;
    Ok(removed > 0)
}

/// The valid rows of the table, origin to tenant; invalid rows are reported and skipped.
pub(crate) fn load(conn: &Connection) -> rusqlite::Result<HashMap<String, String>> {
    let mut statement = conn.prepare_cached("SELECT origin, tenant FROM tenant_origins")?;
    let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
    let mut tenants = HashMap::new();
    for row in rows {
        let (origin, tenant): (String, String) = row?;
        match normalise(&origin) {
            Ok(valid) if valid == origin => {
                tenants.insert(origin, tenant);
            }
            Ok(_) => eprintln!("skipped {origin:?} of {tenant}: not normalised"),
            Err(e) => eprintln!("skipped a row of {tenant}: {e}"),
        }
    }
    Ok(tenants)
}

/// The policy for the registered origins: reading and posting JSON, no credentials (a
/// widget's API on its own domain gets no cookies from a customer's page anyway).
pub(crate) fn policy<'a>(origins: impl IntoIterator<Item = &'a String>) -> CorsBuilder {
    CorsLayer::builder()
        .allow_origins(origins)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE])
        .max_age(Duration::from_secs(600))
        .reject_disallowed_origins(true)
}

/// A running widget API.
#[derive(Debug)]
pub(crate) struct Widget {
    /// Where it listens.
    pub(crate) addr: SocketAddr,
    /// The origins in force, with their tenants.
    pub(crate) tenants: Tenants,
}

/// Serves the widget on `listener`, allowing the origins of the database at `db`, and follows
/// the table every `poll` in the background.
pub(crate) async fn start(
    listener: TcpListener,
    db: &Path,
    poll: Duration,
) -> Result<Widget, Box<dyn Error + Send + Sync>> {
    let conn = open(db)?;
    let version = data_version(&conn)?;
    let current = load(&conn)?;
    let (cors, handle) = policy(current.keys()).build()?.reloadable();
    let tenants: Tenants = Arc::new(RwLock::new(Arc::new(current)));
    tokio::spawn(follow(conn, version, handle, tenants.clone(), poll));

    let api = Router::new()
        .route("/api/greeting", get(greeting))
        .route("/api/messages", post(message))
        .layer(cors)
        .with_state(tenants.clone());
    // The script itself is loaded by a `<script>` tag, which needs no CORS.
    let app = api.route("/widget.js", get(script));
    let addr = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(Widget { addr, tenants })
}

fn data_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "data_version", |row| row.get(0))
}

/// Swaps the policy whenever another connection changes the database.
async fn follow(
    conn: Connection,
    mut version: i64,
    handle: ReloadHandle,
    tenants: Tenants,
    poll: Duration,
) {
    let conn = Arc::new(Mutex::new(conn));
    let mut ticks = tokio::time::interval(poll);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let conn = conn.clone();
        let seen = version;
        let changed = tokio::task::spawn_blocking(move || {
            let conn = conn.lock().unwrap_or_else(|e| e.into_inner());
            let now = data_version(&conn)?;
            if now == seen {
                return Ok(None);
            }
            load(&conn).map(|rows| Some((now, rows)))
        })
        .await;
        match changed {
            Ok(Ok(Some((now, rows)))) => match handle.reload(&policy(rows.keys())) {
                Ok(()) => {
                    version = now;
                    *tenants.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(rows);
                }
                Err(e) => eprintln!("the tenant origins make no valid policy: {e}"),
            },
            Ok(Ok(None)) => {}
            Ok(Err(e)) => eprintln!("could not read the tenant origins: {e}"),
            Err(e) => eprintln!("the tenant origin reader failed: {e}"),
        }
    }
}

/// The tenant whose origin sent the request (the layer has already allowed it).
fn tenant_of(tenants: &Tenants, headers: &HeaderMap) -> Option<String> {
    let origin = headers.get(header::ORIGIN)?.to_str().ok()?;
    let tenants = tenants.read().unwrap_or_else(|e| e.into_inner()).clone();
    tenants.get(origin).cloned()
}

async fn greeting(
    axum::extract::State(tenants): axum::extract::State<Tenants>,
    headers: HeaderMap,
) -> impl IntoResponse {
    match tenant_of(&tenants, &headers) {
        Some(tenant) => {
            Json(json!({ "tenant": tenant, "greeting": "hello from the widget" })).into_response()
        }
        None => (StatusCode::BAD_REQUEST, "call from a tenant's page").into_response(),
    }
}

async fn message(
    axum::extract::State(tenants): axum::extract::State<Tenants>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> impl IntoResponse {
    match tenant_of(&tenants, &headers) {
        Some(tenant) => (
            StatusCode::CREATED,
            Json(json!({ "tenant": tenant, "received": body["text"] })),
        )
            .into_response(),
        None => (StatusCode::BAD_REQUEST, "call from a tenant's page").into_response(),
    }
}

/// The widget's script: it finds the API where it was loaded from.
const SCRIPT: &str = r#"(() => {
  const api = new URL(document.currentScript.src).origin;
  const call = async (path, init) => {
    const response = await fetch(api + path, init);
    return { status: response.status, body: await response.json() };
  };
  window.widget = {
    greet: () => call("/api/greeting"),
    send: (text) => call("/api/messages", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text }),
    }),
  };
})();
"#;

async fn script() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript")], SCRIPT)
}

fn database() -> PathBuf {
    std::env::var_os("WIDGET_DB").map_or_else(
        || std::env::temp_dir().join("tower-cors-widget.sqlite3"),
        PathBuf::from,
    )
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("widget: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Serves the API, or changes or lists the table, as the arguments say.
async fn run() -> Result<(), Box<dyn Error + Send + Sync>> {
    let db = database();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        [] => {
            let port = match std::env::var("PORT") {
                Ok(port) => port.parse()?,
                Err(_) => DEFAULT_PORT,
            };
            let listener = TcpListener::bind(("127.0.0.1", port)).await?;
            let widget = start(listener, &db, POLL).await?;
            let registered = widget.tenants.read().map_or(0, |tenants| tenants.len());
            println!(
                "widget API on http://{}, for the {registered} origins in {} and those added later",
                widget.addr,
                db.display()
            );
            tokio::signal::ctrl_c().await?;
        }
        ["add", tenant, origin] => {
            let stored = register(&open(&db)?, tenant, origin)?;
            println!("{tenant} may now call from {stored}");
        }
        ["remove", origin] => match unregister(&open(&db)?, origin)? {
            true => println!("{origin} removed"),
            false => println!("{origin} was not registered"),
        },
        ["list"] => {
            let conn = open(&db)?;
            let mut rows: Vec<_> = load(&conn)?.into_iter().collect();
            rows.sort();
            for (origin, tenant) in rows {
                println!("{tenant}\t{origin}");
            }
        }
        _ => return Err("usage: widget [add TENANT ORIGIN | remove ORIGIN | list]".into()),
    }
    Ok(())
}
