//! `backchannel trace`: one run's story, round by round (strikes, offers, agreements,
//! deliveries and what each side saw, trust), for people who want to see why a forecast says
//! what it says. Run `I` under seed `S` is the same run as run `I` of `backchannel run --seed S`.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use bc_diplomacy::sim::{simulate, Event, Trace};
use bc_diplomacy::Streams;
use serde_json::json;

use crate::output::{print_json, print_text};

/// Flags of `backchannel trace`.
#[derive(clap::Args)]
pub struct Args {
    /// Scenario file (TOML); the embedded default when omitted.
    #[arg(value_name = "SCENARIO.toml")]
    scenario: Option<PathBuf>,
    /// A named variant of the scenario.
    #[arg(long, value_name = "NAME")]
    variant: Option<String>,
    /// Master seed (as in `backchannel run`).
    #[arg(long, default_value_t = 0, value_name = "S")]
    seed: u64,
    /// Which run of that seed.
    #[arg(long, default_value_t = 0, value_name = "I")]
    run: u64,
    /// Print the events as JSON.
    #[arg(long)]
    json: bool,
}

fn list(v: &[f64]) -> String {
    v.iter().map(|x| format!("{x:.2}")).collect::<Vec<_>>().join(" ")
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let scenario = super::run::load(args.scenario.as_ref(), args.variant.as_deref())?;
    let mut rng = bc_engine::rng_for(args.seed, args.run);
    let streams = Streams::from_rng(&mut rng);
    let (model, quantiles) = scenario.sample(&streams);
    let mut trace = Trace::default();
    let record = simulate(&model, &streams, &mut trace);
    let drawn: Vec<(String, f64)> =
        scenario.uncertain().iter().zip(&quantiles).map(|(u, q)| (u.path.clone(), u.param.quantile(*q))).collect();
    if args.json {
        print_json(&json!({
            "scenario": model.name,
            "seed": args.seed,
            "run": args.run,
            "parameters": drawn.iter().map(|(p, v)| json!({"parameter": p, "value": v})).collect::<Vec<_>>(),
            "events": serde_json::to_value(&trace.0)?,
            "record": serde_json::to_value(&record)?,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    let ids: Vec<String> = model.parties.iter().map(|p| p.id.clone()).collect();
    let mut o = String::new();
    let _ = writeln!(o, "backchannel trace: {} — seed {}, run {}", model.name, args.seed, args.run);
    let _ = writeln!(o, "parties: {}; mediator: {}", ids.join(", "), model.mediator.as_ref().map_or("none (direct talks)".to_string(), |m| m.name.clone()));
    if !drawn.is_empty() {
        let _ = writeln!(o, "uncertain parameters drawn for this run:");
        for (p, v) in &drawn {
            let _ = writeln!(o, "  {p:<44} {v:.4}");
        }
    }
    let _ = writeln!(o);
    let unit = &scenario.file.scenario.round_unit;
    let mut header: Option<String> = None;
    for e in &trace.0 {
        let line = match e {
            Event::Round { round, step, visibility, expectations, progress, floors } => {
                header = Some(format!(
                    "{unit} {round}: step \"{step}\"; visibility {visibility:.2}, expectations {expectations:.2}, progress {progress:.2}, floors {}",
                    list(floors)
                ));
                continue;
            }
            Event::Strike { spoiler, hazard, target_trust, pause, .. } => {
                format!("  STRIKE by {spoiler} (hazard {hazard:.3}): target's trust now {}; talks paused {pause} {unit}s", list(target_trust))
            }
            Event::Leak { .. } => "  the talks leaked".to_string(),
            Event::Suspended { .. } => "  talks suspended".to_string(),
            Event::Left { party, reason, .. } => format!("  {party} LEAVES the talks: {reason}"),
            Event::Offer { offer, by, package, values, .. } => {
                format!("  offer {offer} by {by}: {}  (values {})", package.join(", "), list(values))
            }
            Event::Amended { offer, package, .. } => format!("  amendment {offer}: draft now {}", package.join(", ")),
            Event::NoZone { .. } => "  the mediator reports no package both sides can accept now (ratify at home and take at this point of the talks)".to_string(),
            Event::Agreed { step, package, .. } => format!("  AGREED on \"{step}\": {}", package.join(", ")),
            Event::Delivery { party, delivered, observed, .. } => {
                let seen: Vec<String> = observed.iter().map(|(who, saw)| format!("{who} saw {}", if *saw { "delivery" } else { "defection" })).collect();
                format!("  {party} {} ({})", if *delivered { "delivers" } else { "DEFECTS" }, seen.join(", "))
            }
            Event::Trust { trust, .. } => {
                let pairs: Vec<String> = (0..ids.len())
                    .flat_map(|i| (0..ids.len()).filter(move |j| *j != i).map(move |j| (i, j)))
                    .map(|(i, j)| format!("{}→{} {:.2}", ids[i], ids[j], trust[i][j]))
                    .collect();
                format!("  trust: {}", pairs.join(", "))
            }
            Event::StepDone { step, .. } => format!("  step \"{step}\" implemented"),
            Event::Standing { standing, .. } => format!("  mediator's standing: {}", list(standing)),
            Event::End { round, outcome } => format!("end after {unit} {round}: {}", outcome.name()),
        };
        if let Some(h) = header.take() {
            let _ = writeln!(o, "{h}");
        }
        let _ = writeln!(o, "{line}");
    }
    let _ = writeln!(
        o,
        "\noutcome {}; {} steps implemented; first step in {unit} {}; {} strikes, {} setbacks; kept talking after the first setback: {}; mediator accepted: {}",
        record.outcome.name(),
        record.steps_implemented,
        record.first_step_round.map_or("-".to_string(), |r| r.to_string()),
        record.strikes,
        record.setbacks,
        record.kept_talking_after_setback.map_or("no setback".to_string(), |k| k.to_string()),
        record.mediator_accepted.map_or("n/a".to_string(), |k| k.to_string()),
    );
    print_text(&o)?;
    Ok(ExitCode::SUCCESS)
}
