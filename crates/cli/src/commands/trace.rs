//! `backchannel trace`: one run's story, round by round (strikes, what the bargaining put on
//! the table, offers, agreements, deliveries and why one failed, what each side saw, trust), for
//! people who want to see why a forecast says what it says. Run `I` under seed `S` is the same run as run `I` of `backchannel run --seed S`.

use std::fmt::Write as _;
use std::process::ExitCode;

use anyhow::Result;
use bc_diplomacy::forecast::{self, parameter_label, ForecastSpec, JobOptions};
use bc_diplomacy::sim::{RunEvent, Scratch, Trace};
use serde_json::json;

use crate::output::{print_json, print_text};

/// Flags of `backchannel trace`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    scenario: crate::scale::ScenarioArgs,
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

/// Why an implementer did not deliver, for people.
fn why_not(why: &str) -> String {
    match why {
        "unable" => "unable: it lacked the capacity to deliver".into(),
        "reneged" => "reneged: delivering no longer paid (the commitment problem)".into(),
        "held back" => "held back: an earlier mover of the step did not deliver".into(),
        other => other.to_string(),
    }
}

/// How a strike was read, for people.
fn reading(r: &str) -> String {
    match r {
        "evidence" => "read as evidence about the blamed side's capacity".into(),
        "misperception" => "misread as evidence about the blamed side".into(),
        "no information" => "read as carrying no information".into(),
        other => format!("read as {other}"),
    }
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let scenario = args.scenario.load()?;
    // The forecast's own job, without counterfactuals, seen through a trace: the same draws,
    // parameters and run as run `I` of `backchannel run --seed S`.
    let mut trace = Trace::default();
    let job = forecast::job(&scenario, &JobOptions::default(), args.seed, args.run, &mut trace, &mut Scratch::default());
    let record = job.record;
    // Names only: they are the same in every run's model.
    let model = scenario.nominal();
    let spec = ForecastSpec::new(&scenario, &JobOptions::default(), args.seed);
    let drawn: Vec<(String, String, f64)> = scenario
        .uncertain()
        .iter()
        .zip(&job.quantiles)
        .map(|(u, q)| (u.path.clone(), parameter_label(&u.path, &spec), u.param.quantile(*q)))
        .collect();
    if args.json {
        print_json(&json!({
            "scenario": model.name,
            "seed": args.seed,
            "run": args.run,
            "parameters": drawn.iter().map(|(p, l, v)| json!({"parameter": p, "label": l, "value": v})).collect::<Vec<_>>(),
            "events": serde_json::to_value(&trace.0)?,
            "record": serde_json::to_value(&record)?,
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    let ids: Vec<String> = model.parties.iter().map(|p| p.id.clone()).collect();
    let sides = if ids.len() == 2 { "both sides'" } else { "every side's" };
    let mut o = String::new();
    let _ = writeln!(o, "backchannel trace: {} — seed {}, run {}", model.name, args.seed, args.run);
    let _ = writeln!(
        o,
        "parties: {}; mediator: {}",
        ids.join(", "),
        model.mediator.as_ref().map_or("none (direct talks)".to_string(), |m| m.name.clone())
    );
    if !drawn.is_empty() {
        let _ = writeln!(o, "uncertain parameters drawn for this run:");
        for (_, label, v) in &drawn {
            let _ = writeln!(o, "  {label:<52} {v:.4}");
        }
    }
    let _ = writeln!(o);
    let unit = &scenario.file.scenario.round_unit;
    let mut header: Option<String> = None;
    for e in &trace.0 {
        let line = match e {
            RunEvent::Round { round, step, visibility, expectations, progress, floors } => {
                let on = step.as_ref().map_or("nothing on the table".to_string(), |s| format!("step \"{s}\""));
                header = Some(format!(
                    "{unit} {round}: {on}; visibility {visibility:.2}, expectations {expectations:.2}, progress {progress:.2}, floors {}",
                    list(floors)
                ));
                continue;
            }
            RunEvent::Rejected { party, standing, .. } => {
                format!("  {party} REJECTS the mediator (standing {standing:.2}): the talks go direct")
            }
            RunEvent::Strike { spoiler, hazard, reading: r, target_trust, pause, .. } => {
                format!(
                    "  STRIKE by {spoiler} (hazard {hazard:.3}), {}: target's trust now {}; talks paused {pause} {unit}s",
                    reading(r),
                    list(target_trust)
                )
            }
            RunEvent::Leak { .. } => "  the talks leaked".to_string(),
            RunEvent::Suspended { .. } => "  talks suspended".to_string(),
            RunEvent::Withdrawal { party, step, reason, observed, .. } => {
                let why = match reason.as_str() {
                    "capacity" => "it lost the ability to keep it",
                    "strategic" => "keeping it no longer pays",
                    other => other,
                };
                let seen: Vec<String> =
                    observed.iter().map(|(who, saw)| format!("{who} {}", if *saw { "saw it" } else { "did not see it" })).collect();
                format!("  {party} WITHDRAWS from \"{step}\" ({reason}: {why}) ({})", seen.join(", "))
            }
            RunEvent::Response { step, what, .. } => match what.as_str() {
                "snap_back" => format!("  response to the defection: \"{step}\" SNAPS BACK and returns to the table whole"),
                "redelivered" => format!("  response to the defection: none needed, \"{step}\" was delivered during the wait"),
                other => format!("  response to the defection on \"{step}\": {other}"),
            },
            RunEvent::Left { party, reason, .. } => format!("  {party} LEAVES the talks: {reason}"),
            RunEvent::Table { step, zone, claimed, protocol, .. } => {
                format!("  zone: {zone} packages pass {sides} true tests; {claimed} as they bargain (step \"{step}\", protocol {protocol})")
            }
            RunEvent::Offer { offer, by, package, values, .. } => {
                format!("  offer {offer} by {by}: {}  (values {})", package.join(", "), list(values))
            }
            RunEvent::Amended { offer, package, .. } => format!("  amendment {offer}: draft now {}", package.join(", ")),
            RunEvent::NoZone { .. } => {
                "  the mediator reports no package both sides can accept now (ratify at home and take at this point of the talks)"
                    .to_string()
            }
            RunEvent::Agreed { step, package, .. } => format!("  AGREED on \"{step}\": {}", package.join(", ")),
            RunEvent::Delivery { party, delivered, why, observed, .. } => {
                let seen: Vec<String> =
                    observed.iter().map(|(who, saw)| format!("{who} saw {}", if *saw { "delivery" } else { "defection" })).collect();
                if *delivered {
                    format!("  {party} delivers ({})", seen.join(", "))
                } else {
                    format!("  {party} DOES NOT DELIVER, {} ({})", why_not(why), seen.join(", "))
                }
            }
            RunEvent::Trust { trust, .. } => {
                let pairs: Vec<String> = (0..ids.len())
                    .flat_map(|i| (0..ids.len()).filter(move |j| *j != i).map(move |j| (i, j)))
                    .map(|(i, j)| format!("{}→{} {:.2}", ids[i], ids[j], trust.get(i).and_then(|r| r.get(j)).copied().unwrap_or(f64::NAN)))
                    .collect();
                format!("  trust: {}", pairs.join(", "))
            }
            RunEvent::StepDone { step, .. } => format!("  step \"{step}\" implemented"),
            RunEvent::Standing { standing, .. } => format!("  mediator's standing: {}", list(standing)),
            RunEvent::End { round, outcome } => format!("end after {unit} {round}: {}", outcome.name()),
        };
        if let Some(h) = header.take() {
            let _ = writeln!(o, "{h}");
        }
        let _ = writeln!(o, "{line}");
    }
    let _ = writeln!(
        o,
        "\noutcome {}; at least one step: {}; {:.0}% of the agenda standing ({} steps); {} steps implemented, {} reversed, {} withdrawals; first step in {unit} {}; {} strikes, {} setbacks; kept talking after the first setback: {}; concrete signals: {}; mediator accepted: {}",
        record.outcome.name(),
        if record.at_least_one_step { "yes" } else { "no" },
        100.0 * record.agenda_share + 0.0,
        record.steps_standing,
        record.steps_implemented,
        record.reversals,
        record.withdrawals,
        record.first_step_round.map_or("-".to_string(), |r| r.to_string()),
        record.strikes,
        record.setbacks,
        record.kept_talking_after_setback.map_or("no setback".to_string(), |k| k.to_string()),
        record.concrete_signals,
        record.mediator_accepted.map_or("n/a".to_string(), |k| k.to_string()),
    );
    let utilities: Vec<String> = ids.iter().zip(&record.discounted_utility).map(|(p, u)| format!("{p} {u:.3}")).collect();
    let _ = writeln!(o, "discounted utility (net of engagement costs, which are not Fearon's audience costs): {}", utilities.join(", "));
    print_text(&o)?;
    Ok(ExitCode::SUCCESS)
}
