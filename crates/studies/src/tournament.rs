//! The `tournament` study: the tournament crate's [`Scores`] as a run directory's statistics,
//! one record per negotiation, the aggregates (ranking, per-agent and per-domain estimates, head
//! to head) and a report with the ranking, scores with intervals and a head-to-head table.

use std::fmt::Write as _;

use bc_engine::stats::{wilson, Moments};
use bc_report::html::{self, charts, escape, pct};
use bc_report::study::{ReportInfo, Study};
pub use bc_tournament::study::{cells, columns};
use bc_tournament::Scores;
use serde_json::{json, Value as Json};

use crate::Stats;

/// Agents ranked by mean utility (ties by name): the report's and `aggregates.json`'s order.
fn ranking(s: &Scores) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..s.agents.len()).collect();
    idx.sort_by(|&a, &b| {
        let (ua, ub) = (s.agents[a].utility.mean(), s.agents[b].utility.mean());
        ub.total_cmp(&ua).then_with(|| s.spec.agents[a].cmp(&s.spec.agents[b]))
    });
    idx
}

fn num(x: f64) -> Json {
    serde_json::Number::from_f64(x).map_or(Json::Null, Json::Number)
}

fn est(m: &Moments) -> Json {
    let e = m.estimate();
    json!({"mean": num(e.value), "lo": num(e.lo), "hi": num(e.hi)})
}

impl Study for Stats<Scores> {
    const KIND: &'static str = "tournament";

    fn merge(&mut self, next: Stats<Scores>) -> Result<(), String> {
        Scores::merge(&mut self.0, next.0).map_err(|e| e.to_string())
    }

    fn files(&self) -> Vec<(&'static str, String)> {
        vec![("scores.csv", self.to_csv())]
    }

    fn aggregates(&self) -> Json {
        let agents: Vec<Json> = ranking(self)
            .into_iter()
            .enumerate()
            .map(|(rank, a)| {
                let s = &self.agents[a];
                json!({
                    "rank": rank + 1,
                    "agent": self.spec.agents[a],
                    "negotiations": s.n,
                    "agreement_rate": num(wilson(s.agreements, s.n).p),
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
            .map(|(name, d)| json!({"domain": name, "negotiations": d.n, "agreement_rate": num(wilson(d.agreements, d.n).p), "welfare": est(&d.welfare), "pareto_distance": est(&d.pareto_distance)}))
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
        let rank = ranking(self);
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
                pct(wilson(b.agreements, b.n).p)
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
                    pct(wilson(st.agreements, st.n).p),
                    format!("{:.3}", st.welfare.mean()),
                    format!("{:.3}", st.pareto_distance.mean()),
                    format!("{:.3}", st.nash_distance.mean()),
                    st.faults.to_string(),
                ]
            })
            .collect();
        body.push_str(&html::table(
            &[
                "rank",
                "strategy",
                "negotiations",
                "utility",
                "advantage",
                "agreement rate",
                "welfare",
                "Pareto distance",
                "Nash distance",
                "faults",
            ],
            &rows,
        ));
        out.push_str(&html::section("ranking", "Ranking", "Strategies ordered by the mean utility they obtained.", &body));
        let header: Vec<String> =
            std::iter::once("strategy \\ against".to_string()).chain(rank.iter().map(|&b| s.agents[b].clone())).collect();
        let header_refs: Vec<&str> = header.iter().map(String::as_str).collect();
        let rows: Vec<Vec<String>> = rank
            .iter()
            .map(|&a| {
                std::iter::once(s.agents[a].clone())
                    .chain(rank.iter().map(|&b| {
                        let m = &self.head_to_head[a][b];
                        if m.n == 0 {
                            "–".into()
                        } else {
                            format!("{:.3}", m.mean())
                        }
                    }))
                    .collect()
            })
            .collect();
        out.push_str(&html::section(
            "head-to-head",
            "Head to head",
            "Mean utility of the row strategy when negotiating against the column strategy.",
            &html::table(&header_refs, &rows),
        ));
        let rows: Vec<Vec<String>> = s
            .domains
            .iter()
            .zip(&self.domains)
            .map(|(name, d)| {
                vec![
                    name.clone(),
                    d.n.to_string(),
                    pct(wilson(d.agreements, d.n).p),
                    format!("{:.3}", d.welfare.mean()),
                    format!("{:.3}", d.pareto_distance.mean()),
                ]
            })
            .collect();
        out.push_str(&html::section(
            "domains",
            "Domains",
            "How hard each domain was for the field.",
            &html::table(&["domain", "negotiations", "agreement rate", "welfare", "Pareto distance"], &rows),
        ));
        out
    }
}
