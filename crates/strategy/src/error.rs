//! The one error type of the strategy crate: a strategy or mediator that cannot be built (unknown
//! name, bad parameter, an outcome space it cannot work on).

use std::fmt;

/// A strategy that could not be built or run.
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    kind: ErrorKind,
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// No strategy of this name.
    UnknownName {
        /// What kind of strategy was asked for (agent, mediator).
        what: String,
        /// The name given.
        name: String,
        /// The names that exist.
        valid: Vec<String>,
    },
    /// A parameter that is not valid for the strategy.
    BadParameter {
        /// The strategy.
        strategy: String,
        /// What is wrong, naming the parameter, what was expected and what was found.
        message: String,
    },
    /// The strategy cannot be used with this protocol.
    WrongProtocol {
        /// The strategy.
        strategy: String,
        /// The protocol asked for.
        protocol: String,
        /// The protocols it supports.
        supported: Vec<String>,
    },
    /// The outcome space does not suit the strategy (continuous, or too large to enumerate).
    Space(String),
    /// An error from the model crate.
    Model(bc_model::Error),
    /// An error from the protocol crate (a mechanism that cannot be set up).
    Protocol(bc_protocol::Error),
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

    pub(crate) fn param(strategy: &str, message: impl Into<String>) -> Error {
        Error::new(ErrorKind::BadParameter { strategy: strategy.into(), message: message.into() })
    }
}

impl From<bc_model::Error> for Error {
    fn from(e: bc_model::Error) -> Error {
        Error::new(ErrorKind::Model(e))
    }
}

impl From<bc_protocol::Error> for Error {
    fn from(e: bc_protocol::Error) -> Error {
        Error::new(ErrorKind::Protocol(e))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::UnknownName { what, name, valid } => {
                write!(f, "unknown {what} {name:?}; valid {what}s: {}", valid.join(", "))
            }
            ErrorKind::BadParameter { strategy, message } => write!(f, "{strategy}: {message}"),
            ErrorKind::WrongProtocol { strategy, protocol, supported } => {
                write!(f, "{strategy} cannot take part in a {protocol} negotiation; it supports: {}", supported.join(", "))
            }
            ErrorKind::Space(msg) => write!(f, "{msg}"),
            ErrorKind::Model(e) => write!(f, "{e}"),
            ErrorKind::Protocol(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for Error {}
