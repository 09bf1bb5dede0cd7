//! Presets for gRPC-web.
