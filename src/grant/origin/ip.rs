//! IP address hosts: the forms browsers serialise them in.

/// `[address]` as browsers serialise it (the URL Standard's IPv6 serializer). It agrees with
/// the standard library's, which compresses the first longest run of two or more zero
/// pieces, except for IPv4-mapped addresses, which browsers write in hex pieces too.
pub(super) fn canonical_ipv6(bracketed: &[u8]) -> Option<Vec<u8>> {
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
pub(super) fn looks_like_ipv4(host: &[u8]) -> bool {
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
pub(super) fn is_canonical_ipv4(host: &[u8]) -> bool {
    std::str::from_utf8(host).is_ok_and(|host| host.parse::<std::net::Ipv4Addr>().is_ok())
}
