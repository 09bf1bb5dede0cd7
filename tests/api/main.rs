//! The layer's API in process, without a network: building policies, configuration files,
//! the conformance table, hostile request heads, property tests and diagnostics, and
//! following a policy file.

mod attacks;
mod builder;
#[cfg(feature = "serde")]
mod config;
mod conformance;
mod debug_header;
mod diagnostics;
mod hostile;
mod migration;
mod properties;
mod requests;
mod sets;
#[cfg(feature = "watch")]
mod watch;
