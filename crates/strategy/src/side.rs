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
//!
//! Long file: a fifth is tests of the tie rule and the presorted table against NegMAS's order.

use std::cmp::Ordering;
use std::sync::{Arc, OnceLock};

use bc_model::{OutcomeSpace, Preferences, UtilityFunction, DEFAULT_ENUMERATION_LIMIT};
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

/// GENIUS's `BidSelector.BidList` (HardHeaded, ANAC 2011): every outcome keyed by its utility
/// plus a nudge, in ascending key order. Java builds it issue by issue: starting from the bid of
/// every issue's first value (keyed by its utility), for each issue it walks the list so far in
/// key order and, for each bid and each value of the issue, puts the bid with that value under
/// `utility + d`, `d` starting at `-1e-8` and falling by `1e-8` after each put. A put under a key
/// already present replaces that key's bid, so a bid can be lost (its `position` is then
/// `u32::MAX`). Utilities are the party's own when they lie in `[0, 1]` (every GENIUS profile),
/// else normalised to `[0, 1]` ([`unit_scale`]).
#[derive(Clone, Debug)]
pub struct Ranking {
    /// Outcome indices, lowest key first.
    pub order: Vec<u32>,
    /// `keys[p]`: the key of `order[p]`.
    pub keys: Vec<f64>,
    /// `position[k]`: where outcome `k` stands in `order`, `u32::MAX` when it was lost.
    pub position: Vec<u32>,
}

/// The map from a party's utilities to the `[0, 1]` scale GENIUS agents expect: the identity when
/// every utility lies in `[0, 1]` (as in every GENIUS profile), else `(u - min) / (max - min)`.
/// Returns `(min, span)` with `(0, 1)` for the identity.
pub fn unit_scale(min: f64, max: f64) -> (f64, f64) {
    if min >= 0.0 && max <= 1.0 {
        (0.0, 1.0)
    } else if max > min {
        (min, max - min)
    } else {
        (min - 1.0, 1.0)
    }
}

impl Ranking {
    fn build(space: &OutcomeSpace, table: &Table) -> Ranking {
        let (min, span) = unit_scale(table.min(), table.max());
        let unit = |k: u32| (table.utils()[k as usize] - min) / span;
        let radices: Vec<u64> = space.radices().iter().map(|r| r.unwrap_or(1)).collect();
        let mut strides = vec![1u64; radices.len()];
        for i in (0..radices.len().saturating_sub(1)).rev() {
            strides[i] = strides[i + 1] * radices[i + 1];
        }
        let mut list: Vec<(f64, u32)> = vec![(unit(0), 0)];
        for (radix, stride) in radices.iter().zip(&strides) {
            let mut next: Vec<(f64, u32)> = Vec::with_capacity(list.len() * *radix as usize);
            let mut d = -0.00000001;
            for (_, id) in &list {
                let digit = (u64::from(*id) / stride) % radix;
                let base = u64::from(*id) - digit * stride;
                for v in 0..*radix {
                    let k = (base + v * stride) as u32;
                    next.push((unit(k) + d, k));
                    d -= 0.00000001;
                }
            }
            // TreeMap.put: ascending keys (Double.compare); a repeated key keeps the last bid.
            next.sort_by(|a, b| a.0.total_cmp(&b.0));
            let mut dedup: Vec<(f64, u32)> = Vec::with_capacity(next.len());
            for e in next {
                match dedup.last_mut() {
                    Some(last) if last.0.total_cmp(&e.0) == Ordering::Equal => *last = e,
                    _ => dedup.push(e),
                }
            }
            list = dedup;
        }
        let mut position = vec![u32::MAX; table.utils().len()];
        for (p, (_, k)) in list.iter().enumerate() {
            position[*k as usize] = p as u32;
        }
        Ranking { keys: list.iter().map(|e| e.0).collect(), order: list.into_iter().map(|e| e.1).collect(), position }
    }
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
                let real: Vec<&str> = space.issues().iter().filter(|i| !i.is_discrete()).map(|i| i.name()).collect();
                return Err(Error::new(ErrorKind::Space(format!(
                    "negotiation needs a discrete outcome space; real-valued issue(s): {}",
                    real.join(", ")
                ))));
            }
        };
        Ok(Side { space, prefs, n_outcomes, limit: DEFAULT_ENUMERATION_LIMIT, table: OnceLock::new(), ranking: OnceLock::new() })
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

    /// Undiscounted utility of an outcome (from the table when it is built, or from a table
    /// utility's values).
    #[inline]
    pub fn utility(&self, id: OutcomeId) -> f64 {
        if let Some(Ok(t)) = self.table.get() {
            if let Some(u) = t.utils.get(id as usize) {
                return *u;
            }
        }
        if let UtilityFunction::Table(t) = &self.prefs.utility {
            if let Some(u) = t.values().get(id as usize) {
                return *u;
            }
        }
        self.prefs.eval(&self.space.outcome_at(id))
    }

    /// Every outcome's utility, by index, without building the presorted table when the
    /// utility is itself a table. Fails like [`Side::table`].
    pub fn utilities(&self) -> Result<&[f64], Error> {
        if let (None, UtilityFunction::Table(t)) = (self.table.get(), &self.prefs.utility) {
            if t.values().len() as u64 == self.n_outcomes {
                return Ok(t.values());
            }
        }
        Ok(self.table()?.utils())
    }

    /// The lowest and highest utility over the space, without building the presorted table
    /// for additive and table utilities. Fails like [`Side::table`].
    pub fn range(&self) -> Result<(f64, f64), Error> {
        if let Some(Ok(t)) = self.table.get() {
            return Ok((t.min(), t.max()));
        }
        Table::check_size(&self.space, self.limit)?;
        match &self.prefs.utility {
            UtilityFunction::LinearAdditive(f) => Ok(f.minmax()),
            UtilityFunction::Table(t) if t.values().len() as u64 == self.n_outcomes => Ok(t
                .values()
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &u| (if u < lo { u } else { lo }, if u > hi { u } else { hi }))),
            _ => self.table().map(|t| (t.min(), t.max())),
        }
    }

    /// The tables (every outcome's utility and the presorted order), built on first use.
    /// Fails when the space is larger than the enumeration limit.
    pub fn table(&self) -> Result<&Arc<Table>, Error> {
        self.table.get_or_init(|| Table::build(&self.space, &self.prefs, self.limit).map(Arc::new)).as_ref().map_err(Clone::clone)
    }

    /// GENIUS's `BidSelector` list of every outcome (built on first use from the table).
    pub fn ranking(&self) -> Result<&Arc<Ranking>, Error> {
        let table = self.table()?;
        Ok(self.ranking.get_or_init(|| Arc::new(Ranking::build(&self.space, table))))
    }

    /// A uniformly random outcome.
    pub fn random_outcome<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> OutcomeId {
        rng.gen_range(0..self.n_outcomes)
    }
}

/// Every outcome's utility and NegMAS's presorted inverse (rational outcomes ascending by
/// `(utility, index)`, then the irrational ones in enumeration order).
///
/// The ascending order is materialised lazily: building the table makes one pass that buckets
/// the rational outcomes by utility (bucket `b` holds the utilities in the `b`-th of equal-width
/// slices of `[min, max]`, so bucket order is utility order), and a bucket is sorted only when a
/// query first looks into it. A time-based agent only ever looks at a few buckets around its
/// aspiration level, so a table of 188,160 outcomes costs two linear passes instead of a sort.
/// Buckets are sorted at most once, whichever thread asks first; the result does not depend on
/// who sorts.
#[derive(Debug)]
pub struct Table {
    utils: Vec<f64>,
    reserved: f64,
    min: f64,
    max: f64,
    n_rational: usize,
    /// Lowest rational utility, and buckets per unit of utility.
    base: f64,
    scale: f64,
    /// `starts[b]..starts[b + 1]`: bucket `b`'s slice of `ids`.
    starts: Vec<u32>,
    /// Rational outcome indices grouped by bucket, in increasing index within a bucket.
    ids: Vec<u32>,
    /// Each bucket's `(utility, index)` pairs in ascending order, once sorted.
    sorted: Vec<SortedBucket>,
    /// Irrational outcomes, in enumeration order.
    irrational: Vec<u32>,
}

/// Every outcome's utility under an additive function, in index order: running prefix sums
/// over the leading issues and a tight loop over the last one, adding terms left to right from
/// the bias exactly as `LinearAdditive::eval` does (so the values are bit-identical).
fn additive_utilities(space: &OutcomeSpace, f: &bc_model::LinearAdditive, mut visit: impl FnMut(usize, f64)) -> Vec<f64> {
    let radices: Vec<usize> = space.radices().iter().map(|r| r.unwrap_or(1) as usize).collect();
    let m = radices.len();
    let total: usize = radices.iter().product();
    let mut out = Vec::with_capacity(total);
    // The last issue's terms, listed (an issue too large to tabulate is at most the table's
    // size here, since the whole space is).
    let last: std::borrow::Cow<'_, [f64]> = if f.is_tabulated(m - 1) {
        std::borrow::Cow::Borrowed(f.terms(m - 1))
    } else {
        (0..radices[m - 1]).map(|v| f.term_at(m - 1, v as u32)).collect::<Vec<f64>>().into()
    };
    let mut digits = vec![0usize; m - 1];
    let mut prefix = vec![f.bias(); m];
    for i in 0..m - 1 {
        prefix[i + 1] = prefix[i] + f.term_at(i, 0);
    }
    let capped = f.cap().is_some();
    loop {
        let p = prefix[m - 1];
        for t in last.iter() {
            let u = if capped { f.finish(p + t) } else { p + t };
            visit(out.len(), u);
            out.push(u);
        }
        // Advance the leading issues like an odometer, last of them fastest.
        let mut i = m - 1;
        loop {
            if i == 0 {
                return out;
            }
            i -= 1;
            digits[i] += 1;
            if digits[i] < radices[i] {
                break;
            }
            digits[i] = 0;
        }
        for j in i..m - 1 {
            prefix[j + 1] = prefix[j] + f.term_at(j, digits[j] as u32);
        }
    }
}

/// How utilities map to buckets: `n / 32` (at least one) equal-width slices of the rational
/// range `[max(min, reserved), max]`.
#[derive(Clone, Copy, Debug)]
struct Geometry {
    base: f64,
    scale: f64,
    last: usize,
}

impl Geometry {
    fn new(n: usize, reserved: f64, min: f64, max: f64) -> Geometry {
        let base = if reserved > min { reserved } else { min };
        let n_buckets = (n / 32).max(1);
        let span = max - base;
        let scale = if span > 0.0 && span.is_finite() { n_buckets as f64 / span } else { 0.0 };
        Geometry { base, scale, last: n_buckets - 1 }
    }

    fn n_buckets(&self) -> usize {
        self.last + 1
    }

    #[inline]
    fn bucket_of(&self, u: f64) -> usize {
        if u.is_nan() || u < self.base {
            return 0;
        }
        (((u - self.base) * self.scale) as usize).min(self.last)
    }
}

/// A bucket's entries in ascending `(utility, index)` order, sorted on first use.
type SortedBucket = OnceLock<Box<[(f64, u32)]>>;

/// A position in a table's ascending order: bucket and offset in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Pos {
    bucket: usize,
    offset: usize,
}

impl Table {
    /// Checks that a table of `space` can be built within `limit` outcomes; returns their number.
    fn check_size(space: &OutcomeSpace, limit: u64) -> Result<u64, Error> {
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
        Ok(n)
    }

    /// Builds the table of `prefs` over `space` (enumerating at most `limit` outcomes).
    pub fn build(space: &OutcomeSpace, prefs: &Preferences, limit: u64) -> Result<Table, Error> {
        let n = Table::check_size(space, limit)?;
        match prefs.utility.as_additive() {
            Some(f) => {
                // One pass makes the utilities and counts the buckets.
                let (min, max) = f.minmax();
                let reserved = prefs.reserved_value;
                let g = Geometry::new(n as usize, reserved, min, max);
                let mut counts = vec![0u32; g.n_buckets()];
                let mut irrational = Vec::new();
                let utils = additive_utilities(space, f, |k, u| {
                    if u >= reserved {
                        counts[g.bucket_of(u)] += 1;
                    } else {
                        irrational.push(k as u32);
                    }
                });
                Ok(Table::scatter(utils, reserved, min, max, g, counts, irrational))
            }
            None => Ok(Table::from_utils(prefs.utility.eval_all(space, limit)?, prefs.reserved_value)),
        }
    }

    /// Builds the table from every outcome's utility (by index) and a reservation value.
    /// Outcomes with utility below `reserved` (or NaN) are irrational.
    pub fn from_utils(utils: Vec<f64>, reserved: f64) -> Table {
        let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
        for &u in &utils {
            if u < min {
                min = u;
            }
            if u > max {
                max = u;
            }
        }
        Table::from_utils_within(utils, reserved, min, max)
    }

    /// Builds the table knowing the lowest and highest utility (`min`, `max`) of `utils`.
    fn from_utils_within(utils: Vec<f64>, reserved: f64, min: f64, max: f64) -> Table {
        let g = Geometry::new(utils.len(), reserved, min, max);
        let mut counts = vec![0u32; g.n_buckets()];
        let mut irrational = Vec::new();
        for (k, &u) in utils.iter().enumerate() {
            if u >= reserved {
                counts[g.bucket_of(u)] += 1;
            } else {
                irrational.push(k as u32);
            }
        }
        Table::scatter(utils, reserved, min, max, g, counts, irrational)
    }

    /// Finishes a counting sort into buckets: stable, so indices stay increasing within a
    /// bucket.
    fn scatter(utils: Vec<f64>, reserved: f64, min: f64, max: f64, g: Geometry, counts: Vec<u32>, irrational: Vec<u32>) -> Table {
        let n_buckets = g.n_buckets();
        let mut starts = Vec::with_capacity(n_buckets + 1);
        let mut next = Vec::with_capacity(n_buckets);
        let mut sum = 0u32;
        for c in &counts {
            starts.push(sum);
            next.push(sum);
            sum += c;
        }
        starts.push(sum);
        let n_rational = sum as usize;
        let mut ids = vec![0u32; n_rational];
        for (k, &u) in utils.iter().enumerate() {
            if u >= reserved {
                let b = g.bucket_of(u);
                ids[next[b] as usize] = k as u32;
                next[b] += 1;
            }
        }
        Table {
            utils,
            reserved,
            min,
            max,
            n_rational,
            base: g.base,
            scale: g.scale,
            starts,
            ids,
            sorted: (0..n_buckets).map(|_| OnceLock::new()).collect(),
            irrational,
        }
    }

    /// The bucket of a utility: monotone in `u`, so buckets are in utility order.
    #[inline]
    fn bucket_of(&self, u: f64) -> usize {
        Geometry { base: self.base, scale: self.scale, last: self.starts.len() - 2 }.bucket_of(u)
    }

    fn n_buckets(&self) -> usize {
        self.starts.len() - 1
    }

    /// Bucket `b`'s entries in ascending `(utility, index)` order (sorted on first use).
    fn bucket(&self, b: usize) -> &[(f64, u32)] {
        self.sorted[b].get_or_init(|| {
            let ids = &self.ids[self.starts[b] as usize..self.starts[b + 1] as usize];
            let mut v: Vec<(f64, u32)> = ids.iter().map(|k| (self.utils[*k as usize], *k)).collect();
            // Indices are increasing, so a stable sort on the utility gives (utility, index).
            v.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(Ordering::Equal));
            v.into_boxed_slice()
        })
    }

    fn entry(&self, p: Pos) -> (f64, u32) {
        self.bucket(p.bucket)[p.offset]
    }

    /// The first position of a non-empty bucket at or after `b`.
    fn first_from(&self, b: usize) -> Option<Pos> {
        (b..self.n_buckets()).find(|x| self.starts[*x] < self.starts[*x + 1]).map(|bucket| Pos { bucket, offset: 0 })
    }

    /// The last position of a non-empty bucket strictly before `b`.
    fn last_before(&self, b: usize) -> Option<Pos> {
        (0..b)
            .rev()
            .find(|x| self.starts[*x] < self.starts[*x + 1])
            .map(|bucket| Pos { bucket, offset: (self.starts[bucket + 1] - self.starts[bucket]) as usize - 1 })
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
    pub fn ascending(&self) -> impl Iterator<Item = (OutcomeId, f64)> + '_ {
        (0..self.n_buckets()).flat_map(move |b| self.bucket(b).iter().map(|(u, k)| (OutcomeId::from(*k), *u)))
    }

    /// The rational outcomes of utility at least `level`, worst to best (ties: lower index
    /// first): the tail of [`Table::ascending`]. Only the buckets from `level`'s on are looked at.
    pub fn at_or_above(&self, level: f64) -> impl Iterator<Item = (OutcomeId, f64)> + '_ {
        let start = if level.is_nan() { self.n_buckets() } else { self.bucket_of(level) };
        (start..self.n_buckets()).flat_map(move |b| {
            let bucket = self.bucket(b);
            let from = bucket.partition_point(|(u, _)| *u < level);
            bucket[from..].iter().map(|(u, k)| (OutcomeId::from(*k), *u))
        })
    }

    /// The best rational outcome (the last in ascending order); when no outcome is rational,
    /// the first outcome of highest utility.
    pub fn best(&self) -> OutcomeId {
        if let Some(p) = self.last_before(self.n_buckets()) {
            return OutcomeId::from(self.entry(p).1);
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
        if k < self.n_rational {
            let pos = (self.n_rational - 1 - k) as u32;
            let b = self.starts.partition_point(|s| *s <= pos) - 1;
            let (u, id) = self.bucket(b)[(pos - self.starts[b]) as usize];
            return Some((OutcomeId::from(id), u));
        }
        let id = *self.irrational.get(k - self.n_rational)?;
        Some((OutcomeId::from(id), self.utils[id as usize]))
    }

    /// NegMAS's `PresortingInverseUtilityFunction.worst_in((mn, mx), normalized=False)`: the
    /// rational outcome of lowest utility at least `mn` (the best one if none reaches `mn`), or
    /// an outcome at most `1e-6` below `mn` when that is strictly closer; `None` when no outcome
    /// is rational.
    pub fn worst_in(&self, mn: f64, mx: f64) -> Option<OutcomeId> {
        let b = self.bracket(mn)?;
        self.choose(&b, mn, mx)
    }

    /// Where `mn` falls among the rational utilities: the first entry at or above it (`i` of
    /// NegMAS's search, clipped to the best) and the entry just below it. The same bracket
    /// serves every `mn` it [`Bracket::holds`], so an agent whose level moves a little each round
    /// searches only when it crosses an outcome.
    pub fn bracket(&self, mn: f64) -> Option<Bracket> {
        if self.n_rational == 0 {
            return None;
        }
        // Utilities >= mn lie in mn's bucket or later, those < mn in it or earlier.
        let b = self.bucket_of(mn);
        let in_b = self.bucket(b).partition_point(|(u, _)| *u < mn);
        let (i, clipped) = if in_b < self.bucket(b).len() {
            (Pos { bucket: b, offset: in_b }, false)
        } else {
            match self.first_from(b + 1) {
                Some(p) => (p, false),
                None => (self.last_before(self.n_buckets())?, true),
            }
        };
        let (at_u, at_id) = self.entry(i);
        let prev = if i.offset > 0 { Some(Pos { bucket: i.bucket, offset: i.offset - 1 }) } else { self.last_before(i.bucket) };
        let below = prev.map(|p| {
            let (v, _) = self.entry(p);
            let first = self.bucket(p.bucket).partition_point(|(u, _)| *u < v);
            (v, OutcomeId::from(self.bucket(p.bucket)[first].1))
        });
        Some(Bracket { at: (at_u, OutcomeId::from(at_id)), below, clipped })
    }

    /// NegMAS's choice within a bracket of `mn` (see [`Table::worst_in`]).
    pub fn choose(&self, b: &Bracket, mn: f64, mx: f64) -> Option<OutcomeId> {
        let (ui, idi) = b.at;
        let (lo_b, hi_b) = (mn - INV_EPS, mx + 2.0 * INV_EPS);
        let mut best = idi;
        let mut best_u = ui;
        let mut best_diff = (ui - mn).abs();
        // `_nearest_around` scans every entry in order and keeps the first strictly closer one.
        // Among rational entries only the largest value below `mn` (its first occurrence) can
        // beat `i`; entries at or above `mn` are never closer. When `i` is clipped, every entry
        // is below `mn` and none is closer than `i`.
        if let (false, Some((v, first))) = (b.clipped, b.below) {
            let d = (v - mn).abs();
            if v >= lo_b && v <= hi_b && d < best_diff {
                best = first;
                best_u = v;
                best_diff = d;
            }
        }
        // Irrational entries (all below the reservation value) are in the window only when
        // `mn` is less than 1e-6 above it; time-based agents never ask that low.
        if lo_b < self.reserved {
            for &k in &self.irrational {
                let v = self.utils[k as usize];
                let d = (v - mn).abs();
                if v >= lo_b && v <= hi_b && d < best_diff {
                    best = OutcomeId::from(k);
                    best_u = v;
                    best_diff = d;
                }
            }
        }
        if (best_u - mn).abs() > 2.0 * INV_EPS && best != idi {
            return None;
        }
        Some(best)
    }
}

/// The rational utilities around a level: see [`Table::bracket`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bracket {
    /// The first entry at or above the level (utility, outcome); the best one when clipped.
    pub at: (f64, OutcomeId),
    /// The largest utility below `at` and the first outcome (in ascending order) that has it.
    pub below: Option<(f64, OutcomeId)>,
    /// True when every rational utility is below the level.
    pub clipped: bool,
}

impl Bracket {
    /// Whether this is also the bracket of level `mn`.
    pub fn holds(&self, mn: f64) -> bool {
        if self.clipped {
            mn > self.at.0
        } else {
            mn <= self.at.0 && (self.below.is_none() || self.below.is_some_and(|(v, _)| v < mn))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn additive_utilities_equal_eval() {
        use bc_model::{Issue, LinearAdditive, ValueFunction};
        let space = OutcomeSpace::new(
            "s",
            vec![
                Issue::categorical("a", vec!["x".into(), "y".into(), "z".into()]).unwrap(),
                Issue::integer("b", 3, 6).unwrap(),
                Issue::categorical("c", vec!["p".into(), "q".into()]).unwrap(),
            ],
        )
        .unwrap();
        for cap in [None, Some(0.9)] {
            let f = LinearAdditive::new(
                &space,
                0.1,
                vec![0.3, 0.45, 0.27],
                vec![
                    ValueFunction::Table(vec![0.3, 1.0, 0.7]),
                    ValueFunction::Linear { offset: 0.1, slope: 0.2, origin: 3.0, clamp: true },
                    ValueFunction::Table(vec![0.9, 0.2]),
                ],
            )
            .unwrap()
            .with_cap(cap);
            let all = additive_utilities(&space, &f, |_, _| {});
            assert_eq!(all.len(), 24);
            for (k, u) in all.iter().enumerate() {
                assert_eq!(u.to_bits(), f.eval(&space.outcome_at(k as u64)).to_bits());
            }
        }
    }

    #[test]
    fn bucketed_order_is_the_full_sort() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        // Coarse values: many ties, negatives and both zeros.
        let utils: Vec<f64> = (0..20_000).map(|k| if k % 97 == 0 { -0.0 } else { (rng.gen_range(-50i32..50) as f64) / 8.0 }).collect();
        let t = Table::from_utils(utils.clone(), -3.0);
        let mut expected: Vec<(f64, u32)> = utils.iter().enumerate().filter(|(_, u)| **u >= -3.0).map(|(k, u)| (*u, k as u32)).collect();
        expected.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap().then(a.1.cmp(&b.1)));
        let got: Vec<(f64, u32)> = t.ascending().map(|(k, u)| (u, k as u32)).collect();
        assert_eq!(got, expected);
        for k in [0, 1, 17, 5000, expected.len() - 1] {
            let (u, id) = expected[expected.len() - 1 - k];
            assert_eq!(t.rank(k), Some((u64::from(id), u)));
        }
    }

    /// NegMAS's search written as it is: a scan of every entry (the oracle for `worst_in`).
    fn brute_worst_in(t: &Table, mn: f64, mx: f64) -> Option<OutcomeId> {
        let mut all: Vec<(f64, u64)> = t.ascending().map(|(k, u)| (u, k)).collect();
        let n_rational = all.len();
        if n_rational == 0 {
            return None;
        }
        all.extend(t.irrational.iter().map(|k| (t.utils[*k as usize], u64::from(*k))));
        let i = all[..n_rational].partition_point(|(u, _)| *u < mn).min(n_rational - 1);
        let (mut best, mut best_diff) = (i, (all[i].0 - mn).abs());
        for (j, &(v, _)) in all.iter().enumerate() {
            if mn - 1e-6 <= v && v <= mx + 2e-6 && (v - mn).abs() < best_diff {
                best = j;
                best_diff = (v - mn).abs();
            }
        }
        if (all[best].0 - mn).abs() > 2e-6 && best != i {
            return None;
        }
        Some(all[best].1)
    }

    #[test]
    fn at_or_above_is_the_tail_of_the_ascending_order() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let utils: Vec<f64> = (0..3000).map(|_| (rng.gen_range(0i32..200) as f64) / 200.0).collect();
        let t = Table::from_utils(utils, 0.1);
        let all: Vec<(u64, f64)> = t.ascending().collect();
        for level in [-1.0, 0.0, 0.1, 0.2, 0.505, 0.5, 0.995, 1.0, 2.0] {
            let expected: Vec<(u64, f64)> = all.iter().copied().filter(|(_, u)| *u >= level).collect();
            assert_eq!(t.at_or_above(level).collect::<Vec<_>>(), expected, "level {level}");
        }
        assert_eq!(t.at_or_above(f64::NAN).count(), 0);
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
        fn a_kept_bracket_answers_like_a_fresh_search(
            utils in proptest::collection::vec(0u32..40, 1..80),
            levels in proptest::collection::vec(0u32..45, 1..30),
        ) {
            let utils: Vec<f64> = utils.iter().map(|u| *u as f64 / 40.0).collect();
            let t = Table::from_utils(utils, 0.1);
            let mut kept: Option<Bracket> = None;
            for l in levels {
                let mn = l as f64 / 40.0 - 3e-7;
                if !kept.is_some_and(|b| b.holds(mn)) {
                    kept = t.bracket(mn);
                }
                let via = kept.as_ref().and_then(|b| t.choose(b, mn, 1.0));
                proptest::prop_assert_eq!(via, t.worst_in(mn, 1.0));
            }
        }

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
