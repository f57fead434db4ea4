//! The building blocks of KTAB's probabilistic Condorcet elections (`kmodel.cpp`, `smp.cpp`):
//! spatial utilities, votes, coalitions, victory probabilities, the PCE variants, risk-attitude
//! inference and third-party contributions.
//!
//! Every function does its floating-point operations in KTAB's order, so results equal KTAB's
//! bit for bit (which the reference-log tests rely on: positions are rounded to 4 decimals
//! inside the model, so one flipped last bit can change a whole trajectory).

use crate::error::Error;
use crate::params::{BigRAdjust, BigRRange, PceModel, ThirdPartyCommit, VotingRule, VpModel};

/// Smallest coalition strength (`Model::coalitions`' `minC`).
pub const MIN_COALITION: f64 = 1e-8;

/// A square matrix, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Square {
    n: usize,
    data: Vec<f64>,
}

impl Square {
    /// An `n × n` matrix of zeros.
    pub fn zeros(n: usize) -> Square {
        Square { n, data: vec![0.0; n * n] }
    }

    /// The order `n`.
    pub fn n(&self) -> usize {
        self.n
    }

    /// Element `(i, j)`.
    #[inline]
    pub fn get(&self, i: usize, j: usize) -> f64 {
        self.data[i * self.n + j]
    }

    /// Row `i`.
    #[inline]
    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.n..(i + 1) * self.n]
    }

    /// Sets element `(i, j)`.
    #[inline]
    pub fn set(&mut self, i: usize, j: usize, x: f64) {
        self.data[i * self.n + j] = x;
    }
}

/// Utility of a salience-weighted distance `sd` to an actor with risk attitude `r`
/// (`SMPModel::bsUtil`): `(1 - sd)(1 + sd·r)`, or `(1 - sd)(1 + r)` beyond 1.
#[inline]
pub fn bs_util(sd: f64, r: f64) -> f64 {
    if sd <= 1.0 {
        (1.0 - sd) * (1.0 + sd * r)
    } else {
        (1.0 - sd) * (1.0 + r)
    }
}

/// Salience-weighted distance between `a` and `b` (`SMPModel::bvDiff` of `a - b`):
/// `sqrt(Σ (s_d (a_d - b_d))² / Σ s_d²)`. The saliences must not all be zero.
#[inline]
pub fn bv_diff(a: &[f64], b: &[f64], sal: &[f64]) -> f64 {
    let mut ds = 0.0;
    let mut ss = 0.0;
    for ((&x, &y), &s) in a.iter().zip(b).zip(sal) {
        let d = (x - y) * s;
        ds += d * d;
        ss += s * s;
    }
    (ds / ss).sqrt()
}

/// Euclidean distance (`KBase::norm` of `a - b`).
#[inline]
pub fn norm_diff(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for (&x, &y) in a.iter().zip(b) {
        let d = x - y;
        s += d * d;
    }
    s.sqrt()
}

/// The vote of an actor of weight `w` for option 1 over option 2 (`Model::vote`), given its
/// utilities `u1`, `u2` of them. `w` must be positive.
#[inline]
pub fn vote(vr: VotingRule, w: f64, u1: f64, u2: f64) -> f64 {
    let du = u1 - u2;
    match vr {
        VotingRule::Proportional => w * du,
        VotingRule::Binary => w * binary_response(du),
        VotingRule::PropBin => w * ((1.0 - 0.2) * du + 0.2 * binary_response(du)),
        VotingRule::PropCbc => w * ((1.0 - 0.5) * du + 0.5 * (du * du * du)),
        VotingRule::Cubic => w * (du * du * du),
        VotingRule::ASymProsp => {
            if du < 0.0 {
                w * du
            } else if du > 0.0 {
                (2.0 * w * du) / 3.0
            } else {
                0.0
            }
        }
    }
}

#[inline]
fn binary_response(du: f64) -> f64 {
    (du / 1e-8).clamp(-1.0, 1.0)
}

/// Probabilities that strengths `s1` and `s2` prevail over each other (`Model::vProb`).
#[inline]
pub fn vprob_pair(vpm: VpModel, s1: f64, s2: f64) -> (f64, f64) {
    let (x1, x2) = match vpm {
        VpModel::Linear => (s1, s2),
        VpModel::Square => (s1 * s1, s2 * s2),
        VpModel::Quartic => (s1 * s1 * s1 * s1, s2 * s2 * s2 * s2),
        VpModel::Octic => {
            let (q1, q2) = (s1 * s1 * s1 * s1, s2 * s2 * s2 * s2);
            (q1 * q1, q2 * q2)
        }
        VpModel::Binary => {
            const THRESH: f64 = 1.10;
            const MIN_X: f64 = 1e-6;
            if s1 >= THRESH * s2 {
                (1.0, MIN_X)
            } else if s2 >= THRESH * s1 {
                (MIN_X, 1.0)
            } else {
                let r12 = s1 / (s1 + s2);
                let p12 = (r12 * (THRESH + 1.0) - 1.0) / (THRESH - 1.0);
                (p12, 1.0 - p12)
            }
        }
    };
    (x1 / (x1 + x2), x2 / (x1 + x2))
}

/// Coalition strengths `C(i, j) = 1e-8 + Σ_k max(0, v_k(i:j))` over `num_opt` options, with
/// `v_k(i:j) = vfn(k, i, j)` (`Model::coalitions`; the diagonal is `1e-8`).
pub fn coalitions(num_act: usize, num_opt: usize, mut vfn: impl FnMut(usize, usize, usize) -> f64) -> Square {
    let mut c = Square::zeros(num_opt);
    for i in 0..num_opt {
        for j in 0..i {
            let mut cij = MIN_COALITION;
            let mut cji = MIN_COALITION;
            for k in 0..num_act {
                let v = vfn(k, i, j);
                if v > 0.0 {
                    cij += v;
                }
                if v < 0.0 {
                    cji -= v;
                }
            }
            c.set(i, j, cij);
            c.set(j, i, cji);
        }
        c.set(i, i, MIN_COALITION);
    }
    c
}

/// Victory probabilities `P(i ≻ j)` from coalition strengths (`Model::vProb(vpm, c)`).
pub fn victory_probs(vpm: VpModel, c: &Square) -> Square {
    let n = c.n();
    let mut p = Square::zeros(n);
    for i in 0..n {
        for j in 0..i {
            let (pij, pji) = vprob_pair(vpm, c.get(i, j), c.get(j, i));
            p.set(i, j, pij);
            p.set(j, i, pji);
        }
        p.set(i, i, 0.5);
    }
    p
}

/// Conditional PCE: `p_i ∝ Π_j P(i ≻ j)` (`Model::condPCE`).
pub fn cond_pce(pv: &Square) -> Vec<f64> {
    let n = pv.n();
    let mut p: Vec<f64> = (0..n)
        .map(|i| {
            let mut pi = 1.0;
            for j in 0..n {
                pi *= pv.get(i, j);
            }
            pi
        })
        .collect();
    let total = sum(&p);
    for x in &mut p {
        *x /= total;
    }
    p
}

/// Markov PCE with uniform challenges (`Model::markovUniformPCE`).
pub fn markov_uniform_pce(pv: &Square) -> Result<Vec<f64>, Error> {
    const TOL: f64 = 1e-6;
    let n = pv.n();
    let mut p = vec![1.0 / n as f64; n];
    let mut q = p.clone();
    let mut change = 1.0;
    let mut iter = 0;
    while TOL < change {
        if iter >= MAX_MARKOV_ITER {
            return Err(not_converged("MarkovUniform"));
        }
        change = 0.0;
        for i in 0..n {
            let mut pi = 0.0;
            for j in 0..n {
                pi += pv.get(i, j) * (p[i] + p[j]);
            }
            q[i] = pi / n as f64;
            let c = (q[i] - p[i]).abs();
            change = if c > change { c } else { change };
        }
        for (pi, qi) in p.iter_mut().zip(&q) {
            *pi = (*pi + qi) / 2.0;
        }
        iter += 1;
    }
    Ok(p)
}

/// KTAB gives up (with an exception) when a Markov PCE takes this many iterations.
const MAX_MARKOV_ITER: usize = 1000;

fn not_converged(which: &str) -> Error {
    crate::error::model(
        format!("PCEModel {which}"),
        format!("the Markov chain did not converge within {MAX_MARKOV_ITER} iterations (KTAB stops here too)"),
    )
}

/// Markov PCE with challenge probabilities proportional to incentives `C(i,j)·P(i≻j)`
/// (`Model::markovIncentivePCE`, after Wise's "Markov voting with incentives in KTAB").
#[allow(clippy::needless_range_loop)] // indices mirror KTAB's loops, whose order fixes rounding
pub fn markov_incentive_pce(c: &Square, pv: &Square) -> Result<Vec<f64>, Error> {
    const TOL: f64 = 1e-8;
    let n = c.n();
    let mut inctv = Square::zeros(n);
    for i in 0..n {
        for j in 0..n {
            let mut x = c.get(i, j) * pv.get(i, j);
            if i == j {
                x += 1e-10;
            }
            inctv.set(i, j, x);
        }
    }
    let mut col_sum = vec![0.0; n];
    for (j, s) in col_sum.iter_mut().enumerate() {
        for k in 0..n {
            *s += inctv.get(k, j);
        }
    }
    // chlg(i, j): probability that i challenges j.
    let mut chlg = Square::zeros(n);
    for i in 0..n {
        for j in 0..n {
            chlg.set(i, j, inctv.get(i, j) / col_sum[j]);
        }
    }
    let mut p = vec![1.0 / n as f64; n];
    let mut q = p.clone();
    let mut ct = Square::zeros(n);
    let mut change = 1.0;
    let mut iter = 0;
    while TOL < change {
        if iter >= MAX_MARKOV_ITER {
            return Err(not_converged("MarkovIncentive"));
        }
        for i in 0..n {
            for j in 0..n {
                ct.set(i, j, p[i] * chlg.get(j, i));
            }
        }
        change = 0.0;
        for i in 0..n {
            let mut qi = 0.0;
            for j in 0..n {
                qi += pv.get(i, j) * (ct.get(i, j) + ct.get(j, i));
            }
            q[i] = qi;
            let d = (q[i] - p[i]).abs();
            change = if d > change { d } else { change };
        }
        for (pi, qi) in p.iter_mut().zip(&q) {
            *pi = (*pi + qi) / 2.0;
        }
        iter += 1;
    }
    Ok(p)
}

/// Option probabilities and victory probabilities from coalition strengths (`Model::probCE2`).
pub fn prob_ce(pcm: PceModel, vpm: VpModel, c: &Square) -> Result<(Vec<f64>, Square), Error> {
    let pv = victory_probs(vpm, c);
    let p = match pcm {
        PceModel::Conditional => cond_pce(&pv),
        PceModel::MarkovIncentive => markov_incentive_pce(c, &pv)?,
        PceModel::MarkovUniform => markov_uniform_pce(&pv)?,
    };
    Ok((p, pv))
}

/// Probabilities of `num_opt` options when actors of weights `w` with utilities
/// `u(k, option)` vote on them (`Model::scalarPCE`).
pub fn scalar_pce(
    w: &[f64],
    num_opt: usize,
    u: impl Fn(usize, usize) -> f64,
    vr: VotingRule,
    vpm: VpModel,
    pcm: PceModel,
) -> Result<Vec<f64>, Error> {
    let c = coalitions(w.len(), num_opt, |k, i, j| vote(vr, w[k], u(k, i), u(k, j)));
    Ok(prob_ce(pcm, vpm, &c)?.0)
}

/// Risk attitudes from risk-neutral option probabilities (`Model::bigRfromProb`): the most
/// likely position is the most risk-averse. When all probabilities are equal (KTAB divides by
/// zero there) every actor is risk-neutral.
pub fn big_r_from_prob(p: &[f64], rr: BigRRange) -> Vec<f64> {
    let mut p_min = 1.0;
    let mut p_max = 0.0;
    for &pi in p {
        p_min = if pi < p_min { pi } else { p_min };
        p_max = if pi > p_max { pi } else { p_max };
    }
    if p_max - p_min <= 0.0 {
        return vec![0.0; p.len()];
    }
    p.iter()
        .map(|&pi| match rr {
            BigRRange::Min => (pi - p_min) / (p_max - p_min),
            BigRRange::Mid => (3.0 * pi - (p_max + 2.0 * p_min)) / (2.0 * (p_max - p_min)),
            BigRRange::Max => (2.0 * pi - (p_max + p_min)) / (p_max - p_min),
        })
        .collect()
}

/// Actor h's estimate of actor i's risk attitude (`Model::estNRA`).
#[inline]
pub fn est_nra(rh: f64, ri: f64, ra: BigRAdjust) -> f64 {
    match ra {
        BigRAdjust::Full => ri,
        BigRAdjust::TwoThirds => (rh + 2.0 * ri) / 3.0,
        BigRAdjust::Half => (rh + ri) / 2.0,
        BigRAdjust::OneThird => (2.0 * rh + ri) / 3.0,
        BigRAdjust::None => rh,
    }
}

/// A third party's order-zero estimate that i prevails over j once it joins its preferred side
/// (`Actor::vProbLittle`).
#[inline]
pub fn vprob_little(vr: VotingRule, wn: f64, uni: f64, unj: f64, contrib_i: f64, contrib_j: f64) -> f64 {
    let cn = vote(vr, wn, uni, unj);
    let cni = if cn > 0.0 { contrib_i + cn } else { contrib_i };
    let cnj = if cn < 0.0 { contrib_j - cn } else { contrib_j };
    cni / (cni + cnj)
}

/// A third party k's vote on a challenge of i against j (`Actor::thirdPartyVoteSU`), given its
/// estimates `pik` / `pjk` of each side winning and its utilities of i's, j's and its own
/// positions.
#[inline]
#[allow(clippy::too_many_arguments)]
pub fn third_party_vote(wk: f64, vr: VotingRule, comm: ThirdPartyCommit, pik: f64, pjk: f64, uki: f64, ukj: f64, ukk: f64) -> f64 {
    let (u_ik_def_j, u_j_def_ik, u_i_def_jk, u_jk_def_i) = match comm {
        ThirdPartyCommit::FullCommit => (uki + uki + uki, ukj + ukj + ukj, uki + uki + uki, ukj + ukj + ukj),
        ThirdPartyCommit::SemiCommit => (uki + uki + ukk, ukj + ukj + ukj, uki + uki + uki, ukj + ukj + ukk),
        ThirdPartyCommit::NoCommit => (uki + uki + ukk, ukj + ukj + ukk, uki + uki + ukk, ukj + ukj + ukk),
    };
    let u_ik_j = (pik * u_ik_def_j) + (pjk * u_j_def_ik);
    let u_i_jk = (pik * u_i_def_jk) + (pjk * u_jk_def_i);
    vote(vr, wk, u_ik_j, u_i_jk)
}

/// Sum in order (`KBase::sum`).
#[inline]
pub fn sum(xs: &[f64]) -> f64 {
    let mut s = 0.0;
    for &x in xs {
        s += x;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn victory_laws_give_the_documented_two_to_one_odds() {
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        assert!(close(vprob_pair(VpModel::Linear, 2.0, 1.0).0, 2.0 / 3.0));
        assert!(close(vprob_pair(VpModel::Square, 2.0, 1.0).0, 4.0 / 5.0));
        assert!(close(vprob_pair(VpModel::Quartic, 2.0, 1.0).0, 16.0 / 17.0));
        assert!(close(vprob_pair(VpModel::Octic, 2.0, 1.0).0, 256.0 / 257.0));
        assert!(vprob_pair(VpModel::Binary, 1.2, 1.0).0 > 0.99);
        assert!(close(vprob_pair(VpModel::Binary, 1.0, 1.0).0, 0.5));
    }

    #[test]
    fn voting_rules() {
        assert_eq!(vote(VotingRule::Proportional, 2.0, 0.75, 0.5), 0.5);
        assert_eq!(vote(VotingRule::Binary, 2.0, 0.75, 0.5), 2.0);
        assert_eq!(vote(VotingRule::Cubic, 2.0, 1.0, 0.5), 0.25);
        assert_eq!(vote(VotingRule::ASymProsp, 3.0, 1.0, 0.0), 2.0);
        assert_eq!(vote(VotingRule::ASymProsp, 3.0, 0.0, 1.0), -3.0);
    }

    #[test]
    fn pce_variants_agree_on_a_clear_winner() {
        // Three options; actors of weights 3, 1, 1 prefer option 0, 1, 2 respectively.
        let w = [3.0, 1.0, 1.0];
        let u = |k: usize, o: usize| if k == o { 1.0 } else { 0.5 };
        for pcm in [PceModel::Conditional, PceModel::MarkovIncentive, PceModel::MarkovUniform] {
            let p = scalar_pce(&w, 3, u, VotingRule::Proportional, VpModel::Linear, pcm).unwrap();
            assert!((sum(&p) - 1.0).abs() < 1e-6, "{pcm}: {p:?}");
            assert!(p[0] > p[1] && p[0] > p[2], "{pcm}: {p:?}");
            assert!((p[1] - p[2]).abs() < 1e-6, "{pcm}: {p:?}");
        }
    }

    #[test]
    fn big_r_ranges() {
        let p = [0.1, 0.3, 0.6];
        assert!((big_r_from_prob(&p, BigRRange::Mid)[2] - 1.0).abs() < 1e-12);
        assert!((big_r_from_prob(&p, BigRRange::Mid)[0] + 0.5).abs() < 1e-12);
        assert!((big_r_from_prob(&p, BigRRange::Max)[0] + 1.0).abs() < 1e-12);
        assert_eq!(big_r_from_prob(&p, BigRRange::Min)[0], 0.0);
        assert_eq!(big_r_from_prob(&[0.5, 0.5], BigRRange::Mid), vec![0.0, 0.0]);
    }

    #[test]
    fn utility_and_distance() {
        assert_eq!(bs_util(0.0, 0.7), 1.0);
        assert_eq!(bs_util(1.0, -0.5), 0.0);
        assert_eq!(bs_util(0.5, 0.0), 0.5);
        // Equal saliences: plain RMS distance.
        let d = bv_diff(&[0.0, 0.0], &[0.3, 0.4], &[0.5, 0.5]);
        assert!((d - (0.125f64).sqrt()).abs() < 1e-15);
    }
}
