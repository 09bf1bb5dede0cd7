//! The examples as servers and programs: the axum, tonic, hyper and proxy examples served on
//! loopback in process, and the `echo` and `explain` example executables run as child
//! processes (those need `--features serde`, which the examples require).

#[path = "../support/mod.rs"]
mod support;

mod axum;
#[cfg(feature = "serde")]
mod echo;
#[cfg(feature = "serde")]
mod explain;
mod hyper;
mod tonic;
