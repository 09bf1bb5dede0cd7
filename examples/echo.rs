//! An HTTP echo server behind a `CorsLayer` read from a TOML file: a quick way to see what a
//! policy answers, with curl, a browser or a test.
//!
//! ```text
//! cargo run --release --features serde --example echo -- \
//!     --config examples/cors.toml --listen 127.0.0.1:8080
//! ```
//!
//! The file holds a [`tower_cors::CorsConfig`]. An invalid file stops the server before it
//! listens, with every problem printed and a non-zero exit status. Once it accepts
//! connections the server prints `listening on http://ADDRESS`, with the actual port when
//! asked for port 0.
//!
//! With `--watch` (and `--features watch`) the server follows the file: each change that
//! builds is swapped in (`echo: reloaded FILE` on stderr), and each one that does not is
//! refused with every problem (`echo: refused FILE: ...`), the previous policy staying in
//! force. The file may then also be JSON or YAML, told apart by the extension.
//!
//! ```text
//! cargo run --features watch --example echo -- --config cors.toml --listen 127.0.0.1:8080 --watch
//! ```
//!
//! The echo service behind the layer answers any method on any path with `200 OK` and a JSON
//! body `{"method": ..., "path": ..., "headers": {...}}` (header names in lower case, repeated
//! headers joined with `, `). The query can change the response:
//!
//! - `status=N` answers with status `N` (200 to 599);
//! - `header=NAME:VALUE`, repeatable, appends a response header, so `?header=vary:accept` has
//!   the service send `Vary: accept` for the layer to merge with its own.
//!
//! A malformed query gets `400 Bad Request` with `{"error": ...}`. Preflights answered by the
//! layer have an empty body.
//!
//! ```text
//! curl -i -X OPTIONS http://127.0.0.1:8080/items \
//!     -H 'Origin: http://localhost:3000' -H 'Access-Control-Request-Method: PUT'
//! curl -i 'http://127.0.0.1:8080/items?status=500&header=vary:accept' \
//!     -H 'Origin: http://localhost:3000'
//! ```

use std::convert::Infallible;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use bytes::Bytes;
use http::{header, HeaderName, HeaderValue, Request, Response, StatusCode};
use http_body_util::Full;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use serde_json::{json, Map, Value};
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_cors::{CorsConfig, CorsLayer};

const USAGE: &str = "usage: echo --config FILE --listen ADDRESS [--watch]

  --config FILE      TOML file with the CORS policy (see tower_cors::CorsConfig)
  --listen ADDRESS   address to listen on, e.g. 127.0.0.1:8080 (port 0 picks a free port)
  --watch            reload the policy when the file changes (feature `watch`; the file
                     may then be .toml, .json, .yaml or .yml)
  -h, --help         print this help";

struct Args {
    config: PathBuf,
    listen: SocketAddr,
    watch: bool,
}

/// Parses the command line; `Ok(None)` asks for the help text.
fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut config = None;
    let mut listen = None;
    let mut watch = false;
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => {
                (flag.to_owned(), Some(value.to_owned()))
            }
            _ => (arg, None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(None),
            "--watch" if inline.is_none() => watch = true,
            "--config" => config = Some(PathBuf::from(value("--config")?)),
            "--listen" => {
                let text = value("--listen")?;
                let address = text.parse().map_err(|_| {
                    format!("--listen {text:?} is not an address like 127.0.0.1:8080")
                })?;
                listen = Some(address);
            }
            other => return Err(format!("unexpected argument {other:?}")),
        }
    }
    match (config, listen) {
        (Some(config), Some(listen)) => Ok(Some(Args {
            config,
            listen,
            watch,
        })),
        (None, _) => Err("--config is required".to_owned()),
        (_, None) => Err("--listen is required".to_owned()),
    }
}

/// Reads, parses and validates the policy file.
fn load(path: &Path) -> Result<CorsLayer, String> {
    let shown = path.display();
    let text =
        std::fs::read_to_string(path).map_err(|err| format!("echo: cannot read {shown}: {err}"))?;
    let config: CorsConfig =
        toml::from_str(&text).map_err(|err| format!("echo: {shown}: {err}"))?;
    config
        .into_layer()
        .map_err(|err| format!("echo: {shown}: {err}"))
}

/// Reads the policy file and follows it, printing every reload, refusal and lost watch on
/// stderr.
#[cfg(feature = "watch")]
fn watch(path: &Path) -> Result<(CorsLayer, Option<tower_cors::watch::ConfigWatcher>), String> {
    use tower_cors::watch::{ConfigWatcher, WatchEvent};

    let (layer, watcher) = ConfigWatcher::builder(path)
        .on_event(|event| match event {
            WatchEvent::Reloaded { path, .. } => eprintln!("echo: reloaded {}", path.display()),
            WatchEvent::Refused { error } => eprintln!("echo: refused {error}"),
            WatchEvent::Lost { error } => eprintln!("echo: lost the watch: {error}"),
            WatchEvent::Restored { path } => eprintln!("echo: watching {} again", path.display()),
            _ => {}
        })
        .start()
        .map_err(|err| format!("echo: {err}"))?;
    Ok((layer, Some(watcher)))
}

#[cfg(not(feature = "watch"))]
fn watch(_path: &Path) -> Result<(CorsLayer, Option<()>), String> {
    Err(
        "echo: --watch needs the `watch` feature (cargo run --features watch --example echo)"
            .to_owned(),
    )
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("echo: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let loaded = if args.watch {
        watch(&args.config)
    } else {
        load(&args.config).map(|layer| (layer, None))
    };
    // The watcher, when there is one, follows the file for as long as it is kept.
    let (layer, _watcher) = match loaded {
        Ok(loaded) => loaded,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::FAILURE;
        }
    };
    // Settings that build but are dead or dangerous, as `cors-explain --config` shows them.
    for warning in layer.warnings() {
        eprintln!("echo: warning: {warning}");
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("echo: cannot start the runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(args.listen, layer)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

/// Serves until Ctrl-C.
async fn serve(address: SocketAddr, layer: CorsLayer) -> Result<(), String> {
    let listener = TcpListener::bind(address)
        .await
        .map_err(|err| format!("echo: cannot listen on {address}: {err}"))?;
    let local = listener
        .local_addr()
        .map_err(|err| format!("echo: cannot read the listening address: {err}"))?;
    let service = ServiceBuilder::new().layer(layer).service_fn(echo);

    println!("listening on http://{local}");
    // Whoever waits for the line above may be reading a pipe.
    let _ = std::io::stdout().flush();

    loop {
        let (stream, _peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(connection) => connection,
                Err(err) => {
                    eprintln!("echo: accept failed: {err}");
                    continue;
                }
            },
            _ = tokio::signal::ctrl_c() => return Ok(()),
        };
        let service = TowerToHyperService::new(service.clone());
        tokio::spawn(async move {
            let connection = auto::Builder::new(TokioExecutor::new());
            if let Err(err) = connection
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                eprintln!("echo: connection error: {err}");
            }
        });
    }
}

/// The inner service: echoes the request as JSON.
async fn echo<B>(request: Request<B>) -> Result<Response<Full<Bytes>>, Infallible> {
    Ok(respond(&request).unwrap_or_else(|message| {
        json_response(StatusCode::BAD_REQUEST, &json!({ "error": message }))
    }))
}

fn respond<B>(request: &Request<B>) -> Result<Response<Full<Bytes>>, String> {
    let mut status = StatusCode::OK;
    let mut extra = Vec::new();
    for (key, value) in query_pairs(request.uri().query().unwrap_or("")) {
        match key.as_str() {
            "status" => {
                status = value
                    .parse::<u16>()
                    .ok()
                    .filter(|n| (200..=599).contains(n))
                    .and_then(|n| StatusCode::from_u16(n).ok())
                    .ok_or_else(|| format!("status={value:?} is not a status from 200 to 599"))?;
            }
            "header" => {
                let (name, content) = value
                    .split_once(':')
                    .ok_or_else(|| format!("header={value:?} is not NAME:VALUE"))?;
                let name = HeaderName::from_bytes(name.trim().as_bytes())
                    .map_err(|_| format!("header={value:?}: {name:?} is not a header name"))?;
                let content = HeaderValue::from_str(content.trim())
                    .map_err(|_| format!("header={value:?}: {content:?} is not a header value"))?;
                extra.push((name, content));
            }
            _ => {}
        }
    }

    let mut headers = Map::new();
    for name in request.headers().keys() {
        let joined = request
            .headers()
            .get_all(name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect::<Vec<_>>()
            .join(", ");
        headers.insert(name.as_str().to_owned(), Value::String(joined));
    }
    let body = json!({
        "method": request.method().as_str(),
        "path": request.uri().path(),
        "headers": headers,
    });
    let mut response = json_response(status, &body);
    for (name, value) in extra {
        response.headers_mut().append(name, value);
    }
    Ok(response)
}

fn json_response(status: StatusCode, body: &Value) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::from(body.to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// The `key=value` pairs of a query string, percent-decoded (`+` is a space).
fn query_pairs(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(key), percent_decode(value))
        })
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok());
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(byte) => {
                        out.push(byte);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
