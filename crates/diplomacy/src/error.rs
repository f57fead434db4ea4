//! The one error type of the backchannel model crate: an invalid scenario (every problem, each
//! with file, line and key), an unreadable file, or an unknown variant.

use std::fmt;

use crate::validate::Diagnostic;

/// An error raised while reading, checking or running a scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Error {
    kind: ErrorKind,
}

/// What went wrong.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The scenario has problems; all of them, in line order.
    Invalid(Vec<Diagnostic>),
    /// A file could not be read.
    Io {
        /// The file.
        path: String,
        /// The system's message.
        message: String,
    },
    /// No variant of that name.
    UnknownVariant {
        /// The name asked for.
        name: String,
        /// The variants the scenario has.
        known: Vec<String>,
    },
    /// Run options that cannot work (e.g. zero runs).
    Options(String),
}

impl Error {
    /// Wraps a kind.
    pub fn new(kind: ErrorKind) -> Error {
        Error { kind }
    }

    /// An invalid scenario.
    pub fn invalid(problems: Vec<Diagnostic>) -> Error {
        Error::new(ErrorKind::Invalid(problems))
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// The problems of an invalid scenario (empty for other errors).
    pub fn problems(&self) -> &[Diagnostic] {
        match &self.kind {
            ErrorKind::Invalid(p) => p,
            _ => &[],
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::Invalid(problems) => {
                let file = problems.first().map_or_else(|| "the scenario".to_string(), |d| d.file.display().to_string());
                let n = problems.len();
                write!(f, "{file}: {n} problem{}", if n == 1 { "" } else { "s" })?;
                for d in problems {
                    write!(f, "\n  {d}")?;
                }
                Ok(())
            }
            ErrorKind::Io { path, message } => write!(f, "{path}: cannot read: {message}"),
            ErrorKind::UnknownVariant { name, known } => {
                if known.is_empty() {
                    write!(f, "unknown variant {name:?}: the scenario has no variants")
                } else {
                    write!(f, "unknown variant {name:?}; expected one of: {}", known.join(", "))
                }
            }
            ErrorKind::Options(m) => write!(f, "{m}"),
        }
    }
}

impl std::error::Error for Error {}
