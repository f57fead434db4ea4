//! Relay (shuttle) negotiation: the parties never talk to each other; every offer goes to the
//! mediator, who may pass it on unchanged, hold it back, or reframe it as its own proposal.
//! Nothing is visible to anyone except what is delivered to them.
//!
//! Rounds run like SAO (parties in order `0..n-1`, relative time `(k + 1) / (N + 1)`, round limit
//! `N`). On its turn a party sees only the last text delivered to it (its *inbox*) and may accept
//! it, send the mediator an offer, or end the talks. After each offer the mediator decides:
//!
//! - **pass**: the offer reaches every other party as that party's offer;
//! - **reframe**: a text of the mediator's choosing reaches every party (the sender included) as
//!   the mediator's proposal;
//! - **hold**: nobody else learns of it (not even that it was held).
//!
//! **Agreement.** Each party is committed to at most one outcome: the last one it offered or
//! accepted. A delivery withdraws the commitments of its recipients (they now face a new text),
//! except the sender's commitment to its own offer. Agreement is reached when every party is
//! committed to the same outcome. With a mediator that passes everything this is exactly SAO
//! (the proposer counts as accepting; a counter-offer resets the others' acceptances).

use crate::common::{
    check_outcome, core_methods, relative_time, Actor, Core, Ending, Event, Mechanism, OutcomeId, ProtocolKind, Setup, Source,
};
use crate::error::{Error, ErrorKind};

/// A text delivered to a party.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Delivered {
    /// The text.
    pub outcome: OutcomeId,
    /// Whose it is.
    pub from: Source,
    /// The round it was delivered in.
    pub step: u64,
}

/// What the relay mechanism expects next.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RelayTurn {
    /// A party must act, seeing only its inbox.
    Party {
        /// Who.
        party: usize,
        /// Round.
        step: u64,
        /// Relative time of the round.
        relative_time: f64,
        /// The last text delivered to it.
        inbox: Option<Delivered>,
    },
    /// The mediator must decide what to do with an offer.
    Mediator {
        /// Round.
        step: u64,
        /// Relative time of the round.
        relative_time: f64,
        /// Whose offer.
        from: usize,
        /// The offer.
        offer: OutcomeId,
    },
}

/// What an actor can do in relay negotiation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelayAction {
    /// Party: accept the text in its inbox.
    Accept,
    /// Party: send this offer to the mediator.
    Offer(OutcomeId),
    /// Anyone on their turn: end the talks without agreement.
    End,
    /// Mediator: deliver the offer unchanged to every other party.
    Pass,
    /// Mediator: deliver this text, as its own proposal, to every party.
    Reframe(OutcomeId),
    /// Mediator: keep the offer to itself.
    Hold,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Phase {
    Party,
    Mediator { from: usize, offer: OutcomeId },
}

/// The relay mechanism.
#[derive(Clone, Debug)]
pub struct Relay {
    core: Core,
    turn: usize,
    phase: Phase,
    inbox: Vec<Option<Delivered>>,
    commit: Vec<Option<OutcomeId>>,
    author: Option<Source>,
    n_offers: u64,
}

impl Relay {
    /// A relayed negotiation among `setup.n_parties >= 2` parties.
    pub fn new(setup: Setup) -> Result<Relay, Error> {
        setup.check(2)?;
        Ok(Relay {
            core: Core::new(setup),
            turn: 0,
            phase: Phase::Party,
            inbox: vec![None; setup.n_parties],
            commit: vec![None; setup.n_parties],
            author: None,
            n_offers: 0,
        })
    }

    /// Number of offers the parties sent.
    pub fn n_offers(&self) -> u64 {
        self.n_offers
    }

    /// Whose text the parties agreed on (a party's offer passed on, or the mediator's own);
    /// `None` until there is an agreement.
    pub fn author(&self) -> Option<Source> {
        self.author
    }

    fn advance(&mut self) {
        self.phase = Phase::Party;
        self.turn += 1;
        if self.turn == self.core.setup.n_parties {
            self.turn = 0;
            self.core.step += 1;
            if self.core.step >= self.core.setup.n_steps {
                self.core.finish(Ending::Timeout);
            }
        }
    }

    fn deliver(&mut self, to: usize, outcome: OutcomeId, from: Source) {
        self.inbox[to] = Some(Delivered { outcome, from, step: self.core.step });
        self.commit[to] = None;
        self.core.log.push(Event::Delivered { step: self.core.step, to, outcome, from });
    }

    fn agreed(&self) -> Option<OutcomeId> {
        let first = self.commit.first().copied().flatten()?;
        self.commit.iter().all(|c| *c == Some(first)).then_some(first)
    }
}

impl Mechanism for Relay {
    type Turn = RelayTurn;
    type Action = RelayAction;

    fn kind(&self) -> ProtocolKind {
        ProtocolKind::Relay
    }

    fn turn(&self) -> Option<RelayTurn> {
        if self.core.ending.is_some() {
            return None;
        }
        let relative_time = relative_time(self.core.step, self.core.setup.n_steps);
        Some(match self.phase {
            Phase::Party => RelayTurn::Party { party: self.turn, step: self.core.step, relative_time, inbox: self.inbox[self.turn] },
            Phase::Mediator { from, offer } => RelayTurn::Mediator { step: self.core.step, relative_time, from, offer },
        })
    }

    fn submit(&mut self, actor: Actor, action: RelayAction) -> Result<&[Event], Error> {
        if self.core.ending.is_some() {
            return Err(Error::new(ErrorKind::Finished));
        }
        let expected = match self.phase {
            Phase::Party => Actor::Party(self.turn),
            Phase::Mediator { .. } => Actor::Mediator,
        };
        if actor != expected {
            return Err(Error::turn(expected.to_string(), actor.to_string()));
        }
        if action == RelayAction::End {
            self.core.log.begin();
            self.core.step += 1;
            self.core.finish(Ending::Ended { by: actor });
            return Ok(self.core.log.last());
        }
        match (self.phase, action) {
            (Phase::Party, RelayAction::Accept) => {
                let party = self.turn;
                let Some(d) = self.inbox[party] else {
                    return Err(Error::invalid("an offer (nothing has been delivered to accept)", "accept"));
                };
                self.core.log.begin();
                self.core.log.push(Event::Accept { step: self.core.step, party, outcome: d.outcome });
                self.commit[party] = Some(d.outcome);
                if let Some(o) = self.agreed() {
                    self.author = Some(d.from);
                    self.core.step += 1;
                    self.core.finish(Ending::Agreement(o));
                    return Ok(self.core.log.last());
                }
                self.advance();
            }
            (Phase::Party, RelayAction::Offer(o)) => {
                check_outcome(o, self.core.setup.n_outcomes)?;
                let party = self.turn;
                self.core.log.begin();
                self.core.log.push(Event::Offer { step: self.core.step, party, outcome: o });
                self.commit[party] = Some(o);
                self.n_offers += 1;
                self.phase = Phase::Mediator { from: party, offer: o };
            }
            (Phase::Mediator { from, offer }, RelayAction::Pass) => {
                self.core.log.begin();
                for j in (0..self.core.setup.n_parties).filter(|j| *j != from) {
                    self.deliver(j, offer, Source::Party(from));
                }
                self.advance();
            }
            (Phase::Mediator { from, .. }, RelayAction::Reframe(o)) => {
                check_outcome(o, self.core.setup.n_outcomes)?;
                self.core.log.begin();
                let keep = self.commit[from];
                for j in 0..self.core.setup.n_parties {
                    self.deliver(j, o, Source::Mediator);
                }
                // The sender still stands by its own offer, not by the mediator's text.
                self.commit[from] = keep;
                self.advance();
            }
            (Phase::Mediator { from, offer }, RelayAction::Hold) => {
                self.core.log.begin();
                self.core.log.push(Event::Held { step: self.core.step, from, outcome: offer });
                self.advance();
            }
            (phase, other) => {
                let expected = match phase {
                    Phase::Party => "accept, offer or end from a party",
                    Phase::Mediator { .. } => "pass, reframe, hold or end from the mediator",
                };
                return Err(Error::invalid(expected, format!("{other:?}")));
            }
        }
        Ok(self.core.log.last())
    }

    core_methods!(fault_counts_as_step: true);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::Viewer;

    #[test]
    fn passing_everything_is_sao() {
        let mut m = Relay::new(Setup::new(2, 10, 5)).unwrap();
        m.submit(Actor::Party(0), RelayAction::Offer(3)).unwrap();
        assert!(matches!(m.turn(), Some(RelayTurn::Mediator { from: 0, offer: 3, .. })));
        m.submit(Actor::Mediator, RelayAction::Pass).unwrap();
        match m.turn() {
            Some(RelayTurn::Party { party: 1, inbox: Some(d), .. }) => {
                assert_eq!((d.outcome, d.from), (3, Source::Party(0)))
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(m.author(), None);
        m.submit(Actor::Party(1), RelayAction::Accept).unwrap();
        assert_eq!(m.ending(), Some(&Ending::Agreement(3)));
        assert_eq!(m.author(), Some(Source::Party(0)));
        assert_eq!(m.step(), 1);
    }

    #[test]
    fn held_offers_stay_secret_and_reframes_bind_no_one() {
        let mut m = Relay::new(Setup::new(2, 10, 5)).unwrap();
        m.submit(Actor::Party(0), RelayAction::Offer(3)).unwrap();
        m.submit(Actor::Mediator, RelayAction::Hold).unwrap();
        assert!(matches!(m.turn(), Some(RelayTurn::Party { party: 1, inbox: None, .. })));
        assert!(m.submit(Actor::Party(1), RelayAction::Accept).is_err());
        m.submit(Actor::Party(1), RelayAction::Offer(6)).unwrap();
        m.submit(Actor::Mediator, RelayAction::Reframe(5)).unwrap();
        // Party 0 gets the mediator's text and accepts it; party 1 has not yet.
        m.submit(Actor::Party(0), RelayAction::Accept).unwrap();
        assert!(m.ending().is_none());
        m.submit(Actor::Party(1), RelayAction::Accept).unwrap();
        assert_eq!(m.ending(), Some(&Ending::Agreement(5)));
        assert_eq!(m.author(), Some(Source::Mediator));
        // Party 1 never saw party 0's offer of 3.
        let seen = m.view(Viewer::Party(1));
        assert!(!seen.iter().any(|e| matches!(e, Event::Offer { party: 0, .. } | Event::Held { .. })));
        assert!(m.view(Viewer::Mediator).iter().any(|e| matches!(e, Event::Held { .. })));
    }

    #[test]
    fn stale_acceptances_do_not_count() {
        let mut m = Relay::new(Setup::new(3, 10, 5)).unwrap();
        m.submit(Actor::Party(0), RelayAction::Offer(1)).unwrap();
        m.submit(Actor::Mediator, RelayAction::Pass).unwrap();
        m.submit(Actor::Party(1), RelayAction::Accept).unwrap();
        m.submit(Actor::Party(2), RelayAction::Offer(2)).unwrap();
        m.submit(Actor::Mediator, RelayAction::Pass).unwrap();
        m.submit(Actor::Party(0), RelayAction::Offer(1)).unwrap();
        m.submit(Actor::Mediator, RelayAction::Pass).unwrap();
        // Party 1 accepted 1 before party 2's counter; it must accept again.
        m.submit(Actor::Party(1), RelayAction::Offer(7)).unwrap();
        m.submit(Actor::Mediator, RelayAction::Hold).unwrap();
        m.submit(Actor::Party(2), RelayAction::Accept).unwrap();
        assert!(m.ending().is_none());
    }
}
