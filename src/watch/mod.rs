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
//! ([`WatchBuilder::format`] to set it). Watching the directory rather than the file follows
//! every way a file is replaced: written in place, renamed over by an editor or a deployment
//! tool, or swapped by Kubernetes, which updates a mounted ConfigMap by pointing its `..data`
//! symlink at a new directory (a ConfigMap mounted with `subPath` is never updated at all).
//! Events that leave the contents as they were (a `touch`, a change to another file of the
//! directory) cause no reload.
//!
//! The watcher runs on a thread of its own and needs no async runtime. Dropping the
//! [`ConfigWatcher`] stops it: no reload happens after the drop returns.
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

use notify::event::{AccessKind, AccessMode, EventKind};
use notify::{RecommendedWatcher, RecursiveMode, Watcher};

use crate::layer::CorsLayer;
use crate::reload::ReloadHandle;

mod builder;
mod error;
mod load;
mod worker;

pub use builder::WatchBuilder;
pub use error::{WatchError, WatchErrorKind};
pub use load::Format;

use worker::Message;

impl CorsLayer {
    /// Reads and builds the policy file at `path` and keeps the layer in step with it: the
    /// same as `ConfigWatcher::builder(path).start()` ([`WatchBuilder::start`]), which has the
    /// options (format, debounce, a callback, an environment overlay).
    ///
    /// Keep the [`ConfigWatcher`] for as long as the file should be followed.
    ///
    /// # Errors
    ///
    /// A [`WatchError`] when the file cannot be read, parsed or built, when its extension
    /// names no format, or when its directory cannot be watched.
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
    events: RecommendedWatcher,
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
    /// the file stays invalid.
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
        // No more events, then the thread's last message; it ends after the check in hand.
        drop(running.events);
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
}

/// What happened after a change of the file, given to [`WatchBuilder::on_event`].
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
}

/// Whether a file-system event may have changed the file. Opening and reading it (as the
/// watcher itself does) cannot; a failed watch (an overflowing event queue) may have missed
/// anything.
fn may_change(event: &notify::Result<notify::Event>) -> bool {
    match event {
        Ok(event) => match event.kind {
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
            EventKind::Access(_) => false,
            _ => true,
        },
        Err(_) => true,
    }
}

/// The directory to watch for `path`: its parent, or the current directory.
fn directory_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// Starts watching the directory of `path`, sending a [`Message::Changed`] for every event
/// that may change the file (dropped when one is already waiting: the check it causes reads
/// the latest contents anyway).
fn watch_directory(
    path: &Path,
    messages: mpsc::SyncSender<Message>,
) -> Result<RecommendedWatcher, WatchError> {
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if may_change(&event) {
            let _ = messages.try_send(Message::Changed);
        }
    })
    .map_err(|err| WatchError::watch(path, err))?;
    watcher
        .watch(directory_of(path), RecursiveMode::NonRecursive)
        .map_err(|err| WatchError::watch(path, err))?;
    Ok(watcher)
}

/// The longest debounce: longer ones are taken as this.
const MAX_DEBOUNCE: Duration = Duration::from_secs(3600);

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{CreateKind, ModifyKind};

    #[test]
    fn reading_the_file_is_not_a_change() {
        let event = |kind| Ok(notify::Event::new(kind));
        assert!(!may_change(&event(EventKind::Access(AccessKind::Open(
            notify::event::AccessMode::Any
        )))));
        assert!(!may_change(&event(EventKind::Access(AccessKind::Close(
            AccessMode::Read
        )))));
        assert!(may_change(&event(EventKind::Access(AccessKind::Close(
            AccessMode::Write
        )))));
        assert!(may_change(&event(EventKind::Create(CreateKind::File))));
        assert!(may_change(&event(EventKind::Modify(ModifyKind::Any))));
        assert!(may_change(&Err(notify::Error::generic("queue overflow"))));
    }

    #[test]
    fn a_bare_file_name_is_in_the_current_directory() {
        assert_eq!(directory_of(Path::new("cors.toml")), Path::new("."));
        assert_eq!(
            directory_of(Path::new("/etc/cors/cors.toml")),
            Path::new("/etc/cors")
        );
    }
}
