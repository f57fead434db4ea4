//! What `negotiate` and `tournament` both read from the command line: protocol and agent
//! names, the `--agents list` listing, and domain folders with their semantics.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{bail, Context as _, Result};
use bc_formats::{Scenario, Semantics};
use bc_protocol::ProtocolKind;
use bc_strategy::Spec;

/// Parses a protocol name.
pub fn parse_protocol(name: &str) -> Result<ProtocolKind> {
    Ok(match name.trim().to_ascii_lowercase().as_str() {
        "sao" => ProtocolKind::Sao,
        "single-text" | "single_text" | "singletext" => ProtocolKind::SingleText,
        "relay" => ProtocolKind::Relay,
        "confidential" => ProtocolKind::Confidential,
        other => bail!("--protocol: unknown protocol {other:?}; valid protocols: sao, single-text, relay, confidential"),
    })
}

/// Parses a comma-separated list of agent specifications.
pub fn parse_agents(list: &str) -> Result<Vec<Spec>> {
    let specs: Vec<Spec> =
        list.split(',').filter(|s| !s.trim().is_empty()).map(|s| s.parse::<Spec>()).collect::<Result<_, _>>().context("--agents")?;
    if specs.is_empty() {
        bail!("--agents: expected a comma-separated list of agents, found {list:?}");
    }
    Ok(specs)
}

/// The agents and mediators, as printed by `--agents list`.
pub fn agent_listing() -> String {
    let mut out = String::from("agents (name[:parameter=value...]):\n");
    let w = bc_strategy::registry::AGENTS.iter().map(|a| a.name.len() + 2).max().unwrap_or(0).max(16);
    for a in bc_strategy::registry::AGENTS {
        let params = if a.params.is_empty() { String::new() } else { format!(" [{}]", a.params.join(", ")) };
        let _ = writeln!(out, "  {:<w$}{}{}", a.name, a.about, params);
    }
    out.push_str("\nmediators (--mediator):\n");
    for p in [ProtocolKind::SingleText, ProtocolKind::Relay, ProtocolKind::Confidential] {
        let names: Vec<String> = bc_strategy::registry::mediators(p)
            .iter()
            .map(|(n, params)| if params.is_empty() { n.to_string() } else { format!("{n} [{}]", params.join(", ")) })
            .collect();
        let _ = writeln!(out, "  {:<w$}{} (default {})", p.name(), names.join(", "), names.first().map_or("", |s| s.as_str()));
    }
    out
}

/// Loads a scenario with the given semantics, optionally without discounting.
pub fn load_scenario(paths: &[PathBuf], semantics: &str, ignore_discount: bool) -> Result<Scenario> {
    let semantics: Semantics = semantics.parse().map_err(anyhow::Error::msg)?;
    let mut scenario = bc_formats::load(paths, semantics)?;
    if ignore_discount {
        bc_formats::ignore_discount(&mut scenario)?;
    }
    Ok(scenario)
}
