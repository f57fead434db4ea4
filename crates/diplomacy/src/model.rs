//! The concrete model of one run: every parameter a number (uncertain ones already drawn).
//! [`crate::sim`] simulates it; [`crate::scenario`] builds it from a scenario file. Plain data:
//! what runs of a scenario share to go faster (the simulator's `TableCache`) is the scenario's.

use std::sync::Arc;

use bc_model::{OutcomeSpace, UtilityFunction, Value};
use serde::{Deserialize, Serialize};

/// One issue of the agenda (same index as in the outcome space).
#[derive(Clone, Debug, PartialEq)]
pub struct AgendaIssue {
    /// Issue name.
    pub name: String,
    /// Value before any agreement is implemented (None: no deal means the reservation value).
    pub status_quo: Option<Value>,
    /// Parties whose delivery realises the issue (all must deliver).
    pub implementers: Vec<usize>,
    /// The issue's share of the agenda (parties' normalised weights averaged); sums to 1.
    pub weight: f64,
}

/// A module of the agenda.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// Step name.
    pub name: String,
    /// Issue indices, in space order.
    pub issues: Vec<usize>,
    /// Probability that a delivery or defection is observed correctly.
    pub verifiability: f64,
    /// `None`: simultaneous delivery. `Some(order)`: sequenced, the implementers deliver in
    /// this order, each after seeing the previous delivery.
    pub sequence: Option<Vec<usize>>,
    /// The step's address for random draws (a hash of its name).
    pub key: u64,
}

/// Domestic ratification of one party.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ratification {
    /// f0: base floor on the step-normalised scale.
    pub floor: f64,
    /// lambda: per unit of visibility.
    pub visibility: f64,
    /// mu: per unit of unmet expectations.
    pub expectations: f64,
    /// rho: reciprocity.
    pub reciprocity: f64,
}

/// A bargaining strategy.
#[derive(Clone, Debug, PartialEq)]
pub enum Strategy {
    /// A negotiator of `bc-strategy`'s registry (`time_based` is `tb` with its exponent),
    /// playing every step as one negotiation that lasts `rounds` rounds (its relative time is
    /// the share of them elapsed since the step opened).
    Agent {
        /// The agent and its parameters.
        spec: bc_strategy::Spec,
        /// Rounds of a step the agent's clock spans (time-based agents concede fully by then).
        rounds: f64,
    },
    /// Rubinstein's stationary subgame-perfect strategy (a reduction check, not a protocol).
    Spe,
}

/// One party.
#[derive(Clone, Debug)]
pub struct Party {
    /// Id (the key in the scenario file).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Utility over the outcome space, rescaled to [0, 1].
    pub utility: Arc<UtilityFunction>,
    /// r: value of no deal (None: the status quo's utility).
    pub reservation: Option<f64>,
    /// delta per round.
    pub discount: f64,
    /// Last round the party negotiates in.
    pub deadline: Option<u32>,
    /// kappa: delivery probability.
    pub capacity: f64,
    /// Beta prior (a, b) about each party's capacity (own entry unused).
    pub trust: Vec<(f64, f64)>,
    /// w: walk-away trust floor.
    pub walk_away: f64,
    /// c: engagement cost per round of being seen talking to the adversary at full visibility
    /// (the file's `audience_cost`; not Fearon's audience cost of backing down).
    pub audience_cost: f64,
    /// Per-round hazard of losing the capacity to keep an implemented step (a successor
    /// government, a court).
    pub withdrawal: f64,
    /// b_i: the bluff on the ratification floor outside confidential mediation (0: none).
    pub bluff: f64,
    /// Domestic ratification, if any.
    pub ratification: Option<Ratification>,
    /// Bargaining strategy.
    pub strategy: Strategy,
}

/// Mediation protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Protocol {
    /// Alternating offers passed through the mediator.
    Relay,
    /// One text, amended from votes.
    SingleText,
    /// Private reports; the mediator proposes the Nash package of the ratifiable set.
    Confidential,
}

/// The mediator.
#[derive(Clone, Debug, PartialEq)]
pub struct Mediator {
    /// Display name.
    pub name: String,
    /// Protocol.
    pub protocol: Protocol,
    /// The mediator's strategy for its protocol (a name of `bc-strategy`'s registry).
    pub strategy: bc_strategy::Spec,
    /// eta: insulation.
    pub insulation: f64,
    /// Leak probability per round.
    pub leak: f64,
    /// Visibility jump of a leak.
    pub leak_jump: f64,
    /// Visibility added per round of talks.
    pub visibility: f64,
    /// Initial standing with each party.
    pub standing: Vec<f64>,
    /// Standing below which a party ignores the mediator.
    pub threshold: f64,
    /// Standing gained on a delivered mediator package.
    pub gain: f64,
    /// Standing lost on an observed failure of a mediator package.
    pub loss: f64,
    /// Relay only: the share of each party's bluff the mediator's message discipline drops.
    pub discipline: f64,
    /// Confidential only: the share of its bluff a party keeps in its reports (0: truthful,
    /// the upper bound of the information effect).
    pub report_shading: f64,
    /// leverage_i: side payments or guarantees the mediator adds to i's value of an agreed step.
    pub leverage: Vec<f64>,
    /// Share of the leverage lost per round.
    pub leverage_decay: f64,
}

/// A spoiler.
#[derive(Clone, Debug, PartialEq)]
pub struct Spoiler {
    /// Id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Party hit.
    pub target: usize,
    /// Parties the target blames.
    pub blamed: Vec<usize>,
    /// Base hazard.
    pub base: f64,
    /// Hazard per unit visibility.
    pub visibility: f64,
    /// Hazard per unit progress.
    pub progress: f64,
    /// s_k: hazard added per unit of the blamed side's incapacity `1 - kappa_blamed`; with
    /// `s_k > 0` a strike is evidence about the blamed side.
    pub capacity_link: f64,
    /// With `s_k = 0`: defections a strike is misread as (misperception; 0 for none).
    pub misperception: f64,
    /// Visibility jump.
    pub jump: f64,
    /// Rounds of suspension.
    pub pause: u32,
    /// Floor shock.
    pub floor_shock: f64,
    /// Parties whose floor it raises.
    pub floor_targets: Vec<usize>,
    /// False in a "without this spoiler" counterfactual.
    pub enabled: bool,
    /// The spoiler's address for random draws (a hash of its id).
    pub key: u64,
}

/// Visibility, expectations and their dynamics.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Public {
    /// V_0.
    pub visibility: f64,
    /// E_0.
    pub expectations: f64,
    /// Decay of V (and floor shocks) per round.
    pub decay: f64,
    /// gamma.
    pub gamma: f64,
    /// V jump of an announced agreement.
    pub announce_visibility: f64,
    /// E jump of an announced agreement.
    pub announce_expectations: f64,
    /// V added per round of direct talks.
    pub direct_visibility: f64,
}

/// What the victims of an observed defection do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Response {
    /// True: `snap_back` (after `grace` rounds the victims reverse their deliveries on the
    /// step); false: `wait` (the step stays open for redelivery for `grace` rounds, then snaps
    /// back).
    pub snap_back: bool,
    /// Rounds before the response takes effect.
    pub grace: u32,
}

/// One run's model.
#[derive(Clone, Debug)]
pub struct Model {
    /// Scenario name.
    pub name: String,
    /// Horizon T.
    pub rounds: u32,
    /// Offers per round.
    pub sub_rounds: u32,
    /// Grid points per real issue.
    pub real_grid: u32,
    /// The outcome space.
    pub space: Arc<OutcomeSpace>,
    /// Agenda issues, in space order.
    pub issues: Vec<AgendaIssue>,
    /// Ordered steps.
    pub steps: Vec<Step>,
    /// Parties.
    pub parties: Vec<Party>,
    /// Public dynamics.
    pub public: Public,
    /// Mediator (None: direct talks).
    pub mediator: Option<Mediator>,
    /// Spoilers.
    pub spoilers: Vec<Spoiler>,
    /// The victims' response to an observed defection.
    pub response: Response,
    /// W: rounds after the first setback within which talks must resume ("kept talking").
    pub setback_window: u32,
    /// W_signal: rounds within which every party must deliver on a step ("concrete signals").
    pub signal_window: u32,
}

impl Model {
    /// The same run with direct talks (no mediator).
    pub fn without_mediator(&self) -> Model {
        let mut m = self.clone();
        m.mediator = None;
        m
    }

    /// The same run with the whole agenda as one step. Its verifiability is the steps'
    /// verifiabilities averaged with issue weights (a bundle is checked part by part), and each
    /// party's concession clock spans the steps' clocks added up (bargaining over the whole
    /// agenda at once takes as long as bargaining over its parts; otherwise the bundle would
    /// win merely by being negotiated once).
    pub fn grand_bargain(&self) -> Model {
        let mut m = self.clone();
        let k = self.steps.len().max(1) as f64;
        m.steps = self.grand_bargain_steps();
        for p in &mut m.parties {
            if let Strategy::Agent { rounds, .. } = &mut p.strategy {
                *rounds *= k;
            }
        }
        m
    }

    /// The steps of [`Model::grand_bargain`]: one, the whole agenda.
    pub(crate) fn grand_bargain_steps(&self) -> Vec<Step> {
        let mut num = 0.0;
        let mut den = 0.0;
        for s in &self.steps {
            for &i in &s.issues {
                num += self.issues[i].weight * s.verifiability;
                den += self.issues[i].weight;
            }
        }
        let v =
            if den > 0.0 { num / den } else { self.steps.iter().map(|s| s.verifiability).sum::<f64>() / self.steps.len().max(1) as f64 };
        let name = "grand bargain".to_string();
        let key = crate::draws::name_hash(&name);
        vec![Step { name, issues: (0..self.issues.len()).collect(), verifiability: v, sequence: None, key }]
    }

    /// The same run with a mediator that has no leverage.
    pub fn without_leverage(&self) -> Model {
        let mut m = self.clone();
        if let Some(med) = &mut m.mediator {
            med.leverage.iter_mut().for_each(|l| *l = 0.0);
        }
        m
    }

    /// The same run without spoiler `k`.
    pub(crate) fn without_spoiler(&self, k: usize) -> Model {
        let mut m = self.clone();
        if let Some(s) = m.spoilers.get_mut(k) {
            s.enabled = false;
        }
        m
    }
}
