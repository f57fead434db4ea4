//! The one error type of bc-report: what went wrong, and with which file.

use std::fmt;
use std::path::{Path, PathBuf};

/// What kind of failure an [`Error`] is.
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Reading or writing a file failed.
    Io(std::io::Error),
    /// A file's content is not what was expected (a run directory's manifest, records or
    /// statistics); the string says what was expected and what was found.
    Invalid(String),
    /// Shard directories that cannot be merged (different runs, missing or repeated shards).
    Shards(String),
    /// The output directory exists and is not empty.
    OutputExists,
    /// A value given by the caller is out of range (e.g. a record with the wrong number of cells).
    Usage(String),
    /// A setting given by the caller is refused (named as this crate names it, e.g. `out`; the
    /// command line says it with its flag).
    Setting(bc_io::SettingError),
}

/// An error of bc-report, naming the file it concerns where there is one.
#[derive(Debug)]
pub struct Error {
    /// What went wrong.
    pub kind: ErrorKind,
    /// The file or directory concerned, if any.
    pub path: Option<PathBuf>,
}

impl Error {
    /// An error of `kind` about `path`.
    pub fn at(path: &Path, kind: ErrorKind) -> Error {
        Error { kind, path: Some(path.to_path_buf()) }
    }

    /// An I/O error about `path`.
    pub fn io(path: &Path, e: std::io::Error) -> Error {
        Error::at(path, ErrorKind::Io(e))
    }

    /// Invalid content in `path`: `what` says what was expected and what was found.
    pub fn invalid(path: &Path, what: impl Into<String>) -> Error {
        Error::at(path, ErrorKind::Invalid(what.into()))
    }

    /// A caller error not tied to a file.
    pub fn usage(what: impl Into<String>) -> Error {
        Error { kind: ErrorKind::Usage(what.into()), path: None }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(p) = &self.path {
            write!(f, "{}: ", p.display())?;
        }
        match &self.kind {
            ErrorKind::Io(e) => write!(f, "{e}"),
            ErrorKind::Invalid(s) | ErrorKind::Shards(s) | ErrorKind::Usage(s) => f.write_str(s),
            ErrorKind::Setting(e) => write!(f, "{e}"),
            ErrorKind::OutputExists => f.write_str("the output directory exists and is not empty (expected a new or empty directory)"),
        }
    }
}

// No `source()`: the message already includes the I/O error, and `{:#}` would print it twice.
impl std::error::Error for Error {}
