//! The chair's controls and the parties' own preferences, over real sockets: pausing stops every
//! move (with the reason) and the deadline clock, resuming continues, closing ends the room
//! without agreement, only the mediator seat or the admin may do any of it, and the state is in
//! the log (a fold of the export, and a second server on the same database, see it). Parties
//! of a room with `editable_preferences` set their own points before the start: refused with the
//! reason when wrong, locked once the talks start, seen by the mediator and never by the other
//! party or an observer.

mod common;

use std::time::{Duration, Instant};

use bc_server::room::Chair;
use common::*;
use serde_json::{json, Value as Json};

async fn fold_export(addr: std::net::SocketAddr, room: &str) -> bc_server::Room {
    let (status, body) = http(addr, "GET", &format!("/api/v1/rooms/{room}/events.jsonl"), ADMIN, "").await;
    assert_eq!(status, 200, "{body}");
    let path = std::env::temp_dir().join(format!("bc-control-{}-{room}.jsonl", std::process::id()));
    std::fs::write(&path, &body).unwrap();
    let r = bc_server::replay(&path).unwrap();
    let _ = std::fs::remove_file(path);
    r
}

/// Sends a message with id `c` and returns its `ack` or `error` (other messages are kept in
/// `received`).
async fn ask(c: &mut Client, mut m: Json) -> Json {
    m["id"] = json!("c");
    c.send(&m).await;
    loop {
        let r = c.recv().await;
        if (r["type"] == "ack" || r["type"] == "error") && r["id"] == "c" {
            return r;
        }
    }
}

async fn control_http(addr: std::net::SocketAddr, room: &str, token: &str, control: &str) -> (u16, String) {
    http(addr, "POST", &format!("/api/v1/rooms/{room}/control"), token, &json!({"control": control}).to_string()).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mediator_pauses_resumes_and_closes_and_the_log_keeps_it() {
    let db = temp_db("control");
    let addr = start(db.clone()).await;
    let spec = json!({"title": "t", "domain": itex(), "protocol": "relay", "steps": 20,
        "parties": [{"by": "external"}, {"by": "agent", "name": "conceder"}], "mediator": {"by": "external"}, "observers": 1});
    let created = create(addr, &spec).await;
    let room = created["room"].as_str().unwrap().to_string();
    let (mut med, _) = Client::join(addr, &token_of(&created, "mediator")).await;
    let (mut p0, _) = Client::join(addr, &token_of(&created, "party:0")).await;

    // Only the chair: a party may not pause, over the socket or over HTTP; nor may a stranger.
    let r = ask(&mut p0, json!({"type": "control", "control": "pause"})).await;
    assert!(r["message"].as_str().unwrap().contains("only the mediator"), "{r}");
    assert_eq!(control_http(addr, &room, &token_of(&created, "party:0"), "pause").await.0, 403);
    assert_eq!(control_http(addr, &room, "not-a-token", "pause").await.0, 401);
    assert_eq!(control_http(addr, &room, ADMIN, "resume").await.0, 409, "resuming a room that is not paused");

    // The mediator pauses: every seat hears it, and no move is taken meanwhile.
    assert_eq!(ask(&mut med, json!({"type": "control", "control": "pause"})).await["type"], "ack");
    let heard = loop {
        let m = p0.recv().await;
        if m["type"] == "control" {
            break m;
        }
    };
    assert_eq!((heard["control"].as_str(), heard["by"].as_str()), (Some("pause"), Some("mediator")));
    let r = p0.act(json!({"kind": "offer", "outcome": 3})).await;
    assert_eq!(r["type"], "error");
    assert!(r["message"].as_str().unwrap().contains("paused by the mediator"), "{r}");
    let r = ask(&mut med, json!({"type": "control", "control": "pause"})).await;
    assert!(r["message"].as_str().unwrap().contains("already paused"), "{r}");
    // A seat joining now is told; the fold of the log is paused; so is a second server.
    let (_, w) = Client::join(addr, &token_of(&created, "observer:0")).await;
    assert_eq!(w["paused"], "mediator", "{w}");
    assert_eq!(fold_export(addr, &room).await.paused_by(), Some(Chair::Mediator));
    let addr2 = start(db).await;
    let (mut p0b, w) = Client::join(addr2, &token_of(&created, "party:0")).await;
    assert_eq!(w["paused"], "mediator");
    assert!(p0b.act(json!({"kind": "offer", "outcome": 3})).await["message"].as_str().unwrap().contains("paused"));
    drop(p0b);

    // Resumed, the talks go on: the offer is taken and the relay mediator has it in front of it.
    assert_eq!(ask(&mut med, json!({"type": "control", "control": "resume"})).await["type"], "ack");
    assert_eq!(p0.act(json!({"kind": "offer", "outcome": 3})).await["type"], "ack");
    assert_eq!(med.next_turn().await.unwrap()["expected"], json!(["pass", "hold", "reframe", "end"]));
    assert_eq!(ask(&mut med, json!({"type": "act", "action": {"kind": "pass"}})).await["type"], "ack");

    // Closing ends the room without agreement, for everyone.
    assert_eq!(ask(&mut med, json!({"type": "control", "control": "close"})).await["type"], "ack");
    let end = loop {
        let m = p0.recv().await;
        if m["type"] == "event" && m["event"]["event"] == "end" {
            break m;
        }
    };
    assert_eq!((end["event"]["ending"].as_str(), end["event"]["by"].as_str()), (Some("ended"), Some("mediator")), "{end}");
    assert!(p0.act(json!({"kind": "end"})).await["message"].as_str().unwrap().contains("ended"));
    let r = ask(&mut med, json!({"type": "control", "control": "resume"})).await;
    assert!(r["message"].as_str().unwrap().contains("ended"), "{r}");
    let folded = fold_export(addr, &room).await;
    assert_eq!(folded.closed_by(), Some(Chair::Mediator));
    assert_eq!(bc_server::summary(&folded).ending.as_deref(), Some("ended"));
    // The report's timeline (and so `room export`'s records) has the pause, resume and close.
    let report = bc_server::report::RoomReport::of(&folded, bc_server::report::View::Admin);
    let kinds: Vec<String> = report.rows().iter().map(|r| format!("{:?}", r[2])).collect();
    for k in ["pause", "resume", "close"] {
        assert!(kinds.iter().any(|x| x.contains(&format!("\"{k}\""))), "{k} missing from {kinds:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_chairs_a_room_without_mediator_and_the_deadline_stops_while_paused() {
    let addr = start(temp_db("control-admin")).await;
    let spec = json!({"title": "t", "domain": itex(), "protocol": "sao", "steps": 1000, "deadline_secs": 2,
        "parties": [{"by": "external"}, {"by": "external"}]});
    let created = create(addr, &spec).await;
    let room = created["room"].as_str().unwrap().to_string();
    let (mut p0, _) = Client::join(addr, &token_of(&created, "party:0")).await;
    let t0 = Instant::now();
    let (status, body) = control_http(addr, &room, ADMIN, "pause").await;
    assert_eq!(status, 200, "{body}");
    // Paused past the deadline: nothing ends, and moves are refused with the admin named.
    tokio::time::sleep(Duration::from_millis(3000)).await;
    let r = p0.act(json!({"kind": "offer", "outcome": 3})).await;
    assert!(r["message"].as_str().unwrap().contains("paused by the admin"), "{r}");
    assert!(fold_export(addr, &room).await.ending().is_none(), "the deadline passed while paused");
    assert_eq!(control_http(addr, &room, ADMIN, "resume").await.0, 200);
    let resumed = t0.elapsed();
    assert_eq!(p0.act(json!({"kind": "offer", "outcome": 3})).await["type"], "ack");
    // The deadline now falls about 2 s of running time after creation, plus the pause.
    loop {
        let m = p0.recv().await;
        if m["type"] == "event" && m["event"]["event"] == "end" {
            assert_eq!(m["event"]["ending"], "timeout");
            break;
        }
    }
    assert!(t0.elapsed() > resumed, "the end came before the resume");
    assert!(t0.elapsed() >= Duration::from_millis(4500), "the time paused was not added: ended after {:?}", t0.elapsed());
    // The admin closes a finished room no more; a fresh room it closes, named in the end.
    assert_eq!(control_http(addr, &room, ADMIN, "close").await.0, 409);
    let created = create(
        addr,
        &json!({"title": "t", "domain": itex(), "protocol": "sao", "steps": 10,
        "parties": [{"by": "external"}, {"by": "external"}]}),
    )
    .await;
    let (mut p1, _) = Client::join(addr, &token_of(&created, "party:1")).await;
    assert_eq!(control_http(addr, created["room"].as_str().unwrap(), ADMIN, "close").await.0, 200);
    loop {
        let m = p1.recv().await;
        if m["type"] == "event" && m["event"]["event"] == "end" {
            assert_eq!(m["event"]["by"], "admin", "{m}");
            break;
        }
    }
}

/// Weights and ratings for ItexvsCypress (4 issues).
fn points(issues: &Json, weights: [f64; 4]) -> Json {
    let ratings: Vec<Vec<f64>> = issues
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let n = i["values"].as_array().unwrap().len();
            (0..n).map(|k| if k == 0 { 100.0 } else { (k as f64 * 13.371717).rem_euclid(99.0) }).collect()
        })
        .collect();
    json!({"type": "preferences", "weights": weights, "ratings": ratings})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parties_set_their_own_preferences_before_the_start() {
    let addr = start(temp_db("prefs")).await;
    // Not in a room without the setting.
    let plain = create(
        addr,
        &json!({"title": "t", "domain": itex(), "protocol": "sao", "steps": 10,
        "parties": [{"by": "external"}, {"by": "external"}]}),
    )
    .await;
    let (mut x, w) = Client::join(addr, &token_of(&plain, "party:0")).await;
    let r = ask(&mut x, points(&w["issues"], [25.0; 4])).await;
    assert!(r["message"].as_str().unwrap().contains("does not let parties set"), "{r}");

    let spec = json!({"title": "t", "domain": itex(), "protocol": "relay", "steps": 20, "editable_preferences": true,
        "parties": [{"by": "external"}, {"by": "external"}], "mediator": {"by": "external"}, "observers": 1});
    let created = create(addr, &spec).await;
    let room = created["room"].as_str().unwrap().to_string();
    let (mut med, _) = Client::join(addr, &token_of(&created, "mediator")).await;
    let (mut p0, w0) = Client::join(addr, &token_of(&created, "party:0")).await;
    let (mut p1, _) = Client::join(addr, &token_of(&created, "party:1")).await;
    let (mut obs, _) = Client::join(addr, &token_of(&created, "observer:0")).await;
    assert_eq!(w0["editable_preferences"], true);
    assert_eq!(w0["waiting_for"], json!(["party:0", "party:1"]));
    assert!(w0["turn"].is_null(), "a turn before the start: {}", w0["turn"]);
    let issues = w0["issues"].clone();
    // Nothing is played before the start.
    let r = p0.act(json!({"kind": "offer", "outcome": 3})).await;
    assert!(r["message"].as_str().unwrap().contains("waiting for party:0, party:1"), "{r}");
    // Wrong points are refused with the reason.
    let r = ask(&mut p0, points(&issues, [40.0, 30.0, 20.0, 5.0])).await;
    assert!(r["message"].as_str().unwrap().contains("sum to 100, found 95"), "{r}");
    let mut bad = points(&issues, [25.0; 4]);
    bad["ratings"][1][0] = json!(90.0);
    let r = ask(&mut p0, bad).await;
    assert!(r["message"].as_str().unwrap().contains("the best value is rated 100, found best 90"), "{r}");
    let r = ask(&mut med, points(&issues, [25.0; 4])).await;
    assert!(r["message"].as_str().unwrap().contains("only a party"), "{r}");

    // Party 0 saves, then changes its mind (allowed until the start): the mediator sees both.
    assert_eq!(ask(&mut p0, points(&issues, [12.345678, 37.654322, 20.0, 30.0])).await["type"], "ack");
    let first_seen = loop {
        let m = med.recv().await;
        if m["type"] == "preferences" {
            break m;
        }
    };
    assert_eq!(first_seen["party"], 0);
    assert!(first_seen["you"].is_null(), "the mediator got a party's `you`");
    let secret = [61.234567, 8.765433, 10.0, 20.0];
    assert_eq!(ask(&mut p0, points(&issues, secret)).await["type"], "ack");
    let mine = p0.received.iter().rev().find(|m| m["type"] == "preferences").unwrap().clone();
    assert_eq!(mine["weights"], json!(secret));
    let terms = &mine["you"]["additive"]["terms"];
    assert!((terms[0][0].as_f64().unwrap() - 0.61234567).abs() < 1e-12, "{terms}");
    assert_eq!(mine["waiting_for"], json!(["party:1"]));

    // Party 1 saves: the talks start, party 0 (first to move) is told its turn.
    assert_eq!(ask(&mut p1, points(&issues, [25.0; 4])).await["type"], "ack");
    assert!(p0.next_turn().await.is_some());
    let r = ask(&mut p0, points(&issues, [25.0; 4])).await;
    assert!(r["message"].as_str().unwrap().contains("locked"), "{r}");
    assert_eq!(p0.act(json!({"kind": "offer", "outcome": 3})).await["type"], "ack");

    // The room negotiates on the saved points; the mediator's tools are built on them.
    let folded = fold_export(addr, &room).await;
    let u = folded.preferences(0).unwrap().utility.eval_index(&folded.domain.space, 0);
    let want = secret.iter().sum::<f64>() / 100.0; // outcome 0: every issue's first value, rated 100
    assert!((u - want).abs() < 1e-12, "{u} vs {want}");
    assert!(folded.points(0).is_some() && folded.started());
    let report = bc_server::report::RoomReport::of(&folded, bc_server::report::View::Admin);
    let rows = format!("{:?}", report.rows());
    assert!(rows.contains("weights 61.234567 8.765433 10 20"), "{rows}");

    // Party 1 and the observer never received party 0's points; the mediator did.
    // (A refused message each, so that everything sent before it has arrived.)
    assert_eq!(ask(&mut p1, points(&issues, [25.0; 4])).await["type"], "error");
    assert_eq!(ask(&mut obs, json!({"type": "act", "action": {"kind": "end"}})).await["type"], "error");
    let (_, w1) = Client::join(addr, &token_of(&created, "party:1")).await;
    let seen1 = format!("{}{}", p1.received.iter().map(Json::to_string).collect::<String>(), w1);
    let seen_obs = obs.received.iter().map(Json::to_string).collect::<String>();
    for s in ["61.234567", "8.765433", "12.345678", "0.61234567"] {
        assert!(!seen1.contains(s), "party 1 received party 0's {s}");
        assert!(!seen_obs.contains(s), "the observer received party 0's {s}");
    }
    let (_, wm) = Client::join(addr, &token_of(&created, "mediator")).await;
    assert!(wm.to_string().contains("61.234567"), "the mediator's welcome lacks party 0's points");
    let (status, export1) = http(addr, "GET", &format!("/api/v1/rooms/{room}/events.jsonl"), &token_of(&created, "party:1"), "").await;
    assert_eq!(status, 200);
    assert!(!export1.contains("61.234567") && export1.contains("\"preferences\""), "{export1}");
}
