//! Sending one request to a live server and reading the head of its answer: TCP, TLS with
//! rustls (ALPN offers HTTP/2 and HTTP/1.1, only HTTP/1.1 for a WebSocket handshake), hyper,
//! one connection per request, a time limit for each. `ws://` is reached as `http://` and
//! `wss://` as `https://`.

use std::error::Error;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{ACCEPT, HOST, UPGRADE, USER_AGENT};
use http::{HeaderMap, HeaderValue, Request, StatusCode, Uri, Version};
use http_body_util::Empty;
use hyper::client::conn::{http1, http2};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, RootCertStore};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use url::{Host, Position, Url};

use crate::Failure;

/// The head of a server's answer.
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) version: Version,
    pub(crate) headers: HeaderMap,
    /// The address the answer came from.
    pub(crate) peer: SocketAddr,
}

/// Sends requests, each on a connection of its own.
pub(crate) struct Client {
    tls: TlsConnector,
    /// For WebSocket handshakes, which browsers send over HTTP/1.1.
    tls_http1: TlsConnector,
    timeout: Duration,
}

/// An error and its causes on one line.
fn chain(error: &dyn Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let line = cause.to_string();
        if !text.contains(&line) {
            text.push_str(": ");
            text.push_str(&line);
        }
        source = cause.source();
    }
    text
}

impl Client {
    /// A client trusting the Mozilla root certificates (webpki-roots) and those in `cacert`.
    pub(crate) fn new(cacert: Option<&Path>, timeout: Duration) -> Result<Self, Failure> {
        let mut roots = RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        if let Some(path) = cacert {
            let shown = path.display();
            let certs = CertificateDer::pem_file_iter(path)
                .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
                .map_err(|e| Failure(format!("cannot read certificates from {shown}: {e}")))?;
            if certs.is_empty() {
                return Err(Failure(format!("{shown} holds no PEM certificate")));
            }
            for cert in certs {
                roots
                    .add(cert)
                    .map_err(|e| Failure(format!("{shown}: {e}")))?;
            }
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| Failure(format!("cannot set up TLS: {e}")))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        let mut http1 = config.clone();
        http1.alpn_protocols = vec![b"http/1.1".to_vec()];
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(Self {
            tls: TlsConnector::from(Arc::new(config)),
            tls_http1: TlsConnector::from(Arc::new(http1)),
            timeout,
        })
    }

    /// Sends `request` (its method and headers; the URL is `url`) and returns the answer's
    /// head. The body is empty, and the answer's body is not read.
    pub(crate) async fn send(&self, url: &Url, request: Request<()>) -> Result<Answer, Failure> {
        let host = url.host_str().unwrap_or_default();
        match tokio::time::timeout(self.timeout, self.exchange(url, request)).await {
            Ok(answer) => answer,
            Err(_) => Err(Failure(format!(
                "no answer from {host} within {} s (--timeout)",
                self.timeout.as_secs_f64()
            ))),
        }
    }

    async fn exchange(&self, url: &Url, request: Request<()>) -> Result<Answer, Failure> {
        let (stream, peer) = connect(url).await?;
        let (parts, ()) = request.into_parts();
        let mut request = Request::from_parts(parts, Empty::<Bytes>::new());
        let headers = request.headers_mut();
        let upgrade = headers.contains_key(UPGRADE);
        if !headers.contains_key(ACCEPT) && !upgrade {
            headers.insert(ACCEPT, HeaderValue::from_static("*/*"));
        }
        headers.insert(
            USER_AGENT,
            HeaderValue::from_static(concat!("cors-explain/", env!("CARGO_PKG_VERSION"))),
        );
        let path = &url[Position::BeforePath..Position::AfterQuery];
        let failed = |e: hyper::Error| Failure(format!("HTTP error from {peer}: {}", chain(&e)));

        let response = if matches!(url.scheme(), "https" | "wss") {
            let name = server_name(url)?;
            let connector = if upgrade { &self.tls_http1 } else { &self.tls };
            let tls = connector.connect(name, stream).await.map_err(|e| {
                Failure(format!(
                    "TLS with {peer} failed: {}{}",
                    chain(&e),
                    tls_hint(&e)
                ))
            })?;
            if tls.get_ref().1.alpn_protocol() == Some(b"h2") {
                // HTTP/2 takes the authority from the URI, and has no Host header.
                *request.uri_mut() = parse_uri(&url[..Position::AfterQuery])?;
                let (mut sender, connection) =
                    http2::handshake(TokioExecutor::new(), TokioIo::new(tls))
                        .await
                        .map_err(failed)?;
                tokio::spawn(connection);
                sender.send_request(request).await.map_err(failed)?
            } else {
                http1_send(TokioIo::new(tls), request, url, path)
                    .await
                    .map_err(failed)?
            }
        } else {
            http1_send(TokioIo::new(stream), request, url, path)
                .await
                .map_err(failed)?
        };
        Ok(Answer {
            status: response.status(),
            version: response.version(),
            headers: response.headers().clone(),
            peer,
        })
    }
}

/// What a TLS failure may mean, when its message alone does not say.
fn tls_hint(error: &std::io::Error) -> &'static str {
    let inner = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>());
    match inner {
        Some(rustls::Error::InvalidCertificate(rustls::CertificateError::BadSignature)) => {
            " (a signature does not verify with the certificate's key; a certificate with an RSA \
             key under 2048 bits fails this way, and browsers refuse it too)"
        }
        _ => "",
    }
}

async fn http1_send<T>(
    io: TokioIo<T>,
    mut request: Request<Empty<Bytes>>,
    url: &Url,
    path: &str,
) -> Result<http::Response<hyper::body::Incoming>, hyper::Error>
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let authority = &url[Position::BeforeHost..Position::BeforePath];
    if let Ok(host) = HeaderValue::from_str(authority) {
        request.headers_mut().insert(HOST, host);
    }
    // A path from a `Url` is always a valid origin-form target.
    if let Ok(uri) = path.parse::<Uri>() {
        *request.uri_mut() = uri;
    }
    let (mut sender, connection) = http1::handshake(io).await?;
    tokio::spawn(connection);
    sender.send_request(request).await
}

fn parse_uri(text: &str) -> Result<Uri, Failure> {
    text.parse()
        .map_err(|e| Failure(format!("{text:?} is not a URI hyper can send: {e}")))
}

fn server_name(url: &Url) -> Result<ServerName<'static>, Failure> {
    match url.host() {
        Some(Host::Domain(domain)) => ServerName::try_from(domain.to_owned())
            .map_err(|e| Failure(format!("{domain:?} is not a TLS server name: {e}"))),
        Some(Host::Ipv4(ip)) => Ok(ServerName::IpAddress(IpAddr::V4(ip).into())),
        Some(Host::Ipv6(ip)) => Ok(ServerName::IpAddress(IpAddr::V6(ip).into())),
        None => Err(Failure(format!("{url} has no host"))),
    }
}

/// Connects to the first address of the URL's host that accepts.
async fn connect(url: &Url) -> Result<(TcpStream, SocketAddr), Failure> {
    let host = url.host_str().unwrap_or_default();
    let port = url.port_or_known_default().unwrap_or(80);
    let addresses: Vec<SocketAddr> = match url.host() {
        Some(Host::Ipv4(ip)) => vec![SocketAddr::new(IpAddr::V4(ip), port)],
        Some(Host::Ipv6(ip)) => vec![SocketAddr::new(IpAddr::V6(ip), port)],
        _ => tokio::net::lookup_host((host, port))
            .await
            .map_err(|e| Failure(format!("cannot resolve {host}: {e}")))?
            .collect(),
    };
    let mut last = None;
    for address in addresses {
        match TcpStream::connect(address).await {
            Ok(stream) => {
                let _ = stream.set_nodelay(true);
                return Ok((stream, address));
            }
            Err(e) => last = Some(format!("cannot connect to {address}: {e}")),
        }
    }
    Err(Failure(last.unwrap_or_else(|| {
        format!("cannot resolve {host}: no address")
    })))
}
