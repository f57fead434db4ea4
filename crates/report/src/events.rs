//! `events.jsonl`: one JSON object per line, written as events happen (a run's strikes,
//! agreements, deliveries…), so that memory stays flat however many runs there are.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::Error;

/// Writes events as JSON lines.
pub struct EventWriter {
    path: PathBuf,
    out: BufWriter<File>,
    lines: u64,
}

impl EventWriter {
    /// Creates `events.jsonl` in `dir`.
    pub fn create(dir: &Path) -> Result<EventWriter, Error> {
        EventWriter::named(dir, "events.jsonl")
    }

    /// Creates the file `name` in `dir` (a run directory being written, which is renamed into
    /// place whole): the writer of events and of a study's concatenated files.
    pub fn named(dir: &Path, name: &str) -> Result<EventWriter, Error> {
        let path = dir.join(name);
        let file = File::create(&path).map_err(|e| Error::io(&path, e))?;
        Ok(EventWriter { path, out: BufWriter::new(file), lines: 0 })
    }

    /// Writes one event as a line of JSON.
    pub fn write(&mut self, event: &impl Serialize) -> Result<(), Error> {
        serde_json::to_writer(&mut self.out, event)
            .map_err(|e| Error::invalid(&self.path, format!("an event that cannot be written as JSON: {e}")))?;
        self.out.write_all(b"\n").map_err(|e| Error::io(&self.path, e))?;
        self.lines += 1;
        Ok(())
    }

    /// Appends lines that are already JSON (used to merge shards).
    pub fn write_raw(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.out.write_all(bytes).map_err(|e| Error::io(&self.path, e))
    }

    /// Lines written.
    pub fn lines(&self) -> u64 {
        self.lines
    }

    /// Flushes and closes the file.
    pub fn finish(mut self) -> Result<u64, Error> {
        self.out.flush().map_err(|e| Error::io(&self.path, e))?;
        // On disk before the run directory is renamed into place.
        self.out.get_ref().sync_all().map_err(|e| Error::io(&self.path, e))?;
        Ok(self.lines)
    }
}
