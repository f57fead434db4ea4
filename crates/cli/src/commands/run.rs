//! `backchannel run`: a Monte Carlo forecast of a scenario (the embedded default when none is
//! given): the headline indicators, outcome classes, time to the first step, process indicators,
//! paired counterfactuals with their transition tables and the ranked parameter swings, as a page
//! a person reads in a minute or as JSON.

use std::process::ExitCode;

use anyhow::Result;
use bc_diplomacy::forecast::{self, Options};

use bc_studies::forecast::ForecastStudy;

use crate::output::{print_json, print_text};
use crate::scale::{ScaleArgs, ScenarioArgs, SeedArgs};

/// Flags of `backchannel run`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// Number of Monte Carlo runs.
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    runs: u64,
    #[command(flatten)]
    seed: SeedArgs,
    /// Skip the paired counterfactuals (and the parameter swings).
    #[arg(long)]
    no_counterfactuals: bool,
    /// Run the paired parameter swings on every N-th run (0: none).
    #[arg(long, default_value_t = forecast::SWING_EVERY, value_name = "N")]
    swing_every: u64,
    /// Print JSON on standard output instead of the report.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    scale: ScaleArgs,
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let scenario = args.scenario.load()?;
    let SeedArgs { seed, threads } = args.seed;
    args.scale.check_threads(threads)?;
    let opts = Options { runs: args.runs, seed, threads, counterfactuals: !args.no_counterfactuals, swing_every: args.swing_every };
    let study = ForecastStudy::new(&scenario, &opts);
    let f = if args.scale.dry_run {
        print_text(&bc_report::runner::dry_run(&study, &args.scale.plan(Some(seed), threads, None)))?;
        return Ok(ExitCode::SUCCESS);
    } else if args.scale.out.is_some() || args.scale.shard != bc_engine::Shard::ALL {
        // --out / --shard: the run directory (records, report…) as well as the summary below.
        if opts.runs == 0 {
            anyhow::bail!("--runs: expected at least 1 run, found 0");
        }
        args.scale.require_out_for_shard()?;
        bc_studies::runner::run(&study, &args.scale.plan(Some(seed), threads, Some(args.scenario.id()?)), |_, _| Ok(()))?.summary()
    } else {
        // A progress bar on standard error (hidden when it is not a terminal, or with --quiet).
        let bar = args.scale.progress(opts.runs, "runs");
        forecast::forecast(&scenario, &opts, |done| bar.set(done))?
    };
    if args.json {
        print_json(&serde_json::to_value(&f)?)?;
    } else {
        print_text(&bc_studies::text::forecast::report(&f))?;
    }
    Ok(ExitCode::SUCCESS)
}
