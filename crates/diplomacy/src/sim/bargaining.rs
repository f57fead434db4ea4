//! One round of talks on the current step: Rubinstein's SPE when both parties play it,
//! otherwise a session of the protocol in force through [`crate::bargain::bargain`], under each
//! party's acceptance test as it bargains (bluffed floor, the mediator's leverage).

use std::sync::Arc;

use bc_model::Value;

use super::frontier::{Frontier, FRONTIER_MIN};
use super::tables::absolute_floor;
use super::{Observer, Run, RunEvent, Table};
use crate::bargain::{self, Agreement, Move, Problem, Proposer};
use crate::model::{Protocol, Strategy};
use crate::rubinstein::{self, Point, SpeTerms};

impl Run<'_> {
    /// One round of talks on the current step. Returns the agreement, if any, and whether a
    /// package was put on the table (every session of alternating offers, relay or single text
    /// puts one; confidential mediation only when the mediator finds a zone). Rounds that
    /// cannot produce an agreement and leave nothing behind (time-based strategies, a stateless
    /// mediator) are not played: no package every party can ratify, or (without a trace) none
    /// that clears every strategy's lowest level of the round.
    pub(super) fn bargain<O: Observer>(&mut self, obs: &mut O) -> (Option<Agreement>, bool) {
        let m = self.m;
        let t = self.t;
        let protocol = self.protocol();
        let spe = m.parties.iter().all(|p| matches!(p.strategy, Strategy::Spe)) && self.n == 2;
        let mediator: &bc_strategy::Spec = match (&m.mediator, protocol) {
            (Some(med), Some(_)) => &med.strategy,
            _ => pass(),
        };
        let memoryless = self.talks.memoryless(protocol, mediator);
        if !O::ENABLED && !spe && memoryless {
            if let Some(verdict) = self.decided_on_frontier(protocol) {
                return verdict;
            }
        }
        self.settle();
        if O::ENABLED {
            self.trace_table(protocol, obs);
        }
        if spe {
            return (self.bargain_spe(t as usize % self.n, obs), true);
        }
        let Some(space) = self.table.space.as_ref() else { return (None, false) };
        let offered = protocol != Some(Protocol::Confidential);
        let zone = self.joint().iter().any(|&p| (0..self.n).all(|i| self.table.u[i][p] >= self.floor_abs[i]));
        if !zone && memoryless {
            // No package every party can ratify: no protocol can produce an agreement.
            if O::ENABLED && protocol == Some(Protocol::Confidential) {
                obs.event(RunEvent::NoZone { round: t });
            }
            return (None, offered);
        }
        let offered = true;
        let d_eff: Vec<f64> = (0..self.n).map(|i| self.d[i] - self.lev[i]).collect();
        let problem = Problem {
            space,
            values: &self.values,
            utilities: &self.table.u,
            base_ok: &self.base_ok,
            floors: &self.floor_abs,
            disagreement: &d_eff,
            elapsed: t - self.step_open,
            round: t,
            sub_rounds: m.sub_rounds.max(1),
        };
        if !O::ENABLED && memoryless && self.talks.lowest_levels(&problem, &self.ranges, &mut self.levels, &mut self.aspirations) {
            // Nothing clears every strategy's lowest level of the round: no agreement.
            let levels = &self.levels;
            let possible = self
                .joint()
                .iter()
                .any(|&p| (0..self.n).all(|i| self.table.u[i][p] >= self.floor_abs[i] && self.values[i][p] >= levels[i]));
            if !possible {
                return (None, offered);
            }
        }
        let mut moves: Vec<Move> = Vec::new();
        let mut sink = |mv: Move| moves.push(mv);
        let result = bargain::bargain(protocol, mediator, &problem, &mut self.talks, O::ENABLED, &mut sink);
        if O::ENABLED {
            for mv in moves {
                match mv {
                    Move::Offer { offer, by, package } => {
                        let e = RunEvent::Offer {
                            round: t,
                            offer,
                            by: self.who(by),
                            package: self.describe(package, None),
                            values: (0..self.n).map(|i| self.values[i][package]).collect(),
                        };
                        obs.event(e);
                    }
                    Move::Amended { offer, package } => {
                        let e = RunEvent::Amended { round: t, offer, package: self.describe(package, None) };
                        obs.event(e);
                    }
                    Move::NoZone { .. } => obs.event(RunEvent::NoZone { round: t }),
                }
            }
        }
        (result, offered)
    }

    /// A round of memoryless strategies on a large two-party table that cannot produce an
    /// agreement, decided on the table's [`Frontier`] without valuing every package: the same
    /// tests as [`Run::bargain`]'s (no package passes every party's test, or none clears every
    /// strategy's lowest level of the round), on the packages that decide them. Returns what
    /// [`Run::bargain`] returns then, or None when talks may be held (or the table is small).
    fn decided_on_frontier(&mut self, protocol: Option<Protocol>) -> Option<(Option<Agreement>, bool)> {
        if self.n != 2 || self.table.count < FRONTIER_MIN {
            return None;
        }
        let space = Arc::clone(self.table.space.as_ref()?);
        // U = u - doubt (u - w) as in the full valuation; the frontier needs a doubt in [0, 1].
        let doubt = [1.0 - self.beliefs[0][1].mean(), 1.0 - self.beliefs[1][0].mean()];
        if !doubt.iter().all(|d| (0.0..=1.0).contains(d)) {
            return None;
        }
        self.refresh_reciprocity();
        if self.frontier.is_none() {
            self.frontier = Some(Frontier::of(&self.table, &self.recip_ok, &mut self.frontiers));
        }
        let f = Arc::clone(self.frontier.as_ref()?);
        let table: &Table = &self.table;
        // The same expression as the full valuation's, from u and w.
        let value = |i: usize, u: f64, w: f64| u - doubt[i] * (u - w);
        let threshold = [self.d[0] - self.lev[0] - 1e-12, self.d[1] - self.lev[1] - 1e-12];
        let floors = [self.floor_abs[0], self.floor_abs[1]];
        let admitted = |x: &[f64; 4]| {
            x[0] >= floors[0] && x[2] >= floors[1] && value(0, x[0], x[1]) >= threshold[0] && value(1, x[2], x[3]) >= threshold[1]
        };
        if !f.zone.iter().any(admitted) {
            return Some((None, protocol != Some(Protocol::Confidential)));
        }
        // Each party's lowest and highest value, as the full valuation's scan finds them.
        for i in 0..2 {
            let (mut worst, mut best) = (f64::INFINITY, f64::NEG_INFINITY);
            for &(u, w) in &f.top[i] {
                let v = value(i, u, w);
                if v > best {
                    best = v;
                }
            }
            for &(u, w) in &f.bottom[i] {
                let v = value(i, u, w);
                if v < worst {
                    worst = v;
                }
            }
            self.ranges[i] = (worst, best);
        }
        let d_eff = [self.d[0] - self.lev[0], self.d[1] - self.lev[1]];
        let problem = Problem {
            space: &space,
            values: &self.values,
            utilities: &table.u,
            base_ok: &self.base_ok,
            floors: &self.floor_abs,
            disagreement: &d_eff,
            elapsed: self.t - self.step_open,
            round: self.t,
            sub_rounds: self.m.sub_rounds.max(1),
        };
        if self.talks.lowest_levels(&problem, &self.ranges, &mut self.levels, &mut self.aspirations) {
            let levels = &self.levels;
            let clears = |x: &[f64; 4]| admitted(x) && value(0, x[0], x[1]) >= levels[0] && value(1, x[2], x[3]) >= levels[1];
            if !f.zone.iter().any(clears) {
                return Some((None, true));
            }
        }
        None
    }

    /// What the round puts on the table, for the trace: the packages that pass every party's
    /// true test, and those that pass the tests the parties bargain with.
    fn trace_table<O: Observer>(&self, protocol: Option<Protocol>, obs: &mut O) {
        let Some(s) = self.step else { return };
        let true_floors: Vec<f64> = (0..self.n)
            .map(|i| {
                let (lo, hi) = self.table.range[i];
                absolute_floor(self.true_floor(i), lo, hi)
            })
            .collect();
        let zone = (0..self.table.count)
            .filter(|&p| {
                (0..self.n).all(|i| self.values[i][p] >= self.d[i] - 1e-12 && self.recip_ok[i][p] && self.table.u[i][p] >= true_floors[i])
            })
            .count();
        let claimed = self.joint().iter().filter(|&&p| (0..self.n).all(|i| self.table.u[i][p] >= self.floor_abs[i])).count();
        let protocol = match protocol {
            None => "direct",
            Some(Protocol::Relay) => "relay",
            Some(Protocol::SingleText) => "single_text",
            Some(Protocol::Confidential) => "confidential",
        };
        obs.event(RunEvent::Table { round: self.t, step: self.m.steps[s].name.clone(), zone, claimed, protocol: protocol.into() });
    }

    fn bargain_spe<O: Observer>(&mut self, first: usize, obs: &mut O) -> Option<Agreement> {
        let count = self.table.count;
        let points: Vec<Point> = (0..count)
            .map(|p| Point { big: [self.values[0][p], self.values[1][p]], small: [self.table.u[0][p], self.table.u[1][p]] })
            .collect();
        let mut terms = SpeTerms { discount: [0.0; 2], disagreement: [0.0; 2], floor: [0.0; 2], reciprocity: [0.0; 2] };
        for i in 0..2 {
            terms.discount[i] = self.m.parties[i].discount;
            terms.disagreement[i] = self.d[i] - self.lev[i];
            let (lo, hi) = self.table.range[i];
            terms.floor[i] = absolute_floor(self.bargaining_floor(i), lo, hi) + 1e-12 - self.lev[i];
            terms.reciprocity[i] = self.m.parties[i].ratification.map_or(0.0, |r| r.reciprocity);
        }
        let s = rubinstein::spe(&points, self.table.all_real, &terms, first)?;
        let ag = if s.a == s.b || s.t == 0.0 {
            Agreement { package: s.a, mix: None, offer: 0, proposer: Proposer::Party(first) }
        } else if s.t == 1.0 {
            Agreement { package: s.b, mix: None, offer: 0, proposer: Proposer::Party(first) }
        } else {
            Agreement { package: s.a, mix: Some((s.b, s.t)), offer: 0, proposer: Proposer::Party(first) }
        };
        if O::ENABLED {
            let e = RunEvent::Offer {
                round: self.t,
                offer: 0,
                by: self.who(ag.proposer),
                package: self.describe(ag.package, ag.mix),
                values: s.big.to_vec(),
            };
            obs.event(e);
        }
        Some(ag)
    }

    pub(super) fn who(&self, p: Proposer) -> String {
        match p {
            Proposer::Party(i) => self.m.parties[i].id.clone(),
            Proposer::Mediator => "mediator".into(),
        }
    }

    /// The values of a package (or mix) on the open issues.
    pub(super) fn package_values(&self, package: usize, mix: Option<(usize, f64)>) -> Vec<Value> {
        let w = self.table.open.len();
        let dg = &self.table.digits[package * w..(package + 1) * w];
        let mut out: Vec<Value> = dg.iter().enumerate().map(|(slot, d)| self.table.choices[slot][*d as usize]).collect();
        if let Some((q, t)) = mix {
            for (slot, d) in self.table.digits[q * w..(q + 1) * w].iter().enumerate() {
                if let (Value::Real(x), Value::Real(y)) = (out[slot], self.table.choices[slot][*d as usize]) {
                    out[slot] = Value::Real(x + t * (y - x));
                }
            }
        }
        out
    }

    pub(super) fn describe(&self, package: usize, mix: Option<(usize, f64)>) -> Vec<String> {
        let vals = self.package_values(package, mix);
        self.table
            .open
            .iter()
            .zip(vals)
            .map(|(&k, v)| {
                let issue = &self.m.space.issues()[k];
                format!("{} = {}", issue.name(), issue.value_name(v))
            })
            .collect()
    }
}

/// The relay mediator that passes everything on.
fn pass() -> &'static bc_strategy::Spec {
    static PASS: std::sync::OnceLock<bc_strategy::Spec> = std::sync::OnceLock::new();
    PASS.get_or_init(|| bc_strategy::Spec { name: "pass".into(), params: Default::default() })
}
