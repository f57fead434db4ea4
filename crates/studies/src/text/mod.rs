//! Text summaries of the studies, one module a study: plain strings, no I/O.

pub mod analyze;
pub mod forecast;
pub mod negotiate;
pub mod stakeholders;
pub mod tournament;
pub mod trace;
