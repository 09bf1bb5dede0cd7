//! HTTPS: a hand-written server behind rustls, speaking HTTP/2 when the client offers it,
//! with a certificate from the test CA in `tests/tls/`; and `openssl s_server` with
//! an RSA-1024 certificate, which rustls cannot serve.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

use super::{answer, cors_explain, Handmade};

pub(crate) fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/tls")
        .join(name)
}

pub(crate) fn acceptor() -> TlsAcceptor {
    let certs = CertificateDer::pem_file_iter(fixture("localhost.pem"))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(fixture("localhost.key")).unwrap();
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .unwrap();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    TlsAcceptor::from(Arc::new(config))
}

#[test]
fn https_over_http2() {
    let server = Handmade::start_with(
        Some(acceptor()),
        Arc::new(|seen: &super::Seen| {
            if seen.method == "OPTIONS" {
                answer(
                    204,
                    &[
                        ("access-control-allow-origin", "https://app.example.com"),
                        ("access-control-allow-methods", "PUT"),
                    ],
                )
            } else {
                answer(
                    200,
                    &[("access-control-allow-origin", "https://app.example.com")],
                )
            }
        }),
    );
    let ca = fixture("ca.pem");
    let ca = ca.to_str().unwrap();
    for host in ["localhost", "127.0.0.1"] {
        let url = format!("https://{host}:{}/items", server.addr.port());
        let (code, out, err) = cors_explain(&[
            "--url",
            &url,
            "--origin",
            "https://app.example.com",
            "--method",
            "PUT",
            "--cacert",
            ca,
        ]);
        assert_eq!(code, 0, "{out}{err}");
        assert!(
            out.contains("  answer: 204 No Content (HTTP/2 from 127.0.0.1:"),
            "{out}"
        );
        assert!(
            out.contains("  answer: 200 OK (HTTP/2 from 127.0.0.1:"),
            "{out}"
        );
        assert!(out.contains("Browser: ALLOWED"), "{out}");
    }
    let methods: Vec<_> = server.seen().into_iter().map(|s| s.method).collect();
    assert_eq!(methods, ["OPTIONS", "PUT", "OPTIONS", "PUT"]);

    // Without the test CA the certificate is not trusted: no answer to judge.
    let url = format!("https://localhost:{}/items", server.addr.port());
    let (code, out, err) = cors_explain(&["--url", &url, "--origin", "https://app.example.com"]);
    assert_eq!(code, 2, "{out}{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("cors-explain: TLS with 127.0.0.1:")
            || err.starts_with("cors-explain: TLS with [::1]:"),
        "{err}"
    );
    assert!(err.contains("UnknownIssuer"), "{err}");
}

/// `openssl s_server` on a free loopback port, ended when dropped.
struct OpenSslServer {
    child: Child,
    port: u16,
}

impl OpenSslServer {
    /// Serves `cert` and `key` (and a status page for any request), or `None` without the
    /// `openssl` program; then the test fails under CI and says it did not run otherwise.
    fn start(cert: &Path, key: &Path) -> Option<Self> {
        let spawned = Command::new("openssl")
            .args(["s_server", "-accept", "127.0.0.1:0", "-www", "-cert"])
            .arg(cert)
            .arg("-key")
            .arg(key)
            // Security level 0, so that OpenSSL serves a 1024-bit RSA key at all.
            .args(["-cipher", "DEFAULT:@SECLEVEL=0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(e) => {
                let message = format!("not run: cannot start openssl ({e}); install openssl");
                assert!(
                    std::env::var_os("CI").is_none_or(|ci| ci.is_empty()),
                    "{message}"
                );
                eprintln!("{message}");
                return None;
            }
        };
        let stdout = child.stdout.take().expect("piped stdout");
        let mut server = Self { child, port: 0 };
        // It prints `ACCEPT 127.0.0.1:PORT` once it listens; the rest is read and dropped, so
        // that it never writes to a closed pipe.
        let mut lines = BufReader::new(stdout).lines().map_while(Result::ok);
        let port = lines
            .by_ref()
            .find_map(|line| line.strip_prefix("ACCEPT 127.0.0.1:")?.trim().parse().ok());
        server.port = port.expect("openssl s_server did not say where it listens");
        std::thread::spawn(move || lines.for_each(drop));
        Some(server)
    }
}

impl Drop for OpenSslServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn rsa_1024_certificate_is_refused() {
    let Some(server) = OpenSslServer::start(&fixture("rsa1024.pem"), &fixture("rsa1024.key"))
    else {
        return;
    };
    let ca = fixture("rsa1024-ca.pem");
    let url = format!("https://localhost:{}/", server.port);
    let (code, out, err) = cors_explain(&[
        "--url",
        &url,
        "--origin",
        "https://app.example.com",
        "--cacert",
        ca.to_str().unwrap(),
    ]);
    // No answer to judge: browsers refuse RSA keys under 2048 bits.
    assert_eq!(code, 2, "{out}{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("cors-explain: TLS with 127.0.0.1:"),
        "{err}"
    );
    assert!(err.contains("RSA key under 2048 bits"), "{err}");
    assert!(!out.contains("answer:"), "{out}");
}

#[test]
fn https_page_fetches_no_plain_http() {
    // 192.0.2.1 (TEST-NET-1) answers nothing: a request sent there would time out.
    let plain = "http://192.0.2.1:9/items";
    let server = Handmade::start_with(
        Some(acceptor()),
        Arc::new(move |_: &super::Seen| {
            answer(
                307,
                &[("location", plain), ("access-control-allow-origin", "*")],
            )
        }),
    );
    let ca = fixture("ca.pem");
    let url = format!("https://localhost:{}/items", server.addr.port());
    let (code, out, err) = cors_explain(&[
        "--url",
        &url,
        "--origin",
        "https://app.example.com",
        "--cacert",
        ca.to_str().unwrap(),
        "--timeout",
        "2",
    ]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains(&format!(
            "  browser: the redirect to {plain} is not followed\n"
        )),
        "{out}"
    );
    assert!(out.contains(&format!("Browser: BLOCKED, the page is on an https:// origin and \"{plain}\" is not a secure URL: browsers block this mixed content and send nothing\n")), "{out}");
    assert!(
        out.contains("  - the redirect must go to an https:// URL\n"),
        "{out}"
    );
    assert!(!out.contains("Redirect 1:"), "{out}");

    // Nor is a plain http:// URL fetched first.
    let (code, out, err) = cors_explain(&[
        "--url",
        plain,
        "--origin",
        "https://app.example.com",
        "--timeout",
        "2",
    ]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("Browser: BLOCKED, the page is on an https:// origin"),
        "{out}"
    );
    assert!(
        out.contains("  - the page must reach the server at an https:// URL\n"),
        "{out}"
    );
    assert!(!out.contains("answer:"), "{out}");
}
