//! One module per subcommand; each has an `Args` (its flags) and a `run` function.

pub mod analyze;
pub mod convert;
pub mod stakeholders;
