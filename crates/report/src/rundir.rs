//! A run directory (`--out DIR`): files are written in `DIR.incomplete` and the directory is
//! renamed to `DIR` once everything is on disk, with `run.json` written last. A run that fails
//! removes its `DIR.incomplete`; a run that is killed leaves it, clearly named.

use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorKind};
use crate::events::EventWriter;
use crate::manifest::{now_rfc3339, Manifest};
use crate::records::{Column, RecordWriter};
use crate::study::{ReportInfo, Study};

/// The files every run directory has.
pub const RESERVED: [&str; 7] =
    ["run.json", "records.csv", "records.parquet", "events.jsonl", "stats.json", "aggregates.json", "report.html"];

/// A run directory being written.
pub struct RunDir {
    path: PathBuf,
    tmp: PathBuf,
    manifest: Manifest,
    done: bool,
}

/// The name of the directory a run writes in before it is complete.
pub fn incomplete_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_else(|| "run".into());
    name.push(".incomplete");
    path.with_file_name(name)
}

impl RunDir {
    /// Starts a run directory at `path` (which must not exist, or be an empty directory).
    pub fn create(path: &Path, manifest: Manifest) -> Result<RunDir, Error> {
        if path.as_os_str().is_empty() || path.file_name().is_none() {
            let e = bc_io::SettingError::new("out", format!("expected a directory name, found {:?}", path.display().to_string()));
            return Err(Error { kind: ErrorKind::Setting(e), path: None });
        }
        if let Ok(m) = std::fs::symlink_metadata(path) {
            if !m.is_dir() {
                let what = if m.file_type().is_symlink() { "a symbolic link" } else { "a file" };
                return Err(Error::invalid(path, format!("expected a new or empty directory, found {what} (left untouched)")));
            }
        }
        match std::fs::read_dir(path) {
            Ok(mut entries) => {
                if entries.next().is_some() {
                    return Err(Error::at(path, ErrorKind::OutputExists));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) if path.exists() => {
                return Err(Error::invalid(path, format!("expected a new or empty directory, found something else ({e})")))
            }
            Err(e) => return Err(Error::io(path, e)),
        }
        let tmp = incomplete_path(path);
        if tmp.exists() {
            return Err(Error::invalid(&tmp, "exists: another run may be writing there, or one was killed (remove it to start again)"));
        }
        std::fs::create_dir_all(&tmp).map_err(|e| Error::io(&tmp, e))?;
        Ok(RunDir { path: path.to_path_buf(), tmp, manifest, done: false })
    }

    /// Where files are being written now.
    pub fn dir(&self) -> &Path {
        &self.tmp
    }

    /// The manifest so far.
    pub fn manifest_mut(&mut self) -> &mut Manifest {
        &mut self.manifest
    }

    /// Opens the record files for rows of `columns`.
    pub fn records(&self, columns: Vec<Column>) -> Result<RecordWriter, Error> {
        RecordWriter::create(&self.tmp, columns)
    }

    /// Opens the event file.
    pub fn events(&self) -> Result<EventWriter, Error> {
        EventWriter::create(&self.tmp)
    }

    /// Opens one of the study's own files (a concatenated file such as a tournament's
    /// `results.csv`), written like the event file.
    pub fn file(&self, name: &str) -> Result<EventWriter, Error> {
        EventWriter::named(&self.tmp, name)
    }

    /// Closes records and events, writes `stats.json`, `aggregates.json`, the study's own
    /// [`Study::files`], `report.html` and finally `run.json`, and renames the directory to its final name, which it returns.
    pub fn finish<S: Study>(mut self, records: RecordWriter, events: EventWriter, study: &S) -> Result<PathBuf, Error> {
        self.manifest.columns = records.columns().to_vec();
        self.manifest.records = records.finish()?;
        events.finish()?;
        write_json(&self.tmp.join("stats.json"), &serde_json::to_value(study).map_err(|e| Error::usage(e.to_string()))?)?;
        write_json(&self.tmp.join("aggregates.json"), &study.aggregates())?;
        for (name, text) in study.files() {
            write_file(&self.tmp.join(name), text.as_bytes())?;
        }
        let info = ReportInfo::from_manifest(&self.manifest);
        let page = crate::html::page(&study.title(&info), &study.report(&info), &info);
        write_file(&self.tmp.join("report.html"), page.as_bytes())?;
        self.manifest.finished = Some(now_rfc3339());
        write_json(&self.tmp.join("run.json"), &serde_json::to_value(&self.manifest).map_err(|e| Error::usage(e.to_string()))?)?;
        if self.path.exists() {
            // An empty directory given as --out: rename replaces it.
            std::fs::remove_dir(&self.path).map_err(|e| Error::io(&self.path, e))?;
        }
        std::fs::rename(&self.tmp, &self.path).map_err(|e| Error::io(&self.path, e))?;
        self.done = true;
        Ok(self.path.clone())
    }
}

impl Drop for RunDir {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_dir_all(&self.tmp);
        }
    }
}

/// Writes pretty JSON with a trailing newline.
pub fn write_json(path: &Path, value: &serde_json::Value) -> Result<(), Error> {
    let mut text = serde_json::to_string_pretty(value).map_err(|e| Error::invalid(path, e.to_string()))?;
    text.push('\n');
    write_file(path, text.as_bytes())
}

/// Writes a new file through the one write path (`bc_io::write`: synced, never replacing).
fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    bc_io::write::write_file(path, bytes, bc_io::write::Overwrite::Refuse).map_err(|e| Error::io(path, e.into_io()))
}
