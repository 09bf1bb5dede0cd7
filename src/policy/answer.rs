//! The layer's own answers: the status and headers of an allowed preflight (from templates
//! made at build time), and of a request it refuses without calling the inner service.

use http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_MAX_AGE,
};
use http::{response, HeaderMap, Response, StatusCode};

use super::verdict::{AllowedHeaders, Grant};
use super::{Policy, Verdict, ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK, TRUE};
use crate::grant::headers::HeaderPolicy;
use crate::grant::methods::MethodPolicy;
use crate::grant::origin::OriginMatcher;
use crate::grant::toggle::Toggle;
use crate::grant::util::WILDCARD;
use crate::report::decision::RequestKind;

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
    pub(super) fn preflight_grant(&self, grant: Grant<'_>) -> HeaderMap {
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
