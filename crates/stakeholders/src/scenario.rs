//! Stakeholder scenarios: actors with a capability and, per dimension, a position and a salience
//! on KTAB's 0–100 scales; and the checks every scenario passes before a model runs on it.

use std::path::Path;

use crate::error::Error;
use crate::params::Params;

/// One stakeholder.
#[derive(Debug, Clone, PartialEq)]
pub struct Actor {
    /// Short name (unique in a scenario).
    pub name: String,
    /// Free-text description.
    pub description: String,
    /// Capability ("power", "influence"): positive.
    pub capability: f64,
    /// Position per dimension, in `[0, 100]`.
    pub position: Vec<f64>,
    /// Salience per dimension, in `[0, 100]`, summing to at most 100 and more than 0.
    pub salience: Vec<f64>,
}

/// A stakeholder scenario as read from a KTAB CSV or XML file (actors with capability, positions
/// and saliences on some dimensions); named apart from the backchannel model's
/// `bc_diplomacy::Scenario` and the negotiation domains of `bc_formats::DomainProfiles`.
#[derive(Debug, Clone, PartialEq)]
pub struct StakeholderScenario {
    /// Scenario name.
    pub name: String,
    /// Scenario description.
    pub description: String,
    /// Dimension names.
    pub dimensions: Vec<String>,
    /// The actors.
    pub actors: Vec<Actor>,
    /// Model parameters given by the file (XML `<ModelParameters>`), if any.
    pub params: Option<Params>,
    /// Seed given by the file (XML `<prngSeed>`), if any.
    pub seed: Option<u64>,
    /// Ideal adjustment (XML `<IdealAdjustment>`): `(adjusting actor, reference actor, rate)`;
    /// every unlisted pair keeps the identity (an actor's ideal follows its own position).
    pub ideal_adjustment: Vec<(usize, usize, f64)>,
}

/// Fewest actors KTAB's SMP accepts (`Model::minNumActor`).
pub const MIN_ACTORS: usize = 3;
/// Largest capability KTAB accepts (its sanity limit).
pub const MAX_CAPABILITY: f64 = 1e8;

impl StakeholderScenario {
    /// Number of actors.
    pub fn num_actors(&self) -> usize {
        self.actors.len()
    }

    /// Number of dimensions.
    pub fn num_dims(&self) -> usize {
        self.dimensions.len()
    }

    /// Checks what the models need: at least 3 actors and 1 dimension, unique actor and dimension
    /// names, positive capabilities, positions and saliences in `[0, 100]`, each actor's saliences
    /// summing to more than 0 and at most 100, one coordinate and one salience per dimension,
    /// and ideal-adjustment rates in `[0, 1]` summing to at most 1 per actor. Errors name `file`.
    pub fn validate(&self, file: &Path) -> Result<(), Error> {
        let nd = self.num_dims();
        if nd == 0 {
            return Err(Error::invalid(file, None, "dimensions", "at least 1 dimension", "none"));
        }
        let mut seen = std::collections::BTreeSet::new();
        for name in &self.dimensions {
            if !seen.insert(name.as_str()) {
                return Err(Error::invalid(file, None, "dimensions", "distinct dimension names", format!("{name:?} twice")));
            }
        }
        if self.actors.len() < MIN_ACTORS {
            return Err(Error::invalid(
                file,
                None,
                "actors",
                format!("at least {MIN_ACTORS} actors (KTAB's minimum)"),
                self.actors.len().to_string(),
            ));
        }
        for (i, a) in self.actors.iter().enumerate() {
            let field = |what: &str| format!("actor {} \"{}\" / {what}", i + 1, a.name);
            if a.name.is_empty() {
                return Err(Error::invalid(file, None, field("name"), "a non-empty name", "an empty one"));
            }
            if let Some(j) = self.actors[..i].iter().position(|b| b.name == a.name) {
                return Err(Error::invalid(file, None, field("name"), "a name no other actor has", format!("the name of actor {}", j + 1)));
            }
            if !(a.capability > 0.0 && a.capability <= MAX_CAPABILITY) {
                return Err(Error::invalid(file, None, field("capability"), "a number in (0, 1e8]", a.capability.to_string()));
            }
            if a.position.len() != nd || a.salience.len() != nd {
                return Err(Error::invalid(
                    file,
                    None,
                    field("positions and saliences"),
                    format!("{nd} of each (one per dimension)"),
                    format!("{} positions and {} saliences", a.position.len(), a.salience.len()),
                ));
            }
            for (d, (&x, &s)) in a.position.iter().zip(&a.salience).enumerate() {
                if !(0.0..=100.0).contains(&x) {
                    return Err(Error::invalid(
                        file,
                        None,
                        field(&format!("position on \"{}\"", self.dimensions[d])),
                        "a number in [0, 100]",
                        x.to_string(),
                    ));
                }
                if !(0.0..=100.0).contains(&s) {
                    return Err(Error::invalid(
                        file,
                        None,
                        field(&format!("salience of \"{}\"", self.dimensions[d])),
                        "a number in [0, 100]",
                        s.to_string(),
                    ));
                }
            }
            let total: f64 = a.salience.iter().sum();
            if !(total > 0.0 && total <= 100.0) {
                return Err(Error::invalid(
                    file,
                    None,
                    field("saliences"),
                    "saliences summing to more than 0 and at most 100",
                    format!("a sum of {total}"),
                ));
            }
        }
        let na = self.actors.len();
        let mut row_sums = vec![0.0; na];
        let mut listed = vec![false; na];
        for &(i, j, rate) in &self.ideal_adjustment {
            if i >= na || j >= na {
                return Err(Error::invalid(file, None, "IdealAdjustment", "actors of the scenario", format!("({i}, {j})")));
            }
            if !(0.0..=1.0).contains(&rate) {
                return Err(Error::invalid(
                    file,
                    None,
                    format!("IdealAdjustment of \"{}\" toward \"{}\"", self.actors[i].name, self.actors[j].name),
                    "a rate in [0, 1]",
                    rate.to_string(),
                ));
            }
            listed[i] = true;
        }
        for (i, a) in self.accommodation().chunks(na).enumerate() {
            if !listed[i] {
                continue;
            }
            row_sums[i] = a.iter().sum();
            if row_sums[i] > 1.0 + 1e-10 {
                return Err(Error::invalid(
                    file,
                    None,
                    format!("IdealAdjustment of \"{}\"", self.actors[i].name),
                    "rates summing to at most 1",
                    format!("a sum of {}", row_sums[i]),
                ));
            }
        }
        Ok(())
    }

    /// The ideal-accommodation matrix, row-major (`n × n`): the identity, overwritten by the
    /// listed ideal adjustments (as KTAB's XML reader does).
    pub fn accommodation(&self) -> Vec<f64> {
        let na = self.actors.len();
        let mut m = vec![0.0; na * na];
        for i in 0..na {
            m[i * na + i] = 1.0;
        }
        for &(i, j, rate) in &self.ideal_adjustment {
            if i < na && j < na {
                m[i * na + j] = rate;
            }
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn three() -> StakeholderScenario {
        let actor = |name: &str, x: f64| Actor {
            name: name.into(),
            description: String::new(),
            capability: 10.0,
            position: vec![x],
            salience: vec![50.0],
        };
        StakeholderScenario {
            name: "t".into(),
            description: String::new(),
            dimensions: vec!["d".into()],
            actors: vec![actor("a", 10.0), actor("b", 50.0), actor("c", 90.0)],
            params: None,
            seed: None,
            ideal_adjustment: Vec::new(),
        }
    }

    #[test]
    fn validation_names_the_field() {
        let f = Path::new("s.csv");
        assert!(three().validate(f).is_ok());
        let mut s = three();
        s.actors[1].salience[0] = 0.0;
        let e = s.validate(f).unwrap_err().to_string();
        assert!(e.contains("actor 2 \"b\" / saliences") && e.contains("more than 0"), "{e}");
        let mut s = three();
        s.actors[2].name = "a".into();
        assert!(s.validate(f).unwrap_err().to_string().contains("the name of actor 1"));
        let mut s = three();
        s.actors[0].position[0] = 101.0;
        assert!(s.validate(f).unwrap_err().to_string().contains("position on \"d\""));
        let mut s = three();
        s.ideal_adjustment = vec![(0, 1, 0.6), (0, 0, 0.6)];
        assert!(s.validate(f).unwrap_err().to_string().contains("at most 1"));
        let mut s = three();
        s.actors.pop();
        assert!(s.validate(f).unwrap_err().to_string().contains("at least 3 actors"));
    }
}
