//! A room's domain: where it comes from (GENIUS XML, GeniusWeb JSON or a backchannel scenario,
//! carried as text so that a room's log holds everything needed to replay it), the outcome space
//! and preferences it yields, and outcomes read from and written to the wire with corrective
//! errors.

use std::path::Path;
use std::sync::Arc;

use bc_model::{OutcomeSpace, Preferences, UtilityFunction};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Where a room's domain comes from. The texts are kept in the room's log, so a log replays
/// without any file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "format", rename_all = "kebab-case", deny_unknown_fields)]
pub enum DomainSource {
    /// GENIUS XML: the domain file's text and one profile text per party.
    Genius {
        /// The domain (utility space template) XML.
        domain: String,
        /// One profile XML per party, in party order.
        profiles: Vec<String>,
    },
    /// GeniusWeb JSON: the domain's text and one `LinearAdditiveUtilitySpace` profile per party.
    Geniusweb {
        /// The domain JSON.
        domain: String,
        /// One profile JSON per party, in party order.
        profiles: Vec<String>,
    },
    /// A backchannel scenario (TOML): its agenda as the outcome space and each party's nominal
    /// utility and reservation. `toml` absent: the embedded US–Iran–Pakistan scenario. With
    /// `step`, only that step's issues are negotiated, the others held at their status quo.
    Scenario {
        /// The scenario's TOML text (absent: the embedded default).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        toml: Option<String>,
        /// A step of the agenda (0-based).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        step: Option<usize>,
    },
}

/// A loaded domain: the space, each party's preferences and a display name per party.
#[derive(Clone, Debug)]
pub struct Domain {
    /// The outcome space (discrete).
    pub space: Arc<OutcomeSpace>,
    /// Each party's preferences, in party order.
    pub parties: Vec<Preferences>,
    /// Number of outcomes.
    pub n_outcomes: u64,
}

/// Largest outcome space a room accepts (offers are indices; the mediator's tools enumerate).
pub const MAX_OUTCOMES: u64 = 10_000_000;

impl DomainSource {
    /// Reads the domain. Errors name the part (`domain`, `profiles[k]`, `toml`) and the problem.
    pub fn load(&self) -> Result<Domain, String> {
        let (space, parties) = match self {
            DomainSource::Genius { domain, profiles } => {
                let d = bc_formats::genius::read_domain_str(Path::new("domain"), domain).map_err(|e| format!("domain: {e}"))?;
                let mut parties = Vec::new();
                for (k, p) in profiles.iter().enumerate() {
                    let name = format!("profiles[{k}]");
                    let prefs = bc_formats::genius::read_profile_str(Path::new(&name), p, &d, bc_formats::Semantics::Genius)
                        .map_err(|e| format!("{name}: {e}"))?;
                    parties.push(prefs);
                }
                (d.space.clone(), parties)
            }
            DomainSource::Geniusweb { domain, profiles } => {
                let space = bc_formats::geniusweb::read_domain_str(Path::new("domain"), domain).map_err(|e| format!("domain: {e}"))?;
                let mut parties = Vec::new();
                for (k, p) in profiles.iter().enumerate() {
                    let name = format!("profiles[{k}]");
                    let (_, prefs) =
                        bc_formats::geniusweb::read_profile_str(Path::new(&name), p, Some(&space)).map_err(|e| format!("{name}: {e}"))?;
                    parties.push(prefs);
                }
                (space, parties)
            }
            DomainSource::Scenario { toml, step } => {
                let s = match toml {
                    None => bc_diplomacy::Scenario::default_scenario(),
                    Some(t) => bc_diplomacy::Scenario::from_str(t, "scenario", Path::new(".")),
                }
                .map_err(|e| format!("toml: {e}"))?;
                let m = s.nominal();
                // No deal is worth what the simulator says it is: the reservation, or the status
                // quo's utility when every issue has a status quo (else 0).
                let status_quo: Option<Vec<bc_model::Value>> = m.issues.iter().map(|a| a.status_quo).collect();
                let parties = m
                    .parties
                    .iter()
                    .map(|p| Preferences {
                        name: p.name.clone(),
                        utility: (*p.utility).clone(),
                        reserved_value: p.reservation.unwrap_or_else(|| status_quo.as_ref().map_or(0.0, |o| p.utility.eval(o))),
                        discount: bc_model::Discount::None,
                    })
                    .collect();
                match step {
                    None => ((*m.space).clone(), parties),
                    Some(k) => step_domain(m, *k, parties)?,
                }
            }
        };
        if parties.len() < 2 {
            return Err(format!("profiles: expected at least 2 parties, found {}", parties.len()));
        }
        let n_outcomes = match space.cardinality() {
            Some(n) if n >= 1 && n <= u128::from(MAX_OUTCOMES) => n as u64,
            Some(n) => return Err(format!("domain: expected a space of 1 to {MAX_OUTCOMES} outcomes, found {n}")),
            None => return Err("domain: expected a discrete space (every issue with listed values), found a continuous issue".into()),
        };
        Ok(Domain { space: Arc::new(space), parties, n_outcomes })
    }
}

/// The domain of one step of a scenario: the step's issues, each party's utility of a package
/// with every other issue at its status quo (its first value where it has none).
fn step_domain(m: &bc_diplomacy::model::Model, k: usize, parties: Vec<Preferences>) -> Result<(OutcomeSpace, Vec<Preferences>), String> {
    let Some(step) = m.steps.get(k) else {
        return Err(format!("step: the scenario has {} steps (0..{}), found {k}", m.steps.len(), m.steps.len().saturating_sub(1)));
    };
    let full = &m.space;
    let issues: Vec<bc_model::Issue> = step.issues.iter().filter_map(|i| full.issues().get(*i).cloned()).collect();
    let sub = OutcomeSpace::new(step.name.clone(), issues).map_err(|e| format!("step: {e}"))?;
    let n = sub.check_enumerable(MAX_OUTCOMES).map_err(|e| format!("step: {e}"))?;
    let base: Vec<bc_model::Value> = m.issues.iter().map(|a| a.status_quo.unwrap_or(bc_model::Value::Index(0))).collect();
    let mut out = Vec::with_capacity(parties.len());
    for p in parties {
        let mut values = Vec::with_capacity(n as usize);
        let mut o = base.clone();
        for idx in 0..n {
            for (pos, v) in step.issues.iter().zip(sub.outcome_at(idx)) {
                o[*pos] = v;
            }
            values.push(p.utility.eval(&o));
        }
        let t = bc_model::TableUtility::new(&sub, values).map_err(|e| format!("step: {e}"))?;
        out.push(Preferences { utility: UtilityFunction::Table(t), ..p });
    }
    Ok((sub, out))
}

/// An outcome on the wire: an index, or the value of every issue by issue name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum WireOutcome {
    /// The outcome's mixed-radix index.
    Index(u64),
    /// `{"issue": "value", ...}`, one entry per issue.
    Values(std::collections::BTreeMap<String, String>),
}

impl Domain {
    /// Reads an outcome, with an error that says what was wrong and what was expected.
    pub fn parse(&self, o: &WireOutcome) -> Result<u64, String> {
        match o {
            WireOutcome::Index(k) => {
                if *k < self.n_outcomes {
                    Ok(*k)
                } else {
                    Err(format!("outcome index {k} is outside the space; expected 0..{}", self.n_outcomes))
                }
            }
            WireOutcome::Values(map) => {
                let issues = self.space.issues();
                for name in map.keys() {
                    if !issues.iter().any(|i| i.name() == name) {
                        let names: Vec<&str> = issues.iter().map(|i| i.name()).collect();
                        return Err(format!("unknown issue `{}`; expected one of {}", clip(name), names.join(", ")));
                    }
                }
                let mut values = Vec::with_capacity(issues.len());
                for issue in issues {
                    let Some(v) = map.get(issue.name()) else {
                        return Err(format!("issue `{}` has no value in the offer; expected one of {}", issue.name(), value_list(issue)));
                    };
                    match issue.parse_value(v) {
                        Some(x) => values.push(x),
                        None => {
                            return Err(format!(
                                "issue `{}` has no value `{}`; expected one of {}",
                                issue.name(),
                                clip(v),
                                value_list(issue)
                            ))
                        }
                    }
                }
                self.space.index_of(&values).ok_or_else(|| "the outcome is not in the space".to_string())
            }
        }
    }

    /// The outcome as `{"issue": "value"}`.
    pub fn render(&self, k: u64) -> std::collections::BTreeMap<String, String> {
        let o = self.space.outcome_at(k);
        self.space.issues().iter().map(|i| i.name().to_string()).zip(self.space.value_names(&o)).collect()
    }

    /// Each issue with its values, for clients.
    pub fn describe(&self) -> Vec<IssueInfo> {
        self.space
            .issues()
            .iter()
            .map(|i| IssueInfo {
                name: i.name().to_string(),
                values: (0..i.cardinality().unwrap_or(0).min(10_000)).map(|k| i.value_name(bc_model::Value::Index(k as u32))).collect(),
            })
            .collect()
    }
}

/// An issue and its values, as clients see them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct IssueInfo {
    /// The issue's name.
    pub name: String,
    /// Its values, in index order.
    pub values: Vec<String>,
}

fn value_list(issue: &bc_model::Issue) -> String {
    let n = issue.cardinality().unwrap_or(0);
    let shown: Vec<String> = (0..n.min(12)).map(|k| format!("`{}`", issue.value_name(bc_model::Value::Index(k as u32)))).collect();
    if n > 12 {
        format!("{} … ({n} values)", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

/// A user string cut to a length fit for an error message.
pub fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(60).collect();
    if s.chars().count() > 60 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The embedded scenario's walk-away values in a room are the simulator's no-deal values:
    /// each party's utility of the status quo (no party of it sets a reservation).
    #[test]
    fn a_scenario_room_walks_away_to_the_status_quo() {
        let m = bc_diplomacy::Scenario::default_scenario().unwrap().nominal().clone();
        let sq: Vec<bc_model::Value> = m.issues.iter().map(|a| a.status_quo.unwrap()).collect();
        for step in [None, Some(0)] {
            let d = DomainSource::Scenario { toml: None, step }.load().unwrap();
            for (p, prefs) in m.parties.iter().zip(&d.parties) {
                assert!(p.reservation.is_none());
                assert_eq!(prefs.reserved_value, p.utility.eval(&sq), "{} (step {step:?})", p.name);
            }
        }
    }
}
