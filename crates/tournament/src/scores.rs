//! A tournament's scores: per agent, per domain and head to head, kept as exact, mergeable
//! statistics (`bc_engine::stats`). They are the one scoring of a tournament: `scores.csv`, the
//! summary the command prints, a run directory's `stats.json`, `aggregates.json` and report, and
//! `backchannel merge` all read them, and the scores of shards `0..N` merged equal the unsharded
//! tournament's exactly.
//!
//! An agent's score counts every negotiation it took part in, once per seat it played; a
//! negotiation without agreement counts at the disagreement point. Distances that are undefined
//! (a domain without a Nash point) are left out of the distance means.

use std::fmt::Write as _;

use bc_engine::stats::{MergeError, Moments};
use bc_formats::json::float;
use serde::{Deserialize, Serialize};

use crate::Row;

/// What the tournament is: fixed for the whole tournament (and equal in every shard).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
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

/// Mergeable statistics of one agent (or, for [`Scores::domains`], of one domain).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AgentStats {
    /// Negotiations taken part in (per seat).
    pub n: u64,
    /// … ending in agreement.
    pub agreements: u64,
    /// … ended by a fault of this agent's side (for a domain: by any fault).
    pub faults: u64,
    /// Utility.
    pub utility: Moments,
    /// Advantage (utility minus disagreement utility).
    pub advantage: Moments,
    /// Welfare of its negotiations.
    pub welfare: Moments,
    /// Pareto distance of its negotiations (where defined).
    pub pareto_distance: Moments,
    /// Nash distance of its negotiations (where defined).
    pub nash_distance: Moments,
}

impl AgentStats {
    fn add_outcome(&mut self, r: &Row, fault: bool) {
        self.n += 1;
        self.agreements += u64::from(r.agreement.is_some());
        self.faults += u64::from(fault);
        self.welfare.add(r.welfare);
        if r.pareto_distance.is_finite() {
            self.pareto_distance.add(r.pareto_distance);
        }
        if r.nash_distance.is_finite() {
            self.nash_distance.add(r.nash_distance);
        }
    }

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

    /// Share of its negotiations that reached an agreement (NaN when it played none).
    pub fn agreement_rate(&self) -> f64 {
        if self.n == 0 {
            f64::NAN
        } else {
            self.agreements as f64 / self.n as f64
        }
    }
}

impl AgentStats {
    /// Means per negotiation (NaN each when it played none): agreement rate, utility, advantage,
    /// welfare, Pareto distance, Nash distance; the columns of the printed summary.
    pub fn means(&self) -> [f64; 6] {
        if self.n == 0 {
            return [f64::NAN; 6];
        }
        [
            self.agreement_rate(),
            self.utility.mean(),
            self.advantage.mean(),
            self.welfare.mean(),
            self.pareto_distance.mean(),
            self.nash_distance.mean(),
        ]
    }
}

/// The tournament's scores (`stats.json` of a `tournament` run directory).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    /// What the tournament is.
    pub spec: TournamentSpec,
    /// Negotiations folded in.
    pub negotiations: u64,
    /// Per agent, in [`TournamentSpec::agents`] order.
    pub agents: Vec<AgentStats>,
    /// Per domain: agreements, faults, welfare and distances.
    pub domains: Vec<AgentStats>,
    /// `head_to_head[a][b]`: utility of agent `a` in negotiations with agent `b` on another seat.
    pub head_to_head: Vec<Vec<Moments>>,
}

impl Scores {
    /// Empty scores for `spec`.
    pub fn new(spec: TournamentSpec) -> Scores {
        let na = spec.agents.len();
        Scores {
            negotiations: 0,
            agents: vec![AgentStats::default(); na],
            domains: vec![AgentStats::default(); spec.domains.len()],
            head_to_head: vec![vec![Moments::default(); na]; na],
            spec,
        }
    }

    /// The index of agent `name`, added (with empty scores) if it is new.
    pub fn agent(&mut self, name: &str) -> usize {
        if let Some(k) = self.spec.agents.iter().position(|a| a == name) {
            return k;
        }
        self.spec.agents.push(name.to_string());
        self.agents.push(AgentStats::default());
        for row in &mut self.head_to_head {
            row.push(Moments::default());
        }
        self.head_to_head.push(vec![Moments::default(); self.spec.agents.len()]);
        self.spec.agents.len() - 1
    }

    /// The index of domain `name`, added (with empty scores) if it is new.
    pub fn domain(&mut self, name: &str) -> usize {
        if let Some(k) = self.spec.domains.iter().position(|d| d == name) {
            return k;
        }
        self.spec.domains.push(name.to_string());
        self.domains.push(AgentStats::default());
        self.spec.domains.len() - 1
    }

    /// Folds in one negotiation.
    pub fn add(&mut self, r: &Row) {
        self.negotiations += 1;
        for (seat, &a) in r.agents.iter().enumerate() {
            let Some(st) = self.agents.get_mut(a) else { continue };
            let own_fault = r.fault.as_deref().is_some_and(|f| f.starts_with(&format!("party {seat}:")));
            st.add_outcome(r, own_fault);
            if let Some(&u) = r.utilities.get(seat) {
                st.utility.add(u);
            }
            if let Some(&v) = r.advantages.get(seat) {
                st.advantage.add(v);
            }
            for (other_seat, &b) in r.agents.iter().enumerate() {
                if other_seat != seat {
                    if let (Some(m), Some(&u)) = (self.head_to_head.get_mut(a).and_then(|row| row.get_mut(b)), r.utilities.get(seat)) {
                        m.add(u);
                    }
                }
            }
        }
        if let Some(d) = self.domains.get_mut(r.domain) {
            d.add_outcome(r, r.fault.is_some());
        }
    }

    /// Adds the scores of the next shard (exact: shards `0..N` merged equal the unsharded
    /// tournament's scores).
    pub fn merge(&mut self, o: Scores) -> Result<(), MergeError> {
        if o.spec != self.spec {
            return Err(MergeError("field \"spec\": expected the same agents, domains and settings in every shard".into()));
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

    /// Agents with their scores, best mean advantage first (ties: agent order): the order of
    /// `scores.csv` and of the command's summary.
    pub fn ranked(&self) -> Vec<(usize, &AgentStats)> {
        let mean = |s: &AgentStats| if s.n > 0 { s.advantage.mean() } else { f64::NEG_INFINITY };
        let mut v: Vec<(usize, &AgentStats)> = self.agents.iter().enumerate().collect();
        v.sort_by(|a, b| mean(b.1).partial_cmp(&mean(a.1)).unwrap_or(std::cmp::Ordering::Equal).then(a.0.cmp(&b.0)));
        v
    }

    /// The summary of `tournament --json` (and of the Python module's tournament): `meta`, an
    /// object, with `"agents"` added, each agent's [`AgentStats::means`] in [`Scores::ranked`]
    /// order.
    pub fn summary_json(&self, mut meta: serde_json::Value) -> serde_json::Value {
        let agents: Vec<serde_json::Value> = self
            .ranked()
            .into_iter()
            .map(|(a, s)| {
                let [agreement_rate, utility, advantage, welfare, pareto, nash] = s.means().map(float);
                serde_json::json!({
                    "agent": self.spec.agents.get(a).cloned().unwrap_or_default(),
                    "negotiations": s.n,
                    "agreement_rate": agreement_rate,
                    "utility": utility,
                    "advantage": advantage,
                    "welfare": welfare,
                    "pareto_distance": pareto,
                    "nash_distance": nash,
                    "faults": s.faults,
                })
            })
            .collect();
        if let Some(obj) = meta.as_object_mut() {
            obj.insert("agents".into(), serde_json::Value::Array(agents));
        }
        meta
    }

    /// The scores as CSV (means per negotiation), in [`Scores::ranked`] order.
    pub fn to_csv(&self) -> String {
        let mut out = String::from("agent,negotiations,agreement_rate,utility,advantage,welfare,pareto_distance,nash_distance,faults\n");
        for (a, s) in self.ranked() {
            let m = |x: f64| if s.n > 0 { num(x) } else { String::new() };
            let _ = writeln!(
                out,
                "{},{},{},{},{},{},{},{},{}",
                crate::output::csv_field(self.spec.agents.get(a).map_or("", |n| n.as_str())),
                s.n,
                m(s.agreement_rate()),
                m(s.utility.mean()),
                m(s.advantage.mean()),
                m(s.welfare.mean()),
                m(s.pareto_distance.mean()),
                m(s.nash_distance.mean()),
                s.faults
            );
        }
        out
    }
}

fn num(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else {
        format!("{x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(index: u64, agents: Vec<usize>, utilities: Vec<f64>, fault: Option<&str>) -> Row {
        Row {
            index,
            domain: 0,
            agents,
            profiles: vec![0, 1],
            repetition: 0,
            ending: "agreement",
            step: 3,
            n_offers: 3,
            agreement: Some(0),
            advantages: utilities.iter().map(|u| u - 0.25).collect(),
            welfare: utilities.iter().sum(),
            utilities,
            pareto_distance: 0.1,
            nash_distance: f64::NAN,
            fault: fault.map(str::to_string),
        }
    }

    fn spec() -> TournamentSpec {
        TournamentSpec {
            agents: vec!["a".into(), "b".into()],
            domains: vec!["d".into()],
            protocol: "sao".into(),
            parties: 2,
            steps: 10,
            repetitions: 1,
            seed: 0,
        }
    }

    #[test]
    fn shards_merge_to_the_whole_and_faults_are_the_faulting_sides() {
        let rows: Vec<Row> = (0..30)
            .map(|i| {
                row(
                    i,
                    vec![(i % 2) as usize, ((i / 2) % 2) as usize],
                    vec![0.1 * (i % 7) as f64, 0.3 + 0.01 * i as f64],
                    (i == 4).then_some("party 1: panicked"),
                )
            })
            .collect();
        let mut whole = Scores::new(spec());
        rows.iter().for_each(|r| whole.add(r));
        let mut merged = Scores::new(spec());
        for part in rows.chunks(7) {
            let mut s = Scores::new(spec());
            part.iter().for_each(|r| s.add(r));
            merged.merge(s).unwrap_or_else(|e| panic!("{e}"));
        }
        assert_eq!(serde_json::to_string(&merged).ok(), serde_json::to_string(&whole).ok());
        assert_eq!(merged.to_csv(), whole.to_csv());
        // Row 4 has agents (0, 0): party 1's fault is agent 0's, once; the domain counts it once.
        assert_eq!(whole.agents[0].faults, 1);
        assert_eq!(whole.agents[1].faults, 0);
        assert_eq!(whole.domains[0].faults, 1);
        // Undefined distances stay out of the means; defined ones are averaged.
        assert_eq!(whole.agents[0].nash_distance.n, 0);
        assert_eq!(whole.agents[0].pareto_distance.mean(), 0.1);
        assert!(whole.to_csv().lines().nth(1).is_some_and(|l| l.ends_with(",0.1,,1") || l.ends_with(",0.1,,0")));
        let mut other = spec();
        other.seed = 1;
        assert!(merged.merge(Scores::new(other)).is_err());
    }

    #[test]
    fn agents_and_domains_grow_when_rescoring() {
        let mut s = Scores::new(TournamentSpec::default());
        assert_eq!(s.agent("x"), 0);
        assert_eq!(s.agent("y"), 1);
        assert_eq!(s.agent("x"), 0);
        assert_eq!(s.domain("d"), 0);
        s.add(&row(0, vec![1, 0], vec![0.5, 0.75], None));
        assert_eq!(s.head_to_head[1][0].mean(), 0.5);
        assert_eq!(s.head_to_head[0][1].mean(), 0.75);
        assert_eq!(s.ranked()[0].0, 0, "x has the larger advantage");
    }
}
