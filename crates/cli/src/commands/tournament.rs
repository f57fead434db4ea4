//! `backchannel tournament`: agents x domains x role swaps x repetitions, in parallel, streamed to
//! `results.csv` and `results.jsonl` with per-agent scores in `scores.csv`, a progress bar on
//! standard error and a summary table (or JSON) on standard output.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _, Result};
use bc_engine::Shard;
use bc_protocol::ProtocolKind;
use bc_strategy::{Budget, Spec};
use bc_tournament::{CsvWriter, Domain, JsonlWriter, Scores, Tournament};
use serde_json::json;

use super::negotiate::{agent_listing, as_flag, load_scenario, parse_agents, parse_protocol};
use crate::output::{print_json, print_text};

/// Flags of `backchannel tournament`.
#[derive(clap::Args)]
pub struct Args {
    /// Domain folders (each a GENIUS or GeniusWeb scenario).
    #[arg(required_unless_present = "rescore", value_name = "DOMAIN_DIR")]
    domains: Vec<PathBuf>,
    /// The competing agents, comma-separated (`--agents list` prints them all).
    #[arg(long, required_unless_present = "rescore", value_name = "LIST")]
    agents: Option<String>,
    /// Run nothing: recompute the per-agent scores from results.jsonl files (e.g. every shard's,
    /// concatenated or listed in shard order), print them, and write them to --out/scores.csv.
    #[arg(long, num_args = 1.., value_name = "RESULTS.jsonl", conflicts_with_all = ["domains", "shard", "protocol", "mediator"])]
    rescore: Vec<PathBuf>,
    /// The protocol: sao, single-text, relay or confidential.
    #[arg(long, default_value = "sao")]
    protocol: String,
    /// The mediator of a mediated protocol.
    #[arg(long, value_name = "NAME")]
    mediator: Option<String>,
    /// Parties per negotiation (the first N profiles of each domain negotiate).
    #[arg(long, default_value_t = 2, value_name = "N")]
    parties: usize,
    /// Round limit of each negotiation.
    #[arg(long, default_value_t = 100, value_name = "N")]
    steps: u64,
    /// Repetitions of every (domain, agents, role assignment).
    #[arg(long, default_value_t = 1, value_name = "N")]
    repetitions: u64,
    /// Do not let an agent negotiate against itself.
    #[arg(long)]
    no_self_play: bool,
    /// Master seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// How profile numbers become utilities.
    #[arg(long, default_value = "genius", value_parser = ["genius", "negmas"])]
    semantics: String,
    /// Drop every discount.
    #[arg(long)]
    ignore_discount: bool,
    /// Output run directory (must be new or empty): results.csv, results.jsonl, scores.csv, and
    /// the run directory's run.json, records.csv/.parquet, stats.json, aggregates.json and
    /// report.html (written in DIR.incomplete, renamed at the end; `backchannel merge` combines
    /// shards).
    #[arg(long, default_value = "tournament", value_name = "DIR")]
    out: PathBuf,
    /// Run only shard i of N (contiguous slices of the jobs); the shards' results files
    /// concatenate, in shard order, to the unsharded ones.
    #[arg(long, value_name = "i/N")]
    shard: Option<String>,
    /// Worker threads (0 = one per core); the output does not depend on it. At most 4 per core
    /// (docs/limits.md) unless --force.
    #[arg(long, default_value_t = 0, value_name = "N")]
    threads: usize,
    /// Allow more than 4 threads per core (up to 1024), and let --rescore replace an existing
    /// --out/scores.csv.
    #[arg(long)]
    force: bool,
    /// Time allowed for one decision of a strategy, in milliseconds (off by default).
    #[arg(long, value_name = "MS")]
    time_limit_ms: Option<u64>,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
    /// Print an estimate of the work (negotiations, time from a short calibration, output
    /// size) and exit without running.
    #[arg(long)]
    dry_run: bool,
    /// Print the summary as JSON on standard output.
    #[arg(long)]
    json: bool,
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    if args.agents.as_deref().map(str::trim) == Some("list") {
        print_text(&agent_listing())?;
        return Ok(ExitCode::SUCCESS);
    }
    if !args.rescore.is_empty() {
        return rescore(&args);
    }
    let protocol: ProtocolKind = parse_protocol(&args.protocol)?;
    let agents: Vec<Spec> = parse_agents(args.agents.as_deref().unwrap_or_default())?;
    bc_io::limits::check_threads(args.threads, args.force).map_err(anyhow::Error::msg)?;
    let mediator: Option<Spec> = args.mediator.as_deref().map(str::parse).transpose().context("--mediator")?;
    if mediator.is_some() && protocol == ProtocolKind::Sao {
        bail!("--mediator cannot be used with --protocol sao (SAO has no mediator); use --protocol single-text, relay or confidential");
    }
    let shard: Shard = match &args.shard {
        Some(s) => s.parse().map_err(|e: String| anyhow::anyhow!("--shard: {e}"))?,
        None => Shard::ALL,
    };
    let mut domains = Vec::new();
    for dir in &args.domains {
        if !dir.is_dir() {
            bail!("{}: expected a domain folder", dir.display());
        }
        let s = load_scenario(std::slice::from_ref(dir), &args.semantics, args.ignore_discount)?;
        let name = dir.file_name().map_or_else(|| s.space.name().to_string(), |n| n.to_string_lossy().into_owned());
        domains.push(Domain::new(name, s.space, s.parties, args.parties).map_err(as_flag)?);
    }
    let budget = Budget { per_call: args.time_limit_ms.map(Duration::from_millis) };
    let t = Tournament::builder(domains, agents)
        .protocol(protocol)
        .mediator(mediator)
        .parties(args.parties)
        .steps(args.steps)
        .repetitions(args.repetitions)
        .self_play(!args.no_self_play)
        .seed(args.seed)
        .budget(budget)
        .build()
        .map_err(as_flag)?;
    let total = t.n_jobs();
    let range = shard.range(total);
    if args.dry_run {
        let mut t = t;
        crate::tournament_out::dry_run(&mut t, shard, args.threads)?;
        return Ok(ExitCode::SUCCESS);
    }
    let settings = [
        ("agents", t.agents.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(",")),
        ("protocol", t.protocol.name().to_string()),
        ("mediator", args.mediator.clone().unwrap_or_default()),
        ("parties", args.parties.to_string()),
        ("steps", args.steps.to_string()),
        ("repetitions", args.repetitions.to_string()),
        ("self_play", (!args.no_self_play).to_string()),
        ("semantics", args.semantics.clone()),
        ("ignore_discount", args.ignore_discount.to_string()),
        ("time_limit_ms", args.time_limit_ms.map_or_else(String::new, |ms| ms.to_string())),
    ];
    let run_dir = crate::tournament_out::start(&args.out, &t, shard, args.threads, &args.domains, &settings)?;
    let mut records = run_dir.records(bc_report::tournament::columns(&t.spec()))?;
    let csv_path = run_dir.dir().join("results.csv");
    let jsonl_path = run_dir.dir().join("results.jsonl");
    let mut csv = CsvWriter::create(&csv_path, args.parties, range.start == 0)?;
    let mut jsonl = JsonlWriter::create(&jsonl_path)?;

    let bar = bc_report::progress::Progress::new(range.end - range.start, "negotiations", args.quiet);
    let started = Instant::now();
    let scores = t.run_rendered(
        range.clone(),
        args.threads,
        |t, row| {
            let (mut c, mut j) = (String::new(), String::new());
            bc_tournament::csv_line(t, row, &mut c);
            bc_tournament::jsonl_line(t, row, &mut j);
            (c, j, bc_report::tournament::cells(t, row))
        },
        |_, (c, j, cells)| {
            records.write(&cells).map_err(|e| {
                bc_tournament::Error::new(bc_tournament::ErrorKind::Io {
                    path: args.out.join("records.csv"),
                    error: std::io::Error::other(e.to_string()),
                })
            })?;
            csv.write_line(&c)?;
            jsonl.write_line(&j)
        },
        |done| bar.set(done),
    )?;
    bar.finish();
    csv.finish()?;
    jsonl.finish()?;
    // The run directory's statistics are the scores; finishing it writes scores.csv.
    let events = run_dir.events()?;
    run_dir.finish(records, events, &scores)?;
    let (csv_path, jsonl_path, scores_path) = (args.out.join("results.csv"), args.out.join("results.jsonl"), args.out.join("scores.csv"));
    let elapsed = started.elapsed();
    if !args.quiet {
        eprintln!(
            "{} negotiations in {:.2} s; wrote {}, {} and {}",
            range.end - range.start,
            elapsed.as_secs_f64(),
            csv_path.display(),
            jsonl_path.display(),
            scores_path.display()
        );
    }
    let r = shard.range(total);
    if args.json {
        let meta = t.summary_meta(shard, r.end - r.start);
        print_json(&scores.summary_json(meta))?;
    } else {
        let header = format!(
            "{} negotiations ({} of {} in shard {}), protocol {}, {} steps, {} domain(s), seed {}",
            r.end - r.start,
            r.end - r.start,
            total,
            shard,
            t.protocol.name(),
            t.n_steps,
            t.domains.len(),
            t.seed
        );
        print_text(&summary_table(&header, &scores))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `--rescore`: scores from written results.
fn rescore(args: &Args) -> Result<ExitCode> {
    let scores_path = args.out.join("scores.csv");
    let overwrite = bc_tournament::output::Overwrite::force(args.force);
    // Refused before reading: a finished run's scores.csv is not replaced without --force.
    bc_io::write::check_target(&scores_path, overwrite).context("--out")?;
    let scores = bc_tournament::rescore(&args.rescore)?;
    let n: u64 = scores.agents.iter().map(|s| s.n).sum::<u64>();
    std::fs::create_dir_all(&args.out).with_context(|| format!("--out: cannot create {}", args.out.display()))?;
    bc_tournament::output::write_file(&scores_path, &scores.to_csv(), overwrite)?;
    let files: Vec<String> = args.rescore.iter().map(|p| p.display().to_string()).collect();
    if args.json {
        print_json(&scores.summary_json(json!({"rescored": files, "party_results": n})))?;
    } else {
        let header = format!("scores of {n} party results from {}", files.join(", "));
        print_text(&summary_table(&header, &scores))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn summary_table(header: &str, scores: &Scores) -> String {
    let names = &scores.spec.agents;
    let mut out = String::new();
    let _ = writeln!(out, "{header}");
    let _ = writeln!(out);
    let w = names.iter().map(|n| n.chars().count()).max().unwrap_or(0).max(5);
    let _ = writeln!(
        out,
        "{:<w$} {:>10} {:>9} {:>10} {:>10} {:>10} {:>9} {:>9} {:>7}",
        "agent", "played", "agreed", "utility", "advantage", "welfare", "pareto_d", "nash_d", "faults"
    );
    for (a, s) in scores.ranked() {
        let [agreement_rate, utility, advantage, welfare, pareto, nash] = s.means();
        let _ = writeln!(
            out,
            "{:<w$} {:>10} {:>9.3} {:>10.4} {:>10.4} {:>10.4} {:>9.4} {:>9.4} {:>7}",
            names.get(a).map_or("", |n| n.as_str()),
            s.n,
            agreement_rate,
            utility,
            advantage,
            welfare,
            pareto,
            nash,
            s.faults
        );
    }
    out
}
