//! Monte Carlo forecasts: many runs of a scenario (uncertain parameters drawn per run), each with
//! its paired counterfactuals on the same random numbers, folded into a streaming [`Aggregate`]
//! (memory independent of the number of runs) and summarised as a [`Forecast`].
//!
//! Per-run results ([`JobRecord`]) and the summary are plain serialisable data, separate from
//! any printing, so that they can be written to files or rendered elsewhere.

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind};
use crate::model::Model;
use crate::scenario::Scenario;
use crate::sim::{simulate, NoTrace, Outcome, RunRecord, Streams};
use crate::stats::{histogram_quantile, wilson, Difference, Paired, Proportion, Z95};

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

/// A paired counterfactual: the same run under a changed model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Counterfactual {
    /// Short id (`direct`, `grand_bargain`, `without_<spoiler>`).
    pub id: String,
    /// What the difference compares, e.g. "mediated (Pakistan) − direct talks".
    pub label: String,
    /// True when the difference is scenario − counterfactual; false for counterfactual − scenario.
    pub scenario_first: bool,
    #[serde(skip)]
    kind: Kind,
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
enum Kind {
    #[default]
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
}

/// The counterfactuals that make sense for a scenario: mediated vs direct (when it has a
/// mediator), steps vs grand bargain (when it has several steps), and each spoiler removed.
pub fn counterfactuals(s: &Scenario) -> Vec<Counterfactual> {
    let m = s.nominal();
    let mut out = Vec::new();
    if let Some(med) = &m.mediator {
        out.push(Counterfactual {
            id: "direct".into(),
            label: format!("mediated ({}) − direct talks", med.name),
            scenario_first: true,
            kind: Kind::Direct,
        });
    }
    if m.steps.len() > 1 {
        out.push(Counterfactual {
            id: "grand_bargain".into(),
            label: "small steps − grand bargain".into(),
            scenario_first: true,
            kind: Kind::GrandBargain,
        });
    }
    for (k, sp) in m.spoilers.iter().enumerate() {
        out.push(Counterfactual {
            id: format!("without_{}", sp.id),
            label: format!("without {} − with it", sp.name),
            scenario_first: false,
            kind: Kind::WithoutSpoiler(k),
        });
    }
    out
}

/// Everything one run produced: its record, the quantiles of its uncertain parameters, and the
/// outcome of each counterfactual.
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
}

/// Runs job `run`: draws its parameters, simulates it and its counterfactuals.
pub fn job(s: &Scenario, cfs: &[Counterfactual], seed: u64, run: u64) -> JobRecord {
    let mut rng = bc_engine::rng_for(seed, run);
    let streams = Streams::from_rng(&mut rng);
    let (model, quantiles) = s.sample(&streams);
    let record = simulate(&model, &streams, &mut NoTrace);
    let counterfactuals = cfs
        .iter()
        .map(|cf| match cf.kind {
            // A spoiler that never struck changed nothing: the run without it is this run (its
            // stream is its own, every other draw is the same).
            Kind::WithoutSpoiler(k) if record.strikes_by_spoiler.get(k) == Some(&0) => record.outcome,
            _ => simulate(&cf.apply(&model), &streams, &mut NoTrace).outcome,
        })
        .collect();
    JobRecord { run, record, quantiles, counterfactuals }
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
    bc_engine::run_ordered(
        0..opts.runs,
        bc_engine::RunOptions { threads: opts.threads, batch: 4096 },
        |i| job(s, &cfs, opts.seed, i),
        |_, r| sink(r),
        progress,
    )
}

/// Running sums for one uncertain parameter's effect on P(agreement).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
struct SensAcc {
    low_n: u64,
    low_yes: u64,
    high_n: u64,
    high_yes: u64,
    sum_u: f64,
    sum_uu: f64,
    sum_uy: f64,
}

/// Streaming aggregate of job records: memory depends on the horizon and the number of
/// parameters, not on the number of runs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Aggregate {
    runs: u64,
    outcomes: [u64; 4],
    first_step: Vec<u64>,
    setback_runs: u64,
    kept_talking: u64,
    mediated: u64,
    accepted: u64,
    cf_agreement: Vec<Paired>,
    cf_comprehensive: Vec<Paired>,
    cf_yes: Vec<u64>,
    sens: Vec<SensAcc>,
    sum_trust: Vec<Vec<f64>>,
    sum_utility: Vec<f64>,
    sum_strikes: f64,
    sum_rounds: f64,
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
    /// An empty aggregate for a scenario with `rounds`, `parties`, `uncertain` parameters and
    /// `counterfactuals`.
    pub fn new(rounds: u32, parties: usize, uncertain: usize, counterfactuals: usize) -> Aggregate {
        Aggregate {
            first_step: vec![0; rounds as usize + 1],
            cf_agreement: vec![Paired::default(); counterfactuals],
            cf_comprehensive: vec![Paired::default(); counterfactuals],
            cf_yes: vec![0; counterfactuals],
            sens: vec![SensAcc::default(); uncertain],
            sum_trust: vec![vec![0.0; parties]; parties],
            sum_utility: vec![0.0; parties],
            ..Aggregate::default()
        }
    }

    /// Folds in one run.
    pub fn add(&mut self, j: &JobRecord, cfs: &[Counterfactual]) {
        let r = &j.record;
        self.runs += 1;
        self.outcomes[class(r.outcome)] += 1;
        if let Some(t) = r.first_step_round {
            if let Some(slot) = self.first_step.get_mut(t as usize) {
                *slot += 1;
            }
        }
        if let Some(k) = r.kept_talking_after_setback {
            self.setback_runs += 1;
            self.kept_talking += u64::from(k);
        }
        if let Some(a) = r.mediator_accepted {
            self.mediated += 1;
            self.accepted += u64::from(a);
        }
        let yes = |o: Outcome| f64::from(u8::from(o.is_agreement()));
        let comp = |o: Outcome| f64::from(u8::from(o == Outcome::Comprehensive));
        for (k, o) in j.counterfactuals.iter().enumerate() {
            let first = cfs.get(k).is_none_or(|c| c.scenario_first);
            let sign = if first { 1.0 } else { -1.0 };
            if let (Some(pa), Some(pc), Some(cy)) = (self.cf_agreement.get_mut(k), self.cf_comprehensive.get_mut(k), self.cf_yes.get_mut(k)) {
                pa.add(sign * (yes(r.outcome) - yes(*o)));
                pc.add(sign * (comp(r.outcome) - comp(*o)));
                *cy += u64::from(o.is_agreement());
            }
        }
        let y = yes(r.outcome);
        for (acc, u) in self.sens.iter_mut().zip(&j.quantiles) {
            if *u < 0.25 {
                acc.low_n += 1;
                acc.low_yes += u64::from(r.outcome.is_agreement());
            } else if *u >= 0.75 {
                acc.high_n += 1;
                acc.high_yes += u64::from(r.outcome.is_agreement());
            }
            acc.sum_u += u;
            acc.sum_uu += u * u;
            acc.sum_uy += u * y;
        }
        for (row, trow) in self.sum_trust.iter_mut().zip(&r.final_trust) {
            for (s, t) in row.iter_mut().zip(trow) {
                *s += t;
            }
        }
        for (s, u) in self.sum_utility.iter_mut().zip(&r.discounted_utility) {
            *s += u;
        }
        self.sum_strikes += f64::from(r.strikes);
        self.sum_rounds += f64::from(r.rounds);
    }

    /// The summary.
    pub fn finish(&self, s: &Scenario, opts: &Options, cfs: &[Counterfactual]) -> Forecast {
        let n = self.runs;
        let agreements = self.outcomes[0] + self.outcomes[1];
        let outcomes = Outcomes {
            comprehensive: wilson(self.outcomes[0], n),
            partial: wilson(self.outcomes[1], n),
            collapse: wilson(self.outcomes[2], n),
            drift: wilson(self.outcomes[3], n),
            agreement: wilson(agreements, n),
        };
        let with_step: u64 = self.first_step.iter().sum();
        let first_step_round = FirstStep {
            runs_with_step: wilson(with_step, n),
            median: histogram_quantile(&self.first_step, 0.5),
            q1: histogram_quantile(&self.first_step, 0.25),
            q3: histogram_quantile(&self.first_step, 0.75),
            cumulative: cumulative(&self.first_step, n),
        };
        let kept = Conditional { runs_with_condition: wilson(self.setback_runs, n), probability: wilson(self.kept_talking, self.setback_runs) };
        let mediator_accepted = (self.mediated > 0).then(|| wilson(self.accepted, self.mediated));
        let counterfactuals = cfs
            .iter()
            .enumerate()
            .map(|(k, c)| CounterfactualResult {
                id: c.id.clone(),
                label: c.label.clone(),
                agreement: self.cf_agreement.get(k).map_or(nan_diff(), Paired::summary),
                comprehensive: self.cf_comprehensive.get(k).map_or(nan_diff(), Paired::summary),
                counterfactual_agreement: wilson(self.cf_yes.get(k).copied().unwrap_or(0), n),
            })
            .collect();
        let mut sensitivity: Vec<Sensitivity> = s
            .uncertain()
            .iter()
            .zip(&self.sens)
            .map(|(u, a)| {
                let lo = wilson(a.low_yes, a.low_n);
                let hi = wilson(a.high_yes, a.high_n);
                let effect = hi.p - lo.p;
                let se = (hi.p * (1.0 - hi.p) / a.high_n.max(1) as f64 + lo.p * (1.0 - lo.p) / a.low_n.max(1) as f64).sqrt();
                let nf = n as f64;
                let (mu, my) = (a.sum_u / nf, agreements as f64 / nf);
                let cov = a.sum_uy / nf - mu * my;
                let vu = a.sum_uu / nf - mu * mu;
                let vy = my * (1.0 - my);
                let rank_correlation = if vu > 0.0 && vy > 0.0 { cov / (vu * vy).sqrt() } else { 0.0 };
                Sensitivity {
                    parameter: u.path.clone(),
                    low_quarter: lo,
                    high_quarter: hi,
                    effect: Difference { diff: effect, lo: effect - Z95 * se, hi: effect + Z95 * se },
                    rank_correlation,
                }
            })
            .collect();
        sensitivity.sort_by(|a, b| b.effect.diff.abs().total_cmp(&a.effect.diff.abs()).then_with(|| a.parameter.cmp(&b.parameter)));
        let nf = n.max(1) as f64;
        let m = s.nominal();
        Forecast {
            scenario: m.name.clone(),
            variant: s.variant.clone(),
            source: s.source.clone(),
            round_unit: s.file.scenario.round_unit.clone(),
            horizon: m.rounds,
            runs: n,
            seed: opts.seed,
            outcomes,
            first_step_round,
            kept_talking_after_setback: kept,
            mediator_accepted,
            counterfactuals,
            sensitivity,
            parties: m.parties.iter().map(|p| p.id.clone()).collect(),
            mean_final_trust: self.sum_trust.iter().map(|r| r.iter().map(|x| x / nf).collect()).collect(),
            mean_discounted_utility: self.sum_utility.iter().map(|x| x / nf).collect(),
            mean_strikes: self.sum_strikes / nf,
            mean_rounds: self.sum_rounds / nf,
        }
    }
}

fn nan_diff() -> Difference {
    Difference { diff: f64::NAN, lo: f64::NAN, hi: f64::NAN }
}

fn cumulative(hist: &[u64], n: u64) -> Vec<f64> {
    let mut acc = 0;
    hist.iter()
        .map(|c| {
            acc += c;
            if n == 0 {
                0.0
            } else {
                acc as f64 / n as f64
            }
        })
        .collect()
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

/// Runs a forecast: `opts.runs` runs with their counterfactuals, aggregated as they stream.
pub fn forecast(s: &Scenario, opts: &Options, progress: impl FnMut(u64)) -> Result<Forecast, Error> {
    let cfs = if opts.counterfactuals { counterfactuals(s) } else { Vec::new() };
    let m = s.nominal();
    let mut agg = Aggregate::new(m.rounds, m.parties.len(), s.uncertain().len(), cfs.len());
    run_jobs(
        s,
        opts,
        |j| {
            agg.add(&j, &cfs);
            Ok(())
        },
        progress,
    )?;
    Ok(agg.finish(s, opts, &cfs))
}
