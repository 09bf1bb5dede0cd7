//! What can go wrong with a watched policy file.

use std::error::Error;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::load::Format;
use crate::config::EnvError;
use crate::report::error::ConfigError;

/// Why a policy file could not be used: when the watch starts (returned) or after a change
/// (the previous policy stays; see [`WatchStatus::last_error`](super::WatchStatus::last_error)
/// and [`WatchEvent::Refused`](super::WatchEvent::Refused)).
///
/// Its `Display` names the file and gives every problem, one per line for a configuration
/// that does not build; [`WatchError::problems`] gives them one line each.
///
/// ```
/// use std::io::Write;
/// use tower_cors::watch::{ConfigWatcher, WatchErrorKind};
///
/// let mut file = tempfile::Builder::new().suffix(".toml").tempfile()?;
/// writeln!(file, r#"allow_origins = ["https://a.example/", "https://*.com"]"#)?;
/// let err = ConfigWatcher::builder(file.path()).start().unwrap_err();
/// assert_eq!(err.kind(), WatchErrorKind::Config);
/// assert_eq!(err.path(), file.path());
/// assert_eq!(err.config_error().unwrap().problems().len(), 2);
/// assert!(err.to_string().starts_with(&format!("{}: invalid CORS configuration:", file.path().display())));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct WatchError {
    path: PathBuf,
    repr: Repr,
}

#[derive(Debug, Clone)]
enum Repr {
    Read(Arc<io::Error>),
    TooLarge { limit: u64 },
    UnknownFormat,
    Empty,
    Parse { format: Format, message: String },
    Env(EnvError),
    Config(ConfigError),
    Watch(Arc<notify::Error>),
    Missing(PathBuf),
}

/// The kind of a [`WatchError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WatchErrorKind {
    /// The file could not be read: missing, not a regular file, no permission.
    Read,
    /// The file is larger than [`WatchBuilder::max_file_size`](super::WatchBuilder::max_file_size).
    TooLarge,
    /// The file's extension names no format, and none was set with
    /// [`WatchBuilder::format`](super::WatchBuilder::format). Only when the watch starts.
    UnknownFormat,
    /// The file is empty or only white space: most likely caught between being emptied and
    /// being written. It is refused rather than taken as a policy that allows no origin
    /// (which is written `allow_origins = []`).
    Empty,
    /// The file is not valid TOML, JSON or YAML (or not UTF-8), or has a key
    /// [`CorsConfig`](crate::CorsConfig) does not know, or a value of the wrong type.
    Parse,
    /// An environment variable of [`WatchBuilder::env_prefix`](super::WatchBuilder::env_prefix)
    /// could not be read. Only when the watch starts.
    Env,
    /// The file parsed but its policy does not build: [`WatchError::config_error`] has every
    /// problem.
    Config,
    /// The file's directory cannot be watched: it is missing (a directory or a symlink on the
    /// path is gone), or the system refused to watch it. When the watch starts this is
    /// returned; afterwards it is a lost watch
    /// ([`WatchStatus::watch_error`](super::WatchStatus::watch_error),
    /// [`WatchEvent::Lost`](super::WatchEvent::Lost)).
    Watch,
}

impl WatchError {
    fn new(path: &Path, repr: Repr) -> Self {
        Self {
            path: path.to_owned(),
            repr,
        }
    }

    pub(super) fn read(path: &Path, err: io::Error) -> Self {
        Self::new(path, Repr::Read(Arc::new(err)))
    }

    pub(super) fn too_large(path: &Path, limit: u64) -> Self {
        Self::new(path, Repr::TooLarge { limit })
    }

    pub(super) fn unknown_format(path: &Path) -> Self {
        Self::new(path, Repr::UnknownFormat)
    }

    pub(super) fn empty(path: &Path) -> Self {
        Self::new(path, Repr::Empty)
    }

    pub(super) fn parse(path: &Path, format: Format, message: String) -> Self {
        Self::new(path, Repr::Parse { format, message })
    }

    pub(super) fn env(path: &Path, err: EnvError) -> Self {
        Self::new(path, Repr::Env(err))
    }

    pub(super) fn config(path: &Path, err: ConfigError) -> Self {
        Self::new(path, Repr::Config(err))
    }

    pub(super) fn watch(path: &Path, err: notify::Error) -> Self {
        Self::new(path, Repr::Watch(Arc::new(err)))
    }

    pub(super) fn missing(path: &Path, missing: &Path) -> Self {
        Self::new(path, Repr::Missing(missing.to_owned()))
    }

    /// The policy file, as [`ConfigWatcher::path`](super::ConfigWatcher::path) gives it.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What went wrong.
    pub fn kind(&self) -> WatchErrorKind {
        match self.repr {
            Repr::Read(_) => WatchErrorKind::Read,
            Repr::TooLarge { .. } => WatchErrorKind::TooLarge,
            Repr::UnknownFormat => WatchErrorKind::UnknownFormat,
            Repr::Empty => WatchErrorKind::Empty,
            Repr::Parse { .. } => WatchErrorKind::Parse,
            Repr::Env(_) => WatchErrorKind::Env,
            Repr::Config(_) => WatchErrorKind::Config,
            Repr::Watch(_) | Repr::Missing(_) => WatchErrorKind::Watch,
        }
    }

    /// Every problem of a policy that does not build, when that is the error.
    pub fn config_error(&self) -> Option<&ConfigError> {
        match &self.repr {
            Repr::Config(err) => Some(err),
            _ => None,
        }
    }

    /// Every environment variable that could not be read, when that is the error.
    pub fn env_error(&self) -> Option<&EnvError> {
        match &self.repr {
            Repr::Env(err) => Some(err),
            _ => None,
        }
    }

    /// The problems, one line each, without the file's name: each configuration problem with
    /// its key (`allow_origins[1]: ...`), each environment variable, or the one reason the
    /// file could not be read or parsed.
    ///
    /// ```
    /// use std::io::Write;
    /// use tower_cors::watch::ConfigWatcher;
    ///
    /// let mut file = tempfile::Builder::new().suffix(".json").tempfile()?;
    /// write!(file, r#"{{"allow_origins": ["https://a.example"], "max_age": 60}}"#)?;
    /// let err = ConfigWatcher::builder(file.path()).start().unwrap_err();
    /// assert_eq!(err.problems().len(), 1);
    /// assert!(err.problems()[0].starts_with("not a valid JSON policy: unknown field `max_age`"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn problems(&self) -> Vec<String> {
        match &self.repr {
            Repr::Config(err) => err.problems().iter().map(ToString::to_string).collect(),
            Repr::Env(err) => err.problems().iter().map(ToString::to_string).collect(),
            _ => vec![Detail(&self.repr).to_string()],
        }
    }
}

/// The part of the message after the file's name, on one line for the single-problem kinds.
struct Detail<'a>(&'a Repr);

impl fmt::Display for Detail<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Repr::Read(err) => write!(f, "cannot read the file: {err}"),
            Repr::TooLarge { limit } => write!(
                f,
                "the file is larger than {limit} bytes, the limit set by max_file_size"
            ),
            Repr::UnknownFormat => f.write_str(
                "cannot tell the format from the extension; use .toml, .json, .yaml or .yml, or set the format",
            ),
            Repr::Empty => f.write_str(
                "the file is empty; a policy that allows no origin is written allow_origins = []",
            ),
            Repr::Parse { format, message } => write!(f, "not a valid {format} policy: {message}"),
            Repr::Env(err) => write!(f, "{err}"),
            Repr::Config(err) => write!(f, "{err}"),
            Repr::Watch(err) => write!(f, "cannot watch the file's directory: {err}"),
            Repr::Missing(missing) => write!(
                f,
                "cannot watch the file's directory: {} does not exist",
                missing.display()
            ),
        }
    }
}

impl fmt::Display for WatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), Detail(&self.repr))
    }
}

impl Error for WatchError {
    /// The cause of the error underneath, when there is one. The error underneath is not
    /// returned itself: its text is already in this error's `Display`, and error reporters
    /// (`anyhow`, `eyre`) that print each source would print it twice.
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match &self.repr {
            Repr::Read(err) => err.source(),
            Repr::Env(err) => err.source(),
            Repr::Config(err) => err.source(),
            Repr::Watch(err) => err.source(),
            Repr::TooLarge { .. }
            | Repr::UnknownFormat
            | Repr::Empty
            | Repr::Parse { .. }
            | Repr::Missing(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What an error reporter prints: the error, then each source in turn.
    fn report(err: &dyn Error) -> Vec<String> {
        let mut lines = vec![err.to_string()];
        let mut next = err.source();
        while let Some(source) = next {
            lines.push(source.to_string());
            next = source.source();
        }
        lines
    }

    #[test]
    fn a_reporter_prints_each_message_once() {
        let path = Path::new("/etc/cors/cors.toml");
        let inner = io::Error::new(io::ErrorKind::PermissionDenied, "permission denied");
        let lines = report(&WatchError::read(path, inner));
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(lines[0].contains("permission denied"), "{lines:?}");

        let config = crate::CorsLayer::builder()
            .allow_origin("https://a.example/")
            .build()
            .unwrap_err();
        let lines = report(&WatchError::config(path, config));
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(lines[0].contains("has a trailing slash"), "{lines:?}");
    }
}
