//! The ANAC ports against GENIUS 10.4 itself: sessions of AgentK, HardHeaded and PonPokoAgent
//! (drawing from `java.util.Random` seeded as in the recorded runs, `java_seed=S`) against a
//! deterministic opponent, and against each other, replay GENIUS's sessions step by step: every
//! offer, every accept, the agreement, GENIUS's round-based time, and each agent's state after
//! each of its actions (targets, thresholds) to the last bit.
//!
//! Reference: `tests/data/genius-java/anac_traces.json`, recorded by running GENIUS's
//! `SessionManager` with `StackedAlternatingOffersProtocol` and a ROUND deadline (see
//! `tests/data/README.md`). The opponent is re-implemented here from its definition in the file:
//! in round `r` of `N` (`t = r / (N + 1)`) it accepts the last offer iff its utility is at least
//! `1 - slope * t`, else offers the bid at position `floor((M - 1) * t * t)` of all `M` bids
//! sorted by its utility, best first (stable over GENIUS's `BidIterator` order, first issue
//! fastest).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use bc_formats::Semantics;
use bc_model::OutcomeSpace;
use bc_protocol::{Event, Mechanism, OutcomeId, Sao, Setup, Source};
use bc_strategy::anac::{AgentK, HardHeaded2011, PonPoko};
use bc_strategy::{run_sao, Budget, Context, Negotiator, Response, Side};
use serde_json::Value as Json;

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data")
}

fn hex(v: &Json) -> f64 {
    f64::from_bits(u64::from_str_radix(v.as_str().unwrap(), 16).unwrap())
}

/// The scripted opponent of the recorded sessions.
struct Scripted {
    side: Arc<Side>,
    sorted: Vec<OutcomeId>,
    slope: f64,
}

impl Scripted {
    fn new(side: Arc<Side>, slope: f64) -> Scripted {
        let space = side.space().clone();
        let radices: Vec<u64> = space.radices().iter().map(|r| r.unwrap()).collect();
        // BidIterator order: the first issue fastest. Outcome ids have the last issue fastest.
        let n = side.n_outcomes();
        let mut strides = vec![1u64; radices.len()];
        for i in (0..radices.len() - 1).rev() {
            strides[i] = strides[i + 1] * radices[i + 1];
        }
        let mut sorted: Vec<OutcomeId> = (0..n)
            .map(|mut k| {
                let mut id = 0;
                for (r, s) in radices.iter().zip(&strides) {
                    id += (k % r) * s;
                    k /= r;
                }
                id
            })
            .collect();
        sorted.sort_by(|a, b| side.utility(*b).total_cmp(&side.utility(*a)));
        Scripted { side, sorted, slope }
    }
}

impl Negotiator for Scripted {
    fn name(&self) -> &str {
        "scripted"
    }

    fn side(&self) -> &Side {
        &self.side
    }

    fn propose(&mut self, ctx: &Context) -> Option<OutcomeId> {
        let t = ctx.relative_time;
        let k = ((self.sorted.len() - 1) as f64 * t * t).floor() as usize;
        Some(self.sorted[k])
    }

    fn respond(&mut self, ctx: &Context, offer: OutcomeId, _from: Source) -> Response {
        if self.side.utility(offer) >= 1.0 - self.slope * ctx.relative_time {
            Response::Accept
        } else {
            Response::Reject
        }
    }

    fn observes(&self) -> bool {
        false
    }
}

enum Port {
    K(AgentK),
    H(HardHeaded2011),
    P(PonPoko),
}

/// A port that records its state after each of its actions (the Java's `chooseAction`: an
/// accept, or a rejection with the counter-offer that follows it).
struct Recorder {
    port: Port,
    /// The state before the action (HardHeaded's `get_p()` is taken before it).
    before: f64,
    notes: Notes,
}

impl Recorder {
    fn inner(&mut self) -> &mut dyn Negotiator {
        match &mut self.port {
            Port::K(a) => a,
            Port::H(a) => a,
            Port::P(a) => a,
        }
    }

    fn record(&mut self) {
        let note = match &self.port {
            Port::K(a) => {
                let (t, b) = a.targets();
                [t, b]
            }
            Port::H(a) => [self.before, a.lowest_offered()],
            Port::P(a) => {
                let (h, l) = a.last_thresholds();
                [h, l]
            }
        };
        self.notes.lock().unwrap().push(note);
    }

    fn note_before(&mut self, t: f64) {
        if let Port::H(a) = &self.port {
            self.before = a.threshold(t);
        }
    }
}

impl Negotiator for Recorder {
    fn name(&self) -> &str {
        "recorder"
    }

    fn side(&self) -> &Side {
        match &self.port {
            Port::K(a) => a.side(),
            Port::H(a) => a.side(),
            Port::P(a) => a.side(),
        }
    }

    fn propose(&mut self, ctx: &Context) -> Option<OutcomeId> {
        if ctx.step == 0 && ctx.me == 0 {
            self.note_before(ctx.relative_time);
        }
        let o = self.inner().propose(ctx);
        self.record();
        o
    }

    fn respond(&mut self, ctx: &Context, offer: OutcomeId, from: Source) -> Response {
        self.note_before(ctx.relative_time);
        let r = self.inner().respond(ctx, offer, from);
        if r == Response::Accept {
            self.record();
        }
        r
    }

    fn observe(&mut self, ctx: &Context, from: Source, offer: OutcomeId) {
        self.inner().observe(ctx, from, offer);
    }

    fn observes(&self) -> bool {
        true
    }
}

fn bid(space: &OutcomeSpace, o: OutcomeId) -> Vec<u64> {
    space
        .outcome_at(o)
        .iter()
        .map(|v| match v {
            bc_model::Value::Index(k) => u64::from(*k),
            other => panic!("not discrete: {other:?}"),
        })
        .collect()
}

fn port(agent: &str, side: Arc<Side>, seed: i64) -> Port {
    match agent {
        "agentk" => Port::K(AgentK::with_java_seed(side, seed).unwrap()),
        "hardheaded2011" => Port::H(HardHeaded2011::with_java_seed(side, seed).unwrap()),
        "ponpoko" => Port::P(PonPoko::with_java_seed(side, seed).unwrap()),
        other => panic!("unknown agent {other}"),
    }
}

type Notes = Arc<Mutex<Vec<[f64; 2]>>>;

fn check_session(s: &Json) -> Result<(), String> {
    let agent = s["agent"].as_str().unwrap();
    let opponent_name = s["opponent"].as_str().unwrap();
    let rounds = s["rounds"].as_u64().unwrap();
    let seed = s["seed"].as_i64().unwrap();
    let agent_first = s["agent_first"].as_bool().unwrap();
    let paths: Vec<PathBuf> =
        ["domain", "agent_profile", "opponent_profile"].iter().map(|k| data().join(s[*k].as_str().unwrap())).collect();
    let sc = bc_formats::load(&paths, Semantics::Genius).unwrap();
    let space = Arc::new(sc.space);
    let mine = Arc::new(Side::new(space.clone(), sc.parties[0].clone()).unwrap());
    let theirs = Arc::new(Side::new(space.clone(), sc.parties[1].clone()).unwrap());
    let agent_port = port(agent, mine, seed);
    if let (Port::P(p), Some(pattern)) = (&agent_port, s.get("pattern")) {
        if f64::from(p.pattern()) != hex(pattern) {
            return Err(format!("pattern {} != GENIUS's {}", p.pattern(), hex(pattern)));
        }
    }
    // Each ANAC party's states, in the order of its actions ("a": the agent, "o": the opponent).
    let notes: [(&str, Notes); 2] = [("a", Arc::default()), ("o", Arc::default())];
    let recorder: Box<dyn Negotiator> = Box::new(Recorder { port: agent_port, before: 0.0, notes: notes[0].1.clone() });
    let opponent: Box<dyn Negotiator> = if opponent_name == "scripted" {
        Box::new(Scripted::new(theirs, s["slope"].as_f64().unwrap()))
    } else {
        Box::new(Recorder { port: port(opponent_name, theirs, seed), before: 0.0, notes: notes[1].1.clone() })
    };
    let (agent_seat, mut parties) = if agent_first { (0, vec![recorder, opponent]) } else { (1, vec![opponent, recorder]) };
    let mut m = Sao::new(Setup::new(2, space.cardinality().unwrap() as u64, rounds)).unwrap();
    run_sao(&mut m, &mut parties, &Budget::default()).unwrap();

    // Our events as GENIUS's: (round, who, bid or None for an accept).
    let ours: Vec<(u64, &str, Option<Vec<u64>>)> = m
        .events()
        .iter()
        .filter_map(|e| match e {
            Event::Offer { step, party, outcome } => {
                Some((step + 1, if *party == agent_seat { "a" } else { "o" }, Some(bid(&space, *outcome))))
            }
            Event::Accept { step, party, .. } => Some((step + 1, if *party == agent_seat { "a" } else { "o" }, None)),
            _ => None,
        })
        .collect();
    let theirs_events = s["events"].as_array().unwrap();
    let notes: Vec<(&str, Vec<[f64; 2]>)> = notes.iter().map(|(w, n)| (*w, n.lock().unwrap().clone())).collect();
    let mut note_k = [0usize; 2];
    for (k, e) in theirs_events.iter().enumerate() {
        let e = e.as_array().unwrap();
        let round = e[0].as_u64().unwrap();
        let who = e[1].as_str().unwrap();
        let want: Option<Vec<u64>> = e[2].as_array().map(|b| b.iter().map(|x| x.as_u64().unwrap()).collect());
        let Some(got) = ours.get(k) else {
            return Err(format!("event {k} (round {round}): GENIUS has {who} {want:?}, the port's session has ended"));
        };
        if (got.0, got.1, &got.2) != (round, who, &want) {
            return Err(format!("event {k}: GENIUS has round {round} {who} {want:?}, the port {got:?}"));
        }
        if let Some(want_notes) = e.get(3) {
            let want_notes: Vec<f64> = want_notes.as_array().unwrap().iter().map(hex).collect();
            let w = usize::from(who == "o");
            let got_notes = notes[w].1.get(note_k[w]).ok_or_else(|| format!("event {k}: no state recorded for {who}"))?;
            if got_notes[..].iter().map(|x| x.to_bits()).ne(want_notes.iter().map(|x| x.to_bits())) {
                return Err(format!("event {k} (round {round}, {who}): state {got_notes:?}, GENIUS {want_notes:?}"));
            }
            note_k[w] += 1;
        }
    }
    if ours.len() != theirs_events.len() {
        return Err(format!("the port's session has {} events, GENIUS's {}", ours.len(), theirs_events.len()));
    }
    // GENIUS's round-based time is our relative time.
    for (r, t) in s["times"].as_array().unwrap().iter().enumerate() {
        let ours = bc_protocol::relative_time(r as u64, rounds);
        if ours.to_bits() != hex(t).to_bits() {
            return Err(format!("round {}: time {ours} != GENIUS's {}", r + 1, hex(t)));
        }
    }
    let agreement = m.ending().and_then(|e| e.agreement()).map(|o| bid(&space, o));
    let want: Option<Vec<u64>> = s["agreement"].as_array().map(|b| b.iter().map(|x| x.as_u64().unwrap()).collect());
    if agreement != want {
        return Err(format!("agreement {agreement:?} != GENIUS's {want:?}"));
    }
    Ok(())
}

#[test]
fn anac_ports_replay_genius_sessions() {
    let doc: Json = serde_json::from_str(&std::fs::read_to_string(data().join("genius-java/anac_traces.json")).unwrap()).unwrap();
    let sessions = doc["sessions"].as_array().unwrap();
    assert!(sessions.len() >= 37, "expected the recorded sessions, found {}", sessions.len());
    let mut failures = Vec::new();
    for s in sessions {
        let id = format!(
            "{} vs {} on {} ({} first, {} rounds, seed {})",
            s["agent"],
            s["opponent"],
            s["domain"],
            if s["agent_first"].as_bool().unwrap() { "agent" } else { "opponent" },
            s["rounds"],
            s["seed"]
        );
        if let Err(e) = check_session(s) {
            failures.push(format!("{id}: {e}"));
        }
    }
    assert!(failures.is_empty(), "{} of {} sessions differ from GENIUS:\n{}", failures.len(), sessions.len(), failures.join("\n"));
}
