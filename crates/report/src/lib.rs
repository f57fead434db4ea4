//! Run directories, reports and scale-out for backchannel's long commands.
//!
//! - [`rundir`]: `--out DIR`: a manifest (`run.json`), per-run records as CSV and Parquet
//!   streamed to disk ([`records`]), events as JSON lines ([`events`]), mergeable statistics
//!   (`stats.json`, [`stats`]), aggregates (`aggregates.json`) and a self-contained HTML report
//!   (`report.html`, [`html`]). Everything is written in `DIR.incomplete` and renamed to `DIR`
//!   at the end, so a failed run leaves no half-written directory under the requested name.
//! - [`merge`]: shards (`--shard i/N`) merged into the unsharded run's files, byte for byte.
//! - [`progress`]: progress bars on standard error; [`estimate`]: `--dry-run` estimates.
//!
//! Determinism: only `run.json` holds times, the command line and the git revision; every other
//! file is a function of the seed and the input.

pub mod error;
pub mod events;
pub mod forecast;
pub mod estimate;
pub mod html;
pub mod manifest;
pub mod merge;
pub mod progress;
pub mod records;
pub mod rundir;
pub mod stats;
pub mod stakeholders;
pub mod study;
pub mod sweep;
pub mod tournament;

pub use error::{Error, ErrorKind};
