//! `backchannel merge DIR...` over the domain studies: a run directory's kind (its manifest's
//! `kind`) picks the statistics type, and bc-report's generic [`bc_report::merge::merge`] does
//! the rest (records, events, statistics, aggregates, report).

use std::path::{Path, PathBuf};

use bc_diplomacy::forecast::Aggregate;
use bc_diplomacy::gsa::{DiscoverData, SensitivityData};
use bc_report::manifest::Manifest;
use bc_report::merge::merge;
use bc_report::study::Study;
use bc_report::{Error, ErrorKind};
use bc_tournament::Scores;

use crate::sweep::SweepStudy;
use crate::Stats;

/// Merges shard directories of any study kind this crate knows (read from the first one's
/// manifest): `run`, `tournament`, `sweep`, `sensitivity`, `discover`. `progress(done)` counts
/// the shards read.
pub fn merge_dirs(dirs: &[PathBuf], out: &Path, progress: impl FnMut(u64)) -> Result<PathBuf, Error> {
    let first = dirs
        .first()
        .ok_or_else(|| Error { kind: ErrorKind::Shards("expected at least one shard directory, found none".into()), path: None })?;
    let m = Manifest::read(first)?;
    match m.kind.as_str() {
        <Stats<Aggregate> as Study>::KIND => merge::<Stats<Aggregate>>(dirs, out, progress),
        <Stats<Scores> as Study>::KIND => merge::<Stats<Scores>>(dirs, out, progress),
        SweepStudy::KIND => merge::<SweepStudy>(dirs, out, progress),
        <Stats<SensitivityData> as Study>::KIND => merge::<Stats<SensitivityData>>(dirs, out, progress),
        <Stats<DiscoverData> as Study>::KIND => merge::<Stats<DiscoverData>>(dirs, out, progress),
        other => Err(Error::invalid(
            &first.join("run.json"),
            format!("field \"kind\": expected one of run, tournament, sweep, sensitivity, discover, found {other:?}"),
        )),
    }
}
