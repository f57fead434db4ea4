//! `backchannel tournament`: agents x domains x role swaps x repetitions, in parallel, streamed to
//! `results.csv` and `results.jsonl` with per-agent scores in `scores.csv`, a progress bar on
//! standard error and a summary table (or JSON) on standard output.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context as _, Result};
use bc_protocol::ProtocolKind;
use bc_report::manifest::ScenarioId;
use bc_strategy::Spec;
use bc_tournament::{Domain, Tournament};
use serde_json::json;

use crate::agents::{agent_listing, as_flag, parse_agents, parse_protocol, SessionArgs};
use crate::output::{print_json, print_text};
use crate::scale::ScaleArgs;

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
    /// Parties per negotiation (the first N profiles of each domain negotiate).
    #[arg(long, default_value_t = 2, value_name = "N")]
    parties: usize,
    /// Repetitions of every (domain, agents, role assignment).
    #[arg(long, default_value_t = 1, value_name = "N")]
    repetitions: u64,
    /// Do not let an agent negotiate against itself.
    #[arg(long)]
    no_self_play: bool,
    #[command(flatten)]
    session: SessionArgs,
    /// Worker threads (0 = one per core); the output does not depend on it. At most 4 per core
    /// (docs/limits.md) unless --force.
    #[arg(long, default_value_t = 0, value_name = "N")]
    threads: usize,
    /// Print the summary as JSON on standard output.
    #[arg(long)]
    json: bool,
    // --out: the run directory (default `tournament`), which also holds the tournament's own
    // results.csv, results.jsonl (concatenated by `merge`) and scores.csv.
    #[command(flatten)]
    scale: ScaleArgs,
}

/// The run directory when `--out` is not given.
const DEFAULT_OUT: &str = "tournament";

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    if args.agents.as_deref().map(str::trim) == Some("list") {
        print_text(&agent_listing())?;
        return Ok(ExitCode::SUCCESS);
    }
    if !args.rescore.is_empty() {
        return rescore(&args);
    }
    let protocol: ProtocolKind = parse_protocol(&args.session.protocol)?;
    let agents: Vec<Spec> = parse_agents(args.agents.as_deref().unwrap_or_default())?;
    args.scale.check_threads(args.threads)?;
    let mediator = args.session.mediator(protocol)?;
    let mut domains = Vec::new();
    for dir in &args.domains {
        if !dir.is_dir() {
            bail!("{}: expected a domain folder", dir.display());
        }
        let s = args.session.load(std::slice::from_ref(dir))?;
        let name = dir.file_name().map_or_else(|| s.space.name().to_string(), |n| n.to_string_lossy().into_owned());
        domains.push(Domain::new(name, s.space, s.parties, args.parties).map_err(as_flag)?);
    }
    let budget = args.session.budget();
    let t = Tournament::builder(domains, agents)
        .protocol(protocol)
        .mediator(mediator)
        .parties(args.parties)
        .steps(args.session.steps)
        .repetitions(args.repetitions)
        .self_play(!args.no_self_play)
        .seed(args.session.seed)
        .budget(budget)
        .build()
        .map_err(as_flag)?;
    let out = args.scale.out.clone().unwrap_or_else(|| DEFAULT_OUT.into());
    let mut plan = args.scale.plan(Some(t.seed), args.threads, Some(domains_id(&t, &args.domains)?));
    plan.out = Some(out.clone());
    if args.scale.dry_run {
        print_text(&bc_report::runner::dry_run(&t, &plan))?;
        return Ok(ExitCode::SUCCESS);
    }
    plan.settings = [
        ("agents", t.agents.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(",")),
        ("protocol", t.protocol.name().to_string()),
        ("mediator", args.session.mediator.clone().unwrap_or_default()),
        ("parties", args.parties.to_string()),
        ("steps", args.session.steps.to_string()),
        ("repetitions", args.repetitions.to_string()),
        ("self_play", (!args.no_self_play).to_string()),
        ("semantics", args.session.semantics.clone()),
        ("ignore_discount", args.session.ignore_discount.to_string()),
        ("time_limit_ms", args.session.time_limit_ms.map_or_else(String::new, |ms| ms.to_string())),
    ]
    .map(|(k, v)| (k.to_string(), v))
    .to_vec();
    let started = Instant::now();
    let scores = bc_studies::runner::run(&t, &plan, |_, _| Ok(()))?;
    let shard = args.scale.shard;
    let r = shard.range(t.n_jobs());
    if !args.scale.quiet {
        let [csv, jsonl, scores] = ["results.csv", "results.jsonl", "scores.csv"].map(|f| out.join(f).display().to_string());
        eprintln!("{} negotiations in {:.2} s; wrote {csv}, {jsonl} and {scores}", r.end - r.start, started.elapsed().as_secs_f64());
    }
    if args.json {
        print_json(&scores.summary_json(t.summary_meta(shard, r.end - r.start)))?;
    } else {
        let header = format!(
            "{} of {} negotiations (shard {}), protocol {}, {} steps, {} domain(s), seed {}",
            r.end - r.start,
            t.n_jobs(),
            shard,
            t.protocol.name(),
            t.n_steps,
            t.domains.len(),
            t.seed
        );
        print_text(&bc_studies::text::tournament::summary_table(&header, &scores))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The scenario identity: every domain folder's files, in order, by name and content.
fn domains_id(t: &Tournament, domains: &[PathBuf]) -> Result<ScenarioId> {
    let mut bytes = Vec::new();
    for d in domains {
        let mut files: Vec<_> = std::fs::read_dir(d)
            .map_err(|e| anyhow::anyhow!("{}: {e}", d.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        for f in files {
            bytes.extend_from_slice(f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default().as_bytes());
            bytes.extend_from_slice(&bc_io::read::read_bytes(&f)?);
        }
    }
    let names: Vec<String> = t.domains.iter().map(|d| d.name.clone()).collect();
    Ok(ScenarioId::new(names.join(", "), &bytes))
}

/// `--rescore`: scores from written results.
fn rescore(args: &Args) -> Result<ExitCode> {
    let out = args.scale.out.clone().unwrap_or_else(|| DEFAULT_OUT.into());
    let scores_path = out.join("scores.csv");
    let overwrite = bc_io::write::Overwrite::force(args.scale.force);
    // Refused before reading: a finished run's scores.csv is not replaced without --force.
    bc_io::write::check_target(&scores_path, overwrite).context("--out")?;
    let scores = bc_tournament::rescore(&args.rescore)?;
    let n: u64 = scores.agents.iter().map(|s| s.n).sum::<u64>();
    std::fs::create_dir_all(&out).with_context(|| format!("--out: cannot create {}", out.display()))?;
    bc_io::write::write_file(&scores_path, scores.to_csv().as_bytes(), overwrite)?;
    let files: Vec<String> = args.rescore.iter().map(|p| p.display().to_string()).collect();
    if args.json {
        print_json(&scores.summary_json(json!({"rescored": files, "party_results": n})))?;
    } else {
        let header = format!("scores of {n} party results from {}", files.join(", "));
        print_text(&bc_studies::text::tournament::summary_table(&header, &scores))?;
    }
    Ok(ExitCode::SUCCESS)
}
