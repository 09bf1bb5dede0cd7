//! Where in a configuration a problem or a warning is: the policy of a set, the setting, the
//! entry of a list, and the value found there. One type for [`ConfigProblem`] and
//! [`ConfigWarning`], which both name a place the same way, and the macro that gives both the
//! same public accessors.
//!
//! [`ConfigProblem`]: crate::ConfigProblem
//! [`ConfigWarning`]: crate::ConfigWarning

use std::fmt;

use crate::report::field::Field;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Location {
    /// The policy of a set (`policies[i]`); `None` for the top level.
    pub(crate) policy: Option<usize>,
    pub(crate) field: Field,
    /// The entry of a list setting.
    pub(crate) index: Option<usize>,
    /// The value as configured (non-UTF-8 bytes replaced); empty when there is none to show.
    pub(crate) value: String,
}

impl Location {
    pub(crate) fn new(field: Field, index: Option<usize>, value: impl AsRef<[u8]>) -> Self {
        Self {
            policy: None,
            field,
            index,
            value: String::from_utf8_lossy(value.as_ref()).into_owned(),
        }
    }

    /// The setting's path: `policies[1].allow_origins[2]`, `max_age_secs`.
    pub(crate) fn path(&self) -> String {
        let mut path = match self.policy {
            Some(p) => format!("policies[{p}]."),
            None => String::new(),
        };
        path.push_str(self.field.as_str());
        if let Some(i) = self.index {
            path.push_str(&format!("[{i}]"));
        }
        path
    }
}

/// `path: "value" ` as messages start; the value left out when there is none.
impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.path())?;
        if !self.value.is_empty() {
            write!(f, "{:?} ", self.value)?;
        }
        Ok(())
    }
}

/// The public accessors of a report that holds its place in `at: Location` and what it found in
/// `kind`: `field()`, `index()`, `value()`, `kind()`, `path()` and `policy()`, in that order,
/// each with the doc comment written above it. Called inside the report type's `impl` block,
/// with the types `field()` and `kind()` return as the caller's module names them.
macro_rules! located_accessors {
    (
        $(#[$field_doc:meta])*
        pub fn field() -> $field:ty;

        $(#[$index_doc:meta])*
        pub fn index();

        $(#[$value_doc:meta])*
        pub fn value();

        $(#[$kind_doc:meta])*
        pub fn kind() -> $kind:ty;

        $(#[$path_doc:meta])*
        pub fn path();

        $(#[$policy_doc:meta])*
        pub fn policy();
    ) => {
        $(#[$field_doc])*
        pub fn field(&self) -> $field {
            self.at.field
        }

        $(#[$index_doc])*
        pub fn index(&self) -> Option<usize> {
            self.at.index
        }

        $(#[$value_doc])*
        pub fn value(&self) -> &str {
            &self.at.value
        }

        $(#[$kind_doc])*
        pub fn kind(&self) -> $kind {
            self.kind
        }

        $(#[$path_doc])*
        pub fn path(&self) -> String {
            self.at.path()
        }

        $(#[$policy_doc])*
        pub fn policy(&self) -> Option<usize> {
            self.at.policy
        }
    };
}

pub(crate) use located_accessors;
