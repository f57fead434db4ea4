//! Shared helpers of bc-report's integration tests: a synthetic forecast (runs made up here, not
//! simulated) written to run directories, so that run directories, merging and the report are
//! tested without running the model.

#![allow(dead_code, missing_docs)]

use std::path::{Path, PathBuf};

use bc_engine::Shard;
use bc_diplomacy::forecast::{Aggregate, CounterfactualSpec, ForecastSpec, JobRecord};
use bc_diplomacy::{Outcome, RunRecord};
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
    }
}

/// A synthetic run: outcome probabilities depend on the parameter quantiles, so sensitivity and
/// counterfactuals have something to show.
pub fn synthetic_row(seed: u64, run: u64) -> JobRecord {
    let mut rng = bc_engine::rng_for(seed, run);
    let q: Vec<f64> = (0..3).map(|_| rng.gen::<f64>()).collect();
    let p_deal = 0.25 + 0.4 * (1.0 - q[0]) + 0.1 * q[2];
    let deal = rng.gen::<f64>() < p_deal;
    let outcome = if deal {
        if rng.gen::<f64>() < 0.3 { Outcome::Comprehensive } else { Outcome::Partial }
    } else if rng.gen::<f64>() < 0.5 {
        Outcome::Collapse
    } else {
        Outcome::Drift
    };
    let first = deal.then(|| rng.gen_range(2..25u32));
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
    let direct = if rng.gen::<f64>() < p_deal - 0.1 { Outcome::Partial } else { Outcome::Drift };
    let no_rival = if deal || rng.gen::<f64>() < 0.2 { Outcome::Partial } else { Outcome::Collapse };
    let strikes = rng.gen_range(0..4);
    JobRecord {
        run,
        record: RunRecord {
            outcome,
            rounds: if outcome == Outcome::Collapse { rng.gen_range(3..30) } else { 30 },
            first_step_round: first,
            steps_implemented: u32::from(deal) + u32::from(outcome == Outcome::Comprehensive) * 2,
            agreements: u32::from(deal),
            strikes,
            strikes_by_spoiler: vec![strikes],
            setbacks: rng.gen_range(0..5),
            kept_talking_after_setback: setback.then(|| rng.gen::<f64>() < 0.7),
            mediator_accepted: Some(rng.gen::<f64>() < 0.8),
            left: (outcome == Outcome::Collapse).then_some(1),
            final_trust: vec![vec![1.0, trust[0]], vec![trust[1], 1.0]],
            final_visibility: rng.gen(),
            discounted_utility: vec![rng.gen(), rng.gen()],
        },
        quantiles: q,
        counterfactuals: vec![direct, no_rival],
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
    let mut records = dir.records(bc_report::forecast::columns(&study.spec)).unwrap();
    let mut events = dir.events().unwrap();
    for i in shard.range(runs) {
        let row = synthetic_row(seed, i);
        records.write(&bc_report::forecast::cells(&study.spec, &row)).unwrap();
        if let Some(t) = row.record.first_step_round {
            events.write(&serde_json::json!({"run": i, "round": t, "event": "step_done"})).unwrap();
        }
        study.add(&row);
    }
    dir.finish(records, events, &study).unwrap()
}

pub fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("bc-report-it-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}
