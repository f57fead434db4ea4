//! Any sequence of actions, from anyone, in any order: a mechanism never panics, refuses what it
//! does not expect without changing its state, always ends within its round limit when driven by
//! what it asks for, and accepts nothing once ended.

use std::sync::Arc;

use bc_model::{Issue, LinearAdditive, OutcomeSpace, UtilityFunction, ValueFunction};
use bc_protocol::{
    Actor, Adoption, ConfAction, ConfTurn, Confidential, Mechanism, Relay, RelayAction, RelayTurn, Report, Sao, SaoAction, Setup,
    SingleText, StAction, StTurn,
};
use proptest::prelude::*;

const N_OUTCOMES: u64 = 6;

fn actor(k: u8, n: usize) -> Actor {
    let k = k as usize % (n + 1);
    if k == n {
        Actor::Mediator
    } else {
        Actor::Party(k)
    }
}

fn space() -> Arc<OutcomeSpace> {
    Arc::new(OutcomeSpace::new("s", vec![Issue::categorical("x", (0..6).map(|v| v.to_string()).collect()).unwrap()]).unwrap())
}

fn utility(space: &OutcomeSpace, k: u8) -> Arc<UtilityFunction> {
    let t: Vec<f64> = (0..6).map(|v| ((v as u8 * (k + 1)) % 7) as f64 / 6.0).collect();
    Arc::new(UtilityFunction::LinearAdditive(LinearAdditive::new(space, 0.0, vec![1.0], vec![ValueFunction::Table(t)]).unwrap()))
}

/// Submits `action` and checks the mechanism's contract around it.
fn checked<M: Mechanism>(m: &mut M, who: Actor, action: M::Action) -> bool
where
    M::Turn: PartialEq + std::fmt::Debug,
{
    let before_turn = m.turn();
    let before_step = m.step();
    let before_events = m.events().len();
    match m.submit(who, action) {
        Ok(_) => true,
        Err(_) => {
            assert_eq!(m.turn(), before_turn, "a refused action changed the turn");
            assert_eq!(m.step(), before_step);
            assert_eq!(m.events().len(), before_events);
            false
        }
    }
}

proptest! {
    #[test]
    fn sao_takes_any_input(n in 2usize..4, steps in 1u64..6, moves in proptest::collection::vec((0u8..5, 0u8..4, 0u64..8), 0..60)) {
        let mut m = Sao::new(Setup::new(n, N_OUTCOMES, steps)).unwrap();
        for (who, kind, o) in moves {
            let action = match kind { 0 => SaoAction::Accept, 1 => SaoAction::End, _ => SaoAction::Offer(o) };
            checked(&mut m, actor(who, n), action);
            prop_assert!(m.step() <= steps);
        }
        // Drive it to the end doing what it asks: offers only, so it times out.
        while let Some(t) = m.turn() {
            prop_assert!(m.submit(Actor::Party(t.party), SaoAction::Offer(0)).is_ok());
        }
        prop_assert!(m.step() <= steps);
        prop_assert!(m.submit(Actor::Party(0), SaoAction::Offer(0)).is_err());
    }

    #[test]
    fn single_text_takes_any_input(n in 2usize..4, steps in 1u64..6, mediated in any::<bool>(), moves in proptest::collection::vec((0u8..5, 0u8..7, 0u64..8), 0..60)) {
        let adoption = if mediated { Adoption::Mediator } else { Adoption::Unanimous };
        let mut m = SingleText::new(Setup::new(n, N_OUTCOMES, steps), adoption).unwrap();
        for (who, kind, o) in moves {
            let action = match kind {
                0 => StAction::Draft(o), 1 => StAction::Conclude, 2 => StAction::Vote(o % 2 == 0),
                3 => StAction::Adopt(o % 2 == 0), 4 => StAction::Ratify(o % 3 != 0), 5 => StAction::End, _ => StAction::Vote(true),
            };
            checked(&mut m, actor(who, n), action);
            prop_assert!(m.step() <= steps);
        }
        while let Some(t) = m.turn() {
            let (who, action) = match t {
                StTurn::Draft { .. } => (Actor::Mediator, StAction::Draft(1)),
                StTurn::Vote { party, .. } => (Actor::Party(party), StAction::Vote(true)),
                StTurn::Decide { .. } => (Actor::Mediator, StAction::Adopt(true)),
                StTurn::Ratify { party, .. } => (Actor::Party(party), StAction::Ratify(true)),
            };
            prop_assert!(m.submit(who, action).is_ok());
        }
        prop_assert!(m.ending().is_some());
    }

    #[test]
    fn relay_takes_any_input(n in 2usize..4, steps in 1u64..6, moves in proptest::collection::vec((0u8..5, 0u8..7, 0u64..8), 0..60)) {
        let mut m = Relay::new(Setup::new(n, N_OUTCOMES, steps)).unwrap();
        for (who, kind, o) in moves {
            let action = match kind {
                0 => RelayAction::Accept, 1 => RelayAction::Offer(o), 2 => RelayAction::End,
                3 => RelayAction::Pass, 4 => RelayAction::Reframe(o), _ => RelayAction::Hold,
            };
            checked(&mut m, actor(who, n), action);
            prop_assert!(m.step() <= steps);
        }
        while let Some(t) = m.turn() {
            let (who, action) = match t {
                RelayTurn::Party { party, .. } => (Actor::Party(party), RelayAction::Offer(party as u64)),
                RelayTurn::Mediator { .. } => (Actor::Mediator, RelayAction::Hold),
            };
            prop_assert!(m.submit(who, action).is_ok());
        }
        prop_assert!(m.step() <= steps);
    }

    #[test]
    fn confidential_takes_any_input(n in 2usize..4, steps in 1u64..5, moves in proptest::collection::vec((0u8..5, 0u8..6, 0u64..8, -1.0f64..2.0), 0..60)) {
        let s = space();
        let mut m = Confidential::new(Setup::new(n, N_OUTCOMES, steps), s.clone()).unwrap();
        for (who, kind, o, f) in moves {
            let action = match kind {
                0 => ConfAction::Report(Report { floor: f, utility: Some(utility(&s, o as u8)) }),
                1 => ConfAction::Report(Report { floor: if o == 0 { f64::NAN } else { f }, utility: None }),
                2 => ConfAction::Propose(o), 3 => ConfAction::NoZone, 4 => ConfAction::Vote(o % 2 == 0), _ => ConfAction::End,
            };
            checked(&mut m, actor(who, n), action);
            prop_assert!(m.step() <= steps);
        }
        while let Some(t) = m.turn() {
            let (who, action) = match t {
                ConfTurn::Report { party, .. } => (Actor::Party(party), ConfAction::Report(Report { floor: 0.0, utility: Some(utility(&s, party as u8)) })),
                ConfTurn::Mediate { .. } => (Actor::Mediator, ConfAction::NoZone),
                ConfTurn::Vote { party, .. } => (Actor::Party(party), ConfAction::Vote(false)),
            };
            prop_assert!(m.submit(who, action).is_ok());
        }
        prop_assert!(m.step() <= steps);
    }
}
