//! Facts of the Fetch Standard that both the core and the dry runs use: what scripts can never
//! send.

/// Request headers a script can never set: the browser sets them, or refuses them.
const FORBIDDEN_REQUEST_HEADERS: [&str; 21] = [
    "accept-charset",
    "accept-encoding",
    "access-control-request-headers",
    "access-control-request-method",
    "connection",
    "content-length",
    "cookie",
    "cookie2",
    "date",
    "dnt",
    "expect",
    "host",
    "keep-alive",
    "origin",
    "referer",
    "set-cookie",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "via",
];

/// Whether `fetch` refuses a method: `CONNECT`, `TRACE` and `TRACK`, in any case.
pub(crate) fn is_forbidden_method(method: &[u8]) -> bool {
    [&b"CONNECT"[..], b"TRACE", b"TRACK"]
        .iter()
        .any(|m| m.eq_ignore_ascii_case(method))
}

/// Whether a script can never set a request header of this (lowercase) name, whatever its
/// value: the forbidden names and the `proxy-` and `sec-` prefixes.
pub(crate) fn is_forbidden_header_name(name: &str) -> bool {
    FORBIDDEN_REQUEST_HEADERS.contains(&name)
        || name.starts_with("proxy-")
        || name.starts_with("sec-")
}

/// Response headers that browsers never let a script read, exposed or not.
pub(crate) fn is_never_exposed(name: &str) -> bool {
    matches!(name, "set-cookie" | "set-cookie2")
}
