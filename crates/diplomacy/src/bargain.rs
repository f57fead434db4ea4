//! Bargaining inside a round: the narrow seam between the model and the negotiation protocols.
//!
//! [`bargain`] is given one step's packages (the step's sub-space), each party's acceptance test
//! ([`Problem`]: credibility-discounted values, the packages its ratification and disagreement
//! tests admit, and its aspiration at each offer) and the protocol, and returns the agreed
//! package or none. The protocols here are this crate's own, minimal ones: stacked alternating
//! offers (direct talks and relay), a single negotiating text (Klein et al. 2003), confidential
//! mediation (Nash package of the ratifiable set) and Rubinstein's stationary SPE. A fuller
//! protocol library can replace them behind this function without touching the model.

use rand::Rng;

use crate::model::Protocol;

/// One step's bargaining problem in one round.
pub struct Problem<'a> {
    /// Number of packages.
    pub packages: usize,
    /// `values[i][p]`: party i's credibility-discounted value U_i of package p.
    pub values: &'a [Vec<f64>],
    /// `utilities[i][p]`: party i's plain utility u_i of package p (the floor applies to it).
    pub utilities: &'a [Vec<f64>],
    /// `base_ok[i][p]`: p is worth at least i's disagreement value and passes i's reciprocity
    /// test.
    pub base_ok: &'a [Vec<bool>],
    /// Each party's domestic floor this round, on the utility scale: p passes i's ratification
    /// test when `base_ok[i][p]` and `utilities[i][p] >= floors[i]`.
    pub floors: &'a [f64],
    /// The packages every party's `base_ok` admits, in decreasing Nash product of the gains
    /// `values - disagreement` (ties by index).
    pub nash_order: &'a [usize],
    /// `aspiration[i][s]`: the least value i accepts at offer s of the round.
    pub aspiration: &'a [Vec<f64>],
    /// Which party makes the round's first offer; the others follow in turn.
    pub first_proposer: usize,
    /// Digits of each package (value index per open issue), flat: package p's are
    /// `digits[p * width..(p + 1) * width]`.
    pub digits: &'a [u32],
    /// Number of open issues.
    pub width: usize,
    /// Number of values of each open issue.
    pub radices: &'a [u32],
}

/// Who put the agreed package on the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Proposer {
    /// A party (its index).
    Party(usize),
    /// The mediator.
    Mediator,
}

/// An agreed package.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Agreement {
    /// The package: `p`, or for Rubinstein on real issues the mix `lambda * p + (1 - lambda) * q`.
    pub package: usize,
    /// Second package of a mix, and its weight `1 - lambda`.
    pub mix: Option<(usize, f64)>,
    /// Offer (sub-round) at which it was accepted.
    pub offer: u32,
    /// Who proposed it.
    pub proposer: Proposer,
}

/// What a protocol says happened, for traces.
#[derive(Clone, Debug, PartialEq)]
pub enum Move {
    /// A party or the mediator put a package on the table.
    Offer {
        /// Offer index.
        offer: u32,
        /// Who.
        by: Proposer,
        /// Package.
        package: usize,
    },
    /// The single text was amended to this package.
    Amended {
        /// Offer index.
        offer: u32,
        /// New draft.
        package: usize,
    },
    /// The confidential mediator found no package every party can ratify.
    NoZone {
        /// Offer index.
        offer: u32,
    },
}

/// State a protocol keeps across rounds of one step.
#[derive(Clone, Debug, Default)]
pub struct ProtocolState {
    /// The single text's current draft.
    pub draft: Option<usize>,
}

/// True when party i can ratify package `pkg` this round.
pub fn admissible(p: &Problem, i: usize, pkg: usize) -> bool {
    p.base_ok[i][pkg] && p.utilities[i][pkg] >= p.floors[i]
}

impl Problem<'_> {
    /// The digits of package `p`.
    pub fn digits_of(&self, p: usize) -> &[u32] {
        &self.digits[p * self.width..(p + 1) * self.width]
    }
}

fn accepts(p: &Problem, i: usize, pkg: usize, s: usize) -> bool {
    admissible(p, i, pkg) && p.values[i][pkg] >= p.aspiration[i][s] - 1e-12
}

/// Runs one round of bargaining with `protocol` (`None`: direct talks) and returns the agreed
/// package, if any. `moves` receives what happened (pass a no-op closure when not tracing).
pub fn bargain<R: Rng + ?Sized>(
    protocol: Option<Protocol>,
    p: &Problem,
    state: &mut ProtocolState,
    rng: &mut R,
    moves: &mut dyn FnMut(Move),
) -> Option<Agreement> {
    match protocol {
        None | Some(Protocol::Relay) => alternating(p, moves),
        Some(Protocol::SingleText) => single_text(p, state, rng, moves),
        Some(Protocol::Confidential) => confidential(p, moves),
    }
}

/// Stacked alternating offers with aspiration strategies: at offer s the proposer puts on the
/// table, of the packages it would accept itself, the one closest to the others' last offers
/// (most issues in common; then the least demanding for itself); every other party accepts if
/// the package passes its own test.
fn alternating(p: &Problem, moves: &mut dyn FnMut(Move)) -> Option<Agreement> {
    let n = p.values.len();
    let subs = p.aspiration.first().map_or(0, Vec::len);
    let mut last: Vec<Option<usize>> = vec![None; n];
    for s in 0..subs {
        let i = (p.first_proposer + s) % n;
        let mut best: Option<(usize, i64, f64)> = None;
        for pkg in 0..p.packages {
            if !accepts(p, i, pkg, s) {
                continue;
            }
            let similarity: i64 = (0..n)
                .filter(|&j| j != i)
                .filter_map(|j| last[j])
                .map(|q| p.digits_of(pkg).iter().zip(p.digits_of(q)).filter(|(a, b)| a == b).count() as i64)
                .sum();
            let v = p.values[i][pkg];
            let better = match best {
                None => true,
                Some((_, sim, val)) => similarity > sim || (similarity == sim && v < val),
            };
            if better {
                best = Some((pkg, similarity, v));
            }
        }
        let Some((pkg, _, _)) = best else { continue };
        moves(Move::Offer { offer: s as u32, by: Proposer::Party(i), package: pkg });
        last[i] = Some(pkg);
        if (0..n).filter(|&j| j != i).all(|j| accepts(p, j, pkg, s)) {
            return Some(Agreement { package: pkg, mix: None, offer: s as u32, proposer: Proposer::Party(i) });
        }
    }
    None
}

/// Single negotiating text: the mediator amends one issue of the draft at random; each party
/// votes for the amendment if it is better for it than the draft or one it would sign now; the
/// amendment stands if all vote for it. The draft is agreed when every party would sign it.
fn single_text<R: Rng + ?Sized>(
    p: &Problem,
    state: &mut ProtocolState,
    rng: &mut R,
    moves: &mut dyn FnMut(Move),
) -> Option<Agreement> {
    let n = p.values.len();
    let subs = p.aspiration.first().map_or(0, Vec::len);
    let mut draft = match state.draft {
        Some(d) if d < p.packages => d,
        _ => rng.gen_range(0..p.packages.max(1)),
    };
    for s in 0..subs {
        // One amendment per offer: a random issue moved to a random other value.
        let m = p.radices.len();
        let issue = rng.gen_range(0..m.max(1));
        let r = p.radices.get(issue).copied().unwrap_or(1);
        let shift = if r > 1 { rng.gen_range(1..r) } else { 0 };
        if r > 1 {
            let mut digits = p.digits_of(draft).to_vec();
            digits[issue] = (digits[issue] + shift) % r;
            let candidate = index_of(&digits, p.radices);
            let yes = (0..n).all(|i| p.values[i][candidate] > p.values[i][draft] || accepts(p, i, candidate, s));
            if yes {
                draft = candidate;
                moves(Move::Amended { offer: s as u32, package: draft });
            }
        }
        if (0..n).all(|i| accepts(p, i, draft, s)) {
            state.draft = Some(draft);
            moves(Move::Offer { offer: s as u32, by: Proposer::Mediator, package: draft });
            return Some(Agreement { package: draft, mix: None, offer: s as u32, proposer: Proposer::Mediator });
        }
    }
    state.draft = Some(draft);
    None
}

/// Package index from digits (last issue fastest).
pub fn index_of(digits: &[u32], radices: &[u32]) -> usize {
    digits.iter().zip(radices).fold(0usize, |acc, (d, r)| acc * (*r as usize) + *d as usize)
}

/// Confidential mediation: the mediator proposes the package maximising the Nash product of the
/// gains over the packages every party can ratify, and tells the parties only whether such a
/// package exists; each accepts if the package clears its aspiration.
fn confidential(p: &Problem, moves: &mut dyn FnMut(Move)) -> Option<Agreement> {
    let n = p.values.len();
    let subs = p.aspiration.first().map_or(0, Vec::len);
    let best = p.nash_order.iter().copied().find(|&pkg| (0..n).all(|i| admissible(p, i, pkg))).map(|pkg| (pkg, 0.0));
    let Some((pkg, _)) = best else {
        moves(Move::NoZone { offer: 0 });
        return None;
    };
    for s in 0..subs {
        if (0..n).all(|i| accepts(p, i, pkg, s)) {
            moves(Move::Offer { offer: s as u32, by: Proposer::Mediator, package: pkg });
            return Some(Agreement { package: pkg, mix: None, offer: s as u32, proposer: Proposer::Mediator });
        }
    }
    None
}

/// One candidate point of the Rubinstein problem: credibility-discounted values `big` and plain
/// utilities `small` of both parties (the floors apply to the latter).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    /// U_0, U_1.
    pub big: [f64; 2],
    /// u_0, u_1.
    pub small: [f64; 2],
}

/// The linear constraints of a two-party Rubinstein problem in one round.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SpeTerms {
    /// delta_i per round.
    pub discount: [f64; 2],
    /// d_i.
    pub disagreement: [f64; 2],
    /// Absolute floors on u_i (already mapped from the step-normalised scale).
    pub floor: [f64; 2],
    /// rho_i.
    pub reciprocity: [f64; 2],
}

/// A point on a segment `a + t (b - a)`, `t` in [0, 1], of the candidate set.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OnSegment {
    /// Segment start (package index).
    pub a: usize,
    /// Segment end (package index).
    pub b: usize,
    /// Position along the segment.
    pub t: f64,
    /// Values U at that point.
    pub big: [f64; 2],
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
pub fn spe(points: &[Point], interpolate: bool, terms: &SpeTerms, proposer: usize) -> Option<OnSegment> {
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

    #[test]
    fn alternating_offers_meet_in_the_zone() {
        let values = vec![vec![0.0, 0.5, 1.0], vec![1.0, 0.5, 0.0]];
        let base_ok = vec![vec![true; 3], vec![true; 3]];
        let aspiration = vec![vec![0.9, 0.9, 0.5, 0.5], vec![0.9, 0.9, 0.5, 0.5]];
        let digits = vec![0, 1, 2];
        let p = Problem {
            packages: 3,
            values: &values,
            utilities: &values,
            base_ok: &base_ok,
            floors: &[0.0, 0.0],
            nash_order: &[1, 0, 2],
            aspiration: &aspiration,
            first_proposer: 0,
            digits: &digits,
            width: 1,
            radices: &[3],
        };
        let a = bargain(None, &p, &mut ProtocolState::default(), &mut rand::rngs::mock::StepRng::new(0, 1), &mut |_| {}).unwrap();
        assert_eq!((a.package, a.offer), (1, 2));
        let c = bargain(Some(Protocol::Confidential), &p, &mut ProtocolState::default(), &mut rand::rngs::mock::StepRng::new(0, 1), &mut |_| {}).unwrap();
        assert_eq!((c.package, c.offer, c.proposer), (1, 2, Proposer::Mediator));
    }
}
