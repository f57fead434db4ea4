//! `backchannel merge DIR... --out DIR`: combine the run directories of shards (`--shard i/N`)
//! into the unsharded run's directory, byte for byte (only `run.json` differs).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use crate::output::print_text;

/// Flags of `backchannel merge`.
#[derive(clap::Args)]
pub struct Args {
    /// The shard directories (any order; every shard 0..N of one run exactly once).
    #[arg(value_name = "DIR", required = true)]
    dirs: Vec<PathBuf>,
    /// The merged run directory to write (must be new or empty).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// No progress bar (it is also hidden when standard error is not a terminal).
    #[arg(long, short = 'q')]
    quiet: bool,
}

/// Runs the command.
pub fn run(args: Args) -> Result<ExitCode> {
    let bar = bc_report::progress::Progress::new(args.dirs.len() as u64, "shards", args.quiet);
    let out = bc_studies::merge_dirs(&args.dirs, &args.out, |done| bar.set(done))?;
    bar.finish();
    let m = bc_report::manifest::Manifest::read(&out)?;
    print_text(&format!(
        "merged {} shards of `{}` ({} jobs, {} records) into {}\n",
        m.merged_from.len(),
        m.kind,
        m.jobs,
        m.records,
        out.display()
    ))?;
    Ok(ExitCode::SUCCESS)
}
