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
