//! Morris elementary effects, as SALib 1.6.0's `morris.analyze(problem, X, Y, num_levels)`
//! (ungrouped, unscaled): from trajectories of `D + 1` points that move one parameter at a time
//! by ±Δ on a `p`-level grid, `mu`, `mu_star`, `sigma` (ddof 1) and a bootstrap half-width of
//! `mu_star`; plus a seeded trajectory generator in the style of SALib's `morris.sample`
//! (without its trajectory optimisation).
//!
//! As in SALib, an elementary effect is `(y_after − y_before) / Δ` with `Δ = p / (2 (p − 1))` on
//! the unit scale, whatever the bounds, and its sign is that of the step in the input: so with
//! bounds other than [0, 1] the effects are per unit-scale step, not per unit of the input.

use rand::seq::SliceRandom;
use rand::Rng as _;
use serde::{Deserialize, Serialize};

use crate::gsa::{check_bounds, check_finite, std_ddof1, Bootstrap, GsaError, Matrix};
use crate::stats::ExactSum;

/// The Morris step on the unit scale for `num_levels` grid levels: `p / (2 (p − 1))`.
pub fn morris_delta(num_levels: usize) -> f64 {
    num_levels as f64 / (2.0 * (num_levels as f64 - 1.0))
}

fn check_levels(num_levels: usize) -> Result<(), GsaError> {
    if num_levels < 2 || !num_levels.is_multiple_of(2) {
        return Err(GsaError::Invalid {
            what: "num_levels",
            expected: "an even number of grid levels, at least 2 (SALib warns that odd numbers bias the sample)".into(),
            found: num_levels.to_string(),
        });
    }
    Ok(())
}

/// Morris statistics of each parameter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MorrisIndices {
    /// Mean of the elementary effects.
    pub mu: Vec<f64>,
    /// Mean of their absolute values.
    pub mu_star: Vec<f64>,
    /// Their standard deviation with `r − 1` in the denominator (numpy's `std(ddof=1)`, as
    /// SALib).
    pub sigma: Vec<f64>,
    /// Half-width of the bootstrap interval of `mu_star`: `z * std(ddof=1)` of its resampled
    /// values (SALib's `mu_star_conf`).
    pub mu_star_conf: Vec<f64>,
}

/// The elementary effects of trajectories `x` (rows, `r (D + 1)` of them) with outputs `y`:
/// a `D` × `r` matrix (parameter by trajectory). Each step adds `±(y_after − y_before) / Δ`
/// to every parameter it changes, the sign being that of the change (SALib's
/// `_compute_elementary_effects`); a parameter a trajectory never moves gets 0.
pub fn elementary_effects(x: &Matrix, y: &[f64], num_levels: usize) -> Result<Matrix, GsaError> {
    check_levels(num_levels)?;
    let d = x.cols();
    if d == 0 {
        return Err(GsaError::Shape { what: "Morris inputs", expected: "at least one column".into(), found: "none".into() });
    }
    if x.rows() != y.len() {
        return Err(GsaError::Shape {
            what: "Morris outputs",
            expected: format!("one output per input row ({} rows)", x.rows()),
            found: format!("{} outputs", y.len()),
        });
    }
    let size = d + 1;
    if y.is_empty() || !y.len().is_multiple_of(size) {
        return Err(GsaError::Shape {
            what: "Morris trajectories",
            expected: format!("r × (D + 1) = r × {size} rows with r ≥ 1 trajectories"),
            found: format!("{} rows", y.len()),
        });
    }
    check_finite("Morris inputs", x.data())?;
    check_finite("Morris outputs", y)?;
    let r = y.len() / size;
    let delta = morris_delta(num_levels);
    let mut ee = vec![0.0; d * r];
    for t in 0..r {
        for j in 0..d {
            // SALib sums the outputs on the "up" side and the "down" side of every step that
            // changes the parameter, then subtracts: the same operations in the same order.
            let (mut up, mut lo) = (0.0, 0.0);
            for k in 0..d {
                let (row, next) = (t * size + k, t * size + k + 1);
                let dx = x.get(next, j) - x.get(row, j);
                if dx > 0.0 {
                    up += y[next];
                    lo += y[row];
                } else if dx < 0.0 {
                    up += y[row];
                    lo += y[next];
                }
            }
            ee[j * r + t] = (up - lo) / delta;
        }
    }
    Matrix::new(d, r, ee)
}

/// Morris statistics of trajectories `x` with outputs `y` made on a `num_levels` grid, with a
/// bootstrap half-width of `mu_star` (resample `k` draws trajectories from
/// `rng_for(bootstrap.seed, k)`, the same trajectories for every parameter).
pub fn morris_analyze(x: &Matrix, y: &[f64], num_levels: usize, bootstrap: &Bootstrap) -> Result<MorrisIndices, GsaError> {
    let z = bootstrap.z()?;
    let ee = elementary_effects(x, y, num_levels)?;
    let (d, r) = (ee.rows(), ee.cols());
    if r < 2 {
        return Err(GsaError::Shape {
            what: "Morris trajectories",
            expected: "at least 2 trajectories (sigma needs two elementary effects)".into(),
            found: format!("{r} trajectory"),
        });
    }
    let mean = |v: &mut dyn Iterator<Item = f64>| v.sum::<f64>() / r as f64;
    let mu = (0..d).map(|j| mean(&mut ee.row(j).iter().copied())).collect();
    let mu_star = (0..d).map(|j| mean(&mut ee.row(j).iter().map(|e| e.abs()))).collect();
    let sigma = (0..d).map(|j| std_ddof1(ee.row(j))).collect();
    let resampled: Vec<Vec<f64>> =
        bootstrap.run(r, |idx| (0..d).map(|j| idx.iter().map(|&t| ee.get(j, t).abs()).sum::<f64>() / r as f64).collect())?;
    let mu_star_conf = (0..d).map(|j| z * std_ddof1(&resampled.iter().map(|m| m[j]).collect::<Vec<_>>())).collect();
    Ok(MorrisIndices { mu, mu_star, sigma, mu_star_conf })
}

/// Exact mergeable sums of elementary effects, for Morris runs made in shards of whole
/// trajectories: per parameter the count, the exact sum of the effects, of their squares
/// (each square split exactly into two floats, so no rounding is lost) and of their absolute
/// values. Merging in any grouping gives the same sums, so the same bytes and the same
/// estimates; [`MorrisSums::estimates`] gives `mu`, `mu_star` and `sigma` equal to
/// [`morris_analyze`]'s up to rounding, `sigma` from `(r Σe² − (Σe)²) / (r (r − 1))` evaluated
/// without cancellation error. The bootstrap half-width of `mu_star` cannot be merged: a
/// resample draws trajectories from the whole run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MorrisSums {
    /// Number of trajectories summed.
    pub trajectories: u64,
    /// Exact sum of each parameter's effects.
    pub sum: Vec<ExactSum>,
    /// Exact sum of the exact squares of each parameter's effects.
    pub sum_sq: Vec<ExactSum>,
    /// Exact sum of each parameter's absolute effects.
    pub sum_abs: Vec<ExactSum>,
}

/// `a * b` as an unevaluated sum `hi + lo` of two floats, exactly (Dekker's two-product with
/// a fused multiply-add).
fn two_product(a: f64, b: f64) -> (f64, f64) {
    let hi = a * b;
    (hi, a.mul_add(b, -hi))
}

/// The correctly rounded value of an exact sum and the rounded remainder, `(v, r)` with
/// `v + r` equal to the sum to about 2^-106 relative.
fn split(sum: &ExactSum) -> (f64, f64) {
    let v = sum.value();
    let mut rest = sum.clone();
    rest.add(-v);
    (v, rest.value())
}

impl MorrisSums {
    /// Empty sums for `d` parameters.
    pub fn new(d: usize) -> MorrisSums {
        let zero = vec![ExactSum::default(); d];
        MorrisSums { trajectories: 0, sum: zero.clone(), sum_sq: zero.clone(), sum_abs: zero }
    }

    /// Adds whole trajectories `x` with outputs `y` (as for [`elementary_effects`]).
    pub fn add(&mut self, x: &Matrix, y: &[f64], num_levels: usize) -> Result<(), GsaError> {
        if x.cols() != self.sum.len() {
            return Err(GsaError::Shape {
                what: "Morris inputs",
                expected: format!("{} columns", self.sum.len()),
                found: format!("{} columns", x.cols()),
            });
        }
        let ee = elementary_effects(x, y, num_levels)?;
        for j in 0..ee.rows() {
            for &e in ee.row(j) {
                let (hi, lo) = two_product(e, e);
                self.sum[j].add(e);
                self.sum_sq[j].add(hi);
                self.sum_sq[j].add(lo);
                self.sum_abs[j].add(e.abs());
            }
        }
        self.trajectories += ee.cols() as u64;
        Ok(())
    }

    /// Adds another shard's sums.
    pub fn merge(&mut self, other: &MorrisSums) -> Result<(), GsaError> {
        if other.sum.len() != self.sum.len() {
            return Err(GsaError::Shape {
                what: "merged Morris sums",
                expected: format!("{} parameters", self.sum.len()),
                found: format!("{} parameters", other.sum.len()),
            });
        }
        self.trajectories += other.trajectories;
        for j in 0..self.sum.len() {
            self.sum[j].merge(&other.sum[j]);
            self.sum_sq[j].merge(&other.sum_sq[j]);
            self.sum_abs[j].merge(&other.sum_abs[j]);
        }
        Ok(())
    }

    /// `mu`, `mu_star` and `sigma` of each parameter.
    pub fn estimates(&self) -> Result<MorrisEstimates, GsaError> {
        let r = self.trajectories;
        if r < 2 {
            return Err(GsaError::Shape { what: "Morris sums", expected: "at least 2 trajectories".into(), found: r.to_string() });
        }
        let rf = r as f64;
        let mu = self.sum.iter().map(|s| s.value() / rf).collect();
        let mu_star = self.sum_abs.iter().map(|s| s.value() / rf).collect();
        let sigma = (0..self.sum.len())
            .map(|j| {
                // r Σe² − (Σe)², each product split exactly, so that nearly equal effects (a
                // linear input) give a variance near 0 rather than rounding noise of Σe².
                let mut num = ExactSum::default();
                let (q, qr) = split(&self.sum_sq[j]);
                let (s, sr) = split(&self.sum[j]);
                for (a, b, sign) in [(rf, q, 1.0), (rf, qr, 1.0), (s, s, -1.0), (2.0 * s, sr, -1.0), (sr, sr, -1.0)] {
                    let (hi, lo) = two_product(a, b);
                    num.add(sign * hi);
                    num.add(sign * lo);
                }
                (num.value().max(0.0) / (rf * (rf - 1.0))).sqrt()
            })
            .collect();
        Ok(MorrisEstimates { mu, mu_star, sigma })
    }
}

/// The point estimates of [`MorrisSums`] (those of [`MorrisIndices`] without the interval).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MorrisEstimates {
    /// Mean of the elementary effects.
    pub mu: Vec<f64>,
    /// Mean of their absolute values.
    pub mu_star: Vec<f64>,
    /// Their standard deviation (ddof 1).
    pub sigma: Vec<f64>,
}

/// `trajectories` random Morris trajectories (SALib's `morris.sample` without optimisation)
/// for parameters with the given bounds: `trajectories (D + 1)` rows. Trajectory `t` uses
/// `rng_for(seed, t)`: a base point on the grid `{0, 1/(p−1), …, 1 − Δ}`, a random order of
/// the parameters and a random direction for each; step `k` moves the `k`-th parameter of that
/// order by `+Δ` (or starts it at base + Δ and moves it by `−Δ`). Rows are scaled as
/// `x * (upper − lower) + lower`.
pub fn morris_sample(trajectories: usize, bounds: &[(f64, f64)], num_levels: usize, seed: u64) -> Result<Matrix, GsaError> {
    check_bounds(bounds)?;
    check_levels(num_levels)?;
    if trajectories < 2 {
        return Err(GsaError::Invalid {
            what: "number of trajectories",
            expected: "at least 2 (sigma needs two elementary effects)".into(),
            found: trajectories.to_string(),
        });
    }
    morris_sample_range(0..trajectories, bounds, num_levels, seed)
}

/// Trajectories `range` of [`morris_sample`]'s design (trajectory `t` depends only on the seed
/// and `t`), for a study sharded by trajectories: `range.len() * (D + 1)` rows equal to the
/// matching rows of the whole design.
pub fn morris_sample_range(range: std::ops::Range<usize>, bounds: &[(f64, f64)], num_levels: usize, seed: u64) -> Result<Matrix, GsaError> {
    check_bounds(bounds)?;
    check_levels(num_levels)?;
    let count = range.end.saturating_sub(range.start);
    let d = bounds.len();
    let delta = morris_delta(num_levels);
    let mut data = Vec::with_capacity(count * (d + 1) * d);
    for t in range {
        let mut rng = crate::rng_for(seed, t as u64);
        let base: Vec<f64> = (0..d).map(|_| rng.gen_range(0..num_levels / 2) as f64 / (num_levels - 1) as f64).collect();
        let mut order: Vec<usize> = (0..d).collect();
        order.shuffle(&mut rng);
        let mut position = vec![0; d];
        for (k, &j) in order.iter().enumerate() {
            position[j] = k;
        }
        let up: Vec<bool> = (0..d).map(|_| rng.gen::<bool>()).collect();
        for k in 0..=d {
            for j in 0..d {
                let moved = position[j] < k;
                let unit = if moved == up[j] { base[j] + delta } else { base[j] };
                let (lo, hi) = bounds[j];
                data.push(unit * (hi - lo) + lo);
            }
        }
    }
    Matrix::new(count * (d + 1), d, data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trajectories_move_each_parameter_once_by_delta() {
        let x = morris_sample(30, &[(0.0, 1.0); 5], 4, 7).unwrap();
        let delta = morris_delta(4);
        for t in 0..30 {
            for k in 0..5 {
                let (a, b) = (x.row(t * 6 + k), x.row(t * 6 + k + 1));
                let moved: Vec<usize> = (0..5).filter(|&j| a[j] != b[j]).collect();
                assert_eq!(moved.len(), 1);
                assert!(((a[moved[0]] - b[moved[0]]).abs() - delta).abs() < 1e-15);
            }
            for v in x.row(t * 6) {
                let level = v * 3.0;
                assert!((level - level.round()).abs() < 1e-12 && (0.0..=1.0).contains(v));
            }
        }
    }

    #[test]
    fn linear_model_has_constant_effects() {
        let bounds = [(0.0, 1.0); 3];
        let x = morris_sample(10, &bounds, 6, 1).unwrap();
        let y: Vec<f64> = (0..x.rows()).map(|i| 2.0 * x.get(i, 0) - 3.0 * x.get(i, 1)).collect();
        let m = morris_analyze(&x, &y, 6, &Bootstrap::default()).unwrap();
        for (j, want) in [2.0, -3.0, 0.0].iter().enumerate() {
            assert!((m.mu[j] - want).abs() < 1e-12 && (m.mu_star[j] - want.abs()).abs() < 1e-12);
            assert!(m.sigma[j].abs() < 1e-12 && m.mu_star_conf[j].abs() < 1e-12);
        }
    }

    #[test]
    fn sums_merge_exactly_in_any_grouping() {
        let bounds = [(0.0, 1.0), (-1.0, 3.0)];
        let x = morris_sample(12, &bounds, 4, 3).unwrap();
        let y: Vec<f64> = (0..x.rows()).map(|i| x.get(i, 0).exp() * x.get(i, 1) + 0.1 * x.get(i, 1)).collect();
        let mut whole = MorrisSums::new(2);
        whole.add(&x, &y, 4).unwrap();
        let mut merged = MorrisSums::new(2);
        for k in [3usize, 0, 2, 1] {
            let rows = k * 9..(k + 1) * 9;
            let part_x = Matrix::new(9, 2, x.data()[rows.start * 2..rows.end * 2].to_vec()).unwrap();
            let mut part = MorrisSums::new(2);
            part.add(&part_x, &y[rows], 4).unwrap();
            merged.merge(&part).unwrap();
        }
        // Exact sums compare by their canonical serialised form.
        assert_eq!(serde_json::to_string(&merged).unwrap(), serde_json::to_string(&whole).unwrap());
        let m = morris_analyze(&x, &y, 4, &Bootstrap::default()).unwrap();
        let MorrisEstimates { mu, mu_star, sigma } = merged.estimates().unwrap();
        for j in 0..2 {
            assert!((mu[j] - m.mu[j]).abs() < 1e-12 && (mu_star[j] - m.mu_star[j]).abs() < 1e-12);
            assert!((sigma[j] - m.sigma[j]).abs() < 1e-12);
        }
    }

    #[test]
    fn ranges_of_trajectories_are_rows_of_the_whole_design() {
        let bounds = [(0.0, 1.0), (-1.0, 3.0), (2.0, 5.0)];
        let whole = morris_sample(9, &bounds, 4, 5).unwrap();
        let mut joined = Vec::new();
        for r in [0..4, 4..5, 5..9] {
            joined.extend_from_slice(morris_sample_range(r, &bounds, 4, 5).unwrap().data());
        }
        assert_eq!(joined, whole.data());
    }

    #[test]
    fn bad_designs_are_errors() {
        let x = morris_sample(3, &[(0.0, 1.0); 2], 4, 1).unwrap();
        let y = vec![0.0; x.rows()];
        assert!(morris_analyze(&x, &y[1..], 4, &Bootstrap::default()).is_err());
        assert!(morris_analyze(&x, &y, 5, &Bootstrap::default()).is_err());
        assert!(morris_sample(1, &[(0.0, 1.0)], 4, 1).is_err());
    }
}
