//! `backchannel discover [SCENARIO] --target NAME`: scenario discovery by PRIM, the boxes of
//! uncertain parameters where a 0/1 indicator or an outcome class is dense, as readable rules;
//! with `--out DIR` a run directory (records of every run's quantiles and target, the data in
//! `stats.json`, the boxes in `aggregates.json`, `report.html`), shardable by runs (`--shard
//! i/N`, then `backchannel merge`; PRIM runs on the merged runs). Glue only: the study is
//! `bc_diplomacy::gsa`, the directory `bc_studies::gsa`.

use std::fmt::Write as _;
use std::process::ExitCode;

use anyhow::Result;
use bc_diplomacy::gsa::{self, DiscoverOptions, DiscoverSpec, DiscoverStudy, Target};
use bc_engine::gsa::prim::PrimOptions;

use crate::output::{print_json, print_text};
use crate::scale::{ScaleArgs, ScenarioArgs, SeedArgs};

/// Flags of `backchannel discover`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// What to find: breakdown, comprehensive, reversed, at_least_one_step or an outcome class
    /// (partial, breakdown_after_progress, collapse, drift).
    #[arg(long, value_name = "NAME")]
    target: String,
    /// Forecast runs (the forecast's own sampling of the uncertain parameters).
    #[arg(long, default_value_t = gsa::DEFAULT_DISCOVER_RUNS, value_name = "N")]
    runs: u64,
    // --seed S gives the same runs as `backchannel run --seed S`.
    #[command(flatten)]
    seed: SeedArgs,
    /// Density a box must reach to be kept (PRIM's threshold, in (0, 1]; EMA's usual 0.8).
    #[arg(long, default_value_t = 0.8, value_name = "X")]
    threshold: f64,
    /// Print JSON (boxes with their peeling trajectories) instead of the rules.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    scale: ScaleArgs,
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
    let SeedArgs { seed, threads } = args.seed;
    args.scale.check_threads(threads)?;
    args.scale.require_out_for_shard()?;
    let s = args.scenario.load()?;
    let opts = DiscoverOptions {
        target,
        runs: args.runs,
        seed,
        threads,
        prim: PrimOptions { threshold: args.threshold, ..PrimOptions::default() },
    };
    let spec = DiscoverSpec::new(&s, &opts)?;
    let study = DiscoverStudy::new(&s, &spec)?;
    let mut plan = args.scale.plan(Some(seed), threads, None);
    if args.scale.dry_run {
        print_text(&bc_report::runner::dry_run(&study, &plan))?;
        return Ok(ExitCode::SUCCESS);
    }
    let r = match &args.scale.out {
        Some(_) => {
            plan.scenario = Some(args.scenario.id()?);
            plan.settings = vec![("target".into(), spec.target.clone()), ("threshold".into(), spec.prim.threshold.to_string())];
            // The whole study must give its boxes, as without --out; a shard's runs alone may not.
            let conclude = |data: &gsa::DiscoverData| args.scale.shard_analysis(data.analyze());
            match bc_studies::runner::run_concluding(&study, &plan, |_, _| Ok(()), conclude)?.1 {
                Some(r) => r,
                None => {
                    args.scale.note_no_analysis("boxes");
                    return Ok(ExitCode::SUCCESS);
                }
            }
        }
        None => {
            let bar = args.scale.progress(args.runs, "runs");
            let r = gsa::discover(&s, &opts, |done| bar.set(done))?;
            bar.finish();
            r
        }
    };
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
    if let Some(dir) = &args.scale.out {
        writeln!(out, "run directory: {} (report.html, records.csv, aggregates.json)", dir.display())?;
    }
    print_text(&out)?;
    Ok(ExitCode::SUCCESS)
}
