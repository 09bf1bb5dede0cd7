//! `tracing` events for decisions (feature `tracing`).

use http::header::{ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN};
use tracing::Level;

use crate::policy::{GrantHeaders, Head};
use crate::report::decision::Decision;
use crate::report::warning::ConfigWarning;

macro_rules! event_at {
    ($level:expr, $($rest:tt)+) => {
        match $level {
            Level::ERROR => tracing::event!(target: "tower_cors", Level::ERROR, $($rest)+),
            Level::WARN => tracing::event!(target: "tower_cors", Level::WARN, $($rest)+),
            Level::INFO => tracing::event!(target: "tower_cors", Level::INFO, $($rest)+),
            Level::DEBUG => tracing::event!(target: "tower_cors", Level::DEBUG, $($rest)+),
            Level::TRACE => tracing::event!(target: "tower_cors", Level::TRACE, $($rest)+),
        }
    };
}

/// One event per decision: denials at `denial_level`, grants at `TRACE`, requests without
/// `Origin` not at all. `head` is `None` after an async origin check (the request is gone).
pub(crate) fn decision(denial_level: Level, head: Option<Head<'_>>, decision: &Decision) {
    let Some(denial) = decision.denial() else {
        if decision.kind() != crate::RequestKind::NotCors {
            let origin = head.and_then(|h| h.headers.get(ORIGIN));
            tracing::trace!(target: "tower_cors", origin = ?origin, kind = ?decision.kind(), "CORS request granted");
        }
        return;
    };
    let header = |name| head.and_then(|h| h.headers.get(name));
    let origin = header(ORIGIN);
    event_at!(
        denial_level,
        origin = ?origin,
        method = head.map(|h| h.method.as_str()),
        path = head.map(|h| h.uri.path()),
        request_method = ?header(ACCESS_CONTROL_REQUEST_METHOD),
        request_headers = ?header(ACCESS_CONTROL_REQUEST_HEADERS),
        kind = ?decision.kind(),
        reason = %denial,
        "CORS request denied"
    );
}

/// The inner service set CORS grant headers and the layer replaced them: the sign of a second
/// CORS layer or an upstream that sets its own, which `preserve_inner_cors_headers` keeps.
pub(crate) fn replaced_inner_headers(removed: GrantHeaders) {
    let names: Vec<&str> = removed.names().collect();
    tracing::debug!(
        target: "tower_cors",
        removed = %names.join(", "),
        "the inner service set CORS headers; the layer removed them and wrote its own"
    );
}

/// The warnings of a policy just built, once each.
pub(crate) fn warnings(warnings: &[ConfigWarning]) {
    for warning in warnings {
        tracing::warn!(
            target: "tower_cors",
            setting = %warning.path(),
            "suspicious CORS setting: {warning}"
        );
    }
}
