//! The yes-or-no grants (credentials, private network access): off, on, or decided per request
//! by a function of the origin and the request head. One type, as configured and as compiled.

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
