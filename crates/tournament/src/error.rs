//! The one error type of the tournament crate: a tournament that cannot be set up, or output
//! that cannot be written.

use std::fmt;
use std::path::PathBuf;

/// A tournament that could not be set up or written.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
}

/// What went wrong.
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The settings do not make a tournament (too few profiles, too many tuples, ...).
    Setup(String),
    /// One setting is out of its range; `name` is the setting's (`steps`, `parties`, ...), which
    /// the command line turns into its flag.
    Setting {
        /// The setting.
        name: &'static str,
        /// What it must be.
        expected: String,
        /// What it was.
        found: String,
    },
    /// A strategy or mediator could not be built.
    Strategy {
        /// Where (domain, agent).
        context: String,
        /// The strategy error.
        error: bc_strategy::Error,
    },
    /// Writing an output file failed.
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        error: std::io::Error,
    },
    /// An error from the model crate (analysing a domain).
    Model(bc_model::Error),
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

    pub(crate) fn setting(name: &'static str, expected: impl Into<String>, found: impl Into<String>) -> Error {
        Error::new(ErrorKind::Setting { name, expected: expected.into(), found: found.into() })
    }

    pub(crate) fn io(path: impl Into<PathBuf>, error: std::io::Error) -> Error {
        Error::new(ErrorKind::Io { path: path.into(), error })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::Setup(msg) => write!(f, "{msg}"),
            ErrorKind::Setting { name, expected, found } => write!(f, "{name}: expected {expected}, found {found}"),
            ErrorKind::Strategy { context, error } => write!(f, "{context}: {error}"),
            ErrorKind::Io { path, error } => write!(f, "{}: {error}", path.display()),
            ErrorKind::Model(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<bc_model::Error> for Error {
    fn from(e: bc_model::Error) -> Error {
        Error::new(ErrorKind::Model(e))
    }
}
