//! Policies from configuration files and environment variables.
