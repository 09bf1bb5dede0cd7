//! A file is read only once its writer is done, and only what two reads agree on; what is
//! not a regular file is refused without waiting.

use std::io::Write;
use std::time::{Duration, Instant};

use http::{header, Request};
use tower_cors::watch::{ConfigWatcher, WatchErrorKind};
use tower_cors::{CorsConfig, CorsLayer};

use super::{allows, policy, wait_for, Events, APP};

const PARTNER: &str = "https://partner.example.com";

/// Whether `origin` gets a credentialed grant on `path`.
fn credentialed_on(layer: &CorsLayer, origin: &str, path: &str) -> bool {
    let request = Request::get(path)
        .header(header::ORIGIN, origin)
        .body(())
        .unwrap();
    let (_, headers) = layer.headers_for(&request);
    headers
        .get(header::ACCESS_CONTROL_ALLOW_CREDENTIALS)
        .is_some()
}

/// The policy a partner gets on `/public/` only; cut before its `paths`, the entry applies
/// to every path.
fn with_partner() -> (String, usize) {
    let text = format!(
        "{}[[policies]]\nallow_origins = [{PARTNER:?}]\nallow_credentials = true\npaths = [\"/public/\"]\n",
        policy(&[APP])
    );
    let cut = text.find("paths =").unwrap();
    (text, cut)
}

/// Fails if `broken` holds at any time during `span`.
fn never_during(span: Duration, what: &str, mut broken: impl FnMut() -> bool) {
    let end = Instant::now() + span;
    while Instant::now() < end {
        assert!(!broken(), "{what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[cfg(any(target_os = "linux", target_os = "android"))]
#[test]
fn a_writer_that_pauses_is_not_read_before_it_closes_the_file() {
    let (text, cut) = with_partner();
    // The prefix is a valid policy, broader than the whole.
    let prefix: CorsConfig = toml::from_str(&text[..cut]).unwrap();
    let prefix = prefix.build().unwrap();
    assert!(credentialed_on(&prefix, PARTNER, "/admin"));

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cors.toml");
    std::fs::write(&path, policy(&[APP])).unwrap();
    let debounce = Duration::from_millis(50);
    let poll = Duration::from_millis(200);
    let events = Events::default();
    let (layer, watcher) = ConfigWatcher::builder(&path)
        .debounce(debounce)
        .poll_interval(poll)
        .on_event(events.record())
        .start()
        .unwrap();

    // Rewritten in place, with a pause in the middle: many debounces and poll intervals.
    let mut file = std::fs::File::create(&path).unwrap();
    file.write_all(&text.as_bytes()[..cut]).unwrap();
    never_during(
        (debounce * 2 + poll) * 5,
        "the prefix was swapped in",
        || credentialed_on(&layer, PARTNER, "/admin"),
    );
    assert_eq!(watcher.status().reloads(), 0, "{:?}", events.get());
    assert_eq!(watcher.status().refusals(), 0, "{:?}", events.get());

    file.write_all(&text.as_bytes()[cut..]).unwrap();
    drop(file);
    wait_for(&watcher, "the whole file", || {
        credentialed_on(&layer, PARTNER, "/public/x")
    });
    assert!(!credentialed_on(&layer, PARTNER, "/admin"));
    let status = watcher.status();
    assert_eq!((status.reloads(), status.refusals()), (1, 0));
}

#[test]
fn only_contents_two_reads_agree_on_are_used() {
    // A writer that closes the file after every piece, never pausing a debounce: each close
    // is a reason to read, but no version lasts until the second read, so nothing is used
    // before the writer stops, even once the burst is read (after ten debounces).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cors.toml");
    std::fs::write(&path, policy(&[APP])).unwrap();
    let debounce = Duration::from_millis(400);
    let events = Events::default();
    let (layer, watcher) = ConfigWatcher::builder(&path)
        .debounce(debounce)
        .on_event(events.record())
        .start()
        .unwrap();

    let stream = debounce * 10 + Duration::from_secs(2);
    let start = Instant::now();
    let mut n = 0;
    while start.elapsed() < stream {
        n += 1;
        let origins = [APP, &format!("https://n{n}.example.com")];
        std::fs::write(&path, policy(&origins)).unwrap();
        std::thread::sleep(Duration::from_millis(20));
    }
    let last = format!("https://n{n}.example.com");
    wait_for(&watcher, "the last version", || allows(&layer, &last));
    assert_eq!(watcher.status().reloads(), 1, "{:?}", events.get());
}

/// Lets an open of the FIFO at `path` that waits for a writer go.
#[cfg(unix)]
fn release(path: &std::path::Path) {
    use std::os::unix::fs::OpenOptionsExt;
    let _ = std::fs::OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path);
}

#[cfg(unix)]
#[test]
fn a_fifo_in_place_of_the_file_is_refused_and_the_watcher_still_stops() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cors.toml");
    std::fs::write(&path, policy(&[APP])).unwrap();
    let (layer, watcher) = ConfigWatcher::builder(&path).start().unwrap();

    let fifo = dir.path().join("fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.unwrap().success(), "mkfifo failed");
    std::fs::rename(&fifo, &path).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !watcher
        .status()
        .last_error()
        .is_some_and(|e| e.kind() == WatchErrorKind::Read)
    {
        if Instant::now() > deadline {
            release(&path);
            panic!("the FIFO is not refused: {:?}", watcher.status());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let error = watcher.status().last_error().unwrap().to_string();
    assert!(error.ends_with("not a regular file"), "{error}");
    assert!(allows(&layer, APP));

    // The drop returns: the watcher never waits for a writer of the FIFO.
    let (sender, stopped) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        drop(watcher);
        let _ = sender.send(());
    });
    let dropped = stopped.recv_timeout(Duration::from_secs(30));
    if dropped.is_err() {
        release(&path);
    }
    assert!(dropped.is_ok(), "the drop of the watcher hangs");
}
