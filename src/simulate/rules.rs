//! The Fetch Standard's rules about requests: forbidden methods and headers, and what a page
//! may send without a preflight.

use http::{HeaderName, HeaderValue, Method};

use super::request::InvalidRequest;
use crate::grant::fetch::{is_forbidden_header_name, is_forbidden_method};
use crate::grant::util::trim_ows;

/// The most bytes of safelisted header values a request can carry without a preflight.
pub(super) const SAFELISTED_TOTAL_LIMIT: usize = 1024;

/// `fetch` uppercases these methods whatever their case, and refuses the forbidden ones.
pub(super) fn normalize_method(method: Method) -> Result<Method, InvalidRequest> {
    const NORMALIZED: [Method; 6] = [
        Method::DELETE,
        Method::GET,
        Method::HEAD,
        Method::OPTIONS,
        Method::POST,
        Method::PUT,
    ];
    let name = method.as_str();
    if is_forbidden_method(name.as_bytes()) {
        return Err(InvalidRequest(format!(
            "{name:?} is a forbidden method: fetch refuses it"
        )));
    }
    Ok(NORMALIZED
        .into_iter()
        .find(|m| m.as_str().eq_ignore_ascii_case(name))
        .unwrap_or(method))
}

/// Forbidden request headers (Fetch Standard): set by the browser, never by a script.
pub(super) fn is_forbidden_request_header(name: &HeaderName, value: &HeaderValue) -> bool {
    let name = name.as_str();
    if is_forbidden_header_name(name) {
        return true;
    }
    // Method overrides are forbidden when they name a forbidden method.
    matches!(
        name,
        "x-http-method" | "x-http-method-override" | "x-method-override"
    ) && split_outside_quotes(value.as_bytes()).any(is_forbidden_method)
}

/// The elements of a header value split at commas outside quoted strings, trimmed of
/// whitespace (the Fetch Standard's "get, decode, and split"; a quoted element keeps its
/// quotes, so it never equals a method name).
fn split_outside_quotes(value: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = Some(value);
    std::iter::from_fn(move || {
        let current = rest?;
        let (mut quoted, mut escaped) = (false, false);
        let comma = current.iter().position(|&b| {
            match b {
                _ if escaped => escaped = false,
                b'\\' if quoted => escaped = true,
                b'"' => quoted = !quoted,
                b',' if !quoted => return true,
                _ => {}
            }
            false
        });
        let element = match comma {
            Some(i) => {
                rest = Some(&current[i + 1..]);
                &current[..i]
            }
            None => {
                rest = None;
                current
            }
        };
        Some(trim_ows(element))
    })
}

/// CORS-safelisted request headers (Fetch Standard), which never cause a preflight.
pub(super) fn is_safelisted_request_header(name: &HeaderName, value: &HeaderValue) -> bool {
    let v = value.as_bytes();
    if v.len() > 128 {
        return false;
    }
    let unsafe_byte = |b: &u8| {
        (*b < 0x20 && *b != b'\t')
            || matches!(
                b,
                b'"' | b'('
                    | b')'
                    | b':'
                    | b'<'
                    | b'>'
                    | b'?'
                    | b'@'
                    | b'['
                    | b'\\'
                    | b']'
                    | b'{'
                    | b'}'
                    | 0x7f
            )
    };
    match name.as_str() {
        "accept" => !v.iter().any(unsafe_byte),
        "accept-language" | "content-language" => v.iter().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b' ' | b'*' | b',' | b'-' | b'.' | b';' | b'=')
        }),
        "content-type" => {
            if v.iter().any(unsafe_byte) {
                return false;
            }
            let essence = v.split(|&b| b == b';').next().unwrap_or_default();
            let essence = trim_ows(essence).to_ascii_lowercase();
            matches!(
                essence.as_slice(),
                b"application/x-www-form-urlencoded" | b"multipart/form-data" | b"text/plain"
            )
        }
        "range" => {
            let Some(range) = v.strip_prefix(b"bytes=") else {
                return false;
            };
            let mut parts = range.splitn(2, |&b| b == b'-');
            let start = parts.next().unwrap_or_default();
            let end = parts.next();
            !start.is_empty()
                && start.iter().all(u8::is_ascii_digit)
                && end.is_some_and(|e| e.iter().all(u8::is_ascii_digit))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_overrides_are_split_outside_quoted_strings() {
        let forbidden = |value: &'static str| {
            is_forbidden_request_header(
                &HeaderName::from_static("x-http-method-override"),
                &HeaderValue::from_static(value),
            )
        };
        assert!(forbidden("TRACE"));
        assert!(forbidden("get, trace"));
        assert!(forbidden(" PUT ,Connect"));
        assert!(!forbidden("\"a,TRACE\""));
        assert!(!forbidden("\"a\\\",TRACE\""));
        assert!(forbidden("\"a\", TRACE"));
        assert!(!forbidden("PATCH"));
    }

    fn safelisted(name: &str, value: &str) -> bool {
        is_safelisted_request_header(
            &HeaderName::from_bytes(name.as_bytes()).unwrap(),
            &HeaderValue::from_str(value).unwrap(),
        )
    }

    #[test]
    fn safelisted_request_headers() {
        assert!(safelisted("accept", "application/json"));
        assert!(safelisted("content-type", "text/plain; charset=utf-8"));
        assert!(!safelisted("content-type", "application/json"));
        assert!(safelisted("accept-language", "en-US,en;q=0.5"));
        assert!(safelisted("range", "bytes=0-"));
        assert!(!safelisted("range", "bytes=0-1,2-3"));
        assert!(!safelisted("x-custom", "1"));
        assert!(!safelisted("authorization", "Bearer x"));
    }
}
