//! Policies from configuration files and environment variables.

use std::fmt;
use std::time::Duration;

use http::StatusCode;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;

use crate::builder::CorsBuilder;
use crate::error::{ConfigError, ConfigProblem, Field, ProblemKind};
use crate::headers::{AllowHeaders, ExposeHeaders};
use crate::layer::CorsLayer;
use crate::methods::AllowMethods;
use crate::origin::AllowOrigin;

/// A CORS policy as written in a configuration file or in environment variables.
///
/// `CorsConfig` implements [`serde::Deserialize`], so it reads from TOML, JSON, YAML or any
/// other self-describing serde format, on its own or as a table inside an application's
/// configuration (in YAML, quote the wildcard: `allow_origins: "*"`).
/// [`CorsConfig::build`] turns it into a [`CorsLayer`] through [`CorsBuilder::build`], with
/// the same checks, and reports every problem at once with the key it is about.
///
/// Every key is optional; a key left out keeps the [`CorsBuilder`] default. An unknown key is
/// an error, so a misspelt key never goes unnoticed.
///
/// | Key | Value | Builder method |
/// |---|---|---|
/// | `allow_origins` | origins and patterns, `"*"`, `"mirror"` or `"dangerously_mirror_any_origin_with_credentials"` | [`allow_origin`](CorsBuilder::allow_origin) |
/// | `allow_methods` | methods, `"*"` or `"mirror"` | [`allow_methods`](CorsBuilder::allow_methods) |
/// | `allow_headers` | header names, `"*"`, `"*, authorization"` or `"mirror"` | [`allow_headers`](CorsBuilder::allow_headers) |
/// | `expose_headers` | header names or `"*"` | [`expose_headers`](CorsBuilder::expose_headers) |
/// | `allow_credentials` | boolean | [`allow_credentials`](CorsBuilder::allow_credentials) |
/// | `max_age_secs` | whole seconds | [`max_age`](CorsBuilder::max_age) |
/// | `allow_private_network` | boolean | [`allow_private_network`](CorsBuilder::allow_private_network) |
/// | `preflight_status` | status code, 2xx | [`preflight_status`](CorsBuilder::preflight_status) |
/// | `strict_preflight` | boolean | [`strict_preflight`](CorsBuilder::strict_preflight) |
/// | `reject_disallowed_origins` | boolean | [`reject_disallowed_origins`](CorsBuilder::reject_disallowed_origins) |
/// | `preflight_continue` | boolean | [`preflight_continue`](CorsBuilder::preflight_continue) |
/// | `max_request_headers` | number, at least 1 | [`max_request_headers`](CorsBuilder::max_request_headers) |
///
/// The four list keys take a list of strings, or a single string:
///
/// - a list, such as `["https://app.example.com", "https://*.example.com"]`, is used as
///   written, each entry checked on its own. A keyword inside a list is not a keyword: `"*"`
///   in a list is an error, as it is for the builder.
/// - a string is either a keyword or a comma-separated list: `"*"` allows anything,
///   `"mirror"` echoes what the request asks for, and
///   `"https://a.example.com, https://b.example.com"` is the same as the two-entry list.
///   Spaces around entries are dropped, as are empty entries. An empty string is an empty
///   list: `allow_origins = ""` refuses every origin.
///
/// Keywords, by key:
///
/// - `allow_origins`: `"*"` ([`AllowOrigin::any`]), `"mirror"`
///   ([`AllowOrigin::mirror_request`]) and `"dangerously_mirror_any_origin_with_credentials"`
///   ([`AllowOrigin::dangerously_mirror_any_origin_with_credentials`]). Leaving `allow_origins`
///   out is an error, as for the builder; use `[]` to refuse every origin on purpose.
/// - `allow_methods`: `"*"` ([`AllowMethods::any`]) and `"mirror"`
///   ([`AllowMethods::mirror_request`]).
/// - `allow_headers`: `"*"` ([`AllowHeaders::any`], which browsers never apply to
///   `Authorization`), `"*, authorization"` ([`AllowHeaders::any_with_authorization`],
///   the value the layer then sends) and `"mirror"` ([`AllowHeaders::mirror_request`]).
/// - `expose_headers`: `"*"` ([`ExposeHeaders::any`]).
///
/// # Example
///
/// Every key, in TOML:
///
/// ```
/// use tower_cors::CorsConfig;
///
/// let config: CorsConfig = toml::from_str(r#"
///     allow_origins = ["https://app.example.com", "https://*.preview.example.com"]
///     allow_methods = ["GET", "POST", "PUT", "DELETE"]
///     allow_headers = ["content-type", "authorization"]
///     expose_headers = ["x-request-id"]
///     allow_credentials = true
///     max_age_secs = 600
///     allow_private_network = false
///     preflight_status = 204
///     strict_preflight = false
///     reject_disallowed_origins = false
///     preflight_continue = false
///     max_request_headers = 64
/// "#)?;
/// let layer = config.build()?;
/// # let _ = layer;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Inside an application's configuration, here in JSON. With `#[serde(default)]` a missing
/// `cors` table is the default configuration, which has no origin and so fails to build:
///
/// ```
/// use serde::Deserialize;
/// use tower_cors::CorsConfig;
///
/// #[derive(Deserialize)]
/// struct AppConfig {
///     listen: String,
///     #[serde(default)]
///     cors: CorsConfig,
/// }
///
/// let app: AppConfig = serde_json::from_str(r#"{
///     "listen": "0.0.0.0:8080",
///     "cors": { "allow_origins": "*", "allow_headers": "*, authorization" }
/// }"#)?;
/// let layer = app.cors.into_layer()?;
/// # let _ = (layer, app.listen);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// Nest it as a table of its own: `#[serde(flatten)]` does not work together with the
/// unknown-key check.
///
/// Every problem at once, each with its key:
///
/// ```
/// use tower_cors::CorsConfig;
///
/// let config: CorsConfig = toml::from_str(r#"
///     allow_origins = ["https://a.example.com", "https://b.example.com/"]
///     preflight_status = 99
/// "#)?;
/// let err = config.build().unwrap_err();
/// assert_eq!(err.problems()[0].path(), "allow_origins[1]");
/// assert_eq!(err.problems()[1].path(), "preflight_status");
/// # Ok::<(), toml::de::Error>(())
/// ```
///
/// From environment variables, see [`CorsConfig::from_env`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CorsConfig {
    allow_origins: Option<Setting>,
    allow_methods: Option<Setting>,
    allow_headers: Option<Setting>,
    expose_headers: Option<Setting>,
    allow_credentials: bool,
    max_age_secs: Option<u64>,
    allow_private_network: bool,
    preflight_status: Option<u16>,
    strict_preflight: bool,
    reject_disallowed_origins: bool,
    preflight_continue: bool,
    max_request_headers: Option<usize>,
}

/// The value of a list key: a string (keyword or comma-separated list) or a list.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Setting {
    Text(String),
    List(Vec<String>),
}

impl Setting {
    /// The keyword this value is, if it is a string that is one.
    fn keyword(&self) -> Option<&str> {
        match self {
            Self::Text(text) => Some(text.trim()),
            Self::List(_) => None,
        }
    }

    /// The entries: a list as written, a string split at commas.
    fn entries(&self) -> Vec<&str> {
        match self {
            Self::Text(text) => text
                .split(',')
                .map(str::trim)
                .filter(|entry| !entry.is_empty())
                .collect(),
            Self::List(list) => list.iter().map(String::as_str).collect(),
        }
    }

    /// Whether this is the string `*, authorization` (spacing and case of the name aside).
    fn is_any_with_authorization(&self) -> bool {
        matches!(self, Self::Text(_))
            && matches!(self.entries()[..], ["*", name] if name.eq_ignore_ascii_case("authorization"))
    }

    fn origins(&self) -> AllowOrigin {
        match self.keyword() {
            Some("*") => AllowOrigin::any(),
            Some("mirror") => AllowOrigin::mirror_request(),
            Some("dangerously_mirror_any_origin_with_credentials") => {
                AllowOrigin::dangerously_mirror_any_origin_with_credentials()
            }
            _ => AllowOrigin::list(self.entries()),
        }
    }

    fn methods(&self) -> AllowMethods {
        match self.keyword() {
            Some("*") => AllowMethods::any(),
            Some("mirror") => AllowMethods::mirror_request(),
            _ => AllowMethods::list(self.entries()),
        }
    }

    fn headers(&self) -> AllowHeaders {
        match self.keyword() {
            Some("*") => AllowHeaders::any(),
            Some("mirror") => AllowHeaders::mirror_request(),
            _ if self.is_any_with_authorization() => AllowHeaders::any_with_authorization(),
            _ => AllowHeaders::list(self.entries()),
        }
    }

    fn expose(&self) -> ExposeHeaders {
        match self.keyword() {
            Some("*") => ExposeHeaders::any(),
            _ => ExposeHeaders::list(self.entries()),
        }
    }
}

impl<'de> Deserialize<'de> for Setting {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SettingVisitor;

        impl<'de> Visitor<'de> for SettingVisitor {
            type Value = Setting;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a list of strings")
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<Setting, E> {
                Ok(Setting::Text(value.to_owned()))
            }

            fn visit_string<E: de::Error>(self, value: String) -> Result<Setting, E> {
                Ok(Setting::Text(value))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Setting, A::Error> {
                let mut list = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
                while let Some(entry) = seq.next_element::<String>()? {
                    list.push(entry);
                }
                Ok(Setting::List(list))
            }
        }

        deserializer.deserialize_any(SettingVisitor)
    }
}

impl CorsConfig {
    /// Builds the layer: converts the configuration into a [`CorsBuilder`] and calls
    /// [`CorsBuilder::build`].
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] listing every problem, in the order of the keys, each with its path
    /// (`allow_origins[2]`, `preflight_status`) and offending value: everything
    /// [`CorsBuilder::build`] refuses, and a `preflight_status` that is not an HTTP status
    /// code at all ([`ProblemKind::InvalidStatus`]).
    ///
    /// ```
    /// use tower_cors::CorsConfig;
    ///
    /// let config: CorsConfig = toml::from_str(r#"
    ///     allow_origins = ["https://app.example.com", "https://b.example.com/"]
    /// "#)?;
    /// let err = config.build().unwrap_err();
    /// assert_eq!(
    ///     err.problems()[0].to_string(),
    ///     "allow_origins[1]: \"https://b.example.com/\" has a trailing slash; \
    ///      an origin is scheme://host[:port] with nothing after it"
    /// );
    /// # Ok::<(), toml::de::Error>(())
    /// ```
    pub fn build(&self) -> Result<CorsLayer, ConfigError> {
        let mut own_problems = Vec::new();
        let mut builder = CorsBuilder::new()
            .allow_credentials(self.allow_credentials)
            .allow_private_network(self.allow_private_network)
            .strict_preflight(self.strict_preflight)
            .reject_disallowed_origins(self.reject_disallowed_origins)
            .preflight_continue(self.preflight_continue);
        if let Some(origins) = &self.allow_origins {
            builder = builder.allow_origin(origins.origins());
        }
        if let Some(methods) = &self.allow_methods {
            builder = builder.allow_methods(methods.methods());
        }
        if let Some(headers) = &self.allow_headers {
            builder = builder.allow_headers(headers.headers());
        }
        if let Some(headers) = &self.expose_headers {
            builder = builder.expose_headers(headers.expose());
        }
        if let Some(secs) = self.max_age_secs {
            builder = builder.max_age(Duration::from_secs(secs));
        }
        if let Some(code) = self.preflight_status {
            match StatusCode::from_u16(code) {
                Ok(status) => builder = builder.preflight_status(status),
                Err(_) => own_problems.push(ConfigProblem::new(
                    Field::PreflightStatus,
                    None,
                    code.to_string(),
                    ProblemKind::InvalidStatus,
                )),
            }
        }
        if let Some(limit) = self.max_request_headers {
            builder = builder.max_request_headers(limit);
        }

        match builder.build() {
            Ok(layer) if own_problems.is_empty() => Ok(layer),
            Ok(_) => Err(ConfigError::new(own_problems)),
            Err(err) => {
                let mut problems = err.problems().to_vec();
                // The builder lists problems in key order; the status comes just before the
                // request-header limit, the only key after it that the builder checks.
                let at = problems
                    .iter()
                    .position(|p| p.field() == Field::MaxRequestHeaders)
                    .unwrap_or(problems.len());
                problems.splice(at..at, own_problems);
                Err(ConfigError::new(problems))
            }
        }
    }

    /// Builds the layer, consuming the configuration; the same as [`CorsConfig::build`].
    ///
    /// # Errors
    ///
    /// See [`CorsConfig::build`].
    ///
    /// ```
    /// use tower_cors::CorsConfig;
    ///
    /// let config: CorsConfig = serde_json::from_str(r#"{"allow_origins": "*"}"#)?;
    /// let layer = config.into_layer()?;
    /// # let _ = layer;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn into_layer(self) -> Result<CorsLayer, ConfigError> {
        self.build()
    }

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
            let known = KEYS
                .iter()
                .find(|k| k.eq_ignore_ascii_case(suffix) && is_upper(suffix));
            let Some(key) = known else {
                let mut problem = EnvProblem::new(name, value, EnvProblemKind::UnknownVariable);
                problem.hint = Some(match suggest(suffix) {
                    Some(key) => format!("did you mean {}?", prefix.variable(key)),
                    None => {
                        let all: Vec<String> = KEYS.iter().map(|k| prefix.variable(k)).collect();
                        format!("the variables are {}", all.join(", "))
                    }
                });
                problems.push(problem);
                continue;
            };
            let list = match *key {
                "allow_origins" => Some(&mut self.allow_origins),
                "allow_methods" => Some(&mut self.allow_methods),
                "allow_headers" => Some(&mut self.allow_headers),
                "expose_headers" => Some(&mut self.expose_headers),
                _ => None,
            };
            if let Some(slot) = list {
                *slot = Some(Setting::Text(value.to_owned()));
                continue;
            }
            let result = match *key {
                "allow_credentials" => parse_bool(value).map(|v| self.allow_credentials = v),
                "max_age_secs" => {
                    parse_number(value, u64::MAX).map(|v| self.max_age_secs = Some(v))
                }
                "allow_private_network" => {
                    parse_bool(value).map(|v| self.allow_private_network = v)
                }
                "preflight_status" => parse_number(value, u16::MAX.into())
                    .and_then(|v| u16::try_from(v).map_err(|_| out_of_range(u16::MAX.into())))
                    .map(|v| self.preflight_status = Some(v)),
                "strict_preflight" => parse_bool(value).map(|v| self.strict_preflight = v),
                "reject_disallowed_origins" => {
                    parse_bool(value).map(|v| self.reject_disallowed_origins = v)
                }
                "preflight_continue" => parse_bool(value).map(|v| self.preflight_continue = v),
                "max_request_headers" => {
                    let max = u64::try_from(usize::MAX).unwrap_or(u64::MAX);
                    parse_number(value, max)
                        .and_then(|v| usize::try_from(v).map_err(|_| out_of_range(max)))
                        .map(|v| self.max_request_headers = Some(v))
                }
                _ => Err((EnvProblemKind::UnknownVariable, None)),
            };
            if let Err((kind, hint)) = result {
                let mut problem = EnvProblem::new(name, value, kind);
                problem.hint = hint;
                problems.push(problem);
            }
        }
    }
}

/// The configuration keys, in the order of the builder.
const KEYS: [&str; 12] = [
    "allow_origins",
    "allow_methods",
    "allow_headers",
    "expose_headers",
    "allow_credentials",
    "max_age_secs",
    "allow_private_network",
    "preflight_status",
    "strict_preflight",
    "reject_disallowed_origins",
    "preflight_continue",
    "max_request_headers",
];

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
        if self.prefix.is_empty() && !KEYS.iter().any(|k| k.to_ascii_uppercase() == rest) {
            return None;
        }
        Some(rest)
    }

    /// The variable for a key.
    fn variable(&self, key: &str) -> String {
        let separator = if self.separator { "_" } else { "" };
        format!("{}{separator}{}", self.prefix, key.to_ascii_uppercase())
    }
}

/// The key closest to a misspelt one, if it is close enough to be what was meant: a few edits
/// away, or the start of a key (`MAX_AGE` for `MAX_AGE_SECS`), underscores and case aside.
fn suggest(key: &str) -> Option<&'static str> {
    let squash = |s: &str| -> String {
        s.chars()
            .filter(|&c| c != '_')
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let typed = squash(key);
    KEYS.iter()
        .filter_map(|k| {
            let known = squash(k);
            let distance = edit_distance(&typed, &known);
            let truncated = typed.len() >= 4 && known.starts_with(&typed);
            (distance <= 3 || truncated).then_some((distance, *k))
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
type ValueProblem = (EnvProblemKind, Option<String>);

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

/// Every environment variable [`CorsConfig::from_env`] could not read.
///
/// ```
/// use tower_cors::{CorsConfig, EnvProblemKind};
///
/// let err = CorsConfig::from_vars("CORS", [
///     ("CORS_ALLOW_ORIGIN", "https://app.example.com"),
///     ("CORS_ALLOW_CREDENTIALS", "yes please"),
/// ])
/// .unwrap_err();
/// assert_eq!(err.problems()[0].kind(), EnvProblemKind::UnknownVariable);
/// assert_eq!(
///     err.to_string(),
///     "invalid CORS environment variables:\n  \
///      CORS_ALLOW_ORIGIN: unknown variable; did you mean CORS_ALLOW_ORIGINS?\n  \
///      CORS_ALLOW_CREDENTIALS: \"yes please\" is not a boolean; use true or false"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvError {
    problems: Vec<EnvProblem>,
}

impl EnvError {
    /// The problems, in the order the variables were read.
    ///
    /// ```
    /// use tower_cors::CorsConfig;
    ///
    /// let err = CorsConfig::from_vars("CORS", [
    ///     ("CORS_ALLOW_CREDENTIALS", "maybe"),
    ///     ("CORS_ALLOW_ORIGINS", "https://app.example.com"),
    ///     ("CORS_MAX_AGE_SECS", "-1"),
    /// ])
    /// .unwrap_err();
    /// let variables: Vec<&str> = err.problems().iter().map(|p| p.variable()).collect();
    /// assert_eq!(variables, ["CORS_ALLOW_CREDENTIALS", "CORS_MAX_AGE_SECS"]);
    /// ```
    pub fn problems(&self) -> &[EnvProblem] {
        &self.problems
    }
}

impl fmt::Display for EnvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid CORS environment variables:")?;
        for p in &self.problems {
            write!(f, "\n  {p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for EnvError {}

/// One environment variable [`CorsConfig::from_env`] could not read.
///
/// ```
/// use tower_cors::{CorsConfig, EnvProblemKind};
///
/// let err = CorsConfig::from_vars("CORS", [("CORS_MAX_AGE_SECS", "ten")]).unwrap_err();
/// let problem = &err.problems()[0];
/// assert_eq!(problem.variable(), "CORS_MAX_AGE_SECS");
/// assert_eq!(problem.value(), "ten");
/// assert_eq!(problem.kind(), EnvProblemKind::NotANumber);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvProblem {
    variable: String,
    value: String,
    kind: EnvProblemKind,
    /// For an unknown variable: the likely intended name, or the known ones.
    hint: Option<String>,
}

impl EnvProblem {
    fn new(variable: &str, value: &str, kind: EnvProblemKind) -> Self {
        Self {
            variable: variable.to_owned(),
            value: value.to_owned(),
            kind,
            hint: None,
        }
    }

    /// The variable's name.
    ///
    /// ```
    /// use tower_cors::CorsConfig;
    ///
    /// // The prefix's separator is added: "CORS" reads the same variables as "CORS_".
    /// let err = CorsConfig::from_vars("CORS", [("CORS_ALLOW_ORIGIN", "*")]).unwrap_err();
    /// assert_eq!(err.problems()[0].variable(), "CORS_ALLOW_ORIGIN");
    /// ```
    pub fn variable(&self) -> &str {
        &self.variable
    }

    /// The variable's value (non-UTF-8 bytes replaced).
    ///
    /// ```
    /// use tower_cors::CorsConfig;
    ///
    /// let err = CorsConfig::from_vars("CORS", [("CORS_STRICT_PREFLIGHT", " yes ")]).unwrap_err();
    /// assert_eq!(err.problems()[0].value(), " yes "); // as given, not trimmed
    /// ```
    pub fn value(&self) -> &str {
        &self.value
    }

    /// What is wrong.
    ///
    /// ```
    /// use tower_cors::{CorsConfig, EnvProblemKind};
    ///
    /// let err = CorsConfig::from_vars("CORS", [("CORS_PREFLIGHT_STATUS", "70000")]).unwrap_err();
    /// assert_eq!(err.problems()[0].kind(), EnvProblemKind::OutOfRange);
    /// ```
    pub fn kind(&self) -> EnvProblemKind {
        self.kind
    }
}

impl fmt::Display for EnvProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.variable)?;
        match self.kind {
            EnvProblemKind::UnknownVariable => match &self.hint {
                Some(hint) => write!(f, "unknown variable; {hint}"),
                None => f.write_str("unknown variable"),
            },
            kind => {
                write!(f, "{:?} {}", self.value, kind.message())?;
                match &self.hint {
                    Some(hint) => write!(f, "; {hint}"),
                    None => Ok(()),
                }
            }
        }
    }
}

impl std::error::Error for EnvProblem {}

/// What is wrong with an environment variable.
///
/// ```
/// use tower_cors::{CorsConfig, EnvProblemKind};
///
/// let err = CorsConfig::from_vars("CORS", [
///     ("CORS_ALLOW_CREDENTIALS", "yes"),
///     ("CORS_MAX_AGE", "600"),
/// ])
/// .unwrap_err();
/// let kinds: Vec<EnvProblemKind> = err.problems().iter().map(|p| p.kind()).collect();
/// assert_eq!(kinds, [EnvProblemKind::NotABoolean, EnvProblemKind::UnknownVariable]);
/// assert_eq!(EnvProblemKind::NotABoolean.to_string(), "is not a boolean; use true or false");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EnvProblemKind {
    /// A `PREFIX_` variable that is not one of the keys.
    UnknownVariable,
    /// Not `true`, `false`, `1` or `0`.
    NotABoolean,
    /// Not a decimal number.
    NotANumber,
    /// A number too large for the key, or negative.
    OutOfRange,
    /// A value that is not valid UTF-8.
    NotUnicode,
}

impl EnvProblemKind {
    fn message(self) -> &'static str {
        match self {
            Self::UnknownVariable => "is not a known variable",
            Self::NotABoolean => "is not a boolean; use true or false",
            Self::NotANumber => "is not a number",
            Self::OutOfRange => "is out of range",
            Self::NotUnicode => "is not valid UTF-8",
        }
    }
}

impl fmt::Display for EnvProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
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
        assert_eq!(p.variable("max_age_secs"), "CORS_MAX_AGE_SECS");
        let p = Prefix::new("CORS_");
        assert_eq!(p.key_of("CORS_MAX_AGE_SECS"), Some("MAX_AGE_SECS"));
        let p = Prefix::new("");
        assert_eq!(p.key_of("MAX_AGE_SECS"), Some("MAX_AGE_SECS"));
        assert_eq!(p.key_of("PATH"), None);
    }

    #[test]
    fn string_settings_split_at_commas() {
        let s = Setting::Text(" a , b,,c, ".into());
        assert_eq!(s.entries(), ["a", "b", "c"]);
        assert!(Setting::Text("*,Authorization".into()).is_any_with_authorization());
        assert!(
            !Setting::List(vec!["*".into(), "authorization".into()]).is_any_with_authorization()
        );
        assert!(Setting::Text(String::new()).entries().is_empty());
    }
}
