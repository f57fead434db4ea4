//! The `tournament` study: one record per negotiation, exact mergeable per-agent and per-domain
//! statistics, and a report with the ranking, scores with intervals and a head-to-head table.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json};

use crate::html::{self, charts, escape, pct};
use crate::records::{Cell, Column, ColumnType};
use crate::stats::{wilson, Moments};
use crate::study::{ReportInfo, Study};

/// What the tournament is: fixed for the whole study.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TournamentSpec {
    /// Agent names, in the tournament's order.
    pub agents: Vec<String>,
    /// Domain names.
    pub domains: Vec<String>,
    /// Protocol name.
    pub protocol: String,
    /// Parties per negotiation.
    pub parties: usize,
    /// Round limit.
    pub steps: u64,
    /// Repetitions.
    pub repetitions: u64,
    /// Master seed.
    pub seed: u64,
}

/// One negotiation, as plain data.
#[derive(Clone, Debug, PartialEq)]
pub struct NegotiationRow {
    /// Job index.
    pub index: u64,
    /// Domain index.
    pub domain: usize,
    /// Agent index per party.
    pub agents: Vec<usize>,
    /// Profile index per party.
    pub profiles: Vec<usize>,
    /// Repetition.
    pub repetition: u64,
    /// How it ended (agreement, timeout, fault, …).
    pub ending: String,
    /// Final step.
    pub step: u64,
    /// Whether an agreement was reached.
    pub agreement: bool,
    /// The agreement's value names, joined (empty without one).
    pub outcome: String,
    /// Utility per party.
    pub utilities: Vec<f64>,
    /// Advantage (utility above reservation) per party.
    pub advantages: Vec<f64>,
    /// Welfare.
    pub welfare: f64,
    /// Distance to the Pareto frontier.
    pub pareto_distance: f64,
    /// Distance to the Nash point.
    pub nash_distance: f64,
    /// A strategy fault, if any.
    pub fault: Option<String>,
}

/// Mergeable statistics of one agent.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AgentStats {
    /// Negotiations taken part in (per seat).
    pub n: u64,
    /// … ending in agreement.
    pub agreements: u64,
    /// … with a fault of this agent's side.
    pub faults: u64,
    /// Utility.
    pub utility: Moments,
    /// Advantage.
    pub advantage: Moments,
    /// Welfare of its negotiations.
    pub welfare: Moments,
    /// Pareto distance of its negotiations.
    pub pareto_distance: Moments,
    /// Nash distance of its negotiations.
    pub nash_distance: Moments,
}

impl AgentStats {
    fn merge(&mut self, o: &AgentStats) {
        self.n += o.n;
        self.agreements += o.agreements;
        self.faults += o.faults;
        self.utility.merge(&o.utility);
        self.advantage.merge(&o.advantage);
        self.welfare.merge(&o.welfare);
        self.pareto_distance.merge(&o.pareto_distance);
        self.nash_distance.merge(&o.nash_distance);
    }
}

/// The tournament's mergeable statistics (`stats.json` of a `tournament` directory).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TournamentStudy {
    /// What the tournament is.
    pub spec: TournamentSpec,
    /// Negotiations folded in.
    pub negotiations: u64,
    /// Per agent.
    pub agents: Vec<AgentStats>,
    /// Per domain: agreements and welfare.
    pub domains: Vec<AgentStats>,
    /// `head_to_head[a][b]`: utility of agent `a` in negotiations with agent `b` on another seat.
    pub head_to_head: Vec<Vec<Moments>>,
}

impl TournamentStudy {
    /// Empty statistics for `spec`.
    pub fn new(spec: TournamentSpec) -> TournamentStudy {
        let na = spec.agents.len();
        TournamentStudy {
            negotiations: 0,
            agents: vec![AgentStats::default(); na],
            domains: vec![AgentStats::default(); spec.domains.len()],
            head_to_head: vec![vec![Moments::default(); na]; na],
            spec,
        }
    }

    /// The record columns.
    pub fn columns(&self) -> Vec<Column> {
        let mut c = vec![
            Column::new("index", ColumnType::Int),
            Column::new("domain", ColumnType::Text),
            Column::new("repetition", ColumnType::Int),
        ];
        for p in 0..self.spec.parties {
            c.push(Column::new(format!("agent_{p}"), ColumnType::Text));
            c.push(Column::new(format!("profile_{p}"), ColumnType::Int));
        }
        c.extend([
            Column::new("ending", ColumnType::Text),
            Column::new("step", ColumnType::Int),
            Column::new("agreement", ColumnType::Bool),
            Column::new("outcome", ColumnType::Text),
        ]);
        for p in 0..self.spec.parties {
            c.push(Column::new(format!("utility_{p}"), ColumnType::Float));
        }
        for p in 0..self.spec.parties {
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

    /// A negotiation as record cells.
    pub fn cells(&self, r: &NegotiationRow) -> Vec<Cell> {
        let s = &self.spec;
        let mut c = vec![Cell::from(r.index), Cell::from(s.domains.get(r.domain).cloned().unwrap_or_default()), Cell::from(r.repetition)];
        for p in 0..s.parties {
            c.push(Cell::from(r.agents.get(p).and_then(|&a| s.agents.get(a)).cloned().unwrap_or_default()));
            c.push(Cell::from(r.profiles.get(p).copied().unwrap_or(0)));
        }
        c.extend([Cell::from(r.ending.as_str()), Cell::from(r.step), Cell::from(r.agreement), Cell::from(r.outcome.as_str())]);
        for p in 0..s.parties {
            c.push(Cell::from(r.utilities.get(p).copied().unwrap_or(f64::NAN)));
        }
        for p in 0..s.parties {
            c.push(Cell::from(r.advantages.get(p).copied().unwrap_or(f64::NAN)));
        }
        c.extend([Cell::from(r.welfare), Cell::from(r.pareto_distance), Cell::from(r.nash_distance), Cell::from(r.fault.clone().unwrap_or_default())]);
        c
    }

    /// Folds in one negotiation.
    pub fn add(&mut self, r: &NegotiationRow) {
        self.negotiations += 1;
        for (seat, &a) in r.agents.iter().enumerate() {
            let Some(st) = self.agents.get_mut(a) else { continue };
            st.n += 1;
            st.agreements += u64::from(r.agreement);
            st.faults += u64::from(r.fault.is_some());
            if let Some(&u) = r.utilities.get(seat) {
                st.utility.add(u);
            }
            if let Some(&v) = r.advantages.get(seat) {
                st.advantage.add(v);
            }
            st.welfare.add(r.welfare);
            st.pareto_distance.add(r.pareto_distance);
            st.nash_distance.add(r.nash_distance);
            for (other_seat, &b) in r.agents.iter().enumerate() {
                if other_seat != seat {
                    if let (Some(row), Some(&u)) = (self.head_to_head.get_mut(a), r.utilities.get(seat)) {
                        if let Some(m) = row.get_mut(b) {
                            m.add(u);
                        }
                    }
                }
            }
        }
        if let Some(d) = self.domains.get_mut(r.domain) {
            d.n += 1;
            d.agreements += u64::from(r.agreement);
            d.faults += u64::from(r.fault.is_some());
            d.welfare.add(r.welfare);
            d.pareto_distance.add(r.pareto_distance);
            d.nash_distance.add(r.nash_distance);
        }
    }

    /// Agents ranked by mean utility (ties by name).
    pub fn ranking(&self) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..self.agents.len()).collect();
        idx.sort_by(|&a, &b| {
            let (ua, ub) = (self.agents[a].utility.mean(), self.agents[b].utility.mean());
            ub.total_cmp(&ua).then_with(|| self.spec.agents[a].cmp(&self.spec.agents[b]))
        });
        idx
    }
}

fn num(x: f64) -> Json {
    serde_json::Number::from_f64(x).map_or(Json::Null, Json::Number)
}

fn est(m: &Moments) -> Json {
    let e = m.estimate();
    json!({"mean": num(e.value), "lo": num(e.lo), "hi": num(e.hi)})
}

impl Study for TournamentStudy {
    const KIND: &'static str = "tournament";

    fn merge(&mut self, o: TournamentStudy) -> Result<(), String> {
        if o.spec != self.spec {
            return Err("field \"spec\": expected the same agents, domains and settings in every shard".into());
        }
        self.negotiations += o.negotiations;
        for (a, b) in self.agents.iter_mut().zip(&o.agents) {
            a.merge(b);
        }
        for (a, b) in self.domains.iter_mut().zip(&o.domains) {
            a.merge(b);
        }
        for (ra, rb) in self.head_to_head.iter_mut().zip(&o.head_to_head) {
            for (a, b) in ra.iter_mut().zip(rb) {
                a.merge(b);
            }
        }
        Ok(())
    }

    fn aggregates(&self) -> Json {
        let agents: Vec<Json> = self
            .ranking()
            .into_iter()
            .enumerate()
            .map(|(rank, a)| {
                let s = &self.agents[a];
                json!({
                    "rank": rank + 1,
                    "agent": self.spec.agents[a],
                    "negotiations": s.n,
                    "agreement_rate": num(wilson(s.agreements, s.n).value),
                    "faults": s.faults,
                    "utility": est(&s.utility),
                    "advantage": est(&s.advantage),
                    "welfare": est(&s.welfare),
                    "pareto_distance": est(&s.pareto_distance),
                    "nash_distance": est(&s.nash_distance),
                })
            })
            .collect();
        let domains: Vec<Json> = self
            .spec
            .domains
            .iter()
            .zip(&self.domains)
            .map(|(name, d)| json!({"domain": name, "negotiations": d.n, "agreement_rate": num(wilson(d.agreements, d.n).value), "welfare": est(&d.welfare), "pareto_distance": est(&d.pareto_distance)}))
            .collect();
        let h2h: Vec<Vec<Json>> = self.head_to_head.iter().map(|r| r.iter().map(|m| num(m.mean())).collect()).collect();
        json!({
            "negotiations": self.negotiations,
            "protocol": self.spec.protocol,
            "seed": self.spec.seed,
            "agents": agents,
            "domains": domains,
            "head_to_head": {"agents": self.spec.agents, "mean_utility": h2h},
        })
    }

    fn title(&self, _: &ReportInfo) -> String {
        format!("Tournament: {} agents, {} domains", self.spec.agents.len(), self.spec.domains.len())
    }

    fn report(&self, _: &ReportInfo) -> String {
        let s = &self.spec;
        let rank = self.ranking();
        let mut out = String::new();
        let _ = writeln!(out, "<header>\n<h1>Tournament of {} negotiation strategies</h1>", s.agents.len());
        let _ = writeln!(
            out,
            "<p class=\"meta\">{} negotiations: protocol {}, {} parties, up to {} rounds, {} repetition(s), on {}.</p>",
            self.negotiations,
            escape(&s.protocol),
            s.parties,
            s.steps,
            s.repetitions,
            escape(&s.domains.join(", "))
        );
        if let Some(&best) = rank.first() {
            let b = &self.agents[best];
            let e = b.utility.estimate();
            let _ = writeln!(
                out,
                "<p class=\"headline\">The best-scoring strategy is <b>{}</b>: mean utility {:.3} (95% interval {:.3}–{:.3}), agreeing in {} of its negotiations.</p>\n</header>",
                escape(&s.agents[best]),
                e.value,
                e.lo,
                e.hi,
                pct(wilson(b.agreements, b.n).value)
            );
        }
        let items: Vec<charts::Interval> = rank
            .iter()
            .map(|&a| {
                let e = self.agents[a].utility.estimate();
                charts::Interval { label: s.agents[a].clone(), value: e.value, lo: e.lo, hi: e.hi }
            })
            .collect();
        let lo = items.iter().map(|i| i.lo).filter(|x| x.is_finite()).fold(0.0f64, f64::min);
        let hi = items.iter().map(|i| i.hi).filter(|x| x.is_finite()).fold(1.0f64, f64::max);
        let mut body = html::figure(
            "chart-scores",
            "Mean utility per strategy",
            &charts::value_bars(&items, (lo, hi), "mean utility obtained (bar) with its 95% interval (whisker)", true),
            "Each strategy's average utility over all its negotiations and seats; higher is better for the strategy itself.",
        );
        let rows: Vec<Vec<String>> = rank
            .iter()
            .enumerate()
            .map(|(k, &a)| {
                let st = &self.agents[a];
                vec![
                    (k + 1).to_string(),
                    s.agents[a].clone(),
                    st.n.to_string(),
                    format!("{:.3}", st.utility.mean()),
                    format!("{:.3}", st.advantage.mean()),
                    pct(wilson(st.agreements, st.n).value),
                    format!("{:.3}", st.welfare.mean()),
                    format!("{:.3}", st.pareto_distance.mean()),
                    format!("{:.3}", st.nash_distance.mean()),
                    st.faults.to_string(),
                ]
            })
            .collect();
        body.push_str(&html::table(&["rank", "strategy", "negotiations", "utility", "advantage", "agreement rate", "welfare", "Pareto distance", "Nash distance", "faults"], &rows));
        out.push_str(&html::section("ranking", "Ranking", "Strategies ordered by the mean utility they obtained.", &body));
        let header: Vec<String> = std::iter::once("strategy \\ against".to_string()).chain(rank.iter().map(|&b| s.agents[b].clone())).collect();
        let header_refs: Vec<&str> = header.iter().map(String::as_str).collect();
        let rows: Vec<Vec<String>> = rank
            .iter()
            .map(|&a| {
                std::iter::once(s.agents[a].clone())
                    .chain(rank.iter().map(|&b| {
                        let m = &self.head_to_head[a][b];
                        if m.n == 0 { "–".into() } else { format!("{:.3}", m.mean()) }
                    }))
                    .collect()
            })
            .collect();
        out.push_str(&html::section("head-to-head", "Head to head", "Mean utility of the row strategy when negotiating against the column strategy.", &html::table(&header_refs, &rows)));
        let rows: Vec<Vec<String>> = s
            .domains
            .iter()
            .zip(&self.domains)
            .map(|(name, d)| vec![name.clone(), d.n.to_string(), pct(wilson(d.agreements, d.n).value), format!("{:.3}", d.welfare.mean()), format!("{:.3}", d.pareto_distance.mean())])
            .collect();
        out.push_str(&html::section("domains", "Domains", "How hard each domain was for the field.", &html::table(&["domain", "negotiations", "agreement rate", "welfare", "Pareto distance"], &rows)));
        out
    }
}
