//! One stakeholder run as a front end asks for it (the command line's flags, the Python module's
//! keywords): the model, turns, seed, SMP parameters and quirks checked, then the run. Errors
//! about a setting name it through the caller's `name` function (`turns` is `--turns` on the
//! command line and `turns` in Python), so the library knows no front end.

use std::fmt;

use crate::bdm::{self, BdmOptions, BdmRound};
use crate::json::{bdm_actors, BdmScenarioRun};
use crate::prng::KTAB_DEFAULT_SEED;
use crate::smp::{self, RunOptions, SmpRun};
use crate::{params, Error, StakeholderScenario};

/// Rounds of a BDM run when none are asked for.
pub const BDM_DEFAULT_ROUNDS: usize = 10;

/// Which model to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Model {
    /// KTAB's Spatial Model of Politics.
    Smp,
    /// Bueno de Mesquita's expected-utility model (Scholz et al. 2011), each dimension separately.
    Bdm,
}

/// What a front end asks for.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The model.
    pub model: Model,
    /// Most turns (SMP, default [`smp::DEFAULT_MAX_TURNS`]) or rounds (BDM, default [`BDM_DEFAULT_ROUNDS`]).
    pub turns: Option<usize>,
    /// Seed of KTAB's generator (SMP): default the file's prngSeed, else KTAB's default seed.
    pub seed: Option<u64>,
    /// SMP parameters by their KTAB XML names, in order (a later one wins).
    pub params: Vec<(String, String)>,
    /// Correct the reference implementations' quirks instead of reproducing them.
    pub fix_quirks: bool,
}

impl Settings {
    /// The checks that need no scenario: at least one turn, and no more than the `turns` limit.
    pub fn check(&self, name: impl Fn(&str) -> String) -> Result<(), RunError> {
        if self.turns == Some(0) {
            return Err(RunError::Setting(format!("{}: expected at least 1, found 0", name("turns"))));
        }
        if let Some(t) = self.turns {
            bc_io::limits::TURNS.check(t as u64, name("turns")).map_err(|e| RunError::Setting(e.to_string()))?;
        }
        Ok(())
    }
}

/// A finished run.
pub enum Run {
    /// An SMP run, turn by turn.
    Smp(SmpRun),
    /// A BDM run, each dimension round by round.
    Bdm(BdmScenarioRun),
}

/// Why a run did not happen.
#[derive(Debug)]
pub enum RunError {
    /// A setting's value was refused (the message names the setting as the front end does).
    Setting(String),
    /// The BDM model failed on a dimension.
    Dimension {
        /// The dimension's name.
        dimension: String,
        /// What failed.
        error: Box<Error>,
    },
    /// The model refused the scenario or the options.
    Model(Box<Error>),
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::Setting(m) => f.write_str(m),
            RunError::Dimension { dimension, error } => write!(f, "dimension \"{dimension}\": {error}"),
            RunError::Model(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for RunError {}

/// Checks `settings` and runs the model on `scenario`. `name` says a setting's name as the caller
/// does (`turns`, `params`, `fix_quirks`).
pub fn run(scenario: &StakeholderScenario, settings: &Settings, name: impl Fn(&str) -> String) -> Result<Run, RunError> {
    let setting = |m: String| Err(RunError::Setting(m));
    settings.check(&name)?;
    match settings.model {
        Model::Smp => {
            let mut params = scenario.params.unwrap_or_default();
            for (key, value) in &settings.params {
                if !params::PARAM_NAMES.contains(&key.trim()) {
                    return setting(format!(
                        "{}: expected a parameter name (one of {}), found {:?}",
                        name("params"),
                        params::PARAM_NAMES.join(", "),
                        key.trim()
                    ));
                }
                if let Err(expected) = params.set(key, value) {
                    return setting(format!("{} {key}: expected {expected}, found {value:?}", name("params")));
                }
            }
            if settings.fix_quirks {
                params = params.corrected();
            }
            let options = RunOptions {
                params,
                seed: settings.seed.or(scenario.seed).unwrap_or(KTAB_DEFAULT_SEED),
                max_turns: settings.turns.unwrap_or(smp::DEFAULT_MAX_TURNS),
            };
            smp::run(scenario, options).map(Run::Smp).map_err(|e| RunError::Model(Box::new(e)))
        }
        Model::Bdm => {
            if !settings.params.is_empty() {
                return setting(format!(
                    "{} sets SMP parameters; the BDM model has none (use {} for its options)",
                    name("params"),
                    name("fix_quirks")
                ));
            }
            let options = if settings.fix_quirks { BdmOptions::default().corrected() } else { BdmOptions::default() };
            let rounds = settings.turns.unwrap_or(BDM_DEFAULT_ROUNDS);
            let mut per_dimension: Vec<Vec<BdmRound>> = Vec::with_capacity(scenario.dimensions.len());
            for (d, dim) in scenario.dimensions.iter().enumerate() {
                let r = bdm::run(&bdm_actors(scenario, d), options, rounds)
                    .map_err(|error| RunError::Dimension { dimension: dim.clone(), error: Box::new(error) })?;
                per_dimension.push(r);
            }
            Ok(Run::Bdm(BdmScenarioRun { per_dimension, rounds, options }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(model: Model) -> Settings {
        Settings { model, turns: None, seed: None, params: Vec::new(), fix_quirks: false }
    }

    #[test]
    fn settings_are_named_as_the_caller_names_them() {
        let s = crate::us_iran().unwrap();
        let flag = |n: &str| if n == "params" { "--param".to_string() } else { format!("--{}", n.replace('_', "-")) };
        let zero = Settings { turns: Some(0), ..settings(Model::Smp) };
        assert_eq!(run(&s, &zero, flag).err().unwrap().to_string(), "--turns: expected at least 1, found 0");
        assert_eq!(run(&s, &zero, str::to_string).err().unwrap().to_string(), "turns: expected at least 1, found 0");
        let unknown = Settings { params: vec![("Nope".into(), "1".into())], ..settings(Model::Smp) };
        assert!(run(&s, &unknown, flag).err().unwrap().to_string().starts_with("--param: expected a parameter name (one of "));
        let bdm = Settings { params: vec![("VotingRule".into(), "PropCbc".into())], ..settings(Model::Bdm) };
        assert_eq!(
            run(&s, &bdm, flag).err().unwrap().to_string(),
            "--param sets SMP parameters; the BDM model has none (use --fix-quirks for its options)"
        );
    }

    #[test]
    fn both_models_run_with_their_default_lengths() {
        let s = crate::us_iran().unwrap();
        match run(&s, &settings(Model::Bdm), str::to_string) {
            Ok(Run::Bdm(r)) => assert_eq!((r.rounds, r.per_dimension.len()), (BDM_DEFAULT_ROUNDS, s.dimensions.len())),
            _ => panic!("expected a BDM run"),
        }
        match run(&s, &settings(Model::Smp), str::to_string) {
            Ok(Run::Smp(r)) => assert!(r.states.len() >= 2 && r.turns.len() <= smp::DEFAULT_MAX_TURNS),
            _ => panic!("expected an SMP run"),
        }
    }
}
