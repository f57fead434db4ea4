//! The one runner of every study (`bc_engine::Study`: a forecast, a tournament, a sweep, a
//! stakeholder run): this invocation's shard of the jobs, the progress bar, the run directory
//! (manifest, records, events, the study's concatenated files, statistics, aggregates, report)
//! when `--out` is given, and the `--dry-run` estimate. Nothing here knows the domain: the
//! study renders its rows and events, its statistics render their report (`crate::study::Study`).

use std::path::PathBuf;
use std::time::Duration;

use bc_engine::{Job, Shard, Study};

use crate::error::Error;
use crate::manifest::{Manifest, ScenarioId};
use crate::progress::Progress;
use crate::rundir::RunDir;

/// How to run a study: the flags every long command shares, and what its manifest records.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    /// The run directory to write (`--out`), if any.
    pub out: Option<PathBuf>,
    /// This invocation's shard of the jobs (`--shard`).
    pub shard: Shard,
    /// Worker threads (`--threads`, 0 = one per core).
    pub threads: usize,
    /// No progress bar (`--quiet`).
    pub quiet: bool,
    /// The master seed, for the manifest.
    pub seed: Option<u64>,
    /// The scenario's identity, for the manifest.
    pub scenario: Option<ScenarioId>,
    /// Every setting that changes results and is not in the manifest otherwise (`merge` refuses
    /// shards whose settings differ).
    pub settings: Vec<(String, String)>,
}

impl Plan {
    /// The manifest of a study of `kind` with `jobs` jobs run under this plan: the one place
    /// a manifest is filled in.
    pub fn manifest(&self, kind: &str, jobs: u64) -> Manifest {
        let mut m = Manifest::start(kind, jobs, self.shard);
        m.seed = self.seed;
        m.scenario = self.scenario.clone();
        m.threads = bc_io::limits::worker_threads(self.threads);
        m.settings = self.settings.iter().cloned().collect();
        m
    }

    /// The threads a study runs its jobs on.
    fn threads_for<S: Study>(&self, study: &S) -> usize {
        if study.parallel() {
            self.threads
        } else {
            1
        }
    }
}

/// Runs this invocation's shard of `study`, writing the run directory when the plan has
/// `--out`, and returns the statistics of the jobs run. `each` sees every job's record in job
/// order (a command that prints per-job lines keeps what it needs); an error it returns stops
/// the run (and removes the unfinished directory).
pub fn run<S>(study: &S, plan: &Plan, each: impl FnMut(u64, &S::Record) -> Result<(), Error>) -> Result<S::Stats, Error>
where
    S: Study,
    S::Stats: crate::study::Study,
{
    Ok(run_concluding(study, plan, each, |_| Ok(()))?.0)
}

/// Like [`run`], with `conclude` computed from the statistics before the run directory is
/// finished: an error it returns leaves no directory (e.g. a study whose analysis fails).
pub fn run_concluding<S, T>(
    study: &S,
    plan: &Plan,
    mut each: impl FnMut(u64, &S::Record) -> Result<(), Error>,
    conclude: impl FnOnce(&S::Stats) -> Result<T, Error>,
) -> Result<(S::Stats, T), Error>
where
    S: Study,
    S::Stats: crate::study::Study,
{
    let range = plan.shard.range(study.jobs());
    let (unit, per) = study.progress_unit();
    let bar = Progress::new((range.end - range.start).saturating_mul(per), unit, plan.quiet);
    let mut stats = study.stats(range.start);
    let threads = plan.threads_for(study);
    let own = study.concatenated();
    let mut writing = match &plan.out {
        None => None,
        Some(out) => {
            let mut manifest = plan.manifest(study.kind(), study.jobs());
            manifest.concatenated = own.iter().map(|(name, _)| (*name).to_string()).collect();
            let dir = RunDir::create(out, manifest)?;
            let records = dir.records(study.columns())?;
            let events = dir.events()?;
            let mut files = Vec::with_capacity(own.len());
            for (name, header) in &own {
                let mut f = dir.file(name)?;
                if range.start == 0 {
                    f.write_raw(header.as_bytes())?;
                }
                files.push(f);
            }
            Some((dir, records, events, files))
        }
    };
    bc_engine::run_study(
        study,
        range,
        threads,
        writing.is_some(),
        |i, job: Job<S::Record>| {
            if let Some((_, records, events, files)) = &mut writing {
                for row in &job.rows {
                    records.write(row)?;
                }
                for line in &job.events {
                    events.write_raw(line.as_bytes())?;
                    events.write_raw(b"\n")?;
                }
                for (f, text) in files.iter_mut().zip(&job.files) {
                    f.write_raw(text.as_bytes())?;
                }
            }
            each(i, &job.record)?;
            study.fold(&mut stats, &job.record);
            Ok::<(), Error>(())
        },
        |done| bar.set(done.saturating_mul(per)),
    )?;
    bar.finish();
    let concluded = conclude(&stats)?;
    if let Some((dir, records, events, files)) = writing {
        for f in files {
            f.finish()?;
        }
        dir.finish(records, events, &stats)?;
    }
    Ok((stats, concluded))
}

/// `--dry-run`: times real jobs of this invocation's shard on this thread for about half a
/// second (a smaller study when the study offers one, [`Study::calibration`], scaled back), and
/// returns the estimate for the shard on the plan's threads with the output's size.
pub fn dry_run<S: Study>(study: &S, plan: &Plan) -> String {
    use crate::estimate;
    let range = plan.shard.range(study.jobs());
    let calibration = study.calibration();
    let (timed, factor) = match &calibration {
        Some((small, factor, what)) => (small, Some((*factor, what.clone()))),
        None => (study, None),
    };
    let mut scratch = timed.scratch();
    let (n, mut per, rows) =
        estimate::calibrate(Duration::from_millis(500), range.end - range.start, |i| timed.run(&mut scratch, range.start + i, true).rows);
    if let Some((f, _)) = &factor {
        per *= f.max(1.0);
    }
    let columns = study.columns();
    let bytes = estimate::bytes_per_row(&columns, &rows);
    let rows_per_job = if n == 0 { 1.0 } else { rows.len() as f64 / n as f64 };
    let threads = bc_io::limits::worker_threads(plan.threads_for(study));
    let e = estimate::estimate(
        study.kind(),
        study.unit(),
        study.jobs(),
        range.end - range.start,
        &plan.shard.to_string(),
        threads,
        (n, per),
        bytes,
        rows_per_job,
    );
    let mut text = e.text();
    if let Some((f, what)) = factor.filter(|(f, _)| *f > 1.0) {
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&format!("  note:    timed on {what} and scaled by {f:.0} (an estimate proportional to the job's size)\n"));
    }
    text
}
