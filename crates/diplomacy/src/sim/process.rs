//! The stay-or-leave test (MODEL.md "Stay or leave"): what the whole remaining process is worth
//! to each party, in closed form over the steps not standing, computed from per-step gains
//! fixed once per run; and the continuation value the strategic delivery test weighs.

use super::{mean, Observer, Run, RunEvent, StepState};
use crate::model::Strategy;

/// What the whole remaining process is worth, per party and step (MODEL.md's closed form):
/// each step's gains at its Nash package over the status quo, with and without the other
/// side's part, computed once per run.
#[derive(Clone, Debug, Default)]
pub(super) struct Process {
    /// `g[i][s]`: i's gain from step s's Nash package, fully delivered.
    pub(super) g: Vec<Vec<f64>>,
    /// `g0[i][s]`: i's gain if the others' issues of step s stay as they are.
    pub(super) g0: Vec<Vec<f64>>,
    /// Expected rounds a step takes (the strategies' clocks, averaged; 1 for SPE).
    pub(super) step_rounds: f64,
    /// `1 - delta_i^grace`: the share of a loss that lasts until the snap-back.
    pub(super) exposure: Vec<f64>,
    /// `ahead[i][r]`: `delta_i^(r L)`, the discount of the step `r` steps ahead.
    pub(super) ahead: Vec<Vec<f64>>,
    /// `fade[r]`: `(1 - leverage decay)^(r L)`, what is left of the mediator's leverage `r`
    /// steps ahead.
    pub(super) fade: Vec<f64>,
}

impl Run<'_> {
    /// Stay or leave: i leaves when its trust in another falls below its walk-away floor, or
    /// when the whole remaining process is worth less to it than leaving (keeping what stands).
    pub(super) fn stay_or_leave<O: Observer>(&mut self, obs: &mut O) {
        let m = self.m;
        for i in 0..self.n {
            let party = &m.parties[i];
            let reason = if let Some(j) = (0..self.n).find(|&j| j != i && self.beliefs[i][j].mean() < party.walk_away) {
                Some(format!(
                    "its trust in {} ({:.3}) fell below its walk-away floor {:.3}",
                    m.parties[j].id,
                    self.beliefs[i][j].mean(),
                    party.walk_away
                ))
            } else {
                let dq = self.weight(i);
                if self.surely_stays(i, dq) {
                    None
                } else {
                    let stay = self.stay_value(i, dq);
                    (stay < 0.0).then(|| format!("the remaining process is worth {stay:.4} to it, less than leaving with what stands"))
                }
            };
            if let Some(reason) = reason {
                self.left = Some(i);
                self.left_at = Some(self.t);
                if O::ENABLED {
                    obs.event(RunEvent::Left { round: self.t, party: party.id.clone(), reason });
                }
                return;
            }
        }
    }

    /// i's value of staying in the process, net of leaving (MODEL.md's closed form): the sum
    /// over the steps not standing, in order, of `(delta q)^{D_s} max(0, tau g_s + (1 - tau)
    /// min(g0_s, g_s) (1 - delta^grace) + leverage)`, minus the engagement costs of the rounds
    /// until the last of them, discounted the same way. `D_s` is the step's rank times `L`, the
    /// rounds a step takes; a defection costs i only until its snap-back takes effect, hence the
    /// factor `1 - delta^grace` on the loss. Strikes delay the process by their pauses: `q =
    /// delta^(sum_k h_k pause_k)`, the hazards under i's beliefs (`dq` is [`Run::weight`]).
    /// Non-decreasing in trust and patience, non-increasing in engagement cost and spoiler hazards.
    pub(super) fn stay_value(&self, i: usize, dq: f64) -> f64 {
        let l = self.process.step_rounds;
        let mut value = 0.0;
        let mut rank = 0.0;
        // dq^(rank L) at the last rank it was computed for (the costs reuse it).
        let mut last = (0.0, 1.0);
        self.remaining_terms(i, |k, term| {
            rank = k;
            if term > 0.0 {
                last = (rank, dq.powf(rank * l));
                value += last.1 * term;
            }
        });
        // Engagement costs until the last remaining step, discounted: sum over k < rank L of dq^k.
        let rounds = rank * l;
        let costs = if dq < 1.0 {
            let far = if last.0 == rank { last.1 } else { dq.powf(rounds) };
            (1.0 - far) / (1.0 - dq)
        } else {
            rounds
        };
        value - self.engagement_cost(i) * costs
    }

    /// The expected rounds of pause from strikes, under i's beliefs: `sum_k h_k pause_k`.
    fn delay(&self, i: usize) -> f64 {
        let m = self.m;
        let mut delay = 0.0;
        for sp in m.spoilers.iter().filter(|s| s.enabled) {
            let believed = mean(sp.blamed.iter().map(|&j| if j == i { m.parties[i].capacity } else { self.beliefs[i][j].mean() }));
            let h = (sp.base + sp.visibility * self.v + sp.progress * self.progress + sp.capacity_link * (1.0 - believed)).clamp(0.0, 1.0);
            delay += h * f64::from(sp.pause);
        }
        delay
    }

    /// The discount weight of one round ahead for i, strikes' pauses included: `dq =
    /// delta^(1 + sum_k h_k pause_k)`.
    pub(super) fn weight(&self, i: usize) -> f64 {
        self.m.parties[i].discount.powf(1.0 + self.delay(i))
    }

    /// Visits the terms of i's stay value over the steps not standing, in order, each with its
    /// rank (1, 2, ...): `max(0, tau g_s + (1 - tau) min(g0_s, g_s) exposure + leverage faded to
    /// the rank)`.
    fn remaining_terms(&self, i: usize, mut visit: impl FnMut(f64, f64)) {
        let tau = self.tau(i);
        let exposure = self.process.exposure[i];
        let mut rank = 0.0;
        let mut r = 0;
        for (s, st) in self.state.iter().enumerate() {
            if matches!(st, StepState::Standing { .. }) {
                continue;
            }
            rank += 1.0;
            r += 1;
            let (g, g0) = (self.process.g[i][s], self.process.g0[i][s]);
            let lev = if self.lev[i] == 0.0 { 0.0 } else { self.lev[i] * self.process.fade[r] };
            visit(rank, (tau * g + (1.0 - tau) * g0.min(g) * exposure + lev).max(0.0));
        }
    }

    /// True when [`Run::stay_value`] is surely not negative, shown with one power instead of
    /// one per step (the stay test's cost): for `y >= 1` and `dq` in [0, 1], `dq^y >= 1 - y (1 -
    /// dq)` (Bernoulli), so each step's weight `dq^(rank L)` is at least `1 - rank L (1 - dq)`,
    /// and the engagement costs' sum `(1 - dq^R) / (1 - dq)` of `R = rank L` powers is at most
    /// `R` (the same inequality) and at most `1 / (1 - dq)`. The bound
    /// must clear a margin far above the rounding of the value itself (which needs `1 - dq` not
    /// tiny, or 0), so the decision is the same.
    pub(super) fn surely_stays(&self, i: usize, dq: f64) -> bool {
        let cost = self.engagement_cost(i);
        if cost.is_nan() || cost < 0.0 {
            return false;
        }
        if !(dq == 1.0 || (0.0..=1.0 - 1e-6).contains(&dq)) {
            return false;
        }
        let l = self.process.step_rounds;
        let per_rank = l * (1.0 - dq);
        let (mut bound, mut scale) = (0.0, 0.0);
        let mut rank = 0.0;
        self.remaining_terms(i, |k, term| {
            rank = k;
            bound += term * (1.0 - rank * per_rank).max(0.0);
            scale += term;
        });
        let rounds = rank * l;
        let costs = cost * if dq < 1.0 { rounds.min(1.0 / (1.0 - dq)) } else { rounds };
        bound - costs > 1e-6 * (1.0 + scale + costs)
    }

    /// C_i: i's continuation value of the steps after step `s` that are not standing, with the
    /// others' trust in it at `tau` (the process goes on only as far as they believe in it).
    pub(super) fn continuation(&self, i: usize, s: usize, tau: f64) -> f64 {
        if self.left.is_some() {
            return 0.0;
        }
        let mut rank = 0;
        let mut value = 0.0;
        for (k, st) in self.state.iter().enumerate() {
            if k == s || matches!(st, StepState::Standing { .. }) {
                continue;
            }
            rank += 1;
            value += self.process.ahead[i][rank] * self.process.g[i][k].max(0.0);
        }
        tau * value
    }

    /// The per-step gains of the stay test, at each step's Nash package over the status quo.
    pub(super) fn process_values(&mut self) -> Process {
        let m = self.m;
        let n = self.n;
        let mut g = vec![vec![0.0; m.steps.len()]; n];
        let mut g0 = vec![vec![0.0; m.steps.len()]; n];
        for s in 0..m.steps.len() {
            let table = self.table_for(m.steps[s].issues.clone());
            let d: Vec<f64> = (0..n).map(|i| self.reservation[i].max(self.utility_now(i).unwrap_or(f64::NEG_INFINITY))).collect();
            let mut best: Option<(f64, usize)> = None;
            for p in 0..table.count {
                let mut prod = 1.0;
                let mut ok = true;
                for i in 0..n {
                    let gain = table.u[i][p] - d[i];
                    if gain <= 0.0 {
                        ok = false;
                        break;
                    }
                    prod *= gain;
                }
                if ok && best.is_none_or(|(b, _)| prod > b) {
                    best = Some((prod, p));
                }
            }
            if let Some((_, p)) = best {
                for i in 0..n {
                    g[i][s] = table.u[i][p] - d[i];
                    // Without the others' parts: the worst of the others withholding.
                    g0[i][s] = (0..n).filter(|&j| j != i).map(|j| table.without[i][j][p] - d[i]).fold(f64::INFINITY, f64::min);
                    if !g0[i][s].is_finite() {
                        g0[i][s] = g[i][s];
                    }
                }
            }
        }
        let clocks: Vec<f64> = m
            .parties
            .iter()
            .map(|p| match &p.strategy {
                Strategy::Agent { rounds, .. } => *rounds,
                Strategy::Spe => 1.0,
            })
            .collect();
        let step_rounds = (clocks.iter().sum::<f64>() / clocks.len().max(1) as f64).max(1.0);
        let grace = m.response.grace as i32;
        let exposure = m.parties.iter().map(|p| 1.0 - p.discount.powi(grace)).collect();
        let ahead = m.parties.iter().map(|p| (0..=m.steps.len()).map(|r| p.discount.powf(r as f64 * step_rounds)).collect()).collect();
        let decay = m.mediator.as_ref().map_or(0.0, |med| med.leverage_decay);
        let fade = (0..=m.steps.len()).map(|r| (1.0 - decay).powf(r as f64 * step_rounds)).collect();
        Process { g, g0, step_rounds, exposure, ahead, fade }
    }
}
