//! Reloading the policy from a configuration file when the file changes (feature `watch`).
//!
//! A [`ConfigWatcher`] reads a [`CorsConfig`](crate::CorsConfig) file and builds it once when
//! it starts (every problem is returned), then watches the file's directory. After each burst
//! of changes it reads the file again and, if the contents differ from what it last read,
//! parses and builds them with every check of [`CorsConfig::build`](crate::CorsConfig::build)
//! and swaps the new policy in through a [`ReloadHandle`]. A file that does not parse or build
//! changes nothing: the previous policy stays in force, and the refusal is reported, as a
//! [`WatchEvent::Refused`] to [`WatchBuilder::on_event`], in [`ConfigWatcher::status`], and
//! with the `tracing` feature as an `ERROR` event naming the file and every problem.
//!
//! The format comes from the extension: `.toml`, `.json`, `.yaml` or `.yml`
//! ([`WatchBuilder::format`] to set it).
//!
//! # Following the path
//!
//! The path is followed as it was given, not the file it led to at the start. The watcher
//! watches the file's directory and the directory above it, and the directory holding each
//! symlink on the path; when one of them, or a symlink, is moved, removed or replaced, it
//! resolves the path again and watches where it now leads. That follows every way a file is
//! replaced: written in place, renamed over by an editor or a deployment tool, a release
//! directory behind a symlink switched to another (`current -> releases/2`, as Capistrano
//! does), a directory renamed away and made again, or a Kubernetes ConfigMap, which is
//! updated by pointing its `..data` symlink at a new directory (a ConfigMap mounted with
//! `subPath` is never updated at all). Events that leave the contents as they were (a
//! `touch`, a change to another file of the directory) cause no reload.
//!
//! In case an event is missed (a directory higher up replaced, a file system that reports
//! no changes), the file is also read every [`WatchBuilder::poll_interval`] (5 seconds by
//! default). When a directory on the path is missing, or the system refuses to watch one,
//! the watch is lost: that is reported as a [`WatchEvent::Lost`], in
//! [`WatchStatus::watch_error`], and with the `tracing` feature as an `ERROR` event; the
//! periodic check goes on, and the watch is taken up again (a [`WatchEvent::Restored`]) as
//! soon as the path can be watched.
//!
//! # Replacing the file
//!
//! **Write the new version to a temporary file in the same directory, then rename it over
//! the policy file.** The rename replaces the whole file at once. A file rewritten in place
//! is read only once its writer closes it (where the system reports that: Linux and Android;
//! elsewhere, once it has not changed for the debounce), and every version is read twice, a
//! [`debounce`](WatchBuilder::debounce) apart, and used only if both reads agree. A prefix
//! of a policy file can be valid and broader than the whole (a `[[policies]]` entry cut
//! before its `paths` applies to every path); these rules keep a writer that pauses from
//! having its prefix swapped in, but only the rename makes the change atomic.
//!
//! Only regular files are read: a FIFO or a device put in the file's place is refused
//! without being waited on.
//!
//! # Example
//!
//! ```
//! use std::time::{Duration, Instant};
//! use http::{header, Request};
//! use tower_cors::CorsLayer;
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("cors.toml");
//! std::fs::write(&path, r#"allow_origins = ["https://app.example.com"]"#)?;
//!
//! // Read and built once, here: an invalid file is an error now, not a surprise later.
//! let (layer, watcher) = CorsLayer::from_file_watched(&path)?;
//! let from = |origin| Request::get("/").header(header::ORIGIN, origin).body(()).unwrap();
//! assert!(layer.decide(&from("https://app.example.com")).is_allowed());
//! assert!(!layer.decide(&from("https://admin.example.com")).is_allowed());
//!
//! // A deployment replaces the file (written aside, then renamed over it).
//! let next = dir.path().join("cors.toml.new");
//! std::fs::write(&next, r#"allow_origins = ["https://app.example.com", "https://admin.example.com"]"#)?;
//! std::fs::rename(&next, &path)?;
//!
//! // The layer, and every service it made, follows.
//! let deadline = Instant::now() + Duration::from_secs(10);
//! while !layer.decide(&from("https://admin.example.com")).is_allowed() {
//!     assert!(Instant::now() < deadline, "not reloaded: {:?}", watcher.status());
//!     std::thread::sleep(Duration::from_millis(20));
//! }
//! assert_eq!(watcher.status().reloads(), 1);
//! drop(watcher); // stops watching
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::builder::reload::ReloadHandle;
use crate::layer::CorsLayer;

mod builder;
mod error;
mod follow;
mod load;
mod worker;

pub use builder::WatchBuilder;
pub use error::{WatchError, WatchErrorKind};
pub use load::Format;

use worker::Message;

impl CorsLayer {
    /// Reads and builds the policy file at `path` and keeps the layer in step with it: the
    /// same as `ConfigWatcher::builder(path).start()` ([`WatchBuilder::start`]), which has the
    /// options (format, debounce, poll interval, a callback, an environment overlay).
    ///
    /// Keep the [`ConfigWatcher`] for as long as the file should be followed.
    ///
    /// # Errors
    ///
    /// A [`WatchError`] when the file cannot be read, parsed or built, when its extension
    /// names no format, or when its directory is missing or cannot be watched.
    ///
    /// ```
    /// use tower_cors::CorsLayer;
    ///
    /// let mut file = tempfile::Builder::new().suffix(".yaml").tempfile()?;
    /// std::io::Write::write_all(&mut file, b"allow_origins: [\"https://app.example.com\"]\n")?;
    /// let (layer, watcher) = CorsLayer::from_file_watched(file.path())?;
    /// assert!(layer.warnings().is_empty());
    /// assert_eq!(watcher.status().reloads(), 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_file_watched(
        path: impl Into<PathBuf>,
    ) -> Result<(CorsLayer, ConfigWatcher), WatchError> {
        ConfigWatcher::builder(path).start()
    }
}

impl ReloadHandle {
    /// Reads and builds the policy file at `path`, makes it the policy of this handle's layer,
    /// and keeps it in step with the file: the same as
    /// `ConfigWatcher::builder(path).watch(handle)` ([`WatchBuilder::watch`]).
    ///
    /// # Errors
    ///
    /// See [`CorsLayer::from_file_watched`]; the layer's policy is then unchanged.
    ///
    /// ```
    /// use http::{header, Request};
    /// use tower_cors::CorsLayer;
    ///
    /// let (layer, handle) = CorsLayer::builder().allow_origin("https://old.example").build()?.reloadable();
    /// let mut file = tempfile::Builder::new().suffix(".json").tempfile()?;
    /// std::io::Write::write_all(&mut file, br#"{"allow_origins": ["https://new.example"]}"#)?;
    /// let watcher = handle.watch_file(file.path())?;
    /// let request = Request::get("/").header(header::ORIGIN, "https://new.example").body(())?;
    /// assert!(layer.decide(&request).is_allowed());
    /// # drop(watcher);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn watch_file(&self, path: impl Into<PathBuf>) -> Result<ConfigWatcher, WatchError> {
        ConfigWatcher::builder(path).watch(self)
    }
}

/// Follows a policy file: made by [`WatchBuilder::start`] or [`WatchBuilder::watch`] (or
/// [`CorsLayer::from_file_watched`], [`ReloadHandle::watch_file`]).
///
/// It tells how the watch goes ([`ConfigWatcher::status`]) and stops the watch when dropped;
/// the drop waits for a reload in progress to finish, so no policy is swapped in after it.
/// See the [module documentation](self) for an example.
#[must_use = "the file is watched only while the ConfigWatcher is kept"]
pub struct ConfigWatcher {
    path: PathBuf,
    handle: ReloadHandle,
    status: Arc<Mutex<WatchStatus>>,
    running: Option<Running>,
}

/// The parts of a running watch, taken apart in order when it stops.
struct Running {
    messages: mpsc::SyncSender<Message>,
    thread: JoinHandle<()>,
}

impl ConfigWatcher {
    /// The options of a watch of the policy file at `path`; nothing is read until
    /// [`WatchBuilder::start`] or [`WatchBuilder::watch`].
    pub fn builder(path: impl Into<PathBuf>) -> WatchBuilder {
        WatchBuilder::new(path.into())
    }

    /// The policy file (made absolute, when given relative to the current directory).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The handle the watcher swaps policies with: the layer follows the file, and may also be
    /// reloaded by hand (until the file changes again).
    pub fn reload_handle(&self) -> &ReloadHandle {
        &self.handle
    }

    /// How the watch has gone so far: reloads, refusals, and the last refusal's error while
    /// the file stays invalid; lost watches, and why while the path is not watched.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// use tower_cors::watch::{ConfigWatcher, WatchErrorKind};
    ///
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("cors.toml");
    /// std::fs::write(&path, r#"allow_origins = ["https://app.example.com"]"#)?;
    /// let (layer, watcher) = ConfigWatcher::builder(&path).start()?;
    ///
    /// std::fs::write(&path, r#"allow_origins = ["https://app.example.com/"]"#)?;
    /// let deadline = Instant::now() + Duration::from_secs(10);
    /// while watcher.status().refusals() == 0 {
    ///     assert!(Instant::now() < deadline, "no refusal");
    ///     std::thread::sleep(Duration::from_millis(20));
    /// }
    /// let status = watcher.status();
    /// let error = status.last_error().unwrap();
    /// assert_eq!(error.kind(), WatchErrorKind::Config);
    /// assert!(error.problems()[0].starts_with("allow_origins[0]: \"https://app.example.com/\" has a trailing slash"));
    /// assert_eq!(status.reloads(), 0);
    /// # let _ = layer;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn status(&self) -> WatchStatus {
        self.status
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn stop(&mut self) {
        let Some(running) = self.running.take() else {
            return;
        };
        // The thread's last message: it ends after the check in hand, and its watch with it.
        let _ = running.messages.send(Message::Stop);
        if running.thread.thread().id() != std::thread::current().id() {
            let _ = running.thread.join();
        }
    }
}

impl Drop for ConfigWatcher {
    fn drop(&mut self) {
        self.stop();
    }
}

impl fmt::Debug for ConfigWatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigWatcher")
            .field("path", &self.path)
            .field("status", &self.status())
            .field("running", &self.running.is_some())
            .finish_non_exhaustive()
    }
}

/// How a watch has gone: a snapshot taken by [`ConfigWatcher::status`]. The initial read is
/// not counted.
#[derive(Debug, Clone, Default)]
pub struct WatchStatus {
    reloads: u64,
    refusals: u64,
    last_error: Option<WatchError>,
    lost_watches: u64,
    watch_error: Option<WatchError>,
}

impl WatchStatus {
    /// How many times a changed file was swapped in.
    pub fn reloads(&self) -> u64 {
        self.reloads
    }

    /// How many times a changed file was refused, the previous policy staying in force.
    pub fn refusals(&self) -> u64 {
        self.refusals
    }

    /// Why the file, as it was last read, was refused; `None` once a later version is swapped
    /// in (and before any refusal).
    pub fn last_error(&self) -> Option<&WatchError> {
        self.last_error.as_ref()
    }

    /// How many times the watch was lost ([`WatchEvent::Lost`]).
    pub fn lost_watches(&self) -> u64 {
        self.lost_watches
    }

    /// Why the file's path is not watched right now (a
    /// [`WatchErrorKind::Watch`] error: a directory on it is missing,
    /// or the system refused to watch it), while only the periodic check follows the file;
    /// `None` while it is watched.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// use tower_cors::watch::{ConfigWatcher, WatchErrorKind};
    ///
    /// let dir = tempfile::tempdir()?;
    /// std::fs::create_dir(dir.path().join("conf"))?;
    /// let path = dir.path().join("conf/cors.toml");
    /// std::fs::write(&path, r#"allow_origins = ["https://app.example.com"]"#)?;
    /// let (_layer, watcher) = ConfigWatcher::builder(&path).start()?;
    /// assert!(watcher.status().watch_error().is_none());
    ///
    /// std::fs::rename(dir.path().join("conf"), dir.path().join("old"))?;
    /// let deadline = Instant::now() + Duration::from_secs(10);
    /// while watcher.status().watch_error().is_none() {
    ///     assert!(Instant::now() < deadline, "the loss is not reported");
    ///     std::thread::sleep(Duration::from_millis(20));
    /// }
    /// let status = watcher.status();
    /// assert_eq!(status.watch_error().unwrap().kind(), WatchErrorKind::Watch);
    /// assert!(status.watch_error().unwrap().to_string().ends_with("conf does not exist"));
    /// assert_eq!(status.lost_watches(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn watch_error(&self) -> Option<&WatchError> {
        self.watch_error.as_ref()
    }
}

/// What happened to a watched file, given to [`WatchBuilder::on_event`].
#[derive(Debug)]
#[non_exhaustive]
pub enum WatchEvent<'a> {
    /// The file changed and its policy is now in force.
    Reloaded {
        /// The policy file.
        path: &'a Path,
        /// The new policy (its [`warnings`](CorsLayer::warnings), for instance).
        layer: &'a CorsLayer,
    },
    /// The file changed but cannot be used; the previous policy stays in force.
    Refused {
        /// Why, with the file's name and every problem.
        error: &'a WatchError,
    },
    /// The file's path can no longer be watched: a directory on it is missing, or the system
    /// refused to watch it. Until a [`Restored`](Self::Restored), changes are noticed only by
    /// the check every [`WatchBuilder::poll_interval`].
    Lost {
        /// Why, a [`WatchErrorKind::Watch`] error.
        error: &'a WatchError,
    },
    /// The file's path is watched again after a [`Lost`](Self::Lost).
    Restored {
        /// The policy file.
        path: &'a Path,
    },
}

/// The longest debounce: longer ones are taken as this.
const MAX_DEBOUNCE: Duration = Duration::from_secs(3600);
