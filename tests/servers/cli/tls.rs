//! HTTPS: a hand-written server behind rustls, speaking HTTP/2 when the client offers it,
//! with a certificate from the test CA in `tests/servers/tls/`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

use super::{answer, cors_explain, Handmade};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/servers/tls")
        .join(name)
}

fn acceptor() -> TlsAcceptor {
    let certs = CertificateDer::pem_file_iter(fixture("localhost.pem"))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(fixture("localhost.key")).unwrap();
    let mut config =
        rustls::ServerConfig::builder_with_provider(Arc::new(rustls_rustcrypto::provider()))
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
