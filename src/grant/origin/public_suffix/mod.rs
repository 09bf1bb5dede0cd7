//! Whether a subdomain pattern `*.host` would cover a name anyone can register.
//!
//! Three cases, all from the [Public Suffix List]: `host` is a public suffix itself (`github.io`),
//! every name directly under `host` is one (a wildcard rule such as `*.compute-1.amazonaws.com`),
//! or a public suffix lies somewhere under `host` (`s3.amazonaws.com` under `amazonaws.com`).
//! The first two are asked of the `psl` crate's lookup; the `psl` crate cannot list the rules
//! under a name, so the third reads `parents.txt`, derived from the list that crate ships by
//! `scripts/public-suffix-index.py` (checked in CI against the version `Cargo.lock` resolves).
//!
//! [Public Suffix List]: https://publicsuffix.org/

use std::collections::HashMap;
use std::sync::OnceLock;

/// Every name that has a public suffix below it, with the shortest such suffix.
fn parents() -> &'static HashMap<&'static str, &'static str> {
    static PARENTS: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    PARENTS.get_or_init(|| {
        include_str!("parents.txt")
            .lines()
            .filter(|line| !line.starts_with('#'))
            .filter_map(|line| line.split_once(' '))
            .collect()
    })
}

/// A label no rule of the list names, used to ask whether every child of a name is a suffix.
const PROBE_LABEL: &str = "tower-cors-probe";

/// A public suffix that a subdomain pattern would cover, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Covered {
    /// The pattern's host is a public suffix.
    Itself,
    /// Every name directly under the pattern's host is a public suffix.
    EveryChild,
    /// This public suffix lies under the pattern's host.
    Below(&'static str),
}

/// Whether `*.host` would cover a public suffix; `host` is lowercase ASCII.
pub(crate) fn covered_by_pattern(host: &str) -> Option<Covered> {
    if is_public_suffix(host) {
        return Some(Covered::Itself);
    }
    if is_public_suffix(&format!("{PROBE_LABEL}.{host}")) {
        return Some(Covered::EveryChild);
    }
    parents().get(host).map(|suffix| Covered::Below(suffix))
}

/// Whether `name` is itself on the list (a rule of the list, not the implicit `*` rule).
fn is_public_suffix(name: &str) -> bool {
    psl::suffix(name.as_bytes())
        .is_some_and(|suffix| suffix.is_known() && suffix.trim().as_bytes() == name.as_bytes())
}

impl Covered {
    /// The problem's message for the pattern `scheme://*.host`: the suffix involved, why it
    /// matters, and what to write instead.
    pub(crate) fn message(&self, scheme: &str, host: &str) -> String {
        const RISK: &str = "under which anyone can register a name and read the responses";
        const OPT_IN: &str = "or set dangerously_allow_public_suffix_patterns";
        match self {
            Self::Itself => format!(
                "covers the public suffix {host}, {RISK}; list the names you own under it \
                 instead (like {scheme}://*.your-app.{host}), {OPT_IN}"
            ),
            Self::EveryChild => format!(
                "covers public suffixes: every name directly under {host} is one (the list's \
                 rule *.{host}), {RISK}; list the exact origins you own instead (like \
                 {scheme}://your-name.{host}), {OPT_IN}"
            ),
            Self::Below(suffix) => format!(
                "covers the public suffix {suffix} under {host}, {RISK}; list the exact origins \
                 you own, or a pattern under a name you own (like {scheme}://*.your-app.{host}), \
                 {OPT_IN}"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_way_of_covering_a_suffix_is_found() {
        assert_eq!(covered_by_pattern("github.io"), Some(Covered::Itself));
        assert_eq!(covered_by_pattern("co.uk"), Some(Covered::Itself));
        for host in ["compute-1.amazonaws.com", "sch.uk", "kawasaki.jp", "nom.br"] {
            assert_eq!(
                covered_by_pattern(host),
                Some(Covered::EveryChild),
                "{host}"
            );
        }
        // The narrower pattern of the same kind is a suffix itself (`*.compute.amazonaws.com`).
        assert_eq!(
            covered_by_pattern("us-west-2.compute.amazonaws.com"),
            Some(Covered::Itself)
        );
        assert_eq!(
            covered_by_pattern("amazonaws.com"),
            Some(Covered::Below("s3.amazonaws.com"))
        );
        assert!(matches!(
            covered_by_pattern("blogspot.com"),
            Some(Covered::Itself | Covered::Below(_))
        ));
        for host in [
            "example.com",
            "example.co.uk",
            "my-app.github.io",
            "localhost",
        ] {
            assert_eq!(covered_by_pattern(host), None, "{host}");
        }
    }

    /// The derived table agrees with the `psl` crate compiled in: every entry is not a public
    /// suffix and the suffix named under it is one. A table derived from another version of
    /// the list than `Cargo.lock` resolves fails here or in `public-suffix-index.py --check`.
    #[test]
    fn the_derived_table_agrees_with_the_psl_crate() {
        assert!(parents().len() > 500, "{} entries", parents().len());
        for (&name, &suffix) in parents() {
            assert!(!is_public_suffix(name), "{name} is a public suffix itself");
            let probe = suffix.replace('*', PROBE_LABEL);
            assert!(
                is_public_suffix(&probe),
                "{suffix}, under {name}, is not a suffix"
            );
            assert!(
                suffix.ends_with(&format!(".{name}")),
                "{suffix} is not under {name}"
            );
        }
    }
}
