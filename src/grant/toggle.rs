//! The yes-or-no grants (credentials, private network access): off, on, or decided per request
//! by a function of the origin and the request head. One type, as configured and as compiled,
//! and the macro that defines each grant's public type over it.

use std::fmt;

use http::request::Parts;
use http::HeaderValue;

use crate::grant::origin::SyncPredicate;

#[derive(Clone, Default)]
pub(crate) enum Toggle {
    #[default]
    Off,
    On,
    Predicate(SyncPredicate),
}

impl Toggle {
    /// Whether the grant may be given to some request.
    pub(crate) fn is_possible(&self) -> bool {
        !matches!(self, Self::Off)
    }

    /// Whether the grant is given to a request from `origin` (already allowed); `parts` makes
    /// the request head when a predicate needs it.
    pub(crate) fn decide<'a>(&self, origin: &HeaderValue, parts: &impl Fn() -> &'a Parts) -> bool {
        match self {
            Self::Off => false,
            Self::On => true,
            Self::Predicate(f) => f(origin, parts()),
        }
    }

    /// `Debug` for the public type `name` that wraps it.
    pub(crate) fn fmt_as(&self, name: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Off => write!(f, "{name}::No"),
            Self::On => write!(f, "{name}::Yes"),
            Self::Predicate(_) => write!(f, "{name}::Predicate(..)"),
        }
    }
}

impl fmt::Debug for Toggle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Off => "Off",
            Self::On => "On",
            Self::Predicate(_) => "Predicate(..)",
        })
    }
}

/// Defines the public configuration type of a yes-or-no grant: a wrapper of [`Toggle`] that is
/// off by default, with `yes()`, `predicate(f)`, the crate's `is_possible()`, `From<bool>` and a
/// `Debug` that names the type. Each item takes the doc comment written above it.
macro_rules! toggle_grant {
    (
        $(#[$type_doc:meta])*
        pub struct $name:ident;

        $(#[$yes_doc:meta])*
        pub fn yes();

        $(#[$predicate_doc:meta])*
        pub fn predicate();

        $(#[$is_possible_doc:meta])*
        pub(crate) fn is_possible();
    ) => {
        $(#[$type_doc])*
        #[derive(Clone, Default)]
        #[must_use]
        pub struct $name(pub(crate) $crate::grant::toggle::Toggle);

        impl $name {
            $(#[$yes_doc])*
            pub fn yes() -> Self {
                Self($crate::grant::toggle::Toggle::On)
            }

            $(#[$predicate_doc])*
            pub fn predicate<F>(f: F) -> Self
            where
                F: Fn(&::http::HeaderValue, &::http::request::Parts) -> bool
                    + Send
                    + Sync
                    + 'static,
            {
                Self($crate::grant::toggle::Toggle::Predicate(::std::sync::Arc::new(f)))
            }

            $(#[$is_possible_doc])*
            pub(crate) fn is_possible(&self) -> bool {
                self.0.is_possible()
            }
        }

        impl From<bool> for $name {
            fn from(allow: bool) -> Self {
                if allow {
                    Self::yes()
                } else {
                    Self($crate::grant::toggle::Toggle::Off)
                }
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                self.0.fmt_as(stringify!($name), f)
            }
        }
    };
}

pub(crate) use toggle_grant;
