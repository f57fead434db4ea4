//! The scenario file format (TOML), as plain serde structs. The JSON Schema of the format is
//! generated from these types ([`schema`]); the validator checks a file against that schema
//! before anything is deserialised, so that every problem is reported at once with its line.
//!
//! Units: utilities are each party's own, rescaled to [0, 1] over the whole outcome space
//! (0 = its worst outcome, 1 = its best); reservations, floors and audience costs are on that
//! scale. Time is in rounds (the default scenario: weeks).

use std::borrow::Cow;
use std::marker::PhantomData;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::dist::Param;

/// A table keyed by id (`[parties.us]`, `[spoilers.proxy_attack]`), in file order.
#[derive(Clone, Debug, PartialEq)]
pub struct Keyed<T>(pub Vec<(String, T)>);

impl<T> Default for Keyed<T> {
    fn default() -> Self {
        Keyed(Vec::new())
    }
}

impl<T> Keyed<T> {
    /// The entry with this id.
    pub fn get(&self, id: &str) -> Option<&T> {
        self.0.iter().find(|(k, _)| k == id).map(|(_, v)| v)
    }
    /// The ids, in order.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_str())
    }
    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<T: Serialize> Serialize for Keyed<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Keyed<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Keyed<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a table keyed by id")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Keyed<T>, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, T>()? {
                    out.push((k, v));
                }
                Ok(Keyed(out))
            }
        }
        d.deserialize_map(V(PhantomData))
    }
}

impl<T: JsonSchema> JsonSchema for Keyed<T> {
    fn schema_name() -> Cow<'static, str> {
        format!("Keyed_{}", T::schema_name()).into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(g: &mut SchemaGenerator) -> Schema {
        schemars::json_schema!({
            "type": "object",
            "additionalProperties": g.subschema_for::<T>(),
        })
    }
}

/// A whole scenario file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "backchannel scenario",
    description = "A scenario of the backchannel model: \
    adversaries negotiating an agenda in ordered steps, optionally through a mediator, under \
    domestic ratification, audience costs, spoilers and doubts about delivery."
)]
pub struct ScenarioFile {
    /// Name, horizon and bargaining granularity.
    pub scenario: Meta,
    /// Where the issues and utilities come from when not written inline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<DomainFile>,
    /// The agenda's issues: values (inline domains), status quo and implementers.
    pub issues: Vec<IssueSpec>,
    /// Ordered steps (modules); every issue belongs to exactly one step.
    pub steps: Vec<StepSpec>,
    /// Visibility, expectations and their dynamics.
    pub public: PublicSpec,
    /// The parties (at least two), keyed by id, in proposing order.
    pub parties: Keyed<PartySpec>,
    /// The mediator; absent means direct talks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mediator: Option<MediatorSpec>,
    /// Spoilers, keyed by id.
    #[serde(default, skip_serializing_if = "Keyed::is_empty")]
    pub spoilers: Keyed<SpoilerSpec>,
    /// The victims' response to an observed defection (default: snap back after 4 rounds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<ResponseSpec>,
    /// Named alternatives of this scenario, for comparison.
    #[serde(default, skip_serializing_if = "Keyed::is_empty")]
    pub variants: Keyed<VariantSpec>,
}

fn default_sub_rounds() -> u32 {
    4
}
fn default_real_grid() -> u32 {
    21
}
fn default_unit() -> String {
    "round".into()
}
fn default_setback_window() -> u32 {
    8
}
fn default_signal_window() -> u32 {
    26
}
fn default_grace() -> u32 {
    4
}

/// `[scenario]`: name, horizon, granularity.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    /// Short name.
    pub name: String,
    /// What the scenario represents.
    #[serde(default)]
    pub description: String,
    /// Horizon T: number of rounds.
    #[schemars(range(min = 1, max = 100000))]
    pub rounds: u32,
    /// What a round stands for (for reports), e.g. "week".
    #[serde(default = "default_unit")]
    pub round_unit: String,
    /// Protocol rounds per round of talks (in each, every party makes or answers an offer, the
    /// single-text mediator puts one draft, or the confidential mediator one proposal).
    #[serde(default = "default_sub_rounds")]
    #[schemars(range(min = 1, max = 1000))]
    pub sub_rounds: u32,
    /// Grid points per real-valued issue when packages are enumerated.
    #[serde(default = "default_real_grid")]
    #[schemars(range(min = 2, max = 100001))]
    pub real_grid: u32,
    /// W: "kept talking after the first setback" needs a session with an offer on the table
    /// within this many rounds of it, and no exit in them.
    #[serde(default = "default_setback_window")]
    #[schemars(range(min = 1, max = 100000))]
    pub setback_window: u32,
    /// W_signal: "concrete signals exchanged" needs every party to deliver on a step within this
    /// many rounds of the start.
    #[serde(default = "default_signal_window")]
    #[schemars(range(min = 1, max = 100000))]
    pub signal_window: u32,
}

/// What the victims of an observed defection do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ResponseKind {
    /// After `grace` rounds the victims reverse their own deliveries on the step.
    SnapBack,
    /// The step stays open for redelivery for `grace` rounds, then snaps back.
    Wait,
}

/// `[response]`: the victims' response to an observed defection.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponseSpec {
    /// `snap_back` or `wait`.
    pub kind: ResponseKind,
    /// Rounds before the response takes effect (default 4).
    #[serde(default = "default_grace")]
    #[schemars(range(min = 0, max = 100000))]
    pub grace: u32,
}

/// How a step's implementers deliver.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SequencingSpec {
    /// All at once, none seeing the others first.
    #[default]
    Simultaneous,
    /// In `order`, each after seeing the previous delivery (only the last mover can gain by
    /// reneging).
    Sequenced,
}

/// `[domain]`: a GENIUS or GeniusWeb domain file instead of inline issues.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DomainFile {
    /// Domain file (GENIUS XML or GeniusWeb JSON), relative to the scenario file.
    pub file: String,
    /// How GENIUS profile numbers become utilities.
    #[serde(default)]
    pub semantics: SemanticsSpec,
}

/// Rules for reading GENIUS profiles.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SemanticsSpec {
    /// GENIUS's own rules.
    #[default]
    Genius,
    /// NegMAS 0.16's reading.
    Negmas,
}

/// A value of an issue as written: a name (categorical) or a number (integer and real issues).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum ValueRef {
    /// A categorical value's name.
    Name(String),
    /// A number.
    Number(f64),
}

/// `[[issues]]`: one issue of the agenda.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueSpec {
    /// Issue name (unique; for a file domain, an issue of that file).
    pub name: String,
    /// Inline categorical issue: its values, in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<String>>,
    /// Inline integer issue: `[low, high]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integer: Option<[i64; 2]>,
    /// Inline real issue: `[low, high]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub real: Option<[f64; 2]>,
    /// The value the issue has until an agreement on it is implemented. May be omitted only in a
    /// one-step scenario (then no agreement means each party's reservation value).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_quo: Option<ValueRef>,
    /// Parties whose action realises the issue; it is realised only if all of them deliver.
    pub implementers: Vec<String>,
}

/// `[[steps]]`: a module of the agenda, negotiated and implemented as one package.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StepSpec {
    /// Step name.
    pub name: String,
    /// The issues negotiated in this step.
    pub issues: Vec<String>,
    /// Probability that each party observes each delivery (or defection) correctly.
    #[schemars(extend("minimum" = 0.0, "maximum" = 1.0), extend("exclusiveMinimum" = 0.0))]
    pub verifiability: Param,
    /// `simultaneous` (default) or `sequenced`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequencing: Option<SequencingSpec>,
    /// For a sequenced step: the implementers in delivery order (default: file order).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<Vec<String>>,
}

/// `[public]`: visibility V, expectations E and their dynamics.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicSpec {
    /// Initial visibility V_0.
    #[schemars(extend("minimum" = 0.0, "maximum" = 1.0))]
    pub visibility: Param,
    /// Initial public expectations E_0.
    #[schemars(extend("minimum" = 0.0, "maximum" = 1.0))]
    pub expectations: Param,
    /// Share of visibility that fades each round (floor shocks fade at the same rate).
    #[schemars(extend("minimum" = 0.0, "maximum" = 1.0))]
    pub decay: Param,
    /// Speed at which expectations follow visibility: E += gamma (V - E).
    #[schemars(extend("minimum" = 0.0, "maximum" = 1.0))]
    pub gamma: Param,
    /// Visibility added when an agreement is announced.
    #[schemars(extend("minimum" = 0.0, "maximum" = 1.0))]
    pub announce_visibility: Param,
    /// Expectations added when an agreement is announced.
    #[schemars(extend("minimum" = 0.0, "maximum" = 1.0))]
    pub announce_expectations: Param,
    /// Visibility added by each round of direct talks.
    #[schemars(extend("minimum" = 0.0, "maximum" = 1.0))]
    pub direct_visibility: Param,
}

/// A party's prior about another's delivery capacity: Beta(a, b).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BetaPrior {
    /// Pseudo-observations of delivery.
    #[schemars(extend("minimum" = 0.0), extend("exclusiveMinimum" = 0.0))]
    pub a: Param,
    /// Pseudo-observations of defection.
    #[schemars(extend("minimum" = 0.0), extend("exclusiveMinimum" = 0.0))]
    pub b: Param,
}

/// Domestic ratification (Putnam's win-set) and reciprocity.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RatificationSpec {
    /// Base floor f0 on the step-normalised scale (share of the best the step could give).
    #[schemars(extend("minimum" = 0.0, "maximum" = 1.0))]
    pub floor: Param,
    /// lambda: floor added per unit of visibility.
    #[schemars(extend("minimum" = 0.0))]
    pub visibility: Param,
    /// mu: floor added per unit of unmet expectations max(0, E - P).
    #[schemars(extend("minimum" = 0.0))]
    pub expectations: Param,
    /// rho: the party's gain must be at least rho times every other party's gain.
    #[schemars(extend("minimum" = 0.0))]
    pub reciprocity: Param,
}

/// The strategy kinds a file may name: `time_based`, `spe` and every agent of the negotiation
/// library (the validator turns down the agents that only vote: a party must also make offers).
pub fn agent_kinds() -> Vec<String> {
    let mut out = vec!["time_based".to_string(), "spe".to_string()];
    out.extend(bc_strategy::registry::AGENTS.iter().map(|a| a.name.to_string()));
    out
}

/// The mediator strategies of every mediated protocol, in protocol order (relay, single_text,
/// confidential), each protocol's default first.
pub fn mediator_kinds() -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in [ProtocolSpec::Relay, ProtocolSpec::SingleText, ProtocolSpec::Confidential] {
        for (name, _) in bc_strategy::registry::mediators(p.kind()) {
            if !out.iter().any(|n| n == name) {
                out.push(name.to_string());
            }
        }
    }
    out
}

fn kind_schema(names: Vec<String>) -> Schema {
    schemars::json_schema!({ "type": "string", "enum": names })
}

fn agent_kind_schema(_: &mut SchemaGenerator) -> Schema {
    kind_schema(agent_kinds())
}

fn mediator_kind_schema(_: &mut SchemaGenerator) -> Schema {
    kind_schema(mediator_kinds())
}

/// `[parties.X.strategy]`: how a party bargains.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StrategySpec {
    /// Which strategy: `time_based` (concedes from its best package to its disagreement value
    /// over `rounds` rounds, with `exponent`), `spe` (Rubinstein's subgame-perfect strategy; two
    /// parties, both spe), or an agent of the negotiation library by name (boulware, linear,
    /// conceder, tb, aspiration, hardheaded, random, tft-relative, tft-absolute, micro, agentk,
    /// hardheaded2011, ponpoko).
    #[schemars(schema_with = "agent_kind_schema")]
    pub kind: String,
    /// Concession exponent e of `time_based` (aspiration = d + (best - d)(1 - x^e); e > 1
    /// concedes late). Other agents take theirs in `params`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("minimum" = 0.0), extend("exclusiveMinimum" = 0.0))]
    pub exponent: Option<Param>,
    /// Rounds of a step the strategy's clock spans: a time-based strategy concedes fully by
    /// then. Required for `time_based`; for other agents it defaults to the horizon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("minimum" = 0.0), extend("exclusiveMinimum" = 0.0))]
    pub rounds: Option<Param>,
    /// The agent's parameters by name (e.g. `{ e = 2.5 }` for tb or aspiration, `{ delta = 2 }`
    /// for the tit-for-tats); numbers or distributions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<Keyed<Param>>,
}

/// A party's utility: a GENIUS/GeniusWeb profile file, or inline weights and value scores.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UtilitySpec {
    /// Profile file (with a `[domain] file`), relative to the scenario file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Inline: weight of each issue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("additionalProperties" = { "$ref": "#/$defs/Param", "minimum": 0.0 }))]
    pub weights: Option<Keyed<Param>>,
    /// Inline: per issue, the score of each value (categorical), or `low`/`high` scores at the
    /// ends of an integer or real range (linear in between).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Keyed<Keyed<Param>>>,
}

/// `[parties.X]`: one party.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PartySpec {
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// The party's utility over outcomes.
    pub utility: UtilitySpec,
    /// r: value of no deal (default: utility of the status quo).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reservation: Option<Param>,
    /// delta: discount factor per round (tempo).
    #[schemars(extend("minimum" = 0.0, "maximum" = 1.0), extend("exclusiveMinimum" = 0.0))]
    pub discount: Param,
    /// Round after which the party stops negotiating.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("minimum" = 0.0))]
    pub deadline: Option<Param>,
    /// kappa: probability that the party implements its part of an agreed step.
    #[schemars(extend("minimum" = 0.0, "maximum" = 1.0))]
    pub capacity: Param,
    /// Trust in each other party's delivery capacity: Beta(a, b).
    pub trust: Keyed<BetaPrior>,
    /// w: the party leaves when its trust in another falls below this.
    #[schemars(extend("minimum" = 0.0, "maximum" = 1.0))]
    pub walk_away: Param,
    /// c: engagement cost per round of being seen talking to the adversary at full visibility
    /// (kept under its v1 name; not Fearon's audience cost of backing down, which is not modelled).
    #[schemars(extend("minimum" = 0.0))]
    pub audience_cost: Param,
    /// Per-round hazard of losing the capacity to keep an implemented step (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("minimum" = 0.0, "maximum" = 1.0))]
    pub withdrawal: Option<Param>,
    /// b_i: how far above its true ratification floor the party claims to stand outside
    /// confidential mediation, as a share of the rest of the scale (default 0: no bluff).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("minimum" = 0.0, "maximum" = 1.0))]
    pub bluff: Option<Param>,
    /// Domestic ratification; absent means none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ratification: Option<RatificationSpec>,
    /// Bargaining strategy.
    pub strategy: StrategySpec,
}

/// Mediation protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProtocolSpec {
    /// Parties exchange offers only through the mediator.
    Relay,
    /// The mediator drafts one text and amends it from the parties' votes.
    SingleText,
    /// Parties report privately; the mediator proposes the Nash package of the ratifiable set.
    Confidential,
}

impl ProtocolSpec {
    /// The protocol library's mechanism.
    pub fn kind(self) -> bc_protocol::ProtocolKind {
        match self {
            ProtocolSpec::Relay => bc_protocol::ProtocolKind::Relay,
            ProtocolSpec::SingleText => bc_protocol::ProtocolKind::SingleText,
            ProtocolSpec::Confidential => bc_protocol::ProtocolKind::Confidential,
        }
    }

    /// The name used in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            ProtocolSpec::Relay => "relay",
            ProtocolSpec::SingleText => "single_text",
            ProtocolSpec::Confidential => "confidential",
        }
    }
}

/// `[mediator.strategy]`: how the mediator runs its protocol.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MediatorStrategySpec {
    /// The mediator strategy, one of its protocol's: relay: pass (passes every offer on),
    /// discipline (holds offers that go back on the sender's last), bridge (reframes to a
    /// package both prefer to what they have been offered); single_text: flip (Klein's: amends
    /// one issue at a time), random, hill-climbing, annealing; confidential: nash, welfare,
    /// egalitarian (what it maximises over the zone).
    #[schemars(schema_with = "mediator_kind_schema")]
    pub kind: String,
    /// The strategy's parameters by name (e.g. `{ t0 = 1 }` for annealing); numbers or
    /// distributions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params: Option<Keyed<Param>>,
}

/// `[mediator]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MediatorSpec {
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// How the mediator runs the talks.
    pub protocol: ProtocolSpec,
    /// The mediator's strategy for its protocol (default: pass for relay, flip for
    /// single_text, nash for confidential).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<MediatorStrategySpec>,
    /// eta: share of audience cost the mediator absorbs.
    #[schemars(extend("minimum" = 0.0, "maximum" = 1.0))]
    pub insulation: Param,
    /// Probability per round that the talks leak.
    #[schemars(extend("minimum" = 0.0, "maximum" = 1.0))]
    pub leak: Param,
    /// Visibility added by a leak.
    #[schemars(extend("minimum" = 0.0, "maximum" = 1.0))]
    pub leak_jump: Param,
    /// Visibility added by each round of mediated talks.
    #[schemars(extend("minimum" = 0.0, "maximum" = 1.0))]
    pub visibility: Param,
    /// Each party's initial trust in the mediator.
    #[schemars(extend("additionalProperties" = { "$ref": "#/$defs/Param", "minimum": 0.0, "maximum": 1.0 }))]
    pub standing: Keyed<Param>,
    /// A party ignores the mediator's proposals while its standing is below this.
    #[schemars(extend("minimum" = 0.0, "maximum" = 1.0))]
    pub standing_threshold: Param,
    /// Standing gained when a package the mediator proposed is delivered.
    #[schemars(extend("minimum" = 0.0, "maximum" = 1.0))]
    pub standing_gain: Param,
    /// Standing lost when a package the mediator proposed is observed to fail.
    #[schemars(extend("minimum" = 0.0, "maximum" = 1.0))]
    pub standing_loss: Param,
    /// Relay only: the share of each party's bluff dropped by message discipline (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("minimum" = 0.0, "maximum" = 1.0))]
    pub discipline: Option<Param>,
    /// Confidential only: the share of its bluff a party keeps in its reports (default 0:
    /// truthful reports, the upper bound of the information effect).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("minimum" = 0.0, "maximum" = 1.0))]
    pub report_shading: Option<Param>,
    /// Each party's side payments or guarantees from the mediator, added to its value of an
    /// agreed step (default 0: leverage without ownership).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("additionalProperties" = { "$ref": "#/$defs/Param", "minimum": 0.0, "maximum": 1.0 }))]
    pub leverage: Option<Keyed<Param>>,
    /// Share of the leverage lost per round (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("minimum" = 0.0, "maximum" = 1.0))]
    pub leverage_decay: Option<Param>,
}

/// `[spoilers.X]`: an actor outside the talks who strikes to derail them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SpoilerSpec {
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Party whose trust and floor the strike hits.
    pub target: String,
    /// Parties the target blames (default: every other party).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blamed: Option<Vec<String>>,
    /// Base hazard per round.
    #[schemars(extend("minimum" = 0.0, "maximum" = 1.0))]
    pub base: Param,
    /// Hazard added per unit of visibility.
    pub visibility: Param,
    /// Hazard added per unit of progress.
    pub progress: Param,
    /// s_k: hazard added per unit of the blamed side's incapacity (1 - its capacity). With
    /// s_k > 0 strikes are likelier when the blamed side's moderates cannot deliver, so a strike
    /// is evidence about them (Kydd and Walter 2002) and a quiet round weak counter-evidence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("minimum" = 0.0, "maximum" = 1.0))]
    pub capacity_link: Option<Param>,
    /// With s_k = 0: the defections a strike is misread as (misperception; default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("minimum" = 0.0))]
    pub misperception: Option<Param>,
    /// Visibility added by a strike.
    #[schemars(extend("minimum" = 0.0, "maximum" = 1.0))]
    pub visibility_jump: Param,
    /// Rounds the talks are suspended after a strike.
    #[schemars(extend("minimum" = 0.0))]
    pub pause: Param,
    /// Added to the floors of `floor_targets` (fades at the visibility decay rate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("minimum" = 0.0))]
    pub floor_shock: Option<Param>,
    /// Parties whose floor the strike raises (default: the target).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floor_targets: Option<Vec<String>>,
}

/// `[variants.X]`: a named alternative, as changes to the scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VariantSpec {
    /// What the variant represents.
    #[serde(default)]
    pub description: String,
    /// Tables to delete, as dotted paths (`mediator`, `spoilers.proxy_attack`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remove: Vec<String>,
    /// Tables merged over the scenario (tables merge key by key; other values, arrays included,
    /// replace).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patch: Option<serde_json::Map<String, serde_json::Value>>,
}

/// The JSON Schema of the scenario format, generated from these types.
pub fn schema() -> serde_json::Value {
    schemars::schema_for!(ScenarioFile).to_value()
}
