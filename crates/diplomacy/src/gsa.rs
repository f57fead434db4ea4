//! Global sensitivity and scenario discovery on the backchannel model: the studies behind
//! `backchannel sensitivity` (Sobol' indices or Morris screening of a headline indicator over
//! every uncertain parameter's quantile) and `backchannel discover` (PRIM boxes of the runs where
//! an indicator or an outcome class occurs), built on `bc_engine::gsa`. Deterministic for a seed
//! whatever the thread count: run `i` of a design draws from `rng_for(seed, i)` and results are
//! gathered in run order.
//!
//! Each study is split in two: the runs, which are independent jobs (a Saltelli base point, a
//! Morris trajectory, a forecast run) and can be run in shards, give the study's data
//! ([`SensitivityData`], [`DiscoverData`]: the spec and every run's output, merged by
//! concatenation in job order); the analysis ([`SensitivityData::analyze`],
//! [`DiscoverData::analyze`]) needs every run at once (bootstrap resamples and PRIM's quantiles
//! range over all of them) and runs on the data of the whole study, or of one shard.
//!
//! Long file: the sensitivity and discovery studies share the table of uncertain parameters, the
//! design's runs, the outputs and their merge; a tenth is tests.

use std::ops::Range;

use bc_engine::gsa::morris::{morris_analyze, morris_sample_range};
use bc_engine::gsa::prim::{Prim, PrimOptions};
use bc_engine::gsa::saltelli::{saltelli_sample_range, sobol_analyze};
use bc_engine::gsa::sequence::Scrambling;
use bc_engine::gsa::{Bootstrap, GsaError, Matrix};
use bc_engine::record::{Cell, Column, ColumnType};
use bc_engine::{Job, Study};
use bc_io::SettingError;
use serde::{Deserialize, Serialize};

use crate::dist::Param;
use crate::forecast::{self, Brief, ForecastSpec, JobOptions, Options, INDICATORS};
use crate::scenario::Scenario;
use crate::sim::{simulate_in, NoTrace, Outcome, Scratch};
use crate::Draws;

/// Default base sample size of a Sobol' study (2^10).
pub const DEFAULT_SAMPLES: usize = 1 << 10;
/// Default number of Morris trajectories.
pub const DEFAULT_TRAJECTORIES: usize = 20;
/// Grid levels of the Morris design (SALib's default).
pub(crate) const MORRIS_LEVELS: usize = 4;
/// Bootstrap resamples of the intervals (SALib's default).
pub(crate) const RESAMPLES: usize = 100;
/// Default runs of a discovery.
pub const DEFAULT_DISCOVER_RUNS: u64 = 5_000;
/// Most boxes a discovery reports.
pub(crate) const MAX_BOXES: usize = 5;

/// Why a study refused to start or failed.
#[derive(Debug, thiserror::Error)]
pub enum StudyError {
    /// The study's input is not valid (the message names what, what was expected and found).
    #[error("{0}")]
    Invalid(String),
    /// A setting is not valid (named as the library names it: `indicator`, `target`,
    /// `samples`, `runs`; the command line says it with its flag).
    #[error(transparent)]
    Setting(#[from] bc_io::SettingError),
    /// A size is over a limit of `bc_io::limits`.
    #[error(transparent)]
    Limit(#[from] bc_io::limits::Exceeded),
    /// The method refused its input.
    #[error(transparent)]
    Gsa(#[from] GsaError),
}

/// The index of a headline indicator in [`INDICATORS`], or an error listing them.
pub fn indicator_index(name: &str) -> Result<usize, StudyError> {
    INDICATORS
        .iter()
        .position(|i| *i == name)
        .ok_or_else(|| SettingError::new("indicator", format!("expected one of {}, found {name:?}", INDICATORS.join(", "))).into())
}

/// What `discover` looks for in a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Target {
    /// A 0/1 headline indicator (index in [`INDICATORS`]).
    Indicator(usize),
    /// An outcome class.
    Outcome(Outcome),
}

/// The 0/1 targets `discover` accepts: the 0/1 indicators, then the outcome classes.
pub(crate) fn target_names() -> Vec<&'static str> {
    let mut v: Vec<&str> = INDICATORS.iter().copied().filter(|n| *n != "agenda_share").collect();
    for o in Outcome::ALL {
        if !v.contains(&o.name()) {
            v.push(o.name());
        }
    }
    v
}

impl Target {
    /// Parses a target name, or an error listing the valid ones.
    pub fn parse(name: &str) -> Result<Target, StudyError> {
        if name != "agenda_share" {
            if let Some(i) = INDICATORS.iter().position(|i| *i == name) {
                return Ok(Target::Indicator(i));
            }
        }
        if let Some(o) = Outcome::ALL.iter().find(|o| o.name() == name) {
            return Ok(Target::Outcome(*o));
        }
        Err(SettingError::new("target", format!("expected one of {}, found {name:?}", target_names().join(", "))).into())
    }

    /// The target's name.
    pub fn name(&self) -> &'static str {
        match self {
            Target::Indicator(i) => INDICATORS[*i],
            Target::Outcome(o) => o.name(),
        }
    }

    fn hit(&self, b: &Brief) -> bool {
        match self {
            Target::Indicator(i) => b.indicators[*i] > 0.5,
            Target::Outcome(o) => b.outcome == *o,
        }
    }
}

/// An input of a study: an uncertain parameter of the scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Input {
    /// Dotted path in the scenario file.
    pub path: String,
    /// Readable label ("Iran's delivery capacity").
    pub label: String,
}

/// The inputs of a study on `s`: every uncertain parameter, in [`Scenario::uncertain`] order.
pub fn inputs(s: &Scenario) -> Vec<Input> {
    let spec = ForecastSpec::new(s, &JobOptions::new(s, &no_pairs(1, 0, 1)), 0);
    s.uncertain().iter().map(|u| Input { path: u.path.clone(), label: forecast::parameter_label(&u.path, &spec) }).collect()
}

fn no_pairs(runs: u64, seed: u64, threads: usize) -> Options {
    Options { runs, seed, threads, counterfactuals: false, swing_every: 0 }
}

/// The method of a sensitivity study.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Saltelli design of `samples` base points (a power of two), Sobol' S1 and ST.
    Sobol {
        /// Base points N.
        samples: usize,
    },
    /// Morris screening with `trajectories` trajectories on a 4-level grid.
    Morris {
        /// Trajectories r.
        trajectories: usize,
    },
}

/// Settings of a sensitivity study.
#[derive(Clone, Copy, Debug)]
pub struct SensitivityOptions {
    /// The method and its size.
    pub method: Method,
    /// The output: index in [`INDICATORS`].
    pub indicator: usize,
    /// Master seed (scrambling, runs, trajectories and bootstrap).
    pub seed: u64,
    /// Worker threads (0 = one per core); never changes results.
    pub threads: usize,
}

/// Number of runs a study needs for `d` inputs, checked against the `gsa-runs` limit (before
/// anything is allocated).
pub fn study_runs(method: Method, d: usize) -> Result<u64, StudyError> {
    if d == 0 {
        return Err(StudyError::Invalid(
            "scenario: expected at least one uncertain parameter (a distribution) to study, found none".into(),
        ));
    }
    let (n, per, flag) = match method {
        Method::Sobol { samples } => {
            if samples < 2 || !samples.is_power_of_two() {
                return Err(
                    SettingError::new("samples", format!("expected a power of two, at least 2 (e.g. 1024), found {samples}")).into()
                );
            }
            (samples as u64, d as u64 + 2, "samples")
        }
        Method::Morris { trajectories } => {
            if trajectories < 2 {
                return Err(SettingError::new("samples", format!("expected at least 2 Morris trajectories, found {trajectories}")).into());
            }
            (trajectories as u64, d as u64 + 1, "samples")
        }
    };
    let limit = &bc_io::limits::GSA_RUNS;
    match bc_io::limits::checked_product(limit, [n, per]) {
        Ok(runs) => Ok(runs),
        Err(found) => Err(limit.exceeded(found, flag).into()),
    }
}

/// The design: one row per run, the quantile of every input (in `[0, 1]`).
pub fn design(method: Method, d: usize, seed: u64) -> Result<Matrix, StudyError> {
    let groups = study_groups(method);
    design_groups(method, d, seed, 0..groups)
}

/// Groups of a study's design: its base points (Sobol') or trajectories (Morris), the jobs it
/// is sharded by.
pub(crate) fn study_groups(method: Method) -> u64 {
    match method {
        Method::Sobol { samples } => samples as u64,
        Method::Morris { trajectories } => trajectories as u64,
    }
}

/// The rows of groups `groups` of the design (see [`rows_per_draw`]), equal to the matching
/// rows of [`design`], so a shard builds only its own share.
pub fn design_groups(method: Method, d: usize, seed: u64, groups: Range<u64>) -> Result<Matrix, StudyError> {
    study_runs(method, d)?;
    let all = study_groups(method);
    if groups.start > groups.end || groups.end > all {
        return Err(StudyError::Invalid(format!(
            "design groups: expected a range within 0..{all}, found {}..{}",
            groups.start, groups.end
        )));
    }
    let unit = vec![(0.0, 1.0); d];
    let range = groups.start as usize..groups.end as usize;
    Ok(match method {
        Method::Sobol { samples } => saltelli_sample_range(samples, &unit, Scrambling::LinearMatrix { seed }, 0, range)?,
        Method::Morris { .. } => morris_sample_range(range, &unit, MORRIS_LEVELS, seed)?,
    })
}

/// The indicator of one run at quantiles `row`, its draws from `rng_for(seed, run)`.
pub fn run_at(s: &Scenario, row: &[f64], indicator: usize, seed: u64, run: u64, scratch: &mut Scratch) -> f64 {
    let draws = Draws::from_rng(&mut bc_engine::rng_for(seed, run));
    let model = s.model_at(row);
    let record = simulate_in(&model, &s.tables, &draws, &mut NoTrace, scratch);
    Brief::of(&record).indicators[indicator]
}

/// Rows of a design that share their draws (common random numbers): the `D + 2` rows of a
/// Saltelli base point, the `D + 1` rows of a Morris trajectory. Within such a group the
/// outputs differ only by the parameters, so the run-to-run randomness of the model does not
/// show up as an effect of every parameter (with independent draws per row an inert
/// parameter's ST would be the noise's share of the variance).
pub(crate) fn rows_per_draw(method: Method, d: usize) -> usize {
    match method {
        Method::Sobol { .. } => d + 2,
        Method::Morris { .. } => d + 1,
    }
}

/// What a sensitivity study is: the same for the whole study and for every shard of it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SensitivitySpec {
    /// Scenario name.
    pub scenario: String,
    /// The method and its size.
    pub method: Method,
    /// The indicator studied (a name of [`INDICATORS`]).
    pub indicator: String,
    /// Master seed (scrambling, trajectories, runs, bootstrap).
    pub seed: u64,
    /// The inputs, in design column order.
    pub inputs: Vec<Input>,
}

impl SensitivitySpec {
    /// The spec of a study of `s` with options `o`, its size checked against the limits.
    pub fn new(s: &Scenario, o: &SensitivityOptions) -> Result<SensitivitySpec, StudyError> {
        let ins = inputs(s);
        study_runs(o.method, ins.len())?;
        let indicator = INDICATORS.get(o.indicator).ok_or_else(|| {
            StudyError::from(SettingError::new(
                "indicator",
                format!("expected one of {}, found index {}", INDICATORS.join(", "), o.indicator),
            ))
        })?;
        Ok(SensitivitySpec {
            scenario: s.nominal().name.clone(),
            method: o.method,
            indicator: indicator.to_string(),
            seed: o.seed,
            inputs: ins,
        })
    }

    /// Runs of the whole study.
    pub fn runs(&self) -> Result<u64, StudyError> {
        study_runs(self.method, self.inputs.len())
    }

    /// Groups (base points or trajectories) of the whole study: its jobs.
    pub fn groups(&self) -> u64 {
        study_groups(self.method)
    }

    /// Runs per group.
    pub fn rows_per_group(&self) -> usize {
        rows_per_draw(self.method, self.inputs.len())
    }
}

/// The data of a sensitivity study or of one shard of it (a run directory's `stats.json`): the
/// spec and the studied indicator of every run of groups `first_group..`, in design order.
/// Shards merge by concatenation, in group order, into exactly the unsharded study's data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SensitivityData {
    /// The study.
    pub spec: SensitivitySpec,
    /// The first group held.
    pub first_group: u64,
    /// The indicator of each run held: `rows_per_group` runs per group.
    pub outputs: Vec<f64>,
}

impl SensitivityData {
    /// Groups held.
    pub(crate) fn groups_held(&self) -> u64 {
        (self.outputs.len() / self.spec.rows_per_group().max(1)) as u64
    }

    /// Appends the next shard's data (same spec, the groups right after this one's).
    pub fn merge(&mut self, next: SensitivityData) -> Result<(), String> {
        if next.spec != self.spec {
            return Err("field \"spec\": expected the same study (scenario, method, indicator, seed and inputs) in every shard, found a different one".into());
        }
        let want = self.first_group + self.groups_held();
        if next.first_group != want {
            return Err(format!(
                "field \"first_group\": expected {want} (the group after the previous shard's), found {}",
                next.first_group
            ));
        }
        self.outputs.extend(next.outputs);
        Ok(())
    }

    /// Checks the data's shape (a `stats.json` read back).
    fn check(&self) -> Result<(), StudyError> {
        let per = self.spec.rows_per_group();
        let runs = self.spec.runs()?;
        if per == 0
            || !self.outputs.len().is_multiple_of(per)
            || self.first_group + self.groups_held() > self.spec.groups()
            || (self.first_group * per as u64 + self.outputs.len() as u64) > runs
        {
            return Err(StudyError::Invalid(format!(
                "outputs: expected whole groups of {per} runs within the study's {} groups, found {} outputs from group {}",
                self.spec.groups(),
                self.outputs.len(),
                self.first_group
            )));
        }
        if let Some(i) = self.outputs.iter().position(|v| !v.is_finite()) {
            return Err(StudyError::Invalid(format!("outputs[{i}]: expected a finite number, found {}", self.outputs[i])));
        }
        Ok(())
    }

    /// The design rows of the groups held (regenerated from the seed).
    pub fn design(&self) -> Result<Matrix, StudyError> {
        self.check()?;
        design_groups(self.spec.method, self.spec.inputs.len(), self.spec.seed, self.first_group..self.first_group + self.groups_held())
    }

    /// The indices from the runs held, inputs ranked by ST (Sobol') or mu* (Morris), with
    /// bootstrap intervals over the groups held. `threads` never changes the result.
    pub fn analyze(&self, threads: usize) -> Result<SensitivityResult, StudyError> {
        self.check()?;
        let o = &self.spec;
        let d = o.inputs.len();
        let y = &self.outputs;
        let runs = y.len() as u64;
        if self.groups_held() < 2 {
            return Err(StudyError::Invalid(format!(
                "outputs: expected at least 2 {} for the indices and their intervals, found {}",
                if matches!(o.method, Method::Sobol { .. }) { "base points" } else { "trajectories" },
                self.groups_held()
            )));
        }
        let mean = y.iter().sum::<f64>() / y.len() as f64;
        let boot = Bootstrap { num_resamples: RESAMPLES, conf_level: 0.95, seed: o.seed, threads };
        let mut rows: Vec<InputResult> = match o.method {
            Method::Sobol { .. } => {
                if y.iter().all(|v| *v == y[0]) {
                    return Err(StudyError::Invalid(format!(
                        "{}: every one of the {runs} runs gave {}: nothing varies, no index to compute",
                        o.indicator, y[0]
                    )));
                }
                let r = sobol_analyze(y, d, &boot)?;
                o.inputs
                    .iter()
                    .enumerate()
                    .map(|(j, input)| InputResult {
                        input: input.clone(),
                        s1: Some((r.s1[j], r.s1_conf[j])),
                        st: Some((r.st[j], r.st_conf[j])),
                        mu_star: None,
                        mu: None,
                        sigma: None,
                    })
                    .collect()
            }
            Method::Morris { .. } => {
                let x = self.design()?;
                let r = morris_analyze(&x, y, MORRIS_LEVELS, &boot)?;
                o.inputs
                    .iter()
                    .enumerate()
                    .map(|(j, input)| InputResult {
                        input: input.clone(),
                        s1: None,
                        st: None,
                        mu_star: Some((r.mu_star[j], r.mu_star_conf[j])),
                        mu: Some(r.mu[j]),
                        sigma: Some(r.sigma[j]),
                    })
                    .collect()
            }
        };
        let key = |r: &InputResult| r.st.or(r.mu_star).map_or(0.0, |v| v.0);
        rows.sort_by(|a, b| key(b).total_cmp(&key(a)));
        Ok(SensitivityResult {
            scenario: o.scenario.clone(),
            method: o.method,
            indicator: o.indicator.clone(),
            runs,
            seed: o.seed,
            mean,
            inputs: rows,
        })
    }
}

/// Runs groups `groups` of a sensitivity study in parallel and returns their data; `sink` sees
/// every run in design order (`run`, its row of quantiles, its output) on the calling thread,
/// e.g. to write records, and `progress` the number of runs done. Row `i` of group `g` draws
/// from `rng_for(seed, g)` (common random numbers within a group, [`rows_per_draw`]).
pub fn run_groups<E>(
    s: &Scenario,
    spec: &SensitivitySpec,
    groups: Range<u64>,
    threads: usize,
    mut sink: impl FnMut(u64, &[f64], f64) -> Result<(), E>,
    mut progress: impl FnMut(u64),
) -> Result<SensitivityData, RunError<E>> {
    let indicator = indicator_index(&spec.indicator)?;
    let d = spec.inputs.len();
    if inputs(s) != spec.inputs {
        return Err(StudyError::Invalid("scenario: expected the study's uncertain parameters, found others".into()).into());
    }
    let x = design_groups(spec.method, d, spec.seed, groups.clone())?;
    let per = spec.rows_per_group() as u64;
    let first_run = groups.start * per;
    let mut y = Vec::with_capacity(x.rows());
    bc_engine::run_ordered_with(
        0..x.rows() as u64,
        bc_engine::RunOptions { threads, batch: 4096 },
        Scratch::default,
        |scratch, i| run_at(s, x.row(i as usize), indicator, spec.seed, (first_run + i) / per, scratch),
        |i, v| {
            sink(first_run + i, x.row(i as usize), v)?;
            y.push(v);
            Ok::<(), E>(())
        },
        &mut progress,
    )
    .map_err(RunError::Sink)?;
    Ok(SensitivityData { spec: spec.clone(), first_group: groups.start, outputs: y })
}

/// Why running a study's jobs stopped: the study refused, or the caller's sink failed.
#[derive(Debug)]
pub enum RunError<E> {
    /// The study refused its settings.
    Study(StudyError),
    /// The sink (e.g. writing records) failed.
    Sink(E),
}

impl<E> From<StudyError> for RunError<E> {
    fn from(e: StudyError) -> Self {
        RunError::Study(e)
    }
}

impl<E> From<GsaError> for RunError<E> {
    fn from(e: GsaError) -> Self {
        RunError::Study(e.into())
    }
}

impl<E: std::fmt::Display> std::fmt::Display for RunError<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::Study(e) => e.fmt(f),
            RunError::Sink(e) => e.fmt(f),
        }
    }
}

impl<E: std::fmt::Debug + std::fmt::Display> std::error::Error for RunError<E> {}

/// One input's indices.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct InputResult {
    /// The parameter.
    #[serde(flatten)]
    pub input: Input,
    /// Sobol': first-order index and its bootstrap 95% half-width.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s1: Option<(f64, f64)>,
    /// Sobol': total-order index and its bootstrap 95% half-width.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub st: Option<(f64, f64)>,
    /// Morris: mu* and its bootstrap 95% half-width.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mu_star: Option<(f64, f64)>,
    /// Morris: mean effect.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mu: Option<f64>,
    /// Morris: standard deviation of the effects.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sigma: Option<f64>,
}

/// A sensitivity study's result, inputs ranked by ST (Sobol') or mu* (Morris), largest first.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SensitivityResult {
    /// Scenario name.
    pub scenario: String,
    /// The method and its size.
    pub method: Method,
    /// The indicator studied.
    pub indicator: String,
    /// Runs made.
    pub runs: u64,
    /// Seed.
    pub seed: u64,
    /// Mean of the indicator over the runs.
    pub mean: f64,
    /// The inputs, ranked.
    pub inputs: Vec<InputResult>,
}

/// Runs a sensitivity study: design, parallel ordered evaluation, estimators.
pub fn sensitivity(s: &Scenario, o: &SensitivityOptions, progress: impl FnMut(u64)) -> Result<SensitivityResult, StudyError> {
    let spec = SensitivitySpec::new(s, o)?;
    let data = run_groups(s, &spec, 0..spec.groups(), o.threads, |_, _, _| Ok::<(), std::convert::Infallible>(()), progress).map_err(
        |e| match e {
            RunError::Study(e) => e,
            RunError::Sink(never) => match never {},
        },
    )?;
    data.analyze(o.threads)
}

/// Settings of a discovery.
#[derive(Clone, Copy, Debug)]
pub struct DiscoverOptions {
    /// What to look for.
    pub target: Target,
    /// Runs of the forecast's own sampling.
    pub runs: u64,
    /// Master seed (the forecast's).
    pub seed: u64,
    /// Worker threads (0 = one per core); never changes results.
    pub threads: usize,
    /// PRIM's settings (EMA's defaults: threshold 0.8, alpha 0.05, mass_min 0.05).
    pub prim: PrimOptions,
}

/// One limit of a box, in the parameter's units.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Restriction {
    /// The parameter.
    #[serde(flatten)]
    pub input: Input,
    /// Lower limit of its value, if restricted from below.
    pub above: Option<f64>,
    /// Upper limit of its value, if restricted from above.
    pub below: Option<f64>,
    /// The limits as quantiles `[lower, upper]`.
    pub quantiles: (f64, f64),
}

/// One PRIM box.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FoundBox {
    /// Share of all the target's runs that fall in the box.
    pub coverage: f64,
    /// Share of the box's runs that hit the target.
    pub density: f64,
    /// Share of all runs in the box.
    pub mass: f64,
    /// Density over the overall rate.
    pub lift: f64,
    /// Whether the box reached the threshold (false: EMA's dump box of the remaining runs).
    pub accepted: bool,
    /// The restricted parameters.
    pub restrictions: Vec<Restriction>,
    /// The readable rule.
    pub rule: String,
    /// The peeling-and-pasting trajectory (EMA's `peeling_trajectory`).
    pub trajectory: Vec<bc_engine::gsa::prim::Step>,
}

/// A discovery's result.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DiscoverResult {
    /// Scenario name.
    pub scenario: String,
    /// The target.
    pub target: String,
    /// Runs made.
    pub runs: u64,
    /// Seed.
    pub seed: u64,
    /// Runs that hit the target.
    pub hits: u64,
    /// PRIM's settings.
    pub prim: PrimOptions,
    /// The boxes, in the order found.
    pub boxes: Vec<FoundBox>,
}

fn fmt_value(x: f64) -> String {
    let a = x.abs();
    if a != 0.0 && !(0.01..10_000.0).contains(&a) {
        format!("{x:.3e}")
    } else if a >= 100.0 {
        format!("{x:.0}")
    } else {
        format!("{:.3}", x).trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// What a discovery is: the same for the whole study and for every shard of it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DiscoverSpec {
    /// Scenario name.
    pub scenario: String,
    /// The target's name ([`Target::parse`]).
    pub target: String,
    /// Runs of the whole study.
    pub runs: u64,
    /// Master seed (the forecast's).
    pub seed: u64,
    /// PRIM's settings.
    pub prim: PrimOptions,
    /// The inputs, in column order.
    pub inputs: Vec<Input>,
    /// Their distributions, to turn a box's quantile limits into values.
    pub params: Vec<Param>,
}

impl DiscoverSpec {
    /// The spec of a discovery on `s` with options `o`, its size checked against the limits.
    pub fn new(s: &Scenario, o: &DiscoverOptions) -> Result<DiscoverSpec, StudyError> {
        let ins = inputs(s);
        if ins.is_empty() {
            return Err(StudyError::Invalid(
                "scenario: expected at least one uncertain parameter (a distribution) to study, found none".into(),
            ));
        }
        if o.runs == 0 {
            return Err(SettingError::new("runs", "expected at least 1 run, found 0").into());
        }
        bc_io::limits::GSA_RUNS.check(o.runs, "runs")?;
        Ok(DiscoverSpec {
            scenario: s.nominal().name.clone(),
            target: o.target.name().to_string(),
            runs: o.runs,
            seed: o.seed,
            prim: o.prim,
            inputs: ins,
            params: s.uncertain().iter().map(|u| u.param.clone()).collect(),
        })
    }
}

/// The data of a discovery or of one shard of it (a run directory's `stats.json`): the spec,
/// and for every run of `first_run..` its quantiles (row-major, one row of the inputs per
/// run) and whether it hit the target (`hits`, one character `0` or `1` per run). Shards merge
/// by concatenation, in run order, into exactly the unsharded study's data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DiscoverData {
    /// The study.
    pub spec: DiscoverSpec,
    /// The first run held.
    pub first_run: u64,
    /// Each run's quantiles, row-major.
    pub quantiles: Vec<f64>,
    /// `1` for a run that hit the target, `0` otherwise, in run order.
    pub hits: String,
}

impl DiscoverData {
    /// Runs held.
    pub fn runs_held(&self) -> u64 {
        self.hits.len() as u64
    }

    /// Whether run `i` (counted from `first_run`) hit the target.
    pub fn hit(&self, i: usize) -> bool {
        self.hits.as_bytes().get(i) == Some(&b'1')
    }

    /// The quantiles of run `i` (counted from `first_run`).
    pub fn point(&self, i: usize) -> &[f64] {
        let d = self.spec.inputs.len();
        &self.quantiles[i * d..(i + 1) * d]
    }

    /// Appends the next shard's data (same spec, the runs right after this one's).
    pub fn merge(&mut self, next: DiscoverData) -> Result<(), String> {
        if next.spec != self.spec {
            return Err("field \"spec\": expected the same study (scenario, target, runs, seed, PRIM settings and inputs) in every shard, found a different one".into());
        }
        let want = self.first_run + self.runs_held();
        if next.first_run != want {
            return Err(format!("field \"first_run\": expected {want} (the run after the previous shard's), found {}", next.first_run));
        }
        self.quantiles.extend(next.quantiles);
        self.hits.push_str(&next.hits);
        Ok(())
    }

    fn check(&self) -> Result<(), StudyError> {
        let d = self.spec.inputs.len();
        if self.spec.params.len() != d {
            return Err(StudyError::Invalid(format!(
                "spec.params: expected {d} distributions (one per input), found {}",
                self.spec.params.len()
            )));
        }
        if let Some(i) = self.hits.bytes().position(|b| b != b'0' && b != b'1') {
            return Err(StudyError::Invalid(format!("hits[{i}]: expected 0 or 1, found {:?}", self.hits.chars().nth(i).unwrap_or('?'))));
        }
        if d == 0 || self.quantiles.len() != self.hits.len() * d || self.first_run + self.runs_held() > self.spec.runs {
            return Err(StudyError::Invalid(format!(
                "quantiles: expected {d} per run for {} runs within the study's {}, found {} from run {}",
                self.hits.len(),
                self.spec.runs,
                self.quantiles.len(),
                self.first_run
            )));
        }
        if let Some(i) = self.quantiles.iter().position(|q| !(0.0..=1.0).contains(q)) {
            return Err(StudyError::Invalid(format!("quantiles[{i}]: expected a quantile in [0, 1], found {}", self.quantiles[i])));
        }
        Ok(())
    }

    /// PRIM on the runs held: the boxes, each as a rule in the parameters' units.
    pub fn analyze(&self) -> Result<DiscoverResult, StudyError> {
        self.check()?;
        let o = &self.spec;
        let target = Target::parse(&o.target)?;
        let d = o.inputs.len();
        let runs = self.runs_held();
        let y: Vec<bool> = (0..runs as usize).map(|i| self.hit(i)).collect();
        let hits = y.iter().filter(|h| **h).count() as u64;
        if hits == 0 || hits == runs {
            return Err(SettingError::item(
                "target",
                target.name(),
                format!("{hits} of the {runs} runs hit it; PRIM needs runs with and without it (try another target or more runs)"),
            )
            .into());
        }
        let rate = hits as f64 / runs as f64;
        let mut prim = Prim::new(Matrix::new(runs as usize, d, self.quantiles.clone())?, y, o.prim)?;
        let init = prim.initial_limits().clone();
        let mut boxes = Vec::new();
        while boxes.len() < MAX_BOXES {
            let Some(b) = prim.find_box() else { break };
            // The analyst's pick on the trajectory: the highest coverage at the threshold density
            // (the peel's last entry usually restricts many more parameters for little density).
            // Entry 0 (no restriction) never counts.
            let pick = if b.accepted {
                let mut best: Option<usize> = None;
                for (i, st) in b.trajectory.iter().enumerate().skip(1) {
                    if st.density >= o.prim.threshold && best.is_none_or(|k| st.coverage > b.trajectory[k].coverage) {
                        best = Some(i);
                    }
                }
                best
            } else {
                None
            };
            let b = match pick {
                Some(i) => prim.select(i)?,
                None => prim.boxes().last().expect("a box was just found"),
            };
            let accepted = b.accepted;
            let st = *b.stats();
            let lim = b.box_limits().clone();
            let restrictions: Vec<Restriction> = (0..d)
                .filter(|&j| lim.lower[j] != init.lower[j] || lim.upper[j] != init.upper[j])
                .map(|j| {
                    let p: &Param = &o.params[j];
                    Restriction {
                        input: o.inputs[j].clone(),
                        above: (lim.lower[j] != init.lower[j]).then(|| p.quantile(lim.lower[j])),
                        below: (lim.upper[j] != init.upper[j]).then(|| p.quantile(lim.upper[j])),
                        quantiles: (lim.lower[j], lim.upper[j]),
                    }
                })
                .collect();
            let lift = st.density / rate;
            let conds: Vec<String> = restrictions
                .iter()
                .map(|r| match (r.above, r.below) {
                    (Some(a), Some(b)) => format!("{} is between {} and {}", r.input.label, fmt_value(a), fmt_value(b)),
                    (Some(a), None) => format!("{} > {}", r.input.label, fmt_value(a)),
                    (None, Some(b)) => format!("{} < {}", r.input.label, fmt_value(b)),
                    (None, None) => unreachable!("only restricted inputs are listed"),
                })
                .collect();
            let name = target.name().replace('_', " ");
            let rule = if !accepted || conds.is_empty() {
                format!(
                    "no {}box reaches density {:.0}%: the remaining {:.0}% of runs have {name} at {:.0}%",
                    if boxes.is_empty() { "" } else { "further " },
                    o.prim.threshold * 100.0,
                    st.mass * 100.0,
                    st.density * 100.0
                )
            } else {
                format!(
                    "{name} is {:.1}x likelier than overall when {}; {:.0}% of {name} runs fall in this box, covering {:.0}% of runs (density {:.0}%)",
                    lift,
                    conds.join(" and "),
                    st.coverage * 100.0,
                    st.mass * 100.0,
                    st.density * 100.0
                )
            };
            boxes.push(FoundBox {
                coverage: st.coverage,
                density: st.density,
                mass: st.mass,
                lift,
                accepted,
                restrictions,
                rule,
                trajectory: b.trajectory.clone(),
            });
            if !accepted {
                break;
            }
        }
        Ok(DiscoverResult {
            scenario: o.scenario.clone(),
            target: target.name().to_string(),
            runs,
            seed: o.seed,
            hits,
            prim: o.prim,
            boxes,
        })
    }
}

/// Runs `runs` of a discovery (forecast runs: run `i` is run `i` of `backchannel run --seed S`)
/// in parallel and returns their data; `sink` sees every run in order (`run`, its quantiles,
/// whether it hit the target) on the calling thread, and `progress` the number done.
pub fn run_discover<E>(
    s: &Scenario,
    spec: &DiscoverSpec,
    runs: Range<u64>,
    threads: usize,
    mut sink: impl FnMut(u64, &[f64], bool) -> Result<(), E>,
    mut progress: impl FnMut(u64),
) -> Result<DiscoverData, RunError<E>> {
    let target = Target::parse(&spec.target)?;
    if inputs(s) != spec.inputs {
        return Err(StudyError::Invalid("scenario: expected the study's uncertain parameters, found others".into()).into());
    }
    if runs.start > runs.end || runs.end > spec.runs {
        return Err(
            StudyError::Invalid(format!("runs: expected a range within 0..{}, found {}..{}", spec.runs, runs.start, runs.end)).into()
        );
    }
    let opts = no_pairs(spec.runs, spec.seed, threads);
    let jo = JobOptions::new(s, &opts);
    let n = (runs.end - runs.start) as usize;
    let mut quantiles = Vec::with_capacity(n * spec.inputs.len());
    let mut hits = String::with_capacity(n);
    let first = runs.start;
    bc_engine::run_ordered_with(
        runs,
        bc_engine::RunOptions { threads, batch: 4096 },
        Scratch::default,
        |scratch, i| {
            let j = forecast::job(s, &jo, spec.seed, i, &mut NoTrace, scratch);
            (j.quantiles, target.hit(&Brief::of(&j.record)))
        },
        |i, (q, hit)| {
            sink(i, &q, hit)?;
            quantiles.extend_from_slice(&q);
            hits.push(if hit { '1' } else { '0' });
            Ok::<(), E>(())
        },
        &mut progress,
    )
    .map_err(RunError::Sink)?;
    Ok(DiscoverData { spec: spec.clone(), first_run: first, quantiles, hits })
}

/// Runs a discovery: `runs` forecast runs, PRIM on their quantiles against the 0/1 target.
pub fn discover(s: &Scenario, o: &DiscoverOptions, progress: impl FnMut(u64)) -> Result<DiscoverResult, StudyError> {
    let spec = DiscoverSpec::new(s, o)?;
    let data = run_discover(s, &spec, 0..spec.runs, o.threads, |_, _, _| Ok::<(), std::convert::Infallible>(()), progress).map_err(
        |e| match e {
            RunError::Study(e) => e,
            RunError::Sink(never) => match never {},
        },
    )?;
    data.analyze()
}

// --- the studies' jobs and records (`backchannel sensitivity` / `discover` with `--out`) ---

fn ident(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect()
}

/// Column names made unique (two paths may map to the same identifier).
fn unique(mut c: Vec<Column>) -> Vec<Column> {
    let mut seen = std::collections::BTreeMap::<String, usize>::new();
    for col in &mut c {
        let k = seen.entry(col.name.clone()).or_insert(0);
        *k += 1;
        if *k > 1 {
            col.name = format!("{}_{}", col.name, k);
        }
    }
    c
}

/// The record columns of a sensitivity study: `run` (row of the design), `group` (its base point
/// or trajectory), `q_<input>` (each input's quantile, in design column order) and the
/// indicator studied (named as it).
pub fn sensitivity_columns(spec: &SensitivitySpec) -> Vec<Column> {
    let mut c = vec![Column::new("run", ColumnType::Int), Column::new("group", ColumnType::Int)];
    c.extend(spec.inputs.iter().map(|i| Column::new(format!("q_{}", ident(&i.path)), ColumnType::Float)));
    c.push(Column::new(spec.indicator.clone(), ColumnType::Float));
    unique(c)
}

/// One run's record of a sensitivity study.
pub fn sensitivity_cells(rows_per_group: usize, run: u64, quantiles: &[f64], output: f64) -> Vec<Cell> {
    let mut c = vec![Cell::from(run), Cell::from(run / rows_per_group.max(1) as u64)];
    c.extend(quantiles.iter().map(|q| Cell::Float(*q)));
    c.push(Cell::Float(output));
    c
}

/// The record columns of a discovery: `run`, `q_<input>` and the target (0/1, named as it).
pub fn discover_columns(spec: &DiscoverSpec) -> Vec<Column> {
    let mut c = vec![Column::new("run", ColumnType::Int)];
    c.extend(spec.inputs.iter().map(|i| Column::new(format!("q_{}", ident(&i.path)), ColumnType::Float)));
    c.push(Column::new(spec.target.clone(), ColumnType::Int));
    unique(c)
}

/// One run's record of a discovery.
pub fn discover_cells(run: u64, quantiles: &[f64], hit: bool) -> Vec<Cell> {
    let mut c = vec![Cell::from(run)];
    c.extend(quantiles.iter().map(|q| Cell::Float(*q)));
    c.push(Cell::from(u32::from(hit)));
    c
}

/// A sensitivity study as a `bc_engine::Study`: job `g` is group `g` of the design (a base
/// point's or a trajectory's runs, sharing their draws), its record the indicator of each run.
pub struct SensitivityStudy<'a> {
    scenario: &'a Scenario,
    spec: SensitivitySpec,
    indicator: usize,
}

impl<'a> SensitivityStudy<'a> {
    /// The study `spec` of `scenario` (whose uncertain parameters must be the spec's).
    pub fn new(scenario: &'a Scenario, spec: &SensitivitySpec) -> Result<SensitivityStudy<'a>, StudyError> {
        if inputs(scenario) != spec.inputs {
            return Err(StudyError::Invalid("scenario: expected the study's uncertain parameters, found others".into()));
        }
        Ok(SensitivityStudy { scenario, spec: spec.clone(), indicator: indicator_index(&spec.indicator)? })
    }
}

impl Study for SensitivityStudy<'_> {
    type Scratch = Scratch;
    /// The group's outputs, or why its design rows could not be built (which stops the study).
    type Record = Result<Vec<f64>, String>;
    type Stats = SensitivityData;

    fn kind(&self) -> &'static str {
        "sensitivity"
    }
    fn jobs(&self) -> u64 {
        self.spec.groups()
    }
    fn unit(&self) -> &'static str {
        match self.spec.method {
            Method::Sobol { .. } => "base points",
            Method::Morris { .. } => "trajectories",
        }
    }
    fn columns(&self) -> Vec<Column> {
        sensitivity_columns(&self.spec)
    }
    fn scratch(&self) -> Scratch {
        Scratch::default()
    }
    fn run(&self, scratch: &mut Scratch, g: u64, detail: bool) -> Job<Self::Record> {
        let spec = &self.spec;
        let x = match design_groups(spec.method, spec.inputs.len(), spec.seed, g..g + 1) {
            Ok(x) => x,
            Err(e) => return Job::record(Err(e.to_string())),
        };
        let per = spec.rows_per_group();
        let y: Vec<f64> = (0..x.rows()).map(|k| run_at(self.scenario, x.row(k), self.indicator, spec.seed, g, scratch)).collect();
        let rows = if detail {
            y.iter().enumerate().map(|(k, v)| sensitivity_cells(per, g * per as u64 + k as u64, x.row(k), *v)).collect()
        } else {
            Vec::new()
        };
        Job { record: Ok(y), rows, events: Vec::new(), files: Vec::new() }
    }
    fn stats(&self, first: u64) -> SensitivityData {
        SensitivityData { spec: self.spec.clone(), first_group: first, outputs: Vec::new() }
    }
    fn fold(&self, data: &mut SensitivityData, y: &Self::Record) {
        if let Ok(y) = y {
            data.outputs.extend_from_slice(y);
        }
    }
    fn progress_unit(&self) -> (&'static str, u64) {
        ("runs", self.spec.rows_per_group() as u64)
    }
}

/// A discovery as a `bc_engine::Study`: job `i` is forecast run `i` (no pairs), its record the
/// run's quantiles and whether it hit the target.
pub struct DiscoverStudy<'a> {
    scenario: &'a Scenario,
    spec: DiscoverSpec,
    target: Target,
    options: JobOptions,
}

impl<'a> DiscoverStudy<'a> {
    /// The discovery `spec` of `scenario` (whose uncertain parameters must be the spec's).
    pub fn new(scenario: &'a Scenario, spec: &DiscoverSpec) -> Result<DiscoverStudy<'a>, StudyError> {
        if inputs(scenario) != spec.inputs {
            return Err(StudyError::Invalid("scenario: expected the study's uncertain parameters, found others".into()));
        }
        let options = JobOptions::new(scenario, &no_pairs(spec.runs, spec.seed, 1));
        Ok(DiscoverStudy { scenario, spec: spec.clone(), target: Target::parse(&spec.target)?, options })
    }
}

impl Study for DiscoverStudy<'_> {
    type Scratch = Scratch;
    type Record = (Vec<f64>, bool);
    type Stats = DiscoverData;

    fn kind(&self) -> &'static str {
        "discover"
    }
    fn jobs(&self) -> u64 {
        self.spec.runs
    }
    fn unit(&self) -> &'static str {
        "runs"
    }
    fn columns(&self) -> Vec<Column> {
        discover_columns(&self.spec)
    }
    fn scratch(&self) -> Scratch {
        Scratch::default()
    }
    fn run(&self, scratch: &mut Scratch, i: u64, detail: bool) -> Job<Self::Record> {
        let j = forecast::job(self.scenario, &self.options, self.spec.seed, i, &mut crate::sim::NoTrace, scratch);
        let hit = self.target.hit(&Brief::of(&j.record));
        let rows = if detail { vec![discover_cells(i, &j.quantiles, hit)] } else { Vec::new() };
        Job { record: (j.quantiles, hit), rows, events: Vec::new(), files: Vec::new() }
    }
    fn stats(&self, first: u64) -> DiscoverData {
        DiscoverData { spec: self.spec.clone(), first_run: first, quantiles: Vec::new(), hits: String::new() }
    }
    fn fold(&self, data: &mut DiscoverData, (q, hit): &Self::Record) {
        data.quantiles.extend_from_slice(q);
        data.hits.push(if *hit { '1' } else { '0' });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_and_errors_list_the_valid_ones() {
        assert_eq!(indicator_index("agenda_share").unwrap(), 1);
        assert!(indicator_index("bogus").unwrap_err().to_string().contains("agenda_share"));
        assert_eq!(Target::parse("breakdown").unwrap(), Target::Indicator(3));
        assert_eq!(Target::parse("collapse").unwrap(), Target::Outcome(Outcome::Collapse));
        let e = Target::parse("agenda_share").unwrap_err().to_string();
        assert!(e.contains("breakdown") && e.contains("drift"), "{e}");
        // Errors name the setting (the command line says it with its flag), never a flag.
        let named = |e: StudyError| match e {
            StudyError::Setting(s) => (s.name(), s.to_string()),
            StudyError::Limit(l) => (if l.context == "samples" { "samples" } else { "?" }, l.to_string()),
            other => ("?", other.to_string()),
        };
        let (name, e) = named(indicator_index("bogus").unwrap_err());
        assert!(name == "indicator" && e.starts_with("indicator: expected one of at_least_one_step, "), "{e}");
        let (name, e) = named(Target::parse("nope").unwrap_err());
        assert!(name == "target" && e.starts_with("target: expected one of "), "{e}");
        let (name, e) = named(study_runs(Method::Sobol { samples: 3 }, 2).unwrap_err());
        assert!(name == "samples" && e.starts_with("samples: expected a power of two"), "{e}");
        let (name, e) = named(study_runs(Method::Sobol { samples: 1 << 40 }, 10).unwrap_err());
        assert!(name == "samples" && e.starts_with("samples: expected at most"), "{e}");
    }

    fn two_params() -> Scenario {
        Scenario::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/diplomacy/gsa_two_params.toml")).unwrap()
    }

    fn no_sink<T: ?Sized, U>(_: u64, _: &T, _: U) -> Result<(), ()> {
        Ok(())
    }

    #[test]
    fn shards_of_a_sensitivity_study_merge_into_the_whole_study() {
        let s = two_params();
        for method in [Method::Morris { trajectories: 6 }, Method::Sobol { samples: 8 }] {
            let o = SensitivityOptions { method, indicator: 1, seed: 4, threads: 2 };
            let spec = SensitivitySpec::new(&s, &o).unwrap();
            let mut rows = Vec::new();
            let whole = run_groups(
                &s,
                &spec,
                0..spec.groups(),
                1,
                |i, q: &[f64], y| {
                    rows.push((i, q.to_vec(), y));
                    Ok::<(), ()>(())
                },
                |_| {},
            )
            .unwrap();
            assert_eq!(rows.len() as u64, spec.runs().unwrap());
            assert!(rows.iter().enumerate().all(|(k, r)| r.0 == k as u64), "runs in design order");
            let design = design(method, 2, 4).unwrap();
            assert!(rows.iter().all(|r| r.1 == design.row(r.0 as usize)), "the sink sees the design's rows");
            let mut merged = run_groups(&s, &spec, 0..2, 2, no_sink, |_| {}).unwrap();
            merged.merge(run_groups(&s, &spec, 2..spec.groups(), 3, no_sink, |_| {}).unwrap()).unwrap();
            assert_eq!(merged, whole);
            let a = serde_json::to_string(&whole.analyze(1).unwrap()).unwrap();
            assert_eq!(a, serde_json::to_string(&merged.analyze(3).unwrap()).unwrap());
            // Out of order or from another study: refused.
            let mut bad = run_groups(&s, &spec, 0..2, 1, no_sink, |_| {}).unwrap();
            assert!(bad.merge(run_groups(&s, &spec, 3..spec.groups(), 1, no_sink, |_| {}).unwrap()).unwrap_err().contains("first_group"));
            let other = SensitivitySpec::new(&s, &SensitivityOptions { seed: 5, ..o }).unwrap();
            assert!(bad.merge(run_groups(&s, &other, 2..spec.groups(), 1, no_sink, |_| {}).unwrap()).unwrap_err().contains("spec"));
        }
    }

    #[test]
    fn shards_of_a_discovery_merge_into_the_whole_study() {
        let s = two_params();
        let o = DiscoverOptions {
            target: Target::parse("comprehensive").unwrap(),
            runs: 300,
            seed: 2,
            threads: 2,
            prim: PrimOptions { threshold: 0.6, ..PrimOptions::default() },
        };
        let spec = DiscoverSpec::new(&s, &o).unwrap();
        let whole = run_discover(&s, &spec, 0..300, 2, no_sink, |_| {}).unwrap();
        let mut merged = run_discover(&s, &spec, 0..100, 1, no_sink, |_| {}).unwrap();
        merged.merge(run_discover(&s, &spec, 100..300, 3, no_sink, |_| {}).unwrap()).unwrap();
        assert_eq!(merged, whole);
        assert_eq!(
            serde_json::to_string(&whole.analyze().unwrap()).unwrap(),
            serde_json::to_string(&discover(&s, &o, |_| {}).unwrap()).unwrap()
        );
        // stats.json read back: bad content is refused with the field named.
        let mut bad = whole.clone();
        bad.hits.replace_range(0..1, "x");
        assert!(bad.analyze().unwrap_err().to_string().contains("hits[0]"));
        let mut bad = whole.clone();
        bad.quantiles.pop();
        assert!(bad.analyze().unwrap_err().to_string().contains("quantiles"));
    }

    #[test]
    fn sizes_are_checked_against_the_limit() {
        assert!(study_runs(Method::Sobol { samples: 0 }, 3).is_err());
        assert!(study_runs(Method::Sobol { samples: 1000 }, 3).is_err());
        assert_eq!(study_runs(Method::Sobol { samples: 1024 }, 3).unwrap(), 1024 * 5);
        assert_eq!(study_runs(Method::Morris { trajectories: 20 }, 3).unwrap(), 80);
        let max = bc_io::limits::GSA_RUNS.get();
        // At the limit: (max / 2) trajectories of 2 runs.
        assert_eq!(study_runs(Method::Morris { trajectories: (max / 2) as usize }, 1).unwrap(), max);
        let e = study_runs(Method::Morris { trajectories: (max / 2 + 1) as usize }, 1).unwrap_err().to_string();
        assert!(e.contains("gsa-runs"), "{e}");
        let e = study_runs(Method::Sobol { samples: 1 << 40 }, 10).unwrap_err().to_string();
        assert!(e.contains("gsa-runs"), "{e}");
    }
}
