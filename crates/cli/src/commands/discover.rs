//! `backchannel discover [SCENARIO] --target NAME`: scenario discovery by PRIM, the boxes of
//! uncertain parameters where a 0/1 indicator or an outcome class is dense, as readable rules.
//! Glue only: the study is `bc_diplomacy::gsa::discover`.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use bc_diplomacy::gsa::{self, DiscoverOptions, Target};
use bc_engine::gsa::prim::PrimOptions;

use crate::output::{print_json, print_text};

/// Flags of `backchannel discover`.
#[derive(clap::Args)]
pub struct Args {
    /// Scenario file (TOML); the embedded default when omitted.
    #[arg(value_name = "SCENARIO.toml")]
    scenario: Option<PathBuf>,
    /// A named variant of the scenario.
    #[arg(long, value_name = "NAME")]
    variant: Option<String>,
    /// What to find: breakdown, comprehensive, reversed, at_least_one_step or an outcome class
    /// (partial, breakdown_after_progress, collapse, drift).
    #[arg(long, value_name = "NAME")]
    target: String,
    /// Forecast runs (the forecast's own sampling of the uncertain parameters).
    #[arg(long, default_value_t = gsa::DEFAULT_DISCOVER_RUNS, value_name = "N")]
    runs: u64,
    /// Master seed (the same runs as `backchannel run --seed S`).
    #[arg(long, default_value_t = 0, value_name = "S")]
    seed: u64,
    /// Worker threads (0 = one per core); results do not depend on it.
    #[arg(long, default_value_t = 0, value_name = "T")]
    threads: usize,
    /// Density a box must reach to be kept (PRIM's threshold, in (0, 1]; EMA's usual 0.8).
    #[arg(long, default_value_t = 0.8, value_name = "X")]
    threshold: f64,
    /// Print JSON (boxes with their peeling trajectories) instead of the rules.
    #[arg(long)]
    json: bool,
    /// No progress bar.
    #[arg(long, short = 'q')]
    quiet: bool,
    /// Allow more than 4 worker threads per core (docs/limits.md).
    #[arg(long)]
    force: bool,
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let target = Target::parse(&args.target)?;
    if args.runs == 0 {
        anyhow::bail!("--runs: expected at least 1 run, found 0");
    }
    if !(args.threshold > 0.0 && args.threshold <= 1.0) {
        anyhow::bail!("--threshold: expected a density in (0, 1], found {}", args.threshold);
    }
    bc_io::limits::GSA_RUNS.check(args.runs, "--runs")?;
    bc_io::limits::check_threads(args.threads, args.force).map_err(anyhow::Error::msg)?;
    let s = super::sensitivity::load(args.scenario.as_ref(), args.variant.as_deref())?;
    let opts = DiscoverOptions { target, runs: args.runs, seed: args.seed, threads: args.threads, prim: PrimOptions { threshold: args.threshold, ..PrimOptions::default() } };
    let bar = bc_report::progress::Progress::new(args.runs, "runs", args.quiet);
    let r = gsa::discover(&s, &opts, |done| bar.set(done))?;
    bar.finish();
    if args.json {
        print_json(&serde_json::to_value(&r)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = String::new();
    writeln!(
        out,
        "PRIM boxes for {} on {} ({} runs, seed {}; {} hit it, {:.1}%; threshold {}, alpha {}, min mass {})",
        r.target,
        r.scenario,
        r.runs,
        r.seed,
        r.hits,
        100.0 * r.hits as f64 / r.runs as f64,
        r.prim.threshold,
        r.prim.peel_alpha,
        r.prim.mass_min
    )?;
    for (k, b) in r.boxes.iter().enumerate() {
        writeln!(out, "{}. {}", k + 1, b.rule)?;
        writeln!(out, "   coverage {:.3}, density {:.3}, mass {:.3}, lift {:.2}", b.coverage, b.density, b.mass, b.lift)?;
    }
    print_text(&out)?;
    Ok(ExitCode::SUCCESS)
}
