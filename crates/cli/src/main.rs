//! The `backchannel` binary: parses the command line and hands each subcommand to its module.
//!
//! Exit codes: 0 on success, 2 on bad input or usage (with a message naming the file, the field,
//! what was expected and what was found), 1 on an internal failure.

mod agents;
mod commands;
mod flags;
mod output;
mod scale;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Model, forecast and run mediated negotiations between adversaries.
#[derive(Parser)]
#[command(name = "backchannel", version, about, long_about = None)]
struct Cli {
    /// Raise (or lower) one of the limits of docs/limits.md for this command, e.g.
    /// `--limit input-bytes=1000000000` (repeatable).
    #[arg(long, global = true, value_name = "NAME=N", action = clap::ArgAction::Append)]
    limit: Vec<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Analyse a negotiation domain: Pareto frontier, Nash, Kalai–Smorodinsky, egalitarian and
    /// maximum-welfare points.
    Analyze(commands::analyze::Args),
    /// Convert a scenario between GENIUS XML and GeniusWeb JSON.
    Convert(commands::convert::Args),
    /// A parameter study over the backchannel model: a grid or a Latin hypercube of parameter
    /// values, one forecast per point.
    Sweep(commands::sweep::Args),
    /// Merge the run directories of shards (`--shard i/N`) into the unsharded run's directory.
    Merge(commands::merge::Args),
    /// Run one negotiation between named agents under a protocol (SAO, single text, relay,
    /// confidential mediation).
    Negotiate(commands::negotiate::Args),
    /// Run a tournament: agents x domains x role swaps x repetitions, in parallel.
    Tournament(commands::tournament::Args),
    /// Forecast a scenario (the embedded US–Iran–Pakistan default when none is given): headline
    /// indicators, outcome classes, first step, paired counterfactuals and parameter swings.
    Run(commands::run::Args),
    /// Global sensitivity of a headline indicator to every uncertain parameter: Sobol' indices
    /// (S1, ST with bootstrap intervals) or Morris screening (mu*, sigma).
    Sensitivity(commands::sensitivity::Args),
    /// Scenario discovery: PRIM boxes of the uncertain parameters where an outcome is dense, as
    /// readable rules.
    Discover(commands::discover::Args),
    /// Export, validate or describe scenario files.
    #[command(subcommand)]
    Scenario(commands::scenario::Command),
    /// Tell one run's story round by round: the zone on the table, offers, strikes, deliveries
    /// and why they failed, trust.
    Trace(commands::trace::Args),
    /// Stakeholder model (KTAB's Spatial Model of Politics, or BDM/Scholz): positions and
    /// winning probabilities per turn, and the forecast outcome.
    Stakeholders(commands::stakeholders::Args),
    // --- live rooms (bc-server) ---
    /// Serve live negotiation rooms: people, built-in agents and programs in seats, JSON over
    /// WebSocket, rooms kept in SQLite or PostgreSQL (see docs/serve.md).
    Serve(commands::serve::Args),
    /// Work with exported room logs.
    #[command(subcommand)]
    Room(commands::serve::RoomCommand),
}

/// mimalloc: the Monte Carlo allocates and frees many small buffers per run.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    for l in &cli.limit {
        if let Err(e) = bc_io::limits::set(l) {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    }
    let result = match cli.command {
        Command::Analyze(args) => commands::analyze::run(args),
        Command::Convert(args) => commands::convert::run(args),
        Command::Merge(args) => commands::merge::run(args),
        Command::Sweep(args) => commands::sweep::run(args),
        Command::Negotiate(args) => commands::negotiate::run(args),
        Command::Tournament(args) => commands::tournament::run(args),
        Command::Run(args) => commands::run::run(args),
        Command::Sensitivity(args) => commands::sensitivity::run(args),
        Command::Discover(args) => commands::discover::run(args),
        Command::Scenario(cmd) => commands::scenario::run(cmd),
        Command::Trace(args) => commands::trace::run(args),
        Command::Stakeholders(args) => commands::stakeholders::run(args),
        Command::Serve(args) => commands::serve::run(args),
        Command::Room(cmd) => commands::serve::room(cmd),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {}", flags::message(&err));
            ExitCode::from(2)
        }
    }
}
