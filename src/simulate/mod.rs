//! What a browser concludes from the layer's answers: a dry run of a cross-origin `fetch`.
//!
//! The layer's side is the policy's own dry run (the same evaluation and plan the service
//! follows); the browser's side follows the Fetch Standard.
//!
//! - `request`: the request a script makes ([`BrowserRequest`]); `sent`: what the browser
//!   sends for it (the preflight, the actual request); `redirect`: the request after a
//!   redirect, and the URLs a page on an `https://` origin may not fetch (mixed content);
//! - `rules`: forbidden methods and headers, and the CORS-safelisted request headers;
//! - `browser`: the CORS check and the preflight's checks, and why they fail ([`Blocked`]);
//!   public as [`BrowserRequest::check_preflight`] and [`BrowserRequest::check_response`],
//!   so that a probe of a live server judges real answers with the same code;
//! - `fixes`: the configuration change for each denial and block.

use std::sync::Arc;

use http::{HeaderMap, Request, StatusCode};

use crate::layer::CorsLayer;
use crate::policy::{DryRun, Head, Policy};
use crate::report::decision::Decision;

mod browser;
mod cost;
mod fixes;
mod local_network;
mod redirect;
mod request;
mod rules;
mod sent;
mod websocket;

pub use browser::Blocked;
use fixes::{fix_for_block, fix_for_denial};
pub use request::{BrowserRequest, InvalidRequest};

/// One request the browser sends and the layer's answer.
///
/// ```
/// use http::{header, Method, StatusCode};
/// use tower_cors::{BrowserRequest, CorsLayer};
///
/// let request = BrowserRequest::new("https://app.example.com", Method::PUT)?;
/// let simulation = CorsLayer::permissive().build().unwrap().simulate(&request);
/// let preflight = simulation.preflight.ok_or("PUT is preflighted")?;
/// assert_eq!(preflight.request.method(), Method::OPTIONS);
/// assert_eq!(preflight.status, Some(StatusCode::NO_CONTENT));
/// let actual = simulation.actual.ok_or("the preflight passed")?;
/// assert_eq!(actual.status, None); // the inner service answers
/// assert_eq!(actual.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Exchange {
    /// The request as the browser sends it.
    pub request: Request<()>,
    /// The layer's decision.
    pub decision: Decision,
    /// The status when the layer answers itself; `None` when the inner service answers.
    pub status: Option<StatusCode>,
    /// The CORS headers the layer sends (for a forwarded request: the headers it adds to the
    /// inner service's response, assuming that sets no `Vary`).
    pub headers: HeaderMap,
}

/// The result of [`CorsLayer::simulate`].
///
/// ```
/// use http::Method;
/// use tower_cors::{BrowserRequest, CorsLayer};
///
/// let layer = CorsLayer::builder().allow_origin("https://app.example.com").build()?;
/// let request = BrowserRequest::new("https://other.example", Method::GET)?;
/// let simulation = layer.simulate(&request);
/// assert!(simulation.preflight.is_none()); // a simple request
/// assert!(simulation.actual.is_some()); // sent, but the page cannot read the answer
/// assert_eq!(simulation.fixes, ["add \"https://other.example\" to allow_origins"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Simulation {
    /// The preflight, when the request needs one.
    pub preflight: Option<Exchange>,
    /// The actual request, unless a failed preflight stopped the browser from sending it.
    pub actual: Option<Exchange>,
    /// Why the browser blocks the request, or `None` when the page can read the response.
    pub blocked: Option<Blocked>,
    /// Configuration changes that would let the request through, in configuration-key terms.
    pub fixes: Vec<String>,
    /// What else decides the outcome that the layer's headers do not show: the Local Network
    /// Access prompt, when the request names a server address (see
    /// [`BrowserRequest::server_address`]); the inner service's own grant headers, when the
    /// policy keeps them
    /// ([`preserve_inner_cors_headers`](crate::CorsBuilder::preserve_inner_cors_headers)).
    pub notes: Vec<String>,
    /// Whether the request includes credentials, for [`Simulation::readable_headers`].
    credentials: bool,
}

impl Simulation {
    /// Whether the page can read the response.
    ///
    /// ```
    /// use http::Method;
    /// use tower_cors::{BrowserRequest, CorsLayer};
    ///
    /// let layer = CorsLayer::builder().allow_origin("https://app.example.com").build()?;
    /// let app = BrowserRequest::new("https://app.example.com", Method::GET)?;
    /// assert!(layer.simulate(&app).is_allowed());
    /// let other = BrowserRequest::new("https://other.example", Method::GET)?;
    /// assert!(!layer.simulate(&other).is_allowed());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_allowed(&self) -> bool {
        self.blocked.is_none()
    }
}

fn exchange(policy: &Arc<Policy>, request: Request<()>) -> Exchange {
    let DryRun {
        decision,
        status,
        headers,
    } = policy.dry_run(Head::of(&request));
    Exchange {
        request,
        decision,
        status,
        headers,
    }
}

impl CorsLayer {
    /// A dry run of a cross-origin request: the preflight the browser would send (if any),
    /// the layer's decisions and headers, and whether the browser would let the page read the
    /// response, with the configuration changes that would allow it.
    ///
    /// The layer's side is computed by the same functions the service uses. An async origin
    /// predicate is not run (its origin counts as allowed).
    ///
    /// ```
    /// use http::Method;
    /// use tower_cors::{Blocked, BrowserRequest, CorsLayer};
    ///
    /// let layer = CorsLayer::builder()
    ///     .allow_origin("https://app.example.com")
    ///     .allow_methods([Method::PUT])
    ///     .build()?;
    /// let request = BrowserRequest::new("https://app.example.com", Method::PUT)?
    ///     .header("x-custom", "1")?;
    /// let simulation = layer.simulate(&request);
    /// assert!(simulation.preflight.is_some());
    /// assert!(simulation.actual.is_none()); // the failed preflight stops the browser
    /// assert_eq!(simulation.blocked, Some(Blocked::NoAllowOrigin));
    /// assert_eq!(simulation.fixes, ["add \"x-custom\" to allow_headers"]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn simulate(&self, request: &BrowserRequest) -> Simulation {
        // One snapshot of the policy for the whole dry run.
        let policy = self.policy();
        let mut notes: Vec<String> = request
            .server
            .and_then(|server| request.local_network_note(server))
            .into_iter()
            .collect();
        let mut fixes = Vec::new();
        let note = |decision: &Decision, fixes: &mut Vec<String>| {
            if let Some(denial) = decision.denial() {
                fixes.push(fix_for_denial(denial, decision, request, &policy));
            }
        };
        if request.websocket {
            return request.simulate_handshake(&policy, notes);
        }
        let preflight = request
            .preflight_request()
            .map(|preflight| exchange(&policy, preflight));
        if let Some(preflight) = &preflight {
            note(&preflight.decision, &mut fixes);
            // A preflight the inner service answers (`preflight_continue`) is taken as 200.
            let status = preflight.status.unwrap_or(StatusCode::OK);
            if let Err(blocked) = request.check_preflight(status, &preflight.headers) {
                if fixes.is_empty() {
                    fixes.extend(fix_for_block(&blocked, &preflight.decision, &policy));
                }
                return Simulation {
                    preflight: Some(preflight.clone()),
                    actual: None,
                    blocked: Some(blocked),
                    fixes,
                    notes,
                    credentials: request.credentials,
                };
            }
        }
        let actual = exchange(&policy, request.actual_request());
        note(&actual.decision, &mut fixes);
        let blocked = request.check_response(&actual.headers).err();
        if let Some(blocked) = &blocked {
            if fixes.is_empty() {
                fixes.extend(fix_for_block(blocked, &actual.decision, &policy));
            }
        }
        // A response of the inner service whose grant headers the policy keeps: what they say
        // is not known here, so the verdict is the layer's part only, and a fix for it may be
        // beside the point.
        let forwarded = preflight
            .iter()
            .chain([&actual])
            .filter(|e| e.status.is_none());
        if forwarded
            .into_iter()
            .any(|e| policy.at(e.decision.policy()).preserves_inner_headers())
        {
            fixes.clear();
            notes.push(
                "the policy keeps the inner service's own Access-Control-* headers \
                 (preserve_inner_cors_headers): the service's grants reach the browser too, \
                 this dry run cannot see them, and they can change the verdict; probe the \
                 running server (cors-explain --url) to see them"
                    .to_owned(),
            );
        }
        Simulation {
            preflight,
            actual: Some(actual),
            blocked,
            fixes,
            notes,
            credentials: request.credentials,
        }
    }
}
