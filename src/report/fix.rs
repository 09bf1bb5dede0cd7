//! The fix for each denial: the one text the debug header, the dry run and `cors-explain`
//! give, naming configuration keys by [`Field`].

use crate::report::decision::Denial;
use crate::report::field::Field;

/// The configuration change (or, for a request no browser sends, the request change) that
/// avoids `denial`. `origin` is the request's `Origin` when the caller has it; `key` writes a
/// key as the configuration names it (`policies[2].allow_methods` in a set).
pub(crate) fn fix_for_denial(
    denial: &Denial,
    origin: Option<&[u8]>,
    key: &dyn Fn(Field) -> String,
) -> String {
    let quoted = origin.map(|o| format!("{:?}", String::from_utf8_lossy(o)));
    let origin = quoted.as_deref().unwrap_or("the origin");
    match denial {
        Denial::MultipleOrigins => "send one Origin header, as browsers do".to_owned(),
        Denial::MalformedOrigin => match &quoted {
            Some(origin) => format!(
                "{origin} is not an origin a browser sends: scheme://host[:port], lowercase, no default port"
            ),
            None => "browsers send scheme://host[:port], lowercase, no default port".to_owned(),
        },
        Denial::NullOrigin => format!(
            "add \"null\" to {} (only if sandboxed or file: pages must read the answers)",
            key(Field::AllowOrigins)
        ),
        Denial::OriginNotAllowed => format!("add {origin} to {}", key(Field::AllowOrigins)),
        Denial::OriginRefusedByPredicate => format!("make the origin predicate accept {origin}"),
        Denial::MalformedMethod => {
            "send one method token in Access-Control-Request-Method".to_owned()
        }
        Denial::MethodNotAllowed(m) => {
            format!("add {:?} to {}", m.as_str(), key(Field::AllowMethods))
        }
        Denial::MalformedRequestHeaders => {
            "send header names in Access-Control-Request-Headers".to_owned()
        }
        Denial::TooManyRequestHeaders { limit } => {
            format!("raise {} above {limit}", key(Field::MaxRequestHeaders))
        }
        Denial::RequestHeaderNameTooLong { limit } => {
            format!("raise {} above {limit}", key(Field::MaxRequestHeaderNameLen))
        }
        Denial::CrossOriginWebSocket => format!(
            "add {origin} to {} if its pages may open WebSockets here (browsers apply no CORS check to them)",
            key(Field::AllowOrigins)
        ),
        Denial::HeaderNotAllowed(h) => {
            format!("add {:?} to {}", h.as_str(), key(Field::AllowHeaders))
        }
        Denial::AuthorizationNotCoveredByWildcard => format!(
            "add \"authorization\" to {} (the \"*\" wildcard never covers it; \"*, authorization\" allows both)",
            key(Field::AllowHeaders)
        ),
    }
}

#[cfg(test)]
mod tests {
    use http::{HeaderName, Method};

    use super::*;

    #[test]
    fn fixes_name_the_value_and_the_key() {
        let key = |field: Field| format!("policies[1].{field}");
        assert_eq!(
            fix_for_denial(&Denial::MethodNotAllowed(Method::PUT), None, &key),
            "add \"PUT\" to policies[1].allow_methods"
        );
        assert_eq!(
            fix_for_denial(
                &Denial::HeaderNotAllowed(HeaderName::from_static("x-custom")),
                None,
                &key
            ),
            "add \"x-custom\" to policies[1].allow_headers"
        );
        assert_eq!(
            fix_for_denial(&Denial::OriginNotAllowed, Some(b"https://a.example"), &key),
            "add \"https://a.example\" to policies[1].allow_origins"
        );
        assert_eq!(
            fix_for_denial(&Denial::OriginNotAllowed, None, &key),
            "add the origin to policies[1].allow_origins"
        );
    }
}
