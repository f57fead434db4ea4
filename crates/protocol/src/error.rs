//! The one error type of the protocol crate: an action the mechanism cannot take in its state,
//! or a mechanism that cannot be set up as asked.

use std::fmt;

/// An action a mechanism refused, or a set-up it could not build. The mechanism's state is
/// unchanged after a refused action.
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    kind: ErrorKind,
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The mechanism cannot be built with these settings (e.g. 0 steps, fewer than 2 parties).
    Setup(String),
    /// The negotiation has ended; no further action is accepted.
    Finished,
    /// Someone acted out of turn.
    NotYourTurn {
        /// Who the mechanism is waiting for, and for what.
        expected: String,
        /// Who acted.
        found: String,
    },
    /// The action does not fit what the mechanism expects now.
    InvalidAction {
        /// What the mechanism expects.
        expected: String,
        /// What it got.
        found: String,
    },
    /// An outcome index outside the outcome space.
    InvalidOutcome {
        /// The index submitted.
        outcome: u64,
        /// Number of outcomes in the space.
        n_outcomes: u64,
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

    pub(crate) fn setup(msg: impl Into<String>) -> Error {
        Error::new(ErrorKind::Setup(msg.into()))
    }

    pub(crate) fn invalid(expected: impl Into<String>, found: impl Into<String>) -> Error {
        Error::new(ErrorKind::InvalidAction { expected: expected.into(), found: found.into() })
    }

    pub(crate) fn turn(expected: impl Into<String>, found: impl Into<String>) -> Error {
        Error::new(ErrorKind::NotYourTurn { expected: expected.into(), found: found.into() })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::Setup(msg) => write!(f, "cannot set up the negotiation: {msg}"),
            ErrorKind::Finished => write!(f, "the negotiation has ended"),
            ErrorKind::NotYourTurn { expected, found } => {
                write!(f, "not your turn: expected {expected}, found {found}")
            }
            ErrorKind::InvalidAction { expected, found } => {
                write!(f, "invalid action: expected {expected}, found {found}")
            }
            ErrorKind::InvalidOutcome { outcome, n_outcomes } => {
                write!(f, "outcome index {outcome} is outside the outcome space (expected 0..{n_outcomes})")
            }
        }
    }
}

impl std::error::Error for Error {}
