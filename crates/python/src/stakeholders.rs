//! Stakeholder models for Python: KTAB's Spatial Model of Politics and the BDM/Scholz model on a
//! KTAB CSV/XML scenario or the embedded illustrative one, with the JSON of
//! `backchannel stakeholders --json` (built by `bc_stakeholders::json`, as the CLI's).

use std::path::Path;

use anyhow::{bail, Context as _, Result};
use bc_stakeholders::json::{bdm_json, smp_json};
use bc_stakeholders::read;
use bc_stakeholders::run::{Model, Run, Settings};
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
    let model = match o.model.as_str() {
        "smp" | "" => Model::Smp,
        "bdm" => Model::Bdm,
        other => bail!("model: expected \"smp\" or \"bdm\", found {other:?}"),
    };
    let settings = Settings { model, turns: o.turns, seed: o.seed, params: o.params.clone(), fix_quirks: o.fix_quirks };
    Ok(match bc_stakeholders::run::run(&scenario, &settings, str::to_string)? {
        Run::Smp(run) => smp_json(&scenario, &run, illustrative),
        Run::Bdm(run) => bdm_json(&scenario, &run, illustrative),
    })
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
