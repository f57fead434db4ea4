//! `backchannel merge DIR...`: shard directories combined into the unsharded run's directory.
//! Records are rewritten row by row in shard order (so Parquet row groups fall where the
//! unsharded run put them), events are concatenated, and statistics are merged exactly; the
//! aggregates, the study's own files (a tournament's `scores.csv`) and the report are then
//! recomputed from the merged statistics. Everything but
//! `run.json` equals the unsharded run's files byte for byte.
//!
//! [`merge`] works on any [`Study`] named by its type; which type a directory holds (its
//! manifest's `kind`) is for the caller to say (bc-studies' `merge_dirs` dispatches the
//! domain studies' kinds).

use std::io::Read;
use std::path::{Path, PathBuf};

use bc_engine::Shard;

use crate::error::{Error, ErrorKind};
use crate::manifest::Manifest;
use crate::records::RecordReader;
use crate::rundir::RunDir;
use crate::study::Study;

/// The manifests of shard directories, checked to be the shards `0..N` of one study, in shard
/// order.
pub fn check_shards(dirs: &[PathBuf]) -> Result<Vec<(PathBuf, Manifest)>, Error> {
    if dirs.is_empty() {
        return Err(Error { kind: ErrorKind::Shards("expected at least one shard directory, found none".into()), path: None });
    }
    let mut shards: Vec<(Shard, PathBuf, Manifest)> = Vec::new();
    for d in dirs {
        let m = Manifest::read(d)?;
        let s = m.shard(&d.join("run.json"))?;
        shards.push((s, d.clone(), m));
    }
    let (_, first_dir, first) = &shards[0];
    let first_dir = first_dir.clone();
    let first = first.clone();
    let count = shards[0].0.count;
    for (s, d, m) in &shards {
        let differs = |what: &str, a: String, b: String| {
            Error::at(
                &d.join("run.json"),
                ErrorKind::Shards(format!(
                    "field \"{what}\": expected {a} (as in {}), found {b}: these directories are not shards of one run",
                    first_dir.display()
                )),
            )
        };
        if m.kind != first.kind {
            return Err(differs("kind", first.kind.clone(), m.kind.clone()));
        }
        if m.seed != first.seed {
            return Err(differs("seed", format!("{:?}", first.seed), format!("{:?}", m.seed)));
        }
        if m.scenario != first.scenario {
            let h = |x: &Option<crate::manifest::ScenarioId>| x.as_ref().map_or("none".to_string(), |s| s.sha256.clone());
            return Err(differs("scenario.sha256", h(&first.scenario), h(&m.scenario)));
        }
        if m.jobs != first.jobs {
            return Err(differs("jobs", first.jobs.to_string(), m.jobs.to_string()));
        }
        if m.columns != first.columns {
            return Err(differs("columns", format!("{} columns", first.columns.len()), format!("{} different columns", m.columns.len())));
        }
        if m.version != first.version {
            return Err(differs("version", first.version.clone(), m.version.clone()));
        }
        if m.concatenated != first.concatenated {
            return Err(differs("concatenated", format!("{:?}", first.concatenated), format!("{:?}", m.concatenated)));
        }
        if s.count != count {
            return Err(differs("shard", format!("a shard of {count}"), m.shard.clone()));
        }
        for key in first.settings.keys().chain(m.settings.keys()) {
            let (a, b) = (first.settings.get(key), m.settings.get(key));
            if a != b {
                let show = |v: Option<&String>| v.map_or("none".to_string(), |v| format!("{v:?}"));
                return Err(differs(&format!("settings.{key}"), show(a), show(b)));
            }
        }
    }
    shards.sort_by_key(|(s, _, _)| s.index);
    for (want, (s, d, _)) in (0..count).zip(&shards) {
        if s.index != want {
            let found = if s.index < want {
                format!("shard {} twice (again in {})", s.index, d.display())
            } else {
                format!("no shard {want}/{count}")
            };
            return Err(Error {
                kind: ErrorKind::Shards(format!("expected shards 0/{count} to {}/{count} once each, found {found}", count - 1)),
                path: None,
            });
        }
    }
    if shards.len() as u64 != count {
        return Err(Error {
            kind: ErrorKind::Shards(format!(
                "expected {count} shard directories (0/{count} to {}/{count}), found {}",
                count - 1,
                shards.len()
            )),
            path: None,
        });
    }
    Ok(shards.into_iter().map(|(_, d, m)| (d, m)).collect())
}

/// Merges the shard directories `dirs` (in any order) of a study of type `S` into `out`.
/// `progress(done)` is called after each shard's records, events and statistics are read.
pub fn merge<S: Study>(dirs: &[PathBuf], out: &Path, mut progress: impl FnMut(u64)) -> Result<PathBuf, Error> {
    let shards = check_shards(dirs)?;
    let first = &shards[0].1;
    if first.kind != S::KIND {
        return Err(Error::invalid(
            &shards[0].0.join("run.json"),
            format!("field \"kind\": expected {:?}, found {:?}", S::KIND, first.kind),
        ));
    }
    let mut manifest = Manifest::start(&first.kind, first.jobs, Shard::ALL);
    manifest.seed = first.seed;
    manifest.scenario = first.scenario.clone();
    manifest.threads = shards.iter().map(|(_, m)| m.threads).max().unwrap_or(0);
    manifest.merged_from = shards.iter().map(|(d, _)| d.display().to_string()).collect();
    manifest.concatenated = first.concatenated.clone();
    manifest.settings = first.settings.clone();
    for name in &first.concatenated {
        if name.contains('/') || name.contains('\\') || name.starts_with('.') || crate::rundir::RESERVED.contains(&name.as_str()) {
            return Err(Error::invalid(
                &shards[0].0.join("run.json"),
                format!("field \"concatenated\": expected plain file names other than the run directory's own, found {name:?}"),
            ));
        }
    }
    let columns = first.columns.clone();
    let dir = RunDir::create(out, manifest)?;
    let mut records = dir.records(columns.clone())?;
    let mut events = dir.events()?;
    let mut study: Option<S> = None;
    let mut buf = vec![0u8; 1 << 16];
    for (done, (d, m)) in (1..).zip(&shards) {
        let mut reader = RecordReader::open(&d.join("records.csv"), &columns)?;
        let mut rows = 0u64;
        while let Some(row) = reader.next_row()? {
            records.write(&row)?;
            rows += 1;
        }
        if rows != m.records {
            return Err(Error::invalid(&d.join("records.csv"), format!("expected {} records (run.json), found {rows}", m.records)));
        }
        let ev = d.join("events.jsonl");
        let mut f = bc_io::read::open(&ev).map_err(|e| Error::io(&ev, e.into_io()))?;
        loop {
            let n = f.read(&mut buf).map_err(|e| Error::io(&ev, e))?;
            if n == 0 {
                break;
            }
            events.write_raw(&buf[..n])?;
        }
        let sp = d.join("stats.json");
        let text = bc_io::read::read_text(&sp).map_err(|e| Error::io(&sp, e.into_io()))?;
        let s: S = serde_json::from_str(&text).map_err(|e| Error::invalid(&sp, format!("line {}: {e}", e.line())))?;
        match &mut study {
            None => study = Some(s),
            Some(acc) => acc.merge(s).map_err(|e| Error::invalid(&sp, e))?,
        }
        progress(done);
    }
    let study = study.ok_or_else(|| Error::usage("no shards"))?;
    if let Some((name, _)) = study.files().into_iter().find(|(name, _)| first.concatenated.iter().any(|c| c == name)) {
        return Err(Error::invalid(
            &shards[0].0.join("run.json"),
            format!("field \"concatenated\": expected files other than the study's own, found {name:?}"),
        ));
    }
    for name in &first.concatenated {
        let mut out_file = dir.file(name)?;
        for (d, _) in &shards {
            let src = d.join(name);
            let mut f = bc_io::read::open(&src).map_err(|e| Error::io(&src, e.into_io()))?;
            loop {
                let n = f.read(&mut buf).map_err(|e| Error::io(&src, e))?;
                if n == 0 {
                    break;
                }
                out_file.write_raw(&buf[..n])?;
            }
        }
        out_file.finish()?;
    }
    dir.finish(records, events, &study)
}
