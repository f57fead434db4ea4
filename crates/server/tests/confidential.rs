//! Confidentiality as a property: over random rooms (protocol, seats filled by agents or
//! external programs, random private preferences) and random sequences of actions from every
//! seat, no message the server would send to a party seat or an observer (welcome, events,
//! turns, errors, exported seat logs) contains another party's private numbers: its
//! reservation value, its weights, the floors it reported. Half the rooms are studies, whose
//! participants consent (or decline) and answer a questionnaire after every round: no party
//! sees another's consent or answers, the mediator and observers see neither, no seat ever
//! receives the study's admin-only settings, and the completion link reaches participants only.

use bc_model::{Discount, Issue, LinearAdditive, OutcomeSpace, Preferences, UtilityFunction, ValueFunction};
use std::collections::BTreeMap;

use bc_server::domain::{DomainSource, WireOutcome};
use bc_server::room::{Action, Entry, Fill, Room, RoomSpec, Seat};
use bc_server::study::StudySource;
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
    /// A study: (practice rounds, counted rounds, the participant who declines, if any).
    study: Option<(u32, u32, Option<u8>)>,
}

fn case() -> impl Strategy<Value = Case> {
    let protocol = prop::sample::select(vec!["sao", "single-text", "relay", "confidential"]);
    (protocol, 2usize..4, prop::collection::vec(2u32..5, 1..4), any::<bool>()).prop_flat_map(|(protocol, n, sizes, mediator_agent)| {
        let m = sizes.len();
        let agent = prop::option::of(prop::sample::select(vec!["boulware", "conceder", "micro", "hardheaded"]));
        let values = prop::collection::vec(sizes.iter().map(|s| prop::collection::vec(private(), *s as usize)).collect::<Vec<_>>(), n);
        let study = prop::option::of((0u32..2, 1u32..4, prop::option::weighted(0.15, any::<u8>())));
        (
            Just(protocol),
            prop::collection::vec(agent, n),
            Just(mediator_agent),
            Just(sizes),
            prop::collection::vec(prop::collection::vec(private(), m), n),
            values,
            prop::collection::vec(private(), n),
            (prop::collection::vec((any::<u8>(), any::<u8>(), 0u64..64, private(), any::<bool>()), 0..60), study),
        )
            .prop_map(|(protocol, agents, mediator_agent, sizes, weights, values, reservations, (actions, study))| Case {
                protocol,
                agents,
                mediator_agent,
                sizes,
                weights,
                values,
                reservations,
                actions,
                study,
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
        study: c.study.map(|(practice, rounds, _)| StudySource { toml: study_toml(practice, rounds), name: None }),
        seed: 3,
    }
}

const CONDITION: &str = "ADMIN-cond-9f2k";
const NOTES: &str = "ADMIN-notes-4h7m";
const COMPLETION: &str = "https://example.org/complete?cc=DONE-3v8x";

fn study_toml(practice: u32, rounds: u32) -> String {
    format!(
        "consent = \"Agree?\"\npractice_rounds = {practice}\nrounds = {rounds}\n[completion]\nurl = \"{COMPLETION}\"\n\
         [admin]\ncondition = \"{CONDITION}\"\nnotes = \"{NOTES}\"\n\
         [[questions]]\nid = \"s\"\ntext = \"Scale?\"\nkind = \"scale\"\n\
         [[questions]]\nid = \"c\"\ntext = \"Choice?\"\nkind = \"choice\"\noptions = [\"a\", \"b\"]\n\
         [[questions]]\nid = \"t\"\ntext = \"Text?\"\nkind = \"text\"\nrequired = false\n"
    )
}

/// A participant's answers to the current round's questionnaire, the text a needle that names
/// the participant.
fn answers(room: &Room, i: usize, o: u64, b: bool) -> (u32, BTreeMap<String, serde_json::Value>) {
    let round = room.current_round().unwrap_or(0);
    let a = serde_json::json!({"s": 1 + (o % 7), "c": if b { "a" } else { "b" }, "t": format!("ANSWER-p{i}-r{round}-{o}")});
    (round, serde_json::from_value(a).unwrap())
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
        // Agents may move first (in a study, the first round starts once every participant
        // agreed: at once when there is none).
        if let Some(e) = room.agent_entry() {
            apply(&mut room, e, &seats, &mut out);
        }
        // A study's participants answer the consent text first (one may decline).
        if let Some((_, _, decline)) = c.study {
            for i in (0..n).filter(|i| c.agents[*i].is_none()) {
                let agree = decline.is_none_or(|d| d as usize % n != i);
                match room.check_consent(Seat::Party(i), agree) {
                    Ok(e) => apply(&mut room, e, &seats, &mut out),
                    // After a decline the session is called off.
                    Err(message) => out.push((Seat::Party(i), message)),
                }
            }
        }
        let mut floors: Vec<Vec<f64>> = vec![Vec::new(); n];
        for (s, k, o, x, b) in &c.actions {
            let seat = seats[*s as usize % seats.len()];
            if c.study.is_some() && k % 3 == 0 {
                // Answers to the questionnaire, whenever a seat sends them.
                let Seat::Party(i) = seat else { continue };
                let (round, given) = answers(&room, i, *o, *b);
                match room.check_answers(seat, round, &given) {
                    Ok(entry) => apply(&mut room, entry, &seats, &mut out),
                    Err(message) => out.push((seat, message)),
                }
                continue;
            }
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
            // No seat receives the admin-only settings; only participants the completion link;
            // a party sees only its own consent and answers, the mediator and observers none.
            prop_assert!(!text.contains(CONDITION) && !text.contains(NOTES), "{seat} received an admin-only setting: {text}");
            match seat {
                Seat::Party(j) => {
                    for i in (0..n).filter(|i| i != j) {
                        prop_assert!(!text.contains(&format!("\"seat\":\"party:{i}\"")), "{seat} received party {i}'s seat data: {text}");
                        prop_assert!(!text.contains(&format!("ANSWER-p{i}-")), "{seat} received party {i}'s answer: {text}");
                    }
                }
                _ => {
                    prop_assert!(!text.contains(COMPLETION), "{seat} received the completion link: {text}");
                    prop_assert!(!text.contains("ANSWER-p"), "{seat} received an answer: {text}");
                    prop_assert!(!text.contains("\"consented\"") && !text.contains("\"type\":\"consent\""), "{seat} received a consent: {text}");
                }
            }
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
