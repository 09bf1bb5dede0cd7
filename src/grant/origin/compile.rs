//! Compiling configured origins and patterns into an [`OriginList`], collecting every problem.

use std::collections::{HashMap, HashSet};

use super::hash::LookupHashBuilder;
use super::ip::{canonical_ipv6, is_canonical_ipv4, looks_like_ipv4};
use super::list::{OriginList, PatternRule, FEW_HOSTS};
use super::parse::{default_port, is_host, split_origin, syntax_problem, PortSpec};
use super::public_suffix::covered_by_pattern;
use crate::grant::util::list_entry_problem;
use crate::report::error::{ConfigProblem, ProblemKind};
use crate::report::field::Field;

/// Compiles a list entry by entry, collecting every problem. `allow_public_suffixes` lets
/// subdomain patterns over a public suffix through.
pub(crate) fn compile_list(
    entries: &[Vec<u8>],
    allow_public_suffixes: bool,
    problems: &mut Vec<ConfigProblem>,
) -> OriginList {
    let mut list = OriginList::default();
    let mut seen_patterns = HashSet::new();
    let mut pattern_index: HashMap<Box<[u8]>, usize, LookupHashBuilder> = HashMap::default();
    for (index, raw) in entries.iter().enumerate() {
        let problem = |kind| ConfigProblem::new(Field::AllowOrigins, Some(index), raw, kind);
        if let Some(kind) = list_entry_problem(raw) {
            problems.push(problem(kind));
            continue;
        }
        if raw.eq_ignore_ascii_case(b"null") {
            list.null = true;
            continue;
        }
        if raw.ends_with(b"/") && raw.windows(3).any(|w| w == b"://") && !raw.ends_with(b"://") {
            problems.push(problem(ProblemKind::OriginTrailingSlash));
            continue;
        }
        let parts = match split_origin(raw) {
            Ok(p) => p,
            Err(e) => {
                problems.push(problem(syntax_problem(e)));
                continue;
            }
        };
        let scheme = parts.scheme.to_ascii_lowercase();
        let host = parts.host.to_ascii_lowercase();
        if host == b"*" {
            problems.push(problem(ProblemKind::PatternTooBroad));
            continue;
        }
        let (subdomains, host) = match host.strip_prefix(b"*.") {
            Some(suffix) => (true, suffix.to_vec()),
            None => (false, host),
        };
        if host.contains(&b'*') {
            problems.push(problem(ProblemKind::PatternWildcardPlacement));
            continue;
        }
        if !is_host(&host) {
            problems.push(problem(ProblemKind::OriginBadHost));
            continue;
        }
        if subdomains && !host.contains(&b'.') && host != b"localhost" {
            problems.push(problem(ProblemKind::PatternTooBroad));
            continue;
        }
        if subdomains && host.starts_with(b"[") {
            problems.push(problem(ProblemKind::OriginBadHost));
            continue;
        }
        if subdomains && !allow_public_suffixes {
            // `is_host` admits ASCII only.
            let name = String::from_utf8_lossy(&host);
            if let Some(covered) = covered_by_pattern(&name) {
                let scheme = String::from_utf8_lossy(&scheme);
                let message = covered.message(&scheme, &name);
                problems.push(problem(ProblemKind::PatternOverPublicSuffix).with_message(message));
                continue;
            }
        }
        let host = if host.starts_with(b"[") {
            // Browsers send IPv6 addresses in one canonical form; match that one.
            match canonical_ipv6(&host) {
                Some(canonical) => canonical,
                None => {
                    problems.push(problem(ProblemKind::OriginBadHost));
                    continue;
                }
            }
        } else if looks_like_ipv4(&host) && !is_canonical_ipv4(&host) {
            problems.push(problem(ProblemKind::OriginIpv4NotCanonical));
            continue;
        } else {
            host
        };
        let port = match parts.port {
            PortSpec::Exact(p) if default_port(&scheme) == Some(p) => PortSpec::Default,
            p => p,
        };
        if subdomains || port == PortSpec::Any {
            let rule = PatternRule {
                scheme: scheme.into_boxed_slice(),
                subdomains,
                port,
            };
            if seen_patterns.insert((host.clone(), rule.clone())) {
                let host = host.into_boxed_slice();
                let i = *pattern_index.entry(host.clone()).or_insert_with(|| {
                    list.patterns.push((host, Vec::new()));
                    list.patterns.len() - 1
                });
                list.patterns[i].1.push(rule);
                list.host_patterns |= !subdomains;
            }
        } else {
            let mut normalised = scheme;
            normalised.extend_from_slice(b"://");
            normalised.extend_from_slice(&host);
            if let PortSpec::Exact(p) = port {
                normalised.extend_from_slice(format!(":{p}").as_bytes());
            }
            list.exact.insert(normalised.into_boxed_slice());
        }
    }
    if list.patterns.len() > FEW_HOSTS {
        list.pattern_index = Some(pattern_index);
    }
    list
}

/// A configured entry as requests are matched against it, when it is an exact origin or
/// `null`: `HTTPS://App.Example.com:443` is `https://app.example.com`. `None` for a pattern
/// or an entry that does not compile.
pub(crate) fn normalised_exact(entry: &[u8]) -> Option<Vec<u8>> {
    let mut problems = Vec::new();
    let list = compile_list(&[entry.to_vec()], true, &mut problems);
    if list.null {
        return Some(b"null".to_vec());
    }
    let mut exact = list.exact_origins();
    match (exact.next(), exact.next(), list.pattern_count()) {
        (Some(origin), None, 0) => Some(origin.to_vec()),
        _ => None,
    }
}

/// [`compile_list`] of strings, public suffixes refused: the list and its problems.
#[cfg(test)]
pub(super) fn compile(entries: &[&str]) -> (OriginList, Vec<ConfigProblem>) {
    let entries: Vec<Vec<u8>> = entries.iter().map(|e| e.as_bytes().to_vec()).collect();
    let mut problems = Vec::new();
    let list = compile_list(&entries, false, &mut problems);
    (list, problems)
}

#[cfg(test)]
mod tests {
    use super::super::parse::parse_request_origin;
    use super::*;

    #[test]
    fn ip_literals_are_normalised_or_refused() {
        let (list, problems) = compile(&[
            "http://[0:0:0:0:0:0:0:1]:8080",
            "http://[2001:DB8:0:0:1:0:0:1]",
            "http://[::ffff:127.0.0.1]",
            "http://[::1.2.3.4]",
            "http://[1:0:0:2:0:0:0:3]",
            "http://127.0.0.1:3000",
        ]);
        assert!(problems.is_empty(), "{problems:?}");
        for origin in [
            "http://[::1]:8080",
            "http://[2001:db8::1:0:0:1]",
            "http://[::ffff:7f00:1]",
            "http://[::102:304]",
            "http://[1:0:0:2::3]",
            "http://127.0.0.1:3000",
        ] {
            assert!(list.exact.contains(origin.as_bytes()), "{origin}");
        }
        for bad in [
            "http://127.1",
            "http://0x7f.0.0.1",
            "http://127.000.0.1",
            "http://1.2.3.256",
        ] {
            let (_, problems) = compile(&[bad]);
            assert_eq!(problems.len(), 1, "{bad}");
            assert_eq!(
                problems[0].kind(),
                ProblemKind::OriginIpv4NotCanonical,
                "{bad}"
            );
        }
        let (_, problems) = compile(&["http://[1::2::3]"]);
        assert_eq!(problems[0].kind(), ProblemKind::OriginBadHost);
        for port in ["03000", "+3000", "-1", "65536", ""] {
            let origin = format!("http://localhost:{port}");
            let (_, problems) = compile(&[&origin]);
            assert_eq!(problems[0].kind(), ProblemKind::OriginBadPort, "{origin}");
            assert!(
                parse_request_origin(origin.as_bytes()).is_none(),
                "{origin}"
            );
        }
        assert!(parse_request_origin(b"http://localhost:0").is_some());
    }

    #[test]
    fn bad_entries_are_reported() {
        let (_, problems) = compile(&[
            "https://a.com/",
            "https://a.com/path",
            "a.com",
            "https://*",
            "*.com",
            "https://*.com",
            "https://a.*.com",
            "*",
            " https://a.com",
            "https://a.com:70000",
            "https://a.com?x",
        ]);
        let kinds: Vec<ProblemKind> = problems.iter().map(|p| p.kind).collect();
        assert_eq!(
            kinds,
            vec![
                ProblemKind::OriginTrailingSlash,
                ProblemKind::OriginHasPath,
                ProblemKind::OriginMissingScheme,
                ProblemKind::PatternTooBroad,
                ProblemKind::OriginMissingScheme,
                ProblemKind::PatternTooBroad,
                ProblemKind::PatternWildcardPlacement,
                ProblemKind::WildcardInList,
                ProblemKind::Whitespace,
                ProblemKind::OriginBadPort,
                ProblemKind::OriginHasQuery,
            ]
        );
    }

    #[test]
    fn patterns_over_public_suffixes_are_refused_unless_allowed() {
        for pattern in [
            "https://*.github.io",
            "https://*.co.uk",
            "https://*.vercel.app",
            "https://*.herokuapp.com",
        ] {
            let (_, problems) = compile(&[pattern]);
            assert_eq!(problems.len(), 1, "{pattern}");
            assert_eq!(
                problems[0].kind,
                ProblemKind::PatternOverPublicSuffix,
                "{pattern}"
            );
            let mut problems = Vec::new();
            let list = compile_list(&[pattern.as_bytes().to_vec()], true, &mut problems);
            assert!(problems.is_empty(), "{pattern}: {problems:?}");
            assert_eq!(list.pattern_count(), 1);
        }
        // Names under a public suffix are fine, and so is the exact suffix as an origin.
        let (list, problems) = compile(&[
            "https://*.my-app.github.io",
            "https://*.example.co.uk",
            "https://*.localhost",
            "https://github.io",
        ]);
        assert!(problems.is_empty(), "{problems:?}");
        assert!(list.matches(b"https://pr-1.my-app.github.io"));
        assert!(!list.matches(b"https://attacker.github.io"));
    }
}
