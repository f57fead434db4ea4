//! `backchannel stakeholders`: run a stakeholder model (KTAB's Spatial Model of Politics, or the
//! BDM/Scholz expected-utility model) on a KTAB CSV/XML scenario, or on the embedded
//! illustrative US–Iran scenario; print positions and winning probabilities per turn and the
//! forecast outcome, as a table or as JSON.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use bc_stakeholders::bdm::{self, BdmActor, BdmOptions, BdmRound};
use bc_stakeholders::prng::KTAB_DEFAULT_SEED;
use bc_stakeholders::smp::{self, RunOptions, SmpRun, Stop};
use bc_stakeholders::{read, Params, Scenario};
use serde_json::{json, Value as Json};

use crate::output::{float, print_json, print_text};

const ILLUSTRATIVE: &str = "The numbers of the embedded scenario are illustrative: hand-set to show how the \
model works (each with its reason in crates/stakeholders/data/us_iran.xml), not estimates from data or experts.";

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
    if args.turns == Some(0) {
        bail!("--turns: expected at least 1, found 0");
    }
    if let Some(t) = args.turns {
        bc_io::limits::TURNS.check(t as u64, "--turns")?;
    }
    crate::stakeholders_out::check(&args.scale)?;
    match args.model.as_str() {
        "bdm" => run_bdm(&args, &scenario, illustrative),
        _ => run_smp(&args, &scenario, illustrative),
    }
}

fn run_smp(args: &Args, scenario: &Scenario, illustrative: bool) -> Result<ExitCode> {
    let mut params = scenario.params.unwrap_or_default();
    for p in &args.params {
        let Some((name, value)) = p.split_once('=') else {
            bail!("--param: expected NAME=VALUE (e.g. VotingRule=PropCbc), found {p:?}");
        };
        let names = bc_stakeholders::params::PARAM_NAMES;
        if !names.contains(&name.trim()) {
            bail!("--param: expected a parameter name (one of {}), found {:?}", names.join(", "), name.trim());
        }
        params.set(name, value).map_err(|expected| anyhow::anyhow!("--param {name}: expected {expected}, found {value:?}"))?;
    }
    if args.fix_quirks {
        params = params.corrected();
    }
    let options = RunOptions {
        params,
        seed: args.seed.or(scenario.seed).unwrap_or(KTAB_DEFAULT_SEED),
        max_turns: args.turns.unwrap_or(smp::DEFAULT_MAX_TURNS),
    };
    let run = smp::run(scenario, options)?;
    if let Some(out) = &args.scale.out {
        crate::stakeholders_out::smp(out, scenario, &run, args.file.as_deref(), illustrative)?;
    }
    if args.json {
        print_json(&smp_json(scenario, &run, illustrative))?;
    } else {
        print_text(&smp_text(scenario, &run, illustrative))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn quirks_label(params: &Params) -> &'static str {
    if params.quirk_gain_as_probability && params.quirk_initiator_capability {
        "reproduced (as KTAB)"
    } else {
        "corrected"
    }
}

fn header(out: &mut String, scenario: &Scenario, illustrative: bool, model: &str) {
    let _ = writeln!(out, "Scenario: {}", scenario.name);
    if !scenario.description.is_empty() {
        let _ = writeln!(out, "  {}", scenario.description);
    }
    if illustrative {
        let _ = writeln!(out, "NOTE: {ILLUSTRATIVE}");
    }
    let _ = writeln!(out, "Model: {model}");
    for (d, name) in scenario.dimensions.iter().enumerate() {
        let _ = writeln!(out, "  dimension {}: {name} (0-100)", d + 1);
    }
}

fn table_head(out: &mut String, scenario: &Scenario, name_w: usize, last: &str) -> Vec<usize> {
    let widths: Vec<usize> = scenario.dimensions.iter().map(|d| d.chars().count().max(6)).collect();
    let _ = write!(out, "  {:<name_w$}", "actor");
    for (d, w) in scenario.dimensions.iter().zip(&widths) {
        let _ = write!(out, "  {d:>w$}");
    }
    if last.is_empty() {
        let _ = writeln!(out);
    } else {
        let _ = writeln!(out, "  {last}");
    }
    widths
}

fn smp_text(scenario: &Scenario, run: &SmpRun, illustrative: bool) -> String {
    let mut out = String::new();
    let p = &run.options.params;
    header(&mut out, scenario, illustrative, "KTAB Spatial Model of Politics");
    let named: Vec<String> = p.named().iter().map(|(k, v)| format!("{k}={v}")).collect();
    let _ = writeln!(out, "  parameters: {}", named.join(", "));
    let _ = writeln!(out, "  quirks: {}; seed: {}", quirks_label(p), run.options.seed);
    let name_w = scenario.actors.iter().map(|a| a.name.chars().count()).max().unwrap_or(5).max(5);
    for (t, state) in run.states.iter().enumerate() {
        let _ = writeln!(out);
        match t {
            0 => {
                let _ = writeln!(out, "Turn 0 (initial positions)");
            }
            _ => {
                let _ = writeln!(out, "Turn {t} (this step moved {:.4} times as far as the first)", run.turns[t - 1].fractional_change);
            }
        }
        let widths = table_head(&mut out, scenario, name_w, "P(win)");
        for (i, a) in scenario.actors.iter().enumerate() {
            let _ = write!(out, "  {:<name_w$}", a.name);
            for (x, w) in state.positions[i].iter().zip(&widths) {
                let _ = write!(out, "  {:>w$.1}", x * 100.0);
            }
            let _ = writeln!(out, "  {:.4}", state.win_prob[i]);
        }
    }
    let n = run.turns.len();
    let _ = writeln!(out);
    match run.stop {
        Stop::Converged => {
            let _ = writeln!(out, "Stopped after {n} turns: the last step moved the actors less than 2% as much as the first.");
        }
        Stop::MaxTurns => {
            let _ = writeln!(out, "Stopped after {n} turns: the turn limit.");
        }
    }
    let f = run.forecast();
    let coords = |v: &[f64]| v.iter().map(|x| format!("{x:.1}")).collect::<Vec<_>>().join(", ");
    let holders: Vec<&str> = f.most_likely_holders.iter().map(|&i| scenario.actors[i].name.as_str()).collect();
    let _ = writeln!(out, "Forecast outcome (turn {n}):");
    let _ = writeln!(
        out,
        "  most likely position: ({}) with probability {:.4}, held by {}",
        coords(&f.most_likely),
        f.most_likely_probability,
        holders.join(", ")
    );
    let _ = writeln!(out, "  probability-weighted position: ({})", coords(&f.expected));
    if illustrative {
        let _ = writeln!(out, "NOTE: illustrative numbers; see above.");
    }
    out
}

fn floats(v: &[f64]) -> Json {
    Json::Array(v.iter().map(|&x| float(x)).collect())
}

fn scenario_json(scenario: &Scenario, illustrative: bool) -> serde_json::Map<String, Json> {
    let mut m = serde_json::Map::new();
    m.insert("scenario".into(), json!(scenario.name));
    m.insert("description".into(), json!(scenario.description));
    m.insert("illustrative".into(), json!(illustrative));
    if illustrative {
        m.insert("note".into(), json!(ILLUSTRATIVE));
    }
    m.insert("dimensions".into(), json!(scenario.dimensions));
    m
}

fn smp_json(scenario: &Scenario, run: &SmpRun, illustrative: bool) -> Json {
    let p = &run.options.params;
    let mut m = scenario_json(scenario, illustrative);
    m.insert("model".into(), json!("smp"));
    let mut params: serde_json::Map<String, Json> = p.named().iter().map(|(k, v)| ((*k).to_string(), json!(v))).collect();
    params.insert("quirks".into(), json!(if quirks_label(p) == "corrected" { "corrected" } else { "ktab" }));
    m.insert("parameters".into(), Json::Object(params));
    m.insert("seed".into(), json!(run.options.seed));
    let actors: Vec<Json> = scenario
        .actors
        .iter()
        .enumerate()
        .map(|(i, a)| {
            json!({
                "name": a.name,
                "description": a.description,
                "capability": float(a.capability),
                "salience": floats(&a.salience),
                "positions": run.states.iter().map(|s| floats(&s.positions[i].iter().map(|x| x * 100.0).collect::<Vec<_>>())).collect::<Vec<_>>(),
                "win_probabilities": run.states.iter().map(|s| float(s.win_prob[i])).collect::<Vec<_>>(),
                "risk_attitudes": run.states.iter().map(|s| float(s.risk[i])).collect::<Vec<_>>(),
            })
        })
        .collect();
    m.insert("actors".into(), Json::Array(actors));
    let turns: Vec<Json> = run
        .states
        .iter()
        .enumerate()
        .map(|(t, s)| {
            let turn = t.checked_sub(1).and_then(|k| run.turns.get(k));
            json!({
                "turn": t,
                "win_probabilities": floats(&s.win_prob),
                "fractional_change": turn.map_or(Json::Null, |r| float(r.fractional_change)),
                "challenges": turn.map_or(Json::Null, |r| Json::Array(r.challenges.iter().enumerate().filter_map(|(i, c)| {
                    c.map(|c| json!({"initiator": scenario.actors[i].name, "target": scenario.actors[c.target].name,
                        "probability": float(c.probability), "gain": float(c.gain)}))
                }).collect())),
            })
        })
        .collect();
    m.insert("turns".into(), Json::Array(turns));
    m.insert("stop".into(), json!(match run.stop { Stop::Converged => "converged", Stop::MaxTurns => "max_turns" }));
    let f = run.forecast();
    m.insert(
        "forecast".into(),
        json!({
            "turn": run.turns.len(),
            "most_likely": {
                "position": floats(&f.most_likely),
                "probability": float(f.most_likely_probability),
                "holders": f.most_likely_holders.iter().map(|&i| scenario.actors[i].name.clone()).collect::<Vec<_>>(),
            },
            "expected_position": floats(&f.expected),
        }),
    );
    Json::Object(m)
}

fn run_bdm(args: &Args, scenario: &Scenario, illustrative: bool) -> Result<ExitCode> {
    if !args.params.is_empty() {
        bail!("--param sets SMP parameters; the BDM model has none (use --fix-quirks for its options)");
    }
    let options = if args.fix_quirks { BdmOptions::default().corrected() } else { BdmOptions::default() };
    let rounds = args.turns.unwrap_or(10);
    let mut per_dim: Vec<Vec<BdmRound>> = Vec::new();
    for (d, dim) in scenario.dimensions.iter().enumerate() {
        let actors: Vec<BdmActor> = scenario
            .actors
            .iter()
            .map(|a| BdmActor {
                name: a.name.clone(),
                capability: a.capability,
                position: a.position[d],
                salience: a.salience[d] / 100.0,
            })
            .collect();
        per_dim.push(bdm::run(&actors, options, rounds).with_context(|| format!("dimension \"{dim}\""))?);
    }
    let na = scenario.num_actors();
    let pos = |t: usize, i: usize| -> Vec<f64> { per_dim.iter().map(|r| r[t].positions[i]).collect() };
    let medians = |t: usize| -> Vec<f64> { per_dim.iter().map(|r| r[t].median).collect() };
    let means = |t: usize| -> Vec<f64> { per_dim.iter().map(|r| r[t].mean).collect() };
    let quirks = if args.fix_quirks { "corrected" } else { "replication" };
    if let Some(out) = &args.scale.out {
        let history = (0..=rounds).map(|t| (0..na).map(|i| pos(t, i)).collect()).collect();
        crate::stakeholders_out::bdm(out, scenario, history, medians(rounds), args.file.as_deref(), illustrative)?;
    }
    if args.json {
        let mut m = scenario_json(scenario, illustrative);
        m.insert("model".into(), json!("bdm"));
        m.insert("parameters".into(), json!({"Q": float(options.q), "T": float(options.t), "quirks": quirks}));
        let actors: Vec<Json> = (0..na)
            .map(|i| {
                json!({
                    "name": scenario.actors[i].name,
                    "positions": (0..=rounds).map(|t| floats(&pos(t, i))).collect::<Vec<_>>(),
                })
            })
            .collect();
        m.insert("actors".into(), Json::Array(actors));
        m.insert(
            "turns".into(),
            Json::Array((0..=rounds).map(|t| json!({"turn": t, "median": floats(&medians(t)), "mean": floats(&means(t))})).collect()),
        );
        m.insert("forecast".into(), json!({"turn": rounds, "median": floats(&medians(rounds)), "mean": floats(&means(rounds))}));
        print_json(&Json::Object(m))?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = String::new();
    header(&mut out, scenario, illustrative, "Bueno de Mesquita expected utility (Scholz et al. 2011), each dimension separately");
    let _ = writeln!(out, "  Q = {}, quirks: {quirks}", options.q);
    let name_w = scenario.actors.iter().map(|a| a.name.chars().count()).max().unwrap_or(5).max(6);
    let coords = |v: &[f64], widths: &[usize]| v.iter().zip(widths).map(|(x, w)| format!("  {x:>w$.1}")).collect::<String>();
    for t in 0..=rounds {
        let _ = writeln!(out);
        let _ = writeln!(out, "Round {t}");
        let widths = table_head(&mut out, scenario, name_w, "");
        for (i, a) in scenario.actors.iter().enumerate() {
            let _ = writeln!(out, "  {:<name_w$}{}", a.name, coords(&pos(t, i), &widths));
        }
        let _ = writeln!(out, "  {:<name_w$}{}", "median", coords(&medians(t), &widths));
        let _ = writeln!(out, "  {:<name_w$}{}", "mean", coords(&means(t), &widths));
    }
    let fmt = |v: &[f64]| v.iter().map(|x| format!("{x:.1}")).collect::<Vec<_>>().join(", ");
    let _ = writeln!(out);
    let _ = writeln!(out, "Forecast outcome (round {rounds}): weighted median ({}); weighted mean ({})", fmt(&medians(rounds)), fmt(&means(rounds)));
    if illustrative {
        let _ = writeln!(out, "NOTE: illustrative numbers; see above.");
    }
    print_text(&out)?;
    Ok(ExitCode::SUCCESS)
}
