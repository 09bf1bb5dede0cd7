//! What both modes print: the request, why it is preflighted, headers, and the server-neutral
//! change that would let a blocked request through.

use std::net::SocketAddr;

use http::header::{ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS};
use http::{HeaderMap, HeaderName, StatusCode, Version};
use tower_cors::{Blocked, BrowserRequest};

/// The first line: what the script asks for.
pub(crate) fn print_request_line(request: &BrowserRequest, target: &str, origin: &str) {
    let what = if request.is_websocket() {
        "WebSocket"
    } else {
        request.method().as_str()
    };
    println!(
        "Request: {what} {target} from {origin}{}",
        if request.includes_credentials() {
            " with credentials"
        } else {
            ""
        }
    );
    println!();
}

/// Why the browser sends a preflight, in a sentence: the library's reasons, each part of the
/// request that needs one.
pub(crate) fn preflight_reasons(request: &BrowserRequest, private_network: bool) -> String {
    let mut why = request.preflight_reasons();
    let private = "the server is on a more private network".to_owned();
    if private_network && !why.contains(&private) {
        why.push(private);
    }
    why.join("; ")
}

/// A duration as a person reads it: `5 s`, `10 min`, `2 h`.
pub(crate) fn duration(d: std::time::Duration) -> String {
    let secs = d.as_secs();
    match secs {
        s if s >= 3600 && s % 3600 == 0 => format!("{} h", s / 3600),
        s if s >= 60 && s % 60 == 0 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

pub(crate) const NO_PREFLIGHT: &str =
    "Preflight: not needed (a simple request: GET, HEAD or POST with CORS-safelisted headers)";

/// Bytes from the wire (or any text) as they may reach a terminal: control characters (C0,
/// DEL and C1, such as U+009B, which some terminals take for the start of an escape sequence)
/// and invisible formatting characters (bidirectional overrides, zero-width characters) are
/// written as `\u{9b}`, and bytes that are not UTF-8 as `\x9b`.
pub(crate) fn printable(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut text = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            let invisible = matches!(
                c,
                '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{2069}'
                    | '\u{feff}'
            );
            if c.is_control() || invisible {
                let _ = write!(text, "\\u{{{:x}}}", u32::from(c));
            } else {
                text.push(c);
            }
        }
        for byte in chunk.invalid() {
            let _ = write!(text, "\\x{byte:02x}");
        }
    }
    text
}

/// Every header, indented.
pub(crate) fn print_headers(headers: &HeaderMap) {
    for (name, value) in headers {
        println!(
            "    {}: {}",
            printable(name.as_ref()),
            printable(value.as_bytes())
        );
    }
}

/// The headers of an answer that the CORS checks read, and `Location`.
pub(crate) fn print_cors_headers(headers: &HeaderMap) {
    print_headers_where(
        headers,
        |name| name.starts_with("access-control-") || name == "vary" || name == "location",
        "(no Access-Control-* or Vary headers)",
    );
}

/// The headers of `headers` whose lowercase names `keep` selects, or `none` when there are
/// none.
pub(crate) fn print_headers_where(headers: &HeaderMap, keep: impl Fn(&str) -> bool, none: &str) {
    let mut any = false;
    for (name, value) in headers {
        if keep(name.as_str()) {
            any = true;
            println!(
                "    {}: {}",
                printable(name.as_str().as_bytes()),
                printable(value.as_bytes())
            );
        }
    }
    if !any {
        println!("    {none}");
    }
}

/// Which answer a block is about, for the wording of its fix.
#[derive(Clone, Copy)]
pub(crate) enum Stage {
    Preflight,
    Redirect,
    Response,
}

impl Stage {
    fn answer(self) -> &'static str {
        match self {
            Self::Preflight => "the preflight answer",
            Self::Redirect => "the redirect",
            Self::Response => "the response",
        }
    }
}

/// Every change the answer (status and headers) needs, not only the first the browser trips
/// on: each block's fix is applied to a copy of the answer, which is checked again, until it
/// passes. `tainted`: a redirect made the origin `null`.
pub(crate) fn server_fixes(
    first: &Blocked,
    stage: Stage,
    request: &BrowserRequest,
    (status, answer): (StatusCode, &HeaderMap),
    tainted: bool,
) -> Vec<String> {
    let server_fix = |blocked: &Blocked, answer: &HeaderMap| {
        let mut fix = server_fix(blocked, stage, request, answer);
        if request.origin() == "null" {
            fix.push_str(if tainted {
                " (the browser sends Origin: null since a redirect took the request to another \
                 origin)"
            } else {
                " (the page's origin is null, as for sandboxed iframes and data: or file: pages; \
                 every such page sends Origin: null, whatever its site)"
            });
        }
        fix
    };
    let mut fixes = vec![server_fix(first, answer)];
    let (mut status, mut headers, mut blocked) = (status, answer.clone(), first.clone());
    // Each round fixes one header or the status; a handful of rounds covers every check.
    for _ in 0..16 {
        if !patch(&blocked, request, &mut status, &mut headers) {
            break;
        }
        let check = match stage {
            Stage::Preflight => request.check_preflight(status, &headers),
            Stage::Redirect | Stage::Response => request.check_response(&headers),
        };
        match check {
            Ok(()) => break,
            Err(next) => {
                fixes.push(server_fix(&next, &headers));
                blocked = next;
            }
        }
    }
    fixes
}

/// Changes a copy of an answer the way the fix for `blocked` says; false when it cannot.
fn patch(
    blocked: &Blocked,
    request: &BrowserRequest,
    status: &mut StatusCode,
    headers: &mut HeaderMap,
) -> bool {
    use http::header::{
        ACCESS_CONTROL_ALLOW_CREDENTIALS as CREDENTIALS, ACCESS_CONTROL_ALLOW_ORIGIN as ORIGIN,
    };
    let append = |headers: &mut HeaderMap, name: HeaderName, item: &str| {
        if let Ok(value) = http::HeaderValue::from_str(item) {
            headers.append(name, value);
        }
    };
    match blocked {
        Blocked::PreflightStatus(_) => *status = StatusCode::NO_CONTENT,
        Blocked::NoAllowOrigin
        | Blocked::AllowOriginMismatch(_)
        | Blocked::MultipleAllowOrigins(_)
        | Blocked::WildcardOriginWithCredentials => {
            headers.insert(ORIGIN, request.origin().clone());
        }
        Blocked::NoAllowCredentials => {
            headers.insert(CREDENTIALS, http::HeaderValue::from_static("true"));
        }
        Blocked::MethodNotAllowed(method) => {
            append(headers, ACCESS_CONTROL_ALLOW_METHODS, method.as_str());
        }
        Blocked::HeaderNotAllowed(name) => {
            append(headers, ACCESS_CONTROL_ALLOW_HEADERS, name.as_str());
        }
        Blocked::PrivateNetworkNotAllowed => {
            headers.insert(
                HeaderName::from_static("access-control-allow-private-network"),
                http::HeaderValue::from_static("true"),
            );
        }
        _ => return false,
    }
    true
}

/// What the server must change so that the browser no longer blocks for `blocked`: the
/// header or status to send, in words that fit any server.
fn server_fix(
    blocked: &Blocked,
    stage: Stage,
    request: &BrowserRequest,
    answer: &HeaderMap,
) -> String {
    let answer_name = stage.answer();
    let origin = String::from_utf8_lossy(request.origin().as_bytes()).into_owned();
    let credentials = request.includes_credentials();
    let wanted = if credentials {
        format!("Access-Control-Allow-Origin: {origin}")
    } else {
        format!("Access-Control-Allow-Origin: {origin} (or *)")
    };
    let text = |v: &http::HeaderValue| String::from_utf8_lossy(v.as_bytes()).into_owned();
    match blocked {
        Blocked::PreflightStatus(status) if status.is_redirection() => format!(
            "the preflight (OPTIONS {}) must be answered with a 2xx status (usually 204), not \
             redirected: point the page at the final URL, or answer OPTIONS before redirecting",
            request
                .preflight_request()
                .map(|p| p.uri().to_string())
                .unwrap_or_default()
        ),
        Blocked::PreflightStatus(status) => format!(
            "the preflight (OPTIONS {}) must be answered with a 2xx status (usually 204), not {}; \
             answer OPTIONS requests before authentication or routing refuse them",
            request
                .preflight_request()
                .map(|p| p.uri().to_string())
                .unwrap_or_default(),
            status_text(*status)
        ),
        Blocked::NoAllowOrigin => format!("{answer_name} must carry {wanted}"),
        Blocked::AllowOriginMismatch(value) => {
            format!("{answer_name} must carry {wanted}, not {:?}", text(value))
        }
        Blocked::MultipleAllowOrigins(value) => format!(
            "{answer_name} must carry Access-Control-Allow-Origin once, with the one value \
             {origin:?}, not {:?}: only one of the application, framework and proxies may set it",
            text(value)
        ),
        Blocked::WildcardOriginWithCredentials => format!(
            "{answer_name} must carry Access-Control-Allow-Origin: {origin} instead of *: a \
             request with credentials needs the exact origin"
        ),
        Blocked::NoAllowCredentials => {
            format!("{answer_name} must carry Access-Control-Allow-Credentials: true")
        }
        Blocked::MethodNotAllowed(method) => {
            let mut fix =
                format!("the preflight answer must list {method} in Access-Control-Allow-Methods");
            if credentials && lists_wildcard(answer, ACCESS_CONTROL_ALLOW_METHODS) {
                fix.push_str(" (\"*\" does not count for a request with credentials)");
            }
            fix
        }
        Blocked::HeaderNotAllowed(name) => {
            let mut fix =
                format!("the preflight answer must list {name} in Access-Control-Allow-Headers");
            if lists_wildcard(answer, ACCESS_CONTROL_ALLOW_HEADERS) {
                if name == http::header::AUTHORIZATION {
                    fix.push_str(" (\"*\" never covers authorization)");
                } else if credentials {
                    fix.push_str(" (\"*\" does not count for a request with credentials)");
                }
            }
            fix
        }
        Blocked::PrivateNetworkNotAllowed => {
            "the preflight answer must carry Access-Control-Allow-Private-Network: true".to_owned()
        }
        other => format!("{answer_name}: {other}"),
    }
}

fn lists_wildcard(headers: &HeaderMap, name: HeaderName) -> bool {
    headers
        .get_all(name)
        .iter()
        .flat_map(|v| v.as_bytes().split(|&b| b == b','))
        .any(|item| item.trim_ascii() == b"*")
}

/// The line that introduces an answer: its status, HTTP version and where it came from.
pub(crate) fn print_answer_line(status: StatusCode, version: Version, peer: SocketAddr) {
    let version = match version {
        Version::HTTP_2 => "HTTP/2",
        Version::HTTP_10 => "HTTP/1.0",
        _ => "HTTP/1.1",
    };
    println!("  answer: {} ({version} from {peer})", status_text(status));
}

/// `404 Not Found`, or `599` for a status without a reason phrase.
pub(crate) fn status_text(status: StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("{} {reason}", status.as_u16()),
        None => status.as_u16().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::printable;

    #[test]
    fn control_and_invisible_characters_are_escaped() {
        assert_eq!(
            printable("a\u{9b}31m\u{1b}[0m\u{7f}".as_bytes()),
            "a\\u{9b}31m\\u{1b}[0m\\u{7f}"
        );
        assert_eq!(printable("x\u{202e}y\tz".as_bytes()), "x\\u{202e}y\\u{9}z");
        assert_eq!(printable(b"caf\xc3\xa9 \x9b!"), "caf\u{e9} \\x9b!");
    }
}
