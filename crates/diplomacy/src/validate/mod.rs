//! Reading a scenario file: TOML with positions → JSON ([`spans`]), checked against the JSON
//! Schema generated from [`crate::file`] ([`schema`]: unknown keys, types, ranges, distributions),
//! named variants applied ([`variants`]), then the cross-references the schema cannot express
//! ([`references`]: issues named by steps, parties named by trust tables, strategies against the
//! library). Every problem is collected, each with the file, the line and the key, before
//! anything is built.

mod references;
mod schema;
mod spans;
mod strategies;
mod variants;

pub(crate) use references::{check_references, IssueShape};
pub(crate) use schema::SchemaCheck;
pub use schema::SUPPORTED_KEYWORDS;
pub use spans::Diagnostic;
pub(crate) use spans::{parse, Located, Report};
pub(crate) use variants::apply_variant;
