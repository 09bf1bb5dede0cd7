//! A reverse proxy with tower-cors in front: the upstream's response body,
//! `hyper::body::Incoming`, is streamed back as is.
//!
//! `Incoming` cannot be built empty (it has no `Default`), so a CORS layer that needs
//! `ResBody: Default` for its preflight answers cannot wrap such a service. `Cors<S>` answers
//! with its own `ResponseBody`, which wraps the inner body without asking anything of it.
//!
//! Upstream failures become `502 Bad Gateway` outside the layer (the only body that layer
//! knows is `Incoming`); `CorsLayer::headers_for` gives them the same CORS headers.
//!
//! Run with `cargo run --example proxy` (set `PORT` to change the port, 3002 by default). With
//! `UPSTREAM` unset it starts a small demo upstream of its own; `UPSTREAM=http://127.0.0.1:3001`
//! proxies to `cargo run --example hyper` instead. Then:
//!
//! ```text
//! curl -i http://127.0.0.1:3002/hello -H 'Origin: https://app.example.com'
//! ```

use std::convert::Infallible;
use std::error::Error;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HOST, ORIGIN, VARY};
use http::uri::{Authority, Scheme};
use http::{HeaderMap, HeaderName, Method, Request, Response, StatusCode, Uri, Version};
use http_body_util::{BodyExt, Either, Full};
use hyper::body::Incoming;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::{Layer, Service, ServiceExt};
use tower_cors::{ConfigError, Cors, CorsLayer, ResponseBody};

/// The origin of the page calling the proxy.
pub(crate) const APP_ORIGIN: &str = "https://app.example.com";

const DEFAULT_PORT: u16 = 3002;

type BoxError = Box<dyn Error + Send + Sync>;

/// The CORS policy of the proxy.
pub(crate) fn cors() -> Result<CorsLayer, ConfigError> {
    CorsLayer::builder()
        .allow_origin(APP_ORIGIN)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([CONTENT_TYPE])
        .expose_headers(["x-upstream"])
        .build()
}

/// Headers that describe one connection, not the message; a proxy must not forward them.
const HOP_BY_HOP: [&str; 8] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "transfer-encoding",
    "upgrade",
];

fn remove_hop_by_hop(headers: &mut HeaderMap) {
    for name in HOP_BY_HOP {
        headers.remove(name);
    }
}

/// Forwards requests to one upstream over HTTP/1.1 and returns its responses unbuffered.
#[derive(Clone, Debug)]
pub(crate) struct Proxy {
    client: Client<HttpConnector, Incoming>,
    scheme: Scheme,
    authority: Authority,
}

impl Proxy {
    /// A proxy to `upstream`, such as `http://127.0.0.1:3001`.
    pub(crate) fn new(upstream: &Uri) -> Result<Self, BoxError> {
        let (Some(scheme), Some(authority)) = (upstream.scheme(), upstream.authority()) else {
            return Err(format!("upstream {upstream} needs a scheme and a host").into());
        };
        if scheme != &Scheme::HTTP {
            return Err(format!("upstream {upstream}: only http is supported").into());
        }
        Ok(Self {
            client: Client::builder(TokioExecutor::new()).build_http(),
            scheme: scheme.clone(),
            authority: authority.clone(),
        })
    }
}

impl Service<Request<Incoming>> for Proxy {
    /// The upstream's response, body and all: no `Default`, no buffering.
    type Response = Response<Incoming>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Incoming>, BoxError>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<Incoming>) -> Self::Future {
        let (mut parts, body) = request.into_parts();
        let mut uri = std::mem::take(&mut parts.uri).into_parts();
        uri.scheme = Some(self.scheme.clone());
        uri.authority = Some(self.authority.clone());
        if uri.path_and_query.is_none() {
            uri.path_and_query = Some(http::uri::PathAndQuery::from_static("/"));
        }
        let client = self.client.clone();
        Box::pin(async move {
            parts.uri = Uri::from_parts(uri)?;
            // The client connects over HTTP/1.1, whatever the browser used, and sets `Host`
            // from the upstream's address.
            parts.version = Version::HTTP_11;
            parts.headers.remove(HOST);
            remove_hop_by_hop(&mut parts.headers);
            let mut response = client.request(Request::from_parts(parts, body)).await?;
            remove_hop_by_hop(response.headers_mut());
            Ok(response)
        })
    }
}

/// The proxy behind the CORS layer: the layer's response body wraps `Incoming`.
pub(crate) type CorsProxy = Cors<Proxy>;

/// What the connection sees: the proxied response, or the proxy's own 502.
pub(crate) type GatewayBody = Either<ResponseBody<Incoming>, Full<Bytes>>;

/// The service handed to hyper: the CORS-wrapped proxy, with upstream failures answered by
/// `502 Bad Gateway` carrying the CORS headers the layer would have added.
pub(crate) fn gateway(
    cors: CorsLayer,
    proxy: Proxy,
) -> impl Service<
    Request<Incoming>,
    Response = Response<GatewayBody>,
    Error = Infallible,
    Future = impl Future<Output = Result<Response<GatewayBody>, Infallible>> + Send,
> + Clone {
    let service: CorsProxy = cors.layer(proxy);
    tower::service_fn(move |request: Request<Incoming>| {
        // Keep what the policy looks at, in case the 502 needs it.
        let head = cors_head(&request);
        let (cors, service) = (cors.clone(), service.clone());
        async move {
            match service.oneshot(request).await {
                Ok(response) => Ok(response.map(Either::Left)),
                Err(error) => {
                    eprintln!("upstream failed: {error}");
                    let mut response =
                        Response::new(Either::Right(Full::from("upstream unavailable")));
                    *response.status_mut() = StatusCode::BAD_GATEWAY;
                    let (_decision, headers) = cors.headers_for(&head);
                    response.headers_mut().extend(headers);
                    Ok(response)
                }
            }
        }
    })
}

/// The method, URI and `Origin` of a request, without its body.
fn cors_head<B>(request: &Request<B>) -> Request<()> {
    let mut head = Request::new(());
    *head.method_mut() = request.method().clone();
    *head.uri_mut() = request.uri().clone();
    for origin in request.headers().get_all(ORIGIN) {
        head.headers_mut().append(ORIGIN, origin.clone());
    }
    head
}

/// Serves the connections of `listener` with `service`, each on its own task, forever.
pub(crate) async fn serve<S, B>(listener: TcpListener, service: S)
where
    S: Service<Request<Incoming>, Response = Response<B>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(error) => {
                eprintln!("accept failed: {error}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let service = TowerToHyperService::new(service.clone());
        tokio::spawn(async move {
            let connection = auto::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(stream), service)
                .await;
            if let Err(error) = connection {
                eprintln!("connection from {peer} failed: {error}");
            }
        });
    }
}

/// A demo upstream: `GET /hello` and `POST /echo`; it counts the requests it receives.
pub(crate) async fn serve_demo_upstream(listener: TcpListener, hits: Arc<AtomicUsize>) {
    let service = tower::service_fn(move |request: Request<Incoming>| {
        hits.fetch_add(1, Ordering::SeqCst);
        async move {
            let mut response = match (request.method(), request.uri().path()) {
                (&Method::GET, "/hello") => Response::new(Full::from("hello from upstream")),
                (&Method::POST, "/echo") => match request.into_body().collect().await {
                    Ok(body) => Response::new(Full::new(body.to_bytes())),
                    Err(_) => Response::new(Full::from("unreadable body")),
                },
                _ => {
                    let mut response = Response::new(Full::from("no such page upstream"));
                    *response.status_mut() = StatusCode::NOT_FOUND;
                    response
                }
            };
            let headers = response.headers_mut();
            headers.insert(VARY, http::HeaderValue::from_static("accept-encoding"));
            headers.insert(
                HeaderName::from_static("x-upstream"),
                http::HeaderValue::from_static("demo"),
            );
            Ok::<_, Infallible>(response)
        }
    });
    serve(listener, service).await;
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let port = match std::env::var("PORT") {
        Ok(port) => port.parse()?,
        Err(_) => DEFAULT_PORT,
    };
    let upstream: Uri = match std::env::var("UPSTREAM") {
        Ok(upstream) => upstream.parse()?,
        Err(_) => {
            let listener = TcpListener::bind("127.0.0.1:0").await?;
            let upstream = format!("http://{}", listener.local_addr()?);
            println!("demo upstream on {upstream}");
            tokio::spawn(serve_demo_upstream(listener, Arc::default()));
            upstream.parse()?
        }
    };
    let service = gateway(
        cors()?,
        Proxy::new(&upstream).map_err(|e| e as Box<dyn Error>)?,
    );
    println!("proxying to {upstream}");
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    println!("listening on http://{}", listener.local_addr()?);
    serve(listener, service).await;
    Ok(())
}
