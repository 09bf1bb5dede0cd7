//! tower-cors on a bare hyper 1.x server, without a framework.
//!
//! A `service_fn` handler wrapped in the CORS layer with `ServiceBuilder`, adapted to hyper
//! with `TowerToHyperService`, served by hyper-util's auto connection builder: HTTP/1.1 and
//! HTTP/2 (prior knowledge, as `curl --http2-prior-knowledge` sends) on the same port.
//!
//! Run with `cargo run --example hyper` (set `PORT` to change the port, 3001 by default), then:
//!
//! ```text
//! curl -i -X OPTIONS http://127.0.0.1:3001/echo \
//!   -H 'Origin: https://app.example.com' \
//!   -H 'Access-Control-Request-Method: PUT' -H 'Access-Control-Request-Headers: content-type'
//! curl -i --http2-prior-knowledge http://127.0.0.1:3001/hello -H 'Origin: https://app.example.com'
//! ```

use std::convert::Infallible;
use std::error::Error;
use std::time::Duration;

use bytes::Bytes;
use http::header::{ALLOW, CONTENT_TYPE};
use http::{HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_cors::{ConfigError, CorsLayer};

/// The origin of the page calling this server.
pub(crate) const APP_ORIGIN: &str = "https://app.example.com";

const DEFAULT_PORT: u16 = 3001;

/// The CORS policy.
pub(crate) fn cors() -> Result<CorsLayer, ConfigError> {
    CorsLayer::builder()
        .allow_origin(APP_ORIGIN)
        .allow_methods([Method::GET, Method::PUT])
        .allow_headers([CONTENT_TYPE])
        .expose_headers(["x-served-by"])
        .max_age(Duration::from_secs(600))
        .build()
}

/// The application: `GET /hello`, `PUT /echo`, and `OPTIONS` requests that are not
/// preflights (those the CORS layer answers).
pub(crate) async fn handle(
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let response = match (request.method(), request.uri().path()) {
        (&Method::GET, "/hello") => Response::builder()
            .header("x-served-by", "hyper")
            .body(Full::from("hello from hyper")),
        (&Method::PUT, "/echo") => {
            let content_type = request.headers().get(CONTENT_TYPE).cloned();
            match request.into_body().collect().await {
                Ok(body) => {
                    let mut response = Response::new(Full::new(body.to_bytes()));
                    if let Some(content_type) = content_type {
                        response.headers_mut().insert(CONTENT_TYPE, content_type);
                    }
                    Ok(response)
                }
                Err(_) => Response::builder()
                    .status(StatusCode::BAD_REQUEST)
                    .body(Full::from("unreadable body")),
            }
        }
        (&Method::OPTIONS, "/hello" | "/echo") => Response::builder()
            .status(StatusCode::NO_CONTENT)
            .header(ALLOW, HeaderValue::from_static("GET, PUT, OPTIONS"))
            .body(Full::default()),
        _ => Response::builder()
            .status(StatusCode::NOT_FOUND)
            .body(Full::from("not found")),
    };
    // The builders above only receive valid static parts.
    Ok(response.unwrap_or_else(|_| Response::new(Full::default())))
}

/// Serves the connections of `listener`, each on its own task, forever.
pub(crate) async fn serve(listener: TcpListener, cors: CorsLayer) {
    let service = ServiceBuilder::new().layer(cors).service_fn(handle);
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(error) => {
                // Out of file descriptors and the like: wait instead of spinning.
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

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let port = match std::env::var("PORT") {
        Ok(port) => port.parse()?,
        Err(_) => DEFAULT_PORT,
    };
    let cors = cors()?;
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    println!("listening on http://{}", listener.local_addr()?);
    serve(listener, cors).await;
    Ok(())
}
