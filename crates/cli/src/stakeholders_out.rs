//! `backchannel stakeholders --out DIR`: a stakeholder run written as a run directory (one
//! record per actor and turn, the aggregates, and a report with each dimension's position
//! history). One deterministic run: `--shard` does not apply.

use std::path::Path;

use anyhow::Result;
use bc_report::manifest::{Manifest, ScenarioId};
use bc_report::rundir::RunDir;
use bc_report::stakeholders::{ActorInfo, StakeholderStudy};
use bc_stakeholders::smp::SmpRun;
use bc_stakeholders::StakeholderScenario;

use crate::scale::ScaleArgs;

/// An error for flags that do not apply to a single deterministic run.
pub fn check(scale: &ScaleArgs) -> Result<()> {
    if scale.shard != bc_engine::Shard::ALL {
        anyhow::bail!("--shard {}: a stakeholder run is one deterministic run and is not sharded (expected 0/1)", scale.shard);
    }
    if scale.dry_run {
        anyhow::bail!(
            "--dry-run: a stakeholder run is a single run (its cost is the run itself); --dry-run applies to run, tournament and sweep"
        );
    }
    Ok(())
}

fn actors(s: &StakeholderScenario) -> Vec<ActorInfo> {
    s.actors.iter().map(|a| ActorInfo { name: a.name.clone(), capability: a.capability, salience: a.salience.clone() }).collect()
}

fn write(out: &Path, study: &StakeholderStudy, file: Option<&Path>, seed: Option<u64>) -> Result<()> {
    let mut m = Manifest::start("stakeholders", 1, bc_engine::Shard::ALL);
    m.seed = seed;
    let bytes = match file {
        Some(p) => bc_io::read::read_bytes(p)?,
        None => bc_stakeholders::US_IRAN_XML.as_bytes().to_vec(),
    };
    m.scenario = Some(ScenarioId::new(file.map_or_else(|| "embedded us_iran.xml".to_string(), |p| p.display().to_string()), &bytes));
    m.threads = 1;
    let dir = RunDir::create(out, m)?;
    let mut records = dir.records(study.columns())?;
    for row in study.rows() {
        records.write(&row)?;
    }
    let events = dir.events()?;
    dir.finish(records, events, study)?;
    Ok(())
}

/// Writes an SMP run.
pub fn smp(out: &Path, s: &StakeholderScenario, run: &SmpRun, file: Option<&Path>, illustrative: bool) -> Result<()> {
    let study = StakeholderStudy {
        scenario: s.name.clone(),
        model: "smp".into(),
        dimensions: s.dimensions.clone(),
        actors: actors(s),
        positions: run.states.iter().map(|st| st.positions.iter().map(|p| p.iter().map(|x| x * 100.0).collect()).collect()).collect(),
        win_probabilities: run.states.iter().map(|st| st.win_prob.clone()).collect(),
        forecast: run.forecast().most_likely,
        illustrative,
    };
    write(out, &study, file, Some(run.options.seed))
}

/// Writes a BDM run: `positions[turn][actor][dimension]` and the weighted medians as forecast.
pub fn bdm(
    out: &Path,
    s: &StakeholderScenario,
    positions: Vec<Vec<Vec<f64>>>,
    forecast: Vec<f64>,
    file: Option<&Path>,
    illustrative: bool,
) -> Result<()> {
    let study = StakeholderStudy {
        scenario: s.name.clone(),
        model: "bdm".into(),
        dimensions: s.dimensions.clone(),
        actors: actors(s),
        positions,
        win_probabilities: Vec::new(),
        forecast,
        illustrative,
    };
    write(out, &study, file, None)
}
