//! Global sensitivity analysis and scenario discovery on any table of real inputs and outputs,
//! domain-free: the Sobol' low-discrepancy sequence ([`sequence`]), Saltelli sampling with
//! first- and total-order Sobol' indices ([`saltelli`]), Morris elementary effects
//! ([`morris`]) and PRIM boxes ([`prim`]).
//!
//! The conventions are those of SALib 1.6.0 (`SALib.sample.sobol`, `SALib.analyze.sobol`,
//! `SALib.sample.morris`, `SALib.analyze.morris`) and of the EMA Workbench 2.5.3
//! (`ema_workbench.analysis.prim`); `docs/sensitivity.md` says which choices each follows and
//! the tests under `crates/engine/tests/gsa_*.rs` compare with those packages' own numbers.
//!
//! Everything random (scrambling, trajectories, bootstrap resamples) is drawn from ChaCha8
//! generators derived with [`crate::rng_for`] from a seed and an index (a dimension, a
//! trajectory, a resample), so results are the same for a seed whatever the thread count.

mod directions;
pub mod morris;
pub mod prim;
pub mod saltelli;
pub mod sequence;

use rand::Rng as _;

/// Why a sensitivity method refused its input.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum GsaError {
    /// An input has the wrong size or shape.
    #[error("{what}: expected {expected}, found {found}")]
    Shape {
        /// Which input.
        what: &'static str,
        /// What was expected.
        expected: String,
        /// What was found.
        found: String,
    },
    /// A value that must be finite is not.
    #[error("{what}: expected finite numbers, found {value} at index {index}")]
    NonFinite {
        /// Which input.
        what: &'static str,
        /// Position of the first offending value (row-major for matrices).
        index: usize,
        /// The value found.
        value: f64,
    },
    /// A setting or an input is outside the range the method accepts.
    #[error("{what}: expected {expected}, found {found}")]
    Invalid {
        /// Which setting or input.
        what: &'static str,
        /// What was expected.
        expected: String,
        /// What was found.
        found: String,
    },
    /// The worker threads could not be started.
    #[error("thread pool: {0}")]
    ThreadPool(String),
}

/// A dense row-major matrix of `f64`: sample designs (one row per model run) and input tables.
#[derive(Clone, Debug, PartialEq)]
pub struct Matrix {
    rows: usize,
    cols: usize,
    data: Vec<f64>,
}

impl Matrix {
    /// A `rows` × `cols` matrix from row-major `data`; the length must be `rows * cols`.
    pub fn new(rows: usize, cols: usize, data: Vec<f64>) -> Result<Matrix, GsaError> {
        if rows.checked_mul(cols) != Some(data.len()) {
            return Err(GsaError::Shape {
                what: "matrix data",
                expected: format!("{rows} × {cols} values"),
                found: format!("{} values", data.len()),
            });
        }
        Ok(Matrix { rows, cols, data })
    }

    /// A matrix from equally long rows.
    pub fn from_rows(rows: &[Vec<f64>]) -> Result<Matrix, GsaError> {
        let cols = rows.first().map_or(0, Vec::len);
        let mut data = Vec::with_capacity(rows.len() * cols);
        for (i, r) in rows.iter().enumerate() {
            if r.len() != cols {
                return Err(GsaError::Shape {
                    what: "matrix rows",
                    expected: format!("{cols} values in every row (as row 0)"),
                    found: format!("{} values in row {i}", r.len()),
                });
            }
            data.extend_from_slice(r);
        }
        Ok(Matrix { rows: rows.len(), cols, data })
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Row `i` (panics if `i >= rows()`, as slice indexing does).
    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// The value at row `i`, column `j`.
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.data[i * self.cols + j]
    }

    /// All values, row-major.
    pub fn data(&self) -> &[f64] {
        &self.data
    }

    /// The values, row-major, by value.
    pub fn into_data(self) -> Vec<f64> {
        self.data
    }
}

/// The first non-finite value of `values`, as an error naming `what`.
pub(crate) fn check_finite(what: &'static str, values: &[f64]) -> Result<(), GsaError> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(GsaError::NonFinite { what, index, value: values[index] }),
        None => Ok(()),
    }
}

/// Checks parameter bounds: at least one, each finite with lower < upper.
pub(crate) fn check_bounds(bounds: &[(f64, f64)]) -> Result<(), GsaError> {
    if bounds.is_empty() {
        return Err(GsaError::Shape { what: "bounds", expected: "at least one parameter".into(), found: "none".into() });
    }
    for (j, &(lo, hi)) in bounds.iter().enumerate() {
        if !(lo.is_finite() && hi.is_finite() && lo < hi) {
            return Err(GsaError::Invalid {
                what: "bounds",
                expected: "finite lower < upper for every parameter".into(),
                found: format!("({lo}, {hi}) for parameter {j}"),
            });
        }
    }
    Ok(())
}

/// Bootstrap settings shared by the Sobol' and Morris analyses (SALib's `num_resamples`,
/// `conf_level` and `seed`, plus the worker thread count, which never changes results).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bootstrap {
    /// Number of bootstrap resamples (SALib's default 100); at least 2.
    pub num_resamples: usize,
    /// Confidence level of the reported half-widths, in (0, 1) (SALib's default 0.95).
    pub conf_level: f64,
    /// Seed of the resamples: resample `k` draws its indices from `rng_for(seed, k)`.
    pub seed: u64,
    /// Worker threads (0 = one per core).
    pub threads: usize,
}

impl Default for Bootstrap {
    fn default() -> Self {
        Bootstrap { num_resamples: 100, conf_level: 0.95, seed: 0, threads: 0 }
    }
}

impl Bootstrap {
    /// Checks the settings and returns the normal quantile `z` of the two-sided interval.
    pub(crate) fn z(&self) -> Result<f64, GsaError> {
        if self.num_resamples < 2 {
            return Err(GsaError::Invalid {
                what: "num_resamples",
                expected: "at least 2 bootstrap resamples".into(),
                found: self.num_resamples.to_string(),
            });
        }
        normal_quantile_two_sided(self.conf_level)
    }

    /// Runs `f(k, indices)` for every resample `k` in parallel, where `indices` are `n` draws
    /// with replacement from `0..n`, and returns the results in resample order.
    pub(crate) fn run<T, F>(&self, n: usize, f: F) -> Result<Vec<T>, GsaError>
    where
        T: Send,
        F: Fn(&[usize]) -> T + Sync,
    {
        use rayon::prelude::*;
        let pool = rayon::ThreadPoolBuilder::new().num_threads(self.threads).build().map_err(|e| GsaError::ThreadPool(e.to_string()))?;
        let seed = self.seed;
        Ok(pool.install(|| {
            (0..self.num_resamples)
                .into_par_iter()
                .map_init(Vec::new, |idx: &mut Vec<usize>, k| {
                    resample_indices(seed, k as u64, n, idx);
                    f(idx)
                })
                .collect()
        }))
    }
}

/// Fills `out` with the `n` indices of bootstrap resample `k`: uniform draws from `0..n` with
/// replacement, from `rng_for(seed, k)` (drawn as `u64` so they do not depend on the width of
/// `usize`).
pub fn resample_indices(seed: u64, k: u64, n: usize, out: &mut Vec<usize>) {
    let mut rng = crate::rng_for(seed, k);
    out.clear();
    out.extend((0..n).map(|_| rng.gen_range(0..n as u64) as usize));
}

/// The normal quantile `z` with `P(|Z| <= z) = conf_level`, computed as SALib does
/// (`norm.ppf(0.5 + conf_level / 2)`): bisection of the upper-tail probability
/// `erfc(z / √2) / 2` down to adjacent floating-point numbers.
pub fn normal_quantile_two_sided(conf_level: f64) -> Result<f64, GsaError> {
    if !(conf_level > 0.0 && conf_level < 1.0) {
        return Err(GsaError::Invalid {
            what: "conf_level",
            expected: "a confidence level strictly between 0 and 1".into(),
            found: conf_level.to_string(),
        });
    }
    let p = 0.5 + conf_level / 2.0;
    // 1 - p is exact for p in [0.5, 1] (Sterbenz), so the tail keeps SALib's rounding of p.
    let tail = 1.0 - p;
    let (mut lo, mut hi) = (0.0f64, 40.0f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if 0.5 * libm::erfc(mid / std::f64::consts::SQRT_2) > tail {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Ok(0.5 * (lo + hi))
}

/// Sample standard deviation with `n - 1` in the denominator (numpy's `std(ddof=1)`), by two
/// passes; NaN for fewer than two values.
pub(crate) fn std_ddof1(values: &[f64]) -> f64 {
    let n = values.len();
    if n < 2 {
        return f64::NAN;
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    let ss: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
    (ss / (n - 1) as f64).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_quantile_matches_the_known_95_percent_value() {
        let z = normal_quantile_two_sided(0.95).unwrap();
        assert!((z - crate::stats::Z95).abs() < 1e-14, "{z}");
        // scipy.stats.norm.ppf(0.995) = 2.5758293035489004.
        let z99 = normal_quantile_two_sided(0.99).unwrap();
        assert!((z99 - 2.575_829_303_548_900_4).abs() < 1e-13, "{z99}");
        assert!(normal_quantile_two_sided(1.0).is_err());
        assert!(normal_quantile_two_sided(f64::NAN).is_err());
    }

    #[test]
    fn matrix_shapes_are_checked() {
        assert!(Matrix::new(2, 3, vec![0.0; 5]).is_err());
        let m = Matrix::from_rows(&[vec![1.0, 2.0], vec![3.0, 4.0]]).unwrap();
        assert_eq!((m.rows(), m.cols(), m.get(1, 0)), (2, 2, 3.0));
        assert!(Matrix::from_rows(&[vec![1.0, 2.0], vec![3.0]]).is_err());
    }

    #[test]
    fn resamples_depend_on_seed_and_index_only() {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        resample_indices(5, 3, 100, &mut a);
        resample_indices(5, 3, 100, &mut b);
        assert_eq!(a, b);
        assert!(a.iter().all(|&i| i < 100));
        resample_indices(5, 4, 100, &mut b);
        assert_ne!(a, b);
    }
}
