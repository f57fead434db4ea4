//! Stakeholder models for Python: KTAB's Spatial Model of Politics and the BDM/Scholz model on a
//! KTAB CSV/XML scenario or the embedded illustrative one, with the JSON of
//! `backchannel stakeholders --json` (built by `bc_stakeholders::json`, as the CLI's).

use std::path::Path;

use anyhow::{bail, Context as _, Result};
use bc_stakeholders::bdm::{self, BdmOptions, BdmRound};
use bc_stakeholders::json::{bdm_actors, bdm_json, smp_json, BdmScenarioRun};
use bc_stakeholders::prng::KTAB_DEFAULT_SEED;
use bc_stakeholders::smp::{self, RunOptions};
use bc_stakeholders::{read, StakeholderScenario};
use serde_json::Value as Json;

/// What `stakeholders` is asked for (the CLI's flags).
#[derive(Clone, Debug, Default)]
pub struct StakeholderOptions {
    /// `"smp"` (default) or `"bdm"`.
    pub model: String,
    /// Most turns (SMP, default 100) or rounds (BDM, default 10).
    pub turns: Option<usize>,
    /// Seed of KTAB's generator.
    pub seed: Option<u64>,
    /// SMP parameters by their KTAB XML names.
    pub params: Vec<(String, String)>,
    /// Correct the reference implementations' quirks.
    pub fix_quirks: bool,
}

/// Runs a stakeholder model on `file` (the embedded scenario when `None`): the JSON of
/// `backchannel stakeholders --json`.
pub fn stakeholders(file: Option<&Path>, o: &StakeholderOptions) -> Result<Json> {
    let (scenario, illustrative) = match file {
        Some(path) => (read::load(path)?, false),
        None => (bc_stakeholders::us_iran().context("the embedded scenario")?, true),
    };
    if o.turns == Some(0) {
        bail!("turns: expected at least 1, found 0");
    }
    if let Some(t) = o.turns {
        bc_io::limits::TURNS.check(t as u64, "turns")?;
    }
    match o.model.as_str() {
        "smp" | "" => {
            let mut params = scenario.params.unwrap_or_default();
            for (name, value) in &o.params {
                let names = bc_stakeholders::params::PARAM_NAMES;
                if !names.contains(&name.trim()) {
                    bail!("params: expected a parameter name (one of {}), found {:?}", names.join(", "), name.trim());
                }
                params.set(name, value).map_err(|expected| anyhow::anyhow!("params {name}: expected {expected}, found {value:?}"))?;
            }
            if o.fix_quirks {
                params = params.corrected();
            }
            let options = RunOptions {
                params,
                seed: o.seed.or(scenario.seed).unwrap_or(KTAB_DEFAULT_SEED),
                max_turns: o.turns.unwrap_or(smp::DEFAULT_MAX_TURNS),
            };
            let run = smp::run(&scenario, options)?;
            Ok(smp_json(&scenario, &run, illustrative))
        }
        "bdm" => run_bdm(&scenario, o, illustrative),
        other => bail!("model: expected \"smp\" or \"bdm\", found {other:?}"),
    }
}

fn run_bdm(scenario: &StakeholderScenario, o: &StakeholderOptions, illustrative: bool) -> Result<Json> {
    if !o.params.is_empty() {
        bail!("params sets SMP parameters; the BDM model has none (use fix_quirks for its options)");
    }
    let options = if o.fix_quirks { BdmOptions::default().corrected() } else { BdmOptions::default() };
    let rounds = o.turns.unwrap_or(10);
    let mut per_dimension: Vec<Vec<BdmRound>> = Vec::new();
    for (d, dim) in scenario.dimensions.iter().enumerate() {
        per_dimension.push(bdm::run(&bdm_actors(scenario, d), options, rounds).with_context(|| format!("dimension \"{dim}\""))?);
    }
    Ok(bdm_json(scenario, &BdmScenarioRun { per_dimension, rounds, options }, illustrative))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_models_run_on_the_embedded_scenario() {
        let smp = stakeholders(None, &StakeholderOptions { model: "smp".into(), ..Default::default() }).unwrap();
        assert_eq!(smp["model"], "smp");
        assert!(smp["turns"].as_array().unwrap().len() >= 2);
        let bdm = stakeholders(None, &StakeholderOptions { model: "bdm".into(), turns: Some(3), ..Default::default() }).unwrap();
        assert_eq!(bdm["turns"].as_array().unwrap().len(), 4);
        let e = stakeholders(
            None,
            &StakeholderOptions { model: "smp".into(), params: vec![("Nope".into(), "1".into())], ..Default::default() },
        )
        .unwrap_err();
        assert!(e.to_string().contains("Nope"));
    }
}
