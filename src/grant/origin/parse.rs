//! The syntax of origins, shared by the configuration and the request path.

use crate::report::error::ProblemKind;
/// A port as written in an origin or pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum PortSpec {
    /// No port: the scheme's default.
    Default,
    Exact(u16),
    /// `:*`, any port or none (patterns only).
    Any,
}

/// A serialised origin split in its parts, borrowed from the input.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct OriginParts<'a> {
    pub(crate) scheme: &'a [u8],
    pub(crate) host: &'a [u8],
    pub(crate) port: PortSpec,
}

/// The longest host name DNS allows; longer hosts are refused without further work.
const MAX_HOST_LEN: usize = 253;

pub(super) fn default_port(scheme: &[u8]) -> Option<u16> {
    match scheme {
        b"http" | b"ws" => Some(80),
        b"https" | b"wss" => Some(443),
        b"ftp" => Some(21),
        _ => None,
    }
}

/// Byte classes used when parsing origins: one table lookup per byte. The `REQUEST_` classes
/// are the lowercase forms browsers send.
const SCHEME_BYTE: u8 = 1;
const LABEL_BYTE: u8 = 2;
const REQUEST_SCHEME_BYTE: u8 = 4;
const REQUEST_LABEL_BYTE: u8 = 8;
const REQUEST_IPV6_BYTE: u8 = 16;
const BYTE_CLASSES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        let scheme = b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.');
        let label = b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_');
        if scheme {
            table[i] |= SCHEME_BYTE;
        }
        if label {
            table[i] |= LABEL_BYTE;
        }
        if !b.is_ascii_uppercase() {
            if scheme {
                table[i] |= REQUEST_SCHEME_BYTE;
            }
            if label {
                table[i] |= REQUEST_LABEL_BYTE;
            }
        }
        if b.is_ascii_digit() || matches!(b, b'a'..=b'f' | b':' | b'.') {
            table[i] |= REQUEST_IPV6_BYTE;
        }
        i += 1;
    }
    table
};

fn in_class(b: u8, class: u8) -> bool {
    BYTE_CLASSES[usize::from(b)] & class != 0
}

fn all_in_class(s: &[u8], class: u8) -> bool {
    s.iter().all(|&b| in_class(b, class))
}

fn is_scheme(s: &[u8]) -> bool {
    match s.split_first() {
        Some((first, rest)) => first.is_ascii_alphabetic() && all_in_class(rest, SCHEME_BYTE),
        None => false,
    }
}

/// A DNS-style label: letters, digits, hyphens, underscores; not empty.
fn is_label(l: &[u8]) -> bool {
    !l.is_empty() && l.len() <= 63 && all_in_class(l, LABEL_BYTE)
}

pub(super) fn is_host(h: &[u8]) -> bool {
    if h.is_empty() || h.len() > MAX_HOST_LEN {
        return false;
    }
    if let Some(inner) = h.strip_prefix(b"[").and_then(|r| r.strip_suffix(b"]")) {
        // IPv6 literal: hex digits, colons and dots (embedded IPv4).
        return !inner.is_empty()
            && inner
                .iter()
                .all(|b| b.is_ascii_hexdigit() || matches!(b, b':' | b'.'));
    }
    h.split(|&b| b == b'.').all(is_label)
}

/// A port as browsers write it: 1 to 5 digits, no leading zero, at most 65535.
fn parse_port(digits: &[u8]) -> Option<u16> {
    if digits.is_empty()
        || digits.len() > 5
        || (digits.len() > 1 && digits[0] == b'0')
        || !digits.iter().all(u8::is_ascii_digit)
    {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// Why an origin string could not be parsed; turned into a configuration problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OriginSyntax {
    MissingScheme,
    BadScheme,
    Path,
    Query,
    Fragment,
    UserInfo,
    EmptyHost,
    BadHost,
    NonAscii,
    BadPort,
}

/// The position of the first `://`.
fn find_scheme_separator(input: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(offset) = input.get(from..)?.iter().position(|&b| b == b':') {
        let colon = from + offset;
        if input.get(colon + 1..colon + 3) == Some(b"//") {
            return Some(colon);
        }
        from = colon + 1;
    }
    None
}

/// Splits `scheme://host[:port]`. Accepts upper case (callers decide whether that is fine) and
/// `:*` as the port.
pub(crate) fn split_origin(input: &[u8]) -> Result<OriginParts<'_>, OriginSyntax> {
    if !input.is_ascii() {
        return Err(OriginSyntax::NonAscii);
    }
    let sep = find_scheme_separator(input).ok_or(OriginSyntax::MissingScheme)?;
    let scheme = &input[..sep];
    if !is_scheme(scheme) {
        return Err(OriginSyntax::BadScheme);
    }
    let rest = &input[sep + 3..];
    if let Some(pos) = rest.iter().position(|&b| matches!(b, b'/' | b'?' | b'#')) {
        return Err(match rest[pos] {
            b'/' => OriginSyntax::Path,
            b'?' => OriginSyntax::Query,
            _ => OriginSyntax::Fragment,
        });
    }
    if rest.contains(&b'@') {
        return Err(OriginSyntax::UserInfo);
    }
    // The port separator is the last ':' outside an IPv6 literal.
    let host_end = if rest.starts_with(b"[") {
        match rest.iter().position(|&b| b == b']') {
            Some(close) => close + 1,
            None => return Err(OriginSyntax::BadHost),
        }
    } else {
        rest.iter().position(|&b| b == b':').unwrap_or(rest.len())
    };
    let (host, port) = rest.split_at(host_end);
    if host.is_empty() {
        return Err(OriginSyntax::EmptyHost);
    }
    let port = match port {
        [] => PortSpec::Default,
        [b':', b'*'] => PortSpec::Any,
        [b':', digits @ ..] => PortSpec::Exact(parse_port(digits).ok_or(OriginSyntax::BadPort)?),
        _ => return Err(OriginSyntax::BadHost),
    };
    Ok(OriginParts { scheme, host, port })
}

/// Parses an `Origin` request header the way a browser serialises it: lowercase, no default
/// port, no `:*`, no leading zeros in the port. Returns `None` for anything else.
///
/// One pass over the bytes: this runs for every refused origin and every pattern lookup.
pub(crate) fn parse_request_origin(value: &[u8]) -> Option<OriginParts<'_>> {
    // Scheme: a lowercase letter, then letters, digits, `+`, `-`, `.`; then `://`.
    if !value.first()?.is_ascii_lowercase() {
        return None;
    }
    let scheme_len = 1 + value[1..]
        .iter()
        .take_while(|&&b| in_class(b, REQUEST_SCHEME_BYTE))
        .count();
    let (scheme, rest) = value.split_at(scheme_len);
    let rest = rest.strip_prefix(b"://")?;
    // Host: an IPv6 literal, or dot-separated labels of at most 63 bytes.
    let host_len = if rest.first() == Some(&b'[') {
        let close = rest.iter().position(|&b| b == b']')?;
        if close == 1
            || !rest[1..close]
                .iter()
                .all(|&b| in_class(b, REQUEST_IPV6_BYTE))
        {
            return None;
        }
        close + 1
    } else {
        // Label bytes run on in a tight loop; a label's length is checked at its end.
        let (mut label_start, mut end) = (0, rest.len());
        for (i, &b) in rest.iter().enumerate() {
            if in_class(b, REQUEST_LABEL_BYTE) {
                continue;
            }
            if b != b'.' {
                end = i;
                break;
            }
            if !(1..=63).contains(&(i - label_start)) {
                return None; // an empty or too long label
            }
            label_start = i + 1;
        }
        if !(1..=63).contains(&(end - label_start)) {
            return None; // empty host, a trailing dot, or a too long last label
        }
        end
    };
    if host_len > MAX_HOST_LEN {
        return None;
    }
    let (host, port) = rest.split_at(host_len);
    let port = match port {
        [] => PortSpec::Default,
        [b':', digits @ ..] => {
            let n = parse_port(digits)?;
            if default_port(scheme) == Some(n) {
                return None;
            }
            PortSpec::Exact(n)
        }
        _ => return None,
    };
    Some(OriginParts { scheme, host, port })
}

/// A request's `Origin` split into scheme, host and port without looking at every byte of the
/// scheme and the host, for comparing them with patterns: what a pattern fixes (the scheme,
/// a host or host suffix) is compared with configured values, which are valid, and only the
/// part of the host a pattern's `*` covers needs checking, with [`is_request_subdomain`].
/// The port is checked as [`parse_request_origin`] checks it. `None` for what cannot be an
/// origin a browser sends.
#[inline]
pub(crate) fn split_request_origin(value: &[u8]) -> Option<OriginParts<'_>> {
    // Nearly every origin is `https://` or `http://`: one comparison each.
    let colon = if value.starts_with(b"https://") {
        5
    } else if value.starts_with(b"http://") {
        4
    } else {
        value.iter().position(|&b| b == b':')?
    };
    let (scheme, rest) = value.split_at(colon);
    let rest = rest.strip_prefix(b"://")?;
    // A port is one to five digits after a colon at the end; a host that does not end in a
    // digit has none.
    let port_colon = match rest.last() {
        Some(b) if b.is_ascii_digit() => {
            let tail = &rest[rest.len().saturating_sub(6)..];
            tail.iter()
                .rposition(|&b| b == b':')
                .map(|i| rest.len() - tail.len() + i)
        }
        Some(b':') => return None,
        _ => None,
    };
    let (host, port) = match port_colon {
        Some(at) => {
            let n = parse_port(&rest[at + 1..])?;
            if default_port(scheme) == Some(n) {
                return None;
            }
            (&rest[..at], PortSpec::Exact(n))
        }
        None => (rest, PortSpec::Default),
    };
    if host.is_empty() || host.len() > MAX_HOST_LEN {
        return None;
    }
    Some(OriginParts { scheme, host, port })
}

/// Whether `prefix`, the part of a request's host in front of a pattern's suffix, is one or
/// more labels as browsers send them (lowercase, 1 to 63 bytes each, separated by dots).
#[inline]
pub(crate) fn is_request_subdomain(prefix: &[u8]) -> bool {
    let mut label = 0;
    for &b in prefix {
        if in_class(b, REQUEST_LABEL_BYTE) {
            label += 1;
        } else if b == b'.' && (1..=63).contains(&label) {
            label = 0;
        } else {
            return false;
        }
    }
    (1..=63).contains(&label)
}

/// The same as [`parse_request_origin`], written as the composition of the configuration
/// parser's checks: the oracle the fast parser is tested against.
#[cfg(test)]
fn parse_request_origin_slow(value: &[u8]) -> Option<OriginParts<'_>> {
    let parts = split_origin(value).ok()?;
    if parts.scheme.iter().any(u8::is_ascii_uppercase)
        || parts.host.iter().any(u8::is_ascii_uppercase)
        || !is_host(parts.host)
    {
        return None;
    }
    match parts.port {
        PortSpec::Any => None,
        PortSpec::Exact(p) if default_port(parts.scheme) == Some(p) => None,
        _ => Some(parts),
    }
}

/// Whether a request's `Origin` value is something a browser could have sent.
pub(crate) fn is_wellformed_request_origin(value: &[u8]) -> bool {
    value == b"null" || parse_request_origin(value).is_some()
}

pub(super) fn syntax_problem(e: OriginSyntax) -> ProblemKind {
    match e {
        OriginSyntax::MissingScheme => ProblemKind::OriginMissingScheme,
        OriginSyntax::BadScheme => ProblemKind::OriginBadScheme,
        OriginSyntax::Path => ProblemKind::OriginHasPath,
        OriginSyntax::Query => ProblemKind::OriginHasQuery,
        OriginSyntax::Fragment => ProblemKind::OriginHasFragment,
        OriginSyntax::UserInfo => ProblemKind::OriginHasUserInfo,
        OriginSyntax::EmptyHost => ProblemKind::OriginEmptyHost,
        OriginSyntax::BadHost => ProblemKind::OriginBadHost,
        OriginSyntax::NonAscii => ProblemKind::OriginNonAscii,
        OriginSyntax::BadPort => ProblemKind::OriginBadPort,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_origin_parsing_is_strict() {
        assert!(parse_request_origin(b"https://a.example.com").is_some());
        assert!(parse_request_origin(b"http://localhost:3000").is_some());
        assert!(parse_request_origin(b"http://[::1]:8080").is_some());
        assert!(parse_request_origin(b"HTTPS://a.example.com").is_none());
        assert!(parse_request_origin(b"https://A.example.com").is_none());
        assert!(parse_request_origin(b"https://a.example.com:443").is_none());
        assert!(parse_request_origin(b"https://a.example.com/").is_none());
        assert!(parse_request_origin(b"https://a..example.com").is_none());
        assert!(parse_request_origin(b"https://a.example.com:99999").is_none());
        assert!(parse_request_origin(b"https://a.example.com:*").is_none());
        assert!(parse_request_origin(b"https://").is_none());
        assert!(parse_request_origin(b"a.example.com").is_none());
        assert!(parse_request_origin("https://é.com".as_bytes()).is_none());
    }

    #[test]
    fn the_fast_request_origin_parser_agrees_with_the_slow_one() {
        let mut inputs: Vec<Vec<u8>> = [
            "https://a.example.com",
            "http://localhost:3000",
            "http://[::1]:8080",
            "http://[::1]",
            "http://[]",
            "http://[::G]",
            "http://[::A]",
            "https://a.example.com:443",
            "https://a.example.com:08443",
            "https://a.example.com:0",
            "https://a.example.com:65535",
            "https://a.example.com:65536",
            "https://a.example.com:",
            "https://a.example.com:*",
            "https://a.example.com.",
            "https://.a.example.com",
            "https://a..example.com",
            "https://a_b.example.com",
            "https://user@a.example.com",
            "https://a.example.com/",
            "https://a.example.com?x",
            "https://a.example.com#x",
            "git+ssh://host",
            "a+://host",
            "1http://host",
            "http:/host",
            "http//host",
            "https://",
            "",
            "null",
            "HTTPS://a.example.com",
            "https://A.example.com",
            "https://é.com",
            "ftp://a.example.com:21",
            "wss://a.example.com:443",
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect();
        inputs.push(format!("https://{}.com", "a".repeat(63)).into_bytes());
        inputs.push(format!("https://{}.com", "a".repeat(64)).into_bytes());
        inputs.push(format!("https://{}", ["abcdefghi"; 26].join(".")).into_bytes());
        inputs.push(format!("https://{}", ["abcdefghi"; 25].join(".")).into_bytes());
        // Every byte in every position of a few origins.
        for base in ["https://a.b:1", "http://[::1]:80"] {
            for i in 0..=base.len() {
                for b in 0..=255u8 {
                    let mut v = base.as_bytes().to_vec();
                    v.insert(i, b);
                    inputs.push(v.clone());
                    v.remove(i);
                    if i < v.len() {
                        v[i] = b;
                        inputs.push(v);
                    }
                }
            }
        }
        for input in &inputs {
            assert_eq!(
                parse_request_origin(input),
                parse_request_origin_slow(input),
                "{:?}",
                String::from_utf8_lossy(input)
            );
        }
    }
}
