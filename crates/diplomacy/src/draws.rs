//! Random numbers addressed by what they are for: every uniform of a run is a hash of the run's
//! key and an address (purpose, round, party, issue, spoiler, parameter path), so that removing
//! or adding an element (a mediator, a spoiler, a step) changes no other draw. This is what makes
//! the counterfactuals paired run for run (MODEL.md v2, "Random numbers").
//!
//! The hash is SplitMix64's finaliser chained over the address words: portable, fixed forever
//! (changing it changes every forecast), and far better mixed than Monte Carlo needs.

use rand::Rng;

/// What a draw is for (the first word of its address).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub(crate) enum Purpose {
    /// An uncertain parameter's quantile (address: the hash of its path).
    Param = 1,
    /// A spoiler's strike (spoiler id hash, round).
    Strike = 2,
    /// A leak (round).
    Leak = 3,
    /// Whether a party is able to deliver an issue (round, party, issue).
    Capacity = 4,
    /// Whether an observer sees a delivery correctly (round, observer, implementer, step key).
    Observe = 5,
    /// An involuntary withdrawal from a standing step (round, party, step key).
    Withdraw = 6,
    /// The seed of the negotiation strategies.
    Strategies = 7,
}

/// The run's key: every draw of the run is a function of it and the draw's address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Draws {
    key: [u64; 2],
}

const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Draws {
    /// The key of a run, taken from its generator (`bc_engine::rng_for(seed, run)`).
    pub fn from_rng(rng: &mut impl Rng) -> Draws {
        Draws { key: [rng.gen(), rng.gen()] }
    }

    /// A key given directly (tests).
    pub(crate) fn from_key(key: [u64; 2]) -> Draws {
        Draws { key }
    }

    /// 64 random bits at `address` under `purpose`.
    pub(crate) fn bits(&self, purpose: Purpose, address: &[u64]) -> u64 {
        let mut h = mix(self.key[0] ^ (purpose as u64).wrapping_mul(GOLDEN));
        for (k, w) in address.iter().enumerate() {
            h = mix(h ^ w.wrapping_add((k as u64 + 1).wrapping_mul(GOLDEN)));
        }
        mix(h ^ self.key[1])
    }

    /// A uniform number in [0, 1) at `address` under `purpose` (53 random bits).
    pub(crate) fn uniform(&self, purpose: Purpose, address: &[u64]) -> f64 {
        (self.bits(purpose, address) >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

/// A stable 64-bit name of a string (FNV-1a): the address of a parameter path or a spoiler id.
pub(crate) fn name_hash(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_depend_on_their_address_only() {
        let d = Draws::from_key([1, 2]);
        let a = d.uniform(Purpose::Strike, &[name_hash("proxy"), 3]);
        assert_eq!(a, d.uniform(Purpose::Strike, &[name_hash("proxy"), 3]));
        assert_ne!(a, d.uniform(Purpose::Strike, &[name_hash("proxy"), 4]));
        assert_ne!(a, d.uniform(Purpose::Leak, &[name_hash("proxy"), 3]));
        assert_ne!(a, Draws::from_key([1, 3]).uniform(Purpose::Strike, &[name_hash("proxy"), 3]));
    }

    /// The uniforms are uniform: a chi-square test on 20 bins of 100,000 draws (99.9%).
    #[test]
    fn uniforms_pass_a_chi_square_test() {
        let d = Draws::from_key([7, 11]);
        let mut bins = [0u32; 20];
        let n = 100_000u64;
        for t in 0..n {
            let u = d.uniform(Purpose::Capacity, &[t, t % 3, 5]);
            assert!((0.0..1.0).contains(&u));
            bins[(u * 20.0) as usize] += 1;
        }
        let e = n as f64 / 20.0;
        let chi: f64 = bins.iter().map(|&b| (f64::from(b) - e).powi(2) / e).sum();
        assert!(chi < 43.82, "chi-square {chi} on 19 degrees of freedom");
    }
}
