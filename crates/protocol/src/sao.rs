//! Stacked alternating offers (SAO) for two or more parties, with NegMAS 0.16's semantics
//! (`negmas/sao/mechanism.py`, defaults of `SAOMechanism`):
//!
//! - a **round** (step) is one turn of every party, in their order `0, 1, ..., n-1`;
//! - on its turn a party facing no offer proposes; otherwise it accepts the current offer or
//!   rejects it by proposing a counter-offer, which becomes the current offer;
//! - the proposer counts as accepting its own offer (`offering_is_accepting`), so an offer is
//!   agreed when every other party accepts it in turn; agreement ends the round at once;
//! - refusing to propose (or ending) breaks the negotiation;
//! - relative time in round `k` of `N` is `(k + 1) / (N + 1)`; after `N` rounds without agreement
//!   the negotiation times out;
//! - the final step count is the number of rounds started: `k + 1` when it ends in round `k`,
//!   `N` on timeout (NegMAS's `state.step`).

use crate::common::{check_outcome, core_methods, relative_time, Actor, Core, Ending, Event, Mechanism, OutcomeId, ProtocolKind, Setup};
use crate::error::{Error, ErrorKind};

/// The offer on the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CurrentOffer {
    /// The outcome offered.
    pub outcome: OutcomeId,
    /// Who offered it.
    pub proposer: usize,
}

/// Whose turn it is in SAO and what is in front of them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SaoTurn {
    /// The party expected to act.
    pub party: usize,
    /// The round (0-based).
    pub step: u64,
    /// NegMAS's relative time of the round.
    pub relative_time: f64,
    /// The offer to respond to; `None` means the party must propose.
    pub offer: Option<CurrentOffer>,
}

/// What a party can do on its SAO turn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SaoAction {
    /// Accept the current offer.
    Accept,
    /// Propose this outcome (rejecting the current offer, if any).
    Offer(OutcomeId),
    /// End the negotiation without agreement (also how a refusal to propose is recorded).
    End,
}

/// The SAO mechanism. Drive it with [`Mechanism::turn`] and [`Mechanism::submit`].
#[derive(Clone, Debug)]
pub struct Sao {
    core: Core,
    turn: usize,
    current: Option<CurrentOffer>,
    acceptances: usize,
    n_offers: u64,
}

impl Sao {
    /// A negotiation between `setup.n_parties >= 2` parties over `setup.n_steps >= 1` rounds.
    pub fn new(setup: Setup) -> Result<Sao, Error> {
        setup.check(2)?;
        Ok(Sao { core: Core::new(setup), turn: 0, current: None, acceptances: 0, n_offers: 0 })
    }

    /// The offer on the table.
    pub fn current_offer(&self) -> Option<CurrentOffer> {
        self.current
    }

    /// Number of offers made so far.
    pub fn n_offers(&self) -> u64 {
        self.n_offers
    }

    /// Moves to the next party, and to the next round after the last one.
    fn advance(&mut self) {
        self.turn += 1;
        if self.turn == self.core.setup.n_parties {
            self.turn = 0;
            self.core.step += 1;
            if self.core.step >= self.core.setup.n_steps {
                self.core.finish(Ending::Timeout);
            }
        }
    }
}

impl Mechanism for Sao {
    type Turn = SaoTurn;
    type Action = SaoAction;

    fn kind(&self) -> ProtocolKind {
        ProtocolKind::Sao
    }

    fn turn(&self) -> Option<SaoTurn> {
        if self.core.ending.is_some() {
            return None;
        }
        Some(SaoTurn {
            party: self.turn,
            step: self.core.step,
            relative_time: relative_time(self.core.step, self.core.setup.n_steps),
            offer: self.current,
        })
    }

    fn submit(&mut self, actor: Actor, action: SaoAction) -> Result<&[Event], Error> {
        if self.core.ending.is_some() {
            return Err(Error::new(ErrorKind::Finished));
        }
        if actor != Actor::Party(self.turn) {
            return Err(Error::turn(format!("party {}", self.turn), actor.to_string()));
        }
        let party = self.turn;
        match action {
            SaoAction::Accept => {
                let Some(offer) = self.current else {
                    return Err(Error::invalid("an offer (there is no offer to accept)", "accept"));
                };
                if offer.proposer == party {
                    return Err(Error::invalid("an offer or an end (a party cannot accept its own offer)", "accept"));
                }
                self.core.log.begin();
                self.core.log.push(Event::Accept { step: self.core.step, party, outcome: offer.outcome });
                self.acceptances += 1;
                if self.acceptances >= self.core.setup.n_parties {
                    // Agreement ends the round; the step counter still counts it.
                    self.core.step += 1;
                    self.core.finish(Ending::Agreement(offer.outcome));
                    return Ok(self.core.log.last());
                }
            }
            SaoAction::Offer(outcome) => {
                check_outcome(outcome, self.core.setup.n_outcomes)?;
                self.core.log.begin();
                self.current = Some(CurrentOffer { outcome, proposer: party });
                self.acceptances = 1;
                self.n_offers += 1;
                self.core.log.push(Event::Offer { step: self.core.step, party, outcome });
            }
            SaoAction::End => {
                self.core.log.begin();
                self.core.step += 1;
                self.core.finish(Ending::Ended { by: actor });
                return Ok(self.core.log.last());
            }
        }
        self.advance();
        Ok(self.core.log.last())
    }

    core_methods!(fault_counts_as_step: true);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offer(m: &mut Sao, p: usize, o: u64) {
        m.submit(Actor::Party(p), SaoAction::Offer(o)).unwrap();
    }

    #[test]
    fn bilateral_agreement_counts_the_round() {
        let mut m = Sao::new(Setup::new(2, 10, 5)).unwrap();
        assert_eq!(m.turn().unwrap().offer, None);
        offer(&mut m, 0, 3);
        let t = m.turn().unwrap();
        assert_eq!((t.party, t.step), (1, 0));
        assert_eq!(t.offer, Some(CurrentOffer { outcome: 3, proposer: 0 }));
        offer(&mut m, 1, 4);
        assert_eq!(m.turn().unwrap().step, 1);
        assert_eq!(m.turn().unwrap().relative_time, 2.0 / 6.0);
        let ev = m.submit(Actor::Party(0), SaoAction::Accept).unwrap().to_vec();
        assert_eq!(m.ending(), Some(&Ending::Agreement(4)));
        assert_eq!(m.step(), 2);
        assert!(matches!(ev.last(), Some(Event::End { step: 2, .. })));
        assert!(m.turn().is_none());
        assert_eq!(m.submit(Actor::Party(1), SaoAction::Accept).unwrap_err().kind(), &ErrorKind::Finished);
    }

    #[test]
    fn timeout_after_n_rounds() {
        let mut m = Sao::new(Setup::new(2, 10, 3)).unwrap();
        for _ in 0..3 {
            offer(&mut m, 0, 1);
            offer(&mut m, 1, 2);
        }
        assert_eq!(m.ending(), Some(&Ending::Timeout));
        assert_eq!(m.step(), 3);
        assert_eq!(m.n_offers(), 6);
    }

    #[test]
    fn three_parties_need_everyone_and_a_counter_resets() {
        let mut m = Sao::new(Setup::new(3, 10, 10)).unwrap();
        offer(&mut m, 0, 1);
        m.submit(Actor::Party(1), SaoAction::Accept).unwrap();
        assert!(m.ending().is_none());
        offer(&mut m, 2, 5); // rejects and counters: only party 2 is committed now
        m.submit(Actor::Party(0), SaoAction::Accept).unwrap();
        assert!(m.ending().is_none());
        m.submit(Actor::Party(1), SaoAction::Accept).unwrap();
        assert_eq!(m.ending(), Some(&Ending::Agreement(5)));
        assert_eq!(m.step(), 2);
    }

    #[test]
    fn refuses_bad_actions_without_changing_state() {
        let mut m = Sao::new(Setup::new(2, 10, 3)).unwrap();
        assert!(m.submit(Actor::Party(0), SaoAction::Accept).unwrap_err().to_string().contains("no offer"));
        assert!(m.submit(Actor::Party(1), SaoAction::Offer(1)).unwrap_err().to_string().contains("not your turn"));
        assert!(m.submit(Actor::Mediator, SaoAction::Offer(1)).is_err());
        let e = m.submit(Actor::Party(0), SaoAction::Offer(10)).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::InvalidOutcome { outcome: 10, n_outcomes: 10 }));
        assert_eq!(m.turn().unwrap().party, 0);
        assert!(Sao::new(Setup::new(2, 10, 0)).is_err());
        assert!(Sao::new(Setup::new(1, 10, 3)).is_err());
    }

    #[test]
    fn ending_and_faults_count_the_round() {
        let mut m = Sao::new(Setup::new(2, 10, 3)).unwrap();
        offer(&mut m, 0, 1);
        m.submit(Actor::Party(1), SaoAction::End).unwrap();
        assert_eq!(m.ending(), Some(&Ending::Ended { by: Actor::Party(1) }));
        assert_eq!(m.step(), 1);
        let mut m = Sao::new(Setup::new(2, 10, 3)).unwrap();
        m.fault(Actor::Party(0), "boom".into());
        assert_eq!(m.ending().unwrap().name(), "fault");
        assert_eq!(m.step(), 1);
    }

    #[test]
    fn without_the_full_log_the_last_events_still_come_back() {
        let mut m = Sao::new(Setup::new(2, 10, 3).keep_events(false)).unwrap();
        let ev = m.submit(Actor::Party(0), SaoAction::Offer(2)).unwrap();
        assert_eq!(ev, &[Event::Offer { step: 0, party: 0, outcome: 2 }]);
        assert!(m.events().is_empty());
    }
}
