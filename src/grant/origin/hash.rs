//! The seeded hash of the origin tables.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
/// Builds [`LookupHasher`]s with a seed drawn when the list is compiled.
///
/// The tables it hashes for are built from the configuration, which is trusted; a request can
/// only pick which of their probe sequences it walks, so a fast, seeded multiply-and-mix hash is
/// enough, and costs a fraction of SipHash on an origin-sized key.
#[derive(Debug, Clone)]
pub(crate) struct LookupHashBuilder {
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
pub(crate) struct LookupHasher {
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
        let n = bytes.len();
        let word = |i: usize| {
            bytes
                .get(i..i + 8)
                .and_then(|w| <[u8; 8]>::try_from(w).ok())
                .map_or(0, u64::from_le_bytes)
        };
        if n < 8 {
            let mut tail = 0u64;
            for (i, &b) in bytes.iter().enumerate() {
                tail |= u64::from(b) << (8 * i);
            }
            self.mix(tail ^ ((n as u64) << 59));
            return;
        }
        // Whole words, then the last eight bytes, overlapping the word before: no copy of a
        // partial word. The length goes into the last mix, so that keys that share their
        // last bytes but differ in length hash apart.
        let mut i = 0;
        while i + 8 < n {
            self.mix(word(i));
            i += 8;
        }
        self.mix(word(n - 8) ^ ((n as u64) << 59));
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

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    /// Distinct keys get distinct hashes: origins that differ in one place, and every prefix
    /// of one origin (keys of each length, whose last words overlap).
    #[test]
    fn distinct_keys_hash_apart() {
        let builder = LookupHashBuilder::default();
        let mut keys: Vec<Vec<u8>> = (0..20_000)
            .map(|i| format!("https://app{i}.example.com").into_bytes())
            .collect();
        let long = b"https://a-rather-long-subdomain.tenant.example.com:8443";
        keys.extend((0..=long.len()).map(|n| long[..n].to_vec()));
        keys.extend((0..=long.len()).map(|n| long[long.len() - n..].to_vec()));
        keys.sort();
        keys.dedup();
        let hashes: HashSet<u64> = keys.iter().map(|k| builder.hash_one(&k[..])).collect();
        assert_eq!(hashes.len(), keys.len());
    }
}
