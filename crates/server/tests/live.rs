//! The server over real sockets: rooms of built-in agents under the four protocols agree
//! exactly where `backchannel negotiate` does, with an external client watching or playing a
//! seat; corrective errors; the admin token; export and replay.

mod common;

use bc_protocol::ProtocolKind;
use common::*;
use serde_json::{json, Value as Json};

fn spec(protocol: &str, parties: Json, mediator: Option<Json>, steps: u64) -> Json {
    let mut s =
        json!({"title": "test", "domain": itex(), "protocol": protocol, "parties": parties, "observers": 1, "steps": steps, "seed": 7});
    if let Some(m) = mediator {
        s["mediator"] = m;
    }
    s
}

fn kind(p: &str) -> ProtocolKind {
    match p {
        "sao" => ProtocolKind::Sao,
        "single-text" => ProtocolKind::SingleText,
        "relay" => ProtocolKind::Relay,
        _ => ProtocolKind::Confidential,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agents_agree_as_negotiate_does_under_every_protocol() {
    let addr = start(temp_db("agents")).await;
    let mut agreements = 0;
    for protocol in ["sao", "single-text", "relay", "confidential"] {
        let s = spec(protocol, json!([{"by": "agent", "name": "boulware"}, {"by": "agent", "name": "conceder"}]), None, 60);
        let created = create(addr, &s).await;
        // The observer joins after the agents have finished: it sees the whole public story.
        let (_obs, w) = Client::join(addr, &token_of(&created, "observer:0")).await;
        let reference = negotiate(kind(protocol), &["boulware", "conceder"], None, 60, 7);
        let ending = &w["ending"];
        assert_eq!(ending["ending"], reference.ending.name(), "{protocol}: {w}");
        assert_eq!(ending["step"], reference.step, "{protocol}");
        // The whole trace is the session runner's, event for event.
        let room: Room = fold_export(addr, created["room"].as_str().unwrap()).await;
        assert_eq!(room.ending(), Some(reference.ending.clone()), "{protocol}");
        let events: Vec<_> = room.events().iter().map(|l| l.event.clone()).collect();
        assert_eq!(events, reference.events, "{protocol}");
        agreements += usize::from(reference.ending.agreement().is_some());
    }
    assert!(agreements >= 2, "the comparison should cover agreements, found {agreements}");
}

use bc_server::Room;

async fn fold_export(addr: std::net::SocketAddr, room: &str) -> Room {
    let (status, body) = http(addr, "GET", &format!("/api/v1/rooms/{room}/events.jsonl"), ADMIN, "").await;
    assert_eq!(status, 200, "{body}");
    let path = std::env::temp_dir().join(format!("bc-export-{}-{room}.jsonl", std::process::id()));
    std::fs::write(&path, &body).unwrap();
    bc_server::replay(&path).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_external_pass_mediator_gives_the_agents_relay_agreement() {
    // Relay with the mediator seat played over the wire by a script that passes every offer:
    // the same as the built-in `pass` mediator.
    let addr = start(temp_db("relay-ext")).await;
    let s =
        spec("relay", json!([{"by": "agent", "name": "boulware"}, {"by": "agent", "name": "micro"}]), Some(json!({"by": "external"})), 80);
    let created = create(addr, &s).await;
    let (mut med, w) = Client::join(addr, &token_of(&created, "mediator")).await;
    let mut turn = w["turn"].clone();
    let mut moves = 0;
    loop {
        if turn.is_null() {
            match med.next_turn().await {
                Some(t) => turn = t,
                None => break,
            }
        }
        assert_eq!(turn["expected"], json!(["pass", "hold", "reframe", "end"]));
        assert!(turn["offer"].is_object(), "the mediator sees the offer it relays");
        let r = med.act(json!({"kind": "pass"})).await;
        assert_eq!(r["type"], "ack", "{r}");
        moves += 1;
        turn = Json::Null;
    }
    assert!(moves > 0);
    let reference = negotiate(ProtocolKind::Relay, &["boulware", "micro"], Some("pass"), 80, 7);
    let room = fold_export(addr, created["room"].as_str().unwrap()).await;
    assert_eq!(room.ending(), Some(reference.ending.clone()));
    assert_eq!(room.step(), reference.step);
}

/// Plays party 1 over the wire with a fixed script (offer its first outcome, accept anything,
/// vote and ratify yes, report a floor of 0) against a built-in agent and mediator; the talks
/// must end, and the client must see the end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scripted_external_party_completes_every_protocol() {
    let addr = start(temp_db("ext-party")).await;
    for protocol in ["sao", "single-text", "relay", "confidential"] {
        let s = spec(protocol, json!([{"by": "agent", "name": "conceder"}, {"by": "external"}]), None, 30);
        let created = create(addr, &s).await;
        let (mut c, w) = Client::join(addr, &token_of(&created, "party:1")).await;
        assert!(w["you"]["profile"].as_str().unwrap().contains("LinearAdditiveUtilitySpace"));
        let mut turn = w["turn"].clone();
        let mut ended = w["ending"].is_object();
        while !ended {
            if turn.is_null() {
                match c.next_turn().await {
                    Some(t) => turn = t,
                    None => {
                        ended = true;
                        continue;
                    }
                }
            }
            let expected: Vec<&str> = turn["expected"].as_array().unwrap().iter().map(|x| x.as_str().unwrap()).collect();
            let action = if expected.contains(&"accept") {
                json!({"kind": "accept"})
            } else if expected.contains(&"offer") {
                json!({"kind": "offer", "outcome": 0})
            } else if expected.contains(&"vote") {
                json!({"kind": "vote", "accept": true})
            } else if expected.contains(&"ratify") {
                json!({"kind": "ratify", "accept": true})
            } else {
                json!({"kind": "report", "floor": 0.0})
            };
            let r = c.act(action).await;
            assert_eq!(r["type"], "ack", "{protocol}: {r}");
            turn = Json::Null;
        }
        assert!(c.received.iter().any(|m| m["type"] == "event" && m["event"]["event"] == "end"), "{protocol}");
        let room = fold_export(addr, created["room"].as_str().unwrap()).await;
        assert!(room.ending().is_some(), "{protocol}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_gets_corrective_errors_and_changes_nothing() {
    let addr = start(temp_db("errors")).await;
    let s = spec("sao", json!([{"by": "external"}, {"by": "external"}]), None, 10);
    let created = create(addr, &s).await;
    let (mut p0, w) = Client::join(addr, &token_of(&created, "party:0")).await;
    assert_eq!(w["protocol_version"], 1);
    let (mut p1, _) = Client::join(addr, &token_of(&created, "party:1")).await;
    let (mut obs, _) = Client::join(addr, &token_of(&created, "observer:0")).await;
    let issues = &w["issues"];
    let first = issues[0]["name"].as_str().unwrap().to_string();
    let mut offer = serde_json::Map::new();
    for i in issues.as_array().unwrap() {
        offer.insert(i["name"].as_str().unwrap().into(), i["values"][0].clone());
    }
    let mut bad = offer.clone();
    bad.insert(first.clone(), json!("cap_5"));
    let r = p0.act(json!({"kind": "offer", "outcome": bad})).await;
    let m = r["message"].as_str().unwrap();
    assert!(m.contains(&format!("issue `{first}` has no value `cap_5`; expected one of")), "{m}");
    let r = p0.act(json!({"kind": "offer", "outcome": {"colour": "red"}})).await;
    assert!(r["message"].as_str().unwrap().contains("unknown issue `colour`"), "{r}");
    let r = p0.act(json!({"kind": "vote", "accept": true})).await;
    assert!(r["message"].as_str().unwrap().contains("expected one of offer, accept, end"), "{r}");
    let r = p1.act(json!({"kind": "offer", "outcome": 0})).await;
    assert!(r["message"].as_str().unwrap().contains("not your turn"), "{r}");
    let r = obs.act(json!({"kind": "end"})).await;
    assert!(r["message"].as_str().unwrap().contains("observer cannot act"), "{r}");
    let r = p0.act(json!({"kind": "offer", "outcome": 1_000_000})).await;
    assert!(r["message"].as_str().unwrap().contains("outside the space"), "{r}");
    // Not JSON, unknown message type: errors, the connection stays.
    p0.send(&json!({"type": "dance"})).await;
    assert_eq!(p0.recv().await["type"], "error");
    // A good offer by names goes through, reaches the other party and the observer.
    let r = p0.act(json!({"kind": "offer", "outcome": offer})).await;
    assert_eq!(r["type"], "ack", "{r}");
    assert_eq!(r["seq"], 1, "no refused action took a log position");
    let t = p1.next_turn().await.unwrap();
    assert_eq!(t["offer"], json!(offer));
    assert!(t["your_utility"].is_number());
    // A wrong token: refused.
    let (_c, e) = Client::join(addr, "not-a-token").await;
    assert_eq!(e["type"], "error");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn room_creation_needs_the_admin_token_and_a_valid_spec() {
    let addr = start(temp_db("admin")).await;
    let s = spec("sao", json!([{"by": "external"}, {"by": "external"}]), None, 10);
    let (status, _) = http(addr, "POST", "/api/v1/rooms", "wrong-token", &s.to_string()).await;
    assert_eq!(status, 401);
    let mut bad = s.clone();
    bad["parties"] = json!([{"by": "agent", "name": "bolware"}, {"by": "external"}]);
    let (status, body) = http(addr, "POST", "/api/v1/rooms", ADMIN, &bad.to_string()).await;
    assert_eq!(status, 400);
    assert!(body.contains("parties[0]") && body.contains("boulware"), "{body}");
    let mut bad = s.clone();
    bad["protocol"] = json!("auction");
    let (status, body) = http(addr, "POST", "/api/v1/rooms", ADMIN, &bad.to_string()).await;
    assert_eq!(status, 400);
    assert!(body.contains("protocol") && body.contains("single-text"), "{body}");
    let created = create(addr, &s).await;
    let room = created["room"].as_str().unwrap();
    // A seat's token does not export the full log.
    let t = token_of(&created, "party:0");
    let (status, _) = http(addr, "GET", &format!("/api/v1/rooms/{room}/events.jsonl"), &t, "").await;
    assert_eq!(status, 200);
    let (status, _) = http(addr, "GET", &format!("/api/v1/rooms/{room}/events.jsonl"), "nope", "").await;
    assert_eq!(status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn caucus_messages_reach_only_their_two_ends() {
    let addr = start(temp_db("caucus")).await;
    let s = spec("single-text", json!([{"by": "external"}, {"by": "external"}]), Some(json!({"by": "person"})), 10);
    let created = create(addr, &s).await;
    let (mut med, _) = Client::join(addr, &token_of(&created, "mediator")).await;
    let (mut p0, _) = Client::join(addr, &token_of(&created, "party:0")).await;
    let (mut p1, _) = Client::join(addr, &token_of(&created, "party:1")).await;
    med.send(
        &json!({"type": "say", "id": "m", "to": "party:0", "kind": "exploratory", "text": "<b>would</b> you consider this?", "outcome": 3}),
    )
    .await;
    let m = p0.recv().await;
    assert_eq!(m["type"], "message");
    assert_eq!(m["text"], "<b>would</b> you consider this?");
    assert!(m["outcome"].is_object());
    p1.send(&json!({"type": "say", "id": "n", "to": "party:0", "kind": "note", "text": "hi"})).await;
    let e = p1.recv().await;
    assert_eq!(e["type"], "error");
    assert!(e["message"].as_str().unwrap().contains("between the mediator and one party"), "{e}");
    // Party 1 never got the caucus message: its only messages are its own error.
    assert!(p1.received.iter().all(|m| m["type"] != "message"));
    med.send(&json!({"type": "tools"})).await;
    loop {
        let t = med.recv().await;
        if t["type"] == "tools" {
            assert!(t["tools"]["nash"].is_object(), "{t}");
            break;
        }
    }
}

/// The Python client (standard library only) plays a party seat to the end of the talks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_python_example_agent_plays_a_seat() {
    if std::process::Command::new("python3").arg("--version").output().is_err() {
        assert!(std::env::var_os("CI").is_none(), "python3 is needed under CI");
        eprintln!("skipped: no python3");
        return;
    }
    let addr = start(temp_db("python")).await;
    for protocol in ["sao", "single-text", "relay", "confidential"] {
        let s = spec(protocol, json!([{"by": "agent", "name": "conceder"}, {"by": "external"}]), None, 30);
        let created = create(addr, &s).await;
        let token = token_of(&created, "party:1");
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../clients/python");
        let out = tokio::process::Command::new("python3")
            .arg(dir.join("example_agent.py"))
            .arg(addr.to_string())
            .arg(&token)
            .output()
            .await
            .unwrap();
        assert!(out.status.success(), "{protocol}: {}", String::from_utf8_lossy(&out.stderr));
        let end: Json = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(end["event"], "end", "{protocol}: {end}");
        let room = fold_export(addr, created["room"].as_str().unwrap()).await;
        assert!(room.ending().is_some());
    }
}

/// A wall-clock deadline ends the room as a timeout, seen live by a connected seat.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wall_clock_deadline_ends_the_room() {
    let addr = start(temp_db("deadline")).await;
    let mut s = spec("sao", json!([{"by": "external"}, {"by": "external"}]), None, 1000);
    s["deadline_secs"] = json!(1);
    let created = create(addr, &s).await;
    let (mut p0, w) = Client::join(addr, &token_of(&created, "party:0")).await;
    assert!(w["ending"].is_null());
    assert_eq!(p0.act(json!({"kind": "offer", "outcome": 3})).await["type"], "ack");
    // The end arrives without anyone acting.
    loop {
        let m = p0.recv().await;
        if m["type"] == "event" && m["event"]["event"] == "end" {
            assert_eq!(m["event"]["ending"], "timeout");
            break;
        }
    }
    let r = p0.act(json!({"kind": "end"})).await;
    assert!(r["message"].as_str().unwrap().contains("ended"), "{r}");
}

/// A room on one step of the embedded scenario: only that step's issues are negotiated, and a
/// wrong value is refused with the values the issue has.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scenario_step_is_a_domain() {
    let addr = start(temp_db("step")).await;
    let s = json!({"title": "core trade", "domain": {"format": "scenario", "step": 3}, "protocol": "sao", "steps": 10,
                   "parties": [{"by": "external"}, {"by": "agent", "name": "boulware"}]});
    let created = create(addr, &s).await;
    let (mut p0, w) = Client::join(addr, &token_of(&created, "party:0")).await;
    let names: Vec<&str> = w["issues"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"enrichment") && !names.contains(&"prisoner_exchange"), "{names:?}");
    let mut offer = serde_json::Map::new();
    for i in w["issues"].as_array().unwrap() {
        offer.insert(i["name"].as_str().unwrap().into(), i["values"][0].clone());
    }
    offer.insert("enrichment".into(), json!("cap_5"));
    let r = p0.act(json!({"kind": "offer", "outcome": offer})).await;
    assert!(r["message"].as_str().unwrap().contains("issue `enrichment` has no value `cap_5`; expected one of"), "{r}");
    let mut bad = s.clone();
    bad["domain"]["step"] = json!(99);
    let (status, body) = http(addr, "POST", "/api/v1/rooms", ADMIN, &bad.to_string()).await;
    assert_eq!(status, 400);
    assert!(body.contains("step: the scenario has"), "{body}");
}

/// A flood of messages meets the rate limit, and an oversized message closes the connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn floods_and_oversized_messages_are_refused() {
    let addr = start(temp_db("limits")).await;
    let s = spec("sao", json!([{"by": "external"}, {"by": "external"}]), None, 10);
    let created = create(addr, &s).await;
    let (mut p0, _) = Client::join(addr, &token_of(&created, "party:0")).await;
    let n = bc_server::server::RATE_BURST as usize + 100;
    for _ in 0..n {
        p0.send(&json!({"type": "tools"})).await;
    }
    let mut limited = 0;
    for _ in 0..n {
        let m = p0.recv().await;
        assert_eq!(m["type"], "error");
        limited += usize::from(m["message"].as_str().unwrap().contains("rate limit"));
    }
    assert!(limited >= 50, "{limited} of {n} refused by the rate limit");
    let (ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/api/v1/ws")).await.unwrap();
    let mut ws = ws;
    use futures_util::{SinkExt, StreamExt};
    let big = "x".repeat(bc_server::server::MAX_WS_MESSAGE_BYTES + 10);
    let _ = ws.send(tokio_tungstenite::tungstenite::Message::Text(big.into())).await;
    let next = tokio::time::timeout(std::time::Duration::from_secs(10), ws.next()).await.unwrap();
    assert!(!matches!(next, Some(Ok(tokio_tungstenite::tungstenite::Message::Text(ref t))) if t.contains("welcome")), "{next:?}");
}
