//! The room report over HTTP (`GET /api/v1/rooms/ID/report.html`): the admin's view holds the
//! spec, seats, agreement, each party's utility of it and the whole timeline; the mediator's
//! view holds what the mediator may see and none of the parties' private numbers; no other
//! seat gets a report. The admin's room list (`GET /api/v1/rooms`) finds rooms again, newest
//! first, and no seat's token opens it.

mod common;

use common::*;
use serde_json::json;

fn count(hay: &str, needle: &str) -> usize {
    hay.matches(needle).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_and_mediator_reports_and_who_may_read_them() {
    let addr = start(temp_db("report")).await;
    // Relay, the mediator seat played over the wire (passing every offer), two agents.
    let spec = json!({"title": "Itex <b>v</b> Cypress", "domain": itex(), "protocol": "relay", "steps": 80, "seed": 7, "observers": 1,
                      "parties": [{"by": "agent", "name": "boulware"}, {"by": "agent", "name": "micro"}],
                      "mediator": {"by": "external"}});
    let created = create(addr, &spec).await;
    let id = created["room"].as_str().unwrap().to_string();
    let med_token = token_of(&created, "mediator");
    let path = format!("/api/v1/rooms/{id}/report.html");

    // A running room has a report too.
    let (status, running) = http(addr, "GET", &path, ADMIN, "").await;
    assert_eq!(status, 200, "{running}");
    assert!(running.contains("still running"), "{running}");

    let (mut med, w) = Client::join(addr, &med_token).await;
    let mut my_turn = w["turn"].is_object();
    loop {
        if !my_turn && med.next_turn().await.is_none() {
            break;
        }
        let r = med.act(json!({"kind": "pass"})).await;
        assert_eq!(r["type"], "ack", "{r}");
        my_turn = false;
    }

    // The final state, folded from the admin export, to check the reports against.
    let (status, log) = http(addr, "GET", &format!("/api/v1/rooms/{id}/events.jsonl"), ADMIN, "").await;
    assert_eq!(status, 200);
    let file = std::env::temp_dir().join(format!("bc-report-{}-{id}.jsonl", std::process::id()));
    std::fs::write(&file, &log).unwrap();
    let room = bc_server::replay(&file).unwrap();
    let agreement = room.ending().and_then(|e| e.agreement()).expect("boulware and micro agree through a passing mediator");
    let utilities: Vec<String> =
        (0..2).map(|i| format!("{:.4}", room.preferences(i).unwrap().utility.eval_index(&room.domain.space, agreement))).collect();
    let profiles: Vec<String> = (0..2).map(|i| room.preferences(i).unwrap().name.clone()).collect();
    let package = room.domain.render(agreement);

    let (status, admin) = http(addr, "GET", &path, ADMIN, "").await;
    assert_eq!(status, 200, "{admin}");
    let admin = admin.replace(" class=\"num\"", "");
    assert!(admin.starts_with("<!DOCTYPE html>"));
    // The title is text, escaped.
    assert!(admin.contains("Itex &lt;b&gt;v&lt;/b&gt; Cypress") && !admin.contains("<b>v</b>"));
    for (issue, value) in &package {
        assert!(admin.contains(&format!("<td>issue {issue}</td><td>{value}</td>")), "{issue}={value} missing");
    }
    assert!(admin.contains("id=\"utilities\""));
    for (u, p) in utilities.iter().zip(&profiles) {
        assert!(admin.contains(&format!("<td>{p}</td>")), "profile {p} missing");
        assert!(admin.contains(u), "utility {u} missing");
    }
    // Every event and message is a timeline row (plus the header row of the timeline table).
    let timeline = admin.split("id=\"timeline\"").nth(1).unwrap();
    assert_eq!(count(timeline, "<tr>"), room.events().len() + room.messages().len() + 1);
    assert!(admin.contains("<td>party:0</td><td>agent boulware</td>") && admin.contains("<td>mediator</td><td>external program</td>"));

    let (status, mediator) = http(addr, "GET", &path, &med_token, "").await;
    assert_eq!(status, 200, "{mediator}");
    let mediator = mediator.replace(" class=\"num\"", "");
    assert!(mediator.contains("mediator&#39;s view"));
    for (issue, value) in &package {
        assert!(mediator.contains(&format!("<td>issue {issue}</td><td>{value}</td>")), "the mediator sees the agreement");
    }
    assert!(!mediator.contains("id=\"utilities\""));
    for (u, p) in utilities.iter().zip(&profiles) {
        assert!(!mediator.contains(u.as_str()), "the mediator's report holds a party's utility {u}");
        assert!(!mediator.contains(p.as_str()), "the mediator's report names a party's profile {p}");
    }
    for i in 0..2 {
        let r = room.preferences(i).unwrap().reserved_value;
        if r.is_finite() && r != 0.0 {
            assert!(!mediator.contains(&format!("{r:.4}")), "the mediator's report holds a reservation");
        }
    }
    // The mediator's timeline is what its seat may see: every event here is visible to it.
    let visible = room.events().iter().filter(|l| room.visible(bc_server::Seat::Mediator, &l.event)).count();
    let timeline = mediator.split("id=\"timeline\"").nth(1).unwrap();
    assert_eq!(count(timeline, "<tr>"), visible + 1);

    // Nobody else: parties, observers, a wrong token, no token, another room's id.
    let (status, _) = http(addr, "GET", &path, &token_of(&created, "observer:0"), "").await;
    assert_eq!(status, 403);
    let (status, _) = http(addr, "GET", &path, "not-a-token", "").await;
    assert_eq!(status, 401);
    let (status, _) = http(addr, "GET", &path, "", "").await;
    assert_eq!(status, 401);
    let (status, _) = http(addr, "GET", "/api/v1/rooms/0000000000000000/report.html", &med_token, "").await;
    assert_eq!(status, 403);
    let (status, _) = http(addr, "GET", "/api/v1/rooms/0000000000000000/report.html", ADMIN, "").await;
    assert_eq!(status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_party_seat_gets_no_report() {
    let addr = start(temp_db("report-party")).await;
    let spec =
        json!({"domain": itex(), "protocol": "sao", "steps": 10, "parties": [{"by": "external"}, {"by": "agent", "name": "conceder"}]});
    let created = create(addr, &spec).await;
    let id = created["room"].as_str().unwrap();
    let (status, body) = http(addr, "GET", &format!("/api/v1/rooms/{id}/report.html"), &token_of(&created, "party:0"), "").await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("admin token or the mediator"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_lists_the_rooms_newest_first_and_seats_may_not() {
    let addr = start(temp_db("list")).await;
    let (status, body) = http(addr, "GET", "/api/v1/rooms", ADMIN, "").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(serde_json::from_str::<serde_json::Value>(&body).unwrap()["rooms"], json!([]));
    let mut ids = Vec::new();
    for title in ["first", "second"] {
        let spec = json!({"title": title, "domain": itex(), "protocol": "sao", "steps": 10, "deadline_secs": 600,
                          "parties": [{"by": "person"}, {"by": "agent", "name": "conceder"}]});
        let created = create(addr, &spec).await;
        ids.push((created["room"].as_str().unwrap().to_string(), token_of(&created, "party:0")));
        // Creation times are in ms: keep the two apart.
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let (status, body) = http(addr, "GET", "/api/v1/rooms", ADMIN, "").await;
    assert_eq!(status, 200, "{body}");
    let list: serde_json::Value = serde_json::from_str(&body).unwrap();
    let rooms = list["rooms"].as_array().unwrap();
    let got: Vec<(&str, &str)> = rooms.iter().map(|r| (r["room"].as_str().unwrap(), r["title"].as_str().unwrap())).collect();
    assert_eq!(got, vec![(ids[1].0.as_str(), "second"), (ids[0].0.as_str(), "first")]);
    assert!(rooms
        .iter()
        .all(|r| r["protocol"] == "sao" && r["created_ms"].as_i64().unwrap() + 600_000 == r["deadline_ms"].as_i64().unwrap()));
    // A seat's token is not the admin's; nor is nothing.
    for token in [ids[0].1.as_str(), ""] {
        let (status, body) = http(addr, "GET", "/api/v1/rooms", token, "").await;
        assert_eq!(status, 401, "{body}");
        assert!(body.contains("admin token"), "{body}");
    }
}
