//! The WebSocket example over loopback, spoken to with tungstenite as a client that sets
//! `Origin` as it likes: allowed, forged, missing, `null` and the server's own origin.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use http::{header, Method, Request, Version};
use tower_cors::{CorsLayer, Denial};
use tungstenite::client::IntoClientRequest;
use tungstenite::{Error as WsError, Message};

use crate::support::serve;

#[path = "../../examples/websocket.rs"]
mod example;

/// Opens `/chat` with `origin` (none when `None`), sends a message and returns the reply, or the
/// status of the refused handshake.
fn talk(addr: SocketAddr, origin: Option<&str>) -> Result<String, u16> {
    let mut request = format!("ws://{addr}/chat").into_client_request().unwrap();
    if let Some(origin) = origin {
        request
            .headers_mut()
            .insert(header::ORIGIN, origin.parse().unwrap());
    }
    let (mut socket, _) = match tungstenite::connect(request) {
        Ok(connected) => connected,
        Err(WsError::Http(response)) => return Err(response.status().as_u16()),
        Err(err) => panic!("handshake failed without an answer: {err}"),
    };
    socket.send(Message::text("hello")).unwrap();
    let reply = socket.read().unwrap();
    let _ = socket.close(None);
    Ok(reply.into_text().unwrap().to_string())
}

async fn start(cors: CorsLayer) -> (SocketAddr, Arc<AtomicUsize>) {
    let handlers = Arc::new(AtomicUsize::new(0));
    let addr = serve(example::app(cors, handlers.clone())).await;
    (addr, handlers)
}

#[tokio::test(flavor = "multi_thread")]
async fn handshakes_from_other_origins_never_reach_the_handler() {
    let (addr, handlers) = start(example::cors(&[example::APP_ORIGIN])).await;
    let own = format!("http://{addr}");
    let results = tokio::task::spawn_blocking(move || {
        [
            ("allowed", talk(addr, Some(example::APP_ORIGIN))),
            ("forged", talk(addr, Some("https://evil.example"))),
            ("null", talk(addr, Some("null"))),
            (
                "look-alike",
                talk(addr, Some("http://localhost:3000.evil.example")),
            ),
            ("no origin", talk(addr, None)),
            ("own origin", talk(addr, Some(&own))),
        ]
    })
    .await
    .unwrap();
    let echoed = Ok("echo: hello".to_owned());
    for (case, result) in &results {
        let expected = match *case {
            "forged" | "null" | "look-alike" => Err(403),
            _ => echoed.clone(),
        };
        assert_eq!(result, &expected, "{case}");
    }
    // Only the three accepted handshakes ran the handler.
    assert_eq!(handlers.load(Ordering::SeqCst), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_guard_can_be_turned_off_by_its_dangerous_name() {
    let cors = CorsLayer::builder()
        .allow_origin(example::APP_ORIGIN)
        .dangerously_allow_cross_origin_websockets(true)
        .build()
        .unwrap();
    assert!(cors
        .warnings()
        .iter()
        .any(|w| w.kind() == tower_cors::WarningKind::CrossOriginWebSocketsAllowed));
    let (addr, handlers) = start(cors).await;
    let result = tokio::task::spawn_blocking(move || talk(addr, Some("https://evil.example")))
        .await
        .unwrap();
    assert_eq!(result, Ok("echo: hello".to_owned()));
    assert_eq!(handlers.load(Ordering::SeqCst), 1);
}

/// HTTP/2 carries a WebSocket handshake as an extended `CONNECT` (RFC 8441), to the request's
/// authority: judged the same way.
#[test]
fn an_http2_extended_connect_is_guarded_too() {
    let cors = example::cors(&[example::APP_ORIGIN]);
    let connect = |origin: &str| {
        Request::builder()
            .method(Method::CONNECT)
            .version(Version::HTTP_2)
            .uri("https://chat.example.com/chat")
            .header(header::ORIGIN, origin)
            .body(())
            .unwrap()
    };
    assert_eq!(
        cors.decide(&connect("https://evil.example")).denial(),
        Some(&Denial::CrossOriginWebSocket)
    );
    assert!(cors.decide(&connect(example::APP_ORIGIN)).is_allowed());
    assert_eq!(
        cors.decide(&connect("https://chat.example.com")).denial(),
        Some(&Denial::OriginNotAllowed),
        "the server's own origin is not refused"
    );
}

/// The refusal is a denial like the others: in the decision, and in the debug header with the
/// fix that admits the origin.
#[test]
fn a_refused_handshake_explains_itself() {
    let cors = CorsLayer::builder()
        .allow_origin(example::APP_ORIGIN)
        .debug_header(true)
        .build()
        .unwrap();
    let handshake = Request::get("/chat")
        .header(header::HOST, "chat.example.com")
        .header(header::UPGRADE, "websocket")
        .header(header::CONNECTION, "Upgrade")
        .header(header::ORIGIN, "https://evil.example")
        .body(())
        .unwrap();
    let (decision, headers) = cors.headers_for(&handshake);
    assert_eq!(decision.denial(), Some(&Denial::CrossOriginWebSocket));
    assert_eq!(
        headers["cors-debug"],
        "a WebSocket handshake from an origin the policy does not admit, which is not the server's own; add the origin to allow_origins if its pages may open WebSockets here (browsers apply no CORS check to them)"
    );
    assert!(headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
}
