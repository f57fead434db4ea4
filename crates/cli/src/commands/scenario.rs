//! `backchannel scenario export|validate|schema`: write the default scenario (or one of its
//! variants) as an editable TOML file, check a scenario file (every problem at once), print the
//! JSON Schema of the format.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use bc_diplomacy::scenario::{export, DEFAULT_SOURCE, DEFAULT_TOML};
use bc_diplomacy::Scenario;
use serde_json::json;

use crate::output::{print_json, print_text};

/// Subcommands of `backchannel scenario`.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Write the embedded default scenario (or a named variant of it) as an editable TOML file.
    Export(ExportArgs),
    /// Check a scenario file and report every problem at once (exit code 2 if any).
    Validate(ValidateArgs),
    /// Print the JSON Schema of the scenario format (generated from the code).
    Schema,
}

/// Flags of `scenario export`.
#[derive(clap::Args)]
pub struct ExportArgs {
    /// A named variant: direct, discreet, grand_bargain.
    #[arg(long, value_name = "NAME")]
    variant: Option<String>,
    /// Write to this file (atomically) instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Replace the --out file if it exists (a device, FIFO, link or directory is never
    /// replaced).
    #[arg(long, requires = "out")]
    force: bool,
}

/// Flags of `scenario validate`.
#[derive(clap::Args)]
pub struct ValidateArgs {
    /// The scenario file.
    file: PathBuf,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs the subcommand.
pub fn run(cmd: Command) -> Result<ExitCode> {
    match cmd {
        Command::Export(a) => {
            let text = export(DEFAULT_TOML, DEFAULT_SOURCE, a.variant.as_deref())?;
            match a.out {
                Some(path) => bc_io::write::write_file(&path, text.as_bytes(), bc_io::write::Overwrite::force(a.force)).context("--out")?,
                None => print_text(&text)?,
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Validate(a) => validate(&a.file, a.json),
        Command::Schema => {
            print_json(&bc_diplomacy::file::schema())?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn validate(file: &Path, as_json: bool) -> Result<ExitCode> {
    match Scenario::load(file) {
        Ok(s) => {
            let m = s.nominal();
            let variants: Vec<String> = s.variants().into_iter().map(|(n, _)| n).collect();
            if as_json {
                print_json(&json!({
                    "valid": true,
                    "file": file.display().to_string(),
                    "parties": m.parties.iter().map(|p| p.id.clone()).collect::<Vec<_>>(),
                    "issues": m.issues.len(),
                    "steps": m.steps.len(),
                    "spoilers": m.spoilers.len(),
                    "mediator": m.mediator.is_some(),
                    "uncertain_parameters": s.uncertain().iter().map(|u| u.path.clone()).collect::<Vec<_>>(),
                    "variants": variants,
                    "problems": [],
                }))?;
            } else {
                print_text(&format!(
                    "{}: valid: {} parties, {} issues in {} steps, {} spoilers, {}, {} uncertain parameters, variants: {}\n",
                    file.display(),
                    m.parties.len(),
                    m.issues.len(),
                    m.steps.len(),
                    m.spoilers.len(),
                    if m.mediator.is_some() { "mediated" } else { "direct talks" },
                    s.uncertain().len(),
                    if variants.is_empty() { "none".to_string() } else { variants.join(", ") }
                ))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) if as_json => {
            let problems: Vec<_> = e
                .problems()
                .iter()
                .map(|d| json!({"file": d.file.display().to_string(), "line": d.line, "key": d.field, "message": d.kind.to_string()}))
                .collect();
            let problems = if problems.is_empty() {
                vec![json!({"file": file.display().to_string(), "line": null, "key": "", "message": e.to_string()})]
            } else {
                problems
            };
            print_json(&json!({"valid": false, "file": file.display().to_string(), "problems": problems}))?;
            Ok(ExitCode::from(2))
        }
        Err(e) => Err(e.into()),
    }
}
