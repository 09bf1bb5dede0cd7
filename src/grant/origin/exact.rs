//! The exact origins of a list: compared one by one while they are few, hashed beyond.

use std::collections::HashSet;

use super::hash::LookupHashBuilder;

/// The most exact origins compared one by one. Up to this many, comparing lengths and then
/// eight bytes at a time costs less than hashing the request's origin once.
const FEW: usize = 8;

/// A set of exact origins, normalised as browsers send them.
#[derive(Debug)]
pub(crate) enum ExactOrigins {
    Few(Vec<Box<[u8]>>),
    Many(HashSet<Box<[u8]>, LookupHashBuilder>),
}

impl Default for ExactOrigins {
    fn default() -> Self {
        Self::Few(Vec::new())
    }
}

impl ExactOrigins {
    /// Adds an origin (once, however often it is inserted).
    pub(crate) fn insert(&mut self, origin: Box<[u8]>) {
        match self {
            Self::Few(few) if few.contains(&origin) => {}
            Self::Few(few) if few.len() < FEW => few.push(origin),
            Self::Few(few) => {
                let mut many: HashSet<_, _> = few.drain(..).collect();
                many.insert(origin);
                *self = Self::Many(many);
            }
            Self::Many(many) => {
                many.insert(origin);
            }
        }
    }

    #[inline]
    pub(crate) fn contains(&self, origin: &[u8]) -> bool {
        match self {
            Self::Few(few) => few.iter().any(|o| same_bytes(o, origin)),
            Self::Many(many) => many.contains(origin),
        }
    }

    pub(crate) fn len(&self) -> usize {
        match self {
            Self::Few(few) => few.len(),
            Self::Many(many) => many.len(),
        }
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &[u8]> {
        let (few, many) = match self {
            Self::Few(few) => (Some(few.iter()), None),
            Self::Many(many) => (None, Some(many.iter())),
        };
        few.into_iter()
            .flatten()
            .chain(many.into_iter().flatten())
            .map(|origin| &**origin)
    }
}

/// Whether two byte strings of the same length are equal, compared eight bytes at a time in
/// place, from the end (the first word overlapping the one after it): origins are 10 to 60
/// bytes long and nearly all start with `https://`, so two different ones usually differ in
/// the first word compared.
#[inline]
pub(super) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if b.len() != n {
        return false;
    }
    if n < 8 {
        // Schemes and short hosts: two overlapping four-byte words, or byte by byte.
        let half = |s: &[u8], i: usize| {
            s.get(i..i + 4)
                .and_then(|w| <[u8; 4]>::try_from(w).ok())
                .map(u32::from_ne_bytes)
        };
        return if n >= 4 {
            half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4)
        } else {
            a == b
        };
    }
    let word = |s: &[u8], i: usize| {
        s.get(i..i + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
            .map(u64::from_ne_bytes)
    };
    let mut end = n;
    while end > 8 {
        if word(a, end - 8) != word(b, end - 8) {
            return false;
        }
        end -= 8;
    }
    word(a, 0) == word(b, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compares_every_byte() {
        let base = b"https://app.example.com:8443".to_vec();
        for len in 0..=base.len() {
            let a = &base[..len];
            assert!(same_bytes(a, a));
            for i in 0..len {
                let mut b = a.to_vec();
                b[i] ^= 0x20;
                assert!(!same_bytes(a, &b), "{len} {i}");
            }
        }
    }

    #[test]
    fn few_and_many_hold_the_same_origins() {
        let origins: Vec<Box<[u8]>> = (0..20)
            .map(|i| format!("https://app{i}.example.com").into_bytes().into())
            .collect();
        for n in [0, 1, FEW, FEW + 1, 20] {
            let mut set = ExactOrigins::default();
            for origin in origins.iter().take(n).chain(origins.iter().take(n)) {
                set.insert(origin.clone());
            }
            assert_eq!(set.len(), n);
            assert_eq!(matches!(set, ExactOrigins::Few(_)), n <= FEW);
            for (i, origin) in origins.iter().enumerate() {
                assert_eq!(set.contains(origin), i < n, "{n} {i}");
            }
            assert!(!set.contains(b"https://app1.example.co"));
            assert_eq!(set.iter().count(), n);
        }
    }
}
