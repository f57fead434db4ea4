//! `backchannel negotiate`: run one negotiation between named agents on a domain, under any
//! protocol, and print the agreement (or why there is none), the round, each party's utility and
//! the distance to the Pareto frontier and the Nash point; `--json` for machines, `--trace` for
//! every event as JSON Lines.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context as _, Result};
use bc_formats::DomainProfiles;
use bc_model::{analyze, Options, OutcomeSpace};
use bc_protocol::Event;
use bc_strategy::{play, Plan, Side, Spec};
use bc_tournament::negotiation::{event_json, mediator_name, party_utilities, NegotiationReport};
use serde_json::json;

use crate::agents::{agent_listing, as_flag, parse_agents, parse_protocol, SessionArgs};
use crate::output::{float, print_json, print_text};

/// Flags of `backchannel negotiate`.
#[derive(clap::Args)]
pub struct Args {
    /// A domain folder, or a domain file followed by profile files.
    #[arg(value_name = "DOMAIN_DIR | DOMAIN.xml PROFILE.xml...")]
    paths: Vec<PathBuf>,
    /// The agents, one per party, comma-separated; parameters as name:key=value (e.g.
    /// boulware,conceder or tb:e=2.5,micro). `--agents list` prints them all.
    #[arg(long, required = true, value_name = "LIST")]
    agents: String,
    /// Which profile each party uses, comma-separated indices (default 0,1,...).
    #[arg(long, value_name = "LIST")]
    profiles: Option<String>,
    #[command(flatten)]
    session: SessionArgs,
    /// Write every event (the analyst's view) to this file as JSON Lines.
    #[arg(long, value_name = "FILE.jsonl")]
    trace: Option<PathBuf>,
    /// Replace the --trace file if it exists (a device, FIFO, link or directory is never
    /// replaced).
    #[arg(long)]
    force: bool,
    /// Also time the negotiation: run it N more times, each with freshly built strategies and
    /// tables (NegMAS's timed region: mechanism, negotiators with their inverse utility
    /// functions, run), and report the median wall time of one run on standard error (and in
    /// `--json`).
    #[arg(long, value_name = "N")]
    repeat: Option<u32>,
    /// Print JSON on standard output instead of a table.
    #[arg(long)]
    json: bool,
}

fn parse_profiles(list: Option<&str>, n_agents: usize, n_profiles: usize, domain: &Path) -> Result<Vec<usize>> {
    let Some(list) = list else {
        if n_profiles < n_agents {
            bail!(
                "{}: {n_agents} agents need {n_agents} profiles but the domain has {n_profiles}; \
                 name the profile of each party with --profiles (e.g. --profiles {})",
                domain.display(),
                vec!["0"; n_agents].join(",")
            );
        }
        return Ok((0..n_agents).collect());
    };
    let profiles: Vec<usize> = list
        .split(',')
        .map(|s| {
            let k: usize = s.trim().parse().map_err(|_| anyhow::anyhow!("--profiles: expected profile indices, found {s:?}"))?;
            if k >= n_profiles {
                bail!("--profiles: profile {k} does not exist; the domain has {n_profiles} (0..{})", n_profiles - 1);
            }
            Ok(k)
        })
        .collect::<Result<_>>()?;
    if profiles.len() != n_agents {
        bail!("--profiles: expected one profile per agent ({n_agents}), found {}", profiles.len());
    }
    Ok(profiles)
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    if args.agents.trim() == "list" {
        print_text(&agent_listing())?;
        return Ok(ExitCode::SUCCESS);
    }
    if args.paths.is_empty() {
        bail!("expected a domain folder, or a domain file followed by profile files (or --agents list)");
    }
    let protocol = parse_protocol(&args.session.protocol)?;
    let agents = parse_agents(&args.agents)?;
    let mediator: Option<Spec> = args.session.mediator.as_deref().map(str::parse).transpose().context("--mediator")?;
    bc_tournament::negotiation::check_settings(protocol, &agents, mediator.as_ref(), args.session.steps).map_err(as_flag)?;
    if let Some(path) = &args.trace {
        // Refused before the negotiation runs, not after.
        bc_io::write::check_target(path, bc_io::write::Overwrite::force(args.force)).context("--trace")?;
    }
    let scenario = args.session.load(&args.paths)?;
    let profiles = parse_profiles(args.profiles.as_deref(), agents.len(), scenario.parties.len(), &scenario.domain_file)?;
    let space = Arc::new(scenario.space.clone());
    let sides: Vec<Arc<Side>> =
        profiles.iter().map(|p| Side::new(space.clone(), scenario.parties[*p].clone()).map(Arc::new)).collect::<Result<_, _>>()?;
    let budget = args.session.budget();
    let plan = Plan { protocol, agents: &agents, mediator: mediator.as_ref(), n_steps: args.session.steps, keep_events: true, budget };
    let seed = args.session.seed;
    let mut rng = |k: usize| bc_engine::rng_for(seed, k as u64);
    let record = play(&plan, &sides, &mut rng).with_context(|| format!("negotiating on {}", scenario.domain_file.display()))?;
    let timing = match args.repeat {
        None | Some(0) => None,
        Some(n) => Some(time_runs(&plan, &space, &scenario, &profiles, seed, n)?),
    };

    let used: Vec<&bc_model::Preferences> = profiles.iter().map(|p| &scenario.parties[*p]).collect();
    let analysis = analyze(&space, &used, Options::default()).ok();
    let utils = party_utilities(&sides, &record, args.session.steps, analysis.as_ref());
    let distances = analysis.as_ref().map(|a| a.distances(&utils));

    if let Some(path) = &args.trace {
        write_trace(path, &space, &record.events, args.force)?;
    }
    let mediator_name = mediator_name(protocol, mediator.as_ref());
    let report = NegotiationReport {
        space: &space,
        protocol,
        mediator: &mediator_name,
        agents: &agents,
        profiles: profiles.iter().map(|p| scenario.parties[*p].name.clone()).collect(),
        n_steps: args.session.steps,
        seed: args.session.seed,
        semantics: &args.session.semantics,
        ignore_discount: args.session.ignore_discount,
        record: &record,
        utils: &utils,
        analysis: analysis.as_ref(),
    };
    if let Some((n, median)) = timing {
        eprintln!("median of {n} runs: {:.3} ms per negotiation", median * 1e3);
    }
    if args.json {
        let mut j = report.json(distances);
        if let (Some((n, median)), Some(obj)) = (timing, j.as_object_mut()) {
            obj.insert("timing".into(), json!({"runs": n, "median_s": float(median)}));
        }
        print_json(&j)?;
    } else {
        print_text(&bc_studies::text::negotiate::table(&report, distances))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs the negotiation `n` times from scratch (new sides, so tables are rebuilt; new agents)
/// without keeping events, and returns `(n, median seconds)`.
fn time_runs(
    plan: &Plan<'_>,
    space: &Arc<OutcomeSpace>,
    scenario: &DomainProfiles,
    profiles: &[usize],
    seed: u64,
    n: u32,
) -> Result<(u32, f64)> {
    let plan = Plan { keep_events: false, ..plan.clone() };
    let mut times = Vec::with_capacity(n as usize);
    for _ in 0..n {
        let start = std::time::Instant::now();
        let sides: Vec<Arc<Side>> =
            profiles.iter().map(|p| Side::new(space.clone(), scenario.parties[*p].clone()).map(Arc::new)).collect::<Result<_, _>>()?;
        let mut rng = |k: usize| bc_engine::rng_for(seed, k as u64);
        let r = play(&plan, &sides, &mut rng)?;
        times.push(start.elapsed().as_secs_f64());
        std::hint::black_box(r);
    }
    times.sort_by(|a, b| a.total_cmp(b));
    Ok((n, times[times.len() / 2]))
}

/// Writes the events as JSON Lines through the one write path (`bc_io::write`).
fn write_trace(path: &Path, space: &OutcomeSpace, events: &[Event], force: bool) -> Result<()> {
    let mut text = String::new();
    for e in events {
        text.push_str(&event_json(space, e).to_string());
        text.push('\n');
    }
    bc_io::write::write_file(path, text.as_bytes(), bc_io::write::Overwrite::force(force)).context("--trace")?;
    Ok(())
}
