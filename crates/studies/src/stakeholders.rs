//! The `stakeholders` study: one stakeholder-model run (KTAB's SMP or BDM) as records (one row
//! per actor and turn), aggregates (positions and winning probabilities per turn) and a report
//! with each dimension's position history. A single deterministic run: not sharded.

use std::fmt::Write as _;

use bc_report::html::{self, charts, escape, pct};
use bc_report::records::{Cell, Column, ColumnType};
use bc_report::study::{ReportInfo, Study};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json};

/// One actor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActorInfo {
    /// Name.
    pub name: String,
    /// Capability (power).
    pub capability: f64,
    /// Salience per dimension (0–100).
    pub salience: Vec<f64>,
}

/// A stakeholder run (`stats.json` of a `stakeholders` directory).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StakeholderStudy {
    /// Scenario name.
    pub scenario: String,
    /// Model (`smp` or `bdm`).
    pub model: String,
    /// Dimension names.
    pub dimensions: Vec<String>,
    /// Actors.
    pub actors: Vec<ActorInfo>,
    /// `positions[turn][actor][dimension]` on the 0–100 scale, from turn 0.
    pub positions: Vec<Vec<Vec<f64>>>,
    /// `win_probabilities[turn][actor]` (empty where the model has none).
    pub win_probabilities: Vec<Vec<f64>>,
    /// The forecast outcome per dimension (0–100).
    pub forecast: Vec<f64>,
    /// True for the embedded illustrative scenario.
    pub illustrative: bool,
}

impl StakeholderStudy {
    /// The record columns: turn, actor, winning probability, one position per dimension.
    pub fn columns(&self) -> Vec<Column> {
        let mut c = vec![
            Column::new("turn", ColumnType::Int),
            Column::new("actor", ColumnType::Text),
            Column::nullable("win_probability", ColumnType::Float),
        ];
        for (d, name) in self.dimensions.iter().enumerate() {
            let id: String = name.chars().map(|ch| if ch.is_ascii_alphanumeric() { ch.to_ascii_lowercase() } else { '_' }).collect();
            c.push(Column::new(format!("position_{d}_{id}"), ColumnType::Float));
        }
        c
    }

    /// Every record, turn by turn, actor by actor.
    pub fn rows(&self) -> impl Iterator<Item = Vec<Cell>> + '_ {
        self.positions.iter().enumerate().flat_map(move |(t, actors)| {
            actors.iter().enumerate().map(move |(a, pos)| {
                let mut row = vec![
                    Cell::from(t),
                    Cell::from(self.actors.get(a).map_or(String::new(), |x| x.name.clone())),
                    Cell::from(self.win_probabilities.get(t).and_then(|w| w.get(a)).copied()),
                ];
                row.extend(pos.iter().map(|&x| Cell::from(x)));
                row
            })
        })
    }
}

/// A stakeholder run as a `bc_engine::Study` of one job: the run is deterministic and computed
/// by the model before (`bc_stakeholders`), so the job gives its records and the statistics are
/// the run itself.
impl bc_engine::Study for StakeholderStudy {
    type Scratch = ();
    type Record = ();
    type Stats = StakeholderStudy;

    fn kind(&self) -> &'static str {
        "stakeholders"
    }
    fn jobs(&self) -> u64 {
        1
    }
    fn unit(&self) -> &'static str {
        "runs"
    }
    fn columns(&self) -> Vec<Column> {
        StakeholderStudy::columns(self)
    }
    fn scratch(&self) {}
    fn run(&self, _: &mut (), _: u64, detail: bool) -> bc_engine::Job<()> {
        let mut job = bc_engine::Job::record(());
        if detail {
            job.rows = self.rows().collect();
        }
        job
    }
    fn stats(&self, _: u64) -> StakeholderStudy {
        self.clone()
    }
    fn fold(&self, _: &mut StakeholderStudy, _: &()) {}
    fn parallel(&self) -> bool {
        false
    }
}

impl Study for StakeholderStudy {
    const KIND: &'static str = "stakeholders";

    fn merge(&mut self, _: StakeholderStudy) -> Result<(), String> {
        Err("a stakeholder run is one deterministic run and is not sharded: expected a single directory".into())
    }

    fn aggregates(&self) -> Json {
        let actors: Vec<Json> = self
            .actors
            .iter()
            .enumerate()
            .map(|(a, x)| {
                json!({
                    "name": x.name,
                    "capability": x.capability,
                    "salience": x.salience,
                    "positions": self.positions.iter().map(|t| t.get(a).cloned().unwrap_or_default()).collect::<Vec<_>>(),
                    "win_probabilities": self.win_probabilities.iter().map(|t| t.get(a).copied()).collect::<Vec<_>>(),
                })
            })
            .collect();
        json!({
            "scenario": self.scenario,
            "model": self.model,
            "dimensions": self.dimensions,
            "turns": self.positions.len().saturating_sub(1),
            "actors": actors,
            "forecast": self.forecast,
        })
    }

    fn title(&self, _: &ReportInfo) -> String {
        format!("Stakeholders: {}", self.scenario)
    }

    fn report(&self, _: &ReportInfo) -> String {
        let mut out = String::new();
        let turns = self.positions.len().saturating_sub(1);
        let _ = writeln!(out, "<header>\n<h1>{}</h1>", escape(&format!("Where the stakeholders end up: {}", self.scenario)));
        let model = if self.model == "bdm" { "Bueno de Mesquita's expected-utility model" } else { "KTAB's Spatial Model of Politics" };
        let _ = writeln!(
            out,
            "<p class=\"meta\">{} actors on {} dimensions; {model}; {turns} turns.</p>",
            self.actors.len(),
            self.dimensions.len()
        );
        let fc: Vec<String> = self.dimensions.iter().zip(&self.forecast).map(|(d, x)| format!("<b>{}</b> at {x:.0}", escape(d))).collect();
        let _ = writeln!(out, "<p class=\"headline\">The forecast settles {} (on each dimension's 0–100 scale).</p>", fc.join(", "));
        if self.illustrative {
            let _ = writeln!(out, "<p class=\"caveat\"><b>Illustrative numbers.</b> The embedded scenario's positions, saliences and capabilities are hand-set to show how the model works, each with its reason in the scenario file; they are not estimates from data or experts.</p>");
        }
        out.push_str("</header>\n");
        for (d, name) in self.dimensions.iter().enumerate() {
            let lines: Vec<charts::Line> = self
                .actors
                .iter()
                .enumerate()
                .map(|(a, x)| charts::Line {
                    name: x.name.clone(),
                    points: self
                        .positions
                        .iter()
                        .enumerate()
                        .filter_map(|(t, s)| s.get(a).and_then(|p| p.get(d)).map(|&v| (t as f64, v)))
                        .collect(),
                })
                .collect();
            let body = html::figure(
                &format!("chart-positions-{d}"),
                &format!("Positions on {name}"),
                &charts::lines(&lines, (0.0, 100.0), "turn", "position (0–100)"),
                &format!("Each actor's position on {name}, turn by turn, as challenges and bargains move them; where the lines settle is the forecast ({:.0}).", self.forecast.get(d).copied().unwrap_or(f64::NAN)),
            );
            out.push_str(&html::section(&format!("dimension-{d}"), name, "Position history of every actor.", &body));
        }
        if self.win_probabilities.iter().any(|w| !w.is_empty()) {
            let lines: Vec<charts::Line> = self
                .actors
                .iter()
                .enumerate()
                .map(|(a, x)| charts::Line {
                    name: x.name.clone(),
                    points: self.win_probabilities.iter().enumerate().filter_map(|(t, w)| w.get(a).map(|&v| (t as f64, v))).collect(),
                })
                .collect();
            let body = html::figure(
                "chart-win-probabilities",
                "Chance that each actor's position prevails",
                &charts::lines(&lines, (0.0, 1.0), "turn", "winning probability"),
                "The model's probability that each actor's current position would win a vote among all positions, turn by turn.",
            );
            out.push_str(&html::section("winning", "Winning probabilities", "Who is gaining ground.", &body));
        }
        let rows: Vec<Vec<String>> = self
            .actors
            .iter()
            .enumerate()
            .map(|(a, x)| {
                let mut r = vec![x.name.clone(), format!("{:.1}", x.capability)];
                if let Some(first) = self.positions.first().and_then(|p| p.get(a)) {
                    r.push(first.iter().map(|v| format!("{v:.0}")).collect::<Vec<_>>().join(" / "));
                }
                if let Some(last) = self.positions.last().and_then(|p| p.get(a)) {
                    r.push(last.iter().map(|v| format!("{v:.0}")).collect::<Vec<_>>().join(" / "));
                }
                r.push(self.win_probabilities.last().and_then(|w| w.get(a)).map_or("–".into(), |&p| pct(p)));
                r
            })
            .collect();
        out.push_str(&html::section(
            "actors",
            "Actors",
            "Starting and final positions (dimensions in the order above).",
            &html::table(&["actor", "capability", "start", "end", "final P(win)"], &rows),
        ));
        out
    }
}
