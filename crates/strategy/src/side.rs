//! One party's own preferences over a discrete outcome space, and the precomputation strategies
//! share: every outcome's utility and NegMAS's presorted inverse utility function
//! (`PresortingInverseUtilityFunction(rational_only=True)`), built once per profile and shared
//! (through `Arc`) by every negotiation that uses it.
//!
//! **Tie rule.** NegMAS sorts the rational outcomes with numpy's default (unstable) argsort, so
//! among outcomes of exactly equal utility its order is an artefact of the sorting algorithm
//! (`shared/reference/negmas/STRATEGIES.md` section 4). Here the order is a stable sort on
//! `(utility, outcome index)`: of two outcomes with equal utility the one enumerated first (last
//! issue varying fastest) comes first in ascending order. On domains whose utilities are all
//! distinct the two orders coincide and traces equal NegMAS's; elsewhere only utilities of
//! offers and agreements are comparable.

use std::cmp::Ordering;
use std::sync::{Arc, OnceLock};

use bc_model::{OutcomeSpace, Preferences, DEFAULT_ENUMERATION_LIMIT};
use bc_protocol::OutcomeId;

use crate::error::{Error, ErrorKind};

/// NegMAS's `EPS` in the presorting inverter (`preferences/inv_ufun/_common.py`).
const INV_EPS: f64 = 1e-6;

/// A party's preferences over a discrete outcome space, with lazily built shared tables.
#[derive(Debug)]
pub struct Side {
    space: Arc<OutcomeSpace>,
    prefs: Preferences,
    n_outcomes: u64,
    limit: u64,
    table: OnceLock<Result<Arc<Table>, Error>>,
    ranking: OnceLock<Arc<Ranking>>,
}

/// Every outcome (rational or not) in ascending order of `(utility, index)`, and each outcome's
/// position in that order; for strategies that walk the whole space (GENIUS's `BidSelector`).
#[derive(Clone, Debug)]
pub struct Ranking {
    /// Outcome indices, worst to best.
    pub order: Vec<u32>,
    /// `position[k]`: where outcome `k` stands in `order`.
    pub position: Vec<u32>,
}

impl Side {
    /// A party with preferences `prefs` over the discrete `space`.
    pub fn new(space: Arc<OutcomeSpace>, prefs: Preferences) -> Result<Side, Error> {
        let n_outcomes = match space.cardinality() {
            Some(n) if n <= u128::from(u64::MAX) => n as u64,
            Some(n) => {
                return Err(Error::new(ErrorKind::Space(format!(
                    "the outcome space has {n} outcomes, more than a negotiation can index (2^64)"
                ))))
            }
            None => {
                let real: Vec<&str> =
                    space.issues().iter().filter(|i| !i.is_discrete()).map(|i| i.name()).collect();
                return Err(Error::new(ErrorKind::Space(format!(
                    "negotiation needs a discrete outcome space; real-valued issue(s): {}",
                    real.join(", ")
                ))));
            }
        };
        Ok(Side {
            space,
            prefs,
            n_outcomes,
            limit: DEFAULT_ENUMERATION_LIMIT,
            table: OnceLock::new(),
            ranking: OnceLock::new(),
        })
    }

    /// The same party with another enumeration limit for the tables.
    pub fn with_limit(mut self, limit: u64) -> Side {
        self.limit = limit;
        self
    }

    /// The outcome space.
    pub fn space(&self) -> &Arc<OutcomeSpace> {
        &self.space
    }

    /// The preferences.
    pub fn preferences(&self) -> &Preferences {
        &self.prefs
    }

    /// Number of outcomes.
    pub fn n_outcomes(&self) -> u64 {
        self.n_outcomes
    }

    /// Reservation value (utility of no agreement).
    pub fn reserved_value(&self) -> f64 {
        self.prefs.reserved_value
    }

    /// Undiscounted utility of an outcome (from the table when it is built).
    #[inline]
    pub fn utility(&self, id: OutcomeId) -> f64 {
        if let Some(Ok(t)) = self.table.get() {
            if let Some(u) = t.utils.get(id as usize) {
                return *u;
            }
        }
        self.prefs.eval(&self.space.outcome_at(id))
    }

    /// The tables (every outcome's utility and the presorted order), built on first use.
    /// Fails when the space is larger than the enumeration limit.
    pub fn table(&self) -> Result<&Arc<Table>, Error> {
        self.table
            .get_or_init(|| Table::build(&self.space, &self.prefs, self.limit).map(Arc::new))
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Every outcome ranked by utility (built on first use from the table).
    pub fn ranking(&self) -> Result<&Arc<Ranking>, Error> {
        let table = self.table()?;
        Ok(self.ranking.get_or_init(|| {
            let u = table.utils();
            let mut order: Vec<u32> = (0..u.len() as u32).collect();
            order.sort_unstable_by(|a, b| {
                u[*a as usize]
                    .partial_cmp(&u[*b as usize])
                    .unwrap_or(Ordering::Equal)
                    .then(a.cmp(b))
            });
            let mut position = vec![0u32; u.len()];
            for (p, k) in order.iter().enumerate() {
                position[*k as usize] = p as u32;
            }
            Arc::new(Ranking { order, position })
        }))
    }

    /// A uniformly random outcome.
    pub fn random_outcome<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> OutcomeId {
        rng.gen_range(0..self.n_outcomes)
    }
}

/// Every outcome's utility and NegMAS's presorted inverse (rational outcomes ascending by
/// `(utility, index)`, then the irrational ones in enumeration order).
#[derive(Clone, Debug)]
pub struct Table {
    utils: Vec<f64>,
    order: Vec<u32>,
    sorted: Vec<f64>,
    n_rational: usize,
    reserved: f64,
    min: f64,
    max: f64,
}

impl Table {
    /// Builds the table of `prefs` over `space` (enumerating at most `limit` outcomes).
    pub fn build(space: &OutcomeSpace, prefs: &Preferences, limit: u64) -> Result<Table, Error> {
        let n = space.check_enumerable(limit).map_err(|e| match e.kind() {
            bc_model::ErrorKind::TooLarge { outcomes: Some(n), limit } => Error::new(ErrorKind::Space(format!(
                "the outcome space has {n} outcomes, more than the {limit} this strategy may enumerate \
                 (it needs every outcome's utility); agents that do not enumerate: random"
            ))),
            _ => Error::from(e),
        })?;
        if n > u64::from(u32::MAX) {
            return Err(Error::new(ErrorKind::Space(format!("{n} outcomes are too many to sort"))));
        }
        let utils = prefs.utility.eval_all(space, limit)?;
        Ok(Table::from_utils(utils, prefs.reserved_value))
    }

    /// Builds the table from every outcome's utility (by index) and a reservation value.
    /// Outcomes with utility below `reserved` (or NaN) are irrational.
    pub fn from_utils(utils: Vec<f64>, reserved: f64) -> Table {
        let mut keys: Vec<u64> = Vec::with_capacity(utils.len());
        let mut ids: Vec<u32> = Vec::with_capacity(utils.len());
        let mut irrational: Vec<u32> = Vec::new();
        let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
        for (k, &u) in utils.iter().enumerate() {
            min = min.min(u);
            max = max.max(u);
            if u >= reserved {
                keys.push(order_key(u));
                ids.push(k as u32);
            } else {
                irrational.push(k as u32);
            }
        }
        // Ids start in increasing order and the sort is stable: the result is ordered by
        // (utility, index).
        stable_sort_by_key(&mut keys, &mut ids);
        let n_rational = ids.len();
        let mut order = ids;
        let mut sorted: Vec<f64> = order.iter().map(|k| utils[*k as usize]).collect();
        order.reserve(irrational.len());
        sorted.reserve(irrational.len());
        for k in irrational {
            order.push(k);
            sorted.push(utils[k as usize]);
        }
        Table { utils, order, sorted, n_rational, reserved, min, max }
    }

    /// Utility of every outcome, by index.
    pub fn utils(&self) -> &[f64] {
        &self.utils
    }

    /// Number of rational outcomes (utility at least the reservation value).
    pub fn n_rational(&self) -> usize {
        self.n_rational
    }

    /// Lowest utility over the whole space (NegMAS: the utility of `extreme_outcomes()[0]`).
    pub fn min(&self) -> f64 {
        self.min
    }

    /// Highest utility over the whole space.
    pub fn max(&self) -> f64 {
        self.max
    }

    /// The rational outcomes, worst to best (ties: lower index first).
    pub fn ascending(&self) -> impl DoubleEndedIterator<Item = (OutcomeId, f64)> + '_ {
        self.order[..self.n_rational]
            .iter()
            .zip(&self.sorted[..self.n_rational])
            .map(|(k, u)| (OutcomeId::from(*k), *u))
    }

    /// The best rational outcome (the last in ascending order); when no outcome is rational,
    /// the first outcome of highest utility.
    pub fn best(&self) -> OutcomeId {
        if self.n_rational > 0 {
            return OutcomeId::from(self.order[self.n_rational - 1]);
        }
        let mut best = 0usize;
        for (k, u) in self.utils.iter().enumerate() {
            if *u > self.utils[best] {
                best = k;
            }
        }
        best as OutcomeId
    }

    /// NegMAS's `outcome_at(k)` / `utility_at(k)` of the presorting inverter: rank `k` counts
    /// from the best rational outcome (`k = 0`); ranks past the rational outcomes address the
    /// irrational ones in enumeration order, as NegMAS does; `None` past the end.
    pub fn rank(&self, k: usize) -> Option<(OutcomeId, f64)> {
        if k >= self.order.len() {
            return None;
        }
        let pos = if k < self.n_rational { self.n_rational - 1 - k } else { k };
        Some((OutcomeId::from(self.order[pos]), self.sorted[pos]))
    }

    /// NegMAS's `PresortingInverseUtilityFunction.worst_in((mn, mx), normalized=False)`: the
    /// rational outcome of lowest utility at least `mn` (the best one if none reaches `mn`), or
    /// an outcome at most `1e-6` below `mn` when that is strictly closer; `None` when no outcome
    /// is rational.
    pub fn worst_in(&self, mn: f64, mx: f64) -> Option<OutcomeId> {
        if self.n_rational == 0 {
            return None;
        }
        let rational = &self.sorted[..self.n_rational];
        // np.searchsorted(..., side="left"), clipped to the rational range.
        let pp = rational.partition_point(|&u| u < mn);
        let i = pp.min(self.n_rational - 1);
        let (lo_b, hi_b) = (mn - INV_EPS, mx + 2.0 * INV_EPS);
        let mut best = i;
        let mut best_diff = (self.sorted[i] - mn).abs();
        // `_nearest_around` scans every entry in index order and keeps the first strictly
        // closer one. Among rational entries only the largest value below `mn` (its first
        // occurrence) can beat entry `i`; entries at or above `mn` are never closer than `i`.
        if pp > 0 {
            let v = rational[pp - 1];
            let d = (v - mn).abs();
            if v >= lo_b && v <= hi_b && d < best_diff {
                best = rational[..pp].partition_point(|&u| u < v);
                best_diff = d;
            }
        }
        // Irrational entries (all below the reservation value) are in the window only when
        // `mn` is less than 1e-6 above it; time-based agents never ask that low.
        if lo_b < self.reserved {
            for (pos, &v) in self.sorted.iter().enumerate().skip(self.n_rational) {
                let d = (v - mn).abs();
                if v >= lo_b && v <= hi_b && d < best_diff {
                    best = pos;
                    best_diff = d;
                }
            }
        }
        if (self.sorted[best] - mn).abs() > 2.0 * INV_EPS && best != i {
            return None;
        }
        Some(OutcomeId::from(self.order[best]))
    }
}

/// A key whose unsigned order is the numeric order of `u` (not NaN), `-0.0` equal to `0.0`.
#[inline]
fn order_key(u: f64) -> u64 {
    let bits = (u + 0.0).to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

/// Sorts `ids` by `keys` (moved along), stably: a comparison sort for short inputs, an LSD
/// radix sort (8 bits a pass, skipping passes where every key has the same digit) otherwise.
fn stable_sort_by_key(keys: &mut Vec<u64>, ids: &mut Vec<u32>) {
    let n = keys.len();
    if n <= 4096 {
        let mut pairs: Vec<(u64, u32)> = keys.iter().copied().zip(ids.iter().copied()).collect();
        pairs.sort_by_key(|p| p.0);
        for (k, (key, id)) in pairs.into_iter().enumerate() {
            keys[k] = key;
            ids[k] = id;
        }
        return;
    }
    const BITS: u32 = 8;
    const BUCKETS: usize = 1 << BITS;
    let mut items: Vec<(u64, u32)> = keys.iter().copied().zip(ids.iter().copied()).collect();
    let mut spare: Vec<(u64, u32)> = vec![(0, 0); n];
    let mut counts = vec![0usize; BUCKETS];
    let mut shift = 0;
    while shift < 64 {
        counts.iter_mut().for_each(|c| *c = 0);
        for (k, _) in &items {
            counts[((k >> shift) as usize) & (BUCKETS - 1)] += 1;
        }
        if !counts.iter().any(|c| *c == n) {
            let mut sum = 0;
            for c in counts.iter_mut() {
                let t = *c;
                *c = sum;
                sum += t;
            }
            for item in &items {
                let d = ((item.0 >> shift) as usize) & (BUCKETS - 1);
                spare[counts[d]] = *item;
                counts[d] += 1;
            }
            std::mem::swap(&mut items, &mut spare);
        }
        shift += BITS;
    }
    for (k, (key, id)) in items.into_iter().enumerate() {
        keys[k] = key;
        ids[k] = id;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn radix_and_comparison_sorts_agree() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        // Coarse values: many ties, negatives and both zeros.
        let utils: Vec<f64> = (0..20_000)
            .map(|k| if k % 97 == 0 { -0.0 } else { (rng.gen_range(-50i32..50) as f64) / 8.0 })
            .collect();
        let t = Table::from_utils(utils.clone(), -3.0);
        let mut expected: Vec<(f64, u32)> =
            utils.iter().enumerate().filter(|(_, u)| **u >= -3.0).map(|(k, u)| (*u, k as u32)).collect();
        expected.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap().then(a.1.cmp(&b.1)));
        let got: Vec<(f64, u32)> = t.ascending().map(|(k, u)| (u, k as u32)).collect();
        assert_eq!(got, expected);
    }

    /// NegMAS's search written as it is: a scan of every entry (the oracle for `worst_in`).
    fn brute_worst_in(t: &Table, mn: f64, mx: f64) -> Option<OutcomeId> {
        if t.n_rational == 0 {
            return None;
        }
        let i = t.sorted[..t.n_rational].partition_point(|&u| u < mn).min(t.n_rational - 1);
        let (mut best, mut best_diff) = (i, (t.sorted[i] - mn).abs());
        for (j, &v) in t.sorted.iter().enumerate() {
            if mn - 1e-6 <= v && v <= mx + 2e-6 && (v - mn).abs() < best_diff {
                best = j;
                best_diff = (v - mn).abs();
            }
        }
        if (t.sorted[best] - mn).abs() > 2e-6 && best != i {
            return None;
        }
        Some(t.order[best] as u64)
    }

    #[test]
    fn order_is_stable_on_ties_and_irrational_last() {
        let t = Table::from_utils(vec![0.5, 0.2, 0.5, 0.1, 0.9], 0.15);
        assert_eq!(t.n_rational(), 4);
        let asc: Vec<u64> = t.ascending().map(|(k, _)| k).collect();
        assert_eq!(asc, vec![1, 0, 2, 4]);
        assert_eq!(t.rank(0), Some((4, 0.9)));
        assert_eq!(t.rank(1), Some((2, 0.5)));
        assert_eq!(t.rank(4), Some((3, 0.1)));
        assert_eq!(t.rank(5), None);
        assert_eq!(t.best(), 4);
        assert_eq!((t.min(), t.max()), (0.1, 0.9));
    }

    #[test]
    fn worst_in_picks_the_lowest_at_or_above_and_near_misses() {
        let t = Table::from_utils(vec![0.3, 0.5, 0.7, 0.5 - 5e-7], f64::NEG_INFINITY);
        assert_eq!(t.worst_in(0.45, 1.0), Some(3)); // the lowest utility at or above 0.45
        assert_eq!(t.worst_in(0.5, 1.0), Some(1)); // exact hit beats 5e-7 below
        assert_eq!(t.worst_in(0.4999997, 1.0), Some(3)); // 2e-7 below beats 3e-7 above
        assert_eq!(t.worst_in(0.5 + 1e-7, 1.0), Some(1)); // 1e-7 below beats 0.2 above
        assert_eq!(t.worst_in(0.99, 1.0), Some(2)); // nothing reaches: the best
        assert_eq!(t.worst_in(0.0, 1.0), Some(0));
    }

    proptest::proptest! {
        #[test]
        fn worst_in_equals_the_scan(
            utils in proptest::collection::vec(0u32..40, 1..60),
            r in 0u32..45,
            mn in 0u32..45,
            jitter in -3i32..3,
        ) {
            // Coarse values make ties and near-ties (within 1e-6) common.
            let utils: Vec<f64> = utils.iter().map(|u| *u as f64 / 40.0).collect();
            let t = Table::from_utils(utils, r as f64 / 40.0 - 1e-7);
            let mn = mn as f64 / 40.0 + jitter as f64 * 4e-7;
            proptest::prop_assert_eq!(t.worst_in(mn, 1.0), brute_worst_in(&t, mn, 1.0));
        }
    }
}
