//! Allowed origins: the public configuration type and its compiled matcher.

use std::collections::hash_map::RandomState;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::future::Future;
use std::hash::{BuildHasher, Hasher};
use std::pin::Pin;
use std::sync::Arc;

use http::request::Parts;
use http::HeaderValue;

use crate::error::{ConfigProblem, Field, ProblemKind};

/// A boxed future answering "is this origin allowed?", returned by async predicates.
pub(crate) type BoxBoolFuture = Pin<Box<dyn Future<Output = bool> + Send + 'static>>;

type SyncPredicate = Arc<dyn Fn(&HeaderValue, &Parts) -> bool + Send + Sync + 'static>;
type AsyncPredicate = Arc<dyn Fn(HeaderValue, &Parts) -> BoxBoolFuture + Send + Sync + 'static>;

/// Which origins may read responses.
///
/// Build one with [`AllowOrigin::list`], [`AllowOrigin::any`], [`AllowOrigin::predicate`],
/// [`AllowOrigin::async_predicate`] or [`AllowOrigin::mirror_request`], or convert from a
/// string, a [`HeaderValue`], an array or a `Vec` of those, or [`Any`](crate::Any).
///
/// Nothing is validated here: [`CorsBuilder::build`](crate::CorsBuilder::build) checks every
/// entry and reports all problems at once.
///
/// See [`CorsBuilder::allow_origin`](crate::CorsBuilder::allow_origin) for more details.
///
/// # Example
///
/// ```
/// use tower_cors::AllowOrigin;
///
/// let origins = AllowOrigin::list([
///     "https://app.example.com",
///     "https://*.preview.example.com",
///     "http://localhost:*",
/// ]);
/// # let _ = origins;
/// ```
#[derive(Clone, Default)]
#[must_use]
pub struct AllowOrigin(pub(crate) OriginSpec);

#[derive(Clone, Default)]
pub(crate) enum OriginSpec {
    #[default]
    Unset,
    Any,
    List(Vec<Vec<u8>>),
    Predicate(SyncPredicate),
    AsyncPredicate(AsyncPredicate),
    Mirror,
    DangerousMirror,
}

impl AllowOrigin {
    /// Allow every origin.
    ///
    /// Without credentials the layer answers `Access-Control-Allow-Origin: *`, the same for
    /// everyone, and adds no `Vary: Origin`. With credentials this is a configuration error:
    /// browsers never accept `*` on a credentialed request.
    ///
    /// ```
    /// use tower_cors::{AllowOrigin, CorsLayer};
    ///
    /// let layer = CorsLayer::builder().allow_origin(AllowOrigin::any()).build().unwrap();
    /// # let _ = layer;
    /// ```
    pub fn any() -> Self {
        Self(OriginSpec::Any)
    }

    /// Allow the listed origins and origin patterns.
    ///
    /// Each entry is one of:
    /// - an exact origin such as `https://app.example.com` or `http://localhost:3000`. It is
    ///   normalised when the layer is built (scheme and host lowercased, the scheme's default
    ///   port dropped), the way browsers serialise the `Origin` header. An origin with a path,
    ///   query, fragment, user info or trailing slash is a configuration error;
    /// - a subdomain pattern such as `https://*.example.com`, matching one or more whole labels
    ///   before `.example.com` (so `https://a.example.com` and `https://a.b.example.com`, never
    ///   `https://example.com` nor `https://evilexample.com`), with the same scheme and port;
    /// - any of the above with `:*` as the port, matching every port (and none):
    ///   `http://localhost:*`, `https://*.example.com:*`;
    /// - `null`, the opaque origin of sandboxed frames and `file:` pages. It is only matched
    ///   when listed, never by a pattern or by mirroring.
    ///
    /// Lookup costs the same for 3 or 100,000 exact origins (a hash lookup), and patterns are
    /// indexed by their suffix, so it does not grow with the number of patterns either.
    ///
    /// ```
    /// use tower_cors::{AllowOrigin, CorsLayer};
    ///
    /// let layer = CorsLayer::builder()
    ///     .allow_origin(AllowOrigin::list(["https://app.example.com", "https://*.example.org"]))
    ///     .build()
    ///     .unwrap();
    /// # let _ = layer;
    /// ```
    pub fn list<I, T>(origins: I) -> Self
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        Self(OriginSpec::List(
            origins.into_iter().map(|o| o.as_ref().to_vec()).collect(),
        ))
    }

    /// Allow a single origin or origin pattern; see [`AllowOrigin::list`].
    ///
    /// ```
    /// use tower_cors::AllowOrigin;
    ///
    /// let origin = AllowOrigin::exact("https://app.example.com");
    /// # let _ = origin;
    /// ```
    pub fn exact(origin: impl AsRef<[u8]>) -> Self {
        Self::list([origin])
    }

    /// Allow no origin at all: the layer refuses every cross-origin request.
    ///
    /// Leaving the origin unset is a configuration error, so a layer that grants nothing has
    /// to be asked for by name.
    ///
    /// ```
    /// use tower_cors::{AllowOrigin, CorsLayer};
    ///
    /// let layer = CorsLayer::builder().allow_origin(AllowOrigin::none()).build().unwrap();
    /// # let _ = layer;
    /// ```
    pub fn none() -> Self {
        Self(OriginSpec::List(Vec::new()))
    }

    /// Decide with a function of the origin and the request head.
    ///
    /// The function only sees origins that are syntactically valid serialised origins (or
    /// `null`); anything else is refused before it runs.
    ///
    /// ```
    /// use tower_cors::{AllowOrigin, CorsLayer};
    ///
    /// let layer = CorsLayer::builder()
    ///     .allow_origin(AllowOrigin::predicate(|origin, _parts| {
    ///         origin.as_bytes().ends_with(b".internal.example.com")
    ///     }))
    ///     .build()
    ///     .unwrap();
    /// # let _ = layer;
    /// ```
    pub fn predicate<F>(f: F) -> Self
    where
        F: Fn(&HeaderValue, &Parts) -> bool + Send + Sync + 'static,
    {
        Self(OriginSpec::Predicate(Arc::new(f)))
    }

    /// Decide with an asynchronous function of the origin and the request head, for instance
    /// a lookup in a tenant database.
    ///
    /// The check completes before the inner service's future is first polled.
    ///
    /// ```
    /// use tower_cors::{AllowOrigin, CorsLayer};
    ///
    /// let layer = CorsLayer::builder()
    ///     .allow_origin(AllowOrigin::async_predicate(|origin, _parts| async move {
    ///         // e.g. look the origin up in a database
    ///         origin == "https://tenant.example.com"
    ///     }))
    ///     .build()
    ///     .unwrap();
    /// # let _ = layer;
    /// ```
    pub fn async_predicate<F, Fut>(f: F) -> Self
    where
        F: Fn(HeaderValue, &Parts) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = bool> + Send + 'static,
    {
        Self(OriginSpec::AsyncPredicate(Arc::new(
            move |origin, parts| Box::pin(f(origin, parts)) as BoxBoolFuture,
        )))
    }

    /// Allow every well-formed origin by echoing it back.
    ///
    /// This is the right choice for a public API that wants `Vary: Origin` responses instead of
    /// `*`. It cannot be combined with credentials: reflecting any origin while allowing
    /// credentials lets every web site read your users' data. If that is truly intended, use
    /// [`AllowOrigin::dangerously_mirror_any_origin_with_credentials`].
    ///
    /// ```
    /// use tower_cors::{AllowOrigin, CorsLayer};
    ///
    /// let layer = CorsLayer::builder().allow_origin(AllowOrigin::mirror_request()).build().unwrap();
    /// # let _ = layer;
    /// ```
    pub fn mirror_request() -> Self {
        Self(OriginSpec::Mirror)
    }

    /// Echo every well-formed origin back, even on credentialed requests.
    ///
    /// Any web site can then make your users' browsers send their cookies to this service and
    /// read the answers. Only use it for services that hold nothing private, or behind another
    /// check; prefer [`AllowOrigin::list`].
    ///
    /// ```
    /// use tower_cors::{AllowOrigin, CorsLayer};
    ///
    /// let layer = CorsLayer::builder()
    ///     .allow_origin(AllowOrigin::dangerously_mirror_any_origin_with_credentials())
    ///     .allow_credentials(true)
    ///     .build()
    ///     .unwrap();
    /// # let _ = layer;
    /// ```
    pub fn dangerously_mirror_any_origin_with_credentials() -> Self {
        Self(OriginSpec::DangerousMirror)
    }
}

impl fmt::Debug for AllowOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            OriginSpec::Unset => f.write_str("AllowOrigin::Unset"),
            OriginSpec::Any => f.write_str("AllowOrigin::Any"),
            OriginSpec::List(list) => f
                .debug_tuple("AllowOrigin::List")
                .field(
                    &list
                        .iter()
                        .map(|o| String::from_utf8_lossy(o))
                        .collect::<Vec<_>>(),
                )
                .finish(),
            OriginSpec::Predicate(_) => f.write_str("AllowOrigin::Predicate(..)"),
            OriginSpec::AsyncPredicate(_) => f.write_str("AllowOrigin::AsyncPredicate(..)"),
            OriginSpec::Mirror => f.write_str("AllowOrigin::MirrorRequest"),
            OriginSpec::DangerousMirror => {
                f.write_str("AllowOrigin::DangerouslyMirrorAnyOriginWithCredentials")
            }
        }
    }
}

impl From<crate::Any> for AllowOrigin {
    fn from(_: crate::Any) -> Self {
        Self::any()
    }
}

impl From<HeaderValue> for AllowOrigin {
    fn from(origin: HeaderValue) -> Self {
        Self::exact(origin)
    }
}

impl From<&str> for AllowOrigin {
    fn from(origin: &str) -> Self {
        Self::exact(origin)
    }
}

impl From<String> for AllowOrigin {
    fn from(origin: String) -> Self {
        Self::exact(origin)
    }
}

impl<T: AsRef<[u8]>, const N: usize> From<[T; N]> for AllowOrigin {
    fn from(origins: [T; N]) -> Self {
        Self::list(origins)
    }
}

impl<T: AsRef<[u8]>> From<Vec<T>> for AllowOrigin {
    fn from(origins: Vec<T>) -> Self {
        Self::list(origins)
    }
}

// ---------------------------------------------------------------------------------------------
// Parsing of origins, shared by the configuration and the request path.

/// A port as written in an origin or pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum PortSpec {
    /// No port: the scheme's default.
    Default,
    Exact(u16),
    /// `:*`, any port or none (patterns only).
    Any,
}

/// A serialised origin split in its parts, borrowed from the input.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct OriginParts<'a> {
    pub(crate) scheme: &'a [u8],
    pub(crate) host: &'a [u8],
    pub(crate) port: PortSpec,
}

/// The longest host name DNS allows; longer hosts are refused without further work.
const MAX_HOST_LEN: usize = 253;

fn default_port(scheme: &[u8]) -> Option<u16> {
    match scheme {
        b"http" | b"ws" => Some(80),
        b"https" | b"wss" => Some(443),
        b"ftp" => Some(21),
        _ => None,
    }
}

/// Byte classes used when parsing origins: one table lookup per byte. The `REQUEST_` classes
/// are the lowercase forms browsers send.
const SCHEME_BYTE: u8 = 1;
const LABEL_BYTE: u8 = 2;
const REQUEST_SCHEME_BYTE: u8 = 4;
const REQUEST_LABEL_BYTE: u8 = 8;
const REQUEST_IPV6_BYTE: u8 = 16;
const BYTE_CLASSES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        let scheme = b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.');
        let label = b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_');
        if scheme {
            table[i] |= SCHEME_BYTE;
        }
        if label {
            table[i] |= LABEL_BYTE;
        }
        if !b.is_ascii_uppercase() {
            if scheme {
                table[i] |= REQUEST_SCHEME_BYTE;
            }
            if label {
                table[i] |= REQUEST_LABEL_BYTE;
            }
        }
        if b.is_ascii_digit() || matches!(b, b'a'..=b'f' | b':' | b'.') {
            table[i] |= REQUEST_IPV6_BYTE;
        }
        i += 1;
    }
    table
};

fn in_class(b: u8, class: u8) -> bool {
    BYTE_CLASSES[usize::from(b)] & class != 0
}

fn all_in_class(s: &[u8], class: u8) -> bool {
    s.iter().all(|&b| in_class(b, class))
}

fn is_scheme(s: &[u8]) -> bool {
    match s.split_first() {
        Some((first, rest)) => first.is_ascii_alphabetic() && all_in_class(rest, SCHEME_BYTE),
        None => false,
    }
}

/// A DNS-style label: letters, digits, hyphens, underscores; not empty.
fn is_label(l: &[u8]) -> bool {
    !l.is_empty() && l.len() <= 63 && all_in_class(l, LABEL_BYTE)
}

fn is_host(h: &[u8]) -> bool {
    if h.is_empty() || h.len() > MAX_HOST_LEN {
        return false;
    }
    if let Some(inner) = h.strip_prefix(b"[").and_then(|r| r.strip_suffix(b"]")) {
        // IPv6 literal: hex digits, colons and dots (embedded IPv4).
        return !inner.is_empty()
            && inner
                .iter()
                .all(|b| b.is_ascii_hexdigit() || matches!(b, b':' | b'.'));
    }
    h.split(|&b| b == b'.').all(is_label)
}

/// `[address]` as browsers serialise it (the URL Standard's IPv6 serializer). It agrees with
/// the standard library's, which compresses the first longest run of two or more zero
/// pieces, except for IPv4-mapped addresses, which browsers write in hex pieces too.
fn canonical_ipv6(bracketed: &[u8]) -> Option<Vec<u8>> {
    let inner = bracketed.strip_prefix(b"[")?.strip_suffix(b"]")?;
    let address: std::net::Ipv6Addr = std::str::from_utf8(inner).ok()?.parse().ok()?;
    let text = match address.to_ipv4_mapped() {
        Some(_) => {
            let pieces = address.segments();
            format!("[::ffff:{:x}:{:x}]", pieces[6], pieces[7])
        }
        None => format!("[{address}]"),
    };
    Some(text.into_bytes())
}

/// Whether the URL Standard would read `host` as an IPv4 address: its last label (ignoring one
/// trailing dot) is a number (decimal, or hexadecimal with `0x`).
fn looks_like_ipv4(host: &[u8]) -> bool {
    let host = host.strip_suffix(b".").unwrap_or(host);
    let last = host.rsplit(|&b| b == b'.').next().unwrap_or_default();
    !last.is_empty()
        && (last.iter().all(u8::is_ascii_digit)
            || last
                .strip_prefix(b"0x")
                .is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit)))
}

/// Four decimal numbers from 0 to 255 without leading zeros, the form browsers send: what
/// the standard library's parser accepts.
fn is_canonical_ipv4(host: &[u8]) -> bool {
    std::str::from_utf8(host).is_ok_and(|host| host.parse::<std::net::Ipv4Addr>().is_ok())
}

/// A port as browsers write it: 1 to 5 digits, no leading zero, at most 65535.
fn parse_port(digits: &[u8]) -> Option<u16> {
    if digits.is_empty()
        || digits.len() > 5
        || (digits.len() > 1 && digits[0] == b'0')
        || !digits.iter().all(u8::is_ascii_digit)
    {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// Why an origin string could not be parsed; turned into a configuration problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OriginSyntax {
    MissingScheme,
    BadScheme,
    Path,
    Query,
    Fragment,
    UserInfo,
    EmptyHost,
    BadHost,
    NonAscii,
    BadPort,
}

/// The position of the first `://`.
fn find_scheme_separator(input: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(offset) = input.get(from..)?.iter().position(|&b| b == b':') {
        let colon = from + offset;
        if input.get(colon + 1..colon + 3) == Some(b"//") {
            return Some(colon);
        }
        from = colon + 1;
    }
    None
}

/// Splits `scheme://host[:port]`. Accepts upper case (callers decide whether that is fine) and
/// `:*` as the port.
pub(crate) fn split_origin(input: &[u8]) -> Result<OriginParts<'_>, OriginSyntax> {
    if !input.is_ascii() {
        return Err(OriginSyntax::NonAscii);
    }
    let sep = find_scheme_separator(input).ok_or(OriginSyntax::MissingScheme)?;
    let scheme = &input[..sep];
    if !is_scheme(scheme) {
        return Err(OriginSyntax::BadScheme);
    }
    let rest = &input[sep + 3..];
    if let Some(pos) = rest.iter().position(|&b| matches!(b, b'/' | b'?' | b'#')) {
        return Err(match rest[pos] {
            b'/' => OriginSyntax::Path,
            b'?' => OriginSyntax::Query,
            _ => OriginSyntax::Fragment,
        });
    }
    if rest.contains(&b'@') {
        return Err(OriginSyntax::UserInfo);
    }
    // The port separator is the last ':' outside an IPv6 literal.
    let host_end = if rest.starts_with(b"[") {
        match rest.iter().position(|&b| b == b']') {
            Some(close) => close + 1,
            None => return Err(OriginSyntax::BadHost),
        }
    } else {
        rest.iter().position(|&b| b == b':').unwrap_or(rest.len())
    };
    let (host, port) = rest.split_at(host_end);
    if host.is_empty() {
        return Err(OriginSyntax::EmptyHost);
    }
    let port = match port {
        [] => PortSpec::Default,
        [b':', b'*'] => PortSpec::Any,
        [b':', digits @ ..] => PortSpec::Exact(parse_port(digits).ok_or(OriginSyntax::BadPort)?),
        _ => return Err(OriginSyntax::BadHost),
    };
    Ok(OriginParts { scheme, host, port })
}

/// Parses an `Origin` request header the way a browser serialises it: lowercase, no default
/// port, no `:*`, no leading zeros in the port. Returns `None` for anything else.
///
/// One pass over the bytes: this runs for every refused origin and every pattern lookup.
pub(crate) fn parse_request_origin(value: &[u8]) -> Option<OriginParts<'_>> {
    // Scheme: a lowercase letter, then letters, digits, `+`, `-`, `.`; then `://`.
    if !value.first()?.is_ascii_lowercase() {
        return None;
    }
    let scheme_len = 1 + value[1..]
        .iter()
        .take_while(|&&b| in_class(b, REQUEST_SCHEME_BYTE))
        .count();
    let (scheme, rest) = value.split_at(scheme_len);
    let rest = rest.strip_prefix(b"://")?;
    // Host: an IPv6 literal, or dot-separated labels of at most 63 bytes.
    let host_len = if rest.first() == Some(&b'[') {
        let close = rest.iter().position(|&b| b == b']')?;
        if close == 1
            || !rest[1..close]
                .iter()
                .all(|&b| in_class(b, REQUEST_IPV6_BYTE))
        {
            return None;
        }
        close + 1
    } else {
        let mut label = 0usize;
        let mut end = 0;
        for &b in rest {
            if b == b'.' {
                if label == 0 {
                    return None;
                }
                label = 0;
            } else if in_class(b, REQUEST_LABEL_BYTE) {
                label += 1;
                if label > 63 {
                    return None;
                }
            } else {
                break;
            }
            end += 1;
        }
        if label == 0 {
            return None; // empty host, or a trailing dot
        }
        end
    };
    if host_len > MAX_HOST_LEN {
        return None;
    }
    let (host, port) = rest.split_at(host_len);
    let port = match port {
        [] => PortSpec::Default,
        [b':', digits @ ..] => {
            let n = parse_port(digits)?;
            if default_port(scheme) == Some(n) {
                return None;
            }
            PortSpec::Exact(n)
        }
        _ => return None,
    };
    Some(OriginParts { scheme, host, port })
}

/// The same as [`parse_request_origin`], written as the composition of the configuration
/// parser's checks: the oracle the fast parser is tested against.
#[cfg(test)]
fn parse_request_origin_slow(value: &[u8]) -> Option<OriginParts<'_>> {
    let parts = split_origin(value).ok()?;
    if parts.scheme.iter().any(u8::is_ascii_uppercase)
        || parts.host.iter().any(u8::is_ascii_uppercase)
        || !is_host(parts.host)
    {
        return None;
    }
    match parts.port {
        PortSpec::Any => None,
        PortSpec::Exact(p) if default_port(parts.scheme) == Some(p) => None,
        _ => Some(parts),
    }
}

/// Whether a request's `Origin` value is something a browser could have sent.
pub(crate) fn is_wellformed_request_origin(value: &[u8]) -> bool {
    value == b"null" || parse_request_origin(value).is_some()
}

// ---------------------------------------------------------------------------------------------
// The compiled matcher.

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct PatternRule {
    scheme: Box<[u8]>,
    /// `true`: `*.suffix`; `false`: the host itself, with `:*` as port.
    subdomains: bool,
    port: PortSpec,
}

impl PatternRule {
    /// The pattern as configured (normalised).
    fn display(&self, host: &[u8]) -> String {
        let port = match self.port {
            PortSpec::Default => String::new(),
            PortSpec::Exact(p) => format!(":{p}"),
            PortSpec::Any => ":*".to_owned(),
        };
        format!(
            "{}://{}{}{port}",
            String::from_utf8_lossy(&self.scheme),
            if self.subdomains { "*." } else { "" },
            String::from_utf8_lossy(host)
        )
    }
}

/// The three names of this machine that browsers treat as different origins.
fn is_loopback_name(host: &[u8]) -> bool {
    matches!(host, b"localhost" | b"127.0.0.1" | b"[::1]")
}

/// How a configured exact origin differs from a request's origin when they differ in one
/// usual way only.
fn near_miss(configured: &OriginParts<'_>, request: &OriginParts<'_>) -> Option<&'static str> {
    let scheme = configured.scheme == request.scheme;
    let host = configured.host == request.host;
    let port = configured.port == request.port;
    let www = |a: &[u8], b: &[u8]| a.strip_prefix(b"www.") == Some(b);
    match (scheme, host, port) {
        (false, true, true) => Some("has another scheme"),
        (true, true, false) => Some("has another port"),
        (true, false, true) if is_loopback_name(configured.host) && is_loopback_name(request.host) => {
            Some("is another host: localhost, 127.0.0.1 and [::1] are different origins to a browser")
        }
        (true, false, true)
            if www(configured.host, request.host) || www(request.host, configured.host) =>
        {
            Some("differs in the www. prefix")
        }
        _ => None,
    }
}

/// Builds [`LookupHasher`]s with a seed drawn when the list is compiled.
///
/// The tables it hashes for are built from the configuration, which is trusted; a request can
/// only pick which of their probe sequences it walks, so a fast, seeded multiply-and-mix hash is
/// enough, and costs a fraction of SipHash on an origin-sized key.
#[derive(Debug, Clone)]
struct LookupHashBuilder {
    seed: u64,
}

impl Default for LookupHashBuilder {
    fn default() -> Self {
        Self {
            seed: RandomState::new().hash_one(0x9e37_79b9_7f4a_7c15_u64) | 1,
        }
    }
}

impl BuildHasher for LookupHashBuilder {
    type Hasher = LookupHasher;

    fn build_hasher(&self) -> LookupHasher {
        LookupHasher { state: self.seed }
    }
}

/// The hasher of [`LookupHashBuilder`]: eight bytes per multiplication, and a final mix so
/// that both the low bits (bucket) and the high bits (tag) of the result depend on every
/// input byte.
struct LookupHasher {
    state: u64,
}

const MULTIPLIER: u64 = 0x9fb2_1c65_1e98_df25;

impl LookupHasher {
    fn mix(&mut self, word: u64) {
        self.state = (self.state ^ word).wrapping_mul(MULTIPLIER).rotate_left(29);
    }
}

impl Hasher for LookupHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.mix(<[u8; 8]>::try_from(chunk).map_or(0, u64::from_le_bytes));
        }
        let rest = chunks.remainder();
        let mut tail = [0u8; 8];
        tail[..rest.len()].copy_from_slice(rest);
        self.mix(u64::from_le_bytes(tail) ^ ((rest.len() as u64) << 59));
    }

    fn write_u64(&mut self, n: u64) {
        self.mix(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.mix(n as u64);
    }

    fn finish(&self) -> u64 {
        // The finaliser of MurmurHash3.
        let mut h = self.state;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

/// Exact origins and patterns, compiled for constant-time lookup.
#[derive(Debug, Default)]
pub(crate) struct OriginList {
    exact: HashSet<Box<[u8]>, LookupHashBuilder>,
    /// Keyed by the host suffix (`example.com` for `*.example.com`) or the exact host.
    patterns: HashMap<Box<[u8]>, Vec<PatternRule>, LookupHashBuilder>,
    pattern_count: usize,
    null: bool,
}

impl OriginList {
    pub(crate) fn exact_count(&self) -> usize {
        self.exact.len()
    }

    pub(crate) fn pattern_count(&self) -> usize {
        self.pattern_count
    }

    /// Configured entries that almost match a refused `origin`, each with what differs: the
    /// usual reasons an origin someone meant to allow is refused (another scheme or port,
    /// `localhost` against `127.0.0.1`, a `www.` prefix, a subdomain pattern against its apex).
    /// At most `limit`. For dry runs only: it walks the whole list.
    pub(crate) fn near_misses(&self, origin: &[u8], limit: usize) -> Vec<String> {
        let Some(request) = parse_request_origin(origin) else {
            return Vec::new();
        };
        let mut misses = Vec::new();
        let mut exact: Vec<&Box<[u8]>> = self.exact.iter().collect();
        exact.sort();
        for entry in exact {
            let Ok(configured) = split_origin(entry) else {
                continue;
            };
            if let Some(why) = near_miss(&configured, &request) {
                misses.push(format!("{:?} {why}", String::from_utf8_lossy(entry)));
            }
        }
        let mut patterns: Vec<_> = self.patterns.iter().collect();
        patterns.sort_by(|a, b| a.0.cmp(b.0));
        for (host, rules) in patterns {
            for rule in rules {
                let shown = rule.display(host);
                let host_matches = if rule.subdomains {
                    request.host.len() > host.len()
                        && request.host.ends_with(host)
                        && request.host[request.host.len() - host.len() - 1] == b'.'
                } else {
                    request.host == &**host
                };
                let port_matches = rule.port == PortSpec::Any || rule.port == request.port;
                let why = if rule.subdomains && request.host == &**host {
                    Some(format!(
                        "matches subdomains of {} only, not {} itself; list the origin too",
                        String::from_utf8_lossy(host),
                        String::from_utf8_lossy(host)
                    ))
                } else if host_matches && *rule.scheme != *request.scheme && port_matches {
                    Some("has another scheme".to_owned())
                } else if host_matches && *rule.scheme == *request.scheme && !port_matches {
                    Some("has another port".to_owned())
                } else {
                    None
                };
                if let Some(why) = why {
                    misses.push(format!("{shown:?} {why}"));
                }
            }
        }
        misses.truncate(limit);
        misses
    }

    pub(crate) fn matches(&self, origin: &[u8]) -> bool {
        if self.exact.contains(origin) {
            return true;
        }
        if origin == b"null" {
            return self.null;
        }
        if self.patterns.is_empty() {
            return false;
        }
        let Some(parts) = parse_request_origin(origin) else {
            return false;
        };
        let rule_matches = |rule: &PatternRule, subdomains: bool| {
            rule.subdomains == subdomains
                && *rule.scheme == *parts.scheme
                && match rule.port {
                    PortSpec::Any => true,
                    p => p == parts.port,
                }
        };
        if let Some(rules) = self.patterns.get(parts.host) {
            if rules.iter().any(|r| rule_matches(r, false)) {
                return true;
            }
        }
        if parts.host.starts_with(b"[") {
            return false;
        }
        // Try every proper suffix that starts after a dot: `a.b.example.com` looks up
        // `b.example.com`, `example.com`, `com`. The prefix is made of valid labels already
        // (`parse_request_origin` checked the whole host).
        let host = parts.host;
        host.iter()
            .enumerate()
            .filter(|&(_, &b)| b == b'.')
            .any(|(i, _)| {
                self.patterns
                    .get(&host[i + 1..])
                    .is_some_and(|rules| rules.iter().any(|r| rule_matches(r, true)))
            })
    }
}

/// The compiled origin policy.
pub(crate) enum OriginMatcher {
    Any,
    List(OriginList),
    Predicate(SyncPredicate),
    AsyncPredicate(AsyncPredicate),
    Mirror { dangerous: bool },
}

impl OriginMatcher {
    /// Whether deciding calls a predicate, which takes the request's [`Parts`].
    pub(crate) fn calls_predicate(&self) -> bool {
        matches!(self, Self::Predicate(_) | Self::AsyncPredicate(_))
    }
}

impl fmt::Debug for OriginMatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Any => f.write_str("Any"),
            Self::List(list) => f
                .debug_struct("List")
                .field("exact", &list.exact_count())
                .field("patterns", &list.pattern_count())
                .field("null", &list.null)
                .finish(),
            Self::Predicate(_) => f.write_str("Predicate(..)"),
            Self::AsyncPredicate(_) => f.write_str("AsyncPredicate(..)"),
            Self::Mirror { dangerous } => f
                .debug_struct("Mirror")
                .field("dangerous", dangerous)
                .finish(),
        }
    }
}

fn syntax_problem(e: OriginSyntax) -> ProblemKind {
    match e {
        OriginSyntax::MissingScheme => ProblemKind::OriginMissingScheme,
        OriginSyntax::BadScheme => ProblemKind::OriginBadScheme,
        OriginSyntax::Path => ProblemKind::OriginHasPath,
        OriginSyntax::Query => ProblemKind::OriginHasQuery,
        OriginSyntax::Fragment => ProblemKind::OriginHasFragment,
        OriginSyntax::UserInfo => ProblemKind::OriginHasUserInfo,
        OriginSyntax::EmptyHost => ProblemKind::OriginEmptyHost,
        OriginSyntax::BadHost => ProblemKind::OriginBadHost,
        OriginSyntax::NonAscii => ProblemKind::OriginNonAscii,
        OriginSyntax::BadPort => ProblemKind::OriginBadPort,
    }
}

/// Compiles a list entry by entry, collecting every problem.
pub(crate) fn compile_list(entries: &[Vec<u8>], problems: &mut Vec<ConfigProblem>) -> OriginList {
    let mut list = OriginList::default();
    let mut seen_patterns = HashSet::new();
    for (index, raw) in entries.iter().enumerate() {
        let problem = |kind| ConfigProblem::new(Field::AllowOrigins, Some(index), raw, kind);
        let trimmed = raw.trim_ascii();
        if trimmed != raw.as_slice() {
            problems.push(problem(ProblemKind::Whitespace));
            continue;
        }
        if raw.as_slice() == b"*" {
            problems.push(problem(ProblemKind::WildcardInList));
            continue;
        }
        if raw.eq_ignore_ascii_case(b"null") {
            list.null = true;
            continue;
        }
        if raw.ends_with(b"/") && raw.windows(3).any(|w| w == b"://") && !raw.ends_with(b"://") {
            problems.push(problem(ProblemKind::OriginTrailingSlash));
            continue;
        }
        let parts = match split_origin(raw) {
            Ok(p) => p,
            Err(e) => {
                problems.push(problem(syntax_problem(e)));
                continue;
            }
        };
        let scheme = parts.scheme.to_ascii_lowercase();
        let host = parts.host.to_ascii_lowercase();
        if host == b"*" {
            problems.push(problem(ProblemKind::PatternTooBroad));
            continue;
        }
        let (subdomains, host) = match host.strip_prefix(b"*.") {
            Some(suffix) => (true, suffix.to_vec()),
            None => (false, host),
        };
        if host.contains(&b'*') {
            problems.push(problem(ProblemKind::PatternWildcardPlacement));
            continue;
        }
        if !is_host(&host) {
            problems.push(problem(ProblemKind::OriginBadHost));
            continue;
        }
        if subdomains && !host.contains(&b'.') && host != b"localhost" {
            problems.push(problem(ProblemKind::PatternTooBroad));
            continue;
        }
        if subdomains && host.starts_with(b"[") {
            problems.push(problem(ProblemKind::OriginBadHost));
            continue;
        }
        let host = if host.starts_with(b"[") {
            // Browsers send IPv6 addresses in one canonical form; match that one.
            match canonical_ipv6(&host) {
                Some(canonical) => canonical,
                None => {
                    problems.push(problem(ProblemKind::OriginBadHost));
                    continue;
                }
            }
        } else if looks_like_ipv4(&host) && !is_canonical_ipv4(&host) {
            problems.push(problem(ProblemKind::OriginIpv4NotCanonical));
            continue;
        } else {
            host
        };
        let port = match parts.port {
            PortSpec::Exact(p) if default_port(&scheme) == Some(p) => PortSpec::Default,
            p => p,
        };
        if subdomains || port == PortSpec::Any {
            let rule = PatternRule {
                scheme: scheme.into_boxed_slice(),
                subdomains,
                port,
            };
            if seen_patterns.insert((host.clone(), rule.clone())) {
                list.patterns
                    .entry(host.into_boxed_slice())
                    .or_default()
                    .push(rule);
                list.pattern_count += 1;
            }
        } else {
            let mut normalised = scheme;
            normalised.extend_from_slice(b"://");
            normalised.extend_from_slice(&host);
            if let PortSpec::Exact(p) = port {
                normalised.extend_from_slice(format!(":{p}").as_bytes());
            }
            list.exact.insert(normalised.into_boxed_slice());
        }
    }
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compile(entries: &[&str]) -> (OriginList, Vec<ConfigProblem>) {
        let entries: Vec<Vec<u8>> = entries.iter().map(|e| e.as_bytes().to_vec()).collect();
        let mut problems = Vec::new();
        let list = compile_list(&entries, &mut problems);
        (list, problems)
    }

    #[test]
    fn request_origin_parsing_is_strict() {
        assert!(parse_request_origin(b"https://a.example.com").is_some());
        assert!(parse_request_origin(b"http://localhost:3000").is_some());
        assert!(parse_request_origin(b"http://[::1]:8080").is_some());
        assert!(parse_request_origin(b"HTTPS://a.example.com").is_none());
        assert!(parse_request_origin(b"https://A.example.com").is_none());
        assert!(parse_request_origin(b"https://a.example.com:443").is_none());
        assert!(parse_request_origin(b"https://a.example.com/").is_none());
        assert!(parse_request_origin(b"https://a..example.com").is_none());
        assert!(parse_request_origin(b"https://a.example.com:99999").is_none());
        assert!(parse_request_origin(b"https://a.example.com:*").is_none());
        assert!(parse_request_origin(b"https://").is_none());
        assert!(parse_request_origin(b"a.example.com").is_none());
        assert!(parse_request_origin("https://é.com".as_bytes()).is_none());
    }

    #[test]
    fn the_fast_request_origin_parser_agrees_with_the_slow_one() {
        let mut inputs: Vec<Vec<u8>> = [
            "https://a.example.com",
            "http://localhost:3000",
            "http://[::1]:8080",
            "http://[::1]",
            "http://[]",
            "http://[::G]",
            "http://[::A]",
            "https://a.example.com:443",
            "https://a.example.com:08443",
            "https://a.example.com:0",
            "https://a.example.com:65535",
            "https://a.example.com:65536",
            "https://a.example.com:",
            "https://a.example.com:*",
            "https://a.example.com.",
            "https://.a.example.com",
            "https://a..example.com",
            "https://a_b.example.com",
            "https://user@a.example.com",
            "https://a.example.com/",
            "https://a.example.com?x",
            "https://a.example.com#x",
            "git+ssh://host",
            "a+://host",
            "1http://host",
            "http:/host",
            "http//host",
            "https://",
            "",
            "null",
            "HTTPS://a.example.com",
            "https://A.example.com",
            "https://é.com",
            "ftp://a.example.com:21",
            "wss://a.example.com:443",
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect();
        inputs.push(format!("https://{}.com", "a".repeat(63)).into_bytes());
        inputs.push(format!("https://{}.com", "a".repeat(64)).into_bytes());
        inputs.push(format!("https://{}", ["abcdefghi"; 26].join(".")).into_bytes());
        inputs.push(format!("https://{}", ["abcdefghi"; 25].join(".")).into_bytes());
        // Every byte in every position of a few origins.
        for base in ["https://a.b:1", "http://[::1]:80"] {
            for i in 0..=base.len() {
                for b in 0..=255u8 {
                    let mut v = base.as_bytes().to_vec();
                    v.insert(i, b);
                    inputs.push(v.clone());
                    v.remove(i);
                    if i < v.len() {
                        v[i] = b;
                        inputs.push(v);
                    }
                }
            }
        }
        for input in &inputs {
            assert_eq!(
                parse_request_origin(input),
                parse_request_origin_slow(input),
                "{:?}",
                String::from_utf8_lossy(input)
            );
        }
    }

    #[test]
    fn ip_literals_are_normalised_or_refused() {
        let (list, problems) = compile(&[
            "http://[0:0:0:0:0:0:0:1]:8080",
            "http://[2001:DB8:0:0:1:0:0:1]",
            "http://[::ffff:127.0.0.1]",
            "http://[::1.2.3.4]",
            "http://[1:0:0:2:0:0:0:3]",
            "http://127.0.0.1:3000",
        ]);
        assert!(problems.is_empty(), "{problems:?}");
        for origin in [
            "http://[::1]:8080",
            "http://[2001:db8::1:0:0:1]",
            "http://[::ffff:7f00:1]",
            "http://[::102:304]",
            "http://[1:0:0:2::3]",
            "http://127.0.0.1:3000",
        ] {
            assert!(list.exact.contains(origin.as_bytes()), "{origin}");
        }
        for bad in [
            "http://127.1",
            "http://0x7f.0.0.1",
            "http://127.000.0.1",
            "http://1.2.3.256",
        ] {
            let (_, problems) = compile(&[bad]);
            assert_eq!(problems.len(), 1, "{bad}");
            assert_eq!(
                problems[0].kind(),
                ProblemKind::OriginIpv4NotCanonical,
                "{bad}"
            );
        }
        let (_, problems) = compile(&["http://[1::2::3]"]);
        assert_eq!(problems[0].kind(), ProblemKind::OriginBadHost);
        for port in ["03000", "+3000", "-1", "65536", ""] {
            let origin = format!("http://localhost:{port}");
            let (_, problems) = compile(&[&origin]);
            assert_eq!(problems[0].kind(), ProblemKind::OriginBadPort, "{origin}");
            assert!(
                parse_request_origin(origin.as_bytes()).is_none(),
                "{origin}"
            );
        }
        assert!(parse_request_origin(b"http://localhost:0").is_some());
    }

    #[test]
    fn exact_origins_are_normalised() {
        let (list, problems) = compile(&["HTTPS://App.Example.COM:443", "http://localhost:3000"]);
        assert!(problems.is_empty());
        assert!(list.matches(b"https://app.example.com"));
        assert!(list.matches(b"http://localhost:3000"));
        assert!(!list.matches(b"http://localhost:3001"));
        assert!(!list.matches(b"http://app.example.com"));
    }

    #[test]
    fn subdomain_patterns_match_whole_labels_only() {
        let (list, problems) = compile(&["https://*.example.com"]);
        assert!(problems.is_empty());
        assert!(list.matches(b"https://a.example.com"));
        assert!(list.matches(b"https://a.b.example.com"));
        assert!(!list.matches(b"https://example.com"));
        assert!(!list.matches(b"https://evilexample.com"));
        assert!(!list.matches(b"https://a.example.com.evil.com"));
        assert!(!list.matches(b"http://a.example.com"));
        assert!(!list.matches(b"https://a.example.com:8443"));
        assert!(!list.matches(b"https://.example.com"));
    }

    #[test]
    fn port_wildcards() {
        let (list, problems) = compile(&["http://localhost:*", "https://*.example.com:*"]);
        assert!(problems.is_empty(), "{problems:?}");
        assert!(list.matches(b"http://localhost"));
        assert!(list.matches(b"http://localhost:5173"));
        assert!(!list.matches(b"http://a.localhost:5173"));
        assert!(list.matches(b"https://a.example.com:8443"));
        assert!(list.matches(b"https://a.example.com"));
    }

    #[test]
    fn bad_entries_are_reported() {
        let (_, problems) = compile(&[
            "https://a.com/",
            "https://a.com/path",
            "a.com",
            "https://*",
            "*.com",
            "https://*.com",
            "https://a.*.com",
            "*",
            " https://a.com",
            "https://a.com:70000",
            "https://a.com?x",
        ]);
        let kinds: Vec<ProblemKind> = problems.iter().map(|p| p.kind).collect();
        assert_eq!(
            kinds,
            vec![
                ProblemKind::OriginTrailingSlash,
                ProblemKind::OriginHasPath,
                ProblemKind::OriginMissingScheme,
                ProblemKind::PatternTooBroad,
                ProblemKind::OriginMissingScheme,
                ProblemKind::PatternTooBroad,
                ProblemKind::PatternWildcardPlacement,
                ProblemKind::WildcardInList,
                ProblemKind::Whitespace,
                ProblemKind::OriginBadPort,
                ProblemKind::OriginHasQuery,
            ]
        );
    }

    #[test]
    fn null_only_when_listed() {
        let (list, _) = compile(&["https://a.com"]);
        assert!(!list.matches(b"null"));
        let (list, _) = compile(&["null"]);
        assert!(list.matches(b"null"));
    }
}
