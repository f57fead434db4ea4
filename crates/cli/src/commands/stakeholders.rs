//! `backchannel stakeholders`: run a stakeholder model (KTAB's Spatial Model of Politics, or the
//! BDM/Scholz expected-utility model) on a KTAB CSV/XML scenario, or on the embedded
//! illustrative US–Iran scenario; print positions and winning probabilities per turn and the
//! forecast outcome, as a table or as JSON.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use bc_stakeholders::json::{bdm_json, smp_json};
use bc_stakeholders::run::{Model, Run, Settings};
use bc_stakeholders::{read, StakeholderScenario};

use bc_report::manifest::ScenarioId;
use bc_studies::stakeholders::{ActorInfo, StakeholderStudy};

use crate::flags;
use crate::output::{print_json, print_text};

/// Flags of `backchannel stakeholders`.
#[derive(clap::Args)]
pub struct Args {
    /// A KTAB scenario (.csv or .xml). Without it, the embedded illustrative US–Iran scenario.
    #[arg(value_name = "FILE")]
    file: Option<PathBuf>,
    /// The model: KTAB's Spatial Model of Politics, or Bueno de Mesquita's expected-utility
    /// model (Scholz et al. 2011) run on each dimension separately.
    #[arg(long, default_value = "smp", value_parser = ["smp", "bdm"])]
    model: String,
    /// Most turns to run (SMP: it stops earlier when positions settle; default 100, as KTAB).
    /// BDM: the number of rounds (default 10).
    #[arg(long, value_name = "N")]
    turns: Option<usize>,
    /// Seed of KTAB's generator (used by stochastic state transitions). Default: the XML
    /// file's prngSeed, else KTAB's default seed.
    #[arg(long, value_name = "S")]
    seed: Option<u64>,
    /// Set an SMP parameter by its KTAB XML name, e.g. `--param VotingRule=PropCbc`
    /// (repeatable; overrides the file's <ModelParameters>).
    #[arg(long = "param", value_name = "NAME=VALUE")]
    params: Vec<String>,
    /// Correct the reference implementations' quirks instead of reproducing them (SMP: KTAB's
    /// two bargain quirks; BDM: the replication's normaliser, capitulation test and
    /// compromise choice).
    #[arg(long)]
    fix_quirks: bool,
    /// Print JSON on standard output instead of a table.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    scale: crate::scale::ScaleArgs,
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let (scenario, illustrative) = match &args.file {
        Some(path) => (read::load(path)?, false),
        None => (bc_stakeholders::us_iran().context("the embedded scenario")?, true),
    };
    let model = if args.model == "bdm" { Model::Bdm } else { Model::Smp };
    let mut settings = Settings { model, turns: args.turns, seed: args.seed, params: Vec::new(), fix_quirks: args.fix_quirks };
    settings.check(flags::flag)?;
    if args.scale.shard != bc_engine::Shard::ALL {
        bail!("--shard {}: a stakeholder run is one deterministic run and is not sharded (expected 0/1)", args.scale.shard);
    }
    if args.scale.dry_run {
        bail!("--dry-run: a stakeholder run is a single run (its cost is the run itself); --dry-run applies to run, tournament and sweep");
    }
    for p in &args.params {
        let pair = match p.split_once('=') {
            Some((name, value)) => (name.to_string(), value.to_string()),
            // The BDM model refuses any parameter, whatever its form.
            None if model == Model::Bdm => (p.clone(), String::new()),
            None => bail!("--param: expected NAME=VALUE (e.g. VotingRule=PropCbc), found {p:?}"),
        };
        settings.params.push(pair);
    }
    match bc_stakeholders::run::run(&scenario, &settings, flags::flag)? {
        Run::Smp(run) => {
            if args.scale.out.is_some() {
                let positions = run.states.iter().map(|st| st.positions.iter().map(|p| p.iter().map(|x| x * 100.0).collect()).collect());
                let win = run.states.iter().map(|st| st.win_prob.clone()).collect();
                let study = study(&scenario, "smp", positions.collect(), win, run.forecast().most_likely, illustrative);
                write(&args, &study, Some(run.options.seed))?;
            }
            if args.json {
                print_json(&smp_json(&scenario, &run, illustrative))?;
            } else {
                print_text(&bc_studies::text::stakeholders::smp_text(&scenario, &run, illustrative))?;
            }
        }
        Run::Bdm(run) => {
            if args.scale.out.is_some() {
                let history = (0..=run.rounds).map(|t| (0..scenario.num_actors()).map(|i| run.positions(t, i)).collect()).collect();
                write(&args, &study(&scenario, "bdm", history, Vec::new(), run.medians(run.rounds), illustrative), None)?;
            }
            if args.json {
                print_json(&bdm_json(&scenario, &run, illustrative))?;
            } else {
                print_text(&bc_studies::text::stakeholders::bdm_text(&scenario, &run, illustrative))?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A run as bc-report's stakeholder study: `positions[turn][actor][dimension]` (0–100),
/// `win[turn][actor]` (empty where the model has none) and the forecast per dimension.
fn study(
    s: &StakeholderScenario,
    model: &str,
    positions: Vec<Vec<Vec<f64>>>,
    win: Vec<Vec<f64>>,
    forecast: Vec<f64>,
    illustrative: bool,
) -> StakeholderStudy {
    StakeholderStudy {
        scenario: s.name.clone(),
        model: model.into(),
        dimensions: s.dimensions.clone(),
        actors: s
            .actors
            .iter()
            .map(|a| ActorInfo { name: a.name.clone(), capability: a.capability, salience: a.salience.clone() })
            .collect(),
        positions,
        win_probabilities: win,
        forecast,
        illustrative,
    }
}

/// `--out DIR`: the run as a run directory (one record per actor and turn).
fn write(args: &Args, study: &StakeholderStudy, seed: Option<u64>) -> Result<()> {
    let bytes = match &args.file {
        Some(p) => bc_io::read::read_bytes(p)?,
        None => bc_stakeholders::US_IRAN_XML.as_bytes().to_vec(),
    };
    let name = args.file.as_ref().map_or_else(|| "embedded us_iran.xml".to_string(), |p| p.display().to_string());
    let plan = args.scale.plan(seed, 1, Some(ScenarioId::new(name, &bytes)));
    bc_report::runner::run(study, &plan, |_, _| Ok(()))?;
    Ok(())
}
