//! Library errors said with the command line's flags. A library names the setting it refuses
//! (`indicator: expected one of …`: a `bc_io::SettingError`, a limit's context, a tournament's
//! `ErrorKind::Setting`), never a flag; the binary prints it with the flag that sets the setting
//! (`--indicator: expected one of …`), so that the messages read as they always have.

use bc_diplomacy::gsa::StudyError;

/// The settings the command line sets with the flag of the same name, `--NAME`.
pub const FLAGS: [&str; 16] = [
    "addr",
    "agents",
    "database",
    "grid",
    "indicator",
    "lhs",
    "mediator",
    "out",
    "parties",
    "protocol",
    "repetitions",
    "rescore",
    "runs",
    "samples",
    "steps",
    "target",
];

/// The flag that sets a library setting: `--NAME` with `_` as `-` (`fix_quirks` is
/// `--fix-quirks`), except where the flag's name differs (`params` is `--param`, repeated).
/// For libraries that take a namer (`bc_stakeholders::run`).
pub fn flag(setting: &str) -> String {
    match setting {
        "params" => "--param".into(),
        other => format!("--{}", other.replace('_', "-")),
    }
}

/// An error's message as the binary prints it: a library's refused setting with its flag when
/// the error reached the caller as the library gave it (no context added on the way), otherwise
/// the error and its causes.
pub fn message(err: &anyhow::Error) -> String {
    if err.chain().count() == 1 {
        if let Some((name, text)) = setting(err) {
            if FLAGS.contains(&name) {
                return format!("--{text}");
            }
        }
    }
    format!("{err:#}")
}

/// The setting a library error refuses and the error's message (which starts with the setting's
/// name), for the error types that name one.
fn setting(err: &anyhow::Error) -> Option<(&str, String)> {
    if let Some(e) = err.downcast_ref::<bc_io::SettingError>() {
        return Some((e.name(), e.to_string()));
    }
    if let Some(e) = err.downcast_ref::<bc_io::Exceeded>() {
        return Some((&e.context, e.to_string()));
    }
    if let Some(e) = err.downcast_ref::<StudyError>() {
        return match e {
            StudyError::Setting(s) => Some((s.name(), s.to_string())),
            StudyError::Limit(l) => Some((&l.context, l.to_string())),
            _ => None,
        };
    }
    if let Some(bc_report::Error { kind: bc_report::ErrorKind::Setting(s), path: None }) = err.downcast_ref::<bc_report::Error>() {
        return Some((s.name(), s.to_string()));
    }
    if let Some(bc_server::Error::Setting(s)) = err.downcast_ref::<bc_server::Error>() {
        return Some((s.name(), s.to_string()));
    }
    if let Some(e) = err.downcast_ref::<bc_tournament::Error>() {
        if let bc_tournament::ErrorKind::Setting { name, .. } = e.kind() {
            return Some((name, e.to_string()));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_setting_is_named_by_its_flag() {
        assert_eq!(flag("turns"), "--turns");
        assert_eq!(flag("fix_quirks"), "--fix-quirks");
        assert_eq!(flag("params"), "--param");
    }

    #[test]
    fn a_refused_setting_is_said_with_its_flag_and_nothing_else_is() {
        let e = anyhow::Error::from(bc_io::SettingError::new("indicator", "expected one of a, b, found \"x\""));
        assert_eq!(message(&e), "--indicator: expected one of a, b, found \"x\"");
        let e = anyhow::Error::msg(bc_io::SettingError::item("grid", "mediator.leak", "expected finite numbers, found \"inf\""));
        assert_eq!(message(&e), "--grid mediator.leak: expected finite numbers, found \"inf\"");
        let e = anyhow::Error::from(StudyError::from(bc_io::SettingError::new("samples", "expected at least 2")));
        assert_eq!(message(&e), "--samples: expected at least 2");
        // A setting the command line does not set with a flag of its name keeps its name.
        let e = anyhow::Error::from(bc_io::SettingError::new("domains", "expected at least one domain, found none"));
        assert_eq!(message(&e), "domains: expected at least one domain, found none");
        // A file named like a setting is a file: only the typed setting errors are said with flags.
        let e = anyhow::Error::from(bc_report::Error::invalid(std::path::Path::new("out"), "expected a new or empty directory"));
        assert_eq!(message(&e), "out: expected a new or empty directory");
        let e = anyhow::anyhow!("runs: a message that only looks like a setting's");
        assert_eq!(message(&e), "runs: a message that only looks like a setting's");
        // With context added on the way, the chain is printed as it is.
        let e = anyhow::Error::from(bc_io::SettingError::new("out", "expected a directory name, found \"\"")).context("merge");
        assert_eq!(message(&e), "merge: out: expected a directory name, found \"\"");
    }
}
