//! Saltelli sampling and first- and total-order Sobol' indices with bootstrap intervals, as
//! SALib 1.6.0's `sobol.sample(..., calc_second_order=False)` and `sobol.analyze`, plus exact
//! mergeable sums from which sharded runs get the same point estimates as one run.
//!
//! Design: for base points `i = 0..N` of a `2D`-dimensional Sobol' sequence (first `D`
//! coordinates matrix A, last `D` matrix B), the rows are, in this order, `A_i`, `AB_i^1`, …,
//! `AB_i^D` (A with column `j` taken from B) and `B_i`: `N (D + 2)` rows. Estimators (SALib's, on
//! outputs first standardised as `(y - mean) / std` over all `N (D + 2)` outputs):
//! `S1_j = mean(f_B (f_ABj − f_A)) / var` (Saltelli et al. 2010) and
//! `ST_j = mean((f_A − f_ABj)²) / (2 var)` (Jansen 1999), where `var` is the population
//! variance (ddof 0) of the `2N` outputs of A and B together. Second-order indices are not
//! computed.

use serde::{Deserialize, Serialize};

use crate::gsa::sequence::{Scrambling, SobolSequence, MAX_DIMS};
use crate::gsa::{check_bounds, check_finite, std_ddof1, Bootstrap, GsaError, Matrix};
use crate::stats::ExactSum;

/// The Saltelli design of `n` base points (a power of two, at least 2) for parameters with
/// the given `(lower, upper)` bounds: `n * (D + 2)` rows of `D` columns, scaled as SALib does
/// (`x * (upper - lower) + lower`). `skip` points of the sequence are skipped first (SALib's
/// `skip_values`; 0 is its default and recommended with scrambling).
pub fn saltelli_sample(n: usize, bounds: &[(f64, f64)], scrambling: Scrambling, skip: u64) -> Result<Matrix, GsaError> {
    saltelli_sample_range(n, bounds, scrambling, skip, 0..n)
}

/// The rows of base points `points` (a sub-range of `0..n`) of [`saltelli_sample`]'s design:
/// `points.len() * (D + 2)` rows, equal to the matching rows of the whole design, so that a
/// sharded study builds only its own share (the sequence is fast-forwarded to the range's
/// start).
pub fn saltelli_sample_range(
    n: usize,
    bounds: &[(f64, f64)],
    scrambling: Scrambling,
    skip: u64,
    points: std::ops::Range<usize>,
) -> Result<Matrix, GsaError> {
    check_bounds(bounds)?;
    let d = bounds.len();
    if 2 * d > MAX_DIMS {
        return Err(GsaError::Invalid {
            what: "number of parameters",
            expected: format!("at most {} parameters (two Sobol' dimensions each)", MAX_DIMS / 2),
            found: d.to_string(),
        });
    }
    if n < 2 || !n.is_power_of_two() {
        return Err(GsaError::Invalid {
            what: "base sample size N",
            expected: "a power of two, at least 2 (the Sobol' balance properties need it)".into(),
            found: n.to_string(),
        });
    }
    if points.start > points.end || points.end > n {
        return Err(GsaError::Invalid {
            what: "base points",
            expected: format!("a range within 0..{n}"),
            found: format!("{}..{}", points.start, points.end),
        });
    }
    let mut seq = SobolSequence::with_scrambling(2 * d, scrambling)?;
    seq.skip(skip + points.start as u64)?;
    let count = points.end - points.start;
    let base = seq.take(count)?;
    let mut data = Vec::with_capacity(count * (d + 2) * d);
    for i in 0..count {
        let (a, b) = base.row(i).split_at(d);
        data.extend_from_slice(a);
        for k in 0..d {
            data.extend((0..d).map(|j| if j == k { b[j] } else { a[j] }));
        }
        data.extend_from_slice(b);
    }
    for row in data.chunks_exact_mut(d) {
        for (x, &(lo, hi)) in row.iter_mut().zip(bounds) {
            *x = *x * (hi - lo) + lo;
        }
    }
    Matrix::new(count * (d + 2), d, data)
}

/// First- and total-order Sobol' indices with bootstrap half-widths.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SobolIndices {
    /// First-order index of each parameter.
    pub s1: Vec<f64>,
    /// Half-width of the bootstrap interval of `s1`: `z * std(ddof=1)` of the resampled
    /// estimates (SALib's `S1_conf`).
    pub s1_conf: Vec<f64>,
    /// Total-order index of each parameter.
    pub st: Vec<f64>,
    /// Half-width of the bootstrap interval of `st` (SALib's `ST_conf`).
    pub st_conf: Vec<f64>,
}

/// Checks that `y` are the outputs of a Saltelli design for `d` parameters and returns `N`.
fn base_size(y: &[f64], d: usize) -> Result<usize, GsaError> {
    if d == 0 {
        return Err(GsaError::Invalid { what: "number of parameters", expected: "at least 1".into(), found: "0".into() });
    }
    if y.is_empty() || !y.len().is_multiple_of(d + 2) || y.len() / (d + 2) < 2 {
        return Err(GsaError::Shape {
            what: "model outputs",
            expected: format!("N × (D + 2) = N × {} outputs with N ≥ 2, in Saltelli design order", d + 2),
            found: format!("{} outputs", y.len()),
        });
    }
    check_finite("model outputs", y)?;
    Ok(y.len() / (d + 2))
}

/// Population variance (ddof 0) of `a` and `b` together, by two passes.
fn var2(a: impl Iterator<Item = f64> + Clone, b: impl Iterator<Item = f64> + Clone, n: usize) -> f64 {
    let mean = (a.clone().sum::<f64>() + b.clone().sum::<f64>()) / (2 * n) as f64;
    let ss: f64 = a.chain(b).map(|v| (v - mean) * (v - mean)).sum();
    ss / (2 * n) as f64
}

/// First- and total-order indices of the outputs `y` of a Saltelli design for `d` parameters
/// (rows in [`saltelli_sample`]'s order), with bootstrap intervals as SALib's `sobol.analyze`.
///
/// Errors: `y` not `N (D + 2)` long with `N ≥ 2`, a non-finite output, constant outputs, or bad
/// bootstrap settings.
pub fn sobol_analyze(y: &[f64], d: usize, bootstrap: &Bootstrap) -> Result<SobolIndices, GsaError> {
    let n = base_size(y, d)?;
    let z = bootstrap.z()?;
    let step = d + 2;
    // SALib standardises the outputs first; the indices are invariant to the scale but the
    // first-order estimator is not invariant to the shift, so this is needed to match it.
    let mut sum = ExactSum::default();
    y.iter().for_each(|&v| sum.add(v));
    let mean = sum.value() / y.len() as f64;
    let mut ss = ExactSum::default();
    y.iter().for_each(|&v| ss.add((v - mean) * (v - mean)));
    let std = (ss.value() / y.len() as f64).sqrt();
    if std == 0.0 {
        return Err(GsaError::Invalid {
            what: "model outputs",
            expected: "outputs that are not all equal".into(),
            found: format!("every output equal to {}", y[0]),
        });
    }
    // Standardised outputs by column (A, B, and AB_j for each j), so that a resample gathers
    // from short contiguous columns.
    let ys = |i: usize| (y[i] - mean) / std;
    let a_col: Vec<f64> = (0..n).map(|i| ys(i * step)).collect();
    let b_col: Vec<f64> = (0..n).map(|i| ys(i * step + step - 1)).collect();
    let ab_cols: Vec<f64> = (0..d).flat_map(|j| (0..n).map(move |i| ys(i * step + 1 + j))).collect();

    let estimates = |rows: &[usize]| -> (Vec<f64>, Vec<f64>) {
        let m = rows.len();
        let a: Vec<f64> = rows.iter().map(|&i| a_col[i]).collect();
        let b: Vec<f64> = rows.iter().map(|&i| b_col[i]).collect();
        let var = var2(a.iter().copied(), b.iter().copied(), m);
        let mut s1 = Vec::with_capacity(d);
        let mut st = Vec::with_capacity(d);
        for j in 0..d {
            let col = &ab_cols[j * n..(j + 1) * n];
            let (mut f, mut t) = (0.0, 0.0);
            for (k, &i) in rows.iter().enumerate() {
                let abj = col[i];
                f += b[k] * (abj - a[k]);
                t += (a[k] - abj) * (a[k] - abj);
            }
            s1.push(f / m as f64 / var);
            st.push(0.5 * (t / m as f64) / var);
        }
        (s1, st)
    };
    let all: Vec<usize> = (0..n).collect();
    let (s1, st) = estimates(&all);
    let resampled = bootstrap.run(n, estimates)?;
    let conf = |first: bool, j: usize| {
        let v: Vec<f64> = resampled.iter().map(|(s1, st)| if first { s1[j] } else { st[j] }).collect();
        z * std_ddof1(&v)
    };
    let s1_conf = (0..d).map(|j| conf(true, j)).collect();
    let st_conf = (0..d).map(|j| conf(false, j)).collect();
    Ok(SobolIndices { s1, s1_conf, st, st_conf })
}

/// Exact sums of a Saltelli run's outputs from which the first- and total-order point
/// estimates follow: shards of the base points can be summed separately and merged in any
/// grouping, giving exactly the sums (and estimates) of the whole run.
///
/// The bootstrap intervals cannot be merged this way: a resample draws base points from the
/// whole run, so it needs every output; compute them with [`sobol_analyze`] on the gathered
/// outputs. The estimates from these sums equal [`sobol_analyze`]'s up to rounding (about
/// 1e-15): they use the same standardisation, written as sums.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SobolSums {
    /// Number of parameters.
    pub d: usize,
    /// Number of base points summed.
    pub n: u64,
    /// Σ y over all outputs.
    pub y: ExactSum,
    /// Σ y over the outputs of A and B.
    pub ab: ExactSum,
    /// Σ y² over the outputs of A and B.
    pub ab_sq: ExactSum,
    /// Σ f_B (f_ABj − f_A) for each parameter.
    pub cross: Vec<ExactSum>,
    /// Σ (f_ABj − f_A) for each parameter.
    pub diff: Vec<ExactSum>,
    /// Σ (f_A − f_ABj)² for each parameter.
    pub diff_sq: Vec<ExactSum>,
}

impl SobolSums {
    /// Empty sums for `d` parameters.
    pub fn new(d: usize) -> SobolSums {
        SobolSums {
            d,
            cross: vec![ExactSum::default(); d],
            diff: vec![ExactSum::default(); d],
            diff_sq: vec![ExactSum::default(); d],
            ..SobolSums::default()
        }
    }

    /// Adds the outputs of whole base points: `y` holds `D + 2` outputs per base point, in
    /// design order.
    pub fn add(&mut self, y: &[f64]) -> Result<(), GsaError> {
        let step = self.d + 2;
        if self.d == 0 || !y.len().is_multiple_of(step) {
            return Err(GsaError::Shape {
                what: "model outputs",
                expected: format!("a multiple of D + 2 = {step} outputs"),
                found: format!("{} outputs", y.len()),
            });
        }
        check_finite("model outputs", y)?;
        for block in y.chunks_exact(step) {
            let (a, b) = (block[0], block[step - 1]);
            block.iter().for_each(|&v| self.y.add(v));
            self.ab.add(a);
            self.ab.add(b);
            self.ab_sq.add(a * a);
            self.ab_sq.add(b * b);
            for j in 0..self.d {
                let abj = block[1 + j];
                self.cross[j].add(b * (abj - a));
                self.diff[j].add(abj - a);
                self.diff_sq[j].add((a - abj) * (a - abj));
            }
            self.n += 1;
        }
        Ok(())
    }

    /// Adds another shard's sums.
    pub fn merge(&mut self, other: &SobolSums) -> Result<(), GsaError> {
        if other.d != self.d {
            return Err(GsaError::Shape {
                what: "merged Sobol' sums",
                expected: format!("{} parameters", self.d),
                found: format!("{} parameters", other.d),
            });
        }
        self.n += other.n;
        self.y.merge(&other.y);
        self.ab.merge(&other.ab);
        self.ab_sq.merge(&other.ab_sq);
        for j in 0..self.d {
            self.cross[j].merge(&other.cross[j]);
            self.diff[j].merge(&other.diff[j]);
            self.diff_sq[j].merge(&other.diff_sq[j]);
        }
        Ok(())
    }

    /// The first- and total-order point estimates `(s1, st)`.
    pub fn estimates(&self) -> Result<(Vec<f64>, Vec<f64>), GsaError> {
        if self.n < 2 {
            return Err(GsaError::Shape { what: "Sobol' sums", expected: "at least 2 base points".into(), found: self.n.to_string() });
        }
        let n = self.n as f64;
        let mean_all = self.y.value() / (n * (self.d + 2) as f64);
        let mean_ab = self.ab.value() / (2.0 * n);
        let var = self.ab_sq.value() / (2.0 * n) - mean_ab * mean_ab;
        if var <= 0.0 {
            return Err(GsaError::Invalid {
                what: "model outputs",
                expected: "outputs of A and B that are not all equal".into(),
                found: format!("variance {var}"),
            });
        }
        // With outputs standardised by the overall mean m, f_B (f_ABj − f_A) becomes
        // (f_B − m)(f_ABj − f_A) up to the scale, which cancels against the variance.
        let s1 = (0..self.d).map(|j| (self.cross[j].value() - mean_all * self.diff[j].value()) / n / var).collect();
        let st = (0..self.d).map(|j| 0.5 * self.diff_sq[j].value() / n / var).collect();
        Ok((s1, st))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn linear(x: &[f64]) -> f64 {
        x[0] + 2.0 * x[1] + 0.0 * x[2]
    }

    #[test]
    fn ranges_of_base_points_are_rows_of_the_whole_design() {
        let bounds = [(0.0, 1.0), (-2.0, 2.0), (1.0, 4.0)];
        for scrambling in [Scrambling::None, Scrambling::LinearMatrix { seed: 9 }] {
            let whole = saltelli_sample(16, &bounds, scrambling, 3).unwrap();
            let mut joined = Vec::new();
            for r in [0..5, 5..6, 6..16] {
                joined.extend_from_slice(saltelli_sample_range(16, &bounds, scrambling, 3, r).unwrap().data());
            }
            assert_eq!(joined, whole.data());
        }
        assert!(saltelli_sample_range(16, &bounds, Scrambling::None, 0, 8..17).is_err());
    }

    #[test]
    fn sample_has_saltelli_layout() {
        let bounds = [(0.0, 1.0), (-1.0, 1.0), (10.0, 20.0)];
        let x = saltelli_sample(8, &bounds, Scrambling::None, 0).unwrap();
        assert_eq!((x.rows(), x.cols()), (40, 3));
        for i in 0..8 {
            let (a, b) = (x.row(i * 5), x.row(i * 5 + 4));
            for k in 0..3 {
                let abk = x.row(i * 5 + 1 + k);
                for j in 0..3 {
                    assert_eq!(abk[j], if j == k { b[j] } else { a[j] });
                }
            }
        }
        assert!(saltelli_sample(6, &bounds, Scrambling::None, 0).is_err());
        assert!(saltelli_sample(8, &[(1.0, 1.0)], Scrambling::None, 0).is_err());
    }

    #[test]
    fn linear_model_indices_and_merged_sums() {
        let bounds = [(0.0, 1.0); 3];
        let x = saltelli_sample(1024, &bounds, Scrambling::LinearMatrix { seed: 1 }, 0).unwrap();
        let y: Vec<f64> = (0..x.rows()).map(|i| linear(x.row(i))).collect();
        let s = sobol_analyze(&y, 3, &Bootstrap { seed: 2, ..Bootstrap::default() }).unwrap();
        // Variances 1/12 and 4/12: S1 = ST = 0.2, 0.8, 0.
        for (j, want) in [0.2, 0.8, 0.0].iter().enumerate() {
            assert!((s.s1[j] - want).abs() < 0.02 && (s.st[j] - want).abs() < 0.02, "{s:?}");
        }
        let mut whole = SobolSums::new(3);
        whole.add(&y).unwrap();
        let mut merged = SobolSums::new(3);
        for shard in y.chunks(5 * 100).rev() {
            let mut part = SobolSums::new(3);
            part.add(shard).unwrap();
            merged.merge(&part).unwrap();
        }
        // Exact sums compare by their canonical serialised form (their partials may differ).
        assert_eq!(serde_json::to_string(&merged).unwrap(), serde_json::to_string(&whole).unwrap());
        let (s1, st) = whole.estimates().unwrap();
        for j in 0..3 {
            assert!((s1[j] - s.s1[j]).abs() < 1e-12 && (st[j] - s.st[j]).abs() < 1e-12);
        }
    }

    #[test]
    fn bad_outputs_are_errors() {
        let b = Bootstrap::default();
        assert!(matches!(sobol_analyze(&[1.0; 9], 2, &b), Err(GsaError::Shape { .. })));
        assert!(matches!(sobol_analyze(&[1.0; 8], 2, &b), Err(GsaError::Invalid { .. })));
        let mut y = vec![0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0];
        y[3] = f64::NAN;
        assert!(matches!(sobol_analyze(&y, 2, &b), Err(GsaError::NonFinite { index: 3, .. })));
        assert!(sobol_analyze(&[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0], 2, &Bootstrap { num_resamples: 1, ..b }).is_err());
    }
}
