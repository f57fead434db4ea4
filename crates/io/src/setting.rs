//! A setting the caller gave that a library refuses, named as the library names it
//! (`indicator`, `grid`, `out`), never as a front end spells it: `NAME: expected X, found Y`, or
//! `NAME ITEM: …` for one item of a setting (`grid mediator.leak: …`). The command line says it
//! with its flag (`--indicator: …`, by [`SettingError::spelled`]), the Python module with its
//! keyword argument, so that no library error names a flag.

use std::fmt;

/// A refused setting: its name and what is wrong with it (see the module's documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingError {
    /// The setting, as the library names it.
    name: &'static str,
    /// The rest of the message: `: WHAT` or ` ITEM: WHAT`.
    rest: String,
}

impl SettingError {
    /// `NAME: WHAT` (`what` says what was expected and what was found).
    pub fn new(name: &'static str, what: impl fmt::Display) -> SettingError {
        SettingError { name, rest: format!(": {what}") }
    }

    /// `NAME ITEM: WHAT`: one item of the setting (a grid's key, a target's name) is refused.
    pub fn item(name: &'static str, item: impl fmt::Display, what: impl fmt::Display) -> SettingError {
        SettingError { name, rest: format!(" {item}: {what}") }
    }

    /// The setting's name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The message with the setting spelled as a front end spells it (`--indicator`).
    pub fn spelled(&self, spelling: &str) -> String {
        format!("{spelling}{}", self.rest)
    }
}

impl fmt::Display for SettingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.name, self.rest)
    }
}

impl std::error::Error for SettingError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_setting_and_respells_it() {
        let e = SettingError::new("indicator", "expected one of a, b, found \"x\"");
        assert_eq!(e.to_string(), "indicator: expected one of a, b, found \"x\"");
        assert_eq!(e.spelled("--indicator"), "--indicator: expected one of a, b, found \"x\"");
        let e = SettingError::item("grid", "mediator.leak", "expected finite numbers, found \"inf\"");
        assert_eq!((e.name(), e.to_string().as_str()), ("grid", "grid mediator.leak: expected finite numbers, found \"inf\""));
        assert_eq!(e.spelled("--grid"), "--grid mediator.leak: expected finite numbers, found \"inf\"");
    }
}
