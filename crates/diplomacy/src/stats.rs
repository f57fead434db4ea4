//! Small statistics for Monte Carlo summaries: Wilson intervals for proportions, normal
//! intervals for paired differences, and quantiles of integer-valued samples from a histogram.

use serde::{Deserialize, Serialize};

/// z for a two-sided 95% interval.
pub const Z95: f64 = 1.959963984540054;

/// A proportion with its 95% interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Proportion {
    /// Estimate.
    pub p: f64,
    /// Lower end of the 95% interval.
    pub lo: f64,
    /// Upper end of the 95% interval.
    pub hi: f64,
    /// Number of runs it is computed over.
    pub n: u64,
}

/// Wilson score interval (95%) for `k` successes in `n` trials.
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

/// Running sums of a paired difference.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Paired {
    /// Pairs.
    pub n: u64,
    /// Sum of differences.
    pub sum: f64,
    /// Sum of squared differences.
    pub sum_sq: f64,
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

impl Paired {
    /// Adds one pair's difference.
    pub fn add(&mut self, d: f64) {
        self.n += 1;
        self.sum += d;
        self.sum_sq += d * d;
    }

    /// Mean and normal 95% interval (the paired t interval for large n).
    pub fn summary(&self) -> Difference {
        if self.n == 0 {
            return Difference { diff: f64::NAN, lo: f64::NAN, hi: f64::NAN };
        }
        let n = self.n as f64;
        let mean = self.sum / n;
        let var = if self.n > 1 { ((self.sum_sq - n * mean * mean) / (n - 1.0)).max(0.0) } else { 0.0 };
        let half = Z95 * (var / n).sqrt();
        Difference { diff: mean, lo: mean - half, hi: mean + half }
    }
}

/// The `q`-quantile (0..1) of a sample given as a histogram of integer values (lower median
/// convention: the smallest value whose cumulative count reaches `q * n`).
pub fn histogram_quantile(hist: &[u64], q: f64) -> Option<u32> {
    let n: u64 = hist.iter().sum();
    if n == 0 {
        return None;
    }
    let target = ((q * n as f64).ceil() as u64).max(1);
    let mut acc = 0;
    for (v, c) in hist.iter().enumerate() {
        acc += c;
        if acc >= target {
            return Some(v as u32);
        }
    }
    Some(hist.len().saturating_sub(1) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_the_textbook_value() {
        // 10 of 100: Wilson 95% interval [0.0552, 0.1744].
        let w = wilson(10, 100);
        assert!((w.lo - 0.05522).abs() < 1e-4 && (w.hi - 0.17437).abs() < 1e-4, "{w:?}");
        assert_eq!(wilson(0, 10).lo, 0.0);
    }

    #[test]
    fn histogram_quantiles() {
        // Values 1, 2, 2, 3, 10.
        let mut h = vec![0u64; 11];
        for v in [1, 2, 2, 3, 10] {
            h[v] += 1;
        }
        assert_eq!(histogram_quantile(&h, 0.5), Some(2));
        assert_eq!(histogram_quantile(&h, 0.25), Some(2));
        assert_eq!(histogram_quantile(&h, 0.75), Some(3));
        assert_eq!(histogram_quantile(&h, 1.0), Some(10));
        assert_eq!(histogram_quantile(&[0, 0], 0.5), None);
    }

    #[test]
    fn paired_interval() {
        let mut p = Paired::default();
        for d in [1.0, -1.0, 0.0, 0.0] {
            p.add(d);
        }
        let s = p.summary();
        assert_eq!(s.diff, 0.0);
        assert!(s.hi > 0.0 && s.lo < 0.0);
    }
}
