//! Problems found reading configuration from the environment.

use std::fmt;

/// Every environment variable [`CorsConfig::from_env`](super::CorsConfig::from_env) could not read.
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
    pub(super) problems: Vec<EnvProblem>,
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

/// One environment variable [`CorsConfig::from_env`](super::CorsConfig::from_env) could not read.
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
    pub(super) hint: Option<String>,
}

impl EnvProblem {
    pub(super) fn new(variable: &str, value: &str, kind: EnvProblemKind) -> Self {
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
