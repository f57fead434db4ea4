//! The backchannel forecast for Python, bound at the highest level the model offers: scenario
//! text (or the embedded default) plus options in, a shard's exact aggregate and its per-run
//! records out, and an exact merge of aggregates. Sharded runs merged equal the unsharded run
//! byte for byte, which is what lets Dask (or Ray, or MPI) run the shards anywhere.
//!
//! Everything here goes through `bc_diplomacy::forecast`'s public seam (`job`, `Aggregate`,
//! `ForecastSpec`) and `bc_studies::forecast`'s record columns; when the model changes, this file
//! is the one to adapt.

use std::path::PathBuf;

use anyhow::{bail, Context as _, Result};
use bc_diplomacy::forecast::{self, Aggregate, ForecastSpec};
use bc_diplomacy::sim::{NoTrace, Scratch};
use bc_diplomacy::Scenario;
use bc_engine::Shard;
use bc_report::records::{Cell, ColumnType};
use serde_json::Value as Json;
use sha2::{Digest, Sha256};

use crate::{ColumnData, Columns};

/// A forecast to run: the scenario and the options of `backchannel run`.
#[derive(Clone, Debug)]
pub struct ForecastRequest {
    /// The scenario's TOML text; the embedded default when `None`.
    pub text: Option<String>,
    /// What messages call the scenario (its file name, or "<string>").
    pub source: String,
    /// Where the domain and profile files the scenario names are resolved.
    pub base_dir: PathBuf,
    /// A named variant.
    pub variant: Option<String>,
    /// Keys of the scenario file set to numbers before it is checked (a sweep point, an EMA
    /// experiment), as dotted paths (`mediator.leak`).
    pub settings: Vec<(String, f64)>,
    /// Monte Carlo runs (of the whole forecast, not of the shard).
    pub runs: u64,
    /// Master seed.
    pub seed: u64,
    /// Run the paired counterfactuals.
    pub counterfactuals: bool,
    /// Which slice of the runs.
    pub shard: Shard,
    /// Worker threads (0 = one per core); results do not depend on it.
    pub threads: usize,
    /// Also return the per-run records.
    pub records: bool,
}

/// A shard's result.
#[derive(Clone, Debug)]
pub struct ShardResult {
    /// The exact aggregate of its runs, serialised (the canonical form merges read back).
    pub aggregate: String,
    /// One row per run (the run directory's `records` columns).
    pub records: Columns,
}

/// The scenario text a request runs (the default's when none is given).
pub fn scenario_text(text: Option<&str>) -> &str {
    text.unwrap_or(bc_diplomacy::scenario::DEFAULT_TOML)
}

/// SHA-256 of a scenario's text, hex: how workers name and cache a scenario.
pub fn content_hash(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// The checked scenario of a request.
pub fn scenario(r: &ForecastRequest) -> Result<Scenario> {
    let text = scenario_text(r.text.as_deref());
    let source = if r.text.is_none() { bc_diplomacy::scenario::DEFAULT_SOURCE } else { r.source.as_str() };
    let s = bc_diplomacy::settings::scenario_with(text, source, &r.base_dir, r.settings.iter().map(|(k, v)| (k, *v)))?;
    Ok(match &r.variant {
        Some(v) => s.variant(v)?,
        None => s,
    })
}

/// Runs the request's shard.
pub fn run_shard(r: &ForecastRequest) -> Result<ShardResult> {
    if r.runs == 0 {
        bail!("runs: expected at least 1 run, found 0");
    }
    if r.shard.count == 0 || r.shard.index >= r.shard.count {
        bail!("shard: expected i/N with 0 <= i < N, found {}/{}", r.shard.index, r.shard.count);
    }
    bc_io::limits::check_threads(r.threads, false).map_err(anyhow::Error::msg)?;
    let s = scenario(r)?;
    let opts =
        forecast::Options { runs: r.runs, seed: r.seed, threads: r.threads, counterfactuals: r.counterfactuals, ..Default::default() };
    let cfs = forecast::JobOptions::new(&s, &opts);
    let spec = ForecastSpec::new(&s, &cfs, r.seed);
    let mut agg = Aggregate::new(spec.clone(), false);
    let columns = bc_studies::forecast::columns(&spec);
    let mut cols: Vec<(String, ColumnData)> = columns
        .iter()
        .map(|c| {
            let data = match c.ty {
                ColumnType::Int => ColumnData::Int(Vec::new()),
                ColumnType::Float => ColumnData::Float(Vec::new()),
                ColumnType::Bool => ColumnData::Bool(Vec::new()),
                ColumnType::Text => ColumnData::Text(Vec::new()),
            };
            (c.name.clone(), data)
        })
        .collect();
    let want_records = r.records;
    bc_engine::run_ordered_with(
        r.shard.range(r.runs),
        bc_engine::RunOptions { threads: r.threads, batch: 4096 },
        Scratch::default,
        |scratch, i| {
            let j = forecast::job(&s, &cfs, r.seed, i, &mut NoTrace, scratch);
            let cells = if want_records { bc_studies::forecast::cells(&spec, &j) } else { Vec::new() };
            (j, cells)
        },
        |_, (j, cells)| -> Result<()> {
            agg.add(&j);
            for ((_, col), cell) in cols.iter_mut().zip(cells) {
                push(col, cell);
            }
            Ok(())
        },
        |_| {},
    )?;
    Ok(ShardResult { aggregate: serde_json::to_string(&agg)?, records: if want_records { cols } else { Vec::new() } })
}

fn push(col: &mut ColumnData, cell: Cell) {
    match (col, cell) {
        (ColumnData::Int(v), Cell::Int(x)) => v.push(Some(x)),
        (ColumnData::Float(v), Cell::Float(x)) => v.push(Some(x)),
        (ColumnData::Bool(v), Cell::Bool(x)) => v.push(Some(x)),
        (ColumnData::Text(v), Cell::Text(x)) => v.push(Some(x)),
        (ColumnData::Int(v), _) => v.push(None),
        (ColumnData::Float(v), _) => v.push(None),
        (ColumnData::Bool(v), _) => v.push(None),
        (ColumnData::Text(v), _) => v.push(None),
    }
}

/// Merges serialised aggregates (shards in any grouping) into one, exactly; refuses aggregates
/// of different forecasts (scenario, counterfactuals, seed).
pub fn merge(aggregates: &[String]) -> Result<String> {
    let mut it = aggregates.iter();
    let Some(first) = it.next() else { bail!("merge: expected at least one aggregate, found none") };
    let mut acc: Aggregate = serde_json::from_str(first).context("merge: aggregate 0")?;
    for (k, a) in it.enumerate() {
        let next: Aggregate = serde_json::from_str(a).with_context(|| format!("merge: aggregate {}", k + 1))?;
        acc.merge(next).map_err(|e| anyhow::anyhow!("merge: aggregate {}: {e}", k + 1))?;
    }
    Ok(serde_json::to_string(&acc)?)
}

/// The forecast (the JSON of `backchannel run --json`) of a serialised aggregate.
pub fn summary(aggregate: &str) -> Result<Json> {
    let agg: Aggregate = serde_json::from_str(aggregate).context("summary: aggregate")?;
    Ok(serde_json::to_value(agg.summary())?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(shard: Shard) -> ForecastRequest {
        ForecastRequest {
            text: None,
            source: "<default>".into(),
            base_dir: PathBuf::from("."),
            variant: None,
            settings: Vec::new(),
            runs: 40,
            seed: 5,
            counterfactuals: true,
            shard,
            threads: 2,
            records: true,
        }
    }

    #[test]
    fn shards_merge_to_the_whole_byte_for_byte() {
        let whole = run_shard(&request(Shard::ALL)).unwrap();
        let parts: Vec<ShardResult> = (0..3).map(|i| run_shard(&request(Shard { index: i, count: 3 })).unwrap()).collect();
        let merged = merge(&parts.iter().map(|p| p.aggregate.clone()).collect::<Vec<_>>()).unwrap();
        assert_eq!(merged, whole.aggregate);
        assert_eq!(summary(&merged).unwrap(), summary(&whole.aggregate).unwrap());
        let rows: usize = parts
            .iter()
            .map(|p| match &p.records[0].1 {
                ColumnData::Int(v) => v.len(),
                _ => 0,
            })
            .sum();
        assert_eq!(rows, 40);
    }

    #[test]
    fn settings_change_the_scenario_and_bad_keys_are_named() {
        let mut r = request(Shard::ALL);
        r.settings = vec![("no.such.key".into(), 1.0)];
        let e = run_shard(&r).unwrap_err();
        assert!(crate::message(&e).contains("no.such.key"), "{e:#}");
        assert_eq!(content_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
