//! Helpers of the server's tests: a server on a fresh SQLite file, plain HTTP requests, and a
//! WebSocket client that joins a seat and collects what it receives.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value as Json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::Message;

pub mod browser;
pub mod cdp;

pub const ADMIN: &str = "test-admin-token-0123456789abcdef0123456789abcdef";

pub fn data(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data").join(p)
}

/// The ItexvsCypress domain as a room's domain (profiles in NegMAS's order: Cypress, Itex).
pub fn itex() -> Json {
    let d = |f: &str| std::fs::read_to_string(data(&format!("genius/ItexvsCypress/{f}"))).unwrap();
    json!({"format": "genius", "domain": d("ItexvsCypress_domain.xml"),
           "profiles": [d("ItexvsCypress_Cypress.xml"), d("ItexvsCypress_Itex.xml")]})
}

pub fn temp_db(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("bc-server-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    format!("sqlite://{}", dir.join("rooms.sqlite").display())
}

pub async fn start(database: String) -> SocketAddr {
    let r = bc_server::start(bc_server::Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        database,
        demo: false,
        admin_token: Some(ADMIN.into()),
    })
    .await
    .unwrap();
    r.addr
}

/// A plain HTTP/1.1 request; returns the status and the body.
pub async fn http(addr: SocketAddr, method: &str, path: &str, token: &str, body: &str) -> (u16, String) {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.unwrap();
    let text = String::from_utf8_lossy(&out).to_string();
    let status: u16 = text.split(' ').nth(1).unwrap().parse().unwrap();
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    // Chunked bodies: keep only the payload lines.
    let body = if text.to_ascii_lowercase().contains("transfer-encoding: chunked") { dechunk(&body) } else { body };
    (status, body)
}

fn dechunk(b: &str) -> String {
    let mut out = String::new();
    let mut rest = b;
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&tail[..n]);
        rest = &tail[n + 2..];
    }
    out
}

/// Creates a room; returns the creation answer.
pub async fn create(addr: SocketAddr, spec: &Json) -> Json {
    let (status, body) = http(addr, "POST", "/api/v1/rooms", ADMIN, &spec.to_string()).await;
    assert_eq!(status, 201, "{body}");
    serde_json::from_str(&body).unwrap()
}

pub fn token_of(created: &Json, seat: &str) -> String {
    created["seats"].as_array().unwrap().iter().find(|s| s["seat"] == seat).unwrap()["token"].as_str().unwrap().to_string()
}

type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A seat's connection, with everything it received.
pub struct Client {
    ws: Ws,
    pub received: Vec<Json>,
    queue: std::collections::VecDeque<Json>,
}

impl Client {
    pub async fn join(addr: SocketAddr, token: &str) -> (Client, Json) {
        let (ws, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/api/v1/ws")).await.unwrap();
        let mut c = Client { ws, received: Vec::new(), queue: Default::default() };
        c.send(&json!({"type": "hello", "token": token})).await;
        let w = c.recv().await;
        (c, w)
    }

    pub async fn send(&mut self, m: &Json) {
        self.ws.send(Message::Text(m.to_string().into())).await.unwrap();
    }

    pub async fn recv(&mut self) -> Json {
        if let Some(m) = self.queue.pop_front() {
            return m;
        }
        self.recv_socket().await
    }

    async fn recv_socket(&mut self) -> Json {
        loop {
            let m = tokio::time::timeout(Duration::from_secs(20), self.ws.next())
                .await
                .expect("no message within 20 s")
                .expect("closed")
                .unwrap();
            if let Message::Text(t) = m {
                let j: Json = serde_json::from_str(t.as_str()).unwrap();
                self.received.push(j.clone());
                return j;
            }
        }
    }

    /// Sends an action and returns the `ack` or `error` for it (other messages are kept).
    pub async fn act(&mut self, action: Json) -> Json {
        self.send(&json!({"type": "act", "id": "x", "action": action})).await;
        loop {
            let m = self.recv_socket().await;
            if (m["type"] == "ack" || m["type"] == "error") && m["id"] == "x" {
                return m;
            }
            // Kept for `recv`: the agents may answer before the acknowledgement arrives.
            self.queue.push_back(m);
        }
    }

    /// Sends any message with the id `x` and returns the `ack` or `error` for it (other messages
    /// are kept for `recv`).
    pub async fn ask(&mut self, mut m: Json) -> Json {
        m["id"] = json!("x");
        self.send(&m).await;
        loop {
            let r = self.recv_socket().await;
            if (r["type"] == "ack" || r["type"] == "error") && r["id"] == "x" {
                return r;
            }
            self.queue.push_back(r);
        }
    }

    /// Waits for the next `turn` or the end; returns the turn (None at the end).
    pub async fn next_turn(&mut self) -> Option<Json> {
        loop {
            let m = self.recv().await;
            if m["type"] == "turn" {
                return Some(m["turn"].clone());
            }
            if m["type"] == "event" && m["event"]["event"] == "end" {
                return None;
            }
        }
    }
}

/// What `bc_strategy::play` (the engine of `backchannel negotiate`) gives on ItexvsCypress.
pub fn negotiate(
    protocol: bc_protocol::ProtocolKind,
    agents: &[&str],
    mediator: Option<&str>,
    steps: u64,
    seed: u64,
) -> bc_strategy::Record {
    let s = bc_formats::load(&[data("genius/ItexvsCypress")], bc_formats::Semantics::Genius).unwrap();
    let space = std::sync::Arc::new(s.space.clone());
    let sides: Vec<_> = s.parties.iter().map(|p| std::sync::Arc::new(bc_strategy::Side::new(space.clone(), p.clone()).unwrap())).collect();
    let specs: Vec<bc_strategy::Spec> = agents.iter().map(|a| a.parse().unwrap()).collect();
    let med: Option<bc_strategy::Spec> = mediator.map(|m| m.parse().unwrap());
    let plan = bc_strategy::Plan {
        protocol,
        agents: &specs,
        mediator: med.as_ref(),
        n_steps: steps,
        keep_events: true,
        budget: Default::default(),
    };
    bc_strategy::play(&plan, &sides, &mut |k| bc_engine::rng_for(seed, k as u64)).unwrap()
}
