//! `backchannel sweep [SCENARIO] --grid key=v1,v2,... | --lhs N key=lo..hi ...`: a parameter
//! study over the backchannel model. Each point sets the swept keys of the scenario file to fixed
//! values and runs a forecast on common random numbers (the same seed at every point, so points
//! differ only by their parameters); one row per point with its forecast, a main-effects summary,
//! and with `--out` a run directory and report. Shardable by points.

use std::fmt::Write as _;
use std::process::ExitCode;

use anyhow::{bail, Result};
use bc_diplomacy::forecast::{self, Options};
use bc_report::manifest::ScenarioId;
use bc_studies::sweep::{parse_grid, parse_range, Design, Sweep, SweepSpec, SweepStudy};

use crate::output::{print_json, print_text};
use crate::scale::{ScaleArgs, ScenarioArgs, SeedArgs};

/// Flags of `backchannel sweep`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// A grid axis `key=v1,v2,...` (repeatable; the full grid of all axes is run). Keys are the
    /// scenario file's dotted paths, e.g. `mediator.leak` or `parties.iran.capacity`.
    #[arg(long = "grid", value_name = "KEY=V1,V2,...")]
    grid: Vec<String>,
    /// A Latin hypercube of N points: `--lhs N key=lo..hi [key=lo..hi ...]`.
    #[arg(long = "lhs", value_name = "N KEY=LO..HI", num_args = 2..)]
    lhs: Vec<String>,
    /// Monte Carlo runs at each point (every point on the same seed: common random numbers;
    /// the seed also draws the Latin hypercube).
    #[arg(long, default_value_t = 2_000, value_name = "N")]
    runs: u64,
    #[command(flatten)]
    seed: SeedArgs,
    /// Print JSON on standard output instead of the table.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    scale: ScaleArgs,
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let (text, source, dir) = args.scenario.text()?;
    let SeedArgs { seed, threads } = args.seed;
    let design = match (args.grid.is_empty(), args.lhs.is_empty()) {
        (false, true) => Design::grid(args.grid.iter().map(|g| parse_grid(g)).collect::<Result<_, _>>().map_err(anyhow::Error::msg)?)
            .map_err(anyhow::Error::msg)?,
        (true, false) => {
            let n: u64 = args.lhs[0].parse().map_err(|_| {
                anyhow::anyhow!("--lhs: expected the number of points first (e.g. --lhs 100 mediator.leak=0..0.3), found {:?}", args.lhs[0])
            })?;
            let params = args.lhs[1..].iter().map(|r| parse_range(r)).collect::<Result<_, _>>().map_err(anyhow::Error::msg)?;
            bc_io::limits::LHS_POINTS.check(n, "--lhs")?;
            Design::lhs(n as usize, params, seed).map_err(anyhow::Error::msg)?
        }
        (false, false) => bail!("--grid and --lhs: expected one design, found both"),
        (true, true) => bail!("expected a design: --grid key=v1,v2,... or --lhs N key=lo..hi"),
    };
    if args.runs == 0 {
        bail!("--runs: expected at least 1 run per point, found 0");
    }
    args.scale.require_out_for_shard()?;
    let id = ScenarioId::new(source.clone(), &crate::scale::with_variant(text.clone().into_bytes(), args.scenario.variant.as_deref()));
    let options = Options { runs: args.runs, seed, threads, counterfactuals: false, swing_every: 0 };
    let mut sweep =
        Sweep { text, source, dir, variant: args.scenario.variant.clone(), design, options, empty: SweepStudy::new(SweepSpec::default()) };
    // Every key is checked once, before any work.
    let first = sweep.scenario(0)?;
    args.scale.check_threads(threads)?;
    sweep.empty = SweepStudy::new(SweepSpec {
        scenario: first.nominal().name.clone(),
        method: if args.grid.is_empty() { "lhs".into() } else { "grid".into() },
        params: sweep.design.params.clone(),
        runs_per_point: args.runs,
        seed,
        illustrative: args.scenario.scenario.is_none(),
    });
    let plan = args.scale.plan(Some(seed), threads, Some(id));
    if args.scale.dry_run {
        print_text(&bc_report::runner::dry_run(&sweep, &plan))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut rows = Vec::new();
    let study = bc_report::runner::run(&sweep, &plan, |_, row| {
        let row = row.as_ref().map_err(|e| bc_report::Error::usage(e.clone()))?;
        if args.scale.out.is_none() || args.json || rows.len() < 10_000 {
            rows.push(row.clone());
        }
        Ok(())
    })?;
    let total = sweep.design.points.len();
    let design = &sweep.design;
    let keys: Vec<&str> = design.params.iter().map(|p| p.key.as_str()).collect();
    if args.json {
        let points: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| {
                let headline: serde_json::Map<String, serde_json::Value> = forecast::INDICATORS
                    .iter()
                    .zip(&r.headline)
                    .map(|(name, i)| ((*name).to_string(), serde_json::json!({"estimate": i.estimate, "lo": i.lo, "hi": i.hi})))
                    .collect();
                let outcomes: serde_json::Map<String, serde_json::Value> = bc_diplomacy::Outcome::ALL.iter().zip(r.outcomes).map(|(o, k)| (o.name().to_string(), k.into())).collect();
                serde_json::json!({"point": r.point, "values": r.values, "runs": r.runs(), "headline": headline, "outcomes": outcomes, "first_step_median": r.first_step_median})
            })
            .collect();
        print_json(&serde_json::json!({"parameters": keys, "points": points, "summary": bc_report::study::Study::aggregates(&study)}))?;
    } else {
        let mut o = String::new();
        let _ = writeln!(
            o,
            "sweep of {} ({} points, {} runs each, seed {}); 95% intervals, Monte Carlo error only",
            study.spec.scenario, total, args.runs, seed
        );
        let _ = write!(o, "{:>6}", "point");
        for k in &keys {
            let _ = write!(o, "  {k:>14}");
        }
        let _ = writeln!(
            o,
            "  {:>18}  {:>18}  {:>7}  {:>7}  {:>7}  {:>8}",
            "at least one step", "agenda share", "compr.", "brkdwn", "revers.", "1st step"
        );
        for r in &rows {
            let _ = write!(o, "{:>6}", r.point);
            for v in &r.values {
                let _ = write!(o, "  {v:>14.4}");
            }
            let [s, a, c, b, rv] = &r.headline;
            let step = r.first_step_median.map_or("-".to_string(), |m| m.to_string());
            let _ = writeln!(
                o,
                "  {:>5.1}% [{:4.1},{:4.1}]  {:>5.1}% [{:4.1},{:4.1}]  {:>6.1}%  {:>6.1}%  {:>6.1}%  {step:>8}",
                s.estimate * 100.0,
                s.lo * 100.0,
                s.hi * 100.0,
                a.estimate * 100.0,
                a.lo * 100.0,
                a.hi * 100.0,
                c.estimate * 100.0,
                b.estimate * 100.0,
                rv.estimate * 100.0
            );
        }
        let effects: Vec<String> = study
            .spec
            .params
            .iter()
            .zip(&study.effects)
            .map(|(p, bins)| {
                let used: Vec<String> =
                    bins.iter().filter(|e| e.runs > 0).map(|e| format!("{:.1}%", 100.0 * e.agenda().estimate)).collect();
                format!("  {}: {}", p.key, used.join(" → "))
            })
            .collect();
        if !effects.is_empty() {
            let _ = writeln!(o, "\nmain effects on the agenda share (mean over the other parameters, per level or bin in order):");
            for e in effects {
                let _ = writeln!(o, "{e}");
            }
        }
        if let Some(out) = &args.scale.out {
            let _ = writeln!(o, "\nrun directory: {} (report.html, records.csv, records.parquet)", out.display());
        }
        print_text(&o)?;
    }
    Ok(ExitCode::SUCCESS)
}
