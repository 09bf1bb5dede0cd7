//! The options of a watch, and starting it.

use std::fmt;
use std::path::PathBuf;
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use super::error::WatchError;
use super::follow::{Follower, Interest};
use super::load::{Format, Source};
use super::worker::{Callback, Worker};
use super::{ConfigWatcher, Running, WatchEvent, WatchStatus, MAX_DEBOUNCE};
use crate::builder::reload::ReloadHandle;
use crate::config::CorsConfig;
use crate::layer::CorsLayer;

/// The shortest poll interval: shorter ones are taken as this.
const MIN_POLL: Duration = Duration::from_millis(10);

/// The options of a [`ConfigWatcher`], made by [`ConfigWatcher::builder`].
///
/// ```
/// use std::time::Duration;
/// use tower_cors::watch::{ConfigWatcher, Format, WatchEvent};
///
/// let mut file = tempfile::NamedTempFile::new()?; // no extension: the format is set
/// std::io::Write::write_all(&mut file, b"allow_origins = \"https://app.example.com\"\n")?;
/// let (layer, watcher) = ConfigWatcher::builder(file.path())
///     .format(Format::Toml)
///     .debounce(Duration::from_millis(250))
///     .poll_interval(Duration::from_secs(30))
///     .on_event(|event| match event {
///         WatchEvent::Reloaded { path, .. } => eprintln!("reloaded {}", path.display()),
///         WatchEvent::Refused { error } => eprintln!("refused {error}"),
///         WatchEvent::Lost { error } => eprintln!("no longer watched: {error}"),
///         _ => {}
///     })
///     .start()?;
/// # let _ = (layer, watcher);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub struct WatchBuilder {
    path: PathBuf,
    format: Option<Format>,
    debounce: Duration,
    poll: Duration,
    max_file_size: u64,
    env_prefix: Option<String>,
    callback: Option<Callback>,
}

impl WatchBuilder {
    pub(super) fn new(path: PathBuf) -> Self {
        Self {
            path,
            format: None,
            debounce: Duration::from_millis(100),
            poll: Duration::from_secs(5),
            max_file_size: 16 * 1024 * 1024,
            env_prefix: None,
            callback: None,
        }
    }

    /// The file's format, whatever its extension; without it the extension tells
    /// ([`Format::from_path`]), and a file with another extension cannot be watched.
    pub fn format(mut self, format: Format) -> Self {
        self.format = Some(format);
        self
    }

    /// How long the directory must stay quiet after a change before the file is read (100 ms
    /// by default), so that a burst of events (an editor's save, a ConfigMap update) causes
    /// one read; during a steady stream of changes the file is still read every ten times
    /// this. It is also the time between the two reads that must agree before a version is
    /// used, so a change takes at least twice this to be swapped in. At most an hour.
    pub fn debounce(mut self, quiet: Duration) -> Self {
        self.debounce = quiet.min(MAX_DEBOUNCE);
        self
    }

    /// How often the file is read even when no event says it changed (every 5 seconds by
    /// default): the fallback for an event that is missed (a directory above the watched
    /// ones replaced, a file system that reports no changes, a lost watch), and the time by
    /// which a lost watch is taken up again. A version found this way is used, as any other,
    /// once a second read a debounce later agrees. Between 10 ms and an hour.
    ///
    /// ```
    /// use std::time::Duration;
    /// use tower_cors::watch::ConfigWatcher;
    ///
    /// let builder = ConfigWatcher::builder("cors.toml").poll_interval(Duration::ZERO);
    /// assert!(format!("{builder:?}").contains("poll_interval: 10ms"));
    /// ```
    pub fn poll_interval(mut self, every: Duration) -> Self {
        self.poll = every.clamp(MIN_POLL, MAX_DEBOUNCE);
        self
    }

    /// The largest file read, in bytes (16 MiB by default); a larger one is refused
    /// ([`WatchErrorKind::TooLarge`](super::WatchErrorKind::TooLarge)).
    pub fn max_file_size(mut self, bytes: u64) -> Self {
        self.max_file_size = bytes;
        self
    }

    /// Applies the `PREFIX_KEY` environment variables on top of the file at every read, as
    /// [`CorsConfig::merge_env`] does. The variables are read once, when the watch starts; as
    /// everywhere, they set the keys of the top-level policy only, never those of a
    /// `policies` entry.
    ///
    /// ```
    /// use tower_cors::watch::{ConfigWatcher, WatchErrorKind};
    ///
    /// let mut file = tempfile::Builder::new().suffix(".toml").tempfile()?;
    /// std::io::Write::write_all(&mut file, b"allow_origins = \"https://app.example.com\"\n")?;
    /// // A misspelt variable is found when the watch starts.
    /// std::env::set_var("DOCTEST_WATCH_ALLOW_ORIGIN", "https://b.example");
    /// let err = ConfigWatcher::builder(file.path()).env_prefix("DOCTEST_WATCH").start().unwrap_err();
    /// assert_eq!(err.kind(), WatchErrorKind::Env);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn env_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.env_prefix = Some(prefix.into());
        self
    }

    /// Calls `callback` on the watcher's thread after every change of the file that was
    /// swapped in or refused (not for the initial read, whose error is returned). A callback
    /// that panics is not called again.
    pub fn on_event<F>(mut self, callback: F) -> Self
    where
        F: FnMut(&WatchEvent<'_>) + Send + 'static,
    {
        self.callback = Some(Box::new(callback));
        self
    }

    /// Reads and builds the file, and starts watching it: returns a reloadable layer with the
    /// file's policy, which follows the file for as long as the [`ConfigWatcher`] is kept.
    ///
    /// # Errors
    ///
    /// A [`WatchError`] when the file cannot be read, parsed or built, when its format is
    /// unknown, when an environment variable of [`env_prefix`](Self::env_prefix) is wrong, or
    /// when its directory is missing or cannot be watched.
    pub fn start(self) -> Result<(CorsLayer, ConfigWatcher), WatchError> {
        let (watcher, layer) = self.begin(|layer| {
            let (layer, handle) = layer.reloadable();
            (handle, layer)
        })?;
        Ok((layer, watcher))
    }

    /// Reads and builds the file, makes it the policy of `handle`'s layer, and starts
    /// watching it.
    ///
    /// # Errors
    ///
    /// See [`start`](Self::start). When the file cannot be read or built the layer's policy
    /// is unchanged (if only the watcher's thread cannot be started, the file's policy is in
    /// force, but not followed).
    pub fn watch(self, handle: &ReloadHandle) -> Result<ConfigWatcher, WatchError> {
        let (watcher, ()) = self.begin(|layer| {
            handle.replace(&layer);
            (handle.clone(), ())
        })?;
        Ok(watcher)
    }

    /// Watches the path, then reads and builds the file (so that no change after the
    /// read is missed), hands the layer to `install`, and starts the thread.
    fn begin<T>(
        self,
        install: impl FnOnce(CorsLayer) -> (ReloadHandle, T),
    ) -> Result<(ConfigWatcher, T), WatchError> {
        // Absolute, so that a later change of the current directory changes nothing.
        let path =
            std::path::absolute(&self.path).map_err(|err| WatchError::read(&self.path, err))?;
        let format = match self.format.or_else(|| Format::from_path(&path)) {
            Some(format) => format,
            None => return Err(WatchError::unknown_format(&path)),
        };
        let env = match self.env_prefix {
            Some(prefix) => {
                // Every variable with the prefix must be readable, now.
                CorsConfig::default()
                    .merge_env(&prefix)
                    .map_err(|err| WatchError::env(&path, err))?;
                let vars = std::env::vars_os()
                    .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                    .collect();
                Some((prefix, vars))
            }
            None => None,
        };
        let source = Source {
            path: path.clone(),
            format,
            max_size: self.max_file_size,
            env,
        };

        let (messages, received) = mpsc::sync_channel(16);
        let interest = Arc::new(Mutex::new(Interest::default()));
        let mut follower = Follower::new(path.clone(), messages.clone(), interest.clone());
        if let (_, Some(err)) = follower.follow() {
            return Err(err);
        }
        let contents = source.read()?;
        let (handle, made) = install(source.build(&contents)?);

        let status = Arc::new(Mutex::new(WatchStatus::default()));
        let worker = Worker {
            source,
            handle: handle.clone(),
            debounce: self.debounce,
            poll: self.poll,
            status: status.clone(),
            callback: self.callback,
            follower,
            interest,
            seen: Ok(contents),
            lost: None,
        };
        let thread = std::thread::Builder::new()
            .name("tower-cors-watch".to_owned())
            .spawn(move || worker.run(&received))
            .map_err(|err| WatchError::watch(&path, notify::Error::io(err)))?;
        let watcher = ConfigWatcher {
            path,
            handle,
            status,
            running: Some(Running { messages, thread }),
        };
        Ok((watcher, made))
    }
}

impl fmt::Debug for WatchBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WatchBuilder")
            .field("path", &self.path)
            .field("format", &self.format)
            .field("debounce", &self.debounce)
            .field("poll_interval", &self.poll)
            .field("max_file_size", &self.max_file_size)
            .field("env_prefix", &self.env_prefix)
            .field("on_event", &self.callback.is_some())
            .finish()
    }
}
