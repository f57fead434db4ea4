//! Global sensitivity and scenario discovery on the backchannel model: the studies behind
//! `backchannel sensitivity` (Sobol' indices or Morris screening of a headline indicator over
//! every uncertain parameter's quantile) and `backchannel discover` (PRIM boxes of the runs where
//! an indicator or an outcome class occurs), built on `bc_engine::gsa`. Deterministic for a seed
//! whatever the thread count: run `i` of a design draws from `rng_for(seed, i)` and results are
//! gathered in run order.

use bc_engine::gsa::morris::{morris_analyze, morris_sample};
use bc_engine::gsa::prim::{Prim, PrimOptions};
use bc_engine::gsa::saltelli::{saltelli_sample, sobol_analyze};
use bc_engine::gsa::sequence::Scrambling;
use bc_engine::gsa::{Bootstrap, GsaError, Matrix};
use serde::{Deserialize, Serialize};

use crate::dist::Param;
use crate::forecast::{self, Brief, ForecastSpec, JobOptions, Options, INDICATORS};
use crate::scenario::Scenario;
use crate::sim::{simulate_in, NoTrace, Outcome, Scratch};
use crate::Draws;

/// Default base sample size of a Sobol' study (2^10).
pub const DEFAULT_SAMPLES: usize = 1 << 10;
/// Default number of Morris trajectories.
pub const DEFAULT_TRAJECTORIES: usize = 20;
/// Grid levels of the Morris design (SALib's default).
pub const MORRIS_LEVELS: usize = 4;
/// Bootstrap resamples of the intervals (SALib's default).
pub const RESAMPLES: usize = 100;
/// Default runs of a discovery.
pub const DEFAULT_DISCOVER_RUNS: u64 = 5_000;
/// Most boxes a discovery reports.
pub const MAX_BOXES: usize = 5;

/// Why a study refused to start or failed.
#[derive(Debug, thiserror::Error)]
pub enum StudyError {
    /// A setting is not valid (the message names the flag, what was expected and found).
    #[error("{0}")]
    Invalid(String),
    /// A size is over a limit of `bc_io::limits`.
    #[error(transparent)]
    Limit(#[from] bc_io::limits::Exceeded),
    /// The method refused its input.
    #[error(transparent)]
    Gsa(#[from] GsaError),
}

/// The index of a headline indicator in [`INDICATORS`], or an error listing them.
pub fn indicator_index(name: &str) -> Result<usize, StudyError> {
    INDICATORS.iter().position(|i| *i == name).ok_or_else(|| {
        StudyError::Invalid(format!("--indicator: expected one of {}, found {name:?}", INDICATORS.join(", ")))
    })
}

/// What `discover` looks for in a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Target {
    /// A 0/1 headline indicator (index in [`INDICATORS`]).
    Indicator(usize),
    /// An outcome class.
    Outcome(Outcome),
}

/// The 0/1 targets `discover` accepts: the 0/1 indicators, then the outcome classes.
pub fn target_names() -> Vec<&'static str> {
    let mut v: Vec<&str> = INDICATORS.iter().copied().filter(|n| *n != "agenda_share").collect();
    for o in Outcome::ALL {
        if !v.contains(&o.name()) {
            v.push(o.name());
        }
    }
    v
}

impl Target {
    /// Parses a target name, or an error listing the valid ones.
    pub fn parse(name: &str) -> Result<Target, StudyError> {
        if name != "agenda_share" {
            if let Some(i) = INDICATORS.iter().position(|i| *i == name) {
                return Ok(Target::Indicator(i));
            }
        }
        if let Some(o) = Outcome::ALL.iter().find(|o| o.name() == name) {
            return Ok(Target::Outcome(*o));
        }
        Err(StudyError::Invalid(format!("--target: expected one of {}, found {name:?}", target_names().join(", "))))
    }

    /// The target's name.
    pub fn name(&self) -> &'static str {
        match self {
            Target::Indicator(i) => INDICATORS[*i],
            Target::Outcome(o) => o.name(),
        }
    }

    fn hit(&self, b: &Brief) -> bool {
        match self {
            Target::Indicator(i) => b.indicators[*i] > 0.5,
            Target::Outcome(o) => b.outcome == *o,
        }
    }
}

/// An input of a study: an uncertain parameter of the scenario.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Input {
    /// Dotted path in the scenario file.
    pub path: String,
    /// Readable label ("Iran's delivery capacity").
    pub label: String,
}

fn inputs(s: &Scenario) -> Vec<Input> {
    let spec = ForecastSpec::new(s, &JobOptions::new(s, &no_pairs(1, 0, 1)), 0);
    s.uncertain().iter().map(|u| Input { path: u.path.clone(), label: forecast::parameter_label(&u.path, &spec) }).collect()
}

fn no_pairs(runs: u64, seed: u64, threads: usize) -> Options {
    Options { runs, seed, threads, counterfactuals: false, swing_every: 0 }
}

/// The method of a sensitivity study.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Saltelli design of `samples` base points (a power of two), Sobol' S1 and ST.
    Sobol {
        /// Base points N.
        samples: usize,
    },
    /// Morris screening with `trajectories` trajectories on a 4-level grid.
    Morris {
        /// Trajectories r.
        trajectories: usize,
    },
}

/// Settings of a sensitivity study.
#[derive(Clone, Copy, Debug)]
pub struct SensitivityOptions {
    /// The method and its size.
    pub method: Method,
    /// The output: index in [`INDICATORS`].
    pub indicator: usize,
    /// Master seed (scrambling, runs, trajectories and bootstrap).
    pub seed: u64,
    /// Worker threads (0 = one per core); never changes results.
    pub threads: usize,
}

/// Number of runs a study needs for `d` inputs, checked against the `gsa-runs` limit (before
/// anything is allocated).
pub fn study_runs(method: Method, d: usize) -> Result<u64, StudyError> {
    if d == 0 {
        return Err(StudyError::Invalid(
            "scenario: expected at least one uncertain parameter (a distribution) to study, found none".into(),
        ));
    }
    let (n, per, flag) = match method {
        Method::Sobol { samples } => {
            if samples < 2 || !samples.is_power_of_two() {
                return Err(StudyError::Invalid(format!(
                    "--samples: expected a power of two, at least 2 (e.g. 1024), found {samples}"
                )));
            }
            (samples as u64, d as u64 + 2, "--samples")
        }
        Method::Morris { trajectories } => {
            if trajectories < 2 {
                return Err(StudyError::Invalid(format!(
                    "--samples: expected at least 2 Morris trajectories, found {trajectories}"
                )));
            }
            (trajectories as u64, d as u64 + 1, "--samples")
        }
    };
    let limit = &bc_io::limits::GSA_RUNS;
    match bc_io::limits::checked_product(limit, [n, per]) {
        Ok(runs) => Ok(runs),
        Err(found) => Err(limit.exceeded(found, flag).into()),
    }
}

/// The design: one row per run, the quantile of every input (in `[0, 1]`).
pub fn design(method: Method, d: usize, seed: u64) -> Result<Matrix, StudyError> {
    study_runs(method, d)?;
    let unit = vec![(0.0, 1.0); d];
    Ok(match method {
        Method::Sobol { samples } => saltelli_sample(samples, &unit, Scrambling::LinearMatrix { seed }, 0)?,
        Method::Morris { trajectories } => morris_sample(trajectories, &unit, MORRIS_LEVELS, seed)?,
    })
}

/// The indicator of one run at quantiles `row`, its draws from `rng_for(seed, run)`.
pub fn run_at(s: &Scenario, row: &[f64], indicator: usize, seed: u64, run: u64, scratch: &mut Scratch) -> f64 {
    let draws = Draws::from_rng(&mut bc_engine::rng_for(seed, run));
    let model = s.model_at(row);
    let record = simulate_in(&model, &draws, &mut NoTrace, scratch);
    Brief::of(&record).indicators[indicator]
}

/// Rows of a design that share their draws (common random numbers): the `D + 2` rows of a
/// Saltelli base point, the `D + 1` rows of a Morris trajectory. Within such a group the
/// outputs differ only by the parameters, so the run-to-run randomness of the model does not
/// show up as an effect of every parameter (with independent draws per row an inert
/// parameter's ST would be the noise's share of the variance).
pub fn rows_per_draw(method: Method, d: usize) -> usize {
    match method {
        Method::Sobol { .. } => d + 2,
        Method::Morris { .. } => d + 1,
    }
}

/// The indicator at every row of `x`, in parallel, in row order; row `i` draws from
/// `rng_for(seed, i / group)` (see [`rows_per_draw`]; 1 gives every row its own draws).
pub fn evaluate(s: &Scenario, x: &Matrix, group: usize, indicator: usize, seed: u64, threads: usize, mut progress: impl FnMut(u64)) -> Vec<f64> {
    let group = group.max(1) as u64;
    let mut y = Vec::with_capacity(x.rows());
    let _ = bc_engine::run_ordered_with(
        0..x.rows() as u64,
        bc_engine::RunOptions { threads, batch: 4096 },
        Scratch::default,
        |scratch, i| run_at(s, x.row(i as usize), indicator, seed, i / group, scratch),
        |_, v| {
            y.push(v);
            Ok::<(), ()>(())
        },
        &mut progress,
    );
    y
}

/// One input's indices.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct InputResult {
    /// The parameter.
    #[serde(flatten)]
    pub input: Input,
    /// Sobol': first-order index and its bootstrap 95% half-width.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s1: Option<(f64, f64)>,
    /// Sobol': total-order index and its bootstrap 95% half-width.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub st: Option<(f64, f64)>,
    /// Morris: mu* and its bootstrap 95% half-width.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mu_star: Option<(f64, f64)>,
    /// Morris: mean effect.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mu: Option<f64>,
    /// Morris: standard deviation of the effects.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sigma: Option<f64>,
}

/// A sensitivity study's result, inputs ranked by ST (Sobol') or mu* (Morris), largest first.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SensitivityResult {
    /// Scenario name.
    pub scenario: String,
    /// The method and its size.
    pub method: Method,
    /// The indicator studied.
    pub indicator: String,
    /// Runs made.
    pub runs: u64,
    /// Seed.
    pub seed: u64,
    /// Mean of the indicator over the runs.
    pub mean: f64,
    /// The inputs, ranked.
    pub inputs: Vec<InputResult>,
}

/// Runs a sensitivity study: design, parallel ordered evaluation, estimators.
pub fn sensitivity(s: &Scenario, o: &SensitivityOptions, progress: impl FnMut(u64)) -> Result<SensitivityResult, StudyError> {
    let ins = inputs(s);
    let d = ins.len();
    let runs = study_runs(o.method, d)?;
    let x = design(o.method, d, o.seed)?;
    let y = evaluate(s, &x, rows_per_draw(o.method, d), o.indicator, o.seed, o.threads, progress);
    let mean = y.iter().sum::<f64>() / y.len() as f64;
    let boot = Bootstrap { num_resamples: RESAMPLES, conf_level: 0.95, seed: o.seed, threads: o.threads };
    let mut rows: Vec<InputResult> = match o.method {
        Method::Sobol { .. } => {
            if y.iter().all(|v| *v == y[0]) {
                return Err(StudyError::Invalid(format!(
                    "{}: every one of the {runs} runs gave {}: nothing varies, no index to compute",
                    INDICATORS[o.indicator], y[0]
                )));
            }
            let r = sobol_analyze(&y, d, &boot)?;
            ins.into_iter()
                .enumerate()
                .map(|(j, input)| InputResult {
                    input,
                    s1: Some((r.s1[j], r.s1_conf[j])),
                    st: Some((r.st[j], r.st_conf[j])),
                    mu_star: None,
                    mu: None,
                    sigma: None,
                })
                .collect()
        }
        Method::Morris { .. } => {
            let r = morris_analyze(&x, &y, MORRIS_LEVELS, &boot)?;
            ins.into_iter()
                .enumerate()
                .map(|(j, input)| InputResult {
                    input,
                    s1: None,
                    st: None,
                    mu_star: Some((r.mu_star[j], r.mu_star_conf[j])),
                    mu: Some(r.mu[j]),
                    sigma: Some(r.sigma[j]),
                })
                .collect()
        }
    };
    let key = |r: &InputResult| r.st.or(r.mu_star).map_or(0.0, |v| v.0);
    rows.sort_by(|a, b| key(b).total_cmp(&key(a)));
    Ok(SensitivityResult {
        scenario: s.nominal().name.clone(),
        method: o.method,
        indicator: INDICATORS[o.indicator].to_string(),
        runs,
        seed: o.seed,
        mean,
        inputs: rows,
    })
}

/// Settings of a discovery.
#[derive(Clone, Copy, Debug)]
pub struct DiscoverOptions {
    /// What to look for.
    pub target: Target,
    /// Runs of the forecast's own sampling.
    pub runs: u64,
    /// Master seed (the forecast's).
    pub seed: u64,
    /// Worker threads (0 = one per core); never changes results.
    pub threads: usize,
    /// PRIM's settings (EMA's defaults: threshold 0.8, alpha 0.05, mass_min 0.05).
    pub prim: PrimOptions,
}

/// One limit of a box, in the parameter's units.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Restriction {
    /// The parameter.
    #[serde(flatten)]
    pub input: Input,
    /// Lower limit of its value, if restricted from below.
    pub above: Option<f64>,
    /// Upper limit of its value, if restricted from above.
    pub below: Option<f64>,
    /// The limits as quantiles `[lower, upper]`.
    pub quantiles: (f64, f64),
}

/// One PRIM box.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FoundBox {
    /// Share of all the target's runs that fall in the box.
    pub coverage: f64,
    /// Share of the box's runs that hit the target.
    pub density: f64,
    /// Share of all runs in the box.
    pub mass: f64,
    /// Density over the overall rate.
    pub lift: f64,
    /// Whether the box reached the threshold (false: EMA's dump box of the remaining runs).
    pub accepted: bool,
    /// The restricted parameters.
    pub restrictions: Vec<Restriction>,
    /// The readable rule.
    pub rule: String,
    /// The peeling-and-pasting trajectory (EMA's `peeling_trajectory`).
    pub trajectory: Vec<bc_engine::gsa::prim::Step>,
}

/// A discovery's result.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DiscoverResult {
    /// Scenario name.
    pub scenario: String,
    /// The target.
    pub target: String,
    /// Runs made.
    pub runs: u64,
    /// Seed.
    pub seed: u64,
    /// Runs that hit the target.
    pub hits: u64,
    /// PRIM's settings.
    pub prim: PrimOptions,
    /// The boxes, in the order found.
    pub boxes: Vec<FoundBox>,
}

fn fmt_value(x: f64) -> String {
    let a = x.abs();
    if a != 0.0 && !(0.01..10_000.0).contains(&a) {
        format!("{x:.3e}")
    } else if a >= 100.0 {
        format!("{x:.0}")
    } else {
        format!("{:.3}", x).trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Runs a discovery: `runs` forecast runs, PRIM on their quantiles against the 0/1 target.
pub fn discover(s: &Scenario, o: &DiscoverOptions, mut progress: impl FnMut(u64)) -> Result<DiscoverResult, StudyError> {
    let ins = inputs(s);
    let d = ins.len();
    if d == 0 {
        return Err(StudyError::Invalid(
            "scenario: expected at least one uncertain parameter (a distribution) to study, found none".into(),
        ));
    }
    if o.runs == 0 {
        return Err(StudyError::Invalid("--runs: expected at least 1 run, found 0".into()));
    }
    let limit = &bc_io::limits::GSA_RUNS;
    limit.check(o.runs, "--runs")?;
    let opts = no_pairs(o.runs, o.seed, o.threads);
    let jo = JobOptions::new(s, &opts);
    let mut data = Vec::with_capacity(o.runs as usize * d);
    let mut y = Vec::with_capacity(o.runs as usize);
    let _ = bc_engine::run_ordered_with(
        0..o.runs,
        bc_engine::RunOptions { threads: o.threads, batch: 4096 },
        Scratch::default,
        |scratch, i| {
            let j = forecast::job_in(s, &jo, o.seed, i, scratch);
            (j.quantiles, o.target.hit(&Brief::of(&j.record)))
        },
        |_, (q, hit)| {
            data.extend_from_slice(&q);
            y.push(hit);
            Ok::<(), ()>(())
        },
        &mut progress,
    );
    let hits = y.iter().filter(|h| **h).count() as u64;
    if hits == 0 || hits == o.runs {
        return Err(StudyError::Invalid(format!(
            "--target {}: {} of the {} runs hit it; PRIM needs runs with and without it (try another target or more runs)",
            o.target.name(),
            hits,
            o.runs
        )));
    }
    let rate = hits as f64 / o.runs as f64;
    let mut prim = Prim::new(Matrix::new(o.runs as usize, d, data)?, y, o.prim)?;
    let init = prim.initial_limits().clone();
    let mut boxes = Vec::new();
    while boxes.len() < MAX_BOXES {
        let Some(b) = prim.find_box() else { break };
        // The analyst's pick on the trajectory: the highest coverage at the threshold density
        // (the peel's last entry usually restricts many more parameters for little density).
        // Entry 0 (no restriction) never counts.
        let pick = if b.accepted {
            let mut best: Option<usize> = None;
            for (i, st) in b.trajectory.iter().enumerate().skip(1) {
                if st.density >= o.prim.threshold && best.is_none_or(|k| st.coverage > b.trajectory[k].coverage) {
                    best = Some(i);
                }
            }
            best
        } else {
            None
        };
        let b = match pick {
            Some(i) => prim.select(i)?,
            None => prim.boxes().last().expect("a box was just found"),
        };
        let accepted = b.accepted;
        let st = *b.stats();
        let lim = b.box_limits().clone();
        let restrictions: Vec<Restriction> = (0..d)
            .filter(|&j| lim.lower[j] != init.lower[j] || lim.upper[j] != init.upper[j])
            .map(|j| {
                let p: &Param = &s.uncertain()[j].param;
                Restriction {
                    input: ins[j].clone(),
                    above: (lim.lower[j] != init.lower[j]).then(|| p.quantile(lim.lower[j])),
                    below: (lim.upper[j] != init.upper[j]).then(|| p.quantile(lim.upper[j])),
                    quantiles: (lim.lower[j], lim.upper[j]),
                }
            })
            .collect();
        let lift = st.density / rate;
        let conds: Vec<String> = restrictions
            .iter()
            .map(|r| match (r.above, r.below) {
                (Some(a), Some(b)) => format!("{} is between {} and {}", r.input.label, fmt_value(a), fmt_value(b)),
                (Some(a), None) => format!("{} > {}", r.input.label, fmt_value(a)),
                (None, Some(b)) => format!("{} < {}", r.input.label, fmt_value(b)),
                (None, None) => unreachable!("only restricted inputs are listed"),
            })
            .collect();
        let name = o.target.name().replace('_', " ");
        let rule = if !accepted || conds.is_empty() {
            format!(
                "no {}box reaches density {:.0}%: the remaining {:.0}% of runs have {name} at {:.0}%",
                if boxes.is_empty() { "" } else { "further " },
                o.prim.threshold * 100.0,
                st.mass * 100.0,
                st.density * 100.0
            )
        } else {
            format!(
                "{name} is {:.1}x likelier than overall when {}; {:.0}% of {name} runs fall in this box, covering {:.0}% of runs (density {:.0}%)",
                lift,
                conds.join(" and "),
                st.coverage * 100.0,
                st.mass * 100.0,
                st.density * 100.0
            )
        };
        boxes.push(FoundBox {
            coverage: st.coverage,
            density: st.density,
            mass: st.mass,
            lift,
            accepted,
            restrictions,
            rule,
            trajectory: b.trajectory.clone(),
        });
        if !accepted {
            break;
        }
    }
    Ok(DiscoverResult {
        scenario: s.nominal().name.clone(),
        target: o.target.name().to_string(),
        runs: o.runs,
        seed: o.seed,
        hits,
        prim: o.prim,
        boxes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_and_errors_list_the_valid_ones() {
        assert_eq!(indicator_index("agenda_share").unwrap(), 1);
        assert!(indicator_index("bogus").unwrap_err().to_string().contains("agenda_share"));
        assert_eq!(Target::parse("breakdown").unwrap(), Target::Indicator(3));
        assert_eq!(Target::parse("collapse").unwrap(), Target::Outcome(Outcome::Collapse));
        let e = Target::parse("agenda_share").unwrap_err().to_string();
        assert!(e.contains("breakdown") && e.contains("drift"), "{e}");
    }

    #[test]
    fn sizes_are_checked_against_the_limit() {
        assert!(study_runs(Method::Sobol { samples: 0 }, 3).is_err());
        assert!(study_runs(Method::Sobol { samples: 1000 }, 3).is_err());
        assert_eq!(study_runs(Method::Sobol { samples: 1024 }, 3).unwrap(), 1024 * 5);
        assert_eq!(study_runs(Method::Morris { trajectories: 20 }, 3).unwrap(), 80);
        let max = bc_io::limits::GSA_RUNS.get();
        // At the limit: (max / 2) trajectories of 2 runs.
        assert_eq!(study_runs(Method::Morris { trajectories: (max / 2) as usize }, 1).unwrap(), max);
        let e = study_runs(Method::Morris { trajectories: (max / 2 + 1) as usize }, 1).unwrap_err().to_string();
        assert!(e.contains("gsa-runs"), "{e}");
        let e = study_runs(Method::Sobol { samples: 1 << 40 }, 10).unwrap_err().to_string();
        assert!(e.contains("gsa-runs"), "{e}");
    }
}
