//! backchannel's studies as a person reads them and as run directories hold them: the text
//! summaries the command line prints ([`text`]), so that `crates/cli` only parses flags, builds
//! the study and prints; and each domain study over the generic bc-report (which knows no domain
//! crate): its records, statistics, aggregates and HTML report ([`forecast`] for `run`,
//! [`tournament`], [`sweep`], [`stakeholders`], [`gsa`] for `sensitivity` and `discover`), run
//! through [`runner`] and merged by kind with [`merge_dirs`].
//!
//! The text and the files are part of the interface (the CLI's snapshot tests and the goldens
//! hold them): change them on purpose only.

pub mod forecast;
pub mod gsa;
pub mod merge;
pub mod runner;
pub mod stakeholders;
pub mod sweep;
pub mod text;
pub mod tournament;

pub use merge::merge_dirs;
pub use runner::Stats;
