//! Sessions across protocols: faults are recorded, not crashes; a pass-through relay is SAO;
//! confidential mediation proposes the Nash package of the reported zone; runs are reproducible
//! and always end within their round limit.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use bc_formats::Semantics;
use bc_model::OutcomeSpace;
use bc_protocol::{Actor, ConfAction, ConfTurn, Confidential, Ending, Event, Mechanism, ProtocolKind, Relay, Report, Sao, Setup};
use bc_protocol::{OutcomeId, Source};
use bc_strategy::mediators::{ConfidentialMediator, MediatorContext, Objective, PassThrough, ZoneMediator};
use bc_strategy::{build_agent, play, run_relay, run_sao, Budget, Context, Negotiator, Plan, Response, Side, Spec};
use proptest::prelude::*;
use rand::SeedableRng;

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/genius")
}

fn sides(domain: &str) -> (Arc<OutcomeSpace>, Vec<Arc<Side>>) {
    let s = bc_formats::load_folder(&data().join(domain), Semantics::Genius).unwrap();
    let space = Arc::new(s.space);
    let sides = s.parties.into_iter().map(|p| Arc::new(Side::new(space.clone(), p).unwrap())).collect();
    (space, sides)
}

fn rng(seed: u64) -> rand_chacha::ChaCha8Rng {
    rand_chacha::ChaCha8Rng::seed_from_u64(seed)
}

fn agents(names: &[&str], sides: &[Arc<Side>], protocol: ProtocolKind) -> Vec<Box<dyn Negotiator>> {
    names
        .iter()
        .zip(sides)
        .enumerate()
        .map(|(k, (n, s))| build_agent(&n.parse::<Spec>().unwrap(), s.clone(), protocol, rng(k as u64)).unwrap())
        .collect()
}

/// A strategy that misbehaves in round 3.
struct Faulty {
    side: Arc<Side>,
    how: &'static str,
}

impl Negotiator for Faulty {
    fn name(&self) -> &str {
        "faulty"
    }
    fn side(&self) -> &Side {
        &self.side
    }
    fn propose(&mut self, ctx: &Context) -> Option<OutcomeId> {
        if ctx.step == 3 {
            match self.how {
                "panic" => panic!("boom in round {}", ctx.step),
                "slow" => std::thread::sleep(Duration::from_millis(30)),
                "invalid" => return Some(u64::MAX),
                _ => {}
            }
        }
        Some(0)
    }
    fn respond(&mut self, _ctx: &Context, _offer: OutcomeId, _from: Source) -> Response {
        Response::Reject
    }
}

#[test]
fn faults_end_the_session_and_are_recorded() {
    let (space, s) = sides("ItexvsCypress");
    let n = space.cardinality().unwrap() as u64;
    for (how, budget, expect) in [
        ("panic", Budget::default(), "panicked: boom in round 3"),
        ("slow", Budget { per_call: Some(Duration::from_millis(5)) }, "over its budget"),
        ("invalid", Budget::default(), "invalid move"),
    ] {
        let mut parties = agents(&["boulware"], &s[..1], ProtocolKind::Sao);
        parties.push(Box::new(Faulty { side: s[1].clone(), how }));
        let mut m = Sao::new(Setup::new(2, n, 10)).unwrap();
        run_sao(&mut m, &mut parties, &budget).unwrap();
        match m.ending() {
            Some(Ending::Fault { by: Actor::Party(1), message }) => {
                assert!(message.contains(expect) && message.contains("faulty"), "{how}: {message}")
            }
            other => panic!("{how}: expected a fault of party 1, found {other:?}"),
        }
        assert_eq!(m.step(), 4, "{how}: the faulty round counts");
    }
}

#[test]
fn a_pass_through_relay_is_sao() {
    let (space, s) = sides("ItexvsCypress");
    let n = space.cardinality().unwrap() as u64;
    for pair in [["boulware", "conceder"], ["micro", "micro"], ["agentk", "tft-absolute"], ["random", "ponpoko"]] {
        let mut a = agents(&pair, &s, ProtocolKind::Sao);
        let mut sao = Sao::new(Setup::new(2, n, 200)).unwrap();
        run_sao(&mut sao, &mut a, &Budget::default()).unwrap();
        let mut b = agents(&pair, &s, ProtocolKind::Relay);
        let mut relay = Relay::new(Setup::new(2, n, 200)).unwrap();
        run_relay(&mut relay, &mut b, &mut PassThrough, &Budget::default()).unwrap();
        let offers = |ev: &[Event]| -> Vec<Event> { ev.iter().filter(|e| matches!(e, Event::Offer { .. })).cloned().collect() };
        assert_eq!(offers(sao.events()), offers(relay.events()), "{pair:?}");
        assert_eq!(sao.ending(), relay.ending(), "{pair:?}");
        assert_eq!(sao.step(), relay.step(), "{pair:?}");
    }
}

/// Brute force: the outcome maximising prod (u_i - d_i) over the zone, first by enumeration
/// order among exact ties of the product (only utilities are compared below).
fn brute_nash(s: &[Arc<Side>], floors: &[f64]) -> Option<Vec<f64>> {
    let n = s[0].n_outcomes();
    let mins: Vec<f64> = s.iter().map(|x| x.table().unwrap().min()).collect();
    let d: Vec<f64> = floors.iter().zip(&mins).map(|(f, m)| f.max(*m)).collect();
    let mut best: Option<(f64, Vec<f64>)> = None;
    for o in 0..n {
        let u: Vec<f64> = s.iter().map(|x| x.utility(o)).collect();
        if u.iter().zip(floors).all(|(x, f)| x >= f) {
            let p: f64 = u.iter().zip(&d).map(|(x, di)| x - di).product();
            if best.is_none() || best.as_ref().is_some_and(|(b, _)| p > *b) {
                best = Some((p, u));
            }
        }
    }
    best.map(|(_, u)| u)
}

#[test]
fn confidential_mediator_proposes_the_nash_package_of_the_zone() {
    let (space, s) = sides("LaptopB");
    let reports = |floors: &[f64]| -> Vec<bc_protocol::Reported> {
        s.iter().zip(floors).map(|(x, f)| bc_protocol::Reported { utility: Arc::new(x.preferences().utility.clone()), floor: *f }).collect()
    };
    let mut med = ZoneMediator::new(space.clone(), Objective::Nash);
    let ctx = MediatorContext { n_parties: 2, step: 0, n_steps: 10, relative_time: 0.1 };
    for floors in [[0.0, 0.0], [0.5, 0.5], [0.7, 0.4], [0.2, 0.8], [0.9, 0.9]] {
        let got = med.mediate(&ctx, &reports(&floors)).map(|o| s.iter().map(|x| x.utility(o)).collect::<Vec<_>>());
        assert_eq!(got, brute_nash(&s, &floors), "floors {floors:?}");
    }
}

#[test]
fn confidential_mechanism_keeps_reports_private() {
    let (space, s) = sides("LaptopB");
    let n = space.cardinality().unwrap() as u64;
    let mut m = Confidential::new(Setup::new(2, n, 5), space.clone()).unwrap();
    for (k, floor) in [(0, 0.9), (1, 0.95)] {
        let utility = Some(Arc::new(s[k].preferences().utility.clone()));
        m.submit(Actor::Party(k), ConfAction::Report(Report { floor, utility })).unwrap();
    }
    let mut med = ZoneMediator::new(space, Objective::Nash);
    let Some(ConfTurn::Mediate { reports, .. }) = m.turn() else { panic!("mediator's turn expected") };
    let ctx = MediatorContext { n_parties: 2, step: 0, n_steps: 5, relative_time: 1.0 / 6.0 };
    assert_eq!(med.mediate(&ctx, &reports), None, "floors 0.9 and 0.95 leave no zone on LaptopB");
    m.submit(Actor::Mediator, ConfAction::NoZone).unwrap();
    for viewer in [0, 1] {
        let seen = m.view(bc_protocol::Viewer::Party(viewer));
        assert!(seen.iter().all(|e| !matches!(e, Event::Report { party, .. } if *party != viewer)));
        assert!(seen.iter().any(|e| matches!(e, Event::Zone { exists: false, .. })));
    }
}

#[test]
fn every_protocol_runs_every_general_agent() {
    let (_, s) = sides("ItexvsCypress");
    let names = [
        "boulware",
        "conceder",
        "aspiration",
        "hardheaded",
        "random",
        "tft-relative",
        "tft-absolute",
        "micro",
        "agentk",
        "hardheaded2011",
        "ponpoko",
    ];
    for protocol in [ProtocolKind::Sao, ProtocolKind::SingleText, ProtocolKind::Relay, ProtocolKind::Confidential] {
        for a in names {
            for b in ["conceder", a] {
                let specs: Vec<Spec> = [a, b].iter().map(|x| x.parse().unwrap()).collect();
                let plan = Plan { protocol, agents: &specs, mediator: None, n_steps: 50, keep_events: true, budget: Budget::default() };
                let r = play(&plan, &s, &mut |k| rng(k as u64)).unwrap();
                assert!(r.step <= 50 && r.step >= 1, "{protocol:?} {a} {b}: step {}", r.step);
                assert!(!matches!(r.ending, Ending::Fault { .. }), "{protocol:?} {a} {b}: {:?}", r.ending);
                if let Some(o) = r.ending.agreement() {
                    assert!(o < s[0].n_outcomes());
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn sessions_end_within_their_limit_and_replay_identically(
        steps in 1u64..60,
        seed in 0u64..1000,
        protocol in 0usize..4,
        mediator in 0usize..4,
        a in 0usize..6,
        b in 0usize..6,
    ) {
        let (_, s) = sides("LaptopB");
        let protocol = [ProtocolKind::Sao, ProtocolKind::SingleText, ProtocolKind::Relay, ProtocolKind::Confidential][protocol];
        let names = ["random", "boulware", "micro", "agentk", "tft-absolute:m=0.05", "ponpoko"];
        let specs: Vec<Spec> = [names[a], names[b]].iter().map(|x| x.parse().unwrap()).collect();
        let meds = bc_strategy::registry::mediators(protocol);
        let med: Option<Spec> = meds.get(mediator % meds.len().max(1)).map(|(n, _)| n.parse().unwrap());
        let plan = Plan { protocol, agents: &specs, mediator: med.as_ref(), n_steps: steps, keep_events: true, budget: Budget::default() };
        let one = play(&plan, &s, &mut |k| rng(seed * 7 + k as u64)).unwrap();
        let two = play(&plan, &s, &mut |k| rng(seed * 7 + k as u64)).unwrap();
        prop_assert_eq!(&one, &two);
        prop_assert!(one.step <= steps);
        prop_assert!(!matches!(one.ending, Ending::Fault { .. }), "{:?}", one.ending);
        if protocol == ProtocolKind::Sao {
            let offers = one.events.iter().filter(|e| matches!(e, Event::Offer { .. })).count() as u64;
            prop_assert_eq!(offers, one.n_offers);
            prop_assert!(one.n_offers <= 2 * steps);
        }
    }
}

/// What a model (`bc-diplomacy`) does: drive one mediated single-text round itself, with its
/// own acceptance test on top of each party's strategy.
#[test]
fn a_caller_drives_a_single_text_round_with_its_own_acceptance_test() {
    use bc_protocol::{Adoption, SingleText, StAction, StTurn};
    use bc_strategy::Constrained;
    let (space, s) = sides("LaptopB");
    let n = space.cardinality().unwrap() as u64;
    // Party 1 may only accept texts it values at 0.7 or more (say, its domestic floor).
    let floor_side = s[1].clone();
    let mut parties: Vec<Box<dyn Negotiator>> = vec![
        build_agent(&"conceder".parse().unwrap(), s[0].clone(), ProtocolKind::SingleText, rng(0)).unwrap(),
        Box::new(Constrained::new(
            build_agent(&"conceder".parse().unwrap(), s[1].clone(), ProtocolKind::SingleText, rng(1)).unwrap(),
            move |o| floor_side.utility(o) >= 0.7,
        )),
    ];
    let mut m = SingleText::new(Setup::new(2, n, 30), Adoption::Unanimous).unwrap();
    while let Some(turn) = m.turn() {
        let action = match turn {
            // The caller's own drafting rule: walk the space from the current text.
            StTurn::Draft { current, .. } => StAction::Draft(current.map_or(0, |c| (c + 5) % n)),
            StTurn::Vote { party, step, relative_time, draft, current } => {
                let c = Context { me: party, n_parties: 2, step, n_steps: 30, relative_time };
                StAction::Vote(parties[party].vote(&c, draft, current))
            }
            StTurn::Ratify { party, step, text } => {
                let c = Context { me: party, n_parties: 2, step, n_steps: 30, relative_time: 1.0 };
                StAction::Ratify(parties[party].ratify(&c, text))
            }
            StTurn::Decide { .. } => unreachable!("unanimous adoption"),
        };
        let actor = match turn {
            StTurn::Vote { party, .. } | StTurn::Ratify { party, .. } => Actor::Party(party),
            _ => Actor::Mediator,
        };
        m.submit(actor, action).unwrap();
    }
    for e in m.events() {
        if let Event::Adopted { outcome, .. } = e {
            assert!(s[1].utility(*outcome) >= 0.7, "an adopted text passed party 1's test");
        }
    }
    if let Some(o) = m.ending().and_then(|e| e.agreement()) {
        assert!(s[1].utility(o) >= 0.7);
    }
    assert!(m.events().iter().any(|e| matches!(e, Event::Vote { party: 1, accept: false, .. })));
}
