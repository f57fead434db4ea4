//! The web server: HTTP routes (room creation behind the admin token, log export, the schema,
//! a seat's page), the WebSocket of a seat, and the hub that keeps live rooms in memory, commits
//! every entry before acknowledging it and fans each one out to the seats that may see it
//! (across processes on PostgreSQL through LISTEN/NOTIFY).
//!
//! Long file: the hub's commits, catch-up, deadlines and the chair's controls all follow one
//! rule (hold the room's lock, commit, then apply and fan out), easier to check in one place.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::ws::{Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::{DefaultBodyLimit, Path as UrlPath, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use bc_io::SettingError;
use futures_util::{SinkExt, StreamExt};
use tokio::sync::mpsc;

use crate::room::{Chair, Control, Entry, Fill, Room, RoomSpec, Seat};
use crate::store::{AppendError, Backend, Store};
use crate::token;
use crate::wire::{self, ClientMsg, ServerMsg};

/// Largest request body (a room's domain texts included).
pub const MAX_BODY_BYTES: usize = 8 << 20;
/// Largest WebSocket message from a client.
pub const MAX_WS_MESSAGE_BYTES: usize = 64 << 10;
/// Messages a connection may send per second (sustained), and in a burst.
pub const RATE_PER_SEC: f64 = 200.0;
/// The burst allowance.
pub const RATE_BURST: f64 = 400.0;
/// Messages queued to one connection before the server drops it as too slow.
pub const OUTBOX: usize = 1024;
/// A WebSocket connection's initial read buffer and the write buffer filled before writing.
pub const WS_BUFFER_BYTES: usize = 8 << 10;
/// Most rooms `GET /api/v1/rooms` lists (the newest).
pub const MAX_LISTED_ROOMS: u32 = 500;
/// How often a paused room's deadline timer looks whether the room was resumed (on this or on
/// another process sharing the database).
pub const PAUSED_POLL: Duration = Duration::from_millis(250);
/// Time a new connection has to say `hello`.
pub const HELLO_TIMEOUT: Duration = Duration::from_secs(10);

/// How to run the server.
#[derive(Clone, Debug)]
pub struct Config {
    /// Where to listen.
    pub addr: SocketAddr,
    /// `sqlite://PATH` or `postgres://…`.
    pub database: String,
    /// Open a demo room on the embedded US–Iran scenario and print its links.
    pub demo: bool,
    /// The admin token; `None`: a new one, printed at start.
    pub admin_token: Option<String>,
}

struct Conn {
    id: u64,
    seat: Seat,
    tx: mpsc::Sender<String>,
    /// The client asked for `presence` messages in its `hello`.
    presence: bool,
}

struct Inner {
    room: Room,
    conns: Vec<Conn>,
    /// The wall-clock deadline (ms since the Unix epoch), if known to this process.
    deadline_ms: Option<i64>,
}

impl Inner {
    /// Who is here and whose turn it is.
    fn presence(&self) -> ServerMsg {
        let mut online: Vec<Seat> = self.conns.iter().map(|c| c.seat).collect();
        online.sort();
        online.dedup();
        let agents = self.room.seats().into_iter().map(|(s, _)| s).filter(|s| self.room.is_agent(*s)).collect();
        // The deadline moves back by the time paused (while paused, it keeps moving).
        let deadline_ms = self.deadline_ms.map(|d| d.saturating_add(self.room.paused_ms(now_ms())));
        let paused = self.room.paused_by().is_some();
        ServerMsg::Presence { online, agents, turn: self.room.turn_seat(), deadline_ms, paused }
    }

    /// Tells every connection who is here (dropping connections that cannot keep up).
    fn announce_presence(&mut self) {
        let m = to_json(&self.presence());
        self.conns.retain(|c| !c.presence || c.tx.try_send(m.clone()).is_ok());
    }
}

struct LiveRoom {
    inner: tokio::sync::Mutex<Inner>,
}

/// The rooms this process holds in memory, over the store.
pub struct Hub {
    store: Store,
    rooms: Mutex<HashMap<String, Arc<LiveRoom>>>,
    admin_hash: String,
    next_conn: AtomicU64,
    /// Rooms' wall-clock deadlines known to this process (for `presence`).
    deadlines: Mutex<HashMap<String, i64>>,
}

fn parse_entry(body: &str) -> Result<Entry, String> {
    serde_json::from_str(body).map_err(|e| format!("a stored entry is not valid: {e}"))
}

fn to_json<T: serde::Serialize>(x: &T) -> String {
    serde_json::to_string(x).unwrap_or_else(|e| format!("{{\"type\":\"error\",\"message\":\"cannot encode: {e}\"}}"))
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64)
}

/// What creating a room returns: each seat, who fills it, and for seats that are not built-in
/// agents the token and link (shown once; only their hashes are kept).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Created {
    /// The room's id.
    pub room: String,
    /// The seats.
    pub seats: Vec<SeatLink>,
}

/// One seat of a created room.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct SeatLink {
    /// The seat.
    pub seat: Seat,
    /// Who fills it.
    pub fill: Fill,
    /// Its token (absent for built-in agents).
    pub token: Option<String>,
    /// Its page, with the token in the fragment (never sent to the server by a browser).
    pub link: Option<String>,
}

impl Hub {
    /// A hub over `store`, admitting room creation with `admin_token`.
    pub fn new(store: Store, admin_token: &str) -> Hub {
        Hub {
            store,
            rooms: Mutex::new(HashMap::new()),
            admin_hash: token::hash(admin_token),
            next_conn: AtomicU64::new(1),
            deadlines: Mutex::new(HashMap::new()),
        }
    }

    fn is_admin(&self, token: &str) -> bool {
        token::ct_eq(token::hash(token).as_bytes(), self.admin_hash.as_bytes())
    }

    /// Creates a room and lets its agents play up to the first seat that is not an agent.
    pub async fn create(self: &Arc<Self>, spec: RoomSpec, base: &str) -> Result<Created, String> {
        let id = token::new_room_id();
        let room = Room::create(&id, &spec)?;
        let first = to_json(&Entry::Created { room: id.clone(), spec: spec.clone() });
        let mut seats = Vec::new();
        let mut hashes = Vec::new();
        for (seat, fill) in room.seats() {
            if matches!(fill, Fill::Agent { .. }) {
                seats.push(SeatLink { seat, fill, token: None, link: None });
            } else {
                let t = token::new_token();
                hashes.push((token::hash(&t), seat.to_string()));
                let link = format!("{base}/room/{id}#{t}");
                seats.push(SeatLink { seat, fill, token: Some(t), link: Some(link) });
            }
        }
        let created = now_ms();
        let deadline = spec.deadline_secs.map(|s| created.saturating_add((s.min(10_000_000) * 1000) as i64));
        self.store.create_room(&id, created, deadline, &first, &hashes).await?;
        let live = Arc::new(LiveRoom { inner: tokio::sync::Mutex::new(Inner { room, conns: Vec::new(), deadline_ms: deadline }) });
        self.rooms.lock().map_err(|_| "lock poisoned")?.insert(id.clone(), live.clone());
        {
            let mut inner = live.inner.lock().await;
            self.drive(&id, &mut inner).await?;
        }
        if let Some(d) = deadline {
            self.schedule_deadline(id.clone(), d);
        }
        Ok(Created { room: id, seats })
    }

    /// At the wall-clock deadline, moved back by the time the room was paused, ends the room
    /// as a timeout. Every process that holds the room keeps this timer (the version check lets
    /// one entry in), so the room expires whichever process paused or resumed it and whichever
    /// is still running. While the room is paused nothing expires: the timer looks again every
    /// [`PAUSED_POLL`].
    fn schedule_deadline(self: &Arc<Hub>, id: String, deadline_ms: i64) {
        match self.deadlines.lock() {
            Ok(mut d) => {
                if d.insert(id.clone(), deadline_ms).is_some() {
                    // A timer of this room runs already.
                    return;
                }
            }
            Err(_) => return,
        }
        let hub = self.clone();
        tokio::spawn(async move {
            let mut wait = Duration::from_millis((deadline_ms - now_ms()).max(0) as u64);
            loop {
                tokio::time::sleep(wait).await;
                let Ok(live) = hub.room(&id).await else { return };
                let mut inner = live.inner.lock().await;
                if inner.room.ending().is_some() {
                    return;
                }
                if inner.room.paused_by().is_some() {
                    wait = PAUSED_POLL;
                    continue;
                }
                let due = deadline_ms.saturating_add(inner.room.paused_ms(now_ms()));
                if due > now_ms() {
                    wait = Duration::from_millis((due - now_ms()) as u64);
                    continue;
                }
                let _ = hub.commit(&id, &mut inner, Room::check_expire).await;
                return;
            }
        });
    }

    /// The chair pauses, resumes or closes room `id`.
    async fn control(self: &Arc<Self>, id: &str, live: &LiveRoom, by: Chair, control: Control) -> Result<u64, String> {
        let mut inner = live.inner.lock().await;
        self.commit(id, &mut inner, |room| room.check_control(by, control, now_ms())).await
    }

    /// `POST /api/v1/rooms/ID/control`: the admin token, or the mediator seat's.
    async fn control_http(self: &Arc<Self>, id: &str, bearer: &str, control: Control) -> Result<u64, (StatusCode, String)> {
        let by = if self.is_admin(bearer) {
            Chair::Admin
        } else {
            let (room, seat) = self.seat_of_token(bearer).await.map_err(|e| (StatusCode::UNAUTHORIZED, e))?;
            if room != id {
                return Err((StatusCode::FORBIDDEN, "the token is not a seat of this room".into()));
            }
            if seat != Seat::Mediator {
                return Err((StatusCode::FORBIDDEN, "only the mediator seat or the admin may pause, resume or close a room".into()));
            }
            Chair::Mediator
        };
        let live = self.room(id).await.map_err(|e| (StatusCode::NOT_FOUND, e))?;
        self.control(id, &live, by, control).await.map_err(|e| (StatusCode::CONFLICT, e))
    }

    /// The live room `id`, loaded from the store (and its agents driven) if not in memory; a
    /// room another process created gets its deadline timer here.
    async fn room(self: &Arc<Self>, id: &str) -> Result<Arc<LiveRoom>, String> {
        if let Some(r) = self.rooms.lock().map_err(|_| "lock poisoned")?.get(id) {
            return Ok(r.clone());
        }
        let rows = self.store.entries(id, 0).await?;
        if rows.is_empty() {
            return Err(format!("room `{}`: no such room", crate::domain::clip(id)));
        }
        let entries: Vec<Entry> = rows.iter().map(|(_, b)| parse_entry(b)).collect::<Result<_, _>>()?;
        let room = Room::fold(&entries)?;
        let known = self.deadlines.lock().ok().and_then(|d| d.get(id).copied());
        let deadline_ms = match known {
            Some(d) => Some(d),
            None => self.store.deadline(id).await?,
        };
        if let (None, Some(d)) = (known, deadline_ms) {
            self.schedule_deadline(id.to_string(), d);
        }
        let live = Arc::new(LiveRoom { inner: tokio::sync::Mutex::new(Inner { room, conns: Vec::new(), deadline_ms }) });
        let live = {
            let mut rooms = self.rooms.lock().map_err(|_| "lock poisoned")?;
            rooms.entry(id.to_string()).or_insert(live).clone()
        };
        {
            let mut inner = live.inner.lock().await;
            self.catch_up(id, &mut inner).await?;
            self.drive(id, &mut inner).await?;
        }
        Ok(live)
    }

    /// Sends every connection what it may see of the entry just applied.
    fn fan_out(inner: &mut Inner, seq: u64, entry: &Entry, events: &[bc_protocol::Event]) {
        let room = &inner.room;
        inner.conns.retain(|c| {
            for m in wire::notices(room, c.seat, seq, entry, events) {
                if c.tx.try_send(to_json(&m)).is_err() {
                    return false;
                }
            }
            true
        });
        if !events.is_empty()
            || matches!(entry, Entry::Paused { .. } | Entry::Resumed { .. } | Entry::Preferences { .. } | Entry::Round { .. })
        {
            inner.announce_presence();
        }
    }

    /// Applies the entries other writers committed since this process last looked.
    async fn catch_up(&self, id: &str, inner: &mut Inner) -> Result<(), String> {
        let rows = self.store.entries(id, inner.room.next_seq()).await?;
        for (seq, body) in rows {
            if seq != inner.room.next_seq() {
                return Err(format!("room {id}: the log has a gap at {seq}"));
            }
            let entry = parse_entry(&body)?;
            match inner.room.apply(&entry) {
                Ok(applied) => Self::fan_out(inner, applied.seq, &entry, &applied.events),
                Err(_) => {
                    // This process's agents decided ahead of a log another process wrote:
                    // fold the log again and welcome every connection anew.
                    self.rebuild(id, inner).await?;
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    async fn rebuild(&self, id: &str, inner: &mut Inner) -> Result<(), String> {
        let rows = self.store.entries(id, 0).await?;
        let entries: Vec<Entry> = rows.iter().map(|(_, b)| parse_entry(b)).collect::<Result<_, _>>()?;
        inner.room = Room::fold(&entries)?;
        let room = &inner.room;
        inner.conns.retain(|c| c.tx.try_send(to_json(&wire::welcome(room, c.seat))).is_ok());
        inner.announce_presence();
        Ok(())
    }

    /// Commits the entry `make` builds from the room as it is, at the next position; on a
    /// conflict with another writer, catches up and tries again. Returns the entry's position.
    async fn commit(&self, id: &str, inner: &mut Inner, make: impl Fn(&Room) -> Result<Entry, String>) -> Result<u64, String> {
        for _ in 0..50 {
            let entry = make(&inner.room)?;
            let seq = inner.room.next_seq();
            match self.store.append(id, seq, &to_json(&entry)).await {
                Ok(()) => {
                    let applied = inner.room.apply(&entry)?;
                    Self::fan_out(inner, applied.seq, &entry, &applied.events);
                    self.drive(id, inner).await?;
                    return Ok(seq);
                }
                Err(AppendError::Conflict) => self.catch_up(id, inner).await?,
                Err(AppendError::Db(e)) => return Err(e),
            }
        }
        Err("the room is too busy; try again".into())
    }

    /// Lets built-in agents act while it is their turn, committing each action before the next.
    async fn drive(&self, id: &str, inner: &mut Inner) -> Result<(), String> {
        let mut conflicts = 0;
        while let Some(entry) = inner.room.agent_entry() {
            let seq = inner.room.next_seq();
            match self.store.append(id, seq, &to_json(&entry)).await {
                Ok(()) => {
                    let applied = inner.room.apply(&entry)?;
                    Self::fan_out(inner, applied.seq, &entry, &applied.events);
                }
                Err(AppendError::Conflict) => {
                    // The agent's state moved with a decision that was not committed: rebuild.
                    conflicts += 1;
                    if conflicts > 50 {
                        return Err("the room is too busy; try again".into());
                    }
                    self.rebuild(id, inner).await?;
                }
                Err(AppendError::Db(e)) => return Err(e),
            }
        }
        Ok(())
    }

    /// A notification from another process: entry `seq` of room `id` is committed.
    async fn notified(&self, id: &str, seq: u64) {
        let live = self.rooms.lock().ok().and_then(|r| r.get(id).cloned());
        if let Some(live) = live {
            let mut inner = live.inner.lock().await;
            if seq == 0 || seq >= inner.room.next_seq() {
                let _ = self.catch_up(id, &mut inner).await;
                let _ = self.drive(id, &mut inner).await;
            }
        }
    }

    /// The log of a room as JSON Lines: every entry for the admin; for a seat token, what that
    /// seat may see (the `welcome` history).
    async fn export(self: &Arc<Self>, id: &str, bearer: &str) -> Result<String, (StatusCode, String)> {
        let not_found = || (StatusCode::NOT_FOUND, "no such room".to_string());
        if self.is_admin(bearer) {
            let rows = self.store.entries(id, 0).await.map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e))?;
            if rows.is_empty() {
                return Err(not_found());
            }
            let mut out = String::new();
            for (_, b) in rows {
                out.push_str(&b);
                out.push('\n');
            }
            return Ok(out);
        }
        let (room, seat) = self.seat_of_token(bearer).await.map_err(|e| (StatusCode::UNAUTHORIZED, e))?;
        if room != id {
            return Err((StatusCode::FORBIDDEN, "the token is not a seat of this room".into()));
        }
        let live = self.room(id).await.map_err(|e| (StatusCode::NOT_FOUND, e))?;
        let inner = live.inner.lock().await;
        let ServerMsg::Welcome { history, .. } = wire::welcome(&inner.room, seat) else { return Err(not_found()) };
        let mut out = String::new();
        for m in history {
            out.push_str(&to_json(&m));
            out.push('\n');
        }
        Ok(out)
    }

    /// The report page of a room: the admin's view for the admin token, the mediator's view
    /// for the mediator seat's token.
    async fn report(self: &Arc<Self>, id: &str, bearer: &str) -> Result<String, (StatusCode, String)> {
        let view = if self.is_admin(bearer) {
            crate::report::View::Admin
        } else {
            let (room, seat) = self.seat_of_token(bearer).await.map_err(|e| (StatusCode::UNAUTHORIZED, e))?;
            if room != id {
                return Err((StatusCode::FORBIDDEN, "the token is not a seat of this room".into()));
            }
            if seat != Seat::Mediator {
                return Err((StatusCode::FORBIDDEN, "the report needs the admin token or the mediator seat's token".into()));
            }
            crate::report::View::Mediator
        };
        let live = self.room(id).await.map_err(|e| (StatusCode::NOT_FOUND, e))?;
        let inner = live.inner.lock().await;
        Ok(crate::report::RoomReport::of(&inner.room, view).page())
    }

    /// A study room's data for the admin (`study.json`): the admin-only settings, each
    /// participant's consent, every round with its seed and outcome, every answer. A seat's
    /// token gets 403, an unknown token 401, a room without a study 404.
    async fn study(self: &Arc<Self>, id: &str, bearer: &str) -> Result<serde_json::Value, (StatusCode, String)> {
        if !self.is_admin(bearer) {
            return Err(match self.seat_of_token(bearer).await {
                Ok(_) => (StatusCode::FORBIDDEN, "the study data is the admin's: it needs the admin token".into()),
                Err(e) => (StatusCode::UNAUTHORIZED, format!("the study data needs the admin token: {e}")),
            });
        }
        let live = self.room(id).await.map_err(|e| (StatusCode::NOT_FOUND, e))?;
        let inner = live.inner.lock().await;
        let Some(p) = inner.room.study() else {
            return Err((StatusCode::NOT_FOUND, format!("room {id} is not a study")));
        };
        let mut j = serde_json::to_value(p.export(id, inner.room.closed_by().is_some()))
            .map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
        j["title"] = serde_json::json!(inner.room.spec.title);
        Ok(j)
    }

    async fn seat_of_token(&self, t: &str) -> Result<(String, Seat), String> {
        let h = token::hash(t);
        match self.store.seat_of(&h).await? {
            Some((room, seat, stored)) if token::ct_eq(stored.as_bytes(), h.as_bytes()) => Ok((room, seat.parse()?)),
            _ => Err("unknown token".into()),
        }
    }
}

#[derive(Clone)]
struct App {
    hub: Arc<Hub>,
    base: Arc<str>,
}

fn bearer(h: &HeaderMap) -> String {
    h.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ")).unwrap_or("").trim().to_string()
}

fn err(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(serde_json::json!({"error": message.into()}))).into_response()
}

async fn create_room(State(app): State<App>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    if !app.hub.is_admin(&bearer(&headers)) {
        return err(StatusCode::UNAUTHORIZED, "room creation needs the admin token (Authorization: Bearer TOKEN)");
    }
    let spec: RoomSpec = match serde_json::from_slice(&body) {
        Ok(s) => s,
        Err(e) => return err(StatusCode::BAD_REQUEST, format!("room spec: {e}")),
    };
    match app.hub.create(spec, &app.base).await {
        Ok(c) => (StatusCode::CREATED, Json(c)).into_response(),
        Err(e) => err(StatusCode::BAD_REQUEST, e),
    }
}

/// `GET /api/v1/rooms` (admin token): the newest rooms, so that whoever set rooms up can find
/// them again and take their records home.
async fn list_rooms(State(app): State<App>, headers: HeaderMap) -> Response {
    if !app.hub.is_admin(&bearer(&headers)) {
        return err(StatusCode::UNAUTHORIZED, "the room list needs the admin token (Authorization: Bearer TOKEN)");
    }
    match app.hub.store.newest_rooms(MAX_LISTED_ROOMS).await {
        Ok(rows) => {
            let rooms: Vec<serde_json::Value> = rows
                .into_iter()
                .map(|(id, created_ms, deadline_ms, first)| {
                    let spec = match parse_entry(&first) {
                        Ok(Entry::Created { spec, .. }) => Some(spec),
                        _ => None,
                    };
                    serde_json::json!({
                        "room": id,
                        "created_ms": created_ms,
                        "deadline_ms": deadline_ms,
                        "title": spec.as_ref().map(|s| s.title.clone()),
                        "protocol": spec.as_ref().map(|s| s.protocol.clone()),
                        "study": spec.as_ref().is_some_and(|s| s.study.is_some()),
                    })
                })
                .collect();
            Json(serde_json::json!({"rooms": rooms})).into_response()
        }
        Err(e) => err(StatusCode::INTERNAL_SERVER_ERROR, e),
    }
}

async fn export(State(app): State<App>, UrlPath(id): UrlPath<String>, headers: HeaderMap) -> Response {
    match app.hub.export(&id, &bearer(&headers)).await {
        Ok(text) => ([(header::CONTENT_TYPE, "application/x-ndjson")], text).into_response(),
        Err((s, m)) => err(s, m),
    }
}

/// The room's report: the admin's view with the admin token, the mediator's view with the
/// mediator seat's token; no other seat has one (a party's report would be its own history,
/// which its `welcome` and export already give).
async fn report_page(State(app): State<App>, UrlPath(id): UrlPath<String>, headers: HeaderMap) -> Response {
    match app.hub.report(&id, &bearer(&headers)).await {
        Ok(page) => (
            [(header::CONTENT_SECURITY_POLICY, "default-src 'none'; style-src 'unsafe-inline'"), (header::REFERRER_POLICY, "no-referrer")],
            Html(page),
        )
            .into_response(),
        Err((s, m)) => err(s, m),
    }
}

/// A study room's data, for the admin: `study.json`.
async fn study_json(State(app): State<App>, UrlPath(id): UrlPath<String>, headers: HeaderMap) -> Response {
    match app.hub.study(&id, &bearer(&headers)).await {
        Ok(j) => Json(j).into_response(),
        Err((s, m)) => err(s, m),
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ControlBody {
    control: Control,
}

/// Pauses, resumes or closes a room: `{"control": "pause" | "resume" | "close"}` with the admin
/// token or the mediator seat's token.
async fn control_room(State(app): State<App>, UrlPath(id): UrlPath<String>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    let b: ControlBody = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => return err(StatusCode::BAD_REQUEST, format!("expected {{\"control\": \"pause\" | \"resume\" | \"close\"}}: {e}")),
    };
    match app.hub.control_http(&id, &bearer(&headers), b.control).await {
        Ok(seq) => Json(serde_json::json!({"seq": seq})).into_response(),
        Err((s, m)) => err(s, m),
    }
}

async fn schema() -> Response {
    Json(wire::schema()).into_response()
}

async fn ws(State(app): State<App>, upgrade: WebSocketUpgrade) -> Response {
    // Small buffers: a seat's messages are small, and 1,000 connections with the default
    // 128 KiB buffers spend more time zeroing memory than negotiating (they grow when needed).
    upgrade
        .max_message_size(MAX_WS_MESSAGE_BYTES)
        .max_frame_size(MAX_WS_MESSAGE_BYTES)
        .read_buffer_size(WS_BUFFER_BYTES)
        .write_buffer_size(WS_BUFFER_BYTES)
        .on_upgrade(move |socket| seat_session(app.hub, socket))
}

/// A token bucket: `RATE_PER_SEC` messages a second, bursts of `RATE_BURST`.
struct Bucket {
    level: f64,
    at: Instant,
}

impl Bucket {
    fn take(&mut self) -> bool {
        let now = Instant::now();
        self.level = (self.level + now.duration_since(self.at).as_secs_f64() * RATE_PER_SEC).min(RATE_BURST);
        self.at = now;
        if self.level >= 1.0 {
            self.level -= 1.0;
            true
        } else {
            false
        }
    }
}

async fn seat_session(hub: Arc<Hub>, socket: WebSocket) {
    let (mut sink, mut stream) = socket.split();
    let (tx, mut rx) = mpsc::channel::<String>(OUTBOX);
    let writer = tokio::spawn(async move {
        // Every message waiting goes out in one write: the events of one entry reach a seat
        // together.
        'out: while let Some(m) = rx.recv().await {
            if sink.feed(WsMessage::Text(m.into())).await.is_err() {
                break;
            }
            while let Ok(m) = rx.try_recv() {
                if sink.feed(WsMessage::Text(m.into())).await.is_err() {
                    break 'out;
                }
            }
            if sink.flush().await.is_err() {
                break;
            }
        }
        let _ = sink.close().await;
    });
    let say = |m: &ServerMsg| tx.try_send(to_json(m)).is_ok();
    // The first message must be `hello` with the seat's token.
    let first = match tokio::time::timeout(HELLO_TIMEOUT, stream.next()).await {
        Ok(Some(Ok(WsMessage::Text(t)))) => serde_json::from_str::<ClientMsg>(t.as_str()).ok(),
        _ => None,
    };
    let Some(ClientMsg::Hello { token: t, presence }) = first else {
        say(&ServerMsg::Error { id: None, message: "expected {\"type\":\"hello\",\"token\":…} first".into() });
        drop(tx);
        let _ = writer.await;
        return;
    };
    let (room_id, seat) = match hub.seat_of_token(&t).await {
        Ok(x) => x,
        Err(e) => {
            say(&ServerMsg::Error { id: None, message: e });
            drop(tx);
            let _ = writer.await;
            return;
        }
    };
    let live = match hub.room(&room_id).await {
        Ok(l) => l,
        Err(e) => {
            say(&ServerMsg::Error { id: None, message: e });
            drop(tx);
            let _ = writer.await;
            return;
        }
    };
    let conn_id = hub.next_conn.fetch_add(1, Ordering::Relaxed);
    {
        let mut inner = live.inner.lock().await;
        let w = wire::welcome(&inner.room, seat);
        if tx.try_send(to_json(&w)).is_ok() {
            inner.conns.push(Conn { id: conn_id, seat, tx: tx.clone(), presence });
            inner.announce_presence();
        }
    }
    let mut bucket = Bucket { level: RATE_BURST, at: Instant::now() };
    while let Some(msg) = stream.next().await {
        let text = match msg {
            Ok(WsMessage::Text(t)) => t,
            Ok(WsMessage::Close(_)) | Err(_) => break,
            Ok(_) => continue,
        };
        if !bucket.take() {
            say(&ServerMsg::Error { id: None, message: format!("rate limit: at most {RATE_PER_SEC} messages a second") });
            continue;
        }
        let msg: ClientMsg = match serde_json::from_str(text.as_str()) {
            Ok(m) => m,
            Err(e) => {
                say(&ServerMsg::Error { id: None, message: format!("message: {e}") });
                continue;
            }
        };
        let reply = match msg {
            ClientMsg::Hello { .. } => ServerMsg::Error { id: None, message: "already joined".into() },
            ClientMsg::Tools => {
                if seat == Seat::Mediator {
                    let inner = live.inner.lock().await;
                    ServerMsg::Tools { tools: inner.room.tools() }
                } else {
                    ServerMsg::Error { id: None, message: "the tools are the mediator's".into() }
                }
            }
            ClientMsg::Act { id, action } => {
                let mut inner = live.inner.lock().await;
                match hub.commit(&room_id, &mut inner, |room| room.check(seat, &action)).await {
                    Ok(seq) => ServerMsg::Ack { id, seq },
                    Err(message) => ServerMsg::Error { id, message },
                }
            }
            ClientMsg::Control { id, control } => {
                if seat == Seat::Mediator {
                    match hub.control(&room_id, &live, Chair::Mediator, control).await {
                        Ok(seq) => ServerMsg::Ack { id, seq },
                        Err(message) => ServerMsg::Error { id, message },
                    }
                } else {
                    ServerMsg::Error { id, message: "only the mediator (or the admin) may pause, resume or close the room".into() }
                }
            }
            ClientMsg::Preferences { id, weights, ratings } => {
                let mut inner = live.inner.lock().await;
                match hub.commit(&room_id, &mut inner, |room| room.check_preferences(seat, &weights, &ratings)).await {
                    Ok(seq) => ServerMsg::Ack { id, seq },
                    Err(message) => ServerMsg::Error { id, message },
                }
            }
            ClientMsg::Consent { id, agree } => {
                let mut inner = live.inner.lock().await;
                match hub.commit(&room_id, &mut inner, |room| room.check_consent(seat, agree)).await {
                    Ok(seq) => ServerMsg::Ack { id, seq },
                    Err(message) => ServerMsg::Error { id, message },
                }
            }
            ClientMsg::Answers { id, round, answers } => {
                let mut inner = live.inner.lock().await;
                match hub.commit(&room_id, &mut inner, |room| room.check_answers(seat, round, &answers)).await {
                    Ok(seq) => ServerMsg::Ack { id, seq },
                    Err(message) => ServerMsg::Error { id, message },
                }
            }
            ClientMsg::Say { id, to, kind, text, outcome } => {
                let mut inner = live.inner.lock().await;
                match hub.commit(&room_id, &mut inner, |room| room.check_message(seat, to, kind, &text, outcome.as_ref())).await {
                    Ok(seq) => ServerMsg::Ack { id, seq },
                    Err(message) => ServerMsg::Error { id, message },
                }
            }
        };
        if !say(&reply) {
            break;
        }
    }
    {
        let mut inner = live.inner.lock().await;
        inner.conns.retain(|c| c.id != conn_id);
        inner.announce_presence();
    }
    drop(tx);
    let _ = writer.await;
}

/// Listens for the entries other processes commit. Connected before the server accepts
/// connections, so that no notification after start is missed; after a lost connection it
/// reconnects and catches up every room in memory (notifications meanwhile were lost).
async fn listen_postgres(url: &str) -> Result<sqlx::postgres::PgListener, SettingError> {
    let cannot = |e: sqlx::Error| SettingError::new("database", format!("cannot listen: {e}"));
    let mut l = sqlx::postgres::PgListener::connect(url).await.map_err(cannot)?;
    l.listen(crate::store::CHANNEL).await.map_err(cannot)?;
    Ok(l)
}

async fn follow_postgres(hub: Arc<Hub>, url: String, mut listener: sqlx::postgres::PgListener) {
    loop {
        while let Ok(n) = listener.recv().await {
            for line in n.payload().lines() {
                let mut parts = line.split(' ');
                let (room, seq, origin) = (parts.next(), parts.next().map(str::parse::<u64>), parts.next());
                if origin == Some(hub.store.origin()) {
                    // This process wrote it and has applied it already.
                    continue;
                }
                if let (Some(room), Some(Ok(seq))) = (room, seq) {
                    // Each room catches up on its own, so that a busy room does not hold up
                    // the notifications of the others.
                    let (hub, room) = (hub.clone(), room.to_string());
                    tokio::spawn(async move { hub.notified(&room, seq).await });
                }
            }
        }
        loop {
            tokio::time::sleep(Duration::from_millis(200)).await;
            match listen_postgres(&url).await {
                Ok(l) => {
                    listener = l;
                    break;
                }
                Err(e) => eprintln!("serve: {e}"),
            }
        }
        let ids: Vec<String> = hub.rooms.lock().map(|r| r.keys().cloned().collect()).unwrap_or_default();
        for id in ids {
            hub.notified(&id, 0).await;
        }
    }
}

/// The spec of the demo room: the embedded US–Iran–Pakistan scenario under single text, the
/// mediator seat for the person starting the server, the parties played by agents.
pub fn demo_spec() -> RoomSpec {
    RoomSpec {
        title: "US–Iran talks through Pakistan (demo)".into(),
        domain: crate::domain::DomainSource::Scenario { toml: None, step: None },
        protocol: "single-text".into(),
        parties: vec![Fill::Person, Fill::Agent { name: "conceder".into() }],
        profiles: None,
        mediator: Some(Fill::Person),
        observers: 1,
        steps: 20,
        deadline_secs: None,
        seed: 0,
        editable_preferences: false,
        study: None,
    }
}

/// A server that is listening.
pub struct Running {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The demo room, when one was opened.
    pub demo: Option<Created>,
    /// The admin token, when the server made it (to be printed once).
    pub new_admin_token: Option<String>,
    /// The server; it runs until the process stops.
    pub task: tokio::task::JoinHandle<Result<(), String>>,
}

/// Opens the database, binds the address, opens the demo room if asked and starts serving.
pub async fn start(config: Config) -> Result<Running, crate::Error> {
    let store = Store::open(&config.database).await?;
    let listener = tokio::net::TcpListener::bind(config.addr).await.map_err(|e| SettingError::item("addr", config.addr, e))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let base: Arc<str> = format!("http://{addr}").into();
    let (admin, new_admin_token) = match &config.admin_token {
        Some(t) if t.len() >= 32 => (t.clone(), None),
        Some(_) => return Err(crate::Error::Other("BC_ADMIN_TOKEN: expected at least 32 characters".into())),
        None => {
            let t = token::new_token();
            (t.clone(), Some(t))
        }
    };
    let hub = Arc::new(Hub::new(store.clone(), &admin));
    if store.backend() == Backend::Postgres {
        let l = listen_postgres(store.url()).await?;
        tokio::spawn(follow_postgres(hub.clone(), store.url().to_string(), l));
    }
    // Deadlines of rooms already in the database.
    for (id, deadline) in store.rooms().await? {
        if let Some(d) = deadline {
            hub.schedule_deadline(id, d);
        }
    }
    let demo = if config.demo { Some(hub.create(demo_spec(), &base).await?) } else { None };
    let app = App { hub, base };
    let router = Router::new()
        .route("/api/v1/rooms", post(create_room).get(list_rooms))
        .route("/api/v1/rooms/{id}/events.jsonl", get(export))
        .route("/api/v1/rooms/{id}/report.html", get(report_page))
        .route("/api/v1/rooms/{id}/control", post(control_room))
        .route("/api/v1/rooms/{id}/study.json", get(study_json))
        .route("/api/v1/schema", get(schema))
        .route("/api/v1/ws", get(ws))
        .route("/api/v1/health", get(|| async { "ok" }))
        // The browser pages (room page, set-up page, their assets, the agent list).
        .merge(crate::pages::routes())
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(app);
    // No Nagle delay: a seat's notices are small writes that must leave at once.
    let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
        let _ = tcp.set_nodelay(true);
    });
    let task = tokio::spawn(async move { axum::serve(listener, router).await.map_err(|e| e.to_string()) });
    Ok(Running { addr, demo, new_admin_token, task })
}

/// Runs the server until the process is stopped. Prints where it listens, the admin token
/// (unless given) and the demo room's links.
pub async fn serve(config: Config) -> Result<(), crate::Error> {
    use std::fmt::Write as _;
    use std::io::Write as _;
    let r = start(config).await?;
    // One write, whose failure (a reader that went away) is not the server's: it keeps serving.
    let mut out = format!("listening on http://{}\n", r.addr);
    if let Some(t) = &r.new_admin_token {
        let _ = writeln!(out, "admin token: {t}");
    }
    let _ = writeln!(out, "set up a room in the browser: http://{}/new (it asks for the admin token)", r.addr);
    if let Some(c) = &r.demo {
        let _ = writeln!(
            out,
            "demo room {} (single text on the embedded US–Iran scenario; open the mediator's link and party:0's in two tabs):",
            c.room
        );
        for s in &c.seats {
            match &s.link {
                Some(l) => {
                    let _ = writeln!(out, "  {:<12} {l}", s.seat.to_string());
                }
                None => {
                    let _ = writeln!(out, "  {:<12} built-in agent", s.seat.to_string());
                }
            }
        }
    }
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(out.as_bytes());
    let _ = stdout.flush();
    drop(stdout);
    Ok(r.task.await.map_err(|e| e.to_string())??)
}
