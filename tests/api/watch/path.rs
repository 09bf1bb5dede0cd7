//! The path is followed as it was given: directories and symlinks on it replaced, a lost
//! watch reported, and a periodic check behind the events.

use std::path::Path;
use std::time::Duration;

use tower_cors::watch::{ConfigWatcher, WatchErrorKind};

use super::{allows, policy, replace, wait_for, Events, ADMIN, APP};

/// A poll interval no test lasts.
const NO_POLL: Duration = Duration::from_secs(3600);

/// A policy granting `origins` with credentials.
fn credentialed(origins: &[&str]) -> String {
    format!("{}allow_credentials = true\n", policy(origins))
}

/// Points the symlink `link` at `target` at once, as deployment tools do: a new symlink
/// renamed over the old one.
#[cfg(unix)]
fn repoint(link: &Path, target: &str) {
    let aside = link.with_extension("next");
    std::os::unix::fs::symlink(target, &aside).unwrap();
    std::fs::rename(&aside, link).unwrap();
}

#[cfg(unix)]
#[test]
fn a_release_directory_switched_behind_a_symlink_is_followed() {
    // current -> releases/1, then current -> releases/2; the path names current/cors.toml.
    let dir = tempfile::tempdir().unwrap();
    let release = |n: u32, text: &str| {
        let release = dir.path().join(format!("releases/{n}"));
        std::fs::create_dir_all(&release).unwrap();
        std::fs::write(release.join("cors.toml"), text).unwrap();
    };
    release(1, &credentialed(&[APP, ADMIN]));
    let current = dir.path().join("current");
    std::os::unix::fs::symlink("releases/1", &current).unwrap();
    let path = current.join("cors.toml");
    let events = Events::default();
    // No periodic check during the test: the events alone must do.
    let (layer, watcher) = ConfigWatcher::builder(&path)
        .poll_interval(NO_POLL)
        .on_event(events.record())
        .start()
        .unwrap();
    assert!(allows(&layer, ADMIN));

    // The deployment removes ADMIN: its credentialed grant goes.
    release(2, &credentialed(&[APP]));
    repoint(&current, "releases/2");
    wait_for(&watcher, "the switched release", || !allows(&layer, ADMIN));
    assert!(allows(&layer, APP));

    // The new release's directory is the one watched now.
    replace(
        &dir.path().join("releases/2/cors.toml"),
        &credentialed(&[APP, "https://third.example.com"]),
    );
    wait_for(&watcher, "a change in the new release", || {
        allows(&layer, "https://third.example.com")
    });
    let status = watcher.status();
    assert_eq!((status.reloads(), status.lost_watches()), (2, 0));
    assert!(status.watch_error().is_none());
    let reloaded = format!("reloaded {} (0 warnings)", path.display());
    assert_eq!(events.get(), [reloaded.clone(), reloaded]);
}

#[test]
fn a_directory_renamed_away_and_made_again_is_followed() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("conf");
    std::fs::create_dir(&conf).unwrap();
    let path = conf.join("cors.toml");
    std::fs::write(&path, credentialed(&[APP, ADMIN])).unwrap();
    let events = Events::default();
    let (layer, watcher) = ConfigWatcher::builder(&path)
        .poll_interval(NO_POLL)
        .on_event(events.record())
        .start()
        .unwrap();

    // Gone: the watch is lost, and says so; the policy stays.
    std::fs::rename(&conf, dir.path().join("conf.old")).unwrap();
    wait_for(&watcher, "the lost watch", || {
        watcher.status().watch_error().is_some()
    });
    let status = watcher.status();
    let error = status.watch_error().unwrap();
    assert_eq!(error.kind(), WatchErrorKind::Watch);
    assert_eq!(error.path(), path);
    assert_eq!(
        error.problems(),
        [format!(
            "cannot watch the file's directory: {} does not exist",
            conf.display()
        )]
    );
    assert_eq!(status.lost_watches(), 1);
    assert!(allows(&layer, ADMIN));
    let lost = format!("lost {error}");
    wait_for(&watcher, "the lost event", || events.get().contains(&lost));

    // Made again: watched again, and every later change is followed, not only the first.
    std::fs::create_dir(&conf).unwrap();
    replace(&path, &credentialed(&[APP]));
    wait_for(&watcher, "the first change", || !allows(&layer, ADMIN));
    for (n, origin) in ["https://n1.example.com", "https://n2.example.com"]
        .into_iter()
        .enumerate()
    {
        replace(&path, &credentialed(&[origin]));
        wait_for(&watcher, &format!("change {}", n + 2), || {
            allows(&layer, origin)
        });
    }
    let status = watcher.status();
    assert!(status.watch_error().is_none());
    assert_eq!((status.lost_watches(), status.reloads()), (1, 3));
    let events = events.get();
    assert_eq!(events[0], lost, "{events:?}");
    let restored = format!("restored {}", path.display());
    assert_eq!(
        events.iter().filter(|e| **e == restored).count(),
        1,
        "{events:?}"
    );
}

#[test]
fn a_directory_replaced_above_the_watched_ones_is_found_by_the_periodic_check() {
    // Only the file's directory and the one above it are watched: a/b/c and a/b. Replacing
    // `a` sends them no event.
    let dir = tempfile::tempdir().unwrap();
    let make = |top: &str, text: &str| {
        let deep = dir.path().join(top).join("b/c");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::write(deep.join("cors.toml"), text).unwrap();
    };
    make("a", &credentialed(&[APP, ADMIN]));
    let path = dir.path().join("a/b/c/cors.toml");
    let (layer, watcher) = ConfigWatcher::builder(&path)
        .debounce(Duration::from_millis(50))
        .poll_interval(Duration::from_millis(200))
        .start()
        .unwrap();

    make("a.next", &credentialed(&[APP]));
    std::fs::rename(dir.path().join("a"), dir.path().join("a.old")).unwrap();
    std::fs::rename(dir.path().join("a.next"), dir.path().join("a")).unwrap();
    wait_for(&watcher, "the periodic check", || !allows(&layer, ADMIN));

    // And the new directories are watched from then on.
    std::fs::write(&path, credentialed(&["https://third.example.com"])).unwrap();
    wait_for(&watcher, "a change in the new directory", || {
        allows(&layer, "https://third.example.com")
    });
    let status = watcher.status();
    assert_eq!((status.reloads(), status.lost_watches()), (2, 0));
}
