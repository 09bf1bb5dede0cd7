//! `tower_cors::watch` (feature `watch`): following a policy file on disk, without a server.
//! Every wait polls, up to `PATIENCE`.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http::{header, Request};
use tower_cors::watch::{ConfigWatcher, WatchErrorKind, WatchEvent};
use tower_cors::CorsLayer;

use crate::requests::get_to;

mod path;
mod writers;

const PATIENCE: Duration = Duration::from_secs(10);

const APP: &str = "https://app.example.com";
const ADMIN: &str = "https://admin.example.com";

fn policy(origins: &[&str]) -> String {
    format!("allow_origins = {origins:?}\n")
}

fn allows(layer: &CorsLayer, origin: &str) -> bool {
    layer.decide(&get_to(Some(origin), "/")).is_allowed()
}

/// Polls `done` until it holds; fails after `PATIENCE` with `what` and the watcher's status.
fn wait_for(watcher: &ConfigWatcher, what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while !done() {
        assert!(
            Instant::now() < deadline,
            "{what}: not after {PATIENCE:?}; {:?}",
            watcher.status()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Writes the file aside and renames it over `path`, as deployment tools do.
fn replace(path: &Path, text: &str) {
    let aside = path.with_extension("new");
    std::fs::write(&aside, text).unwrap();
    std::fs::rename(&aside, path).unwrap();
}

/// A directory of its own with a policy file allowing `APP`.
fn policy_file(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, policy(&[APP])).unwrap();
    (dir, path)
}

/// The events the watcher reported, as text.
#[derive(Clone, Default)]
struct Events(Arc<Mutex<Vec<String>>>);

impl Events {
    fn record(&self) -> impl FnMut(&WatchEvent<'_>) + Send + 'static {
        let events = self.0.clone();
        move |event| {
            let line = match event {
                WatchEvent::Reloaded { path, layer } => {
                    format!(
                        "reloaded {} ({} warnings)",
                        path.display(),
                        layer.warnings().len()
                    )
                }
                WatchEvent::Refused { error } => format!("refused {error}"),
                WatchEvent::Lost { error } => format!("lost {error}"),
                WatchEvent::Restored { path } => format!("restored {}", path.display()),
                _ => "other".to_owned(),
            };
            events.lock().unwrap().push(line);
        }
    }

    fn get(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

/// A watcher of a fresh policy file allowing [`APP`], recording its events.
fn watched() -> (tempfile::TempDir, PathBuf, Events, CorsLayer, ConfigWatcher) {
    let (dir, path) = policy_file("cors.toml");
    let events = Events::default();
    let (layer, watcher) = ConfigWatcher::builder(&path)
        .on_event(events.record())
        .start()
        .unwrap();
    (dir, path, events, layer, watcher)
}

#[test]
fn a_file_that_cannot_be_used_at_the_start_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let kind = |path: &Path| ConfigWatcher::builder(path).start().unwrap_err();

    let invalid = write(
        "invalid.toml",
        "allow_origins = [\"https://a.example/\"]\npreflight_status = 99\n",
    );
    let err = kind(&invalid);
    assert_eq!(err.kind(), WatchErrorKind::Config);
    assert_eq!(err.path(), invalid);
    assert_eq!(err.problems().len(), 2, "{err}");
    assert!(err.problems()[0].starts_with("allow_origins[0]:"), "{err}");
    assert!(err.problems()[1].starts_with("preflight_status:"), "{err}");

    let err = kind(&write(
        "typo.yaml",
        "allow_origin: [\"https://a.example\"]\n",
    ));
    assert_eq!(err.kind(), WatchErrorKind::Parse);
    assert!(
        err.to_string()
            .contains("not a valid YAML policy: unknown field `allow_origin`"),
        "{err}"
    );

    let err = kind(&write("empty.toml", "\n  \n"));
    assert_eq!(err.kind(), WatchErrorKind::Empty);

    let err = kind(&write("cors.conf", &policy(&[APP])));
    assert_eq!(err.kind(), WatchErrorKind::UnknownFormat);

    let err = kind(&dir.path().join("missing.toml"));
    assert_eq!(err.kind(), WatchErrorKind::Read);
    assert!(err.to_string().contains("cannot read the file"), "{err}");

    let err = kind(&dir.path().join("no-such-directory/cors.toml"));
    assert_eq!(err.kind(), WatchErrorKind::Watch);

    let big = write("big.json", &format!("{{\"allow_origins\": [{:?}]}}", APP));
    let err = ConfigWatcher::builder(&big)
        .max_file_size(8)
        .start()
        .unwrap_err();
    assert_eq!(err.kind(), WatchErrorKind::TooLarge);

    let binary = dir.path().join("binary.toml");
    std::fs::write(&binary, [b'a', 0xff, b'\n']).unwrap();
    assert_eq!(kind(&binary).kind(), WatchErrorKind::Parse);

    // A handle whose watch fails to start keeps its policy.
    let (layer, handle) = CorsLayer::builder()
        .allow_origin(ADMIN)
        .build()
        .unwrap()
        .reloadable();
    assert!(handle.watch_file(&invalid).is_err());
    assert!(allows(&layer, ADMIN));
}

#[test]
fn renames_and_in_place_writes_are_followed() {
    let (_dir, path, events, layer, watcher) = watched();
    assert!(allows(&layer, APP) && !allows(&layer, ADMIN));
    assert_eq!(watcher.path(), path);

    replace(&path, &policy(&[APP, ADMIN]));
    wait_for(&watcher, "renamed over", || allows(&layer, ADMIN));
    assert_eq!(watcher.status().reloads(), 1);

    std::fs::write(&path, policy(&[ADMIN])).unwrap();
    wait_for(&watcher, "written in place", || !allows(&layer, APP));
    assert!(allows(&layer, ADMIN));
    let status = watcher.status();
    assert_eq!((status.reloads(), status.refusals()), (2, 0));
    assert!(status.last_error().is_none());
    let reloaded = format!("reloaded {} (0 warnings)", path.display());
    assert_eq!(events.get(), [reloaded.clone(), reloaded]);
}

#[test]
fn an_invalid_change_is_refused_and_the_policy_stays() {
    let (_dir, path, events, layer, watcher) = watched();

    // Builds wrong: every problem is reported, nothing changes.
    std::fs::write(
        &path,
        "allow_origins = [\"https://admin.example.com/\"]\nmax_request_headers = 0\n",
    )
    .unwrap();
    wait_for(&watcher, "the refusal", || watcher.status().refusals() == 1);
    assert!(allows(&layer, APP) && !allows(&layer, ADMIN));
    let status = watcher.status();
    let error = status.last_error().expect("the refusal's error");
    assert_eq!(error.kind(), WatchErrorKind::Config);
    assert_eq!(error.config_error().unwrap().problems().len(), 2);
    let refused = &events.get()[0];
    assert!(refused.starts_with(&format!(
        "refused {}: invalid CORS configuration:",
        path.display()
    )));
    assert!(
        refused.contains("allow_origins[0]: \"https://admin.example.com/\" has a trailing slash")
    );
    assert!(refused.contains("max_request_headers"), "{refused}");

    // Does not parse, is empty, then is gone: refused too.
    std::fs::write(&path, "allow_origins = [").unwrap();
    wait_for(&watcher, "the parse error", || {
        watcher.status().refusals() == 2
    });
    let status = watcher.status();
    assert_eq!(status.last_error().unwrap().kind(), WatchErrorKind::Parse);
    std::fs::write(&path, "").unwrap();
    wait_for(&watcher, "the empty file", || {
        watcher.status().refusals() == 3
    });
    let status = watcher.status();
    assert_eq!(status.last_error().unwrap().kind(), WatchErrorKind::Empty);
    std::fs::remove_file(&path).unwrap();
    wait_for(&watcher, "the missing file", || {
        watcher.status().refusals() == 4
    });
    assert_eq!(
        watcher.status().last_error().unwrap().kind(),
        WatchErrorKind::Read
    );
    assert!(allows(&layer, APP) && !allows(&layer, ADMIN));

    // Fixed: swapped in, and the error is cleared.
    replace(&path, &policy(&[ADMIN]));
    wait_for(&watcher, "the fix", || allows(&layer, ADMIN));
    let status = watcher.status();
    assert_eq!((status.reloads(), status.refusals()), (1, 4));
    assert!(status.last_error().is_none());
    assert_eq!(events.get().len(), 5, "{:?}", events.get());
}

#[test]
fn unchanged_contents_and_bursts_cause_one_reload() {
    let (dir, path) = policy_file("cors.toml");
    let debounce = Duration::from_millis(150);
    let (layer, watcher) = ConfigWatcher::builder(&path)
        .debounce(debounce)
        .start()
        .unwrap();

    // The same contents again, a new modification time, another file: no reload, however
    // long one waits.
    std::fs::write(&path, policy(&[APP])).unwrap();
    std::fs::File::options()
        .append(true)
        .open(&path)
        .unwrap()
        .set_modified(std::time::SystemTime::now())
        .unwrap();
    std::fs::write(dir.path().join("other.txt"), "unrelated").unwrap();
    std::thread::sleep(debounce * 10);
    assert_eq!(watcher.status().reloads(), 0);

    // A burst of writes is read once, when it is over.
    for n in 0..50 {
        std::fs::write(&path, policy(&[APP, &format!("https://n{n}.example.com")])).unwrap();
    }
    wait_for(&watcher, "the burst", || {
        allows(&layer, "https://n49.example.com")
    });
    std::thread::sleep(debounce * 4);
    assert_eq!(watcher.status().reloads(), 1);
}

#[test]
fn a_configmap_update_is_followed() {
    // A mounted ConfigMap: cors.yaml -> ..data/cors.yaml, ..data -> ..<timestamp>/. An update
    // writes a new timestamped directory, points ..data at it with a rename, and removes the
    // old directory; cors.yaml itself never changes.
    let dir = tempfile::tempdir().unwrap();
    let version = |name: &str, origin: &str| {
        std::fs::create_dir(dir.path().join(name)).unwrap();
        let text = format!("allow_origins:\n  - {origin}\n");
        std::fs::write(dir.path().join(name).join("cors.yaml"), text).unwrap();
    };
    version("..2026_01_01_00_00_00.1", APP);
    std::os::unix::fs::symlink("..2026_01_01_00_00_00.1", dir.path().join("..data")).unwrap();
    let path = dir.path().join("cors.yaml");
    std::os::unix::fs::symlink("..data/cors.yaml", &path).unwrap();

    let (layer, watcher) = CorsLayer::from_file_watched(&path).unwrap();
    assert!(allows(&layer, APP) && !allows(&layer, ADMIN));

    version("..2026_01_01_00_05_00.2", ADMIN);
    std::os::unix::fs::symlink("..2026_01_01_00_05_00.2", dir.path().join("..data_tmp")).unwrap();
    std::fs::rename(dir.path().join("..data_tmp"), dir.path().join("..data")).unwrap();
    std::fs::remove_dir_all(dir.path().join("..2026_01_01_00_00_00.1")).unwrap();

    wait_for(&watcher, "the ConfigMap update", || allows(&layer, ADMIN));
    assert!(!allows(&layer, APP));
    assert_eq!(watcher.status().reloads(), 1);
}

#[test]
fn json_files_with_policies_and_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cors.json");
    let set = |top: &str| {
        format!(
            r#"{{"allow_origins": [{top:?}], "max_age_secs": 600,
                "policies": [{{"paths": ["/admin/"], "allow_origins": [{ADMIN:?}], "max_age_secs": 5}}]}}"#
        )
    };
    std::fs::write(&path, set(APP)).unwrap();
    // The environment sets the top-level policy's keys, at every read; never a set's.
    std::env::set_var("TOWER_CORS_WATCH_TEST_MAX_AGE_SECS", "60");
    let (layer, handle) = CorsLayer::builder().build().unwrap().reloadable();
    let watcher = ConfigWatcher::builder(&path)
        .env_prefix("TOWER_CORS_WATCH_TEST")
        .watch(&handle)
        .unwrap();
    std::env::remove_var("TOWER_CORS_WATCH_TEST_MAX_AGE_SECS");
    let max_age = |origin, path| {
        let preflight = Request::options(path)
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
            .body(())
            .unwrap();
        let (_, headers) = layer.headers_for(&preflight);
        headers
            .get(header::ACCESS_CONTROL_MAX_AGE)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    assert_eq!(max_age(APP, "/items").as_deref(), Some("60"));
    assert_eq!(max_age(ADMIN, "/admin/users").as_deref(), Some("5"));

    replace(&path, &set("https://new.example.com"));
    wait_for(&watcher, "the new top-level origin", || {
        allows(&layer, "https://new.example.com")
    });
    assert_eq!(
        max_age("https://new.example.com", "/").as_deref(),
        Some("60")
    );
    // The handle still reloads by hand.
    watcher
        .reload_handle()
        .reload(&CorsLayer::builder().allow_origin(APP))
        .unwrap();
    assert!(allows(&layer, APP));
}

#[test]
fn dropping_the_watcher_stops_it() {
    let (_dir, path) = policy_file("cors.toml");
    let probe = Arc::new(());
    let held = probe.clone();
    let (layer, watcher) = ConfigWatcher::builder(&path)
        .debounce(Duration::from_millis(10))
        .on_event(move |_| {
            let _ = &held;
        })
        .start()
        .unwrap();
    assert_eq!(Arc::strong_count(&probe), 2);
    drop(watcher);
    // The thread has ended (its callback is gone with it), so nothing swaps policies any more,
    // however long one waits.
    assert_eq!(Arc::strong_count(&probe), 1);
    replace(&path, &policy(&[ADMIN]));
    std::thread::sleep(Duration::from_millis(500));
    assert!(allows(&layer, APP) && !allows(&layer, ADMIN));
}

#[test]
fn the_watch_types_can_be_shared_between_threads() {
    fn shared<T: Send + Sync>() {}
    fn sent<T: Send>() {}
    shared::<ConfigWatcher>();
    shared::<tower_cors::watch::WatchError>();
    shared::<tower_cors::watch::WatchStatus>();
    sent::<tower_cors::watch::WatchBuilder>();
}
