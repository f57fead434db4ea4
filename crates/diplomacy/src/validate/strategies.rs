//! The strategy tables of a scenario against the negotiation library: a party's agent and the
//! mediator's strategy must be names of `bc-strategy`'s registry, with its parameters, and build
//! with their nominal values.

use serde_json::Value as Json;

use super::spans::join;

/// The parameters of a strategy table (`params = { ... }`) at their nominal values, with their
/// paths; None when some value is not a number or distribution (the schema reports it).
fn nominal_params(s: &Json, path: &str) -> Option<Vec<(String, String, f64)>> {
    let mut out = Vec::new();
    if let Some(Json::Object(ps)) = s.get("params") {
        for (k, v) in ps {
            let p: crate::dist::Param = serde_json::from_value(v.clone()).ok()?;
            out.push((k.to_ascii_lowercase(), join(&join(path, "params"), k), p.nominal()));
        }
    }
    Some(out)
}

/// A tiny outcome space and a party on it, to check that a strategy can be built.
fn probe_side() -> Option<std::sync::Arc<bc_strategy::Side>> {
    let space = bc_model::OutcomeSpace::new("probe", vec![bc_model::Issue::integer("x", 0, 1).ok()?]).ok()?;
    let utility = bc_model::UtilityFunction::Table(bc_model::TableUtility::new(&space, vec![0.0, 1.0]).ok()?);
    let prefs = bc_model::Preferences { name: "probe".into(), utility, reserved_value: 0.0, discount: bc_model::Discount::None };
    bc_strategy::Side::new(std::sync::Arc::new(space), prefs).ok().map(std::sync::Arc::new)
}

/// Puts the `(key, path, value)` parameters into `spec` when `known` lists them, reporting each
/// unknown one at its path (with `hint` after the valid list); true when all were known.
fn put_params(
    spec: &mut bc_strategy::Spec,
    params: Vec<(String, String, f64)>,
    known: &[&str],
    kind: &str,
    hint: &str,
    push: &mut impl FnMut(String, String),
) -> bool {
    let mut ok = true;
    for (k, p, v) in params {
        if known.contains(&k.as_str()) {
            spec.params.insert(k, v);
        } else {
            ok = false;
            let valid = if known.is_empty() { "none".to_string() } else { known.join(", ") };
            push(p, format!("unknown parameter {k:?} of {kind}; valid parameters: {valid}{hint}"));
        }
    }
    ok
}

/// A party's strategy table against the negotiation library: voters cannot be parties,
/// parameters must be the agent's, and the agent must build with their nominal values.
pub(super) fn check_agent(s: &Json, path: &str, push: &mut impl FnMut(String, String)) {
    use bc_strategy::registry::AGENTS;
    let Some(kind) = s.get("kind").and_then(Json::as_str) else { return };
    let Some(params) = nominal_params(s, path) else { return };
    let exponent = s.get("exponent").and_then(|e| serde_json::from_value::<crate::dist::Param>(e.clone()).ok());
    if kind != "time_based" && s.get("exponent").is_some() {
        push(join(path, "exponent"), format!("exponent applies to time_based only; give {kind}'s parameters in params"));
    }
    let (name, known): (&str, Vec<&str>) = match kind {
        "spe" => {
            if !params.is_empty() {
                push(join(path, "params"), "spe takes no parameters".into());
            }
            return;
        }
        "time_based" => ("tb", vec!["eps", "max"]),
        _ => match AGENTS.iter().find(|a| a.name == kind) {
            // Unknown names are the schema's to report (with the list of valid ones).
            None => return,
            Some(a) if a.voter_only => {
                let agents: Vec<&str> = AGENTS.iter().filter(|a| !a.voter_only).map(|a| a.name).collect();
                push(join(path, "kind"), format!(
                    "{kind} only votes on single-text drafts, but a party must also make offers (in the direct-talks counterfactual, and when it stops taking the mediator's drafts); expected time_based, spe or one of: {}",
                    agents.join(", ")
                ));
                return;
            }
            Some(a) => (a.name, a.params.to_vec()),
        },
    };
    let mut spec = bc_strategy::Spec { name: name.to_string(), params: Default::default() };
    if kind == "time_based" {
        spec.params.insert("e".into(), exponent.map_or(1.0, |e| e.nominal()));
    }
    let hint = if kind == "time_based" { " (its exponent is `exponent`)" } else { "" };
    if !put_params(&mut spec, params, &known, kind, hint, push) {
        return;
    }
    let Some(side) = probe_side() else { return };
    let rng = bc_engine::rng_for(0, 0);
    if let Err(e) = bc_strategy::registry::build_agent(&spec, side, bc_protocol::ProtocolKind::Sao, rng) {
        let at = if s.get("params").is_some() { join(path, "params") } else { path.to_string() };
        push(at, format!("{kind} cannot be built with these parameters: {e}"));
    }
}

/// The mediator's strategy table against its protocol's mediators in the negotiation library.
pub(super) fn check_mediator(s: &Json, protocol: &str, push: &mut impl FnMut(String, String)) {
    use crate::file::ProtocolSpec;
    let path = "mediator.strategy";
    let Some(kind) = s.get("kind").and_then(Json::as_str) else { return };
    let Some(params) = nominal_params(s, path) else { return };
    let protocol = match protocol {
        "relay" => ProtocolSpec::Relay,
        "single_text" => ProtocolSpec::SingleText,
        "confidential" => ProtocolSpec::Confidential,
        _ => return,
    };
    // Names no protocol knows are the schema's to report.
    if !crate::file::mediator_kinds().iter().any(|k| k == kind) {
        return;
    }
    let list = bc_strategy::registry::mediators(protocol.kind());
    let Some((_, known)) = list.iter().find(|(n, _)| *n == kind) else {
        let valid: Vec<&str> = list.iter().map(|(n, _)| *n).collect();
        push(
            join(path, "kind"),
            format!(
                "{kind} is not a mediator of the {} protocol; valid {} mediators: {}",
                protocol.name(),
                protocol.name(),
                valid.join(", ")
            ),
        );
        return;
    };
    let mut spec = bc_strategy::Spec { name: kind.to_string(), params: Default::default() };
    let ok = put_params(&mut spec, params, known, kind, "", push);
    let Some(side) = probe_side().filter(|_| ok) else { return };
    let space = std::sync::Arc::clone(side.space());
    let built = match protocol {
        ProtocolSpec::Relay => bc_strategy::registry::build_relay_mediator(&spec, vec![side.clone(), side]).map(|_| ()),
        ProtocolSpec::SingleText => bc_strategy::registry::build_single_text_mediator(&spec, space, bc_engine::rng_for(0, 0)).map(|_| ()),
        ProtocolSpec::Confidential => bc_strategy::registry::build_confidential_mediator(&spec, space).map(|_| ()),
    };
    if let Err(e) = built {
        push(join(path, "params"), format!("{kind} cannot be built with these parameters: {e}"));
    }
}
