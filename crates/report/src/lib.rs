//! Run directories, reports and scale-out for backchannel's long commands.
//!
//! - [`rundir`]: `--out DIR`: a manifest (`run.json`), per-run records as CSV and Parquet
//!   streamed to disk ([`records`]), events as JSON lines ([`events`]), the domain crates' exact,
//!   mergeable statistics (`stats.json`: a forecast's `bc_diplomacy::forecast::Aggregate`, a
//!   tournament's `bc_tournament::Scores`, built on `bc_engine::stats`), aggregates
//!   (`aggregates.json`) and a self-contained HTML report (`report.html`, [`html`]); each
//!   command's is a [`study::Study`] ([`forecast`], [`tournament`], [`sweep`], [`stakeholders`],
//!   [`gsa`] for `sensitivity` and `discover`). Everything is written in `DIR.incomplete` and renamed to `DIR`
//!   at the end, so a failed run leaves no half-written directory under the requested name.
//! - [`merge`]: shards (`--shard i/N`) merged into the unsharded run's files, byte for byte.
//! - [`progress`]: progress bars on standard error; [`estimate`]: `--dry-run` estimates.
//!
//! Determinism: only `run.json` holds times, the command line and the git revision; every other
//! file is a function of the seed and the input.

pub mod error;
pub mod estimate;
pub mod events;
pub mod forecast;
pub mod gsa;
pub mod html;
pub mod manifest;
pub mod merge;
pub mod progress;
pub mod records;
pub mod rundir;
pub mod runner;
pub mod stakeholders;
pub mod study;
pub mod sweep;
pub mod tournament;

pub use error::{Error, ErrorKind};
