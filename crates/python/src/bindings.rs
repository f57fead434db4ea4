//! The PyO3 bindings: the `backchannel._core` extension module. Thin wrappers over the Rust core
//! of this crate: arguments in, the GIL released while Rust works (`py.allow_threads`), JSON
//! text, NumPy arrays or column lists out; every error raised as `backchannel.BackchannelError`
//! (a `ValueError`) with the CLI's message (file, line or field, expected, found). The pure
//! Python package (`python/backchannel/`) turns these into dicts and Arrow tables.
//!
//! This module holds no hand-written unsafe code; it allows `unsafe_code` only because PyO3's
//! macros expand to FFI glue.

use std::path::PathBuf;

use numpy::{IntoPyArray, PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray2};
use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::analytics::{self, AnalyzeOptions};
use crate::domain::{Domain, IssueSpec, PlainValue, ProfileSpec};
use crate::forecast::{self, ForecastRequest};
use crate::negotiation::{self, NegotiateOptions};
use crate::stakeholders::{self, StakeholderOptions};
use crate::tournament::{self, TournamentOptions};
use crate::{ColumnData, Columns};

create_exception!(
    _core,
    BackchannelError,
    PyValueError,
    "Bad input or a refused request; the message names the file, the line or field, what was expected and what was found."
);

fn err(e: anyhow::Error) -> PyErr {
    BackchannelError::new_err(crate::message(&e))
}

fn json_text(j: &serde_json::Value) -> PyResult<String> {
    serde_json::to_string(j).map_err(|e| err(e.into()))
}

fn parse_shard(shard: Option<(u64, u64)>) -> PyResult<bc_engine::Shard> {
    match shard {
        None => Ok(bc_engine::Shard::ALL),
        Some((index, count)) if count > 0 && index < count => Ok(bc_engine::Shard { index, count }),
        Some((i, n)) => Err(BackchannelError::new_err(format!("shard: expected (i, N) with 0 <= i < N, found ({i}, {n})"))),
    }
}

/// A negotiation domain: an outcome space and its profiles.
#[pyclass(name = "Domain", module = "backchannel._core", frozen)]
pub struct PyDomain {
    pub(crate) inner: Domain,
}

/// An issue as Python sees it: (name, kind, values).
type PyIssue<'py> = (String, String, Vec<Bound<'py, PyAny>>);

fn plain_to_py<'py>(py: Python<'py>, v: &PlainValue) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        PlainValue::Text(s) => s.into_pyobject(py)?.into_any(),
        PlainValue::Int(i) => i.into_pyobject(py)?.into_any(),
        PlainValue::Float(x) => x.into_pyobject(py)?.into_any(),
    })
}

fn py_to_plain(v: &Bound<'_, PyAny>) -> PyResult<PlainValue> {
    if let Ok(s) = v.extract::<String>() {
        return Ok(PlainValue::Text(s));
    }
    if v.is_instance_of::<pyo3::types::PyBool>() {
        return Err(BackchannelError::new_err(format!("outcome: expected a value name or a number, found {v}")));
    }
    if let Ok(i) = v.extract::<i64>() {
        return Ok(PlainValue::Int(i));
    }
    if let Ok(x) = v.extract::<f64>() {
        return Ok(PlainValue::Float(x));
    }
    Err(BackchannelError::new_err(format!("outcome: expected a value name or a number, found {v}")))
}

#[pymethods]
impl PyDomain {
    /// Loads a domain folder, or a domain file followed by profile files.
    #[staticmethod]
    #[pyo3(signature = (paths, semantics = "genius", ignore_discount = false))]
    fn load(py: Python<'_>, paths: Vec<PathBuf>, semantics: &str, ignore_discount: bool) -> PyResult<PyDomain> {
        let inner = py.allow_threads(|| Domain::load(&paths, semantics, ignore_discount)).map_err(err)?;
        Ok(PyDomain { inner })
    }

    /// Builds a domain from issues `[(name, kind, values)]` and profiles (dicts with `name`,
    /// `reserved_value` and either `bias`/`weights`/`tables` or `values`).
    #[staticmethod]
    fn from_parts(name: &str, issues: Vec<PyIssue<'_>>, profiles: Vec<Bound<'_, PyDict>>) -> PyResult<PyDomain> {
        let issues: Vec<IssueSpec> = issues
            .into_iter()
            .map(|(name, kind, values)| Ok(IssueSpec { name, kind, values: values.iter().map(py_to_plain).collect::<PyResult<_>>()? }))
            .collect::<PyResult<_>>()?;
        let mut specs = Vec::with_capacity(profiles.len());
        for p in profiles {
            let get = |k: &str| -> PyResult<Bound<'_, PyAny>> {
                p.get_item(k)?.ok_or_else(|| BackchannelError::new_err(format!("profile: expected the key {k:?}")))
            };
            let pname: String = get("name")?.extract()?;
            let reserved_value: f64 = match p.get_item("reserved_value")? {
                Some(v) if !v.is_none() => v.extract()?,
                _ => f64::NEG_INFINITY,
            };
            specs.push(if p.contains("values")? {
                ProfileSpec::Table { name: pname, values: get("values")?.extract()?, reserved_value }
            } else {
                ProfileSpec::Additive {
                    name: pname,
                    bias: get("bias")?.extract()?,
                    weights: get("weights")?.extract()?,
                    tables: get("tables")?.extract()?,
                    reserved_value,
                }
            });
        }
        Ok(PyDomain { inner: Domain::from_parts(name, &issues, &specs).map_err(err)? })
    }

    /// The domain's name.
    #[getter]
    fn name(&self) -> String {
        self.inner.scenario.space.name().to_string()
    }

    /// The name tournaments give it (the folder's name when loaded from a folder).
    #[getter]
    fn label(&self) -> String {
        self.inner.label.clone()
    }

    /// How it was read: "genius", "negmas" or "parts".
    #[getter]
    fn semantics(&self) -> String {
        self.inner.semantics.clone()
    }

    /// The issues, as `[(name, kind, values)]`.
    #[getter]
    fn issues<'py>(&self, py: Python<'py>) -> PyResult<Vec<PyIssue<'py>>> {
        self.inner
            .issues()
            .into_iter()
            .map(|i| Ok((i.name, i.kind, i.values.iter().map(|v| plain_to_py(py, v)).collect::<PyResult<_>>()?)))
            .collect()
    }

    /// The profiles' names.
    #[getter]
    fn profiles(&self) -> Vec<String> {
        self.inner.scenario.parties.iter().map(|p| p.name.clone()).collect()
    }

    /// The profiles' reservation values.
    #[getter]
    fn reserved_values(&self) -> Vec<f64> {
        self.inner.scenario.parties.iter().map(|p| p.reserved_value).collect()
    }

    /// The number of outcomes (None when an issue is real).
    #[getter]
    fn n_outcomes(&self) -> Option<u128> {
        self.inner.n_outcomes()
    }

    /// The domain file (or the name of a domain built from parts).
    #[getter]
    fn domain_file(&self) -> String {
        self.inner.scenario.domain_file.display().to_string()
    }

    /// Outcome `index`'s values (names, integers or numbers), as a tuple.
    fn outcome<'py>(&self, py: Python<'py>, index: u64) -> PyResult<Vec<Bound<'py, PyAny>>> {
        self.inner.outcome(index).map_err(err)?.iter().map(|v| plain_to_py(py, v)).collect()
    }

    /// The index of an outcome given as one value per issue.
    fn index(&self, outcome: Vec<Bound<'_, PyAny>>) -> PyResult<u64> {
        let values: Vec<PlainValue> = outcome.iter().map(py_to_plain).collect::<PyResult<_>>()?;
        self.inner.index_of(&values).map_err(err)
    }

    /// Every outcome's utility, shape (outcomes, profiles), outcomes in index order.
    #[pyo3(signature = (profiles = None, limit = 10_000_000))]
    fn utilities<'py>(&self, py: Python<'py>, profiles: Option<Vec<usize>>, limit: u64) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let d = &self.inner;
        let (rows, n, u) = py.allow_threads(|| d.utilities(profiles.as_deref(), limit)).map_err(err)?;
        u.into_pyarray(py).reshape([rows, n])
    }

    /// Profile `k` as a dict: additive (`bias`, `weights`, `tables`) or a table (`values`, one
    /// utility per outcome), with `name`, `reserved_value` and `discount` (kind, factor).
    #[pyo3(signature = (k, limit = 10_000_000))]
    fn profile<'py>(&self, py: Python<'py>, k: usize, limit: u64) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        let (kind, factor) = self.inner.discount(k).map_err(err)?;
        d.set_item("discount", (kind, factor))?;
        match self.inner.profile(k, limit).map_err(err)? {
            ProfileSpec::Additive { name, bias, weights, tables, reserved_value } => {
                d.set_item("name", name)?;
                d.set_item("kind", "additive")?;
                d.set_item("bias", bias)?;
                d.set_item("weights", weights)?;
                d.set_item("tables", tables)?;
                d.set_item("reserved_value", reserved_value)?;
            }
            ProfileSpec::Table { name, values, reserved_value } => {
                d.set_item("name", name)?;
                d.set_item("kind", "table")?;
                d.set_item("values", values.into_pyarray(py))?;
                d.set_item("reserved_value", reserved_value)?;
            }
        }
        Ok(d)
    }

    fn __repr__(&self) -> String {
        let n = self.inner.n_outcomes().map_or("continuous".to_string(), |n| n.to_string());
        format!(
            "Domain({:?}, {} issues, {n} outcomes, profiles {:?})",
            self.name(),
            self.inner.scenario.space.issues().len(),
            self.profiles()
        )
    }
}

/// `backchannel analyze --json` on a domain, as JSON text.
#[pyfunction]
#[pyo3(signature = (domain, profiles = None, normalize = None, sample = None, seed = 0, max_outcomes = None))]
fn analyze_json(
    py: Python<'_>,
    domain: &PyDomain,
    profiles: Option<Vec<usize>>,
    normalize: Option<String>,
    sample: Option<usize>,
    seed: u64,
    max_outcomes: Option<u64>,
) -> PyResult<String> {
    let o = AnalyzeOptions { profiles, normalize, sample: sample.map(|n| (n, seed)), max_outcomes };
    let d = &domain.inner;
    let j = py.allow_threads(|| analytics::analyze_domain(d, &o)).map_err(err)?;
    json_text(&j)
}

fn array_rows(a: &PyReadonlyArray2<'_, f64>) -> (Vec<f64>, usize, usize) {
    let v = a.as_array();
    let (rows, cols) = v.dim();
    let flat: Vec<f64> = match v.as_slice() {
        Some(s) => s.to_vec(),
        None => v.iter().copied().collect(),
    };
    (flat, rows, cols)
}

/// NegMAS's `pareto_frontier` on a utility array: indices of the frontier rows.
#[pyfunction]
#[pyo3(signature = (utils, reserved, sort_by_welfare = true))]
fn pareto_indices<'py>(
    py: Python<'py>,
    utils: PyReadonlyArray2<'py, f64>,
    reserved: Vec<f64>,
    sort_by_welfare: bool,
) -> PyResult<Bound<'py, PyArray1<i64>>> {
    let (flat, rows, cols) = array_rows(&utils);
    let kept = py.allow_threads(|| analytics::pareto_indices(&flat, rows, cols, &reserved, sort_by_welfare)).map_err(err)?;
    Ok(kept.into_iter().map(|k| k as i64).collect::<Vec<_>>().into_pyarray(py))
}

/// NegMAS's `nash_points` on a frontier array: indices into the frontier.
#[pyfunction]
#[pyo3(signature = (frontier, ranges, reserved, eps = 1e-12))]
fn nash_indices<'py>(
    py: Python<'py>,
    frontier: PyReadonlyArray2<'py, f64>,
    ranges: Vec<(f64, f64)>,
    reserved: Vec<f64>,
    eps: f64,
) -> PyResult<Vec<usize>> {
    let (flat, rows, cols) = array_rows(&frontier);
    py.allow_threads(|| analytics::nash_indices(&flat, rows, cols, &ranges, &reserved, eps)).map_err(err)
}

/// The full analysis of a utility array, as JSON text.
#[pyfunction]
fn analyze_array_json<'py>(py: Python<'py>, utils: PyReadonlyArray2<'py, f64>, reserved: Vec<f64>) -> PyResult<String> {
    let (flat, rows, cols) = array_rows(&utils);
    let j = py.allow_threads(|| analytics::analyze_array(&flat, rows, cols, &reserved)).map_err(err)?;
    json_text(&j)
}

/// One negotiation: (the JSON of `negotiate --json`, the events as JSON text).
#[pyfunction]
#[pyo3(signature = (domain, agents, protocol = "sao".to_string(), mediator = None, profiles = None, steps = 100, seed = 0))]
#[allow(clippy::too_many_arguments)]
fn negotiate_json(
    py: Python<'_>,
    domain: &PyDomain,
    agents: Vec<String>,
    protocol: String,
    mediator: Option<String>,
    profiles: Option<Vec<usize>>,
    steps: u64,
    seed: u64,
) -> PyResult<(String, String)> {
    let o = NegotiateOptions { agents, protocol, mediator, profiles, steps, seed };
    let d = &domain.inner;
    let (j, events) = py.allow_threads(|| negotiation::negotiate(d, &o)).map_err(err)?;
    Ok((json_text(&j)?, json_text(&serde_json::Value::Array(events))?))
}

/// The agents the registry knows: `[(name, description, parameters)]`.
#[pyfunction]
fn agents() -> Vec<(String, String, Vec<String>)> {
    negotiation::agent_names()
}

fn columns_to_py<'py>(py: Python<'py>, cols: Columns) -> PyResult<Bound<'py, PyList>> {
    let out = PyList::empty(py);
    for (name, data) in cols {
        // Numbers without nulls go as NumPy arrays (pyarrow wraps them without a copy); a
        // column with nulls goes as (values, null mask).
        let item: Bound<'py, PyAny> = match data {
            ColumnData::Int(v) => {
                let mask: Vec<bool> = v.iter().map(Option::is_none).collect();
                let vals: Vec<i64> = v.into_iter().map(|x| x.unwrap_or(0)).collect();
                ("int", vals.into_pyarray(py), mask.into_pyarray(py)).into_pyobject(py)?.into_any()
            }
            ColumnData::Float(v) => {
                let mask: Vec<bool> = v.iter().map(Option::is_none).collect();
                let vals: Vec<f64> = v.into_iter().map(|x| x.unwrap_or(f64::NAN)).collect();
                ("float", vals.into_pyarray(py), mask.into_pyarray(py)).into_pyobject(py)?.into_any()
            }
            ColumnData::Bool(v) => {
                let mask: Vec<bool> = v.iter().map(Option::is_none).collect();
                let vals: Vec<bool> = v.into_iter().map(|x| x.unwrap_or(false)).collect();
                ("bool", vals.into_pyarray(py), mask.into_pyarray(py)).into_pyobject(py)?.into_any()
            }
            ColumnData::Text(v) => ("text", v, py.None()).into_pyobject(py)?.into_any(),
        };
        out.append((name, item))?;
    }
    Ok(out)
}

/// A tournament: (result columns, the scores JSON of `tournament --json`).
#[pyfunction]
#[pyo3(signature = (domains, agents, protocol = "sao".to_string(), mediator = None, parties = 2, steps = 100, repetitions = 1, self_play = true, seed = 0, threads = 0, shard = None, time_limit_ms = None))]
#[allow(clippy::too_many_arguments)]
fn tournament_columns<'py>(
    py: Python<'py>,
    domains: Vec<PyRef<'py, PyDomain>>,
    agents: Vec<String>,
    protocol: String,
    mediator: Option<String>,
    parties: usize,
    steps: u64,
    repetitions: u64,
    self_play: bool,
    seed: u64,
    threads: usize,
    shard: Option<(u64, u64)>,
    time_limit_ms: Option<u64>,
) -> PyResult<(Bound<'py, PyList>, String)> {
    let ds: Vec<Domain> = domains.iter().map(|d| d.inner.clone()).collect();
    let o = TournamentOptions {
        agents,
        protocol,
        mediator,
        parties,
        steps,
        repetitions,
        self_play,
        seed,
        threads,
        shard: parse_shard(shard)?,
        time_limit_ms,
    };
    let (cols, scores) = py.allow_threads(|| tournament::tournament(&ds, &o)).map_err(err)?;
    Ok((columns_to_py(py, cols)?, json_text(&scores)?))
}

/// A stakeholder model: the JSON of `stakeholders --json`.
#[pyfunction]
#[pyo3(signature = (file = None, model = "smp".to_string(), turns = None, seed = None, params = Vec::new(), fix_quirks = false))]
fn stakeholders_json(
    py: Python<'_>,
    file: Option<PathBuf>,
    model: String,
    turns: Option<usize>,
    seed: Option<u64>,
    params: Vec<(String, String)>,
    fix_quirks: bool,
) -> PyResult<String> {
    let o = StakeholderOptions { model, turns, seed, params, fix_quirks };
    let j = py.allow_threads(|| stakeholders::stakeholders(file.as_deref(), &o)).map_err(err)?;
    json_text(&j)
}

/// One strategy driven a decision at a time (for NegMAS's `SAOMechanism`).
#[pyclass(name = "Agent", module = "backchannel._core")]
pub struct PyAgent {
    // PyO3 needs a `Sync` class; a strategy is `Send` only, and one call at a time is all it
    // takes.
    inner: std::sync::Mutex<negotiation::Agent>,
}

impl PyAgent {
    fn agent(&self) -> std::sync::MutexGuard<'_, negotiation::Agent> {
        // A panic inside a strategy leaves the agent as it was; keep using it.
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[pymethods]
impl PyAgent {
    /// Agent `spec` on profile `profile` of `domain`, at position `me` of `n_parties`, in an SAO
    /// negotiation of `n_steps` rounds, seeded as party `me` of `negotiate(seed=seed)`.
    #[new]
    #[pyo3(signature = (domain, profile, spec, me, n_parties, n_steps, seed = 0))]
    fn new(domain: &PyDomain, profile: usize, spec: &str, me: usize, n_parties: usize, n_steps: u64, seed: u64) -> PyResult<PyAgent> {
        Ok(PyAgent {
            inner: std::sync::Mutex::new(negotiation::Agent::new(&domain.inner, profile, spec, me, n_parties, n_steps, seed).map_err(err)?),
        })
    }

    /// The outcome index to offer at round `step`, or None (no offer).
    fn propose(&self, step: u64) -> Option<u64> {
        self.agent().propose(step)
    }

    /// "accept", "reject" or "end": the answer at round `step` to `offer` made by party `source`.
    fn respond(&self, step: u64, offer: u64, source: usize) -> &'static str {
        negotiation::response_name(self.agent().respond(step, offer, source))
    }

    /// Another party's offer, made at round `step`, became known.
    fn observe(&self, step: u64, offer: u64, source: usize) {
        self.agent().observe(step, offer, source)
    }

    /// The strategy's name.
    #[getter]
    fn name(&self) -> String {
        self.agent().name()
    }
}

/// Runs one shard of a forecast: (the shard's exact aggregate as JSON text, record columns).
#[pyfunction]
#[pyo3(signature = (text = None, source = "<string>".to_string(), base_dir = PathBuf::from("."), variant = None, settings = Vec::new(), runs = 10_000, seed = 0, counterfactuals = true, shard = None, threads = 0, records = true))]
#[allow(clippy::too_many_arguments)]
fn forecast_shard<'py>(
    py: Python<'py>,
    text: Option<String>,
    source: String,
    base_dir: PathBuf,
    variant: Option<String>,
    settings: Vec<(String, f64)>,
    runs: u64,
    seed: u64,
    counterfactuals: bool,
    shard: Option<(u64, u64)>,
    threads: usize,
    records: bool,
) -> PyResult<(String, Bound<'py, PyList>)> {
    let r = ForecastRequest {
        text,
        source,
        base_dir,
        variant,
        settings,
        runs,
        seed,
        counterfactuals,
        shard: parse_shard(shard)?,
        threads,
        records,
    };
    let out = py.allow_threads(|| forecast::run_shard(&r)).map_err(err)?;
    Ok((out.aggregate, columns_to_py(py, out.records)?))
}

/// Merges serialised forecast aggregates exactly.
#[pyfunction]
fn merge_aggregates(py: Python<'_>, aggregates: Vec<String>) -> PyResult<String> {
    py.allow_threads(|| forecast::merge(&aggregates)).map_err(err)
}

/// The forecast (the JSON of `run --json`) of a serialised aggregate.
#[pyfunction]
fn forecast_summary_json(py: Python<'_>, aggregate: String) -> PyResult<String> {
    let j = py.allow_threads(|| forecast::summary(&aggregate)).map_err(err)?;
    json_text(&j)
}

/// The embedded default scenario's TOML text.
#[pyfunction]
fn default_scenario_text() -> &'static str {
    forecast::scenario_text(None)
}

/// SHA-256 (hex) of a scenario text.
#[pyfunction]
fn content_hash(text: &str) -> String {
    forecast::content_hash(text)
}

/// The `backchannel._core` module.
#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("BackchannelError", m.py().get_type::<BackchannelError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("DEFAULT_SOURCE", bc_diplomacy::scenario::DEFAULT_SOURCE)?;
    m.add_class::<PyDomain>()?;
    m.add_class::<PyAgent>()?;
    m.add_function(wrap_pyfunction!(analyze_json, m)?)?;
    m.add_function(wrap_pyfunction!(pareto_indices, m)?)?;
    m.add_function(wrap_pyfunction!(nash_indices, m)?)?;
    m.add_function(wrap_pyfunction!(analyze_array_json, m)?)?;
    m.add_function(wrap_pyfunction!(negotiate_json, m)?)?;
    m.add_function(wrap_pyfunction!(agents, m)?)?;
    m.add_function(wrap_pyfunction!(tournament_columns, m)?)?;
    m.add_function(wrap_pyfunction!(stakeholders_json, m)?)?;
    m.add_function(wrap_pyfunction!(forecast_shard, m)?)?;
    m.add_function(wrap_pyfunction!(merge_aggregates, m)?)?;
    m.add_function(wrap_pyfunction!(forecast_summary_json, m)?)?;
    m.add_function(wrap_pyfunction!(default_scenario_text, m)?)?;
    m.add_function(wrap_pyfunction!(content_hash, m)?)?;
    Ok(())
}
