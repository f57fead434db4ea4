//! Outcome spaces: the Cartesian product of issues, with a compact mixed-radix outcome index.

use rand::Rng;

use crate::error::{Error, ErrorKind};
use crate::issue::{Issue, IssueKind, Value};

/// One complete agreement: a value for every issue of a space, in issue order.
pub type Outcome = Vec<Value>;

/// Spaces with more outcomes than this are not enumerated unless the caller raises the limit.
pub const DEFAULT_ENUMERATION_LIMIT: u64 = 10_000_000;

/// The set of possible agreements: the Cartesian product of its issues.
///
/// Outcome indices are mixed-radix numbers with the **last issue varying fastest**, the order of
/// `itertools.product` that NegMAS and GENIUS enumerate in: index `k` of a space with radices
/// `(n_0, .., n_{m-1})` has digit `v_i = (k / prod_{j>i} n_j) % n_i` on issue `i`.
///
/// Invariant: at least one issue, issue names unique.
#[derive(Clone, Debug, PartialEq)]
pub struct OutcomeSpace {
    name: String,
    issues: Vec<Issue>,
    /// Number of values per issue; `None` for a real interval.
    radices: Vec<Option<u64>>,
    /// Product of the radices, `None` when some issue is real or the product overflows u128.
    cardinality: Option<u128>,
}

impl OutcomeSpace {
    /// Builds a space from its issues, in order. Fails with no issues or two issues of one name.
    pub fn new(name: impl Into<String>, issues: Vec<Issue>) -> Result<OutcomeSpace, Error> {
        if issues.is_empty() {
            return Err(Error::new(ErrorKind::NoIssues));
        }
        let mut names = std::collections::BTreeSet::new();
        for issue in &issues {
            if !names.insert(issue.name()) {
                return Err(Error::new(ErrorKind::DuplicateIssue(issue.name().to_string())));
            }
        }
        let radices: Vec<Option<u64>> = issues.iter().map(Issue::cardinality).collect();
        let cardinality = radices.iter().try_fold(1u128, |acc, r| r.and_then(|r| acc.checked_mul(u128::from(r))));
        Ok(OutcomeSpace { name: name.into(), issues, radices, cardinality })
    }

    /// The space's name (the domain's name where it came from a file).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The issues, in order.
    pub fn issues(&self) -> &[Issue] {
        &self.issues
    }

    /// Number of values of each issue (`None` for real issues).
    pub fn radices(&self) -> &[Option<u64>] {
        &self.radices
    }

    /// Number of outcomes, or `None` when a real issue makes the space infinite.
    pub fn cardinality(&self) -> Option<u128> {
        self.cardinality
    }

    /// True when every issue has finitely many values.
    pub fn is_discrete(&self) -> bool {
        self.cardinality.is_some()
    }

    /// Position of the issue with this name.
    pub fn issue_index(&self, name: &str) -> Option<usize> {
        self.issues.iter().position(|i| i.name() == name)
    }

    /// Fails unless the space can be enumerated within `limit` outcomes.
    pub fn check_enumerable(&self, limit: u64) -> Result<u64, Error> {
        match self.cardinality {
            Some(n) if n <= u128::from(limit) => Ok(n as u64),
            other => Err(Error::new(ErrorKind::TooLarge { outcomes: other, limit })),
        }
    }

    /// The outcome with mixed-radix index `index` (last issue fastest). Only for discrete spaces;
    /// the index wraps modulo the cardinality.
    pub fn outcome_at(&self, index: u64) -> Outcome {
        let mut digits = vec![0u32; self.issues.len()];
        self.digits_into(index, &mut digits);
        digits.into_iter().map(Value::Index).collect()
    }

    /// Writes the value indices of outcome `index` into `digits` (one per issue).
    pub fn digits_into(&self, mut index: u64, digits: &mut [u32]) {
        for (d, r) in digits.iter_mut().zip(&self.radices).rev() {
            let r = r.unwrap_or(1).max(1);
            *d = (index % r) as u32;
            index /= r;
        }
    }

    /// The mixed-radix index of a discrete outcome, or `None` if it does not fit the space.
    pub fn index_of(&self, outcome: &[Value]) -> Option<u64> {
        if outcome.len() != self.issues.len() {
            return None;
        }
        let mut index: u64 = 0;
        for (v, r) in outcome.iter().zip(&self.radices) {
            let (Value::Index(i), Some(r)) = (v, r) else { return None };
            if u64::from(*i) >= *r {
                return None;
            }
            index = index.checked_mul(*r)?.checked_add(u64::from(*i))?;
        }
        Some(index)
    }

    /// Checks that an outcome has one admissible value per issue.
    pub fn check(&self, outcome: &[Value]) -> Result<(), Error> {
        if outcome.len() != self.issues.len() {
            return Err(Error::new(ErrorKind::OutcomeMismatch(format!("expected {} values, found {}", self.issues.len(), outcome.len()))));
        }
        for (issue, v) in self.issues.iter().zip(outcome) {
            if !issue.contains(*v) {
                return Err(Error::new(ErrorKind::OutcomeMismatch(format!("{v:?} is not a value of issue {:?}", issue.name()))));
            }
        }
        Ok(())
    }

    /// Every outcome in index order, or an error naming the size when it exceeds `limit`.
    pub fn enumerate(&self, limit: u64) -> Result<impl Iterator<Item = Outcome> + '_, Error> {
        let n = self.check_enumerable(limit)?;
        Ok((0..n).map(move |k| self.outcome_at(k)))
    }

    /// A uniformly random outcome (each issue independently uniform; real issues uniform on
    /// their interval).
    pub fn random_outcome<R: Rng + ?Sized>(&self, rng: &mut R) -> Outcome {
        self.issues
            .iter()
            .map(|issue| match issue.kind() {
                IssueKind::Real { lo, hi } => {
                    if lo == hi {
                        Value::Real(*lo)
                    } else {
                        Value::Real(rng.gen_range(*lo..=*hi))
                    }
                }
                _ => {
                    let n = issue.cardinality().unwrap_or(1);
                    Value::Index(rng.gen_range(0..n) as u32)
                }
            })
            .collect()
    }

    /// `n` independent uniformly random outcomes.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R, n: usize) -> Vec<Outcome> {
        (0..n).map(|_| self.random_outcome(rng)).collect()
    }

    /// The written form of each value of an outcome.
    pub fn value_names(&self, outcome: &[Value]) -> Vec<String> {
        self.issues.iter().zip(outcome).map(|(i, v)| i.value_name(*v)).collect()
    }

    /// Reads an outcome from the written form of its values, one per issue.
    pub fn parse_outcome<S: AsRef<str>>(&self, names: &[S]) -> Result<Outcome, Error> {
        if names.len() != self.issues.len() {
            return Err(Error::new(ErrorKind::OutcomeMismatch(format!("expected {} values, found {}", self.issues.len(), names.len()))));
        }
        self.issues
            .iter()
            .zip(names)
            .map(|(issue, name)| {
                issue.parse_value(name.as_ref()).ok_or_else(|| {
                    Error::new(ErrorKind::OutcomeMismatch(format!("{:?} is not a value of issue {:?}", name.as_ref(), issue.name())))
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::SeedableRng;

    fn space(radices: &[u32]) -> OutcomeSpace {
        let issues = radices
            .iter()
            .enumerate()
            .map(|(k, &n)| Issue::categorical(format!("i{k}"), (0..n).map(|v| format!("v{v}")).collect()).unwrap())
            .collect();
        OutcomeSpace::new("s", issues).unwrap()
    }

    #[test]
    fn last_issue_varies_fastest() {
        let s = space(&[2, 3]);
        let all: Vec<_> = s.enumerate(100).unwrap().collect();
        assert_eq!(all.len(), 6);
        assert_eq!(all[0], vec![Value::Index(0), Value::Index(0)]);
        assert_eq!(all[1], vec![Value::Index(0), Value::Index(1)]);
        assert_eq!(all[3], vec![Value::Index(1), Value::Index(0)]);
    }

    #[test]
    fn too_large_names_the_size() {
        let s = space(&[10; 10]);
        assert_eq!(s.cardinality(), Some(10_000_000_000));
        let err = s.enumerate(DEFAULT_ENUMERATION_LIMIT).err().unwrap();
        assert!(err.to_string().contains("10000000000 outcomes"), "{err}");
    }

    #[test]
    fn rejects_duplicate_issue_names() {
        let a = Issue::integer("x", 0, 1).unwrap();
        assert!(OutcomeSpace::new("s", vec![a.clone(), a]).is_err());
        assert!(OutcomeSpace::new("s", vec![]).is_err());
    }

    #[test]
    fn sampling_is_seeded() {
        let s = space(&[7, 7, 7]);
        let mut r1 = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let mut r2 = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        assert_eq!(s.sample(&mut r1, 20), s.sample(&mut r2, 20));
    }

    proptest! {
        #[test]
        fn index_round_trips(radices in proptest::collection::vec(1u32..9, 1..6), k in 0u64..100_000) {
            let s = space(&radices);
            let n = s.cardinality().unwrap() as u64;
            let k = k % n;
            let o = s.outcome_at(k);
            prop_assert_eq!(s.index_of(&o), Some(k));
            prop_assert!(s.check(&o).is_ok());
            let names = s.value_names(&o);
            prop_assert_eq!(s.parse_outcome(&names).unwrap(), o);
        }
    }
}
