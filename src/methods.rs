//! Allowed methods.

use http::{HeaderValue, Method};

use crate::error::{ConfigProblem, ProblemKind};
use crate::field::Field;
use crate::util::{is_token, join_values};

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

impl MethodPolicy {
    pub(crate) fn compile(
        spec: &MethodSpec,
        credentials: bool,
        problems: &mut Vec<ConfigProblem>,
    ) -> Self {
        match spec {
            MethodSpec::Unset => Self::List {
                methods: Vec::new(),
                header: None,
            },
            MethodSpec::Any if !credentials => Self::Wildcard,
            MethodSpec::Any | MethodSpec::Mirror => Self::Mirror,
            MethodSpec::List(list) => {
                let mut methods: Vec<Box<[u8]>> = Vec::with_capacity(list.len());
                for (index, m) in list.iter().enumerate() {
                    let problem =
                        |kind| ConfigProblem::new(Field::AllowMethods, Some(index), m, kind);
                    if m == "*" {
                        problems.push(problem(ProblemKind::WildcardInList));
                    } else if m.trim() != m {
                        problems.push(problem(ProblemKind::Whitespace));
                    } else if !is_token(m.as_bytes()) {
                        problems.push(problem(ProblemKind::InvalidMethod));
                    } else if !methods.iter().any(|x| **x == *m.as_bytes()) {
                        methods.push(m.as_bytes().into());
                    }
                }
                let header = join_values(methods.iter().map(|m| &**m));
                methods.sort();
                Self::List { methods, header }
            }
        }
    }

    /// Whether a (syntactically valid) requested method is allowed.
    pub(crate) fn allows(&self, method: &[u8]) -> bool {
        match self {
            Self::List { methods, .. } => {
                is_safelisted_method(method)
                    || methods.binary_search_by(|m| (**m).cmp(method)).is_ok()
            }
            Self::Wildcard | Self::Mirror => true,
        }
    }

    /// The `Access-Control-Allow-Methods` value for an allowed preflight.
    pub(crate) fn header(&self, requested: &HeaderValue) -> Option<HeaderValue> {
        match self {
            Self::List { header, .. } => header.clone(),
            Self::Wildcard => Some(HeaderValue::from_static("*")),
            Self::Mirror => Some(requested.clone()),
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
