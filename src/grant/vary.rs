//! The `Vary` values the layer sends, and merging them with what the inner service set. An
//! answer that depends on `Origin` (or, for a preflight, on the `Access-Control-Request-*`
//! headers) says so, so that a cache never serves it to another origin
//! (<https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches>).

use http::header::{Entry, VARY};
use http::{HeaderMap, HeaderValue};

use crate::grant::util::{for_each_element, join_values};

/// A precomputed `Vary` contribution: its tokens, and the joined value to send when none of
/// them is present yet. The few that exist are statics, so a response future can carry a
/// reference to one.
#[derive(Debug)]
pub(crate) struct VaryTokens {
    tokens: &'static [&'static str],
    value: HeaderValue,
}

impl VaryTokens {
    /// `value` is `tokens`, lowercase, joined with `", "`.
    pub(crate) const fn new(tokens: &'static [&'static str], value: &'static str) -> Self {
        Self {
            tokens,
            value: HeaderValue::from_static(value),
        }
    }

    /// Whether the joined value is the tokens joined with `", "`.
    #[cfg(test)]
    pub(crate) fn is_consistent(&self) -> bool {
        self.value == self.tokens.join(", ").as_str()
    }

    /// Adds the tokens missing from `headers`' `Vary`, case-insensitively, in one extra line.
    /// Leaves `VaryTokens: *` alone. Allocates only when some but not all tokens are already there.
    pub(crate) fn merge_into(&self, headers: &mut HeaderMap) {
        self.merge(headers, headers.contains_key(VARY));
    }

    /// [`VaryTokens::merge_into`], for a caller that knows whether `headers` has a `Vary` already.
    pub(crate) fn merge(&self, headers: &mut HeaderMap, present: bool) {
        // The usual response has no `Vary` yet and gets the precomputed value. (An append
        // costs less than `HeaderMap::entry` and an insert into the vacant entry.)
        if !present {
            headers.append(VARY, self.value.clone());
            return;
        }
        let Entry::Occupied(mut entry) = headers.entry(VARY) else {
            return;
        };
        let mut present = 0u32; // bit i: tokens[i] already listed
        let star = for_each_element(entry.iter(), |element| {
            if element == b"*" {
                return Err(());
            }
            for (i, t) in self.tokens.iter().enumerate() {
                if element.eq_ignore_ascii_case(t.as_bytes()) {
                    present |= 1 << i;
                }
            }
            Ok(())
        })
        .is_err();
        if star {
            return;
        }
        if present == 0 {
            entry.append(self.value.clone());
            return;
        }
        let missing = self
            .tokens
            .iter()
            .enumerate()
            .filter(|(i, _)| present & (1 << i) == 0)
            .map(|(_, t)| t.as_bytes());
        if let Some(value) = join_values(missing) {
            entry.append(value);
        }
    }
}

/// `Vary` of answers that depend on the origin, preflights excepted.
pub(crate) static VARY_ORIGIN: VaryTokens = VaryTokens::new(&["origin"], "origin");

/// `Vary` of preflight answers: by whether the answer depends on the origin, then by whether
/// private network access is allowed (only then does the answer depend on
/// `Access-Control-Request-Private-Network`).
pub(crate) static VARY_PREFLIGHT: [[VaryTokens; 2]; 2] = [
    [
        VaryTokens::new(
            &[
                "origin",
                "access-control-request-method",
                "access-control-request-headers",
            ],
            "origin, access-control-request-method, access-control-request-headers",
        ),
        VaryTokens::new(
            &[
                "origin",
                "access-control-request-method",
                "access-control-request-headers",
                "access-control-request-private-network",
            ],
            "origin, access-control-request-method, access-control-request-headers, access-control-request-private-network",
        ),
    ],
    [
        VaryTokens::new(
            &["access-control-request-method", "access-control-request-headers"],
            "access-control-request-method, access-control-request-headers",
        ),
        VaryTokens::new(
            &[
                "access-control-request-method",
                "access-control-request-headers",
                "access-control-request-private-network",
            ],
            "access-control-request-method, access-control-request-headers, access-control-request-private-network",
        ),
    ],
];

#[cfg(test)]
mod tests {
    use super::*;

    fn merged(existing: &[&'static str]) -> Vec<String> {
        static CONTRIBUTION: VaryTokens = VaryTokens::new(
            &["origin", "access-control-request-method"],
            "origin, access-control-request-method",
        );
        let vary = &CONTRIBUTION;
        let mut headers = HeaderMap::new();
        for e in existing {
            headers.append(VARY, HeaderValue::from_static(e));
        }
        vary.merge_into(&mut headers);
        headers
            .get_all(VARY)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn vary_values_join_their_tokens() {
        assert!(VARY_ORIGIN.is_consistent());
        assert!(VARY_PREFLIGHT
            .iter()
            .flatten()
            .all(VaryTokens::is_consistent));
    }

    #[test]
    fn merges_without_duplicates() {
        assert_eq!(merged(&[]), ["origin, access-control-request-method"]);
        assert_eq!(
            merged(&["accept"]),
            ["accept", "origin, access-control-request-method"]
        );
        assert_eq!(
            merged(&["Origin"]),
            ["Origin", "access-control-request-method"]
        );
        assert_eq!(
            merged(&["accept, ORIGIN", "Access-Control-Request-Method"]),
            ["accept, ORIGIN", "Access-Control-Request-Method"]
        );
        assert_eq!(merged(&["*"]), ["*"]);
        assert_eq!(merged(&["accept, *"]), ["accept, *"]);
        assert_eq!(merged(&[""]), ["", "origin, access-control-request-method"]);
    }
}
