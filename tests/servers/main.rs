//! The examples as servers and programs: the axum, tonic, hyper, proxy and widget examples
//! served on loopback in process, and the `echo` example executable run as a child process (it
//! needs `--features serde`); with `--features watch`, the echo server following its policy file.
//! The `cors-explain` tool's tests are in its own crate, `cors-explain/tests/`.

#[path = "../support/mod.rs"]
mod support;

#[cfg(feature = "serde")]
mod attacks;
mod axum;
#[cfg(feature = "serde")]
mod echo;
#[cfg(feature = "serde")]
mod echo_server;
mod hyper;
mod tonic;
#[cfg(feature = "watch")]
mod watch;
mod websocket;
mod widget;
