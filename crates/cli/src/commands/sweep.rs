//! `backchannel sweep [SCENARIO] --grid key=v1,v2,... | --lhs N key=lo..hi ...`: a parameter
//! study over the backchannel model. Each point sets the swept keys of the scenario file to fixed
//! values and runs a forecast on common random numbers (the same seed at every point, so points
//! differ only by their parameters); one row per point with its forecast, a main-effects summary,
//! and with `--out` a run directory and report. Shardable by points.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context as _, Result};
use bc_diplomacy::forecast::{self, Options};
use bc_diplomacy::Scenario;
use bc_report::manifest::{Manifest, ScenarioId};
use bc_report::rundir::RunDir;
use bc_report::sweep::{parse_grid, parse_range, Design, PointRow, SweepSpec, SweepStudy};

use crate::output::{print_json, print_text};
use crate::scale::ScaleArgs;

/// Flags of `backchannel sweep`.
#[derive(clap::Args)]
pub struct Args {
    /// Scenario file (TOML); the embedded default when omitted.
    #[arg(value_name = "SCENARIO.toml")]
    scenario: Option<PathBuf>,
    /// A named variant of the scenario, applied at every point.
    #[arg(long, value_name = "NAME")]
    variant: Option<String>,
    /// A grid axis `key=v1,v2,...` (repeatable; the full grid of all axes is run). Keys are the
    /// scenario file's dotted paths, e.g. `mediator.leak` or `parties.iran.capacity`.
    #[arg(long = "grid", value_name = "KEY=V1,V2,...")]
    grid: Vec<String>,
    /// A Latin hypercube of N points: `--lhs N key=lo..hi [key=lo..hi ...]`.
    #[arg(long = "lhs", value_name = "N KEY=LO..HI", num_args = 2..)]
    lhs: Vec<String>,
    /// Monte Carlo runs at each point.
    #[arg(long, default_value_t = 2_000, value_name = "N")]
    runs: u64,
    /// Master seed (the same at every point: common random numbers; it also seeds the Latin
    /// hypercube).
    #[arg(long, default_value_t = 0, value_name = "S")]
    seed: u64,
    /// Worker threads (0 = one per core).
    #[arg(long, default_value_t = 0, value_name = "T")]
    threads: usize,
    /// Print JSON on standard output instead of the table.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    scale: ScaleArgs,
}

struct Base {
    text: String,
    source: String,
    dir: PathBuf,
    variant: Option<String>,
}

impl Base {
    fn at(&self, design: &Design, point: usize) -> Result<Scenario> {
        let mut doc: toml_edit::DocumentMut = self.text.parse().with_context(|| self.source.clone())?;
        for (p, v) in design.params.iter().zip(&design.points[point]) {
            bc_diplomacy::settings::set_key(&mut doc, &p.key, *v)?;
        }
        let s = Scenario::from_str(&doc.to_string(), &self.source, &self.dir).with_context(|| format!("sweep point {point}"))?;
        Ok(match &self.variant {
            Some(v) => s.variant(v)?,
            None => s,
        })
    }
}

fn point_row(s: &Scenario, opts: &Options, point: u64, values: Vec<f64>) -> Result<PointRow> {
    Ok(PointRow::new(point, values, &forecast::aggregate(s, opts, |_| {})?))
}

/// Runs per point that `--dry-run` times (then scales to `--runs`).
const DRY_RUN_RUNS: u64 = 16;

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let (text, source, dir) = match &args.scenario {
        Some(p) => (bc_io::read::read_text(p)?, p.display().to_string(), p.parent().map(PathBuf::from).unwrap_or_default()),
        None => (bc_diplomacy::scenario::DEFAULT_TOML.to_string(), bc_diplomacy::scenario::DEFAULT_SOURCE.to_string(), PathBuf::from(".")),
    };
    let design = match (args.grid.is_empty(), args.lhs.is_empty()) {
        (false, true) => Design::grid(args.grid.iter().map(|g| parse_grid(g)).collect::<Result<_, _>>().map_err(anyhow::Error::msg)?)
            .map_err(anyhow::Error::msg)?,
        (true, false) => {
            let n: u64 = args.lhs[0].parse().map_err(|_| {
                anyhow::anyhow!("--lhs: expected the number of points first (e.g. --lhs 100 mediator.leak=0..0.3), found {:?}", args.lhs[0])
            })?;
            let params = args.lhs[1..].iter().map(|r| parse_range(r)).collect::<Result<_, _>>().map_err(anyhow::Error::msg)?;
            bc_io::limits::LHS_POINTS.check(n, "--lhs")?;
            Design::lhs(n as usize, params, args.seed).map_err(anyhow::Error::msg)?
        }
        (false, false) => bail!("--grid and --lhs: expected one design, found both"),
        (true, true) => bail!("expected a design: --grid key=v1,v2,... or --lhs N key=lo..hi"),
    };
    if args.runs == 0 {
        bail!("--runs: expected at least 1 run per point, found 0");
    }
    args.scale.require_out_for_shard()?;
    let base = Base { text, source: source.clone(), dir, variant: args.variant.clone() };
    // Every key is checked once, before any work.
    let first = base.at(&design, 0)?;
    args.scale.check_threads(args.threads)?;
    let opts = Options { runs: args.runs, seed: args.seed, threads: args.threads, counterfactuals: false, swing_every: 0 };
    let spec = SweepSpec {
        scenario: first.nominal().name.clone(),
        method: if args.grid.is_empty() { "lhs".into() } else { "grid".into() },
        params: design.params.clone(),
        runs_per_point: args.runs,
        seed: args.seed,
        illustrative: args.scenario.is_none(),
    };
    let mut study = SweepStudy::new(spec);
    let total = design.points.len() as u64;
    if args.scale.dry_run {
        let columns = study.columns();
        // A point is timed on a few runs, not --runs of them, and scaled.
        let sample = Options { runs: args.runs.min(DRY_RUN_RUNS), ..opts };
        let scale = (args.runs as f64 / sample.runs as f64, format!("{} runs per point", sample.runs));
        return crate::scale::print_dry_run_scaled(&args.scale, "sweep", "sweep points", total, 1, &columns, Some(scale), |i| {
            let s = base.at(&design, i as usize).ok();
            let row = s.and_then(|s| point_row(&s, &sample, i, design.points[i as usize].clone()).ok());
            row.map(|r| vec![study.cells(&r)]).unwrap_or_default()
        })
        .map(|()| ExitCode::SUCCESS);
    }
    let range = args.scale.shard.range(total);
    let bar = args.scale.progress((range.end - range.start) * args.runs, "runs");
    let mut writer = match &args.scale.out {
        Some(out) => {
            let mut m = Manifest::start("sweep", total, args.scale.shard);
            m.seed = Some(args.seed);
            let mut bytes = base.text.clone().into_bytes();
            if let Some(v) = &args.variant {
                bytes.extend_from_slice(format!("\n# variant: {v}\n").as_bytes());
            }
            m.scenario = Some(ScenarioId::new(source.clone(), &bytes));
            m.threads = if args.threads == 0 { std::thread::available_parallelism().map_or(1, |n| n.get()) } else { args.threads };
            let dir = RunDir::create(out, m)?;
            let records = dir.records(study.columns())?;
            let events = dir.events()?;
            Some((dir, records, events))
        }
        None => None,
    };
    let mut rows = Vec::new();
    for i in range.clone() {
        let s = base.at(&design, i as usize)?;
        let row = point_row(&s, &opts, i, design.points[i as usize].clone())?;
        if let Some((_, records, _)) = &mut writer {
            records.write(&study.cells(&row))?;
        }
        study.add(&row);
        bar.set((i - range.start + 1) * args.runs);
        if writer.is_none() || args.json || rows.len() < 10_000 {
            rows.push(row);
        }
    }
    bar.finish();
    if let Some((dir, records, events)) = writer {
        dir.finish(records, events, &study)?;
    }
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
            study.spec.scenario, total, args.runs, args.seed
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
