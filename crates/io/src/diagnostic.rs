//! The located diagnostic every reader reports (GENIUS and GeniusWeb files, KTAB stakeholder
//! files, scenario TOML): `FILE:LINE: FIELD: expected X, found Y`, worded the same way by every
//! crate.

use std::fmt;
use std::path::{Path, PathBuf};

/// A problem in an input: which file, which line, which field, and what is wrong there.
///
/// Displayed as `FILE:LINE: FIELD: PROBLEM`; the line is left out where it is not known, the
/// field where the problem concerns the whole file, and the file where the input did not come
/// from one (then a known line is said as `line N`).
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// The file (empty when the input did not come from a file).
    pub file: PathBuf,
    /// 1-based line, where known.
    pub line: Option<usize>,
    /// The element, attribute, key or parameter concerned (e.g. `issue "Price" / item "x"`,
    /// `parties.us.capacity`); empty for the file as a whole.
    pub field: String,
    /// What is wrong.
    pub kind: Problem,
}

/// What is wrong, in one of the forms every reader uses.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Problem {
    /// The file could not be read: `cannot read: REASON`.
    Io(String),
    /// The file is not well-formed (XML or JSON syntax, CSV structure): `malformed file: REASON`.
    Syntax(String),
    /// A value is not what is required: `expected X, found Y`.
    Invalid {
        /// What is required.
        expected: String,
        /// What the input has.
        found: String,
    },
    /// Anything else, said in full (e.g. a model run that cannot go on, or a problem whose
    /// message already says what was expected and found).
    Other(String),
}

impl Diagnostic {
    /// A value that is not what is required.
    pub fn invalid(
        file: &Path,
        line: Option<usize>,
        field: impl Into<String>,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> Diagnostic {
        let kind = Problem::Invalid { expected: expected.into(), found: found.into() };
        Diagnostic { file: file.to_path_buf(), line, field: field.into(), kind }
    }

    /// A file that is not well-formed.
    pub fn syntax(file: &Path, line: Option<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic { file: file.to_path_buf(), line, field: String::new(), kind: Problem::Syntax(message.into()) }
    }

    /// A file that could not be read.
    pub fn io(file: &Path, err: &std::io::Error) -> Diagnostic {
        Diagnostic { file: file.to_path_buf(), line: None, field: String::new(), kind: Problem::Io(err.to_string()) }
    }

    /// Any other problem at a place in a file, said in full.
    pub fn other(file: &Path, line: Option<usize>, field: impl Into<String>, message: impl Into<String>) -> Diagnostic {
        Diagnostic { file: file.to_path_buf(), line, field: field.into(), kind: Problem::Other(message.into()) }
    }

    /// The same diagnostic, attributed to `file` if it names none yet.
    pub fn in_file(mut self, file: &Path) -> Diagnostic {
        if self.file.as_os_str().is_empty() {
            self.file = file.to_path_buf();
        }
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Io(msg) => write!(f, "cannot read: {msg}"),
            Problem::Syntax(msg) => write!(f, "malformed file: {msg}"),
            Problem::Invalid { expected, found } => write!(f, "expected {expected}, found {found}"),
            Problem::Other(msg) => write!(f, "{msg}"),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.file.as_os_str().is_empty(), self.line) {
            (false, Some(line)) => write!(f, "{}:{line}: ", self.file.display())?,
            (false, None) => write!(f, "{}: ", self.file.display())?,
            (true, Some(line)) => write!(f, "line {line}: ")?,
            (true, None) => {}
        }
        if !self.field.is_empty() {
            write!(f, "{}: ", self.field)?;
        }
        write!(f, "{}", self.kind)
    }
}

impl std::error::Error for Diagnostic {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_file_line_field_problem() {
        let e = Diagnostic::invalid(Path::new("a.csv"), Some(3), "actor \"X\" / capability", "a positive number", "\"-1\"");
        assert_eq!(e.to_string(), "a.csv:3: actor \"X\" / capability: expected a positive number, found \"-1\"");
        let e = Diagnostic::syntax(Path::new("d.xml"), Some(1), "element <objective> is never closed");
        assert_eq!(e.to_string(), "d.xml:1: malformed file: element <objective> is never closed");
        let e = Diagnostic::io(Path::new("x"), &std::io::Error::other("cannot open"));
        assert_eq!(e.to_string(), "x: cannot read: cannot open");
        let m = Diagnostic::other(Path::new(""), None, "PCE", "did not converge");
        assert_eq!(m.to_string(), "PCE: did not converge");
        assert_eq!(m.clone().in_file(Path::new("b.xml")).to_string(), "b.xml: PCE: did not converge");
        assert_eq!(m.in_file(Path::new("b.xml")).in_file(Path::new("c.xml")).file, Path::new("b.xml"));
        let e = Diagnostic::invalid(Path::new(""), Some(2), "", "a number", "\"x\"");
        assert_eq!(e.to_string(), "line 2: expected a number, found \"x\"");
    }
}
