//! `backchannel sensitivity [SCENARIO] --method sobol|morris`: which uncertain parameters drive a
//! headline indicator (Sobol' S1/ST with bootstrap intervals, or Morris mu*/sigma). Glue only:
//! the study is `bc_diplomacy::gsa::sensitivity`.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Result};
use bc_diplomacy::gsa::{self, Method, SensitivityOptions};
use bc_diplomacy::Scenario;

use crate::output::{print_json, print_text};

/// Flags of `backchannel sensitivity`.
#[derive(clap::Args)]
pub struct Args {
    /// Scenario file (TOML); the embedded default when omitted.
    #[arg(value_name = "SCENARIO.toml")]
    scenario: Option<PathBuf>,
    /// A named variant of the scenario.
    #[arg(long, value_name = "NAME")]
    variant: Option<String>,
    /// sobol (variance shares S1 and ST) or morris (screening: mu*, sigma).
    #[arg(long, value_parser = ["sobol", "morris"])]
    method: String,
    /// Sobol': base points N, a power of two (default 1024; N (D + 2) runs). Morris: trajectories
    /// r (default 20; r (D + 1) runs).
    #[arg(long, value_name = "N")]
    samples: Option<usize>,
    /// The headline indicator studied: at_least_one_step, agenda_share, comprehensive,
    /// breakdown or reversed.
    #[arg(long, default_value = "agenda_share", value_name = "NAME")]
    indicator: String,
    /// Master seed (scrambling, trajectories, runs, bootstrap).
    #[arg(long, default_value_t = 0, value_name = "S")]
    seed: u64,
    /// Worker threads (0 = one per core); results do not depend on it.
    #[arg(long, default_value_t = 0, value_name = "T")]
    threads: usize,
    /// Print JSON instead of the table.
    #[arg(long)]
    json: bool,
    /// Print the number of runs and a time estimate, and exit.
    #[arg(long)]
    dry_run: bool,
    /// No progress bar.
    #[arg(long, short = 'q')]
    quiet: bool,
    /// Allow more than 4 worker threads per core (docs/limits.md).
    #[arg(long)]
    force: bool,
}

/// Loads the scenario (or the default) and applies the variant.
pub fn load(path: Option<&PathBuf>, variant: Option<&str>) -> Result<Scenario> {
    let s = match path {
        Some(p) => Scenario::load(p)?,
        None => Scenario::default_scenario()?,
    };
    Ok(match variant {
        Some(v) => s.variant(v)?,
        None => s,
    })
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let indicator = gsa::indicator_index(&args.indicator)?;
    let method = match (args.method.as_str(), args.samples) {
        ("sobol", n) => Method::Sobol { samples: n.unwrap_or(gsa::DEFAULT_SAMPLES) },
        (_, n) => Method::Morris { trajectories: n.unwrap_or(gsa::DEFAULT_TRAJECTORIES) },
    };
    if args.samples == Some(0) {
        bail!("--samples: expected at least 2, found 0");
    }
    bc_io::limits::check_threads(args.threads, args.force).map_err(anyhow::Error::msg)?;
    let s = load(args.scenario.as_ref(), args.variant.as_deref())?;
    let d = s.uncertain().len();
    let runs = gsa::study_runs(method, d)?;
    if args.dry_run {
        return dry_run(&s, method, d, runs, indicator, args.seed, args.threads);
    }
    let opts = SensitivityOptions { method, indicator, seed: args.seed, threads: args.threads };
    let bar = bc_report::progress::Progress::new(runs, "runs", args.quiet);
    let r = gsa::sensitivity(&s, &opts, |done| bar.set(done))?;
    bar.finish();
    if args.json {
        print_json(&serde_json::to_value(&r)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = String::new();
    let (what, size) = match method {
        Method::Sobol { samples } => ("Sobol' indices", format!("N = {samples}")),
        Method::Morris { trajectories } => ("Morris elementary effects", format!("r = {trajectories}")),
    };
    writeln!(out, "{what} of {} on {} ({size}, {} runs, seed {}; mean {:.3})", r.indicator, r.scenario, r.runs, r.seed, r.mean)?;
    let width = r.inputs.iter().map(|i| i.input.label.chars().count()).max().unwrap_or(9).max(9);
    match method {
        Method::Sobol { .. } => {
            writeln!(out, "{:<width$}  {:>16}  {:>16}", "parameter", "S1 (95%)", "ST (95%)")?;
            for i in &r.inputs {
                let (s1, c1) = i.s1.unwrap_or_default();
                let (st, ct) = i.st.unwrap_or_default();
                writeln!(out, "{:<width$}  {:>7.3} ± {:<6.3}  {:>7.3} ± {:<6.3}", i.input.label, s1, c1, st, ct)?;
            }
            writeln!(out, "Intervals are bootstrap 95% half-widths (Monte Carlo error at this N); an interval containing 0 is not distinguishable from 0.")?;
        }
        Method::Morris { .. } => {
            writeln!(out, "{:<width$}  {:>16}  {:>8}  {:>8}", "parameter", "mu* (95%)", "mu", "sigma")?;
            for i in &r.inputs {
                let (m, c) = i.mu_star.unwrap_or_default();
                writeln!(out, "{:<width$}  {:>7.3} ± {:<6.3}  {:>8.3}  {:>8.3}", i.input.label, m, c, i.mu.unwrap_or(0.0), i.sigma.unwrap_or(0.0))?;
            }
            writeln!(out, "Effects are per quantile step of 2/3 on a 4-level grid; a large sigma flags non-linearity or interactions.")?;
        }
    }
    print_text(&out)?;
    Ok(ExitCode::SUCCESS)
}

/// Times a few runs of the design on this thread and scales to the whole study.
fn dry_run(s: &Scenario, method: Method, d: usize, runs: u64, indicator: usize, seed: u64, threads: usize) -> Result<ExitCode> {
    let small = match method {
        Method::Sobol { .. } => Method::Sobol { samples: 2 },
        Method::Morris { .. } => Method::Morris { trajectories: 2 },
    };
    let x = gsa::design(small, d, seed)?;
    let mut scratch = Default::default();
    let start = Instant::now();
    let mut timed = 0u64;
    while start.elapsed().as_secs_f64() < 0.5 {
        let i = timed as usize % x.rows();
        gsa::run_at(s, x.row(i), indicator, seed, timed, &mut scratch);
        timed += 1;
    }
    let per = start.elapsed().as_secs_f64() / timed as f64;
    let cores = if threads == 0 { std::thread::available_parallelism().map_or(1, |n| n.get()) } else { threads };
    let secs = per * runs as f64 / cores as f64;
    print_text(&format!(
        "{runs} runs ({d} uncertain parameters); about {:.1} ms a run (timed on {timed} runs), so about {:.0} s on {cores} thread(s)\n",
        per * 1e3,
        secs.max(0.0)
    ))?;
    Ok(ExitCode::SUCCESS)
}
