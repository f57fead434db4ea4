//! One run of the backchannel model v2, round by round (MODEL.md "One round"): rejections of the
//! mediator; spoiler strikes and leaks, with the belief updates they carry; withdrawals from
//! standing steps; stay-or-leave on the value of the whole remaining process; bargaining over
//! the current step; delivery (capacity and the commitment problem) observed with the step's
//! verifiability; the victims' responses. Returns a [`RunRecord`].
//!
//! Every random number is addressed by what it is for ([`crate::draws`]), so that a variant of
//! a run (without the mediator, a spoiler, the leverage; steps merged into a grand bargain) sees
//! the same draws for the same events: counterfactuals are paired run for run.
//!
//! - `tables`: the packages of a step and what each is worth to each party (built once per
//!   step state, memoised per worker), the acceptance tests under trust, floors and leverage.
//! - `bargaining`: one round of talks through the protocol library.
//! - `delivery`: implementation, withdrawals and the responses to observed defections.
//! - `process`: the stay-or-leave test on the value of the whole remaining process.
//! - `record`: the run's record, its outcome class and its events.

// Per-party and per-package loops index several parallel arrays at once; ranges read better.
#![allow(clippy::needless_range_loop)]

mod bargaining;
mod delivery;
mod frontier;
mod process;
mod record;
mod tables;

use std::sync::Arc;

use bc_model::Value;

pub use record::{NoTrace, Observer, Outcome, RunEvent, RunRecord, Trace};
pub(crate) use tables::TableCache;
pub use tables::{initial_zone, Scratch, Table};

use crate::bargain::{Aspirations, Talks};
use crate::belief::Belief;
use crate::draws::{Draws, Purpose};
use crate::model::{Model, Protocol};
use frontier::Frontier;
use tables::TableMemo;

/// Where a step stands.
#[derive(Clone, Debug, PartialEq)]
enum StepState {
    /// Not agreed (on the table when it is the first such step).
    Open,
    /// Implemented. `limping`: an implementer did not deliver and nobody saw it, so some of
    /// its issues never took their agreed values (the step does not count as standing).
    Standing {
        /// Some issues were never delivered.
        limping: bool,
    },
    /// A defection was observed; the victims' response falls due at round `due`.
    Pending {
        /// Round the snap-back takes effect.
        due: u32,
        /// `owed[j]`: j has not delivered its part.
        owed: Vec<bool>,
        /// The step stood before (a withdrawal): a snap-back then counts as a reversal.
        stood: bool,
    },
}

use process::Process;

struct Run<'m> {
    m: &'m Model,
    /// What the runs of the model's scenario share.
    cache: &'m TableCache,
    draws: &'m Draws,
    n: usize,
    t: u32,
    v: f64,
    e: f64,
    progress: f64,
    floor_shock: Vec<f64>,
    suspended_until: u32,
    /// `beliefs[i][j]`: i's belief about j's capacity (diagonal unused).
    beliefs: Vec<Vec<Belief>>,
    standing: Vec<f64>,
    /// The mediator is in force (present and not rejected).
    mediator_in: bool,
    rejected_round: Option<u32>,
    /// The value in place of each issue (None: no status quo, nothing agreed).
    current: Vec<Option<Value>>,
    /// The agreed value of each issue of a standing or pending step.
    agreed: Vec<Option<Value>>,
    /// Counts the changes of `current` (what the withdrawal test's values depend on).
    version: u64,
    /// Per (step, party): the withdrawal test's values at `version`: the step's value to the
    /// party and the gain from reverting its own issues.
    withdrawal_values: Vec<(u64, f64, f64)>,
    state: Vec<StepState>,
    /// Was each step's agreed package the mediator's proposal?
    mediator_package: Vec<bool>,
    /// The step on the table (the first open one).
    step: Option<usize>,
    /// The step whose table is loaded.
    loaded: Option<usize>,
    step_open: u32,
    table: Arc<Table>,
    talks: Talks<'m>,
    reservation: Vec<f64>,
    du: Vec<f64>,
    discount_now: Vec<f64>,
    /// Each party's leverage this round (0 without a mediator in force).
    lev: Vec<f64>,
    process: Process,
    // Records.
    first_step_round: Option<u32>,
    steps_implemented: u32,
    reversals: u32,
    withdrawals: u32,
    agreements: u32,
    strikes: u32,
    strikes_by_spoiler: Vec<u32>,
    setbacks: u32,
    setback_at: Option<u32>,
    resumed_at: Option<u32>,
    left_at: Option<u32>,
    left: Option<usize>,
    first_delivery: Vec<Option<u32>>,
    // Per-round scratch (see `tables`).
    values: Vec<Vec<f64>>,
    base_ok: Vec<Vec<bool>>,
    floor_abs: Vec<f64>,
    ranges: Vec<(f64, f64)>,
    /// The packages every party admits are `joint_buf[..joint_len]` (see [`Run::joint`]).
    joint_buf: Vec<usize>,
    joint_len: usize,
    d: Vec<f64>,
    stale: Vec<bool>,
    recip_stale: bool,
    recip_ok: Vec<Vec<bool>>,
    levels: Vec<f64>,
    doubt: Vec<f64>,
    scratch: Vec<Value>,
    memo: TableMemo,
    aspirations: Aspirations,
    /// The loaded table's [`Frontier`] (large two-party tables; None until a round needs it).
    frontier: Option<Arc<Frontier>>,
    /// Frontiers computed by this worker.
    frontiers: Vec<Arc<Frontier>>,
}

/// Simulates one run of `model` with the run's `draws`, reporting events to `obs`.
pub fn simulate<O: Observer>(model: &Model, draws: &Draws, obs: &mut O) -> RunRecord {
    simulate_in(model, &TableCache::default(), draws, obs, &mut Scratch::default())
}

/// Like [`simulate`], taking the step spaces and tables the runs of the model's scenario share
/// from `cache` and reusing `scratch`'s buffers and tables (the same result, faster when a
/// worker simulates many runs of one scenario).
pub(crate) fn simulate_in<O: Observer>(model: &Model, cache: &TableCache, draws: &Draws, obs: &mut O, scratch: &mut Scratch) -> RunRecord {
    let n = model.parties.len();
    let mut run = Run::new(model, cache, draws, std::mem::take(scratch));
    let horizon = model.parties.iter().filter_map(|p| p.deadline).map(|d| d.saturating_add(1)).fold(model.rounds, u32::min);
    while run.t < horizon {
        run.round(obs);
        run.t += 1;
    }
    let standing = run.state.iter().filter(|s| matches!(s, StepState::Standing { limping: false })).count();
    let outcome = Outcome::classify(standing, model.steps.len(), run.left.is_some());
    if O::ENABLED {
        obs.event(RunEvent::End { round: run.t.saturating_sub(1), outcome });
    }
    let final_trust = run.trust_matrix();
    let agenda_share = run.standing_share();
    let w = model.setback_window;
    let kept = run
        .setback_at
        .map(|t0| run.resumed_at.is_some_and(|r| r <= t0.saturating_add(w)) && run.left_at.is_none_or(|l| l > t0.saturating_add(w)));
    let rounds_to_resume = match (run.setback_at, run.resumed_at, kept) {
        (Some(t0), Some(r), Some(true)) => Some(r - t0),
        _ => None,
    };
    let concrete_signals = (0..n)
        .filter(|&i| model.issues.iter().any(|k| k.implementers.contains(&i)))
        .all(|i| run.first_delivery[i].is_some_and(|t| t < model.signal_window));
    *scratch = run.take_scratch();
    RunRecord {
        outcome,
        rounds: run.t,
        at_least_one_step: run.first_step_round.is_some(),
        agenda_share,
        steps_standing: standing as u32,
        first_step_round: run.first_step_round,
        steps_implemented: run.steps_implemented,
        reversals: run.reversals,
        withdrawals: run.withdrawals,
        agreements: run.agreements,
        strikes: run.strikes,
        strikes_by_spoiler: run.strikes_by_spoiler,
        setbacks: run.setbacks,
        kept_talking_after_setback: kept,
        rounds_to_resume,
        concrete_signals,
        mediator_accepted: model.mediator.as_ref().map(|_| run.rejected_round.is_none()),
        rejected_round: run.rejected_round,
        left: run.left,
        final_trust,
        final_visibility: run.v,
        discounted_utility: run.du,
    }
}

impl<'m> Run<'m> {
    /// The state at the start of a run.
    fn new(model: &'m Model, cache: &'m TableCache, draws: &'m Draws, scratch: Scratch) -> Run<'m> {
        let n = model.parties.len();
        let Scratch { mut values, mut base_ok, mut recip_ok, joint, levels, doubt, scratch, mut memo, aspirations, frontiers } = scratch;
        values.resize_with(n, Vec::new);
        base_ok.resize_with(n, Vec::new);
        recip_ok.resize_with(n, Vec::new);
        memo.bind(model);
        let seed = draws.bits(Purpose::Strategies, &[]);
        let mut run = Run {
            m: model,
            cache,
            draws,
            n,
            t: 0,
            v: model.public.visibility,
            e: model.public.expectations,
            progress: 0.0,
            floor_shock: vec![0.0; n],
            suspended_until: 0,
            beliefs: model.parties.iter().map(|p| p.trust.iter().map(|&(a, b)| Belief::beta(a, b)).collect()).collect(),
            standing: model.mediator.as_ref().map(|m| m.standing.clone()).unwrap_or_default(),
            mediator_in: model.mediator.is_some(),
            rejected_round: None,
            current: model.issues.iter().map(|i| i.status_quo).collect(),
            agreed: vec![None; model.issues.len()],
            version: 0,
            withdrawal_values: vec![(u64::MAX, 0.0, 0.0); model.steps.len() * n],
            state: vec![StepState::Open; model.steps.len()],
            mediator_package: vec![false; model.steps.len()],
            step: None,
            loaded: None,
            step_open: 0,
            table: Arc::new(Table::empty()),
            talks: Talks::new(model.parties.iter().map(|p| &p.strategy), seed),
            reservation: vec![0.0; n],
            du: vec![0.0; n],
            discount_now: vec![1.0; n],
            lev: vec![0.0; n],
            process: Process::default(),
            first_step_round: None,
            steps_implemented: 0,
            reversals: 0,
            withdrawals: 0,
            agreements: 0,
            strikes: 0,
            strikes_by_spoiler: vec![0; model.spoilers.len()],
            setbacks: 0,
            setback_at: None,
            resumed_at: None,
            left_at: None,
            left: None,
            first_delivery: vec![None; n],
            values,
            base_ok,
            floor_abs: vec![0.0; n],
            ranges: vec![(0.0, 0.0); n],
            joint_buf: joint,
            joint_len: 0,
            d: vec![0.0; n],
            stale: vec![true; n],
            recip_stale: true,
            recip_ok,
            levels,
            doubt,
            scratch,
            memo,
            aspirations,
            frontier: None,
            frontiers,
        };
        // No-deal values: the reservation, or the status quo's utility.
        for i in 0..n {
            run.reservation[i] = match model.parties[i].reservation {
                Some(r) => r,
                None => run.utility_now(i).unwrap_or(0.0),
            };
            run.du[i] = run.value_now(i);
        }
        run.process = run.process_values();
        run.advance();
        run
    }
}

impl Run<'_> {
    /// Hands the reusable buffers and tables back (the run is over).
    fn take_scratch(&mut self) -> Scratch {
        Scratch {
            values: std::mem::take(&mut self.values),
            base_ok: std::mem::take(&mut self.base_ok),
            recip_ok: std::mem::take(&mut self.recip_ok),
            joint: std::mem::take(&mut self.joint_buf),
            levels: std::mem::take(&mut self.levels),
            doubt: std::mem::take(&mut self.doubt),
            scratch: std::mem::take(&mut self.scratch),
            memo: std::mem::take(&mut self.memo),
            aspirations: std::mem::take(&mut self.aspirations),
            frontiers: std::mem::take(&mut self.frontiers),
        }
    }

    /// One round (MODEL.md "One round").
    fn round<O: Observer>(&mut self, obs: &mut O) {
        let m = self.m;
        let t = self.t;
        let talking = self.left.is_none();
        // Leverage fades from the start of the talks and ends with the mediator's services.
        if let (Some(med), true) =
            (&m.mediator, self.mediator_in && m.mediator.as_ref().is_some_and(|med| med.leverage.iter().any(|l| *l != 0.0)))
        {
            let f = (1.0 - med.leverage_decay).powi(t as i32);
            for i in 0..self.n {
                let l = med.leverage[i] * f;
                if l != self.lev[i] {
                    self.lev[i] = l;
                    self.stale[i] = true;
                }
            }
        }
        if O::ENABLED {
            let floors = (0..self.n).map(|i| self.true_floor(i)).collect();
            obs.event(RunEvent::Round {
                round: t,
                step: self.step.map(|s| m.steps[s].name.clone()),
                visibility: self.v,
                expectations: self.e,
                progress: self.progress,
                floors,
            });
        }
        // 1. Rejections of the mediator.
        self.check_standing(obs);
        // 2. Strikes, then leaks (while the talks are on: after a walk-out nothing reads them).
        if talking {
            self.spoilers(obs);
        }
        let suspended = t < self.suspended_until;
        if let (Some(med), true) = (&m.mediator, self.mediator_in && talking && !suspended) {
            if self.draws.uniform(Purpose::Leak, &[u64::from(t)]) < med.leak {
                self.v = (self.v + med.leak_jump).min(1.0);
                if O::ENABLED {
                    obs.event(RunEvent::Leak { round: t });
                }
            }
        }
        self.withdrawals(obs);
        self.advance();
        if self.left.is_none() && self.step.is_some() {
            self.stay_or_leave(obs);
        }
        // 3. Bargain over the current step.
        let mut talk_visibility = 0.0;
        if self.left.is_none() {
            if let Some(s) = self.step {
                if suspended {
                    if O::ENABLED {
                        obs.event(RunEvent::Suspended { round: t });
                    }
                } else {
                    talk_visibility = match (&m.mediator, self.mediator_in) {
                        (Some(med), true) => med.visibility,
                        _ => m.public.direct_visibility,
                    };
                    for i in 0..self.n {
                        self.du[i] -= self.discount_now[i] * self.engagement_cost(i);
                    }
                    self.evaluate();
                    let (agreement, offered) = self.bargain(obs);
                    if offered && self.setback_at.is_some() && self.resumed_at.is_none() {
                        self.resumed_at = Some(t);
                    }
                    // 4. Implement.
                    if let Some(ag) = agreement {
                        self.implement(s, ag, obs);
                    }
                }
            }
        }
        // 5. Responses to observed defections fall due; the next step opens.
        self.responses(obs);
        self.advance();
        let v_now = self.v;
        self.v = ((1.0 - m.public.decay) * self.v + talk_visibility).clamp(0.0, 1.0);
        self.e = (self.e + m.public.gamma * (v_now - self.e)).clamp(0.0, 1.0);
        for f in &mut self.floor_shock {
            *f *= 1.0 - m.public.decay;
        }
        for (f, p) in self.discount_now.iter_mut().zip(&m.parties) {
            *f *= p.discount;
        }
    }

    /// Rejections: any party whose standing with the mediator is below its threshold rejects
    /// it, and the talks go direct for everyone from then on.
    fn check_standing<O: Observer>(&mut self, obs: &mut O) {
        let Some(med) = &self.m.mediator else { return };
        if !self.mediator_in {
            return;
        }
        if let Some(i) = (0..self.n).find(|&i| self.standing[i] < med.threshold) {
            self.mediator_in = false;
            self.rejected_round = Some(self.t);
            self.lev.iter_mut().for_each(|l| *l = 0.0);
            self.stale.iter_mut().for_each(|s| *s = true);
            // The protocol changes: the strategies start the step afresh under direct talks.
            self.talks.open();
            if O::ENABLED {
                obs.event(RunEvent::Rejected { round: self.t, party: self.m.parties[i].id.clone(), standing: self.standing[i] });
            }
        }
    }

    /// The protocol in force (None: direct talks).
    fn protocol(&self) -> Option<Protocol> {
        match (&self.m.mediator, self.mediator_in) {
            (Some(med), true) => Some(med.protocol),
            _ => None,
        }
    }

    /// Engagement cost of a round of talks for i: `(1 - eta) c_i V_t` with a mediator in force.
    fn engagement_cost(&self, i: usize) -> f64 {
        let eta = match (&self.m.mediator, self.mediator_in) {
            (Some(med), true) => med.insulation,
            _ => 0.0,
        };
        (1.0 - eta) * self.m.parties[i].audience_cost * self.v
    }

    /// tau_i: i's trust in the others (its lowest mean belief; with two parties, the other's).
    fn tau(&self, i: usize) -> f64 {
        (0..self.n).filter(|&j| j != i).map(|j| self.beliefs[i][j].mean()).fold(1.0, f64::min)
    }

    fn trust_matrix(&self) -> Vec<Vec<f64>> {
        (0..self.n).map(|i| (0..self.n).map(|j| if i == j { 1.0 } else { self.beliefs[i][j].mean() }).collect()).collect()
    }

    /// Spoiler strikes and what the targets read into them and into quiet rounds.
    fn spoilers<O: Observer>(&mut self, obs: &mut O) {
        let m = self.m;
        let (v0, p0) = (self.v, self.progress);
        for (k, sp) in m.spoilers.iter().enumerate() {
            if !sp.enabled {
                continue;
            }
            let blamed_capacity = mean(sp.blamed.iter().map(|&j| m.parties[j].capacity));
            let base = sp.base + sp.visibility * v0 + sp.progress * p0;
            let hazard = (base + sp.capacity_link * (1.0 - blamed_capacity)).clamp(0.0, 1.0);
            let struck = self.draws.uniform(Purpose::Strike, &[sp.key, u64::from(self.t)]) < hazard;
            let i = sp.target;
            let in_progress = self.step.is_some();
            // Beliefs: Bayes on the likelihood of a strike (or of none) as a function of each
            // blamed side's capacity, the other blamed sides at their posterior means.
            if sp.capacity_link > 0.0 && in_progress {
                let nb = sp.blamed.len() as f64;
                let s = sp.capacity_link;
                for (bi, &j) in sp.blamed.iter().enumerate() {
                    let others: f64 = sp.blamed.iter().enumerate().filter(|(o, _)| *o != bi).map(|(_, &o)| self.beliefs[i][o].mean()).sum();
                    // h(x) = base + s (1 - (x + others) / nb), linear in x.
                    let h0 = base + s * (1.0 - others / nb);
                    let h1 = -s / nb;
                    if struck {
                        self.beliefs[i][j].update_linear(h0, h1);
                    } else {
                        self.beliefs[i][j].update_linear(1.0 - h0, -h1);
                    }
                }
                self.stale[i] = true;
            } else if struck && sp.misperception > 0.0 {
                for &j in &sp.blamed {
                    self.beliefs[i][j].misperceive(sp.misperception);
                }
                self.stale[i] = true;
            }
            if !struck {
                continue;
            }
            self.strikes += 1;
            self.strikes_by_spoiler[k] += 1;
            if in_progress {
                self.record_setback();
            }
            self.v = (self.v + sp.jump).min(1.0);
            self.suspended_until = self.suspended_until.max(self.t + sp.pause);
            for &f in &sp.floor_targets {
                self.floor_shock[f] += sp.floor_shock;
            }
            if O::ENABLED {
                let reading = if sp.capacity_link > 0.0 {
                    "evidence"
                } else if sp.misperception > 0.0 {
                    "misperception"
                } else {
                    "no information"
                };
                let target_trust = (0..self.n).map(|j| if j == i { 1.0 } else { self.beliefs[i][j].mean() }).collect();
                obs.event(RunEvent::Strike {
                    round: self.t,
                    spoiler: sp.id.clone(),
                    hazard,
                    reading: reading.into(),
                    target_trust,
                    pause: sp.pause,
                });
            }
        }
    }

    /// A setback while the talks are in progress (the first starts the "kept talking" clock).
    fn record_setback(&mut self) {
        self.setbacks += 1;
        if self.setback_at.is_none() {
            self.setback_at = Some(self.t);
        }
    }

    /// The others' trust in j (their lowest), and what it would be after they saw j defect on
    /// a step observed with `accuracy`.
    fn trust_in(&self, j: usize, accuracy: f64) -> (f64, f64) {
        let mut now = 1.0_f64;
        let mut after = 1.0_f64;
        for i in (0..self.n).filter(|&i| i != j) {
            now = now.min(self.beliefs[i][j].mean());
            after = after.min(self.beliefs[i][j].mean_after_defection(accuracy));
        }
        (now, after)
    }

    /// The first open step, loading its table when it changed.
    fn advance(&mut self) {
        let next = self.state.iter().position(|s| *s == StepState::Open);
        self.step = next;
        if next.is_some() && next != self.loaded {
            self.loaded = next;
            self.open_step();
        }
    }

    /// u_i of the current state (None while an issue without status quo is unsettled).
    fn utility_now(&mut self, i: usize) -> Option<f64> {
        self.scratch.clear();
        for c in &self.current {
            self.scratch.push((*c)?);
        }
        Some(self.m.parties[i].utility.eval(&self.scratch))
    }

    /// What the current state is worth to i (its reservation while undefined).
    fn value_now(&mut self, i: usize) -> f64 {
        self.utility_now(i).unwrap_or(self.reservation[i])
    }

    /// What the current state with `changes` applied is worth to i.
    fn value_with(&mut self, i: usize, changes: &[(usize, Option<Value>)]) -> f64 {
        let saved: Vec<Option<Value>> = changes.iter().map(|&(k, _)| self.current[k]).collect();
        for &(k, v) in changes {
            self.current[k] = v;
        }
        let value = self.value_now(i);
        for (&(k, _), v) in changes.iter().zip(saved) {
            self.current[k] = v;
        }
        value
    }

    /// Sets issues to new values, booking each party's discounted change of utility.
    fn set_issues(&mut self, changes: &[(usize, Option<Value>)]) {
        if changes.is_empty() {
            return;
        }
        let before: Vec<f64> = (0..self.n).map(|i| self.value_now(i)).collect();
        for &(k, v) in changes {
            self.current[k] = v;
        }
        self.version += 1;
        for i in 0..self.n {
            let after = self.value_now(i);
            self.du[i] += self.discount_now[i] * (after - before[i]);
        }
        self.progress = self.implemented_share();
    }

    /// P_t: the agenda's share (issue weights) at its agreed values in standing steps.
    fn implemented_share(&self) -> f64 {
        let m = self.m;
        let mut p = 0.0;
        for (s, st) in self.state.iter().enumerate() {
            if matches!(st, StepState::Standing { .. }) {
                for &k in &m.steps[s].issues {
                    if self.agreed[k].is_some() && self.current[k] == self.agreed[k] {
                        p += m.issues[k].weight;
                    }
                }
            }
        }
        p
    }

    /// The agenda's share moved by steps standing whole: the weights of their issues whose
    /// agreed value differs from the status quo (an issue "agreed" at its status quo is not
    /// implemented: a grand bargain that leaves most issues as they were moves little).
    fn standing_share(&self) -> f64 {
        let m = self.m;
        self.state
            .iter()
            .enumerate()
            .filter(|(_, st)| matches!(st, StepState::Standing { limping: false }))
            .flat_map(|(s, _)| m.steps[s].issues.iter())
            .filter(|&&k| self.agreed[k].is_some() && self.agreed[k] != m.issues[k].status_quo)
            .map(|&k| m.issues[k].weight)
            .fold(0.0, |a, w| a + w)
    }

    /// f_i(t), i's true ratification floor on the step-normalised scale (minus infinity
    /// without ratification).
    fn true_floor(&self, i: usize) -> f64 {
        match &self.m.parties[i].ratification {
            Some(r) => r.floor + r.visibility * self.v + r.expectations * (self.e - self.progress).max(0.0) + self.floor_shock[i],
            None => f64::NEG_INFINITY,
        }
    }

    /// The floor i bargains with: `f + b (1 - f)`, its bluff `b` shrinking linearly to 0 at its
    /// deadline (or the horizon), cut by the relay mediator's discipline and, in confidential
    /// mediation, kept only as far as reports are shaded. Without ratification `f` is 0 when i
    /// bluffs.
    fn bargaining_floor(&self, i: usize) -> f64 {
        let p = &self.m.parties[i];
        let f = self.true_floor(i);
        if p.bluff <= 0.0 {
            return f;
        }
        let end = p.deadline.map_or(self.m.rounds, |d| d.saturating_add(1)).max(1);
        let mut b = p.bluff * (1.0 - f64::from(self.t) / f64::from(end)).max(0.0);
        b *= match (self.protocol(), &self.m.mediator) {
            (Some(Protocol::Relay), Some(med)) => 1.0 - med.discipline,
            (Some(Protocol::Confidential), Some(med)) => med.report_shading,
            _ => 1.0,
        };
        let f = if f.is_finite() { f } else { 0.0 };
        f + b * (1.0 - f)
    }
}

fn mean(xs: impl Iterator<Item = f64>) -> f64 {
    let (s, c) = xs.fold((0.0, 0usize), |(s, c), x| (s + x, c + 1));
    if c == 0 {
        0.0
    } else {
        s / c as f64
    }
}
