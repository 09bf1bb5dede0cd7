//! Small helpers shared by the configuration types.

use http::HeaderValue;

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
    !s.is_empty() && s.iter().all(|&b| TOKEN_BYTES[usize::from(b)])
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

/// Classes of bytes in a list of header names: one table lookup per byte.
const LIST_INVALID: u8 = 0;
const LIST_TOKEN: u8 = 1;
const LIST_TOKEN_UPPER: u8 = 2;
const LIST_SPACE: u8 = 3;
const LIST_COMMA: u8 = 4;
const LIST_CLASSES: [u8; 256] = {
    let mut table = [LIST_INVALID; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        table[i] = if b.is_ascii_uppercase() {
            LIST_TOKEN_UPPER
        } else if TOKEN_BYTES[i] {
            LIST_TOKEN
        } else if b == b' ' || b == b'\t' {
            LIST_SPACE
        } else if b == b',' {
            LIST_COMMA
        } else {
            LIST_INVALID
        };
        i += 1;
    }
    table
};

/// Why a list of header names was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ListError {
    /// More than the limit of names.
    TooMany,
    /// An element that is not a token.
    Malformed,
}

/// Walks the header names of a comma-separated list spread over several header lines (like
/// `Access-Control-Request-Headers`) in one pass: optional whitespace around names and empty
/// elements are skipped, every name must be a token, and at most `limit` names are read.
/// Calls `f` with each name and whether it has an uppercase letter; stops at the first error,
/// in list order (a name past the limit is `TooMany` even when it is also malformed).
pub(crate) fn for_each_name<'a, E: From<ListError>>(
    values: impl IntoIterator<Item = &'a HeaderValue>,
    limit: usize,
    mut f: impl FnMut(&'a [u8], bool) -> Result<(), E>,
) -> Result<(), E> {
    let mut count = 0usize;
    let refuse = |count: usize| {
        Err(E::from(if count >= limit {
            ListError::TooMany
        } else {
            ListError::Malformed
        }))
    };
    for value in values {
        let bytes = value.as_bytes();
        // The current name is bytes[start..end]; start == end while there is none yet.
        let (mut start, mut end) = (0, 0);
        let mut upper = false;
        // Whitespace came after the current name: only a comma may follow.
        let mut closed = false;
        for (i, &b) in bytes.iter().enumerate() {
            match LIST_CLASSES[usize::from(b)] {
                LIST_TOKEN if !closed => {
                    if end == start {
                        start = i;
                    }
                    end = i + 1;
                }
                LIST_TOKEN_UPPER if !closed => {
                    if end == start {
                        start = i;
                    }
                    end = i + 1;
                    upper = true;
                }
                LIST_COMMA => {
                    if end > start {
                        if count >= limit {
                            return Err(E::from(ListError::TooMany));
                        }
                        count += 1;
                        f(&bytes[start..end], upper)?;
                    }
                    (start, end, upper, closed) = (i + 1, i + 1, false, false);
                }
                LIST_SPACE => closed = end > start,
                _ => return refuse(count),
            }
        }
        if end > start {
            if count >= limit {
                return Err(E::from(ListError::TooMany));
            }
            count += 1;
            f(&bytes[start..end], upper)?;
        }
    }
    Ok(())
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

    /// `for_each_name`, done the slow way: split, trim, check.
    fn names_slow(lines: &[HeaderValue], limit: usize) -> Result<Vec<(Vec<u8>, bool)>, ListError> {
        let mut names = Vec::new();
        for_each_element(lines, |element| {
            if names.len() >= limit {
                return Err(ListError::TooMany);
            }
            if !is_token(element) {
                return Err(ListError::Malformed);
            }
            names.push((element.to_vec(), element.iter().any(u8::is_ascii_uppercase)));
            Ok(())
        })
        .map(|()| names)
    }

    fn names_fast(lines: &[HeaderValue], limit: usize) -> Result<Vec<(Vec<u8>, bool)>, ListError> {
        let mut names = Vec::new();
        for_each_name(lines, limit, |name, upper| {
            names.push((name.to_vec(), upper));
            Ok::<(), ListError>(())
        })
        .map(|()| names)
    }

    #[test]
    fn the_one_pass_name_list_parser_agrees_with_split_and_trim() {
        let mut lines: Vec<Vec<u8>> = [
            "content-type,x-custom",
            " Content-Type , X-CUSTOM ",
            ",,",
            "",
            " ",
            "a b",
            "a,\tb\t,",
            "a;b",
            "x-a,x-b,x-c,x-d",
            "x-a,x-b,x-c,x-d,bad name",
            "x-a,x-b,x-c,bad name",
            "\t,x",
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect();
        for base in ["ab, c", "a,B "] {
            for i in 0..=base.len() {
                for b in 0..=255u8 {
                    let mut v = base.as_bytes().to_vec();
                    v.insert(i, b);
                    lines.push(v);
                }
            }
        }
        for line in &lines {
            let Ok(value) = HeaderValue::from_bytes(line) else {
                continue;
            };
            for split in [false, true] {
                let values = if split {
                    vec![value.clone(), HeaderValue::from_static(" X-Second ,")]
                } else {
                    vec![value.clone()]
                };
                for limit in [1, 3, 64] {
                    assert_eq!(
                        names_fast(&values, limit),
                        names_slow(&values, limit),
                        "{values:?}, limit {limit}"
                    );
                }
            }
        }
    }

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
