//! `backchannel tournament --out DIR` as a run directory: the tournament's own `results.csv`,
//! `results.jsonl` and `scores.csv` plus the run directory's records, statistics, aggregates and
//! report; `--dry-run` estimates the work. `results.csv` and `results.jsonl` are listed in the
//! manifest as concatenated files, so `backchannel merge` rebuilds them from the shards.

use std::path::Path;

use anyhow::Result;
use bc_engine::Shard;
use bc_report::manifest::{Manifest, ScenarioId};
use bc_report::records::Cell;
use bc_report::rundir::RunDir;
use bc_report::tournament::{NegotiationRow, TournamentSpec, TournamentStudy};
use bc_tournament::{Row, Tournament};

/// The study of a tournament.
pub fn study(t: &Tournament) -> TournamentStudy {
    TournamentStudy::new(TournamentSpec {
        agents: t.agents.iter().map(|a| a.to_string()).collect(),
        domains: t.domains.iter().map(|d| d.name.clone()).collect(),
        protocol: t.protocol.name().to_string(),
        parties: t.n_parties,
        steps: t.n_steps,
        repetitions: t.repetitions,
        seed: t.seed,
    })
}

/// A tournament row as plain data (built on the worker threads).
pub fn row(t: &Tournament, r: &Row) -> NegotiationRow {
    let outcome = r.agreement.map_or(String::new(), |o| {
        let space = &t.domains[r.domain].space;
        space.value_names(&space.outcome_at(o)).join(";")
    });
    NegotiationRow {
        index: r.index,
        domain: r.domain,
        agents: r.agents.clone(),
        profiles: r.profiles.clone(),
        repetition: r.repetition,
        ending: r.ending.to_string(),
        step: r.step,
        agreement: r.agreement.is_some(),
        outcome,
        utilities: r.utilities.clone(),
        advantages: r.advantages.clone(),
        welfare: r.welfare,
        pareto_distance: r.pareto_distance,
        nash_distance: r.nash_distance,
        fault: r.fault.clone(),
    }
}

/// Starts the run directory at `out`; the tournament's own files go in its `dir()`.
pub fn start(out: &Path, t: &Tournament, shard: Shard, threads: usize, domains: &[std::path::PathBuf]) -> Result<RunDir> {
    let mut m = Manifest::start("tournament", t.n_jobs(), shard);
    m.seed = Some(t.seed);
    // The scenario identity: every domain folder's files, in order, by name and content.
    let mut bytes = Vec::new();
    for d in domains {
        let mut files: Vec<_> = std::fs::read_dir(d).map_err(|e| anyhow::anyhow!("{}: {e}", d.display()))?.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()).collect();
        files.sort();
        for f in files {
            bytes.extend_from_slice(f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default().as_bytes());
            bytes.extend_from_slice(&std::fs::read(&f).map_err(|e| anyhow::anyhow!("{}: {e}", f.display()))?);
        }
    }
    let names: Vec<String> = t.domains.iter().map(|d| d.name.clone()).collect();
    m.scenario = Some(ScenarioId::new(names.join(", "), &bytes));
    m.threads = if threads == 0 { std::thread::available_parallelism().map_or(1, |n| n.get()) } else { threads };
    m.concatenated = vec!["results.csv".into(), "results.jsonl".into()];
    Ok(RunDir::create(out, m)?)
}

/// `--dry-run`: times real negotiations and prints the estimate.
pub fn dry_run(t: &Tournament, shard: Shard, threads: usize) -> Result<()> {
    let st = study(t);
    let columns = st.columns();
    let scale = crate::scale::ScaleArgs { out: None, shard, dry_run: true, quiet: true };
    crate::scale::print_dry_run(&scale, "tournament", "negotiations", t.n_jobs(), threads, &columns, |i| {
        let r = t.run_job(i);
        let cells: Vec<Cell> = st.cells(&row(t, &r));
        vec![cells]
    })
}
