//! `backchannel tournament --out DIR` as a run directory: the tournament's own `results.csv` and
//! `results.jsonl` plus the run directory's records, statistics (the tournament's scores, from
//! which `scores.csv`, the aggregates and the report are derived); `--dry-run` estimates the
//! work. `results.csv` and `results.jsonl` are listed in the manifest as concatenated files, so
//! `backchannel merge` rebuilds them from the shards (and `scores.csv` from the merged scores).

use std::path::Path;

use anyhow::Result;
use bc_engine::Shard;
use bc_report::manifest::{Manifest, ScenarioId};
use bc_report::rundir::RunDir;
use bc_tournament::Tournament;

/// Starts the run directory at `out`; the tournament's own files go in its `dir()`.
/// `settings` are every setting that changes results and is not in the manifest otherwise
/// (recorded in run.json, compared by `merge`).
pub fn start(
    out: &Path,
    t: &Tournament,
    shard: Shard,
    threads: usize,
    domains: &[std::path::PathBuf],
    settings: &[(&str, String)],
) -> Result<RunDir> {
    let mut m = Manifest::start("tournament", t.n_jobs(), shard);
    m.seed = Some(t.seed);
    // The scenario identity: every domain folder's files, in order, by name and content.
    let mut bytes = Vec::new();
    for d in domains {
        let mut files: Vec<_> = std::fs::read_dir(d)
            .map_err(|e| anyhow::anyhow!("{}: {e}", d.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        for f in files {
            bytes.extend_from_slice(f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default().as_bytes());
            bytes.extend_from_slice(&bc_io::read::read_bytes(&f)?);
        }
    }
    let names: Vec<String> = t.domains.iter().map(|d| d.name.clone()).collect();
    m.scenario = Some(ScenarioId::new(names.join(", "), &bytes));
    m.threads = if threads == 0 { std::thread::available_parallelism().map_or(1, |n| n.get()) } else { threads };
    m.concatenated = vec!["results.csv".into(), "results.jsonl".into()];
    m.settings = settings.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    Ok(RunDir::create(out, m)?)
}

/// Rounds of the negotiations `--dry-run` times (then scales to `--steps`).
const DRY_RUN_STEPS: u64 = 1_000;

/// `--dry-run`: times real negotiations, of at most [`DRY_RUN_STEPS`] rounds (scaled to
/// `--steps`), and prints the estimate; `t.n_steps` is lowered for the calibration.
pub fn dry_run(t: &mut Tournament, shard: Shard, threads: usize) -> Result<()> {
    let columns = bc_report::tournament::columns(&t.spec());
    let scale = crate::scale::ScaleArgs { out: None, shard, dry_run: true, quiet: true, force: false };
    let steps = t.n_steps;
    t.n_steps = steps.min(DRY_RUN_STEPS);
    let factor = (steps as f64 / t.n_steps as f64, format!("negotiations of {} rounds", t.n_steps));
    let t = &*t;
    crate::scale::print_dry_run_scaled(&scale, "tournament", "negotiations", t.n_jobs(), threads, &columns, Some(factor), |i| {
        vec![bc_report::tournament::cells(t, &t.run_job(i))]
    })
}
