//! What `negotiate` and `tournament` both read from the command line: their shared flags
//! ([`SessionArgs`]), protocol and agent names, the `--agents list` listing, and domain folders
//! with their semantics.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{bail, Context as _, Result};
use bc_formats::{DomainProfiles, Semantics};
use bc_protocol::ProtocolKind;
use bc_strategy::Spec;
use bc_tournament::ErrorKind;

/// The flags of a negotiation that `negotiate` and `tournament` share.
#[derive(clap::Args, Clone, Debug)]
pub struct SessionArgs {
    /// The protocol: sao, single-text, relay or confidential.
    #[arg(long, default_value = "sao")]
    pub protocol: String,
    /// The mediator of a mediated protocol (default: flip, pass or nash).
    #[arg(long, value_name = "NAME")]
    pub mediator: Option<String>,
    /// Round limit of each negotiation.
    #[arg(long, default_value_t = 100, value_name = "N")]
    pub steps: u64,
    /// Master seed (of the random agents and mediators).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// How profile numbers become utilities: GENIUS's own rules or NegMAS 0.16's reading.
    #[arg(long, default_value = "genius", value_parser = ["genius", "negmas"])]
    pub semantics: String,
    /// Drop every discount (NegMAS's `ignore_discount=True`); with --semantics negmas this
    /// reproduces NegMAS's traces.
    #[arg(long)]
    pub ignore_discount: bool,
    /// Time allowed for one decision of a strategy, in milliseconds (off by default: a time
    /// limit makes results machine-dependent). A strategy over it ends the run as a fault.
    #[arg(long, value_name = "MS")]
    pub time_limit_ms: Option<u64>,
}

impl SessionArgs {
    /// The `--mediator` named, checked to be possible under `protocol`.
    pub fn mediator(&self, protocol: ProtocolKind) -> Result<Option<Spec>> {
        let mediator: Option<Spec> = self.mediator.as_deref().map(str::parse).transpose().context("--mediator")?;
        if mediator.is_some() && protocol == ProtocolKind::Sao {
            bail!("--mediator cannot be used with --protocol sao (SAO has no mediator); use --protocol single-text, relay or confidential");
        }
        Ok(mediator)
    }

    /// The strategies' time budget.
    pub fn budget(&self) -> bc_strategy::Budget {
        bc_strategy::Budget { per_call: self.time_limit_ms.map(std::time::Duration::from_millis) }
    }

    /// Loads a domain (a folder, or a domain file and profile files) with these semantics.
    pub fn load(&self, paths: &[PathBuf]) -> Result<DomainProfiles> {
        load_scenario(paths, &self.semantics, self.ignore_discount)
    }
}

/// Parses a protocol name.
pub fn parse_protocol(name: &str) -> Result<ProtocolKind> {
    bc_tournament::negotiation::parse_protocol(name).map_err(as_flag)
}

/// A library error about a setting the command line sets with a flag, said with the flag
/// (`steps: expected …` is `--steps: expected …`).
pub fn as_flag(e: bc_tournament::Error) -> anyhow::Error {
    use crate::flags::FLAGS;
    match e.kind() {
        ErrorKind::Setting { name, .. } if FLAGS.contains(name) => anyhow::anyhow!("--{e}"),
        ErrorKind::Strategy { context, .. } if FLAGS.contains(&context.as_str()) => anyhow::anyhow!("--{e}"),
        _ => e.into(),
    }
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
fn load_scenario(paths: &[PathBuf], semantics: &str, ignore_discount: bool) -> Result<DomainProfiles> {
    let semantics: Semantics = semantics.parse().map_err(anyhow::Error::msg)?;
    let mut scenario = bc_formats::load(paths, semantics)?;
    if ignore_discount {
        bc_formats::ignore_discount(&mut scenario)?;
    }
    Ok(scenario)
}
