//! Reading a policy file: its format, its contents (bounded in size), and the layer they
//! build.

use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use super::error::WatchError;
use crate::config::CorsConfig;
use crate::layer::CorsLayer;

/// The format of a policy file: a [`CorsConfig`] in TOML, JSON or YAML.
///
/// ```
/// use tower_cors::watch::Format;
///
/// assert_eq!(Format::from_path("/etc/cors/cors.toml"), Some(Format::Toml));
/// assert_eq!(Format::from_path("cors.JSON"), Some(Format::Json));
/// assert_eq!(Format::from_path("cors.yml"), Some(Format::Yaml));
/// assert_eq!(Format::from_path("cors.conf"), None);
/// assert_eq!(Format::Yaml.to_string(), "YAML");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// TOML, with the keys at the top level and `[[policies]]` tables.
    Toml,
    /// JSON: one object.
    Json,
    /// YAML: one document (quote the wildcard: `allow_origins: "*"`).
    Yaml,
}

impl Format {
    /// The format named by the extension of `path`: `.toml`, `.json`, `.yaml` or `.yml`, in
    /// any case.
    pub fn from_path(path: impl AsRef<Path>) -> Option<Self> {
        let extension = path.as_ref().extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "toml" => Some(Self::Toml),
            "json" => Some(Self::Json),
            "yaml" | "yml" => Some(Self::Yaml),
            _ => None,
        }
    }

    /// Parses `text` into a configuration; the error is one line, with the place when the
    /// parser knows it.
    fn parse(self, text: &str) -> Result<CorsConfig, String> {
        match self {
            Self::Toml => toml::from_str(text).map_err(|err| {
                let message = err
                    .message()
                    .trim_end()
                    .lines()
                    .collect::<Vec<_>>()
                    .join(", ");
                match err.span() {
                    Some(span) => {
                        let (line, column) = line_and_column(text, span.start);
                        format!("{message} at line {line}, column {column}")
                    }
                    None => message,
                }
            }),
            Self::Json => serde_json::from_str(text).map_err(|err| {
                let text = err.to_string();
                let suffix = format!(" at line {} column {}", err.line(), err.column());
                match text.strip_suffix(&suffix) {
                    Some(message) if err.line() > 0 => {
                        format!("{message} at line {}, column {}", err.line(), err.column())
                    }
                    _ => text,
                }
            }),
            Self::Yaml => {
                let options = serde_saphyr::options! { with_snippet: false };
                serde_saphyr::from_str_with_options(text, options)
                    .map_err(|err| err.to_string().trim_end().replace('\n', " "))
            }
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Toml => "TOML",
            Self::Json => "JSON",
            Self::Yaml => "YAML",
        })
    }
}

/// The 1-based line and column (in characters) of byte `offset` in `text`.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |at| at + 1);
    (line, before[start..].chars().count() + 1)
}

fn not_regular() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, "not a regular file")
}

/// Opens `path` for reading without waiting for anything (a FIFO with no writer would make
/// a plain open wait forever), and refuses what is not a regular file once opened.
fn open_regular(path: &Path) -> io::Result<(File, std::fs::Metadata)> {
    let mut options = File::options();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let file = options.open(path)?;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(not_regular());
    }
    Ok((file, metadata))
}

/// Where a policy comes from, and how it is read.
pub(super) struct Source {
    pub(super) path: PathBuf,
    pub(super) format: Format,
    pub(super) max_size: u64,
    /// The prefix of the environment overlay, and the environment as it was at the start.
    pub(super) env: Option<(String, Vec<(String, String)>)>,
}

impl Source {
    /// The file's contents, at most `max_size` bytes of a regular file (so that neither a huge
    /// file nor a FIFO can hold the watcher up).
    pub(super) fn read(&self) -> Result<Vec<u8>, WatchError> {
        let fail = |err| WatchError::read(&self.path, err);
        // Checked once opened: a check of the path before could be answered by another file.
        let (file, metadata) = open_regular(&self.path).map_err(fail)?;
        if metadata.len() > self.max_size {
            return Err(WatchError::too_large(&self.path, self.max_size));
        }
        let mut contents = Vec::new();
        file.take(self.max_size.saturating_add(1))
            .read_to_end(&mut contents)
            .map_err(fail)?;
        // The file may have grown between the two looks.
        if contents.len() as u64 > self.max_size {
            return Err(WatchError::too_large(&self.path, self.max_size));
        }
        Ok(contents)
    }

    /// Parses the contents (refusing an empty file), applies the environment overlay, and
    /// builds the layer with every check of [`CorsConfig::build`].
    pub(super) fn build(&self, contents: &[u8]) -> Result<CorsLayer, WatchError> {
        let text = std::str::from_utf8(contents).map_err(|err| {
            let message = format!("not UTF-8 (at byte {})", err.valid_up_to());
            WatchError::parse(&self.path, self.format, message)
        })?;
        if text.trim().is_empty() {
            return Err(WatchError::empty(&self.path));
        }
        let mut config = self
            .format
            .parse(text)
            .map_err(|message| WatchError::parse(&self.path, self.format, message))?;
        if let Some((prefix, vars)) = &self.env {
            let vars = vars.iter().map(|(k, v)| (k.as_str(), v.as_str()));
            config = config
                .merge_vars(prefix, vars)
                .map_err(|err| WatchError::env(&self.path, err))?;
        }
        config
            .build()
            .map_err(|err| WatchError::config(&self.path, err))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_counted_in_characters_from_one() {
        assert_eq!(line_and_column("ab\ncd", 0), (1, 1));
        assert_eq!(line_and_column("ab\ncd", 4), (2, 2));
        assert_eq!(line_and_column("é\nx", 1), (1, 1));
        assert_eq!(line_and_column("ab", 99), (1, 3));
    }

    #[test]
    fn parse_errors_are_one_line_with_their_place() {
        let toml = Format::Toml.parse("allow_origins = [\n  \"a\",\n  3\n]\n");
        let toml = toml.unwrap_err();
        assert!(
            !toml.contains('\n') && toml.ends_with("at line 3, column 3"),
            "{toml}"
        );
        let json = Format::Json.parse("{\"allow_origins\": 3}").unwrap_err();
        assert!(json.ends_with("at line 1, column 19"), "{json}");
        let yaml = Format::Yaml.parse("allow_origins: [a\n").unwrap_err();
        assert!(!yaml.contains('\n') && yaml.contains("line 1"), "{yaml}");
        assert!(Format::Yaml.parse("allow_origins: \"*\"\n").is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_waiting_for_a_writer() {
        use std::time::Duration;

        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("cors.toml");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.unwrap().success(), "mkfifo failed");
        let (sender, received) = std::sync::mpsc::channel();
        let opening = fifo.clone();
        std::thread::spawn(move || {
            let _ = sender.send(open_regular(&opening).map(|_| ()));
        });
        let opened = received.recv_timeout(Duration::from_secs(10));
        if opened.is_err() {
            // Lets the waiting open go before failing.
            let _ = std::fs::OpenOptions::new().write(true).open(&fifo);
        }
        let err = opened
            .expect("opening a FIFO waited for a writer")
            .unwrap_err();
        assert_eq!(err.to_string(), "not a regular file");
        // A regular file opens as before.
        let file = dir.path().join("file.toml");
        std::fs::write(&file, "x").unwrap();
        assert_eq!(open_regular(&file).unwrap().1.len(), 1);
    }
}
