//! tower-cors with tonic 0.14: one gRPC service, reachable by gRPC clients over HTTP/2 and by
//! browsers over gRPC-web (HTTP/1.1).
//!
//! Browsers preflight every gRPC-web call (its content type and `x-grpc-web` header are not
//! CORS-safelisted), and can only read `grpc-status` and `grpc-message` when they are exposed.
//! `CorsLayer::grpc_web` sets exactly that. The CORS layer goes outside `GrpcWebLayer`, which
//! would answer an HTTP/1.1 preflight with `400 Bad Request`.
//!
//! The messages are written by hand with `prost`'s derive and served through tonic's generic
//! server machinery with `tonic_prost::ProstCodec`: no `.proto` file, no build script, no
//! `protoc`. The equivalent schema:
//!
//! ```text
//! syntax = "proto3";
//! package demo.v1;
//! service Greeter { rpc SayHello(HelloRequest) returns (HelloReply); }
//! message HelloRequest { string name = 1; }
//! message HelloReply { string message = 1; }
//! ```
//!
//! Run with `cargo run --example tonic` (set `PORT` to change the port, 50051 by default),
//! then make a gRPC-web call by hand (a 5-byte frame header, then `name: "world"`):
//!
//! ```text
//! printf '\0\0\0\0\7\n\5world' | curl -si --data-binary @- \
//!   http://127.0.0.1:50051/demo.v1.Greeter/SayHello \
//!   -H 'Origin: https://app.example.com' \
//!   -H 'Content-Type: application/grpc-web+proto' -H 'X-Grpc-Web: 1' | cat -v
//! ```

use std::convert::Infallible;
use std::error::Error;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::net::TcpListener;
use tonic::body::Body;
use tonic::server::{Grpc, NamedService};
use tonic::transport::server::TcpIncoming;
use tonic::transport::Server;
use tonic::{Request, Response, Status};
use tonic_prost::ProstCodec;
use tonic_web::GrpcWebLayer;
use tower::Service;
use tower_cors::{ConfigError, CorsLayer};

/// The origin of the web application calling the service.
pub(crate) const APP_ORIGIN: &str = "https://app.example.com";
/// The path of the one method.
pub(crate) const SAY_HELLO: &str = "/demo.v1.Greeter/SayHello";

const DEFAULT_PORT: u16 = 50051;

/// `demo.v1.HelloRequest`
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct HelloRequest {
    #[prost(string, tag = "1")]
    pub(crate) name: String,
}

/// `demo.v1.HelloReply`
#[derive(Clone, PartialEq, prost::Message)]
pub(crate) struct HelloReply {
    #[prost(string, tag = "1")]
    pub(crate) message: String,
}

/// The `demo.v1.Greeter` service, routed by method path as tonic's generated servers do.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Greeter;

impl NamedService for Greeter {
    const NAME: &'static str = "demo.v1.Greeter";
}

impl Service<http::Request<Body>> for Greeter {
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        match request.uri().path() {
            SAY_HELLO => Box::pin(async move {
                // Encodes replies, decodes requests.
                let codec = ProstCodec::<HelloReply, HelloRequest>::default();
                let handler = tower::service_fn(say_hello);
                Ok(Grpc::new(codec).unary(handler, request).await)
            }),
            _ => Box::pin(async { Ok(Status::unimplemented("no such method").into_http()) }),
        }
    }
}

async fn say_hello(request: Request<HelloRequest>) -> Result<Response<HelloReply>, Status> {
    let name = request.into_inner().name;
    if name.is_empty() {
        return Err(Status::invalid_argument("name must not be empty"));
    }
    Ok(Response::new(HelloReply {
        message: format!("Hello, {name}!"),
    }))
}

/// The CORS policy: the gRPC-web preset for the application's origins.
pub(crate) fn cors() -> Result<CorsLayer, ConfigError> {
    CorsLayer::grpc_web(tower_cors::AllowOrigin::from_strs([
        APP_ORIGIN,
        "http://localhost:8080",
    ]))
    .build()
}

/// Serves the greeter on `listener` for HTTP/2 gRPC and HTTP/1.1 gRPC-web clients.
pub(crate) async fn serve(
    listener: TcpListener,
    cors: CorsLayer,
) -> Result<(), tonic::transport::Error> {
    Server::builder()
        // gRPC-web arrives over HTTP/1.1 unless TLS lets the browser negotiate HTTP/2.
        .accept_http1(true)
        // Outermost first: CORS, then the gRPC-web translation.
        .layer(cors)
        .layer(GrpcWebLayer::new())
        .add_service(Greeter)
        .serve_with_incoming(TcpIncoming::from(listener))
        .await
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
    serve(listener, cors).await?;
    Ok(())
}
