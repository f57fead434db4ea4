//! PRIM, the patient rule induction method (Friedman and Fisher 1999), for scenario discovery
//! on a table of real inputs and a 0/1 outcome, as the EMA Workbench 2.5.3's
//! `ema_workbench.analysis.prim.Prim` in binary mode with its defaults: peeling by the
//! "lenient1" objective, pasting, minimum mass, the peeling-and-pasting trajectory of every box,
//! and acceptance of a box by a density threshold.
//!
//! Reproduced exactly from EMA's source: candidate limits by its `get_quantile` (sort; index
//! `(n − 1) q`; move the lower index down (q > 0.5) or the upper index up (q ≤ 0.5) past equal
//! values; the midpoint of the two values), the upper peel of each column before its lower
//! peel, columns in order, the best candidate by (objective, unrestricted columns) with the
//! first one winning ties, peeling while the new mass is at least `mass_min`, smaller than the
//! old one and the objective positive, pasting (over the restricted columns only, lower before
//! upper) while the mass grows, stays at least `mass_min`, the objective is positive and the
//! mean grows, and EMA's "dump box" when the final box misses the threshold.
//!
//! Not done: categorical and integer ("discrete peel") columns, EMA treats every column as
//! real here; the "lenient2" and "original" objectives; regression mode and the Guivarch
//! update; quasi-p-values and resampling statistics of boxes.

use serde::{Deserialize, Serialize};

use crate::gsa::{check_finite, GsaError, Matrix};

/// PRIM settings (EMA's names and defaults, except `threshold`, which EMA requires).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct PrimOptions {
    /// Density a box must reach to be accepted, in (0, 1] (EMA's `threshold`; 0.8 is common).
    pub threshold: f64,
    /// Fraction of a box's points a peel removes, in (0, 1) (`peel_alpha`, default 0.05).
    pub peel_alpha: f64,
    /// Fraction of points a paste adds, in (0, 1) (`paste_alpha`, default 0.05).
    pub paste_alpha: f64,
    /// Smallest mass (fraction of all points) a box may have, in [0, 1) (`mass_min`, default
    /// 0.05).
    pub mass_min: f64,
}

impl Default for PrimOptions {
    fn default() -> Self {
        PrimOptions { threshold: 0.8, peel_alpha: 0.05, paste_alpha: 0.05, mass_min: 0.05 }
    }
}

/// Limits of a box: points with `lower[j] <= x[j] <= upper[j]` for every column are inside.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Limits {
    /// Lower limit of each column.
    pub lower: Vec<f64>,
    /// Upper limit of each column.
    pub upper: Vec<f64>,
}

impl Limits {
    fn contains(&self, row: &[f64]) -> bool {
        row.iter().zip(self.lower.iter().zip(&self.upper)).all(|(x, (lo, hi))| lo <= x && x <= hi)
    }

    /// Number of columns whose limits differ from `init`'s (EMA's `res_dim`).
    pub fn restricted(&self, init: &Limits) -> usize {
        (0..self.lower.len()).filter(|&j| self.lower[j] != init.lower[j] || self.upper[j] != init.upper[j]).count()
    }
}

/// Statistics of one box on a peeling-and-pasting trajectory (a row of EMA's
/// `peeling_trajectory`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// Cases of interest in the box over all cases of interest in the data.
    pub coverage: f64,
    /// Cases of interest in the box over points in the box.
    pub density: f64,
    /// Mean outcome in the box (equal to the density for a 0/1 outcome).
    pub mean: f64,
    /// Number of restricted columns.
    pub res_dim: usize,
    /// Points in the box over all points.
    pub mass: f64,
    /// Points in the box.
    pub n: usize,
    /// Cases of interest in the box.
    pub k: usize,
}

/// One box found by [`Prim::find_box`]: its whole trajectory, of which one entry is selected
/// (the last one unless [`Prim::select`] chose another).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PrimBox {
    /// Statistics of each box on the trajectory; entry 0 is the initial box.
    pub trajectory: Vec<Step>,
    /// Limits of each box on the trajectory.
    pub limits: Vec<Limits>,
    /// Whether the box met the threshold; if not, this is EMA's "dump box" of all the
    /// remaining points, with a one-entry trajectory.
    pub accepted: bool,
    /// Index of the selected entry of the trajectory.
    pub selected: usize,
    /// Rows (indices into the data) inside the selected box, among the rows that remained
    /// when the box was found.
    pub members: Vec<usize>,
}

impl PrimBox {
    /// Statistics of the selected entry.
    pub fn stats(&self) -> &Step {
        &self.trajectory[self.selected]
    }

    /// Limits of the selected entry.
    pub fn box_limits(&self) -> &Limits {
        &self.limits[self.selected]
    }

    /// The entry an analyst would pick for a density `threshold`: the one with the highest
    /// coverage among those with density at least `threshold`, the earliest on ties.
    pub fn best_with_density(&self, threshold: f64) -> Option<usize> {
        let mut best: Option<usize> = None;
        for (i, s) in self.trajectory.iter().enumerate() {
            if s.density >= threshold && best.is_none_or(|b| s.coverage > self.trajectory[b].coverage) {
                best = Some(i);
            }
        }
        best
    }
}

/// A PRIM analysis of one data set: call [`Prim::find_box`] repeatedly; each box removes its
/// members from the data the next box is sought in.
#[derive(Clone, Debug)]
pub struct Prim {
    x: Matrix,
    y: Vec<bool>,
    options: PrimOptions,
    init: Limits,
    t_coi: usize,
    /// Rows remaining when the latest box was found (EMA's `yi_remaining` at that time).
    remaining: Vec<usize>,
    boxes: Vec<PrimBox>,
}

/// EMA's `get_quantile` (from sdtoolkit): see the module documentation.
fn get_quantile(data: &mut [f64], q: f64) -> f64 {
    data.sort_by(f64::total_cmp);
    let i = (data.len() - 1) as f64 * q;
    let (mut lo, mut hi) = (i.floor() as usize, i.ceil() as usize);
    if q > 0.5 {
        while data[lo] == data[hi] && lo > 0 {
            lo -= 1;
        }
    } else {
        while data[lo] == data[hi] && hi < data.len() - 1 {
            hi += 1;
        }
    }
    (data[lo] + data[hi]) / 2.0
}

/// The mean of a 0/1 outcome over `k` cases of `n` (EMA gives 0 for an empty set).
fn mean01(k: usize, n: usize) -> f64 {
    if n == 0 {
        0.0
    } else {
        k as f64 / n as f64
    }
}

/// EMA's "lenient1" objective: the gain in mean over the change in the number of points.
fn lenient1(k_old: usize, n_old: usize, k_new: usize, n_new: usize) -> f64 {
    let (m_old, m_new) = (mean01(k_old, n_old), mean01(k_new, n_new));
    if m_old == m_new || n_old == n_new {
        0.0
    } else {
        (m_new - m_old) / n_old.abs_diff(n_new) as f64
    }
}

struct Candidate {
    limits: Limits,
    indices: Vec<usize>,
    obj: f64,
    non_res: usize,
}

impl Prim {
    /// A PRIM analysis of inputs `x` (one row per case, every value finite) and outcomes `y`
    /// (one per row, with both outcomes present, as EMA requires in binary mode).
    pub fn new(x: Matrix, y: Vec<bool>, options: PrimOptions) -> Result<Prim, GsaError> {
        if x.rows() != y.len() {
            return Err(GsaError::Shape {
                what: "PRIM outcomes",
                expected: format!("one outcome per input row ({} rows)", x.rows()),
                found: format!("{} outcomes", y.len()),
            });
        }
        if x.cols() == 0 {
            return Err(GsaError::Shape { what: "PRIM inputs", expected: "at least one column".into(), found: "none".into() });
        }
        check_finite("PRIM inputs", x.data())?;
        let ones = y.iter().filter(|&&v| v).count();
        if ones == 0 || ones == y.len() {
            return Err(GsaError::Invalid {
                what: "PRIM outcomes",
                expected: "both 0 and 1 outcomes".into(),
                found: format!("{ones} ones among {} outcomes", y.len()),
            });
        }
        let unit = |what: &'static str, v: f64, ok: bool| {
            if ok {
                Ok(())
            } else {
                Err(GsaError::Invalid { what, expected: "a value in the range its documentation gives".into(), found: v.to_string() })
            }
        };
        let o = options;
        unit("PRIM threshold", o.threshold, o.threshold > 0.0 && o.threshold <= 1.0)?;
        unit("PRIM peel_alpha", o.peel_alpha, o.peel_alpha > 0.0 && o.peel_alpha < 1.0)?;
        unit("PRIM paste_alpha", o.paste_alpha, o.paste_alpha > 0.0 && o.paste_alpha < 1.0)?;
        unit("PRIM mass_min", o.mass_min, (0.0..1.0).contains(&o.mass_min))?;
        let m = x.cols();
        let mut init = Limits { lower: vec![f64::INFINITY; m], upper: vec![f64::NEG_INFINITY; m] };
        for i in 0..x.rows() {
            for (j, &v) in x.row(i).iter().enumerate() {
                init.lower[j] = init.lower[j].min(v);
                init.upper[j] = init.upper[j].max(v);
            }
        }
        let remaining = (0..y.len()).collect();
        Ok(Prim { x, y, options, init, t_coi: ones, remaining, boxes: Vec::new() })
    }

    /// The limits of the box holding all the data.
    pub fn initial_limits(&self) -> &Limits {
        &self.init
    }

    /// The boxes found so far.
    pub fn boxes(&self) -> &[PrimBox] {
        &self.boxes
    }

    fn coi(&self, indices: &[usize]) -> usize {
        indices.iter().filter(|&&i| self.y[i]).count()
    }

    fn step(&self, limits: &Limits, indices: &[usize]) -> Step {
        let k = self.coi(indices);
        let n = indices.len();
        Step {
            coverage: k as f64 / self.t_coi as f64,
            density: k as f64 / n as f64,
            mean: mean01(k, n),
            res_dim: limits.restricted(&self.init),
            mass: n as f64 / self.y.len() as f64,
            n,
            k,
        }
    }

    fn push(&self, b: &mut PrimBox, limits: Limits, indices: Vec<usize>) {
        b.trajectory.push(self.step(&limits, &indices));
        b.limits.push(limits);
        b.selected = b.trajectory.len() - 1;
        b.members = indices;
    }

    /// Picks the best candidate: the highest (objective, unrestricted columns), the first
    /// generated on ties (Python's stable reverse sort, as EMA).
    fn best(candidates: Vec<Candidate>) -> Option<Candidate> {
        let mut best: Option<Candidate> = None;
        for c in candidates {
            let better = match &best {
                None => true,
                Some(b) => c.obj > b.obj || (c.obj == b.obj && c.non_res > b.non_res),
            };
            if better {
                best = Some(c);
            }
        }
        best
    }

    fn candidate(&self, old: &[usize], limits: Limits, indices: Vec<usize>) -> Candidate {
        let obj = lenient1(self.coi(old), old.len(), self.coi(&indices), indices.len());
        let non_res = self.x.cols() - limits.restricted(&self.init);
        Candidate { limits, indices, obj, non_res }
    }

    fn peel(&self, b: &mut PrimBox) {
        let n_all = self.y.len() as f64;
        loop {
            let yi = b.members.clone();
            let cur = b.limits.last().expect("a box has its initial limits").clone();
            let mut candidates = Vec::with_capacity(2 * self.x.cols());
            let mut column = Vec::with_capacity(yi.len());
            for j in 0..self.x.cols() {
                for upper in [true, false] {
                    column.clear();
                    column.extend(yi.iter().map(|&i| self.x.get(i, j)));
                    let q = if upper { 1.0 - self.options.peel_alpha } else { self.options.peel_alpha };
                    let value = get_quantile(&mut column, q);
                    let mut limits = cur.clone();
                    let indices: Vec<usize> = if upper {
                        limits.upper[j] = value;
                        yi.iter().copied().filter(|&i| self.x.get(i, j) <= value).collect()
                    } else {
                        limits.lower[j] = value;
                        yi.iter().copied().filter(|&i| self.x.get(i, j) >= value).collect()
                    };
                    candidates.push(self.candidate(&yi, limits, indices));
                }
            }
            let Some(c) = Self::best(candidates) else { return };
            let (mass_old, mass_new) = (yi.len() as f64 / n_all, c.indices.len() as f64 / n_all);
            if mass_new >= self.options.mass_min && mass_new < mass_old && c.obj > 0.0 {
                self.push(b, c.limits, c.indices);
            } else {
                return;
            }
        }
    }

    fn paste(&self, b: &mut PrimBox) {
        let n_all = self.y.len() as f64;
        loop {
            let yi = b.members.clone();
            let cur = b.limits.last().expect("a box has its initial limits").clone();
            let restricted: Vec<usize> =
                (0..self.x.cols()).filter(|&j| cur.lower[j] != self.init.lower[j] || cur.upper[j] != self.init.upper[j]).collect();
            let mut candidates = Vec::with_capacity(2 * restricted.len());
            for &u in &restricted {
                for lower in [true, false] {
                    // The slab next to the box in column u, within the box in the other
                    // restricted columns; EMA checks only the restricted columns, which is the
                    // same as checking all since the others span all the data.
                    let mut slab = cur.clone();
                    if lower {
                        slab.lower[u] = self.init.lower[u];
                        slab.upper[u] = cur.lower[u];
                    } else {
                        slab.lower[u] = cur.upper[u];
                        slab.upper[u] = self.init.upper[u];
                    }
                    let mut data: Vec<f64> =
                        self.remaining.iter().filter(|&&i| slab.contains(self.x.row(i))).map(|&i| self.x.get(i, u)).collect();
                    let mut limits = cur.clone();
                    if lower {
                        limits.lower[u] =
                            if data.is_empty() { self.init.lower[u] } else { get_quantile(&mut data, 1.0 - self.options.paste_alpha) };
                    } else {
                        limits.upper[u] =
                            if data.is_empty() { self.init.upper[u] } else { get_quantile(&mut data, self.options.paste_alpha) };
                    }
                    let indices: Vec<usize> = self.remaining.iter().copied().filter(|&i| limits.contains(self.x.row(i))).collect();
                    candidates.push(self.candidate(&yi, limits, indices));
                }
            }
            let Some(c) = Self::best(candidates) else { return };
            let (mass_old, mass_new) = (yi.len() as f64 / n_all, c.indices.len() as f64 / n_all);
            let mean_old = mean01(self.coi(&yi), yi.len());
            let mean_new = if c.indices.is_empty() { f64::NAN } else { mean01(self.coi(&c.indices), c.indices.len()) };
            if mass_new >= self.options.mass_min && mass_new > mass_old && c.obj > 0.0 && mean_new > mean_old {
                self.push(b, c.limits, c.indices);
            } else {
                return;
            }
        }
    }

    /// Finds the next box in the rows not in earlier boxes (EMA's `find_box`): peels, pastes,
    /// and keeps the box if its mean reaches the threshold, else records a dump box of all the
    /// remaining rows. Returns `None` when no rows remain.
    pub fn find_box(&mut self) -> Option<&PrimBox> {
        let mut taken = vec![false; self.y.len()];
        for b in &self.boxes {
            for &i in &b.members {
                taken[i] = true;
            }
        }
        self.remaining = (0..self.y.len()).filter(|&i| !taken[i]).collect();
        if self.remaining.is_empty() {
            return None;
        }
        let fresh = |p: &Prim| {
            let mut b = PrimBox { trajectory: Vec::new(), limits: Vec::new(), accepted: true, selected: 0, members: Vec::new() };
            p.push(&mut b, p.init.clone(), p.remaining.clone());
            b
        };
        let mut b = fresh(self);
        self.peel(&mut b);
        self.paste(&mut b);
        if b.stats().mean < self.options.threshold {
            b = fresh(self);
            b.accepted = false;
        }
        self.boxes.push(b);
        self.boxes.last()
    }

    /// Selects entry `i` of the latest box's trajectory (EMA's `PrimBox.select`): its members
    /// become the remaining rows inside those limits, and they are what the next box excludes.
    /// Earlier boxes are frozen, as in EMA.
    pub fn select(&mut self, i: usize) -> Result<&PrimBox, GsaError> {
        let Some(b) = self.boxes.last() else {
            return Err(GsaError::Invalid { what: "PRIM selection", expected: "a box found first".into(), found: "no box".into() });
        };
        if i >= b.limits.len() {
            return Err(GsaError::Invalid {
                what: "PRIM selection",
                expected: format!("a trajectory index below {}", b.limits.len()),
                found: i.to_string(),
            });
        }
        let members: Vec<usize> = self.remaining.iter().copied().filter(|&r| b.limits[i].contains(self.x.row(r))).collect();
        let b = self.boxes.last_mut().expect("checked above");
        b.selected = i;
        b.members = members;
        Ok(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_follow_sdtoolkit() {
        // Upper quantiles step down past ties, lower ones step up, and the limit is a midpoint.
        assert_eq!(get_quantile(&mut [1.0, 2.0, 3.0, 4.0, 5.0], 0.95), 4.5);
        assert_eq!(get_quantile(&mut [5.0, 4.0, 3.0, 2.0, 1.0], 0.05), 1.5);
        assert_eq!(get_quantile(&mut [1.0, 2.0, 2.0, 2.0, 2.0], 0.95), 1.5);
        assert_eq!(get_quantile(&mut [1.0, 1.0, 1.0, 1.0, 2.0], 0.05), 1.5);
        assert_eq!(get_quantile(&mut [3.0, 3.0], 0.05), 3.0);
    }

    #[test]
    fn finds_a_planted_box() {
        // A 20 × 20 grid with the outcome 1 exactly where x0 > 0.7 and x1 < 0.3.
        let mut rows = Vec::new();
        let mut y = Vec::new();
        for a in 0..20 {
            for b in 0..20 {
                let (x0, x1) = (a as f64 / 19.0, b as f64 / 19.0);
                rows.push(vec![x0, x1]);
                y.push(x0 > 0.7 && x1 < 0.3);
            }
        }
        let mut prim = Prim::new(Matrix::from_rows(&rows).unwrap(), y, PrimOptions::default()).unwrap();
        let b = prim.find_box().unwrap().clone();
        assert!(b.accepted);
        assert_eq!((b.stats().density, b.stats().coverage), (1.0, 1.0));
        assert!(b.box_limits().lower[0] > 0.68 && b.box_limits().upper[1] < 0.32);
        assert_eq!(b.best_with_density(1.0), Some(b.trajectory.len() - 1));
    }

    #[test]
    fn bad_input_is_an_error() {
        let x = Matrix::from_rows(&[vec![0.0], vec![1.0]]).unwrap();
        assert!(Prim::new(x.clone(), vec![true], PrimOptions::default()).is_err());
        assert!(Prim::new(x.clone(), vec![true, true], PrimOptions::default()).is_err());
        let bad = PrimOptions { peel_alpha: 0.0, ..PrimOptions::default() };
        assert!(Prim::new(x, vec![true, false], bad).is_err());
    }
}
