//! The watcher's thread: waits for a burst of file-system events to settle, reads the file,
//! and swaps its policy in when the contents changed and build.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::error::WatchError;
use super::load::Source;
use super::{WatchEvent, WatchStatus};
use crate::layer::CorsLayer;
use crate::reload::ReloadHandle;

/// What the watcher's thread is told.
#[derive(Debug)]
pub(super) enum Message {
    /// Something changed in the file's directory.
    Changed,
    /// The [`ConfigWatcher`](super::ConfigWatcher) is gone.
    Stop,
}

/// The callback of [`WatchBuilder::on_event`](super::WatchBuilder::on_event).
pub(super) type Callback = Box<dyn FnMut(&WatchEvent<'_>) + Send>;

/// What the file was the last time it was looked at: a change is a difference from this.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Seen {
    Contents(Vec<u8>),
    /// It could not be read, for this reason.
    Unreadable(String),
}

pub(super) struct Worker {
    pub(super) source: Source,
    pub(super) handle: ReloadHandle,
    pub(super) debounce: Duration,
    pub(super) status: Arc<Mutex<WatchStatus>>,
    pub(super) callback: Option<Callback>,
    pub(super) seen: Seen,
}

impl Worker {
    /// Handles bursts of changes until told to stop, or until the senders are gone.
    pub(super) fn run(mut self, messages: &Receiver<Message>) {
        while self.settle(messages) {
            self.check();
        }
    }

    /// Waits for a change, then until `debounce` passes without another one (but no longer
    /// than ten times `debounce` after the first, so that a steady stream of changes still
    /// gets read). False when the watcher stops.
    fn settle(&self, messages: &Receiver<Message>) -> bool {
        match messages.recv() {
            Ok(Message::Changed) => {}
            Ok(Message::Stop) | Err(_) => return false,
        }
        let start = Instant::now();
        let latest = start + self.debounce * 10;
        let mut quiet = start + self.debounce;
        loop {
            let until = quiet.min(latest);
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return true;
            }
            match messages.recv_timeout(left) {
                Ok(Message::Changed) => quiet = Instant::now() + self.debounce,
                Ok(Message::Stop) | Err(RecvTimeoutError::Disconnected) => return false,
                Err(RecvTimeoutError::Timeout) => return true,
            }
        }
    }

    /// Reads the file; when it differs from what was last seen, builds it and either swaps it
    /// in or reports why not.
    fn check(&mut self) {
        let contents = self.source.read();
        let unchanged = match (&contents, &self.seen) {
            (Ok(bytes), Seen::Contents(seen)) => bytes == seen,
            (Err(err), Seen::Unreadable(seen)) => err.to_string() == *seen,
            _ => false,
        };
        if unchanged {
            return;
        }
        let built = match contents {
            Ok(bytes) => {
                let built = self.source.build(&bytes);
                self.seen = Seen::Contents(bytes);
                built
            }
            Err(err) => {
                self.seen = Seen::Unreadable(err.to_string());
                Err(err)
            }
        };
        match built {
            Ok(layer) => self.reloaded(&layer),
            Err(err) => self.refused(&err),
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
