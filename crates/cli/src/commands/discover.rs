//! `backchannel discover [SCENARIO] --target NAME`: scenario discovery by PRIM, the boxes of
//! uncertain parameters where a 0/1 indicator or an outcome class is dense, as readable rules;
//! with `--out DIR` a run directory (records of every run's quantiles and target, the data in
//! `stats.json`, the boxes in `aggregates.json`, `report.html`), shardable by runs (`--shard
//! i/N`, then `backchannel merge`; PRIM runs on the merged runs). Glue only: the study is
//! `bc_diplomacy::gsa`, the directory `bc_report::gsa`.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use bc_diplomacy::forecast::{JobOptions, Options};
use bc_diplomacy::gsa::{self, DiscoverOptions, DiscoverResult, DiscoverSpec, Target};
use bc_engine::gsa::prim::PrimOptions;
use bc_engine::Shard;
use bc_report::manifest::Manifest;
use bc_report::rundir::RunDir;

use crate::output::{print_json, print_text};
use crate::scale::ScaleArgs;

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
    args.scale.check_threads(args.threads)?;
    args.scale.require_out_for_shard()?;
    let s = super::sensitivity::load(args.scenario.as_ref(), args.variant.as_deref())?;
    let opts = DiscoverOptions {
        target,
        runs: args.runs,
        seed: args.seed,
        threads: args.threads,
        prim: PrimOptions { threshold: args.threshold, ..PrimOptions::default() },
    };
    let spec = DiscoverSpec::new(&s, &opts)?;
    if args.scale.dry_run {
        let columns = bc_report::gsa::discover_columns(&spec);
        let jo = JobOptions::new(&s, &Options { runs: spec.runs, seed: spec.seed, threads: 1, counterfactuals: false, swing_every: 0 });
        let start = args.scale.shard.range(spec.runs).start;
        let mut scratch = Default::default();
        crate::scale::print_dry_run(&args.scale, "discover", "runs", spec.runs, args.threads, &columns, |i| {
            let j = bc_diplomacy::forecast::job(&s, &jo, spec.seed, start + i, &mut bc_diplomacy::sim::NoTrace, &mut scratch);
            let hit = match target {
                Target::Indicator(k) => bc_diplomacy::forecast::Brief::of(&j.record).indicators[k] > 0.5,
                Target::Outcome(o) => j.record.outcome == o,
            };
            vec![bc_report::gsa::discover_cells(start + i, &j.quantiles, hit)]
        })?;
        return Ok(ExitCode::SUCCESS);
    }
    let r = match &args.scale.out {
        Some(out) => match with_out(&s, &spec, &args, out)? {
            Some(r) => r,
            None => return Ok(ExitCode::SUCCESS),
        },
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

/// `--out DIR`: runs this invocation's runs (all, or its shard's) while writing their records,
/// then the directory. Returns the boxes to print, or `None` for a shard whose runs give none.
fn with_out(s: &bc_diplomacy::Scenario, spec: &DiscoverSpec, args: &Args, out: &std::path::Path) -> Result<Option<DiscoverResult>> {
    let shard = args.scale.shard;
    let runs = shard.range(spec.runs);
    let mut m = Manifest::start("discover", spec.runs, shard);
    m.seed = Some(spec.seed);
    m.scenario = Some(crate::forecast_out::scenario_id(s, args.scenario.as_deref())?);
    m.threads = if args.threads == 0 { std::thread::available_parallelism().map_or(1, |n| n.get()) } else { args.threads };
    m.settings = [("target", spec.target.clone()), ("threshold", spec.prim.threshold.to_string())]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    let dir = RunDir::create(out, m)?;
    let mut records = dir.records(bc_report::gsa::discover_columns(spec))?;
    let events = dir.events()?;
    let bar = args.scale.progress(runs.end - runs.start, "runs");
    let data = gsa::run_discover(
        s,
        spec,
        runs,
        args.threads,
        |run, q, hit| records.write(&bc_report::gsa::discover_cells(run, q, hit)),
        |done| bar.set(done),
    )?;
    bar.finish();
    let r = match data.analyze() {
        Ok(r) => Some(r),
        Err(e) if shard == Shard::ALL => return Err(e.into()),
        Err(_) => None,
    };
    dir.finish(records, events, &data)?;
    if r.is_none() && !args.scale.quiet {
        eprintln!("shard {shard} written to {}; its runs alone give no boxes: merge the shards with `backchannel merge`", out.display());
    }
    Ok(r)
}
