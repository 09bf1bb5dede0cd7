//! The value of a list key: a string (a keyword or a comma-separated list) or a list.

use std::fmt;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;

use crate::grant::headers::{AllowHeaders, ExposeHeaders};
use crate::grant::methods::AllowMethods;
use crate::grant::origin::AllowOrigin;

/// The value of a list key: a string (keyword or comma-separated list) or a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Setting {
    Text(String),
    List(Vec<String>),
}

impl Setting {
    /// The keyword this value is, if it is a string that is one.
    fn keyword(&self) -> Option<&str> {
        match self {
            Self::Text(text) => Some(text.trim()),
            Self::List(_) => None,
        }
    }

    /// The entries: a list as written, a string split at commas.
    fn entries(&self) -> Vec<&str> {
        match self {
            Self::Text(text) => text
                .split(',')
                .map(str::trim)
                .filter(|entry| !entry.is_empty())
                .collect(),
            Self::List(list) => list.iter().map(String::as_str).collect(),
        }
    }

    /// Whether this is the string `*, authorization` (spacing and case of the name aside).
    fn is_any_with_authorization(&self) -> bool {
        matches!(self, Self::Text(_))
            && matches!(self.entries()[..], ["*", name] if name.eq_ignore_ascii_case("authorization"))
    }

    pub(super) fn origins(&self) -> AllowOrigin {
        match self.keyword() {
            Some("*") => AllowOrigin::any(),
            Some("mirror") => AllowOrigin::mirror_request(),
            Some("dangerously_mirror_any_origin_with_credentials") => {
                AllowOrigin::dangerously_mirror_any_origin_with_credentials()
            }
            _ => AllowOrigin::from_strs(self.entries()),
        }
    }

    pub(super) fn methods(&self) -> AllowMethods {
        match self.keyword() {
            Some("*") => AllowMethods::any(),
            Some("mirror") => AllowMethods::mirror_request(),
            _ => AllowMethods::list(self.entries()),
        }
    }

    pub(super) fn headers(&self) -> AllowHeaders {
        match self.keyword() {
            Some("*") => AllowHeaders::any(),
            Some("mirror") => AllowHeaders::mirror_request(),
            _ if self.is_any_with_authorization() => AllowHeaders::any_with_authorization(),
            _ => AllowHeaders::list(self.entries()),
        }
    }

    pub(super) fn expose(&self) -> ExposeHeaders {
        match self.keyword() {
            Some("*") => ExposeHeaders::any(),
            _ => ExposeHeaders::list(self.entries()),
        }
    }
}

impl<'de> Deserialize<'de> for Setting {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SettingVisitor;

        impl<'de> Visitor<'de> for SettingVisitor {
            type Value = Setting;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a list of strings")
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<Setting, E> {
                Ok(Setting::Text(value.to_owned()))
            }

            fn visit_string<E: de::Error>(self, value: String) -> Result<Setting, E> {
                Ok(Setting::Text(value))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Setting, A::Error> {
                let mut list = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
                while let Some(entry) = seq.next_element::<String>()? {
                    list.push(entry);
                }
                Ok(Setting::List(list))
            }
        }

        deserializer.deserialize_any(SettingVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_settings_split_at_commas() {
        let s = Setting::Text(" a , b,,c, ".into());
        assert_eq!(s.entries(), ["a", "b", "c"]);
        assert!(Setting::Text("*,Authorization".into()).is_any_with_authorization());
        assert!(
            !Setting::List(vec!["*".into(), "authorization".into()]).is_any_with_authorization()
        );
        assert!(Setting::Text(String::new()).entries().is_empty());
    }
}
