//! The formats crate's error: bc-io's located [`Diagnostic`](bc_io::Diagnostic), which file,
//! where in it, what was expected and what was found, shared with every other reader.

use std::path::Path;

/// A problem with an input file (`FILE:LINE: FIELD: expected X, found Y`).
pub type Error = bc_io::Diagnostic;

/// The kind of problem.
pub type ErrorKind = bc_io::Problem;

/// Converts a model error raised while building from a file into a file error.
pub(crate) fn from_model(file: &Path, line: Option<usize>, field: &str, err: bc_model::Error) -> Error {
    Error::invalid(file, line, field, "a consistent definition", err.to_string())
}
