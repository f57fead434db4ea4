//! A room as a fold of its append-only log: the entries (room created, an action of a seat, a
//! fault, a caucus message, the wall-clock deadline, the chair's controls, own preferences, a
//! study's consent, rounds and answers), the mechanism and built-in agents they drive (in a
//! study, built afresh for each round from its logged seed), who may see what, and the
//! mediator's tools. A study's own rules are in [`crate::study`].
//!
//! Built-in agents are re-executed when a log is folded: their decisions depend only on the
//! room's seed and on what they observed, so folding the same log rebuilds the same agents, and
//! each logged agent action is checked against the agent's decision (a mismatch is reported as
//! a diverged log). Nothing here does I/O, reads a clock or draws from the OS.
//!
//! Long file: the fold of a room's log, who may see what and the mediator's tools are one state
//! machine whose confidentiality is easier to audit in one place.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use bc_model::UtilityFunction;
use bc_protocol::{
    Actor, Adoption, ConfAction, ConfTurn, Confidential, Ending, Event, Mechanism, ProtocolKind, Relay, RelayAction, RelayTurn, Report,
    Sao, SaoAction, Setup, SingleText, Source, StAction, StTurn, Viewer,
};
use bc_strategy::mediators::RelayDecision;
use bc_strategy::{ConfidentialMediator, Context, MediatorContext, Negotiator, RelayMediator, Response, SingleTextMediator, Spec};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::domain::{clip, Domain, DomainSource, WireOutcome};

/// Most rounds a room may have.
pub const MAX_STEPS: u64 = 100_000;
/// Most observer seats a room may have.
pub const MAX_OBSERVERS: u32 = 100;
/// Longest caucus message text, in characters.
pub const MAX_TEXT_CHARS: usize = 4_000;

/// Who fills a seat.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "by", rename_all = "snake_case", deny_unknown_fields)]
pub enum Fill {
    /// A person, through the link with the seat's token.
    Person,
    /// A program in any language, over the wire with the seat's token.
    External,
    /// A built-in agent (party seats: any registry agent; mediator seat: a registry mediator of
    /// the protocol), with parameters as in `boulware:eps=0.01`.
    Agent {
        /// The registry name with parameters.
        name: String,
    },
}

impl Fill {
    fn agent(&self) -> Option<&str> {
        match self {
            Fill::Agent { name } => Some(name),
            _ => None,
        }
    }
}

/// What a room is: its domain, protocol, seats, deadline and seed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoomSpec {
    /// A title shown to the seats.
    #[serde(default)]
    pub title: String,
    /// The domain.
    pub domain: DomainSource,
    /// `sao`, `single-text`, `relay` or `confidential`.
    pub protocol: String,
    /// One fill per party, in party order.
    pub parties: Vec<Fill>,
    /// Which of the domain's profiles each party uses (default 0, 1, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profiles: Option<Vec<usize>>,
    /// The mediator seat of a mediated protocol (default: the protocol's default mediator agent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mediator: Option<Fill>,
    /// Number of observer seats.
    #[serde(default)]
    pub observers: u32,
    /// Round limit.
    pub steps: u64,
    /// Wall-clock deadline in seconds after creation (the room then ends as a timeout).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline_secs: Option<u64>,
    /// Seed of the built-in agents (party `i` gets the stream `i`, the mediator `n`, as in
    /// `backchannel negotiate`).
    #[serde(default)]
    pub seed: u64,
    /// Each party seat that is not a built-in agent sets its own preferences before the start
    /// (issue weights summing to 100, each value rated 0 to 100, the best 100); the talks start
    /// once every such party has saved them. See [`crate::points`].
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub editable_preferences: bool,
    /// Study mode: the study file (consent, a practice round, N counted rounds of the same
    /// domain and seats, a questionnaire after each, a completion link). See [`crate::study`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub study: Option<crate::study::StudySource>,
}

/// Who chairs the room: the mediator seat, or the admin (over HTTP with the admin token).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Chair {
    /// The mediator seat.
    Mediator,
    /// The admin.
    Admin,
}

impl std::fmt::Display for Chair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Chair::Mediator => "mediator",
            Chair::Admin => "admin",
        })
    }
}

/// What the chair may do to the room as a whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Control {
    /// Stop the talks: no move, no agent and no deadline tick until `resume`; the deadline
    /// clock stops.
    Pause,
    /// Continue after a pause.
    Resume,
    /// End the room without agreement.
    Close,
}

/// A seat of a room.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Seat {
    /// Party `i`.
    Party(usize),
    /// The mediator.
    Mediator,
    /// Observer `k`.
    Observer(u32),
}

impl std::fmt::Display for Seat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Seat::Party(i) => write!(f, "party:{i}"),
            Seat::Mediator => write!(f, "mediator"),
            Seat::Observer(k) => write!(f, "observer:{k}"),
        }
    }
}

impl std::str::FromStr for Seat {
    type Err = String;
    fn from_str(s: &str) -> Result<Seat, String> {
        let bad = || format!("expected a seat `party:N`, `mediator` or `observer:N`, found `{}`", clip(s));
        if s == "mediator" {
            return Ok(Seat::Mediator);
        }
        if let Some(n) = s.strip_prefix("party:") {
            return n.parse().map(Seat::Party).map_err(|_| bad());
        }
        if let Some(n) = s.strip_prefix("observer:") {
            return n.parse().map(Seat::Observer).map_err(|_| bad());
        }
        Err(bad())
    }
}

impl Serialize for Seat {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Seat {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Seat, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for Seat {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Seat".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "pattern": "^(party:[0-9]+|mediator|observer:[0-9]+)$"})
    }
}

/// A seat's action: the binding moves of the protocols.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// SAO, relay (party): propose this outcome.
    Offer {
        /// The outcome.
        outcome: WireOutcome,
    },
    /// SAO, relay (party): accept the offer in front of you.
    Accept,
    /// Any protocol, on your turn: end the talks without agreement.
    End,
    /// Single text, confidential (party): vote on the mediator's text.
    Vote {
        /// Accept (true) or reject.
        accept: bool,
    },
    /// Single text (party): ratify the final text or not.
    Ratify {
        /// Ratify (true) or not.
        accept: bool,
    },
    /// Single text (mediator): put a draft to the parties.
    Draft {
        /// The draft.
        outcome: WireOutcome,
    },
    /// Single text (mediator): stop drafting; the parties ratify the current text.
    Conclude,
    /// Single text with mediator adoption (mediator): adopt the draft or keep the current text.
    Adopt {
        /// Adopt (true) or keep.
        adopt: bool,
    },
    /// Relay (mediator): pass the offer on unchanged.
    Pass,
    /// Relay (mediator): keep the offer to yourself.
    Hold,
    /// Relay (mediator): deliver your own text to every party instead.
    Reframe {
        /// The text.
        outcome: WireOutcome,
    },
    /// Confidential (party): report your floor privately to the mediator (null: anything is
    /// acceptable). Your utility function is reported with your first report by the server.
    Report {
        /// The lowest utility you say you can accept.
        floor: Option<f64>,
    },
    /// Confidential (mediator): propose a package inside the reported zone.
    Propose {
        /// The package.
        outcome: WireOutcome,
    },
    /// Confidential (mediator): there is no zone of agreement this round.
    NoZone,
}

impl Action {
    fn name(&self) -> &'static str {
        match self {
            Action::Offer { .. } => "offer",
            Action::Accept => "accept",
            Action::End => "end",
            Action::Vote { .. } => "vote",
            Action::Ratify { .. } => "ratify",
            Action::Draft { .. } => "draft",
            Action::Conclude => "conclude",
            Action::Adopt { .. } => "adopt",
            Action::Pass => "pass",
            Action::Hold => "hold",
            Action::Reframe { .. } => "reframe",
            Action::Report { .. } => "report",
            Action::Propose { .. } => "propose",
            Action::NoZone => "no_zone",
        }
    }
}

/// What a caucus message is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// Exploratory: a package floated without commitment ("would you consider …").
    Exploratory,
    /// A plain note.
    Note,
}

/// One entry of a room's log. Entry 0 is always `created`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Entry {
    /// The room was created.
    Created {
        /// The room's id.
        room: String,
        /// What it is.
        spec: RoomSpec,
    },
    /// A seat acted (built-in agents' actions are logged too).
    Action {
        /// Who.
        seat: Seat,
        /// What (outcomes as indices).
        action: Action,
    },
    /// A built-in agent failed (panicked or made an invalid move); the talks end as a fault.
    Fault {
        /// Whose agent.
        seat: Seat,
        /// What happened.
        message: String,
    },
    /// A caucus message between the mediator and one party (never binding).
    Message {
        /// Sender.
        from: Seat,
        /// Recipient.
        to: Seat,
        /// Exploratory or a note.
        kind: MessageKind,
        /// The text.
        text: String,
        /// A package floated (exploratory messages).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        outcome: Option<WireOutcome>,
    },
    /// The wall-clock deadline passed; the talks end as a timeout.
    Expired,
    /// The chair paused the room at `at_ms` (server time, ms since the Unix epoch).
    Paused {
        /// Who.
        by: Chair,
        /// When, by the server's clock (the deadline is extended by the time paused).
        at_ms: i64,
    },
    /// The chair resumed the room at `at_ms`.
    Resumed {
        /// Who.
        by: Chair,
        /// When, by the server's clock.
        at_ms: i64,
    },
    /// The chair closed the room: the talks end without agreement.
    Closed {
        /// Who.
        by: Chair,
    },
    /// A party set its own preferences before the start (rooms with `editable_preferences`;
    /// seen by that party, the mediator and the admin only).
    Preferences {
        /// The party.
        seat: Seat,
        /// Points per issue, in issue order, summing to 100.
        weights: Vec<f64>,
        /// Per issue, a rating from 0 to 100 per value (in value order), the best 100.
        ratings: Vec<Vec<f64>>,
    },
    /// Study mode: a participant agreed to take part, or declined (seen by that participant and
    /// the admin only).
    Consent {
        /// The participant.
        seat: Seat,
        /// Agreed (true) or declined.
        agree: bool,
    },
    /// Study mode: round `round` starts, its built-in agents seeded from `seed` (the room's seed
    /// plus the round's position), a fresh negotiation of the same domain and seats.
    Round {
        /// The round's position in the session, from 0 (the practice round first).
        round: u32,
        /// The seed of its agents.
        seed: u64,
    },
    /// Study mode: a participant's answers to the questionnaire after round `round` (seen by
    /// that participant and the admin only).
    Answers {
        /// The participant.
        seat: Seat,
        /// The round answered about.
        round: u32,
        /// Question id → answer.
        answers: BTreeMap<String, crate::study::Answer>,
    },
}

/// Preferences a party saved before the start, as points.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Points {
    /// Points per issue, in issue order, summing to 100.
    pub weights: Vec<f64>,
    /// Per issue, a rating from 0 to 100 per value, the best 100.
    pub ratings: Vec<Vec<f64>>,
}

/// A mechanism's action, whichever the protocol.
#[derive(Clone, Debug, PartialEq)]
enum Proto {
    Sao(SaoAction),
    St(StAction),
    Relay(RelayAction),
    Conf(ConfAction),
}

#[derive(Clone, Debug)]
enum Mech {
    Sao(Sao),
    St(SingleText),
    Relay(Relay),
    Conf(Confidential),
}

impl Mech {
    fn events_of(&mut self, actor: Actor, a: Proto) -> Result<Vec<Event>, String> {
        let r = match (self, a) {
            (Mech::Sao(m), Proto::Sao(a)) => m.submit(actor, a).map(<[Event]>::to_vec),
            (Mech::St(m), Proto::St(a)) => m.submit(actor, a).map(<[Event]>::to_vec),
            (Mech::Relay(m), Proto::Relay(a)) => m.submit(actor, a).map(<[Event]>::to_vec),
            (Mech::Conf(m), Proto::Conf(a)) => m.submit(actor, a).map(<[Event]>::to_vec),
            _ => return Err("the action does not belong to this protocol".into()),
        };
        r.map_err(|e| e.to_string())
    }

    fn fault(&mut self, by: Actor, message: String) -> Vec<Event> {
        match self {
            Mech::Sao(m) => m.fault(by, message).to_vec(),
            Mech::St(m) => m.fault(by, message).to_vec(),
            Mech::Relay(m) => m.fault(by, message).to_vec(),
            Mech::Conf(m) => m.fault(by, message).to_vec(),
        }
    }

    fn ending(&self) -> Option<&Ending> {
        match self {
            Mech::Sao(m) => m.ending(),
            Mech::St(m) => m.ending(),
            Mech::Relay(m) => m.ending(),
            Mech::Conf(m) => m.ending(),
        }
    }

    fn step(&self) -> u64 {
        match self {
            Mech::Sao(m) => m.step(),
            Mech::St(m) => m.step(),
            Mech::Relay(m) => m.step(),
            Mech::Conf(m) => m.step(),
        }
    }

    /// Who must act now.
    fn actor(&self) -> Option<Actor> {
        match self {
            Mech::Sao(m) => m.turn().map(|t| Actor::Party(t.party)),
            Mech::St(m) => m.turn().map(|t| t.actor()),
            Mech::Relay(m) => m.turn().map(|t| match t {
                RelayTurn::Party { party, .. } => Actor::Party(party),
                RelayTurn::Mediator { .. } => Actor::Mediator,
            }),
            Mech::Conf(m) => m.turn().map(|t| match t {
                ConfTurn::Report { party, .. } | ConfTurn::Vote { party, .. } => Actor::Party(party),
                ConfTurn::Mediate { .. } => Actor::Mediator,
            }),
        }
    }
}

enum MedAgent {
    None,
    St(Box<dyn SingleTextMediator>),
    Relay(Box<dyn RelayMediator>),
    Conf(Box<dyn ConfidentialMediator>),
}

/// One protocol event with the log position of the entry that caused it.
#[derive(Clone, Debug, PartialEq)]
pub struct Logged {
    /// The entry's position in the log.
    pub seq: u64,
    /// Study mode: the round it belongs to.
    pub round: Option<u32>,
    /// The event.
    pub event: Event,
}

/// What applying one entry changed.
#[derive(Clone, Debug, Default)]
pub struct Applied {
    /// The entry's position.
    pub seq: u64,
    /// The protocol events it caused.
    pub events: Vec<Event>,
}

/// A live room: the fold of its log so far.
pub struct Room {
    /// The room's id.
    pub id: String,
    /// What it is.
    pub spec: RoomSpec,
    /// Its domain.
    pub domain: Domain,
    /// Its protocol.
    pub kind: ProtocolKind,
    mech: Mech,
    parties: Vec<Option<Box<dyn Negotiator>>>,
    mediator: MedAgent,
    mediator_fill: Option<Fill>,
    /// The preferences each party seat negotiates with (profiles chosen).
    prefs: Vec<bc_model::Preferences>,
    reported: Vec<Arc<UtilityFunction>>,
    floors: Vec<Option<f64>>,
    next_seq: u64,
    expired: bool,
    draft_of_round: Option<u64>,
    pending: Option<(Seat, Proto)>,
    events: Vec<Logged>,
    messages: Vec<(u64, Entry)>,
    analysis: Option<bc_model::Analysis>,
    /// The chair who paused the room, while it is paused.
    paused: Option<Chair>,
    /// When the current pause began (server time, ms).
    paused_since_ms: Option<i64>,
    /// Total time of the pauses that ended (ms).
    paused_ms: i64,
    /// Who closed the room, once closed.
    closed: Option<Chair>,
    /// Each party's saved points (rooms with `editable_preferences`).
    points: Vec<Option<Points>>,
    /// Every control and preferences entry, with its position (for `welcome` histories).
    notes: Vec<(u64, Entry)>,
    /// The mediator agent's spec and the seed, to build it again when preferences change.
    med_spec: Option<Spec>,
    /// Study mode: the study's progress.
    study: Option<crate::study::Progress>,
}

fn protocol_of(name: &str) -> Result<ProtocolKind, String> {
    Ok(match name {
        "sao" => ProtocolKind::Sao,
        "single-text" => ProtocolKind::SingleText,
        "relay" => ProtocolKind::Relay,
        "confidential" => ProtocolKind::Confidential,
        other => {
            return Err(format!("protocol: unknown protocol `{}`; expected one of sao, single-text, relay, confidential", clip(other)))
        }
    })
}

/// The mediator agent of a room (none when a person or program fills the mediator seat).
fn mediator_agent(
    kind: ProtocolKind,
    med_spec: Option<&Spec>,
    domain: &Domain,
    sides: &[Arc<bc_strategy::Side>],
    seed: u64,
) -> Result<MedAgent, String> {
    let merr = |e: bc_strategy::Error| format!("mediator: {e}");
    let Some(s) = med_spec else { return Ok(MedAgent::None) };
    let n = sides.len();
    Ok(match kind {
        ProtocolKind::Sao => MedAgent::None,
        ProtocolKind::SingleText => MedAgent::St(
            bc_strategy::registry::build_single_text_mediator(s, domain.space.clone(), bc_engine::rng_for(seed, n as u64)).map_err(merr)?,
        ),
        ProtocolKind::Relay => MedAgent::Relay(bc_strategy::registry::build_relay_mediator(s, sides.to_vec()).map_err(merr)?),
        ProtocolKind::Confidential => {
            MedAgent::Conf(bc_strategy::registry::build_confidential_mediator(s, domain.space.clone()).map_err(merr)?)
        }
    })
}

/// The analysis behind the mediator's tools (Pareto frontier, Nash, KS), up to 10^6 outcomes.
fn analysis_of(domain: &Domain, prefs: &[bc_model::Preferences]) -> Option<bc_model::Analysis> {
    let refs: Vec<&bc_model::Preferences> = prefs.iter().collect();
    bc_model::analyze(&domain.space, &refs, bc_model::Options { enumeration_limit: 1_000_000 }).ok()
}

fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|p| {
        if let Some(s) = p.downcast_ref::<&str>() {
            format!("panicked: {s}")
        } else if let Some(s) = p.downcast_ref::<String>() {
            format!("panicked: {s}")
        } else {
            "panicked".to_string()
        }
    })
}

fn ctx(me: usize, n: usize, step: u64, n_steps: u64, relative_time: f64) -> Context {
    Context { me, n_parties: n, step, n_steps, relative_time }
}

fn ex(kinds: &[&str]) -> Vec<String> {
    kinds.iter().map(|k| k.to_string()).collect()
}

fn sides_of(domain: &Domain, prefs: &[bc_model::Preferences]) -> Result<Vec<Arc<bc_strategy::Side>>, bc_strategy::Error> {
    prefs.iter().map(|p| bc_strategy::Side::new(domain.space.clone(), p.clone()).map(Arc::new)).collect()
}

type Negotiation = (Mech, Vec<Option<Box<dyn Negotiator>>>, MedAgent);

/// A fresh negotiation of a room: the mechanism and its built-in agents, drawing from `seed`
/// (party `i` from stream `i`, the mediator from stream `n`, as `backchannel negotiate`).
fn negotiation(
    kind: ProtocolKind,
    spec: &RoomSpec,
    domain: &Domain,
    sides: &[Arc<bc_strategy::Side>],
    med_spec: Option<&Spec>,
    seed: u64,
) -> Result<Negotiation, String> {
    let mut parties: Vec<Option<Box<dyn Negotiator>>> = Vec::with_capacity(sides.len());
    for (i, fill) in spec.parties.iter().enumerate() {
        match (fill.agent(), sides.get(i)) {
            (Some(name), Some(side)) => {
                let s: Spec = name.parse().map_err(|e| format!("parties[{i}]: {e}"))?;
                let a = bc_strategy::build_agent(&s, side.clone(), kind, bc_engine::rng_for(seed, i as u64))
                    .map_err(|e| format!("parties[{i}]: {e}"))?;
                parties.push(Some(a));
            }
            _ => parties.push(None),
        }
    }
    let setup = Setup::new(sides.len(), domain.n_outcomes, spec.steps);
    let perr = |e: bc_protocol::Error| format!("protocol: {e}");
    let mediator = mediator_agent(kind, med_spec, domain, sides, seed)?;
    let mech = match kind {
        ProtocolKind::Sao => Mech::Sao(Sao::new(setup).map_err(perr)?),
        ProtocolKind::SingleText => {
            let adoption = match &mediator {
                MedAgent::St(m) => m.adoption(),
                _ => Adoption::Unanimous,
            };
            Mech::St(SingleText::new(setup, adoption).map_err(perr)?)
        }
        ProtocolKind::Relay => Mech::Relay(Relay::new(setup).map_err(perr)?),
        ProtocolKind::Confidential => Mech::Conf(Confidential::new(setup, domain.space.clone()).map_err(perr)?),
    };
    Ok((mech, parties, mediator))
}

fn actor_seat(a: Actor) -> Seat {
    match a {
        Actor::Party(i) => Seat::Party(i),
        Actor::Mediator => Seat::Mediator,
    }
}

impl Room {
    /// Builds a room from its spec (the fold of its `created` entry). Errors name the field.
    pub fn create(id: &str, spec: &RoomSpec) -> Result<Room, String> {
        let kind = protocol_of(&spec.protocol)?;
        if spec.steps == 0 || spec.steps > MAX_STEPS {
            return Err(format!("steps: expected 1 to {MAX_STEPS} rounds, found {}", spec.steps));
        }
        if spec.observers > MAX_OBSERVERS {
            return Err(format!("observers: expected at most {MAX_OBSERVERS}, found {}", spec.observers));
        }
        if spec.title.chars().count() > 200 {
            return Err("title: expected at most 200 characters".into());
        }
        let domain = spec.domain.load()?;
        let n = spec.parties.len();
        if n < 2 {
            return Err(format!("parties: expected at least 2 seats, found {n}"));
        }
        let profiles: Vec<usize> = match &spec.profiles {
            Some(p) => p.clone(),
            None => (0..n).collect(),
        };
        if profiles.len() != n {
            return Err(format!("profiles: expected one profile per party ({n}), found {}", profiles.len()));
        }
        let mut prefs = Vec::with_capacity(n);
        for (i, p) in profiles.iter().enumerate() {
            let Some(pr) = domain.parties.get(*p) else {
                return Err(format!(
                    "profiles[{i}]: profile {p} does not exist; the domain has {} (0..{})",
                    domain.parties.len(),
                    domain.parties.len() - 1
                ));
            };
            prefs.push(pr.clone());
        }
        let sides = sides_of(&domain, &prefs).map_err(|e| format!("domain: {e}"))?;
        let mediator_fill = match (kind, &spec.mediator) {
            (ProtocolKind::Sao, Some(_)) => return Err("mediator: sao has no mediator; use single-text, relay or confidential".into()),
            (ProtocolKind::Sao, None) => None,
            (k, None) => Some(Fill::Agent { name: bc_strategy::registry::mediators(k)[0].0.to_string() }),
            (_, Some(f)) => Some(f.clone()),
        };
        let med_spec: Option<Spec> = match mediator_fill.as_ref().and_then(Fill::agent) {
            Some(name) => Some(name.parse().map_err(|e| format!("mediator: {e}"))?),
            None => None,
        };
        if spec.editable_preferences {
            crate::points::check_space(&domain.space)?;
        }
        let study = match &spec.study {
            None => None,
            Some(source) => {
                if spec.deadline_secs.is_some() {
                    return Err("deadline_secs: a study room has no wall-clock deadline (each round is limited by `steps`)".into());
                }
                if spec.editable_preferences {
                    return Err("editable_preferences: a study room negotiates with the domain's profiles in every round".into());
                }
                let st = crate::study::Study::read(source).map_err(|e| format!("study: {e}"))?;
                let people = (0..n).filter(|i| spec.parties[*i].agent().is_none()).collect();
                Some(crate::study::Progress::new(st, spec.seed, people))
            }
        };
        let (mech, parties, mediator) = negotiation(kind, spec, &domain, &sides, med_spec.as_ref(), spec.seed)?;
        let reported = prefs.iter().map(|p| Arc::new(p.utility.clone())).collect();
        let analysis = analysis_of(&domain, &prefs);
        Ok(Room {
            id: id.to_string(),
            spec: spec.clone(),
            kind,
            mech,
            parties,
            mediator,
            mediator_fill,
            floors: vec![None; n],
            prefs,
            reported,
            next_seq: 1,
            expired: false,
            draft_of_round: None,
            pending: None,
            events: Vec::new(),
            messages: Vec::new(),
            analysis,
            domain,
            paused: None,
            paused_since_ms: None,
            paused_ms: 0,
            closed: None,
            points: vec![None; n],
            notes: Vec::new(),
            med_spec,
            study,
        })
    }

    /// Folds a whole log (entry 0 must be `created`).
    pub fn fold(entries: &[Entry]) -> Result<Room, String> {
        let Some(Entry::Created { room, spec }) = entries.first() else {
            return Err("entry 0: expected a `created` entry".into());
        };
        let mut r = Room::create(room, spec)?;
        for (k, e) in entries.iter().enumerate().skip(1) {
            r.apply(e).map_err(|m| format!("entry {k}: {m}"))?;
        }
        Ok(r)
    }

    /// Number of parties.
    pub fn n_parties(&self) -> usize {
        self.parties.len()
    }

    /// The position the next entry will take.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// Whether `seat` exists in this room.
    pub fn has_seat(&self, seat: Seat) -> bool {
        match seat {
            Seat::Party(i) => i < self.parties.len(),
            Seat::Mediator => self.mediator_fill.is_some(),
            Seat::Observer(k) => k < self.spec.observers,
        }
    }

    /// Every seat with who fills it.
    pub fn seats(&self) -> Vec<(Seat, Fill)> {
        let mut out: Vec<(Seat, Fill)> = self.spec.parties.iter().enumerate().map(|(i, f)| (Seat::Party(i), f.clone())).collect();
        if let Some(f) = &self.mediator_fill {
            out.push((Seat::Mediator, f.clone()));
        }
        out.extend((0..self.spec.observers).map(|k| (Seat::Observer(k), Fill::Person)));
        out
    }

    /// Whether the seat is filled by a built-in agent.
    pub fn is_agent(&self, seat: Seat) -> bool {
        match seat {
            Seat::Party(i) => self.parties.get(i).is_some_and(Option::is_some),
            Seat::Mediator => !matches!(self.mediator, MedAgent::None),
            Seat::Observer(_) => false,
        }
    }

    /// How the talks ended, once they have.
    pub fn ending(&self) -> Option<Ending> {
        if self.expired {
            return Some(Ending::Timeout);
        }
        if self.closed.is_some() {
            // Closing by the chair ends the talks without agreement, as an `end` by the
            // mediator would (`closed_by` says whether the admin closed it).
            return Some(Ending::Ended { by: Actor::Mediator });
        }
        self.mech.ending().cloned()
    }

    /// Who paused the room, while it is paused.
    pub fn paused_by(&self) -> Option<Chair> {
        self.paused
    }

    /// Who closed the room, once closed.
    pub fn closed_by(&self) -> Option<Chair> {
        self.closed
    }

    /// Time spent paused so far (ms), the current pause counted up to `now_ms`: the wall-clock
    /// deadline is moved back by this much.
    pub fn paused_ms(&self, now_ms: i64) -> i64 {
        self.paused_ms + self.paused_since_ms.map_or(0, |t| (now_ms - t).max(0))
    }

    /// Whether the talks have started: always, unless the room has `editable_preferences` and a
    /// party seat that is not a built-in agent has not saved its preferences yet.
    pub fn started(&self) -> bool {
        self.waiting_for_preferences().is_empty()
    }

    /// The party seats whose preferences the start waits for.
    pub fn waiting_for_preferences(&self) -> Vec<Seat> {
        if !self.spec.editable_preferences {
            return Vec::new();
        }
        (0..self.parties.len()).filter(|i| self.parties[*i].is_none() && self.points[*i].is_none()).map(Seat::Party).collect()
    }

    /// The points party `i` saved, if it did.
    pub fn points(&self, i: usize) -> Option<&Points> {
        self.points.get(i).and_then(Option::as_ref)
    }

    /// Every control and preferences entry so far, with its position.
    pub fn notes(&self) -> &[(u64, Entry)] {
        &self.notes
    }

    /// Whether `seat` may see the control or preferences entry `entry`: controls everyone; a
    /// party's preferences that party and the mediator.
    pub fn note_visible(seat: Seat, entry: &Entry) -> bool {
        match entry {
            Entry::Paused { .. } | Entry::Resumed { .. } | Entry::Closed { .. } => true,
            Entry::Preferences { seat: s, .. } => seat == *s || seat == Seat::Mediator,
            // Study mode: a participant's consent and answers reach that participant only (and
            // the admin); every seat learns that a round started.
            Entry::Consent { seat: s, .. } | Entry::Answers { seat: s, .. } => seat == *s,
            Entry::Round { .. } => true,
            _ => false,
        }
    }

    /// Checks the chair's `control` against the room as it is; returns the entry to log.
    pub fn check_control(&self, by: Chair, control: Control, at_ms: i64) -> Result<Entry, String> {
        if by == Chair::Mediator && self.mediator_fill.is_none() {
            return Err("this room has no mediator seat; only the admin may pause, resume or close it".into());
        }
        if self.finished() {
            return Err(if self.study.is_some() { "the study is over" } else { "the negotiation has ended" }.into());
        }
        match control {
            Control::Pause if self.paused.is_some() => Err("the room is already paused".into()),
            Control::Pause => Ok(Entry::Paused { by, at_ms }),
            Control::Resume if self.paused.is_none() => Err("the room is not paused".into()),
            Control::Resume => Ok(Entry::Resumed { by, at_ms }),
            Control::Close => Ok(Entry::Closed { by }),
        }
    }

    /// Checks that the wall-clock deadline may end the room now (not while paused).
    pub fn check_expire(&self) -> Result<Entry, String> {
        if self.paused.is_some() {
            return Err("the room is paused: the deadline clock is stopped".into());
        }
        if self.ending().is_some() {
            return Err("the negotiation has ended".into());
        }
        Ok(Entry::Expired)
    }

    /// Checks a party's own preferences (rooms with `editable_preferences`, before the start);
    /// returns the entry to log.
    pub fn check_preferences(&self, seat: Seat, weights: &[f64], ratings: &[Vec<f64>]) -> Result<Entry, String> {
        if !self.spec.editable_preferences {
            return Err("this room does not let parties set their own preferences".into());
        }
        let Seat::Party(i) = seat else {
            return Err(format!("only a party sets its own preferences; {seat} is not a party"));
        };
        if self.is_agent(seat) {
            return Err(format!("{seat} is played by a built-in agent"));
        }
        if self.ending().is_some() {
            return Err("the negotiation has ended".into());
        }
        if self.started() {
            return Err("the negotiation has started: preferences are locked".into());
        }
        if self.paused.is_some() {
            return Err(self.paused_error());
        }
        crate::points::preferences(&self.domain.space, &self.domain_prefs(i), weights, ratings)?;
        Ok(Entry::Preferences { seat, weights: weights.to_vec(), ratings: ratings.to_vec() })
    }

    /// Study mode: the study's progress.
    pub fn study(&self) -> Option<&crate::study::Progress> {
        self.study.as_ref()
    }

    /// Whether the room is over: its talks ended; in study mode, the study is complete, called
    /// off or closed (between rounds the talks have ended but the room has not).
    pub fn finished(&self) -> bool {
        match &self.study {
            None => self.ending().is_some(),
            Some(s) => self.closed.is_some() || s.declined() || s.complete(),
        }
    }

    /// Study mode: the round the room's events belong to now.
    pub fn current_round(&self) -> Option<u32> {
        self.study.as_ref().and_then(crate::study::Progress::current).map(|r| r.round)
    }

    /// Study mode: a fresh negotiation of the same domain and seats, its agents drawing from
    /// `seed` (the events so far stay, tagged with their rounds).
    fn restart(&mut self, seed: u64) -> Result<(), String> {
        let sides = sides_of(&self.domain, &self.prefs).map_err(|e| format!("domain: {e}"))?;
        let (mech, parties, mediator) = negotiation(self.kind, &self.spec, &self.domain, &sides, self.med_spec.as_ref(), seed)?;
        (self.mech, self.parties, self.mediator) = (mech, parties, mediator);
        self.floors = vec![None; self.prefs.len()];
        self.reported = self.prefs.iter().map(|p| Arc::new(p.utility.clone())).collect();
        self.draft_of_round = None;
        self.pending = None;
        Ok(())
    }

    /// Study mode: records how the current round ended, once it has.
    fn settle(&mut self) {
        let Some(e) = self.ending() else { return };
        if !self.study.as_ref().is_some_and(crate::study::Progress::negotiating) {
            return;
        }
        let k = e.agreement();
        let agreement = k.map(|k| self.domain.render(k));
        let space = &self.domain.space;
        let utilities = self.prefs.iter().map(|p| k.map(|k| p.utility.eval_index(space, k)).filter(|x| x.is_finite())).collect();
        let step = self.mech.step();
        if let Some(s) = self.study.as_mut() {
            s.finish(e.name(), agreement, utilities, step);
        }
    }

    /// The profile party `i` starts from (the spec's choice of the domain's profiles).
    fn domain_prefs(&self, i: usize) -> bc_model::Preferences {
        let k = self.spec.profiles.as_ref().and_then(|p| p.get(i).copied()).unwrap_or(i);
        self.domain.parties.get(k).cloned().unwrap_or_else(|| self.prefs[i].clone())
    }

    pub(crate) fn paused_error(&self) -> String {
        format!("the room is paused by the {}; no move is accepted until it resumes", self.paused.unwrap_or(Chair::Mediator))
    }

    /// The step count.
    pub fn step(&self) -> u64 {
        self.mech.step()
    }

    /// Every protocol event so far.
    pub fn events(&self) -> &[Logged] {
        &self.events
    }

    /// Every caucus message so far, with its position.
    pub fn messages(&self) -> &[(u64, Entry)] {
        &self.messages
    }

    /// Whose turn it is.
    pub fn turn_seat(&self) -> Option<Seat> {
        if self.expired || self.closed.is_some() || !self.started() || self.study.as_ref().is_some_and(|s| !s.negotiating()) {
            return None;
        }
        self.mech.actor().map(actor_seat)
    }

    /// The preferences party `i` negotiates with.
    pub fn preferences(&self, i: usize) -> Option<&bc_model::Preferences> {
        self.prefs.get(i)
    }

    /// Checks `seat`'s action against the room as it is, without changing it; returns the
    /// entry to log (outcomes as indices). The error says what was expected.
    pub fn check(&self, seat: Seat, action: &Action) -> Result<Entry, String> {
        if let (Some(s), None) = (&self.study, self.closed) {
            s.gate(seat)?;
        }
        if self.ending().is_some() {
            return Err("the negotiation has ended".into());
        }
        if let Seat::Observer(_) = seat {
            return Err("an observer cannot act".into());
        }
        if self.is_agent(seat) {
            return Err(format!("{seat} is played by a built-in agent"));
        }
        if self.paused.is_some() {
            return Err(self.paused_error());
        }
        let waiting = self.waiting_for_preferences();
        if !waiting.is_empty() {
            let w: Vec<String> = waiting.iter().map(Seat::to_string).collect();
            return Err(format!("the negotiation starts once every party has saved its preferences; waiting for {}", w.join(", ")));
        }
        let canonical = self.canonical(action)?;
        let proto = self.proto(seat, &canonical)?;
        let actor = match seat {
            Seat::Party(i) => Actor::Party(i),
            _ => Actor::Mediator,
        };
        let mut m = self.mech.clone();
        m.events_of(actor, proto)?;
        Ok(Entry::Action { seat, action: canonical })
    }

    /// Checks a caucus message; returns the entry to log.
    pub fn check_message(
        &self,
        from: Seat,
        to: Seat,
        kind: MessageKind,
        text: &str,
        outcome: Option<&WireOutcome>,
    ) -> Result<Entry, String> {
        if self.kind == ProtocolKind::Sao {
            return Err("sao has no mediator, so no caucus channel".into());
        }
        let ok = matches!((from, to), (Seat::Mediator, Seat::Party(_)) | (Seat::Party(_), Seat::Mediator));
        if !ok || !self.has_seat(to) {
            return Err(format!("a caucus is between the mediator and one party; found {from} to `{to}`"));
        }
        if self.is_agent(from) {
            return Err(format!("{from} is played by a built-in agent"));
        }
        if let Some(s) = &self.study {
            if let Some(x) = [from, to].into_iter().find(|x| s.participants().contains(x) && s.consented(*x) != Some(true)) {
                return Err(format!("{x} has not agreed to take part in the study"));
            }
        }
        if text.chars().count() > MAX_TEXT_CHARS {
            return Err(format!("text: expected at most {MAX_TEXT_CHARS} characters, found {}", text.chars().count()));
        }
        let outcome = match outcome {
            Some(o) => Some(WireOutcome::Index(self.domain.parse(o).map_err(|e| format!("outcome: {e}"))?)),
            None => None,
        };
        if kind == MessageKind::Note && outcome.is_some() {
            return Err("outcome: a note carries no package; use kind `exploratory`".into());
        }
        Ok(Entry::Message { from, to, kind, text: text.to_string(), outcome })
    }

    fn canonical(&self, a: &Action) -> Result<Action, String> {
        let idx = |o: &WireOutcome| self.domain.parse(o).map(WireOutcome::Index).map_err(|e| format!("outcome: {e}"));
        Ok(match a {
            Action::Offer { outcome } => Action::Offer { outcome: idx(outcome)? },
            Action::Draft { outcome } => Action::Draft { outcome: idx(outcome)? },
            Action::Reframe { outcome } => Action::Reframe { outcome: idx(outcome)? },
            Action::Propose { outcome } => Action::Propose { outcome: idx(outcome)? },
            Action::Report { floor: Some(f) } if !f.is_finite() => {
                return Err(format!("floor: expected a finite number or null, found {f}"))
            }
            other => other.clone(),
        })
    }

    fn index(o: &WireOutcome) -> u64 {
        match o {
            WireOutcome::Index(k) => *k,
            WireOutcome::Values(_) => u64::MAX,
        }
    }

    /// The protocol action of a canonical action.
    fn proto(&self, seat: Seat, a: &Action) -> Result<Proto, String> {
        let wrong = |valid: &str| format!("action `{}` is not part of {}; expected one of {valid}", a.name(), self.kind.name());
        Ok(match self.kind {
            ProtocolKind::Sao => Proto::Sao(match a {
                Action::Offer { outcome } => SaoAction::Offer(Self::index(outcome)),
                Action::Accept => SaoAction::Accept,
                Action::End => SaoAction::End,
                _ => return Err(wrong("offer, accept, end")),
            }),
            ProtocolKind::SingleText => Proto::St(match a {
                Action::Vote { accept } => StAction::Vote(*accept),
                Action::Ratify { accept } => StAction::Ratify(*accept),
                Action::Draft { outcome } => StAction::Draft(Self::index(outcome)),
                Action::Conclude => StAction::Conclude,
                Action::Adopt { adopt } => StAction::Adopt(*adopt),
                Action::End => StAction::End,
                _ => return Err(wrong("vote, ratify, end (parties); draft, conclude, adopt, end (mediator)")),
            }),
            ProtocolKind::Relay => Proto::Relay(match a {
                Action::Offer { outcome } => RelayAction::Offer(Self::index(outcome)),
                Action::Accept => RelayAction::Accept,
                Action::End => RelayAction::End,
                Action::Pass => RelayAction::Pass,
                Action::Hold => RelayAction::Hold,
                Action::Reframe { outcome } => RelayAction::Reframe(Self::index(outcome)),
                _ => return Err(wrong("offer, accept, end (parties); pass, hold, reframe, end (mediator)")),
            }),
            ProtocolKind::Confidential => Proto::Conf(match a {
                Action::Report { floor } => {
                    let Seat::Party(i) = seat else {
                        return Err("a report comes from a party".into());
                    };
                    let needs = !self.has_reported(i);
                    ConfAction::Report(Report {
                        floor: floor.unwrap_or(f64::NEG_INFINITY),
                        utility: needs.then(|| self.reported[i].clone()),
                    })
                }
                Action::Propose { outcome } => ConfAction::Propose(Self::index(outcome)),
                Action::NoZone => ConfAction::NoZone,
                Action::Vote { accept } => ConfAction::Vote(*accept),
                Action::End => ConfAction::End,
                _ => return Err(wrong("report, vote, end (parties); propose, no_zone, end (mediator)")),
            }),
        })
    }

    fn has_reported(&self, i: usize) -> bool {
        let round = self.current_round();
        self.events.iter().any(|l| l.round == round && matches!(l.event, Event::Report { party, .. } if party == i))
    }

    /// The action of a protocol action, for the log.
    fn action_of(p: &Proto) -> Action {
        let o = |k: u64| WireOutcome::Index(k);
        match p {
            Proto::Sao(SaoAction::Offer(k)) | Proto::Relay(RelayAction::Offer(k)) => Action::Offer { outcome: o(*k) },
            Proto::Sao(SaoAction::Accept) | Proto::Relay(RelayAction::Accept) => Action::Accept,
            Proto::Sao(SaoAction::End) | Proto::St(StAction::End) | Proto::Relay(RelayAction::End) | Proto::Conf(ConfAction::End) => {
                Action::End
            }
            Proto::St(StAction::Vote(a)) | Proto::Conf(ConfAction::Vote(a)) => Action::Vote { accept: *a },
            Proto::St(StAction::Ratify(a)) => Action::Ratify { accept: *a },
            Proto::St(StAction::Draft(k)) => Action::Draft { outcome: o(*k) },
            Proto::St(StAction::Conclude) => Action::Conclude,
            Proto::St(StAction::Adopt(a)) => Action::Adopt { adopt: *a },
            Proto::Relay(RelayAction::Pass) => Action::Pass,
            Proto::Relay(RelayAction::Hold) => Action::Hold,
            Proto::Relay(RelayAction::Reframe(k)) => Action::Reframe { outcome: o(*k) },
            Proto::Conf(ConfAction::Report(r)) => Action::Report { floor: r.floor.is_finite().then_some(r.floor) },
            Proto::Conf(ConfAction::Propose(k)) => Action::Propose { outcome: o(*k) },
            Proto::Conf(ConfAction::NoZone) => Action::NoZone,
        }
    }

    /// When the turn is a built-in agent's: its decision, as the entry to log (an action, or a
    /// fault when it panicked or chose a move the protocol refuses). The decision is kept so
    /// that [`Room::apply`] of that entry does not ask the agent again.
    pub fn agent_entry(&mut self) -> Option<Entry> {
        if self.paused.is_none() && self.closed.is_none() {
            if let Some((round, seed)) = self.study.as_ref().and_then(crate::study::Progress::due) {
                return Some(Entry::Round { round, seed });
            }
        }
        let seat = self.turn_seat()?;
        if !self.is_agent(seat) || self.paused.is_some() {
            return None;
        }
        let entry = match self.decide() {
            Err(message) => Entry::Fault { seat, message },
            Ok(p) => {
                let actor = match seat {
                    Seat::Party(i) => Actor::Party(i),
                    _ => Actor::Mediator,
                };
                let mut m = self.mech.clone();
                match m.events_of(actor, p.clone()) {
                    Ok(_) => {
                        let action = Self::action_of(&p);
                        self.pending = Some((seat, p));
                        Entry::Action { seat, action }
                    }
                    Err(e) => Entry::Fault { seat, message: format!("{} made an invalid move: {e}", self.agent_name(seat)) },
                }
            }
        };
        Some(entry)
    }

    fn agent_name(&self, seat: Seat) -> String {
        match seat {
            Seat::Party(i) => self.parties.get(i).and_then(|p| p.as_ref()).map_or("party".into(), |p| p.name().to_string()),
            _ => match &self.mediator {
                MedAgent::St(m) => m.name().to_string(),
                MedAgent::Relay(m) => m.name().to_string(),
                MedAgent::Conf(m) => m.name().to_string(),
                MedAgent::None => "mediator".into(),
            },
        }
    }

    /// Asks the agent whose turn it is for its decision, exactly as the session runner of
    /// `bc-strategy` does (so a room of agents plays as `backchannel negotiate`).
    fn decide(&mut self) -> Result<Proto, String> {
        let n = self.parties.len();
        let n_steps = self.spec.steps;
        let name = self.turn_seat().map(|s| self.agent_name(s)).unwrap_or_default();
        let fail = |e: String| format!("{name} {e}");
        match &self.mech {
            Mech::Sao(m) => {
                let t = m.turn().ok_or("ended")?;
                let p = self.parties[t.party].as_mut().ok_or("not an agent")?;
                let c = ctx(t.party, n, t.step, n_steps, t.relative_time);
                guarded(|| {
                    Proto::Sao(match t.offer {
                        None => p.propose(&c).map_or(SaoAction::End, SaoAction::Offer),
                        Some(o) => match p.respond(&c, o.outcome, Source::Party(o.proposer)) {
                            Response::Accept => SaoAction::Accept,
                            Response::End => SaoAction::End,
                            Response::Reject => p.propose(&c).map_or(SaoAction::End, SaoAction::Offer),
                        },
                    })
                })
                .map_err(fail)
            }
            Mech::Relay(m) => match m.turn().ok_or("ended")? {
                RelayTurn::Party { party, step, relative_time, inbox } => {
                    let p = self.parties[party].as_mut().ok_or("not an agent")?;
                    let c = ctx(party, n, step, n_steps, relative_time);
                    guarded(|| {
                        Proto::Relay(match inbox {
                            None => p.propose(&c).map_or(RelayAction::End, RelayAction::Offer),
                            Some(d) => match p.respond(&c, d.outcome, d.from) {
                                Response::Accept => RelayAction::Accept,
                                Response::End => RelayAction::End,
                                Response::Reject => p.propose(&c).map_or(RelayAction::End, RelayAction::Offer),
                            },
                        })
                    })
                    .map_err(fail)
                }
                RelayTurn::Mediator { step, relative_time, from, offer } => {
                    let MedAgent::Relay(med) = &mut self.mediator else { return Err("not an agent".into()) };
                    let c = MediatorContext { n_parties: n, step, n_steps, relative_time };
                    guarded(|| {
                        Proto::Relay(match med.relay(&c, from, offer) {
                            RelayDecision::Pass => RelayAction::Pass,
                            RelayDecision::Hold => RelayAction::Hold,
                            RelayDecision::Reframe(o) => RelayAction::Reframe(o),
                        })
                    })
                    .map_err(fail)
                }
            },
            Mech::St(m) => match m.turn().ok_or("ended")? {
                StTurn::Draft { step, relative_time, current } => {
                    let MedAgent::St(med) = &mut self.mediator else { return Err("not an agent".into()) };
                    let c = MediatorContext { n_parties: n, step, n_steps, relative_time };
                    guarded(|| Proto::St(med.draft(&c, current).map_or(StAction::Conclude, StAction::Draft))).map_err(fail)
                }
                StTurn::Vote { party, step, relative_time, draft, current } => {
                    let p = self.parties[party].as_mut().ok_or("not an agent")?;
                    let c = ctx(party, n, step, n_steps, relative_time);
                    guarded(|| Proto::St(StAction::Vote(p.vote(&c, draft, current)))).map_err(fail)
                }
                StTurn::Decide { step, relative_time, draft, votes, .. } => {
                    let MedAgent::St(med) = &mut self.mediator else { return Err("not an agent".into()) };
                    let c = MediatorContext { n_parties: n, step, n_steps, relative_time };
                    guarded(|| Proto::St(StAction::Adopt(med.decide(&c, draft, &votes)))).map_err(fail)
                }
                StTurn::Ratify { party, step, text } => {
                    let p = self.parties[party].as_mut().ok_or("not an agent")?;
                    let c = ctx(party, n, step, n_steps, 1.0);
                    guarded(|| Proto::St(StAction::Ratify(p.ratify(&c, text)))).map_err(fail)
                }
            },
            Mech::Conf(m) => match m.turn().ok_or("ended")? {
                ConfTurn::Report { party, step, relative_time, needs_utility } => {
                    let p = self.parties[party].as_mut().ok_or("not an agent")?;
                    let c = ctx(party, n, step, n_steps, relative_time);
                    guarded(|| {
                        let floor = p.floor(&c);
                        let utility = p.report_utility(&c, needs_utility);
                        Proto::Conf(ConfAction::Report(Report { floor, utility }))
                    })
                    .map_err(fail)
                }
                ConfTurn::Mediate { step, relative_time, reports } => {
                    let MedAgent::Conf(med) = &mut self.mediator else { return Err("not an agent".into()) };
                    let c = MediatorContext { n_parties: n, step, n_steps, relative_time };
                    guarded(|| Proto::Conf(med.mediate(&c, &reports).map_or(ConfAction::NoZone, ConfAction::Propose))).map_err(fail)
                }
                ConfTurn::Vote { party, step, relative_time, proposal } => {
                    let p = self.parties[party].as_mut().ok_or("not an agent")?;
                    let c = ctx(party, n, step, n_steps, relative_time);
                    guarded(|| Proto::Conf(ConfAction::Vote(p.vote(&c, proposal, None)))).map_err(fail)
                }
            },
        }
    }

    /// Applies the next entry of the log. Fails (leaving the room unusable: fold the log again)
    /// when the entry does not fit: a refused action, or an agent whose decision differs.
    pub fn apply(&mut self, entry: &Entry) -> Result<Applied, String> {
        let seq = self.next_seq;
        let events = match entry {
            Entry::Created { .. } => return Err("a room is created only once".into()),
            Entry::Expired => {
                self.pending = None;
                if self.paused.is_some() {
                    return Err("a deadline tick while the room is paused".into());
                }
                if self.ending().is_none() {
                    self.expired = true;
                    vec![Event::End { step: self.mech.step(), ending: Ending::Timeout }]
                } else {
                    Vec::new()
                }
            }
            Entry::Message { .. } => {
                self.messages.push((seq, entry.clone()));
                Vec::new()
            }
            Entry::Paused { by, at_ms } => {
                self.check_control(*by, Control::Pause, *at_ms)?;
                self.pending = None;
                self.paused = Some(*by);
                self.paused_since_ms = Some(*at_ms);
                self.notes.push((seq, entry.clone()));
                Vec::new()
            }
            Entry::Resumed { by, at_ms } => {
                self.check_control(*by, Control::Resume, *at_ms)?;
                self.paused_ms += self.paused_since_ms.take().map_or(0, |t| (at_ms - t).max(0));
                self.paused = None;
                self.notes.push((seq, entry.clone()));
                Vec::new()
            }
            Entry::Closed { by } => {
                self.check_control(*by, Control::Close, 0)?;
                self.pending = None;
                self.paused = None;
                self.paused_since_ms = None;
                let running = self.ending().is_none() && self.study.as_ref().is_none_or(|s| s.negotiating());
                self.closed = Some(*by);
                self.notes.push((seq, entry.clone()));
                if running {
                    vec![Event::End { step: self.mech.step(), ending: Ending::Ended { by: Actor::Mediator } }]
                } else {
                    Vec::new()
                }
            }
            Entry::Preferences { seat, weights, ratings } => {
                self.check_preferences(*seat, weights, ratings)?;
                let Seat::Party(i) = *seat else { return Err("only a party sets its own preferences".into()) };
                let p = crate::points::preferences(&self.domain.space, &self.domain_prefs(i), weights, ratings)?;
                self.reported[i] = Arc::new(p.utility.clone());
                self.prefs[i] = p;
                self.points[i] = Some(Points { weights: weights.clone(), ratings: ratings.clone() });
                // Nothing has happened yet: the analysis and a mediator agent that reads the
                // parties' preferences (relay) are built again on the new ones.
                self.analysis = analysis_of(&self.domain, &self.prefs);
                let sides = sides_of(&self.domain, &self.prefs).map_err(|e| format!("preferences: {e}"))?;
                self.mediator = mediator_agent(self.kind, self.med_spec.as_ref(), &self.domain, &sides, self.spec.seed)?;
                self.pending = None;
                self.notes.push((seq, entry.clone()));
                Vec::new()
            }
            Entry::Consent { seat, agree } => {
                self.check_consent(*seat, *agree)?;
                self.study.as_mut().ok_or("not a study room")?.consent(seq, *seat, *agree)?;
                self.notes.push((seq, entry.clone()));
                Vec::new()
            }
            Entry::Answers { seat, round, answers } => {
                self.study_open()?;
                self.study.as_mut().ok_or("not a study room")?.answer(seq, *seat, *round, answers)?;
                self.notes.push((seq, entry.clone()));
                Vec::new()
            }
            Entry::Round { round, seed } => {
                if self.paused.is_some() || self.closed.is_some() {
                    return Err("a round cannot start while the room is paused or closed".into());
                }
                self.study.as_mut().ok_or("not a study room")?.start(seq, *round, *seed)?;
                self.restart(*seed)?;
                self.notes.push((seq, entry.clone()));
                Vec::new()
            }
            Entry::Fault { seat, message } => {
                self.pending = None;
                if self.turn_seat() != Some(*seat) {
                    return Err(format!("a fault of {seat}, whose turn it is not"));
                }
                let actor = match seat {
                    Seat::Party(i) => Actor::Party(*i),
                    _ => Actor::Mediator,
                };
                self.mech.fault(actor, message.clone())
            }
            Entry::Action { seat, action } => {
                if self.turn_seat() != Some(*seat) {
                    return Err(format!("an action of {seat}, whose turn it is not"));
                }
                let proto = if self.is_agent(*seat) {
                    let decided = match self.pending.take() {
                        Some((s, p)) if s == *seat => p,
                        _ => self.decide()?,
                    };
                    if Self::action_of(&decided) != *action {
                        return Err(format!(
                            "the log diverges from the agent of {seat}: logged {action:?}, decided {:?}",
                            Self::action_of(&decided)
                        ));
                    }
                    decided
                } else {
                    self.pending = None;
                    self.proto(*seat, action)?
                };
                let actor = match seat {
                    Seat::Party(i) => Actor::Party(*i),
                    _ => Actor::Mediator,
                };
                if let (Proto::Conf(ConfAction::Report(r)), Seat::Party(i)) = (&proto, seat) {
                    self.floors[*i] = Some(r.floor);
                    if let Some(u) = &r.utility {
                        self.reported[*i] = u.clone();
                    }
                }
                let before = self.mech.step();
                if let Proto::St(StAction::Draft(o)) = proto {
                    self.draft_of_round = Some(o);
                }
                let events = self.mech.events_of(actor, proto.clone())?;
                self.after(&proto, &events, before);
                events
            }
        };
        self.next_seq += 1;
        let round = self.current_round();
        self.events.extend(events.iter().map(|e| Logged { seq, round, event: e.clone() }));
        self.settle();
        Ok(Applied { seq, events })
    }

    /// What the session runner does after a move: agents observe offers (SAO) and deliveries
    /// (relay); a single-text mediator learns whether its draft was adopted.
    fn after(&mut self, proto: &Proto, events: &[Event], before: u64) {
        let n = self.parties.len();
        let n_steps = self.spec.steps;
        let mut fault = None;
        match proto {
            Proto::Sao(SaoAction::Offer(_)) | Proto::Relay(_) => {
                let public = matches!(proto, Proto::Sao(_));
                'outer: for e in events {
                    match *e {
                        Event::Offer { step, party, outcome } if public => {
                            for (j, p) in self.parties.iter_mut().enumerate() {
                                let Some(p) = p.as_mut() else { continue };
                                if j != party && p.observes() {
                                    let c = ctx(j, n, step, n_steps, bc_protocol::relative_time(step, n_steps));
                                    if let Err(m) = guarded(|| p.observe(&c, Source::Party(party), outcome)) {
                                        fault = Some((Actor::Party(j), format!("{} {m}", p.name())));
                                        break 'outer;
                                    }
                                }
                            }
                        }
                        Event::Delivered { step, to, outcome, from } => {
                            if let Some(p) = self.parties.get_mut(to).and_then(|p| p.as_mut()).filter(|p| p.observes()) {
                                let c = ctx(to, n, step, n_steps, bc_protocol::relative_time(step, n_steps));
                                if let Err(m) = guarded(|| p.observe(&c, from, outcome)) {
                                    fault = Some((Actor::Party(to), format!("{} {m}", p.name())));
                                    break 'outer;
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            Proto::St(_) if self.mech.step() > before => {
                if let (Some(d), MedAgent::St(med)) = (self.draft_of_round.take(), &mut self.mediator) {
                    let adopted = events.iter().any(|e| matches!(e, Event::Adopted { .. }));
                    if let Err(m) = guarded(|| med.on_result(d, adopted)) {
                        fault = Some((Actor::Mediator, format!("{} {m}", med.name())));
                    }
                }
            }
            _ => {}
        }
        if let Some((by, message)) = fault {
            // A strategy that panics while observing ends the talks, as in the session runner;
            // it is deterministic, so a fold of the log reproduces it.
            let more = self.mech.fault(by, message);
            let (seq, round) = (self.next_seq, self.current_round());
            self.events.extend(more.into_iter().map(|e| Logged { seq, round, event: e }));
        }
    }

    /// Whether `seat` may see `event`: parties and the mediator by the protocol's rule
    /// ([`Event::visible_to`]); an observer only what every party may see.
    pub fn visible(&self, seat: Seat, event: &Event) -> bool {
        match seat {
            Seat::Party(i) => event.visible_to(Viewer::Party(i), self.kind),
            Seat::Mediator => event.visible_to(Viewer::Mediator, self.kind),
            Seat::Observer(_) => (0..self.parties.len()).all(|i| event.visible_to(Viewer::Party(i), self.kind)),
        }
    }

    /// Whether `seat` may see the caucus message `entry`.
    pub fn message_visible(seat: Seat, entry: &Entry) -> bool {
        matches!(entry, Entry::Message { from, to, .. } if *from == seat || *to == seat)
    }

    /// The current single negotiating text (single text), or the proposal under vote.
    pub fn current_text(&self) -> Option<u64> {
        match &self.mech {
            Mech::St(m) => m.current(),
            _ => None,
        }
    }

    /// What is in front of `seat` when it is its turn.
    pub fn turn_for(&self, seat: Seat) -> Option<TurnInfo> {
        if self.turn_seat()? != seat {
            return None;
        }
        let r = |k: u64| Some(self.domain.render(k));
        let own = |k: u64| match seat {
            Seat::Party(i) => self.prefs.get(i).map(|p| p.utility.eval_index(&self.domain.space, k)).filter(|x| x.is_finite()),
            _ => None,
        };
        let mut t = TurnInfo {
            seat,
            step: self.mech.step(),
            expected: Vec::new(),
            offer: None,
            current: None,
            votes: None,
            your_utility: None,
            needs_utility: None,
        };
        match &self.mech {
            Mech::Sao(m) => {
                let turn = m.turn()?;
                t.offer = turn.offer.and_then(|o| r(o.outcome));
                t.your_utility = turn.offer.and_then(|o| own(o.outcome));
                t.expected = if turn.offer.is_some() { ex(&["offer", "accept", "end"]) } else { ex(&["offer", "end"]) };
            }
            Mech::Relay(m) => match m.turn()? {
                RelayTurn::Party { inbox, .. } => {
                    t.offer = inbox.and_then(|d| r(d.outcome));
                    t.your_utility = inbox.and_then(|d| own(d.outcome));
                    t.expected = if inbox.is_some() { ex(&["offer", "accept", "end"]) } else { ex(&["offer", "end"]) };
                }
                RelayTurn::Mediator { offer, .. } => {
                    t.offer = r(offer);
                    t.expected = ex(&["pass", "hold", "reframe", "end"]);
                }
            },
            Mech::St(m) => match m.turn()? {
                StTurn::Draft { current, .. } => {
                    t.current = current.and_then(r);
                    t.expected = ex(&["draft", "conclude", "end"]);
                }
                StTurn::Vote { draft, current, .. } => {
                    t.offer = r(draft);
                    t.your_utility = own(draft);
                    t.current = current.and_then(r);
                    t.expected = ex(&["vote", "end"]);
                }
                StTurn::Decide { draft, current, votes, .. } => {
                    t.offer = r(draft);
                    t.current = current.and_then(r);
                    t.votes = Some(votes);
                    t.expected = ex(&["adopt", "end"]);
                }
                StTurn::Ratify { text, .. } => {
                    t.current = r(text);
                    t.your_utility = own(text);
                    t.expected = ex(&["ratify", "end"]);
                }
            },
            Mech::Conf(m) => match m.turn()? {
                ConfTurn::Report { needs_utility, .. } => {
                    t.needs_utility = Some(needs_utility);
                    t.expected = ex(&["report", "end"]);
                }
                ConfTurn::Mediate { .. } => t.expected = ex(&["propose", "no_zone", "end"]),
                ConfTurn::Vote { proposal, .. } => {
                    t.offer = r(proposal);
                    t.your_utility = own(proposal);
                    t.expected = ex(&["vote", "end"]);
                }
            },
        }
        Some(t)
    }

    /// The mediator's tools: suggested packages from the parties' private preferences (only
    /// the packages, never the numbers), the zone of agreement of the reported floors, the
    /// single negotiating text, and after an agreement the packages every party prefers to it.
    pub fn tools(&self) -> Tools {
        let r = |k: u64| self.domain.render(k);
        let pick_index = |v: &[usize]| -> Option<u64> {
            let a = self.analysis.as_ref()?;
            v.first().and_then(|i| a.pareto.get(*i)).and_then(|p| p.index)
        };
        let (nash_k, ks_k, maxmin_k) = match &self.analysis {
            Some(a) => (pick_index(&a.nash), pick_index(&a.kalai_smorodinsky), pick_index(&a.kalai)),
            None => (None, None, None),
        };
        let (nash, ks, maxmin) = (nash_k.map(r), ks_k.map(r), maxmin_k.map(r));
        let zone = (self.kind == ProtocolKind::Confidential && self.floors.iter().all(Option::is_some)).then(|| self.zone()).flatten();
        let improving: Vec<u64> = match (self.ending(), &self.analysis) {
            (Some(Ending::Agreement(o)), Some(a)) => {
                let u: Vec<f64> = self.prefs.iter().map(|p| p.utility.eval_index(&self.domain.space, o)).collect();
                a.pareto
                    .iter()
                    .filter(|p| p.utils.iter().zip(&u).all(|(x, y)| x >= y) && p.utils.iter().zip(&u).any(|(x, y)| x > y))
                    .filter_map(|p| p.index)
                    .take(20)
                    .collect()
            }
            _ => Vec::new(),
        };
        // Confidential mediation: once every party has reported, the mediator holds the reported
        // utility functions (the protocol gives them to it), so it may see what each suggested
        // package gives each side under them. No other protocol hands the mediator utilities.
        let mut reported_utilities = BTreeMap::new();
        if self.kind == ProtocolKind::Confidential && self.floors.iter().all(Option::is_some) {
            let of = |k: u64| -> Vec<f64> { self.reported.iter().map(|u| u.eval_index(&self.domain.space, k)).collect() };
            for (label, k) in [("nash", nash_k), ("kalai_smorodinsky", ks_k), ("max_min_gain", maxmin_k)] {
                if let Some(k) = k {
                    reported_utilities.insert(label.to_string(), of(k));
                }
            }
            for (j, k) in improving.iter().enumerate() {
                reported_utilities.insert(format!("pareto_improvements.{j}"), of(*k));
            }
        }
        let improvements = improving.into_iter().map(r).collect();
        Tools {
            nash,
            kalai_smorodinsky: ks,
            max_min_gain: maxmin,
            zone,
            text: self.current_text().map(r),
            pareto_improvements: improvements,
            reported_utilities,
        }
    }

    /// Whether some outcome meets every reported floor, and how many do (up to 10^6 outcomes).
    fn zone(&self) -> Option<ZoneInfo> {
        if self.domain.n_outcomes > 1_000_000 {
            return None;
        }
        let mut size = 0u64;
        for k in 0..self.domain.n_outcomes {
            let ok = self.reported.iter().zip(&self.floors).all(|(u, f)| {
                let x = u.eval_index(&self.domain.space, k);
                !x.is_nan() && x >= f.unwrap_or(f64::NEG_INFINITY)
            });
            size += u64::from(ok);
        }
        Some(ZoneInfo { exists: size > 0, size })
    }
}

/// What is in front of a seat on its turn.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TurnInfo {
    /// The seat.
    pub seat: Seat,
    /// The round.
    pub step: u64,
    /// The action kinds accepted now.
    pub expected: Vec<String>,
    /// The offer, delivered text, draft or proposal in front of you.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offer: Option<BTreeMap<String, String>>,
    /// The current single negotiating text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current: Option<BTreeMap<String, String>>,
    /// The parties' votes on the draft (single text with mediator adoption; mediator only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub votes: Option<Vec<bool>>,
    /// Your own utility of `offer` (parties only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub your_utility: Option<f64>,
    /// Confidential: your first report also reports your utility function.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub needs_utility: Option<bool>,
}

/// The zone of agreement of the reported floors.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ZoneInfo {
    /// Whether one exists.
    pub exists: bool,
    /// How many packages it holds.
    pub size: u64,
}

/// The mediator's tools.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Tools {
    /// The Nash bargaining package.
    pub nash: Option<BTreeMap<String, String>>,
    /// The Kalai–Smorodinsky package.
    pub kalai_smorodinsky: Option<BTreeMap<String, String>>,
    /// The package maximising the smallest gain over no agreement (egalitarian).
    pub max_min_gain: Option<BTreeMap<String, String>>,
    /// The zone of agreement of the reported floors (confidential mediation, once every party
    /// reported).
    pub zone: Option<ZoneInfo>,
    /// The current single negotiating text.
    pub text: Option<BTreeMap<String, String>>,
    /// After an agreement: Pareto-optimal packages every party weakly prefers (one strictly).
    pub pareto_improvements: Vec<BTreeMap<String, String>>,
    /// Confidential mediation, once every party has reported: what each package above gives
    /// each party (in party order) under the utility functions the parties reported to the
    /// mediator. Keys: `nash`, `kalai_smorodinsky`, `max_min_gain`, `pareto_improvements.J`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub reported_utilities: BTreeMap<String, Vec<f64>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(parties: Vec<Fill>) -> RoomSpec {
        RoomSpec {
            title: String::new(),
            domain: DomainSource::Scenario { toml: None, step: Some(3) },
            protocol: "sao".into(),
            parties,
            profiles: None,
            mediator: None,
            observers: 0,
            steps: 10,
            deadline_secs: None,
            seed: 1,
            editable_preferences: false,
            study: None,
        }
    }

    /// Applies what `agent_entry` decides until no agent is to move; returns how many moved.
    fn drive(r: &mut Room) -> usize {
        let mut n = 0;
        while let Some(e) = r.agent_entry() {
            r.apply(&e).unwrap();
            n += 1;
        }
        n
    }

    #[test]
    fn agents_wait_while_paused_and_the_fold_replays_the_pauses() {
        let s = spec(vec![Fill::Agent { name: "boulware".into() }, Fill::Person]);
        let mut r = Room::create("r", &s).unwrap();
        let mut log = vec![Entry::Created { room: "r".into(), spec: s.clone() }];
        let pause = r.check_control(Chair::Admin, Control::Pause, 1_000).unwrap();
        r.apply(&pause).unwrap();
        log.push(pause);
        // Party 0's agent would open; paused, it waits, and nothing is accepted.
        assert_eq!(drive(&mut r), 0);
        assert_eq!(r.turn_seat(), Some(Seat::Party(0)));
        assert!(r.check_expire().unwrap_err().contains("clock is stopped"));
        assert!(r.apply(&Entry::Expired).is_err());
        assert_eq!(r.paused_ms(4_000), 3_000);
        let mediator = r.check_control(Chair::Mediator, Control::Resume, 2_000).unwrap_err();
        assert!(mediator.contains("no mediator seat"), "{mediator}");
        let resume = r.check_control(Chair::Admin, Control::Resume, 6_000).unwrap();
        r.apply(&resume).unwrap();
        log.push(resume);
        assert_eq!(r.paused_ms(99_000), 5_000, "a finished pause counts its own length only");
        // Resumed, the agent opens and it is the person's turn.
        let e = r.agent_entry().unwrap();
        r.apply(&e).unwrap();
        log.push(e);
        assert_eq!(r.turn_seat(), Some(Seat::Party(1)));
        let pause = r.check_control(Chair::Admin, Control::Pause, 7_000).unwrap();
        r.apply(&pause).unwrap();
        log.push(pause);
        let refused = r.check(Seat::Party(1), &Action::End).unwrap_err();
        assert!(refused.contains("paused by the admin"), "{refused}");
        let close = r.check_control(Chair::Admin, Control::Close, 8_000).unwrap();
        r.apply(&close).unwrap();
        log.push(close);
        assert_eq!(r.ending(), Some(Ending::Ended { by: Actor::Mediator }));
        assert_eq!(r.turn_seat(), None);
        // The log folds to the same state (a pause ended by closing no longer matters).
        let f = Room::fold(&log).unwrap();
        assert_eq!((f.closed_by(), f.paused_by(), f.paused_ms(0)), (Some(Chair::Admin), None, 5_000));
        assert_eq!(f.events().len(), r.events().len());
    }

    #[test]
    fn editable_preferences_hold_the_start_until_every_person_has_saved() {
        let mut s = spec(vec![Fill::Agent { name: "boulware".into() }, Fill::Person]);
        s.editable_preferences = true;
        let mut r = Room::create("r", &s).unwrap();
        assert_eq!(r.waiting_for_preferences(), vec![Seat::Party(1)]);
        assert_eq!(drive(&mut r), 0, "the agent moved before the start");
        assert!(r.check_preferences(Seat::Party(0), &[], &[]).unwrap_err().contains("built-in agent"));
        let n = r.domain.space.issues().len();
        let mut w = vec![100.0 / n as f64; n];
        w[0] += 100.0 - w.iter().sum::<f64>();
        let ratings: Vec<Vec<f64>> = r.domain.describe().iter().map(|i| (0..i.values.len()).map(|k| 100.0 - k as f64).collect()).collect();
        let e = r.check_preferences(Seat::Party(1), &w, &ratings).unwrap();
        r.apply(&e).unwrap();
        assert!(r.started());
        assert_eq!(drive(&mut r), 1, "the agent opens once the talks start");
        assert!(r.check_preferences(Seat::Party(1), &w, &ratings).unwrap_err().contains("locked"));
        // Every outcome's utility is the points' sum.
        let u = r.preferences(1).unwrap().utility.eval_index(&r.domain.space, 0);
        assert!((u - 1.0).abs() < 1e-12, "{u}");
    }
}
