//! Per-job seeds: job `i` of a run with master seed `s` gets a ChaCha8 generator seeded from
//! SplitMix64 of `(s, i)`, so any job can be replayed alone and results are portable across
//! platforms and releases (ChaCha8 is a named, value-stable generator).

use rand::SeedableRng;

/// The generator every job uses.
pub type Rng = rand_chacha::ChaCha8Rng;

/// SplitMix64's finaliser: a bijective mix of 64 bits.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The seed of job `index` under master seed `master`.
pub fn seed_for(master: u64, index: u64) -> u64 {
    mix(mix(master.wrapping_add(0x9e37_79b9_7f4a_7c15)) ^ index.wrapping_mul(0xd1b5_4a32_d192_ed03))
}

/// The generator of job `index` under master seed `master`.
pub fn rng_for(master: u64, index: u64) -> Rng {
    Rng::seed_from_u64(seed_for(master, index))
}

/// The generator seeded directly with `seed` (no job index): for a single draw sequence such as
/// `analyze --sample`, where the seed is the user's.
pub fn rng_seeded(seed: u64) -> Rng {
    Rng::seed_from_u64(seed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngCore;

    #[test]
    fn value_stability() {
        // Pinned values: if these change, every published result changes with them.
        assert_eq!(seed_for(1, 2), PINNED_SEED);
        assert_eq!(rng_for(42, 7).next_u64(), PINNED_DRAW);
        assert_ne!(seed_for(42, 7), seed_for(42, 8));
        assert_ne!(seed_for(42, 7), seed_for(43, 7));
    }

    const PINNED_SEED: u64 = 17871621446422167481;
    const PINNED_DRAW: u64 = 2106936466058747208;
}
