//! Rubinstein's stationary subgame-perfect equilibrium over a step's packages: the reduction
//! check of MODEL.md (5/7, 10/19, the ratification-constrained 0.64 / 0.60), not a protocol.
//!
//! When both parties of a dyad play `spe`, the model skips the protocol library and agrees at
//! once on the SPE package of the round's proposer (party `t mod 2` in round `t`): floors,
//! disagreement values and reciprocity enter as linear constraints, and on steps whose open
//! issues are all real, points between neighbouring frontier packages count (exact for linear
//! utilities), so the shares come out to 1e-12 on any grid.

/// One candidate point of the Rubinstein problem: credibility-discounted values `big` and plain
/// utilities `small` of both parties (the floors apply to the latter).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Point {
    /// U_0, U_1.
    pub(crate) big: [f64; 2],
    /// u_0, u_1.
    pub(crate) small: [f64; 2],
}

/// The linear constraints of a two-party Rubinstein problem in one round.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct SpeTerms {
    /// delta_i per round.
    pub(crate) discount: [f64; 2],
    /// d_i.
    pub(crate) disagreement: [f64; 2],
    /// Absolute floors on u_i (already mapped from the step-normalised scale).
    pub(crate) floor: [f64; 2],
    /// rho_i.
    pub(crate) reciprocity: [f64; 2],
}

/// A point on a segment `a + t (b - a)`, `t` in [0, 1], of the candidate set.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct OnSegment {
    /// Segment start (package index).
    pub(crate) a: usize,
    /// Segment end (package index).
    pub(crate) b: usize,
    /// Position along the segment.
    pub(crate) t: f64,
    /// Values U at that point.
    pub(crate) big: [f64; 2],
}

/// Best point for `proposer` subject to the responder getting at least `min_other` (in U), the
/// floors, the disagreement values and reciprocity. With `interpolate`, points between adjacent
/// packages of `order` count (exact when utilities are linear in the step's real issues).
fn best_for(points: &[Point], order: &[usize], interpolate: bool, terms: &SpeTerms, proposer: usize, min_other: f64) -> Option<OnSegment> {
    let o = 1 - proposer;
    // Constraints g(x) >= 0, linear in (big, small).
    let cons = |x: &Point| -> [f64; 6] {
        [
            x.big[o] - min_other,
            x.big[proposer] - terms.disagreement[proposer],
            x.small[0] - terms.floor[0],
            x.small[1] - terms.floor[1],
            (x.small[0] - terms.disagreement[0]) - terms.reciprocity[0] * (x.small[1] - terms.disagreement[1]),
            (x.small[1] - terms.disagreement[1]) - terms.reciprocity[1] * (x.small[0] - terms.disagreement[0]),
        ]
    };
    const EPS: f64 = 1e-12;
    let mut best: Option<OnSegment> = None;
    let mut consider = |c: OnSegment| {
        if best.is_none_or(|b| c.big[proposer] > b.big[proposer]) {
            best = Some(c);
        }
    };
    for &k in order {
        let x = &points[k];
        if cons(x).iter().all(|g| *g >= -EPS) {
            consider(OnSegment { a: k, b: k, t: 0.0, big: x.big });
        }
    }
    if interpolate {
        for w in order.windows(2) {
            let (pa, pb) = (&points[w[0]], &points[w[1]]);
            let (ga, gb) = (cons(pa), cons(pb));
            let (mut lo, mut hi) = (0.0f64, 1.0f64);
            for (a, b) in ga.iter().zip(&gb) {
                // a + t (b - a) >= 0
                let slope = b - a;
                if slope.abs() < 1e-300 {
                    if *a < -EPS {
                        hi = -1.0;
                    }
                } else if slope > 0.0 {
                    lo = lo.max(-a / slope);
                } else {
                    hi = hi.min(-a / slope);
                }
            }
            if lo <= hi {
                for t in [lo, hi] {
                    let big = [pa.big[0] + t * (pb.big[0] - pa.big[0]), pa.big[1] + t * (pb.big[1] - pa.big[1])];
                    consider(OnSegment { a: w[0], b: w[1], t, big });
                }
            }
        }
    }
    best
}

/// Rubinstein's stationary subgame-perfect equilibrium over the candidate points: the values
/// (v_0, v_1) each party gets as proposer, found by iterating
/// `v_i = max { U_i : U_j >= max(delta_j v_j, d_j), floors, reciprocity }` from the top (the
/// map is monotone, so this converges to the largest fixed point). Returns the point party
/// `proposer` offers, which the other accepts, or None when no point satisfies both sides.
pub(crate) fn spe(points: &[Point], interpolate: bool, terms: &SpeTerms, proposer: usize) -> Option<OnSegment> {
    // Frontier order: by U_0 ascending (segments join neighbours on the Pareto frontier).
    let mut order: Vec<usize> = (0..points.len()).collect();
    order.sort_by(|a, b| points[*a].big[0].total_cmp(&points[*b].big[0]).then(points[*b].big[1].total_cmp(&points[*a].big[1])));
    let mut frontier: Vec<usize> = Vec::new();
    for &k in order.iter().rev() {
        if frontier.last().is_none_or(|&f| points[k].big[1] > points[f].big[1]) {
            frontier.push(k);
        }
    }
    frontier.reverse();
    let order = if interpolate { frontier } else { order };
    // Start from the most each side can get within everyone's constraints.
    let mut v = [
        best_for(points, &order, interpolate, terms, 0, terms.disagreement[1])?.big[0],
        best_for(points, &order, interpolate, terms, 1, terms.disagreement[0])?.big[1],
    ];
    for _ in 0..100_000 {
        let a = best_for(points, &order, interpolate, terms, 0, (terms.discount[1] * v[1]).max(terms.disagreement[1]))?;
        let b = best_for(points, &order, interpolate, terms, 1, (terms.discount[0] * v[0]).max(terms.disagreement[0]))?;
        let next = [a.big[0], b.big[1]];
        let done = (next[0] - v[0]).abs() <= 1e-15 && (next[1] - v[1]).abs() <= 1e-15;
        v = next;
        if done {
            break;
        }
    }
    let o = 1 - proposer;
    best_for(points, &order, interpolate, terms, proposer, (terms.discount[o] * v[o]).max(terms.disagreement[o]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(n: usize) -> Vec<Point> {
        (0..n)
            .map(|k| {
                let x = k as f64 / (n - 1) as f64;
                Point { big: [x, 1.0 - x], small: [x, 1.0 - x] }
            })
            .collect()
    }

    fn terms(d0: f64, d1: f64, f0: f64, f1: f64) -> SpeTerms {
        SpeTerms { discount: [d0, d1], disagreement: [0.0, 0.0], floor: [f0, f1], reciprocity: [0.0, 0.0] }
    }

    #[test]
    fn rubinstein_shares() {
        let pts = split(3);
        let s = spe(&pts, true, &terms(0.9, 0.8, 0.0, 0.0), 0).unwrap();
        assert!((s.big[0] - 5.0 / 7.0).abs() < 1e-12, "{}", s.big[0]);
        let s = spe(&pts, true, &terms(0.9, 0.9, 0.0, 0.0), 0).unwrap();
        assert!((s.big[0] - 10.0 / 19.0).abs() < 1e-12, "{}", s.big[0]);
        // The second mover's share when it proposes.
        let s = spe(&pts, true, &terms(0.9, 0.9, 0.0, 0.0), 1).unwrap();
        assert!((s.big[1] - 10.0 / 19.0).abs() < 1e-12);
    }

    #[test]
    fn ratification_constrained_rubinstein() {
        let pts = split(2);
        let a = spe(&pts, true, &terms(0.9, 0.9, 0.6, 0.0), 0).unwrap();
        assert!((a.big[0] - 0.64).abs() < 1e-12, "{}", a.big[0]);
        let b = spe(&pts, true, &terms(0.9, 0.9, 0.6, 0.0), 1).unwrap();
        assert!((b.big[0] - 0.60).abs() < 1e-12, "{}", b.big[0]);
        assert!(spe(&pts, true, &terms(0.9, 0.9, 0.6, 0.5), 0).is_none());
    }
}
