//! The session runner: drives a protocol's state machine with strategies until it ends.
//!
//! This is the session boundary: every call into a strategy is wrapped in `catch_unwind`, and
//! optionally timed against a budget. A strategy that panics, breaks its budget or submits an
//! action the protocol refuses does not crash the run: the negotiation ends with
//! [`Ending::Fault`] naming the party (or the mediator) and what happened, and the caller records
//! it like any other ending.
//!
//! Observation order follows NegMAS: right after an offer is made (SAO) or delivered (relay),
//! every party that can see it is told, in party order, before the next party acts.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bc_protocol::{
    Actor, ConfAction, ConfTurn, Confidential, Ending, Event, Mechanism, ProtocolKind, Relay, RelayAction, RelayTurn, Report, Sao,
    SaoAction, SaoTurn, Setup, SingleText, Source, StAction, StTurn,
};

use crate::error::{Error, ErrorKind};
use crate::mediators::{ConfidentialMediator, MediatorContext, RelayDecision, RelayMediator, SingleTextMediator};
use crate::negotiator::{Context, Negotiator, Response};
use crate::registry::{self, Rng, Spec};
use crate::side::Side;

/// Limits on strategies, checked at the session boundary.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Budget {
    /// Wall-clock time allowed for one decision. Off by default: a time limit makes results
    /// depend on the machine. The time is measured when the call returns (as NegMAS does), so a
    /// strategy that never returns is not stopped.
    pub per_call: Option<Duration>,
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

/// Why a strategy call failed at the session boundary.
enum Failure {
    Panic(String),
    OverBudget(Duration, Duration),
}

impl Failure {
    fn describe(&self, name: &str) -> String {
        match self {
            Failure::Panic(msg) => format!("{name} panicked: {msg}"),
            Failure::OverBudget(took, limit) => {
                format!("{name} took {took:?} for one decision, over its budget of {limit:?}")
            }
        }
    }
}

/// Runs `f` at the session boundary: a panic or a broken budget becomes a [`Failure`].
#[inline]
fn guarded<T>(budget: &Budget, f: impl FnOnce() -> T) -> Result<T, Failure> {
    let start = budget.per_call.map(|_| Instant::now());
    let r = catch_unwind(AssertUnwindSafe(f)).map_err(|p| Failure::Panic(panic_message(&*p)))?;
    if let (Some(limit), Some(start)) = (budget.per_call, start) {
        let took = start.elapsed();
        if took > limit {
            return Err(Failure::OverBudget(took, limit));
        }
    }
    Ok(r)
}

/// The action `actor` decided on, or `None` after ending the negotiation as `actor`'s fault
/// when its strategy failed (panicked or overran its time budget).
fn decided_or_fault<M: Mechanism>(
    m: &mut M,
    actor: Actor,
    decided: Result<M::Action, Failure>,
    name: impl FnOnce() -> String,
) -> Option<M::Action> {
    match decided {
        Ok(action) => Some(action),
        Err(f) => {
            m.fault(actor, f.describe(&name()));
            None
        }
    }
}

fn check_parties<M: Mechanism>(m: &M, n: usize) -> Result<(), Error> {
    let expected = m.setup().n_parties;
    if n != expected {
        return Err(Error::new(ErrorKind::Protocol(bc_protocol::Error::new(bc_protocol::ErrorKind::Setup(format!(
            "the mechanism has {expected} parties but {n} strategies were given"
        ))))));
    }
    Ok(())
}

fn ctx(me: usize, n_parties: usize, step: u64, n_steps: u64, relative_time: f64) -> Context {
    Context { me, n_parties, step, n_steps, relative_time }
}

/// Tells every party that may see the new offers or deliveries among `events` about them:
/// offers are public only in SAO (`public_offers`); relay parties see only deliveries.
/// Returns the party whose strategy failed, with the message.
fn notify(
    public_offers: bool,
    events: &[Event],
    parties: &mut [Box<dyn Negotiator + '_>],
    n_steps: u64,
    budget: &Budget,
) -> Result<(), (usize, String)> {
    let n = parties.len();
    if !parties.iter().any(|p| p.observes()) {
        return Ok(());
    }
    for e in events {
        match *e {
            // SAO: an offer is public (relay offers reach the others only as deliveries).
            Event::Offer { step, party, outcome } if public_offers => {
                for (j, p) in parties.iter_mut().enumerate() {
                    if j != party && p.observes() {
                        let c = ctx(j, n, step, n_steps, bc_protocol::relative_time(step, n_steps));
                        if let Err(f) = guarded(budget, || p.observe(&c, Source::Party(party), outcome)) {
                            return Err((j, f.describe(p.name())));
                        }
                    }
                }
            }
            Event::Delivered { step, to, outcome, from } => {
                if let Some(p) = parties.get_mut(to).filter(|p| p.observes()) {
                    let c = ctx(to, n, step, n_steps, bc_protocol::relative_time(step, n_steps));
                    if let Err(f) = guarded(budget, || p.observe(&c, from, outcome)) {
                        return Err((to, f.describe(p.name())));
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// One protocol's part of a session: who decides each turn, and what follows an accepted move.
/// [`drive`] runs the loop the four protocols share around it.
trait Turns<M: Mechanism> {
    /// The mediator's name, for messages (the protocols without one never name it).
    fn mediator(&self) -> &str {
        "the mediator"
    }
    /// Asks the strategy whose turn it is for its action, at the session boundary.
    fn decide(
        &mut self,
        turn: M::Turn,
        parties: &mut [Box<dyn Negotiator + '_>],
        n_steps: u64,
        budget: &Budget,
    ) -> (Actor, Result<M::Action, Failure>);
    /// After an accepted move: tells the parties what they may see of its `events`. `Err` names
    /// a strategy that failed meanwhile.
    fn observe(
        &mut self,
        _events: &[Event],
        _parties: &mut [Box<dyn Negotiator + '_>],
        _n_steps: u64,
        _budget: &Budget,
    ) -> Result<(), (Actor, String)> {
        Ok(())
    }
    /// After the observers, when the move ended a round (`round_ended`). `Err` as for `observe`.
    fn settle(&mut self, _round_ended: bool, _budget: &Budget) -> Result<(), (Actor, String)> {
        Ok(())
    }
}

/// The session loop every protocol shares: ask whoever's turn it is, submit, let the others
/// observe; a failed strategy or a move the mechanism refuses ends the negotiation as that
/// actor's fault.
fn drive<M: Mechanism>(
    m: &mut M,
    parties: &mut [Box<dyn Negotiator + '_>],
    turns: &mut impl Turns<M>,
    budget: &Budget,
) -> Result<(), Error> {
    check_parties(m, parties.len())?;
    let n_steps = m.setup().n_steps;
    while let Some(turn) = m.turn() {
        let (actor, decided) = turns.decide(turn, parties, n_steps, budget);
        let Some(action) = decided_or_fault(m, actor, decided, || actor_name(actor, parties, turns.mediator())) else {
            break;
        };
        let before = m.step();
        let failed = match m.submit(actor, action) {
            Err(e) => Err((actor, format!("{} made an invalid move: {e}", actor_name(actor, parties, turns.mediator())))),
            Ok(events) => turns.observe(events, parties, n_steps, budget),
        };
        if let Err((who, msg)) = failed.and_then(|()| turns.settle(m.step() > before, budget)) {
            m.fault(who, msg);
        }
    }
    Ok(())
}

/// A party's strategy's answer to what is in front of it: accept, end, or (after a rejection, or
/// with nothing in front of it) its own proposal.
fn offer_or_respond<A>(
    p: &mut Box<dyn Negotiator + '_>,
    c: &Context,
    before: Option<(bc_protocol::OutcomeId, Source)>,
    accept: A,
    end: A,
    offer: impl Fn(bc_protocol::OutcomeId) -> A,
) -> A {
    match before {
        None => p.propose(c).map_or(end, offer),
        Some((o, from)) => match p.respond(c, o, from) {
            Response::Accept => accept,
            Response::End => end,
            Response::Reject => p.propose(c).map_or(end, offer),
        },
    }
}

/// SAO: parties only; an offer is public.
struct SaoTurns {
    offered: bool,
}

impl Turns<Sao> for SaoTurns {
    fn decide(
        &mut self,
        turn: SaoTurn,
        parties: &mut [Box<dyn Negotiator + '_>],
        n_steps: u64,
        budget: &Budget,
    ) -> (Actor, Result<SaoAction, Failure>) {
        let i = turn.party;
        let c = ctx(i, parties.len(), turn.step, n_steps, turn.relative_time);
        let p = &mut parties[i];
        let before = turn.offer.map(|o| (o.outcome, Source::Party(o.proposer)));
        let decided = guarded(budget, || offer_or_respond(p, &c, before, SaoAction::Accept, SaoAction::End, SaoAction::Offer));
        self.offered = matches!(decided, Ok(SaoAction::Offer(_)));
        (Actor::Party(i), decided)
    }

    fn observe(
        &mut self,
        events: &[Event],
        parties: &mut [Box<dyn Negotiator + '_>],
        n_steps: u64,
        budget: &Budget,
    ) -> Result<(), (Actor, String)> {
        if !self.offered {
            return Ok(());
        }
        notify(true, events, parties, n_steps, budget).map_err(|(j, msg)| (Actor::Party(j), msg))
    }
}

/// Runs an SAO negotiation to its end.
pub fn run_sao(m: &mut Sao, parties: &mut [Box<dyn Negotiator + '_>], budget: &Budget) -> Result<(), Error> {
    drive(m, parties, &mut SaoTurns { offered: false }, budget)
}

/// Relay: offers go through the mediator, which passes, holds or reframes them.
struct RelayTurns<'m> {
    mediator: &'m mut dyn RelayMediator,
}

impl Turns<Relay> for RelayTurns<'_> {
    fn mediator(&self) -> &str {
        self.mediator.name()
    }

    fn decide(
        &mut self,
        turn: RelayTurn,
        parties: &mut [Box<dyn Negotiator + '_>],
        n_steps: u64,
        budget: &Budget,
    ) -> (Actor, Result<RelayAction, Failure>) {
        let n = parties.len();
        match turn {
            RelayTurn::Party { party, step, relative_time, inbox } => {
                let c = ctx(party, n, step, n_steps, relative_time);
                let p = &mut parties[party];
                let before = inbox.map(|d| (d.outcome, d.from));
                (
                    Actor::Party(party),
                    guarded(budget, || offer_or_respond(p, &c, before, RelayAction::Accept, RelayAction::End, RelayAction::Offer)),
                )
            }
            RelayTurn::Mediator { step, relative_time, from, offer } => {
                let c = MediatorContext { n_parties: n, step, n_steps, relative_time };
                let mediator = &mut *self.mediator;
                let d = guarded(budget, || match mediator.relay(&c, from, offer) {
                    RelayDecision::Pass => RelayAction::Pass,
                    RelayDecision::Hold => RelayAction::Hold,
                    RelayDecision::Reframe(o) => RelayAction::Reframe(o),
                });
                (Actor::Mediator, d)
            }
        }
    }

    fn observe(
        &mut self,
        events: &[Event],
        parties: &mut [Box<dyn Negotiator + '_>],
        n_steps: u64,
        budget: &Budget,
    ) -> Result<(), (Actor, String)> {
        notify(false, events, parties, n_steps, budget).map_err(|(j, msg)| (Actor::Party(j), msg))
    }
}

/// Runs a relay negotiation to its end.
pub fn run_relay(
    m: &mut Relay,
    parties: &mut [Box<dyn Negotiator + '_>],
    mediator: &mut dyn RelayMediator,
    budget: &Budget,
) -> Result<(), Error> {
    drive(m, parties, &mut RelayTurns { mediator }, budget)
}

fn actor_name(actor: Actor, parties: &[Box<dyn Negotiator + '_>], mediator: &str) -> String {
    match actor {
        Actor::Party(i) => parties.get(i).map_or_else(|| format!("party {i}"), |p| p.name().to_string()),
        Actor::Mediator => mediator.to_string(),
    }
}

/// Single text: the mediator drafts, the parties vote, the mediator adopts or not and learns
/// the result of its draft once the round has ended.
struct SingleTextTurns<'m> {
    mediator: &'m mut dyn SingleTextMediator,
    draft_of_round: Option<bc_protocol::OutcomeId>,
    adopted: bool,
}

impl Turns<SingleText> for SingleTextTurns<'_> {
    fn mediator(&self) -> &str {
        self.mediator.name()
    }

    fn decide(
        &mut self,
        turn: StTurn,
        parties: &mut [Box<dyn Negotiator + '_>],
        n_steps: u64,
        budget: &Budget,
    ) -> (Actor, Result<StAction, Failure>) {
        let n = parties.len();
        let mediator = &mut *self.mediator;
        match turn {
            StTurn::Draft { step, relative_time, current } => {
                let c = MediatorContext { n_parties: n, step, n_steps, relative_time };
                let d = guarded(budget, || mediator.draft(&c, current).map_or(StAction::Conclude, StAction::Draft));
                if let Ok(StAction::Draft(o)) = d {
                    self.draft_of_round = Some(o);
                }
                (Actor::Mediator, d)
            }
            StTurn::Vote { party, step, relative_time, draft, current } => {
                let c = ctx(party, n, step, n_steps, relative_time);
                let p = &mut parties[party];
                (Actor::Party(party), guarded(budget, || StAction::Vote(p.vote(&c, draft, current))))
            }
            StTurn::Decide { step, relative_time, draft, votes, .. } => {
                let c = MediatorContext { n_parties: n, step, n_steps, relative_time };
                (Actor::Mediator, guarded(budget, || StAction::Adopt(mediator.decide(&c, draft, &votes))))
            }
            StTurn::Ratify { party, step, text } => {
                let c = ctx(party, n, step, n_steps, 1.0);
                let p = &mut parties[party];
                (Actor::Party(party), guarded(budget, || StAction::Ratify(p.ratify(&c, text))))
            }
        }
    }

    fn observe(&mut self, events: &[Event], _: &mut [Box<dyn Negotiator + '_>], _: u64, _: &Budget) -> Result<(), (Actor, String)> {
        self.adopted = events.iter().any(|e| matches!(e, Event::Adopted { .. }));
        Ok(())
    }

    fn settle(&mut self, round_ended: bool, budget: &Budget) -> Result<(), (Actor, String)> {
        let Some(d) = self.draft_of_round.take_if(|_| round_ended) else {
            return Ok(());
        };
        let (mediator, adopted) = (&mut *self.mediator, self.adopted);
        guarded(budget, || mediator.on_result(d, adopted)).map_err(|f| (Actor::Mediator, f.describe(self.mediator.name())))
    }
}

/// Runs a single-text negotiation to its end.
pub fn run_single_text(
    m: &mut SingleText,
    parties: &mut [Box<dyn Negotiator + '_>],
    mediator: &mut dyn SingleTextMediator,
    budget: &Budget,
) -> Result<(), Error> {
    drive(m, parties, &mut SingleTextTurns { mediator, draft_of_round: None, adopted: false }, budget)
}

/// Confidential mediation: private reports, then the mediator proposes and the parties vote.
struct ConfidentialTurns<'m> {
    mediator: &'m mut dyn ConfidentialMediator,
}

impl Turns<Confidential> for ConfidentialTurns<'_> {
    fn mediator(&self) -> &str {
        self.mediator.name()
    }

    fn decide(
        &mut self,
        turn: ConfTurn,
        parties: &mut [Box<dyn Negotiator + '_>],
        n_steps: u64,
        budget: &Budget,
    ) -> (Actor, Result<ConfAction, Failure>) {
        let n = parties.len();
        match turn {
            ConfTurn::Report { party, step, relative_time, needs_utility } => {
                let c = ctx(party, n, step, n_steps, relative_time);
                let p = &mut parties[party];
                let d = guarded(budget, || {
                    let floor = p.floor(&c);
                    let utility = p.report_utility(&c, needs_utility);
                    ConfAction::Report(Report { floor, utility })
                });
                (Actor::Party(party), d)
            }
            ConfTurn::Mediate { step, relative_time, reports } => {
                let c = MediatorContext { n_parties: n, step, n_steps, relative_time };
                let mediator = &mut *self.mediator;
                let d = guarded(budget, || mediator.mediate(&c, &reports).map_or(ConfAction::NoZone, ConfAction::Propose));
                (Actor::Mediator, d)
            }
            ConfTurn::Vote { party, step, relative_time, proposal } => {
                let c = ctx(party, n, step, n_steps, relative_time);
                let p = &mut parties[party];
                (Actor::Party(party), guarded(budget, || ConfAction::Vote(p.vote(&c, proposal, None))))
            }
        }
    }
}

/// Runs a confidential mediation to its end. Each party reports, every round, the floor its
/// strategy chooses ([`Negotiator::floor`]) and the utility function it chooses to report
/// ([`Negotiator::report_utility`]: by default its true one, once).
pub fn run_confidential(
    m: &mut Confidential,
    parties: &mut [Box<dyn Negotiator + '_>],
    mediator: &mut dyn ConfidentialMediator,
    budget: &Budget,
) -> Result<(), Error> {
    drive(m, parties, &mut ConfidentialTurns { mediator }, budget)
}

/// What one session produced.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    /// The protocol.
    pub protocol: ProtocolKind,
    /// How it ended.
    pub ending: Ending,
    /// The final step count (NegMAS's `state.step`).
    pub step: u64,
    /// Offers made by the parties (SAO, relay) or texts put by the mediator (single text,
    /// confidential).
    pub n_offers: u64,
    /// Every event, when the plan keeps them.
    pub events: Vec<Event>,
}

/// How to run one session.
#[derive(Clone, Debug)]
pub struct Plan<'a> {
    /// The protocol.
    pub protocol: ProtocolKind,
    /// One agent per party, in party order.
    pub agents: &'a [Spec],
    /// The mediator (default: the protocol's first, see [`crate::registry::mediators`]).
    pub mediator: Option<&'a Spec>,
    /// The round limit.
    pub n_steps: u64,
    /// Keep the event trace.
    pub keep_events: bool,
    /// Limits on strategies.
    pub budget: Budget,
}

/// Builds the strategies of `plan` for the parties `sides` (party `i` gets `rng(i)`, the
/// mediator `rng(n)`), runs the session and returns its record. Errors are problems of set-up
/// (unknown names, bad parameters, a space a strategy cannot use); a strategy that panics,
/// even while being built, is a [`Ending::Fault`] in the record.
pub fn play(plan: &Plan<'_>, sides: &[Arc<Side>], rng: &mut dyn FnMut(usize) -> Rng) -> Result<Record, Error> {
    let n = sides.len();
    if plan.agents.len() != n {
        return Err(Error::param("agents", format!("expected one agent per party ({n}), found {}", plan.agents.len())));
    }
    let space = sides.first().map(|s| s.space().clone()).ok_or_else(|| Error::param("agents", "no parties"))?;
    let setup = Setup::new(n, sides[0].n_outcomes(), plan.n_steps).keep_events(plan.keep_events);
    // Build every agent; a panic while building is that agent's fault.
    let mut parties: Vec<Box<dyn Negotiator>> = Vec::with_capacity(n);
    for (i, (spec, side)) in plan.agents.iter().zip(sides).enumerate() {
        registry::check_agent(spec, plan.protocol)?;
        let r = rng(i);
        match catch_unwind(AssertUnwindSafe(|| registry::build_agent(spec, side.clone(), plan.protocol, r))) {
            Ok(agent) => parties.push(agent?),
            Err(p) => {
                let message = format!("{} panicked while starting: {}", spec.name, panic_message(&*p));
                return Ok(Record {
                    protocol: plan.protocol,
                    ending: Ending::Fault { by: Actor::Party(i), message },
                    step: 0,
                    n_offers: 0,
                    events: Vec::new(),
                });
            }
        }
    }
    let default_mediator;
    let mediator_spec = match plan.mediator {
        Some(s) => s,
        None => {
            let name = registry::mediators(plan.protocol).first().map_or("none", |(n, _)| *n);
            default_mediator = Spec { name: name.to_string(), params: Default::default() };
            &default_mediator
        }
    };
    let budget = &plan.budget;
    match plan.protocol {
        ProtocolKind::Sao => {
            if plan.mediator.is_some() {
                return Err(Error::param("mediator", "sao has no mediator; use single-text, relay or confidential"));
            }
            let mut m = Sao::new(setup)?;
            run_sao(&mut m, &mut parties, budget)?;
            let n_offers = m.n_offers();
            Ok(finish(plan.protocol, &m, n_offers))
        }
        ProtocolKind::Relay => {
            let mut med = registry::build_relay_mediator(mediator_spec, sides.to_vec())?;
            let mut m = Relay::new(setup)?;
            run_relay(&mut m, &mut parties, med.as_mut(), budget)?;
            let n_offers = m.n_offers();
            Ok(finish(plan.protocol, &m, n_offers))
        }
        ProtocolKind::SingleText => {
            let mut med = registry::build_single_text_mediator(mediator_spec, space, rng(n))?;
            let mut m = SingleText::new(setup, med.adoption())?;
            run_single_text(&mut m, &mut parties, med.as_mut(), budget)?;
            let n_offers = m.n_drafts();
            Ok(finish(plan.protocol, &m, n_offers))
        }
        ProtocolKind::Confidential => {
            let mut med = registry::build_confidential_mediator(mediator_spec, space.clone())?;
            let mut m = Confidential::new(setup, space)?;
            run_confidential(&mut m, &mut parties, med.as_mut(), budget)?;
            let n_offers = m.n_proposals();
            Ok(finish(plan.protocol, &m, n_offers))
        }
    }
}

/// A party's utility of agreement `o` reached in the round before final step `step` of
/// `n_steps`: undiscounted, or discounted at that round's relative time and index when the
/// profile discounts.
pub fn agreement_utility(side: &Side, o: bc_protocol::OutcomeId, step: u64, n_steps: u64) -> f64 {
    let prefs = side.preferences();
    if prefs.discount == bc_model::Discount::None {
        return side.utility(o);
    }
    let round = step.saturating_sub(1);
    prefs.eval_at(&side.space().outcome_at(o), bc_protocol::relative_time(round, n_steps), round)
}

fn finish<M: Mechanism>(protocol: ProtocolKind, m: &M, n_offers: u64) -> Record {
    Record { protocol, ending: m.ending().cloned().unwrap_or(Ending::Timeout), step: m.step(), n_offers, events: m.events().to_vec() }
}
