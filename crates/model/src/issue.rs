//! Issues (the dimensions of an agreement) and the values an outcome takes on each of them.

use std::fmt;

use crate::error::{Error, ErrorKind};

/// What values an issue admits.
///
/// Invariant: a `Categorical` issue has at least one value and no duplicate names; an `Integer`
/// issue has `lo <= hi`; a `Real` issue has finite `lo <= hi`; a `Number` issue has at least one
/// finite value, strictly increasing. Constructors in [`Issue`] enforce these.
#[derive(Clone, Debug, PartialEq)]
pub enum IssueKind {
    /// A list of named values, in file order (GENIUS `<item>`, GeniusWeb `values`).
    Categorical(Vec<String>),
    /// Every integer in `lo..=hi` (GENIUS `type="integer"`).
    Integer {
        /// Smallest value.
        lo: i64,
        /// Largest value (inclusive).
        hi: i64,
    },
    /// Every real number in `[lo, hi]` (GENIUS `type="real"`); not enumerable.
    Real {
        /// Lower bound.
        lo: f64,
        /// Upper bound (inclusive).
        hi: f64,
    },
    /// A finite list of numbers (GeniusWeb `range: [low, high, step]`).
    Number(Vec<f64>),
}

/// One issue of a negotiation: a name and the values it admits.
#[derive(Clone, Debug, PartialEq)]
pub struct Issue {
    name: String,
    kind: IssueKind,
    /// For a categorical issue: value positions sorted by name, so that a value is found by
    /// name in logarithmic time (reading a profile of 10^5 values stays linear-logarithmic).
    by_name: Vec<u32>,
}

/// The value an outcome takes on one issue.
///
/// Discrete issues (categorical, integer, number) hold the position of the value in the issue's
/// value list (`lo + index` for integers); real issues hold the number itself.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value {
    /// Position of the value among the issue's values (0-based).
    Index(u32),
    /// A point of a real interval.
    Real(f64),
}

impl Issue {
    /// A categorical issue. Fails on an empty list or a repeated value name.
    pub fn categorical(name: impl Into<String>, values: Vec<String>) -> Result<Issue, Error> {
        let name = name.into();
        if values.is_empty() {
            return Err(Error::new(ErrorKind::EmptyIssue(name)));
        }
        if values.len() > u32::MAX as usize {
            return Err(Error::new(ErrorKind::TooManyValues(name)));
        }
        let mut by_name: Vec<u32> = (0..values.len() as u32).collect();
        by_name.sort_by(|a, b| values[*a as usize].cmp(&values[*b as usize]).then(a.cmp(b)));
        if let Some(w) = by_name.windows(2).find(|w| values[w[0] as usize] == values[w[1] as usize]) {
            let value = values[w[0] as usize].clone();
            return Err(Error::new(ErrorKind::DuplicateValue { issue: name, value }));
        }
        Ok(Issue { name, kind: IssueKind::Categorical(values), by_name })
    }

    /// An integer range `lo..=hi`. Fails when `lo > hi` or the range has more than 2^32 - 1 values.
    pub fn integer(name: impl Into<String>, lo: i64, hi: i64) -> Result<Issue, Error> {
        let name = name.into();
        if lo > hi {
            return Err(Error::new(ErrorKind::EmptyIssue(name)));
        }
        if (hi as i128 - lo as i128) >= u32::MAX as i128 {
            return Err(Error::new(ErrorKind::TooManyValues(name)));
        }
        Ok(Issue { name, kind: IssueKind::Integer { lo, hi }, by_name: Vec::new() })
    }

    /// A real interval `[lo, hi]`. Fails unless both bounds are finite and `lo <= hi`.
    pub fn real(name: impl Into<String>, lo: f64, hi: f64) -> Result<Issue, Error> {
        let name = name.into();
        if !(lo.is_finite() && hi.is_finite() && lo <= hi) {
            return Err(Error::new(ErrorKind::EmptyIssue(name)));
        }
        Ok(Issue { name, kind: IssueKind::Real { lo, hi }, by_name: Vec::new() })
    }

    /// A finite list of numbers, strictly increasing and finite.
    pub fn number(name: impl Into<String>, values: Vec<f64>) -> Result<Issue, Error> {
        let name = name.into();
        if values.is_empty() {
            return Err(Error::new(ErrorKind::EmptyIssue(name)));
        }
        if values.iter().any(|v| !v.is_finite()) || values.windows(2).any(|w| w[0] >= w[1]) {
            return Err(Error::new(ErrorKind::InvalidNumberValues(name)));
        }
        if values.len() > u32::MAX as usize {
            return Err(Error::new(ErrorKind::TooManyValues(name)));
        }
        Ok(Issue { name, kind: IssueKind::Number(values), by_name: Vec::new() })
    }

    /// The issue's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What values the issue admits.
    pub fn kind(&self) -> &IssueKind {
        &self.kind
    }

    /// Number of values, or `None` for a real interval.
    pub fn cardinality(&self) -> Option<u64> {
        match &self.kind {
            IssueKind::Categorical(v) => Some(v.len() as u64),
            IssueKind::Integer { lo, hi } => Some((hi - lo) as u64 + 1),
            IssueKind::Real { .. } => None,
            IssueKind::Number(v) => Some(v.len() as u64),
        }
    }

    /// True for issues with finitely many values.
    pub fn is_discrete(&self) -> bool {
        self.cardinality().is_some()
    }

    /// The numeric meaning of a value, where the issue has one (integer, real and number issues).
    pub fn numeric(&self, value: Value) -> Option<f64> {
        match (&self.kind, value) {
            (IssueKind::Integer { lo, .. }, Value::Index(i)) => lo.checked_add(i64::from(i)).map(|x| x as f64),
            (IssueKind::Number(v), Value::Index(i)) => v.get(i as usize).copied(),
            (IssueKind::Real { .. }, Value::Real(x)) => Some(x),
            _ => None,
        }
    }

    /// True when `value` is one of this issue's values.
    pub fn contains(&self, value: Value) -> bool {
        match (&self.kind, value) {
            (IssueKind::Real { lo, hi }, Value::Real(x)) => *lo <= x && x <= *hi,
            (_, Value::Index(i)) => self.cardinality().is_some_and(|n| u64::from(i) < n),
            _ => false,
        }
    }

    /// Finds a value by its written form: a categorical name, an integer, or a number.
    pub fn parse_value(&self, text: &str) -> Option<Value> {
        let text = text.trim();
        match &self.kind {
            IssueKind::Categorical(values) => {
                self.by_name.binary_search_by(|k| values[*k as usize].as_str().cmp(text)).ok().map(|i| Value::Index(self.by_name[i]))
            }
            IssueKind::Integer { lo, hi } => {
                let x: i64 = text.parse().ok()?;
                (x >= *lo && x <= *hi).then(|| Value::Index((x - lo) as u32))
            }
            IssueKind::Real { lo, hi } => {
                let x: f64 = text.parse().ok()?;
                (x >= *lo && x <= *hi).then_some(Value::Real(x))
            }
            IssueKind::Number(values) => {
                let x: f64 = text.parse().ok()?;
                // Strictly increasing and finite: a binary search.
                if x.is_nan() {
                    return None;
                }
                values.binary_search_by(|v| v.partial_cmp(&x).unwrap_or(std::cmp::Ordering::Less)).ok().map(|i| Value::Index(i as u32))
            }
        }
    }

    /// The written form of a value: the categorical name or the number.
    pub fn value_name(&self, value: Value) -> String {
        match (&self.kind, value) {
            (IssueKind::Categorical(v), Value::Index(i)) => v.get(i as usize).cloned().unwrap_or_else(|| format!("#{i}")),
            (IssueKind::Integer { lo, .. }, Value::Index(i)) => {
                lo.checked_add(i64::from(i)).map_or_else(|| format!("#{i}"), |x| x.to_string())
            }
            (IssueKind::Number(v), Value::Index(i)) => v.get(i as usize).map(|x| format_number(*x)).unwrap_or_else(|| format!("#{i}")),
            (_, Value::Real(x)) => format_number(x),
            (IssueKind::Real { .. }, Value::Index(i)) => format!("#{i}"),
        }
    }
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            IssueKind::Categorical(v) => write!(f, "{} ({} values)", self.name, v.len()),
            IssueKind::Integer { lo, hi } => write!(f, "{} (integer {lo}..={hi})", self.name),
            IssueKind::Real { lo, hi } => write!(f, "{} (real [{lo}, {hi}])", self.name),
            IssueKind::Number(v) => write!(f, "{} ({} numbers)", self.name, v.len()),
        }
    }
}

/// Writes a number in its shortest round-trip form, without a trailing `.0` for integers.
pub fn format_number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categorical_rejects_empty_and_duplicates() {
        assert!(Issue::categorical("a", vec![]).is_err());
        let e = Issue::categorical("a", vec!["x".into(), "x".into()]).unwrap_err();
        assert!(e.to_string().contains("\"x\""), "{e}");
    }

    #[test]
    fn integer_values_round_trip_through_names() {
        let i = Issue::integer("price", 8, 14).unwrap();
        assert_eq!(i.cardinality(), Some(7));
        let v = i.parse_value("10").unwrap();
        assert_eq!(v, Value::Index(2));
        assert_eq!(i.value_name(v), "10");
        assert_eq!(i.numeric(v), Some(10.0));
        assert_eq!(i.parse_value("15"), None);
    }

    #[test]
    fn real_and_number_issues() {
        let r = Issue::real("x", 0.0, 1.0).unwrap();
        assert!(r.contains(Value::Real(0.5)));
        assert!(!r.contains(Value::Real(1.5)));
        assert!(Issue::real("x", 1.0, 0.0).is_err());
        let n = Issue::number("n", vec![12.2, 12.5]).unwrap();
        assert_eq!(n.parse_value("12.5"), Some(Value::Index(1)));
        assert!(Issue::number("n", vec![1.0, 1.0]).is_err());
    }
}
