//! The stakeholders crate's error: which file (or input), where in it, what was expected and what
//! was found; or which step of a model run could not go on.

use std::fmt;
use std::path::{Path, PathBuf};

/// A problem with a scenario file, a parameter, or a model run.
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    /// The file (empty when the input did not come from a file).
    pub file: PathBuf,
    /// 1-based line, where known.
    pub line: Option<usize>,
    /// The field, element or parameter concerned (e.g. `actor "XJ" / salience 2`).
    pub field: String,
    /// What kind of problem.
    pub kind: ErrorKind,
}

/// The kind of problem.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The file could not be read.
    Io(String),
    /// The file is not well-formed (XML syntax, CSV structure).
    Syntax(String),
    /// A value is not what the format or the model requires.
    Invalid {
        /// What is required.
        expected: String,
        /// What the input has.
        found: String,
    },
    /// A model run could not go on (e.g. an iterative solver did not converge).
    Model(String),
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

    /// A model run that cannot go on.
    pub fn model(field: impl Into<String>, message: impl Into<String>) -> Error {
        Error { file: PathBuf::new(), line: None, field: field.into(), kind: ErrorKind::Model(message.into()) }
    }

    /// The same error, attributed to `file` if it names none yet.
    pub fn in_file(mut self, file: &Path) -> Error {
        if self.file.as_os_str().is_empty() {
            self.file = file.to_path_buf();
        }
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.file.as_os_str().is_empty() {
            write!(f, "{}", self.file.display())?;
            if let Some(line) = self.line {
                write!(f, ":{line}")?;
            }
            write!(f, ": ")?;
        }
        if !self.field.is_empty() {
            write!(f, "{}: ", self.field)?;
        }
        match &self.kind {
            ErrorKind::Io(msg) => write!(f, "cannot read the file: {msg}"),
            ErrorKind::Syntax(msg) => write!(f, "malformed file: {msg}"),
            ErrorKind::Invalid { expected, found } => write!(f, "expected {expected}, found {found}"),
            ErrorKind::Model(msg) => write!(f, "{msg}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<bc_formats::Error> for Error {
    /// A file error from the shared XML reader, kept with its file, line and field.
    fn from(e: bc_formats::Error) -> Error {
        let kind = match e.kind {
            bc_formats::ErrorKind::Io(m) => ErrorKind::Io(m),
            bc_formats::ErrorKind::Syntax(m) => ErrorKind::Syntax(m),
            bc_formats::ErrorKind::Invalid { expected, found } => ErrorKind::Invalid { expected, found },
            other => ErrorKind::Syntax(format!("{other:?}")),
        };
        Error { file: e.file, line: e.line, field: e.field, kind }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_file_line_field_expected_found() {
        let e = Error::invalid(Path::new("a.csv"), Some(3), "actor \"X\" / capability", "a positive number", "\"-1\"");
        assert_eq!(e.to_string(), "a.csv:3: actor \"X\" / capability: expected a positive number, found \"-1\"");
        let m = Error::model("PCE", "did not converge");
        assert_eq!(m.to_string(), "PCE: did not converge");
        assert_eq!(m.in_file(Path::new("b.xml")).to_string(), "b.xml: PCE: did not converge");
    }
}
