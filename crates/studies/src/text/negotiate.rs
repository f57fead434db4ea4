//! One negotiation as `backchannel negotiate` prints it: the domain and protocol, the agreement
//! (or why there is none) and its round, each party's utility and advantage, the welfare and the
//! distances to the Pareto frontier and the Nash point.

use std::fmt::Write as _;

use bc_model::Distances;
use bc_protocol::ProtocolKind;
use bc_tournament::negotiation::{outcome_names as names, why, NegotiationReport};

/// The table under the domain and protocol lines.
pub fn table(report: &NegotiationReport, distances: Option<Distances>) -> String {
    let r = report.record;
    let mut out = String::new();
    let size = report.space.cardinality().map_or("continuous".into(), |n| n.to_string());
    let _ = writeln!(out, "domain    {} ({} issues, {size} outcomes)", report.space.name(), report.space.issues().len());
    let mut protocol = format!("{}, {} steps, seed {}", report.protocol.name(), report.n_steps, report.seed);
    if report.protocol != ProtocolKind::Sao {
        let _ = write!(protocol, ", mediator {}", report.mediator);
    }
    let _ = writeln!(out, "protocol  {protocol}");
    let _ = writeln!(out);
    match r.ending.agreement() {
        Some(o) => {
            let _ =
                writeln!(out, "agreement in round {} (step {}): {}", r.step.saturating_sub(1), r.step, names(report.space, o).join(" | "));
        }
        None => {
            let _ = writeln!(out, "{} (step {})", why(&r.ending, report.agents, report.mediator), r.step);
        }
    }
    let _ = writeln!(out, "offers    {}", r.n_offers);
    let _ = writeln!(out);
    let wa = report.agents.iter().map(|a| a.to_string().chars().count()).max().unwrap_or(0).max(5);
    let wp = report.profiles.iter().map(|p| p.chars().count()).max().unwrap_or(0).max(7);
    let _ = writeln!(out, "{:<6} {:<wa$} {:<wp$} {:>12} {:>12}", "party", "agent", "profile", "utility", "advantage");
    for (k, (a, p)) in report.agents.iter().zip(&report.profiles).enumerate() {
        let adv = report.analysis.map_or(f64::NAN, |an| report.utils[k] - an.disagreement[k]);
        let _ = writeln!(out, "{:<6} {:<wa$} {:<wp$} {:>12.4} {:>12.4}", k, a.to_string(), p, report.utils[k], adv);
    }
    let _ = writeln!(out);
    match distances {
        Some(d) => {
            let _ =
                writeln!(out, "welfare {:.4}; distance to the Pareto frontier {:.4}, to the Nash point {:.4}", d.welfare, d.pareto, d.nash);
        }
        None => {
            let _ =
                writeln!(out, "welfare {:.4}; distances unavailable (the space could not be analysed)", report.utils.iter().sum::<f64>());
        }
    }
    out
}
