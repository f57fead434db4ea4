//! A tournament as a `bc_engine::Study`: one job per negotiation, its row folded into the
//! [`Scores`], its record cells, and its lines of the tournament's own `results.csv` and
//! `results.jsonl` (concatenated across shards). `--dry-run` times negotiations of at most
//! [`DRY_RUN_STEPS`] rounds and scales them to the round limit.

use bc_engine::record::{Cell, Column, ColumnType};
use bc_engine::{Job, Study};

use crate::{csv_header, csv_line, jsonl_line, Row, Scores, Tournament, TournamentSpec};

/// Rounds of the negotiations `--dry-run` times (then scales to the round limit).
pub const DRY_RUN_STEPS: u64 = 1_000;

/// The record columns of a tournament's negotiations.
pub fn columns(spec: &TournamentSpec) -> Vec<Column> {
    let mut c =
        vec![Column::new("index", ColumnType::Int), Column::new("domain", ColumnType::Text), Column::new("repetition", ColumnType::Int)];
    for p in 0..spec.parties {
        c.push(Column::new(format!("agent_{p}"), ColumnType::Text));
        c.push(Column::new(format!("profile_{p}"), ColumnType::Int));
    }
    c.extend([
        Column::new("ending", ColumnType::Text),
        Column::new("step", ColumnType::Int),
        Column::new("agreement", ColumnType::Bool),
        Column::new("outcome", ColumnType::Text),
    ]);
    for p in 0..spec.parties {
        c.push(Column::new(format!("utility_{p}"), ColumnType::Float));
    }
    for p in 0..spec.parties {
        c.push(Column::new(format!("advantage_{p}"), ColumnType::Float));
    }
    c.extend([
        Column::new("welfare", ColumnType::Float),
        Column::new("pareto_distance", ColumnType::Float),
        Column::new("nash_distance", ColumnType::Float),
        Column::new("fault", ColumnType::Text),
    ]);
    c
}

/// A negotiation as record cells (in [`columns`] order).
pub fn cells(t: &Tournament, r: &Row) -> Vec<Cell> {
    let domain = t.domains.get(r.domain);
    let outcome = match (r.agreement, domain) {
        (Some(o), Some(d)) => d.space.value_names(&d.space.outcome_at(o)).join(";"),
        _ => String::new(),
    };
    let mut c = vec![Cell::from(r.index), Cell::from(domain.map(|d| d.name.clone()).unwrap_or_default()), Cell::from(r.repetition)];
    for p in 0..t.n_parties {
        c.push(Cell::from(r.agents.get(p).and_then(|&a| t.agents.get(a)).map(|a| a.to_string()).unwrap_or_default()));
        c.push(Cell::from(r.profiles.get(p).copied().unwrap_or(0)));
    }
    c.extend([Cell::from(r.ending), Cell::from(r.step), Cell::from(r.agreement.is_some()), Cell::from(outcome)]);
    for p in 0..t.n_parties {
        c.push(Cell::from(r.utilities.get(p).copied().unwrap_or(f64::NAN)));
    }
    for p in 0..t.n_parties {
        c.push(Cell::from(r.advantages.get(p).copied().unwrap_or(f64::NAN)));
    }
    c.extend([
        Cell::from(r.welfare),
        Cell::from(r.pareto_distance),
        Cell::from(r.nash_distance),
        Cell::from(r.fault.clone().unwrap_or_default()),
    ]);
    c
}

impl Study for Tournament {
    type Scratch = ();
    type Record = Row;
    type Stats = Scores;

    fn kind(&self) -> &'static str {
        "tournament"
    }
    fn jobs(&self) -> u64 {
        self.n_jobs()
    }
    fn unit(&self) -> &'static str {
        "negotiations"
    }
    fn columns(&self) -> Vec<Column> {
        columns(&self.spec())
    }
    fn scratch(&self) {}
    fn run(&self, _: &mut (), i: u64, detail: bool) -> Job<Row> {
        let row = self.run_job(i);
        if !detail {
            return Job::record(row);
        }
        let (mut csv, mut jsonl) = (String::new(), String::new());
        csv_line(self, &row, &mut csv);
        jsonl_line(self, &row, &mut jsonl);
        Job { rows: vec![cells(self, &row)], events: Vec::new(), files: vec![csv, jsonl], record: row }
    }
    fn stats(&self, _: u64) -> Scores {
        Scores::new(self.spec())
    }
    fn fold(&self, scores: &mut Scores, row: &Row) {
        scores.add(row);
    }
    fn concatenated(&self) -> Vec<(&'static str, String)> {
        vec![("results.csv", csv_header(self.n_parties)), ("results.jsonl", String::new())]
    }
    fn calibration(&self) -> Option<(Tournament, f64, String)> {
        let mut small = self.clone();
        small.n_steps = self.n_steps.min(DRY_RUN_STEPS);
        let factor = self.n_steps as f64 / small.n_steps.max(1) as f64;
        let what = format!("negotiations of {} rounds", small.n_steps);
        Some((small, factor, what))
    }
}
