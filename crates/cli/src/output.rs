//! Shared output helpers: JSON numbers (non-finite values as the strings NegMAS uses) and printing.

use std::io::Write;

use serde_json::Value as Json;

/// A float as JSON: finite numbers as numbers (shortest round-trip form), infinities as the
/// strings `"inf"` / `"-inf"` and NaN as `null`.
pub fn float(x: f64) -> Json {
    if x.is_finite() {
        serde_json::Number::from_f64(x).map_or(Json::Null, Json::Number)
    } else if x.is_nan() {
        Json::Null
    } else if x > 0.0 {
        Json::String("inf".into())
    } else {
        Json::String("-inf".into())
    }
}

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
