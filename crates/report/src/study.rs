//! The [`Study`] trait: what a command's mergeable statistics must provide so that a run
//! directory, its report and shard merging work the same for every command. The statistics and
//! their rendering are the studies' own (bc-studies implements the trait for the domain crates'
//! statistics, bc-server for a live room); this crate only calls it.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::manifest::{Manifest, ScenarioId};

/// The statistics of a study (a forecast, a tournament, a sweep, a stakeholder run), kept in
/// `stats.json`. Merging the statistics of shards `0..N` in order must give exactly the
/// statistics of the unsharded run, so that aggregates and report are byte-identical.
pub trait Study: Serialize + DeserializeOwned {
    /// The manifest's `kind` of this study.
    const KIND: &'static str;

    /// Adds the statistics of the next shard.
    fn merge(&mut self, next: Self) -> Result<(), String>;

    /// The aggregates (`aggregates.json`), computed from the statistics.
    fn aggregates(&self) -> serde_json::Value;

    /// The report's sections (HTML body), computed from the statistics.
    fn report(&self, info: &ReportInfo) -> String;

    /// The report's title.
    fn title(&self, info: &ReportInfo) -> String;

    /// Further files computed from the statistics, as (file name, contents), written beside
    /// `aggregates.json` by every run directory and every merge (e.g. a tournament's
    /// `scores.csv`).
    fn files(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }
}

/// What the report may say about the run: everything in it is a function of the seed and the
/// input (no times, no git revision), so reports are byte-identical for the same seed.
#[derive(Clone, Debug)]
pub struct ReportInfo {
    /// The study kind.
    pub kind: String,
    /// backchannel's version.
    pub version: String,
    /// The master seed.
    pub seed: Option<u64>,
    /// The scenario.
    pub scenario: Option<ScenarioId>,
    /// Jobs of the whole study.
    pub jobs: u64,
    /// `Some("i/N")` when the directory holds one shard of several.
    pub shard: Option<String>,
}

impl ReportInfo {
    /// The report facts of a manifest.
    pub fn from_manifest(m: &Manifest) -> ReportInfo {
        ReportInfo {
            kind: m.kind.clone(),
            version: m.version.clone(),
            seed: m.seed,
            scenario: m.scenario.clone(),
            jobs: m.jobs,
            shard: (m.shard != "0/1").then(|| m.shard.clone()),
        }
    }
}
