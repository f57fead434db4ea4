//! Negotiations for Python: one negotiation with the JSON of `backchannel negotiate --json` and
//! every event (the `--trace` JSON Lines, as objects), and a single strategy driven from outside
//! (a NegMAS negotiator asks it for offers and answers, turn by turn).

use std::sync::Arc;

use anyhow::{bail, Context as _, Result};
use bc_engine::rng_for;
use bc_model::{analyze, Options};
use bc_protocol::{ProtocolKind, Source};
use bc_strategy::{play, Budget, Context, Negotiator, Plan, Response, Side, Spec};
use bc_tournament::negotiation::{mediator_name, party_utilities, NegotiationReport};
use serde_json::Value as Json;

use crate::domain::Domain;

/// What `negotiate` is asked for (the CLI's flags).
#[derive(Clone, Debug)]
pub struct NegotiateOptions {
    /// One agent specification per party (`boulware`, `tb:e=2.5`, ...).
    pub agents: Vec<String>,
    /// `sao`, `single-text`, `relay` or `confidential`.
    pub protocol: String,
    /// The mediator of a mediated protocol.
    pub mediator: Option<String>,
    /// The profile of each party (default 0, 1, ...).
    pub profiles: Option<Vec<usize>>,
    /// Round limit.
    pub steps: u64,
    /// Seed of random agents and mediators.
    pub seed: u64,
}

/// Parses a protocol name (as `--protocol`).
pub fn parse_protocol(name: &str) -> Result<ProtocolKind> {
    Ok(bc_tournament::negotiation::parse_protocol(name)?)
}

/// Parses agent specifications.
pub fn parse_agents(list: &[String]) -> Result<Vec<Spec>> {
    let specs: Vec<Spec> = list.iter().map(|s| s.parse::<Spec>()).collect::<Result<_, _>>().context("agents")?;
    if specs.is_empty() {
        bail!("agents: expected a list of agents, found none");
    }
    Ok(specs)
}

/// The agents and mediators the registry knows, as `(name, description, parameters)`.
pub fn agent_names() -> Vec<(String, String, Vec<String>)> {
    bc_strategy::registry::AGENTS
        .iter()
        .map(|a| (a.name.to_string(), a.about.to_string(), a.params.iter().map(|p| p.to_string()).collect()))
        .collect()
}

/// One event as the CLI's `--trace` writes it.
pub use bc_tournament::negotiation::event_json;

/// Runs one negotiation: `(the JSON of negotiate --json, every event as the --trace objects)`.
pub fn negotiate(d: &Domain, o: &NegotiateOptions) -> Result<(Json, Vec<Json>)> {
    let protocol = parse_protocol(&o.protocol)?;
    let agents = parse_agents(&o.agents)?;
    let mediator: Option<Spec> = o.mediator.as_deref().map(str::parse).transpose().context("mediator")?;
    bc_tournament::negotiation::check_settings(protocol, &agents, mediator.as_ref(), o.steps)?;
    let scenario = &d.scenario;
    let profiles = match &o.profiles {
        Some(p) => {
            if p.len() != agents.len() {
                bail!("profiles: expected one profile per agent ({}), found {}", agents.len(), p.len());
            }
            d.profile_indices(Some(p))?
        }
        None => {
            if scenario.parties.len() < agents.len() {
                bail!(
                    "{}: {} agents need {} profiles but the domain has {}; name the profile of each party with profiles=[...]",
                    scenario.domain_file.display(),
                    agents.len(),
                    agents.len(),
                    scenario.parties.len()
                );
            }
            (0..agents.len()).collect()
        }
    };
    let space = Arc::new(scenario.space.clone());
    let sides: Vec<Arc<Side>> =
        profiles.iter().map(|p| Side::new(space.clone(), scenario.parties[*p].clone()).map(Arc::new)).collect::<Result<_, _>>()?;
    let plan =
        Plan { protocol, agents: &agents, mediator: mediator.as_ref(), n_steps: o.steps, keep_events: true, budget: Budget::default() };
    let seed = o.seed;
    let record = play(&plan, &sides, &mut |k| rng_for(seed, k as u64))
        .with_context(|| format!("negotiating on {}", scenario.domain_file.display()))?;
    let used: Vec<&bc_model::Preferences> = profiles.iter().map(|p| &scenario.parties[*p]).collect();
    let analysis = analyze(&space, &used, Options::default()).ok();
    let utils = party_utilities(&sides, &record, o.steps, analysis.as_ref());
    let distances = analysis.as_ref().map(|a| a.distances(&utils));
    let mediator_name = mediator_name(protocol, mediator.as_ref());
    let report = NegotiationReport {
        space: &space,
        protocol,
        mediator: &mediator_name,
        agents: &agents,
        profiles: profiles.iter().map(|p| scenario.parties[*p].name.clone()).collect(),
        n_steps: o.steps,
        seed: o.seed,
        semantics: &d.semantics,
        ignore_discount: d.ignore_discount,
        record: &record,
        utils: &utils,
        analysis: analysis.as_ref(),
    };
    let j = report.json(distances);
    let events = record.events.iter().map(|e| event_json(&space, e)).collect();
    Ok((j, events))
}

/// One strategy of the registry, driven from outside one decision at a time (NegMAS's
/// `SAOMechanism` through `backchannel.negmas.BackchannelNegotiator`). It decides exactly as in
/// `negotiate`: same construction, same generator (`rng_for(seed, party)`), same contexts.
pub struct Agent {
    agent: Box<dyn Negotiator>,
    /// The party's position.
    pub me: usize,
    /// Number of parties.
    pub n_parties: usize,
    /// Round limit.
    pub n_steps: u64,
}

/// An answer of [`Agent::respond`].
pub fn response_name(r: Response) -> &'static str {
    match r {
        Response::Accept => "accept",
        Response::Reject => "reject",
        Response::End => "end",
    }
}

impl Agent {
    /// Builds agent `spec` for profile `profile` of `d`, sitting at position `me` of
    /// `n_parties` in an SAO negotiation of `n_steps` rounds, seeded as party `me` of
    /// `negotiate --seed seed`.
    pub fn new(d: &Domain, profile: usize, spec: &str, me: usize, n_parties: usize, n_steps: u64, seed: u64) -> Result<Agent> {
        let spec: Spec = spec.parse().context("agent")?;
        bc_strategy::check_agent(&spec, ProtocolKind::Sao).context("agent")?;
        let k = d.profile_indices(Some(&[profile]))?[0];
        if me >= n_parties {
            bail!("agent: position {me} is not among {n_parties} parties");
        }
        if n_steps == 0 {
            bail!("steps: expected at least 1 round, found 0");
        }
        let space = Arc::new(d.scenario.space.clone());
        let side = Arc::new(Side::new(space, d.scenario.parties[k].clone())?);
        let rng = rng_for(seed, me as u64);
        let agent = bc_strategy::build_agent(&spec, side, ProtocolKind::Sao, rng)?;
        Ok(Agent { agent, me, n_parties, n_steps })
    }

    fn ctx(&self, step: u64) -> Context {
        Context {
            me: self.me,
            n_parties: self.n_parties,
            step,
            n_steps: self.n_steps,
            relative_time: bc_protocol::relative_time(step, self.n_steps),
        }
    }

    /// The offer to make at round `step` (`None`: no offer, which ends an SAO negotiation).
    pub fn propose(&mut self, step: u64) -> Option<u64> {
        let c = self.ctx(step);
        self.agent.propose(&c)
    }

    /// The answer at round `step` to `offer` made by party `from`.
    pub fn respond(&mut self, step: u64, offer: u64, from: usize) -> Response {
        let c = self.ctx(step);
        self.agent.respond(&c, offer, Source::Party(from))
    }

    /// Another party's offer, made at round `step`, became known.
    pub fn observe(&mut self, step: u64, offer: u64, from: usize) {
        if self.agent.observes() {
            let c = self.ctx(step);
            self.agent.observe(&c, Source::Party(from), offer);
        }
    }

    /// The strategy's name.
    pub fn name(&self) -> String {
        self.agent.name().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bc_tournament::negotiation::outcome_names as names;
    use serde_json::json;
    use std::path::PathBuf;

    fn domain(name: &str) -> Domain {
        Domain::load(&[PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/genius").join(name)], "negmas", true).unwrap()
    }

    /// Two agents driven one decision at a time under SAO's rules give negotiate's trace.
    #[test]
    fn driven_agents_reproduce_negotiate() {
        let d = domain("LaptopB");
        let o = NegotiateOptions {
            agents: vec!["boulware".into(), "micro".into()],
            protocol: "sao".into(),
            mediator: None,
            profiles: None,
            steps: 100,
            seed: 3,
        };
        let (j, events) = negotiate(&d, &o).unwrap();
        assert!(!events.is_empty());
        let mut a = [Agent::new(&d, 0, "boulware", 0, 2, 100, 3).unwrap(), Agent::new(&d, 1, "micro", 1, 2, 100, 3).unwrap()];
        let mut trace = Vec::new();
        let mut current: Option<(u64, usize)> = None;
        let mut agreement = None;
        'rounds: for step in 0..100u64 {
            for i in 0..2 {
                let offer = match current {
                    Some((offer, from)) if from != i => match a[i].respond(step, offer, from) {
                        Response::Accept => {
                            agreement = Some(offer);
                            break 'rounds;
                        }
                        Response::End => break 'rounds,
                        Response::Reject => a[i].propose(step),
                    },
                    _ => a[i].propose(step),
                };
                let Some(offer) = offer else { break 'rounds };
                trace.push(json!({"step": step, "proposer": i, "outcome": names(&d.scenario.space, offer)}));
                a[1 - i].observe(step, offer, i);
                current = Some((offer, i));
            }
        }
        assert_eq!(Json::Array(trace), j["trace"]);
        assert_eq!(agreement, j["agreement_index"].as_u64());
    }

    #[test]
    fn unknown_agents_and_protocols_are_named() {
        let d = domain("Travel");
        let mut o = NegotiateOptions {
            agents: vec!["boulware".into(), "nobody".into()],
            protocol: "sao".into(),
            mediator: None,
            profiles: None,
            steps: 10,
            seed: 0,
        };
        assert!(crate::message(&negotiate(&d, &o).unwrap_err()).contains("nobody"));
        o.agents[1] = "conceder".into();
        o.protocol = "auction".into();
        assert!(crate::message(&negotiate(&d, &o).unwrap_err()).contains("auction"));
    }
}
