//! `backchannel sensitivity [SCENARIO] --method sobol|morris`: which uncertain parameters drive a
//! headline indicator (Sobol' S1/ST with bootstrap intervals, or Morris mu*/sigma), printed, and
//! with `--out DIR` a run directory (records of every run's quantiles and output, the data in
//! `stats.json`, the indices in `aggregates.json`, `report.html`), shardable by base points or
//! trajectories (`--shard i/N`, then `backchannel merge`). Glue only: the study is
//! `bc_diplomacy::gsa`, the directory `bc_report::gsa`.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Result};
use bc_diplomacy::gsa::{self, Method, SensitivityOptions, SensitivityResult, SensitivitySpec};
use bc_diplomacy::Scenario;
use bc_engine::Shard;
use bc_report::manifest::Manifest;
use bc_report::rundir::RunDir;

use crate::output::{print_json, print_text};
use crate::scale::ScaleArgs;

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
    #[command(flatten)]
    scale: ScaleArgs,
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
    args.scale.check_threads(args.threads)?;
    args.scale.require_out_for_shard()?;
    let s = load(args.scenario.as_ref(), args.variant.as_deref())?;
    let d = s.uncertain().len();
    let runs = gsa::study_runs(method, d)?;
    let opts = SensitivityOptions { method, indicator, seed: args.seed, threads: args.threads };
    let spec = SensitivitySpec::new(&s, &opts)?;
    if args.scale.dry_run {
        return dry_run(&s, &spec, runs, &args.scale, args.threads);
    }
    let r = match &args.scale.out {
        Some(out) => match with_out(&s, &spec, &args, out)? {
            Some(r) => r,
            None => return Ok(ExitCode::SUCCESS),
        },
        None => {
            let bar = args.scale.progress(runs, "runs");
            let r = gsa::sensitivity(&s, &opts, |done| bar.set(done))?;
            bar.finish();
            r
        }
    };
    if args.json {
        print_json(&serde_json::to_value(&r)?)?;
    } else {
        print_text(&table(&r, args.scale.out.as_deref()))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `--out DIR`: runs this invocation's groups (all, or its shard's) while writing their records,
/// then the directory. Returns the indices to print, or `None` for a shard whose runs give none
/// (its directory is written all the same: merged with the others it gives the study's).
fn with_out(s: &Scenario, spec: &SensitivitySpec, args: &Args, out: &std::path::Path) -> Result<Option<SensitivityResult>> {
    let shard = args.scale.shard;
    let groups = shard.range(spec.groups());
    let per = spec.rows_per_group();
    let mut m = Manifest::start("sensitivity", spec.groups(), shard);
    m.seed = Some(spec.seed);
    m.scenario = Some(crate::forecast_out::scenario_id(s, args.scenario.as_deref())?);
    m.threads = if args.threads == 0 { std::thread::available_parallelism().map_or(1, |n| n.get()) } else { args.threads };
    m.settings = [("method", args.method.clone()), ("samples", study_size(spec.method).to_string()), ("indicator", spec.indicator.clone())]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    let dir = RunDir::create(out, m)?;
    let mut records = dir.records(bc_report::gsa::sensitivity_columns(spec))?;
    let events = dir.events()?;
    let bar = args.scale.progress((groups.end - groups.start) * per as u64, "runs");
    let data = gsa::run_groups(
        s,
        spec,
        groups,
        args.threads,
        |run, q, y| records.write(&bc_report::gsa::sensitivity_cells(per, run, q, y)),
        |done| bar.set(done),
    )?;
    bar.finish();
    // The whole study must give indices, as without --out (a failure leaves no directory); a
    // shard's share may not.
    let r = match data.analyze(args.threads) {
        Ok(r) => Some(r),
        Err(e) if shard == Shard::ALL => return Err(e.into()),
        Err(_) => None,
    };
    dir.finish(records, events, &data)?;
    if r.is_none() && !args.scale.quiet {
        eprintln!("shard {shard} written to {}; its runs alone give no indices: merge the shards with `backchannel merge`", out.display());
    }
    Ok(r)
}

fn study_size(m: Method) -> usize {
    match m {
        Method::Sobol { samples } => samples,
        Method::Morris { trajectories } => trajectories,
    }
}

/// The indices as a table for people.
fn table(r: &SensitivityResult, dir: Option<&std::path::Path>) -> String {
    let mut text = String::new();
    let out = &mut text;
    let (what, size) = match r.method {
        Method::Sobol { samples } => ("Sobol' indices", format!("N = {samples}")),
        Method::Morris { trajectories } => ("Morris elementary effects", format!("r = {trajectories}")),
    };
    let _ = writeln!(out, "{what} of {} on {} ({size}, {} runs, seed {}; mean {:.3})", r.indicator, r.scenario, r.runs, r.seed, r.mean);
    let width = r.inputs.iter().map(|i| i.input.label.chars().count()).max().unwrap_or(9).max(9);
    match r.method {
        Method::Sobol { .. } => {
            let _ = writeln!(out, "{:<width$}  {:>16}  {:>16}", "parameter", "S1 (95%)", "ST (95%)");
            for i in &r.inputs {
                let (s1, c1) = i.s1.unwrap_or_default();
                let (st, ct) = i.st.unwrap_or_default();
                let _ = writeln!(out, "{:<width$}  {:>7.3} ± {:<6.3}  {:>7.3} ± {:<6.3}", i.input.label, s1, c1, st, ct);
            }
            let _ = writeln!(out, "Intervals are bootstrap 95% half-widths (Monte Carlo error at this N); an interval containing 0 is not distinguishable from 0.");
        }
        Method::Morris { .. } => {
            let _ = writeln!(out, "{:<width$}  {:>16}  {:>8}  {:>8}", "parameter", "mu* (95%)", "mu", "sigma");
            for i in &r.inputs {
                let (m, c) = i.mu_star.unwrap_or_default();
                let _ = writeln!(
                    out,
                    "{:<width$}  {:>7.3} ± {:<6.3}  {:>8.3}  {:>8.3}",
                    i.input.label,
                    m,
                    c,
                    i.mu.unwrap_or(0.0),
                    i.sigma.unwrap_or(0.0)
                );
            }
            let _ =
                writeln!(out, "Effects are per quantile step of 2/3 on a 4-level grid; a large sigma flags non-linearity or interactions.");
        }
    }
    if let Some(dir) = dir {
        let _ = writeln!(out, "run directory: {} (report.html, records.csv, aggregates.json)", dir.display());
    }
    text
}

/// `--dry-run`: the number of runs, then the estimate of this invocation's share (time from
/// whole groups of the design run on this thread for half a second; output sizes for `--out`).
fn dry_run(s: &Scenario, spec: &SensitivitySpec, runs: u64, scale: &ScaleArgs, threads: usize) -> Result<ExitCode> {
    let d = spec.inputs.len();
    print_text(&format!("{runs} runs ({d} uncertain parameters)\n"))?;
    let indicator = gsa::indicator_index(&spec.indicator)?;
    let per = spec.rows_per_group();
    let unit = match spec.method {
        Method::Sobol { .. } => "base points",
        Method::Morris { .. } => "trajectories",
    };
    let columns = bc_report::gsa::sensitivity_columns(spec);
    let start = scale.shard.range(spec.groups()).start;
    let mut scratch = Default::default();
    crate::scale::print_dry_run(scale, "sensitivity", unit, spec.groups(), threads, &columns, |i| {
        let g = start + i;
        let Ok(x) = gsa::design_groups(spec.method, d, spec.seed, g..g + 1) else { return Vec::new() };
        (0..x.rows())
            .map(|k| {
                let y = gsa::run_at(s, x.row(k), indicator, spec.seed, g, &mut scratch);
                bc_report::gsa::sensitivity_cells(per, g * per as u64 + k as u64, x.row(k), y)
            })
            .collect()
    })?;
    Ok(ExitCode::SUCCESS)
}
