//! Shared helpers of bc-studies' integration tests: a synthetic forecast (runs made up here, not
//! simulated) written to run directories, so that run directories, merging and the report are
//! tested without running the model.

#![allow(dead_code, missing_docs)]

use std::path::{Path, PathBuf};

use bc_diplomacy::forecast::{Aggregate, Brief, CounterfactualSpec, ForecastSpec, JobRecord};
use bc_diplomacy::{Outcome, RunRecord};
use bc_engine::Shard;
use bc_report::manifest::{Manifest, ScenarioId};
use bc_report::rundir::RunDir;
use rand::Rng;

pub fn spec(seed: u64) -> ForecastSpec {
    ForecastSpec {
        scenario: "Synthetic talks".into(),
        variant: None,
        source: "tests (synthetic)".into(),
        round_unit: "week".into(),
        horizon: 30,
        parties: vec!["A".into(), "B".into()],
        party_names: vec!["Party A".into(), "Party B".into()],
        mediator: Some("M".into()),
        uncertain: vec!["spoilers.rival.base".into(), "mediator.leak".into(), "parties.a.kappa".into()],
        counterfactuals: vec![
            CounterfactualSpec { id: "direct".into(), label: "mediated (M) − direct talks".into(), scenario_first: true },
            CounterfactualSpec { id: "without_rival".into(), label: "without rival − with it".into(), scenario_first: false },
        ],
        illustrative: true,
        seed,
        swing_every: 5,
        setback_window: 8,
    }
}

/// A synthetic run's brief: its class and indicators, with `standing` steps of 4 standing.
fn brief(outcome: Outcome, standing: u32, reversed: bool, utility: Vec<f64>) -> Brief {
    let b = |x: bool| if x { 1.0 } else { 0.0 };
    Brief {
        outcome,
        indicators: [
            b(standing > 0 || reversed),
            f64::from(standing) / 4.0,
            b(outcome == Outcome::Comprehensive),
            b(matches!(outcome, Outcome::Collapse | Outcome::BreakdownAfterProgress)),
            b(reversed),
        ],
        utility,
    }
}

/// The steps standing (of 4) that a class allows, drawn.
fn standing_of(outcome: Outcome, rng: &mut impl Rng) -> u32 {
    match outcome {
        Outcome::Comprehensive => 4,
        Outcome::Partial | Outcome::BreakdownAfterProgress => rng.gen_range(1..4),
        Outcome::Collapse | Outcome::Drift => 0,
    }
}

/// A synthetic run: outcome probabilities depend on the parameter quantiles, so sensitivity and
/// counterfactuals have something to show.
pub fn synthetic_row(seed: u64, run: u64) -> JobRecord {
    let mut rng = bc_engine::rng_for(seed, run);
    let q: Vec<f64> = (0..3).map(|_| rng.gen::<f64>()).collect();
    let p_deal = 0.25 + 0.4 * (1.0 - q[0]) + 0.1 * q[2];
    let deal = rng.gen::<f64>() < p_deal;
    let left = rng.gen::<f64>() < 0.5;
    let outcome = match (deal, left) {
        (true, _) if rng.gen::<f64>() < 0.3 => Outcome::Comprehensive,
        (true, false) => Outcome::Partial,
        (true, true) => Outcome::BreakdownAfterProgress,
        (false, true) => Outcome::Collapse,
        (false, false) => Outcome::Drift,
    };
    let standing = standing_of(outcome, &mut rng);
    let reversals = u32::from(rng.gen::<f64>() < 0.2);
    let first = (deal || reversals > 0).then(|| rng.gen_range(2..25u32));
    let mut trust = vec![0.4 + 0.2 * rng.gen::<f64>(), 0.3 + 0.2 * rng.gen::<f64>()];
    let mut path = Vec::new();
    for t in 0..=30u32 {
        for x in &mut trust {
            let step = if first.is_some_and(|f| t >= f) { 0.02 } else { -0.005 };
            *x = (*x + step + 0.03 * (rng.gen::<f64>() - 0.5)).clamp(0.0, 1.0);
        }
        path.extend_from_slice(&trust);
    }
    let setback = rng.gen::<f64>() < 0.6;
    let utility = vec![rng.gen::<f64>(), rng.gen::<f64>()];
    let direct = if rng.gen::<f64>() < p_deal - 0.1 { Outcome::Partial } else { Outcome::Drift };
    let no_rival = if deal || rng.gen::<f64>() < 0.2 { Outcome::Partial } else { Outcome::Collapse };
    let cf = |o: Outcome, rng: &mut bc_engine::Rng| {
        let st = standing_of(o, rng);
        brief(o, st, false, vec![rng.gen(), rng.gen()])
    };
    let mut crng = bc_engine::rng_for(seed ^ 0x5eed, run);
    let counterfactuals = vec![cf(direct, &mut crng), cf(no_rival, &mut crng)];
    // The swing subsample: each parameter's 10th and 90th percentile arm.
    let swings = if run.is_multiple_of(5) {
        (0..3)
            .map(|k| {
                let lo_deal = k != 0 || crng.gen::<f64>() < 0.8;
                let arm = |d: bool, rng: &mut bc_engine::Rng| cf(if d { Outcome::Partial } else { Outcome::Drift }, rng);
                let hi_deal = if k == 0 { crng.gen::<f64>() < 0.3 } else { lo_deal };
                [arm(lo_deal, &mut crng), arm(hi_deal, &mut crng)]
            })
            .collect()
    } else {
        Vec::new()
    };
    let strikes = rng.gen_range(0..4);
    JobRecord {
        run,
        record: RunRecord {
            outcome,
            rounds: if left { rng.gen_range(3..30) } else { 30 },
            at_least_one_step: first.is_some(),
            agenda_share: f64::from(standing) / 4.0,
            steps_standing: standing,
            first_step_round: first,
            steps_implemented: standing + reversals,
            reversals,
            withdrawals: reversals,
            agreements: u32::from(deal) + reversals,
            strikes,
            strikes_by_spoiler: vec![strikes],
            setbacks: rng.gen_range(0..5),
            kept_talking_after_setback: setback.then(|| rng.gen::<f64>() < 0.7),
            rounds_to_resume: setback.then(|| rng.gen_range(1..8)),
            concrete_signals: deal && rng.gen::<f64>() < 0.7,
            mediator_accepted: Some(rng.gen::<f64>() < 0.8),
            rejected_round: None,
            left: left.then_some(1),
            final_trust: vec![vec![1.0, trust[0]], vec![trust[1], 1.0]],
            final_visibility: rng.gen(),
            discounted_utility: utility,
        },
        quantiles: q,
        counterfactuals,
        swings,
        trust_path: path,
    }
}

/// Writes shard `shard` of a synthetic forecast of `runs` runs to `out`.
pub fn write_run(out: &Path, seed: u64, runs: u64, shard: Shard) -> PathBuf {
    let mut m = Manifest::start("run", runs, shard);
    m.seed = Some(seed);
    m.scenario = Some(ScenarioId::new("synthetic", b"synthetic scenario"));
    m.threads = 1;
    let dir = RunDir::create(out, m).unwrap();
    let mut study = Aggregate::new(spec(seed), true);
    let mut records = dir.records(bc_studies::forecast::columns(&study.spec)).unwrap();
    let mut events = dir.events().unwrap();
    for i in shard.range(runs) {
        let row = synthetic_row(seed, i);
        records.write(&bc_studies::forecast::cells(&study.spec, &row)).unwrap();
        if let Some(t) = row.record.first_step_round {
            events.write(&serde_json::json!({"run": i, "round": t, "event": "step_done"})).unwrap();
        }
        study.add(&row);
    }
    dir.finish(records, events, &bc_studies::Stats(study)).unwrap()
}

pub fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("bc-studies-it-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

// --- sensitivity and discovery, on test functions instead of the model ---

use bc_diplomacy::dist::{Distribution, Param};
use bc_diplomacy::gsa::{self, DiscoverData, DiscoverSpec, Input, Method, SensitivityData, SensitivitySpec};
use bc_engine::gsa::prim::PrimOptions;

fn inputs(n: usize) -> Vec<Input> {
    let names =
        ["Iran's delivery capacity", "United States' walk-away trust floor", "mediator's leak", "proxy attack base", "inert parameter"];
    (0..n).map(|j| Input { path: format!("test.x{}", j + 1), label: names[j % names.len()].to_string() }).collect()
}

/// The Ishigami function (a = 7, b = 0.1) of three quantiles mapped to [−π, π].
pub fn ishigami(q: &[f64]) -> f64 {
    let x: Vec<f64> = q.iter().map(|u| std::f64::consts::PI * (2.0 * u - 1.0)).collect();
    x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
}

/// A sensitivity study of the Ishigami function (plus `extra` inert inputs) by `method`,
/// written to `out` for the groups of `shard`, as `backchannel sensitivity --out` writes one.
pub fn write_sensitivity(out: &Path, method: Method, extra: usize, shard: Shard) -> PathBuf {
    let spec = SensitivitySpec {
        scenario: "Ishigami test function".into(),
        method,
        indicator: "agenda_share".into(),
        seed: 7,
        inputs: inputs(3 + extra),
    };
    let groups = shard.range(spec.groups());
    let mut m = Manifest::start("sensitivity", spec.groups(), shard);
    m.seed = Some(7);
    m.scenario = Some(ScenarioId::new("ishigami", b"ishigami"));
    m.threads = 1;
    let dir = RunDir::create(out, m).unwrap();
    let mut records = dir.records(bc_studies::gsa::sensitivity_columns(&spec)).unwrap();
    let events = dir.events().unwrap();
    let x = gsa::design_groups(method, spec.inputs.len(), spec.seed, groups.clone()).unwrap();
    let per = spec.rows_per_group();
    let mut outputs = Vec::new();
    for i in 0..x.rows() {
        let y = ishigami(x.row(i));
        records.write(&bc_studies::gsa::sensitivity_cells(per, groups.start * per as u64 + i as u64, x.row(i), y)).unwrap();
        outputs.push(y);
    }
    let data = SensitivityData { spec, first_group: groups.start, outputs };
    dir.finish(records, events, &bc_studies::Stats(data)).unwrap()
}

/// A discovery on `runs` uniform random points of four inputs, the target hit in the box
/// x1 > 0.6 and x2 < 0.5 (with 5% of labels flipped), written for the runs of `shard`.
pub fn write_discover(out: &Path, runs: u64, shard: Shard) -> PathBuf {
    let uniform = |low: f64, high: f64| Param::Dist(Distribution::Uniform { low, high });
    let spec = DiscoverSpec {
        scenario: "Planted box".into(),
        target: "breakdown".into(),
        runs,
        seed: 3,
        prim: PrimOptions::default(),
        inputs: inputs(4),
        params: vec![uniform(0.0, 1.0), uniform(0.0, 0.5), uniform(10.0, 20.0), uniform(-1.0, 1.0)],
    };
    let range = shard.range(runs);
    let mut m = Manifest::start("discover", runs, shard);
    m.seed = Some(3);
    m.scenario = Some(ScenarioId::new("planted", b"planted box"));
    m.threads = 1;
    let dir = RunDir::create(out, m).unwrap();
    let mut records = dir.records(bc_studies::gsa::discover_columns(&spec)).unwrap();
    let events = dir.events().unwrap();
    let (mut quantiles, mut hits) = (Vec::new(), String::new());
    for i in range.clone() {
        let mut rng = bc_engine::rng_for(3, i);
        let q: Vec<f64> = (0..4).map(|_| rng.gen::<f64>()).collect();
        let hit = (q[0] > 0.6 && q[1] < 0.5) != (rng.gen::<f64>() < 0.05);
        records.write(&bc_studies::gsa::discover_cells(i, &q, hit)).unwrap();
        quantiles.extend_from_slice(&q);
        hits.push(if hit { '1' } else { '0' });
    }
    let data = DiscoverData { spec, first_run: range.start, quantiles, hits };
    dir.finish(records, events, &bc_studies::Stats(data)).unwrap()
}
