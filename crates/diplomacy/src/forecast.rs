//! Monte Carlo forecasts: many runs of a scenario (uncertain parameters drawn per run), each with
//! its paired counterfactuals and, on a fixed subsample, its paired parameter swings, all on the
//! run's own addressed draws, folded into an exact, mergeable [`Aggregate`] (memory independent
//! of the number of runs) and summarised as a [`Forecast`].
//!
//! The aggregate is the one statistic of a forecast: `backchannel run` prints its summary, a run
//! directory keeps it as `stats.json` (its `aggregates.json` is the same summary), and the
//! aggregates of shards merge into exactly the unsharded run's. It is therefore made only of
//! counts, integer histograms and exact sums (`bc_engine::stats`), never of rounded averages.
//!
//! Every interval is Monte Carlo error only: it shrinks with more runs and carries no parameter
//! or structural uncertainty.
//!
//! Long file: the job, its counterfactual pairs and swings, the exact aggregate and the summary
//! change together; to be split when the forecast becomes a study of the shared study runner.

use bc_engine::stats::{wilson, Bins, IntHistogram, MergeError, Moments, Z95};
use serde::{Deserialize, Serialize};

use crate::draws::Draws;
use crate::error::{Error, ErrorKind};
use crate::model::Model;
use crate::scenario::Scenario;
use crate::sim::{simulate_in, NoTrace, Observer, Outcome, RunEvent, RunRecord, Scratch};

/// How to run a forecast.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// Number of runs.
    pub runs: u64,
    /// Master seed.
    pub seed: u64,
    /// Worker threads (0 = one per core).
    pub threads: usize,
    /// Also run the paired counterfactuals.
    pub counterfactuals: bool,
    /// The parameter swings run on every `swing_every`-th run (0: none).
    pub swing_every: u64,
}

/// Default subsample of the swings: every 20th run (500 of the default 10,000).
pub const SWING_EVERY: u64 = 20;

/// The quantiles a swing compares (10th vs 90th percentile).
pub(crate) const SWING_QUANTILES: (f64, f64) = (0.1, 0.9);

impl Default for Options {
    fn default() -> Self {
        Options { runs: 10_000, seed: 0, threads: 0, counterfactuals: true, swing_every: SWING_EVERY }
    }
}

/// The headline indicators, in the order of every per-indicator vector.
pub const INDICATORS: [&str; 5] = ["at_least_one_step", "agenda_share", "comprehensive", "breakdown", "reversed"];

/// A run's headline indicators and its class: what a counterfactual or a swing is compared on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Brief {
    /// Outcome class.
    pub outcome: Outcome,
    /// The indicators, in [`INDICATORS`] order (0/1 or a share).
    pub indicators: [f64; 5],
    /// Each party's discounted utility.
    pub utility: Vec<f64>,
}

impl Brief {
    /// The brief of a run's record.
    pub fn of(r: &RunRecord) -> Brief {
        let b = |x: bool| if x { 1.0 } else { 0.0 };
        Brief {
            outcome: r.outcome,
            indicators: [
                b(r.at_least_one_step),
                r.agenda_share,
                b(r.outcome == Outcome::Comprehensive),
                b(r.left.is_some()),
                b(r.reversals > 0),
            ],
            utility: r.discounted_utility.clone(),
        }
    }
}

/// What a paired counterfactual is called and which way its difference is taken.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CounterfactualSpec {
    /// Short id (`direct`, `grand_bargain`, `without_leverage`, `without_<spoiler>`).
    pub id: String,
    /// What the difference compares, e.g. "mediated (Pakistan) − direct talks".
    pub label: String,
    /// True when the difference is scenario − counterfactual; false for counterfactual − scenario.
    pub scenario_first: bool,
}

/// A paired counterfactual: the same run under a changed model.
#[derive(Clone, Debug, PartialEq)]
pub struct Counterfactual {
    /// Its name and sign.
    pub spec: CounterfactualSpec,
    kind: Kind,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Direct,
    GrandBargain,
    WithoutLeverage,
    WithoutSpoiler(usize),
}

impl Counterfactual {
    /// Applies the counterfactual to a run's model.
    pub fn apply(&self, m: &Model) -> Model {
        match self.kind {
            Kind::Direct => m.without_mediator(),
            Kind::GrandBargain => m.grand_bargain(),
            Kind::WithoutLeverage => m.without_leverage(),
            Kind::WithoutSpoiler(k) => m.without_spoiler(k),
        }
    }
}

/// The counterfactuals that make sense for a scenario: mediated vs direct (when it has a
/// mediator), steps vs grand bargain (when it has several steps), the mediator without its
/// leverage (when it has some), and each spoiler removed.
pub fn counterfactuals(s: &Scenario) -> Vec<Counterfactual> {
    let m = s.nominal();
    let mut out = Vec::new();
    let cf = |id: String, label: String, scenario_first: bool, kind: Kind| Counterfactual {
        spec: CounterfactualSpec { id, label, scenario_first },
        kind,
    };
    if let Some(med) = &m.mediator {
        out.push(cf("direct".into(), format!("mediated ({}) − direct talks", med.name), true, Kind::Direct));
    }
    if m.steps.len() > 1 {
        out.push(cf("grand_bargain".into(), "small steps − grand bargain".into(), true, Kind::GrandBargain));
    }
    if let Some(med) = &m.mediator {
        let uncertain = s.uncertain().iter().any(|u| u.path.starts_with("mediator.leverage."));
        if uncertain || med.leverage.iter().any(|l| *l > 0.0) {
            out.push(cf("without_leverage".into(), format!("{} with leverage − without", med.name), true, Kind::WithoutLeverage));
        }
    }
    for (k, sp) in m.spoilers.iter().enumerate() {
        out.push(cf(format!("without_{}", sp.id), format!("without {} − with it", sp.name), false, Kind::WithoutSpoiler(k)));
    }
    out
}

/// Everything one run produced: its record, the quantiles of its uncertain parameters, the
/// brief of each counterfactual, the swings (on the subsample), and (with [`JobOptions::trust_path`]) its
/// trust round by round.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobRecord {
    /// Run index.
    pub run: u64,
    /// The run.
    pub record: RunRecord,
    /// Quantile drawn for each uncertain parameter (in [`Scenario::uncertain`] order).
    pub quantiles: Vec<f64>,
    /// The run under each counterfactual (in [`counterfactuals`] order).
    pub counterfactuals: Vec<Brief>,
    /// On the swing subsample: the run with each uncertain parameter at its 10th and its 90th
    /// percentile, every other draw unchanged. Empty elsewhere.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub swings: Vec<[Brief; 2]>,
    /// Trust at the start of each round `0..=horizon`, flattened: round `t`'s values are
    /// `trust_path[t * w..(t + 1) * w]`, one per ordered pair of [`pairs`] (`w` of them), and
    /// the last value is carried forward after the run ends. Empty unless [`JobOptions::trust_path`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trust_path: Vec<f64>,
}

/// The part of a job that every entry point shares: the run's draws, its model and quantiles.
fn start(s: &Scenario, seed: u64, run: u64) -> (Draws, Model, Vec<f64>) {
    let mut rng = bc_engine::rng_for(seed, run);
    let draws = Draws::from_rng(&mut rng);
    let (model, quantiles) = s.sample(&draws);
    (draws, model, quantiles)
}

/// The counterfactuals and swings of a run already simulated.
fn pairs_of(s: &Scenario, o: &JobOptions, job: &mut JobRecord, model: &Model, draws: &Draws, scratch: &mut Scratch) {
    let record = &job.record;
    job.counterfactuals = o
        .cfs
        .iter()
        .map(|cf| match cf.kind {
            // A spoiler that never struck and whose hazard says nothing about capacity changed
            // nothing: the run without it is this run (every other draw is the same).
            Kind::WithoutSpoiler(k)
                if record.strikes_by_spoiler.get(k) == Some(&0) && model.spoilers.get(k).is_some_and(|sp| sp.capacity_link == 0.0) =>
            {
                Brief::of(record)
            }
            _ => Brief::of(&simulate_in(&cf.apply(model), &s.tables, draws, &mut NoTrace, scratch)),
        })
        .collect();
    if o.swing_every > 0 && job.run.is_multiple_of(o.swing_every) {
        let (lo, hi) = SWING_QUANTILES;
        job.swings = (0..job.quantiles.len())
            .map(|p| {
                let mut us = job.quantiles.clone();
                let mut arm = |q: f64| {
                    us[p] = q;
                    Brief::of(&simulate_in(&s.model_at(&us), &s.tables, draws, &mut NoTrace, scratch))
                };
                [arm(lo), arm(hi)]
            })
            .collect();
    }
}

/// What a job runs besides the run itself.
#[derive(Clone, Debug, Default)]
pub struct JobOptions {
    /// The counterfactuals.
    pub cfs: Vec<Counterfactual>,
    /// Swings on every `swing_every`-th run (0: none).
    pub swing_every: u64,
    /// Keep the run's trust round by round ([`JobRecord::trust_path`]; run directories chart it).
    pub trust_path: bool,
}

impl JobOptions {
    /// The job options of a forecast of `s` under `opts`.
    pub fn new(s: &Scenario, opts: &Options) -> JobOptions {
        JobOptions {
            cfs: if opts.counterfactuals { counterfactuals(s) } else { Vec::new() },
            swing_every: if opts.counterfactuals { opts.swing_every } else { 0 },
            trust_path: false,
        }
    }
}

/// Runs job `run`: draws its parameters, simulates it, its counterfactuals and its swings,
/// showing every event of the run (not of its counterfactuals) to `observer` (a forecast passes
/// [`NoTrace`], which costs nothing) and, with [`JobOptions::trust_path`], keeping its trust
/// round by round. `scratch` is a worker's buffers and tables, reused from job to job: what it
/// holds never changes the record or the events, only how fast they come.
pub fn job<O: Observer>(s: &Scenario, o: &JobOptions, seed: u64, run: u64, observer: &mut O, scratch: &mut Scratch) -> JobRecord {
    let (draws, model, quantiles) = start(s, seed, run);
    let (record, trust_path) = if o.trust_path {
        simulate_following_trust(s, &model, &draws, observer, scratch)
    } else {
        (simulate_in(&model, &s.tables, &draws, observer, scratch), Vec::new())
    };
    let mut j = JobRecord { run, record, quantiles, counterfactuals: Vec::new(), swings: Vec::new(), trust_path };
    pairs_of(s, o, &mut j, &model, &draws, scratch);
    j
}

/// Simulates a run, following its trust from its events: the record and
/// [`JobRecord::trust_path`].
fn simulate_following_trust<O: Observer>(
    s: &Scenario,
    model: &Model,
    draws: &Draws,
    observer: &mut O,
    scratch: &mut Scratch,
) -> (RunRecord, Vec<f64>) {
    let n = model.parties.len();
    let cur = (0..n)
        .map(|i| (0..n).map(|j| if i == j { 1.0 } else { model.parties[i].trust.get(j).map_or(f64::NAN, |(a, b)| a / (a + b)) }).collect())
        .collect();
    let mut follow = Follow {
        targets: model.spoilers.iter().map(|sp| sp.target).collect(),
        spoiler_ids: model.spoilers.iter().map(|sp| sp.id.clone()).collect(),
        cur,
        path: Vec::with_capacity((model.rounds as usize + 1) * n * n.saturating_sub(1)),
        inner: observer,
    };
    let record = simulate_in(model, &s.tables, draws, &mut follow, scratch);
    let mut path = follow.path;
    let last = off_diagonal(&record.final_trust);
    let width = last.len().max(1);
    path.truncate(record.rounds as usize * width);
    while path.len() < (model.rounds as usize + 1) * width {
        path.extend_from_slice(&last);
    }
    (record, path)
}

/// The ordered pairs `(i, j)`, `i != j`, of `n` parties, in the order of trust columns, trust
/// statistics and [`JobRecord::trust_path`].
pub fn pairs(n: usize) -> Vec<(usize, usize)> {
    (0..n).flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j))).collect()
}

fn off_diagonal(m: &[Vec<f64>]) -> Vec<f64> {
    pairs(m.len()).into_iter().map(|(i, j)| m[i].get(j).copied().unwrap_or(f64::NAN)).collect()
}

/// Follows a run's trust from its events (trust at the start of every round) and passes every
/// event on.
struct Follow<'a, O: Observer> {
    targets: Vec<usize>,
    spoiler_ids: Vec<String>,
    cur: Vec<Vec<f64>>,
    /// Trust at the start of each round, pairs flattened (one allocation per run: a batch of
    /// runs waits in memory for its turn at the sink).
    path: Vec<f64>,
    inner: &'a mut O,
}

impl<O: Observer> Observer for Follow<'_, O> {
    const ENABLED: bool = true;
    fn event(&mut self, e: RunEvent) {
        match &e {
            RunEvent::Round { .. } => self.path.extend(off_diagonal(&self.cur)),
            RunEvent::Trust { trust, .. } => {
                if self.cur.len() == trust.len() && self.cur.iter().zip(trust).all(|(a, b)| a.len() == b.len()) {
                    for (a, b) in self.cur.iter_mut().zip(trust) {
                        a.copy_from_slice(b);
                    }
                } else {
                    self.cur.clone_from(trust);
                }
            }
            RunEvent::Strike { spoiler, target_trust, .. } => {
                if let Some(k) = self.spoiler_ids.iter().position(|id| id == spoiler) {
                    if let Some(row) = self.targets.get(k).and_then(|&t| self.cur.get_mut(t)) {
                        for (c, x) in row.iter_mut().zip(target_trust) {
                            *c = *x;
                        }
                    }
                }
            }
            _ => {}
        }
        if O::ENABLED {
            self.inner.event(e);
        }
    }
}

/// Streams every run's [`JobRecord`] to `sink` in run order (parallel, thread-count
/// independent), calling `progress(done)` after each batch.
pub fn run_jobs(
    s: &Scenario,
    opts: &Options,
    mut sink: impl FnMut(JobRecord) -> Result<(), Error>,
    progress: impl FnMut(u64),
) -> Result<(), Error> {
    if opts.runs == 0 {
        return Err(Error::new(ErrorKind::Options("runs: expected at least 1 run, found 0".into())));
    }
    let o = JobOptions::new(s, opts);
    bc_engine::run_ordered_with(
        0..opts.runs,
        bc_engine::RunOptions { threads: opts.threads, batch: 4096 },
        Scratch::default,
        |scratch, i| job(s, &o, opts.seed, i, &mut NoTrace, scratch),
        |_, r| sink(r),
        progress,
    )
}

/// What a forecast is of: fixed for the whole forecast (and equal in every shard).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ForecastSpec {
    /// Scenario name.
    pub scenario: String,
    /// Variant applied, if any.
    pub variant: Option<String>,
    /// Where the scenario came from (file or the embedded default).
    pub source: String,
    /// What a round is (e.g. "week").
    pub round_unit: String,
    /// Rounds in a run.
    pub horizon: u32,
    /// Party ids.
    pub parties: Vec<String>,
    /// Party names for people (same order; empty: the ids are used).
    #[serde(default)]
    pub party_names: Vec<String>,
    /// The mediator's name, if talks are mediated.
    pub mediator: Option<String>,
    /// Paths of the uncertain parameters.
    pub uncertain: Vec<String>,
    /// The paired counterfactuals.
    pub counterfactuals: Vec<CounterfactualSpec>,
    /// True when the scenario's numbers are illustrative (the embedded default).
    pub illustrative: bool,
    /// Master seed.
    pub seed: u64,
    /// The swings run on every `swing_every`-th run (0: none).
    pub swing_every: u64,
    /// W of "kept talking after the first setback".
    pub setback_window: u32,
}

impl ForecastSpec {
    /// The description of a forecast of `s` with counterfactuals `cfs` under `seed`.
    pub fn new(s: &Scenario, o: &JobOptions, seed: u64) -> ForecastSpec {
        let cfs = &o.cfs;
        let m = s.nominal();
        ForecastSpec {
            scenario: m.name.clone(),
            variant: s.variant.clone(),
            source: s.source.clone(),
            round_unit: s.file.scenario.round_unit.clone(),
            horizon: m.rounds,
            parties: m.parties.iter().map(|p| p.id.clone()).collect(),
            party_names: m.parties.iter().map(|p| p.name.clone()).collect(),
            mediator: m.mediator.as_ref().map(|x| x.name.clone()),
            uncertain: s.uncertain().iter().map(|u| u.path.clone()).collect(),
            counterfactuals: cfs.iter().map(|c| c.spec.clone()).collect(),
            illustrative: s.source == crate::scenario::DEFAULT_SOURCE,
            seed,
            swing_every: o.swing_every,
            setback_window: m.setback_window,
        }
    }

    /// Party `i`'s name for people.
    pub fn display(&self, i: usize) -> &str {
        self.party_names.get(i).or_else(|| self.parties.get(i)).map_or("?", String::as_str)
    }
}

/// Mergeable statistics of one counterfactual.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CounterfactualStats {
    /// Paired differences of the headline indicators (in [`INDICATORS`] order), then of each
    /// party's discounted utility, signed as the counterfactual's spec says.
    pub diffs: Vec<Moments>,
    /// `transitions[a][b]`: runs of class `a` in the scenario and `b` under the counterfactual
    /// (classes in [`Outcome::ALL`] order).
    pub transitions: [[u64; 5]; 5],
}

/// Bins of the per-round trust distributions (the report's fan chart).
pub(crate) const TRUST_BINS: usize = 50;

/// The forecast's exact, mergeable statistics: every run folded in by [`Aggregate::add`],
/// shards combined by [`Aggregate::merge`], summarised by [`Aggregate::summary`]. Memory depends
/// on the horizon, the parties and the parameters, not on the number of runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Aggregate {
    /// What the forecast is of.
    pub spec: ForecastSpec,
    /// Runs folded in.
    pub runs: u64,
    /// Runs per outcome class, in [`Outcome::ALL`] order.
    pub outcomes: [u64; 5],
    /// The headline indicators (in [`INDICATORS`] order), then each party's discounted utility.
    pub headline: Vec<Moments>,
    /// Round of the first step, over runs that had one.
    pub first_step: IntHistogram,
    /// Runs with a setback.
    pub setback_runs: u64,
    /// … that kept talking after it.
    pub kept_talking: u64,
    /// Rounds from the first setback to the next session with an offer.
    pub resume: IntHistogram,
    /// Runs where every party sent a concrete signal in time.
    pub signals: u64,
    /// Runs with a mediator.
    pub mediated: u64,
    /// … where its role was accepted.
    pub accepted: u64,
    /// Per counterfactual.
    pub counterfactuals: Vec<CounterfactualStats>,
    /// Runs of the swing subsample.
    pub swing_runs: u64,
    /// Per uncertain parameter: paired differences (90th − 10th percentile) of the headline
    /// indicators, in [`INDICATORS`] order.
    pub swings: Vec<Vec<Moments>>,
    /// Final trust per ordered pair (in [`pairs`] order).
    pub final_trust: Vec<Moments>,
    /// Final visibility.
    pub visibility: Moments,
    /// Strikes per run.
    pub strikes: IntHistogram,
    /// Rounds per run.
    pub rounds: IntHistogram,
    /// Trust per round and pair (`[round][pair]`, [`TRUST_BINS`] bins over [0, 1]) when traced
    /// runs are folded in; empty otherwise.
    pub trust_path: Vec<Vec<Bins>>,
}

fn headline_values(b: &Brief) -> impl Iterator<Item = f64> + '_ {
    b.indicators.iter().copied().chain(b.utility.iter().copied())
}

impl Aggregate {
    /// Empty statistics for `spec`; `track_trust` keeps the per-round trust distributions of
    /// runs that keep it ([`JobOptions::trust_path`]).
    pub fn new(spec: ForecastSpec, track_trust: bool) -> Aggregate {
        let np = pairs(spec.parties.len()).len();
        let width = INDICATORS.len() + spec.parties.len();
        Aggregate {
            runs: 0,
            outcomes: [0; 5],
            headline: vec![Moments::default(); width],
            first_step: IntHistogram::default(),
            setback_runs: 0,
            kept_talking: 0,
            resume: IntHistogram::default(),
            signals: 0,
            mediated: 0,
            accepted: 0,
            counterfactuals: vec![
                CounterfactualStats { diffs: vec![Moments::default(); width], transitions: [[0; 5]; 5] };
                spec.counterfactuals.len()
            ],
            swing_runs: 0,
            swings: vec![vec![Moments::default(); INDICATORS.len()]; spec.uncertain.len()],
            final_trust: vec![Moments::default(); np],
            visibility: Moments::default(),
            strikes: IntHistogram::default(),
            rounds: IntHistogram::default(),
            trust_path: if track_trust { vec![vec![Bins::new(0.0, 1.0, TRUST_BINS); np]; spec.horizon as usize + 1] } else { Vec::new() },
            spec,
        }
    }

    /// Folds in one run.
    pub fn add(&mut self, j: &JobRecord) {
        let r = &j.record;
        let brief = Brief::of(r);
        self.runs += 1;
        self.outcomes[r.outcome.index()] += 1;
        for (m, x) in self.headline.iter_mut().zip(headline_values(&brief)) {
            m.add(x);
        }
        if let Some(t) = r.first_step_round {
            self.first_step.add(i64::from(t));
        }
        if let Some(k) = r.kept_talking_after_setback {
            self.setback_runs += 1;
            self.kept_talking += u64::from(k);
            if let (true, Some(d)) = (k, r.rounds_to_resume) {
                self.resume.add(i64::from(d));
            }
        }
        self.signals += u64::from(r.concrete_signals);
        if let Some(a) = r.mediator_accepted {
            self.mediated += 1;
            self.accepted += u64::from(a);
        }
        for ((st, spec), cf) in self.counterfactuals.iter_mut().zip(&self.spec.counterfactuals).zip(&j.counterfactuals) {
            let sign = if spec.scenario_first { 1.0 } else { -1.0 };
            for ((m, a), b) in st.diffs.iter_mut().zip(headline_values(&brief)).zip(headline_values(cf)) {
                m.add(sign * (a - b));
            }
            st.transitions[r.outcome.index()][cf.outcome.index()] += 1;
        }
        if !j.swings.is_empty() {
            self.swing_runs += 1;
            for (st, [lo, hi]) in self.swings.iter_mut().zip(&j.swings) {
                for ((m, a), b) in st.iter_mut().zip(hi.indicators).zip(lo.indicators) {
                    m.add(a - b);
                }
            }
        }
        for (m, (i, j)) in self.final_trust.iter_mut().zip(pairs(self.spec.parties.len())) {
            if let Some(t) = r.final_trust.get(i).and_then(|row| row.get(j)) {
                m.add(*t);
            }
        }
        self.visibility.add(r.final_visibility);
        self.strikes.add(i64::from(r.strikes));
        self.rounds.add(i64::from(r.rounds));
        let width = self.final_trust.len().max(1);
        for (bins, values) in self.trust_path.iter_mut().zip(j.trust_path.chunks(width)) {
            for (b, v) in bins.iter_mut().zip(values) {
                b.add(*v);
            }
        }
    }

    /// Adds the statistics of the next shard (exact: shards `0..N` merged in order equal the
    /// unsharded run's statistics).
    pub fn merge(&mut self, o: Aggregate) -> Result<(), MergeError> {
        if o.spec != self.spec {
            return Err(MergeError(
                "field \"spec\": expected the same scenario, parties, parameters and counterfactuals in every shard".into(),
            ));
        }
        if o.trust_path.len() != self.trust_path.len() {
            return Err(MergeError("field \"trust_path\": expected every shard to track trust the same way".into()));
        }
        self.runs += o.runs;
        for (a, b) in self.outcomes.iter_mut().zip(o.outcomes) {
            *a += b;
        }
        for (a, b) in self.headline.iter_mut().zip(&o.headline) {
            a.merge(b);
        }
        self.first_step.merge(&o.first_step);
        self.setback_runs += o.setback_runs;
        self.kept_talking += o.kept_talking;
        self.resume.merge(&o.resume);
        self.signals += o.signals;
        self.mediated += o.mediated;
        self.accepted += o.accepted;
        for (a, b) in self.counterfactuals.iter_mut().zip(&o.counterfactuals) {
            for (x, y) in a.diffs.iter_mut().zip(&b.diffs) {
                x.merge(y);
            }
            for (ra, rb) in a.transitions.iter_mut().zip(&b.transitions) {
                for (x, y) in ra.iter_mut().zip(rb) {
                    *x += y;
                }
            }
        }
        self.swing_runs += o.swing_runs;
        for (a, b) in self.swings.iter_mut().zip(&o.swings) {
            for (x, y) in a.iter_mut().zip(b) {
                x.merge(y);
            }
        }
        for (a, b) in self.final_trust.iter_mut().zip(&o.final_trust) {
            a.merge(b);
        }
        self.visibility.merge(&o.visibility);
        self.strikes.merge(&o.strikes);
        self.rounds.merge(&o.rounds);
        for (ra, rb) in self.trust_path.iter_mut().zip(&o.trust_path) {
            for (a, b) in ra.iter_mut().zip(rb) {
                a.merge(b)?;
            }
        }
        Ok(())
    }

    /// `cumulative()[t]`: share of all runs with a first step by round `t`, for `t` in
    /// `0..=horizon` (the time-to-first-step curve).
    pub fn cumulative(&self) -> Vec<f64> {
        let n = self.runs.max(1) as f64;
        let mut acc = 0u64;
        (0..=i64::from(self.spec.horizon))
            .map(|t| {
                acc += self.first_step.counts.get(&t).copied().unwrap_or(0);
                acc as f64 / n
            })
            .collect()
    }

    /// Mean final trust matrix (`[i][j]`: i's belief in j's capacity; 1 on the diagonal).
    pub fn mean_final_trust(&self) -> Vec<Vec<f64>> {
        let np = self.spec.parties.len();
        let mut trust = vec![vec![1.0; np]; np];
        for (m, (i, j)) in self.final_trust.iter().zip(pairs(np)) {
            trust[i][j] = m.mean();
        }
        trust
    }

    fn headline_of(&self, values: &[Moments], z: f64, binary_wilson: bool) -> Headline {
        let iv = |k: usize| {
            if binary_wilson && k != 1 {
                Interval::wilson(&values[k])
            } else {
                Interval::normal(&values[k], z)
            }
        };
        Headline {
            at_least_one_step: iv(0),
            agenda_share: iv(1),
            comprehensive: iv(2),
            breakdown: iv(3),
            reversed: iv(4),
            utility: values[INDICATORS.len()..]
                .iter()
                .enumerate()
                .map(|(i, m)| PartyValue { party: self.spec.parties.get(i).cloned().unwrap_or_default(), value: Interval::normal(m, z) })
                .collect(),
        }
    }

    /// The summary: what `backchannel run` prints and `--json` emits.
    pub fn summary(&self) -> Forecast {
        let n = self.runs;
        let s = &self.spec;
        let round = |q: f64| self.first_step.quantile(q).and_then(|v| u32::try_from(v).ok());
        let params = s.uncertain.len().max(1);
        let z_swing = z_two_sided(0.05 / params as f64);
        let mut swings: Vec<Swing> = s
            .uncertain
            .iter()
            .zip(&self.swings)
            .map(|(path, st)| {
                let d = |k: usize| Interval::normal(&st[k], z_swing);
                Swing {
                    parameter: path.clone(),
                    label: parameter_label(path, s),
                    at_least_one_step: d(0),
                    agenda_share: d(1),
                    comprehensive: d(2),
                    breakdown: d(3),
                    reversed: d(4),
                }
            })
            .collect();
        swings.sort_by(|a, b| {
            b.agenda_share.estimate.abs().total_cmp(&a.agenda_share.estimate.abs()).then_with(|| a.parameter.cmp(&b.parameter))
        });
        Forecast {
            scenario: s.scenario.clone(),
            variant: s.variant.clone(),
            source: s.source.clone(),
            round_unit: s.round_unit.clone(),
            horizon: s.horizon,
            runs: n,
            seed: s.seed,
            intervals:
                "95% intervals of Monte Carlo error only: they shrink with more runs and carry no parameter or structural uncertainty"
                    .into(),
            headline: self.headline_of(&self.headline, Z95, true),
            outcomes: Outcomes {
                comprehensive: Interval::from(wilson(self.outcomes[0], n)),
                partial: Interval::from(wilson(self.outcomes[1], n)),
                breakdown_after_progress: Interval::from(wilson(self.outcomes[2], n)),
                collapse: Interval::from(wilson(self.outcomes[3], n)),
                drift: Interval::from(wilson(self.outcomes[4], n)),
            },
            first_step_round: FirstStep { median: round(0.5), q1: round(0.25), q3: round(0.75), cumulative: self.cumulative() },
            kept_talking_after_setback: KeptTalking {
                runs_with_setback: Interval::from(wilson(self.setback_runs, n)),
                probability: Interval::from(wilson(self.kept_talking, self.setback_runs)),
                median_rounds_to_resume: self.resume.quantile(0.5).and_then(|v| u32::try_from(v).ok()),
                window: s.setback_window,
            },
            mediator_accepted: (self.mediated > 0).then(|| Interval::from(wilson(self.accepted, self.mediated))),
            concrete_signals: Interval::from(wilson(self.signals, n)),
            counterfactuals: s
                .counterfactuals
                .iter()
                .zip(&self.counterfactuals)
                .map(|(c, st)| CounterfactualResult {
                    name: c.id.clone(),
                    label: c.label.clone(),
                    difference: self.headline_of(&st.diffs, Z95, false),
                    transitions: Transitions {
                        classes: Outcome::ALL.iter().map(|o| o.name().to_string()).collect(),
                        counts: st.transitions,
                    },
                })
                .collect(),
            sensitivity: Sensitivity {
                runs: self.swing_runs,
                quantiles: [SWING_QUANTILES.0, SWING_QUANTILES.1],
                confidence: format!(
                    "95% family-wise over {} parameters (Bonferroni: each interval at {:.4}%, z = {:.3})",
                    s.uncertain.len(),
                    100.0 * (1.0 - 0.05 / params as f64),
                    z_swing
                ),
                swing: swings,
            },
            parties: s.parties.clone(),
            party_names: (0..s.parties.len()).map(|i| s.display(i).to_string()).collect(),
            mean_final_trust: self.mean_final_trust(),
            mean_strikes: self.strikes.mean(),
            mean_rounds: self.rounds.mean(),
        }
    }
}

/// The two-sided normal quantile for a total tail probability `alpha` (bisection on erfc).
pub(crate) fn z_two_sided(alpha: f64) -> f64 {
    let (mut lo, mut hi) = (0.0_f64, 40.0_f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if libm::erfc(mid / std::f64::consts::SQRT_2) > alpha {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// A readable name of an uncertain parameter for reports ("Iran's delivery capacity").
pub fn parameter_label(path: &str, s: &ForecastSpec) -> String {
    let parts: Vec<&str> = path.split('.').collect();
    let party = |id: &str| s.parties.iter().position(|p| p == id).map_or(id.to_string(), |i| s.display(i).to_string());
    let possessive = |name: String| if name.ends_with('s') { format!("{name}'") } else { format!("{name}'s") };
    match parts.as_slice() {
        ["parties", p, "capacity"] => format!("{} delivery capacity", possessive(party(p))),
        ["parties", p, "audience_cost"] => format!("{} engagement cost", possessive(party(p))),
        ["parties", p, "walk_away"] => format!("{} walk-away trust floor", possessive(party(p))),
        ["parties", p, "discount"] => format!("{} patience", possessive(party(p))),
        ["parties", p, "bluff"] => format!("{} bluff", possessive(party(p))),
        ["parties", p, "withdrawal"] => format!("{} withdrawal hazard", possessive(party(p))),
        ["parties", p, "trust", q, ab] => format!(
            "{} prior trust in {} ({})",
            possessive(party(p)),
            party(q),
            if *ab == "a" { "deliveries seen" } else { "defections seen" }
        ),
        ["parties", p, "ratification", "floor"] => format!("{} ratification floor", possessive(party(p))),
        ["parties", p, "ratification", x] => format!("{} floor per unit of {x}", possessive(party(p))),
        ["parties", p, "strategy", "rounds"] => format!("{} concession time", possessive(party(p))),
        ["parties", p, rest @ ..] => format!("{} {}", possessive(party(p)), rest.join(" ").replace('_', " ")),
        ["mediator", "standing", p] => format!("mediator's standing with {}", party(p)),
        ["mediator", "leverage", p] => format!("mediator's leverage on {}", party(p)),
        ["mediator", x] => format!("mediator's {}", x.replace('_', " ")),
        ["spoilers", k, x] => format!("{k} {}", x.replace('_', " ")).replace('_', " "),
        _ => path.replace(['.', '_'], " "),
    }
}

/// An estimate with its interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// The estimate.
    pub estimate: f64,
    /// Lower end.
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
}

impl Interval {
    /// The mean of `m` with a normal interval at `z`.
    pub fn normal(m: &Moments, z: f64) -> Interval {
        let e = m.mean();
        let half = if m.n > 0 { z * (m.variance() / m.n as f64).sqrt() } else { f64::NAN };
        Interval { estimate: e, lo: e - half, hi: e + half }
    }

    /// A share of 0/1 values with Wilson's 95% interval.
    pub fn wilson(m: &Moments) -> Interval {
        let k = m.sum.value().round().max(0.0) as u64;
        Interval::from(wilson(k, m.n))
    }
}

impl From<bc_engine::stats::Proportion> for Interval {
    fn from(p: bc_engine::stats::Proportion) -> Interval {
        Interval { estimate: p.p, lo: p.lo, hi: p.hi }
    }
}

/// A party's value of an indicator.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PartyValue {
    /// Party id.
    pub party: String,
    /// The value.
    #[serde(flatten)]
    pub value: Interval,
}

/// The headline indicators (a forecast's, or a counterfactual's paired differences).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Headline {
    /// Some step was implemented at some point.
    pub at_least_one_step: Interval,
    /// Mean share of the agenda standing at the end.
    pub agenda_share: Interval,
    /// Every step stands at the end.
    pub comprehensive: Interval,
    /// A party walked out.
    pub breakdown: Interval,
    /// A step that stood was snapped back.
    pub reversed: Interval,
    /// Each party's discounted utility.
    pub utility: Vec<PartyValue>,
}

/// Probability of each outcome class.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Outcomes {
    /// Every step stands.
    pub comprehensive: Interval,
    /// Some steps stand; still talking.
    pub partial: Interval,
    /// Some steps stand; a party left.
    pub breakdown_after_progress: Interval,
    /// Nothing stands; a party left.
    pub collapse: Interval,
    /// Nothing stands; still talking.
    pub drift: Interval,
}

/// Round of the first implemented step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FirstStep {
    /// Median round among runs with a step.
    pub median: Option<u32>,
    /// First quartile.
    pub q1: Option<u32>,
    /// Third quartile.
    pub q3: Option<u32>,
    /// `cumulative[t]`: share of all runs with a first step by round t.
    pub cumulative: Vec<f64>,
}

/// Kept talking after the first setback.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeptTalking {
    /// Share of runs with a setback while the talks were in progress.
    pub runs_with_setback: Interval,
    /// Among them, the share with a session with an offer within the window and no exit.
    pub probability: Interval,
    /// Median rounds from the setback to that session.
    pub median_rounds_to_resume: Option<u32>,
    /// The window W, in rounds.
    pub window: u32,
}

/// The transition table of outcome classes between a scenario and its counterfactual.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Transitions {
    /// Class names, in row and column order.
    pub classes: Vec<String>,
    /// `counts[a][b]`: runs of class `a` in the scenario and `b` under the counterfactual.
    pub counts: [[u64; 5]; 5],
}

/// A paired counterfactual's result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CounterfactualResult {
    /// Id.
    pub name: String,
    /// What is compared.
    pub label: String,
    /// Paired difference of every headline indicator, with its 95% interval.
    pub difference: Headline,
    /// Which runs moved where.
    pub transitions: Transitions,
}

/// One parameter's paired swing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Swing {
    /// Path of the parameter.
    pub parameter: String,
    /// Its readable name.
    pub label: String,
    /// Paired differences (90th − 10th percentile), Bonferroni-corrected intervals.
    pub at_least_one_step: Interval,
    /// Agenda share.
    pub agenda_share: Interval,
    /// Comprehensive.
    pub comprehensive: Interval,
    /// Breakdown.
    pub breakdown: Interval,
    /// Reversed.
    pub reversed: Interval,
}

/// Sensitivity as paired swings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sensitivity {
    /// Runs of the subsample the swings ran on.
    pub runs: u64,
    /// The quantiles compared.
    pub quantiles: [f64; 2],
    /// What the intervals mean.
    pub confidence: String,
    /// One per uncertain parameter, largest |agenda share swing| first.
    pub swing: Vec<Swing>,
}

/// A forecast: what `backchannel run` prints.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Forecast {
    /// Scenario name.
    pub scenario: String,
    /// Variant applied.
    pub variant: Option<String>,
    /// Source file.
    pub source: String,
    /// What a round is.
    pub round_unit: String,
    /// Horizon in rounds.
    pub horizon: u32,
    /// Runs.
    pub runs: u64,
    /// Master seed.
    pub seed: u64,
    /// What the intervals are.
    pub intervals: String,
    /// The headline indicators.
    pub headline: Headline,
    /// Outcome classes.
    pub outcomes: Outcomes,
    /// First implemented step.
    pub first_step_round: FirstStep,
    /// Kept talking after the first setback.
    pub kept_talking_after_setback: KeptTalking,
    /// Mediator's role accepted (None without a mediator).
    pub mediator_accepted: Option<Interval>,
    /// Every party delivered on a step within W_signal rounds.
    pub concrete_signals: Interval,
    /// Paired counterfactuals.
    pub counterfactuals: Vec<CounterfactualResult>,
    /// Paired swings.
    pub sensitivity: Sensitivity,
    /// Party ids.
    pub parties: Vec<String>,
    /// Party names.
    pub party_names: Vec<String>,
    /// Mean final trust matrix.
    pub mean_final_trust: Vec<Vec<f64>>,
    /// Mean spoiler strikes per run.
    pub mean_strikes: f64,
    /// Mean rounds played.
    pub mean_rounds: f64,
}

/// Runs a forecast's `opts.runs` runs with their counterfactuals, aggregated as they stream.
pub fn aggregate(s: &Scenario, opts: &Options, progress: impl FnMut(u64)) -> Result<Aggregate, Error> {
    let o = JobOptions::new(s, opts);
    let mut agg = Aggregate::new(ForecastSpec::new(s, &o, opts.seed), false);
    run_jobs(
        s,
        opts,
        |j| {
            agg.add(&j);
            Ok(())
        },
        progress,
    )?;
    Ok(agg)
}

/// Runs a forecast and summarises it.
pub fn forecast(s: &Scenario, opts: &Options, progress: impl FnMut(u64)) -> Result<Forecast, Error> {
    Ok(aggregate(s, opts, progress)?.summary())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::Trace;

    fn opts() -> JobOptions {
        let s = Scenario::default_scenario().unwrap_or_else(|e| panic!("{e}"));
        JobOptions { cfs: counterfactuals(&s), swing_every: 7, trust_path: true }
    }

    /// Shards of real runs, merged, equal one pass over the same runs byte for byte, and the
    /// summary of the merge is the summary of one pass.
    #[test]
    fn merged_shards_equal_one_pass() {
        let s = Scenario::default_scenario().unwrap_or_else(|e| panic!("{e}"));
        let o = opts();
        let spec = ForecastSpec::new(&s, &o, 11);
        let mut whole = Aggregate::new(spec.clone(), true);
        let mut shards = vec![Aggregate::new(spec.clone(), true), Aggregate::new(spec.clone(), true), Aggregate::new(spec, true)];
        for run in 0..60 {
            let j = job(&s, &o, 11, run, &mut NoTrace, &mut Scratch::default());
            assert_eq!(j.trust_path.len(), (s.nominal().rounds as usize + 1) * 2, "two ordered pairs per round");
            whole.add(&j);
            shards[[0, 0, 1, 2][(run as usize * 4) / 60]].add(&j);
        }
        assert!(whole.swing_runs > 0);
        let mut merged = shards.remove(0);
        for sh in shards {
            merged.merge(sh).unwrap_or_else(|e| panic!("{e}"));
        }
        let text = |a: &Aggregate| serde_json::to_string(a).unwrap_or_default();
        assert_eq!(text(&merged), text(&whole));
        assert_eq!(serde_json::to_string(&merged.summary()).ok(), serde_json::to_string(&whole.summary()).ok());
        let back: Aggregate = serde_json::from_str(&text(&whole)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(text(&back), text(&whole));
        // A shard of another forecast does not merge.
        let other = Aggregate::new(ForecastSpec::new(&s, &JobOptions::default(), 11), true);
        assert!(merged.merge(other).is_err());
    }

    /// A scratch shared by the jobs of several scenarios (its tables built for one, then
    /// another) changes no record.
    #[test]
    fn a_shared_scratch_changes_nothing() {
        let s = Scenario::default_scenario().unwrap_or_else(|e| panic!("{e}"));
        let others: Vec<Scenario> = ["grand_bargain", "direct"].iter().map(|v| s.variant(v).unwrap_or_else(|e| panic!("{e}"))).collect();
        let mut scratch = Scratch::default();
        for run in 0..20 {
            for sc in std::iter::once(&s).chain(&others) {
                let o = JobOptions { cfs: counterfactuals(sc), swing_every: 0, trust_path: false };
                assert_eq!(
                    job(sc, &o, 9, run, &mut NoTrace, &mut scratch),
                    job(sc, &o, 9, run, &mut NoTrace, &mut Scratch::default()),
                    "run {run}"
                );
            }
        }
    }

    /// A job that keeps its trust path is the same run, with the same events, as one that does
    /// not, and its trust path ends at the final trust.
    #[test]
    fn traced_jobs_are_the_same_runs() {
        let s = Scenario::default_scenario().unwrap_or_else(|e| panic!("{e}"));
        let o = JobOptions { cfs: counterfactuals(&s), swing_every: 0, trust_path: false };
        let traced_o = JobOptions { trust_path: true, ..o.clone() };
        for run in 0..20 {
            let mut events = Trace::default();
            let mut traced = job(&s, &traced_o, 4, run, &mut events, &mut Scratch::default());
            let path = std::mem::take(&mut traced.trust_path);
            assert_eq!(traced, job(&s, &o, 4, run, &mut NoTrace, &mut Scratch::default()));
            assert!(path.len() > 2, "a trust path of every round");
            let mut untraced_events = Trace::default();
            job(&s, &o, 4, run, &mut untraced_events, &mut Scratch::default());
            assert_eq!(events.0, untraced_events.0, "following trust passes every event on");
            let last = off_diagonal(&traced.record.final_trust);
            assert_eq!(&path[path.len() - 2..], &last[..]);
            assert!(path.iter().all(|t| (0.0..=1.0).contains(t)));
        }
    }

    #[test]
    fn bonferroni_quantiles_are_normal_quantiles() {
        assert!((z_two_sided(0.05) - Z95).abs() < 1e-9);
        // 0.05 / 20 two-sided: the 0.99875 quantile of the standard normal.
        assert!((z_two_sided(0.0025) - 3.023_341_439_739_888).abs() < 1e-6);
    }
}
