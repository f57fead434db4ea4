//! Uncertain parameters: a number or a distribution (fixed, uniform, normal, beta, triangular),
//! sampled by inverse CDF from one uniform draw so that the draw's quantile is the parameter's
//! rank (used by the sensitivity ranking) and common random numbers line up across variants.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A numeric parameter of a scenario: a plain number, or a distribution for Monte Carlo.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Param {
    /// A fixed number.
    Fixed(f64),
    /// A distribution, sampled once per run.
    Dist(Distribution),
}

/// A probability distribution of a parameter, written as a table with a `dist` key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "dist", rename_all = "snake_case", deny_unknown_fields)]
pub enum Distribution {
    /// Always `value`.
    Fixed {
        /// The value.
        value: f64,
    },
    /// Uniform on `[low, high]`.
    Uniform {
        /// Lower end.
        low: f64,
        /// Upper end (at least `low`).
        high: f64,
    },
    /// Normal with mean and standard deviation, optionally truncated to `[min, max]`.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation (positive).
        sd: f64,
        /// Truncate below (required when the parameter is bounded below).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        min: Option<f64>,
        /// Truncate above (required when the parameter is bounded above).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max: Option<f64>,
    },
    /// Beta(a, b), on `[0, 1]` or rescaled to `[low, high]`.
    Beta {
        /// First shape parameter (positive).
        a: f64,
        /// Second shape parameter (positive).
        b: f64,
        /// Lower end of the support (default 0).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        low: Option<f64>,
        /// Upper end of the support (default 1).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        high: Option<f64>,
    },
    /// Triangular on `[low, high]` with its peak at `mode`.
    Triangular {
        /// Lower end.
        low: f64,
        /// Most likely value, `low <= mode <= high`.
        mode: f64,
        /// Upper end.
        high: f64,
    },
}

/// The range a parameter must lie in.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bounds {
    /// Lower bound (`-inf` for none).
    pub lo: f64,
    /// Upper bound (`inf` for none).
    pub hi: f64,
    /// True when `lo` itself is excluded.
    pub lo_open: bool,
}

impl Bounds {
    /// Any real number.
    pub(crate) const ANY: Bounds = Bounds { lo: f64::NEG_INFINITY, hi: f64::INFINITY, lo_open: false };
    /// A probability, `[0, 1]`.
    pub(crate) const UNIT: Bounds = Bounds { lo: 0.0, hi: 1.0, lo_open: false };
    /// `(0, 1]` (discount factors, verifiability).
    pub(crate) const UNIT_POSITIVE: Bounds = Bounds { lo: 0.0, hi: 1.0, lo_open: true };
    /// `[0, inf)`.
    pub(crate) const NON_NEGATIVE: Bounds = Bounds { lo: 0.0, hi: f64::INFINITY, lo_open: false };
    /// `(0, inf)`.
    pub(crate) const POSITIVE: Bounds = Bounds { lo: 0.0, hi: f64::INFINITY, lo_open: true };

    /// True when `x` lies in the range.
    pub fn contains(&self, x: f64) -> bool {
        x.is_finite() && (if self.lo_open { x > self.lo } else { x >= self.lo }) && x <= self.hi
    }

    /// The range as text, e.g. `[0, 1]` or `(0, inf)`.
    pub fn describe(&self) -> String {
        let lo = if self.lo.is_finite() { fmt_num(self.lo) } else { "-inf".into() };
        let hi = if self.hi.is_finite() { fmt_num(self.hi) } else { "inf".into() };
        let open = if self.lo_open || !self.lo.is_finite() { "(" } else { "[" };
        let close = if self.hi.is_finite() { "]" } else { ")" };
        format!("{open}{lo}, {hi}{close}")
    }
}

fn fmt_num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

impl Param {
    /// True when the parameter is a distribution with more than one possible value.
    pub(crate) fn is_uncertain(&self) -> bool {
        match self {
            Param::Fixed(_) | Param::Dist(Distribution::Fixed { .. }) => false,
            Param::Dist(Distribution::Uniform { low, high }) => high > low,
            Param::Dist(_) => true,
        }
    }

    /// The value at quantile `u` in `(0, 1)` (the fixed value for a fixed parameter).
    pub fn quantile(&self, u: f64) -> f64 {
        match self {
            Param::Fixed(x) => *x,
            Param::Dist(d) => d.quantile(u),
        }
    }

    /// The median, used as the parameter's nominal value (in traces and descriptions).
    pub fn nominal(&self) -> f64 {
        self.quantile(0.5)
    }

    /// Checks the parameters and that every value it can take lies in `bounds`; the message
    /// says what was expected and what was found.
    pub fn check(&self, bounds: Bounds) -> Result<(), String> {
        match self {
            Param::Fixed(x) => {
                if bounds.contains(*x) {
                    Ok(())
                } else {
                    Err(format!("expected a number in {}, found {}", bounds.describe(), fmt_num(*x)))
                }
            }
            Param::Dist(d) => d.check(bounds),
        }
    }
}

impl Distribution {
    /// Checks the distribution's own parameters, then that its support lies in `bounds`.
    pub fn check(&self, bounds: Bounds) -> Result<(), String> {
        let all_finite = |xs: &[f64]| xs.iter().all(|x| x.is_finite());
        let (lo, hi) = match *self {
            Distribution::Fixed { value } => (value, value),
            Distribution::Uniform { low, high } => {
                if !all_finite(&[low, high]) || low > high {
                    return Err(format!("uniform: expected finite low <= high, found low = {}, high = {}", fmt_num(low), fmt_num(high)));
                }
                (low, high)
            }
            Distribution::Normal { mean, sd, min, max } => {
                if !all_finite(&[mean, sd]) || sd <= 0.0 {
                    return Err(format!("normal: expected a finite mean and sd > 0, found mean = {}, sd = {}", fmt_num(mean), fmt_num(sd)));
                }
                let lo = min.unwrap_or(f64::NEG_INFINITY);
                let hi = max.unwrap_or(f64::INFINITY);
                if min.is_some_and(|x| !x.is_finite()) || max.is_some_and(|x| !x.is_finite()) || lo >= hi {
                    return Err(format!("normal: expected min < max, found min = {lo}, max = {hi}"));
                }
                if (lo.is_finite() && bounds.lo.is_finite() && lo < bounds.lo)
                    || (!lo.is_finite() && bounds.lo.is_finite())
                    || (!hi.is_finite() && bounds.hi.is_finite())
                {
                    return Err(format!(
                        "normal: this parameter must lie in {}, so the normal needs min and max \
                         inside that range (a truncated normal), found min = {lo}, max = {hi}",
                        bounds.describe()
                    ));
                }
                // Truncation points far in the tails leave no probability mass.
                let (pa, pb) = (norm_cdf((lo - mean) / sd), norm_cdf((hi - mean) / sd));
                if pb - pa < 1e-9 {
                    return Err(format!("normal: [min, max] = [{lo}, {hi}] holds no probability for mean {mean} and sd {sd}"));
                }
                (lo, hi)
            }
            Distribution::Beta { a, b, low, high } => {
                let (l, h) = (low.unwrap_or(0.0), high.unwrap_or(1.0));
                if !all_finite(&[a, b]) || a <= 0.0 || b <= 0.0 {
                    return Err(format!("beta: expected a > 0 and b > 0, found a = {}, b = {}", fmt_num(a), fmt_num(b)));
                }
                if !all_finite(&[l, h]) || l >= h {
                    return Err(format!("beta: expected low < high, found low = {l}, high = {h}"));
                }
                (l, h)
            }
            Distribution::Triangular { low, mode, high } => {
                if !(all_finite(&[low, mode, high]) && low <= mode && mode <= high && low < high) {
                    return Err(format!(
                        "triangular: expected low <= mode <= high and low < high, found low = {}, \
                         mode = {}, high = {}",
                        fmt_num(low),
                        fmt_num(mode),
                        fmt_num(high)
                    ));
                }
                (low, high)
            }
        };
        // Open lower bounds: a continuous distribution may touch the bound (probability 0).
        let lo_ok = if bounds.lo_open && matches!(self, Distribution::Fixed { .. }) { lo > bounds.lo } else { lo >= bounds.lo };
        if !(lo_ok && hi <= bounds.hi) || !lo.is_finite() && bounds.lo.is_finite() {
            return Err(format!(
                "expected every value in {}, but the distribution ranges over [{}, {}]",
                bounds.describe(),
                fmt_num(lo),
                fmt_num(hi)
            ));
        }
        Ok(())
    }

    /// The value at quantile `u` in `(0, 1)`.
    pub fn quantile(&self, u: f64) -> f64 {
        let u = u.clamp(1e-12, 1.0 - 1e-12);
        match *self {
            Distribution::Fixed { value } => value,
            Distribution::Uniform { low, high } => low + (high - low) * u,
            Distribution::Normal { mean, sd, min, max } => {
                let pa = min.map_or(0.0, |m| norm_cdf((m - mean) / sd));
                let pb = max.map_or(1.0, |m| norm_cdf((m - mean) / sd));
                let p = (pa + u * (pb - pa)).clamp(1e-300, 1.0 - 1e-16);
                let x = mean + sd * norm_quantile(p);
                x.clamp(min.unwrap_or(f64::NEG_INFINITY), max.unwrap_or(f64::INFINITY))
            }
            Distribution::Beta { a, b, low, high } => {
                let (l, h) = (low.unwrap_or(0.0), high.unwrap_or(1.0));
                l + (h - l) * beta_quantile(u, a, b)
            }
            Distribution::Triangular { low, mode, high } => {
                let c = (mode - low) / (high - low);
                if u < c {
                    low + ((high - low) * (mode - low) * u).sqrt()
                } else {
                    high - ((high - low) * (high - mode) * (1.0 - u)).sqrt()
                }
            }
        }
    }
}

/// Standard normal CDF.
pub(crate) fn norm_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

/// Standard normal quantile: Acklam's rational approximation refined by one Halley step
/// (relative error near machine precision).
#[allow(clippy::excessive_precision)] // Acklam's published coefficients, as printed.
pub(crate) fn norm_quantile(p: f64) -> f64 {
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    const A: [f64; 6] =
        [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.383577518672690e2, -3.066479806614716e1, 2.506628277459239];
    const B: [f64; 5] = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
    const C: [f64; 6] =
        [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
    const D: [f64; 4] = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
    let plow = 0.02425;
    let x = if p < plow {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - plow {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    // One Halley step on the exact CDF.
    let e = norm_cdf(x) - p;
    let u = e * (2.0 * std::f64::consts::PI).sqrt() * (x * x / 2.0).exp();
    x - u / (1.0 + x * u / 2.0)
}

/// Regularised incomplete beta function `I_x(a, b)` (continued fraction, Numerical Recipes).
pub(crate) fn beta_cdf(x: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = libm::lgamma(a + b) - libm::lgamma(a) - libm::lgamma(b) + a * x.ln() + b * (1.0 - x).ln();
    let front = ln_front.exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_cf(x, a, b) / a
    } else {
        1.0 - front * beta_cf(1.0 - x, b, a) / b
    }
}

fn beta_cf(x: f64, a: f64, b: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..300 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

/// Quantile of Beta(a, b): safeguarded Newton iteration on [`beta_cdf`].
pub(crate) fn beta_quantile(p: f64, a: f64, b: f64) -> f64 {
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    let ln_beta = libm::lgamma(a) + libm::lgamma(b) - libm::lgamma(a + b);
    let mut x = (a / (a + b)).clamp(1e-6, 1.0 - 1e-6);
    for _ in 0..100 {
        let f = beta_cdf(x, a, b) - p;
        if f.abs() < 1e-14 {
            break;
        }
        if f > 0.0 {
            hi = x;
        } else {
            lo = x;
        }
        let pdf = ((a - 1.0) * x.ln() + (b - 1.0) * (1.0 - x).ln() - ln_beta).exp();
        let mut next = if pdf > 0.0 && pdf.is_finite() { x - f / pdf } else { f64::NAN };
        if !(next > lo && next < hi) {
            next = 0.5 * (lo + hi);
        }
        if (next - x).abs() < 1e-15 {
            x = next;
            break;
        }
        x = next;
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_quantile_inverts_the_cdf() {
        for &p in &[1e-10, 0.001, 0.025, 0.3, 0.5, 0.8, 0.975, 0.999999] {
            let x = norm_quantile(p);
            assert!((norm_cdf(x) - p).abs() < 1e-13 * p.max(1e-3), "p={p} x={x}");
        }
        assert!((norm_quantile(0.975) - 1.959963984540054).abs() < 1e-12);
    }

    #[test]
    fn beta_cdf_and_quantile() {
        // I_x(1, 1) = x; I_x(2, 1) = x^2; I_0.5(a, a) = 0.5.
        assert!((beta_cdf(0.3, 1.0, 1.0) - 0.3).abs() < 1e-14);
        assert!((beta_cdf(0.3, 2.0, 1.0) - 0.09).abs() < 1e-14);
        assert!((beta_cdf(0.5, 3.7, 3.7) - 0.5).abs() < 1e-13);
        // I_0.2(2, 3) = 1 - (1-x)^4 - 4x(1-x)^3 = 0.1808.
        assert!((beta_cdf(0.2, 2.0, 3.0) - 0.1808).abs() < 1e-13);
        for &(a, b) in &[(0.5, 0.5), (2.0, 5.0), (30.0, 3.0)] {
            for &p in &[0.01, 0.25, 0.5, 0.9, 0.999] {
                let x = beta_quantile(p, a, b);
                assert!((beta_cdf(x, a, b) - p).abs() < 1e-10, "a={a} b={b} p={p}");
            }
        }
    }

    #[test]
    fn quantiles_of_each_distribution() {
        let u = Distribution::Uniform { low: 1.0, high: 3.0 };
        assert_eq!(u.quantile(0.25), 1.5);
        let t = Distribution::Triangular { low: 0.0, mode: 1.0, high: 2.0 };
        assert!((t.quantile(0.5) - 1.0).abs() < 1e-12);
        assert!((t.quantile(0.125) - 0.5).abs() < 1e-12);
        let n = Distribution::Normal { mean: 0.5, sd: 0.1, min: Some(0.0), max: Some(1.0) };
        assert!((n.quantile(0.5) - 0.5).abs() < 1e-12);
        let b = Distribution::Beta { a: 2.0, b: 2.0, low: Some(10.0), high: Some(20.0) };
        assert!((b.quantile(0.5) - 15.0).abs() < 1e-9);
    }

    #[test]
    fn impossible_parameters_are_named() {
        let e = Distribution::Uniform { low: 0.5, high: 0.2 }.check(Bounds::ANY).unwrap_err();
        assert!(e.contains("low <= high"), "{e}");
        let e = Distribution::Beta { a: 0.0, b: 1.0, low: None, high: None }.check(Bounds::UNIT).unwrap_err();
        assert!(e.contains("a > 0"), "{e}");
        let e = Distribution::Uniform { low: 0.5, high: 1.2 }.check(Bounds::UNIT).unwrap_err();
        assert!(e.contains("[0, 1]"), "{e}");
        let e = Distribution::Normal { mean: 0.5, sd: 0.1, min: None, max: None }.check(Bounds::UNIT).unwrap_err();
        assert!(e.contains("truncated"), "{e}");
        let e = Param::Fixed(1.5).check(Bounds::UNIT).unwrap_err();
        assert_eq!(e, "expected a number in [0, 1], found 1.5");
        assert!(Param::Fixed(0.0).check(Bounds::UNIT_POSITIVE).is_err());
        assert!(Distribution::Triangular { low: 0.0, mode: 2.0, high: 1.0 }.check(Bounds::ANY).is_err());
    }
}
