//! What a policy grants, one module per CORS concept. Each owns its public configuration type
//! over a private spec, and what the core compiles it into:
//!
//! - `origin`: allowed origins (`Access-Control-Allow-Origin`), patterns and predicates;
//! - `methods`: allowed methods (`Access-Control-Allow-Methods`);
//! - `headers`: allowed request headers (`Access-Control-Allow-Headers`) and exposed response
//!   headers (`Access-Control-Expose-Headers`);
//! - `credentials`: `Access-Control-Allow-Credentials`;
//! - `private_network`: `Access-Control-Allow-Private-Network`;
//! - `toggle`: the yes, no or per-request value both of those are;
//! - `max_age`: `Access-Control-Max-Age`;
//! - `vary`: the `Vary` values the layer merges into responses;
//! - `fetch`: facts of the Fetch Standard that settings are checked against (forbidden methods
//!   and headers, headers scripts never read);
//! - `util`: the token grammar, the `*` value and comma-joined lists, shared by the others.

pub(crate) mod credentials;
pub(crate) mod fetch;
pub(crate) mod headers;
pub(crate) mod max_age;
pub(crate) mod methods;
pub(crate) mod origin;
pub(crate) mod private_network;
pub(crate) mod toggle;
pub(crate) mod util;
pub(crate) mod vary;
