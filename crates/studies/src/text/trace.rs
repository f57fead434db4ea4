//! One run's story as `backchannel trace` tells it: the forecast's own job seen through a trace
//! (the same draws, parameters and run as run `I` of `backchannel run --seed S`), then printed
//! round by round (strikes, what the bargaining put on the table, offers, agreements, deliveries
//! and why one failed, what each side saw, trust) or as JSON.

use std::fmt::Write as _;

use bc_diplomacy::forecast::{self, parameter_label, ForecastSpec, JobOptions};
use bc_diplomacy::sim::{RunEvent, Scratch, Trace};
use bc_diplomacy::RunRecord;
use bc_diplomacy::Scenario;
use serde_json::{json, Value};

/// One traced run of a scenario: its drawn parameters, its events and its record.
pub struct TracedRun {
    /// The scenario's name.
    pub scenario_name: String,
    /// The master seed and the run under it.
    pub seed: u64,
    /// Which run of that seed.
    pub run: u64,
    /// The parties' ids, in order.
    pub parties: Vec<String>,
    /// The mediator's name (none: direct talks).
    pub mediator: Option<String>,
    /// What the scenario calls a round (month, week...).
    pub round_unit: String,
    /// Each uncertain parameter's path, label and drawn value.
    pub parameters: Vec<(String, String, f64)>,
    /// The run's events, in order.
    pub events: Vec<RunEvent>,
    /// The run's record (its indicators).
    pub record: RunRecord,
}

impl TracedRun {
    /// Runs run `run` of seed `seed` (without counterfactuals) and keeps its trace.
    pub fn new(scenario: &Scenario, seed: u64, run: u64) -> TracedRun {
        let mut trace = Trace::default();
        let job = forecast::job(scenario, &JobOptions::default(), seed, run, &mut trace, &mut Scratch::default());
        // Names only: they are the same in every run's model.
        let model = scenario.nominal();
        let spec = ForecastSpec::new(scenario, &JobOptions::default(), seed);
        let parameters = scenario
            .uncertain()
            .iter()
            .zip(&job.quantiles)
            .map(|(u, q)| (u.path.clone(), parameter_label(&u.path, &spec), u.param.quantile(*q)))
            .collect();
        TracedRun {
            scenario_name: model.name.clone(),
            seed,
            run,
            parties: model.parties.iter().map(|p| p.id.clone()).collect(),
            mediator: model.mediator.as_ref().map(|m| m.name.clone()),
            round_unit: scenario.file.scenario.round_unit.clone(),
            parameters,
            events: trace.0,
            record: job.record,
        }
    }

    /// The run as JSON: scenario, seed, run, the drawn parameters, the events and the record.
    pub fn json(&self) -> serde_json::Result<Value> {
        Ok(json!({
            "scenario": self.scenario_name,
            "seed": self.seed,
            "run": self.run,
            "parameters": self.parameters.iter().map(|(p, l, v)| json!({"parameter": p, "label": l, "value": v})).collect::<Vec<_>>(),
            "events": serde_json::to_value(&self.events)?,
            "record": serde_json::to_value(&self.record)?,
        }))
    }

    /// The run's story for people.
    pub fn text(&self) -> String {
        let ids = &self.parties;
        let sides = if ids.len() == 2 { "both sides'" } else { "every side's" };
        let mut o = String::new();
        let _ = writeln!(o, "backchannel trace: {} — seed {}, run {}", self.scenario_name, self.seed, self.run);
        let _ = writeln!(o, "parties: {}; mediator: {}", ids.join(", "), self.mediator.as_deref().unwrap_or("none (direct talks)"));
        if !self.parameters.is_empty() {
            let _ = writeln!(o, "uncertain parameters drawn for this run:");
            for (_, label, v) in &self.parameters {
                let _ = writeln!(o, "  {label:<52} {v:.4}");
            }
        }
        let _ = writeln!(o);
        let unit = &self.round_unit;
        let mut header: Option<String> = None;
        for e in &self.events {
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
                    format!(
                        "  zone: {zone} packages pass {sides} true tests; {claimed} as they bargain (step \"{step}\", protocol {protocol})"
                    )
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
                        .map(|(i, j)| {
                            format!("{}→{} {:.2}", ids[i], ids[j], trust.get(i).and_then(|r| r.get(j)).copied().unwrap_or(f64::NAN))
                        })
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
            self.record.outcome.name(),
            if self.record.at_least_one_step { "yes" } else { "no" },
            100.0 * self.record.agenda_share + 0.0,
            self.record.steps_standing,
            self.record.steps_implemented,
            self.record.reversals,
            self.record.withdrawals,
            self.record.first_step_round.map_or("-".to_string(), |r| r.to_string()),
            self.record.strikes,
            self.record.setbacks,
            self.record.kept_talking_after_setback.map_or("no setback".to_string(), |k| k.to_string()),
            self.record.concrete_signals,
            self.record.mediator_accepted.map_or("n/a".to_string(), |k| k.to_string()),
        );
        let utilities: Vec<String> = ids.iter().zip(&self.record.discounted_utility).map(|(p, u)| format!("{p} {u:.3}")).collect();
        let _ =
            writeln!(o, "discounted utility (net of engagement costs, which are not Fearon's audience costs): {}", utilities.join(", "));
        o
    }
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
