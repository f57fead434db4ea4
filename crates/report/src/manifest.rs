//! `run.json`: what produced a run directory (command line, version, git revision, seed,
//! scenario hash, threads, shard, start and end time) and how to read its records. It is the only
//! file of a run directory that holds times or the git revision.

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use bc_engine::Shard;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::Error;
use crate::records::Column;

/// The manifest's format version.
pub const FORMAT: u32 = 1;

/// The git revision this binary was built from (`-dirty` when the tree had changes), or
/// "unknown" when it was built outside a git checkout.
pub const GIT_REVISION: &str = env!("BC_GIT_REVISION");

/// The scenario a run used: its name and the SHA-256 of its canonical bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioId {
    /// A name for people (file name or embedded scenario name).
    pub name: String,
    /// Lower-case hex SHA-256 of the scenario's canonical bytes.
    pub sha256: String,
}

impl ScenarioId {
    /// Names a scenario by `name` and hashes its canonical `bytes`.
    pub fn new(name: impl Into<String>, bytes: &[u8]) -> ScenarioId {
        ScenarioId { name: name.into(), sha256: sha256_hex(bytes) }
    }
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The manifest of a run directory.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: u32,
    /// Which study wrote the directory (`run`, `tournament`, `sweep`, `stakeholders`).
    pub kind: String,
    /// The command line, program name first.
    pub command: Vec<String>,
    /// backchannel's version.
    pub version: String,
    /// [`GIT_REVISION`] of the binary that wrote the directory.
    pub git_revision: String,
    /// The master seed, where the study has one.
    pub seed: Option<u64>,
    /// The scenario, where the study has one.
    pub scenario: Option<ScenarioId>,
    /// Worker threads used.
    pub threads: usize,
    /// Jobs (runs, negotiations, sweep points) of the whole, unsharded study.
    pub jobs: u64,
    /// This directory's share of them, `i/N` (`0/1` for the whole study).
    pub shard: String,
    /// The jobs this directory holds, `[start, end)`.
    pub job_range: [u64; 2],
    /// Rows in `records.csv` / `records.parquet`.
    pub records: u64,
    /// The records' columns.
    pub columns: Vec<Column>,
    /// When the run started (RFC 3339, UTC).
    pub started: String,
    /// When it finished (RFC 3339, UTC).
    pub finished: Option<String>,
    /// Further files of the directory that shards write so that they concatenate, in shard
    /// order, to the unsharded run's (e.g. a command's own CSV with its header in shard 0 only);
    /// `merge` concatenates them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub concatenated: Vec<String>,
    /// For a merged directory: the shard directories it was merged from, in shard order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub merged_from: Vec<String>,
    /// Every setting that changes results and is not recorded above (e.g. a tournament's
    /// `semantics`, `ignore_discount`, protocol, steps), as `name: value`; `merge` refuses
    /// shards whose settings differ.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub settings: std::collections::BTreeMap<String, String>,
}

impl Manifest {
    /// A manifest for a study of `kind` starting now, with the process's command line.
    pub fn start(kind: &str, jobs: u64, shard: Shard) -> Manifest {
        let range = shard.range(jobs);
        Manifest {
            format: FORMAT,
            kind: kind.to_string(),
            command: std::env::args().collect(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            git_revision: GIT_REVISION.to_string(),
            seed: None,
            scenario: None,
            threads: 0,
            jobs,
            shard: shard.to_string(),
            job_range: [range.start, range.end],
            records: 0,
            columns: Vec::new(),
            started: now_rfc3339(),
            finished: None,
            concatenated: Vec::new(),
            merged_from: Vec::new(),
            settings: Default::default(),
        }
    }

    /// The shard this directory holds.
    pub fn shard(&self, path: &Path) -> Result<Shard, Error> {
        self.shard.parse().map_err(|e: String| Error::invalid(path, format!("field \"shard\": {e}")))
    }

    /// Reads `DIR/run.json`.
    pub fn read(dir: &Path) -> Result<Manifest, Error> {
        let path = dir.join("run.json");
        let text = bc_io::read::read_text(&path).map_err(|e| e.into_io()).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                Error::invalid(&path, "expected the manifest of a finished run directory (written last by `--out`), found no run.json")
            } else {
                Error::io(&path, e)
            }
        })?;
        let m: Manifest = serde_json::from_str(&text).map_err(|e| Error::invalid(&path, format!("line {}: {e}", e.line())))?;
        if m.format != FORMAT {
            return Err(Error::invalid(&path, format!("field \"format\": expected {FORMAT}, found {}", m.format)));
        }
        Ok(m)
    }
}

/// The current time as RFC 3339 in UTC, to the second (`1970-01-01T00:00:00Z`).
pub fn now_rfc3339() -> String {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    rfc3339(secs)
}

/// Seconds since the Unix epoch as RFC 3339 in UTC.
pub fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
    }

    #[test]
    fn sha256_of_abc() {
        // FIPS 180-2, appendix B.1.
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
