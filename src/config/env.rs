//! The environment overlay: configuration keys read from `PREFIX_KEY` variables.

use super::env_error::{EnvError, EnvProblem, EnvProblemKind};
use super::setting::Setting;
use super::CorsConfig;
use crate::report::field::Field;

impl CorsConfig {
    /// Reads a configuration from the process environment: the variables named `PREFIX_KEY`,
    /// where `KEY` is one of the [keys](CorsConfig) in upper case.
    ///
    /// ```text
    /// CORS_ALLOW_ORIGINS=https://app.example.com,https://*.preview.example.com
    /// CORS_ALLOW_METHODS=GET,POST,PUT
    /// CORS_ALLOW_HEADERS=*,authorization
    /// CORS_ALLOW_CREDENTIALS=true
    /// CORS_MAX_AGE_SECS=600
    /// ```
    ///
    /// The list keys take the string form of a configuration file: a keyword (`*`, `mirror`,
    /// ...) or a comma-separated list. Booleans are `true` or `false` (any case), or `1` or
    /// `0`; numbers are decimal. A separator `_` is added after the prefix unless it already
    /// ends with one, so `"CORS"` and `"CORS_"` read the same variables. Every other variable
    /// starting with `PREFIX_` is an error, so a misspelt name is reported instead of ignored;
    /// an empty prefix reads the bare upper-case keys and cannot tell a typo from an unrelated
    /// variable.
    ///
    /// The result still has to be built, which is when `CORS_ALLOW_ORIGINS=https://a.com/`
    /// is found wrong (reported under the key, `allow_origins[0]`).
    ///
    /// # Errors
    ///
    /// An [`EnvError`] listing every variable that could not be read: unknown names, values
    /// that are not booleans or numbers, values that are not valid UTF-8.
    ///
    /// ```no_run
    /// use tower_cors::CorsConfig;
    ///
    /// let layer = CorsConfig::from_env("CORS")?.into_layer()?;
    /// # let _ = layer;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_env(prefix: &str) -> Result<Self, EnvError> {
        Self::default().merge_env(prefix)
    }

    /// Reads a configuration from `(name, value)` pairs, as [`CorsConfig::from_env`] reads the
    /// process environment. Later pairs replace earlier ones with the same name.
    ///
    /// # Errors
    ///
    /// See [`CorsConfig::from_env`].
    ///
    /// ```
    /// use tower_cors::CorsConfig;
    ///
    /// let config = CorsConfig::from_vars("CORS", [
    ///     ("CORS_ALLOW_ORIGINS", "https://a.example.com,https://b.example.com"),
    ///     ("CORS_MAX_AGE_SECS", "600"),
    ///     ("PATH", "/usr/bin"), // other prefixes are not read
    /// ])?;
    /// let layer = config.build()?;
    /// # let _ = layer;
    ///
    /// let err = CorsConfig::from_vars("CORS", [("CORS_MAX_AGE_SECS", "ten")]).unwrap_err();
    /// assert_eq!(err.problems()[0].to_string(), "CORS_MAX_AGE_SECS: \"ten\" is not a number");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_vars<I, K, V>(prefix: &str, vars: I) -> Result<Self, EnvError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        Self::default().merge_vars(prefix, vars)
    }

    /// Applies the `PREFIX_KEY` variables of the process environment on top of this
    /// configuration, for instance one read from a file: each variable replaces its key, and
    /// the keys without a variable keep their value.
    ///
    /// # Errors
    ///
    /// See [`CorsConfig::from_env`].
    ///
    /// ```no_run
    /// use tower_cors::CorsConfig;
    ///
    /// let file = std::fs::read_to_string("cors.toml")?;
    /// let config: CorsConfig = toml::from_str(&file)?;
    /// let layer = config.merge_env("CORS")?.into_layer()?;
    /// # let _ = layer;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn merge_env(self, prefix: &str) -> Result<Self, EnvError> {
        let mut problems = Vec::new();
        let mut vars = Vec::new();
        let prefix = Prefix::new(prefix);
        for (name, value) in std::env::vars_os() {
            let name = name.to_string_lossy();
            if !prefix.covers(&name) {
                continue;
            }
            match value.into_string() {
                Ok(value) => vars.push((name.into_owned(), value)),
                Err(value) => problems.push(EnvProblem::new(
                    &name,
                    &value.to_string_lossy(),
                    EnvProblemKind::NotUnicode,
                )),
            }
        }
        let mut config = self;
        config.apply(&prefix, vars, &mut problems);
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(EnvError { problems })
        }
    }

    /// Applies `(name, value)` pairs on top of this configuration, as
    /// [`CorsConfig::merge_env`] applies the process environment.
    ///
    /// # Errors
    ///
    /// See [`CorsConfig::from_env`].
    ///
    /// ```
    /// use tower_cors::CorsConfig;
    ///
    /// let file: CorsConfig = toml::from_str(r#"
    ///     allow_origins = ["https://app.example.com"]
    ///     max_age_secs = 600
    /// "#)?;
    /// let config = file.merge_vars("CORS", [("CORS_MAX_AGE_SECS", "60")])?;
    /// let expected: CorsConfig = toml::from_str(r#"
    ///     allow_origins = ["https://app.example.com"]
    ///     max_age_secs = 60
    /// "#)?;
    /// assert_eq!(config, expected);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn merge_vars<I, K, V>(self, prefix: &str, vars: I) -> Result<Self, EnvError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut problems = Vec::new();
        let mut config = self;
        config.apply(&Prefix::new(prefix), vars, &mut problems);
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(EnvError { problems })
        }
    }

    fn apply<I, K, V>(&mut self, prefix: &Prefix<'_>, vars: I, problems: &mut Vec<EnvProblem>)
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        for (name, value) in vars {
            let (name, value) = (name.as_ref(), value.as_ref());
            let Some(suffix) = prefix.key_of(name) else {
                continue;
            };
            // `paths` and `policies` are keys too, of configuration files only: named, so that
            // the problem says where they go.
            let known = Field::ALL
                .into_iter()
                .chain([Field::Paths, Field::Policies])
                .find(|k| k.as_str().eq_ignore_ascii_case(suffix) && is_upper(suffix));
            let Some(key) = known else {
                let mut problem = EnvProblem::new(name, value, EnvProblemKind::UnknownVariable);
                problem.hint = Some(match suggest(suffix) {
                    Some(key) => format!("did you mean {}?", prefix.variable(key)),
                    None => {
                        let all: Vec<String> =
                            Field::ALL.iter().map(|&k| prefix.variable(k)).collect();
                        format!("the variables are {}", all.join(", "))
                    }
                });
                problems.push(problem);
                continue;
            };
            let text = || Some(Setting::Text(value.to_owned()));
            let result = match key {
                Field::Paths | Field::Policies => Err((
                    EnvProblemKind::UnknownVariable,
                    Some(
                        "sets of policies are read from configuration files only; the environment sets the top-level policy"
                            .to_owned(),
                    ),
                )),
                Field::AllowOrigins => {
                    self.allow_origins = text();
                    Ok(())
                }
                Field::AllowMethods => {
                    self.allow_methods = text();
                    Ok(())
                }
                Field::AllowHeaders => {
                    self.allow_headers = text();
                    Ok(())
                }
                Field::ExposeHeaders => {
                    self.expose_headers = text();
                    Ok(())
                }
                Field::AllowCredentials => parse_bool(value).map(|v| self.allow_credentials = v),
                Field::MaxAge => parse_number(value, u64::MAX).map(|v| self.max_age_secs = Some(v)),
                Field::AllowPrivateNetwork => {
                    parse_bool(value).map(|v| self.allow_private_network = v)
                }
                Field::PreflightStatus => parse_number(value, u16::MAX.into())
                    .and_then(|v| u16::try_from(v).map_err(|_| out_of_range(u16::MAX.into())))
                    .map(|v| self.preflight_status = Some(v)),
                switch => self.set_switch(switch, value).unwrap_or(Err((
                    EnvProblemKind::UnknownVariable,
                    None,
                ))),
            };
            if let Err((kind, hint)) = result {
                let mut problem = EnvProblem::new(name, value, kind);
                problem.hint = hint;
                problems.push(problem);
            }
        }
    }
}

/// Whether `s` has no lower-case ASCII letter.
fn is_upper(s: &str) -> bool {
    !s.bytes().any(|b| b.is_ascii_lowercase())
}

/// An environment prefix, with its `_` separator.
struct Prefix<'a> {
    prefix: &'a str,
    separator: bool,
}

impl<'a> Prefix<'a> {
    fn new(prefix: &'a str) -> Self {
        Self {
            separator: !prefix.is_empty() && !prefix.ends_with('_'),
            prefix,
        }
    }

    /// Whether the variable belongs to this prefix.
    fn covers(&self, name: &str) -> bool {
        self.key_of(name).is_some()
    }

    /// The key part of a variable of this prefix. With an empty prefix, only the known keys.
    fn key_of<'n>(&self, name: &'n str) -> Option<&'n str> {
        let rest = name.strip_prefix(self.prefix)?;
        let rest = if self.separator {
            rest.strip_prefix('_')?
        } else {
            rest
        };
        if self.prefix.is_empty()
            && !Field::ALL
                .iter()
                .any(|k| k.as_str().to_ascii_uppercase() == rest)
        {
            return None;
        }
        Some(rest)
    }

    /// The variable for a key.
    fn variable(&self, key: Field) -> String {
        let separator = if self.separator { "_" } else { "" };
        format!(
            "{}{separator}{}",
            self.prefix,
            key.as_str().to_ascii_uppercase()
        )
    }
}

/// The key closest to a misspelt one, if it is close enough to be what was meant: a few edits
/// away, or the start of a key (`MAX_AGE` for `MAX_AGE_SECS`), underscores and case aside.
fn suggest(key: &str) -> Option<Field> {
    let squash = |s: &str| -> String {
        s.chars()
            .filter(|&c| c != '_')
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let typed = squash(key);
    Field::ALL
        .into_iter()
        .filter_map(|k| {
            let known = squash(k.as_str());
            let distance = edit_distance(&typed, &known);
            let truncated = typed.len() >= 4 && known.starts_with(&typed);
            (distance <= 3 || truncated).then_some((distance, k))
        })
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, k)| k)
}

/// Levenshtein distance over bytes.
fn edit_distance(a: &str, b: &str) -> usize {
    let b = b.as_bytes();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.bytes().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// A value problem, with the hint shown after its message.
pub(super) type ValueProblem = (EnvProblemKind, Option<String>);

/// A switch's type, as an environment variable writes it.
pub(super) trait FromVar: Sized {
    fn from_var(value: &str) -> Result<Self, ValueProblem>;
}

impl FromVar for bool {
    fn from_var(value: &str) -> Result<Self, ValueProblem> {
        parse_bool(value)
    }
}

impl FromVar for usize {
    fn from_var(value: &str) -> Result<Self, ValueProblem> {
        parse_usize(value)
    }
}

fn parse_bool(value: &str) -> Result<bool, ValueProblem> {
    let value = value.trim();
    if value.eq_ignore_ascii_case("true") || value == "1" {
        Ok(true)
    } else if value.eq_ignore_ascii_case("false") || value == "0" {
        Ok(false)
    } else {
        Err((EnvProblemKind::NotABoolean, None))
    }
}

fn out_of_range(max: u64) -> ValueProblem {
    (
        EnvProblemKind::OutOfRange,
        Some(format!("use a number from 0 to {max}")),
    )
}

/// A decimal number from 0 to `max`.
fn parse_number(value: &str, max: u64) -> Result<u64, ValueProblem> {
    let value = value.trim();
    let digits = value.strip_prefix('-').unwrap_or(value);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err((EnvProblemKind::NotANumber, None));
    }
    match value.parse::<u64>() {
        Ok(n) if n <= max => Ok(n),
        _ => Err(out_of_range(max)),
    }
}

/// A decimal number that fits a `usize`.
fn parse_usize(value: &str) -> Result<usize, ValueProblem> {
    let max = u64::try_from(usize::MAX).unwrap_or(u64::MAX);
    parse_number(value, max).and_then(|v| usize::try_from(v).map_err(|_| out_of_range(max)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("allow_origin", "allow_origins"), 1);
        assert_eq!(edit_distance("max_age", "max_age_secs"), 5);
        assert_eq!(edit_distance("alow_methds", "allow_methods"), 2);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn prefix_adds_one_separator() {
        let p = Prefix::new("CORS");
        assert_eq!(p.key_of("CORS_MAX_AGE_SECS"), Some("MAX_AGE_SECS"));
        assert_eq!(p.key_of("CORSAIR_X"), None);
        assert_eq!(p.variable(Field::MaxAge), "CORS_MAX_AGE_SECS");
        let p = Prefix::new("CORS_");
        assert_eq!(p.key_of("CORS_MAX_AGE_SECS"), Some("MAX_AGE_SECS"));
        let p = Prefix::new("");
        assert_eq!(p.key_of("MAX_AGE_SECS"), Some("MAX_AGE_SECS"));
        assert_eq!(p.key_of("PATH"), None);
    }
}
