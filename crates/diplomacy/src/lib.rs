//! The backchannel model: adversaries negotiating a multi-issue agreement in ordered steps,
//! optionally through a mediator, while domestic politics, spoilers and doubts about delivery
//! push against them (`MODEL.md`, documented in `docs/model.md`).
//!
//! - [`scenario`]: reading and checking scenario files (TOML; every problem reported at once
//!   with file, line and key), named variants, the embedded default (US–Iran via Pakistan).
//! - [`file`]: the file format as serde types; [`file::schema`] is its JSON Schema.
//! - [`dist`]: uncertain parameters (fixed, uniform, normal, beta, triangular).
//! - [`model`]: one run's concrete model (plain data); [`sim`]: one run, round by round.
//! - `bargain` (internal): bargaining inside a round, behind one function: the protocol
//!   library's mechanisms (`bc-protocol`) played by its negotiators (`bc-strategy`) under the
//!   model's acceptance test; `rubinstein` (internal): the SPE reduction check.
//!
//! The public API is what the binary, bc-report, the Python module and the tests use: the
//! scenario, the forecast's one job entry point ([`forecast::job`]), its aggregate and summary,
//! the sensitivity studies, the simulator's observer and record; everything else (beliefs,
//! draws' purposes, bargaining, validation) is `pub(crate)`.
//! - [`forecast`]: Monte Carlo with paired counterfactuals, streamed into an exact, mergeable
//!   aggregate (the statistics of `backchannel run`, of its run directories and of `merge`).
//! - [`gsa`]: Sobol'/Morris sensitivity of a headline indicator to the uncertain parameters and
//!   PRIM scenario discovery (`backchannel sensitivity`, `backchannel discover`).
//!
//! No I/O beyond reading the scenario's own files; threads only through `bc-engine`.

mod bargain;
mod belief;
pub mod dist;
mod draws;
mod error;
pub mod file;
pub mod forecast;
pub mod gsa;
pub mod model;
mod rubinstein;
pub mod scenario;
pub mod settings;
pub mod sim;
pub mod validate;

pub use draws::Draws;
pub use error::{Error, ErrorKind};
pub use forecast::{forecast, Aggregate, Forecast, ForecastSpec, JobOptions, JobRecord, Options};
pub use scenario::Scenario;
pub use sim::{simulate, Outcome, RunRecord};
