//! The error of bc-io: which file, and what was expected and found there.

use std::fmt;
use std::path::{Path, PathBuf};

/// A file that could not be read or written.
#[derive(Debug)]
pub struct Error {
    /// The file concerned.
    pub path: PathBuf,
    /// What went wrong.
    pub kind: ErrorKind,
}

/// What went wrong with a file.
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The path exists and is not a regular file (`found` says what it is: "a FIFO", "a
    /// character device", "a symbolic link", "a directory", ...).
    NotRegular {
        /// What the path is.
        found: &'static str,
        /// Whether the path was to be read (else written).
        reading: bool,
    },
    /// The target is an existing regular file and the caller did not allow replacing it.
    Exists,
    /// The file is larger than the input limit.
    TooLarge(crate::limits::Exceeded),
    /// A line of a line-oriented file is longer than the limit.
    LineTooLong {
        /// 1-based line number.
        line: u64,
        /// The limit exceeded.
        exceeded: crate::limits::Exceeded,
    },
    /// The file is not UTF-8 text.
    NotUtf8 {
        /// Byte offset of the first invalid byte.
        offset: usize,
    },
    /// The operating system refused (`op` says what was being done).
    Os {
        /// "open", "read", "create", "write", "sync", "rename", ...
        op: &'static str,
        /// The OS error.
        error: std::io::Error,
    },
}

impl Error {
    pub(crate) fn new(path: &Path, kind: ErrorKind) -> Error {
        Error { path: path.to_path_buf(), kind }
    }

    pub(crate) fn os(path: &Path, op: &'static str, error: std::io::Error) -> Error {
        Error::new(path, ErrorKind::Os { op, error })
    }

    /// What went wrong, without the path (for error types that print the path themselves).
    pub fn reason(&self) -> String {
        match &self.kind {
            ErrorKind::NotRegular { found, reading: true } => {
                format!("expected a regular file to read, found {found}")
            }
            ErrorKind::NotRegular { found, reading: false } => {
                format!("expected a new file or a regular file to replace, found {found} (left untouched)")
            }
            ErrorKind::Exists => "exists: expected a new file (pass --force to replace it)".to_string(),
            ErrorKind::TooLarge(e) => e.to_string(),
            ErrorKind::LineTooLong { line, exceeded } => format!("line {line}: {exceeded}"),
            ErrorKind::NotUtf8 { offset } => format!("expected UTF-8 text, found an invalid byte at offset {offset}"),
            ErrorKind::Os { op, error } => format!("cannot {op}: {error}"),
        }
    }

    /// This error as a [`std::io::Error`] whose message is [`Error::reason`] (no path), for
    /// crates whose own I/O error variant holds an `io::Error` and prints the path itself. The
    /// original error can be recovered with `get_ref()` and `downcast_ref::<bc_io::Error>()`.
    pub fn into_io(self) -> std::io::Error {
        let kind = match &self.kind {
            ErrorKind::Os { error, .. } => error.kind(),
            ErrorKind::Exists => std::io::ErrorKind::AlreadyExists,
            ErrorKind::NotUtf8 { .. } => std::io::ErrorKind::InvalidData,
            _ => std::io::ErrorKind::InvalidInput,
        };
        std::io::Error::new(kind, Reason(self))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.reason())
    }
}

impl std::error::Error for Error {}

/// An [`Error`] displayed without its path.
#[derive(Debug)]
struct Reason(Error);

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.reason())
    }
}

impl std::error::Error for Reason {}

/// Recovers the bc-io error inside an `io::Error` made by [`Error::into_io`].
pub fn as_bc_io(e: &std::io::Error) -> Option<&Error> {
    e.get_ref().and_then(|inner| inner.downcast_ref::<Reason>()).map(|r| &r.0)
}

/// What a file type is, in words.
pub(crate) fn describe(ft: std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_dir() {
        "a directory"
    } else if ft.is_symlink() {
        "a symbolic link"
    } else if ft.is_fifo() {
        "a FIFO"
    } else if ft.is_char_device() {
        "a character device"
    } else if ft.is_block_device() {
        "a block device"
    } else if ft.is_socket() {
        "a socket"
    } else if ft.is_file() {
        "a regular file"
    } else {
        "something other than a file"
    }
}
