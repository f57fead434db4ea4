//! Bueno de Mesquita's expected-utility (challenge) model, as reconstructed by Scholz, Calbert &
//! Smith (2011, *J. Theoretical Politics* 23(4)), on one issue dimension.
//!
//! Each round every actor infers its risk exponent from how exposed its position is to
//! challenges (its "danger level" among all actors'), then weighs, against every other actor,
//! its expected utility of challenging it and of being challenged by it; the resulting offers
//! (confrontation, compromise, capitulation) move positions simultaneously. The forecast is the
//! weighted median (the Condorcet winner under linear utilities), with the capability ×
//! salience weighted mean (the "compromise model") beside it.
//!
//! The rules follow the public replication `jmckib/bdm-scholz-expected-utility-model` (which
//! reproduces Scholz et al.'s published rounds), including three of its choices that look
//! like mistakes; each is reproduced by default and corrected by an option of [`BdmOptions`]:
//! - `scholz_normaliser`: the victory probability of i over j divides i's votes by the sum of
//!   all actors' absolute votes over all pairs of positions (tiny probabilities), not by the
//!   votes on this pair;
//! - `capitulation_typo`: the capitulation test compares `EU_ji < |EU_ji|`, never true, so no
//!   actor ever capitulates; corrected, it is `EU_ji < |EU_ij|`;
//! - `compromise_key`: among compromises, the one with the smallest EU-weighted position is
//!   taken, not the one that moves the actor least.
//!
//! With `q < 1` the status quo is uncertain and the expected utility of not challenging adds
//! `(1 − Q)[T·U_b + (1 − T)·U_w]` (Scholz's equation; the replication has only `Q = 1`).

use crate::error::Error;

/// One actor of a one-dimensional problem.
#[derive(Debug, Clone, PartialEq)]
pub struct BdmActor {
    /// Name.
    pub name: String,
    /// Capability (any positive scale; only ratios matter).
    pub capability: f64,
    /// Position on the issue (any scale).
    pub position: f64,
    /// Salience in `[0, 1]` (also read as the probability of resisting a challenge).
    pub salience: f64,
}

/// Options of the model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BdmOptions {
    /// Probability `Q` that the status quo persists if no one challenges (Scholz's default 1).
    pub q: f64,
    /// Probability `T` that things get better for the actor if the status quo does not persist.
    pub t: f64,
    /// Reproduce the replication's whole-model vote normaliser (default `true`).
    pub scholz_normaliser: bool,
    /// Reproduce the capitulation test that never fires (default `true`).
    pub capitulation_typo: bool,
    /// Reproduce the EU-weighted choice among compromises (default `true`).
    pub compromise_key: bool,
}

impl Default for BdmOptions {
    fn default() -> BdmOptions {
        BdmOptions { q: 1.0, t: 1.0, scholz_normaliser: true, capitulation_typo: true, compromise_key: true }
    }
}

impl BdmOptions {
    /// All three replication choices corrected.
    pub fn corrected(self) -> BdmOptions {
        BdmOptions { scholz_normaliser: false, capitulation_typo: false, compromise_key: false, ..self }
    }
}

/// Kind of offer an actor accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfferKind {
    /// Both expect to gain from a challenge; the weaker side expects to lose the fight and moves.
    Confrontation,
    /// The actor moves part of the way toward the other.
    Compromise,
    /// The actor moves all the way to the other.
    Capitulation,
}

/// The offer an actor accepted in a round.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Offer {
    /// The actor making the offer.
    pub from: usize,
    /// Kind.
    pub kind: OfferKind,
    /// The accepting actor's new position.
    pub position: f64,
}

/// One round (round 0 is the initial state).
#[derive(Debug, Clone, PartialEq)]
pub struct BdmRound {
    /// Positions after the round.
    pub positions: Vec<f64>,
    /// Risk exponents used in the round (all 1 in round 0).
    pub risk: Vec<f64>,
    /// The offer each actor accepted.
    pub offers: Vec<Option<Offer>>,
    /// Weighted median after the round (the forecast).
    pub median: f64,
    /// Capability × salience weighted mean after the round.
    pub mean: f64,
}

struct Model<'a> {
    actors: &'a [BdmActor],
    x: Vec<f64>,
    r: Vec<f64>,
    range: f64,
    opt: BdmOptions,
    /// The replication's normaliser for the current positions and exponents.
    all_votes: f64,
}

impl Model<'_> {
    fn compare(&self, v: usize, xj: f64, xk: f64, r: f64) -> f64 {
        let a = &self.actors[v];
        let dk = ((self.x[v] - xk).abs() / self.range).powf(r);
        let dj = ((self.x[v] - xj).abs() / self.range).powf(r);
        a.capability * a.salience * (dk - dj)
    }

    fn refresh(&mut self) {
        let n = self.x.len();
        let mut s = 0.0;
        if self.opt.scholz_normaliser {
            for v in 0..n {
                for a1 in 0..n {
                    for a2 in 0..n {
                        s += self.compare(v, self.x[a1], self.x[a2], self.r[v]).abs();
                    }
                }
            }
        }
        self.all_votes = s;
    }

    fn probability(&self, xi: f64, xj: f64) -> f64 {
        if xi == xj {
            return 0.0;
        }
        let n = self.x.len();
        let mut num = 0.0;
        let mut den = 0.0;
        for v in 0..n {
            let c = self.compare(v, xi, xj, self.r[v]);
            num += c.max(0.0);
            den += c.abs();
        }
        let den = if self.opt.scholz_normaliser { self.all_votes } else { den };
        if den > 0.0 {
            num / den
        } else {
            0.0
        }
    }

    fn mean(&self) -> f64 {
        let mut top = 0.0;
        let mut bottom = 0.0;
        for (a, &x) in self.actors.iter().zip(&self.x) {
            top += a.capability * a.salience * x;
            bottom += a.capability * a.salience;
        }
        top / bottom
    }

    fn median(&self) -> f64 {
        let mut positions = self.x.clone();
        positions.sort_by(f64::total_cmp);
        positions.dedup();
        let mut median = positions[0];
        for &p in &positions[1..] {
            let votes: f64 = (0..self.x.len()).map(|v| self.compare(v, p, median, 1.0)).sum();
            if votes > 0.0 {
                median = p;
            }
        }
        median
    }

    /// `2 - 4·base^r`, with the base kept at or above 0.
    fn curve(base: f64, r: f64) -> f64 {
        2.0 - 4.0 * base.max(0.0).powf(r)
    }

    /// Expected utility to actor i of challenging j, in actor p's eyes (p's risk exponent).
    fn eu_challenge(&self, p: usize, i: usize, j: usize, mean: f64) -> f64 {
        let r = self.r[p];
        let d = (self.x[i] - self.x[j]).abs() / self.range;
        let prob = self.probability(self.x[i], self.x[j]);
        let u_s = Self::curve(0.5 - 0.5 * d, r);
        let u_f = Self::curve(0.5 + 0.5 * d, r);
        let u_sq = Self::curve(0.5, r);
        let sj = self.actors[j].salience;
        let eu_resist = sj * (prob * u_s + (1.0 - prob) * u_f);
        let eu_not_resist = (1.0 - sj) * u_s;
        let mut eu = eu_resist + eu_not_resist - self.opt.q * u_sq;
        if self.opt.q < 1.0 {
            let spread = 0.25 * ((self.x[i] - mean).abs() + (self.x[i] - self.x[j]).abs()) / self.range;
            let u_b = Self::curve(0.5 - spread, r);
            let u_w = Self::curve(0.5 + spread, r);
            eu -= (1.0 - self.opt.q) * (self.opt.t * u_b + (1.0 - self.opt.t) * u_w);
        }
        eu
    }

    fn risk_exponents(&mut self) -> Vec<f64> {
        let n = self.x.len();
        self.r = vec![1.0; n];
        self.refresh();
        let mean = self.mean();
        let danger: Vec<f64> = (0..n).map(|a| (0..n).filter(|&o| o != a).map(|o| self.eu_challenge(a, o, a, mean)).sum()).collect();
        let max = danger.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let min = danger.iter().copied().fold(f64::INFINITY, f64::min);
        danger
            .iter()
            .map(|&d| {
                let big_r = if max > min { (2.0 * d - max - min) / (max - min) } else { 0.0 };
                (1.0 - big_r / 3.0) / (1.0 + big_r / 3.0)
            })
            .collect()
    }

    fn best_offer(&self, a: usize, mean: f64) -> Option<Offer> {
        let x = self.x[a];
        let mut best: [Option<(f64, Offer)>; 3] = [None, None, None];
        for o in 0..self.x.len() {
            if self.x[o] == x {
                continue;
            }
            let eu_ij = self.eu_challenge(a, a, o, mean);
            let eu_ji = self.eu_challenge(a, o, a, mean);
            let capitulates = if self.opt.capitulation_typo { eu_ji < eu_ji.abs() } else { eu_ji < eu_ij.abs() };
            let (slot, kind, position) = if eu_ji > eu_ij && eu_ij > 0.0 {
                (0, OfferKind::Confrontation, self.x[o])
            } else if eu_ji > 0.0 && 0.0 > eu_ij && eu_ji > eu_ij.abs() {
                (1, OfferKind::Compromise, x + (self.x[o] - x) * (eu_ij / eu_ji).abs())
            } else if eu_ji > 0.0 && 0.0 > eu_ij && capitulates {
                (2, OfferKind::Capitulation, self.x[o])
            } else {
                continue;
            };
            let key = if kind == OfferKind::Compromise && self.opt.compromise_key {
                (eu_ij.abs() * x + eu_ji.abs() * self.x[o]) / (eu_ij.abs() + eu_ji.abs())
            } else {
                (x - position).abs()
            };
            if best[slot].is_none_or_greater(key) {
                best[slot] = Some((key, Offer { from: o, kind, position }));
            }
        }
        best.into_iter().flatten().next().map(|(_, offer)| offer)
    }
}

trait FirstMin {
    fn is_none_or_greater(&self, key: f64) -> bool;
}

impl FirstMin for Option<(f64, Offer)> {
    fn is_none_or_greater(&self, key: f64) -> bool {
        match self {
            None => true,
            Some((k, _)) => key < *k,
        }
    }
}

/// Runs `rounds` rounds on one dimension; the result has `rounds + 1` entries, from the
/// initial state.
pub fn run(actors: &[BdmActor], options: BdmOptions, rounds: usize) -> Result<Vec<BdmRound>, Error> {
    if actors.len() < 2 {
        return Err(crate::error::model("actors", format!("the model needs at least 2 actors, found {}", actors.len())));
    }
    for a in actors {
        let field = || format!("actor \"{}\"", a.name);
        if !(a.capability > 0.0 && a.capability.is_finite()) {
            return Err(crate::error::model(field(), format!("capability must be positive, found {}", a.capability)));
        }
        if !(0.0..=1.0).contains(&a.salience) {
            return Err(crate::error::model(field(), format!("salience must be in [0, 1], found {}", a.salience)));
        }
        if !a.position.is_finite() {
            return Err(crate::error::model(field(), format!("position must be a number, found {}", a.position)));
        }
    }
    if !(0.0..=1.0).contains(&options.q) || !(0.0..=1.0).contains(&options.t) {
        return Err(crate::error::model("Q and T", format!("must be probabilities, found {} and {}", options.q, options.t)));
    }
    let x: Vec<f64> = actors.iter().map(|a| a.position).collect();
    let max = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let min = x.iter().copied().fold(f64::INFINITY, f64::min);
    if max <= min {
        return Err(crate::error::model("positions", "all actors hold the same position: there is nothing to bargain over"));
    }
    let n = actors.len();
    let mut m = Model { actors, x, r: vec![1.0; n], range: max - min, opt: options, all_votes: 0.0 };
    let mut out = vec![BdmRound { positions: m.x.clone(), risk: vec![1.0; n], offers: vec![None; n], median: m.median(), mean: m.mean() }];
    for _ in 0..rounds {
        let risk = m.risk_exponents();
        m.r = risk.clone();
        m.refresh();
        let mean = m.mean();
        let offers: Vec<Option<Offer>> = (0..n).map(|a| m.best_offer(a, mean)).collect();
        for (a, offer) in offers.iter().enumerate() {
            if let Some(o) = offer {
                m.x[a] = o.position;
            }
        }
        out.push(BdmRound { positions: m.x.clone(), risk, offers, median: m.median(), mean: m.mean() });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ec() -> Vec<BdmActor> {
        // Bueno de Mesquita (1994), EC emission standards; as in Scholz et al. (2011).
        let rows = [
            ("Netherlands", 0.08, 4.0, 0.8),
            ("Belgium", 0.08, 7.0, 0.4),
            ("Luxembourg", 0.03, 4.0, 0.2),
            ("Germany", 0.16, 4.0, 0.8),
            ("France", 0.16, 10.0, 0.6),
            ("Italy", 0.16, 10.0, 0.6),
            ("UK", 0.16, 10.0, 0.9),
            ("Ireland", 0.05, 7.0, 0.1),
            ("Denmark", 0.05, 4.0, 1.0),
            ("Greece", 0.08, 7.0, 0.7),
        ];
        rows.iter().map(|&(n, c, x, s)| BdmActor { name: n.into(), capability: c, position: x, salience: s }).collect()
    }

    #[test]
    fn closed_forms_on_the_ec_data() {
        // ORACLES.md #12: mean 5.003/0.677 = 7.389956, weighted median 7.0.
        let r = run(&ec(), BdmOptions::default(), 0).unwrap();
        assert!((r[0].mean - 5.003 / 0.677).abs() < 1e-12);
        assert_eq!(r[0].median, 7.0);
    }

    #[test]
    fn corrected_rules_still_move_toward_a_median() {
        let r = run(&ec(), BdmOptions::default().corrected(), 5).unwrap();
        assert_eq!(r.len(), 6);
        for round in &r {
            assert!(round.positions.iter().all(|x| (4.0..=10.0).contains(x)));
        }
        let err = run(&ec()[..1], BdmOptions::default(), 1).unwrap_err();
        assert!(err.to_string().contains("at least 2 actors"));
    }
}
