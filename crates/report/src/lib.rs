//! Run directories, reports and scale-out for backchannel's long commands.
//!
//! - [`rundir`]: `--out DIR`: a manifest (`run.json`), per-run records as CSV and Parquet
//!   streamed to disk ([`records`]), events as JSON lines ([`events`]), a study's exact,
//!   mergeable statistics (`stats.json`), aggregates (`aggregates.json`) and a self-contained
//!   HTML report (`report.html`, [`html`]), whatever the study: each is a [`study::Study`]
//!   (the domain studies are bc-studies', a live room's bc-server's). Everything is written in
//!   `DIR.incomplete` and renamed to `DIR` at the end, so a failed run leaves no half-written
//!   directory under the requested name; [`runner`] runs any `bc_engine::Study` into one.
//! - [`merge`]: shards (`--shard i/N`) of any study merged into the unsharded run's files, byte
//!   for byte.
//! - [`progress`]: progress bars on standard error; [`estimate`]: `--dry-run` estimates.
//!
//! This crate knows no domain crate (only bc-engine and bc-io): it lays out, merges and renders
//! what a study gives it.
//!
//! Determinism: only `run.json` holds times, the command line and the git revision; every other
//! file is a function of the seed and the input.

pub mod error;
pub mod estimate;
pub mod events;
pub mod html;
pub mod manifest;
pub mod merge;
pub mod progress;
pub mod records;
pub mod rundir;
pub mod runner;
pub mod study;

pub use error::{Error, ErrorKind};
