//! Small helpers shared by the configuration types.

use crate::report::error::ProblemKind;
use http::HeaderValue;

/// `*`, the wildcard value of the grant headers.
pub(crate) static WILDCARD: HeaderValue = HeaderValue::from_static("*");

/// Whether each byte may appear in an RFC 9110 `token`.
const TOKEN_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        table[i] = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'!' | b'#'
                    | b'$'
                    | b'%'
                    | b'&'
                    | b'\''
                    | b'*'
                    | b'+'
                    | b'-'
                    | b'.'
                    | b'^'
                    | b'_'
                    | b'`'
                    | b'|'
                    | b'~'
            );
        i += 1;
    }
    table
};

/// An RFC 9110 `token` (method names and header field names).
pub(crate) fn is_token(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| is_token_byte(b))
}

/// Whether `b` may appear in a `token`.
pub(crate) const fn is_token_byte(b: u8) -> bool {
    TOKEN_BYTES[b as usize]
}

/// Optional whitespace, as allowed around list elements.
pub(crate) fn trim_ows(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|b| !matches!(b, b' ' | b'\t'));
    match start {
        None => &[],
        Some(start) => {
            let end = s
                .iter()
                .rposition(|b| !matches!(b, b' ' | b'\t'))
                .unwrap_or(start);
            &s[start..=end]
        }
    }
}

/// What is wrong with an entry of a configured list before its own grammar is checked:
/// whitespace around it (any Unicode whitespace), or `*`, which is a setting of its own and
/// not an entry. The one check every list (origins, methods, headers) starts with.
pub(crate) fn list_entry_problem(entry: &[u8]) -> Option<ProblemKind> {
    let text = String::from_utf8_lossy(entry);
    if text.trim() != text {
        Some(ProblemKind::Whitespace)
    } else if entry == b"*" {
        Some(ProblemKind::WildcardInList)
    } else {
        None
    }
}

/// Joins items into one `a, b, c` header value, computed once when the layer is built.
/// `None` for an empty list.
pub(crate) fn join_values<'a>(items: impl IntoIterator<Item = &'a [u8]>) -> Option<HeaderValue> {
    let mut out = Vec::new();
    for item in items {
        if !out.is_empty() {
            out.extend_from_slice(b", ");
        }
        out.extend_from_slice(item);
    }
    if out.is_empty() {
        return None;
    }
    // Items are validated tokens, so the joined bytes are a valid header value.
    HeaderValue::from_bytes(&out).ok()
}

/// Calls `f` on each non-empty element of a comma-separated list spread over several header
/// lines, after trimming whitespace. Stops early when `f` returns `Err`.
pub(crate) fn for_each_element<'a, E>(
    values: impl IntoIterator<Item = &'a HeaderValue>,
    mut f: impl FnMut(&'a [u8]) -> Result<(), E>,
) -> Result<(), E> {
    for value in values {
        for element in value.as_bytes().split(|&b| b == b',') {
            let element = trim_ows(element);
            if !element.is_empty() {
                f(element)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens() {
        assert!(is_token(b"x-custom"));
        assert!(is_token(b"PATCH"));
        assert!(!is_token(b""));
        assert!(!is_token(b"a b"));
        assert!(!is_token(b"a,b"));
        assert!(!is_token(b"\x00"));
    }

    #[test]
    fn trimming() {
        assert_eq!(trim_ows(b"  a \t"), b"a");
        assert_eq!(trim_ows(b"   "), b"");
        assert_eq!(trim_ows(b""), b"");
        assert_eq!(trim_ows(b"a"), b"a");
    }

    #[test]
    fn elements_over_several_lines() {
        let values = [
            HeaderValue::from_static("a, ,b"),
            HeaderValue::from_static(""),
            HeaderValue::from_static(" c ,"),
        ];
        let mut seen = Vec::new();
        for_each_element::<()>(&values, |e| {
            seen.push(e);
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, [&b"a"[..], b"b", b"c"]);
    }
}
