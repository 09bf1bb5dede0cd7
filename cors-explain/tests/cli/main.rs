//! `cors-explain` run as a program: `--config`, the dry run of a policy file (`explain`); and
//! `--url` against live servers on loopback: tower-cors's `echo` example (`echo`, with the
//! server in `echo_server`), hand-written hyper services that set CORS headers themselves,
//! some of them wrongly (`handmade`), redirects (`redirect`), and HTTPS with HTTP/2 (`tls`);
//! WebSocket handshakes to tower-cors's `websocket` example and their dry runs (`websocket`);
//! here, bad input, unreachable and silent servers.

mod echo;
#[allow(dead_code)]
#[path = "../../../tests/servers/echo_server.rs"]
mod echo_server;
mod explain;
mod handmade;
mod redirect;
mod support;
mod tls;
mod websocket;

use std::convert::Infallible;
use std::net::{SocketAddr, TcpListener};
use std::process::Command;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{HeaderMap, Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;

/// Runs `cors-explain`; returns (exit code, stdout, stderr).
pub(crate) fn cors_explain(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_cors-explain"))
        .args(args)
        .output()
        .expect("cannot run cors-explain");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A request as a hand-written server received it.
#[derive(Debug, Clone)]
pub(crate) struct Seen {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) headers: HeaderMap,
}

type Answer = dyn Fn(&Seen) -> Response<Full<Bytes>> + Send + Sync;

/// A hand-written hyper service (HTTP/1.1 and HTTP/2) on a free loopback port, serving until
/// the test process ends, and the requests it has received.
pub(crate) struct Handmade {
    pub(crate) addr: SocketAddr,
    log: Arc<Mutex<Vec<Seen>>>,
}

impl Handmade {
    pub(crate) fn start(
        answer: impl Fn(&Seen) -> Response<Full<Bytes>> + Send + Sync + 'static,
    ) -> Self {
        Self::start_with(None, Arc::new(answer))
    }

    pub(crate) fn start_with(tls: Option<tokio_rustls::TlsAcceptor>, answer: Arc<Answer>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&log);
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                loop {
                    let Ok((stream, _)) = listener.accept().await else {
                        continue;
                    };
                    let (answer, seen, tls) = (Arc::clone(&answer), Arc::clone(&seen), tls.clone());
                    tokio::spawn(async move {
                        let service = service_fn(move |request: Request<Incoming>| {
                            let request = Seen {
                                method: request.method().to_string(),
                                path: request.uri().path().to_owned(),
                                headers: request.headers().clone(),
                            };
                            seen.lock().unwrap().push(request.clone());
                            let response = answer(&request);
                            async move { Ok::<_, Infallible>(response) }
                        });
                        let builder = auto::Builder::new(TokioExecutor::new());
                        match tls {
                            Some(tls) => {
                                if let Ok(stream) = tls.accept(stream).await {
                                    let _ = builder
                                        .serve_connection(TokioIo::new(stream), service)
                                        .await;
                                }
                            }
                            None => {
                                let _ = builder
                                    .serve_connection(TokioIo::new(stream), service)
                                    .await;
                            }
                        }
                    });
                }
            });
        });
        Self { addr, log }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The requests received so far.
    pub(crate) fn seen(&self) -> Vec<Seen> {
        self.log.lock().unwrap().clone()
    }
}

/// A response with `status` and `headers`, and a short body.
pub(crate) fn answer(status: u16, headers: &[(&str, &str)]) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::from("{}"));
    *response.status_mut() = StatusCode::from_u16(status).unwrap();
    for (name, value) in headers {
        response.headers_mut().append(
            http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            http::HeaderValue::from_str(value).unwrap(),
        );
    }
    response
}

#[test]
fn unreachable_port() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("http://127.0.0.1:{port}/");
    let (code, _, err) = cors_explain(&["--url", &url, "--origin", "https://app.example.com"]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with(&format!(
            "cors-explain: cannot connect to 127.0.0.1:{port}: "
        )),
        "{err}"
    );
}

#[test]
fn silent_server_times_out() {
    // Connections are accepted by the kernel and never answered.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let started = std::time::Instant::now();
    let (code, _, err) = cors_explain(&[
        "--url",
        &url,
        "--origin",
        "https://app.example.com",
        "--timeout",
        "0.5",
    ]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(
        err.trim_end(),
        "cors-explain: no answer from 127.0.0.1 within 0.5 s (--timeout)"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    drop(listener);
}

#[test]
fn bad_input_exits_with_2() {
    for (args, message) in [
        (
            &["--url", "http://127.0.0.1:1/"][..],
            "--origin is required",
        ),
        (
            &["--origin", "https://a.example"][..],
            "--config FILE or --url URL is required",
        ),
        (
            &["--url", "ftp://127.0.0.1/", "--origin", "https://a.example"][..],
            "is not an http://, https://, ws:// or wss:// URL",
        ),
        (
            &[
                "--url",
                "http://u:p@127.0.0.1/",
                "--origin",
                "https://a.example",
            ][..],
            "has credentials in it",
        ),
        (
            &[
                "--url",
                "http://127.0.0.1:1/",
                "--origin",
                "https://A.example/",
            ][..],
            "did you mean \"https://a.example\"?",
        ),
        (
            &[
                "--url",
                "http://127.0.0.1:1/",
                "--config",
                "x.toml",
                "--origin",
                "https://a.example",
            ][..],
            "not both",
        ),
        (
            &[
                "--url",
                "http://127.0.0.1:1/",
                "--origin",
                "https://a.example",
                "--timeout",
                "0",
            ][..],
            "--timeout \"0\"",
        ),
        (
            &[
                "--url",
                "http://127.0.0.1:1/",
                "--origin",
                "https://a.example",
                "--header",
                "cookie:a=b",
            ][..],
            "forbidden request header",
        ),
        (
            &[
                "--url",
                "http://127.0.0.1:1/",
                "--origin",
                "https://a.example",
                "--cacert",
                "/nonexistent.pem",
            ][..],
            "cannot read certificates from /nonexistent.pem",
        ),
    ] {
        let (code, out, err) = cors_explain(args);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(err.contains(message), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
    }
}

#[test]
fn help() {
    let (code, out, _) = cors_explain(&["--help"]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("usage: cors-explain --url URL --origin ORIGIN"),
        "{out}"
    );
    for flag in [
        "--url",
        "--config",
        "--origin",
        "--method",
        "--header",
        "--credentials",
        "--timeout",
        "--cacert",
    ] {
        assert!(out.contains(&format!("  {flag} ")), "{flag}: {out}");
    }
}
