//! One run of the backchannel model, round by round (MODEL.md "One round"): spoiler strikes,
//! the parties' decisions to stay, bargaining over the current step, implementation with noisy
//! observation and Bayesian trust updates, then the public state. Returns a [`RunRecord`].
//!
//! Randomness comes from [`Streams`]: one ChaCha8 stream per purpose (each spoiler, leaks,
//! deliveries, observations, bargaining), each drawn a fixed number of times per round or per
//! agreement, so that two variants of a run (with and without a mediator, a spoiler, ...) see
//! the same random numbers for the same events (common random numbers).

// Per-party and per-package loops index several parallel arrays at once; ranges read better.
#![allow(clippy::needless_range_loop)]

use std::collections::HashMap;
use std::sync::Arc;

use bc_model::{Issue, IssueKind, OutcomeSpace, UtilityFunction, Value};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::bargain::{self, Agreement, Aspirations, Move, Problem, Proposer, Talks};
use crate::model::{Model, Protocol, Shock, Strategy};
use crate::rubinstein::{self, Point, SpeTerms};

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Every step implemented.
    Comprehensive,
    /// The horizon came with at least one step implemented.
    Partial,
    /// A party left the talks.
    Collapse,
    /// The horizon came with no step implemented.
    Drift,
}

impl Outcome {
    /// All classes, in report order.
    pub const ALL: [Outcome; 4] = [Outcome::Comprehensive, Outcome::Partial, Outcome::Collapse, Outcome::Drift];
    /// The class's name.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Comprehensive => "comprehensive",
            Outcome::Partial => "partial",
            Outcome::Collapse => "collapse",
            Outcome::Drift => "drift",
        }
    }
    /// True when at least one step was implemented (comprehensive or partial).
    pub fn is_agreement(self) -> bool {
        matches!(self, Outcome::Comprehensive | Outcome::Partial)
    }
}

/// What one run reports (plain data, serialisable, one per run).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// Outcome class.
    pub outcome: Outcome,
    /// Rounds played.
    pub rounds: u32,
    /// Round in which the first step was fully implemented.
    pub first_step_round: Option<u32>,
    /// Steps fully implemented.
    pub steps_implemented: u32,
    /// Agreements reached (a step re-negotiated after a defection counts again).
    pub agreements: u32,
    /// Spoiler strikes.
    pub strikes: u32,
    /// Strikes by each spoiler (in scenario order).
    pub strikes_by_spoiler: Vec<u32>,
    /// Setbacks: strikes and observed defections.
    pub setbacks: u32,
    /// Whether the parties bargained again after the first setback (None: no setback).
    pub kept_talking_after_setback: Option<bool>,
    /// Whether every party's standing with the mediator stayed at or above its threshold (None:
    /// direct talks).
    pub mediator_accepted: Option<bool>,
    /// The party that left (collapse).
    pub left: Option<usize>,
    /// Final trust: `final_trust[i][j]` = i's mean belief in j's delivery (1 on the diagonal).
    pub final_trust: Vec<Vec<f64>>,
    /// Final visibility.
    pub final_visibility: f64,
    /// Each party's discounted utility: its no-deal value, plus each implemented change
    /// discounted to the round it happened, minus discounted audience costs.
    pub discounted_utility: Vec<f64>,
}

/// One ChaCha8 stream per purpose, all from one run seed.
#[derive(Clone, Debug)]
pub struct Streams {
    seed: [u8; 32],
}

/// Stream ids.
const PARAMS: u64 = 0;
const LEAK: u64 = 1;
const DELIVERY: u64 = 2;
const OBSERVE: u64 = 3;
const BARGAIN: u64 = 4;
const SPOILER: u64 = 16;

impl Streams {
    /// Streams seeded from a job's generator (`bc_engine::rng_for(seed, run)`).
    pub fn from_rng(rng: &mut impl Rng) -> Streams {
        let mut seed = [0u8; 32];
        rng.fill(&mut seed);
        Streams { seed }
    }

    /// The generator of stream `id`.
    pub fn stream(&self, id: u64) -> ChaCha8Rng {
        let mut r = ChaCha8Rng::from_seed(self.seed);
        r.set_stream(id);
        r
    }

    /// The stream parameters are sampled from.
    pub fn params(&self) -> ChaCha8Rng {
        self.stream(PARAMS)
    }
}

/// A step of the story of a run, for `backchannel trace`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A round begins.
    Round {
        /// Round.
        round: u32,
        /// Current step.
        step: String,
        /// Visibility.
        visibility: f64,
        /// Expectations.
        expectations: f64,
        /// Progress.
        progress: f64,
        /// Each party's domestic floor (step-normalised).
        floors: Vec<f64>,
    },
    /// A spoiler struck.
    Strike {
        /// Round.
        round: u32,
        /// Spoiler id.
        spoiler: String,
        /// Hazard it struck with.
        hazard: f64,
        /// Target's trust in each party after the shock.
        target_trust: Vec<f64>,
        /// Rounds suspended.
        pause: u32,
    },
    /// The talks leaked.
    Leak {
        /// Round.
        round: u32,
    },
    /// Talks suspended this round.
    Suspended {
        /// Round.
        round: u32,
    },
    /// A party left.
    Left {
        /// Round.
        round: u32,
        /// Party id.
        party: String,
        /// Why.
        reason: String,
    },
    /// An offer (or the mediator's text) was put on the table.
    Offer {
        /// Round.
        round: u32,
        /// Offer within the round.
        offer: u32,
        /// Party id or "mediator".
        by: String,
        /// The package, as `issue = value`.
        package: Vec<String>,
        /// Each party's credibility-discounted value of it.
        values: Vec<f64>,
    },
    /// The single text was amended.
    Amended {
        /// Round.
        round: u32,
        /// Offer within the round.
        offer: u32,
        /// The new draft.
        package: Vec<String>,
    },
    /// The confidential mediator told the parties there is no zone of agreement.
    NoZone {
        /// Round.
        round: u32,
    },
    /// A package was agreed.
    Agreed {
        /// Round.
        round: u32,
        /// Step.
        step: String,
        /// Package.
        package: Vec<String>,
    },
    /// An implementer delivered or defected, and what each other party saw.
    Delivery {
        /// Round.
        round: u32,
        /// Implementer id.
        party: String,
        /// Delivered?
        delivered: bool,
        /// What each other party observed (party id, saw delivery).
        observed: Vec<(String, bool)>,
    },
    /// Trust after the updates of a round.
    Trust {
        /// Round.
        round: u32,
        /// `trust[i][j]`.
        trust: Vec<Vec<f64>>,
    },
    /// A step was fully implemented.
    StepDone {
        /// Round.
        round: u32,
        /// Step.
        step: String,
    },
    /// The mediator's standing after a package it proposed was implemented.
    Standing {
        /// Round.
        round: u32,
        /// Standing with each party.
        standing: Vec<f64>,
    },
    /// The run ended.
    End {
        /// Round.
        round: u32,
        /// Outcome.
        outcome: Outcome,
    },
}

/// Receives a run's events. [`NoTrace`] discards them at no cost.
pub trait Observer {
    /// True when events are wanted (events are not even built otherwise).
    const ENABLED: bool;
    /// One event.
    fn event(&mut self, e: Event);
}

/// Discards events.
pub struct NoTrace;

impl Observer for NoTrace {
    const ENABLED: bool = false;
    fn event(&mut self, _: Event) {}
}

/// Collects events.
#[derive(Default)]
pub struct Trace(pub Vec<Event>);

impl Observer for Trace {
    const ENABLED: bool = true;
    fn event(&mut self, e: Event) {
        self.0.push(e);
    }
}

/// The packages of a step's open issues and what they are worth.
#[derive(Clone, Debug)]
pub struct Table {
    /// The packages as an outcome space (the open issues, real ones on their grid): package p
    /// is outcome p. What the protocols see (None: the step has no open issue).
    space: Option<Arc<OutcomeSpace>>,
    /// Open issues (space indices).
    open: Vec<usize>,
    /// Values of each open issue (grid for real issues).
    choices: Vec<Vec<Value>>,
    /// Package digits, flat: package p's are `digits[p * open.len()..][..open.len()]`.
    digits: Vec<u32>,
    /// Number of packages.
    count: usize,
    /// Per party: packages by decreasing utility.
    by_u: Vec<Vec<usize>>,
    /// `u[i][p]`: utility with the package in place and everything else as now.
    u: Vec<Vec<f64>>,
    /// `without[i][j][p]`: utility for i if j does not deliver (j's issues stay as now).
    without: Vec<Vec<Vec<f64>>>,
    /// Per party: lowest and highest `u` over the packages.
    range: Vec<(f64, f64)>,
    /// True when every open issue is real-valued (Rubinstein may mix neighbouring packages).
    all_real: bool,
}

struct Run<'m> {
    m: &'m Model,
    n: usize,
    t: u32,
    v: f64,
    e: f64,
    progress: f64,
    floor_shock: Vec<f64>,
    suspended_until: u32,
    a: Vec<Vec<f64>>,
    b: Vec<Vec<f64>>,
    standing: Vec<f64>,
    mediator_ok: bool,
    current: Vec<Option<Value>>,
    settled: Vec<bool>,
    step: usize,
    pending: Vec<(usize, Value)>,
    carry: Vec<usize>,
    mediator_package: bool,
    step_open: u32,
    table: Arc<Table>,
    talks: Talks<'m>,
    reservation: Vec<f64>,
    du: Vec<f64>,
    // Records.
    first_step_round: Option<u32>,
    steps_implemented: u32,
    agreements: u32,
    strikes: u32,
    strikes_by_spoiler: Vec<u32>,
    setbacks: u32,
    awaiting_talks: Option<bool>,
    left: Option<usize>,
    // Per-round scratch.
    values: Vec<Vec<f64>>,
    base_ok: Vec<Vec<bool>>,
    floor_abs: Vec<f64>,
    gain: Vec<Option<f64>>,
    /// Per party: the staircase of its best gain `U_i - d_i` down the packages by utility: `(u,
    /// g)` where the best gain over the admitted packages with utility at least `u` rises to `g`.
    gain_curve: Vec<Vec<(f64, f64)>>,
    /// Each party's lowest and highest credibility-discounted value over the step's packages.
    ranges: Vec<(f64, f64)>,
    /// The packages every party's disagreement and reciprocity tests admit, by index.
    joint: Vec<usize>,
    d: Vec<f64>,
    /// Parties whose values must be recomputed (their trust or the step changed).
    stale: Vec<bool>,
    /// The reciprocity tests must be recomputed (the step or the disagreement values changed).
    recip_stale: bool,
    /// `recip_ok[i][p]`: package p passes i's reciprocity test (it depends on utilities and
    /// disagreement values only, not on trust).
    recip_ok: Vec<Vec<bool>>,
    discount_now: Vec<f64>,
    levels: Vec<f64>,
    doubt: Vec<f64>,
    /// Per package: the party's gain `U_i - d_i` where admitted, minus infinity elsewhere.
    gains: Vec<f64>,
    scratch: Vec<Value>,
    /// Tables built earlier for the same utilities (see [`Scratch`]).
    memo: TableMemo,
    /// The strategies' aspirations by round (see [`Talks::lowest_levels`]).
    aspirations: Aspirations,
}

/// What the runs of one worker reuse: a run's buffers, and the step tables already built for
/// the same utilities. A table depends only on the utilities, the open issues, the values in
/// place and the no-deal values, so reusing one changes nothing: results never depend on what a
/// scratch holds. Give each worker its own ([`simulate_in`]).
#[derive(Default)]
pub struct Scratch {
    values: Vec<Vec<f64>>,
    base_ok: Vec<Vec<bool>>,
    gain_curve: Vec<Vec<(f64, f64)>>,
    recip_ok: Vec<Vec<bool>>,
    joint: Vec<usize>,
    levels: Vec<f64>,
    doubt: Vec<f64>,
    gains: Vec<f64>,
    scratch: Vec<Value>,
    memo: TableMemo,
    aspirations: Aspirations,
}

/// Packages held at most by a [`TableMemo`] (summed over its tables; about 100 bytes each): it
/// starts afresh when full, so memory stays flat.
const MEMO_PACKAGES: usize = 50_000;

/// Step tables by what they depend on, for one model's utilities.
#[derive(Default)]
struct TableMemo {
    /// The model the tables are of: its space, utilities (held, so that no other utility can
    /// take their addresses), implementers and real grid.
    owner: Option<Owner>,
    tables: HashMap<TableKey, Arc<Table>>,
    /// Packages in `tables`.
    packages: usize,
    /// The key being looked up (reused).
    key: TableKey,
}

struct Owner {
    space: Arc<OutcomeSpace>,
    utilities: Vec<Arc<UtilityFunction>>,
    implementers: Vec<Vec<usize>>,
    real_grid: u32,
}

impl Owner {
    fn of(m: &Model) -> Owner {
        Owner {
            space: Arc::clone(&m.space),
            utilities: m.parties.iter().map(|p| Arc::clone(&p.utility)).collect(),
            implementers: m.issues.iter().map(|i| i.implementers.clone()).collect(),
            real_grid: m.real_grid,
        }
    }

    fn is_of(&self, m: &Model) -> bool {
        Arc::ptr_eq(&self.space, &m.space)
            && self.real_grid == m.real_grid
            && self.utilities.len() == m.parties.len()
            && self.utilities.iter().zip(&m.parties).all(|(u, p)| Arc::ptr_eq(u, &p.utility))
            && self.implementers.len() == m.issues.len()
            && self.implementers.iter().zip(&m.issues).all(|(a, i)| *a == i.implementers)
    }
}

/// What a table depends on besides the model's utilities: the open issues, the value in place
/// of each issue and each party's no-deal value (numbers by their bits).
#[derive(Clone, Default, PartialEq, Eq, Hash)]
struct TableKey {
    open: Vec<usize>,
    current: Vec<(u8, u64)>,
    reservation: Vec<u64>,
}

impl TableMemo {
    /// Forgets everything unless the tables are of `m`'s utilities.
    fn bind(&mut self, m: &Model) {
        if !self.owner.as_ref().is_some_and(|o| o.is_of(m)) {
            self.owner = Some(Owner::of(m));
            self.tables.clear();
            self.packages = 0;
        }
    }

    /// Sets the key being looked up.
    fn set_key(&mut self, open: &[usize], current: &[Option<Value>], reservation: &[f64]) {
        let k = &mut self.key;
        k.open.clear();
        k.open.extend_from_slice(open);
        k.current.clear();
        k.current.extend(current.iter().map(|v| match v {
            None => (0, 0),
            Some(Value::Index(i)) => (1, u64::from(*i)),
            Some(Value::Real(x)) => (2, x.to_bits()),
        }));
        k.reservation.clear();
        k.reservation.extend(reservation.iter().map(|r| r.to_bits()));
    }

    fn get(&self) -> Option<Arc<Table>> {
        self.tables.get(&self.key).cloned()
    }

    fn insert(&mut self, t: &Arc<Table>) {
        if self.packages + t.count > MEMO_PACKAGES {
            self.tables.clear();
            self.packages = 0;
        }
        self.packages += t.count;
        self.tables.insert(self.key.clone(), Arc::clone(t));
    }
}

fn trust_mean(a: f64, b: f64) -> f64 {
    a / (a + b)
}

/// Simulates one run of `model` with the random `streams`, reporting events to `obs`.
pub fn simulate<O: Observer>(model: &Model, streams: &Streams, obs: &mut O) -> RunRecord {
    simulate_in(model, streams, obs, &mut Scratch::default())
}

/// Like [`simulate`], reusing `scratch`'s buffers and tables (the same result, faster when a
/// worker simulates many runs of one scenario).
pub fn simulate_in<O: Observer>(model: &Model, streams: &Streams, obs: &mut O, scratch: &mut Scratch) -> RunRecord {
    let n = model.parties.len();
    let mut spoiler_rngs: Vec<ChaCha8Rng> =
        (0..model.spoilers.len()).map(|k| streams.stream(SPOILER + k as u64)).collect();
    let mut leak_rng = streams.stream(LEAK);
    let mut delivery_rng = streams.stream(DELIVERY);
    let mut observe_rng = streams.stream(OBSERVE);
    let mut bargain_rng = streams.stream(BARGAIN);

    let mut run = Run::new(model, bargain_rng.gen(), std::mem::take(scratch));
    run.open_step();

    let horizon = model
        .parties
        .iter()
        .filter_map(|p| p.deadline)
        .map(|d| d.saturating_add(1))
        .fold(model.rounds, u32::min);
    let mut outcome = None;
    while run.t < horizon {
        let t = run.t;
        if O::ENABLED {
            let floors = (0..n).map(|i| run.floor(i)).collect();
            obs.event(Event::Round {
                round: t,
                step: model.steps[run.step].name.clone(),
                visibility: run.v,
                expectations: run.e,
                progress: run.progress,
                floors,
            });
        }
        // 1. Spoilers (each stream drawn once per round, struck or not).
        let (v0, p0) = (run.v, run.progress);
        for (k, sp) in model.spoilers.iter().enumerate() {
            let u: f64 = spoiler_rngs[k].gen();
            let hazard = (sp.base + sp.visibility * v0 + sp.progress * p0).clamp(0.0, 1.0);
            if sp.enabled && u < hazard {
                run.strike(k);
                if O::ENABLED {
                    let target_trust = (0..n).map(|j| trust_mean(run.a[sp.target][j], run.b[sp.target][j])).collect();
                    obs.event(Event::Strike { round: t, spoiler: sp.id.clone(), hazard, target_trust, pause: sp.pause });
                }
            }
        }
        let suspended = t < run.suspended_until;
        // Leaks (drawn every round).
        let u_leak: f64 = leak_rng.gen();
        if let Some(med) = &model.mediator {
            if !suspended && u_leak < med.leak {
                run.v = (run.v + med.leak_jump).min(1.0);
                if O::ENABLED {
                    obs.event(Event::Leak { round: t });
                }
            }
        }
        // Values of the current step's packages under current trust and floors.
        run.evaluate();
        // 2. Stay or leave.
        let eta = model.mediator.as_ref().map_or(0.0, |m| m.insulation);
        let cost = |i: usize, v: f64| (1.0 - eta) * model.parties[i].audience_cost * v;
        let v_round = run.v;
        for i in 0..n {
            let party = &model.parties[i];
            let distrust = (0..n).find(|&j| j != i && trust_mean(run.a[i][j], run.b[i][j]) < party.walk_away);
            let reason = if let Some(j) = distrust {
                Some(format!(
                    "its trust in {} ({:.3}) fell below its walk-away floor {:.3}",
                    model.parties[j].id,
                    trust_mean(run.a[i][j], run.b[i][j]),
                    party.walk_away
                ))
            } else if !suspended {
                let gain = run.gain[i].unwrap_or(0.0).max(0.0);
                (gain < cost(i, v_round)).then(|| {
                    format!("its best ratifiable gain {gain:.4} is below the round's audience cost {:.4}", cost(i, v_round))
                })
            } else {
                None
            };
            if let Some(reason) = reason {
                run.left = Some(i);
                if O::ENABLED {
                    obs.event(Event::Left { round: t, party: party.id.clone(), reason });
                }
                break;
            }
        }
        if run.left.is_some() {
            outcome = Some(Outcome::Collapse);
            break;
        }
        // 3. Bargain (or, while an agreed package is not fully delivered, try again to deliver).
        let mut talk_visibility = 0.0;
        if suspended {
            if O::ENABLED {
                obs.event(Event::Suspended { round: t });
            }
        } else {
            talk_visibility = model.mediator.as_ref().map_or(model.public.direct_visibility, |m| m.visibility);
            for i in 0..n {
                run.du[i] -= run.discount_now[i] * cost(i, v_round);
            }
            if run.awaiting_talks == Some(false) {
                run.awaiting_talks = Some(true);
            }
            let agreement = run.bargain(obs);
            // 4. Implement.
            if let Some(ag) = agreement {
                if run.implement(ag, &mut delivery_rng, &mut observe_rng, obs) {
                    outcome = Some(Outcome::Comprehensive);
                    run.t += 1;
                    break;
                }
            }
        }
        // 5. Public state.
        let v_now = run.v;
        run.v = ((1.0 - model.public.decay) * run.v + talk_visibility).clamp(0.0, 1.0);
        run.e = (run.e + model.public.gamma * (v_now - run.e)).clamp(0.0, 1.0);
        for f in &mut run.floor_shock {
            *f *= 1.0 - model.public.decay;
        }
        for (f, p) in run.discount_now.iter_mut().zip(&model.parties) {
            *f *= p.discount;
        }
        run.t += 1;
    }
    let outcome = outcome.unwrap_or(if run.steps_implemented > 0 { Outcome::Partial } else { Outcome::Drift });
    if O::ENABLED {
        obs.event(Event::End { round: run.t.saturating_sub(1), outcome });
    }
    let final_trust = (0..n)
        .map(|i| (0..n).map(|j| if i == j { 1.0 } else { trust_mean(run.a[i][j], run.b[i][j]) }).collect())
        .collect();
    *scratch = run.take_scratch();
    RunRecord {
        outcome,
        rounds: run.t,
        first_step_round: run.first_step_round,
        steps_implemented: run.steps_implemented,
        agreements: run.agreements,
        strikes: run.strikes,
        strikes_by_spoiler: run.strikes_by_spoiler,
        setbacks: run.setbacks,
        kept_talking_after_setback: run.awaiting_talks,
        mediator_accepted: model.mediator.as_ref().map(|_| run.mediator_ok),
        left: run.left,
        final_trust,
        final_visibility: run.v,
        discounted_utility: run.du,
    }
}

impl<'m> Run<'m> {
    /// The state at the start of a run (step 0 not yet opened); `seed` seeds the strategies.
    fn new(model: &'m Model, seed: u64, scratch: Scratch) -> Run<'m> {
        let n = model.parties.len();
        let Scratch { mut values, mut base_ok, mut gain_curve, mut recip_ok, joint, levels, doubt, gains, scratch, mut memo, aspirations } = scratch;
        values.resize_with(n, Vec::new);
        base_ok.resize_with(n, Vec::new);
        gain_curve.resize_with(n, Vec::new);
        recip_ok.resize_with(n, Vec::new);
        memo.bind(model);
        let current: Vec<Option<Value>> = model.issues.iter().map(|i| i.status_quo).collect();
        let mut run = Run {
            m: model,
            n,
            t: 0,
            v: model.public.visibility,
            e: model.public.expectations,
            progress: 0.0,
            floor_shock: vec![0.0; n],
            suspended_until: 0,
            a: model.parties.iter().map(|p| p.trust.iter().map(|x| x.0).collect()).collect(),
            b: model.parties.iter().map(|p| p.trust.iter().map(|x| x.1).collect()).collect(),
            standing: model.mediator.as_ref().map(|m| m.standing.clone()).unwrap_or_default(),
            mediator_ok: true,
            current,
            settled: vec![false; model.issues.len()],
            step: 0,
            pending: Vec::new(),
            carry: Vec::new(),
            mediator_package: false,
            step_open: 0,
            table: Arc::new(Table::empty()),
            talks: Talks::new(model.parties.iter().map(|p| &p.strategy), seed),
            reservation: vec![0.0; n],
            du: vec![0.0; n],
            first_step_round: None,
            steps_implemented: 0,
            agreements: 0,
            strikes: 0,
            strikes_by_spoiler: vec![0; model.spoilers.len()],
            setbacks: 0,
            awaiting_talks: None,
            left: None,
            values,
            base_ok,
            floor_abs: vec![0.0; n],
            gain: vec![None; n],
            gain_curve,
            ranges: vec![(0.0, 0.0); n],
            joint,
            d: vec![0.0; n],
            stale: vec![true; n],
            recip_stale: true,
            recip_ok,
            discount_now: vec![1.0; n],
            levels,
            doubt,
            gains,
            scratch,
            memo,
            aspirations,
        };
        if let Some(med) = &model.mediator {
            if run.standing.iter().any(|s| *s < med.threshold) {
                run.mediator_ok = false;
            }
        }
        // No-deal values: the reservation, or the status quo's utility.
        for i in 0..n {
            run.reservation[i] = match model.parties[i].reservation {
                Some(r) => r,
                None => run.utility_now(i).unwrap_or(0.0),
            };
            run.du[i] = run.value_now(i);
        }
        run
    }
}

impl Run<'_> {
    /// Hands the reusable buffers and tables back (the run is over).
    fn take_scratch(&mut self) -> Scratch {
        Scratch {
            values: std::mem::take(&mut self.values),
            base_ok: std::mem::take(&mut self.base_ok),
            gain_curve: std::mem::take(&mut self.gain_curve),
            recip_ok: std::mem::take(&mut self.recip_ok),
            joint: std::mem::take(&mut self.joint),
            levels: std::mem::take(&mut self.levels),
            doubt: std::mem::take(&mut self.doubt),
            gains: std::mem::take(&mut self.gains),
            scratch: std::mem::take(&mut self.scratch),
            memo: std::mem::take(&mut self.memo),
            aspirations: std::mem::take(&mut self.aspirations),
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

    /// d_i: the better of the reservation and the current state.
    fn disagreement(&self, i: usize) -> f64 {
        let mut scratch = Vec::with_capacity(self.current.len());
        for c in &self.current {
            match c {
                Some(v) => scratch.push(*v),
                None => return self.reservation[i],
            }
        }
        self.reservation[i].max(self.m.parties[i].utility.eval(&scratch))
    }

    /// f_i(t) on the step-normalised scale.
    fn floor(&self, i: usize) -> f64 {
        match &self.m.parties[i].ratification {
            Some(r) => {
                r.floor + r.visibility * self.v + r.expectations * (self.e - self.progress).max(0.0) + self.floor_shock[i]
            }
            None => f64::NEG_INFINITY,
        }
    }

    fn record_setback(&mut self) {
        self.setbacks += 1;
        if self.awaiting_talks.is_none() {
            self.awaiting_talks = Some(false);
        }
    }

    fn strike(&mut self, k: usize) {
        let sp = &self.m.spoilers[k];
        // Only the target's trust moves.
        self.stale[sp.target] = true;
        self.strikes += 1;
        self.strikes_by_spoiler[k] += 1;
        self.record_setback();
        let i = sp.target;
        for &j in &sp.blamed {
            match sp.shock {
                Shock::Defections(s) => self.b[i][j] += s,
                Shock::KyddWalter { trustworthy, untrustworthy } => {
                    let total = self.a[i][j] + self.b[i][j];
                    let pi = self.a[i][j] / total;
                    let den = pi * trustworthy + (1.0 - pi) * untrustworthy;
                    let post = if den > 0.0 { pi * trustworthy / den } else { pi };
                    self.a[i][j] = post * total;
                    self.b[i][j] = (1.0 - post) * total;
                }
            }
        }
        self.v = (self.v + sp.jump).min(1.0);
        self.suspended_until = self.suspended_until.max(self.t + sp.pause);
        for &f in &sp.floor_targets {
            self.floor_shock[f] += sp.floor_shock;
        }
    }

    /// Opens the current step over its unsettled issues.
    fn open_step(&mut self) {
        let m = self.m;
        let step = &m.steps[self.step];
        let mut open: Vec<usize> = step.issues.iter().chain(&self.carry).copied().filter(|k| !self.settled[*k]).collect();
        open.sort_unstable();
        open.dedup();
        // At the status quo the table depends only on the utilities and the open issues: take
        // it from the scenario's cache when there is one.
        if self.settled.iter().all(|s| !s) {
            if let Some(t) = m.tables.get(&open) {
                self.table = t;
                self.after_open();
                return;
            }
        }
        // Otherwise on the utilities, the open issues, the values in place and the no-deal
        // values: take it from this worker's memo when it was built before.
        self.memo.set_key(&open, &self.current, &self.reservation);
        if let Some(t) = self.memo.get() {
            self.table = t;
        } else {
            let t = Arc::new(self.build_table(open));
            self.memo.insert(&t);
            self.table = t;
        }
        self.after_open();
    }

    fn after_open(&mut self) {
        let n = self.n;
        let count = self.table.count;
        for i in 0..n {
            self.d[i] = self.disagreement(i);
        }
        self.stale.iter_mut().for_each(|s| *s = true);
        self.recip_stale = true;
        self.step_open = self.t;
        self.talks.open();
        for i in 0..n {
            self.values[i].clear();
            self.values[i].resize(count, 0.0);
            self.base_ok[i].clear();
            self.base_ok[i].resize(count, false);
        }
    }

    /// The values each open issue can take in a package (a real issue's grid).
    fn choices(&self, open: &[usize]) -> Vec<Vec<Value>> {
        let m = self.m;
        open.iter()
            .map(|&k| {
                let issue = &m.space.issues()[k];
                match issue.kind() {
                    IssueKind::Real { lo, hi } => {
                        let g = m.real_grid.max(2);
                        (0..g).map(|s| Value::Real(lo + (hi - lo) * f64::from(s) / f64::from(g - 1))).collect()
                    }
                    _ => (0..issue.cardinality().unwrap_or(1)).map(|v| Value::Index(v as u32)).collect(),
                }
            })
            .collect()
    }

    /// The packages of the open issues and what each is worth to each party.
    fn build_table(&self, open: Vec<usize>) -> Table {
        let m = self.m;
        let space = &m.space;
        let choices = self.choices(&open);
        let all_real = open.iter().all(|&k| matches!(space.issues()[k].kind(), bc_model::IssueKind::Real { .. }));
        let radices: Vec<u32> = choices.iter().map(|c| c.len() as u32).collect();
        let count: usize = radices.iter().map(|r| *r as usize).product();
        let mut digits = Vec::with_capacity(count * open.len());
        let mut d = vec![0u32; open.len()];
        for _ in 0..count {
            digits.extend_from_slice(&d);
            for k in (0..d.len()).rev() {
                d[k] += 1;
                if d[k] < radices[k] {
                    break;
                }
                d[k] = 0;
            }
        }
        let n = self.n;
        let mut u = vec![vec![0.0; count]; n];
        let mut without = vec![vec![vec![0.0; count]; n]; n];
        let mut outcome: Vec<Option<Value>> = self.current.clone();
        let mut partial: Vec<Option<Value>> = self.current.clone();
        let mut full: Vec<Value> = Vec::with_capacity(outcome.len());
        let w = open.len();
        let additive: Option<Vec<&bc_model::LinearAdditive>> = m.parties.iter().map(|p| p.utility.as_additive()).collect();
        let outside_defined = (0..self.current.len()).all(|k| open.contains(&k) || self.current[k].is_some());
        if let (Some(fs), true) = (additive.as_ref(), outside_defined) {
            // Additive utilities: sums of precomputed terms (same values as `eval` up to the
            // order of additions).
            let implements: Vec<Vec<bool>> = (0..n).map(|j| open.iter().map(|k| m.issues[*k].implementers.contains(&j)).collect()).collect();
            for (i, f) in fs.iter().enumerate() {
                let mut base = f.bias();
                for (k, c) in self.current.iter().enumerate() {
                    if let (false, Some(v)) = (open.contains(&k), c) {
                        base += f.term(k, *v);
                    }
                }
                let terms: Vec<Vec<f64>> = open.iter().zip(&choices).map(|(&k, cs)| cs.iter().map(|v| f.term(k, *v)).collect()).collect();
                let now: Vec<Option<f64>> = open.iter().map(|&k| self.current[k].map(|v| f.term(k, v))).collect();
                for p in 0..count {
                    let dg = &digits[p * w..(p + 1) * w];
                    let mut total = base;
                    for (slot, d) in dg.iter().enumerate() {
                        total += terms[slot][*d as usize];
                    }
                    u[i][p] = f.finish(total);
                    for j in (0..n).filter(|j| *j != i) {
                        let mut alt = Some(base);
                        for (slot, d) in dg.iter().enumerate() {
                            alt = match (alt, implements[j][slot]) {
                                (Some(a), true) => now[slot].map(|x| a + x),
                                (Some(a), false) => Some(a + terms[slot][*d as usize]),
                                (None, _) => None,
                            };
                        }
                        without[i][j][p] = alt.map_or(self.reservation[i], |a| f.finish(a));
                    }
                }
            }
        }
        for p in 0..count {
            if additive.is_some() && outside_defined {
                break;
            }
            let dg = &digits[p * w..(p + 1) * w];
            for (slot, (&k, &di)) in open.iter().zip(dg).enumerate() {
                outcome[k] = Some(choices[slot][di as usize]);
            }
            let complete = fill(&outcome, &mut full);
            for i in 0..n {
                u[i][p] = if complete { m.parties[i].utility.eval(&full) } else { self.reservation[i] };
            }
            for j in 0..n {
                // j defects: the open issues j implements stay as they are now.
                partial.copy_from_slice(&outcome);
                for &k in &open {
                    if m.issues[k].implementers.contains(&j) {
                        partial[k] = self.current[k];
                    }
                }
                let complete = fill(&partial, &mut full);
                for i in 0..n {
                    if i != j {
                        without[i][j][p] = if complete { m.parties[i].utility.eval(&full) } else { self.reservation[i] };
                    }
                }
            }
        }
        let range = u
            .iter()
            .map(|row| row.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(*x), b.max(*x))))
            .collect();
        let by_u = u
            .iter()
            .map(|row| {
                let mut order: Vec<usize> = (0..count).collect();
                order.sort_unstable_by(|a, b| row[*b].total_cmp(&row[*a]).then(a.cmp(b)));
                order
            })
            .collect();
        let space = m.tables.space(&open).or_else(|| step_space(&m.space, &open, &choices).map(Arc::new));
        Table { space, open, choices, digits, count, by_u, u, without, range, all_real }
    }

    /// Recomputes what depends on trust and the disagreement values, for the parties whose
    /// trust changed (all of them when the step changed): credibility-discounted values, the
    /// packages that pass the disagreement and reciprocity tests, each party's range of values,
    /// its best gain as a function of its floor, and the packages every party admits.
    fn refresh(&mut self) {
        let n = self.n;
        let count = self.table.count;
        // A plain borrow (the table may be shared with other threads: no reference counting).
        let table: &Table = &self.table;
        if self.recip_stale {
            for i in 0..n {
                let rho = self.m.parties[i].ratification.map_or(0.0, |r| r.reciprocity);
                let ok = &mut self.recip_ok[i];
                ok.clear();
                ok.resize(count, true);
                if rho > 0.0 {
                    let (ui, di) = (&table.u[i][..count], self.d[i]);
                    for j in (0..n).filter(|&j| j != i) {
                        let (uj, dj) = (&table.u[j][..count], self.d[j]);
                        for ((o, x), y) in ok.iter_mut().zip(ui).zip(uj) {
                            *o = *o && x - di >= rho * (y - dj) - 1e-12;
                        }
                    }
                }
            }
            self.recip_stale = false;
        }
        let mut doubt = std::mem::take(&mut self.doubt);
        doubt.clear();
        doubt.resize(n, 0.0);
        for i in 0..n {
            if !self.stale[i] {
                continue;
            }
            self.stale[i] = false;
            let di = self.d[i];
            for j in 0..n {
                doubt[j] = if i == j { 0.0 } else { 1.0 - trust_mean(self.a[i][j], self.b[i][j]) };
            }
            // U_i = u_i - sum over j of doubt_ij (u_i - u_i without j), in party order.
            let ui = &table.u[i][..count];
            let vals = &mut self.values[i][..count];
            vals.copy_from_slice(ui);
            for j in (0..n).filter(|&j| j != i) {
                let (w, dj) = (&table.without[i][j][..count], doubt[j]);
                for ((v, x), y) in vals.iter_mut().zip(ui).zip(w) {
                    *v -= dj * (x - y);
                }
            }
            let (mut worst, mut best) = (f64::INFINITY, f64::NEG_INFINITY);
            let ok = &mut self.base_ok[i][..count];
            let gains = &mut self.gains;
            gains.clear();
            gains.resize(count, f64::NEG_INFINITY);
            // (Comparisons rather than `f64::max`: no NaN handling chained through the loop. The
            // range feeds only comparisons, where the sign of a zero cannot matter.)
            for (((o, g), v), r) in ok.iter_mut().zip(gains.iter_mut()).zip(vals.iter()).zip(&self.recip_ok[i][..count]) {
                if *v > best {
                    best = *v;
                }
                if *v < worst {
                    worst = *v;
                }
                *o = *v >= di - 1e-12 && *r;
                if *o {
                    *g = *v - di;
                }
            }
            self.ranges[i] = (worst, best);
            // Best gain among packages with u >= x, for any floor x: going down the packages by
            // u, the admitted ones where the best U - d so far rises (a staircase: the best gain
            // over a prefix is that of its last step).
            let curve = &mut self.gain_curve[i];
            curve.clear();
            let (gains, ui) = (&self.gains[..count], &table.u[i][..count]);
            let mut run = f64::NEG_INFINITY;
            for &p in &table.by_u[i] {
                let g = gains[p];
                if g > run {
                    run = g;
                    curve.push((ui[p], run));
                }
            }
        }
        self.doubt = doubt;
        self.joint.clear();
        if let Some((first, rest)) = self.base_ok.split_first() {
            for (p, ok) in first[..count].iter().enumerate() {
                if *ok && rest[..n - 1].iter().all(|r| r[p]) {
                    self.joint.push(p);
                }
            }
        }
    }

    /// This round's absolute floors, and each party's best ratifiable gain (None: nothing it
    /// can ratify).
    fn evaluate(&mut self) {
        if self.recip_stale || self.stale.iter().any(|s| *s) {
            self.refresh();
        }
        for i in 0..self.n {
            let (lo, hi) = self.table.range[i];
            let floor = self.floor(i);
            self.floor_abs[i] = if hi > lo { lo + floor * (hi - lo) - 1e-12 } else if floor > 1.0 { f64::INFINITY } else { f64::NEG_INFINITY };
            let curve = &self.gain_curve[i];
            let cut = curve.partition_point(|c| c.0 >= self.floor_abs[i]);
            self.gain[i] = if cut == 0 { None } else { Some(curve[cut - 1].1) };
        }
    }

    /// One round of talks on the current step: the SPE reduction when both parties play it,
    /// otherwise a session of the configured protocol through [`bargain::bargain`]. Rounds that
    /// cannot produce an agreement and leave nothing behind (time-based strategies, a stateless
    /// mediator) are not played: no package every party can ratify, or (without a trace) none
    /// that clears every strategy's lowest level of the round.
    fn bargain<O: Observer>(&mut self, obs: &mut O) -> Option<Agreement> {
        let m = self.m;
        let t = self.t;
        let spe = m.parties.iter().all(|p| matches!(p.strategy, Strategy::Spe)) && self.n == 2;
        if spe {
            return self.bargain_spe(t as usize % self.n, obs);
        }
        let space = self.table.space.as_ref()?;
        // A party whose standing with the mediator is below its threshold ignores the
        // mediator's proposals: the mediator is only a postbox (a relay that passes everything).
        let (protocol, mediator): (Option<Protocol>, &bc_strategy::Spec) = match &m.mediator {
            None => (None, pass()),
            Some(med) if self.standing.iter().any(|s| *s < med.threshold) => (Some(Protocol::Relay), pass()),
            Some(med) => (Some(med.protocol), &med.strategy),
        };
        let memoryless = self.talks.memoryless(protocol, mediator);
        let zone = self.joint.iter().any(|&p| (0..self.n).all(|i| self.table.u[i][p] >= self.floor_abs[i]));
        if !zone && memoryless {
            // No package every party can ratify: no protocol can produce an agreement.
            if O::ENABLED && protocol == Some(Protocol::Confidential) {
                obs.event(Event::NoZone { round: t });
            }
            return None;
        }
        let problem = Problem {
            space,
            values: &self.values,
            utilities: &self.table.u,
            base_ok: &self.base_ok,
            floors: &self.floor_abs,
            disagreement: &self.d,
            elapsed: t - self.step_open,
            round: t,
            sub_rounds: m.sub_rounds.max(1),
        };
        if !O::ENABLED && memoryless && self.talks.lowest_levels(&problem, &self.ranges, &mut self.levels, &mut self.aspirations) {
            // Nothing clears every strategy's lowest level of the round: no agreement.
            let levels = &self.levels;
            let possible = self.joint.iter().any(|&p| {
                (0..self.n).all(|i| self.table.u[i][p] >= self.floor_abs[i] && self.values[i][p] >= levels[i])
            });
            if !possible {
                return None;
            }
        }
        let mut moves: Vec<Move> = Vec::new();
        let mut sink = |mv: Move| moves.push(mv);
        let result = bargain::bargain(protocol, mediator, &problem, &mut self.talks, O::ENABLED, &mut sink);
        if O::ENABLED {
            for mv in moves {
                match mv {
                    Move::Offer { offer, by, package } => {
                        let e = Event::Offer {
                            round: t,
                            offer,
                            by: self.who(by),
                            package: self.describe(package, None),
                            values: (0..self.n).map(|i| self.values[i][package]).collect(),
                        };
                        obs.event(e);
                    }
                    Move::Amended { offer, package } => {
                        let e = Event::Amended { round: t, offer, package: self.describe(package, None) };
                        obs.event(e);
                    }
                    Move::NoZone { .. } => obs.event(Event::NoZone { round: t }),
                }
            }
        }
        result
    }

    fn bargain_spe<O: Observer>(&mut self, first: usize, obs: &mut O) -> Option<Agreement> {
        let count = self.table.count;
        let points: Vec<Point> = (0..count)
            .map(|p| Point { big: [self.values[0][p], self.values[1][p]], small: [self.table.u[0][p], self.table.u[1][p]] })
            .collect();
        let mut terms = SpeTerms { discount: [0.0; 2], disagreement: [0.0; 2], floor: [0.0; 2], reciprocity: [0.0; 2] };
        for i in 0..2 {
            terms.discount[i] = self.m.parties[i].discount;
            terms.disagreement[i] = self.d[i];
            let (lo, hi) = self.table.range[i];
            let f = self.floor(i);
            terms.floor[i] = if hi > lo { lo + f * (hi - lo) } else if f > 1.0 { f64::INFINITY } else { f64::NEG_INFINITY };
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
            let e = Event::Offer {
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

    fn who(&self, p: Proposer) -> String {
        match p {
            Proposer::Party(i) => self.m.parties[i].id.clone(),
            Proposer::Mediator => "mediator".into(),
        }
    }

    /// The values of a package (or mix) on the open issues.
    fn package_values(&self, package: usize, mix: Option<(usize, f64)>) -> Vec<Value> {
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

    fn describe(&self, package: usize, mix: Option<(usize, f64)>) -> Vec<String> {
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

    /// Records an agreement and makes its first delivery attempt; returns true when the whole
    /// agenda is done.
    fn implement<O: Observer>(&mut self, ag: Agreement, delivery: &mut ChaCha8Rng, observe: &mut ChaCha8Rng, obs: &mut O) -> bool {
        let m = self.m;
        let t = self.t;
        self.agreements += 1;
        let step = &m.steps[self.step];
        if O::ENABLED {
            let e = Event::Agreed { round: t, step: step.name.clone(), package: self.describe(ag.package, ag.mix) };
            obs.event(e);
        }
        let values = self.package_values(ag.package, ag.mix);
        self.pending = self.table.open.iter().copied().zip(values).collect();
        self.mediator_package = ag.proposer == Proposer::Mediator;
        // Announcement.
        self.v = (self.v + m.public.announce_visibility).min(1.0);
        self.e = (self.e + m.public.announce_expectations).min(1.0);
        self.deliver(delivery, observe, obs)
    }

    /// Implementation of the agreed package: each implementer delivers with probability kappa,
    /// each other party observes it correctly with the step's verifiability and updates its
    /// Beta trust. Issues whose implementers all delivered take their agreed values. Returns
    /// true when the whole agenda is done.
    fn deliver<O: Observer>(&mut self, delivery: &mut ChaCha8Rng, observe: &mut ChaCha8Rng, obs: &mut O) -> bool {
        self.stale.iter_mut().for_each(|s| *s = true);
        let m = self.m;
        let n = self.n;
        let t = self.t;
        let step = &m.steps[self.step];
        let before: Vec<f64> = (0..n).map(|i| self.value_now(i)).collect();
        // Each implementer delivers each of its issues with probability kappa; each other party
        // observes each delivery correctly with the step's verifiability. One delivery draw per
        // (party, agenda issue) and one observation draw per (party, observer, agenda issue),
        // used or not, so that variants stay on common random numbers.
        let issues = m.issues.len();
        let mut saw_defection = vec![false; n];
        let mut any_defection = false;
        let pending: Vec<usize> = self.pending.iter().map(|(k, _)| *k).collect();
        let mut done = vec![true; issues];
        for j in 0..n {
            let mut seen = Vec::new();
            let mut gave = 0usize;
            let mut owed = 0usize;
            for k in 0..issues {
                let u_deliver: f64 = delivery.gen();
                let mine = pending.contains(&k) && m.issues[k].implementers.contains(&j);
                let ok = u_deliver < m.parties[j].capacity;
                if mine {
                    owed += 1;
                    gave += usize::from(ok);
                    if !ok {
                        done[k] = false;
                    }
                }
                for i in 0..n {
                    if i == j {
                        continue;
                    }
                    let correct = observe.gen::<f64>() < step.verifiability;
                    if !mine {
                        continue;
                    }
                    let saw = if correct { ok } else { !ok };
                    if saw {
                        self.a[i][j] += 1.0;
                    } else {
                        self.b[i][j] += 1.0;
                        saw_defection[i] = true;
                        any_defection = true;
                    }
                    if O::ENABLED {
                        seen.push((format!("{} on {}", m.parties[i].id, m.issues[k].name), saw));
                    }
                }
            }
            if O::ENABLED && owed > 0 {
                obs.event(Event::Delivery { round: t, party: m.parties[j].id.clone(), delivered: gave == owed, observed: seen });
            }
        }
        if any_defection {
            self.record_setback();
        }
        // Issues whose implementers all delivered take their agreed values.
        self.pending.retain(|&(k, v)| {
            if done[k] {
                self.current[k] = Some(v);
                self.settled[k] = true;
                false
            } else {
                true
            }
        });
        self.progress = m.issues.iter().zip(&self.settled).filter(|(_, s)| **s).fold(0.0, |acc, (i, _)| acc + i.weight);
        for i in 0..n {
            let after = self.value_now(i);
            self.du[i] += self.discount_now[i] * (after - before[i]);
        }
        // The mediator's record on a package it proposed.
        if let (Some(med), true) = (&m.mediator, self.mediator_package) {
            for i in 0..n {
                let s = if saw_defection[i] { self.standing[i] - med.loss } else { self.standing[i] + med.gain };
                self.standing[i] = s.clamp(0.0, 1.0);
                if self.standing[i] < med.threshold {
                    self.mediator_ok = false;
                }
            }
            if O::ENABLED {
                obs.event(Event::Standing { round: t, standing: self.standing.clone() });
            }
        }
        if O::ENABLED {
            let trust = (0..n)
                .map(|i| (0..n).map(|j| if i == j { 1.0 } else { trust_mean(self.a[i][j], self.b[i][j]) }).collect())
                .collect();
            obs.event(Event::Trust { round: t, trust });
        }
        if !self.pending.is_empty() {
            // A defection leaves the defaulted issues at their values; they return to the
            // table linked to the next step (alone, after the last one), so the defaulting side
            // still has something to trade for them.
            self.carry = self.pending.drain(..).map(|(k, _)| k).collect();
            if self.step + 1 < m.steps.len() {
                self.step += 1;
            }
            self.open_step();
            return false;
        }
        self.carry.clear();
        self.steps_implemented += 1;
        if self.first_step_round.is_none() {
            self.first_step_round = Some(t);
        }
        if O::ENABLED {
            obs.event(Event::StepDone { round: t, step: step.name.clone() });
        }
        self.step += 1;
        if self.step == m.steps.len() {
            return true;
        }
        self.open_step();
        false
    }
}

impl Table {
    /// The table of no step (before the first opens).
    fn empty() -> Table {
        Table {
            space: None,
            open: Vec::new(),
            choices: Vec::new(),
            digits: Vec::new(),
            count: 0,
            by_u: Vec::new(),
            u: Vec::new(),
            without: Vec::new(),
            range: Vec::new(),
            all_real: false,
        }
    }
}

/// The outcome space of a step's packages: its open issues in space order, each as the integers
/// `0..r` numbering its `r` values in the model's order (a real issue's grid points), so that
/// package `p` (last issue fastest) is outcome `p`. The mechanisms and strategies need only the
/// numbering; traces name packages from the model's issues. None when no issue is open.
fn step_space(space: &OutcomeSpace, open: &[usize], choices: &[Vec<Value>]) -> Option<OutcomeSpace> {
    let issues: Vec<Issue> = open
        .iter()
        .zip(choices)
        .map(|(&k, cs)| Issue::integer(space.issues()[k].name(), 0, cs.len().saturating_sub(1) as i64))
        .collect::<Result<_, _>>()
        .ok()?;
    OutcomeSpace::new(space.name(), issues).ok()
}

/// The relay mediator that passes everything on.
fn pass() -> &'static bc_strategy::Spec {
    static PASS: std::sync::OnceLock<bc_strategy::Spec> = std::sync::OnceLock::new();
    PASS.get_or_init(|| bc_strategy::Spec { name: "pass".into(), params: Default::default() })
}

/// Writes the values of `partial` into `full`; false if some issue has no value.
fn fill(partial: &[Option<Value>], full: &mut Vec<Value>) -> bool {
    full.clear();
    for v in partial {
        match v {
            Some(x) => full.push(*x),
            None => return false,
        }
    }
    true
}

/// The zone of agreement of the first step at the start of a run: the packages (values of the
/// step's issues, in space order) that every party would ratify and values at least at its
/// disagreement value, before any bargaining (Fearon's bargaining range on a one-issue split).
pub fn initial_zone(model: &Model) -> Vec<Vec<Value>> {
    let n = model.parties.len();
    let mut run = Run::new(model, 0, Scratch::default());
    run.open_step();
    run.evaluate();
    run.joint
        .iter()
        .copied()
        .filter(|&p| (0..n).all(|i| run.table.u[i][p] >= run.floor_abs[i]))
        .map(|p| run.package_values(p, None))
        .collect()
}

/// What runs of a scenario share: the outcome space of each step's packages (they depend only
/// on the open issues), and the tables of steps opened at the status quo when utilities are not
/// uncertain (they depend only on the utilities and the open issues).
#[derive(Clone, Debug, Default)]
pub struct TableCache {
    tables: Arc<Vec<(Vec<usize>, Arc<Table>)>>,
    spaces: Arc<Vec<(Vec<usize>, Arc<OutcomeSpace>)>>,
}

impl TableCache {
    fn get(&self, open: &[usize]) -> Option<Arc<Table>> {
        self.tables.iter().find(|(k, _)| k == open).map(|(_, t)| Arc::clone(t))
    }

    fn space(&self, open: &[usize]) -> Option<Arc<OutcomeSpace>> {
        self.spaces.iter().find(|(k, _)| k == open).map(|(_, s)| Arc::clone(s))
    }

    /// Builds the step spaces of every step of `model` and of the whole agenda (the grand
    /// bargain), and, with `tables`, the tables of the first step and of the whole agenda
    /// (skipped when some issue has no status quo).
    pub fn for_model(model: &Model, tables: bool) -> TableCache {
        let run = Run::new(model, 0, Scratch::default());
        let all: Vec<usize> = (0..model.issues.len()).collect();
        let mut sets: Vec<Vec<usize>> = model.steps.iter().map(|s| s.issues.clone()).collect();
        sets.push(all.clone());
        let mut spaces: Vec<(Vec<usize>, Arc<OutcomeSpace>)> = Vec::new();
        for open in sets {
            if spaces.iter().any(|(k, _)| *k == open) {
                continue;
            }
            let choices = run.choices(&open);
            if let Some(sp) = step_space(&model.space, &open, &choices) {
                spaces.push((open, Arc::new(sp)));
            }
        }
        let mut cache = TableCache { tables: Arc::new(Vec::new()), spaces: Arc::new(spaces) };
        if !tables || model.issues.iter().any(|i| i.status_quo.is_none()) || model.steps.is_empty() {
            return cache;
        }
        let mut model = model.clone();
        model.tables = cache.clone();
        let run = Run::new(&model, 0, Scratch::default());
        let mut out = Vec::new();
        let first: Vec<usize> = model.steps[0].issues.clone();
        for open in [first, all] {
            if !out.iter().any(|(k, _): &(Vec<usize>, Arc<Table>)| *k == open) {
                let t = run.build_table(open.clone());
                out.push((open, Arc::new(t)));
            }
        }
        cache.tables = Arc::new(out);
        cache
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scenario;

    /// Each party's best ratifiable gain, read off the staircase, is the best `U_i - d_i` over
    /// the packages it admits with utility at least its floor, whatever the trust and the floor.
    #[test]
    fn best_gain_is_the_best_admitted_package_above_the_floor() {
        let s = Scenario::default_scenario().unwrap_or_else(|e| panic!("{e}"));
        let model = s.nominal().grand_bargain();
        let mut run = Run::new(&model, 0, Scratch::default());
        run.open_step();
        let mut checked = 0;
        for (k, v) in [0.0, 0.2, 0.5, 0.9, 1.0].into_iter().enumerate() {
            run.v = v;
            run.b[0][1] += k as f64;
            run.a[1][0] += 0.5 * k as f64;
            run.stale.iter_mut().for_each(|s| *s = true);
            run.evaluate();
            for i in 0..run.n {
                let t = &run.table;
                let brute = (0..t.count)
                    .filter(|&p| run.base_ok[i][p] && t.u[i][p] >= run.floor_abs[i])
                    .map(|p| run.values[i][p] - run.d[i])
                    .fold(None, |acc: Option<f64>, g| Some(acc.map_or(g, |a| a.max(g))));
                assert_eq!(run.gain[i], brute, "visibility {v}, party {i}");
                checked += usize::from(brute.is_some());
            }
        }
        assert!(checked > 0, "some party could ratify something");
    }
}
