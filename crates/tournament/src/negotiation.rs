//! One negotiation's result as the command-line tool (`negotiate --json`, `--trace`) and the
//! Python module report it: each party's utility, the reason it ended, the offers, every event
//! as JSON.

use bc_formats::json::float;
use bc_model::{Analysis, Distances, OutcomeSpace};
use bc_protocol::{Actor, Ending, Event, ProtocolKind, Source};
use bc_strategy::{agreement_utility, Record, Side, Spec};
use serde_json::{json, Value as Json};

use crate::{Error, ErrorKind};

/// The longest negotiation run with its whole trace kept in memory (`negotiate`, the Python
/// module).
pub const MAX_STEPS: u64 = 10_000_000;

/// A protocol by name: `sao`, `single-text` (or `single_text`, `singletext`), `relay`,
/// `confidential`, in any case. An error names the setting `protocol`.
pub fn parse_protocol(name: &str) -> Result<ProtocolKind, Error> {
    Ok(match name.trim().to_ascii_lowercase().as_str() {
        "sao" => ProtocolKind::Sao,
        "single-text" | "single_text" | "singletext" => ProtocolKind::SingleText,
        "relay" => ProtocolKind::Relay,
        "confidential" => ProtocolKind::Confidential,
        other => return Err(Error::setting("protocol", "one of sao, single-text, relay, confidential", format!("{other:?}"))),
    })
}

/// Checks one negotiation's settings as `negotiate` and the Python module need them: at least
/// two agents, each able to play `protocol`; 1 to [`MAX_STEPS`] rounds; a mediator only under a
/// mediated protocol, and one that protocol has. An error names the setting (`agents`, `steps`,
/// `mediator`).
pub fn check_settings(protocol: ProtocolKind, agents: &[Spec], mediator: Option<&Spec>, steps: u64) -> Result<(), Error> {
    if agents.len() < 2 {
        let list = agents.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(",");
        return Err(Error::setting("agents", "at least 2 agents (one per party)", format!("{} ({list})", agents.len())));
    }
    if steps == 0 {
        return Err(Error::setting("steps", "at least 1 round", "0"));
    }
    if steps > MAX_STEPS {
        let expected = format!("at most {MAX_STEPS} rounds (the trace of one negotiation is kept in memory)");
        return Err(Error::setting("steps", expected, steps.to_string()));
    }
    if let (Some(m), ProtocolKind::Sao) = (mediator, protocol) {
        let expected = "no mediator under protocol sao (use protocol single-text, relay or confidential)";
        return Err(Error::setting("mediator", expected, m.to_string()));
    }
    let strategy = |context: &'static str| move |error| Error::new(ErrorKind::Strategy { context: context.into(), error });
    for a in agents {
        bc_strategy::check_agent(a, protocol).map_err(strategy("agents"))?;
    }
    if let Some(m) = mediator {
        bc_strategy::check_mediator(m, protocol).map_err(strategy("mediator"))?;
    }
    Ok(())
}

/// The value names of outcome `o` of `space`.
pub fn outcome_names(space: &OutcomeSpace, o: u64) -> Vec<String> {
    space.value_names(&space.outcome_at(o))
}

/// The mediator's name: the one given, else the protocol's default (`"none"` for SAO).
pub fn mediator_name(protocol: ProtocolKind, mediator: Option<&Spec>) -> String {
    match mediator {
        Some(m) => m.to_string(),
        None => bc_strategy::registry::mediators(protocol).first().map_or("none".into(), |(n, _)| n.to_string()),
    }
}

/// An actor in words: `party 1 (boulware)` or `the mediator (flip)`.
pub fn who(actor: Actor, agents: &[Spec], mediator: &str) -> String {
    match actor {
        Actor::Party(i) => format!("party {i} ({})", agents.get(i).map_or(String::new(), |a| a.to_string())),
        Actor::Mediator => format!("the mediator ({mediator})"),
    }
}

/// Why a negotiation ended, in words.
pub fn why(ending: &Ending, agents: &[Spec], mediator: &str) -> String {
    match ending {
        Ending::Agreement(_) => "agreement".into(),
        Ending::Timeout => "no agreement: the round limit was reached".into(),
        Ending::Ended { by } => format!("no agreement: {} ended the talks", who(*by, agents, mediator)),
        Ending::NotRatified => "no agreement: the final text was not ratified by every party".into(),
        Ending::Fault { by, message } => format!("no agreement: fault of {}: {message}", who(*by, agents, mediator)),
    }
}

/// One event as a line of the `--trace` JSON Lines.
pub fn event_json(space: &OutcomeSpace, e: &Event) -> Json {
    let o = |x: &u64| outcome_names(space, *x);
    match e {
        Event::Offer { step, party, outcome } => json!({"step": step, "event": "offer", "party": party, "outcome": o(outcome)}),
        Event::Accept { step, party, outcome } => json!({"step": step, "event": "accept", "party": party, "outcome": o(outcome)}),
        Event::Delivered { step, to, outcome, from } => json!({
            "step": step, "event": "delivered", "to": to, "outcome": o(outcome),
            "from": match from { Source::Party(p) => json!(p), Source::Mediator => json!("mediator") },
        }),
        Event::Held { step, from, outcome } => json!({"step": step, "event": "held", "from": from, "outcome": o(outcome)}),
        Event::Draft { step, outcome } => json!({"step": step, "event": "draft", "outcome": o(outcome)}),
        Event::Vote { step, party, accept } => json!({"step": step, "event": "vote", "party": party, "accept": accept}),
        Event::Adopted { step, outcome } => json!({"step": step, "event": "adopted", "outcome": o(outcome)}),
        Event::Ratify { step, party, accept } => json!({"step": step, "event": "ratify", "party": party, "accept": accept}),
        Event::Report { step, party, floor } => json!({"step": step, "event": "report", "party": party, "floor": float(*floor)}),
        Event::Zone { step, exists } => json!({"step": step, "event": "zone", "exists": exists}),
        Event::End { step, ending } => json!({
            "step": step, "event": "end", "ending": ending.name(),
            "agreement": ending.agreement().map(|x| o(&x)),
            "fault": match ending { Ending::Fault { message, .. } => Some(message.clone()), _ => None },
        }),
    }
}

/// Each party's utility at the end of a negotiation of `n_steps` rounds: of the agreement
/// (discounted to its round), else the disagreement point of `analysis`, else the party's
/// reserved value.
pub fn party_utilities(sides: &[std::sync::Arc<Side>], record: &Record, n_steps: u64, analysis: Option<&Analysis>) -> Vec<f64> {
    let agreement = record.ending.agreement();
    sides
        .iter()
        .enumerate()
        .map(|(k, s)| match agreement {
            Some(o) => agreement_utility(s, o, record.step, n_steps),
            None => analysis.map_or(s.reserved_value(), |a| a.disagreement[k]),
        })
        .collect()
}

/// What the JSON of one negotiation is made from.
pub struct NegotiationReport<'a> {
    /// The outcome space.
    pub space: &'a OutcomeSpace,
    /// The protocol.
    pub protocol: ProtocolKind,
    /// The mediator's name ([`mediator_name`]).
    pub mediator: &'a str,
    /// The agents, one per party.
    pub agents: &'a [Spec],
    /// The name of each party's profile.
    pub profiles: Vec<String>,
    /// The round limit.
    pub n_steps: u64,
    /// The seed.
    pub seed: u64,
    /// How profile numbers became utilities (`genius` or `negmas`).
    pub semantics: &'a str,
    /// Whether discounts were dropped.
    pub ignore_discount: bool,
    /// What happened.
    pub record: &'a Record,
    /// Each party's utility ([`party_utilities`]).
    pub utils: &'a [f64],
    /// The analysis of the parties' profiles, when the space could be analysed.
    pub analysis: Option<&'a Analysis>,
}

impl NegotiationReport<'_> {
    /// The offers and mediator drafts, in order, as `{step, proposer, outcome}`.
    pub fn offers(&self) -> Vec<Json> {
        self.record
            .events
            .iter()
            .filter_map(|e| match e {
                Event::Offer { step, party, outcome } => {
                    Some(json!({"step": step, "proposer": party, "outcome": outcome_names(self.space, *outcome)}))
                }
                Event::Draft { step, outcome } => {
                    Some(json!({"step": step, "proposer": "mediator", "outcome": outcome_names(self.space, *outcome)}))
                }
                _ => None,
            })
            .collect()
    }

    /// The JSON of `backchannel negotiate --json` (`distances`: of the utilities to the
    /// analysis's frontier and points, when there is an analysis).
    pub fn json(&self, distances: Option<Distances>) -> Json {
        let r = self.record;
        let agreement = r.ending.agreement();
        let fault = match &r.ending {
            Ending::Fault { by, message } => Some(json!({"by": who(*by, self.agents, self.mediator), "message": message})),
            _ => None,
        };
        json!({
            "domain": self.space.name(),
            "protocol": self.protocol.name(),
            "mediator": (self.protocol != ProtocolKind::Sao).then(|| self.mediator.to_string()),
            "agents": self.agents.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
            "profiles": self.profiles,
            "n_steps": self.n_steps,
            "seed": self.seed,
            "semantics": self.semantics,
            "ignore_discount": self.ignore_discount,
            "ending": r.ending.name(),
            "reason": why(&r.ending, self.agents, self.mediator),
            "agreement": agreement.map(|o| outcome_names(self.space, o)),
            "agreement_index": agreement,
            "step": r.step,
            "n_offers": r.n_offers,
            "utils": self.utils.iter().map(|u| float(*u)).collect::<Vec<_>>(),
            "advantages": self.analysis.map(|a| self.utils.iter().zip(&a.disagreement).map(|(u, d)| float(u - d)).collect::<Vec<_>>()),
            "welfare": float(self.utils.iter().sum()),
            "pareto_distance": distances.map(|d| float(d.pareto)),
            "nash_distance": distances.map(|d| float(d.nash)),
            "fault": fault,
            "trace": self.offers(),
        })
    }
}
