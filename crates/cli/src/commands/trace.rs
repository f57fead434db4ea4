//! `backchannel trace`: one run's story, round by round (strikes, what the bargaining put on
//! the table, offers, agreements, deliveries and why one failed, what each side saw, trust), for
//! people who want to see why a forecast says what it says. Run `I` under seed `S` is the same run as run `I` of `backchannel run --seed S`.

use std::process::ExitCode;

use anyhow::Result;
use bc_studies::text::trace::TracedRun;

use crate::output::{print_json, print_text};

/// Flags of `backchannel trace`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    scenario: crate::scale::ScenarioArgs,
    /// Master seed (as in `backchannel run`).
    #[arg(long, default_value_t = 0, value_name = "S")]
    seed: u64,
    /// Which run of that seed.
    #[arg(long, default_value_t = 0, value_name = "I")]
    run: u64,
    /// Print the events as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let scenario = args.scenario.load()?;
    let traced = TracedRun::new(&scenario, args.seed, args.run);
    if args.json {
        print_json(&traced.json()?)?;
    } else {
        print_text(&traced.text())?;
    }
    Ok(ExitCode::SUCCESS)
}
