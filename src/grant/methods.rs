//! Allowed methods (`Access-Control-Allow-Methods`,
//! <https://fetch.spec.whatwg.org/#http-access-control-allow-methods>). The CORS-safelisted
//! methods need no grant (<https://fetch.spec.whatwg.org/#cors-safelisted-method>), and `*`
//! means "any" only without credentials.

use http::header::GetAll;
use http::{HeaderValue, Method};

use crate::grant::fetch::is_forbidden_method;
use crate::grant::util::{is_token, join_values, list_entry_problem, WILDCARD};
use crate::report::decision::Denial;
use crate::report::error::{ConfigProblem, ProblemKind};
use crate::report::field::Field;
use crate::report::warning::{ConfigWarning, WarningKind};

/// Which methods a preflight may ask for.
///
/// The CORS-safelisted methods `GET`, `HEAD` and `POST` are always allowed: browsers send them
/// without asking, so refusing them in a preflight would protect nothing. Methods are compared
/// case-sensitively, as browsers do (`patch` is not `PATCH`).
///
/// See [`CorsBuilder::allow_methods`](crate::CorsBuilder::allow_methods) for more details.
///
/// # Example
///
/// ```
/// use http::Method;
/// use tower_cors::AllowMethods;
///
/// let methods = AllowMethods::list([Method::GET, Method::PUT, Method::DELETE]);
/// let same = AllowMethods::list(["GET", "PUT", "DELETE"]);
/// # let _ = (methods, same);
/// ```
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct AllowMethods(pub(crate) MethodSpec);

#[derive(Clone, Debug, Default)]
pub(crate) enum MethodSpec {
    #[default]
    Unset,
    List(Vec<String>),
    Any,
    Mirror,
}

impl AllowMethods {
    /// Allow the listed methods.
    ///
    /// ```
    /// use tower_cors::AllowMethods;
    ///
    /// let methods = AllowMethods::list(["PUT", "PATCH"]);
    /// # let _ = methods;
    /// ```
    pub fn list<I, T>(methods: I) -> Self
    where
        I: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        Self(MethodSpec::List(
            methods.into_iter().map(|m| m.as_ref().to_owned()).collect(),
        ))
    }

    /// Allow one method (besides the CORS-safelisted `GET`, `HEAD` and `POST`).
    ///
    /// ```
    /// use http::Method;
    /// use tower_cors::AllowMethods;
    ///
    /// let methods = AllowMethods::exact(Method::DELETE);
    /// # let _ = methods;
    /// ```
    pub fn exact(method: Method) -> Self {
        Self::list([method])
    }

    /// Allow every method.
    ///
    /// Without credentials the preflight answer is `Access-Control-Allow-Methods: *`. With
    /// credentials browsers read `*` as a method literally named `*`, so the layer mirrors the
    /// requested method instead, which grants the same thing.
    ///
    /// ```
    /// use tower_cors::AllowMethods;
    ///
    /// let methods = AllowMethods::any();
    /// # let _ = methods;
    /// ```
    pub fn any() -> Self {
        Self(MethodSpec::Any)
    }

    /// Allow every method by echoing the requested one.
    ///
    /// ```
    /// use tower_cors::AllowMethods;
    ///
    /// let methods = AllowMethods::mirror_request();
    /// # let _ = methods;
    /// ```
    pub fn mirror_request() -> Self {
        Self(MethodSpec::Mirror)
    }
}

impl AllowMethods {
    /// The warnings of the listed methods: those browsers never send.
    pub(crate) fn warnings(&self, out: &mut Vec<ConfigWarning>) {
        if let MethodSpec::List(methods) = &self.0 {
            for (index, method) in methods.iter().enumerate() {
                if is_forbidden_method(method.as_bytes()) {
                    out.push(ConfigWarning::new(
                        Field::AllowMethods,
                        Some(index),
                        method,
                        WarningKind::ForbiddenMethod,
                    ));
                }
            }
        }
    }
}

impl From<crate::Any> for AllowMethods {
    fn from(_: crate::Any) -> Self {
        Self::any()
    }
}

impl From<Method> for AllowMethods {
    fn from(method: Method) -> Self {
        Self::list([method])
    }
}

impl<T: AsRef<str>, const N: usize> From<[T; N]> for AllowMethods {
    fn from(methods: [T; N]) -> Self {
        Self::list(methods)
    }
}

impl<T: AsRef<str>> From<Vec<T>> for AllowMethods {
    fn from(methods: Vec<T>) -> Self {
        Self::list(methods)
    }
}

/// The compiled method policy.
#[derive(Debug)]
pub(crate) enum MethodPolicy {
    List {
        /// Sorted, deduplicated.
        methods: Vec<Box<[u8]>>,
        /// The allowed methods among those of [`standard_bit`], the safelisted ones included, one
        /// bit each: a preflight almost always asks for one of them, and a bit costs less than
        /// a search.
        standard: u16,
        header: Option<HeaderValue>,
    },
    /// `*` sent as is (no credentials).
    Wildcard,
    /// Echo the request's method.
    Mirror,
}

pub(crate) fn is_safelisted_method(method: &[u8]) -> bool {
    matches!(method, b"GET" | b"HEAD" | b"POST")
}

/// The bit of a method among those of RFC 9110 and `PATCH`; the first three are the
/// safelisted ones.
fn standard_bit(method: &[u8]) -> Option<u16> {
    let index = match method {
        b"GET" => 0,
        b"HEAD" => 1,
        b"POST" => 2,
        b"PUT" => 3,
        b"DELETE" => 4,
        b"CONNECT" => 5,
        b"OPTIONS" => 6,
        b"TRACE" => 7,
        b"PATCH" => 8,
        _ => return None,
    };
    Some(1 << index)
}

/// The bits of the safelisted methods, always allowed.
const SAFELISTED_BITS: u16 = 0b111;

impl MethodPolicy {
    pub(crate) fn compile(
        spec: &MethodSpec,
        credentials: bool,
        problems: &mut Vec<ConfigProblem>,
    ) -> Self {
        match spec {
            MethodSpec::Unset => Self::List {
                methods: Vec::new(),
                standard: SAFELISTED_BITS,
                header: None,
            },
            MethodSpec::Any if !credentials => Self::Wildcard,
            MethodSpec::Any | MethodSpec::Mirror => Self::Mirror,
            MethodSpec::List(list) => {
                let mut methods: Vec<Box<[u8]>> = Vec::with_capacity(list.len());
                for (index, m) in list.iter().enumerate() {
                    let problem =
                        |kind| ConfigProblem::new(Field::AllowMethods, Some(index), m, kind);
                    if let Some(kind) = list_entry_problem(m.as_bytes()) {
                        problems.push(problem(kind));
                    } else if !is_token(m.as_bytes()) {
                        problems.push(problem(ProblemKind::InvalidMethod));
                    } else if !methods.iter().any(|x| **x == *m.as_bytes()) {
                        methods.push(m.as_bytes().into());
                    }
                }
                let header = join_values(methods.iter().map(|m| &**m));
                methods.sort();
                let standard = methods
                    .iter()
                    .filter_map(|m| standard_bit(m))
                    .fold(SAFELISTED_BITS, |bits, bit| bits | bit);
                Self::List {
                    methods,
                    standard,
                    header,
                }
            }
        }
    }

    /// Checks a preflight's `Access-Control-Request-Method`: one line holding a method token
    /// (<https://fetch.spec.whatwg.org/#http-access-control-request-method>), allowed by the
    /// policy. Returns the method's value, which a mirroring policy answers with.
    #[inline]
    pub(crate) fn check<'a>(
        &self,
        requested: GetAll<'a, HeaderValue>,
    ) -> Result<&'a HeaderValue, Denial> {
        let mut lines = requested.into_iter();
        let method = match (lines.next(), lines.next()) {
            (Some(m), None) if is_token(m.as_bytes()) => m,
            _ => return Err(Denial::MalformedMethod),
        };
        if self.allows(method.as_bytes()) {
            return Ok(method);
        }
        Err(match Method::from_bytes(method.as_bytes()) {
            Ok(m) => Denial::MethodNotAllowed(m),
            Err(_) => Denial::MalformedMethod,
        })
    }

    /// Whether a (syntactically valid) requested method is allowed.
    pub(crate) fn allows(&self, method: &[u8]) -> bool {
        match self {
            Self::List {
                methods, standard, ..
            } => match standard_bit(method) {
                Some(bit) => standard & bit != 0,
                None => methods.binary_search_by(|m| (**m).cmp(method)).is_ok(),
            },
            Self::Wildcard | Self::Mirror => true,
        }
    }

    /// The `Access-Control-Allow-Methods` value for an allowed preflight.
    pub(crate) fn header<'a>(&'a self, requested: &'a HeaderValue) -> Option<&'a HeaderValue> {
        match self {
            Self::List { header, .. } => header.as_ref(),
            Self::Wildcard => Some(&WILDCARD),
            Self::Mirror => Some(requested),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_is_case_sensitive_and_safelisted_methods_pass() {
        let mut problems = Vec::new();
        let spec = MethodSpec::List(vec!["PUT".into(), "PATCH".into(), "PUT".into()]);
        let policy = MethodPolicy::compile(&spec, false, &mut problems);
        assert!(problems.is_empty());
        assert!(policy.allows(b"PUT"));
        assert!(policy.allows(b"PATCH"));
        assert!(!policy.allows(b"patch"));
        assert!(!policy.allows(b"DELETE"));
        assert!(policy.allows(b"GET"));
        assert!(policy.allows(b"HEAD"));
        assert!(!policy.allows(b"TRACE"));
        assert_eq!(
            policy.header(&HeaderValue::from_static("PUT")).unwrap(),
            "PUT, PATCH"
        );
    }

    #[test]
    fn any_with_credentials_mirrors() {
        let mut problems = Vec::new();
        let policy = MethodPolicy::compile(&MethodSpec::Any, true, &mut problems);
        assert_eq!(
            policy.header(&HeaderValue::from_static("DELETE")).unwrap(),
            "DELETE"
        );
        let policy = MethodPolicy::compile(&MethodSpec::Any, false, &mut problems);
        assert_eq!(
            policy.header(&HeaderValue::from_static("DELETE")).unwrap(),
            "*"
        );
    }
}
