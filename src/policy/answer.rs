//! The headers and statuses the layer writes: its own answers, and what it adds to the inner
//! service's responses.

use http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE,
};
use http::{response, HeaderMap, HeaderName, HeaderValue, Response, StatusCode};

use super::evaluate::Grant;
use super::inner_headers::{remove_grant_headers, Removed};
use super::{
    MaxAgeValue, Policy, Switch, Verdict, ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK, CORS_DEBUG, TRUE,
    WILDCARD,
};
use crate::decision::RequestKind;
use crate::headers::HeaderPolicy;
use crate::methods::MethodPolicy;
use crate::origin::OriginMatcher;
use crate::vary::Vary;

/// The headers the layer writes into the inner service's response.
#[derive(Debug)]
pub(crate) struct Decoration {
    headers: Written,
    /// Remove the grant headers the inner service set before writing the layer's own.
    replace_inner: bool,
}

#[derive(Debug)]
enum Written {
    /// For a request that is not a preflight.
    Actual {
        /// Granted: `Access-Control-Allow-Origin`.
        allow_origin: Option<HeaderValue>,
        credentials: bool,
        expose: Option<HeaderValue>,
        vary: Option<&'static Vary>,
        /// Debug mode: why the request was denied (`cors-debug`).
        debug: Option<HeaderValue>,
    },
    /// For a preflight passed on to the inner service: the grant the layer would have
    /// answered with.
    Preflight {
        grant: HeaderMap,
        vary: &'static Vary,
    },
}

impl Decoration {
    /// Writes the headers into the response's own map: first removes the grant headers the
    /// inner service set (unless the policy keeps them), then writes the layer's, overwriting,
    /// and merges `Vary`. Returns what it removed.
    pub(crate) fn write(self, headers: &mut HeaderMap) -> Removed {
        let removed = if self.replace_inner {
            remove_grant_headers(headers)
        } else {
            Removed::default()
        };
        match self.headers {
            Written::Actual {
                allow_origin,
                credentials,
                expose,
                vary,
                debug,
            } => {
                if let Some(debug) = debug {
                    headers.insert(CORS_DEBUG, debug);
                }
                if let Some(allow_origin) = allow_origin {
                    headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin);
                    if credentials {
                        headers.insert(ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE);
                    }
                    if let Some(expose) = expose {
                        headers.insert(ACCESS_CONTROL_EXPOSE_HEADERS, expose);
                    }
                }
                if let Some(vary) = vary {
                    vary.merge_into(headers);
                }
            }
            Written::Preflight { grant, vary } => {
                headers.extend(grant);
                vary.merge_into(headers);
            }
        }
        removed
    }
}

impl Policy {
    /// The layer's own answer: status and headers.
    pub(super) fn answer(&self, verdict: Verdict) -> response::Parts {
        let (mut head, ()) = Response::new(()).into_parts();
        head.status = match &verdict {
            Verdict::Denied {
                kind: RequestKind::Preflight,
                ..
            } if !self.strict_preflight => self.preflight_status,
            Verdict::Denied { .. } => StatusCode::FORBIDDEN,
            _ => self.preflight_status,
        };
        head.headers = match verdict {
            Verdict::Allowed {
                kind: RequestKind::Preflight,
                grant,
            } => self.preflight_headers(grant),
            verdict => {
                let mut headers = HeaderMap::new();
                self.decoration(verdict).write(&mut headers);
                headers
            }
        };
        head
    }

    /// The headers of an allowed preflight's answer: a clone of the template with the values
    /// that depend on the request filled in.
    fn preflight_headers(&self, grant: Grant) -> HeaderMap {
        // The templates hold what is the same for every preflight; credentials or a max-age
        // decided per request, and private network access, are written one by one.
        let per_request = matches!(self.credentials, Switch::Predicate(_))
            || matches!(self.max_age, MaxAgeValue::Dynamic(_));
        if grant.private_network || per_request {
            let mut headers = self.preflight_grant(grant);
            self.vary_preflight.merge_into(&mut headers);
            return headers;
        }
        let template = &self.preflight_templates[usize::from(grant.allow_headers.is_some())];
        let mut headers = template.clone();
        // Replace placeholders in place: the clone is full, and an insert would first make
        // room.
        let mut fill = |name: HeaderName, value: HeaderValue| {
            if let Some(slot) = headers.get_mut(name) {
                *slot = value;
            }
        };
        if !matches!(self.origin, OriginMatcher::Any) {
            fill(ACCESS_CONTROL_ALLOW_ORIGIN, grant.allow_origin);
        }
        if let (MethodPolicy::Mirror, Some(v)) = (&self.methods, grant.allow_methods) {
            fill(ACCESS_CONTROL_ALLOW_METHODS, v);
        }
        if let (HeaderPolicy::Mirror { .. }, Some(v)) = (&self.headers, grant.allow_headers) {
            fill(ACCESS_CONTROL_ALLOW_HEADERS, v);
        }
        headers
    }

    /// A preflight's grant headers, written one by one (without `Vary`).
    fn preflight_grant(&self, grant: Grant) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, grant.allow_origin);
        if grant.credentials {
            headers.insert(ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE);
        }
        if let Some(v) = grant.allow_methods {
            headers.insert(ACCESS_CONTROL_ALLOW_METHODS, v);
        }
        if let Some(v) = grant.allow_headers {
            headers.insert(ACCESS_CONTROL_ALLOW_HEADERS, v);
        }
        if let Some(v) = grant.max_age {
            headers.insert(ACCESS_CONTROL_MAX_AGE, v);
        }
        if grant.private_network {
            headers.insert(ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK, TRUE);
        }
        headers
    }

    /// The headers to write into the inner service's response, taken out of the policy so
    /// that the response future does not need it.
    #[inline]
    pub(super) fn decoration(&self, verdict: Verdict) -> Decoration {
        let headers = match verdict {
            Verdict::Allowed {
                kind: RequestKind::Preflight,
                grant,
            } => Written::Preflight {
                grant: self.preflight_grant(grant),
                vary: self.vary_preflight,
            },
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
                    grant.insert(ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin);
                    if credentials {
                        grant.insert(ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE);
                    }
                }
                Written::Preflight {
                    grant,
                    vary: self.vary_preflight,
                }
            }
            verdict => {
                let debug = verdict.denial().and_then(|denial| self.debug_value(denial));
                let (allow_origin, credentials) = match verdict {
                    Verdict::Allowed { grant, .. } => (Some(grant.allow_origin), grant.credentials),
                    // A resource open to everyone says so to every request, CORS or not, so
                    // that a cache storing a response to a request without `Origin` (a page
                    // loading a font or a script) serves a usable one to a later `fetch`.
                    Verdict::NotCors if matches!(self.origin, OriginMatcher::Any) => {
                        (Some(WILDCARD), false)
                    }
                    _ => (None, false),
                };
                Written::Actual {
                    expose: allow_origin.as_ref().and(self.expose.clone()),
                    credentials,
                    allow_origin,
                    vary: self.vary_actual,
                    debug,
                }
            }
        };
        Decoration {
            headers,
            replace_inner: !self.preserve_inner_headers,
        }
    }

    /// The answer to an allowed preflight that does not ask for private network access, with
    /// placeholders where the values depend on the request; `with_allow_headers` says whether
    /// it has `Access-Control-Allow-Headers`. Cloning it and filling the placeholders gives
    /// the same map, in the same order, as writing the headers one by one.
    pub(super) fn preflight_template(&self, with_allow_headers: bool) -> HeaderMap {
        let placeholder = WILDCARD;
        let allow_headers = match &self.headers {
            HeaderPolicy::List { header, .. } => header.clone(),
            HeaderPolicy::Wildcard { header, .. } => Some(header.clone()),
            HeaderPolicy::Mirror { .. } => Some(placeholder.clone()),
        };
        let mut headers = self.preflight_grant(Grant {
            allow_origin: placeholder.clone(),
            credentials: matches!(self.credentials, Switch::On),
            max_age: match &self.max_age {
                MaxAgeValue::Fixed(value) => Some(value.clone()),
                MaxAgeValue::Unset | MaxAgeValue::Dynamic(_) => None,
            },
            allow_methods: self.methods.header(&placeholder),
            allow_headers: allow_headers.filter(|_| with_allow_headers),
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
