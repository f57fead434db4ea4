//! Tournaments for Python: every agent tuple on every domain, as `backchannel tournament` runs
//! them (same jobs, seeds and rows, any thread count, `shard i/N`), returned as the columns of
//! `results.csv` and the per-agent scores of `--json`.

use std::time::Duration;

use anyhow::{Context as _, Result};
use bc_engine::Shard;
use bc_strategy::{Budget, Spec};
use bc_tournament::{Row, Tournament};
use serde_json::Value as Json;

use crate::domain::Domain;
use crate::negotiation::{parse_agents, parse_protocol};
use crate::{ColumnData, Columns};

/// What `tournament` is asked for (the CLI's flags).
#[derive(Clone, Debug)]
pub struct TournamentOptions {
    /// The competing agents.
    pub agents: Vec<String>,
    /// The protocol.
    pub protocol: String,
    /// The mediator of a mediated protocol.
    pub mediator: Option<String>,
    /// Parties per negotiation.
    pub parties: usize,
    /// Round limit.
    pub steps: u64,
    /// Repetitions.
    pub repetitions: u64,
    /// Let an agent negotiate against itself.
    pub self_play: bool,
    /// Master seed.
    pub seed: u64,
    /// Worker threads (0 = one per core).
    pub threads: usize,
    /// Which slice of the jobs.
    pub shard: Shard,
    /// Time per decision, in milliseconds.
    pub time_limit_ms: Option<u64>,
}

/// Runs a tournament: `(results columns, scores JSON)`.
pub fn tournament(domains: &[Domain], o: &TournamentOptions) -> Result<(Columns, Json)> {
    let protocol = parse_protocol(&o.protocol)?;
    let agents: Vec<Spec> = parse_agents(&o.agents)?;
    bc_io::limits::check_threads(o.threads, false).map_err(anyhow::Error::msg)?;
    let mediator: Option<Spec> = o.mediator.as_deref().map(str::parse).transpose().context("mediator")?;
    let mut ds = Vec::with_capacity(domains.len());
    for d in domains {
        let s = &d.scenario;
        ds.push(bc_tournament::Domain::new(d.label.clone(), s.space.clone(), s.parties.clone(), o.parties)?);
    }
    let budget = Budget { per_call: o.time_limit_ms.map(Duration::from_millis) };
    let t = Tournament::builder(ds, agents)
        .protocol(protocol)
        .mediator(mediator)
        .parties(o.parties)
        .steps(o.steps)
        .repetitions(o.repetitions)
        .self_play(o.self_play)
        .seed(o.seed)
        .budget(budget)
        .build()?;
    let range = o.shard.range(t.n_jobs());
    let mut rows: Vec<Row> = Vec::with_capacity((range.end - range.start) as usize);
    let scores = t.run(
        range,
        o.threads,
        |r| {
            rows.push(r.clone());
            Ok(())
        },
        |_| {},
    )?;
    let meta = t.summary_meta(o.shard, rows.len() as u64);
    Ok((columns(&t, &rows), scores.summary_json(meta)))
}

fn columns(t: &Tournament, rows: &[Row]) -> Columns {
    let n = t.n_parties;
    let int = |f: &dyn Fn(&Row) -> i64| ColumnData::Int(rows.iter().map(|r| Some(f(r))).collect());
    let flt = |f: &dyn Fn(&Row) -> f64| ColumnData::Float(rows.iter().map(|r| Some(f(r))).collect());
    let txt = |f: &dyn Fn(&Row) -> Option<String>| ColumnData::Text(rows.iter().map(f).collect());
    let mut c: Columns = vec![
        ("index".into(), int(&|r| r.index as i64)),
        ("domain".into(), txt(&|r| Some(t.domains[r.domain].name.clone()))),
        ("repetition".into(), int(&|r| r.repetition as i64)),
    ];
    for k in 0..n {
        c.push((format!("agent_{k}"), txt(&|r| Some(t.agents[r.agents[k]].to_string()))));
    }
    for k in 0..n {
        c.push((format!("profile_{k}"), txt(&|r| Some(t.domains[r.domain].sides[r.profiles[k]].preferences().name.clone()))));
    }
    c.push(("ending".into(), txt(&|r| Some(r.ending.to_string()))));
    c.push(("step".into(), int(&|r| r.step as i64)));
    c.push(("n_offers".into(), int(&|r| r.n_offers as i64)));
    c.push((
        "agreement".into(),
        txt(&|r| {
            let space = &t.domains[r.domain].space;
            r.agreement.map(|o| space.value_names(&space.outcome_at(o)).join(" | "))
        }),
    ));
    for k in 0..n {
        c.push((format!("utility_{k}"), flt(&|r| r.utilities[k])));
    }
    for k in 0..n {
        c.push((format!("advantage_{k}"), flt(&|r| r.advantages[k])));
    }
    c.push(("welfare".into(), flt(&|r| r.welfare)));
    c.push(("pareto_distance".into(), flt(&|r| r.pareto_distance)));
    c.push(("nash_distance".into(), flt(&|r| r.nash_distance)));
    c.push(("fault".into(), txt(&|r| r.fault.clone())));
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::path::PathBuf;

    #[test]
    fn shards_concatenate_to_the_whole() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/genius");
        let ds: Vec<Domain> = ["Travel", "LaptopB"].iter().map(|n| Domain::load(&[root.join(n)], "genius", false).unwrap()).collect();
        let mut o = TournamentOptions {
            agents: vec!["boulware".into(), "conceder".into(), "random".into()],
            protocol: "sao".into(),
            mediator: None,
            parties: 2,
            steps: 50,
            repetitions: 1,
            self_play: true,
            seed: 7,
            threads: 1,
            shard: Shard::ALL,
            time_limit_ms: None,
        };
        let (whole, scores) = tournament(&ds, &o).unwrap();
        assert_eq!(scores["domains"], json!(["Travel", "LaptopB"]));
        let n = match &whole[0].1 {
            ColumnData::Int(v) => v.len(),
            _ => unreachable!(),
        };
        assert_eq!(n as u64, scores["total_negotiations"].as_u64().unwrap());
        let mut parts: Vec<Columns> = Vec::new();
        for i in 0..3 {
            o.shard = Shard { index: i, count: 3 };
            o.threads = 2;
            parts.push(tournament(&ds, &o).unwrap().0);
        }
        for (k, (name, col)) in whole.iter().enumerate() {
            let joined = parts
                .iter()
                .map(|p| p[k].1.clone())
                .reduce(|a, b| match (a, b) {
                    (ColumnData::Int(mut x), ColumnData::Int(y)) => {
                        x.extend(y);
                        ColumnData::Int(x)
                    }
                    (ColumnData::Float(mut x), ColumnData::Float(y)) => {
                        x.extend(y);
                        ColumnData::Float(x)
                    }
                    (ColumnData::Text(mut x), ColumnData::Text(y)) => {
                        x.extend(y);
                        ColumnData::Text(x)
                    }
                    (a, _) => a,
                })
                .unwrap();
            // NaN != NaN: compare floats by their bits.
            let same = match (col, &joined) {
                (ColumnData::Float(a), ColumnData::Float(b)) => {
                    a.iter().map(|x| x.map(f64::to_bits)).eq(b.iter().map(|x| x.map(f64::to_bits)))
                }
                _ => *col == joined,
            };
            assert!(same, "column {name}");
        }
    }
}
