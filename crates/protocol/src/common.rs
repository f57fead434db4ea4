//! What every mechanism shares: outcome indices, actors, the event trace and who may see each
//! event, how a negotiation ends, and the round clock with NegMAS's relative time.

use crate::error::{Error, ErrorKind};

/// An outcome, as its mixed-radix index in the outcome space (`OutcomeSpace::outcome_at`).
pub type OutcomeId = u64;

/// Who acts: a party (by its position, 0-based) or the mediator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Actor {
    /// Party `i`.
    Party(usize),
    /// The mediator.
    Mediator,
}

impl std::fmt::Display for Actor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Actor::Party(i) => write!(f, "party {i}"),
            Actor::Mediator => write!(f, "the mediator"),
        }
    }
}

/// Who looks at the trace: a party sees only what the protocol shows it; the mediator sees what
/// reaches it; an observer (the analyst, the session record) sees everything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Viewer {
    /// Party `i`.
    Party(usize),
    /// The mediator.
    Mediator,
    /// Everything (the analyst's view).
    Observer,
}

/// Where a delivered text comes from (relay).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// Passed on unchanged from this party.
    Party(usize),
    /// Written by the mediator (a reframed proposal).
    Mediator,
}

/// How a negotiation ended.
#[derive(Clone, Debug, PartialEq)]
pub enum Ending {
    /// Everyone agreed on this outcome.
    Agreement(OutcomeId),
    /// The round limit was reached without agreement.
    Timeout,
    /// Someone ended the talks (or refused to make an offer when one was due).
    Ended {
        /// Who ended them.
        by: Actor,
    },
    /// Single text: the final text was not ratified by everyone (or there was none).
    NotRatified,
    /// A strategy failed (panicked, or broke its time budget); recorded by the session runner.
    Fault {
        /// Whose strategy failed.
        by: Actor,
        /// What happened.
        message: String,
    },
}

impl Ending {
    /// The agreed outcome, if any.
    pub fn agreement(&self) -> Option<OutcomeId> {
        match self {
            Ending::Agreement(o) => Some(*o),
            _ => None,
        }
    }

    /// A short name: `agreement`, `timeout`, `ended`, `not-ratified` or `fault`.
    pub fn name(&self) -> &'static str {
        match self {
            Ending::Agreement(_) => "agreement",
            Ending::Timeout => "timeout",
            Ending::Ended { .. } => "ended",
            Ending::NotRatified => "not-ratified",
            Ending::Fault { .. } => "fault",
        }
    }
}

/// One thing that happened. `step` is the 0-based round.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// A party made an offer. In SAO every party sees it; in relay it goes to the mediator only.
    Offer {
        /// Round.
        step: u64,
        /// Who offered.
        party: usize,
        /// What.
        outcome: OutcomeId,
    },
    /// A party accepted the offer in front of it.
    Accept {
        /// Round.
        step: u64,
        /// Who accepted.
        party: usize,
        /// What it accepted.
        outcome: OutcomeId,
    },
    /// Relay: a text was delivered to a party.
    Delivered {
        /// Round.
        step: u64,
        /// Recipient.
        to: usize,
        /// The text.
        outcome: OutcomeId,
        /// Whose text it is.
        from: Source,
    },
    /// Relay: the mediator kept an offer to itself.
    Held {
        /// Round.
        step: u64,
        /// Whose offer.
        from: usize,
        /// The offer.
        outcome: OutcomeId,
    },
    /// Single text or confidential mediation: the mediator put a text to the parties.
    Draft {
        /// Round.
        step: u64,
        /// The text.
        outcome: OutcomeId,
    },
    /// A party's vote on the mediator's text (seen by the mediator only).
    Vote {
        /// Round.
        step: u64,
        /// Who voted.
        party: usize,
        /// Accept (true) or reject.
        accept: bool,
    },
    /// Single text: the draft became the current text.
    Adopted {
        /// Round.
        step: u64,
        /// The new current text.
        outcome: OutcomeId,
    },
    /// Single text: a party's final vote on the current text.
    Ratify {
        /// Round (the step count at the end).
        step: u64,
        /// Who voted.
        party: usize,
        /// Ratified (true) or not.
        accept: bool,
    },
    /// Confidential mediation: a party's private report to the mediator.
    Report {
        /// Round.
        step: u64,
        /// Who reported.
        party: usize,
        /// The lowest utility (on its reported scale) it says it can accept.
        floor: f64,
    },
    /// Confidential mediation: the mediator tells each side whether a zone of agreement exists.
    Zone {
        /// Round.
        step: u64,
        /// Whether one exists.
        exists: bool,
    },
    /// The negotiation ended.
    End {
        /// The final step count (NegMAS's `state.step`).
        step: u64,
        /// How.
        ending: Ending,
    },
}

impl Event {
    /// The round the event belongs to.
    pub fn step(&self) -> u64 {
        match self {
            Event::Offer { step, .. }
            | Event::Accept { step, .. }
            | Event::Delivered { step, .. }
            | Event::Held { step, .. }
            | Event::Draft { step, .. }
            | Event::Vote { step, .. }
            | Event::Adopted { step, .. }
            | Event::Ratify { step, .. }
            | Event::Report { step, .. }
            | Event::Zone { step, .. }
            | Event::End { step, .. } => *step,
        }
    }

    /// Whether `viewer` may see this event under protocol `kind`.
    pub fn visible_to(&self, viewer: Viewer, kind: ProtocolKind) -> bool {
        let party = match viewer {
            Viewer::Observer => return true,
            Viewer::Mediator => {
                // The mediator sees everything that passes through it; in SAO there is none.
                return kind != ProtocolKind::Sao || matches!(self, Event::End { .. });
            }
            Viewer::Party(i) => i,
        };
        match (kind, self) {
            (_, Event::End { .. }) => true,
            (ProtocolKind::Sao, _) => true,
            (ProtocolKind::Relay, Event::Offer { party: p, .. }) | (ProtocolKind::Relay, Event::Accept { party: p, .. }) => *p == party,
            (ProtocolKind::Relay, Event::Delivered { to, .. }) => *to == party,
            // A held offer is the mediator's secret, even from its sender.
            (ProtocolKind::Relay, Event::Held { .. }) => false,
            (_, Event::Draft { .. }) | (_, Event::Adopted { .. }) | (_, Event::Zone { .. }) => true,
            (_, Event::Vote { party: p, .. }) | (_, Event::Ratify { party: p, .. }) | (_, Event::Report { party: p, .. }) => *p == party,
            _ => false,
        }
    }
}

/// Which protocol produced a trace (decides who may see which event).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProtocolKind {
    /// Stacked alternating offers.
    Sao,
    /// Mediated single text.
    SingleText,
    /// Offers through the mediator only.
    Relay,
    /// Private reports, mediator proposes.
    Confidential,
}

impl ProtocolKind {
    /// The name used on the command line.
    pub fn name(&self) -> &'static str {
        match self {
            ProtocolKind::Sao => "sao",
            ProtocolKind::SingleText => "single-text",
            ProtocolKind::Relay => "relay",
            ProtocolKind::Confidential => "confidential",
        }
    }
}

/// NegMAS's relative time of round `step` (0-based) out of `n_steps`: `(step + 1) / (n_steps + 1)`,
/// so it is never 0 and never 1 (`negmas/mechanisms.py`, `_relative_time_for`).
#[inline]
pub fn relative_time(step: u64, n_steps: u64) -> f64 {
    // In f64 so that no step count overflows; exact below 2^53, like Python's int division.
    (step as f64 + 1.0) / (n_steps as f64 + 1.0)
}

/// The event log of a mechanism: the events of the last action (always) and, when kept, all of
/// them. Tournaments switch the full log off: the outcome and step count are enough there.
#[derive(Clone, Debug, Default)]
pub(crate) struct Log {
    all: Vec<Event>,
    keep: bool,
    /// Index in `all` (when kept) or in `last` where the last action's events start.
    start: usize,
    last: Vec<Event>,
}

impl Log {
    pub(crate) fn new(keep: bool) -> Log {
        Log { all: Vec::new(), keep, start: 0, last: Vec::new() }
    }

    /// Starts the events of a new action.
    #[inline]
    pub(crate) fn begin(&mut self) {
        if self.keep {
            self.start = self.all.len();
        } else {
            self.last.clear();
        }
    }

    #[inline]
    pub(crate) fn push(&mut self, e: Event) {
        if self.keep {
            self.all.push(e);
        } else {
            self.last.push(e);
        }
    }

    /// The events of the last action.
    pub(crate) fn last(&self) -> &[Event] {
        if self.keep {
            &self.all[self.start..]
        } else {
            &self.last
        }
    }

    /// Every event so far (empty when the log is not kept).
    pub(crate) fn all(&self) -> &[Event] {
        &self.all
    }
}

/// What every mechanism keeps alike: its settings, the step count, how it ended, and its event
/// log; and the two ways any of them ends (`finish`, `fault`).
#[derive(Clone, Debug)]
pub(crate) struct Core {
    pub(crate) setup: Setup,
    pub(crate) step: u64,
    pub(crate) ending: Option<Ending>,
    pub(crate) log: Log,
}

impl Core {
    pub(crate) fn new(setup: Setup) -> Core {
        Core { setup, step: 0, ending: None, log: Log::new(setup.keep_events) }
    }

    /// Ends the negotiation at the current step, logging the end.
    pub(crate) fn finish(&mut self, ending: Ending) {
        self.log.push(Event::End { step: self.step, ending: ending.clone() });
        self.ending = Some(ending);
    }

    /// Ends the negotiation because `by`'s strategy failed (nothing changes once it has ended).
    /// `counts_as_step`: whether the failed turn counts as a step (SAO, relay and confidential
    /// mediation count it, as NegMAS does; single text does not).
    pub(crate) fn fault(&mut self, by: Actor, message: String, counts_as_step: bool) -> &[Event] {
        self.log.begin();
        if self.ending.is_none() {
            if counts_as_step {
                self.step += 1;
            }
            self.finish(Ending::Fault { by, message });
        }
        self.log.last()
    }
}

/// The five [`Mechanism`] methods every mechanism answers from its `core` field alike, written
/// once: `core_methods!(fault_counts_as_step: true)` inside an `impl Mechanism` block (see
/// [`Core::fault`] for the flag).
macro_rules! core_methods {
    (fault_counts_as_step: $counts:expr) => {
        fn fault(&mut self, by: $crate::common::Actor, message: String) -> &[$crate::common::Event] {
            self.core.fault(by, message, $counts)
        }

        fn ending(&self) -> Option<&$crate::common::Ending> {
            self.core.ending.as_ref()
        }

        fn step(&self) -> u64 {
            self.core.step
        }

        fn setup(&self) -> &$crate::common::Setup {
            &self.core.setup
        }

        fn events(&self) -> &[$crate::common::Event] {
            self.core.log.all()
        }
    };
}
pub(crate) use core_methods;

/// Checks an outcome index against the size of the space.
pub(crate) fn check_outcome(outcome: OutcomeId, n_outcomes: u64) -> Result<(), Error> {
    if outcome < n_outcomes {
        Ok(())
    } else {
        Err(Error::new(ErrorKind::InvalidOutcome { outcome, n_outcomes }))
    }
}

/// Shared settings: how many parties, how many outcomes, the round limit, and whether to keep
/// the full event log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Setup {
    /// Number of parties (at least 2).
    pub n_parties: usize,
    /// Number of outcomes of the (discrete) space; offers are indices below it.
    pub n_outcomes: u64,
    /// Round limit (at least 1).
    pub n_steps: u64,
    /// Keep every event (the trace); when false only the last action's events are available.
    pub keep_events: bool,
}

impl Setup {
    /// Settings with the full event log kept.
    pub fn new(n_parties: usize, n_outcomes: u64, n_steps: u64) -> Setup {
        Setup { n_parties, n_outcomes, n_steps, keep_events: true }
    }

    /// The same settings, keeping (or not) the full event log.
    pub fn keep_events(mut self, keep: bool) -> Setup {
        self.keep_events = keep;
        self
    }

    pub(crate) fn check(&self, min_parties: usize) -> Result<(), Error> {
        if self.n_parties < min_parties {
            return Err(Error::setup(format!("expected at least {min_parties} parties, found {}", self.n_parties)));
        }
        if self.n_steps == 0 {
            return Err(Error::setup("expected at least 1 step (round), found 0"));
        }
        if self.n_outcomes == 0 {
            return Err(Error::setup("the outcome space is empty"));
        }
        Ok(())
    }
}

/// Everything a protocol offers its drivers, whichever protocol it is.
pub trait Mechanism {
    /// What a turn looks like (who is expected to act, and what they see).
    type Turn;
    /// What an actor can do.
    type Action;

    /// Which protocol this is.
    fn kind(&self) -> ProtocolKind;
    /// Who must act next and with what in front of them; `None` once the negotiation has ended.
    fn turn(&self) -> Option<Self::Turn>;
    /// Takes `actor`'s action. On success returns the events it caused; on error nothing changes.
    fn submit(&mut self, actor: Actor, action: Self::Action) -> Result<&[Event], Error>;
    /// Ends the negotiation because `by`'s strategy failed (the session runner calls this).
    fn fault(&mut self, by: Actor, message: String) -> &[Event];
    /// How it ended, once it has.
    fn ending(&self) -> Option<&Ending>;
    /// The step count: rounds started so far (NegMAS's `state.step` once ended).
    fn step(&self) -> u64;
    /// The settings.
    fn setup(&self) -> &Setup;
    /// Every event so far (empty unless the setup keeps events).
    fn events(&self) -> &[Event];
    /// The events `viewer` may see.
    fn view(&self, viewer: Viewer) -> Vec<&Event> {
        let kind = self.kind();
        self.events().iter().filter(|e| e.visible_to(viewer, kind)).collect()
    }
    /// Relative time of the current round, `(step + 1) / (n_steps + 1)`.
    fn relative_time(&self) -> f64 {
        relative_time(self.step().min(self.setup().n_steps.saturating_sub(1)), self.setup().n_steps)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_time_is_negmas() {
        assert_eq!(relative_time(0, 100), 1.0 / 101.0);
        assert_eq!(relative_time(99, 100), 100.0 / 101.0);
    }

    #[test]
    fn relay_hides_offers_from_others() {
        let e = Event::Offer { step: 0, party: 0, outcome: 3 };
        assert!(e.visible_to(Viewer::Party(0), ProtocolKind::Relay));
        assert!(!e.visible_to(Viewer::Party(1), ProtocolKind::Relay));
        assert!(e.visible_to(Viewer::Party(1), ProtocolKind::Sao));
        assert!(e.visible_to(Viewer::Mediator, ProtocolKind::Relay));
        let r = Event::Report { step: 0, party: 1, floor: 0.5 };
        assert!(!r.visible_to(Viewer::Party(0), ProtocolKind::Confidential));
        assert!(r.visible_to(Viewer::Party(1), ProtocolKind::Confidential));
    }

    #[test]
    fn setup_rejects_zero_steps_and_one_party() {
        assert!(Setup::new(2, 10, 0).check(2).unwrap_err().to_string().contains("0"));
        assert!(Setup::new(1, 10, 5).check(2).unwrap_err().to_string().contains("at least 2 parties"));
        assert!(Setup::new(2, 10, 5).check(2).is_ok());
    }
}
