//! `backchannel analyze`: load a domain and its profiles, print the Pareto frontier and the
//! bargaining solutions (as a table, or as JSON lined up with NegMAS's reference.json).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use bc_formats::Semantics;
use bc_model::{analyze, analyze_outcomes, normalize, Normalization, Options};
use serde_json::json;

use crate::output::{float, print_json, print_text};

/// Flags of `backchannel analyze`.
#[derive(clap::Args)]
pub struct Args {
    /// A domain folder, or a domain file followed by profile files.
    #[arg(required = true, value_name = "DOMAIN_DIR | DOMAIN.xml PROFILE.xml...")]
    paths: Vec<PathBuf>,
    /// How profile numbers become utilities: GENIUS's own rules or NegMAS 0.16's reading.
    #[arg(long, default_value = "genius", value_parser = ["genius", "negmas"])]
    semantics: String,
    /// Normalise utilities to [0, 1] first: each party on its own scale, or one shared scale.
    #[arg(long, value_parser = ["per-party", "shared"])]
    normalize: Option<String>,
    /// Analyse this many uniformly sampled outcomes instead of the whole space (for spaces too
    /// large to enumerate with non-additive utilities).
    #[arg(long, value_name = "N")]
    sample: Option<usize>,
    /// Seed of the sample.
    #[arg(long, default_value_t = 0, requires = "sample")]
    seed: u64,
    /// Largest number of outcomes to enumerate when utilities are not additive (default: the
    /// `outcomes` limit of docs/limits.md, 10^7).
    #[arg(long, value_name = "N")]
    max_outcomes: Option<u64>,
    /// Also report an outcome's utilities and its distances to the frontier and the solutions
    /// (the ANAC metrics): one value per issue, separated by `|`, e.g. "Dell|60 Gb|19'' LCD".
    #[arg(long, value_name = "V1|V2|...")]
    outcome: Option<String>,
    /// Print JSON on standard output instead of a table.
    #[arg(long)]
    json: bool,
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let semantics: Semantics = args.semantics.parse().map_err(anyhow::Error::msg)?;
    if let Some(n) = args.sample {
        bc_io::limits::SAMPLE.check(n as u64, "--sample")?;
    }
    let max_outcomes = args.max_outcomes.unwrap_or_else(|| bc_io::limits::OUTCOMES.get());
    let mut scenario = bc_formats::load(&args.paths, semantics)?;
    if scenario.parties.len() < 2 {
        anyhow::bail!("{}: analysis needs at least 2 profiles, found {}", scenario.domain_file.display(), scenario.parties.len());
    }
    if let Some(how) = &args.normalize {
        let how = if how == "shared" { Normalization::Shared } else { Normalization::PerParty };
        scenario.parties = normalize(&scenario.space, &scenario.parties, how, max_outcomes).context("normalising utilities")?;
    }
    let parties: Vec<_> = scenario.parties.iter().collect();
    let analysis = match args.sample {
        Some(0) => anyhow::bail!("--sample: expected a positive number of outcomes, found 0"),
        Some(n) => {
            let mut rng = bc_engine::seed::rng_seeded(args.seed);
            let outcomes = scenario.space.sample(&mut rng, n);
            analyze_outcomes(&scenario.space, &parties, outcomes)?
        }
        None => analyze(&scenario.space, &parties, Options { enumeration_limit: max_outcomes })
            .with_context(|| format!("analysing {}", scenario.domain_file.display()))?,
    };
    let probe = match &args.outcome {
        Some(text) => {
            let names: Vec<&str> = text.split('|').collect();
            let o = scenario.space.parse_outcome(&names).with_context(|| format!("--outcome {text:?}"))?;
            let utils: Vec<f64> = scenario.parties.iter().map(|p| p.eval(&o)).collect();
            let d = analysis.distances(&utils);
            Some((scenario.space.value_names(&o), utils, d))
        }
        None => None,
    };
    let sample = args.sample.map(|n| (n, args.seed));
    if args.json {
        let mut j = bc_formats::json::analysis_json(&scenario, &analysis, sample);
        if let Some((names, utils, d)) = &probe {
            j["outcome"] = json!({
                "outcome": names,
                "utils": utils.iter().map(|u| float(*u)).collect::<Vec<_>>(),
                "distance": {
                    "pareto": float(d.pareto), "nash": float(d.nash), "kalai_smorodinsky": float(d.kalai_smorodinsky),
                    "kalai": float(d.kalai), "max_welfare": float(d.max_welfare),
                },
                "welfare": float(d.welfare),
            });
        }
        print_json(&j)?;
    } else {
        let mut text = bc_studies::text::analyze::table(&scenario, &analysis, sample);
        if let Some((names, utils, d)) = &probe {
            text.push_str(&bc_studies::text::analyze::outcome(names, utils, d));
        }
        print_text(&text)?;
    }
    Ok(ExitCode::SUCCESS)
}
