//! Following the file's path as it was given: which directories to watch so that a replaced
//! file, directory or symlink on the path is noticed, and what their events mean.

use std::collections::{BTreeMap, HashSet};
use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex, PoisonError};

use notify::event::{AccessKind, AccessMode, EventKind, ModifyKind};
use notify::{RecommendedWatcher, RecursiveMode, Watcher};

use super::error::WatchError;
use super::worker::Message;

/// Whether the platform's watcher reports a file closed after writing (inotify does). Where
/// it does, a write alone is not a reason to read the file: its close is.
const CLOSE_EVENTS: bool = cfg!(any(target_os = "linux", target_os = "android"));

/// How many symlinks a path may go through, as the kernels allow.
const MAX_LINKS: usize = 40;

/// What an event of a watched directory means for the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Signal {
    /// Something on the path changed, or a writer is done with the file: read it, once the
    /// burst is over.
    Done,
    /// The file is being written in place: not to be read before its writer closes it.
    Wrote,
}

/// A directory, and what it is (device and inode), so that a directory put in the place of
/// another under the same name is told apart.
type Identity = Option<(u64, u64)>;

fn identity(dir: &Path) -> Identity {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(dir).ok().map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        None
    }
}

/// The result of resolving the path, one component and one symlink at a time.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Trace {
    /// The directories to watch: the one holding the file and its parent, and every one
    /// holding a symlink of the path.
    dirs: BTreeMap<PathBuf, Identity>,
    /// Every path met on the way: an event about any other entry of a watched directory
    /// does not concern the file.
    names: HashSet<PathBuf>,
    /// Where the file is, with every symlink resolved.
    pub(super) file: PathBuf,
    /// The first missing directory (or symlink) on the way, when the path leads nowhere.
    pub(super) missing: Option<PathBuf>,
}

enum Step {
    Prefix(OsString),
    Root,
    Up,
    Name(OsString),
}

fn steps(path: &Path) -> Vec<Step> {
    path.components()
        .filter_map(|component| match component {
            Component::Prefix(prefix) => Some(Step::Prefix(prefix.as_os_str().to_owned())),
            Component::RootDir => Some(Step::Root),
            Component::CurDir => None,
            Component::ParentDir => Some(Step::Up),
            Component::Normal(name) => Some(Step::Name(name.to_owned())),
        })
        .collect()
}

/// Resolves `path` (absolute) the way opening it does, noting what to watch.
pub(super) fn trace(path: &Path) -> Trace {
    fn watch(trace: &mut Trace, dir: &Path) {
        trace
            .dirs
            .entry(dir.to_owned())
            .or_insert_with(|| identity(dir));
    }
    let mut trace = Trace::default();
    let mut todo = steps(path);
    todo.reverse();
    let mut current = PathBuf::new();
    let mut links = 0;
    while let Some(step) = todo.pop() {
        let name = match step {
            Step::Prefix(prefix) => {
                current = PathBuf::from(prefix);
                continue;
            }
            Step::Root => {
                current.push(Component::RootDir.as_os_str());
                continue;
            }
            Step::Up => {
                current.pop();
                continue;
            }
            Step::Name(name) => name,
        };
        let next = current.join(&name);
        trace.names.insert(next.clone());
        let last = todo.is_empty();
        let target = match std::fs::symlink_metadata(&next) {
            Ok(meta) if meta.file_type().is_symlink() => std::fs::read_link(&next).ok(),
            Ok(_) => {
                current = next;
                continue;
            }
            Err(_) => None,
        };
        watch(&mut trace, &current);
        match target {
            Some(target) if links < MAX_LINKS => {
                links += 1;
                todo.extend(steps(&target).into_iter().rev());
            }
            // Missing (or looping): the file would be here. When only the file is missing,
            // its directory is watched as usual, to see it come back.
            _ if last => {
                current = next;
                break;
            }
            _ => {
                trace.missing = Some(next.clone());
                trace.file = next;
                return trace;
            }
        }
    }
    if let Some(dir) = current.parent() {
        watch(&mut trace, dir);
        if let Some(above) = dir.parent() {
            watch(&mut trace, above);
        }
    }
    trace.file = current;
    trace
}

/// What the watch of the directories tells the worker: shared with the event handler.
#[derive(Debug, Default)]
pub(super) struct Interest {
    names: HashSet<PathBuf>,
    file: PathBuf,
    /// The meaning of the latest event that concerns the file, until the worker takes it.
    signal: Option<Signal>,
}

impl Interest {
    /// What `event` means for the file; `None` when it does not concern it.
    pub(super) fn classify(&self, event: &notify::Result<notify::Event>) -> Option<Signal> {
        // A failed watch, or an overflowing queue, may have missed anything.
        let Ok(event) = event else {
            return Some(Signal::Done);
        };
        if !event.paths.is_empty() && !event.paths.iter().any(|p| self.names.contains(p)) {
            return None;
        }
        let on_file = event.paths.contains(&self.file);
        match event.kind {
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => Some(Signal::Done),
            EventKind::Access(_) => None,
            EventKind::Modify(ModifyKind::Data(_)) if CLOSE_EVENTS && on_file => {
                Some(Signal::Wrote)
            }
            // A regular file just created is being written: its close follows.
            EventKind::Create(_)
                if CLOSE_EVENTS
                    && on_file
                    && std::fs::symlink_metadata(&self.file).is_ok_and(|m| m.is_file()) =>
            {
                None
            }
            _ => Some(Signal::Done),
        }
    }

    /// Takes the meaning of the events since the last call.
    pub(super) fn take(interest: &Mutex<Self>) -> Option<Signal> {
        interest
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .signal
            .take()
    }
}

/// The watch of the directories of a [`Trace`], kept up to date as the path changes.
pub(super) struct Follower {
    path: PathBuf,
    interest: Arc<Mutex<Interest>>,
    messages: mpsc::SyncSender<Message>,
    trace: Trace,
    events: Option<RecommendedWatcher>,
    /// Why the watch is incomplete, when it is.
    failed: Option<WatchError>,
}

impl Follower {
    pub(super) fn new(
        path: PathBuf,
        messages: mpsc::SyncSender<Message>,
        interest: Arc<Mutex<Interest>>,
    ) -> Self {
        Self {
            path,
            interest,
            messages,
            trace: Trace::default(),
            events: None,
            failed: None,
        }
    }

    /// Resolves the path again and, when it now leads through other directories (or the last
    /// watch failed), watches them instead. Returns whether the file is now elsewhere, and
    /// why the path is not fully watched, when it is not.
    pub(super) fn follow(&mut self) -> (bool, Option<WatchError>) {
        let trace = trace(&self.path);
        let moved = trace.file != self.trace.file;
        if trace.dirs != self.trace.dirs || self.failed.is_some() || self.events.is_none() {
            // The new watch starts before the old one ends: no event falls between the two.
            let (events, failed) = self.watch(&trace);
            self.events = events;
            self.failed = failed;
        }
        {
            let mut interest = self.interest.lock().unwrap_or_else(PoisonError::into_inner);
            interest.names.clone_from(&trace.names);
            interest.file.clone_from(&trace.file);
        }
        self.trace = trace;
        let problem = match &self.trace.missing {
            Some(missing) => Some(WatchError::missing(&self.path, missing)),
            None => self.failed.clone(),
        };
        (moved, problem)
    }

    fn watch(&self, trace: &Trace) -> (Option<RecommendedWatcher>, Option<WatchError>) {
        let interest = self.interest.clone();
        let messages = self.messages.clone();
        let handler = move |event: notify::Result<notify::Event>| {
            let mut interest = interest.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(signal) = interest.classify(&event) {
                interest.signal = Some(signal);
                drop(interest);
                // When one is already waiting, the worker takes this signal with it.
                let _ = messages.try_send(Message::Changed);
            }
        };
        let mut events = match notify::recommended_watcher(handler) {
            Ok(events) => events,
            Err(err) => return (None, Some(WatchError::watch(&self.path, err))),
        };
        let mut failed = None;
        for dir in trace.dirs.keys() {
            if let Err(err) = events.watch(dir, RecursiveMode::NonRecursive) {
                failed.get_or_insert_with(|| WatchError::watch(&self.path, err));
            }
        }
        (Some(events), failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::CreateKind;

    fn interest(file: &str, others: &[&str]) -> Interest {
        let mut names: HashSet<PathBuf> = others.iter().map(PathBuf::from).collect();
        names.insert(PathBuf::from(file));
        Interest {
            names,
            file: PathBuf::from(file),
            signal: None,
        }
    }

    fn event(kind: EventKind, path: &str) -> notify::Result<notify::Event> {
        Ok(notify::Event::new(kind).add_path(PathBuf::from(path)))
    }

    #[test]
    fn only_events_on_the_path_concern_the_file() {
        let interest = interest("/srv/releases/2/cors.toml", &["/srv/current"]);
        let rename = EventKind::Modify(ModifyKind::Name(notify::event::RenameMode::To));
        assert_eq!(
            interest.classify(&event(rename, "/srv/current")),
            Some(Signal::Done)
        );
        assert_eq!(interest.classify(&event(rename, "/srv/other")), None);
        let closed = EventKind::Access(AccessKind::Close(AccessMode::Write));
        assert_eq!(
            interest.classify(&event(closed, "/srv/releases/2/cors.toml")),
            Some(Signal::Done)
        );
        let read = EventKind::Access(AccessKind::Close(AccessMode::Read));
        assert_eq!(
            interest.classify(&event(read, "/srv/releases/2/cors.toml")),
            None
        );
        // An overflowing queue, or a failed watch, may have missed anything.
        let rescan = Ok(notify::Event::new(EventKind::Other));
        assert_eq!(interest.classify(&rescan), Some(Signal::Done));
        let failed = Err(notify::Error::generic("queue overflow"));
        assert_eq!(interest.classify(&failed), Some(Signal::Done));
    }

    #[test]
    fn a_write_waits_for_its_close() {
        let interest = interest("/no/such/dir/cors.toml", &[]);
        let write = EventKind::Modify(ModifyKind::Data(notify::event::DataChange::Any));
        let expected = if CLOSE_EVENTS {
            Signal::Wrote
        } else {
            Signal::Done
        };
        assert_eq!(
            interest.classify(&event(write, "/no/such/dir/cors.toml")),
            Some(expected)
        );
        // Created, and missing by now: something to look at.
        let created = EventKind::Create(CreateKind::File);
        assert_eq!(
            interest.classify(&event(created, "/no/such/dir/cors.toml")),
            Some(Signal::Done)
        );
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_followed_and_their_directories_watched() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::create_dir_all(root.join("releases/1")).unwrap();
        std::fs::write(root.join("releases/1/cors.toml"), "").unwrap();
        std::os::unix::fs::symlink("releases/1", root.join("current")).unwrap();
        std::os::unix::fs::symlink("current/cors.toml", root.join("link.toml")).unwrap();

        let found = trace(&root.join("link.toml"));
        assert_eq!(found.file, root.join("releases/1/cors.toml"));
        assert_eq!(found.missing, None);
        let dirs: Vec<_> = found.dirs.keys().cloned().collect();
        assert_eq!(
            dirs,
            [root.clone(), root.join("releases"), root.join("releases/1")]
        );
        assert!(found.names.contains(&root.join("current")));

        // Only the file missing: watched as usual. A directory missing: nothing to watch
        // but the last directory that exists.
        let gone = trace(&root.join("current/missing.toml"));
        assert_eq!(gone.missing, None);
        assert_eq!(gone.file, root.join("releases/1/missing.toml"));
        let broken = trace(&root.join("nowhere/cors.toml"));
        assert_eq!(broken.missing, Some(root.join("nowhere")));
        assert_eq!(broken.dirs.keys().collect::<Vec<_>>(), [&root]);
        std::os::unix::fs::symlink("loop", root.join("loop")).unwrap();
        assert_eq!(
            trace(&root.join("loop/cors.toml")).missing,
            Some(root.join("loop"))
        );
    }
}
