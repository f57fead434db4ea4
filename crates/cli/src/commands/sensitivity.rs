//! `backchannel sensitivity [SCENARIO] --method sobol|morris`: which uncertain parameters drive a
//! headline indicator (Sobol' S1/ST with bootstrap intervals, or Morris mu*/sigma), printed, and
//! with `--out DIR` a run directory (records of every run's quantiles and output, the data in
//! `stats.json`, the indices in `aggregates.json`, `report.html`), shardable by base points or
//! trajectories (`--shard i/N`, then `backchannel merge`). Glue only: the study is
//! `bc_diplomacy::gsa`, the directory `bc_studies::gsa`.

use std::fmt::Write as _;
use std::process::ExitCode;

use anyhow::{bail, Result};
use bc_diplomacy::gsa::{self, Method, SensitivityOptions, SensitivityResult, SensitivitySpec, SensitivityStudy};

use crate::output::{print_json, print_text};
use crate::scale::{ScaleArgs, ScenarioArgs, SeedArgs};

/// Flags of `backchannel sensitivity`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    scenario: ScenarioArgs,
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
    // The seed draws the scrambling, the trajectories, the runs and the bootstrap.
    #[command(flatten)]
    seed: SeedArgs,
    /// Print JSON instead of the table.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    scale: ScaleArgs,
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
    let SeedArgs { seed, threads } = args.seed;
    args.scale.check_threads(threads)?;
    args.scale.require_out_for_shard()?;
    let s = args.scenario.load()?;
    let d = s.uncertain().len();
    let runs = gsa::study_runs(method, d)?;
    let opts = SensitivityOptions { method, indicator, seed, threads };
    let spec = SensitivitySpec::new(&s, &opts)?;
    let study = SensitivityStudy::new(&s, &spec)?;
    let mut plan = args.scale.plan(Some(seed), threads, None);
    if args.scale.dry_run {
        print_text(&format!("{runs} runs ({d} uncertain parameters)\n"))?;
        print_text(&bc_report::runner::dry_run(&study, &plan))?;
        return Ok(ExitCode::SUCCESS);
    }
    let r = match &args.scale.out {
        Some(_) => {
            plan.scenario = Some(args.scenario.id()?);
            plan.settings =
                [("method", args.method.clone()), ("samples", study_size(spec.method).to_string()), ("indicator", spec.indicator.clone())]
                    .map(|(k, v)| (k.to_string(), v))
                    .to_vec();
            // The whole study must give its indices, as without --out; a shard's runs alone may not.
            let conclude = |data: &gsa::SensitivityData| args.scale.shard_analysis(data.analyze(threads));
            match bc_studies::runner::run_concluding(
                &study,
                &plan,
                |_, y| y.as_ref().map(|_| ()).map_err(|e| bc_report::Error::usage(e.clone())),
                conclude,
            )?
            .1
            {
                Some(r) => r,
                None => {
                    args.scale.note_no_analysis("indices");
                    return Ok(ExitCode::SUCCESS);
                }
            }
        }
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
