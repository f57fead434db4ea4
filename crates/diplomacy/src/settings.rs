//! Setting keys of a scenario file to numbers before it is checked: the points of a parameter
//! sweep (`backchannel sweep`) and the experiments of the Python module (EMA workbench), both
//! by the file's dotted paths (`mediator.leak`, `parties.iran.capacity`).

use std::path::Path;

use crate::{Error, ErrorKind, Scenario};

/// A scenario file's text with the dotted keys of `settings` set to their values, then
/// checked (`Scenario::from_str`): a sweep's point, an experiment of the Python module. With no
/// settings the text is checked as it is.
pub fn scenario_with<K: AsRef<str>>(
    text: &str,
    source: &str,
    base_dir: &Path,
    settings: impl IntoIterator<Item = (K, f64)>,
) -> Result<Scenario, Error> {
    let mut settings = settings.into_iter().peekable();
    if settings.peek().is_none() {
        return Scenario::from_str(text, source, base_dir);
    }
    let mut doc: toml_edit::DocumentMut = text.parse().map_err(|e| Error::new(ErrorKind::Options(format!("{source}: {e}"))))?;
    for (k, v) in settings {
        set_key(&mut doc, k.as_ref(), v)?;
    }
    Scenario::from_str(&doc.to_string(), source, base_dir)
}

/// Sets `key` (a dotted path that must exist in the document) to `value`, a whole number as an
/// integer (the format's integer keys, such as rounds and weeks, refuse `10.0`, and its number
/// keys accept `10`). The error names the key and what is missing or found there.
pub fn set_key(doc: &mut toml_edit::DocumentMut, key: &str, value: f64) -> Result<(), Error> {
    let fail = |m: String| Err(Error::new(ErrorKind::Options(m)));
    let parts: Vec<&str> = key.split('.').collect();
    let Some((last, path)) = parts.split_last() else { return fail(format!("expected a dotted key, found {key:?}")) };
    let mut table: &mut dyn toml_edit::TableLike = doc.as_table_mut();
    for (k, p) in path.iter().enumerate() {
        match table.get_mut(p).and_then(|i| i.as_table_like_mut()) {
            Some(t) => table = t,
            None => {
                return fail(format!(
                    "{key}: the scenario has no table {:?} (expected a key of the scenario file, e.g. mediator.leak)",
                    parts[..=k].join(".")
                ))
            }
        }
    }
    match table.get_mut(last) {
        Some(item) if item.is_value() || item.is_inline_table() => {
            *item = if value.fract() == 0.0 && value.abs() < 9e15 { toml_edit::value(value as i64) } else { toml_edit::value(value) };
            Ok(())
        }
        Some(_) => fail(format!("{key}: expected a number or a distribution in the scenario, found a table")),
        None => fail(format!("{key}: the scenario has no key {last:?} here (expected a key of the scenario file, e.g. mediator.leak)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_set_and_missing_ones_named() {
        let mut doc: toml_edit::DocumentMut = "[mediator]\nleak = 0.2\nrounds = 3\n[parties.a]\nx = 1\n".parse().unwrap();
        set_key(&mut doc, "mediator.leak", 0.5).unwrap();
        set_key(&mut doc, "mediator.rounds", 10.0).unwrap();
        assert_eq!(doc["mediator"]["leak"].as_float(), Some(0.5));
        assert_eq!(doc["mediator"]["rounds"].as_integer(), Some(10));
        let e = set_key(&mut doc, "nope.x", 1.0).unwrap_err().to_string();
        assert!(e.starts_with("nope.x: the scenario has no table \"nope\""), "{e}");
        let e = set_key(&mut doc, "mediator.nope", 1.0).unwrap_err().to_string();
        assert!(e.starts_with("mediator.nope: the scenario has no key \"nope\""), "{e}");
        let e = set_key(&mut doc, "parties", 1.0).unwrap_err().to_string();
        assert_eq!(e, "parties: expected a number or a distribution in the scenario, found a table");
    }
}
