//! The layer against a real browser, headless Chromium. Without Chromium each test says so on
//! stderr and passes, unless the `CI` environment variable is set, in which case it fails.

#[path = "../support/mod.rs"]
mod support;

mod browser;
mod demo_browser;
