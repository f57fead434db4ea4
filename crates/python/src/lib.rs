//! The Rust core of the `backchannel` Python module: every function the bindings call, in plain
//! Rust (JSON text, column vectors), so that `cargo test` checks it without Python.
//!
//! The functions return the same JSON as the CLI's `--json` for the same inputs (the pytest
//! suite checks this against the binary), and every error is an `anyhow::Error` whose message
//! (printed with `{:#}`) names the file, the line or field, what was expected and what was found,
//! as the CLI prints it. `bindings.rs` (feature `python`) turns these into Python objects.

pub mod analytics;
pub mod domain;
pub mod forecast;
pub mod negotiation;
pub mod stakeholders;
pub mod tournament;

#[cfg(feature = "python")]
#[allow(unsafe_code)]
mod bindings;

/// A float as JSON, as the CLI writes it (infinities as NegMAS's strings, NaN as `null`): the one
/// helper both use, in bc-formats.
pub use bc_formats::json::float;

/// One column of a table handed to Python (pyarrow builds the table from these).
#[derive(Clone, Debug, PartialEq)]
pub enum ColumnData {
    /// Integers (`None`: null).
    Int(Vec<Option<i64>>),
    /// Floats (`None`: null; NaN stays NaN).
    Float(Vec<Option<f64>>),
    /// Booleans.
    Bool(Vec<Option<bool>>),
    /// Text.
    Text(Vec<Option<String>>),
}

/// A table: named columns of equal length, in order.
pub type Columns = Vec<(String, ColumnData)>;

/// An error's message with its causes, as the CLI prints it (`file: line N: field: ...`).
pub fn message(e: &anyhow::Error) -> String {
    format!("{e:#}")
}
