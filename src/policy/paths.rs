//! How a request path is compared with the path prefixes of a policy of a set.
//!
//! Prefixes match whole segments of the path as the request line sends it, without decoding
//! it. A path that another server on the way could read as a different path is never under a
//! prefix: a policy limited to `/public/` must not decide a request that a proxy or framework
//! behind the layer serves from `/admin`.

/// Whether `path` is `prefix` or below it, by whole segments: `/public` is under `/public`
/// and `/public/a.css` too, `/publicity` is not.
pub(super) fn is_under(path: &[u8], prefix: &[u8]) -> bool {
    path.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest[0] == b'/')
}

/// A configured path prefix, normalised: `/public/` and `/public` are the same prefix, `/`
/// is every path.
pub(crate) fn normalise_prefix(prefix: &str) -> Box<[u8]> {
    prefix.trim_end_matches('/').as_bytes().into()
}

/// Whether servers disagree on what `path` names, so that no path-limited policy may decide
/// it: a `.` or `..` segment, plain or percent-encoded in any case (`%2e%2E`), which servers
/// and browsers resolve away; an encoded `/` or `\` (`%2f`, `%5c`), which some servers decode
/// into a separator; a raw `\`, which some read as one; and a `;`, which starts path
/// parameters that Tomcat and Spring drop (`/public/..;/admin` is `/admin` to them).
pub(crate) fn is_ambiguous(path: &[u8]) -> bool {
    if path.iter().any(|&b| matches!(b, b';' | b'\\')) {
        return true;
    }
    path.split(|&b| b == b'/').any(|segment| {
        let mut dots = 0;
        let mut rest = segment;
        loop {
            match rest {
                [] => break (1..=2).contains(&dots),
                [b'.', tail @ ..] => {
                    dots += 1;
                    rest = tail;
                }
                [b'%', hi, lo, tail @ ..] => match (*hi, lo.to_ascii_lowercase()) {
                    (b'2', b'e') => {
                        dots += 1;
                        rest = tail;
                    }
                    (b'2', b'f') | (b'5', b'c') => return true,
                    _ => {
                        // Any other escape: not a dot segment, but an encoded separator may
                        // still follow in this segment.
                        break has_encoded_separator(tail);
                    }
                },
                _ => break has_encoded_separator(rest),
            }
        }
    })
}

/// Whether `bytes` holds `%2f` or `%5c`, in any case.
fn has_encoded_separator(bytes: &[u8]) -> bool {
    bytes.windows(3).any(|w| {
        w[0] == b'%'
            && matches!(
                (w[1], w[2].to_ascii_lowercase()),
                (b'2', b'f') | (b'5', b'c')
            )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_match_whole_segments() {
        let public = normalise_prefix("/public/");
        assert_eq!(public, normalise_prefix("/public"));
        assert!(is_under(b"/public/a.css", &public));
        assert!(is_under(b"/public", &public));
        assert!(!is_under(b"/publicity", &public));
        assert!(!is_under(b"/", &public));
        let root = normalise_prefix("/");
        assert!(is_under(b"/", &root));
        assert!(is_under(b"/anything/at/all", &root));
    }

    #[test]
    fn paths_servers_read_differently_are_ambiguous() {
        for path in [
            "/public/../admin",
            "/public/./a",
            "/public/..",
            "/public/%2e%2e/admin",
            "/public/%2E%2e/admin",
            "/public/.%2e/admin",
            "/public/%2e./admin",
            "/public/%2e/admin",
            "/public/..%2fadmin",
            "/public/..%2Fadmin",
            "/public/a%2fb",
            "/public/a%5Cb",
            "/public/..\\admin",
            "/public/..;/admin",
            "/public/a;jsessionid=1",
        ] {
            assert!(is_ambiguous(path.as_bytes()), "{path}");
        }
        for path in [
            "/public/",
            "/public/a.css",
            "/public/...",
            "/public/.well-known/x",
            "/public/a..b",
            "/public/%41",
            "/public/%2",
            "/public/%",
            "/",
            "",
        ] {
            assert!(!is_ambiguous(path.as_bytes()), "{path}");
        }
    }
}
