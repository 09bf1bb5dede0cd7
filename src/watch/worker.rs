//! The watcher's thread: waits until the file's writer is done and a burst of events has
//! settled, reads the file until two reads a debounce apart agree, and swaps its policy in
//! when the contents changed and build. It also checks the file every poll interval, and
//! keeps the watch on the path as directories and symlinks on it are replaced.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::error::WatchError;
use super::follow::{Follower, Interest, Signal};
use super::load::Source;
use super::{WatchEvent, WatchStatus};
use crate::builder::reload::ReloadHandle;
use crate::layer::CorsLayer;

/// What the watcher's thread is told.
#[derive(Debug)]
pub(super) enum Message {
    /// Something happened on the file's path: [`Interest::take`] tells what.
    Changed,
    /// The [`ConfigWatcher`](super::ConfigWatcher) is gone.
    Stop,
}

/// The callback of [`WatchBuilder::on_event`](super::WatchBuilder::on_event).
pub(super) type Callback = Box<dyn FnMut(&WatchEvent<'_>) + Send>;

/// What one read of the file gave.
pub(super) type Read = Result<Vec<u8>, WatchError>;

/// Whether two reads found the file the same: the same bytes, or the same reason it could
/// not be read.
fn same(a: &Read, b: &Read) -> bool {
    match (a, b) {
        (Ok(a), Ok(b)) => a == b,
        (Err(a), Err(b)) => a.to_string() == b.to_string(),
        _ => false,
    }
}

pub(super) struct Worker {
    pub(super) source: Source,
    pub(super) handle: ReloadHandle,
    pub(super) debounce: Duration,
    pub(super) poll: Duration,
    pub(super) status: Arc<Mutex<WatchStatus>>,
    pub(super) callback: Option<Callback>,
    pub(super) follower: Follower,
    pub(super) interest: Arc<Mutex<Interest>>,
    /// What the file was the last time it was used: a change is a difference from this.
    pub(super) seen: Read,
    /// Why the path is not fully watched, when it is not.
    pub(super) lost: Option<WatchError>,
}

/// Where the worker is between two reads.
struct State {
    /// When to read the file next, because of events (or to confirm a read).
    due: Option<Instant>,
    /// When the current burst of events began.
    burst: Option<Instant>,
    /// When to read the file next in any case.
    poll: Instant,
    /// A writer changed the file in place and has not closed it yet.
    writing: bool,
    /// A read that differs from what is in force, and when it was made, waiting for a
    /// second one to agree.
    candidate: Option<(Read, Instant)>,
}

impl Worker {
    /// Follows the file until told to stop, or until the senders are gone.
    pub(super) fn run(mut self, messages: &Receiver<Message>) {
        let mut state = State {
            due: None,
            burst: None,
            poll: Instant::now() + self.poll,
            writing: false,
            candidate: None,
        };
        loop {
            let wake = state.due.map_or(state.poll, |due| due.min(state.poll));
            match messages.recv_timeout(wake.saturating_duration_since(Instant::now())) {
                Ok(Message::Changed) => self.changed(&mut state),
                Ok(Message::Stop) | Err(RecvTimeoutError::Disconnected) => return,
                Err(RecvTimeoutError::Timeout) => {}
            }
            let now = Instant::now();
            let polled = state.poll <= now;
            if polled || state.due.is_some_and(|due| due <= now) {
                if polled {
                    state.poll = now + self.poll;
                }
                state.due = None;
                state.burst = None;
                self.check(&mut state);
            }
        }
    }

    /// An event: a writer at work puts reading off until it is done; anything else is read
    /// once the burst is over (the directory quiet for `debounce`, or ten times that since
    /// the first event).
    fn changed(&self, state: &mut State) {
        match Interest::take(&self.interest) {
            Some(Signal::Wrote) => {
                state.writing = true;
                state.candidate = None;
            }
            Some(Signal::Done) => {
                state.writing = false;
                let now = Instant::now();
                let burst = *state.burst.get_or_insert(now);
                state.due = Some((now + self.debounce).min(burst + self.debounce * 10));
            }
            None => {}
        }
    }

    /// Keeps the watch on the path, then reads the file; a read that differs from the policy
    /// in force is used only when a second read, a debounce later, agrees.
    fn check(&mut self, state: &mut State) {
        let (moved, lost) = self.follower.follow();
        self.watching(lost);
        if moved {
            // Whoever was writing wrote elsewhere.
            state.writing = false;
            state.candidate = None;
        }
        if state.writing {
            return;
        }
        let read = self.source.read();
        if same(&read, &self.seen) {
            state.candidate = None;
            return;
        }
        let now = Instant::now();
        match state.candidate.take() {
            Some((first, at)) if same(&first, &read) => {
                if now.duration_since(at) >= self.debounce {
                    self.use_read(read);
                } else {
                    state.candidate = Some((first, at));
                    state.due = Some(at + self.debounce);
                }
            }
            _ => {
                state.candidate = Some((read, now));
                state.due = Some(now + self.debounce);
            }
        }
    }

    /// Builds what was read, and either swaps it in or reports why not.
    fn use_read(&mut self, read: Read) {
        let built = match &read {
            Ok(bytes) => self.source.build(bytes),
            Err(err) => Err(err.clone()),
        };
        self.seen = read;
        match built {
            Ok(layer) => self.reloaded(&layer),
            Err(err) => self.refused(&err),
        }
    }

    /// Reports a watch lost, or watching again.
    fn watching(&mut self, lost: Option<WatchError>) {
        match (&self.lost, lost) {
            (None, Some(err)) => {
                self.update(|status| {
                    status.lost_watches += 1;
                    status.watch_error = Some(err.clone());
                });
                #[cfg(feature = "tracing")]
                tracing::error!(
                    target: "tower_cors",
                    file = %err.path().display(),
                    problems = %err.problems().join("; "),
                    poll_interval = ?self.poll,
                    "lost the watch of the CORS policy file; it is only checked every poll interval until it can be watched again"
                );
                Self::notify(&mut self.callback, &WatchEvent::Lost { error: &err });
                self.lost = Some(err);
            }
            (Some(_), Some(err)) => {
                self.update(|status| status.watch_error = Some(err.clone()));
                self.lost = Some(err);
            }
            (Some(_), None) => {
                self.lost = None;
                self.update(|status| status.watch_error = None);
                #[cfg(feature = "tracing")]
                tracing::info!(
                    target: "tower_cors",
                    file = %self.source.path.display(),
                    "watching the CORS policy file again"
                );
                let event = WatchEvent::Restored {
                    path: &self.source.path,
                };
                Self::notify(&mut self.callback, &event);
            }
            (None, None) => {}
        }
    }

    fn reloaded(&mut self, layer: &CorsLayer) {
        self.handle.replace(layer);
        self.update(|status| {
            status.reloads += 1;
            status.last_error = None;
        });
        #[cfg(feature = "tracing")]
        tracing::info!(
            target: "tower_cors",
            file = %self.source.path.display(),
            "reloaded the CORS policy from its file"
        );
        let event = WatchEvent::Reloaded {
            path: &self.source.path,
            layer,
        };
        Self::notify(&mut self.callback, &event);
    }

    fn refused(&mut self, err: &WatchError) {
        self.update(|status| {
            status.refusals += 1;
            status.last_error = Some(err.clone());
        });
        #[cfg(feature = "tracing")]
        tracing::error!(
            target: "tower_cors",
            file = %err.path().display(),
            kind = ?err.kind(),
            problems = %err.problems().join("; "),
            "refused the changed CORS policy file; the previous policy stays in force"
        );
        Self::notify(&mut self.callback, &WatchEvent::Refused { error: err });
    }

    fn update(&self, change: impl FnOnce(&mut WatchStatus)) {
        change(&mut self.status.lock().unwrap_or_else(PoisonError::into_inner));
    }

    /// Calls the callback; one that panics is dropped, and the watcher goes on without it.
    fn notify(callback: &mut Option<Callback>, event: &WatchEvent<'_>) {
        if let Some(call) = callback {
            if catch_unwind(AssertUnwindSafe(|| call(event))).is_err() {
                *callback = None;
            }
        }
    }
}
