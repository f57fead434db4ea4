//! The stakeholders crate's error: bc-io's located [`Diagnostic`](bc_io::Diagnostic), which file
//! (or input), where in it, what was expected and what was found, shared with every other
//! reader; or which step of a model run could not go on.

use std::path::Path;

/// A problem with a scenario file, a parameter, or a model run.
pub type Error = bc_io::Diagnostic;

/// The kind of problem.
pub type ErrorKind = bc_io::Problem;

/// A model run that cannot go on (e.g. an iterative solver did not converge), at `field`.
pub fn model(field: impl Into<String>, message: impl Into<String>) -> Error {
    Error::other(Path::new(""), None, field, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_file_line_field_expected_found() {
        let e = Error::invalid(Path::new("a.csv"), Some(3), "actor \"X\" / capability", "a positive number", "\"-1\"");
        assert_eq!(e.to_string(), "a.csv:3: actor \"X\" / capability: expected a positive number, found \"-1\"");
        let m = model("PCE", "did not converge");
        assert_eq!(m.to_string(), "PCE: did not converge");
        assert_eq!(m.in_file(Path::new("b.xml")).to_string(), "b.xml: PCE: did not converge");
    }
}
