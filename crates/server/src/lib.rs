//! Live negotiation rooms (`backchannel serve`): a room is the fold of an append-only log of
//! entries kept in SQLite or PostgreSQL; people, built-in agents and programs in any language
//! fill its seats and talk JSON over a WebSocket; every event leaves through the protocol's
//! visibility rule, so no seat learns what the protocol hides from it. See `docs/serve.md`.

pub mod domain;
pub mod pages;
pub mod report;
pub mod room;
pub mod server;
pub mod store;
pub mod token;
pub mod wire;

use std::path::Path;

pub use room::{Action, Entry, Fill, Room, RoomSpec, Seat};
pub use server::{serve, start, Config, Created, Running};

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
    }
}

/// Folds a room's exported log (`events.jsonl`: one entry per line, as stored) read through
/// the one bounded read path. Errors name the line.
pub fn replay(path: &Path) -> Result<Room, String> {
    let mut entries = Vec::new();
    for line in bc_io::read::lines(path).map_err(|e| format!("{}: {e}", path.display()))? {
        let (n, text) = line.map_err(|e| format!("{}: {e}", path.display()))?;
        if text.trim().is_empty() {
            continue;
        }
        let e: Entry = serde_json::from_str(&text).map_err(|e| format!("{}:{n}: not a room entry: {e}", path.display()))?;
        entries.push(e);
    }
    Room::fold(&entries).map_err(|e| format!("{}: {e}", path.display()))
}
