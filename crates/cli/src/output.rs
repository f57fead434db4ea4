//! Shared output helpers: printing (a closed pipe is not an error), and the JSON number helper of
//! `bc_formats::json` (non-finite values as the strings NegMAS uses) re-exported for the commands.

use std::io::Write;

use serde_json::Value as Json;

/// A float as JSON (infinities as NegMAS's strings, NaN as `null`): the one helper, in bc-formats.
pub use bc_formats::json::float;

/// Prints a JSON value on standard output, pretty, with a trailing newline.
pub fn print_json(value: &Json) -> anyhow::Result<()> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    print_text(&text)
}

/// Writes text to standard output. A closed pipe (`| head`) is not an error: the reader has all
/// it wanted.
pub fn print_text(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}
