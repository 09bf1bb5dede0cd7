//! The layer's API in process, without a network: building policies, configuration files,
//! the conformance table, hostile request heads, property tests and diagnostics.

mod builder;
#[cfg(feature = "serde")]
mod config;
mod conformance;
mod diagnostics;
mod hostile;
mod migration;
mod properties;
