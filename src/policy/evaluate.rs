//! Evaluation: what the policy grants a request, or why it refuses it (the [`Verdict`]).

use std::cell::OnceCell;

use http::header::GetAll;
use http::header::{ACCESS_CONTROL_REQUEST_HEADERS, ORIGIN};
use http::request::Parts;
use http::{HeaderMap, HeaderValue};

use super::verdict::{AllowedHeaders, Evaluation, Grant, Verdict};
use super::{Head, Policy};
use crate::grant::headers::{HeaderPolicy, Requested};
use crate::grant::origin::{Admission, OriginMatcher};
use crate::grant::private_network::grants_private_network;
use crate::grant::util::WILDCARD;
use crate::report::decision::{Denial, RequestKind};

impl Policy {
    /// [`Policy::evaluate_chosen`] for a policy evaluated on its own, in tests.
    #[cfg(test)]
    pub(crate) fn evaluate<'a>(&'a self, head: Head<'a>, parts: Option<&Parts>) -> Evaluation<'a> {
        self.evaluate_chosen(head, parts, false)
    }

    /// Evaluates a request head for this policy, the layer's own or the one a set chose.
    /// `parts` is the request's head as [`Parts`] when the caller has it (the service, for
    /// predicates); dry runs pass `None` and predicates get a copy. `origin_admitted` says that
    /// choosing the policy found that its origins admit the request's origin, which is then
    /// not asked again.
    ///
    /// Every refusal of the origin goes through [`Policy::refuse_origin`], where the
    /// WebSocket guard turns a cross-origin handshake's refusal into a `403`.
    pub(super) fn evaluate_chosen<'a>(
        &'a self,
        head: Head<'a>,
        parts: Option<&Parts>,
        origin_admitted: bool,
    ) -> Evaluation<'a> {
        let headers = head.headers;
        let mut origins = headers.get_all(ORIGIN).into_iter();
        // Without `Origin` a request is not a CORS request: browsers send it on every
        // cross-origin request (https://fetch.spec.whatwg.org/#origin-header).
        let Some(origin) = origins.next() else {
            return Evaluation::Done(Verdict::NotCors);
        };
        // `Access-Control-Request-Method`, looked up once for both the classification and the
        // preflight check.
        let request_methods = head.requested_methods();
        // A CORS-preflight request: `OPTIONS` with `Access-Control-Request-Method`
        // (https://fetch.spec.whatwg.org/#cors-preflight-request).
        let kind = if request_methods.is_some() {
            RequestKind::Preflight
        } else {
            RequestKind::Actual
        };
        let refuse = |verdict| Evaluation::Done(self.refuse_origin(verdict, head));
        // The value the browser's CORS check compares with its origin, `*` or the origin
        // itself (https://fetch.spec.whatwg.org/#cors-check).
        let allow_origin = match &self.origin {
            // Open to everyone: the answer is `*` whatever the `Origin` headers say, as it is
            // without one, so that a cache that does not key on `Origin` never stores a
            // refusal (https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches).
            OriginMatcher::Any => &WILDCARD,
            // A browser sends one `Origin` (https://fetch.spec.whatwg.org/#origin-header), and
            // the CORS check compares one value with it; two are not a browser's request.
            _ if origins.next().is_some() => {
                return refuse(Verdict::denied(kind, Denial::MultipleOrigins))
            }
            _ if origin_admitted => origin,
            matcher => match matcher.admission(origin.as_bytes()) {
                Admission::Admitted | Admission::AskFunction => origin,
                Admission::Refused => return refuse(Verdict::OriginRefused { kind, origin }),
                Admission::Malformed => {
                    return refuse(Verdict::denied(kind, Denial::MalformedOrigin))
                }
            },
        };
        // The request's head as the functions of the policy take it, copied only for a dry
        // run that calls one.
        let copy = OnceCell::new();
        let parts = || parts.unwrap_or_else(|| copy.get_or_init(|| head.to_parts()));
        let verdict = match request_methods {
            Some(methods) => {
                self.evaluate_preflight(headers, methods, allow_origin, origin, &parts)
            }
            // An actual request from an admitted origin: the response is readable when it
            // carries the origin (or `*`) and, for a credentialed request, credentials
            // (https://fetch.spec.whatwg.org/#cors-check).
            None => Verdict::Allowed {
                kind,
                grant: Grant {
                    allow_origin,
                    credentials: self.credentials.decide(origin, &parts),
                    max_age: None,
                    allow_methods: None,
                    allow_headers: AllowedHeaders::None,
                    private_network: false,
                },
            },
        };
        match &self.origin {
            OriginMatcher::Predicate(f) if !origin_admitted => {
                if f(origin, parts()) {
                    Evaluation::Done(verdict)
                } else {
                    refuse(verdict.after_origin_check(false))
                }
            }
            OriginMatcher::AsyncPredicate(f) => {
                let check = f(origin.clone(), parts());
                Evaluation::Pending {
                    check,
                    websocket: self.guards_handshake(kind, head),
                    provisional: verdict,
                }
            }
            _ => Evaluation::Done(verdict),
        }
    }

    fn evaluate_preflight<'a, 'p>(
        &'a self,
        headers: &'a HeaderMap,
        methods: GetAll<'a, HeaderValue>,
        allow_origin: &'a HeaderValue,
        origin: &HeaderValue,
        parts: &impl Fn() -> &'p Parts,
    ) -> Verdict<'a> {
        // The origin is allowed: only the method or the headers can be refused here, as the
        // browser checks them in a preflight's answer
        // (https://fetch.spec.whatwg.org/#cors-preflight-fetch, steps on the methods and
        // header names).
        let deny = |denial| Verdict::Denied {
            kind: RequestKind::Preflight,
            denial,
            origin_grant: self
                .switches
                .debug_header
                .then(|| (allow_origin, self.credentials.decide(origin, parts))),
        };
        let method = match self.methods.check(methods) {
            Ok(method) => method,
            Err(denial) => return deny(denial),
        };
        // The header names the browser will send, each of which the answer must allow
        // (https://fetch.spec.whatwg.org/#http-access-control-request-headers).
        let requested_headers = headers.get_all(ACCESS_CONTROL_REQUEST_HEADERS);
        let requested = match self.headers.check(
            &requested_headers,
            self.switches.max_request_headers,
            self.switches.max_request_header_name_len,
        ) {
            Ok(requested) => requested,
            Err(denial) => return deny(denial),
        };
        let private_network = grants_private_network(&self.private_network, headers, origin, parts);
        // Allowed: the answer carries every grant the browser's preflight check reads
        // (https://fetch.spec.whatwg.org/#cors-preflight-fetch), and credentials only when the
        // policy allows them (https://fetch.spec.whatwg.org/#cors-protocol-and-credentials).
        Verdict::Allowed {
            kind: RequestKind::Preflight,
            grant: Grant {
                allow_origin,
                credentials: self.credentials.decide(origin, parts),
                max_age: self.max_age.grant(origin, parts),
                allow_methods: self.methods.header(method),
                allow_headers: allowed_headers(
                    &self.headers,
                    headers,
                    requested_headers,
                    requested,
                ),
                private_network,
            },
        }
    }
}

/// The `Access-Control-Allow-Headers` value for an allowed preflight that asked for the
/// `requested` headers (`lines`, from `headers`).
fn allowed_headers<'a>(
    policy: &'a HeaderPolicy,
    headers: &'a HeaderMap,
    lines: GetAll<'a, HeaderValue>,
    requested: Requested,
) -> AllowedHeaders<'a> {
    match policy {
        HeaderPolicy::List { header, .. } => header
            .as_ref()
            .map_or(AllowedHeaders::None, AllowedHeaders::Value),
        HeaderPolicy::Wildcard { header, .. } => AllowedHeaders::Value(header),
        HeaderPolicy::Mirror { .. } => match lines.into_iter().next() {
            // The usual case: one line as browsers write it, sent back as is.
            Some(line) if requested.one_tidy_line => AllowedHeaders::Value(line),
            _ if requested.count == 0 => AllowedHeaders::None,
            // Several lines, or empty elements: the names are joined when written.
            _ => AllowedHeaders::Joined(headers),
        },
    }
}
