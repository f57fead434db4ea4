//! `backchannel run --out DIR` / `--shard i/N` / `--dry-run`: runs the forecast's jobs over the
//! shard's range, streaming each run to the run directory (records, events, exact statistics,
//! report) while folding it into the diplomacy crate's own aggregate for the terminal summary.

use std::path::Path;

use anyhow::Result;
use bc_diplomacy::forecast::{self, Aggregate, Counterfactual, Forecast, JobRecord, Options};
use bc_diplomacy::sim::{simulate, Event, Observer, Outcome, Streams};
use bc_diplomacy::Scenario;
use bc_report::forecast::{CounterfactualSpec, ForecastSpec, ForecastStudy, OutcomeClass, RunRow};
use bc_report::manifest::{Manifest, ScenarioId};
use bc_report::rundir::RunDir;

use crate::scale::ScaleArgs;

fn class(o: Outcome) -> OutcomeClass {
    match o {
        Outcome::Comprehensive => OutcomeClass::Comprehensive,
        Outcome::Partial => OutcomeClass::Partial,
        Outcome::Collapse => OutcomeClass::Collapse,
        Outcome::Drift => OutcomeClass::Drift,
    }
}

/// The study's fixed description of a scenario.
pub fn spec(s: &Scenario, cfs: &[Counterfactual], seed: u64) -> ForecastSpec {
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
        counterfactuals: cfs.iter().map(|c| CounterfactualSpec { id: c.id.clone(), label: c.label.clone(), scenario_first: c.scenario_first }).collect(),
        illustrative: s.source == bc_diplomacy::scenario::DEFAULT_SOURCE,
        seed,
    }
}

/// The scenario's identity: its file's bytes (or the embedded default's), and the variant.
pub fn scenario_id(s: &Scenario, path: Option<&Path>) -> Result<ScenarioId> {
    let mut bytes = match path {
        Some(p) => std::fs::read(p).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?,
        None => bc_diplomacy::scenario::DEFAULT_TOML.as_bytes().to_vec(),
    };
    if let Some(v) = &s.variant {
        bytes.extend_from_slice(format!("\n# variant: {v}\n").as_bytes());
    }
    let name = path.map_or_else(|| "embedded default scenario".to_string(), |p| p.display().to_string());
    let name = match &s.variant {
        Some(v) => format!("{name} (variant {v})"),
        None => name,
    };
    Ok(ScenarioId::new(name, &bytes))
}

/// Follows a run's events: trust at the start of every round, and the events worth keeping.
struct Follow<'a> {
    targets: &'a [usize],
    spoiler_ids: &'a [String],
    cur: Vec<Vec<f64>>,
    /// Trust at the start of each round, pairs flattened (one allocation per run: a batch of
    /// runs waits in memory for its turn at the sink).
    path: Vec<f64>,
    run: u64,
    /// Key events as JSON lines (rendered on the worker thread: small, and cheap to write).
    events: Vec<String>,
}

fn off_diagonal(m: &[Vec<f64>]) -> Vec<f64> {
    let n = m.len();
    (0..n).flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j))).map(|(i, j)| m[i].get(j).copied().unwrap_or(f64::NAN)).collect()
}

impl Observer for Follow<'_> {
    const ENABLED: bool = true;
    fn event(&mut self, e: Event) {
        match e {
            Event::Round { .. } => self.path.extend(off_diagonal(&self.cur)),
            Event::Trust { trust, .. } => self.cur = trust,
            Event::Strike { round, spoiler, target_trust, .. } => {
                if let Some(k) = self.spoiler_ids.iter().position(|id| *id == spoiler) {
                    if let Some(row) = self.targets.get(k).and_then(|&t| self.cur.get_mut(t)) {
                        for (j, x) in target_trust.into_iter().enumerate() {
                            if let Some(c) = row.get_mut(j) {
                                *c = x;
                            }
                        }
                    }
                }
                self.events.push(serde_json::json!({"run": self.run, "event": "strike", "round": round, "spoiler": spoiler}).to_string());
            }
            e @ (Event::Agreed { .. } | Event::StepDone { .. } | Event::Left { .. } | Event::End { .. }) => {
                // `{"run":N,` + the event's own fields.
                if let Ok(text) = serde_json::to_string(&e) {
                    if let Some(rest) = text.strip_prefix('{') {
                        self.events.push(format!("{{\"run\":{},{rest}", self.run));
                    }
                }
            }
            _ => {}
        }
    }
}

/// One run with its trust path and key events.
fn tracked_job(s: &Scenario, cfs: &[Counterfactual], seed: u64, run: u64) -> (JobRecord, Vec<f64>, Vec<String>) {
    let mut rng = bc_engine::rng_for(seed, run);
    let streams = Streams::from_rng(&mut rng);
    let (model, quantiles) = s.sample(&streams);
    let n = model.parties.len();
    let cur = (0..n)
        .map(|i| (0..n).map(|j| if i == j { 1.0 } else { model.parties[i].trust.get(j).map_or(f64::NAN, |(a, b)| a / (a + b)) }).collect())
        .collect();
    let targets: Vec<usize> = model.spoilers.iter().map(|sp| sp.target).collect();
    let ids: Vec<String> = model.spoilers.iter().map(|sp| sp.id.clone()).collect();
    let mut follow = Follow { targets: &targets, spoiler_ids: &ids, cur, path: Vec::with_capacity((model.rounds as usize + 1) * n * n.saturating_sub(1)), run, events: Vec::new() };
    let record = simulate(&model, &streams, &mut follow);
    let counterfactuals = cfs.iter().map(|cf| simulate(&cf.apply(&model), &streams, &mut bc_diplomacy::sim::NoTrace).outcome).collect();
    let mut path = follow.path;
    let last = off_diagonal(&record.final_trust);
    let width = last.len().max(1);
    path.truncate(record.rounds as usize * width);
    while path.len() < (model.rounds as usize + 1) * width {
        path.extend_from_slice(&last);
    }
    (JobRecord { run, record, quantiles, counterfactuals }, path, follow.events)
}

fn row(j: &JobRecord, path: &[f64]) -> RunRow {
    let width = j.record.final_trust.len() * j.record.final_trust.len().saturating_sub(1);
    let trust_path = path.chunks(width.max(1)).map(<[f64]>::to_vec).collect();
    let r = &j.record;
    RunRow {
        run: j.run,
        outcome: class(r.outcome),
        rounds: r.rounds,
        first_step_round: r.first_step_round,
        steps_implemented: r.steps_implemented,
        agreements: r.agreements,
        strikes: r.strikes,
        setbacks: r.setbacks,
        kept_talking_after_setback: r.kept_talking_after_setback,
        mediator_accepted: r.mediator_accepted,
        left: r.left,
        final_trust: r.final_trust.clone(),
        final_visibility: r.final_visibility,
        discounted_utility: r.discounted_utility.clone(),
        quantiles: j.quantiles.clone(),
        counterfactuals: j.counterfactuals.iter().map(|o| class(*o)).collect(),
        trust_path,
    }
}

/// `--dry-run`: the work of this invocation, timed on a few real runs.
pub fn dry_run(s: &Scenario, opts: &Options, scale: &ScaleArgs) -> Result<()> {
    let cfs = if opts.counterfactuals { forecast::counterfactuals(s) } else { Vec::new() };
    let study = ForecastStudy::new(spec(s, &cfs, opts.seed), true);
    let columns = study.columns();
    crate::scale::print_dry_run(scale, "run", "runs", opts.runs, opts.threads, &columns, |i| {
        let (j, path, _) = tracked_job(s, &cfs, opts.seed, i);
        vec![study.cells(&row(&j, &path))]
    })
}

/// Runs this invocation's share of the forecast, writing the run directory when `--out` is
/// given, and returns the diplomacy crate's summary of the runs it ran.
pub fn run(s: &Scenario, opts: &Options, scale: &ScaleArgs, path: Option<&Path>) -> Result<Forecast> {
    if opts.runs == 0 {
        anyhow::bail!("--runs: expected at least 1 run, found 0");
    }
    scale.require_out_for_shard()?;
    let cfs = if opts.counterfactuals { forecast::counterfactuals(s) } else { Vec::new() };
    let m = s.nominal();
    let mut agg = Aggregate::new(m.rounds, m.parties.len(), s.uncertain().len(), cfs.len());
    let range = scale.shard.range(opts.runs);
    let bar = scale.progress(range.end - range.start, "runs");
    let mut study = ForecastStudy::new(spec(s, &cfs, opts.seed), true);
    let mut manifest = Manifest::start("run", opts.runs, scale.shard);
    manifest.seed = Some(opts.seed);
    manifest.scenario = Some(scenario_id(s, path)?);
    manifest.threads = if opts.threads == 0 { std::thread::available_parallelism().map_or(1, |n| n.get()) } else { opts.threads };
    let Some(out) = &scale.out else {
        anyhow::bail!("internal: forecast_out::run without --out");
    };
    let dir = RunDir::create(out, manifest)?;
    let mut records = dir.records(study.columns())?;
    let mut events = dir.events()?;
    bc_engine::run_ordered(
        range,
        bc_engine::RunOptions { threads: opts.threads, batch: 4096 },
        |i| tracked_job(s, &cfs, opts.seed, i),
        |_, (j, path, evs)| -> Result<()> {
            agg.add(&j, &cfs);
            let r = row(&j, &path);
            records.write(&study.cells(&r))?;
            for line in evs {
                events.write_raw(line.as_bytes())?;
                events.write_raw(b"\n")?;
            }
            study.add(&r);
            Ok(())
        },
        |done| bar.set(done),
    )?;
    bar.finish();
    dir.finish(records, events, &study)?;
    Ok(agg.finish(s, opts, &cfs))
}
