//! Flags shared by the commands, each block declared once and added with `#[command(flatten)]`:
//! [`ScaleArgs`] (`--out`, `--shard`, `--dry-run`, `--quiet`, `--force`) of the long commands,
//! [`ScenarioArgs`] (the scenario file and `--variant`) and [`SeedArgs`] (`--seed`,
//! `--threads`) of the backchannel-model commands; and the hand-over of these flags to
//! bc-report's study runner ([`ScaleArgs::plan`]).

use std::path::PathBuf;

use anyhow::Result;
use bc_diplomacy::Scenario;
use bc_engine::Shard;
use bc_report::manifest::ScenarioId;
use bc_report::progress::Progress;
use bc_report::runner::Plan;

/// `--out`, `--shard`, `--dry-run`, `--quiet`, `--force`.
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
    /// Allow more than 4 worker threads per core with --threads (up to 1024; docs/limits.md);
    /// `tournament --rescore`: replace an existing --out/scores.csv.
    #[arg(long)]
    pub force: bool,
}

impl ScaleArgs {
    /// A progress bar for `total` jobs described by `what`.
    pub fn progress(&self, total: u64, what: &str) -> Progress {
        Progress::new(total, what, self.quiet)
    }

    /// Checks `--threads` against the limit (4 per core, or 1024 with `--force`).
    pub fn check_threads(&self, threads: usize) -> Result<()> {
        bc_io::limits::check_threads(threads, self.force).map_err(anyhow::Error::msg)
    }

    /// An error unless the whole study is run (for commands whose output cannot be sharded
    /// without `--out`).
    pub fn require_out_for_shard(&self) -> Result<()> {
        if self.shard != Shard::ALL && self.out.is_none() {
            anyhow::bail!(
                "--shard {}: expected --out DIR as well (a shard's results are only useful as a run directory to merge)",
                self.shard
            );
        }
        Ok(())
    }

    /// The analysis of the data a run directory holds (`sensitivity`'s indices, `discover`'s
    /// boxes): the whole study's must succeed, as without `--out` (an error leaves no
    /// directory); a shard's runs alone may give none, `None` (its directory is written all the
    /// same: merged with the others it gives the study's; see [`ScaleArgs::note_no_analysis`]).
    /// A setting the analysis refuses is said with its flag (`crate::flags`).
    pub fn shard_analysis<R, E: Into<anyhow::Error>>(&self, analysis: Result<R, E>) -> Result<Option<R>, bc_report::Error> {
        match analysis {
            Ok(r) => Ok(Some(r)),
            Err(e) if self.shard == Shard::ALL => Err(bc_report::Error::usage(crate::flags::message(&e.into()))),
            Err(_) => Ok(None),
        }
    }

    /// Says on standard error (unless `--quiet`) that this shard's directory is written but its
    /// runs alone give no `what`.
    pub fn note_no_analysis(&self, what: &str) {
        if !self.quiet {
            let out = self.out.as_deref().unwrap_or(std::path::Path::new("")).display();
            eprintln!("shard {} written to {out}; its runs alone give no {what}: merge the shards with `backchannel merge`", self.shard);
        }
    }

    /// These flags handed to the study runner, with the manifest's seed, threads and scenario.
    pub fn plan(&self, seed: Option<u64>, threads: usize, scenario: Option<ScenarioId>) -> Plan {
        Plan { out: self.out.clone(), shard: self.shard, threads, quiet: self.quiet, seed, scenario, settings: Vec::new() }
    }
}

/// The scenario of the backchannel-model commands (`run`, `sweep`, `sensitivity`,
/// `discover`, `trace`).
#[derive(clap::Args, Clone, Debug)]
pub struct ScenarioArgs {
    /// Scenario file (TOML); the embedded default (US–Iran via Pakistan) when omitted.
    #[arg(value_name = "SCENARIO.toml")]
    pub scenario: Option<PathBuf>,
    /// A named variant of the scenario (e.g. direct, discreet, grand_bargain).
    #[arg(long, value_name = "NAME")]
    pub variant: Option<String>,
}

impl ScenarioArgs {
    /// The checked scenario (the default when none is named), with its variant applied.
    pub fn load(&self) -> Result<Scenario> {
        let s = match &self.scenario {
            Some(p) => Scenario::load(p)?,
            None => Scenario::default_scenario()?,
        };
        Ok(match &self.variant {
            Some(v) => s.variant(v)?,
            None => s,
        })
    }

    /// The scenario file's text, its name for messages and the folder its paths are relative to.
    pub fn text(&self) -> Result<(String, String, PathBuf)> {
        Ok(match &self.scenario {
            Some(p) => (bc_io::read::read_text(p)?, p.display().to_string(), p.parent().map(PathBuf::from).unwrap_or_default()),
            None => {
                (bc_diplomacy::scenario::DEFAULT_TOML.to_string(), bc_diplomacy::scenario::DEFAULT_SOURCE.to_string(), PathBuf::from("."))
            }
        })
    }

    /// The scenario's identity in a manifest: its file's bytes (or the embedded default's) and
    /// the variant.
    pub fn id(&self) -> Result<ScenarioId> {
        let bytes = match &self.scenario {
            Some(p) => bc_io::read::read_bytes(p)?,
            None => bc_diplomacy::scenario::DEFAULT_TOML.as_bytes().to_vec(),
        };
        let name = self.scenario.as_ref().map_or_else(|| "embedded default scenario".to_string(), |p| p.display().to_string());
        let name = match &self.variant {
            Some(v) => format!("{name} (variant {v})"),
            None => name,
        };
        Ok(ScenarioId::new(name, &with_variant(bytes, self.variant.as_deref())))
    }
}

/// A scenario's bytes with the variant appended (what a manifest's hash covers).
pub fn with_variant(mut bytes: Vec<u8>, variant: Option<&str>) -> Vec<u8> {
    if let Some(v) = variant {
        bytes.extend_from_slice(format!("\n# variant: {v}\n").as_bytes());
    }
    bytes
}

/// `--seed` and `--threads` of the backchannel-model commands.
#[derive(clap::Args, Clone, Copy, Debug)]
pub struct SeedArgs {
    /// Master seed: the same seed gives byte-identical output whatever the thread count.
    #[arg(long, default_value_t = 0, value_name = "S")]
    pub seed: u64,
    /// Worker threads (0 = one per core); results do not depend on it.
    #[arg(long, default_value_t = 0, value_name = "T")]
    pub threads: usize,
}
