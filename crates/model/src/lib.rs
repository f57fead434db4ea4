//! The negotiation core of backchannel: issues, outcome spaces, utility functions and outcome
//! analytics (Pareto frontier, Nash, Kalai–Smorodinsky, egalitarian, welfare).
//!
//! This crate does no I/O, reads no clock, spawns no threads and owns no global random state:
//! randomness comes in as `&mut impl Rng`. File formats live in `bc-formats`.

pub mod analytics;
pub mod error;
pub mod issue;
pub mod normalize;
pub mod space;
pub mod utility;

pub use analytics::{analyze, analyze_outcomes, Analysis, Distances, FrontierPoint, Method, Options};
pub use error::{Error, ErrorKind};
pub use issue::{Issue, IssueKind, Value};
pub use normalize::{normalize, utility_range, Normalization};
pub use space::{Outcome, OutcomeSpace, DEFAULT_ENUMERATION_LIMIT};
pub use utility::{
    Aggregation, Bound, Discount, HyperRectangles, LinearAdditive, Preferences, Rectangle, RectangleGroup, TableUtility, UtilityFunction,
    ValueFunction, TABULATED_VALUES,
};
