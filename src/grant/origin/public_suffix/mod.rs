//! Whether a subdomain pattern `*.host` would cover a name anyone can register.
//!
//! Three cases, all from the [Public Suffix List]: `host` is a public suffix itself (`github.io`),
//! every name directly under `host` is one (a wildcard rule such as `*.compute-1.amazonaws.com`),
//! or a public suffix lies somewhere under `host` (`s3.amazonaws.com` under `amazonaws.com`).
//! The list is `rules.txt`, written by `scripts/public-suffix-index.py` from the list the `psl`
//! crate ships (a dev-dependency, at the version `Cargo.lock` resolves; CI checks the two
//! agree), and read once, the first time a pattern is built.
//!
//! [Public Suffix List]: https://publicsuffix.org/

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// The rules of the list, by kind, and what they imply for the names above them.
struct Rules {
    /// The plain rules: each is a public suffix.
    names: HashSet<&'static str>,
    /// Every `X` with a rule `*.X`: each name directly under `X` is a public suffix.
    wildcards: HashSet<&'static str>,
    /// Every `X` with a rule `!X`: not a public suffix, whatever a wildcard above it says.
    exceptions: HashSet<&'static str>,
    /// Every name that is no public suffix but has one below it, with the shortest such rule.
    below: HashMap<&'static str, &'static str>,
}

impl Rules {
    fn get() -> &'static Rules {
        static RULES: OnceLock<Rules> = OnceLock::new();
        RULES.get_or_init(|| Rules::parse(include_str!("rules.txt")))
    }

    fn parse(text: &'static str) -> Rules {
        let mut rules = Rules {
            names: HashSet::new(),
            wildcards: HashSet::new(),
            exceptions: HashSet::new(),
            below: HashMap::new(),
        };
        let lines = text
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'));
        for line in lines.clone() {
            if let Some(name) = line.strip_prefix('!') {
                rules.exceptions.insert(name);
            } else if let Some(name) = line.strip_prefix("*.") {
                rules.wildcards.insert(name);
            } else {
                rules.names.insert(line);
            }
        }
        // Shortest rules first, so that each name keeps the nearest suffix below it.
        let mut suffixes: Vec<&str> = lines.filter(|l| !l.starts_with('!')).collect();
        suffixes.sort_by_key(|rule| (rule.len(), *rule));
        for rule in suffixes {
            let mut rest = rule;
            while let Some((_, name)) = rest.split_once('.') {
                if !rules.is_suffix(name) {
                    rules.below.entry(name).or_insert(rule);
                }
                rest = name;
            }
        }
        rules
    }

    /// Whether `name` is itself a public suffix by a rule of the list (not by the implicit
    /// rule that makes every unknown top-level name one).
    fn is_suffix(&self, name: &str) -> bool {
        if self.exceptions.contains(name) {
            return false;
        }
        self.names.contains(name)
            || name
                .split_once('.')
                .is_some_and(|(_, parent)| self.wildcards.contains(parent))
    }
}

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
    let rules = Rules::get();
    if rules.is_suffix(host) {
        return Some(Covered::Itself);
    }
    if rules.wildcards.contains(host) {
        return Some(Covered::EveryChild);
    }
    rules.below.get(host).map(|suffix| Covered::Below(suffix))
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

    /// The table agrees with the `psl` crate's lookup on every name the list speaks of: each
    /// rule, the names above it, and a name under each wildcard rule.
    #[test]
    fn the_rules_agree_with_the_psl_crate() {
        fn psl_says(name: &str) -> bool {
            psl::suffix(name.as_bytes()).is_some_and(|suffix| {
                suffix.is_known() && suffix.trim().as_bytes() == name.as_bytes()
            })
        }
        let rules = Rules::get();
        assert!(rules.names.len() > 9000, "{} rules", rules.names.len());
        let mut names: Vec<String> = Vec::new();
        fn all_rules(rules: &Rules) -> impl Iterator<Item = &'static str> + '_ {
            let all = rules
                .names
                .iter()
                .chain(&rules.exceptions)
                .chain(&rules.wildcards);
            all.copied()
        }
        for rule in all_rules(rules) {
            names.push(format!("tower-cors-probe.{rule}"));
            let mut rest = rule;
            names.push(rest.to_owned());
            while let Some((_, parent)) = rest.split_once('.') {
                names.push(parent.to_owned());
                rest = parent;
            }
        }
        // The list's algorithm takes every rule that matches; the `psl` crate follows one path
        // down its tree and does not come back up, so it misses a wildcard rule `*.X` for a
        // name under X that has rules of its own below it (`*.r.cloud.int.apple` for
        // `ap-south-1.r.cloud.int.apple`, which has `*.ap-south-1.r.cloud.int.apple`). Those
        // names are suffixes here, which only refuses more patterns.
        let has_rules_below = |name: &str| {
            let tail = format!(".{name}");
            rules.wildcards.contains(name) || all_rules(rules).any(|rule| rule.ends_with(&tail))
        };
        let mut disagree = 0;
        for name in &names {
            let ours = rules.is_suffix(name);
            if ours != psl_says(name) {
                let parent = name.split_once('.').map_or("", |(_, parent)| parent);
                assert!(
                    ours && rules.wildcards.contains(parent) && has_rules_below(name),
                    "{name}: here {ours}, in psl {}",
                    !ours
                );
                disagree += 1;
            }
        }
        assert!(disagree < 50, "{disagree} names where psl's lookup differs");
        for (&name, &suffix) in &rules.below {
            assert!(!psl_says(name), "{name} is a public suffix itself");
            let probe = suffix.replace('*', "tower-cors-probe");
            assert!(psl_says(&probe), "{suffix}, under {name}, is not a suffix");
            assert!(
                suffix.ends_with(&format!(".{name}")),
                "{suffix} is not under {name}"
            );
        }
    }
}
