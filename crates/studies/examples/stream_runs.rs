//! Streams N synthetic forecast runs into a run directory (`stream_runs N DIR`): used by
//! `scripts/report_memory.sh` to show that peak memory does not grow with the number of runs.

use bc_diplomacy::forecast::{Aggregate, Brief, CounterfactualSpec, ForecastSpec, JobRecord};
use bc_diplomacy::{Outcome, RunRecord};
use bc_engine::Shard;
use bc_report::manifest::Manifest;
use bc_report::rundir::RunDir;
use rand::Rng;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(n), Some(out)) = (args.get(1), args.get(2)) else {
        return Err("usage: stream_runs N DIR".into());
    };
    let n: u64 = n.parse()?;
    let spec = ForecastSpec {
        scenario: "synthetic".into(),
        variant: None,
        source: "stream_runs".into(),
        round_unit: "week".into(),
        horizon: 104,
        parties: vec!["A".into(), "B".into()],
        party_names: vec!["Party A".into(), "Party B".into()],
        mediator: Some("M".into()),
        uncertain: (0..8).map(|k| format!("p{k}")).collect(),
        counterfactuals: vec![CounterfactualSpec { id: "direct".into(), label: "mediated − direct".into(), scenario_first: true }],
        illustrative: true,
        seed: 1,
        swing_every: 20,
        setback_window: 8,
    };
    let dir = RunDir::create(std::path::Path::new(out), Manifest::start("run", n, Shard::ALL))?;
    let mut study = Aggregate::new(spec, true);
    let mut records = dir.records(bc_studies::forecast::columns(&study.spec))?;
    let mut events = dir.events()?;
    for i in 0..n {
        let mut rng = bc_engine::rng_for(1, i);
        let outcome = Outcome::ALL[rng.gen_range(0..5)];
        let standing = match outcome {
            Outcome::Comprehensive => 4,
            Outcome::Partial | Outcome::BreakdownAfterProgress => rng.gen_range(1..4),
            _ => 0,
        };
        let brief = |o: Outcome, share: f64| Brief {
            outcome: o,
            indicators: [share.min(1.0).ceil(), share, 0.0, 0.0, 0.0],
            utility: vec![0.5, 0.5],
        };
        let t: f64 = rng.gen();
        let strikes = rng.gen_range(0..3);
        let row = JobRecord {
            run: i,
            record: RunRecord {
                outcome,
                rounds: 104,
                at_least_one_step: standing > 0,
                agenda_share: f64::from(standing) / 4.0,
                steps_standing: standing,
                first_step_round: outcome.has_progress().then(|| rng.gen_range(0..104)),
                steps_implemented: standing,
                reversals: 0,
                withdrawals: 0,
                agreements: standing,
                strikes,
                strikes_by_spoiler: vec![strikes],
                setbacks: 1,
                kept_talking_after_setback: Some(rng.gen()),
                rounds_to_resume: Some(1),
                concrete_signals: rng.gen(),
                mediator_accepted: Some(rng.gen()),
                rejected_round: None,
                left: matches!(outcome, Outcome::BreakdownAfterProgress | Outcome::Collapse).then_some(1),
                final_trust: vec![vec![1.0, t], vec![1.0 - t, 1.0]],
                final_visibility: rng.gen(),
                discounted_utility: vec![rng.gen(), rng.gen()],
            },
            quantiles: (0..8).map(|_| rng.gen()).collect(),
            counterfactuals: vec![brief(Outcome::Drift, 0.0)],
            swings: if i.is_multiple_of(20) {
                (0..8).map(|k| [brief(Outcome::Drift, 0.0), brief(Outcome::Partial, 0.25 * (k % 4) as f64)]).collect()
            } else {
                Vec::new()
            },
            trust_path: (0..=104).flat_map(|k| [t * k as f64 / 104.0, 1.0 - t]).collect(),
        };
        records.write(&bc_studies::forecast::cells(&study.spec, &row))?;
        events.write(&serde_json::json!({"run": i, "event": "end", "outcome": outcome.name()}))?;
        study.add(&row);
    }
    dir.finish(records, events, &bc_studies::Stats(study))?;
    Ok(())
}
