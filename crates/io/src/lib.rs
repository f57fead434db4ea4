//! bc-io: the one way backchannel reads and writes files, and the one table of its limits.
//!
//! - [`read`]: readers open only regular files (a FIFO, a device such as `/dev/zero`, a
//!   directory or a socket is refused before it is opened) and never read more than
//!   [`limits::INPUT_BYTES`].
//! - [`write`]: every file is written to a temporary file beside its target, flushed to disk and
//!   renamed into place; a target that exists and is not a regular file (a device, a FIFO, a
//!   symbolic link, a directory) is refused and left untouched, and an existing regular file is
//!   replaced only when the caller says so (`--force`). [`write::write_files`] lands a set of
//!   files whole or not at all.
//! - [`limits`]: every bound on the size of the work one input or flag can ask for, as data,
//!   with the value in force (raised by `--limit NAME=N`) and a typed refusal naming the limit,
//!   the value found and how to raise it.
//! - [`diagnostic`]: the located problem every reader reports, `FILE:LINE: FIELD: expected X,
//!   found Y`.
//! - [`setting`]: a setting the caller gave that a library refuses, named as the library names
//!   it (`indicator: expected …`); front ends say it with their own spelling (`--indicator`).
//!
//! No dependencies beyond std, no threads, no clock.

pub mod diagnostic;
pub mod error;
pub mod limits;
pub mod read;
pub mod setting;
pub mod write;

pub use diagnostic::{Diagnostic, Problem};
pub use error::{Error, ErrorKind};
pub use limits::{Exceeded, Limit};
pub use setting::SettingError;
