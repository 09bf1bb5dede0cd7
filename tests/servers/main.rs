//! The examples as servers and programs: the axum, tonic, hyper and proxy examples served on
//! loopback in process, the `echo` example executable run as a child process (it needs
//! `--features serde`), and the `cors-explain` tool (`--features cli`) run against policy
//! files, the echo server and hand-written servers; with `--features watch`, the echo server
//! following its policy file.

#[path = "../support/mod.rs"]
mod support;

#[cfg(feature = "serde")]
mod attacks;
mod axum;
#[cfg(feature = "cli")]
mod cli;
#[cfg(feature = "serde")]
mod echo;
#[cfg(feature = "cli")]
mod explain;
mod hyper;
mod tonic;
#[cfg(feature = "watch")]
mod watch;
