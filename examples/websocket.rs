//! A WebSocket echo endpoint guarded by the same CORS policy as the rest of the API.
//!
//! Browsers send `Origin` on a WebSocket handshake but apply no CORS check to it: without a
//! guard, any page a user visits could open `/chat` with the user's cookies and read every
//! message (cross-site WebSocket hijacking). Neither axum's `WebSocketUpgrade` nor tungstenite
//! looks at `Origin`; the CORS layer, which knows the origins the application trusts, refuses
//! a handshake from any other origin with `403`, before the handler runs. The server's own
//! pages (an `Origin` equal to the `Host` the request was sent to) and programs that send no
//! `Origin` pass.
//!
//! Run with `cargo run --example websocket` (`PORT` to change the port, 4100 by default):
//! the page at `http://localhost:3000` may connect, no other.
//!
//! ```text
//! # refused: another origin
//! curl -i http://127.0.0.1:4100/chat -H 'Origin: https://evil.example' \
//!   -H 'Connection: Upgrade' -H 'Upgrade: websocket' \
//!   -H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=='
//! ```

use std::error::Error;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use tower_cors::CorsLayer;

/// The origin of the pages allowed to open the WebSocket.
pub(crate) const APP_ORIGIN: &str = "http://localhost:3000";

/// The chat endpoint, echoing every text message, behind `cors`. `handlers` counts the
/// handshakes the handler saw, so tests can check that a refused one never reached it.
pub(crate) fn app(cors: CorsLayer, handlers: Arc<AtomicUsize>) -> Router {
    Router::new()
        .route("/chat", get(chat))
        .with_state(handlers)
        .layer(cors)
}

/// The layer: the application's origins, for its API and its WebSockets alike.
pub(crate) fn cors(origins: &[&str]) -> CorsLayer {
    CorsLayer::builder()
        .allow_origins(origins.iter().copied())
        .allow_credentials(true)
        .build()
        .expect("a valid policy")
}

async fn chat(State(handlers): State<Arc<AtomicUsize>>, upgrade: WebSocketUpgrade) -> Response {
    handlers.fetch_add(1, Ordering::SeqCst);
    upgrade.on_upgrade(echo)
}

/// Sends every text message back, prefixed with `echo: `.
async fn echo(mut socket: WebSocket) {
    while let Some(Ok(message)) = socket.recv().await {
        let reply = match message {
            Message::Text(text) => Message::Text(format!("echo: {}", text.as_str()).into()),
            Message::Close(_) => break,
            _ => continue,
        };
        if socket.send(reply).await.is_err() {
            break;
        }
    }
}

#[allow(dead_code)]
#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let port: u16 = std::env::var("PORT").map_or(Ok(4100), |p| p.parse())?;
    let app = app(cors(&[APP_ORIGIN]), Arc::default());
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!(
        "websocket: listening on ws://{}/chat; pages on {APP_ORIGIN} may connect",
        listener.local_addr()?
    );
    axum::serve(listener, app).await?;
    Ok(())
}
