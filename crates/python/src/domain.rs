//! Domains for Python: loading GENIUS/GeniusWeb files under either semantics, building a domain
//! from parts (issues and profiles described in plain data, e.g. a NegMAS `Scenario`), and
//! describing one back (issues, values, additive profiles, utilities of every outcome).

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{bail, Context as _, Result};
use bc_formats::{DomainProfiles, Semantics};
use bc_model::{
    Discount, Issue, IssueKind, LinearAdditive, OutcomeSpace, Preferences, TableUtility, UtilityFunction, Value, ValueFunction,
};

/// A loaded domain: the scenario and the semantics it was read with.
#[derive(Clone, Debug)]
pub struct Domain {
    /// The outcome space and the profiles.
    pub scenario: Arc<DomainProfiles>,
    /// `"genius"`, `"negmas"`, or `"parts"` for a domain built from data.
    pub semantics: String,
    /// Whether discounts were dropped on loading.
    pub ignore_discount: bool,
    /// The name tournaments give it: the folder's name when loaded from a folder, else the
    /// domain's own name.
    pub label: String,
}

/// A value of an issue as plain data: a name, an integer or a number.
#[derive(Clone, Debug, PartialEq)]
pub enum PlainValue {
    /// A categorical value.
    Text(String),
    /// An integer issue's value.
    Int(i64),
    /// A number (GeniusWeb number issues, real issues).
    Float(f64),
}

/// An issue as plain data.
#[derive(Clone, Debug, PartialEq)]
pub struct IssueSpec {
    /// Its name.
    pub name: String,
    /// `"categorical"`, `"integer"`, `"number"` or `"real"`.
    pub kind: String,
    /// Its values (for `"integer"` every integer from the first to the last; for `"real"` the
    /// two bounds).
    pub values: Vec<PlainValue>,
}

/// A profile as plain data.
#[derive(Clone, Debug, PartialEq)]
pub enum ProfileSpec {
    /// `bias + sum_i w_i * table_i[value]`, summed left to right (NegMAS's and GENIUS's order).
    Additive {
        /// Its name.
        name: String,
        /// The constant term.
        bias: f64,
        /// One weight per issue.
        weights: Vec<f64>,
        /// One number per value of each issue.
        tables: Vec<Vec<f64>>,
        /// Utility of no agreement.
        reserved_value: f64,
    },
    /// One utility per outcome, in outcome-index order (the last issue varying fastest).
    Table {
        /// Its name.
        name: String,
        /// The utilities.
        values: Vec<f64>,
        /// Utility of no agreement.
        reserved_value: f64,
    },
}

impl Domain {
    /// Loads a domain folder, or a domain file followed by profile files.
    pub fn load(paths: &[PathBuf], semantics: &str, ignore_discount: bool) -> Result<Domain> {
        let sem: Semantics = semantics.parse().map_err(anyhow::Error::msg)?;
        let mut scenario = bc_formats::load(paths, sem)?;
        if ignore_discount {
            bc_formats::ignore_discount(&mut scenario)?;
        }
        let label = match paths {
            [dir] if dir.is_dir() => {
                dir.file_name().map_or_else(|| scenario.space.name().to_string(), |n| n.to_string_lossy().into_owned())
            }
            _ => scenario.space.name().to_string(),
        };
        Ok(Domain { scenario: Arc::new(scenario), semantics: semantics.to_string(), ignore_discount, label })
    }

    /// Builds a domain from plain data.
    pub fn from_parts(name: &str, issues: &[IssueSpec], profiles: &[ProfileSpec]) -> Result<Domain> {
        let built: Vec<Issue> = issues.iter().map(issue_of).collect::<Result<_>>()?;
        let space = OutcomeSpace::new(name, built).with_context(|| format!("domain {name:?}"))?;
        let mut parties = Vec::with_capacity(profiles.len());
        for p in profiles {
            parties.push(match p {
                ProfileSpec::Additive { name: pname, bias, weights, tables, reserved_value } => {
                    let values = tables.iter().map(|t| ValueFunction::Table(t.clone())).collect();
                    let f = LinearAdditive::new(&space, *bias, weights.clone(), values).with_context(|| format!("profile {pname:?}"))?;
                    Preferences {
                        name: pname.clone(),
                        utility: UtilityFunction::LinearAdditive(f),
                        reserved_value: *reserved_value,
                        discount: Discount::None,
                    }
                }
                ProfileSpec::Table { name: pname, values, reserved_value } => {
                    let t = TableUtility::new(&space, values.clone()).with_context(|| format!("profile {pname:?}"))?;
                    Preferences {
                        name: pname.clone(),
                        utility: UtilityFunction::Table(t),
                        reserved_value: *reserved_value,
                        discount: Discount::None,
                    }
                }
            });
        }
        let scenario = DomainProfiles {
            space,
            parties,
            domain_file: PathBuf::from(name),
            profile_files: profiles.iter().map(|p| PathBuf::from(profile_name(p))).collect(),
        };
        Ok(Domain { scenario: Arc::new(scenario), semantics: "parts".into(), ignore_discount: false, label: name.to_string() })
    }

    /// The issues as plain data.
    pub fn issues(&self) -> Vec<IssueSpec> {
        self.scenario.space.issues().iter().map(spec_of).collect()
    }

    /// The number of outcomes (`None` for a space with a real issue).
    pub fn n_outcomes(&self) -> Option<u128> {
        self.scenario.space.cardinality()
    }

    /// The values of outcome `index`, as plain data.
    pub fn outcome(&self, index: u64) -> Result<Vec<PlainValue>> {
        let space = &self.scenario.space;
        self.check_index(index)?;
        let o = space.outcome_at(index);
        Ok(space.issues().iter().zip(&o).map(|(i, v)| plain(i, *v)).collect())
    }

    /// The index of an outcome given as plain values (names, integers or numbers).
    pub fn index_of(&self, values: &[PlainValue]) -> Result<u64> {
        let space = &self.scenario.space;
        if values.len() != space.issues().len() {
            bail!("outcome: expected one value per issue ({}), found {}", space.issues().len(), values.len());
        }
        let mut o = Vec::with_capacity(values.len());
        for (issue, v) in space.issues().iter().zip(values) {
            let text = match v {
                PlainValue::Text(s) => s.clone(),
                PlainValue::Int(i) => i.to_string(),
                PlainValue::Float(x) => bc_model::issue::format_number(*x),
            };
            let parsed = match (issue.kind(), v) {
                (IssueKind::Number(vals), PlainValue::Float(x)) => vals.iter().position(|y| y == x).map(|k| Value::Index(k as u32)),
                (IssueKind::Number(vals), PlainValue::Int(x)) => vals.iter().position(|y| *y == *x as f64).map(|k| Value::Index(k as u32)),
                _ => issue.parse_value(&text),
            };
            match parsed {
                Some(val) => o.push(val),
                None => bail!("outcome: issue {:?}: expected one of its values, found {text:?}", issue.name()),
            }
        }
        space.index_of(&o).context("outcome: not a discrete outcome")
    }

    /// Each outcome's utility for the given profiles (all when `None`), row-major
    /// `[outcome][profile]`, refused past `limit` outcomes.
    pub fn utilities(&self, profiles: Option<&[usize]>, limit: u64) -> Result<(usize, usize, Vec<f64>)> {
        let s = &self.scenario;
        let which = self.profile_indices(profiles)?;
        let total = s.space.check_enumerable(limit)? as usize;
        let cols: Vec<Vec<f64>> = which.iter().map(|&k| s.parties[k].utility.eval_all(&s.space, limit)).collect::<Result<_, _>>()?;
        let n = cols.len();
        let mut out = Vec::with_capacity(total * n);
        for k in 0..total {
            out.extend(cols.iter().map(|c| c[k]));
        }
        Ok((total, n, out))
    }

    /// Checks profile indices (all profiles when `None`).
    pub fn profile_indices(&self, profiles: Option<&[usize]>) -> Result<Vec<usize>> {
        let n = self.scenario.parties.len();
        match profiles {
            None => Ok((0..n).collect()),
            Some(list) => {
                for &k in list {
                    if k >= n {
                        bail!("profiles: profile {k} does not exist; the domain has {n} (0..{})", n.saturating_sub(1));
                    }
                }
                Ok(list.to_vec())
            }
        }
    }

    /// A profile as plain data when it is additive over a discrete space (term tables), else a
    /// table of every outcome's utility (within `limit` outcomes). Caps (GENIUS's `min(1, u)`) are
    /// not additive, so a capped profile comes back as a table.
    pub fn profile(&self, k: usize, limit: u64) -> Result<ProfileSpec> {
        let s = &self.scenario;
        let idx = self.profile_indices(Some(&[k]))?;
        let p = &s.parties[idx[0]];
        if let Some(f) = p.utility.as_additive().filter(|f| f.cap().is_none() && s.space.is_discrete()) {
            let tables = (0..s.space.issues().len())
                .map(|i| {
                    let radix = s.space.radices()[i].unwrap_or(0);
                    (0..radix).map(|v| f.values()[i].eval(&s.space.issues()[i], Value::Index(v as u32))).collect()
                })
                .collect();
            return Ok(ProfileSpec::Additive {
                name: p.name.clone(),
                bias: f.bias(),
                weights: f.weights().to_vec(),
                tables,
                reserved_value: p.reserved_value,
            });
        }
        let values = p.utility.eval_all(&s.space, limit)?;
        Ok(ProfileSpec::Table { name: p.name.clone(), values, reserved_value: p.reserved_value })
    }

    /// A profile's discount as (kind, factor): `("none", 1)`, `("time", d)` (GENIUS: `d^t`) or
    /// `("step", d)` (NegMAS: `d^round`).
    pub fn discount(&self, k: usize) -> Result<(&'static str, f64)> {
        let idx = self.profile_indices(Some(&[k]))?;
        Ok(match self.scenario.parties[idx[0]].discount {
            Discount::None => ("none", 1.0),
            Discount::NormalizedTime(d) => ("time", d),
            Discount::PerStep(d) => ("step", d),
        })
    }

    fn check_index(&self, index: u64) -> Result<()> {
        match self.n_outcomes() {
            Some(n) if u128::from(index) < n => Ok(()),
            Some(n) => bail!("outcome index: expected 0..{n}, found {index}"),
            None => bail!("outcome index: the space has a real issue and no outcome indices"),
        }
    }
}

fn profile_name(p: &ProfileSpec) -> &str {
    match p {
        ProfileSpec::Additive { name, .. } | ProfileSpec::Table { name, .. } => name,
    }
}

fn as_f64(v: &PlainValue) -> Option<f64> {
    match v {
        PlainValue::Int(i) => Some(*i as f64),
        PlainValue::Float(x) => Some(*x),
        PlainValue::Text(_) => None,
    }
}

fn issue_of(s: &IssueSpec) -> Result<Issue> {
    let ctx = || format!("issue {:?}", s.name);
    Ok(match s.kind.as_str() {
        "categorical" => {
            let names = s
                .values
                .iter()
                .map(|v| match v {
                    PlainValue::Text(t) => t.clone(),
                    PlainValue::Int(i) => i.to_string(),
                    PlainValue::Float(x) => bc_model::issue::format_number(*x),
                })
                .collect();
            Issue::categorical(&s.name, names).with_context(ctx)?
        }
        "integer" => {
            let ints: Vec<i64> = s
                .values
                .iter()
                .map(|v| match v {
                    PlainValue::Int(i) => Ok(*i),
                    other => bail!("{}: expected integer values, found {other:?}", ctx()),
                })
                .collect::<Result<_>>()?;
            let (lo, hi) = (ints.iter().copied().min().unwrap_or(0), ints.iter().copied().max().unwrap_or(-1));
            if ints.len() as i128 != i128::from(hi) - i128::from(lo) + 1 || ints.windows(2).any(|w| w[1] != w[0] + 1) {
                // Not a contiguous range: keep the values as a list of numbers.
                Issue::number(&s.name, ints.iter().map(|i| *i as f64).collect()).with_context(ctx)?
            } else {
                Issue::integer(&s.name, lo, hi).with_context(ctx)?
            }
        }
        "number" => {
            let xs: Vec<f64> = s
                .values
                .iter()
                .map(|v| as_f64(v).with_context(|| format!("{}: expected numbers, found {v:?}", ctx())))
                .collect::<Result<_>>()?;
            Issue::number(&s.name, xs).with_context(ctx)?
        }
        "real" => {
            let xs: Vec<f64> = s.values.iter().filter_map(as_f64).collect();
            let [lo, hi] = xs[..] else { bail!("{}: expected two bounds [lo, hi], found {:?}", ctx(), s.values) };
            Issue::real(&s.name, lo, hi).with_context(ctx)?
        }
        other => bail!("{}: expected kind categorical, integer, number or real, found {other:?}", ctx()),
    })
}

fn plain(issue: &Issue, v: Value) -> PlainValue {
    match (issue.kind(), v) {
        (IssueKind::Categorical(names), Value::Index(k)) => PlainValue::Text(names[k as usize].clone()),
        (IssueKind::Integer { lo, .. }, Value::Index(k)) => PlainValue::Int(lo + i64::from(k)),
        (IssueKind::Number(xs), Value::Index(k)) => PlainValue::Float(xs[k as usize]),
        (_, Value::Real(x)) => PlainValue::Float(x),
        (_, Value::Index(k)) => PlainValue::Int(i64::from(k)),
    }
}

fn spec_of(i: &Issue) -> IssueSpec {
    let (kind, values) = match i.kind() {
        IssueKind::Categorical(names) => ("categorical", names.iter().cloned().map(PlainValue::Text).collect()),
        IssueKind::Integer { lo, hi } => ("integer", (*lo..=*hi).map(PlainValue::Int).collect()),
        IssueKind::Number(xs) => ("number", xs.iter().copied().map(PlainValue::Float).collect()),
        IssueKind::Real { lo, hi } => ("real", vec![PlainValue::Float(*lo), PlainValue::Float(*hi)]),
    };
    IssueSpec { name: i.name().to_string(), kind: kind.into(), values }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/genius")
    }

    #[test]
    fn a_domain_round_trips_through_parts() {
        let d = Domain::load(&[root().join("Travel")], "negmas", true).unwrap();
        let profiles: Vec<ProfileSpec> = (0..2).map(|k| d.profile(k, 1_000_000).unwrap()).collect();
        assert!(matches!(profiles[0], ProfileSpec::Additive { .. }));
        let back = Domain::from_parts(d.scenario.space.name(), &d.issues(), &profiles).unwrap();
        let (_, _, a) = d.utilities(Some(&[0, 1]), 1_000_000).unwrap();
        let (_, _, b) = back.utilities(None, 1_000_000).unwrap();
        assert_eq!(a, b, "utilities equal bit for bit");
        let o = d.outcome(17).unwrap();
        assert_eq!(back.index_of(&o).unwrap(), 17);
    }

    #[test]
    fn errors_name_the_file() {
        let e = Domain::load(&[root().join("no-such-domain")], "genius", false).unwrap_err();
        assert!(crate::message(&e).contains("no-such-domain"), "{e:#}");
        let e = Domain::load(&[root().join("Travel")], "java", false).unwrap_err();
        assert!(crate::message(&e).contains("unknown semantics"), "{e:#}");
    }
}
