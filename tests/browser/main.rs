//! The layer against real browsers: headless Chromium, Firefox and WebKit. Every scenario runs
//! in each engine, as a test of its own named after the engine (`firefox::subdomain_patterns`).
//! Without an engine each of its tests says so on stderr and passes, unless the `CI`
//! environment variable is set, in which case it fails.

#[path = "../support/mod.rs"]
mod support;

/// For each scenario `fn name(engine: Engine)` of the calling module, one test per engine:
/// `chromium::name`, `firefox::name` and `webkit::name`.
macro_rules! in_every_engine {
    ($($scenario:ident),+ $(,)?) => {
        in_every_engine!(@engine chromium, Chromium, $($scenario),+);
        in_every_engine!(@engine firefox, Firefox, $($scenario),+);
        in_every_engine!(@engine webkit, WebKit, $($scenario),+);
    };
    (@engine $module:ident, $engine:ident, $($scenario:ident),+) => {
        mod $module {
            $(
                #[test]
                fn $scenario() {
                    super::$scenario($crate::support::browser::Engine::$engine);
                }
            )+
        }
    };
}

mod browser;
mod caches_and_sets;
mod cdn_browser;
/// The demo, which both of its tests start (it reads its policy with `CorsConfig`).
#[cfg(feature = "serde")]
#[allow(dead_code)]
#[path = "../../examples/demo.rs"]
mod demo;
#[cfg(feature = "serde")]
mod demo_browser;
/// Random policies and fetches, each compared with the dry run (`CorsLayer::simulate`): 60
/// cases per engine, or `DIFF_COUNT`, generated from `DIFF_SEED`; `DIFF_CASE` replays one.
#[cfg(feature = "serde")]
mod differential;
#[cfg(feature = "serde")]
#[allow(dead_code)]
#[path = "../servers/echo_server.rs"]
mod echo_server;
#[cfg(feature = "serde")]
mod playground_browser;
mod public_api_browser;
mod websocket;
mod widget_browser;
