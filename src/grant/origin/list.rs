//! The compiled list of exact origins and patterns, and matching a request's origin against
//! it.

use std::collections::HashMap;

use super::exact::{same_bytes, ExactOrigins};
use super::hash::LookupHashBuilder;
use super::parse::{is_request_subdomain, split_request_origin, PortSpec};

/// The most pattern hosts compared one by one with a request's host: up to this many, that
/// costs less than hashing the host's suffixes.
pub(super) const FEW_HOSTS: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct PatternRule {
    pub(super) scheme: Box<[u8]>,
    /// `true`: `*.suffix`; `false`: the host itself, with `:*` as port.
    pub(super) subdomains: bool,
    pub(super) port: PortSpec,
}

impl PatternRule {
    /// The pattern as configured (normalised).
    pub(super) fn display(&self, host: &[u8]) -> String {
        let port = match self.port {
            PortSpec::Default => String::new(),
            PortSpec::Exact(p) => format!(":{p}"),
            PortSpec::Any => ":*".to_owned(),
        };
        format!(
            "{}://{}{}{port}",
            String::from_utf8_lossy(&self.scheme),
            if self.subdomains { "*." } else { "" },
            String::from_utf8_lossy(host)
        )
    }
}

#[derive(Debug, Default)]
pub(crate) struct OriginList {
    pub(super) exact: ExactOrigins,
    /// The rules of each host suffix (`example.com` for `*.example.com`) or exact host, in
    /// the order configured.
    pub(super) patterns: Vec<(Box<[u8]>, Vec<PatternRule>)>,
    /// The place of each host in `patterns`, when they are more than [`FEW_HOSTS`]; fewer are
    /// compared one by one.
    pub(super) pattern_index: Option<HashMap<Box<[u8]>, usize, LookupHashBuilder>>,
    /// Whether a pattern is for a host itself (`http://localhost:*`) rather than for its
    /// subdomains: only then is the request's whole host looked up among the patterns.
    pub(super) host_patterns: bool,
    pub(super) null: bool,
}

impl OriginList {
    pub(crate) fn exact_count(&self) -> usize {
        self.exact.len()
    }

    pub(crate) fn pattern_count(&self) -> usize {
        self.patterns.iter().map(|(_, rules)| rules.len()).sum()
    }

    /// The exact origins, normalised as browsers send them.
    pub(crate) fn exact_origins(&self) -> impl Iterator<Item = &[u8]> {
        self.exact.iter()
    }

    /// Whether the list holds exact origins only (no pattern, no `null`).
    pub(crate) fn is_exact_only(&self) -> bool {
        self.patterns.is_empty() && !self.null
    }

    #[inline]
    pub(crate) fn matches(&self, origin: &[u8]) -> bool {
        if self.exact.contains(origin) {
            return true;
        }
        if origin == b"null" {
            return self.null;
        }
        if self.patterns.is_empty() {
            return false;
        }
        // The scheme and the host are compared with configured values, which are valid; only
        // what a subdomain pattern's `*` covers is checked byte by byte, once it matched.
        let Some(parts) = split_request_origin(origin) else {
            return false;
        };
        let rule_matches = |rule: &PatternRule, subdomains: bool| {
            rule.subdomains == subdomains
                && same_bytes(&rule.scheme, parts.scheme)
                && match rule.port {
                    PortSpec::Any => true,
                    p => p == parts.port,
                }
        };
        let host = parts.host;
        // `suffix` and `rules` apply to the subdomain `prefix.suffix`, `prefix` at least one
        // label followed by a dot.
        let subdomain = |prefix: &[u8], rules: &[PatternRule]| {
            rules.iter().any(|r| rule_matches(r, true)) && is_request_subdomain(prefix)
        };
        let Some(index) = &self.pattern_index else {
            // Few hosts: each is compared with the request's host, or with its end.
            return self.patterns.iter().any(|(suffix, rules)| {
                let n = suffix.len();
                if host.len() == n {
                    self.host_patterns
                        && same_bytes(host, suffix)
                        && rules.iter().any(|r| rule_matches(r, false))
                } else {
                    host.len() > n + 1
                        && host[host.len() - n - 1] == b'.'
                        && same_bytes(&host[host.len() - n..], suffix)
                        && subdomain(&host[..host.len() - n - 1], rules)
                }
            });
        };
        let rules = |host: &[u8]| index.get(host).map(|&i| &self.patterns[i].1);
        if self.host_patterns
            && rules(host).is_some_and(|rules| rules.iter().any(|r| rule_matches(r, false)))
        {
            return true;
        }
        // Try every proper suffix that starts after a dot: `a.b.example.com` looks up
        // `b.example.com`, `example.com`, `com`.
        host.iter()
            .enumerate()
            .filter(|&(_, &b)| b == b'.')
            .any(|(i, _)| rules(&host[i + 1..]).is_some_and(|rules| subdomain(&host[..i], rules)))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::super::compile::compile;
    use super::super::parse::parse_request_origin;
    use super::*;

    /// `patterns` compiled as they are (few hosts), and with enough others after them that
    /// the hosts are hashed (many).
    fn few_and_many(patterns: &[&str]) -> (OriginList, OriginList) {
        let padding: Vec<String> = (0..FEW_HOSTS)
            .map(|i| format!("https://*.pad{i}.example.io"))
            .collect();
        let all: Vec<&str> = patterns
            .iter()
            .copied()
            .chain(padding.iter().map(String::as_str))
            .collect();
        (compile(patterns).0, compile(&all).0)
    }

    #[test]
    fn exact_origins_are_normalised() {
        let (list, problems) = compile(&["HTTPS://App.Example.COM:443", "http://localhost:3000"]);
        assert!(problems.is_empty());
        assert!(list.matches(b"https://app.example.com"));
        assert!(list.matches(b"http://localhost:3000"));
        assert!(!list.matches(b"http://localhost:3001"));
        assert!(!list.matches(b"http://app.example.com"));
    }

    #[test]
    fn subdomain_patterns_match_whole_labels_only() {
        let (list, problems) = compile(&["https://*.example.com"]);
        assert!(problems.is_empty());
        assert!(list.matches(b"https://a.example.com"));
        assert!(list.matches(b"https://a.b.example.com"));
        assert!(!list.matches(b"https://example.com"));
        assert!(!list.matches(b"https://evilexample.com"));
        assert!(!list.matches(b"https://a.example.com.evil.com"));
        assert!(!list.matches(b"http://a.example.com"));
        assert!(!list.matches(b"https://a.example.com:8443"));
        assert!(!list.matches(b"https://.example.com"));
    }

    #[test]
    fn port_wildcards() {
        let (list, problems) = compile(&["http://localhost:*", "https://*.example.com:*"]);
        assert!(problems.is_empty(), "{problems:?}");
        assert!(list.matches(b"http://localhost"));
        assert!(list.matches(b"http://localhost:5173"));
        assert!(!list.matches(b"http://a.localhost:5173"));
        assert!(list.matches(b"https://a.example.com:8443"));
        assert!(list.matches(b"https://a.example.com"));
    }

    /// Few pattern hosts are compared one by one, more are hashed: both give the same answers.
    #[test]
    fn few_and_many_pattern_hosts_match_alike() {
        let (few, many) = few_and_many(&[
            "https://*.example.com",
            "http://localhost:*",
            "https://*.b.example.org:8443",
            "https://api.example.net:*",
        ]);
        assert!(few.pattern_index.is_none());
        assert!(many.pattern_index.is_some());
        for origin in [
            "https://a.example.com",
            "https://a.b.example.com",
            "https://example.com",
            "https://xexample.com",
            "http://a.example.com",
            "https://a.example.com:444",
            "http://localhost",
            "http://localhost:3000",
            "http://a.localhost:3000",
            "https://localhost",
            "https://a.b.example.org:8443",
            "https://b.example.org:8443",
            "https://a.b.example.org",
            "https://api.example.net",
            "https://api.example.net:9000",
            "https://x.api.example.net:9000",
            "https://[::1]",
            "https://a.pad0.example.io",
        ] {
            let padded = origin.ends_with("pad0.example.io");
            assert_eq!(
                few.matches(origin.as_bytes()) || padded,
                many.matches(origin.as_bytes()),
                "{origin}"
            );
        }
        assert!(few.matches(b"https://a.b.example.org:8443"));
        assert!(!few.matches(b"https://b.example.org:8443"));
        assert!(few.matches(b"https://api.example.net:9000"));
        assert!(!few.matches(b"https://x.api.example.net:9000"));
    }

    /// What [`OriginList::matches`] answers for patterns, written the plain way: parse the
    /// whole origin, then compare it with every pattern.
    fn matches_slowly(list: &OriginList, origin: &[u8]) -> bool {
        let Some(parts) = parse_request_origin(origin) else {
            return false;
        };
        list.patterns.iter().any(|(host, rules)| {
            rules.iter().any(|rule| {
                let host_matches = if rule.subdomains {
                    parts.host.len() > host.len() + 1
                        && parts.host.ends_with(host)
                        && parts.host[parts.host.len() - host.len() - 1] == b'.'
                        && !parts.host.starts_with(b"[")
                } else {
                    parts.host == &**host
                };
                host_matches
                    && *rule.scheme == *parts.scheme
                    && (rule.port == PortSpec::Any || rule.port == parts.port)
            })
        })
    }

    proptest! {
        /// Matching patterns without parsing the whole origin first answers as parsing it does,
        /// for few pattern hosts and for many.
        #[test]
        fn patterns_match_as_a_full_parse_does(
            origin in "(https|http|HTTPS|ftp|h-t)://([a-z0-9_.:@A-Z\\[\\]/-]{0,10})\
                       (\\.example\\.com|example\\.com|\\.b\\.example\\.org|localhost|\\[::1\\]|\\.pad3\\.example\\.io|)\
                       (:[0-9]{0,6}|:|/)?"
        ) {
            let (few, many) = few_and_many(&[
                "https://*.example.com",
                "http://localhost:*",
                "https://*.b.example.org:8443",
                "http://[::1]:*",
            ]);
            for list in [&few, &many] {
                prop_assert_eq!(
                    list.matches(origin.as_bytes()),
                    matches_slowly(list, origin.as_bytes()),
                    "{}", origin
                );
            }
        }
    }

    #[test]
    fn null_only_when_listed() {
        let (list, _) = compile(&["https://a.com"]);
        assert!(!list.matches(b"null"));
        let (list, _) = compile(&["null"]);
        assert!(list.matches(b"null"));
    }
}
