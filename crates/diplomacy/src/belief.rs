//! Beliefs about a party's delivery capacity: a distribution on a grid over [0, 1], updated by
//! exact Bayes on every observation (MODEL.md v2, "Beliefs").
//!
//! While every observation is perfect (verifiability 1) the posterior of a Beta prior is a Beta,
//! and the belief is kept as its two counts (exact, and cheap). The first observation that is not
//! conjugate (a noisy one, a strike or a quiet round under a hazard that depends on capacity)
//! moves it to the grid: `GRID` midpoints `x_k = (k + 1/2) / GRID`, weights the Beta density at
//! the midpoints times every likelihood since, normalised. The grid's mean differs from the
//! exact posterior mean by the midpoint rule's error (below 1e-3 for the priors of the scenarios;
//! a test bounds it).

/// Points of the belief grid (MODEL.md asks for at least 101).
pub(crate) const GRID: usize = 101;

/// The grid's points.
pub(crate) fn points() -> &'static [f64; GRID] {
    static P: std::sync::OnceLock<[f64; GRID]> = std::sync::OnceLock::new();
    P.get_or_init(|| std::array::from_fn(|k| (k as f64 + 0.5) / GRID as f64))
}

/// `(ln x, ln(1 - x))` at each grid point (the Beta density's logarithm, computed once).
fn log_points() -> &'static [(f64, f64); GRID] {
    static L: std::sync::OnceLock<[(f64, f64); GRID]> = std::sync::OnceLock::new();
    L.get_or_init(|| std::array::from_fn(|k| (points()[k].ln(), (1.0 - points()[k]).ln())))
}

/// One party's belief about another's capacity.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Belief {
    a: f64,
    b: f64,
    /// Normalised grid weights; empty while the belief is the Beta(a, b).
    grid: Vec<f64>,
    mean: f64,
}

impl Belief {
    /// The prior Beta(a, b).
    pub(crate) fn beta(a: f64, b: f64) -> Belief {
        Belief { a, b, grid: Vec::new(), mean: a / (a + b) }
    }

    /// The posterior mean (tau).
    pub(crate) fn mean(&self) -> f64 {
        self.mean
    }

    /// True while the belief is exactly a Beta distribution.
    pub(crate) fn is_beta(&self) -> bool {
        self.grid.is_empty()
    }

    /// The Beta counts (meaningful while [`Belief::is_beta`]).
    #[cfg(test)]
    pub(crate) fn counts(&self) -> (f64, f64) {
        (self.a, self.b)
    }

    /// Moves the belief onto the grid (no-op if it is there already).
    pub(crate) fn onto_grid(&mut self) {
        if !self.grid.is_empty() {
            return;
        }
        let (a, b) = (self.a, self.b);
        let logs: Vec<f64> = log_points().iter().map(|&(lx, l1x)| (a - 1.0) * lx + (b - 1.0) * l1x).collect();
        let top = logs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        self.grid = logs.iter().map(|l| (l - top).exp()).collect();
        self.normalise();
    }

    fn normalise(&mut self) {
        let total: f64 = self.grid.iter().sum();
        if total > 0.0 && total.is_finite() {
            let mut mean = 0.0;
            for (w, x) in self.grid.iter_mut().zip(points()) {
                *w /= total;
                mean += *w * x;
            }
            self.mean = mean;
        }
    }

    /// Bayes with the likelihood `lik(x)` of what was seen, as a function of the capacity `x`.
    /// An observation impossible under every capacity (likelihood 0 everywhere) leaves the
    /// belief as it was.
    pub(crate) fn update(&mut self, lik: impl Fn(f64) -> f64) {
        self.onto_grid();
        let evidence: f64 = self.grid.iter().zip(points()).map(|(w, &x)| w * lik(x).max(0.0)).sum();
        if evidence <= 0.0 || !evidence.is_finite() {
            return;
        }
        let mut mean = 0.0;
        for (w, &x) in self.grid.iter_mut().zip(points()) {
            *w *= lik(x).max(0.0) / evidence;
            mean += *w * x;
        }
        self.mean = mean;
    }

    /// Bayes with a likelihood linear in the capacity, `a + b x` (clamped to [0, 1] at each
    /// point), in one pass: the update of a strike or a quiet round under a hazard linear in the
    /// blamed side's incapacity.
    pub(crate) fn update_linear(&mut self, a: f64, b: f64) {
        self.onto_grid();
        let (mut total, mut moment) = (0.0, 0.0);
        if (0.0..=1.0).contains(&a) && (0.0..=1.0).contains(&(a + b)) {
            // Within [0, 1] at both ends, so at every point: no clamping (the same numbers).
            for (w, &x) in self.grid.iter_mut().zip(points()) {
                *w *= a + b * x;
                total += *w;
                moment += *w * x;
            }
        } else {
            for (w, &x) in self.grid.iter_mut().zip(points()) {
                *w *= (a + b * x).clamp(0.0, 1.0);
                total += *w;
                moment += *w * x;
            }
        }
        if total > 0.0 && total.is_finite() {
            let inv = 1.0 / total;
            self.grid.iter_mut().for_each(|w| *w *= inv);
            self.mean = moment * inv;
        } else {
            // Impossible under every capacity: back to the Beta it came from would be wrong, so
            // the evidence is ignored (documented; it cannot happen with hazards below 1).
            self.grid.iter_mut().for_each(|w| *w = 1.0 / GRID as f64);
            self.normalise();
        }
    }

    /// An observed delivery (`saw_delivery`) or defection, seen correctly with probability
    /// `accuracy`: P(seen delivery | x) = accuracy x + (1 - accuracy)(1 - x). A defection is read
    /// as evidence about capacity whatever its cause. Perfect observations of a Beta stay Beta.
    pub(crate) fn observe(&mut self, saw_delivery: bool, accuracy: f64) {
        if accuracy >= 1.0 && self.is_beta() {
            if saw_delivery {
                self.a += 1.0;
            } else {
                self.b += 1.0;
            }
            self.mean = self.a / (self.a + self.b);
            return;
        }
        let v = accuracy;
        if saw_delivery {
            self.update(|x| v * x + (1.0 - v) * (1.0 - x));
        } else {
            self.update(|x| v * (1.0 - x) + (1.0 - v) * x);
        }
    }

    /// The mean after an observed defection, without changing the belief (the strategic
    /// delivery test's `tau'`).
    pub(crate) fn mean_after_defection(&self, accuracy: f64) -> f64 {
        let v = accuracy.min(1.0);
        // E[x L] / E[L] with L(x) = v (1 - x) + (1 - v) x, from the first two moments.
        let (m1, m2) = if self.is_beta() {
            let (a, b) = (self.a, self.b);
            (a / (a + b), a * (a + 1.0) / ((a + b) * (a + b + 1.0)))
        } else {
            self.grid.iter().zip(points()).fold((0.0, 0.0), |(s1, s2), (w, &x)| (s1 + w * x, s2 + w * x * x))
        };
        let evidence = v * (1.0 - m1) + (1.0 - v) * m1;
        if evidence <= 0.0 {
            return self.mean;
        }
        (v * (m1 - m2) + (1.0 - v) * m2) / evidence
    }

    /// A misperceived strike: as if `m` defections had been seen (a strike that carries no
    /// information still moves the target; MODEL.md calls it misperception).
    pub(crate) fn misperceive(&mut self, m: f64) {
        if m <= 0.0 {
            return;
        }
        if self.is_beta() {
            self.b += m;
            self.mean = self.a / (self.a + self.b);
        } else {
            self.update(|x| (1.0 - x).powf(m));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// With perfect observations the belief is the Beta posterior exactly, and the grid (when
    /// forced) agrees with it to the midpoint rule's error.
    #[test]
    fn perfect_observations_give_the_beta_posterior() {
        let seen = [true, false, true, true, false, true, true];
        let mut exact = Belief::beta(2.0, 3.0);
        let mut grid = Belief::beta(2.0, 3.0);
        grid.onto_grid();
        for &s in &seen {
            exact.observe(s, 1.0);
            grid.observe(s, 1.0);
        }
        assert!(exact.is_beta());
        assert_eq!(exact.counts(), (7.0, 5.0));
        assert_eq!(exact.mean(), 7.0 / 12.0);
        assert!((grid.mean() - 7.0 / 12.0).abs() < 1e-3, "grid mean {}", grid.mean());
    }

    /// A noisy observation moves the belief less than a perfect one, in the same direction;
    /// an uninformative one (accuracy 1/2) not at all.
    #[test]
    fn noise_weakens_evidence() {
        let prior = Belief::beta(2.0, 2.0);
        let mut perfect = prior.clone();
        perfect.observe(false, 1.0);
        let mut noisy = prior.clone();
        noisy.observe(false, 0.7);
        let mut useless = prior.clone();
        useless.observe(false, 0.5);
        assert!(perfect.mean() < noisy.mean() && noisy.mean() < prior.mean());
        assert!((useless.mean() - prior.mean()).abs() < 1e-3);
        // Bayes on the grid for a Beta(2, 2) and one defection seen with accuracy 0.7: the
        // posterior mean is E[x (0.7 (1-x) + 0.3 x)] / E[0.7 (1-x) + 0.3 x] under Beta(2, 2),
        // that is (0.7 * 0.2 + 0.3 * 0.3) / (0.7 * 0.5 + 0.3 * 0.5) = 0.46.
        assert!((noisy.mean() - 0.46).abs() < 1e-3, "{}", noisy.mean());
        // The look-ahead of the delivery test agrees with the update it foresees.
        assert!((prior.mean_after_defection(0.7) - 0.46).abs() < 1e-12);
        assert_eq!(prior.mean_after_defection(1.0), 0.4);
        let mut g = prior.clone();
        g.onto_grid();
        assert!((g.mean_after_defection(0.7) - noisy.mean()).abs() < 1e-12);
    }
}
