//! `backchannel run --out DIR` / `--shard i/N` / `--dry-run`: runs the forecast's jobs over the
//! shard's range and streams each run to the run directory (records, key events) while folding
//! it into the forecast's aggregate, which is both the directory's statistics and the terminal
//! summary.

use std::path::Path;

use anyhow::Result;
use bc_diplomacy::forecast::{self, Aggregate, Forecast, ForecastSpec, JobOptions, JobRecord, Options};
use bc_diplomacy::sim::{Observer, RunEvent, Scratch};
use bc_diplomacy::Scenario;
use bc_report::manifest::{Manifest, ScenarioId};
use bc_report::records::Cell;
use bc_report::rundir::RunDir;

use crate::scale::ScaleArgs;

/// The scenario's identity: its file's bytes (or the embedded default's), and the variant.
pub fn scenario_id(s: &Scenario, path: Option<&Path>) -> Result<ScenarioId> {
    let mut bytes = match path {
        Some(p) => bc_io::read::read_bytes(p)?,
        None => bc_diplomacy::scenario::DEFAULT_TOML.as_bytes().to_vec(),
    };
    if let Some(v) = &s.variant {
        bytes.extend_from_slice(format!("\n# variant: {v}\n").as_bytes());
    }
    let name = path.map_or_else(|| "embedded default scenario".to_string(), |p| p.display().to_string());
    let name = match &s.variant {
        Some(v) => format!("{name} (variant {v})"),
        None => name,
    };
    Ok(ScenarioId::new(name, &bytes))
}

/// A run's key events (strikes and how they were read, agreements, implemented steps,
/// withdrawals from standing steps and the responses to them, a rejected mediator, walk-outs,
/// the end) as JSON lines, rendered on the worker thread (small, and cheap to write).
struct KeyEvents {
    run: u64,
    lines: Vec<String>,
}

impl Observer for KeyEvents {
    const ENABLED: bool = true;
    fn event(&mut self, e: RunEvent) {
        match e {
            RunEvent::Strike { round, spoiler, reading, .. } => {
                self.lines.push(
                    serde_json::json!({"run": self.run, "event": "strike", "round": round, "spoiler": spoiler, "reading": reading})
                        .to_string(),
                );
            }
            e @ (RunEvent::Agreed { .. }
            | RunEvent::StepDone { .. }
            | RunEvent::Withdrawal { .. }
            | RunEvent::Response { .. }
            | RunEvent::Rejected { .. }
            | RunEvent::Left { .. }
            | RunEvent::End { .. }) => {
                // `{"run":N,` + the event's own fields.
                if let Ok(text) = serde_json::to_string(&e) {
                    if let Some(rest) = text.strip_prefix('{') {
                        self.lines.push(format!("{{\"run\":{},{rest}", self.run));
                    }
                }
            }
            _ => {}
        }
    }
}

/// One traced run with its record cells and key events.
fn traced_job(
    s: &Scenario,
    spec: &ForecastSpec,
    o: &JobOptions,
    seed: u64,
    run: u64,
    scratch: &mut Scratch,
) -> (JobRecord, Vec<Cell>, Vec<String>) {
    let mut events = KeyEvents { run, lines: Vec::new() };
    let j = forecast::job(s, o, seed, run, &mut events, scratch);
    let cells = bc_report::forecast::cells(spec, &j);
    (j, cells, events.lines)
}

/// `--dry-run`: the work of this invocation, timed on a few real runs.
pub fn dry_run(s: &Scenario, opts: &Options, scale: &ScaleArgs) -> Result<()> {
    let o = JobOptions { trust_path: true, ..JobOptions::new(s, opts) };
    let spec = ForecastSpec::new(s, &o, opts.seed);
    let columns = bc_report::forecast::columns(&spec);
    crate::scale::print_dry_run(scale, "run", "runs", opts.runs, opts.threads, &columns, |i| {
        vec![traced_job(s, &spec, &o, opts.seed, i, &mut Scratch::default()).1]
    })
}

/// Runs this invocation's share of the forecast, writing the run directory when `--out` is
/// given, and returns the summary of the runs it ran.
pub fn run(s: &Scenario, opts: &Options, scale: &ScaleArgs, path: Option<&Path>) -> Result<Forecast> {
    if opts.runs == 0 {
        anyhow::bail!("--runs: expected at least 1 run, found 0");
    }
    scale.require_out_for_shard()?;
    let o = JobOptions { trust_path: true, ..JobOptions::new(s, opts) };
    let spec = ForecastSpec::new(s, &o, opts.seed);
    let mut agg = Aggregate::new(spec.clone(), true);
    let range = scale.shard.range(opts.runs);
    let bar = scale.progress(range.end - range.start, "runs");
    let mut manifest = Manifest::start("run", opts.runs, scale.shard);
    manifest.seed = Some(opts.seed);
    manifest.scenario = Some(scenario_id(s, path)?);
    manifest.threads = if opts.threads == 0 { std::thread::available_parallelism().map_or(1, |n| n.get()) } else { opts.threads };
    let Some(out) = &scale.out else {
        anyhow::bail!("internal: forecast_out::run without --out");
    };
    let dir = RunDir::create(out, manifest)?;
    let mut records = dir.records(bc_report::forecast::columns(&spec))?;
    let mut events = dir.events()?;
    bc_engine::run_ordered_with(
        range,
        bc_engine::RunOptions { threads: opts.threads, batch: 4096 },
        Scratch::default,
        |scratch, i| traced_job(s, &spec, &o, opts.seed, i, scratch),
        |_, (j, cells, lines)| -> Result<()> {
            records.write(&cells)?;
            for line in lines {
                events.write_raw(line.as_bytes())?;
                events.write_raw(b"\n")?;
            }
            agg.add(&j);
            Ok(())
        },
        |done| bar.set(done),
    )?;
    bar.finish();
    dir.finish(records, events, &agg)?;
    Ok(agg.summary())
}
