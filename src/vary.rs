//! Merging `Vary` with what the inner service set.

use http::header::VARY;
use http::{HeaderMap, HeaderValue};

use crate::util::{for_each_element, join_values};

/// A precomputed `Vary` contribution: its tokens, and the joined value to send when none of
/// them is present yet.
#[derive(Debug, Clone)]
pub(crate) struct Vary {
    tokens: Vec<&'static str>,
    value: HeaderValue,
}

impl Vary {
    /// `value` is a literal list of lowercase tokens separated by `", "`.
    pub(crate) fn new(value: &'static str) -> Self {
        Self {
            tokens: value.split(", ").collect(),
            value: HeaderValue::from_static(value),
        }
    }

    /// Adds the tokens missing from `headers`' `Vary`, case-insensitively, in one extra line.
    /// Leaves `Vary: *` alone. Allocates only when some but not all tokens are already there.
    pub(crate) fn merge_into(&self, headers: &mut HeaderMap) {
        let mut present = 0u32; // bit i: tokens[i] already listed
        let mut star = false;
        let mut any_existing = false;
        let _ = for_each_element::<()>(headers.get_all(VARY), |element| {
            any_existing = true;
            if element == b"*" {
                star = true;
                return Err(());
            }
            for (i, t) in self.tokens.iter().enumerate() {
                if element.eq_ignore_ascii_case(t.as_bytes()) {
                    present |= 1 << i;
                }
            }
            Ok(())
        });
        if star {
            return;
        }
        if !any_existing && headers.get(VARY).is_none() {
            headers.insert(VARY, self.value.clone());
            return;
        }
        if present == 0 {
            headers.append(VARY, self.value.clone());
            return;
        }
        let missing = self
            .tokens
            .iter()
            .enumerate()
            .filter(|(i, _)| present & (1 << i) == 0)
            .map(|(_, t)| t.as_bytes());
        if let Some(value) = join_values(missing) {
            headers.append(VARY, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn merged(existing: &[&'static str]) -> Vec<String> {
        let vary = Vary::new("origin, access-control-request-method");
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
