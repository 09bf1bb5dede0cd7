//! Headless Firefox through geckodriver.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use serde_json::{json, Map, Value};

use super::webdriver::{Remote, Session};
use super::{locate, wait_for_line, Engine, Process, Scratch};

/// Firefox and geckodriver.
pub(super) struct Programs {
    firefox: PathBuf,
    geckodriver: PathBuf,
}

/// Both programs, if both are there. geckodriver is also looked for where `cargo install`
/// puts it, which need not be on PATH.
pub(super) fn find() -> Option<Programs> {
    let firefox = locate(
        "FIREFOX",
        &["firefox-esr", "firefox"],
        &[PathBuf::from("/usr/bin")],
    )?;
    let mut cargo_bins = Vec::new();
    if let Some(cargo_home) = std::env::var_os("CARGO_HOME") {
        cargo_bins.push(PathBuf::from(cargo_home).join("bin"));
    }
    if let Some(home) = std::env::var_os("HOME") {
        cargo_bins.push(PathBuf::from(home).join(".cargo").join("bin"));
    }
    let geckodriver = locate("GECKODRIVER", &["geckodriver"], &cargo_bins)?;
    Some(Programs {
        firefox,
        geckodriver,
    })
}

/// Preferences for a quiet, loopback-only Firefox (geckodriver adds its own recommended
/// ones), plus `network.dns.localDomains`, which resolves the given names to loopback.
fn prefs(hosts: &[&str]) -> Value {
    let nowhere = "http://127.0.0.1:9/";
    let mut prefs = Map::new();
    for (name, value) in [
        ("network.dns.localDomains", json!(hosts.join(","))),
        ("network.proxy.type", json!(0)),
        ("network.trr.mode", json!(5)),
        ("network.dns.disablePrefetch", json!(true)),
        ("network.prefetch-next", json!(false)),
        ("network.http.speculative-parallel-limit", json!(0)),
        ("network.captive-portal-service.enabled", json!(false)),
        ("network.connectivity-service.enabled", json!(false)),
        ("app.update.auto", json!(false)),
        ("app.update.enabled", json!(false)),
        ("browser.safebrowsing.malware.enabled", json!(false)),
        ("browser.safebrowsing.phishing.enabled", json!(false)),
        ("browser.safebrowsing.downloads.enabled", json!(false)),
        ("browser.safebrowsing.blockedURIs.enabled", json!(false)),
        ("browser.search.update", json!(false)),
        ("browser.region.update.enabled", json!(false)),
        ("browser.region.network.url", json!("")),
        ("browser.newtabpage.enabled", json!(false)),
        ("browser.startup.page", json!(0)),
        ("datareporting.policy.dataSubmissionEnabled", json!(false)),
        ("datareporting.healthreport.uploadEnabled", json!(false)),
        ("toolkit.telemetry.enabled", json!(false)),
        ("toolkit.telemetry.server", json!(nowhere)),
        ("extensions.update.enabled", json!(false)),
        ("extensions.getAddons.cache.enabled", json!(false)),
        ("extensions.systemAddon.update.enabled", json!(false)),
        ("media.gmp-manager.url", json!(nowhere)),
        // Honoured on a release build only with MOZ_DISABLE_NONLOCAL_CONNECTIONS set; this
        // value then turns Remote Settings off.
        (
            "services.settings.server",
            json!("data:,#remote-settings-dummy/v1"),
        ),
        ("dom.push.connection.enabled", json!(false)),
    ] {
        prefs.insert(name.to_owned(), value);
    }
    Value::Object(prefs)
}

pub(super) fn start(programs: Programs, hosts: &[&str]) -> Remote {
    let scratch = Scratch::new(Engine::Firefox);
    let mut command = Command::new(&programs.geckodriver);
    command
        .args(["--port", "0", "--profile-root"])
        .arg(scratch.path("profile"))
        .arg("--binary")
        .arg(&programs.firefox);
    scratch.environment(&mut command);
    // Firefox (which inherits geckodriver's environment) then refuses to connect anywhere
    // but to loopback.
    command.env("MOZ_DISABLE_NONLOCAL_CONNECTIONS", "1");
    let (mut driver, lines) = Process::spawn(
        command,
        &programs.geckodriver.display().to_string(),
        "install it with `cargo install geckodriver --locked`",
    );
    // geckodriver logs "Listening on 127.0.0.1:PORT" once it accepts connections.
    let port = wait_for_line(
        &lines,
        "geckodriver's port",
        Duration::from_secs(30),
        |line| {
            let (_, address) = line.split_once("Listening on ")?;
            address.trim().rsplit(':').next()?.parse::<u16>().ok()
        },
    );
    let capabilities = json!({
        "browserName": "firefox",
        "moz:firefoxOptions": {
            "binary": programs.firefox,
            "args": ["-headless"],
            "prefs": prefs(hosts),
        },
    });
    let session = Session::new(&mut driver, port, capabilities, Duration::from_secs(30))
        .unwrap_or_else(|failure| panic!("Firefox did not start: {failure:?}"));
    Remote {
        session,
        driver,
        extra: Box::new(()),
        scratch,
    }
}
