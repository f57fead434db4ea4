//! Utility functions over an outcome space: linear-additive, hyper-rectangle, tabular (a value
//! per outcome of a discrete space), and a party's preferences (utility, reservation value,
//! discount).
//!
//! Long file: the kinds of utility function share evaluation, bounds and normalisation; a fifth is
//! tests.

use std::sync::Arc;

use crate::error::{Error, ErrorKind};
use crate::issue::{Issue, IssueKind, Value};
use crate::space::OutcomeSpace;

/// How one issue's value turns into a number before it is weighted.
#[derive(Clone, Debug, PartialEq)]
pub enum ValueFunction {
    /// One number per value of a discrete issue, by value position.
    Table(Vec<f64>),
    /// `slope * (x - origin) + offset` on the value's number, clamped to `[0, 1]` when `clamp`.
    ///
    /// GENIUS integer evaluators use `origin = lowerbound` and clamp; GENIUS real evaluators use
    /// `origin = 0` and clamp; NegMAS reads both as `origin = 0` without clamping.
    Linear {
        /// Value at `x = origin`.
        offset: f64,
        /// Change per unit of `x`.
        slope: f64,
        /// Where `x` is measured from.
        origin: f64,
        /// Clamp the result to `[0, 1]`.
        clamp: bool,
    },
    /// GENIUS's triangular evaluator: 0 outside `[lo, hi)`, rising linearly to 1 at `top`, then
    /// falling back to 0 at `hi`.
    Triangular {
        /// Start of the support.
        lo: f64,
        /// End of the support (exclusive).
        hi: f64,
        /// Where the value is 1.
        top: f64,
    },
    /// The same number for every value.
    Constant(f64),
    /// GeniusWeb's `NumberValueSetUtilities`: linear from `(low_value, low_utility)` to
    /// `(high_value, high_utility)`, 0 outside, rounded half-up to 8 decimals.
    Interpolated {
        /// Lower end of the support.
        low_value: f64,
        /// Utility at `low_value`.
        low_utility: f64,
        /// Upper end of the support.
        high_value: f64,
        /// Utility at `high_value`.
        high_utility: f64,
    },
}

impl ValueFunction {
    /// Evaluates the function at a value of `issue`. Values the function cannot read give NaN.
    pub fn eval(&self, issue: &Issue, value: Value) -> f64 {
        match self {
            ValueFunction::Table(t) => match value {
                Value::Index(i) => t.get(i as usize).copied().unwrap_or(f64::NAN),
                Value::Real(_) => f64::NAN,
            },
            ValueFunction::Constant(c) => *c,
            _ => match issue.numeric(value) {
                Some(x) => self.eval_number(x),
                None => f64::NAN,
            },
        }
    }

    /// Evaluates a numeric value function at `x` (tables give NaN).
    pub fn eval_number(&self, x: f64) -> f64 {
        match *self {
            ValueFunction::Table(_) => f64::NAN,
            ValueFunction::Constant(c) => c,
            ValueFunction::Linear { offset, slope, origin, clamp } => {
                let y = slope * (x - origin) + offset;
                if clamp {
                    y.clamp(0.0, 1.0)
                } else {
                    y
                }
            }
            ValueFunction::Triangular { lo, hi, top } => {
                if x < lo || x >= hi {
                    0.0
                } else if x <= top {
                    if top > lo {
                        (x - lo) / (top - lo)
                    } else {
                        1.0
                    }
                } else {
                    (hi - x) / (hi - top)
                }
            }
            ValueFunction::Interpolated { low_value, low_utility, high_value, high_utility } => {
                if x < low_value || x > high_value {
                    return 0.0;
                }
                let y = low_utility + (x - low_value) * (high_utility - low_utility) / (high_value - low_value);
                (y * 1e8 + 0.5).floor() / 1e8
            }
        }
    }

    /// Smallest and largest value over a real interval (exact for every variant).
    fn minmax_on_interval(&self, lo: f64, hi: f64) -> (f64, f64) {
        let mut points = vec![lo, hi];
        match *self {
            ValueFunction::Triangular { lo: a, hi: b, top } => {
                points.extend([a, top, b].into_iter().filter(|x| *x >= lo && *x <= hi));
                // Just below `b` the function approaches 0 from above; `b` itself gives 0.
            }
            ValueFunction::Interpolated { low_value, high_value, .. } => {
                points.extend([low_value, high_value].into_iter().filter(|x| *x >= lo && *x <= hi));
                if lo < low_value || hi > high_value {
                    points.push(f64::NAN); // marks "0 is reachable"
                }
            }
            _ => {}
        }
        let mut mn = f64::INFINITY;
        let mut mx = f64::NEG_INFINITY;
        for p in points {
            let y = if p.is_nan() { 0.0 } else { self.eval_number(p) };
            mn = mn.min(y);
            mx = mx.max(y);
        }
        (mn, mx)
    }

    fn check(&self, issue: &Issue) -> Result<(), Error> {
        let name = issue.name();
        let finite = |what: &str, x: f64| {
            if x.is_finite() {
                Ok(())
            } else {
                Err(Error::new(ErrorKind::NotFinite(format!("issue {name:?}: {what}"))))
            }
        };
        match self {
            ValueFunction::Table(t) => {
                let n = issue.cardinality().ok_or_else(|| {
                    Error::new(ErrorKind::UtilityMismatch(format!("issue {name:?} is real-valued but has a table of values")))
                })?;
                if t.len() as u64 != n {
                    return Err(Error::new(ErrorKind::UtilityMismatch(format!(
                        "issue {name:?} has {n} values but its table has {}",
                        t.len()
                    ))));
                }
                for (k, x) in t.iter().enumerate() {
                    finite(&format!("utility of value #{k}"), *x)?;
                }
            }
            ValueFunction::Constant(c) => finite("constant", *c)?,
            ValueFunction::Linear { offset, slope, origin, .. } => {
                finite("offset", *offset)?;
                finite("slope", *slope)?;
                finite("origin", *origin)?;
            }
            ValueFunction::Triangular { lo, hi, top } => {
                finite("lower", *lo)?;
                finite("upper", *hi)?;
                finite("top", *top)?;
                if !(lo <= top && top <= hi) {
                    return Err(Error::new(ErrorKind::UtilityMismatch(format!(
                        "issue {name:?}: triangular evaluator needs lower <= top <= upper"
                    ))));
                }
            }
            ValueFunction::Interpolated { low_value, low_utility, high_value, high_utility } => {
                for (w, x) in
                    [("lowValue", low_value), ("lowUtility", low_utility), ("highValue", high_value), ("highUtility", high_utility)]
                {
                    finite(w, *x)?;
                }
                if high_value <= low_value {
                    return Err(Error::new(ErrorKind::UtilityMismatch(format!("issue {name:?}: highValue must be greater than lowValue"))));
                }
            }
        }
        Ok(())
    }
}

/// Issues with more values than this are not tabulated by [`LinearAdditive`]: their terms are
/// computed on demand (about 8 MB per table at the limit).
pub const TABULATED_VALUES: u64 = 1 << 20;

/// The terms of an issue too large to tabulate: `((weight * f(v)) * scales[0]) * scales[1] ...`,
/// exactly what the table would have held after the same [`LinearAdditive::affine`] maps.
#[derive(Clone, Debug, PartialEq)]
struct LazyTerms {
    weight: f64,
    scales: Vec<f64>,
}

/// A linear-additive utility: `u(x) = bias + w_0 f_0(x_0) + w_1 f_1(x_1) + ...`.
///
/// The sum is taken left to right in issue order, starting from `bias`, in `f64` without fused
/// multiply-add, so that utilities equal GENIUS's and NegMAS's to the last bit. For discrete
/// issues the products `w_i f_i(v)` are precomputed per value.
///
/// Issues with more than [`TABULATED_VALUES`] values (an integer range `0..2*10^9`) are never
/// tabulated: their terms are computed from the value's position when needed, by the same
/// operations in the same order as the table would hold them, so results are bit-identical.
///
/// Invariant: one weight and one value function per issue of the space it was built for; all
/// finite. Weights may be negative only where the caller chose to allow it (readers reject them).
#[derive(Clone, Debug, PartialEq)]
pub struct LinearAdditive {
    bias: f64,
    weights: Vec<f64>,
    values: Vec<ValueFunction>,
    /// `w_i * f_i(v)` per value of each discrete issue with at most [`TABULATED_VALUES`] values;
    /// empty for real issues and for larger issues, whose terms are computed on demand.
    terms: Vec<Vec<f64>>,
    /// For an issue whose terms are computed on demand: how (`None` for tabulated and real issues).
    lazy: Vec<Option<LazyTerms>>,
    /// Issue descriptions, for evaluating numeric value functions on real values.
    issues: Vec<Issue>,
    /// Cap the total at this value (GENIUS caps additive utilities at 1).
    cap: Option<f64>,
}

impl LinearAdditive {
    /// Builds the function for `space`, checking that weights and value functions fit it.
    pub fn new(space: &OutcomeSpace, bias: f64, weights: Vec<f64>, values: Vec<ValueFunction>) -> Result<LinearAdditive, Error> {
        LinearAdditive::with_tabulation_limit(space, bias, weights, values, TABULATED_VALUES)
    }

    /// [`LinearAdditive::new`] with another bound on the values tabulated per issue (issues with
    /// more values have their terms computed on demand). Results do not depend on the bound.
    pub fn with_tabulation_limit(
        space: &OutcomeSpace,
        bias: f64,
        weights: Vec<f64>,
        values: Vec<ValueFunction>,
        tabulate: u64,
    ) -> Result<LinearAdditive, Error> {
        let issues = space.issues();
        if weights.len() != issues.len() || values.len() != issues.len() {
            return Err(Error::new(ErrorKind::UtilityMismatch(format!(
                "{} issues but {} weights and {} value functions",
                issues.len(),
                weights.len(),
                values.len()
            ))));
        }
        if !bias.is_finite() {
            return Err(Error::new(ErrorKind::NotFinite("bias".into())));
        }
        let mut terms = Vec::with_capacity(issues.len());
        let mut lazy = Vec::with_capacity(issues.len());
        for ((issue, w), f) in issues.iter().zip(&weights).zip(&values) {
            if !w.is_finite() {
                return Err(Error::new(ErrorKind::NotFinite(format!("weight of issue {:?}", issue.name()))));
            }
            f.check(issue)?;
            // Small discrete issues are tabulated; larger ones (an integer range 0..2*10^9 would
            // be a 16 GB table) are computed from the value's position when needed.
            let (t, l) = match issue.cardinality() {
                Some(n) if n <= tabulate => ((0..n).map(|v| w * f.eval(issue, Value::Index(v as u32))).collect(), None),
                Some(_) => (Vec::new(), Some(LazyTerms { weight: *w, scales: Vec::new() })),
                None => (Vec::new(), None),
            };
            terms.push(t);
            lazy.push(l);
        }
        let f = LinearAdditive { bias, weights, values, terms, lazy, issues: issues.to_vec(), cap: None };
        // Finite weights and values can still overflow (a weight of 1e308 times 320).
        let (lo, hi) = f.minmax();
        if !(lo.is_finite() && hi.is_finite()) {
            return Err(Error::new(ErrorKind::NotFinite(format!("utilities: weights times values overflow (from {lo} to {hi})"))));
        }
        Ok(f)
    }

    /// The same function with its total capped at `cap` (GENIUS's `min(1, u)`).
    pub fn with_cap(mut self, cap: Option<f64>) -> LinearAdditive {
        self.cap = cap;
        self
    }

    /// The constant term.
    pub fn bias(&self) -> f64 {
        self.bias
    }

    /// The issue weights, in issue order.
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// The value functions, in issue order.
    pub fn values(&self) -> &[ValueFunction] {
        &self.values
    }

    /// The cap on the total, if any.
    pub fn cap(&self) -> Option<f64> {
        self.cap
    }

    /// `w_i f_i(v)` for every value of discrete issue `i`: empty for a real issue and for an
    /// issue too large to tabulate ([`LinearAdditive::is_tabulated`]; use
    /// [`LinearAdditive::term_at`]).
    pub fn terms(&self, issue: usize) -> &[f64] {
        &self.terms[issue]
    }

    /// True when issue `i`'s terms are held in a table ([`LinearAdditive::terms`]); false for
    /// real issues and issues with more than the tabulation limit's values.
    pub fn is_tabulated(&self, issue: usize) -> bool {
        self.lazy[issue].is_none() && self.issues[issue].is_discrete()
    }

    /// `w_i f_i(v)` for value position `v` of discrete issue `i`, tabulated or not (NaN for a
    /// position out of range or a real issue).
    #[inline]
    pub fn term_at(&self, issue: usize, v: u32) -> f64 {
        match &self.lazy[issue] {
            None => self.terms[issue].get(v as usize).copied().unwrap_or(f64::NAN),
            Some(l) => {
                let is = &self.issues[issue];
                if !is.contains(Value::Index(v)) {
                    return f64::NAN;
                }
                let mut t = l.weight * self.values[issue].eval(is, Value::Index(v));
                for s in &l.scales {
                    t *= s;
                }
                t
            }
        }
    }

    /// The weighted contribution of one value of issue `i`.
    #[inline]
    pub fn term(&self, issue: usize, value: Value) -> f64 {
        match value {
            Value::Index(v) => self.term_at(issue, v),
            Value::Real(x) => self.weights[issue] * self.values[issue].eval_number(x),
        }
    }

    /// For an integer or number issue: value positions, sorted, such that between two
    /// consecutive ones the issue's term is monotone (weakly increasing or decreasing) in the
    /// position. They include the first and last position. `None` for a categorical or real
    /// issue, or where the value function is a table (no such structure).
    ///
    /// Every value function but a table is monotone between its breakpoints (a linear function,
    /// clamped or not; the sides of a triangle; an interpolation and the zeros outside it), and
    /// each floating-point step (`x - origin`, a product, a sum, a clamp, rounding) is monotone,
    /// so the computed terms are monotone too.
    pub fn monotone_cuts(&self, issue: usize) -> Option<Vec<u64>> {
        let is = &self.issues[issue];
        let n = is.cardinality()?;
        let x0 = is.numeric(Value::Index(0))?;
        let breaks: Vec<f64> = match self.values[issue] {
            ValueFunction::Table(_) => return None,
            ValueFunction::Constant(_) | ValueFunction::Linear { .. } => Vec::new(),
            ValueFunction::Triangular { lo, hi, top } => vec![lo, top, hi],
            ValueFunction::Interpolated { low_value, high_value, .. } => vec![low_value, high_value],
        };
        let mut cuts = vec![0, n - 1];
        match is.kind() {
            IssueKind::Integer { .. } => {
                for b in breaks {
                    let q = b - x0;
                    for k in [q.floor(), q.ceil()] {
                        if k > 0.0 && k < (n - 1) as f64 {
                            cuts.push(k as u64);
                        }
                    }
                }
            }
            IssueKind::Number(values) => {
                for b in breaks {
                    // The last value below `b` and the first at or above it.
                    let k = values.partition_point(|x| *x < b) as u64;
                    cuts.extend([k.saturating_sub(1), k.min(n - 1)]);
                    let k = values.partition_point(|x| *x <= b) as u64;
                    cuts.extend([k.saturating_sub(1), k.min(n - 1)]);
                }
            }
            // Categorical values have no numbers: only a table (handled above) reads them.
            _ => return None,
        }
        cuts.sort_unstable();
        cuts.dedup();
        Some(cuts)
    }

    /// Applies the cap, if any.
    #[inline]
    pub fn finish(&self, u: f64) -> f64 {
        match self.cap {
            Some(c) if u > c => c,
            _ => u,
        }
    }

    /// Utility of an outcome.
    #[inline]
    pub fn eval(&self, outcome: &[Value]) -> f64 {
        let mut u = self.bias;
        for (i, v) in outcome.iter().enumerate() {
            u += self.term(i, *v);
        }
        self.finish(u)
    }

    /// Utility of a discrete outcome given by value positions.
    #[inline]
    pub fn eval_digits(&self, digits: &[u32]) -> f64 {
        let mut u = self.bias;
        for (i, (t, d)) in self.terms.iter().zip(digits).enumerate() {
            u += match t.get(*d as usize) {
                Some(x) => *x,
                None => self.term_at(i, *d),
            };
        }
        self.finish(u)
    }

    /// Lowest and highest utility over the whole space, without enumerating it: the per-issue
    /// extremes summed in issue order (exact, since rounding is monotone).
    pub fn minmax(&self) -> (f64, f64) {
        let mut lo = self.bias;
        let mut hi = self.bias;
        for (i, t) in self.terms.iter().enumerate() {
            let (a, b) = if t.is_empty() && self.lazy[i].is_none() {
                let IssueKind::Real { lo: x0, hi: x1 } = self.issues[i].kind() else {
                    continue;
                };
                let (f0, f1) = self.values[i].minmax_on_interval(*x0, *x1);
                let w = self.weights[i];
                if w >= 0.0 {
                    (w * f0, w * f1)
                } else {
                    (w * f1, w * f0)
                }
            } else if !t.is_empty() {
                t.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(*x), b.max(*x)))
            } else {
                self.lazy_minmax(i)
            };
            lo += a;
            hi += b;
        }
        (self.finish(lo), self.finish(hi))
    }

    /// Multiplies every term by `scale` and maps the bias to `scale * bias + shift`, so that the
    /// function becomes `scale * u + shift` (up to rounding). The cap, if any, is dropped.
    pub fn affine(&self, scale: f64, shift: f64) -> LinearAdditive {
        let mut out = self.clone();
        out.bias = scale * self.bias + shift;
        out.weights = self.weights.iter().map(|w| w * scale).collect();
        out.terms = self.terms.iter().map(|t| t.iter().map(|x| x * scale).collect()).collect();
        for l in out.lazy.iter_mut().flatten() {
            l.scales.push(scale);
        }
        out.cap = None;
        out
    }

    /// Lowest and highest term of an issue that is not tabulated: over the positions around
    /// its monotone pieces' ends, or over its table value function.
    fn lazy_minmax(&self, i: usize) -> (f64, f64) {
        let n = self.issues[i].cardinality().unwrap_or(0);
        let fold = |(a, b): (f64, f64), x: f64| (a.min(x), b.max(x));
        let start = (f64::INFINITY, f64::NEG_INFINITY);
        match self.monotone_cuts(i) {
            Some(cuts) => cuts
                .iter()
                .flat_map(|c| [c.saturating_sub(1), *c, c + 1])
                .filter(|k| *k < n)
                .map(|k| self.term_at(i, k as u32))
                .fold(start, fold),
            None => (0..n).map(|k| self.term_at(i, k as u32)).fold(start, fold),
        }
    }
}

/// How a group of hyper-rectangles combines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aggregation {
    /// Sum of the members' values.
    Sum,
    /// Smallest member value (a rectangle that does not cover the outcome counts as 0).
    Min,
    /// Largest member value (a rectangle that does not cover the outcome counts as 0).
    Max,
}

/// One constraint of a hyper-rectangle: issue `issue`'s number lies in `[min, max]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Bound {
    /// Position of the issue in the space.
    pub issue: usize,
    /// Lower end, inclusive.
    pub min: f64,
    /// Upper end, inclusive.
    pub max: f64,
}

/// One hyper-rectangle. An inclusive rectangle is worth `weight * utility` when the outcome
/// satisfies every bound (an empty list covers everything); an exclusive one (GENIUS `EXCLUDES`)
/// when the outcome violates at least one bound. Otherwise it is worth 0.
#[derive(Clone, Debug, PartialEq)]
pub struct Rectangle {
    /// The bounds.
    pub bounds: Vec<Bound>,
    /// Utility when it applies.
    pub utility: f64,
    /// Weight of this rectangle.
    pub weight: f64,
    /// True for an exclusive rectangle.
    pub exclusive: bool,
}

/// A GENIUS `<ufun>`: rectangles and nested groups combined by an aggregation. A nested group
/// contributes its value times its weight.
#[derive(Clone, Debug, PartialEq)]
pub struct RectangleGroup {
    /// How members combine.
    pub aggregation: Aggregation,
    /// Weight applied when this group is nested in another.
    pub weight: f64,
    /// The rectangles.
    pub rectangles: Vec<Rectangle>,
    /// Nested groups.
    pub groups: Vec<RectangleGroup>,
}

/// The ANAC-2014 constraint-based (non-linear) utility: a tree of rectangle groups, mapped to
/// `min(cap, scale * ((bias + root) / divisor) + shift)`.
///
/// GENIUS (`NonlinearUtilitySpace`) divides by `maxutility` and caps at 1; NegMAS sums
/// `bias + weight * utility` over the rectangles that contain the outcome, where "contain" means
/// strictly inside every bound ([`HyperRectangles::with_open_bounds`]).
#[derive(Clone, Debug, PartialEq)]
pub struct HyperRectangles {
    root: RectangleGroup,
    bias: f64,
    scale: f64,
    shift: f64,
    cap: Option<f64>,
    /// The number behind each value position of each discrete issue but integer ranges.
    numbers: Vec<Vec<f64>>,
    /// Each integer issue's `(lo, hi)`: its numbers are `lo + position`.
    integers: Vec<Option<(i64, i64)>>,
    /// Bounds are open (`min < x < max`, NegMAS) rather than closed (GENIUS).
    open_bounds: bool,
    /// GENIUS divides by `maxutility` (a division, not a multiplication by its inverse, so that
    /// the last bit agrees).
    divisor: f64,
}

impl RectangleGroup {
    fn check(&self, m: usize) -> Result<(), Error> {
        if !self.weight.is_finite() {
            return Err(Error::new(ErrorKind::NotFinite("ufun weight".into())));
        }
        for (k, r) in self.rectangles.iter().enumerate() {
            if !(r.utility.is_finite() && r.weight.is_finite()) {
                return Err(Error::new(ErrorKind::NotFinite(format!("hyperRectangle #{} utility or weight", k + 1))));
            }
            for b in &r.bounds {
                if b.issue >= m {
                    return Err(Error::new(ErrorKind::UtilityMismatch(format!(
                        "hyperRectangle #{} names issue index {} but the space has {m} issues",
                        k + 1,
                        b.issue + 1
                    ))));
                }
                if !(b.min.is_finite() && b.max.is_finite()) {
                    return Err(Error::new(ErrorKind::NotFinite(format!("hyperRectangle #{} bound", k + 1))));
                }
            }
        }
        self.groups.iter().try_for_each(|g| g.check(m))
    }

    fn eval(&self, covers: &impl Fn(&Rectangle) -> bool) -> f64 {
        let mut acc = match self.aggregation {
            Aggregation::Sum => 0.0,
            Aggregation::Min => f64::from(i32::MAX),
            Aggregation::Max => -f64::from(i32::MAX),
        };
        let members = self
            .rectangles
            .iter()
            .map(|r| if covers(r) != r.exclusive { r.utility * r.weight } else { 0.0 })
            .chain(self.groups.iter().map(|g| g.eval(covers) * g.weight));
        for x in members {
            acc = match self.aggregation {
                Aggregation::Sum => acc + x,
                Aggregation::Min => acc.min(x),
                Aggregation::Max => acc.max(x),
            };
        }
        acc
    }
}

impl HyperRectangles {
    /// Builds the function, checking every bound names an issue of `space`.
    pub fn new(space: &OutcomeSpace, root: RectangleGroup, bias: f64, scale: f64, cap: Option<f64>) -> Result<HyperRectangles, Error> {
        root.check(space.issues().len())?;
        if !(bias.is_finite() && scale.is_finite()) {
            return Err(Error::new(ErrorKind::NotFinite("bias or scale".into())));
        }
        // Integer issues' numbers are computed from the position (a range 0..2*10^9 is not
        // listed); other discrete issues' are listed.
        let numbers = space
            .issues()
            .iter()
            .map(|issue| match (issue.kind(), issue.cardinality()) {
                (IssueKind::Integer { .. }, _) => Vec::new(),
                (_, Some(n)) => (0..n).map(|v| issue.numeric(Value::Index(v as u32)).unwrap_or(v as f64)).collect(),
                (_, None) => Vec::new(),
            })
            .collect();
        let integers = space
            .issues()
            .iter()
            .map(|issue| match issue.kind() {
                IssueKind::Integer { lo, hi } => Some((*lo, *hi)),
                _ => None,
            })
            .collect();
        Ok(HyperRectangles { root, bias, scale, shift: 0.0, cap, numbers, integers, open_bounds: false, divisor: 1.0 })
    }

    /// The same function with every bound open, `min < x < max`, as NegMAS 0.16 tests them
    /// (`outcome_in_range`); GENIUS's bounds are closed, `min <= x <= max`.
    pub fn with_open_bounds(mut self) -> HyperRectangles {
        self.open_bounds = true;
        self
    }

    /// The same function divided by `divisor` before scaling: `scale * ((bias + root) / divisor)`
    /// (GENIUS's `maxutility`). Fails unless `divisor` is finite and positive.
    pub fn divided_by(mut self, divisor: f64) -> Result<HyperRectangles, Error> {
        if !(divisor.is_finite() && divisor > 0.0) {
            return Err(Error::new(ErrorKind::NotFinite(format!(
                "the divisor {divisor} of a hyper-rectangle utility (it must be positive)"
            ))));
        }
        self.divisor = divisor;
        Ok(self)
    }

    /// What the sum is divided by before scaling (1 unless [`HyperRectangles::divided_by`]).
    pub fn divisor(&self) -> f64 {
        self.divisor
    }

    /// True when bounds are open (`min < x < max`, NegMAS), false when closed (GENIUS).
    pub fn open_bounds(&self) -> bool {
        self.open_bounds
    }

    /// The root group.
    pub fn root(&self) -> &RectangleGroup {
        &self.root
    }

    /// The constant added to the root's value before scaling.
    pub fn bias(&self) -> f64 {
        self.bias
    }

    /// The factor applied after the bias.
    pub fn scale(&self) -> f64 {
        self.scale
    }

    /// The cap on the result, if any.
    pub fn cap(&self) -> Option<f64> {
        self.cap
    }

    fn number(&self, issue: usize, v: Value) -> f64 {
        match v {
            Value::Index(i) => match self.integers[issue] {
                Some((lo, hi)) => lo.checked_add(i64::from(i)).filter(|x| *x <= hi).map_or(f64::NAN, |x| x as f64),
                None => self.numbers[issue].get(i as usize).copied().unwrap_or(f64::NAN),
            },
            Value::Real(x) => x,
        }
    }

    /// Utility of an outcome.
    pub fn eval(&self, outcome: &[Value]) -> f64 {
        let covers = |r: &Rectangle| {
            r.bounds.iter().all(|b| {
                let x = self.number(b.issue, outcome[b.issue]);
                if self.open_bounds {
                    b.min < x && x < b.max
                } else {
                    b.min <= x && x <= b.max
                }
            })
        };
        let u = self.scale * ((self.bias + self.root.eval(&covers)) / self.divisor) + self.shift;
        match self.cap {
            Some(c) if u > c => c,
            _ => u,
        }
    }

    /// The function `scale * u + shift` (the cap, if any, is dropped).
    pub fn affine(&self, scale: f64, shift: f64) -> HyperRectangles {
        let mut out = self.clone();
        out.scale = self.scale * scale;
        out.shift = self.shift * scale + shift;
        out.cap = None;
        out
    }
}

/// A utility given outcome by outcome over a discrete space (NegMAS's `MappingUtilityFunction`
/// for a whole space): the value of outcome `k` (its mixed-radix index) is `values[k]`. For
/// valuations no formula expresses, e.g. a model's credibility-discounted value of each package.
///
/// A value may be `-inf` (an outcome the holder cannot accept at all); analytics leave
/// non-finite utilities out of the frontier. Cloning shares the values.
#[derive(Clone, Debug, PartialEq)]
pub struct TableUtility {
    radices: Arc<[u64]>,
    values: Arc<[f64]>,
}

impl TableUtility {
    /// The utility with `values[k]` for outcome `k` of the discrete `space`. Fails when the
    /// space is not discrete, when the number of values is not its cardinality, or on a NaN.
    pub fn new(space: &OutcomeSpace, values: impl Into<Arc<[f64]>>) -> Result<TableUtility, Error> {
        let values: Arc<[f64]> = values.into();
        let n = space
            .cardinality()
            .ok_or_else(|| Error::new(ErrorKind::UtilityMismatch("a table utility needs a discrete outcome space".into())))?;
        if n != values.len() as u128 {
            return Err(Error::new(ErrorKind::UtilityMismatch(format!(
                "a table utility over {n} outcomes needs {n} values, found {}",
                values.len()
            ))));
        }
        if values.iter().any(|v| v.is_nan()) {
            return Err(Error::new(ErrorKind::NotFinite("a table utility's value".into())));
        }
        let radices = space.radices().iter().map(|r| r.unwrap_or(1)).collect();
        Ok(TableUtility { radices, values })
    }

    /// The utility with other `values` over the same space. Fails on a wrong number of values
    /// or a NaN.
    pub fn with_values(&self, values: impl Into<Arc<[f64]>>) -> Result<TableUtility, Error> {
        let values: Arc<[f64]> = values.into();
        if values.len() != self.values.len() {
            return Err(Error::new(ErrorKind::UtilityMismatch(format!(
                "a table utility over {} outcomes needs {} values, found {}",
                self.values.len(),
                self.values.len(),
                values.len()
            ))));
        }
        if values.iter().any(|v| v.is_nan()) {
            return Err(Error::new(ErrorKind::NotFinite("a table utility's value".into())));
        }
        Ok(TableUtility { radices: Arc::clone(&self.radices), values })
    }

    /// The values, by outcome index.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// The values, shared (cloning the `Arc` copies nothing).
    pub fn shared_values(&self) -> &Arc<[f64]> {
        &self.values
    }

    /// Utility of an outcome; NaN when the outcome does not fit the space the table was made
    /// for (wrong length, a real value, an index out of range).
    pub fn eval(&self, outcome: &[Value]) -> f64 {
        if outcome.len() != self.radices.len() {
            return f64::NAN;
        }
        let mut k: u64 = 0;
        for (v, r) in outcome.iter().zip(self.radices.iter()) {
            match v {
                Value::Index(i) if u64::from(*i) < *r => k = k * r + u64::from(*i),
                _ => return f64::NAN,
            }
        }
        self.values.get(k as usize).copied().unwrap_or(f64::NAN)
    }

    /// The function `scale * u + shift` (infinite values stay infinite when `scale > 0`).
    pub fn affine(&self, scale: f64, shift: f64) -> TableUtility {
        TableUtility { radices: Arc::clone(&self.radices), values: self.values.iter().map(|v| scale * v + shift).collect() }
    }
}

/// Any utility function the engine evaluates.
#[derive(Clone, Debug, PartialEq)]
pub enum UtilityFunction {
    /// Linear-additive (GENIUS, GeniusWeb, NegMAS).
    LinearAdditive(LinearAdditive),
    /// ANAC-2014 constraint-based hyper-rectangles.
    HyperRectangles(HyperRectangles),
    /// A value per outcome of a discrete space.
    Table(TableUtility),
}

impl UtilityFunction {
    /// Utility of an outcome (undiscounted).
    #[inline]
    pub fn eval(&self, outcome: &[Value]) -> f64 {
        match self {
            UtilityFunction::LinearAdditive(f) => f.eval(outcome),
            UtilityFunction::HyperRectangles(f) => f.eval(outcome),
            UtilityFunction::Table(f) => f.eval(outcome),
        }
    }

    /// Utility of outcome `index` of the discrete `space`: a table utility made for that space
    /// looks it up; any other evaluates the outcome.
    pub fn eval_index(&self, space: &OutcomeSpace, index: u64) -> f64 {
        if let UtilityFunction::Table(t) = self {
            if t.radices.len() == space.radices().len() && t.radices.iter().zip(space.radices()).all(|(a, b)| Some(*a) == *b) {
                return t.values.get(index as usize).copied().unwrap_or(f64::NAN);
            }
        }
        self.eval(&space.outcome_at(index))
    }

    /// The additive form, when the function is additive.
    pub fn as_additive(&self) -> Option<&LinearAdditive> {
        match self {
            UtilityFunction::LinearAdditive(f) => Some(f),
            UtilityFunction::HyperRectangles(_) | UtilityFunction::Table(_) => None,
        }
    }

    /// The function `scale * u + shift`.
    pub fn affine(&self, scale: f64, shift: f64) -> UtilityFunction {
        match self {
            UtilityFunction::LinearAdditive(f) => UtilityFunction::LinearAdditive(f.affine(scale, shift)),
            UtilityFunction::HyperRectangles(f) => UtilityFunction::HyperRectangles(f.affine(scale, shift)),
            UtilityFunction::Table(f) => UtilityFunction::Table(f.affine(scale, shift)),
        }
    }

    /// Utility of every outcome of a discrete space, in index order. Additive functions are
    /// evaluated with running prefix sums (same left-to-right order as [`LinearAdditive::eval`]).
    pub fn eval_all(&self, space: &OutcomeSpace, limit: u64) -> Result<Vec<f64>, Error> {
        let n = space.check_enumerable(limit)?;
        let mut out = Vec::with_capacity(n as usize);
        match self {
            UtilityFunction::LinearAdditive(f) => {
                for_each_prefix_sum(space, f.bias, |i, d| f.term_at(i, d), |u| out.push(f.finish(u)));
            }
            UtilityFunction::HyperRectangles(f) => {
                for o in space.enumerate(limit)? {
                    out.push(f.eval(&o));
                }
            }
            UtilityFunction::Table(f) => {
                if f.values.len() as u64 != n || space.radices().iter().map(|r| r.unwrap_or(1)).ne(f.radices.iter().copied()) {
                    return Err(Error::new(ErrorKind::UtilityMismatch("the table utility was made for another outcome space".into())));
                }
                out.extend_from_slice(&f.values);
            }
        }
        Ok(out)
    }
}

/// Walks a discrete space in index order keeping running sums `start + term(0, d_0) + ...`,
/// and calls `emit` with the full sum of each outcome. Only the suffix that changed is re-added.
pub fn for_each_prefix_sum(space: &OutcomeSpace, start: f64, term: impl Fn(usize, u32) -> f64, mut emit: impl FnMut(f64)) {
    let radices: Vec<u32> = space.radices().iter().map(|r| r.unwrap_or(1) as u32).collect();
    let m = radices.len();
    let mut digits = vec![0u32; m];
    let mut prefix = vec![start; m + 1];
    for i in 0..m {
        prefix[i + 1] = prefix[i] + term(i, 0);
    }
    loop {
        emit(prefix[m]);
        // Advance the odometer: last issue fastest.
        let mut i = m;
        loop {
            if i == 0 {
                return;
            }
            i -= 1;
            digits[i] += 1;
            if digits[i] < radices[i] {
                break;
            }
            digits[i] = 0;
        }
        for j in i..m {
            prefix[j + 1] = prefix[j] + term(j, digits[j]);
        }
    }
}

/// How utility shrinks with time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Discount {
    /// No discounting.
    None,
    /// GENIUS: `u * d^t` with `t` the normalised time in `[0, 1]`.
    NormalizedTime(f64),
    /// NegMAS's reading of a GENIUS discount: `u * d^step` with the 0-based round index.
    PerStep(f64),
}

impl Discount {
    /// The factor applied at relative time `t` in `[0, 1]` and 0-based round `step`.
    pub fn factor(&self, t: f64, step: u64) -> f64 {
        match *self {
            Discount::None => 1.0,
            Discount::NormalizedTime(d) => d.powf(t.clamp(0.0, 1.0)),
            Discount::PerStep(d) => d.powi(step.min(i32::MAX as u64) as i32),
        }
    }
}

/// One party's preferences: a utility function, a reservation value and a discount.
#[derive(Clone, Debug, PartialEq)]
pub struct Preferences {
    /// The profile's name (its file stem where it came from a file).
    pub name: String,
    /// The utility function.
    pub utility: UtilityFunction,
    /// Utility of no agreement; `-inf` means "every outcome is acceptable".
    pub reserved_value: f64,
    /// Time preference.
    pub discount: Discount,
}

impl Preferences {
    /// Undiscounted utility of an outcome.
    #[inline]
    pub fn eval(&self, outcome: &[Value]) -> f64 {
        self.utility.eval(outcome)
    }

    /// Utility of an outcome reached at relative time `t` and round `step`.
    pub fn eval_at(&self, outcome: &[Value], t: f64, step: u64) -> f64 {
        self.utility.eval(outcome) * self.discount.factor(t, step)
    }

    /// The same preferences with utility and reservation value mapped by `scale * u + shift`.
    pub fn affine(&self, scale: f64, shift: f64) -> Preferences {
        Preferences {
            name: self.name.clone(),
            utility: self.utility.affine(scale, shift),
            reserved_value: if self.reserved_value.is_finite() { scale * self.reserved_value + shift } else { self.reserved_value },
            discount: self.discount,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_utility_looks_up_by_index() {
        let s = OutcomeSpace::new(
            "t",
            vec![Issue::categorical("a", vec!["x".into(), "y".into()]).unwrap(), Issue::integer("b", 3, 5).unwrap()],
        )
        .unwrap();
        let values: Vec<f64> = (0..6).map(|k| k as f64 / 10.0).collect();
        let t = TableUtility::new(&s, values.clone()).unwrap();
        let u = UtilityFunction::Table(t.clone());
        for k in 0..6u64 {
            assert_eq!(u.eval(&s.outcome_at(k)), values[k as usize]);
        }
        assert_eq!(u.eval_all(&s, 100).unwrap(), values);
        for k in 0..6u64 {
            assert_eq!(u.eval_index(&s, k), values[k as usize]);
        }
        assert!(u.as_additive().is_none());
        assert_eq!(u.affine(2.0, 1.0).eval(&s.outcome_at(5)), 2.0);
        let w = t.with_values(vec![1.0; 6]).unwrap();
        assert_eq!(w.eval(&s.outcome_at(3)), 1.0);
        assert!(t.with_values(vec![1.0; 5]).is_err());
        // Outcomes that do not fit, and tables that do not fit.
        assert!(t.eval(&[Value::Index(2), Value::Index(0)]).is_nan());
        assert!(t.eval(&[Value::Index(0)]).is_nan());
        assert!(TableUtility::new(&s, vec![0.0; 5]).is_err());
        assert!(TableUtility::new(&s, vec![f64::NAN; 6]).is_err());
        assert!(TableUtility::new(&space(), vec![0.0; 6]).is_err());
        let other = OutcomeSpace::new("o", vec![Issue::integer("b", 0, 5).unwrap()]).unwrap();
        assert!(u.eval_all(&other, 100).is_err());
    }

    fn space() -> OutcomeSpace {
        OutcomeSpace::new(
            "s",
            vec![
                Issue::categorical("a", vec!["x".into(), "y".into(), "z".into()]).unwrap(),
                Issue::integer("b", 8, 14).unwrap(),
                Issue::real("c", 0.0, 10.0).unwrap(),
            ],
        )
        .unwrap()
    }

    fn additive() -> LinearAdditive {
        LinearAdditive::new(
            &space(),
            0.0,
            vec![0.5, 0.3, 0.2],
            vec![
                ValueFunction::Table(vec![1.0, 0.5, 0.0]),
                ValueFunction::Linear { offset: 0.1, slope: 0.15, origin: 8.0, clamp: true },
                ValueFunction::Linear { offset: 0.0, slope: 0.1, origin: 0.0, clamp: true },
            ],
        )
        .unwrap()
    }

    #[test]
    fn additive_sums_weighted_terms_left_to_right() {
        let f = additive();
        let o = [Value::Index(1), Value::Index(2), Value::Real(5.0)];
        let expected = 0.0 + 0.5 * 0.5 + 0.3 * (0.15 * 2.0 + 0.1) + 0.2 * 0.5;
        assert_eq!(f.eval(&o), expected);
    }

    #[test]
    fn genius_integer_evaluator_clamps() {
        let f = ValueFunction::Linear { offset: 0.1, slope: 0.2, origin: 8.0, clamp: true };
        assert_eq!(f.eval_number(14.0), 1.0);
        assert_eq!(f.eval_number(8.0), 0.1);
        let g = ValueFunction::Linear { offset: 0.1, slope: 0.15, origin: 0.0, clamp: false };
        assert!(g.eval_number(14.0) > 2.0);
    }

    #[test]
    fn minmax_matches_brute_force_on_discrete_part() {
        let s = OutcomeSpace::new(
            "s",
            vec![Issue::categorical("a", vec!["x".into(), "y".into(), "z".into()]).unwrap(), Issue::integer("b", 8, 14).unwrap()],
        )
        .unwrap();
        let f = LinearAdditive::new(
            &s,
            0.25,
            vec![0.7, -0.3],
            vec![ValueFunction::Table(vec![0.3, 1.0, 0.0]), ValueFunction::Linear { offset: 0.1, slope: 0.15, origin: 8.0, clamp: true }],
        )
        .unwrap();
        let u = UtilityFunction::LinearAdditive(f.clone());
        let all = u.eval_all(&s, 1000).unwrap();
        let lo = all.iter().cloned().fold(f64::INFINITY, f64::min);
        let hi = all.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        assert_eq!(f.minmax(), (lo, hi));
        for (k, x) in all.iter().enumerate() {
            assert_eq!(*x, f.eval(&s.outcome_at(k as u64)));
        }
    }

    #[test]
    fn integer_issues_are_tabulated_up_to_the_limit_and_computed_past_it() {
        let linear = ValueFunction::Linear { offset: 0.0, slope: 1e-9, origin: 0.0, clamp: true };
        let at = OutcomeSpace::new("d", vec![Issue::integer("n", 1, TABULATED_VALUES as i64).unwrap()]).unwrap();
        let f = LinearAdditive::new(&at, 0.0, vec![1.0], vec![linear.clone()]).unwrap();
        assert!(f.is_tabulated(0));
        assert_eq!(f.terms(0).len() as u64, TABULATED_VALUES);
        let past = OutcomeSpace::new("d", vec![Issue::integer("n", 1, TABULATED_VALUES as i64 + 1).unwrap()]).unwrap();
        let g = LinearAdditive::new(&past, 0.0, vec![1.0], vec![linear.clone()]).unwrap();
        assert!(!g.is_tabulated(0) && g.terms(0).is_empty());
        for v in [0, 17, TABULATED_VALUES as u32 - 1] {
            assert_eq!(g.term_at(0, v).to_bits(), f.terms(0)[v as usize].to_bits());
            assert_eq!(g.eval(&[Value::Index(v)]).to_bits(), f.eval(&[Value::Index(v)]).to_bits());
        }
        assert!(g.term_at(0, TABULATED_VALUES as u32 + 1).is_nan(), "past the last value");
        // The audit's 0..2*10^9 (once refused, before that a 16 GB table): built in no time,
        // evaluated and bounded exactly, scaled like a table.
        let huge = OutcomeSpace::new("d", vec![Issue::integer("n", 0, 2_000_000_000).unwrap()]).unwrap();
        let h = LinearAdditive::new(&huge, 0.0, vec![0.5], vec![linear]).unwrap();
        assert_eq!(h.eval(&[Value::Index(2_000_000_000)]), 0.5);
        assert_eq!(h.eval(&[Value::Index(500_000_000)]), 0.5 * (1e-9 * 500_000_000.0));
        assert_eq!(h.minmax(), (0.0, 0.5));
        let a = h.affine(3.0, 1.0);
        assert_eq!(a.term_at(0, 700_000_000).to_bits(), (0.5 * (1e-9 * 700_000_000.0) * 3.0f64).to_bits());
        assert_eq!(a.minmax(), (1.0, 2.5));
    }

    #[test]
    fn rejects_wrong_table_length_and_nan_weight() {
        let s = space();
        let e = LinearAdditive::new(
            &s,
            0.0,
            vec![0.5, 0.3, 0.2],
            vec![ValueFunction::Table(vec![1.0]), ValueFunction::Constant(0.0), ValueFunction::Constant(0.0)],
        )
        .unwrap_err();
        assert!(e.to_string().contains("3 values"), "{e}");
        let e = LinearAdditive::new(
            &s,
            0.0,
            vec![f64::NAN, 0.3, 0.2],
            vec![ValueFunction::Table(vec![1.0, 0.0, 0.0]), ValueFunction::Constant(0.0), ValueFunction::Constant(0.0)],
        )
        .unwrap_err();
        assert!(e.to_string().contains("weight of issue \"a\""), "{e}");
    }

    #[test]
    fn hyper_rectangles_follow_genius_rules() {
        let s = OutcomeSpace::new("s", vec![Issue::integer("i1", 0, 9).unwrap(), Issue::integer("i2", 0, 9).unwrap()]).unwrap();
        let inc = Rectangle { bounds: vec![Bound { issue: 0, min: 2.0, max: 5.0 }], utility: 10.0, weight: 1.0, exclusive: false };
        let exc = Rectangle { bounds: vec![Bound { issue: 1, min: 0.0, max: 3.0 }], utility: 5.0, weight: 1.0, exclusive: true };
        let group = |aggregation| RectangleGroup { aggregation, weight: 1.0, rectangles: vec![inc.clone(), exc.clone()], groups: vec![] };
        let sum = HyperRectangles::new(&s, group(Aggregation::Sum), 0.0, 0.1, Some(1.0)).unwrap();
        assert_eq!(sum.eval(&[Value::Index(3), Value::Index(5)]), 1.0); // 15 / 10, capped
        assert_eq!(sum.eval(&[Value::Index(3), Value::Index(2)]), 1.0);
        assert_eq!(sum.eval(&[Value::Index(9), Value::Index(2)]), 0.0);
        assert_eq!(sum.eval(&[Value::Index(9), Value::Index(7)]), 0.5);
        // Min counts a rectangle that does not apply as 0.
        let min = HyperRectangles::new(&s, group(Aggregation::Min), 0.0, 1.0, None).unwrap();
        assert_eq!(min.eval(&[Value::Index(3), Value::Index(5)]), 5.0);
        assert_eq!(min.eval(&[Value::Index(3), Value::Index(2)]), 0.0);
        let bad = RectangleGroup {
            rectangles: vec![Rectangle { bounds: vec![Bound { issue: 5, min: 0.0, max: 1.0 }], ..inc.clone() }],
            ..group(Aggregation::Sum)
        };
        assert!(HyperRectangles::new(&s, bad, 0.0, 1.0, None).is_err());
    }

    #[test]
    fn interpolated_rounds_half_up_to_eight_decimals() {
        let f = ValueFunction::Interpolated { low_value: 0.0, low_utility: 0.0, high_value: 3.0, high_utility: 1.0 };
        assert_eq!(f.eval_number(1.0), 0.33333333);
        assert_eq!(f.eval_number(4.0), 0.0);
    }

    #[test]
    fn discounts() {
        assert_eq!(Discount::NormalizedTime(0.5).factor(1.0, 7), 0.5);
        assert_eq!(Discount::PerStep(0.5).factor(0.3, 2), 0.25);
        assert_eq!(Discount::None.factor(0.3, 2), 1.0);
    }
}
