//! The tonic example's server on loopback: gRPC-web over HTTP/1.1 after a preflight, and plain
//! gRPC over HTTP/2 through the same stack.

use std::net::SocketAddr;
use std::time::Duration;

use bytes::{Buf, BufMut, Bytes, BytesMut};
use http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE, ACCESS_CONTROL_REQUEST_HEADERS,
    ACCESS_CONTROL_REQUEST_METHOD, CONTENT_TYPE, ORIGIN,
};
use http::uri::PathAndQuery;
use http::{Method, StatusCode};
use prost::Message;
use tonic::transport::server::TcpIncoming;
use tonic::transport::{Channel, Server};
use tonic_prost::ProstCodec;
use tonic_web::GrpcWebLayer;

use crate::support::{client, header, listen, preflight};

#[allow(dead_code)]
#[path = "../../examples/tonic.rs"]
mod example;

use example::{HelloReply, HelloRequest, APP_ORIGIN, SAY_HELLO};

const GRPC_WEB: &str = "application/grpc-web+proto";

async fn serve_example() -> SocketAddr {
    let (listener, addr) = listen().await;
    let cors = example::cors().unwrap();
    tokio::spawn(async move { example::serve(listener, cors).await.unwrap() });
    addr
}

fn exposed(response: &reqwest::Response) -> Vec<String> {
    header(response, ACCESS_CONTROL_EXPOSE_HEADERS.as_str())
        .unwrap_or_default()
        .split(',')
        .map(|name| name.trim().to_ascii_lowercase())
        .collect()
}

/// A gRPC-web request body: one uncompressed message frame.
fn frame(message: &impl Message) -> Bytes {
    let payload = message.encode_to_vec();
    let mut body = BytesMut::with_capacity(5 + payload.len());
    body.put_u8(0);
    body.put_u32(u32::try_from(payload.len()).unwrap());
    body.put_slice(&payload);
    body.freeze()
}

/// Splits a gRPC-web response body into its messages and its trailer block.
fn unframe(mut body: Bytes) -> (Vec<Bytes>, Option<String>) {
    let mut messages = Vec::new();
    let mut trailers = None;
    while body.has_remaining() {
        assert!(body.len() >= 5, "truncated frame header: {body:?}");
        let flags = body.get_u8();
        let len = usize::try_from(body.get_u32()).unwrap();
        assert!(body.len() >= len, "truncated frame: {len} > {}", body.len());
        let payload = body.split_to(len);
        if flags & 0x80 == 0 {
            messages.push(payload);
        } else {
            trailers = Some(String::from_utf8(payload.to_vec()).unwrap());
        }
    }
    (messages, trailers)
}

async fn grpc_web_preflight(addr: SocketAddr, origin: &str) -> reqwest::Response {
    preflight(
        addr,
        SAY_HELLO,
        origin,
        "POST",
        Some("content-type,x-grpc-web,x-user-agent,grpc-timeout"),
    )
    .await
}

async fn grpc_web_call(addr: SocketAddr, origin: &str, name: &str) -> reqwest::Response {
    client()
        .post(format!("http://{addr}{SAY_HELLO}"))
        .header(ORIGIN, origin)
        .header(CONTENT_TYPE, GRPC_WEB)
        .header("x-grpc-web", "1")
        .header("x-user-agent", "grpc-web-javascript/0.1")
        .header("grpc-timeout", "5S")
        .body(frame(&HelloRequest {
            name: name.to_owned(),
        }))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn grpc_web_call_after_preflight() {
    let addr = serve_example().await;

    let preflight = grpc_web_preflight(addr, APP_ORIGIN).await;
    assert_eq!(preflight.version(), http::Version::HTTP_11);
    assert_eq!(preflight.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        header(&preflight, "access-control-allow-origin"),
        Some(APP_ORIGIN)
    );
    assert_eq!(
        header(&preflight, ACCESS_CONTROL_ALLOW_METHODS.as_str()),
        Some("POST")
    );
    let allowed = header(&preflight, ACCESS_CONTROL_ALLOW_HEADERS.as_str()).unwrap();
    for name in ["content-type", "x-grpc-web", "x-user-agent", "grpc-timeout"] {
        assert!(
            allowed.split(", ").any(|n| n == name),
            "{name} not in {allowed}"
        );
    }
    assert_eq!(
        header(&preflight, ACCESS_CONTROL_MAX_AGE.as_str()),
        Some("7200")
    );

    let response = grpc_web_call(addr, APP_ORIGIN, "world").await;
    assert_eq!(response.version(), http::Version::HTTP_11);
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, CONTENT_TYPE.as_str()), Some(GRPC_WEB));
    assert_eq!(
        header(&response, ACCESS_CONTROL_ALLOW_ORIGIN.as_str()),
        Some(APP_ORIGIN)
    );
    let exposed = exposed(&response);
    for name in ["grpc-status", "grpc-message", "grpc-status-details-bin"] {
        assert!(
            exposed.contains(&name.to_owned()),
            "{name} not exposed: {exposed:?}"
        );
    }

    // A successful call carries its status in the trailer frame at the end of the body.
    let (messages, trailers) = unframe(response.bytes().await.unwrap());
    assert_eq!(messages.len(), 1);
    let reply = HelloReply::decode(messages[0].clone()).unwrap();
    assert_eq!(reply.message, "Hello, world!");
    let trailers = trailers.expect("a trailer frame");
    assert!(
        trailers.lines().any(|line| line.trim() == "grpc-status:0"),
        "trailers: {trailers:?}"
    );
}

#[tokio::test]
async fn failed_grpc_web_call_has_a_readable_status_header() {
    let addr = serve_example().await;
    let response = grpc_web_call(addr, APP_ORIGIN, "").await;

    // A call that fails before any message answers "trailers-only": the status is in the
    // response headers, which a page can read only because they are exposed.
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header(&response, ACCESS_CONTROL_ALLOW_ORIGIN.as_str()),
        Some(APP_ORIGIN)
    );
    assert!(exposed(&response).contains(&"grpc-status".to_owned()));
    assert!(exposed(&response).contains(&"grpc-message".to_owned()));
    assert_eq!(
        header(&response, "grpc-status"),
        Some(i32::from(tonic::Code::InvalidArgument).to_string().as_str())
    );
    assert_eq!(
        header(&response, "grpc-message"),
        Some("name%20must%20not%20be%20empty")
    );
}

#[tokio::test]
async fn other_origins_get_no_grant() {
    let addr = serve_example().await;

    let preflight = grpc_web_preflight(addr, "https://evil.example").await;
    assert!(header(&preflight, ACCESS_CONTROL_ALLOW_ORIGIN.as_str()).is_none());
    assert!(header(&preflight, ACCESS_CONTROL_ALLOW_METHODS.as_str()).is_none());

    let response = grpc_web_call(addr, "https://evil.example", "world").await;
    assert!(header(&response, ACCESS_CONTROL_ALLOW_ORIGIN.as_str()).is_none());
    assert!(header(&response, ACCESS_CONTROL_EXPOSE_HEADERS.as_str()).is_none());
}

#[tokio::test]
async fn preflight_asking_for_authorization_is_refused_by_the_preset() {
    let addr = serve_example().await;
    let preflight = client()
        .request(Method::OPTIONS, format!("http://{addr}{SAY_HELLO}"))
        .header(ORIGIN, APP_ORIGIN)
        .header(ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(
            ACCESS_CONTROL_REQUEST_HEADERS,
            "authorization,content-type,x-grpc-web",
        )
        .send()
        .await
        .unwrap();
    assert!(header(&preflight, ACCESS_CONTROL_ALLOW_ORIGIN.as_str()).is_none());
}

async fn grpc_channel(addr: SocketAddr) -> tonic::client::Grpc<Channel> {
    let channel = Channel::from_shared(format!("http://{addr}"))
        .unwrap()
        .connect_timeout(Duration::from_secs(5))
        .connect()
        .await
        .unwrap();
    let mut client = tonic::client::Grpc::new(channel);
    client.ready().await.unwrap();
    client
}

async fn say_hello(
    client: &mut tonic::client::Grpc<Channel>,
    name: &str,
    origin: Option<&str>,
) -> Result<tonic::Response<HelloReply>, tonic::Status> {
    let mut request = tonic::Request::new(HelloRequest {
        name: name.to_owned(),
    });
    if let Some(origin) = origin {
        request
            .metadata_mut()
            .insert("origin", origin.parse().unwrap());
    }
    client.ready().await.unwrap();
    let codec = ProstCodec::<HelloRequest, HelloReply>::default();
    client
        .unary(request, PathAndQuery::from_static(SAY_HELLO), codec)
        .await
}

#[tokio::test]
async fn plain_grpc_over_http2_goes_through_the_same_stack() {
    let addr = serve_example().await;
    let mut client = grpc_channel(addr).await;

    let reply = say_hello(&mut client, "gRPC", None).await.unwrap();
    assert_eq!(reply.get_ref().message, "Hello, gRPC!");
    assert!(reply
        .metadata()
        .get("access-control-allow-origin")
        .is_none());

    // With an Origin (as a gRPC-web proxy or an HTTP/2 browser connection would send), the
    // grant is added to the HTTP/2 response too.
    let reply = say_hello(&mut client, "again", Some(APP_ORIGIN))
        .await
        .unwrap();
    assert_eq!(reply.get_ref().message, "Hello, again!");
    assert_eq!(
        reply.metadata().get("access-control-allow-origin").unwrap(),
        APP_ORIGIN
    );

    let status = say_hello(&mut client, "", None).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::InvalidArgument);
    assert_eq!(status.message(), "name must not be empty");
}

#[tokio::test]
async fn unknown_method_is_unimplemented() {
    let addr = serve_example().await;
    let mut client = grpc_channel(addr).await;
    let codec = ProstCodec::<HelloRequest, HelloReply>::default();
    let status = client
        .unary(
            tonic::Request::new(HelloRequest::default()),
            PathAndQuery::from_static("/demo.v1.Greeter/SayGoodbye"),
            codec,
        )
        .await
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::Unimplemented);
}

/// With `GrpcWebLayer` outside the CORS layer, tonic-web sees the preflight first and refuses
/// it, which is why the example puts CORS outermost.
#[tokio::test]
async fn cors_inside_grpc_web_layer_breaks_preflights() {
    let (listener, addr) = listen().await;
    let cors = example::cors().unwrap();
    tokio::spawn(async move {
        Server::builder()
            .accept_http1(true)
            .layer(GrpcWebLayer::new())
            .layer(cors)
            .add_service(example::Greeter)
            .serve_with_incoming(TcpIncoming::from(listener))
            .await
            .unwrap()
    });

    let preflight = grpc_web_preflight(addr, APP_ORIGIN).await;
    assert_eq!(preflight.status(), StatusCode::BAD_REQUEST);
    assert!(header(&preflight, ACCESS_CONTROL_ALLOW_ORIGIN.as_str()).is_none());
}
