//! The one error type of the model crate: invalid issues, spaces, utilities or analyses.

use std::fmt;

/// An error raised while building or analysing model values.
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    kind: ErrorKind,
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// An issue with no values (or `lo > hi`).
    EmptyIssue(String),
    /// A categorical issue lists the same value twice.
    DuplicateValue {
        /// The issue.
        issue: String,
        /// The repeated value.
        value: String,
    },
    /// An issue with more values than an outcome index can address.
    TooManyValues(String),
    /// A number issue whose values are not finite and strictly increasing.
    InvalidNumberValues(String),
    /// Two issues share a name.
    DuplicateIssue(String),
    /// An outcome space with no issues.
    NoIssues,
    /// An outcome does not fit the space (wrong length or value out of range).
    OutcomeMismatch(String),
    /// A utility function does not fit the outcome space it is used with.
    UtilityMismatch(String),
    /// A weight, evaluation or parameter that is not a finite number where one is required.
    NotFinite(String),
    /// The outcome space is too large to enumerate.
    TooLarge {
        /// Number of outcomes (`None` when infinite).
        outcomes: Option<u128>,
        /// The enumeration limit in force.
        limit: u64,
    },
    /// An analysis needs at least this many parties.
    TooFewParties(usize),
    /// An issue too large to list, along which the parties' utilities trade off over more
    /// values than the analysis may enumerate (the frontier could hold them all).
    TradeOffTooLarge {
        /// The issue.
        issue: String,
        /// Values that would have to be listed.
        values: u64,
        /// The enumeration limit in force.
        limit: u64,
    },
    /// An issue with more values than a utility function tabulates.
    IssueTooLarge {
        /// The issue.
        issue: String,
        /// Its number of values.
        values: u64,
        /// The most values tabulated.
        limit: u64,
    },
}

impl Error {
    /// Wraps a kind.
    pub fn new(kind: ErrorKind) -> Error {
        Error { kind }
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::EmptyIssue(name) => write!(f, "issue {name:?} has no values"),
            ErrorKind::DuplicateValue { issue, value } => {
                write!(f, "issue {issue:?} lists the value {value:?} twice")
            }
            ErrorKind::IssueTooLarge { issue, values, limit } => {
                write!(f, "issue {issue:?} has {values} values, more than the {limit} a utility function tabulates")
            }
            ErrorKind::TooManyValues(name) => {
                write!(f, "issue {name:?} has more than 4294967295 values, the most an outcome's value position holds")
            }
            ErrorKind::InvalidNumberValues(name) => {
                write!(f, "issue {name:?}: expected finite, strictly increasing numbers")
            }
            ErrorKind::DuplicateIssue(name) => write!(f, "two issues are named {name:?}"),
            ErrorKind::NoIssues => write!(f, "the outcome space has no issues"),
            ErrorKind::OutcomeMismatch(msg) => write!(f, "outcome does not fit the space: {msg}"),
            ErrorKind::UtilityMismatch(msg) => {
                write!(f, "utility function does not fit the outcome space: {msg}")
            }
            ErrorKind::NotFinite(what) => write!(f, "{what}: expected a finite number"),
            ErrorKind::TooLarge { outcomes, limit } => match outcomes {
                Some(n) => write!(
                    f,
                    "the outcome space has {n} outcomes, more than the enumeration limit of \
                     {limit}; use sampling (--sample N) or an additive utility, whose analysis \
                     does not enumerate"
                ),
                None => write!(
                    f,
                    "the outcome space is continuous (a real issue) and cannot be enumerated; \
                     use sampling (--sample N)"
                ),
            },
            ErrorKind::TradeOffTooLarge { issue, values, limit } => write!(
                f,
                "issue {issue:?}: the parties' utilities trade off along at least {values} of its \
                 values, more than the enumeration limit of {limit} (limit outcomes); every one \
                 could be on the Pareto frontier, so it is not listed; raise the limit (--limit \
                 outcomes=N, or --max-outcomes N) or sample (--sample N)"
            ),
            ErrorKind::TooFewParties(n) => write!(f, "this analysis needs at least {n} parties"),
        }
    }
}

impl std::error::Error for Error {}
