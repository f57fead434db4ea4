//! Flags shared by the long commands (`run`, `tournament`, `sweep`, `stakeholders`, `sensitivity`,
//! `discover`): the run directory (`--out`), the shard (`--shard i/N`), `--dry-run` and
//! `--quiet`, with the helpers that act on them. A command adds them with
//! `#[command(flatten)] scale: ScaleArgs`.

use std::path::PathBuf;

use bc_engine::Shard;
use bc_report::progress::Progress;

/// `--out`, `--shard`, `--dry-run`, `--quiet`.
#[derive(clap::Args, Clone, Debug)]
pub struct ScaleArgs {
    /// Write a run directory: run.json (provenance), records.csv and records.parquet (one row
    /// per job), events.jsonl, stats.json, aggregates.json and report.html.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Run only shard i of N (0-based), e.g. `--shard $SLURM_ARRAY_TASK_ID/$N`; combine the
    /// shards' directories with `backchannel merge`.
    #[arg(long, value_name = "i/N", default_value = "0/1")]
    pub shard: Shard,
    /// Print an estimate of the work (jobs, time from a short calibration, output size) and
    /// exit without running.
    #[arg(long)]
    pub dry_run: bool,
    /// No progress bar (it is also hidden when standard error is not a terminal).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Allow more than 4 worker threads per core with --threads (up to 1024; docs/limits.md).
    #[arg(long)]
    pub force: bool,
}

impl ScaleArgs {
    /// A progress bar for `total` jobs described by `what`.
    pub fn progress(&self, total: u64, what: &str) -> Progress {
        Progress::new(total, what, self.quiet)
    }

    /// Checks `--threads` against the limit (4 per core, or 1024 with `--force`).
    pub fn check_threads(&self, threads: usize) -> anyhow::Result<()> {
        bc_io::limits::check_threads(threads, self.force).map_err(anyhow::Error::msg)
    }

    /// An error unless the whole study is run (for commands whose output cannot be sharded
    /// without `--out`).
    pub fn require_out_for_shard(&self) -> anyhow::Result<()> {
        if self.shard != Shard::ALL && self.out.is_none() {
            anyhow::bail!(
                "--shard {}: expected --out DIR as well (a shard's results are only useful as a run directory to merge)",
                self.shard
            );
        }
        Ok(())
    }
}

/// `--dry-run`: times `job(i)` (which returns the records job `i` would write) for about half a
/// second on this thread, then prints the estimate for `total` jobs of `unit` on `threads`
/// threads (0 = one per core) and the output's size. One job must itself be short (bounded by
/// the scenario, not by a flag); see [`print_dry_run_scaled`] otherwise.
pub fn print_dry_run(
    args: &ScaleArgs,
    command: &str,
    unit: &str,
    total: u64,
    threads: usize,
    columns: &[bc_report::records::Column],
    job: impl FnMut(u64) -> Vec<Vec<bc_report::records::Cell>>,
) -> anyhow::Result<()> {
    print_dry_run_scaled(args, command, unit, total, threads, columns, None, job)
}

/// Like [`print_dry_run`] for jobs whose size is a flag (`sweep --runs`, `tournament
/// --steps`): `job(i)` runs a small, fixed sample of job `i` (e.g. 8 runs of a point instead of
/// `--runs`), and `scale = Some((factor, what))` says how many times longer the real job is
/// (`what` says so in words), so the dry run stays short whatever the flags.
#[allow(clippy::too_many_arguments)]
pub fn print_dry_run_scaled(
    args: &ScaleArgs,
    command: &str,
    unit: &str,
    total: u64,
    threads: usize,
    columns: &[bc_report::records::Column],
    scale: Option<(f64, String)>,
    job: impl FnMut(u64) -> Vec<Vec<bc_report::records::Cell>>,
) -> anyhow::Result<()> {
    use bc_report::estimate;
    let jobs = args.shard.range(total);
    let (n, mut per, rows) = estimate::calibrate(std::time::Duration::from_millis(500), jobs.end - jobs.start, job);
    if let Some((factor, _)) = &scale {
        per *= factor.max(1.0);
    }
    let bytes = estimate::bytes_per_row(columns, &rows);
    let rows_per_job = if n == 0 { 1.0 } else { rows.len() as f64 / n as f64 };
    let threads = if threads == 0 { std::thread::available_parallelism().map_or(1, |n| n.get()) } else { threads };
    let e =
        estimate::estimate(command, unit, total, jobs.end - jobs.start, &args.shard.to_string(), threads, (n, per), bytes, rows_per_job);
    let mut text = e.text();
    if let Some((factor, what)) = scale.filter(|(f, _)| *f > 1.0) {
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&format!("  note:    timed on {what} and scaled by {factor:.0} (an estimate proportional to the job's size)\n"));
    }
    crate::output::print_text(&text)
}
