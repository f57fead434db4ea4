//! Confidentiality as a property: over random rooms (protocol, seats filled by agents or
//! external programs, random private preferences) and random sequences of actions from every
//! seat, no message the server would send to a party seat or an observer (welcome, events,
//! turns, errors, exported seat logs) contains another party's private numbers: its
//! reservation value, its weights, the floors it reported.

use bc_model::{Discount, Issue, LinearAdditive, OutcomeSpace, Preferences, UtilityFunction, ValueFunction};
use bc_server::domain::{DomainSource, WireOutcome};
use bc_server::room::{Action, Entry, Fill, Room, RoomSpec, Seat};
use bc_server::wire;
use proptest::prelude::*;

/// A private number with 9 significant digits, in [0.1, 0.9).
fn private() -> impl Strategy<Value = f64> {
    (100_000_000u64..900_000_000).prop_map(|k| k as f64 / 1e9)
}

#[derive(Debug, Clone)]
struct Case {
    protocol: &'static str,
    agents: Vec<Option<&'static str>>,
    mediator_agent: bool,
    sizes: Vec<u32>,
    weights: Vec<Vec<f64>>,
    values: Vec<Vec<Vec<f64>>>,
    reservations: Vec<f64>,
    actions: Vec<(u8, u8, u64, f64, bool)>,
}

fn case() -> impl Strategy<Value = Case> {
    let protocol = prop::sample::select(vec!["sao", "single-text", "relay", "confidential"]);
    (protocol, 2usize..4, prop::collection::vec(2u32..5, 1..4), any::<bool>()).prop_flat_map(|(protocol, n, sizes, mediator_agent)| {
        let m = sizes.len();
        let agent = prop::option::of(prop::sample::select(vec!["boulware", "conceder", "micro", "hardheaded"]));
        let values = prop::collection::vec(sizes.iter().map(|s| prop::collection::vec(private(), *s as usize)).collect::<Vec<_>>(), n);
        (
            Just(protocol),
            prop::collection::vec(agent, n),
            Just(mediator_agent),
            Just(sizes),
            prop::collection::vec(prop::collection::vec(private(), m), n),
            values,
            prop::collection::vec(private(), n),
            prop::collection::vec((any::<u8>(), any::<u8>(), 0u64..64, private(), any::<bool>()), 0..40),
        )
            .prop_map(|(protocol, agents, mediator_agent, sizes, weights, values, reservations, actions)| Case {
                protocol,
                agents,
                mediator_agent,
                sizes,
                weights,
                values,
                reservations,
                actions,
            })
    })
}

fn spec(c: &Case) -> RoomSpec {
    let issues: Vec<Issue> = c
        .sizes
        .iter()
        .enumerate()
        .map(|(k, s)| Issue::categorical(format!("i{k}"), (0..*s).map(|v| format!("v{v}")).collect()).unwrap())
        .collect();
    let space = OutcomeSpace::new("d", issues).unwrap();
    let profiles = (0..c.agents.len())
        .map(|i| {
            let total: f64 = c.weights[i].iter().sum();
            let w: Vec<f64> = c.weights[i].iter().map(|x| x / total).collect();
            let vf = c.values[i]
                .iter()
                .map(|v| {
                    let max = v.iter().fold(0.0f64, |a, x| a.max(*x));
                    ValueFunction::Table(v.iter().map(|x| x / max).collect())
                })
                .collect();
            let f = LinearAdditive::new(&space, 0.0, w, vf).unwrap();
            let p = Preferences {
                name: format!("p{i}"),
                utility: UtilityFunction::LinearAdditive(f),
                reserved_value: c.reservations[i],
                discount: Discount::None,
            };
            bc_formats::geniusweb::write_profile(&space, &p).unwrap()
        })
        .collect();
    RoomSpec {
        title: "t".into(),
        domain: DomainSource::Geniusweb { domain: bc_formats::geniusweb::write_domain(&space).unwrap(), profiles },
        protocol: c.protocol.into(),
        parties: c.agents.iter().map(|a| a.map_or(Fill::External, |n| Fill::Agent { name: n.into() })).collect(),
        profiles: None,
        mediator: (c.protocol != "sao").then(|| {
            if c.mediator_agent {
                Fill::Agent { name: bc_strategy::registry::mediators(kind(c.protocol))[0].0.into() }
            } else {
                Fill::External
            }
        }),
        observers: 1,
        steps: 6,
        deadline_secs: None,
        editable_preferences: false,
        seed: 3,
    }
}

fn kind(p: &str) -> bc_protocol::ProtocolKind {
    match p {
        "sao" => bc_protocol::ProtocolKind::Sao,
        "single-text" => bc_protocol::ProtocolKind::SingleText,
        "relay" => bc_protocol::ProtocolKind::Relay,
        _ => bc_protocol::ProtocolKind::Confidential,
    }
}

fn action(k: u8, o: u64, x: f64, b: bool) -> Action {
    let outcome = WireOutcome::Index(o);
    match k % 14 {
        0 => Action::Offer { outcome },
        1 => Action::Accept,
        2 => Action::End,
        3 => Action::Vote { accept: b },
        4 => Action::Ratify { accept: b },
        5 => Action::Draft { outcome },
        6 => Action::Conclude,
        7 => Action::Adopt { adopt: b },
        8 => Action::Pass,
        9 => Action::Hold,
        10 => Action::Reframe { outcome },
        11 => Action::Report { floor: Some(x) },
        12 => Action::Propose { outcome },
        _ => Action::NoZone,
    }
}

/// Applies an entry, then lets the agents play; records what every seat receives.
fn apply(room: &mut Room, entry: Entry, seats: &[Seat], out: &mut Vec<(Seat, String)>) {
    let mut next = Some(entry);
    while let Some(e) = next.take() {
        let applied = room.apply(&e).unwrap();
        for s in seats {
            for m in wire::notices(room, *s, applied.seq, &e, &applied.events) {
                out.push((*s, serde_json::to_string(&m).unwrap()));
            }
        }
        next = room.agent_entry();
    }
}

fn needles(x: f64) -> Vec<String> {
    // However the number is written: shortest round trip, and cut to 6 and 7 decimals.
    vec![format!("{x}"), serde_json::to_string(&x).unwrap(), format!("{x:.6}"), format!("{x:.7}")]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn no_party_or_observer_sees_another_partys_private_numbers(c in case()) {
        let spec = spec(&c);
        let mut room = Room::create("r", &spec).unwrap();
        let n = c.agents.len();
        let mut seats: Vec<Seat> = (0..n).map(Seat::Party).collect();
        seats.push(Seat::Observer(0));
        if room.has_seat(Seat::Mediator) {
            seats.push(Seat::Mediator);
        }
        let mut out: Vec<(Seat, String)> = Vec::new();
        // Agents may move first.
        if let Some(e) = room.agent_entry() {
            apply(&mut room, e, &seats, &mut out);
        }
        let mut floors: Vec<Vec<f64>> = vec![Vec::new(); n];
        for (s, k, o, x, b) in &c.actions {
            let seat = seats[*s as usize % seats.len()];
            let a = action(*k, *o, *x, *b);
            match room.check(seat, &a) {
                Ok(entry) => {
                    if let (Seat::Party(i), Action::Report { floor: Some(f) }) = (seat, &a) {
                        floors[i].push(*f);
                    }
                    apply(&mut room, entry, &seats, &mut out);
                }
                Err(message) => out.push((seat, message)),
            }
        }
        for s in &seats {
            out.push((*s, serde_json::to_string(&wire::welcome(&room, *s)).unwrap()));
        }
        // The private numbers of each party, as the room holds them.
        let private: Vec<Vec<f64>> = (0..n)
            .map(|i| {
                let p = room.preferences(i).unwrap();
                let mut v = vec![p.reserved_value];
                if let Some(f) = p.utility.as_additive() {
                    v.extend(f.weights().iter().copied().filter(|w| *w != 0.0 && *w != 1.0));
                }
                v.extend(floors[i].iter().copied());
                v
            })
            .collect();
        for (seat, text) in &out {
            let hidden: Vec<usize> = match seat {
                Seat::Party(j) => (0..n).filter(|i| i != j).collect(),
                Seat::Observer(_) => (0..n).collect(),
                Seat::Mediator => continue,
            };
            for i in hidden {
                for x in &private[i] {
                    for needle in needles(*x) {
                        prop_assert!(!text.contains(&needle), "{seat} received party {i}'s private {needle}: {text}");
                    }
                }
            }
        }
    }
}
