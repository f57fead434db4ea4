//! Mediated single-text negotiation (Raiffa's single negotiating text, as run by Klein, Faratin,
//! Sayama & Bar-Yam 2003 and by NegMAS's `VetoSTMechanism` / `HillClimbingSTMechanism`).
//!
//! Each round the mediator puts a draft to the parties; each party votes, privately to the
//! mediator, to accept or reject it **in place of the current text** (the last text everyone
//! accepted, or no agreement if there is none yet). Under [`Adoption::Unanimous`] the draft
//! replaces the current text iff every party accepts it (NegMAS's veto rule, Klein's protocol);
//! under [`Adoption::Mediator`] the mediator sees the votes and decides (an annealing mediator may
//! adopt a draft some party rejected). After the round limit, or when the mediator concludes, each
//! party ratifies or rejects the current text: agreement iff everyone ratifies (NegMAS:
//! `is_acceptable_as_agreement` for all). Parties see drafts and adopted texts, never each
//! other's votes.

use crate::common::{check_outcome, core_methods, relative_time, Actor, Core, Ending, Event, Mechanism, OutcomeId, ProtocolKind, Setup};
use crate::error::{Error, ErrorKind};

/// Who decides whether a draft replaces the current text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Adoption {
    /// The draft is adopted iff every party accepts it.
    Unanimous,
    /// The mediator sees the votes and decides.
    Mediator,
}

/// What the single-text mechanism expects next.
#[derive(Clone, Debug, PartialEq)]
pub enum StTurn {
    /// The mediator must put a draft (or conclude).
    Draft {
        /// Round.
        step: u64,
        /// Relative time of the round.
        relative_time: f64,
        /// The current text.
        current: Option<OutcomeId>,
    },
    /// A party must vote on the draft.
    Vote {
        /// Who.
        party: usize,
        /// Round.
        step: u64,
        /// Relative time of the round.
        relative_time: f64,
        /// The draft.
        draft: OutcomeId,
        /// The current text it would replace.
        current: Option<OutcomeId>,
    },
    /// The mediator must decide on the draft, having seen the votes ([`Adoption::Mediator`]).
    Decide {
        /// Round.
        step: u64,
        /// Relative time of the round.
        relative_time: f64,
        /// The draft.
        draft: OutcomeId,
        /// The current text.
        current: Option<OutcomeId>,
        /// Each party's vote, in party order.
        votes: Vec<bool>,
    },
    /// A party must ratify (or not) the final text.
    Ratify {
        /// Who.
        party: usize,
        /// The final step count.
        step: u64,
        /// The text.
        text: OutcomeId,
    },
}

impl StTurn {
    /// Who is expected to act.
    pub fn actor(&self) -> Actor {
        match self {
            StTurn::Draft { .. } | StTurn::Decide { .. } => Actor::Mediator,
            StTurn::Vote { party, .. } | StTurn::Ratify { party, .. } => Actor::Party(*party),
        }
    }
}

/// What an actor can do in single-text negotiation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StAction {
    /// Mediator: put this draft to the parties.
    Draft(OutcomeId),
    /// Mediator: stop drafting and ask for ratification of the current text.
    Conclude,
    /// Party: vote on the draft (true = accept).
    Vote(bool),
    /// Mediator ([`Adoption::Mediator`]): adopt the draft (true) or keep the current text.
    Adopt(bool),
    /// Party: ratify the final text (true) or not.
    Ratify(bool),
    /// Anyone: leave the talks; they end without agreement.
    End,
}

#[derive(Clone, Debug, PartialEq)]
enum Phase {
    Draft,
    Vote { draft: OutcomeId, party: usize },
    Decide { draft: OutcomeId },
    Ratify { party: usize },
}

/// The single-text mechanism.
#[derive(Clone, Debug)]
pub struct SingleText {
    core: Core,
    adoption: Adoption,
    phase: Phase,
    current: Option<OutcomeId>,
    votes: Vec<bool>,
    n_drafts: u64,
}

impl SingleText {
    /// A single-text negotiation among `setup.n_parties >= 2` parties, starting with no text.
    pub fn new(setup: Setup, adoption: Adoption) -> Result<SingleText, Error> {
        setup.check(2)?;
        Ok(SingleText {
            core: Core::new(setup),
            adoption,
            phase: Phase::Draft,
            current: None,
            votes: Vec::with_capacity(setup.n_parties),
            n_drafts: 0,
        })
    }

    /// A single-text negotiation that resumes from `current`, a text the parties adopted in an
    /// earlier session (talks held over several sessions keep their text); the first draft is
    /// put against it. Fails like [`SingleText::new`], or when `current` is not an outcome.
    pub fn resume(setup: Setup, adoption: Adoption, current: Option<OutcomeId>) -> Result<SingleText, Error> {
        let mut m = SingleText::new(setup, adoption)?;
        if let Some(c) = current {
            check_outcome(c, setup.n_outcomes)?;
        }
        m.current = current;
        Ok(m)
    }

    /// The current text (the last one adopted).
    pub fn current(&self) -> Option<OutcomeId> {
        self.current
    }

    /// Number of drafts the mediator put so far.
    pub fn n_drafts(&self) -> u64 {
        self.n_drafts
    }

    /// The adoption rule.
    pub fn adoption(&self) -> Adoption {
        self.adoption
    }

    fn start_ratification(&mut self) {
        if self.current.is_some() {
            self.phase = Phase::Ratify { party: 0 };
        } else {
            self.core.finish(Ending::NotRatified);
        }
    }

    fn end_round(&mut self, adopt: bool, draft: OutcomeId) {
        if adopt {
            self.current = Some(draft);
            self.core.log.push(Event::Adopted { step: self.core.step, outcome: draft });
        }
        self.votes.clear();
        self.core.step += 1;
        if self.core.step >= self.core.setup.n_steps {
            self.start_ratification();
        } else {
            self.phase = Phase::Draft;
        }
    }

    fn expected(&self) -> String {
        match self.turn() {
            Some(StTurn::Draft { .. }) => "a draft or conclude from the mediator".into(),
            Some(StTurn::Vote { party, .. }) => format!("a vote from party {party}"),
            Some(StTurn::Decide { .. }) => "an adopt/keep decision from the mediator".into(),
            Some(StTurn::Ratify { party, .. }) => format!("a ratification vote from party {party}"),
            None => "nothing (ended)".into(),
        }
    }
}

impl Mechanism for SingleText {
    type Turn = StTurn;
    type Action = StAction;

    fn kind(&self) -> ProtocolKind {
        ProtocolKind::SingleText
    }

    fn turn(&self) -> Option<StTurn> {
        if self.core.ending.is_some() {
            return None;
        }
        let t = relative_time(self.core.step.min(self.core.setup.n_steps - 1), self.core.setup.n_steps);
        Some(match self.phase {
            Phase::Draft => StTurn::Draft { step: self.core.step, relative_time: t, current: self.current },
            Phase::Vote { draft, party } => StTurn::Vote { party, step: self.core.step, relative_time: t, draft, current: self.current },
            Phase::Decide { draft } => {
                StTurn::Decide { step: self.core.step, relative_time: t, draft, current: self.current, votes: self.votes.clone() }
            }
            Phase::Ratify { party } => StTurn::Ratify { party, step: self.core.step, text: self.current.unwrap_or_default() },
        })
    }

    fn submit(&mut self, actor: Actor, action: StAction) -> Result<&[Event], Error> {
        let Some(turn) = self.turn() else {
            return Err(Error::new(ErrorKind::Finished));
        };
        if actor != turn.actor() {
            return Err(Error::turn(self.expected(), actor.to_string()));
        }
        if action == StAction::End {
            self.core.log.begin();
            self.core.finish(Ending::Ended { by: actor });
            return Ok(self.core.log.last());
        }
        match (self.phase.clone(), action) {
            (Phase::Draft, StAction::Draft(o)) => {
                check_outcome(o, self.core.setup.n_outcomes)?;
                self.core.log.begin();
                self.core.log.push(Event::Draft { step: self.core.step, outcome: o });
                self.n_drafts += 1;
                self.phase = Phase::Vote { draft: o, party: 0 };
            }
            (Phase::Draft, StAction::Conclude) => {
                self.core.log.begin();
                self.start_ratification();
            }
            (Phase::Vote { draft, party }, StAction::Vote(accept)) => {
                self.core.log.begin();
                self.core.log.push(Event::Vote { step: self.core.step, party, accept });
                self.votes.push(accept);
                if party + 1 < self.core.setup.n_parties {
                    self.phase = Phase::Vote { draft, party: party + 1 };
                } else {
                    match self.adoption {
                        Adoption::Unanimous => {
                            let all = self.votes.iter().all(|v| *v);
                            self.end_round(all, draft);
                        }
                        Adoption::Mediator => self.phase = Phase::Decide { draft },
                    }
                }
            }
            (Phase::Decide { draft }, StAction::Adopt(adopt)) => {
                self.core.log.begin();
                self.end_round(adopt, draft);
            }
            (Phase::Ratify { party }, StAction::Ratify(accept)) => {
                self.core.log.begin();
                self.core.log.push(Event::Ratify { step: self.core.step, party, accept });
                if !accept {
                    self.core.finish(Ending::NotRatified);
                } else if party + 1 < self.core.setup.n_parties {
                    self.phase = Phase::Ratify { party: party + 1 };
                } else {
                    let text = self.current.unwrap_or_default();
                    self.core.finish(Ending::Agreement(text));
                }
            }
            (_, other) => return Err(Error::invalid(self.expected(), format!("{other:?}"))),
        }
        Ok(self.core.log.last())
    }

    core_methods!(fault_counts_as_step: false);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::Viewer;

    fn vote(m: &mut SingleText, p: usize, a: bool) {
        m.submit(Actor::Party(p), StAction::Vote(a)).unwrap();
    }

    #[test]
    fn unanimous_adoption_and_ratification() {
        let mut m = SingleText::new(Setup::new(2, 10, 2), Adoption::Unanimous).unwrap();
        m.submit(Actor::Mediator, StAction::Draft(4)).unwrap();
        vote(&mut m, 0, true);
        vote(&mut m, 1, true);
        assert_eq!(m.current(), Some(4));
        m.submit(Actor::Mediator, StAction::Draft(5)).unwrap();
        vote(&mut m, 0, true);
        vote(&mut m, 1, false);
        assert_eq!(m.current(), Some(4));
        assert!(matches!(m.turn(), Some(StTurn::Ratify { party: 0, text: 4, step: 2 })));
        m.submit(Actor::Party(0), StAction::Ratify(true)).unwrap();
        m.submit(Actor::Party(1), StAction::Ratify(true)).unwrap();
        assert_eq!(m.ending(), Some(&Ending::Agreement(4)));
        assert_eq!(m.step(), 2);
        // Party 1 never sees party 0's votes.
        let seen = m.view(Viewer::Party(1));
        assert!(seen.iter().all(|e| !matches!(e, Event::Vote { party: 0, .. })));
        assert!(seen.iter().any(|e| matches!(e, Event::Draft { outcome: 5, .. })));
    }

    #[test]
    fn a_resumed_session_keeps_its_text() {
        let mut m = SingleText::resume(Setup::new(2, 10, 1), Adoption::Unanimous, Some(4)).unwrap();
        assert!(matches!(m.turn(), Some(StTurn::Draft { current: Some(4), .. })));
        m.submit(Actor::Mediator, StAction::Draft(5)).unwrap();
        vote(&mut m, 0, true);
        vote(&mut m, 1, false);
        m.submit(Actor::Party(0), StAction::Ratify(true)).unwrap();
        m.submit(Actor::Party(1), StAction::Ratify(true)).unwrap();
        assert_eq!(m.ending(), Some(&Ending::Agreement(4)));
        assert!(SingleText::resume(Setup::new(2, 10, 1), Adoption::Unanimous, Some(10)).is_err());
    }

    #[test]
    fn no_text_means_no_agreement() {
        let mut m = SingleText::new(Setup::new(2, 10, 1), Adoption::Unanimous).unwrap();
        m.submit(Actor::Mediator, StAction::Draft(4)).unwrap();
        vote(&mut m, 0, false);
        vote(&mut m, 1, true);
        assert_eq!(m.ending(), Some(&Ending::NotRatified));
    }

    #[test]
    fn mediator_decides_and_may_conclude() {
        let mut m = SingleText::new(Setup::new(2, 10, 5), Adoption::Mediator).unwrap();
        m.submit(Actor::Mediator, StAction::Draft(7)).unwrap();
        vote(&mut m, 0, false);
        vote(&mut m, 1, true);
        match m.turn() {
            Some(StTurn::Decide { votes, draft: 7, .. }) => assert_eq!(votes, vec![false, true]),
            other => panic!("{other:?}"),
        }
        m.submit(Actor::Mediator, StAction::Adopt(true)).unwrap();
        assert_eq!(m.current(), Some(7));
        m.submit(Actor::Mediator, StAction::Conclude).unwrap();
        m.submit(Actor::Party(0), StAction::Ratify(false)).unwrap();
        assert_eq!(m.ending(), Some(&Ending::NotRatified));
    }

    #[test]
    fn wrong_actor_or_action_is_refused() {
        let mut m = SingleText::new(Setup::new(2, 10, 5), Adoption::Unanimous).unwrap();
        assert!(m.submit(Actor::Party(0), StAction::Vote(true)).is_err());
        assert!(m.submit(Actor::Mediator, StAction::Vote(true)).is_err());
        assert!(m.submit(Actor::Mediator, StAction::Draft(99)).is_err());
        m.submit(Actor::Mediator, StAction::Draft(1)).unwrap();
        assert!(m.submit(Actor::Party(0), StAction::Ratify(true)).is_err());
        m.submit(Actor::Party(0), StAction::End).unwrap();
        assert_eq!(m.ending(), Some(&Ending::Ended { by: Actor::Party(0) }));
    }
}
