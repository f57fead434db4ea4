//! Monte Carlo forecasts: many runs of a scenario (uncertain parameters drawn per run), each with
//! its paired counterfactuals on the same random numbers, folded into an exact, mergeable
//! [`Aggregate`] (memory independent of the number of runs) and summarised as a [`Forecast`].
//!
//! The aggregate is the one statistic of a forecast: `backchannel run` prints its summary, a run
//! directory keeps it as `stats.json` (its `aggregates.json` is the same summary), and the
//! aggregates of shards merge into exactly the unsharded run's. It is therefore made only of
//! counts, integer histograms and exact sums (`bc_engine::stats`), never of rounded averages.
//!
//! Per-run results ([`JobRecord`]), the aggregate and the summary are plain serialisable data,
//! separate from any printing, so that they can be written to files or rendered elsewhere.

use bc_engine::stats::{wilson, Bins, Difference, ExactSum, IntHistogram, MergeError, Moments, PairedCount, Proportion, Z95};
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind};
use crate::model::Model;
use crate::scenario::Scenario;
use crate::sim::{simulate_in, Event, NoTrace, Observer, Outcome, RunRecord, Scratch, Streams};

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
}

impl Default for Options {
    fn default() -> Self {
        Options { runs: 10_000, seed: 0, threads: 0, counterfactuals: true }
    }
}

/// What a paired counterfactual is called and which way its difference is taken.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CounterfactualSpec {
    /// Short id (`direct`, `grand_bargain`, `without_<spoiler>`).
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
    WithoutSpoiler(usize),
}

impl Counterfactual {
    /// Applies the counterfactual to a run's model.
    pub fn apply(&self, m: &Model) -> Model {
        match self.kind {
            Kind::Direct => m.without_mediator(),
            Kind::GrandBargain => m.grand_bargain(),
            Kind::WithoutSpoiler(k) => m.without_spoiler(k),
        }
    }

    /// `f` of the model [`Counterfactual::apply`] makes of `m`, made by changing `m` in place
    /// and changing it back (no copy of the model).
    fn with_applied<R>(&self, m: &mut Model, f: impl FnOnce(&Model) -> R) -> R {
        match self.kind {
            Kind::Direct => {
                let mediator = m.mediator.take();
                let r = f(m);
                m.mediator = mediator;
                r
            }
            Kind::GrandBargain => {
                let grand = m.grand_bargain_steps();
                let steps = std::mem::replace(&mut m.steps, grand);
                let r = f(m);
                m.steps = steps;
                r
            }
            Kind::WithoutSpoiler(k) => {
                let enabled = m.spoilers.get_mut(k).map(|s| std::mem::replace(&mut s.enabled, false));
                let r = f(m);
                if let (Some(s), Some(e)) = (m.spoilers.get_mut(k), enabled) {
                    s.enabled = e;
                }
                r
            }
        }
    }
}

/// The counterfactuals that make sense for a scenario: mediated vs direct (when it has a
/// mediator), steps vs grand bargain (when it has several steps), and each spoiler removed.
pub fn counterfactuals(s: &Scenario) -> Vec<Counterfactual> {
    let m = s.nominal();
    let mut out = Vec::new();
    let cf = |id: String, label: String, scenario_first: bool, kind: Kind| Counterfactual { spec: CounterfactualSpec { id, label, scenario_first }, kind };
    if let Some(med) = &m.mediator {
        out.push(cf("direct".into(), format!("mediated ({}) − direct talks", med.name), true, Kind::Direct));
    }
    if m.steps.len() > 1 {
        out.push(cf("grand_bargain".into(), "small steps − grand bargain".into(), true, Kind::GrandBargain));
    }
    for (k, sp) in m.spoilers.iter().enumerate() {
        out.push(cf(format!("without_{}", sp.id), format!("without {} − with it", sp.name), false, Kind::WithoutSpoiler(k)));
    }
    out
}

/// Everything one run produced: its record, the quantiles of its uncertain parameters, the
/// outcome of each counterfactual, and (for [`job_traced`]) its trust round by round.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobRecord {
    /// Run index.
    pub run: u64,
    /// The run.
    pub record: RunRecord,
    /// Quantile drawn for each uncertain parameter (in [`Scenario::uncertain`] order).
    pub quantiles: Vec<f64>,
    /// Outcome under each counterfactual (in [`counterfactuals`] order).
    pub counterfactuals: Vec<Outcome>,
    /// Trust at the start of each round `0..=horizon`, flattened: round `t`'s values are
    /// `trust_path[t * w..(t + 1) * w]`, one per ordered pair of [`pairs`] (`w` of them), and
    /// the last value is carried forward after the run ends. Empty unless traced.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trust_path: Vec<f64>,
}

fn counterfactual_outcomes(model: &mut Model, record: &RunRecord, cfs: &[Counterfactual], streams: &Streams, scratch: &mut Scratch) -> Vec<Outcome> {
    cfs.iter()
        .map(|cf| match cf.kind {
            // A spoiler that never struck changed nothing: the run without it is this run (its
            // stream is its own, every other draw is the same).
            Kind::WithoutSpoiler(k) if record.strikes_by_spoiler.get(k) == Some(&0) => record.outcome,
            _ => cf.with_applied(model, |m| simulate_in(m, streams, &mut NoTrace, scratch).outcome),
        })
        .collect()
}

/// Runs job `run`: draws its parameters, simulates it and its counterfactuals.
pub fn job(s: &Scenario, cfs: &[Counterfactual], seed: u64, run: u64) -> JobRecord {
    job_in(s, cfs, seed, run, &mut Scratch::default())
}

/// Like [`job`], reusing a worker's `scratch` (the same record, faster).
pub fn job_in(s: &Scenario, cfs: &[Counterfactual], seed: u64, run: u64, scratch: &mut Scratch) -> JobRecord {
    let mut rng = bc_engine::rng_for(seed, run);
    let streams = Streams::from_rng(&mut rng);
    let (mut model, quantiles) = s.sample(&streams);
    let record = simulate_in(&model, &streams, &mut NoTrace, scratch);
    let counterfactuals = counterfactual_outcomes(&mut model, &record, cfs, &streams, scratch);
    JobRecord { run, record, quantiles, counterfactuals, trust_path: Vec::new() }
}

/// Like [`job`], and also keeps the run's trust round by round ([`JobRecord::trust_path`]) and
/// shows every event of the run (not of its counterfactuals) to `observer`.
pub fn job_traced(s: &Scenario, cfs: &[Counterfactual], seed: u64, run: u64, observer: &mut impl Observer) -> JobRecord {
    job_traced_in(s, cfs, seed, run, observer, &mut Scratch::default())
}

/// Like [`job_traced`], reusing a worker's `scratch` (the same record and events, faster).
pub fn job_traced_in(s: &Scenario, cfs: &[Counterfactual], seed: u64, run: u64, observer: &mut impl Observer, scratch: &mut Scratch) -> JobRecord {
    let mut rng = bc_engine::rng_for(seed, run);
    let streams = Streams::from_rng(&mut rng);
    let (mut model, quantiles) = s.sample(&streams);
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
    let record = simulate_in(&model, &streams, &mut follow, scratch);
    let mut path = follow.path;
    let last = off_diagonal(&record.final_trust);
    let width = last.len().max(1);
    path.truncate(record.rounds as usize * width);
    while path.len() < (model.rounds as usize + 1) * width {
        path.extend_from_slice(&last);
    }
    let counterfactuals = counterfactual_outcomes(&mut model, &record, cfs, &streams, scratch);
    JobRecord { run, record, quantiles, counterfactuals, trust_path: path }
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
    fn event(&mut self, e: Event) {
        match &e {
            Event::Round { .. } => self.path.extend(off_diagonal(&self.cur)),
            Event::Trust { trust, .. } => {
                if self.cur.len() == trust.len() && self.cur.iter().zip(trust).all(|(a, b)| a.len() == b.len()) {
                    for (a, b) in self.cur.iter_mut().zip(trust) {
                        a.copy_from_slice(b);
                    }
                } else {
                    self.cur.clone_from(trust);
                }
            }
            Event::Strike { spoiler, target_trust, .. } => {
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
        return Err(Error::new(ErrorKind::Options("--runs: expected at least 1 run, found 0".into())));
    }
    let cfs = if opts.counterfactuals { counterfactuals(s) } else { Vec::new() };
    bc_engine::run_ordered_with(
        0..opts.runs,
        bc_engine::RunOptions { threads: opts.threads, batch: 4096 },
        Scratch::default,
        |scratch, i| job_in(s, &cfs, opts.seed, i, scratch),
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
}

impl ForecastSpec {
    /// The description of a forecast of `s` with counterfactuals `cfs` under `seed`.
    pub fn new(s: &Scenario, cfs: &[Counterfactual], seed: u64) -> ForecastSpec {
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
    /// Paired difference in agreement.
    pub agreement: PairedCount,
    /// Paired difference in a comprehensive deal.
    pub comprehensive: PairedCount,
    /// Runs with an agreement under the counterfactual.
    pub counterfactual_agreements: u64,
}

/// Mergeable statistics of one uncertain parameter's effect on agreement.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SensitivityStats {
    /// Runs with the parameter in its lowest quarter (quantile < 0.25).
    pub low_n: u64,
    /// … of which with an agreement.
    pub low_yes: u64,
    /// Runs with the parameter in its highest quarter (quantile >= 0.75).
    pub high_n: u64,
    /// … of which with an agreement.
    pub high_yes: u64,
    /// Exact sum of quantiles.
    pub sum_u: ExactSum,
    /// Exact sum of squared quantiles.
    pub sum_uu: ExactSum,
    /// Exact sum of quantiles of runs with an agreement.
    pub sum_uy: ExactSum,
}

/// Bins of the per-round trust distributions (the report's fan chart).
pub const TRUST_BINS: usize = 50;

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
    pub outcomes: [u64; 4],
    /// Round of the first step, over runs that had one.
    pub first_step: IntHistogram,
    /// Runs with a setback.
    pub setback_runs: u64,
    /// … that kept talking after it.
    pub kept_talking: u64,
    /// Runs with a mediator.
    pub mediated: u64,
    /// … where its role was accepted.
    pub accepted: u64,
    /// Per counterfactual.
    pub counterfactuals: Vec<CounterfactualStats>,
    /// Per uncertain parameter.
    pub sensitivity: Vec<SensitivityStats>,
    /// Final trust per ordered pair (in [`pairs`] order).
    pub final_trust: Vec<Moments>,
    /// Discounted utility per party.
    pub utility: Vec<Moments>,
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

fn class(o: Outcome) -> usize {
    match o {
        Outcome::Comprehensive => 0,
        Outcome::Partial => 1,
        Outcome::Collapse => 2,
        Outcome::Drift => 3,
    }
}

impl Aggregate {
    /// Empty statistics for `spec`; `track_trust` keeps the per-round trust distributions of
    /// traced runs ([`job_traced`]).
    pub fn new(spec: ForecastSpec, track_trust: bool) -> Aggregate {
        let np = pairs(spec.parties.len()).len();
        Aggregate {
            runs: 0,
            outcomes: [0; 4],
            first_step: IntHistogram::default(),
            setback_runs: 0,
            kept_talking: 0,
            mediated: 0,
            accepted: 0,
            counterfactuals: vec![CounterfactualStats::default(); spec.counterfactuals.len()],
            sensitivity: vec![SensitivityStats::default(); spec.uncertain.len()],
            final_trust: vec![Moments::default(); np],
            utility: vec![Moments::default(); spec.parties.len()],
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
        self.runs += 1;
        self.outcomes[class(r.outcome)] += 1;
        if let Some(t) = r.first_step_round {
            self.first_step.add(i64::from(t));
        }
        if let Some(k) = r.kept_talking_after_setback {
            self.setback_runs += 1;
            self.kept_talking += u64::from(k);
        }
        if let Some(a) = r.mediator_accepted {
            self.mediated += 1;
            self.accepted += u64::from(a);
        }
        let yes = |o: Outcome| i64::from(o.is_agreement());
        let comp = |o: Outcome| i64::from(o == Outcome::Comprehensive);
        for ((st, spec), o) in self.counterfactuals.iter_mut().zip(&self.spec.counterfactuals).zip(&j.counterfactuals) {
            let sign = if spec.scenario_first { 1 } else { -1 };
            st.agreement.add(sign * (yes(r.outcome) - yes(*o)));
            st.comprehensive.add(sign * (comp(r.outcome) - comp(*o)));
            st.counterfactual_agreements += u64::from(o.is_agreement());
        }
        let agreed = r.outcome.is_agreement();
        for (acc, &u) in self.sensitivity.iter_mut().zip(&j.quantiles) {
            if u < 0.25 {
                acc.low_n += 1;
                acc.low_yes += u64::from(agreed);
            } else if u >= 0.75 {
                acc.high_n += 1;
                acc.high_yes += u64::from(agreed);
            }
            acc.sum_u.add(u);
            acc.sum_uu.add(u * u);
            if agreed {
                acc.sum_uy.add(u);
            }
        }
        for (m, (i, j)) in self.final_trust.iter_mut().zip(pairs(self.spec.parties.len())) {
            if let Some(t) = r.final_trust.get(i).and_then(|row| row.get(j)) {
                m.add(*t);
            }
        }
        for (m, u) in self.utility.iter_mut().zip(&r.discounted_utility) {
            m.add(*u);
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
            return Err(MergeError("field \"spec\": expected the same scenario, parties, parameters and counterfactuals in every shard".into()));
        }
        if o.trust_path.len() != self.trust_path.len() {
            return Err(MergeError("field \"trust_path\": expected every shard to track trust the same way".into()));
        }
        self.runs += o.runs;
        for (a, b) in self.outcomes.iter_mut().zip(o.outcomes) {
            *a += b;
        }
        self.first_step.merge(&o.first_step);
        self.setback_runs += o.setback_runs;
        self.kept_talking += o.kept_talking;
        self.mediated += o.mediated;
        self.accepted += o.accepted;
        for (a, b) in self.counterfactuals.iter_mut().zip(&o.counterfactuals) {
            a.agreement.merge(&b.agreement);
            a.comprehensive.merge(&b.comprehensive);
            a.counterfactual_agreements += b.counterfactual_agreements;
        }
        for (a, b) in self.sensitivity.iter_mut().zip(&o.sensitivity) {
            a.low_n += b.low_n;
            a.low_yes += b.low_yes;
            a.high_n += b.high_n;
            a.high_yes += b.high_yes;
            a.sum_u.merge(&b.sum_u);
            a.sum_uu.merge(&b.sum_uu);
            a.sum_uy.merge(&b.sum_uy);
        }
        for (a, b) in self.final_trust.iter_mut().zip(&o.final_trust) {
            a.merge(b);
        }
        for (a, b) in self.utility.iter_mut().zip(&o.utility) {
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

    /// Runs with an agreement (comprehensive or partial).
    pub fn agreements(&self) -> u64 {
        self.outcomes[0] + self.outcomes[1]
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

    /// The uncertain parameters' effects on P(agreement), largest |effect| first (ties by
    /// name).
    pub fn sensitivity(&self) -> Vec<Sensitivity> {
        let n = self.runs as f64;
        let agreements = self.agreements() as f64;
        let mut rows: Vec<Sensitivity> = self
            .spec
            .uncertain
            .iter()
            .zip(&self.sensitivity)
            .map(|(name, a)| {
                let lo = wilson(a.low_yes, a.low_n);
                let hi = wilson(a.high_yes, a.high_n);
                let effect = hi.p - lo.p;
                let se = (hi.p * (1.0 - hi.p) / a.high_n.max(1) as f64 + lo.p * (1.0 - lo.p) / a.low_n.max(1) as f64).sqrt();
                let (mu, my) = (a.sum_u.value() / n, agreements / n);
                let cov = a.sum_uy.value() / n - mu * my;
                let vu = a.sum_uu.value() / n - mu * mu;
                let vy = my * (1.0 - my);
                let rank_correlation = if vu > 0.0 && vy > 0.0 { cov / (vu * vy).sqrt() } else { 0.0 };
                Sensitivity {
                    parameter: name.clone(),
                    low_quarter: lo,
                    high_quarter: hi,
                    effect: Difference { diff: effect, lo: effect - Z95 * se, hi: effect + Z95 * se },
                    rank_correlation,
                }
            })
            .collect();
        rows.sort_by(|a, b| b.effect.diff.abs().total_cmp(&a.effect.diff.abs()).then_with(|| a.parameter.cmp(&b.parameter)));
        rows
    }

    /// Mean final trust matrix (`[i][j]`: i's belief in j's delivery; 1 on the diagonal).
    pub fn mean_final_trust(&self) -> Vec<Vec<f64>> {
        let np = self.spec.parties.len();
        let mut trust = vec![vec![1.0; np]; np];
        for (m, (i, j)) in self.final_trust.iter().zip(pairs(np)) {
            trust[i][j] = m.mean();
        }
        trust
    }

    /// The summary: what `backchannel run` prints and `--json` emits.
    pub fn summary(&self) -> Forecast {
        let n = self.runs;
        let s = &self.spec;
        let round = |q: f64| self.first_step.quantile(q).and_then(|v| u32::try_from(v).ok());
        Forecast {
            scenario: s.scenario.clone(),
            variant: s.variant.clone(),
            source: s.source.clone(),
            round_unit: s.round_unit.clone(),
            horizon: s.horizon,
            runs: n,
            seed: s.seed,
            outcomes: Outcomes {
                comprehensive: wilson(self.outcomes[0], n),
                partial: wilson(self.outcomes[1], n),
                collapse: wilson(self.outcomes[2], n),
                drift: wilson(self.outcomes[3], n),
                agreement: wilson(self.agreements(), n),
            },
            first_step_round: FirstStep {
                runs_with_step: wilson(self.first_step.total(), n),
                median: round(0.5),
                q1: round(0.25),
                q3: round(0.75),
                cumulative: self.cumulative(),
            },
            kept_talking_after_setback: Conditional {
                runs_with_condition: wilson(self.setback_runs, n),
                probability: wilson(self.kept_talking, self.setback_runs),
            },
            mediator_accepted: (self.mediated > 0).then(|| wilson(self.accepted, self.mediated)),
            counterfactuals: s
                .counterfactuals
                .iter()
                .zip(&self.counterfactuals)
                .map(|(c, st)| CounterfactualResult {
                    id: c.id.clone(),
                    label: c.label.clone(),
                    agreement: st.agreement.summary(),
                    comprehensive: st.comprehensive.summary(),
                    counterfactual_agreement: wilson(st.counterfactual_agreements, n),
                })
                .collect(),
            sensitivity: self.sensitivity(),
            parties: s.parties.clone(),
            mean_final_trust: self.mean_final_trust(),
            mean_discounted_utility: self.utility.iter().map(Moments::mean).collect(),
            mean_strikes: self.strikes.mean(),
            mean_rounds: self.rounds.mean(),
        }
    }
}

/// Probability of each outcome class.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Outcomes {
    /// Every step implemented.
    pub comprehensive: Proportion,
    /// Some steps implemented by the horizon.
    pub partial: Proportion,
    /// A party left.
    pub collapse: Proportion,
    /// Nothing implemented by the horizon.
    pub drift: Proportion,
    /// Comprehensive or partial.
    pub agreement: Proportion,
}

/// Round of the first implemented step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FirstStep {
    /// Share of runs with an implemented step.
    pub runs_with_step: Proportion,
    /// Median round among those runs.
    pub median: Option<u32>,
    /// First quartile.
    pub q1: Option<u32>,
    /// Third quartile.
    pub q3: Option<u32>,
    /// `cumulative[t]`: share of all runs with a first step by round t (the time-to-first-step
    /// curve).
    pub cumulative: Vec<f64>,
}

/// A probability conditional on an event, with the event's own frequency.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Conditional {
    /// Share of runs where the condition (a setback) occurred.
    pub runs_with_condition: Proportion,
    /// Probability given the condition.
    pub probability: Proportion,
}

/// A paired counterfactual's result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CounterfactualResult {
    /// Id.
    pub id: String,
    /// What is compared.
    pub label: String,
    /// Difference in P(agreement), with its 95% interval.
    pub agreement: Difference,
    /// Difference in P(comprehensive), with its 95% interval.
    pub comprehensive: Difference,
    /// P(agreement) under the counterfactual.
    pub counterfactual_agreement: Proportion,
}

/// One uncertain parameter's effect on P(agreement).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sensitivity {
    /// Path of the parameter.
    pub parameter: String,
    /// P(agreement) when the parameter is in its lowest quarter.
    pub low_quarter: Proportion,
    /// P(agreement) when it is in its highest quarter.
    pub high_quarter: Proportion,
    /// high − low, with its 95% interval.
    pub effect: Difference,
    /// Spearman correlation of the parameter with agreement.
    pub rank_correlation: f64,
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
    /// Outcome classes.
    pub outcomes: Outcomes,
    /// First implemented step.
    pub first_step_round: FirstStep,
    /// Kept talking after the first setback.
    pub kept_talking_after_setback: Conditional,
    /// Mediator's role accepted (None without a mediator).
    pub mediator_accepted: Option<Proportion>,
    /// Paired counterfactuals.
    pub counterfactuals: Vec<CounterfactualResult>,
    /// Uncertain parameters ranked by effect.
    pub sensitivity: Vec<Sensitivity>,
    /// Party ids.
    pub parties: Vec<String>,
    /// Mean final trust matrix.
    pub mean_final_trust: Vec<Vec<f64>>,
    /// Mean discounted utility per party.
    pub mean_discounted_utility: Vec<f64>,
    /// Mean spoiler strikes per run.
    pub mean_strikes: f64,
    /// Mean rounds played.
    pub mean_rounds: f64,
}

/// Runs a forecast's `opts.runs` runs with their counterfactuals, aggregated as they stream.
pub fn aggregate(s: &Scenario, opts: &Options, progress: impl FnMut(u64)) -> Result<Aggregate, Error> {
    let cfs = if opts.counterfactuals { counterfactuals(s) } else { Vec::new() };
    let mut agg = Aggregate::new(ForecastSpec::new(s, &cfs, opts.seed), false);
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

    /// Shards of real runs, merged, equal one pass over the same runs byte for byte, and the
    /// summary of the merge is the summary of one pass.
    #[test]
    fn merged_shards_equal_one_pass() {
        let s = Scenario::default_scenario().unwrap_or_else(|e| panic!("{e}"));
        let cfs = counterfactuals(&s);
        let spec = ForecastSpec::new(&s, &cfs, 11);
        let mut whole = Aggregate::new(spec.clone(), true);
        let mut shards = vec![Aggregate::new(spec.clone(), true), Aggregate::new(spec.clone(), true), Aggregate::new(spec, true)];
        for run in 0..120 {
            let j = job_traced(&s, &cfs, 11, run, &mut NoTrace);
            assert_eq!(j.trust_path.len(), (s.nominal().rounds as usize + 1) * 2, "two ordered pairs per round");
            whole.add(&j);
            shards[[0, 0, 1, 2][(run as usize * 4) / 120]].add(&j);
        }
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
        let other = Aggregate::new(ForecastSpec::new(&s, &[], 11), true);
        assert!(merged.merge(other).is_err());
    }

    /// A scratch shared by the jobs of several scenarios (its tables built for one, then
    /// another) changes no record.
    #[test]
    fn a_shared_scratch_changes_nothing() {
        let s = Scenario::default_scenario().unwrap_or_else(|e| panic!("{e}"));
        let others: Vec<Scenario> = ["grand_bargain", "direct"].iter().map(|v| s.variant(v).unwrap_or_else(|e| panic!("{e}"))).collect();
        let mut scratch = Scratch::default();
        for run in 0..40 {
            for sc in std::iter::once(&s).chain(&others) {
                let cfs = counterfactuals(sc);
                assert_eq!(job_in(sc, &cfs, 9, run, &mut scratch), job(sc, &cfs, 9, run), "run {run}");
            }
        }
    }

    /// A traced job is the same run as an untraced one, and its trust path starts at the
    /// priors' means and ends at the final trust.
    #[test]
    fn traced_jobs_are_the_same_runs() {
        let s = Scenario::default_scenario().unwrap_or_else(|e| panic!("{e}"));
        let cfs = counterfactuals(&s);
        for run in 0..20 {
            let mut traced = job_traced(&s, &cfs, 4, run, &mut NoTrace);
            let path = std::mem::take(&mut traced.trust_path);
            assert_eq!(traced, job(&s, &cfs, 4, run));
            let last = off_diagonal(&traced.record.final_trust);
            assert_eq!(&path[path.len() - 2..], &last[..]);
            assert!(path.iter().all(|t| (0.0..=1.0).contains(t)));
        }
    }
}
