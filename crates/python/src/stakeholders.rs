//! Stakeholder models for Python: KTAB's Spatial Model of Politics and the BDM/Scholz model on a
//! KTAB CSV/XML scenario or the embedded illustrative one, with the JSON of
//! `backchannel stakeholders --json` (the same construction as the CLI's).

use std::path::Path;

use anyhow::{bail, Context as _, Result};
use bc_stakeholders::bdm::{self, BdmActor, BdmOptions, BdmRound};
use bc_stakeholders::prng::KTAB_DEFAULT_SEED;
use bc_stakeholders::smp::{self, RunOptions, SmpRun, Stop};
use bc_stakeholders::{read, Params, Scenario};
use serde_json::{json, Value as Json};

use crate::float;

const ILLUSTRATIVE: &str = "The numbers of the embedded scenario are illustrative: hand-set to show how the \
model works (each with its reason in crates/stakeholders/data/us_iran.xml), not estimates from data or experts.";

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
            let options = RunOptions { params, seed: o.seed.or(scenario.seed).unwrap_or(KTAB_DEFAULT_SEED), max_turns: o.turns.unwrap_or(smp::DEFAULT_MAX_TURNS) };
            let run = smp::run(&scenario, options)?;
            Ok(smp_json(&scenario, &run, illustrative))
        }
        "bdm" => bdm_json(&scenario, o, illustrative),
        other => bail!("model: expected \"smp\" or \"bdm\", found {other:?}"),
    }
}

fn bdm_json(scenario: &Scenario, o: &StakeholderOptions, illustrative: bool) -> Result<Json> {
    if !o.params.is_empty() {
        bail!("params sets SMP parameters; the BDM model has none (use fix_quirks for its options)");
    }
    let options = if o.fix_quirks { BdmOptions::default().corrected() } else { BdmOptions::default() };
    let rounds = o.turns.unwrap_or(10);
    let mut per_dim: Vec<Vec<BdmRound>> = Vec::new();
    for (d, dim) in scenario.dimensions.iter().enumerate() {
        let actors: Vec<BdmActor> = scenario
            .actors
            .iter()
            .map(|a| BdmActor { name: a.name.clone(), capability: a.capability, position: a.position[d], salience: a.salience[d] / 100.0 })
            .collect();
        per_dim.push(bdm::run(&actors, options, rounds).with_context(|| format!("dimension \"{dim}\""))?);
    }
    let na = scenario.num_actors();
    let pos = |t: usize, i: usize| -> Vec<f64> { per_dim.iter().map(|r| r[t].positions[i]).collect() };
    let medians = |t: usize| -> Vec<f64> { per_dim.iter().map(|r| r[t].median).collect() };
    let means = |t: usize| -> Vec<f64> { per_dim.iter().map(|r| r[t].mean).collect() };
    let quirks = if o.fix_quirks { "corrected" } else { "replication" };
    let mut m = scenario_json(scenario, illustrative);
    m.insert("model".into(), json!("bdm"));
    m.insert("parameters".into(), json!({"Q": float(options.q), "T": float(options.t), "quirks": quirks}));
    let actors: Vec<Json> = (0..na)
        .map(|i| json!({"name": scenario.actors[i].name, "positions": (0..=rounds).map(|t| floats(&pos(t, i))).collect::<Vec<_>>()}))
        .collect();
    m.insert("actors".into(), Json::Array(actors));
    m.insert("turns".into(), Json::Array((0..=rounds).map(|t| json!({"turn": t, "median": floats(&medians(t)), "mean": floats(&means(t))})).collect()));
    m.insert("forecast".into(), json!({"turn": rounds, "median": floats(&medians(rounds)), "mean": floats(&means(rounds))}));
    Ok(Json::Object(m))
}

fn quirks_label(params: &Params) -> &'static str {
    if params.quirk_gain_as_probability && params.quirk_initiator_capability {
        "reproduced (as KTAB)"
    } else {
        "corrected"
    }
}

fn floats(v: &[f64]) -> Json {
    Json::Array(v.iter().map(|&x| float(x)).collect())
}

fn scenario_json(scenario: &Scenario, illustrative: bool) -> serde_json::Map<String, Json> {
    let mut m = serde_json::Map::new();
    m.insert("scenario".into(), json!(scenario.name));
    m.insert("description".into(), json!(scenario.description));
    m.insert("illustrative".into(), json!(illustrative));
    if illustrative {
        m.insert("note".into(), json!(ILLUSTRATIVE));
    }
    m.insert("dimensions".into(), json!(scenario.dimensions));
    m
}

fn smp_json(scenario: &Scenario, run: &SmpRun, illustrative: bool) -> Json {
    let p = &run.options.params;
    let mut m = scenario_json(scenario, illustrative);
    m.insert("model".into(), json!("smp"));
    let mut params: serde_json::Map<String, Json> = p.named().iter().map(|(k, v)| ((*k).to_string(), json!(v))).collect();
    params.insert("quirks".into(), json!(if quirks_label(p) == "corrected" { "corrected" } else { "ktab" }));
    m.insert("parameters".into(), Json::Object(params));
    m.insert("seed".into(), json!(run.options.seed));
    let actors: Vec<Json> = scenario
        .actors
        .iter()
        .enumerate()
        .map(|(i, a)| {
            json!({
                "name": a.name,
                "description": a.description,
                "capability": float(a.capability),
                "salience": floats(&a.salience),
                "positions": run.states.iter().map(|s| floats(&s.positions[i].iter().map(|x| x * 100.0).collect::<Vec<_>>())).collect::<Vec<_>>(),
                "win_probabilities": run.states.iter().map(|s| float(s.win_prob[i])).collect::<Vec<_>>(),
                "risk_attitudes": run.states.iter().map(|s| float(s.risk[i])).collect::<Vec<_>>(),
            })
        })
        .collect();
    m.insert("actors".into(), Json::Array(actors));
    let turns: Vec<Json> = run
        .states
        .iter()
        .enumerate()
        .map(|(t, s)| {
            let turn = t.checked_sub(1).and_then(|k| run.turns.get(k));
            json!({
                "turn": t,
                "win_probabilities": floats(&s.win_prob),
                "fractional_change": turn.map_or(Json::Null, |r| float(r.fractional_change)),
                "challenges": turn.map_or(Json::Null, |r| Json::Array(r.challenges.iter().enumerate().filter_map(|(i, c)| {
                    c.map(|c| json!({"initiator": scenario.actors[i].name, "target": scenario.actors[c.target].name,
                        "probability": float(c.probability), "gain": float(c.gain)}))
                }).collect())),
            })
        })
        .collect();
    m.insert("turns".into(), Json::Array(turns));
    m.insert("stop".into(), json!(match run.stop { Stop::Converged => "converged", Stop::MaxTurns => "max_turns" }));
    let f = run.forecast();
    m.insert(
        "forecast".into(),
        json!({
            "turn": run.turns.len(),
            "most_likely": {
                "position": floats(&f.most_likely),
                "probability": float(f.most_likely_probability),
                "holders": f.most_likely_holders.iter().map(|&i| scenario.actors[i].name.clone()).collect::<Vec<_>>(),
            },
            "expected_position": floats(&f.expected),
        }),
    );
    Json::Object(m)
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
        let e = stakeholders(None, &StakeholderOptions { model: "smp".into(), params: vec![("Nope".into(), "1".into())], ..Default::default() }).unwrap_err();
        assert!(e.to_string().contains("Nope"));
    }
}
