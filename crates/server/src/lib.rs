//! Live negotiation rooms (`backchannel serve`): a room is the fold of an append-only log of
//! entries kept in SQLite or PostgreSQL; people, built-in agents and programs in any language
//! fill its seats and talk JSON over a WebSocket; every event leaves through the protocol's
//! visibility rule, so no seat learns what the protocol hides from it. See `docs/serve.md`.

pub mod domain;
pub mod pages;
pub mod points;
pub mod report;
pub mod room;
pub mod server;
pub mod store;
pub mod study;
pub mod token;
pub mod wire;

use std::fmt;
use std::path::Path;

pub use room::{Action, Entry, Fill, Room, RoomSpec, Seat};
pub use server::{serve, start, Config, Created, Running};

/// Why starting the server or exporting a room failed: a setting refused, named as this crate
/// names it (`database`, `addr`, `out`; the command line says it with its flag), or another
/// failure, said in words.
#[derive(Debug)]
pub enum Error {
    /// A setting is refused (`database: expected a URL …`).
    Setting(bc_io::SettingError),
    /// Anything else.
    Other(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Setting(e) => write!(f, "{e}"),
            Error::Other(s) => f.write_str(s),
        }
    }
}

impl std::error::Error for Error {}

impl From<String> for Error {
    fn from(s: String) -> Error {
        Error::Other(s)
    }
}

impl From<bc_io::SettingError> for Error {
    fn from(e: bc_io::SettingError) -> Error {
        Error::Setting(e)
    }
}

impl From<bc_report::Error> for Error {
    fn from(e: bc_report::Error) -> Error {
        match e {
            bc_report::Error { kind: bc_report::ErrorKind::Setting(s), path: None } => Error::Setting(s),
            e => Error::Other(e.to_string()),
        }
    }
}

/// The final state of a replayed log.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Summary {
    /// The room's id.
    pub room: String,
    /// Number of entries.
    pub entries: u64,
    /// The protocol.
    pub protocol: String,
    /// How the talks ended (null: still running).
    pub ending: Option<String>,
    /// The agreed package.
    pub agreement: Option<std::collections::BTreeMap<String, String>>,
    /// The agreement's outcome index.
    pub agreement_index: Option<u64>,
    /// The step count.
    pub step: u64,
    /// Every protocol event, as the analyst sees them.
    pub events: Vec<wire::WireEvent>,
    /// Study mode: every round started, with its seed and how it ended.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rounds: Vec<study::RoundRecord>,
}

/// The summary of a room.
pub fn summary(room: &Room) -> Summary {
    let ending = room.ending();
    Summary {
        room: room.id.clone(),
        entries: room.next_seq(),
        protocol: room.kind.name().to_string(),
        ending: ending.as_ref().map(|e| e.name().to_string()),
        agreement: ending.as_ref().and_then(|e| e.agreement()).map(|k| room.domain.render(k)),
        agreement_index: ending.as_ref().and_then(|e| e.agreement()),
        step: room.step(),
        events: room.events().iter().map(|l| wire::render_event(room, &l.event)).collect(),
        rounds: room.study().map(|s| s.played().to_vec()).unwrap_or_default(),
    }
}

/// Reads a room's exported log (`events.jsonl`: one entry per line, as stored) through the one
/// bounded read path: each entry with its line as written. Errors name the file and the line.
pub fn read_log(path: &Path) -> Result<Vec<(Entry, String)>, String> {
    let mut out = Vec::new();
    // bc-io's errors name the file themselves.
    for line in bc_io::read::lines(path).map_err(|e| e.to_string())? {
        let (n, text) = line.map_err(|e| e.to_string())?;
        if text.trim().is_empty() {
            continue;
        }
        let e: Entry = serde_json::from_str(&text).map_err(|e| format!("{}:{n}: not a room entry: {e}", path.display()))?;
        out.push((e, text));
    }
    Ok(out)
}

/// Folds a room's exported log ([`read_log`]).
pub fn replay(path: &Path) -> Result<Room, String> {
    let entries: Vec<Entry> = read_log(path)?.into_iter().map(|(e, _)| e).collect();
    Room::fold(&entries).map_err(|e| format!("{}: {e}", path.display()))
}
