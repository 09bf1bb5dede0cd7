//! What the layer adds to a response it does not answer itself: the grant of an allowed
//! request (the headers of <https://fetch.spec.whatwg.org/#http-responses>), `Vary`, and in
//! debug mode why a request was denied. Grant headers the inner service set are removed first,
//! unless the policy keeps them.

use http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS,
};
use http::{HeaderMap, HeaderValue};

use super::inner_headers::{find_grants_and_vary, remove_grant_headers, Found, GrantHeaders};
use super::{Policy, Verdict, TRUE};
use crate::grant::origin::OriginMatcher;
use crate::grant::util::WILDCARD;
use crate::grant::vary::VaryTokens;
use crate::report::decision::RequestKind;

/// The headers the layer writes into the inner service's response.
///
/// A plain struct of small fields: it is made and moved for every request that reaches the
/// inner service, and an enum of a map and of values costs several times as much to move.
#[derive(Debug)]
pub(crate) struct Decoration {
    /// Granted: `Access-Control-Allow-Origin`, and then credentials and exposed headers.
    allow_origin: Option<HeaderValue>,
    expose: Option<HeaderValue>,
    vary: Option<&'static VaryTokens>,
    /// Headers written as they are: for a preflight passed on to the inner service, those the
    /// layer's answer would have had; in debug mode, `cors-debug` with why the request was
    /// denied. Boxed: both are rare (debug mode is for development), and a map, or one more
    /// value, would make every decoration larger and dearer to move.
    extra: Option<Box<HeaderMap>>,
    credentials: bool,
    /// Remove the grant headers the inner service set before writing the layer's own.
    replace_inner: bool,
}

impl Decoration {
    /// Writes the headers into the response's own map: first removes the grant headers the
    /// inner service set (unless the policy keeps them), then writes the layer's, overwriting,
    /// and merges `Vary`. Returns what it removed.
    ///
    /// The values are moved out (`allow_origin`, `expose` and `extra` are left `None`), so that
    /// the response future writes them without moving the decoration.
    #[inline]
    pub(crate) fn write(&mut self, headers: &mut HeaderMap) -> GrantHeaders {
        let found = find_grants_and_vary(headers);
        self.write_over(headers, found)
    }

    /// [`Decoration::write`] into an empty map the layer just made, which holds nothing to
    /// look for.
    pub(crate) fn write_new(mut self, headers: &mut HeaderMap) {
        debug_assert!(headers.is_empty());
        self.write_over(headers, Found::default());
    }

    /// Writes the headers over what `found` says the map holds.
    #[inline(always)]
    fn write_over(&mut self, headers: &mut HeaderMap, found: Found) -> GrantHeaders {
        let removed = if self.replace_inner {
            if !found.grants.is_empty() {
                remove_grant_headers(headers, found.grants);
            }
            found.grants
        } else {
            GrantHeaders::default()
        };
        if let Some(allow_origin) = self.allow_origin.take() {
            headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin);
            if self.credentials {
                headers.insert(ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE);
            }
            if let Some(expose) = self.expose.take() {
                headers.insert(ACCESS_CONTROL_EXPOSE_HEADERS, expose);
            }
        }
        if let Some(extra) = self.extra.take() {
            headers.extend(*extra);
        }
        if let Some(vary) = self.vary {
            vary.merge(headers, found.vary);
        }
        removed
    }
}

impl Policy {
    /// The headers to write into the inner service's response, taken out of the policy so
    /// that the response future does not need it.
    #[inline(always)]
    pub(super) fn decoration(&self, verdict: Verdict<'_>) -> Decoration {
        let replace_inner = !self.switches.preserve_inner_cors_headers;
        // No grant of its own: `Vary`, and the headers of `extra` (a preflight's answer passed
        // on to the inner service, or a denial in debug mode).
        let no_grant = |vary, extra| Decoration {
            allow_origin: None,
            expose: None,
            credentials: false,
            vary,
            extra,
            replace_inner,
        };
        match verdict {
            Verdict::Allowed {
                kind: RequestKind::Preflight,
                grant,
            } => no_grant(
                Some(self.vary_preflight),
                Some(Box::new(self.preflight_grant(grant))),
            ),
            Verdict::Denied {
                kind: RequestKind::Preflight,
                origin_grant,
                ..
            } => {
                let mut extra = self.debug_header_map(&verdict);
                // Debug mode: the origin's grant without the refused method or header, so that
                // the browser's console names the real cause; the preflight still fails.
                if let Some((allow_origin, credentials)) = origin_grant {
                    let headers = extra.get_or_insert_with(Box::default);
                    headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin.clone());
                    if credentials {
                        headers.insert(ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE);
                    }
                }
                no_grant(Some(self.vary_preflight), extra)
            }
            Verdict::OriginRefused {
                kind: RequestKind::Preflight,
                ..
            } => no_grant(Some(self.vary_preflight), self.debug_header_map(&verdict)),
            // An allowed actual request: the origin, credentials and the exposed headers
            // (https://fetch.spec.whatwg.org/#http-access-control-expose-headers).
            Verdict::Allowed { grant, .. } => Decoration {
                allow_origin: Some(grant.allow_origin.clone()),
                expose: self.expose.clone(),
                credentials: grant.credentials,
                vary: self.vary_actual,
                extra: None,
                replace_inner,
            },
            // A resource open to everyone says so to every request, CORS or not, so that a
            // cache storing a response to a request without `Origin` (a page loading a font or
            // a script) serves a usable one to a later `fetch`
            // (https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches).
            Verdict::NotCors if matches!(self.origin, OriginMatcher::Any) => Decoration {
                allow_origin: Some(WILDCARD.clone()),
                expose: self.expose.clone(),
                credentials: false,
                vary: self.vary_actual,
                extra: None,
                replace_inner,
            },
            Verdict::NotCors => no_grant(self.vary_actual, None),
            Verdict::Denied { .. } | Verdict::OriginRefused { .. } => {
                no_grant(self.vary_actual, self.debug_header_map(&verdict))
            }
        }
    }
}
