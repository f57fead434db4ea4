//! `backchannel convert`: read a scenario (GENIUS XML or GeniusWeb JSON) and write it in either
//! format, so that scenarios move between GENIUS, GeniusWeb, NegMAS and backchannel.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use bc_formats::{genius, geniusweb, Semantics};
use bc_model::{normalize, Normalization};

/// Flags of `backchannel convert`.
#[derive(clap::Args)]
pub struct Args {
    /// A domain folder, or a domain file followed by profile files.
    #[arg(required = true, value_name = "DOMAIN_DIR | DOMAIN PROFILE...")]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_parser = ["genius", "geniusweb"])]
    to: String,
    /// Folder to write into (created if missing). Every file is written, or none is.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Replace existing files of the same names in --out (a device, FIFO, link or directory
    /// is never replaced).
    #[arg(long)]
    force: bool,
    /// How to read GENIUS profiles.
    #[arg(long, default_value = "genius", value_parser = ["genius", "negmas"])]
    semantics: String,
    /// Rescale each profile to [0, 1] first (GeniusWeb needs weights that sum to 1).
    #[arg(long)]
    normalize: bool,
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let semantics: Semantics = args.semantics.parse().map_err(anyhow::Error::msg)?;
    let mut s = bc_formats::load(&args.paths, semantics)?;
    if args.normalize {
        s.parties = normalize(&s.space, &s.parties, Normalization::PerParty, bc_model::DEFAULT_ENUMERATION_LIMIT).context("normalising")?;
    }
    // Render everything first, so that a profile the format cannot hold writes nothing at all.
    let stem = |p: &Path| p.file_stem().map(|x| x.to_string_lossy().into_owned()).unwrap_or_default();
    let mut files: Vec<(PathBuf, Vec<u8>)> = Vec::new();
    let (ext, domain) = match args.to.as_str() {
        "genius" => ("xml", genius::write_domain(&s.space)),
        _ => ("json", geniusweb::write_domain(&s.space).map_err(anyhow::Error::msg)?),
    };
    files.push((args.out.join(format!("{}.{ext}", stem(&s.domain_file))), domain.into_bytes()));
    for (p, file) in s.parties.iter().zip(&s.profile_files) {
        let text = match args.to.as_str() {
            "genius" => genius::write_profile(&s.space, p),
            _ => geniusweb::write_profile(&s.space, p),
        }
        .map_err(|e| anyhow::anyhow!("{}: cannot be written as {}: {e}", file.display(), args.to))?;
        files.push((args.out.join(format!("{}.{ext}", stem(file))), text.into_bytes()));
    }
    let mut names: Vec<&PathBuf> = files.iter().map(|(p, _)| p).collect();
    names.sort();
    names.dedup();
    if names.len() != files.len() {
        bail!("two input files share a name; convert them separately");
    }
    let overwrite = bc_io::write::Overwrite::force(args.force);
    for (path, _) in &files {
        // Refused before the folder is created.
        bc_io::write::check_target(path, overwrite).context("--out")?;
    }
    std::fs::create_dir_all(&args.out).with_context(|| format!("--out: cannot create {}", args.out.display()))?;
    bc_io::write::write_files(&files, overwrite).context("--out")?;
    let list: Vec<String> = files.iter().map(|(p, _)| p.display().to_string()).collect();
    crate::output::print_text(&format!("wrote {}\n", list.join("\n      ")))?;
    Ok(ExitCode::SUCCESS)
}
