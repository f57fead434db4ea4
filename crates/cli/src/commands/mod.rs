//! One module per subcommand; each has an `Args` (its flags) and a `run` function.

pub mod analyze;
pub mod convert;
pub mod discover;
pub mod merge;
pub mod negotiate;
pub mod run;
pub mod scenario;
pub mod sensitivity;
pub mod serve;
pub mod stakeholders;
pub mod sweep;
pub mod tournament;
pub mod trace;
