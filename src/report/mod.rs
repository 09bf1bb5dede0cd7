//! What the user reads back: the decision for a request (`decision`), the problems that stop a
//! policy from building (`error`), the warnings about settings that build (`warning`), and the
//! configuration keys all of them name (`field`), and the fix for each denial (`fix`).

pub(crate) mod decision;
pub(crate) mod error;
pub(crate) mod field;
pub(crate) mod fix;
pub(crate) mod location;
pub(crate) mod warning;
