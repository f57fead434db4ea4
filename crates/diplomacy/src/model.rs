//! The concrete model of one run: every parameter a number (uncertain ones already drawn).
//! [`crate::sim`] simulates it; [`crate::scenario`] builds it from a scenario file.

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
    /// c: audience cost per round at full visibility.
    pub audience_cost: f64,
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
}

/// How a strike moves the target's trust.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Shock {
    /// As if the target had observed this many defections by each blamed party.
    Defections(f64),
    /// Kydd–Walter: Bayes on attack likelihoods under trustworthy / untrustworthy moderates;
    /// the posterior mean replaces the prior mean, the Beta's total count is kept.
    KyddWalter {
        /// P(attack | blamed side's moderates trustworthy).
        trustworthy: f64,
        /// P(attack | not).
        untrustworthy: f64,
    },
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
    /// Trust shock.
    pub shock: Shock,
    /// Visibility jump.
    pub jump: f64,
    /// Rounds of suspension.
    pub pause: u32,
    /// Floor shock.
    pub floor_shock: f64,
    /// Parties whose floor it raises.
    pub floor_targets: Vec<usize>,
    /// False in a "without this spoiler" counterfactual (its random stream is still drawn).
    pub enabled: bool,
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
    /// Step spaces, and step tables at the status quo (none when utilities are sampled), shared
    /// across runs.
    pub tables: crate::sim::TableCache,
}

impl Model {
    /// The same run with direct talks (no mediator).
    pub fn without_mediator(&self) -> Model {
        let mut m = self.clone();
        m.mediator = None;
        m
    }

    /// The same run with the whole agenda as one step. Its verifiability is the steps'
    /// verifiabilities averaged with issue weights (a bundle is checked part by part).
    pub fn grand_bargain(&self) -> Model {
        let mut m = self.clone();
        m.steps = self.grand_bargain_steps();
        m
    }

    /// The steps of [`Model::grand_bargain`]: one, the whole agenda.
    pub fn grand_bargain_steps(&self) -> Vec<Step> {
        let mut num = 0.0;
        let mut den = 0.0;
        for s in &self.steps {
            for &i in &s.issues {
                num += self.issues[i].weight * s.verifiability;
                den += self.issues[i].weight;
            }
        }
        let v = if den > 0.0 {
            num / den
        } else {
            self.steps.iter().map(|s| s.verifiability).sum::<f64>() / self.steps.len().max(1) as f64
        };
        vec![Step { name: "grand bargain".into(), issues: (0..self.issues.len()).collect(), verifiability: v }]
    }

    /// The same run without spoiler `k`.
    pub fn without_spoiler(&self, k: usize) -> Model {
        let mut m = self.clone();
        if let Some(s) = m.spoilers.get_mut(k) {
            s.enabled = false;
        }
        m
    }
}
