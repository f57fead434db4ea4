//! The model bargains through the negotiation library: every agent of `bc-strategy` can play a
//! party and every mediator strategy its protocol, runs stay reproducible, and the choice of
//! agent and mediator reaches the outcome.

use std::path::Path;

use bc_diplomacy::forecast::{self, Options};
use bc_diplomacy::sim::{simulate, NoTrace};
use bc_diplomacy::{Draws, Scenario};

const US: &str = "strategy = { kind = \"time_based\", exponent = 2.0, rounds = { dist = \"uniform\", low = 8, high = 26 } }";
const IRAN: &str = "strategy = { kind = \"time_based\", exponent = 1.5, rounds = { dist = \"uniform\", low = 6, high = 20 } }";
const PROTOCOL: &str = "protocol = \"confidential\"";

/// The default scenario with both parties' strategies and the mediator's protocol and strategy
/// replaced.
fn scenario(us: &str, iran: &str, protocol: &str, mediator: &str) -> Scenario {
    let text = bc_diplomacy::scenario::DEFAULT_TOML
        .replacen(US, &format!("strategy = {us}"), 1)
        .replacen(IRAN, &format!("strategy = {iran}"), 1)
        .replacen(PROTOCOL, &format!("protocol = \"{protocol}\""), 1)
        .replacen("strategy = { kind = \"nash\" }", &format!("strategy = {{ kind = \"{mediator}\" }}"), 1);
    Scenario::from_str(&text, "agents.toml", Path::new(".")).unwrap_or_else(|e| panic!("{e}"))
}

fn agreements(s: &Scenario, runs: u64) -> u32 {
    (0..runs)
        .map(|run| {
            let streams = Draws::from_rng(&mut bc_engine::rng_for(5, run));
            let (model, _) = s.sample(&streams);
            simulate(&model, &streams, &mut NoTrace).agreements
        })
        .sum()
}

#[test]
fn every_agent_plays_every_protocol() {
    let agents = bc_strategy::registry::AGENTS.iter().filter(|a| !a.voter_only).map(|a| a.name);
    let mediators = [
        ("relay", "pass"),
        ("relay", "discipline"),
        ("relay", "bridge"),
        ("single_text", "flip"),
        ("single_text", "hill-climbing"),
        ("confidential", "nash"),
    ];
    for (k, agent) in agents.enumerate() {
        let (protocol, mediator) = mediators[k % mediators.len()];
        let us = format!("{{ kind = \"{agent}\", rounds = 12 }}");
        let s = scenario(&us, "{ kind = \"conceder\", rounds = 12 }", protocol, mediator);
        let f = forecast::forecast(&s, &Options { runs: 40, seed: 1, threads: 1, counterfactuals: true, swing_every: 0 }, |_| {})
            .unwrap_or_else(|e| panic!("{agent} via {protocol}/{mediator}: {e}"));
        let o = &f.outcomes;
        let total =
            o.comprehensive.estimate + o.partial.estimate + o.breakdown_after_progress.estimate + o.collapse.estimate + o.drift.estimate;
        assert!((total - 1.0).abs() < 1e-9 && f.runs == 40, "{agent}: {o:?}");
    }
}

#[test]
fn the_agents_and_mediators_chosen_are_the_ones_that_play() {
    // Two hard-headed parties never concede, so they never agree on anything (their best
    // packages differ on every step), whatever the protocol.
    for (protocol, mediator) in [("relay", "pass"), ("confidential", "nash"), ("single_text", "flip")] {
        let hard = scenario("{ kind = \"hardheaded\" }", "{ kind = \"hardheaded\" }", protocol, mediator);
        assert_eq!(agreements(&hard, 60), 0, "{protocol}/{mediator}");
    }
    // Conceders do agree, through each protocol.
    for (protocol, mediator) in [("relay", "pass"), ("confidential", "nash"), ("single_text", "hill-climbing")] {
        let soft = scenario("{ kind = \"conceder\", rounds = 10 }", "{ kind = \"conceder\", rounds = 10 }", protocol, mediator);
        assert!(agreements(&soft, 60) > 30, "{protocol}/{mediator}");
    }
    // The confidential mediator's objective is the one it was given: over 200 runs the Nash and
    // the welfare mediators propose different packages somewhere.
    let nash = scenario("{ kind = \"linear\", rounds = 10 }", "{ kind = \"linear\", rounds = 10 }", "confidential", "nash");
    let welfare = scenario("{ kind = \"linear\", rounds = 10 }", "{ kind = \"linear\", rounds = 10 }", "confidential", "welfare");
    let differ = (0..200).any(|run| {
        let streams = Draws::from_rng(&mut bc_engine::rng_for(9, run));
        let (a, _) = nash.sample(&streams);
        let (b, _) = welfare.sample(&streams);
        simulate(&a, &streams, &mut NoTrace) != simulate(&b, &streams, &mut NoTrace)
    });
    assert!(differ);
}

#[test]
fn stateful_agents_are_reproducible_whatever_the_threads() {
    let s = scenario("{ kind = \"micro\", rounds = 12 }", "{ kind = \"tft-relative\", rounds = 12 }", "single_text", "annealing");
    let run = |threads| {
        let f = forecast::forecast(&s, &Options { runs: 300, seed: 4, threads, counterfactuals: true, swing_every: 0 }, |_| {})
            .unwrap_or_else(|e| panic!("{e}"));
        serde_json::to_string(&f).unwrap_or_default()
    };
    let one = run(1);
    assert_eq!(one, run(2));
    assert_eq!(one, run(3));
}
