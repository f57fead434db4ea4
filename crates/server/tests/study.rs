//! Study mode over real sockets: the consent gates every move (a participant sees nothing of
//! the room before it agrees; declining is logged and calls the session off), answers are
//! checked with the reason, a round starts only once every participant has answered the last
//! one's questionnaire, each round is a fresh negotiation whose agents draw from their own
//! logged seed (and play exactly as `backchannel negotiate` with it), a second server on the
//! same database (a restart) carries on from the log, the admin-only settings and the completion
//! link (before the end) never reach a seat, and the admin's exports (`study.json`, the run
//! directory's CSV files, the report's Study section) hold everything.

mod common;

use bc_protocol::ProtocolKind;
use common::*;
use serde_json::{json, Value as Json};

const CONDITION: &str = "COND-zq81-high-anchor";
const NOTES: &str = "NOTE-kx52 pilot, do not show";
const CODE: &str = "CODE-77wq";

fn study_toml(practice: u32, rounds: u32) -> String {
    format!(
        r#"consent = "Do you agree to take part?"
practice_rounds = {practice}
rounds = {rounds}

[completion]
url = "https://example.org/done?cc={CODE}"
code = "{CODE}"

[admin]
condition = "{CONDITION}"
notes = "{NOTES}"

[[questions]]
id = "fair"
text = "How fair was it?"
kind = "scale"

[[questions]]
id = "style"
text = "Your style?"
kind = "choice"
options = ["soft", "hard"]

[[questions]]
id = "why"
text = "Why?"
kind = "text"
max_chars = 40
required = false
"#
    )
}

fn spec(parties: Json, practice: u32, rounds: u32) -> Json {
    json!({"title": "study", "domain": itex(), "protocol": "sao", "parties": parties, "observers": 1, "steps": 6, "seed": 5,
           "study": {"toml": study_toml(practice, rounds), "name": "lab.toml"}})
}

/// Sends `m` and returns its `ack` or `error` (other messages are kept).
async fn ask(c: &mut Client, m: Json) -> Json {
    c.ask(m).await
}

/// Waits for a `study` message (or a `welcome`) whose phase is `phase`; returns its view.
async fn phase(c: &mut Client, phase: &str) -> Json {
    loop {
        let m = c.recv().await;
        let view = match m["type"].as_str() {
            Some("study") | Some("welcome") => m["study"].clone(),
            _ => continue,
        };
        if view["phase"] == phase {
            return view;
        }
    }
}

fn answers(round: u64, fair: i64, why: &str) -> Json {
    json!({"type": "answers", "round": round, "answers": {"fair": fair, "style": "soft", "why": why}})
}

async fn admin_log(addr: std::net::SocketAddr, room: &str) -> String {
    let (status, body) = http(addr, "GET", &format!("/api/v1/rooms/{room}/events.jsonl"), ADMIN, "").await;
    assert_eq!(status, 200, "{body}");
    body
}

fn fold(log: &str, name: &str) -> bc_server::Room {
    let path = std::env::temp_dir().join(format!("bc-study-{}-{name}.jsonl", std::process::id()));
    std::fs::write(&path, log).unwrap();
    let r = bc_server::replay(&path).unwrap();
    let _ = std::fs::remove_file(path);
    r
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_consent_comes_first_and_declining_calls_the_session_off() {
    let addr = start(temp_db("study-consent")).await;
    let created = create(addr, &spec(json!([{"by": "external"}, {"by": "external"}]), 1, 2)).await;
    let room = created["room"].as_str().unwrap().to_string();
    let (mut p0, w0) = Client::join(addr, &token_of(&created, "party:0")).await;
    let (mut p1, _) = Client::join(addr, &token_of(&created, "party:1")).await;
    let (mut obs, wo) = Client::join(addr, &token_of(&created, "observer:0")).await;
    // Before agreeing, a participant gets the consent text and nothing else of the room.
    assert_eq!(w0["study"]["phase"], "consent", "{w0}");
    assert_eq!(w0["study"]["consent"], "Do you agree to take part?");
    assert_eq!(w0["study"]["questions"].as_array().unwrap().len(), 3);
    assert!(w0["you"].is_null() && w0["turn"].is_null() && w0["history"] == json!([]), "{w0}");
    assert!(w0["study"].get("completion").is_none(), "{w0}");
    assert_eq!(wo["study"]["phase"], "waiting");
    assert!(wo["study"].get("consent").is_none(), "the observer is no participant: {wo}");
    let r = p0.act(json!({"kind": "offer", "outcome": 0})).await;
    assert!(r["message"].as_str().unwrap().contains("consent first"), "{r}");
    let r = ask(&mut obs, json!({"type": "consent", "agree": true})).await;
    assert!(r["message"].as_str().unwrap().contains("observer:0 does not"), "{r}");

    // Party 1 agrees: it gets the room (its preferences) and waits for party 0.
    assert_eq!(ask(&mut p1, json!({"type": "consent", "agree": true})).await["type"], "ack");
    let w1 = loop {
        let m = p1.recv().await;
        if m["type"] == "welcome" {
            break m;
        }
    };
    assert!(w1["you"].is_object(), "{w1}");
    assert_eq!((w1["study"]["phase"].as_str(), w1["study"]["consented"].as_bool()), (Some("waiting"), Some(true)));
    let r = p1.act(json!({"kind": "offer", "outcome": 0})).await;
    assert!(r["message"].as_str().unwrap().contains("once every participant has agreed"), "{r}");
    assert!(ask(&mut p1, json!({"type": "consent", "agree": true})).await["message"].as_str().unwrap().contains("already agreed"));

    // Party 0 declines: logged, a polite end for it, the session called off for everyone.
    assert_eq!(ask(&mut p0, json!({"type": "consent", "agree": false})).await["type"], "ack");
    assert_eq!(phase(&mut p0, "declined").await["consented"], false);
    let v1 = phase(&mut p1, "called_off").await;
    assert!(v1.get("consented").is_some_and(|c| c == true), "party 1 sees only its own consent: {v1}");
    phase(&mut obs, "called_off").await;
    let r = p1.act(json!({"kind": "offer", "outcome": 0})).await;
    assert!(r["message"].as_str().unwrap().contains("called off"), "{r}");
    // Party 1 never learned party 0's consent as such: no message to it names party 0's.
    for m in &p1.received {
        assert!(!(m["type"] == "consent" && m["seat"] == "party:0"), "{m}");
    }
    let log = admin_log(addr, &room).await;
    assert!(log.contains(r#"{"type":"consent","seat":"party:0","agree":false}"#), "{log}");
    let (status, body) = http(addr, "POST", &format!("/api/v1/rooms/{room}/control"), ADMIN, r#"{"control":"pause"}"#).await;
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("the study is over"), "{body}");
    let (_, w) = Client::join(addr, &token_of(&created, "party:0")).await;
    assert_eq!(w["study"]["phase"], "declined");
    assert!(w["you"].is_null());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rounds_wait_for_every_answer_and_a_restart_carries_on() {
    let db = temp_db("study-rounds");
    let addr = start(db.clone()).await;
    let created = create(addr, &spec(json!([{"by": "external"}, {"by": "external"}]), 1, 2)).await;
    let room = created["room"].as_str().unwrap().to_string();
    let (t0, t1) = (token_of(&created, "party:0"), token_of(&created, "party:1"));
    let (mut p0, _) = Client::join(addr, &t0).await;
    let (mut p1, _) = Client::join(addr, &t1).await;
    let (mut obs, _) = Client::join(addr, &token_of(&created, "observer:0")).await;
    for p in [&mut p0, &mut p1] {
        assert_eq!(ask(p, json!({"type": "consent", "agree": true})).await["type"], "ack");
    }
    // The practice round starts once both agreed: everyone is told; party 0 opens.
    let v = phase(&mut obs, "negotiating").await;
    assert_eq!(v["round"], json!({"index": 0, "practice": true, "number": null}));
    let r = ask(&mut p1, answers(0, 4, "")).await;
    assert!(r["message"].as_str().unwrap().contains("still being negotiated"), "{r}");
    assert_eq!(p0.act(json!({"kind": "offer", "outcome": 0})).await["type"], "ack");
    assert_eq!(p1.act(json!({"kind": "accept"})).await["type"], "ack");
    let v = phase(&mut p0, "questionnaire").await;
    assert_eq!(v["round"]["index"], 0);
    phase(&mut p1, "questionnaire").await;
    // No move until every participant has answered.
    let r = p1.act(json!({"kind": "offer", "outcome": 1})).await;
    assert!(r["message"].as_str().unwrap().contains("the practice round is over"), "{r}");

    // Answers are checked, each problem named; nothing is logged for a refused set.
    let bad = [
        (answers(1, 4, ""), "round: expected 0"),
        (
            json!({"type": "answers", "round": 0, "answers": {"fair": 9, "style": "soft"}}),
            "answers.fair: expected a whole number from 1 to 7, found 9",
        ),
        (
            json!({"type": "answers", "round": 0, "answers": {"fair": 3}}),
            "answers.style: expected one of \"soft\", \"hard\" (the question is required), found no answer",
        ),
        (
            json!({"type": "answers", "round": 0, "answers": {"fair": 3, "style": "meh"}}),
            "answers.style: expected one of \"soft\", \"hard\", found \"meh\"",
        ),
        (json!({"type": "answers", "round": 0, "answers": {"fair": 3, "style": "soft", "age": 30}}), "found the unknown question `age`"),
        (answers(0, 3, &"x".repeat(41)), "answers.why: expected a text of at most 40 characters, found 41 characters"),
    ];
    let before = admin_log(addr, &room).await.lines().count();
    for (m, expected) in bad {
        let r = ask(&mut p0, m).await;
        assert_eq!(r["type"], "error", "{r}");
        assert!(r["message"].as_str().unwrap().contains(expected), "{expected}: {r}");
    }
    assert_eq!(admin_log(addr, &room).await.lines().count(), before, "a refused answer was logged");
    assert_eq!(ask(&mut p0, answers(0, 6, "SECRET-why-p0-r0")).await["type"], "ack");
    let v = phase(&mut p0, "waiting").await;
    assert_eq!(v["answered"], true);
    assert!(ask(&mut p0, answers(0, 6, "")).await["message"].as_str().unwrap().contains("already answered"));
    let r = p0.act(json!({"kind": "offer", "outcome": 1})).await;
    assert!(r["message"].as_str().unwrap().contains("once every participant has answered"), "{r}");

    // A second server on the same database (a restart) folds the log: party 1 still has the
    // questionnaire open, party 0 waits, and the study goes on there.
    let addr2 = start(db).await;
    let (mut q0, w) = Client::join(addr2, &t0).await;
    assert_eq!((w["study"]["phase"].as_str(), w["study"]["answered"].as_bool()), (Some("waiting"), Some(true)), "{w}");
    let (mut q1, w) = Client::join(addr2, &t1).await;
    assert_eq!(w["study"]["phase"], "questionnaire", "{w}");
    assert!(w["history"].as_array().unwrap().iter().any(|m| m["type"] == "event" && m["round"] == 0), "{w}");
    assert_eq!(ask(&mut q1, answers(0, 2, "SECRET-why-p1-r0")).await["type"], "ack");
    // Counted round 1 starts: a fresh negotiation (step 0, party 0 to open).
    let v = phase(&mut q0, "negotiating").await;
    assert_eq!(v["round"], json!({"index": 1, "practice": false, "number": 1}));
    assert_eq!(q0.next_turn().await.unwrap()["step"], 0);
    assert_eq!(q0.act(json!({"kind": "offer", "outcome": 2})).await["type"], "ack");
    assert_eq!(q1.act(json!({"kind": "end"})).await["type"], "ack");
    for (q, why) in [(&mut q0, "SECRET-why-p0-r1"), (&mut q1, "SECRET-why-p1-r1")] {
        phase(q, "questionnaire").await;
        assert_eq!(ask(q, answers(1, 5, why)).await["type"], "ack");
    }
    phase(&mut q0, "negotiating").await;
    assert_eq!(q0.act(json!({"kind": "offer", "outcome": 3})).await["type"], "ack");
    assert_eq!(q1.act(json!({"kind": "accept"})).await["type"], "ack");
    phase(&mut q0, "questionnaire").await;
    assert_eq!(ask(&mut q0, answers(2, 7, "SECRET-why-p0-r2")).await["type"], "ack");
    // Before the end nobody has seen the completion link.
    let v = phase(&mut q1, "questionnaire").await;
    assert!(v.get("completion").is_none());
    for c in [&p0, &p1, &q0, &q1] {
        for m in &c.received {
            assert!(!m.to_string().contains(CODE), "the completion code before the end: {m}");
        }
    }
    assert_eq!(ask(&mut q1, json!({"type": "answers", "round": 2, "answers": {"fair": 1, "style": "hard"}})).await["type"], "ack");
    let done = phase(&mut q1, "complete").await;
    assert_eq!(done["completion"], json!({"url": format!("https://example.org/done?cc={CODE}"), "code": CODE}));
    phase(&mut q0, "complete").await;
    let r = q0.act(json!({"kind": "offer", "outcome": 0})).await;
    assert!(r["message"].as_str().unwrap().contains("the study is complete"), "{r}");

    // The log folds to the same study: three rounds with seeds 5, 6, 7, six questionnaires.
    let log = admin_log(addr2, &room).await;
    let folded = fold(&log, &room);
    let st = folded.study().unwrap();
    assert!(st.complete());
    let played: Vec<(u32, Option<u64>, Option<&str>)> = st.played().iter().map(|r| (r.round, r.seed, r.ending.as_deref())).collect();
    assert_eq!(played, [(0, Some(5), Some("agreement")), (1, Some(6), Some("ended")), (2, Some(7), Some("agreement"))]);
    let ex = st.export(&room, false);
    assert_eq!(ex.answers.len(), 6);
    assert_eq!(ex.status, "complete");

    // Neither party ever received the other's answers; no seat the admin-only settings.
    let (_, s0) = http(addr2, "GET", &format!("/api/v1/rooms/{room}/events.jsonl"), &t0, "").await;
    let (_, s1) = http(addr2, "GET", &format!("/api/v1/rooms/{room}/events.jsonl"), &t1, "").await;
    assert!(s0.contains("SECRET-why-p0-r0") && s1.contains("SECRET-why-p1-r1"), "a participant's export holds its own answers");
    let seen0: Vec<String> = p0.received.iter().chain(&q0.received).map(Json::to_string).chain([s0]).collect();
    let seen1: Vec<String> = p1.received.iter().chain(&q1.received).map(Json::to_string).chain([s1]).collect();
    let seen_obs: Vec<String> = obs.received.iter().map(Json::to_string).collect();
    for (who, seen, hidden) in
        [("party 0", &seen0, "SECRET-why-p1"), ("party 1", &seen1, "SECRET-why-p0"), ("the observer", &seen_obs, "SECRET-why")]
    {
        for text in seen {
            assert!(!text.contains(hidden), "{who} received another participant's answer: {text}");
            assert!(!text.contains(CONDITION) && !text.contains("NOTE-kx52"), "{who} received an admin-only setting: {text}");
            assert!(!text.contains("\"seed\""), "{who} received a round's seed: {text}");
        }
    }

    // study.json: the admin's only.
    let path = format!("/api/v1/rooms/{room}/study.json");
    assert_eq!(http(addr2, "GET", &path, &t0, "").await.0, 403);
    assert_eq!(http(addr2, "GET", &path, "nobody", "").await.0, 401);
    let (status, body) = http(addr2, "GET", &path, ADMIN, "").await;
    assert_eq!(status, 200, "{body}");
    let j: Json = serde_json::from_str(&body).unwrap();
    assert_eq!((j["condition"].as_str(), j["notes"].as_str(), j["status"].as_str()), (Some(CONDITION), Some(NOTES), Some("complete")));
    assert_eq!(j["played"].as_array().unwrap().len(), 3);
    assert_eq!(j["answers"][0]["answers"], json!({"fair": 6, "style": "soft", "why": "SECRET-why-p0-r0"}));
    let plain = create(
        addr2,
        &json!({"title": "plain", "domain": itex(), "protocol": "sao", "steps": 4,
        "parties": [{"by": "external"}, {"by": "external"}]}),
    )
    .await;
    let (status, body) = http(addr2, "GET", &format!("/api/v1/rooms/{}/study.json", plain["room"].as_str().unwrap()), ADMIN, "").await;
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("is not a study"), "{body}");
    let (_, list) = http(addr2, "GET", "/api/v1/rooms", ADMIN, "").await;
    let list: Json = serde_json::from_str(&list).unwrap();
    let row = |id: &str| list["rooms"].as_array().unwrap().iter().find(|r| r["room"] == id).unwrap()["study"].clone();
    assert_eq!((row(&room), row(plain["room"].as_str().unwrap())), (json!(true), json!(false)));

    // The run directory: one row per round and one per participant × round × question.
    let file = std::env::temp_dir().join(format!("bc-study-{}-export.jsonl", std::process::id()));
    std::fs::write(&file, &log).unwrap();
    let out = std::env::temp_dir().join(format!("bc-study-{}-run", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let dir = bc_server::report::export_run_dir(&file, &out).unwrap();
    let rounds = std::fs::read_to_string(dir.join("study-rounds.csv")).unwrap();
    let lines: Vec<&str> = rounds.lines().collect();
    assert_eq!(lines[0], "room,condition,round,kind,number,seed,outcome,agreement,utility_0,utility_1,steps");
    assert_eq!(lines.len(), 4, "{rounds}");
    assert!(lines[1].starts_with(&format!("{room},{CONDITION},0,practice,,5,agreement,")), "{rounds}");
    assert!(lines[2].starts_with(&format!("{room},{CONDITION},1,counted,1,6,ended,,,,")), "{rounds}");
    assert!(lines[3].starts_with(&format!("{room},{CONDITION},2,counted,2,7,agreement,")), "{rounds}");
    let u: Vec<f64> = lines[3].split(',').rev().skip(1).take(2).map(|x| x.parse().unwrap()).collect();
    assert!(u.iter().all(|x| (0.0..=1.0).contains(x)), "{rounds}");
    let ans = std::fs::read_to_string(dir.join("study-answers.csv")).unwrap();
    assert_eq!(ans.lines().count(), 1 + 2 * 3 * 3, "{ans}");
    assert_eq!(ans.lines().next().unwrap(), "room,condition,round,kind,number,seat,question,answer,seq");
    assert!(ans.contains(&format!("{room},{CONDITION},2,counted,2,party:1,why,,")), "an unanswered optional question: {ans}");
    assert!(ans.contains(&format!("{room},{CONDITION},0,practice,,party:0,why,SECRET-why-p0-r0,")), "{ans}");
    let report = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(report.contains("<section id=\"study\">") && report.contains(CONDITION) && report.contains("SECRET-why-p1-r1"));
    let _ = std::fs::remove_dir_all(&out);
    let _ = std::fs::remove_file(file);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_round_of_agents_plays_as_negotiate_with_its_own_seed() {
    let addr = start(temp_db("study-agents")).await;
    // No participant: the rounds follow each other at once, each with the room's seed plus
    // its position.
    let created = create(addr, &spec(json!([{"by": "agent", "name": "random"}, {"by": "agent", "name": "conceder"}]), 1, 3)).await;
    let room = created["room"].as_str().unwrap().to_string();
    let (_obs, w) = Client::join(addr, &token_of(&created, "observer:0")).await;
    assert_eq!(w["study"]["phase"], "complete", "{w}");
    let folded = fold(&admin_log(addr, &room).await, &room);
    let st = folded.study().unwrap();
    assert_eq!(st.played().len(), 4);
    let mut traces = Vec::new();
    for r in st.played() {
        let seed = r.seed.unwrap();
        assert_eq!(seed, 5 + u64::from(r.round));
        let reference = negotiate(ProtocolKind::Sao, &["random", "conceder"], None, 6, seed);
        let events: Vec<_> = folded.events().iter().filter(|l| l.round == Some(r.round)).map(|l| l.event.clone()).collect();
        assert_eq!(events, reference.events, "round {}", r.round);
        assert_eq!(r.ending.as_deref(), Some(reference.ending.name()));
        traces.push(events);
    }
    traces.dedup();
    assert!(traces.len() > 1, "every round played the same: the seeds do not reach the agents");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_study_file_is_refused_with_its_line() {
    let addr = start(temp_db("study-bad")).await;
    let mut s = spec(json!([{"by": "external"}, {"by": "external"}]), 1, 2);
    s["study"]["toml"] = json!(study_toml(1, 2).replace("kind = \"choice\"", "kind = \"likert\""));
    let (status, body) = http(addr, "POST", "/api/v1/rooms", ADMIN, &s.to_string()).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body.contains("study: lab.toml:21: questions[1].kind: expected one of scale (1 to 7), choice, text, found the text \\\"likert\\\""),
        "{body}"
    );
    let mut s = spec(json!([{"by": "external"}, {"by": "external"}]), 1, 2);
    s["deadline_secs"] = json!(600);
    let (status, body) = http(addr, "POST", "/api/v1/rooms", ADMIN, &s.to_string()).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("deadline_secs: a study room has no wall-clock deadline"), "{body}");
}
