//! Confidential mediation: each round every party reports privately to the mediator the lowest
//! utility it can accept (its *floor*, on the scale of the utility function it reported, which it
//! gives at least once); the mediator tells every side only whether a zone of agreement exists
//! (an outcome every reported floor admits) and, if one does, proposes one package from it; the
//! parties vote privately; unanimous acceptance is agreement, otherwise the next round starts.
//!
//! The mechanism enforces the confidentiality (no party's report or vote is shown to another
//! party) and that a proposal lies inside the reported zone. Which package to propose is the
//! mediator strategy's choice (the Nash product over the zone is the standard one).

use std::sync::Arc;

use bc_model::{OutcomeSpace, UtilityFunction};

use crate::common::{check_outcome, core_methods, relative_time, Actor, Core, Ending, Event, Mechanism, OutcomeId, ProtocolKind, Setup};
use crate::error::{Error, ErrorKind};

/// A party's private report.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// The lowest utility it says it can accept (`-inf` = anything); not NaN.
    pub floor: f64,
    /// Its utility function, required in the first report; `None` keeps the last one reported.
    pub utility: Option<Arc<UtilityFunction>>,
}

/// What the mediator knows of one party: its last report.
#[derive(Clone, Debug, PartialEq)]
pub struct Reported {
    /// Reported utility function.
    pub utility: Arc<UtilityFunction>,
    /// Reported floor.
    pub floor: f64,
}

/// What the confidential mechanism expects next.
#[derive(Clone, Debug, PartialEq)]
pub enum ConfTurn {
    /// A party must report.
    Report {
        /// Who.
        party: usize,
        /// Round.
        step: u64,
        /// Relative time of the round.
        relative_time: f64,
        /// True until the party has reported a utility function.
        needs_utility: bool,
    },
    /// The mediator must propose a package from the zone, or say there is none.
    Mediate {
        /// Round.
        step: u64,
        /// Relative time of the round.
        relative_time: f64,
        /// Every party's report, in party order.
        reports: Vec<Reported>,
    },
    /// A party must vote on the mediator's proposal.
    Vote {
        /// Who.
        party: usize,
        /// Round.
        step: u64,
        /// Relative time of the round.
        relative_time: f64,
        /// The proposal.
        proposal: OutcomeId,
    },
}

/// What an actor can do in confidential mediation.
#[derive(Clone, Debug, PartialEq)]
pub enum ConfAction {
    /// Party: its private report.
    Report(Report),
    /// Mediator: propose this package (it must satisfy every reported floor).
    Propose(OutcomeId),
    /// Mediator: there is no zone of agreement this round.
    NoZone,
    /// Party: accept (true) or reject the proposal.
    Vote(bool),
    /// Anyone on their turn: end the talks.
    End,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Phase {
    Report { party: usize },
    Mediate,
    Vote { party: usize, proposal: OutcomeId },
}

/// The confidential-mediation mechanism.
#[derive(Clone, Debug)]
pub struct Confidential {
    core: Core,
    space: Arc<OutcomeSpace>,
    phase: Phase,
    utilities: Vec<Option<Arc<UtilityFunction>>>,
    floors: Vec<f64>,
    accepted: bool,
    n_proposals: u64,
}

impl Confidential {
    /// A confidential mediation over `space` (discrete; `setup.n_outcomes` must be its size).
    pub fn new(setup: Setup, space: Arc<OutcomeSpace>) -> Result<Confidential, Error> {
        setup.check(2)?;
        match space.cardinality() {
            Some(n) if n == u128::from(setup.n_outcomes) => {}
            other => return Err(Error::setup(format!("the outcome space has {other:?} outcomes but the setup says {}", setup.n_outcomes))),
        }
        Ok(Confidential {
            core: Core::new(setup),
            space,
            phase: Phase::Report { party: 0 },
            utilities: vec![None; setup.n_parties],
            floors: vec![f64::NEG_INFINITY; setup.n_parties],
            accepted: true,
            n_proposals: 0,
        })
    }

    /// Number of packages the mediator proposed so far.
    pub fn n_proposals(&self) -> u64 {
        self.n_proposals
    }

    fn end_round(&mut self) {
        self.core.step += 1;
        if self.core.step >= self.core.setup.n_steps {
            self.core.finish(Ending::Timeout);
        } else {
            self.phase = Phase::Report { party: 0 };
        }
    }

    fn reports(&self) -> Vec<Reported> {
        self.utilities
            .iter()
            .zip(&self.floors)
            .filter_map(|(u, f)| u.as_ref().map(|u| Reported { utility: u.clone(), floor: *f }))
            .collect()
    }

    fn expected(&self) -> &'static str {
        match self.phase {
            Phase::Report { .. } => "a report from a party",
            Phase::Mediate => "a proposal or no-zone from the mediator",
            Phase::Vote { .. } => "a vote from a party",
        }
    }
}

impl Mechanism for Confidential {
    type Turn = ConfTurn;
    type Action = ConfAction;

    fn kind(&self) -> ProtocolKind {
        ProtocolKind::Confidential
    }

    fn turn(&self) -> Option<ConfTurn> {
        if self.core.ending.is_some() {
            return None;
        }
        let relative_time = relative_time(self.core.step, self.core.setup.n_steps);
        Some(match self.phase {
            Phase::Report { party } => {
                ConfTurn::Report { party, step: self.core.step, relative_time, needs_utility: self.utilities[party].is_none() }
            }
            Phase::Mediate => ConfTurn::Mediate { step: self.core.step, relative_time, reports: self.reports() },
            Phase::Vote { party, proposal } => ConfTurn::Vote { party, step: self.core.step, relative_time, proposal },
        })
    }

    fn submit(&mut self, actor: Actor, action: ConfAction) -> Result<&[Event], Error> {
        if self.core.ending.is_some() {
            return Err(Error::new(ErrorKind::Finished));
        }
        let expected = match self.phase {
            Phase::Report { party } | Phase::Vote { party, .. } => Actor::Party(party),
            Phase::Mediate => Actor::Mediator,
        };
        if actor != expected {
            return Err(Error::turn(format!("{} ({expected})", self.expected()), actor.to_string()));
        }
        if action == ConfAction::End {
            self.core.log.begin();
            self.core.step += 1;
            self.core.finish(Ending::Ended { by: actor });
            return Ok(self.core.log.last());
        }
        match (self.phase, action) {
            (Phase::Report { party }, ConfAction::Report(r)) => {
                if r.floor.is_nan() {
                    return Err(Error::invalid("a floor that is a number (or -inf)", "NaN"));
                }
                if r.utility.is_none() && self.utilities[party].is_none() {
                    return Err(Error::invalid("a utility function in the party's first report", "a report without one"));
                }
                self.core.log.begin();
                if let Some(u) = r.utility {
                    self.utilities[party] = Some(u);
                }
                self.floors[party] = r.floor;
                self.core.log.push(Event::Report { step: self.core.step, party, floor: r.floor });
                self.phase = if party + 1 < self.core.setup.n_parties { Phase::Report { party: party + 1 } } else { Phase::Mediate };
            }
            (Phase::Mediate, ConfAction::Propose(o)) => {
                check_outcome(o, self.core.setup.n_outcomes)?;
                for (k, (u, f)) in self.utilities.iter().zip(&self.floors).enumerate() {
                    let x = u.as_ref().map_or(f64::NAN, |u| u.eval_index(&self.space, o));
                    if x.is_nan() || x < *f {
                        return Err(Error::invalid(
                            "a proposal inside the zone of agreement",
                            format!("outcome {o}, worth {x} to party {k} whose floor is {f}"),
                        ));
                    }
                }
                self.core.log.begin();
                self.core.log.push(Event::Zone { step: self.core.step, exists: true });
                self.core.log.push(Event::Draft { step: self.core.step, outcome: o });
                self.n_proposals += 1;
                self.accepted = true;
                self.phase = Phase::Vote { party: 0, proposal: o };
            }
            (Phase::Mediate, ConfAction::NoZone) => {
                self.core.log.begin();
                self.core.log.push(Event::Zone { step: self.core.step, exists: false });
                self.end_round();
            }
            (Phase::Vote { party, proposal }, ConfAction::Vote(accept)) => {
                self.core.log.begin();
                self.core.log.push(Event::Vote { step: self.core.step, party, accept });
                self.accepted &= accept;
                if party + 1 < self.core.setup.n_parties {
                    self.phase = Phase::Vote { party: party + 1, proposal };
                } else if self.accepted {
                    self.core.step += 1;
                    self.core.finish(Ending::Agreement(proposal));
                } else {
                    self.end_round();
                }
            }
            (_, other) => return Err(Error::invalid(self.expected(), format!("{other:?}"))),
        }
        Ok(self.core.log.last())
    }

    core_methods!(fault_counts_as_step: true);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::Viewer;
    use bc_model::{Issue, LinearAdditive, ValueFunction};

    fn setup() -> (Arc<OutcomeSpace>, Arc<UtilityFunction>, Arc<UtilityFunction>) {
        let space = OutcomeSpace::new("split", vec![Issue::categorical("x", (0..5).map(|v| v.to_string()).collect()).unwrap()]).unwrap();
        let f = |t: Vec<f64>| {
            Arc::new(UtilityFunction::LinearAdditive(LinearAdditive::new(&space, 0.0, vec![1.0], vec![ValueFunction::Table(t)]).unwrap()))
        };
        let a = f(vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        let b = f(vec![1.0, 0.75, 0.5, 0.25, 0.0]);
        (Arc::new(space), a, b)
    }

    fn report(m: &mut Confidential, p: usize, floor: f64, u: Option<Arc<UtilityFunction>>) {
        m.submit(Actor::Party(p), ConfAction::Report(Report { floor, utility: u })).unwrap();
    }

    #[test]
    fn no_zone_then_agreement_and_secrecy() {
        let (space, a, b) = setup();
        let mut m = Confidential::new(Setup::new(2, 5, 3), space).unwrap();
        assert!(matches!(m.turn(), Some(ConfTurn::Report { needs_utility: true, .. })));
        assert!(m.submit(Actor::Party(0), ConfAction::Report(Report { floor: 0.6, utility: None })).is_err());
        report(&mut m, 0, 0.8, Some(a.clone()));
        report(&mut m, 1, 0.8, Some(b.clone()));
        match m.turn() {
            Some(ConfTurn::Mediate { reports, .. }) => assert_eq!(reports[1].floor, 0.8),
            other => panic!("{other:?}"),
        }
        // Outside the zone: refused.
        assert!(m.submit(Actor::Mediator, ConfAction::Propose(2)).is_err());
        m.submit(Actor::Mediator, ConfAction::NoZone).unwrap();
        assert_eq!(m.step(), 1);
        report(&mut m, 0, 0.5, None);
        report(&mut m, 1, 0.5, None);
        m.submit(Actor::Mediator, ConfAction::Propose(2)).unwrap();
        m.submit(Actor::Party(0), ConfAction::Vote(true)).unwrap();
        m.submit(Actor::Party(1), ConfAction::Vote(true)).unwrap();
        assert_eq!(m.ending(), Some(&Ending::Agreement(2)));
        assert_eq!(m.step(), 2);
        let seen = m.view(Viewer::Party(0));
        assert!(!seen.iter().any(|e| matches!(e, Event::Report { party: 1, .. } | Event::Vote { party: 1, .. })));
        assert!(seen.iter().any(|e| matches!(e, Event::Zone { exists: false, .. })));
    }

    #[test]
    fn rejected_proposal_moves_on_and_times_out() {
        let (space, a, b) = setup();
        let mut m = Confidential::new(Setup::new(2, 5, 1), space).unwrap();
        report(&mut m, 0, 0.0, Some(a));
        report(&mut m, 1, 0.0, Some(b));
        m.submit(Actor::Mediator, ConfAction::Propose(0)).unwrap();
        m.submit(Actor::Party(0), ConfAction::Vote(false)).unwrap();
        m.submit(Actor::Party(1), ConfAction::Vote(true)).unwrap();
        assert_eq!(m.ending(), Some(&Ending::Timeout));
    }
}
