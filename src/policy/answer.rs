//! The headers and statuses the layer writes: its own answers, and what it adds to the inner
//! service's responses.

use http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE,
};
use http::{response, HeaderMap, HeaderValue, Response, StatusCode};

use super::inner_headers::{find_grants_and_vary, remove_grant_headers, Found, GrantHeaders};
use super::verdict::{AllowedHeaders, Grant};
use super::{Policy, Verdict, ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK, CORS_DEBUG, TRUE};
use crate::grant::headers::HeaderPolicy;
use crate::grant::methods::MethodPolicy;
use crate::grant::origin::OriginMatcher;
use crate::grant::toggle::Toggle;
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
    /// The layer's own answer: status and headers.
    #[inline(never)]
    pub(super) fn answer(&self, verdict: Verdict<'_>) -> response::Parts {
        let (mut head, ()) = Response::new(()).into_parts();
        // A preflight's answer must have an ok status for the browser to go on
        // (https://fetch.spec.whatwg.org/#cors-preflight-fetch); a refused one fails on its
        // missing grants whatever the status, which `strict_preflight` makes a `403`.
        head.status = match &verdict {
            Verdict::Denied {
                kind: RequestKind::Preflight,
                ..
            }
            | Verdict::OriginRefused {
                kind: RequestKind::Preflight,
                ..
            } if !self.switches.strict_preflight => self.preflight_status,
            Verdict::Denied { .. } | Verdict::OriginRefused { .. } => StatusCode::FORBIDDEN,
            _ => self.preflight_status,
        };
        head.headers = match verdict {
            Verdict::Allowed {
                kind: RequestKind::Preflight,
                grant,
            } => self.preflight_headers(grant),
            verdict => self.refusal_headers(verdict),
        };
        head
    }

    /// The headers of the layer's answer to a request it does not grant: what its decoration
    /// would add, written into a new map.
    #[inline(never)]
    fn refusal_headers(&self, verdict: Verdict<'_>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        self.decoration(verdict).write_new(&mut headers);
        headers
    }

    /// The headers of an allowed preflight's answer: a clone of the template with the values
    /// that depend on the request filled in.
    fn preflight_headers(&self, grant: Grant<'_>) -> HeaderMap {
        // The templates hold what is the same for every preflight; credentials or a max-age
        // decided per request, and private network access, are written one by one.
        let per_request =
            matches!(self.credentials, Toggle::Predicate(_)) || self.max_age.is_dynamic();
        if grant.private_network || per_request {
            let mut headers = self.preflight_grant(grant);
            self.vary_preflight.merge_into(&mut headers);
            return headers;
        }
        let template = &self.preflight_templates[usize::from(grant.allow_headers.is_some())];
        let mut headers = template.clone();
        // Replace the placeholders in place: the clone is full, and an insert would first make
        // room. The template is short and starts with `Access-Control-Allow-Origin`: walking
        // it costs less than looking names up.
        let mut origin = (!matches!(self.origin, OriginMatcher::Any)).then_some(grant.allow_origin);
        let mut methods = grant
            .allow_methods
            .filter(|_| matches!(self.methods, MethodPolicy::Mirror));
        let mut request_headers = match self.headers {
            HeaderPolicy::Mirror { .. } => grant.allow_headers.value(),
            _ => None,
        };
        for (name, slot) in headers.iter_mut() {
            if origin.is_none() && methods.is_none() && request_headers.is_none() {
                break;
            }
            if name == ACCESS_CONTROL_ALLOW_ORIGIN {
                if let Some(value) = origin.take() {
                    *slot = value.clone();
                }
            } else if name == ACCESS_CONTROL_ALLOW_METHODS {
                if let Some(value) = methods.take() {
                    *slot = value.clone();
                }
            } else if name == ACCESS_CONTROL_ALLOW_HEADERS {
                if let Some(value) = request_headers.take() {
                    *slot = value;
                }
            }
        }
        headers
    }

    /// A preflight's grant headers, written one by one (without `Vary`): the headers the
    /// browser's preflight check reads (<https://fetch.spec.whatwg.org/#http-responses>).
    fn preflight_grant(&self, grant: Grant<'_>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, grant.allow_origin.clone());
        if grant.credentials {
            headers.insert(ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE);
        }
        if let Some(v) = grant.allow_methods {
            headers.insert(ACCESS_CONTROL_ALLOW_METHODS, v.clone());
        }
        if let Some(v) = grant.allow_headers.value() {
            headers.insert(ACCESS_CONTROL_ALLOW_HEADERS, v);
        }
        if let Some(v) = grant.max_age {
            headers.insert(ACCESS_CONTROL_MAX_AGE, v.value());
        }
        if grant.private_network {
            headers.insert(ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK, TRUE);
        }
        headers
    }

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
                denial,
                origin_grant,
            } => {
                let mut grant = HeaderMap::new();
                if let Some(debug) = self.debug_value(&denial) {
                    grant.insert(CORS_DEBUG, debug);
                }
                // Debug mode: the origin's grant without the refused method or header, so that
                // the browser's console names the real cause; the preflight still fails.
                if let Some((allow_origin, credentials)) = origin_grant {
                    grant.insert(ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin.clone());
                    if credentials {
                        grant.insert(ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE);
                    }
                }
                let extra = (!grant.is_empty()).then(|| Box::new(grant));
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

    /// Debug mode: `cors-debug` for a denied verdict, in a map of its own. The mode is asked
    /// first, since the denial of a refused origin is worked out on demand.
    fn debug_header_map(&self, verdict: &Verdict<'_>) -> Option<Box<HeaderMap>> {
        if !self.switches.debug_header {
            return None;
        }
        let debug = verdict
            .denial()
            .and_then(|denial| self.debug_value(&denial))?;
        let mut headers = HeaderMap::new();
        headers.insert(CORS_DEBUG, debug);
        Some(Box::new(headers))
    }

    /// The answer to an allowed preflight that does not ask for private network access, with
    /// placeholders where the values depend on the request; `with_allow_headers` says whether
    /// it has `Access-Control-Allow-Headers`. Cloning it and filling the placeholders gives
    /// the same map, in the same order, as writing the headers one by one.
    pub(super) fn preflight_template(&self, with_allow_headers: bool) -> HeaderMap {
        let placeholder = &WILDCARD;
        let allow_headers = match &self.headers {
            HeaderPolicy::List { header, .. } => header.as_ref(),
            HeaderPolicy::Wildcard { header, .. } => Some(header),
            HeaderPolicy::Mirror { .. } => Some(placeholder),
        };
        let mut headers = self.preflight_grant(Grant {
            allow_origin: placeholder,
            credentials: matches!(self.credentials, Toggle::On),
            max_age: self.max_age.fixed(),
            allow_methods: self.methods.header(placeholder),
            allow_headers: match allow_headers {
                Some(value) if with_allow_headers => AllowedHeaders::Value(value),
                _ => AllowedHeaders::None,
            },
            private_network: false,
        });
        self.vary_preflight.merge_into(&mut headers);
        headers
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use http::header::{ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN};
    use http::Method;

    use super::*;
    use crate::policy::{Evaluation, Head, Settings, ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK};
    use crate::{AllowHeaders, AllowMethods, AllowOrigin};

    fn ordered(headers: &HeaderMap) -> Vec<(String, String)> {
        headers
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_str().unwrap().to_owned()))
            .collect()
    }

    /// The answer built from a template is the map written header by header, in the same
    /// order, whatever the policy and the preflight.
    #[test]
    fn preflight_templates_match_the_headers_written_one_by_one() {
        let origins = [
            AllowOrigin::from_strs(["https://a.example", "https://b.example"]),
            AllowOrigin::any(),
            AllowOrigin::mirror_request(),
        ];
        let methods = [
            AllowMethods::default(),
            AllowMethods::list([Method::PUT, Method::DELETE]),
            AllowMethods::any(),
            AllowMethods::mirror_request(),
        ];
        let headers = [
            AllowHeaders::default(),
            AllowHeaders::list(["content-type", "x-custom"]),
            AllowHeaders::any(),
            AllowHeaders::any_with_authorization(),
            AllowHeaders::mirror_request(),
        ];
        let requests = [
            ("PUT", None, None),
            ("DELETE", Some("content-type, x-custom"), None),
            ("PUT", Some("X-Custom"), None),
            ("GET", Some("content-type"), Some("true")),
            ("PUT", Some(""), None),
        ];
        let mut compared = 0;
        for origin in &origins {
            for method in &methods {
                for header in &headers {
                    for credentials in [false, true] {
                        for private_network in [false, true] {
                            for max_age in [None, Some(Duration::from_secs(600))] {
                                let settings = Settings {
                                    allow_origin: origin.clone(),
                                    allow_methods: method.clone(),
                                    allow_headers: header.clone(),
                                    allow_credentials: credentials.into(),
                                    allow_private_network: private_network.into(),
                                    max_age: max_age.map(Into::into).unwrap_or_default(),
                                    ..Settings::default()
                                };
                                let Ok(policy) = settings.compile() else {
                                    continue;
                                };
                                for (request_method, request_headers, pna) in requests {
                                    let mut request = http::Request::options("/items/1")
                                        .header(ORIGIN, "https://a.example")
                                        .header(ACCESS_CONTROL_REQUEST_METHOD, request_method);
                                    if let Some(h) = request_headers {
                                        request = request.header(ACCESS_CONTROL_REQUEST_HEADERS, h);
                                    }
                                    if let Some(p) = pna {
                                        request = request
                                            .header(ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK, p);
                                    }
                                    let request = request.body(()).unwrap();
                                    let Evaluation::Done(verdict) =
                                        policy.evaluate(Head::of(&request), None)
                                    else {
                                        panic!("no async predicate here");
                                    };
                                    let mut expected = HeaderMap::new();
                                    if let Verdict::Allowed { grant, .. } = verdict.clone() {
                                        expected = policy.preflight_grant(grant);
                                    }
                                    policy.vary_preflight.merge_into(&mut expected);
                                    let answer = policy.answer(verdict);
                                    assert_eq!(
                                        ordered(&answer.headers),
                                        ordered(&expected),
                                        "{settings:?} {request:?}"
                                    );
                                    compared += 1;
                                }
                            }
                        }
                    }
                }
            }
        }
        assert!(
            compared > 500,
            "only {compared} policies and requests compared"
        );
    }
}
