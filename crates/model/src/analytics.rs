//! Outcome analytics for two or more parties: the Pareto frontier of the rational outcomes and
//! the bargaining solutions on it (Nash, Kalai–Smorodinsky, egalitarian Kalai, welfare), plus the
//! distances of any outcome to them (the ANAC metrics).
//!
//! Conventions follow NegMAS 0.16 (`negmas/preferences/ops.py`, `calc_scenario_stats`), which is
//! what the reference numbers in `shared/reference/negmas/reference.json` were produced with:
//!
//! - **Rational set.** Only outcomes with `u_i >= r_i` for every party are candidates.
//! - **Frontier.** Weakly dominated points are dropped. Outcomes with identical utility vectors
//!   collapse to one: the one with the smallest outcome index (NegMAS keeps whichever its unstable
//!   sort puts first, so on domains with ties only the utility vectors are comparable). The
//!   frontier is listed by welfare (sum of utilities) descending, ties by outcome index.
//! - **Disagreement point.** `d_i = r_i` when `r_i` is finite and not below party i's minimum
//!   utility over the whole space; otherwise that minimum.
//! - **Solutions** search the discrete frontier and return every point within `1e-12` of the
//!   optimum, in frontier order. If some party's range `max_i - d_i` is at most `1e-12`, every
//!   frontier point is returned. Nash maximises `prod (u_i - d_i)`; Kalai (egalitarian) maximises
//!   `min (u_i - d_i)`; Kalai–Smorodinsky minimises `max a_i - min a_i` with
//!   `a_i = (u_i - d_i) / (max_i - d_i)`; maximum welfare maximises `sum u_i`.
//!
//! Long file: a third is the tests that pin each algorithm to NegMAS's numbers, beside the
//! algorithm.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use crate::error::{Error, ErrorKind};
use crate::space::{Outcome, OutcomeSpace};
use crate::utility::{LinearAdditive, Preferences, UtilityFunction};

/// Solutions closer than this to the optimum are all returned (NegMAS's `eps`).
pub const SOLUTION_EPS: f64 = 1e-12;

/// How the frontier was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Additive utilities: frontier built issue by issue, never enumerating the space.
    Additive,
    /// Every outcome evaluated.
    Enumerated,
    /// A given list of outcomes (a sample), not the whole space.
    Sampled,
}

/// A point of the Pareto frontier.
#[derive(Clone, Debug, PartialEq)]
pub struct FrontierPoint {
    /// The outcome.
    pub outcome: Outcome,
    /// Its mixed-radix index in a discrete space.
    pub index: Option<u64>,
    /// Each party's utility, in party order.
    pub utils: Vec<f64>,
}

/// The result of analysing an outcome space for a set of parties.
#[derive(Clone, Debug, PartialEq)]
pub struct Analysis {
    /// Size of the outcome space (`None` if continuous).
    pub n_outcomes: Option<u128>,
    /// How the frontier was found.
    pub method: Method,
    /// Each party's reservation value.
    pub reserved_values: Vec<f64>,
    /// Each party's (lowest, highest) utility over the space (or the sample).
    pub ranges: Vec<(f64, f64)>,
    /// The disagreement point used by the solutions.
    pub disagreement: Vec<f64>,
    /// The Pareto frontier of the rational outcomes, welfare descending.
    pub pareto: Vec<FrontierPoint>,
    /// Nash points (indices into `pareto`).
    pub nash: Vec<usize>,
    /// Egalitarian (Kalai 1977) points, gains over the disagreement point.
    pub kalai: Vec<usize>,
    /// Egalitarian points on raw utilities (NegMAS's `modified_kalai`).
    pub modified_kalai: Vec<usize>,
    /// Kalai–Smorodinsky points.
    pub kalai_smorodinsky: Vec<usize>,
    /// Kalai–Smorodinsky points on raw utilities over the maxima (NegMAS's `modified_ks`).
    pub modified_ks: Vec<usize>,
    /// Maximum-welfare points.
    pub max_welfare: Vec<usize>,
    /// Maximum relative-welfare points (NegMAS's definition).
    pub max_relative_welfare: Vec<usize>,
}

/// Distances (Euclidean, in utility space) of one outcome to the analysis's reference points.
/// A distance to an empty set is NaN.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Distances {
    /// To the nearest frontier point.
    pub pareto: f64,
    /// To the nearest Nash point.
    pub nash: f64,
    /// To the nearest egalitarian point.
    pub kalai: f64,
    /// To the nearest Kalai–Smorodinsky point.
    pub kalai_smorodinsky: f64,
    /// To the nearest maximum-welfare point.
    pub max_welfare: f64,
    /// Sum of the outcome's utilities.
    pub welfare: f64,
}

/// What to analyse and how hard to try.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Largest space that may be enumerated when the utilities are not all additive.
    pub enumeration_limit: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options { enumeration_limit: crate::space::DEFAULT_ENUMERATION_LIMIT }
    }
}

/// Analyses the whole space: the additive method when every utility is additive and the space is
/// discrete, otherwise full enumeration within `options.enumeration_limit`.
pub fn analyze(space: &OutcomeSpace, parties: &[&Preferences], options: Options) -> Result<Analysis, Error> {
    if parties.len() < 2 {
        return Err(Error::new(ErrorKind::TooFewParties(2)));
    }
    let additive: Option<Vec<&LinearAdditive>> = parties.iter().map(|p| p.utility.as_additive()).collect();
    match additive {
        Some(fs) if space.is_discrete() => analyze_additive(space, parties, &fs, options.enumeration_limit),
        _ => analyze_enumerated(space, parties, options.enumeration_limit),
    }
}

/// Analyses an explicit list of outcomes (a sample): the frontier and the ranges are those of the
/// list, not of the space.
pub fn analyze_outcomes(space: &OutcomeSpace, parties: &[&Preferences], outcomes: Vec<Outcome>) -> Result<Analysis, Error> {
    if parties.len() < 2 {
        return Err(Error::new(ErrorKind::TooFewParties(2)));
    }
    let n = parties.len();
    let mut utils = Vec::with_capacity(outcomes.len() * n);
    for o in &outcomes {
        space.check(o)?;
        utils.extend(parties.iter().map(|p| p.eval(o)));
    }
    let ranges = ranges_of(&utils, n);
    let order: Vec<usize> = (0..outcomes.len()).collect();
    let reserved: Vec<f64> = parties.iter().map(|p| p.reserved_value).collect();
    let kept = pareto_filter(&utils, n, rational(&utils, n, &reserved, order));
    let mut pareto: Vec<FrontierPoint> = kept
        .into_iter()
        .map(|k| FrontierPoint {
            index: space.index_of(&outcomes[k]),
            outcome: outcomes[k].clone(),
            utils: utils[k * n..(k + 1) * n].to_vec(),
        })
        .collect();
    sort_by_welfare(&mut pareto);
    Ok(finish(space, reserved, ranges, pareto, Method::Sampled))
}

/// Analyses the whole space by evaluating every outcome (within `limit`), whatever the utility
/// type. [`analyze`] uses this only for non-additive utilities; it is public for comparisons.
pub fn analyze_enumerated(space: &OutcomeSpace, parties: &[&Preferences], limit: u64) -> Result<Analysis, Error> {
    let total = space.check_enumerable(limit)? as usize;
    let n = parties.len();
    let per_party: Vec<Vec<f64>> = parties.iter().map(|p| p.utility.eval_all(space, limit)).collect::<Result<_, _>>()?;
    let mut utils = Vec::with_capacity(total * n);
    for k in 0..total {
        utils.extend(per_party.iter().map(|u| u[k]));
    }
    drop(per_party);
    let ranges = ranges_of(&utils, n);
    let reserved: Vec<f64> = parties.iter().map(|p| p.reserved_value).collect();
    let kept = pareto_filter(&utils, n, rational(&utils, n, &reserved, 0..total));
    let mut pareto: Vec<FrontierPoint> = kept
        .into_iter()
        .map(|k| FrontierPoint { outcome: space.outcome_at(k as u64), index: Some(k as u64), utils: utils[k * n..(k + 1) * n].to_vec() })
        .collect();
    sort_by_welfare(&mut pareto);
    Ok(finish(space, reserved, ranges, pareto, Method::Enumerated))
}

/// The additive method. A utility vector is the left-to-right sum of per-issue term vectors, and
/// IEEE rounding is monotone, so an outcome whose partial sum over the first issues is weakly
/// dominated by another partial sum is weakly dominated once the same remaining terms are added.
/// Filtering after each issue therefore keeps every frontier vector while the candidate set stays
/// near the size of the frontier. An issue too large to tabulate is never listed whole: see
/// [`undominated_values`]; `limit` bounds the values listed where that cannot reduce it.
fn analyze_additive(space: &OutcomeSpace, parties: &[&Preferences], fs: &[&LinearAdditive], limit: u64) -> Result<Analysis, Error> {
    let n = parties.len();
    if space.cardinality().is_none_or(|c| c > u128::from(u64::MAX)) {
        return Err(Error::new(ErrorKind::TooLarge { outcomes: space.cardinality(), limit }));
    }
    let radices: Vec<u64> = space.radices().iter().map(|r| r.unwrap_or(1)).collect();
    // Candidates: flattened partial utility vectors and their partial indices.
    let mut utils: Vec<f64> = fs.iter().map(|f| f.bias()).collect();
    let mut index: Vec<u64> = vec![0];
    for (i, &radix) in radices.iter().enumerate() {
        let values = undominated_values(space, fs, i, radix, limit)?;
        let mut next_utils = Vec::with_capacity(index.len() * values.len() * n);
        let mut next_index = Vec::with_capacity(index.len() * values.len());
        for (c, &base) in index.iter().enumerate() {
            for &v in &values {
                for (j, f) in fs.iter().enumerate() {
                    next_utils.push(utils[c * n + j] + f.term_at(i, v as u32));
                }
                next_index.push(base * radix + v);
            }
        }
        // Filter in index order so that duplicates keep the smallest index.
        let mut order: Vec<usize> = (0..next_index.len()).collect();
        order.sort_by_key(|&k| next_index[k]);
        let kept = pareto_filter(&next_utils, n, order);
        utils = kept.iter().flat_map(|&k| next_utils[k * n..(k + 1) * n].to_vec()).collect();
        index = kept.iter().map(|&k| next_index[k]).collect();
    }
    // Apply caps (monotone), then keep the rational, non-dominated points.
    for (c, _) in index.iter().enumerate() {
        for (j, f) in fs.iter().enumerate() {
            utils[c * n + j] = f.finish(utils[c * n + j]);
        }
    }
    let reserved: Vec<f64> = parties.iter().map(|p| p.reserved_value).collect();
    let mut order: Vec<usize> = (0..index.len()).collect();
    order.sort_by_key(|&k| index[k]);
    let kept = pareto_filter(&utils, n, rational(&utils, n, &reserved, order));
    let mut pareto: Vec<FrontierPoint> = kept
        .into_iter()
        .map(|k| FrontierPoint { outcome: space.outcome_at(index[k]), index: Some(index[k]), utils: utils[k * n..(k + 1) * n].to_vec() })
        .collect();
    sort_by_welfare(&mut pareto);
    let ranges = fs.iter().map(|f| f.minmax()).collect();
    Ok(finish(space, reserved, ranges, pareto, Method::Additive))
}

/// Values of issue `i` whose term vector is not weakly dominated by an earlier or strictly by a
/// later value's (an outcome using a dominated value is weakly dominated by the same outcome
/// using the dominating one).
///
/// An issue some party does not tabulate (an integer range `0..2*10^9`) is not listed whole.
/// Between consecutive [`LinearAdditive::monotone_cuts`] of every party, each party's term is
/// monotone in the value's position, so on such a run `[a, b]`:
/// - if no party's term falls from `a` to `b`, every value is weakly dominated by `b`'s term
///   vector, and the first value with exactly that vector is the one the full list keeps;
/// - if none rises, `a` weakly dominates every later value of the run and is kept;
/// - otherwise the parties trade off along the run and it is listed (within `limit` values in
///   all, or the analysis is refused with [`ErrorKind::TradeOffTooLarge`]).
///
/// The cut values and the values so chosen are then filtered as a short list is, which gives
/// exactly the values the full list would keep.
fn undominated_values(space: &OutcomeSpace, fs: &[&LinearAdditive], i: usize, radix: u64, limit: u64) -> Result<Vec<u64>, Error> {
    let n = fs.len();
    let vector = |v: u64| fs.iter().map(move |f| f.term_at(i, v as u32));
    let candidates: Vec<u64> = if fs.iter().all(|f| f.is_tabulated(i)) {
        (0..radix).collect()
    } else {
        let too_large =
            |values: u64| Error::new(ErrorKind::TradeOffTooLarge { issue: space.issues()[i].name().to_string(), values, limit });
        let mut cuts: Vec<u64> = Vec::new();
        for f in fs {
            match f.monotone_cuts(i) {
                Some(c) => cuts.extend(c),
                // A table value function: no structure to use, list it within the limit.
                None if radix <= limit => cuts.extend(0..radix),
                None => return Err(too_large(radix)),
            }
        }
        cuts.sort_unstable();
        cuts.dedup();
        let mut out = Vec::with_capacity(cuts.len() * 2);
        let mut listed = 0u64;
        for (k, &c) in cuts.iter().enumerate() {
            out.push(c);
            let Some(&d) = cuts.get(k + 1) else { break };
            if d <= c + 1 {
                continue;
            }
            let (a, b) = (c + 1, d - 1);
            let (ta, tb): (Vec<f64>, Vec<f64>) = (vector(a).collect(), vector(b).collect());
            if ta.iter().zip(&tb).all(|(x, y)| x <= y) {
                // Non-decreasing for everyone: the first value whose vector equals b's.
                let (mut lo, mut hi) = (a, b);
                while lo < hi {
                    let mid = lo + (hi - lo) / 2;
                    if vector(mid).zip(&tb).all(|(x, y)| x == *y) {
                        hi = mid;
                    } else {
                        lo = mid + 1;
                    }
                }
                out.push(lo);
            } else if ta.iter().zip(&tb).all(|(x, y)| x >= y) {
                out.push(a);
            } else {
                listed += b - a + 1;
                if listed > limit {
                    return Err(too_large(listed));
                }
                out.extend(a..=b);
            }
        }
        out
    };
    let mut points = Vec::with_capacity(candidates.len() * n);
    for &v in &candidates {
        points.extend(vector(v));
    }
    let mut kept: Vec<u64> = pareto_filter(&points, n, 0..candidates.len()).into_iter().map(|k| candidates[k]).collect();
    kept.sort_unstable();
    Ok(kept)
}

fn rational(utils: &[f64], n: usize, reserved: &[f64], order: impl IntoIterator<Item = usize>) -> Vec<usize> {
    order
        .into_iter()
        .filter(|&k| {
            let u = &utils[k * n..(k + 1) * n];
            u.iter().all(|x| x.is_finite()) && u.iter().zip(reserved).all(|(x, r)| x >= r)
        })
        .collect()
}

fn ranges_of(utils: &[f64], n: usize) -> Vec<(f64, f64)> {
    let mut ranges = vec![(f64::INFINITY, f64::NEG_INFINITY); n];
    for row in utils.chunks_exact(n) {
        for (r, x) in ranges.iter_mut().zip(row) {
            r.0 = r.0.min(*x);
            r.1 = r.1.max(*x);
        }
    }
    ranges
}

/// The non-dominated points among `candidates` (indices of rows of `utils`, `n` columns).
///
/// A point is dropped when another candidate is at least as good for every party; of several
/// identical points the one that comes first in `candidates` is kept. Returns indices in no
/// particular order.
pub fn pareto_filter(utils: &[f64], n: usize, candidates: impl IntoIterator<Item = usize>) -> Vec<usize> {
    let mut cands: Vec<usize> = candidates.into_iter().collect();
    let row = |k: usize| &utils[k * n..(k + 1) * n];
    // Stable sort: equal rows keep their candidate order, so duplicates keep the first.
    cands.sort_by(|&a, &b| lex_desc(row(a), row(b)));
    match n {
        1 => cands.into_iter().take(1).collect(),
        2 => {
            let mut best = f64::NEG_INFINITY;
            let mut out = Vec::new();
            for k in cands {
                let u = row(k);
                if u[1] > best {
                    best = u[1];
                    out.push(k);
                }
            }
            out
        }
        3 => {
            let mut stairs = Staircase::default();
            let mut out = Vec::new();
            for k in cands {
                let u = row(k);
                if !stairs.dominates(u[1], u[2]) {
                    stairs.insert(u[1], u[2]);
                    out.push(k);
                }
            }
            out
        }
        _ => {
            // Points sorted lexicographically descending: any point that weakly dominates
            // another comes before it, so comparing with the kept points suffices.
            let mut out: Vec<usize> = Vec::new();
            for k in cands {
                let u = row(k);
                if !out.iter().any(|&f| row(f).iter().zip(u).all(|(a, b)| a >= b)) {
                    out.push(k);
                }
            }
            out
        }
    }
}

fn lex_desc(a: &[f64], b: &[f64]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        match y.partial_cmp(x) {
            Some(Ordering::Equal) | None => continue,
            Some(o) => return o,
        }
    }
    Ordering::Equal
}

/// A 2-D staircase of non-dominated `(x, y)` points: as `x` grows, `y` strictly falls.
#[derive(Default)]
struct Staircase {
    steps: BTreeMap<Key, f64>,
}

/// An `f64` ordered by `total_cmp` (keys are never NaN: callers filter non-finite utilities).
#[derive(Clone, Copy)]
struct Key(f64);
impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Key {}
impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Key {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

impl Staircase {
    fn dominates(&self, x: f64, y: f64) -> bool {
        // The step with the smallest x' >= x has the largest y among those.
        self.steps.range(Key(x + 0.0)..).next().is_some_and(|(_, &y2)| y2 >= y)
    }

    fn insert(&mut self, x: f64, y: f64) {
        let x = x + 0.0; // -0.0 becomes 0.0
        let covered: Vec<Key> = self.steps.range(..=Key(x)).rev().take_while(|(_, &y2)| y2 <= y).map(|(k, _)| *k).collect();
        for k in covered {
            self.steps.remove(&k);
        }
        self.steps.insert(Key(x), y);
    }
}

fn welfare(u: &[f64]) -> f64 {
    u.iter().fold(0.0, |a, x| a + x)
}

fn sort_by_welfare(points: &mut [FrontierPoint]) {
    points.sort_by(|a, b| welfare(&b.utils).total_cmp(&welfare(&a.utils)).then_with(|| a.index.cmp(&b.index)));
}

fn finish(space: &OutcomeSpace, reserved: Vec<f64>, ranges: Vec<(f64, f64)>, pareto: Vec<FrontierPoint>, method: Method) -> Analysis {
    let disagreement: Vec<f64> = reserved.iter().zip(&ranges).map(|(r, (lo, _))| if r.is_finite() && r >= lo { *r } else { *lo }).collect();
    let frontier: Vec<&[f64]> = pareto.iter().map(|p| p.utils.as_slice()).collect();
    let s = Solver { frontier: &frontier, reserved: &reserved, ranges: &ranges, d: &disagreement };
    Analysis {
        n_outcomes: space.cardinality(),
        method,
        nash: s.nash(),
        kalai: s.kalai(true),
        modified_kalai: s.kalai(false),
        kalai_smorodinsky: s.ks(true),
        modified_ks: s.ks(false),
        max_welfare: s.max_welfare(),
        max_relative_welfare: s.max_relative_welfare(),
        reserved_values: reserved,
        ranges,
        disagreement,
        pareto,
    }
}

struct Solver<'a> {
    frontier: &'a [&'a [f64]],
    reserved: &'a [f64],
    ranges: &'a [(f64, f64)],
    d: &'a [f64],
}

impl Solver<'_> {
    fn irrational(&self, u: &[f64]) -> bool {
        u.iter().zip(self.reserved).any(|(x, r)| x < r)
    }

    /// Every frontier point whose `value` is within eps of the best (maximising or minimising),
    /// in frontier order. NegMAS's edge rules: nothing on an empty frontier, everything when some
    /// party's span above `lows` is at most eps.
    fn solve(&self, lows: &[f64], maximise: bool, value: impl Fn(&[f64]) -> f64) -> Vec<usize> {
        if self.frontier.is_empty() {
            return Vec::new();
        }
        if self.ranges.iter().zip(lows).any(|((_, hi), lo)| hi - lo <= SOLUTION_EPS) {
            return (0..self.frontier.len()).collect();
        }
        let values: Vec<f64> = self.frontier.iter().map(|u| value(u)).collect();
        let mut opt: Option<f64> = None;
        for v in &values {
            let better = match opt {
                None => {
                    if maximise {
                        *v > f64::NEG_INFINITY
                    } else {
                        *v < f64::INFINITY
                    }
                }
                Some(o) => {
                    if maximise {
                        *v > o
                    } else {
                        *v < o
                    }
                }
            };
            if better {
                opt = Some(*v);
            }
        }
        let Some(opt) = opt else { return Vec::new() };
        values
            .iter()
            .enumerate()
            .filter(|(_, v)| if maximise { **v >= opt - SOLUTION_EPS } else { **v <= opt + SOLUTION_EPS })
            .map(|(k, _)| k)
            .collect()
    }

    fn nash(&self) -> Vec<usize> {
        self.solve(self.d, true, |u| u.iter().zip(self.d).fold(1.0, |acc, (x, d)| acc * (x - d)))
    }

    fn kalai(&self, subtract: bool) -> Vec<usize> {
        self.solve(self.d, true, |u| {
            if self.irrational(u) {
                f64::NEG_INFINITY
            } else if subtract {
                u.iter().zip(self.d).map(|(x, d)| x - d).fold(f64::INFINITY, f64::min)
            } else {
                u.iter().copied().fold(f64::INFINITY, f64::min)
            }
        })
    }

    fn ks(&self, subtract: bool) -> Vec<usize> {
        self.solve(self.d, false, |u| {
            if self.irrational(u) {
                return f64::INFINITY;
            }
            let adv = u.iter().zip(self.d.iter().zip(self.ranges)).map(|(x, (d, (_, hi)))| {
                if subtract {
                    let span = hi - d;
                    if span != 0.0 {
                        (x - d) / span
                    } else {
                        x - d
                    }
                } else if *hi != 0.0 {
                    x / hi
                } else {
                    *x
                }
            });
            let (mn, mx) = adv.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x), b.max(x)));
            mx - mn
        })
    }

    fn lows(&self) -> Vec<f64> {
        self.ranges.iter().map(|r| r.0).collect()
    }

    fn max_welfare(&self) -> Vec<usize> {
        self.solve(&self.lows(), true, welfare)
    }

    fn max_relative_welfare(&self) -> Vec<usize> {
        // NegMAS subtracts each party's minimum and divides by `max - max(r, min)`.
        let spans: Vec<f64> = self.ranges.iter().zip(self.reserved).map(|((lo, hi), r)| hi - r.max(*lo)).collect();
        self.solve(&self.lows(), true, |u| {
            if self.irrational(u) {
                return f64::NEG_INFINITY;
            }
            u.iter()
                .zip(self.ranges.iter().zip(&spans))
                .fold(0.0, |acc, (x, ((lo, _), s))| acc + (x - lo) / if *s != 0.0 { *s } else { 1.0 })
        })
    }
}

impl Analysis {
    /// Utilities of the points `which` (indices into the frontier).
    pub fn points(&self, which: &[usize]) -> Vec<&FrontierPoint> {
        which.iter().map(|&k| &self.pareto[k]).collect()
    }

    /// Distances of an outcome with utilities `utils` to the frontier and the solutions.
    pub fn distances(&self, utils: &[f64]) -> Distances {
        let to = |which: &[usize]| {
            which.iter().map(|&k| euclid(utils, &self.pareto[k].utils)).fold(f64::NAN, |a, b| if a.is_nan() || b < a { b } else { a })
        };
        let all: Vec<usize> = (0..self.pareto.len()).collect();
        Distances {
            pareto: to(&all),
            nash: to(&self.nash),
            kalai: to(&self.kalai),
            kalai_smorodinsky: to(&self.kalai_smorodinsky),
            max_welfare: to(&self.max_welfare),
            welfare: welfare(utils),
        }
    }
}

fn euclid(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum::<f64>().sqrt()
}

/// Evaluates every party on every outcome of a discrete space (row-major: outcome, then party).
pub fn utility_matrix(space: &OutcomeSpace, utilities: &[&UtilityFunction], limit: u64) -> Result<Vec<f64>, Error> {
    let cols: Vec<Vec<f64>> = utilities.iter().map(|u| u.eval_all(space, limit)).collect::<Result<_, _>>()?;
    let total = cols.first().map_or(0, Vec::len);
    let mut out = Vec::with_capacity(total * cols.len());
    for k in 0..total {
        out.extend(cols.iter().map(|c| c[k]));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::issue::{Issue, Value};
    use crate::utility::{Discount, LinearAdditive, ValueFunction};
    use proptest::prelude::*;

    fn brute_frontier(utils: &[f64], n: usize, reserved: &[f64]) -> Vec<Vec<f64>> {
        let rows: Vec<&[f64]> = utils.chunks_exact(n).collect();
        let mut out: Vec<Vec<f64>> = Vec::new();
        for (k, u) in rows.iter().enumerate() {
            if u.iter().zip(reserved).any(|(x, r)| x < r) {
                continue;
            }
            let dominated = rows.iter().enumerate().any(|(j, v)| {
                j != k
                    && v.iter().zip(reserved).all(|(x, r)| x >= r)
                    && v.iter().zip(u.iter()).all(|(a, b)| a >= b)
                    && (v.iter().zip(u.iter()).any(|(a, b)| a > b) || j < k)
            });
            if !dominated {
                out.push(u.to_vec());
            }
        }
        out.sort_by(|a, b| lex_desc(a, b));
        out
    }

    fn party(space: &OutcomeSpace, tables: Vec<Vec<f64>>, r: f64) -> Preferences {
        let m = tables.len();
        let f = LinearAdditive::new(space, 0.0, vec![1.0; m], tables.into_iter().map(ValueFunction::Table).collect()).unwrap();
        Preferences { name: "p".into(), utility: UtilityFunction::LinearAdditive(f), reserved_value: r, discount: Discount::None }
    }

    fn space(radices: &[usize]) -> OutcomeSpace {
        OutcomeSpace::new(
            "s",
            radices
                .iter()
                .enumerate()
                .map(|(k, &n)| Issue::categorical(format!("i{k}"), (0..n).map(|v| v.to_string()).collect()).unwrap())
                .collect(),
        )
        .unwrap()
    }

    #[test]
    fn oracle_linear_frontier_nash_equals_ks() {
        // ORACLES.md case 3, discretised: u1 + u2 = 1 on a grid, d = (0.2, 0.1).
        let s = space(&[101]);
        let a: Vec<f64> = (0..=100).map(|k| k as f64 / 100.0).collect();
        let b: Vec<f64> = a.iter().map(|x| 1.0 - x).collect();
        let p1 = party(&s, vec![a.clone()], 0.2);
        let p2 = party(&s, vec![b], 0.1);
        let an = analyze(&s, &[&p1, &p2], Options::default()).unwrap();
        let nash = &an.pareto[an.nash[0]].utils;
        let ks = &an.pareto[an.kalai_smorodinsky[0]].utils;
        assert!((nash[0] - 0.55).abs() < 1e-9, "{nash:?}");
        // The oracle's KS (0.55) takes the ideal point over the rational set; NegMAS, whose
        // convention we follow, takes each party's maximum over the whole space (1.0 here), so
        // the KS line runs from d to (1, 1): (u1 - 0.2) / 0.8 = (u2 - 0.1) / 0.9 on u1 + u2 = 1
        // gives u1 = 0.5294, and the nearest grid point is 0.53.
        assert!((ks[0] - 0.53).abs() < 1e-9, "{ks:?}");
        assert_eq!(an.disagreement, vec![0.2, 0.1]);
        // Only rational outcomes: u1 >= 0.2 and u2 >= 0.1.
        assert!(an.pareto.iter().all(|p| p.utils[0] >= 0.2 && p.utils[1] >= 0.1));
        // Every rational grid point is on this frontier (1 - 0.9 rounds below 0.1, so k = 90 is
        // not rational in f64).
        let rational = (0..=100).filter(|k| *k as f64 / 100.0 >= 0.2 && 1.0 - *k as f64 / 100.0 >= 0.1);
        assert_eq!(an.pareto.len(), rational.count());
    }

    #[test]
    fn oracle_curved_frontier_separates_nash_and_ks() {
        // ORACLES.md case 3: frontier u2 = 1 - u1^2, d = (0, 0): Nash (1/sqrt 3, 2/3), KS at the
        // golden ratio. A fine grid gets within its resolution.
        let s = space(&[20001]);
        let a: Vec<f64> = (0..=20000).map(|k| k as f64 / 20000.0).collect();
        let b: Vec<f64> = a.iter().map(|x| 1.0 - x * x).collect();
        let an = analyze(&s, &[&party(&s, vec![a], 0.0), &party(&s, vec![b], 0.0)], Options::default()).unwrap();
        let nash = &an.pareto[an.nash[0]].utils;
        assert!((nash[0] - 1.0 / 3f64.sqrt()).abs() < 1e-4, "{nash:?}");
        assert!((nash[1] - 2.0 / 3.0).abs() < 1e-4, "{nash:?}");
        let ks = &an.pareto[an.kalai_smorodinsky[0]].utils;
        let g = (5f64.sqrt() - 1.0) / 2.0;
        assert!((ks[0] - g).abs() < 1e-4 && (ks[1] - g).abs() < 1e-4, "{ks:?}");
    }

    #[test]
    fn empty_frontier_when_nothing_is_rational() {
        let s = space(&[3]);
        let p1 = party(&s, vec![vec![0.1, 0.2, 0.3]], 0.5);
        let p2 = party(&s, vec![vec![0.3, 0.2, 0.1]], 0.0);
        let an = analyze(&s, &[&p1, &p2], Options::default()).unwrap();
        assert!(an.pareto.is_empty() && an.nash.is_empty() && an.max_welfare.is_empty());
        assert!(an.distances(&[0.2, 0.2]).pareto.is_nan());
    }

    #[test]
    fn one_party_is_an_error() {
        let s = space(&[3]);
        let p = party(&s, vec![vec![0.1, 0.2, 0.3]], 0.0);
        assert!(analyze(&s, &[&p], Options::default()).is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// The additive method, the enumerating method and a brute-force definition agree, for 2,
        /// 3 and 4 parties, including ties (coarse utility grids) and reservation values.
        #[test]
        fn frontier_methods_agree(
            radices in proptest::collection::vec(1usize..5, 1..4),
            n in 2usize..5,
            seed in 0u64..1000,
            coarse in any::<bool>(),
        ) {
            use rand::{Rng, SeedableRng};
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
            let s = space(&radices);
            let parties: Vec<Preferences> = (0..n).map(|_| {
                let tables = radices.iter().map(|&r| (0..r).map(|_| {
                    let x: f64 = rng.gen();
                    if coarse { (x * 3.0).floor() / 4.0 } else { x }
                }).collect()).collect();
                party(&s, tables, if rng.gen_bool(0.3) { rng.gen::<f64>() } else { f64::NEG_INFINITY })
            }).collect();
            let refs: Vec<&Preferences> = parties.iter().collect();
            let fast = analyze(&s, &refs, Options::default()).unwrap();
            prop_assert_eq!(fast.method, Method::Additive);
            let slow = analyze_enumerated(&s, &refs, 1 << 20).unwrap();
            let reserved: Vec<f64> = parties.iter().map(|p| p.reserved_value).collect();
            let utils = utility_matrix(&s, &parties.iter().map(|p| &p.utility).collect::<Vec<_>>(), 1 << 20).unwrap();
            let brute = brute_frontier(&utils, n, &reserved);
            let mut a: Vec<Vec<f64>> = fast.pareto.iter().map(|p| p.utils.clone()).collect();
            let mut b: Vec<Vec<f64>> = slow.pareto.iter().map(|p| p.utils.clone()).collect();
            a.sort_by(|x, y| lex_desc(x, y));
            b.sort_by(|x, y| lex_desc(x, y));
            prop_assert_eq!(&a, &brute);
            prop_assert_eq!(&b, &brute);
            // The enumerating method keeps the smallest index among duplicates.
            for p in &slow.pareto {
                let k = p.index.unwrap() as usize;
                let first = utils.chunks_exact(n).position(|r| r == p.utils.as_slice()).unwrap();
                prop_assert_eq!(k, first);
                prop_assert_eq!(&p.outcome, &s.outcome_at(k as u64));
            }
            prop_assert_eq!(fast.ranges, slow.ranges);
            prop_assert_eq!(fast.nash.len(), slow.nash.len());
            // Welfare is non-increasing along the frontier.
            for w in slow.pareto.windows(2) {
                prop_assert!(welfare(&w[0].utils) >= welfare(&w[1].utils));
            }
            let _ = Value::Index(0);
        }
    }

    /// A random value function of an integer or number issue: each kind the readers build.
    fn random_value_function(rng: &mut impl rand::Rng, n: usize, x0: f64, x1: f64) -> ValueFunction {
        let pts: [f64; 3] = std::array::from_fn(|_| x0 + (x1 - x0) * rng.gen_range(-0.2..1.2));
        let mut k = 0;
        let mut at = || {
            k += 1;
            pts[(k - 1) % 3]
        };
        match rng.gen_range(0..6) {
            0 => ValueFunction::Linear {
                offset: at() / (x1 - x0 + 1.0),
                slope: rng.gen_range(-1.0..1.0) / (x1 - x0 + 1.0),
                origin: x0,
                clamp: true,
            },
            1 => ValueFunction::Linear { offset: 0.3, slope: rng.gen_range(-2.0..2.0) / (x1 - x0 + 1.0), origin: 0.0, clamp: false },
            2 => {
                let mut p = [at(), at(), at()];
                p.sort_by(f64::total_cmp);
                ValueFunction::Triangular { lo: p[0], top: p[1], hi: p[2] }
            }
            3 => {
                let (a, b) = (at(), at());
                let (a, b) = if a < b { (a, b + 1.0) } else { (b, a + 1.0) };
                ValueFunction::Interpolated { low_value: a, low_utility: rng.gen(), high_value: b, high_utility: rng.gen() }
            }
            4 => ValueFunction::Constant(0.25),
            // Coarse values: many ties, so the first of equal vectors matters.
            _ => ValueFunction::Table((0..n).map(|_| f64::from(rng.gen_range(0..3u8)) / 2.0).collect()),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]
        /// Issues whose terms are computed on demand (a tabulation limit of 0) give the same
        /// analysis, bit for bit, as tabulated ones: the reduction to the ends of monotone runs
        /// keeps exactly the values a full list keeps.
        #[test]
        fn untabulated_issues_analyse_as_tabulated(
            lo in -50i64..50,
            len in 1i64..400,
            number in any::<bool>(),
            n in 2usize..4,
            seed in 0u64..100_000,
        ) {
            use rand::{Rng, SeedableRng};
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
            let big = if number {
                Issue::number("big", (0..len).map(|k| lo as f64 + 0.5 * k as f64).collect()).unwrap()
            } else {
                Issue::integer("big", lo, lo + len - 1).unwrap()
            };
            let x1 = big.numeric(Value::Index(len as u32 - 1)).unwrap();
            let s = OutcomeSpace::new("s", vec![
                Issue::categorical("c", vec!["a".into(), "b".into(), "c".into()]).unwrap(),
                big,
            ]).unwrap();
            let mut lazy_parties = Vec::new();
            let mut table_parties = Vec::new();
            for _ in 0..n {
                let values = vec![
                    ValueFunction::Table((0..3).map(|_| rng.gen()).collect()),
                    random_value_function(&mut rng, len as usize, lo as f64, x1),
                ];
                let weights = vec![rng.gen(), rng.gen()];
                let r = if rng.gen_bool(0.3) { rng.gen::<f64>() } else { f64::NEG_INFINITY };
                for (limit, out) in [(0, &mut lazy_parties), (u64::MAX, &mut table_parties)] {
                    let f = LinearAdditive::with_tabulation_limit(&s, 0.0, weights.clone(), values.clone(), limit).unwrap();
                    out.push(Preferences { name: "p".into(), utility: UtilityFunction::LinearAdditive(f), reserved_value: r, discount: Discount::None });
                }
            }
            let lazy_refs: Vec<&Preferences> = lazy_parties.iter().collect();
            let table_refs: Vec<&Preferences> = table_parties.iter().collect();
            prop_assert!(!lazy_parties[0].utility.as_additive().unwrap().is_tabulated(1));
            let a = analyze(&s, &lazy_refs, Options::default()).unwrap();
            let b = analyze(&s, &table_refs, Options::default()).unwrap();
            prop_assert_eq!(&a, &b);
            for (p, q) in lazy_parties.iter().zip(&table_parties) {
                let (f, g) = (p.utility.as_additive().unwrap(), q.utility.as_additive().unwrap());
                prop_assert_eq!(f.minmax(), g.minmax());
                prop_assert_eq!(p.utility.eval_all(&s, 1 << 20).unwrap(), q.utility.eval_all(&s, 1 << 20).unwrap());
            }
        }
    }

    /// Two GENIUS-style parties over an integer issue 0..2*10^9 (clamped linear evaluators,
    /// weights summing to 1) and a categorical issue.
    fn huge_integer_parties(slopes: [f64; 2]) -> (OutcomeSpace, Vec<Preferences>) {
        let s = OutcomeSpace::new(
            "s",
            vec![
                Issue::categorical("c", vec!["a".into(), "b".into(), "c".into()]).unwrap(),
                Issue::integer("n", 0, 2_000_000_000).unwrap(),
            ],
        )
        .unwrap();
        let tables = [vec![1.0, 0.5, 0.0], vec![0.0, 0.5, 1.0]];
        let parties = slopes
            .iter()
            .zip(tables)
            .map(|(&slope, t)| {
                let offset = if slope < 0.0 { 1.0 } else { 0.0 };
                let f = LinearAdditive::new(
                    &s,
                    0.0,
                    vec![0.6, 0.4],
                    vec![ValueFunction::Table(t), ValueFunction::Linear { offset, slope, origin: 0.0, clamp: true }],
                )
                .unwrap();
                Preferences {
                    name: "p".into(),
                    utility: UtilityFunction::LinearAdditive(f),
                    reserved_value: f64::NEG_INFINITY,
                    discount: Discount::None,
                }
            })
            .collect();
        (s, parties)
    }

    #[test]
    fn an_integer_issue_of_two_billion_values_analyses_without_listing_it() {
        // Both parties prefer more of `n` (one saturates at 10^9): only one value of it can be
        // on the frontier, the first where both are at their best.
        let (s, parties) = huge_integer_parties([1e-9, 5e-10]);
        let refs: Vec<&Preferences> = parties.iter().collect();
        let f = parties[0].utility.as_additive().unwrap();
        assert!(!f.is_tabulated(1) && f.terms(1).is_empty());
        let a = analyze(&s, &refs, Options::default()).unwrap();
        assert_eq!(a.n_outcomes, Some(3 * 2_000_000_001));
        assert_eq!(a.pareto.len(), 3, "{:?}", a.pareto);
        // Party 0 reaches 1 at n = 10^9; party 1 at 2*10^9: the first value best for both.
        assert!(a.pareto.iter().all(|p| p.outcome[1] == Value::Index(2_000_000_000)), "{:?}", a.pareto);
        assert_eq!(a.ranges[0], (0.0, 1.0));
        // Saturating: the smallest value at which both are at their best is kept.
        let (s, parties) = huge_integer_parties([1e-9, 2e-9]);
        let refs: Vec<&Preferences> = parties.iter().collect();
        let a = analyze(&s, &refs, Options::default()).unwrap();
        assert!(a.pareto.iter().all(|p| p.outcome[1] == Value::Index(1_000_000_000)), "{:?}", a.pareto);
    }

    #[test]
    fn a_two_billion_value_trade_off_is_refused_naming_the_limit() {
        // One party prefers more, the other less: every value trades off and could be on the
        // frontier; listing 2*10^9 of them is refused, not attempted.
        let (s, parties) = huge_integer_parties([1e-9, -1e-9]);
        let refs: Vec<&Preferences> = parties.iter().collect();
        let e = analyze(&s, &refs, Options::default()).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::TradeOffTooLarge { limit: 10_000_000, .. }), "{e}");
        let msg = e.to_string();
        assert!(msg.contains("\"n\"") && msg.contains("limit outcomes"), "{msg}");
    }
}
