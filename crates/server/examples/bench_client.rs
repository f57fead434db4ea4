//! Load benchmark client for `backchannel serve` (run by `scripts/bench_serve.sh`): opens
//! ROOMS rooms, each with two party seats played by scripted agents over the wire and OBSERVERS
//! watching, all at once, and prints the p50/p99 latency from a submitted action to its
//! notification at the other party, and the throughput of committed actions.
//!
//! Usage: bench_client ADDR ADMIN_TOKEN [ROOMS=200] [OBSERVERS=3] [ROUNDS=20]

use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value as Json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::Message;

type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn post(addr: &str, admin: &str, body: &str) -> Json {
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let req = format!("POST /api/v1/rooms HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {admin}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
    s.write_all(req.as_bytes()).await.expect("write");
    let mut out = String::new();
    s.read_to_string(&mut out).await.expect("read");
    let body = out.split_once("\r\n\r\n").map(|x| x.1).unwrap_or("");
    serde_json::from_str(body).unwrap_or_else(|e| panic!("room creation failed ({e}): {out}"))
}

async fn join(addr: &str, token: &str) -> Ws {
    // The client's buffers as small as the server's: 1,000 connections in one process.
    let config = tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default().read_buffer_size(8 << 10).write_buffer_size(0);
    let (mut ws, _) =
        tokio_tungstenite::connect_async_with_config(format!("ws://{addr}/api/v1/ws"), Some(config), true).await.expect("ws connect");
    ws.send(Message::Text(json!({"type": "hello", "token": token}).to_string().into())).await.expect("hello");
    let w = next(&mut ws).await;
    assert_eq!(w["type"], "welcome", "{w}");
    ws
}

async fn next(ws: &mut Ws) -> Json {
    loop {
        match tokio::time::timeout(Duration::from_secs(60), ws.next()).await {
            Ok(Some(Ok(Message::Text(t)))) => return serde_json::from_str(t.as_str()).expect("json"),
            Ok(Some(Ok(_))) => continue,
            other => panic!("connection lost: {other:?}"),
        }
    }
}

fn token(created: &Json, seat: &str) -> String {
    created["seats"].as_array().unwrap().iter().find(|s| s["seat"] == seat).unwrap()["token"].as_str().unwrap().to_string()
}

/// Plays one room: the parties alternate offers for `rounds` rounds; returns the latencies of
/// each action (submit to the other party's notification).
async fn room(addr: String, admin: String, spec: String, observers: u32, rounds: u64) -> Vec<Duration> {
    let created = post(&addr, &admin, &spec).await;
    let mut p = [join(&addr, &token(&created, "party:0")).await, join(&addr, &token(&created, "party:1")).await];
    let mut watchers = Vec::new();
    for k in 0..observers {
        let mut ws = join(&addr, &token(&created, &format!("observer:{k}"))).await;
        watchers.push(tokio::spawn(async move {
            let mut n = 0u64;
            loop {
                let m = next(&mut ws).await;
                if m["type"] == "event" {
                    n += 1;
                    if m["event"]["event"] == "end" {
                        return n;
                    }
                }
            }
        }));
    }
    let mut lat = Vec::new();
    let mut who = 0usize;
    for i in 0..rounds * 2 {
        let action = if i + 1 == rounds * 2 { json!({"kind": "end"}) } else { json!({"kind": "offer", "outcome": i % 50}) };
        let t0 = Instant::now();
        p[who].send(Message::Text(json!({"type": "act", "action": action}).to_string().into())).await.expect("send");
        let other = 1 - who;
        loop {
            let m = next(&mut p[other]).await;
            if m["type"] == "turn" || (m["type"] == "event" && m["event"]["event"] == "end") {
                break;
            }
        }
        lat.push(t0.elapsed());
        // Drain the actor's own ack.
        loop {
            let m = next(&mut p[who]).await;
            if m["type"] == "ack" {
                break;
            }
            assert_ne!(m["type"], "error", "{m}");
        }
        who = other;
    }
    for w in watchers {
        w.await.expect("observer");
    }
    lat
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: bench_client ADDR ADMIN_TOKEN [ROOMS=200] [OBSERVERS=3] [ROUNDS=20]");
        std::process::exit(2);
    }
    let addr = args[1].clone();
    let admin = args[2].clone();
    let n_rooms: usize = args.get(3).map_or(200, |s| s.parse().expect("ROOMS"));
    let observers: u32 = args.get(4).map_or(3, |s| s.parse().expect("OBSERVERS"));
    let rounds: u64 = args.get(5).map_or(20, |s| s.parse().expect("ROUNDS"));
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/genius/ItexvsCypress");
    let d = |f: &str| std::fs::read_to_string(dir.join(f)).expect("domain file");
    let spec = json!({"title": "bench", "protocol": "sao", "steps": rounds + 1, "observers": observers,
        "domain": {"format": "genius", "domain": d("ItexvsCypress_domain.xml"), "profiles": [d("ItexvsCypress_Cypress.xml"), d("ItexvsCypress_Itex.xml")]},
        "parties": [{"by": "external"}, {"by": "external"}]})
    .to_string();
    let start = Instant::now();
    let tasks: Vec<_> = (0..n_rooms).map(|_| tokio::spawn(room(addr.clone(), admin.clone(), spec.clone(), observers, rounds))).collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("room"));
    }
    let elapsed = start.elapsed();
    all.sort();
    let q = |p: f64| all[((all.len() as f64 - 1.0) * p).round() as usize];
    println!("rooms {n_rooms}, websocket connections {}, actions {}", n_rooms as u64 * (2 + u64::from(observers)), all.len());
    println!(
        "submit->notification latency: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        q(0.5).as_secs_f64() * 1e3,
        q(0.99).as_secs_f64() * 1e3,
        all.last().map_or(0.0, |d| d.as_secs_f64() * 1e3)
    );
    println!(
        "throughput: {:.0} committed actions/s over {:.2} s (room creation and joins included)",
        all.len() as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64()
    );
}
