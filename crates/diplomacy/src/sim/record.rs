//! What a run reports: its outcome class, its record (one per run, plain serialisable data), and
//! the events of its story for `backchannel trace`, delivered to an [`Observer`].

use serde::{Deserialize, Serialize};

/// How a run ended, by what stands at the end (MODEL.md v2, "What a run reports"). A walk-out by
/// itself reverses nothing: steps stand until someone withdraws from them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Every step stands.
    Comprehensive,
    /// Some steps stand; the talks are still on.
    Partial,
    /// Some steps stand; a party left.
    BreakdownAfterProgress,
    /// Nothing stands; a party left.
    Collapse,
    /// Nothing stands; still talking.
    Drift,
}

impl Outcome {
    /// All classes, in report order.
    pub const ALL: [Outcome; 5] =
        [Outcome::Comprehensive, Outcome::Partial, Outcome::BreakdownAfterProgress, Outcome::Collapse, Outcome::Drift];

    /// The class's name.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Comprehensive => "comprehensive",
            Outcome::Partial => "partial",
            Outcome::BreakdownAfterProgress => "breakdown_after_progress",
            Outcome::Collapse => "collapse",
            Outcome::Drift => "drift",
        }
    }

    /// The class's position in [`Outcome::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The class of a run with `standing` of `steps` steps standing at the end, `left` telling
    /// whether a party walked out.
    pub fn classify(standing: usize, steps: usize, left: bool) -> Outcome {
        match (standing, left) {
            (s, _) if s == steps && steps > 0 => Outcome::Comprehensive,
            (0, true) => Outcome::Collapse,
            (0, false) => Outcome::Drift,
            (_, true) => Outcome::BreakdownAfterProgress,
            (_, false) => Outcome::Partial,
        }
    }

    /// True when some step stands at the end.
    pub fn has_progress(self) -> bool {
        matches!(self, Outcome::Comprehensive | Outcome::Partial | Outcome::BreakdownAfterProgress)
    }
}

/// What one run reports (plain data, serialisable, one per run).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// Outcome class.
    pub outcome: Outcome,
    /// Rounds simulated.
    pub rounds: u32,
    /// Some step was implemented (every implementer delivered) at some point.
    pub at_least_one_step: bool,
    /// Share of the agenda (issue weights) in steps standing at the end.
    pub agenda_share: f64,
    /// Steps standing at the end.
    pub steps_standing: u32,
    /// Round in which the first step was implemented.
    pub first_step_round: Option<u32>,
    /// Times a step was implemented (a step implemented again after a snap-back counts again).
    pub steps_implemented: u32,
    /// Steps that stood and were later snapped back.
    pub reversals: u32,
    /// Withdrawals from standing steps (involuntary and strategic).
    pub withdrawals: u32,
    /// Agreements reached.
    pub agreements: u32,
    /// Spoiler strikes.
    pub strikes: u32,
    /// Strikes by each spoiler (in scenario order).
    pub strikes_by_spoiler: Vec<u32>,
    /// Setbacks while the talks were in progress: strikes and observed defections.
    pub setbacks: u32,
    /// Kept talking after the first setback: a session with an offer on the table within W
    /// rounds of it and no exit in those rounds (None: no setback).
    pub kept_talking_after_setback: Option<bool>,
    /// Rounds from the first setback to that session (only when the parties kept talking).
    pub rounds_to_resume: Option<u32>,
    /// Every party that implements something delivered on a step within W_signal rounds.
    pub concrete_signals: bool,
    /// No party rejected the mediator (None: direct talks).
    pub mediator_accepted: Option<bool>,
    /// Round in which the mediator was rejected.
    pub rejected_round: Option<u32>,
    /// The party that left.
    pub left: Option<usize>,
    /// Final trust: `final_trust[i][j]` = i's mean belief in j's capacity (1 on the diagonal).
    pub final_trust: Vec<Vec<f64>>,
    /// Final visibility.
    pub final_visibility: f64,
    /// Each party's discounted utility: its no-deal value, plus each change of the agenda's
    /// state discounted to the round it happened, minus discounted engagement costs.
    pub discounted_utility: Vec<f64>,
}

/// A step of the story of a run, for `backchannel trace` and run directories' key events
/// (named apart from `bc_protocol::Event`, an event of one negotiation's mechanism).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum RunEvent {
    /// A round begins.
    Round {
        /// Round.
        round: u32,
        /// The step on the table (None: nothing open).
        step: Option<String>,
        /// Visibility.
        visibility: f64,
        /// Expectations.
        expectations: f64,
        /// Progress.
        progress: f64,
        /// Each party's true domestic floor (step-normalised).
        floors: Vec<f64>,
    },
    /// A party rejected the mediator: the talks go direct.
    Rejected {
        /// Round.
        round: u32,
        /// Party id.
        party: String,
        /// Its standing with the mediator.
        standing: f64,
    },
    /// A spoiler struck.
    Strike {
        /// Round.
        round: u32,
        /// Spoiler id.
        spoiler: String,
        /// Hazard it struck with.
        hazard: f64,
        /// How the target read it: "evidence" (the hazard depends on the blamed side's
        /// capacity), "misperception" or "no information".
        reading: String,
        /// Target's trust in each party after the update.
        target_trust: Vec<f64>,
        /// Rounds suspended.
        pause: u32,
    },
    /// The talks leaked.
    Leak {
        /// Round.
        round: u32,
    },
    /// Talks suspended this round.
    Suspended {
        /// Round.
        round: u32,
    },
    /// A party withdrew from a standing step.
    Withdrawal {
        /// Round.
        round: u32,
        /// Party id.
        party: String,
        /// Step.
        step: String,
        /// "capacity" (it lost the ability to keep it) or "strategic" (keeping it no longer pays).
        reason: String,
        /// Whether each other party saw it (party id, saw).
        observed: Vec<(String, bool)>,
    },
    /// The victims' response to an observed defection took effect.
    Response {
        /// Round.
        round: u32,
        /// Step.
        step: String,
        /// "snap_back" (the step returns to the table whole) or "redelivered" (the defaulter
        /// delivered during the wait).
        what: String,
    },
    /// A party left.
    Left {
        /// Round.
        round: u32,
        /// Party id.
        party: String,
        /// Why.
        reason: String,
    },
    /// What a bargaining round put on the table.
    Table {
        /// Round.
        round: u32,
        /// Step.
        step: String,
        /// Packages that pass every party's true test (credibility-discounted value at least its
        /// disagreement value, reciprocity, true floor).
        zone: usize,
        /// Packages that pass every party's test as it bargains: floors raised by bluffs,
        /// values raised by the mediator's leverage.
        claimed: usize,
        /// The protocol in force ("direct", "relay", "single_text", "confidential").
        protocol: String,
    },
    /// An offer (or the mediator's text) was put on the table.
    Offer {
        /// Round.
        round: u32,
        /// Offer within the round.
        offer: u32,
        /// Party id or "mediator".
        by: String,
        /// The package, as `issue = value`.
        package: Vec<String>,
        /// Each party's credibility-discounted value of it.
        values: Vec<f64>,
    },
    /// The single text was amended.
    Amended {
        /// Round.
        round: u32,
        /// Offer within the round.
        offer: u32,
        /// The new draft.
        package: Vec<String>,
    },
    /// The confidential mediator told the parties there is no zone of agreement.
    NoZone {
        /// Round.
        round: u32,
    },
    /// A package was agreed.
    Agreed {
        /// Round.
        round: u32,
        /// Step.
        step: String,
        /// Package.
        package: Vec<String>,
    },
    /// An implementer delivered or not, and what each other party saw.
    Delivery {
        /// Round.
        round: u32,
        /// Implementer id.
        party: String,
        /// Delivered?
        delivered: bool,
        /// "delivered", "unable" (capacity), "reneged" (the commitment problem) or "held back"
        /// (an earlier mover of a sequenced step did not deliver).
        why: String,
        /// What each other party observed (party id, saw delivery).
        observed: Vec<(String, bool)>,
    },
    /// Trust after the updates of a round.
    Trust {
        /// Round.
        round: u32,
        /// `trust[i][j]`.
        trust: Vec<Vec<f64>>,
    },
    /// A step was implemented: every implementer delivered.
    StepDone {
        /// Round.
        round: u32,
        /// Step.
        step: String,
    },
    /// The mediator's standing after a package it proposed was delivered or failed.
    Standing {
        /// Round.
        round: u32,
        /// Standing with each party.
        standing: Vec<f64>,
    },
    /// The run ended.
    End {
        /// Round.
        round: u32,
        /// Outcome.
        outcome: Outcome,
    },
}

/// Receives a run's events. [`NoTrace`] discards them at no cost.
pub trait Observer {
    /// True when events are wanted (events are not even built otherwise).
    const ENABLED: bool;
    /// One event.
    fn event(&mut self, e: RunEvent);
}

/// Discards events.
pub struct NoTrace;

impl Observer for NoTrace {
    const ENABLED: bool = false;
    fn event(&mut self, _: RunEvent) {}
}

/// Collects events.
#[derive(Default)]
pub struct Trace(pub Vec<RunEvent>);

impl Observer for Trace {
    const ENABLED: bool = true;
    fn event(&mut self, e: RunEvent) {
        self.0.push(e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_follow_what_stands() {
        assert_eq!(Outcome::classify(4, 4, true), Outcome::Comprehensive);
        assert_eq!(Outcome::classify(2, 4, false), Outcome::Partial);
        assert_eq!(Outcome::classify(2, 4, true), Outcome::BreakdownAfterProgress);
        assert_eq!(Outcome::classify(0, 4, true), Outcome::Collapse);
        assert_eq!(Outcome::classify(0, 4, false), Outcome::Drift);
        for (k, o) in Outcome::ALL.iter().enumerate() {
            assert_eq!(o.index(), k);
        }
    }
}
