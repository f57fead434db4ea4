//! The JSON of a stakeholder run, as `backchannel stakeholders --json` prints it and the Python
//! module returns it: the scenario, the parameters, each actor's path and each turn (SMP) or
//! round (BDM), and the forecast outcome.

use bc_formats::json::{float, floats};
use serde_json::{json, Map, Value as Json};

use crate::bdm::{BdmActor, BdmOptions, BdmRound};
use crate::smp::{SmpRun, Stop};
use crate::{Params, StakeholderScenario};

/// The note that goes with the embedded scenario's results.
pub const ILLUSTRATIVE: &str = "The numbers of the embedded scenario are illustrative: hand-set to show how the \
model works (each with its reason in crates/stakeholders/data/us_iran.xml), not estimates from data or experts.";

/// How an SMP run treats KTAB's two quirks, in words.
pub fn quirks_label(params: &Params) -> &'static str {
    if params.quirk_gain_as_probability && params.quirk_initiator_capability {
        "reproduced (as KTAB)"
    } else {
        "corrected"
    }
}

fn scenario_json(scenario: &StakeholderScenario, illustrative: bool) -> Map<String, Json> {
    let mut m = Map::new();
    m.insert("scenario".into(), json!(scenario.name));
    m.insert("description".into(), json!(scenario.description));
    m.insert("illustrative".into(), json!(illustrative));
    if illustrative {
        m.insert("note".into(), json!(ILLUSTRATIVE));
    }
    m.insert("dimensions".into(), json!(scenario.dimensions));
    m
}

/// An SMP run on `scenario` (`illustrative`: the embedded scenario, whose note is included).
pub fn smp_json(scenario: &StakeholderScenario, run: &SmpRun, illustrative: bool) -> Json {
    let p = &run.options.params;
    let mut m = scenario_json(scenario, illustrative);
    m.insert("model".into(), json!("smp"));
    let mut params: Map<String, Json> = p.named().iter().map(|(k, v)| ((*k).to_string(), json!(v))).collect();
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
    m.insert(
        "stop".into(),
        json!(match run.stop {
            Stop::Converged => "converged",
            Stop::MaxTurns => "max_turns",
        }),
    );
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

/// The BDM model's actors on dimension `d` of `scenario` (saliences from KTAB's 0–100 scale to
/// the model's 0–1).
pub fn bdm_actors(scenario: &StakeholderScenario, d: usize) -> Vec<BdmActor> {
    scenario
        .actors
        .iter()
        .map(|a| BdmActor { name: a.name.clone(), capability: a.capability, position: a.position[d], salience: a.salience[d] / 100.0 })
        .collect()
}

/// The BDM model run on each dimension of a scenario separately: every round of every dimension.
#[derive(Clone, Debug)]
pub struct BdmScenarioRun {
    /// The rounds of each dimension (`rounds + 1` each: round 0 is the start).
    pub per_dimension: Vec<Vec<BdmRound>>,
    /// The number of rounds run.
    pub rounds: usize,
    /// The options of the runs.
    pub options: BdmOptions,
}

impl BdmScenarioRun {
    /// Actor `i`'s position on every dimension after round `t`.
    pub fn positions(&self, t: usize, i: usize) -> Vec<f64> {
        self.per_dimension.iter().map(|r| r[t].positions[i]).collect()
    }

    /// The weighted median of every dimension after round `t`.
    pub fn medians(&self, t: usize) -> Vec<f64> {
        self.per_dimension.iter().map(|r| r[t].median).collect()
    }

    /// The weighted mean of every dimension after round `t`.
    pub fn means(&self, t: usize) -> Vec<f64> {
        self.per_dimension.iter().map(|r| r[t].mean).collect()
    }

    /// The quirks, in words: `"replication"` or `"corrected"`.
    pub fn quirks(&self) -> &'static str {
        let o = &self.options;
        if o.scholz_normaliser && o.capitulation_typo && o.compromise_key {
            "replication"
        } else {
            "corrected"
        }
    }
}

/// A BDM run on `scenario` (`illustrative`: the embedded scenario, whose note is included).
pub fn bdm_json(scenario: &StakeholderScenario, run: &BdmScenarioRun, illustrative: bool) -> Json {
    let rounds = run.rounds;
    let mut m = scenario_json(scenario, illustrative);
    m.insert("model".into(), json!("bdm"));
    m.insert("parameters".into(), json!({"Q": float(run.options.q), "T": float(run.options.t), "quirks": run.quirks()}));
    let actors: Vec<Json> = (0..scenario.num_actors())
        .map(|i| json!({"name": scenario.actors[i].name, "positions": (0..=rounds).map(|t| floats(&run.positions(t, i))).collect::<Vec<_>>()}))
        .collect();
    m.insert("actors".into(), Json::Array(actors));
    m.insert(
        "turns".into(),
        Json::Array((0..=rounds).map(|t| json!({"turn": t, "median": floats(&run.medians(t)), "mean": floats(&run.means(t))})).collect()),
    );
    m.insert("forecast".into(), json!({"turn": rounds, "median": floats(&run.medians(rounds)), "mean": floats(&run.means(rounds))}));
    Json::Object(m)
}
