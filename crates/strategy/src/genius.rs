//! GENIUS conventions needed to reproduce GENIUS sessions bit for bit: `java.util.Random` (the
//! generator GENIUS parties draw from) and the analysis GENIUS's multilateral runner logs for a
//! session (`genius.core.analysis.MultilateralAnalysis` as used by `SessionEndedNormallyEvent`).
//!
//! [`JavaRandom`] is Java's 48-bit linear congruential generator with Java's seed scrambling and
//! `nextInt(bound)` rejection rule, so a GENIUS party seeded with `new Random(s)` makes the same
//! draws here. It is used only where a GENIUS algorithm is ported; every other strategy draws
//! from ChaCha8.
//!
//! [`GeniusAnalysis`] follows GENIUS, not NegMAS (see `docs/conventions.md`): every party of the
//! session counts, the mediator included when it has a profile; the space is enumerated in
//! GENIUS's `BidIterator` order (first issue fastest) and cut off after 100,000 bids as GENIUS
//! does; the frontier keeps every point no other point strictly dominates (ties included), sorted
//! stably by the first party's utility; the Nash point is the first frontier point in that order
//! with the largest `prod (u_i - r_i)`, `r_i` the reservation value (0 when the profile has none);
//! distances are Euclidean over all parties; social welfare is the sum of every party's utility
//! of the agreement (0 without agreement). Utilities are discounted GENIUS's way, `u * d^t` at the
//! session's end time `t`, when a profile has a [`Discount::NormalizedTime`] factor.

use bc_model::{Discount, OutcomeSpace, Preferences, Value};

use crate::error::Error;

const MULTIPLIER: u64 = 0x5_DEEC_E66D;
const ADDEND: u64 = 0xB;
const MASK: u64 = (1 << 48) - 1;

/// `java.util.Random`: the same sequence as Java's for the same seed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JavaRandom {
    seed: u64,
}

impl JavaRandom {
    /// `new Random(seed)`.
    pub fn new(seed: i64) -> JavaRandom {
        JavaRandom { seed: (seed as u64 ^ MULTIPLIER) & MASK }
    }

    /// `next(bits)`: the top `bits` of the advanced 48-bit state, as Java's signed `int`.
    fn next(&mut self, bits: u32) -> i32 {
        self.seed = self.seed.wrapping_mul(MULTIPLIER).wrapping_add(ADDEND) & MASK;
        (self.seed >> (48 - bits)) as u32 as i32
    }

    /// `nextInt()`.
    pub fn next_int(&mut self) -> i32 {
        self.next(32)
    }

    /// `nextInt(bound)` for `bound >= 1`: uniform in `0..bound`, with Java's power-of-two shortcut
    /// and its rejection of the last incomplete block. A bound below 1 (where Java throws)
    /// returns 0 without drawing.
    pub fn next_int_bounded(&mut self, bound: i32) -> i32 {
        if bound <= 0 {
            return 0;
        }
        if bound & bound.wrapping_neg() == bound {
            return ((i64::from(bound) * i64::from(self.next(31))) >> 31) as i32;
        }
        loop {
            let bits = self.next(31);
            let val = bits % bound;
            // Java: `bits - val + (bound - 1) < 0` in int arithmetic (overflow) means reject.
            if bits.wrapping_sub(val).wrapping_add(bound - 1) >= 0 {
                return val;
            }
        }
    }

    /// `nextDouble()`.
    pub fn next_double(&mut self) -> f64 {
        let hi = i64::from(self.next(26)) << 27;
        let lo = i64::from(self.next(27));
        (hi + lo) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

/// What GENIUS's multilateral runner logs about a session's agreement, for its parties (the
/// mediator first when it has a profile, then the parties, as GENIUS orders them).
#[derive(Clone, Debug, PartialEq)]
pub struct GeniusAnalysis {
    /// Each party's (discounted) utility of the agreement, or its reservation value without one
    /// (`CsvLogger.getUtils`).
    pub utils: Vec<f64>,
    /// Lowest of `utils` ("min.util.").
    pub min_util: f64,
    /// Highest of `utils` ("max.util.").
    pub max_util: f64,
    /// Distance of the agreement to the nearest frontier point ("Dist. to Pareto"); the
    /// agreement point is all zeros when there is none, as in GENIUS.
    pub dist_pareto: f64,
    /// Distance to GENIUS's Nash point ("Dist. to Nash").
    pub dist_nash: f64,
    /// Sum of every party's utility of the agreement, 0 without agreement ("Social Welfare").
    pub social_welfare: f64,
    /// The frontier's size (ties included).
    pub frontier_len: usize,
    /// The Nash point's utilities.
    pub nash: Vec<f64>,
}

/// GENIUS's cut-off on the bids `MultilateralAnalysis` enumerates.
pub const ENUMERATION_CUTOFF: usize = 100_000;

/// GENIUS's reservation value of a profile: 0 when it has none (ours is then `-inf` under NegMAS
/// semantics).
fn reservation(p: &Preferences) -> f64 {
    if p.reserved_value.is_finite() {
        p.reserved_value
    } else {
        0.0
    }
}

/// GENIUS's `discount(u, t)`: `u * d^t` for a normalised-time discount, `u` otherwise.
fn discounted(p: &Preferences, u: f64, time: f64) -> f64 {
    match p.discount {
        Discount::NormalizedTime(d) if d > 0.0 && d < 1.0 => u * d.powf(time),
        _ => u,
    }
}

/// `a` strictly dominated by `b`: `b` at least as good for all and better for one.
fn strictly_dominated(a: &[f64], b: &[f64]) -> bool {
    let mut better = false;
    for (x, y) in a.iter().zip(b) {
        if y < x {
            return false;
        }
        if y > x {
            better = true;
        }
    }
    better
}

fn euclid(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).fold(0.0, |s, (x, y)| s + (x - y).powi(2)).sqrt()
}

impl GeniusAnalysis {
    /// Analyses `agreement` (an outcome of the discrete `space`, or `None`) for `parties` at
    /// the session's end time `time` in `[0, 1]`, GENIUS's way. Fails on a continuous space.
    pub fn new(space: &OutcomeSpace, parties: &[&Preferences], agreement: Option<&[Value]>, time: f64) -> Result<GeniusAnalysis, Error> {
        if !space.is_discrete() {
            return Err(Error::param("genius analysis", "GENIUS enumerates bids: expected a discrete outcome space, found a continuous issue"));
        }
        if parties.is_empty() {
            return Err(Error::param("genius analysis", "expected at least one party"));
        }
        let util = |p: &Preferences, o: &[Value]| discounted(p, p.utility.eval(o), time);
        // CsvLogger.getUtils: utility of the agreement, or the reservation value, discounted.
        let utils: Vec<f64> = parties
            .iter()
            .map(|p| discounted(p, agreement.map_or_else(|| reservation(p), |o| p.utility.eval(o)), time))
            .collect();
        let min_util = utils.iter().copied().fold(f64::INFINITY, f64::min);
        let max_util = utils.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        // MultilateralAnalysis: the agreement point is all zeros without agreement.
        let point: Vec<f64> = match agreement {
            Some(o) => parties.iter().map(|p| util(p, o)).collect(),
            None => vec![0.0; parties.len()],
        };
        let social_welfare = match agreement {
            Some(o) => parties.iter().fold(0.0, |s, p| s + util(p, o)),
            None => 0.0,
        };
        // BidIterator: the first issue varies fastest; stop after ENUMERATION_CUTOFF bids.
        let radices: Vec<u64> = space.radices().iter().map(|r| r.unwrap_or(1)).collect();
        let mut digits = vec![0u64; radices.len()];
        let mut frontier: Vec<Vec<f64>> = Vec::new();
        let total = space.cardinality().unwrap_or(0).min(ENUMERATION_CUTOFF as u128) as usize;
        let mut outcome: Vec<Value> = Vec::with_capacity(radices.len());
        for _ in 0..total {
            outcome.clear();
            outcome.extend(digits.iter().map(|d| Value::Index(*d as u32)));
            let u: Vec<f64> = parties.iter().map(|p| util(p, &outcome)).collect();
            merge_into_frontier(&mut frontier, u);
            for (d, r) in digits.iter_mut().zip(&radices) {
                if *d + 1 < *r {
                    *d += 1;
                    break;
                }
                *d = 0;
            }
        }
        // ParetoFrontier.sort: stable, by the first party's utility ascending.
        frontier.sort_by(|a, b| a[0].partial_cmp(&b[0]).unwrap_or(std::cmp::Ordering::Equal));
        let dist_pareto = frontier.iter().map(|f| euclid(&point, f)).fold(f64::INFINITY, f64::min);
        let rv: Vec<f64> = parties.iter().map(|p| reservation(p)).collect();
        let mut nash: Vec<f64> = vec![0.0; parties.len()];
        let mut max_p = -1.0;
        for f in &frontier {
            let p = f.iter().zip(&rv).fold(1.0, |acc, (u, r)| acc * (u - r));
            if p > max_p {
                max_p = p;
                nash.clone_from(f);
            }
        }
        let dist_nash = euclid(&point, &nash);
        Ok(GeniusAnalysis { utils, min_util, max_util, dist_pareto, dist_nash, social_welfare, frontier_len: frontier.len(), nash })
    }
}

/// `ParetoFrontier.mergeIntoFrontier`: drop a point some frontier point strictly dominates;
/// otherwise remove the points it strictly dominates and append it (equal points are kept).
fn merge_into_frontier(frontier: &mut Vec<Vec<f64>>, p: Vec<f64>) {
    for k in 0..frontier.len() {
        if strictly_dominated(&p, &frontier[k]) {
            return;
        }
        if strictly_dominated(&frontier[k], &p) {
            frontier.retain(|f| !strictly_dominated(f, &p));
            frontier.push(p);
            return;
        }
    }
    frontier.push(p);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_random_matches_java() {
        // Values printed by OpenJDK's java.util.Random.
        assert_eq!(JavaRandom::new(0).next_int(), -1155484576);
        let mut r = JavaRandom::new(42);
        assert_eq!([r.next_int(), r.next_int()], [-1170105035, 234785527]);
        // nextInt(bound) is next(31) % bound for these states, and a power of two takes the
        // high bits.
        let mut a = JavaRandom::new(0);
        let mut b = JavaRandom::new(0);
        let raw = (b.next_int() as u32 >> 1) as i32;
        assert_eq!(a.next_int_bounded(10), raw % 10);
        let mut c = JavaRandom::new(7);
        let mut d = JavaRandom::new(7);
        assert_eq!(c.next_int_bounded(8), ((d.next_int() as u32) >> 29) as i32);
        assert_eq!(JavaRandom::new(0).next_int_bounded(0), 0);
        let x = JavaRandom::new(0).next_double();
        assert!((0.0..1.0).contains(&x));
        assert_eq!(x, 0.730967787376657);
    }

    #[test]
    fn frontier_keeps_ties_and_drops_dominated_points() {
        let mut f = Vec::new();
        for p in [vec![0.1, 0.1], vec![0.5, 0.5], vec![0.5, 0.5], vec![0.2, 0.9], vec![0.6, 0.4], vec![0.4, 0.4]] {
            merge_into_frontier(&mut f, p);
        }
        assert_eq!(f, vec![vec![0.5, 0.5], vec![0.5, 0.5], vec![0.2, 0.9], vec![0.6, 0.4]]);
    }
}
