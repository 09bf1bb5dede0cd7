//! WebSocket handshakes: tower-cors's `websocket` example served on loopback, over plain TCP
//! and over TLS, probed with `--url ws://` and `wss://`; hand-written servers for answers the
//! example never gives; and the dry run, `--config FILE --url ws://`.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio_rustls::TlsAcceptor;

use super::{answer, cors_explain, Handmade};
use crate::explain::config;
use crate::tls::{acceptor, fixture};

#[path = "../../../examples/websocket.rs"]
mod example;

const NO_CORS: &str = "WebSocket: browsers send no preflight and apply no CORS check;";
const ACCEPTED: &str = "\nBrowser: ACCEPTED, the page can open the WebSocket\n";
const REFUSED: &str =
    "\nBrowser: BLOCKED, the server refused the WebSocket handshake with 403 Forbidden\n";

/// The example's `/chat` on a free loopback port, admitting pages on its `APP_ORIGIN`, serving
/// until the test process ends; and the number of handshakes its handler saw.
struct Chat {
    addr: SocketAddr,
    handlers: Arc<AtomicUsize>,
}

impl Chat {
    fn start(tls: Option<TlsAcceptor>) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let handlers = Arc::new(AtomicUsize::new(0));
        let app = example::app(example::cors(&[example::APP_ORIGIN]), handlers.clone());
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
                    let (service, tls) = (TowerToHyperService::new(app.clone()), tls.clone());
                    tokio::spawn(async move {
                        let builder = auto::Builder::new(TokioExecutor::new());
                        match tls {
                            Some(tls) => {
                                if let Ok(stream) = tls.accept(stream).await {
                                    let io = TokioIo::new(stream);
                                    let _ =
                                        builder.serve_connection_with_upgrades(io, service).await;
                                }
                            }
                            None => {
                                let io = TokioIo::new(stream);
                                let _ = builder.serve_connection_with_upgrades(io, service).await;
                            }
                        }
                    });
                }
            });
        });
        Self { addr, handlers }
    }

    fn handlers(&self) -> usize {
        self.handlers.load(Ordering::SeqCst)
    }
}

#[test]
fn handshake_from_an_admitted_origin_is_accepted() {
    let chat = Chat::start(None);
    let url = format!("ws://{}/chat", chat.addr);
    let (code, out, err) = cors_explain(&["--url", &url, "--origin", example::APP_ORIGIN]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.starts_with(&format!(
            "Request: WebSocket {url} from {}\n\n{NO_CORS}",
            example::APP_ORIGIN
        )),
        "{out}"
    );
    for line in [
        format!("    GET {url}\n"),
        format!("    origin: {}\n", example::APP_ORIGIN),
        format!("    host: {}\n", chat.addr),
        "    upgrade: websocket\n".to_owned(),
        "    connection: Upgrade\n".to_owned(),
        "    sec-websocket-version: 13\n".to_owned(),
        format!(
            "  answer: 101 Switching Protocols (HTTP/1.1 from {})\n",
            chat.addr
        ),
        "    sec-websocket-accept: ".to_owned(),
        "  browser: Sec-WebSocket-Accept answers the key (RFC 6455)\n".to_owned(),
    ] {
        assert!(out.contains(&line), "{line:?}: {out}");
    }
    assert!(out.ends_with(ACCEPTED), "{out}");
    assert_eq!(chat.handlers(), 1);

    // The server's own origin passes the guard too.
    let own = format!("http://{}", chat.addr);
    let (code, out, err) = cors_explain(&["--url", &url, "--origin", &own]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.ends_with(ACCEPTED), "{out}");
    assert_eq!(chat.handlers(), 2);
}

#[test]
fn handshake_from_another_origin_is_refused() {
    let chat = Chat::start(None);
    let url = format!("ws://{}/chat", chat.addr);
    let (code, out, err) = cors_explain(&["--url", &url, "--origin", "https://app.example.com"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("    origin: https://app.example.com\n"),
        "{out}"
    );
    assert!(
        out.contains("  answer: 403 Forbidden (HTTP/1.1 from "),
        "{out}"
    );
    assert!(out.contains(REFUSED), "{out}");
    assert!(
        out.contains(
            "its WebSocket origin check must admit https://app.example.com (with tower-cors: \
             add it to allow_origins)"
        ),
        "{out}"
    );
    // A public page reaching loopback: Chrome asks the user first.
    assert!(
        out.contains("Note: https://app.example.com is a public origin and 127.0.0.1 is a loopback address: Chrome (Local Network Access"),
        "{out}"
    );
    assert_eq!(chat.handlers(), 0, "the handler never ran");
}

#[test]
fn wss_over_tls() {
    let chat = Chat::start(Some(acceptor()));
    let url = format!("wss://localhost:{}/chat", chat.addr.port());
    let ca = fixture("ca.pem");
    let ca = ca.to_str().unwrap();
    let (code, out, err) = cors_explain(&[
        "--url",
        &url,
        "--origin",
        example::APP_ORIGIN,
        "--cacert",
        ca,
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("  answer: 101 Switching Protocols (HTTP/1.1 from "),
        "{out}"
    );
    assert!(out.ends_with(ACCEPTED), "{out}");

    let (code, out, err) = cors_explain(&[
        "--url",
        &url,
        "--origin",
        "https://evil.example",
        "--cacert",
        ca,
    ]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains(REFUSED), "{out}");
    assert_eq!(chat.handlers(), 1);
}

#[test]
fn answers_a_browser_refuses() {
    // A redirect is not followed.
    let server = Handmade::start(|_| answer(302, &[("location", "/elsewhere")]));
    let url = format!("ws://{}/chat", server.addr);
    let (code, out, err) = cors_explain(&["--url", &url, "--origin", example::APP_ORIGIN]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("    location: /elsewhere\n"), "{out}");
    assert!(
        out.contains("  browser: follows no redirect for a WebSocket handshake"),
        "{out}"
    );
    assert!(
        out.contains("Browser: BLOCKED, the server refused the WebSocket handshake with 302 Found"),
        "{out}"
    );
    let seen = server.seen();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].method, "GET");
    assert_eq!(seen[0].headers["upgrade"], "websocket");
    let key = seen[0].headers["sec-websocket-key"].to_str().unwrap();
    assert_eq!(key.len(), 24, "16 bytes in base64: {key}");

    // Switching protocols with a Sec-WebSocket-Accept that does not answer the key.
    let server = Handmade::start(|_| {
        answer(
            101,
            &[
                ("upgrade", "websocket"),
                ("connection", "Upgrade"),
                ("sec-websocket-accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
            ],
        )
    });
    let url = format!("ws://{}/chat", server.addr);
    let (code, out, err) = cors_explain(&["--url", &url, "--origin", example::APP_ORIGIN]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("Browser: BLOCKED, the server switched protocols, but its Sec-WebSocket-Accept is \"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\", not "),
        "{out}"
    );
}

const POLICY: &str = r#"
allow_origins = ["http://localhost:3000"]
allow_credentials = true
"#;

#[test]
fn dry_run_of_a_handshake() {
    let policy = config("websocket", POLICY);
    let policy = policy.to_str().unwrap();
    let url = "ws://chat.example.com/chat";
    let dry_run =
        |origin: &str| cors_explain(&["--config", policy, "--url", url, "--origin", origin]);

    let (code, out, err) = dry_run(example::APP_ORIGIN);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains(NO_CORS), "{out}");
    assert!(
        out.contains(
            "Handshake (a dry run: nothing is sent):\n    GET ws://chat.example.com/chat\n"
        ),
        "{out}"
    );
    assert!(out.contains("    host: chat.example.com\n"), "{out}");
    assert!(out.contains("    upgrade: websocket\n"), "{out}");
    assert!(out.contains("  layer: request allowed\n"), "{out}");
    assert!(
        out.contains("\nBrowser: ACCEPTED, the page can open the WebSocket"),
        "{out}"
    );

    let (code, out, err) = dry_run("http://evil.example");
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("  layer: request denied: a WebSocket handshake from an origin the policy does not admit"), "{out}");
    assert!(
        out.contains("  answer from the layer: 403 Forbidden\n"),
        "{out}"
    );
    assert!(out.contains(REFUSED), "{out}");
    assert!(
        out.contains("To allow it:\n  - add \"http://evil.example\" to allow_origins"),
        "{out}"
    );

    // The server's own pages may connect.
    let (code, out, err) = dry_run("http://chat.example.com");
    assert_eq!(code, 0, "{out}{err}");

    // A page on https:// may not open a ws:// URL.
    let (code, out, err) = dry_run("https://chat.example.com");
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("Browser: BLOCKED, the page is on an https:// origin"),
        "{out}"
    );
    assert!(
        out.contains("  - the page must open the WebSocket at a wss:// URL\n"),
        "{out}"
    );
    assert!(!out.contains("Handshake"), "{out}");

    // A public page reaching a private address.
    let (code, out, err) = cors_explain(&[
        "--config",
        policy,
        "--url",
        "ws://192.168.1.20/chat",
        "--origin",
        "http://evil.example",
    ]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains(
            "\nNote: http://evil.example is a public origin and 192.168.1.20 is a private address"
        ),
        "{out}"
    );
}

#[test]
fn what_a_page_cannot_set_on_a_handshake() {
    let url = "ws://127.0.0.1:1/chat";
    for (args, message) in [
        (
            &["--method", "PUT"][..],
            "--method does not apply to a WebSocket",
        ),
        (
            &["--header", "x-custom"][..],
            "--header does not apply to a WebSocket",
        ),
        (
            &["--credentials"][..],
            "--credentials does not apply to a WebSocket",
        ),
        (
            &["--config", "x.toml", "--path", "/x"][..],
            "--path do not go with --config",
        ),
    ] {
        let args = [&["--url", url, "--origin", "https://a.example"][..], args].concat();
        let (code, out, err) = cors_explain(&args);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(err.contains(message), "{args:?}: {err}");
    }
}
