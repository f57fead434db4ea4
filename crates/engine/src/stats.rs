//! Mergeable statistics of Monte Carlo runs, tournaments and sweeps: exact sums, moments, paired
//! differences of counts, integer histograms with exact quantiles, binned histograms, and Wilson
//! intervals for proportions. Merging the statistics of shards in any grouping gives exactly the
//! statistics of the whole run, so summaries computed from merged statistics are byte-identical
//! to the unsharded run's (never an average of averages).
//!
//! Floating-point sums are kept exactly (Shewchuk's non-overlapping partials, as Python's
//! `math.fsum`) and read out correctly rounded; their serialised form is canonical (the greedy
//! expansion of the exact value), so equal sums serialise to equal bytes whatever the order in
//! which values were added.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The z value of a two-sided 95% normal interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// An exact sum of `f64` values: adding in any order, or merging partial sums in any grouping,
/// gives the same correctly rounded [`ExactSum::value`] and the same serialised bytes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExactSum {
    /// Non-overlapping partials in increasing magnitude whose exact sum is the total.
    partials: Vec<f64>,
    /// Sum of non-finite inputs (they cannot take part in exact arithmetic).
    special: f64,
}

fn grow(partials: &mut Vec<f64>, mut x: f64) {
    let mut i = 0;
    for j in 0..partials.len() {
        let mut y = partials[j];
        if x.abs() < y.abs() {
            std::mem::swap(&mut x, &mut y);
        }
        let hi = x + y;
        let lo = y - (hi - x);
        if lo != 0.0 {
            partials[i] = lo;
            i += 1;
        }
        x = hi;
    }
    partials.truncate(i);
    partials.push(x);
}

/// The correctly rounded value of the exact sum of non-overlapping `partials` (as `math.fsum`).
fn round_partials(partials: &[f64]) -> f64 {
    let mut n = partials.len();
    if n == 0 {
        return 0.0;
    }
    n -= 1;
    let mut hi = partials[n];
    let mut lo = 0.0;
    while n > 0 {
        let x = hi;
        n -= 1;
        let y = partials[n];
        hi = x + y;
        let yr = hi - x;
        lo = y - yr;
        if lo != 0.0 {
            break;
        }
    }
    if n > 0 && ((lo < 0.0 && partials[n - 1] < 0.0) || (lo > 0.0 && partials[n - 1] > 0.0)) {
        let y = lo * 2.0;
        let x = hi + y;
        let yr = x - hi;
        if y == yr {
            hi = x;
        }
    }
    hi
}

impl ExactSum {
    /// Adds one value.
    pub fn add(&mut self, x: f64) {
        if x.is_finite() {
            grow(&mut self.partials, x);
            // Partials are finite before the add; an overflow makes the last (largest) one
            // infinite, so it is the only one to check.
            if self.partials.last().is_some_and(|p| !p.is_finite()) {
                // The exact sum overflowed f64: keep it as a non-finite total.
                self.special += round_partials(&self.partials);
                self.partials.clear();
            }
        } else {
            self.special += x;
        }
    }

    /// Adds another exact sum.
    pub fn merge(&mut self, other: &ExactSum) {
        for &p in &other.partials {
            self.add(p);
        }
        self.special += other.special;
    }

    /// The exact sum, correctly rounded to `f64`.
    pub fn value(&self) -> f64 {
        if self.special != 0.0 || self.special.is_nan() {
            return self.special + round_partials(&self.partials);
        }
        round_partials(&self.partials)
    }

    /// The canonical expansion of the exact sum: its correctly rounded value, then the correctly
    /// rounded remainder, and so on, until nothing remains.
    fn canonical(&self) -> Vec<f64> {
        let mut rest = self.partials.clone();
        let mut out = Vec::new();
        for _ in 0..64 {
            let v = round_partials(&rest);
            if v == 0.0 {
                break;
            }
            out.push(v);
            grow(&mut rest, -v);
            rest.retain(|p| *p != 0.0);
        }
        out
    }
}

#[derive(Serialize, Deserialize)]
struct ExactSumRepr {
    terms: Vec<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    special: Option<String>,
}

impl Serialize for ExactSum {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let special = (self.special != 0.0 || self.special.is_nan()).then(|| format!("{}", self.special));
        ExactSumRepr { terms: self.canonical(), special }.serialize(s)
    }
}

impl<'de> Deserialize<'de> for ExactSum {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let r = ExactSumRepr::deserialize(d)?;
        let special = match r.special.as_deref() {
            None => 0.0,
            Some(s) => s.parse().map_err(|_| serde::de::Error::custom(format!("expected inf, -inf or NaN, found {s:?}")))?,
        };
        let mut sum = ExactSum { partials: Vec::new(), special };
        for t in r.terms {
            if !t.is_finite() {
                return Err(serde::de::Error::custom("expected finite terms of an exact sum"));
            }
            sum.add(t);
        }
        Ok(sum)
    }
}

/// Count, exact sum and exact sum of squares of a quantity: its mean and a normal 95% interval
/// of the mean, mergeable exactly.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Moments {
    /// How many values.
    pub n: u64,
    /// Their exact sum.
    pub sum: ExactSum,
    /// The exact sum of their squares (each square rounded once).
    pub sum_sq: ExactSum,
}

/// The statistics of two shards that cannot be merged (they are not parts of one study).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MergeError(pub String);

impl std::fmt::Display for MergeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for MergeError {}

/// A mean with a 95% interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// The point estimate.
    pub value: f64,
    /// Lower end of the 95% interval.
    pub lo: f64,
    /// Upper end of the 95% interval.
    pub hi: f64,
    /// How many observations.
    pub n: u64,
}

impl Moments {
    /// Adds one value.
    pub fn add(&mut self, x: f64) {
        self.n += 1;
        self.sum.add(x);
        self.sum_sq.add(x * x);
    }

    /// Adds another set of moments.
    pub fn merge(&mut self, other: &Moments) {
        self.n += other.n;
        self.sum.merge(&other.sum);
        self.sum_sq.merge(&other.sum_sq);
    }

    /// The mean (NaN when empty).
    pub fn mean(&self) -> f64 {
        if self.n == 0 {
            return f64::NAN;
        }
        self.sum.value() / self.n as f64
    }

    /// The sample variance (0 with fewer than two values).
    pub fn variance(&self) -> f64 {
        if self.n < 2 {
            return 0.0;
        }
        let n = self.n as f64;
        let mean = self.mean();
        ((self.sum_sq.value() - n * mean * mean) / (n - 1.0)).max(0.0)
    }

    /// The mean with a normal-approximation 95% interval.
    pub fn estimate(&self) -> Estimate {
        let m = self.mean();
        let half = if self.n > 0 { Z95 * (self.variance() / self.n as f64).sqrt() } else { f64::NAN };
        Estimate { value: m, lo: m - half, hi: m + half, n: self.n }
    }
}

/// A proportion with its 95% interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Proportion {
    /// Estimate.
    pub p: f64,
    /// Lower end of the 95% interval.
    pub lo: f64,
    /// Upper end of the 95% interval.
    pub hi: f64,
    /// Number of trials it is computed over.
    pub n: u64,
}

/// A proportion `k / n` with Wilson's 95% score interval (NaN when `n` is 0).
pub fn wilson(k: u64, n: u64) -> Proportion {
    if n == 0 {
        return Proportion { p: f64::NAN, lo: f64::NAN, hi: f64::NAN, n };
    }
    let nf = n as f64;
    let p = k as f64 / nf;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / nf;
    let centre = (p + z2 / (2.0 * nf)) / denom;
    let half = Z95 * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt() / denom;
    Proportion { p, lo: (centre - half).max(0.0), hi: (centre + half).min(1.0), n }
}

/// A mean difference with its 95% interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Difference {
    /// Mean difference.
    pub diff: f64,
    /// Lower end of the 95% interval.
    pub lo: f64,
    /// Upper end of the 95% interval.
    pub hi: f64,
}

impl Difference {
    /// No difference can be estimated (no pairs).
    pub const NAN: Difference = Difference { diff: f64::NAN, lo: f64::NAN, hi: f64::NAN };
}

/// Count and exact integer sums of paired differences of counts (each in {-1, 0, 1} for
/// paired yes/no outcomes): the mean difference with a normal 95% interval, mergeable exactly.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PairedCount {
    /// Pairs.
    pub n: u64,
    /// Sum of differences.
    pub sum: i64,
    /// Sum of squared differences.
    pub sum_sq: u64,
}

impl PairedCount {
    /// Adds one pair's difference.
    pub fn add(&mut self, d: i64) {
        self.n += 1;
        self.sum += d;
        self.sum_sq += d.unsigned_abs() * d.unsigned_abs();
    }

    /// Adds another set of pairs.
    pub fn merge(&mut self, o: &PairedCount) {
        self.n += o.n;
        self.sum += o.sum;
        self.sum_sq += o.sum_sq;
    }

    /// Mean difference with a normal 95% interval (the paired t interval for large n); NaN
    /// without pairs.
    pub fn summary(&self) -> Difference {
        if self.n == 0 {
            return Difference::NAN;
        }
        let n = self.n as f64;
        let mean = self.sum as f64 / n;
        let var = if self.n > 1 { ((self.sum_sq as f64 - n * mean * mean) / (n - 1.0)).max(0.0) } else { 0.0 };
        let half = Z95 * (var / n).sqrt();
        Difference { diff: mean, lo: mean - half, hi: mean + half }
    }
}

/// Counts of integer values (e.g. the round of a first step): exact quantiles, mergeable.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct IntHistogram {
    /// How many times each value occurred.
    pub counts: BTreeMap<i64, u64>,
}

impl IntHistogram {
    /// Counts one value.
    pub fn add(&mut self, v: i64) {
        *self.counts.entry(v).or_insert(0) += 1;
    }

    /// Adds another histogram's counts.
    pub fn merge(&mut self, other: &IntHistogram) {
        for (&v, &c) in &other.counts {
            *self.counts.entry(v).or_insert(0) += c;
        }
    }

    /// How many values were counted.
    pub fn total(&self) -> u64 {
        self.counts.values().sum()
    }

    /// The mean of the counted values (NaN when empty).
    pub fn mean(&self) -> f64 {
        let n = self.total();
        if n == 0 {
            return f64::NAN;
        }
        self.counts.iter().map(|(v, c)| *v as f64 * *c as f64).sum::<f64>() / n as f64
    }

    /// The `q`-quantile by the inverse empirical distribution function (the smallest value whose
    /// cumulative share reaches `q`); `None` when empty.
    pub fn quantile(&self, q: f64) -> Option<i64> {
        let n = self.total();
        if n == 0 {
            return None;
        }
        let need = ((q * n as f64).ceil() as u64).clamp(1, n);
        let mut cum = 0;
        for (&v, &c) in &self.counts {
            cum += c;
            if cum >= need {
                return Some(v);
            }
        }
        self.counts.keys().next_back().copied()
    }
}

/// Counts of values in equal bins over `[lo, hi]` (values outside are clamped into the end
/// bins): approximate quantiles to within one bin width, mergeable exactly.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bins {
    /// Lower end of the first bin.
    pub lo: f64,
    /// Upper end of the last bin.
    pub hi: f64,
    /// Count per bin.
    pub counts: Vec<u64>,
}

impl Bins {
    /// `bins` empty bins over `[lo, hi]`.
    pub fn new(lo: f64, hi: f64, bins: usize) -> Bins {
        Bins { lo, hi, counts: vec![0; bins.max(1)] }
    }

    /// Counts one value (NaN is not counted).
    pub fn add(&mut self, x: f64) {
        if x.is_nan() {
            return;
        }
        let k = self.counts.len();
        let t = (x - self.lo) / (self.hi - self.lo) * k as f64;
        let i = if t.is_finite() {
            (t.floor().max(0.0) as usize).min(k - 1)
        } else if t > 0.0 {
            k - 1
        } else {
            0
        };
        self.counts[i] += 1;
    }

    /// Adds another histogram over the same bins.
    pub fn merge(&mut self, other: &Bins) -> Result<(), MergeError> {
        if self.lo != other.lo || self.hi != other.hi || self.counts.len() != other.counts.len() {
            return Err(MergeError(format!(
                "expected histograms over the same bins, found [{}, {}] x {} and [{}, {}] x {}",
                self.lo,
                self.hi,
                self.counts.len(),
                other.lo,
                other.hi,
                other.counts.len()
            )));
        }
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        Ok(())
    }

    /// How many values were counted.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// The `q`-quantile, interpolated linearly within its bin; NaN when empty.
    pub fn quantile(&self, q: f64) -> f64 {
        let n = self.total();
        if n == 0 {
            return f64::NAN;
        }
        let target = q.clamp(0.0, 1.0) * n as f64;
        let width = (self.hi - self.lo) / self.counts.len() as f64;
        let mut cum = 0.0;
        for (i, &c) in self.counts.iter().enumerate() {
            let next = cum + c as f64;
            if c > 0 && next >= target {
                let frac = ((target - cum) / c as f64).clamp(0.0, 1.0);
                return self.lo + width * (i as f64 + frac);
            }
            cum = next;
        }
        self.hi
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn exact_sum_is_exact() {
        let mut s = ExactSum::default();
        for x in [1e100, 1.0, -1e100, 1e-100] {
            s.add(x);
        }
        assert_eq!(s.value(), 1.0 + 1e-100);
        let mut t = ExactSum::default();
        for _ in 0..10 {
            t.add(0.1);
        }
        assert_eq!(t.value(), 1.0); // naive summation gives 0.9999999999999999
    }

    #[test]
    fn wilson_matches_the_textbook() {
        // Wilson (1927) interval for 8/10 at 95%: 0.4902 .. 0.9433 (Newcombe 1998, table I).
        let e = wilson(8, 10);
        assert!((e.lo - 0.4902).abs() < 5e-5, "{e:?}");
        assert!((e.hi - 0.9433).abs() < 5e-5, "{e:?}");
        assert_eq!(wilson(0, 0).n, 0);
        // 10 of 100: Wilson 95% interval [0.0552, 0.1744].
        let w = wilson(10, 100);
        assert!((w.lo - 0.05522).abs() < 1e-4 && (w.hi - 0.17437).abs() < 1e-4, "{w:?}");
        assert_eq!(wilson(0, 10).lo, 0.0);
    }

    #[test]
    fn paired_interval() {
        let mut p = PairedCount::default();
        for d in [1, -1, 0, 0] {
            p.add(d);
        }
        let s = p.summary();
        assert_eq!(s.diff, 0.0);
        assert!(s.hi > 0.0 && s.lo < 0.0);
        assert!(PairedCount::default().summary().diff.is_nan());
    }

    #[test]
    fn int_quantiles() {
        let mut h = IntHistogram::default();
        for v in [3, 1, 2, 2, 5] {
            h.add(v);
        }
        assert_eq!(h.quantile(0.5), Some(2));
        assert_eq!(h.quantile(0.25), Some(2));
        assert_eq!(h.quantile(0.0), Some(1));
        assert_eq!(h.quantile(1.0), Some(5));
        assert_eq!(IntHistogram::default().quantile(0.5), None);
        // Values 1, 2, 2, 3, 10 (lower-median convention).
        let mut h = IntHistogram::default();
        for v in [1, 2, 2, 3, 10] {
            h.add(v);
        }
        assert_eq!(h.quantile(0.5), Some(2));
        assert_eq!(h.quantile(0.25), Some(2));
        assert_eq!(h.quantile(0.75), Some(3));
        assert_eq!(h.quantile(1.0), Some(10));
        assert_eq!(h.mean(), 18.0 / 5.0);
    }

    #[test]
    fn bins_quantiles_and_merge_checks() {
        let mut b = Bins::new(0.0, 1.0, 10);
        for i in 0..100 {
            b.add(i as f64 / 100.0);
        }
        assert!((b.quantile(0.5) - 0.5).abs() < 0.1);
        b.add(7.0);
        assert_eq!(b.counts[9], 11);
        assert!(b.merge(&Bins::new(0.0, 2.0, 10)).is_err());
    }

    proptest! {
        /// Splitting values into shards at any points and merging gives the same bytes as one
        /// pass: the property that makes merged runs byte-identical.
        #[test]
        fn merged_statistics_equal_one_pass(xs in proptest::collection::vec(-1e6f64..1e6, 0..200), cuts in proptest::collection::vec(0usize..200, 0..5)) {
            let mut whole = Moments::default();
            for &x in &xs { whole.add(x); }
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(xs.len())).collect();
            cuts.push(0); cuts.push(xs.len()); cuts.sort();
            let mut merged = Moments::default();
            for w in cuts.windows(2) {
                let mut part = Moments::default();
                for &x in &xs[w[0]..w[1]] { part.add(x); }
                merged.merge(&part);
            }
            prop_assert_eq!(serde_json::to_string(&whole).unwrap(), serde_json::to_string(&merged).unwrap());
            prop_assert_eq!(whole.mean().to_bits(), merged.mean().to_bits());
            let back: Moments = serde_json::from_str(&serde_json::to_string(&whole).unwrap()).unwrap();
            prop_assert_eq!(back.sum.value().to_bits(), whole.sum.value().to_bits());
        }
    }
}
