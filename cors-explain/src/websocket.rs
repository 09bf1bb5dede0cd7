//! WebSocket handshakes. `--url ws://…` (or `wss://…`) sends the handshake of a page's
//! `new WebSocket(url)` and judges the answer as a browser does; with `--config FILE`, the same
//! handshake is a dry run through the layer (`BrowserRequest::websocket`, `simulate`).
//! Browsers apply no CORS check to a WebSocket: the page sends its `Origin`, and the server
//! alone decides by it whether to switch protocols.

use std::net::IpAddr;
use std::path::Path;

use http::header::{CONNECTION, LOCATION, SEC_WEBSOCKET_ACCEPT, SEC_WEBSOCKET_KEY, UPGRADE};
use http::{HeaderMap, HeaderValue, StatusCode, Uri};
use ring::rand::SecureRandom;
use tower_cors::{Blocked, BrowserRequest, Simulation};
use url::{Host, Url};

use crate::args::Args;
use crate::dry_run::{load, print_notes_and_fixes, print_request, print_warnings};
use crate::probe::{local_network_note, uri_of};
use crate::report::{
    print_answer_line, print_headers, print_headers_where, print_request_line, printable,
    status_text,
};
use crate::transport::Client;
use crate::{Failure, Verdict};

const NO_CORS: &str = "\
WebSocket: browsers send no preflight and apply no CORS check; Access-Control-* headers play no
part. The page sends its Origin with the handshake, and the server alone decides by that Origin
whether to accept it.";

/// The GUID that RFC 6455 appends to `Sec-WebSocket-Key` before hashing it.
const GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// The `Sec-WebSocket-Accept` that answers `key` (RFC 6455, section 4.2.2): the base64 of the
/// SHA-1 of the key followed by the GUID.
fn accept_for(key: &str) -> String {
    let input = format!("{key}{GUID}");
    let digest = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, input.as_bytes());
    base64(digest.as_ref())
}

/// A fresh `Sec-WebSocket-Key`, 16 random bytes in base64, as browsers send.
fn new_key() -> Result<String, Failure> {
    let mut nonce = [0u8; 16];
    ring::rand::SystemRandom::new()
        .fill(&mut nonce)
        .map_err(|_| Failure("no random bytes for Sec-WebSocket-Key".to_owned()))?;
    Ok(base64(&nonce))
}

/// Base64 with the standard alphabet and padding.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut text = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let byte = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let group = (byte(0) << 16) | (byte(1) << 8) | byte(2);
        for i in 0..4 {
            if i <= chunk.len() {
                let sextet = (group >> (18 - 6 * i)) & 63;
                text.push(char::from(ALPHABET[sextet as usize]));
            } else {
                text.push('=');
            }
        }
    }
    text
}

/// The handshake a page on `--origin` sends to `url`.
fn handshake(args: &Args, url: &Url) -> Result<(BrowserRequest, Uri), Failure> {
    let uri = uri_of(url)?;
    let request =
        BrowserRequest::websocket(&args.origin, &uri).map_err(|e| Failure(e.to_string()))?;
    Ok((request, uri))
}

/// Prints what both modes start with; a verdict when the browser sends nothing at all.
fn start(args: &Args, request: &BrowserRequest, uri: &Uri) -> Option<Verdict> {
    print_request_line(request, &uri.to_string(), &args.origin);
    println!("{NO_CORS}");
    println!();
    let blocked = request.check_mixed_content(uri).err()?;
    println!("Browser: BLOCKED, {blocked}");
    println!();
    println!("What the server must change:");
    println!("  - the page must open the WebSocket at a wss:// URL");
    Some(Verdict::Blocked)
}

/// `--url ws://…`: sends the handshake and judges the answer.
pub(crate) fn probe(args: &Args, url: &Url) -> Result<Verdict, Failure> {
    let client = Client::new(args.cacert.as_deref(), args.timeout)?;
    let (request, uri) = handshake(args, url)?;
    if let Some(verdict) = start(args, &request, &uri) {
        return Ok(verdict);
    }
    let key = new_key()?;
    let mut sent = request.actual_request();
    let value = HeaderValue::from_str(&key).map_err(|e| Failure(e.to_string()))?;
    sent.headers_mut().insert(SEC_WEBSOCKET_KEY, value);
    println!("Handshake:");
    println!("    GET {uri}");
    print_headers(sent.headers());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure(format!("cannot start the runtime: {e}")))?;
    let answer = runtime.block_on(client.send(url, sent))?;
    print_answer_line(answer.status, answer.version, answer.peer);
    print_handshake_headers(&answer.headers);
    let verdict = judge(answer.status, &answer.headers, &key, &args.origin);
    if let Some(note) = local_network_note(&args.origin, answer.peer.ip()) {
        println!();
        println!("{note}");
    }
    Ok(verdict)
}

/// The headers of a handshake's answer that the browser reads, and `Location`.
fn print_handshake_headers(headers: &HeaderMap) {
    print_headers_where(
        headers,
        |name| {
            name == "upgrade"
                || name == "connection"
                || name.starts_with("sec-websocket-")
                || name == "location"
        },
        "(no Upgrade, Connection or Sec-WebSocket-* headers)",
    );
}

/// Whether a header lists `token` (case-insensitively), as `Connection: keep-alive, Upgrade`.
fn lists(headers: &HeaderMap, name: http::HeaderName, token: &str) -> bool {
    headers
        .get_all(name)
        .iter()
        .flat_map(|v| v.as_bytes().split(|&b| b == b','))
        .any(|item| item.trim_ascii().eq_ignore_ascii_case(token.as_bytes()))
}

/// The browser's verdict on the answer to a handshake with `key`.
fn judge(status: StatusCode, headers: &HeaderMap, key: &str, origin: &str) -> Verdict {
    let (reason, fix) = if status == StatusCode::SWITCHING_PROTOCOLS {
        let expected = accept_for(key);
        let accept = headers.get(SEC_WEBSOCKET_ACCEPT);
        if !lists(headers, UPGRADE, "websocket") || !lists(headers, CONNECTION, "upgrade") {
            (
                "the server switched protocols without Upgrade: websocket and Connection: \
                 Upgrade, and browsers fail such a connection"
                    .to_owned(),
                "the 101 answer must carry Upgrade: websocket and Connection: Upgrade".to_owned(),
            )
        } else if accept.map(HeaderValue::as_bytes) != Some(expected.as_bytes()) {
            let found = accept.map_or_else(
                || "missing".to_owned(),
                |v| format!("\"{}\"", printable(v.as_bytes())),
            );
            (
                format!(
                    "the server switched protocols, but its Sec-WebSocket-Accept is {found}, not \
                     {expected:?}, the answer to the key; browsers fail the connection"
                ),
                format!(
                    "the 101 answer must carry Sec-WebSocket-Accept: {expected} (the base64 of \
                     the SHA-1 of the key followed by {GUID})"
                ),
            )
        } else {
            println!("  browser: Sec-WebSocket-Accept answers the key (RFC 6455)");
            println!();
            println!("Browser: ACCEPTED, the page can open the WebSocket");
            return Verdict::Allowed;
        }
    } else {
        let refused = format!(
            "the server refused the WebSocket handshake with {}",
            status_text(status)
        );
        let fix = if status.is_redirection() {
            let location = headers
                .get(LOCATION)
                .map(|v| format!(" ({})", printable(v.as_bytes())))
                .unwrap_or_default();
            println!(
                "  browser: follows no redirect for a WebSocket handshake; the connection fails"
            );
            format!(
                "the page must open the WebSocket at the URL the redirect points to{location}, \
                 or the server must accept the handshake at this one"
            )
        } else if status == StatusCode::FORBIDDEN {
            format!(
                "the server must answer the handshake with 101 Switching Protocols: if it refuses \
                 the origin, its WebSocket origin check must admit {origin} (with tower-cors: add \
                 it to allow_origins)"
            )
        } else {
            format!(
                "the server must answer the handshake with 101 Switching Protocols, not {}",
                status_text(status)
            )
        };
        (refused, fix)
    };
    println!();
    println!("Browser: BLOCKED, {reason}");
    println!();
    println!("What the server must change:");
    println!("  - {fix}");
    Verdict::Blocked
}

/// `--config FILE --url ws://…`: the dry run of the handshake through the layer.
pub(crate) fn dry_run(args: &Args, config: &Path, url: &Url) -> Result<Verdict, Failure> {
    let layer = load(config)?;
    let (mut request, uri) = handshake(args, url)?;
    let server = match url.host() {
        Some(Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
        Some(Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
        _ => None,
    };
    if let Some(server) = server {
        request = request.server_address(server);
    }
    let verdict = match start(args, &request, &uri) {
        Some(verdict) => verdict,
        None => report(&layer.simulate(&request)),
    };
    print_warnings(&layer);
    Ok(verdict)
}

fn report(simulation: &Simulation) -> Verdict {
    if let Some(actual) = &simulation.actual {
        println!("Handshake (a dry run: nothing is sent):");
        print_request(&actual.request);
        println!("  layer: {}", actual.decision);
        match actual.status {
            Some(status) => println!("  answer from the layer: {}", status_text(status)),
            None => println!(
                "  answer from your service (101 Switching Protocols when it accepts the \
                 upgrade), with these headers added:"
            ),
        }
        if actual.headers.is_empty() {
            println!("    (no headers)");
        } else {
            print_headers(&actual.headers);
        }
        println!();
    }
    match &simulation.blocked {
        None => println!(
            "Browser: ACCEPTED, the page can open the WebSocket (the layer passes the handshake \
             to your service)"
        ),
        Some(Blocked::HandshakeRefused(status)) => println!(
            "Browser: BLOCKED, the server refused the WebSocket handshake with {}",
            status_text(*status)
        ),
        Some(other) => println!("Browser: BLOCKED, {other}"),
    }
    print_notes_and_fixes(simulation);
    if simulation.is_allowed() {
        Verdict::Allowed
    } else {
        Verdict::Blocked
    }
}

#[cfg(test)]
mod tests {
    use super::{accept_for, base64};

    #[test]
    fn accept_answers_the_key_as_in_rfc_6455() {
        assert_eq!(
            accept_for("dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }

    #[test]
    fn base64_pads() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64(&[0xfb, 0xff]), "+/8=");
    }
}
