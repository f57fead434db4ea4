//! The formats crate's error: which file, where in it, what was expected and what was found.

use std::fmt;
use std::path::{Path, PathBuf};

/// A problem with an input file.
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    /// The file (empty when reading from a string).
    pub file: PathBuf,
    /// 1-based line, where known.
    pub line: Option<usize>,
    /// The element, attribute or key concerned (e.g. `issue "Price" / item "x" @evaluation`).
    pub field: String,
    /// What kind of problem.
    pub kind: ErrorKind,
}

/// The kind of problem.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The file could not be read or written.
    Io(String),
    /// The file is not well-formed XML or JSON.
    Syntax(String),
    /// A value is not what the format requires.
    Invalid {
        /// What the format requires.
        expected: String,
        /// What the file has.
        found: String,
    },
}

impl Error {
    /// An invalid value.
    pub fn invalid(
        file: &Path,
        line: Option<usize>,
        field: impl Into<String>,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> Error {
        Error {
            file: file.to_path_buf(),
            line,
            field: field.into(),
            kind: ErrorKind::Invalid { expected: expected.into(), found: found.into() },
        }
    }

    /// A syntax error.
    pub fn syntax(file: &Path, line: Option<usize>, message: impl Into<String>) -> Error {
        Error { file: file.to_path_buf(), line, field: String::new(), kind: ErrorKind::Syntax(message.into()) }
    }

    /// An I/O error.
    pub fn io(file: &Path, err: &std::io::Error) -> Error {
        Error { file: file.to_path_buf(), line: None, field: String::new(), kind: ErrorKind::Io(err.to_string()) }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.file.as_os_str().is_empty() {
            write!(f, "<input>")?;
        } else {
            write!(f, "{}", self.file.display())?;
        }
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write!(f, ": ")?;
        if !self.field.is_empty() {
            write!(f, "{}: ", self.field)?;
        }
        match &self.kind {
            ErrorKind::Io(msg) => write!(f, "cannot read or write the file: {msg}"),
            ErrorKind::Syntax(msg) => write!(f, "malformed file: {msg}"),
            ErrorKind::Invalid { expected, found } => write!(f, "expected {expected}, found {found}"),
        }
    }
}

impl std::error::Error for Error {}

/// Converts a model error raised while building from a file into a file error.
pub(crate) fn from_model(file: &Path, line: Option<usize>, field: &str, err: bc_model::Error) -> Error {
    Error::invalid(file, line, field, "a consistent definition", err.to_string())
}
