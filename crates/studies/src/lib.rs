//! backchannel's studies as a person reads them: the text summaries the command line prints
//! ([`text`]), so that `crates/cli` only parses flags, builds the study and prints.
//!
//! The text is part of the interface (the CLI's snapshot tests hold it): change it on purpose only.

pub mod text;
