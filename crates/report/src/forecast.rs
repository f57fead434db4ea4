//! The `run` study: a Monte Carlo forecast of the backchannel model. Per-run rows
//! ([`RunRow`], mapped by the binary from the diplomacy crate's job records) are written as
//! records and folded into exact, mergeable statistics ([`ForecastStudy`]); aggregates follow
//! the keys and formulas of `backchannel run --json` (Wilson intervals, normal intervals of
//! paired differences, quartile-split sensitivity), and the report shows them as charts.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json};

use crate::estimate::group;
use crate::html::{self, charts, escape, pct, pts};
use crate::records::{Cell, Column, ColumnType};
use crate::stats::{wilson, Bins, Estimate, ExactSum, IntHistogram, Moments, Z95};
use crate::study::{ReportInfo, Study};

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeClass {
    /// Every step implemented.
    Comprehensive,
    /// Some steps implemented by the horizon.
    Partial,
    /// A party left the talks.
    Collapse,
    /// Nothing implemented by the horizon.
    Drift,
}

impl OutcomeClass {
    /// All classes in report order.
    pub const ALL: [OutcomeClass; 4] = [OutcomeClass::Comprehensive, OutcomeClass::Partial, OutcomeClass::Collapse, OutcomeClass::Drift];

    /// The class's name in records and JSON.
    pub fn name(self) -> &'static str {
        match self {
            OutcomeClass::Comprehensive => "comprehensive",
            OutcomeClass::Partial => "partial",
            OutcomeClass::Collapse => "collapse",
            OutcomeClass::Drift => "drift",
        }
    }

    /// What the class means, for people.
    pub fn meaning(self) -> &'static str {
        match self {
            OutcomeClass::Comprehensive => "comprehensive deal: every step agreed and implemented",
            OutcomeClass::Partial => "partial deal: some steps implemented by the end",
            OutcomeClass::Collapse => "collapse: a side walked out of the talks",
            OutcomeClass::Drift => "drift: still talking at the end, nothing implemented",
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    /// Comprehensive or partial.
    pub fn is_agreement(self) -> bool {
        matches!(self, OutcomeClass::Comprehensive | OutcomeClass::Partial)
    }
}

/// A paired counterfactual's identity.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CounterfactualSpec {
    /// Short id (`direct`, `grand_bargain`, `without_<spoiler>`).
    pub id: String,
    /// What the difference compares, e.g. "mediated (Pakistan) − direct talks".
    pub label: String,
    /// True when the difference is scenario − counterfactual, false for the reverse.
    pub scenario_first: bool,
}

/// What the forecast is of: fixed for the whole study.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ForecastSpec {
    /// Scenario name.
    pub scenario: String,
    /// Variant applied, if any.
    pub variant: Option<String>,
    /// Where the scenario came from (file or "embedded").
    pub source: String,
    /// What a round is (e.g. "week").
    pub round_unit: String,
    /// Rounds in a run.
    pub horizon: u32,
    /// Party ids (record columns, JSON).
    pub parties: Vec<String>,
    /// Party names for people (same order; empty: the ids are used).
    #[serde(default)]
    pub party_names: Vec<String>,
    /// The mediator's name, if talks are mediated.
    pub mediator: Option<String>,
    /// Paths of the uncertain parameters.
    pub uncertain: Vec<String>,
    /// The paired counterfactuals.
    pub counterfactuals: Vec<CounterfactualSpec>,
    /// True when the scenario's numbers are illustrative (the embedded default).
    pub illustrative: bool,
    /// Master seed.
    pub seed: u64,
}

/// One run, as plain data.
#[derive(Clone, Debug, PartialEq)]
pub struct RunRow {
    /// Run index.
    pub run: u64,
    /// Outcome class.
    pub outcome: OutcomeClass,
    /// Rounds played.
    pub rounds: u32,
    /// Round of the first implemented step.
    pub first_step_round: Option<u32>,
    /// Steps implemented.
    pub steps_implemented: u32,
    /// Agreements reached.
    pub agreements: u32,
    /// Spoiler strikes.
    pub strikes: u32,
    /// Setbacks (strikes and observed defections).
    pub setbacks: u32,
    /// Kept talking after the first setback (None: no setback).
    pub kept_talking_after_setback: Option<bool>,
    /// Mediator's role accepted (None: direct talks).
    pub mediator_accepted: Option<bool>,
    /// Index of the party that left, if any.
    pub left: Option<usize>,
    /// Final trust matrix (`[i][j]`: i's belief in j's delivery).
    pub final_trust: Vec<Vec<f64>>,
    /// Final visibility.
    pub final_visibility: f64,
    /// Discounted utility per party.
    pub discounted_utility: Vec<f64>,
    /// Quantile of each uncertain parameter's draw.
    pub quantiles: Vec<f64>,
    /// Outcome under each counterfactual.
    pub counterfactuals: Vec<OutcomeClass>,
    /// Trust per round `0..=horizon` (off-diagonal pairs in `(i, j)` order, i's belief in j),
    /// the last value carried forward after the run ends; empty when not tracked.
    pub trust_path: Vec<Vec<f64>>,
}

/// Count and exact integer sums of a paired difference in {-1, 0, 1}.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PairedCount {
    /// Pairs.
    pub n: u64,
    /// Sum of differences.
    pub sum: i64,
    /// Sum of squared differences.
    pub sum_sq: u64,
}

impl PairedCount {
    fn add(&mut self, d: i64) {
        self.n += 1;
        self.sum += d;
        self.sum_sq += (d * d) as u64;
    }

    fn merge(&mut self, o: &PairedCount) {
        self.n += o.n;
        self.sum += o.sum;
        self.sum_sq += o.sum_sq;
    }

    /// Mean difference with a normal 95% interval (as `backchannel run`).
    pub fn summary(&self) -> Estimate {
        if self.n == 0 {
            return Estimate { value: f64::NAN, lo: f64::NAN, hi: f64::NAN, n: 0 };
        }
        let n = self.n as f64;
        let mean = self.sum as f64 / n;
        let var = if self.n > 1 { ((self.sum_sq as f64 - n * mean * mean) / (n - 1.0)).max(0.0) } else { 0.0 };
        let half = Z95 * (var / n).sqrt();
        Estimate { value: mean, lo: mean - half, hi: mean + half, n: self.n }
    }
}

/// Mergeable statistics of one counterfactual.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CounterfactualStats {
    /// Paired difference in agreement.
    pub agreement: PairedCount,
    /// Paired difference in a comprehensive deal.
    pub comprehensive: PairedCount,
    /// Runs with an agreement under the counterfactual.
    pub counterfactual_agreements: u64,
}

/// Mergeable statistics of one uncertain parameter's effect on agreement.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SensitivityStats {
    /// Runs with the parameter in its lowest quarter (quantile < 0.25).
    pub low_n: u64,
    /// … of which with an agreement.
    pub low_yes: u64,
    /// Runs with the parameter in its highest quarter (quantile >= 0.75).
    pub high_n: u64,
    /// … of which with an agreement.
    pub high_yes: u64,
    /// Exact sum of quantiles.
    pub sum_u: ExactSum,
    /// Exact sum of squared quantiles.
    pub sum_uu: ExactSum,
    /// Exact sum of quantiles of runs with an agreement.
    pub sum_uy: ExactSum,
}

/// Bins of the trust fan chart.
pub const TRUST_BINS: usize = 50;

/// The forecast's mergeable statistics (`stats.json` of a `run` directory).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ForecastStudy {
    /// What the forecast is of.
    pub spec: ForecastSpec,
    /// Runs folded in.
    pub runs: u64,
    /// Runs per outcome class, in [`OutcomeClass::ALL`] order.
    pub outcomes: [u64; 4],
    /// Round of the first step, over runs that had one.
    pub first_step: IntHistogram,
    /// Runs with a setback.
    pub setback_runs: u64,
    /// … that kept talking after it.
    pub kept_talking: u64,
    /// Runs with a mediator.
    pub mediated: u64,
    /// … where its role was accepted.
    pub accepted: u64,
    /// Per counterfactual.
    pub counterfactuals: Vec<CounterfactualStats>,
    /// Per uncertain parameter.
    pub sensitivity: Vec<SensitivityStats>,
    /// Final trust per ordered pair `(i, j)`, `i != j`.
    pub final_trust: Vec<Moments>,
    /// Discounted utility per party.
    pub utility: Vec<Moments>,
    /// Final visibility.
    pub visibility: Moments,
    /// Strikes per run.
    pub strikes: IntHistogram,
    /// Rounds per run.
    pub rounds: IntHistogram,
    /// Trust per round and pair (`[round][pair]`), when tracked.
    pub trust_path: Vec<Vec<Bins>>,
}

impl ForecastSpec {
    /// Party `i`'s name for people.
    pub fn display(&self, i: usize) -> &str {
        self.party_names.get(i).or_else(|| self.parties.get(i)).map_or("?", String::as_str)
    }
}

fn pairs(parties: &[String]) -> Vec<(usize, usize)> {
    let n = parties.len();
    (0..n).flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j))).collect()
}

fn ident(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect()
}

impl ForecastStudy {
    /// Empty statistics for `spec`; `track_trust` keeps per-round trust for the fan chart.
    pub fn new(spec: ForecastSpec, track_trust: bool) -> ForecastStudy {
        let np = pairs(&spec.parties).len();
        ForecastStudy {
            runs: 0,
            outcomes: [0; 4],
            first_step: IntHistogram::default(),
            setback_runs: 0,
            kept_talking: 0,
            mediated: 0,
            accepted: 0,
            counterfactuals: vec![CounterfactualStats::default(); spec.counterfactuals.len()],
            sensitivity: vec![SensitivityStats::default(); spec.uncertain.len()],
            final_trust: vec![Moments::default(); np],
            utility: vec![Moments::default(); spec.parties.len()],
            visibility: Moments::default(),
            strikes: IntHistogram::default(),
            rounds: IntHistogram::default(),
            trust_path: if track_trust { vec![vec![Bins::new(0.0, 1.0, TRUST_BINS); np]; spec.horizon as usize + 1] } else { Vec::new() },
            spec,
        }
    }

    /// The record columns of a run.
    pub fn columns(&self) -> Vec<Column> {
        let s = &self.spec;
        let mut c = vec![
            Column::new("run", ColumnType::Int),
            Column::new("outcome", ColumnType::Text),
            Column::new("rounds", ColumnType::Int),
            Column::nullable("first_step_round", ColumnType::Int),
            Column::new("steps_implemented", ColumnType::Int),
            Column::new("agreements", ColumnType::Int),
            Column::new("strikes", ColumnType::Int),
            Column::new("setbacks", ColumnType::Int),
            Column::nullable("kept_talking_after_setback", ColumnType::Bool),
            Column::nullable("mediator_accepted", ColumnType::Bool),
            Column::new("left", ColumnType::Text),
            Column::new("final_visibility", ColumnType::Float),
        ];
        for (i, j) in pairs(&s.parties) {
            c.push(Column::new(format!("trust_{}_{}", ident(&s.parties[i]), ident(&s.parties[j])), ColumnType::Float));
        }
        for p in &s.parties {
            c.push(Column::new(format!("utility_{}", ident(p)), ColumnType::Float));
        }
        for u in &s.uncertain {
            c.push(Column::new(format!("q_{}", ident(u)), ColumnType::Float));
        }
        for cf in &s.counterfactuals {
            c.push(Column::new(format!("cf_{}", ident(&cf.id)), ColumnType::Text));
        }
        // Names made unique: two parameters may map to the same identifier.
        let mut seen = std::collections::BTreeMap::<String, usize>::new();
        for col in &mut c {
            let k = seen.entry(col.name.clone()).or_insert(0);
            *k += 1;
            if *k > 1 {
                col.name = format!("{}_{}", col.name, k);
            }
        }
        c
    }

    /// A run as record cells (in [`ForecastStudy::columns`] order).
    pub fn cells(&self, r: &RunRow) -> Vec<Cell> {
        let s = &self.spec;
        let mut c = vec![
            Cell::from(r.run),
            Cell::from(r.outcome.name()),
            Cell::from(r.rounds),
            Cell::from(r.first_step_round),
            Cell::from(r.steps_implemented),
            Cell::from(r.agreements),
            Cell::from(r.strikes),
            Cell::from(r.setbacks),
            Cell::from(r.kept_talking_after_setback),
            Cell::from(r.mediator_accepted),
            Cell::from(r.left.and_then(|i| s.parties.get(i)).cloned().unwrap_or_default()),
            Cell::from(r.final_visibility),
        ];
        for (i, j) in pairs(&s.parties) {
            c.push(Cell::from(r.final_trust.get(i).and_then(|row| row.get(j)).copied().unwrap_or(f64::NAN)));
        }
        for k in 0..s.parties.len() {
            c.push(Cell::from(r.discounted_utility.get(k).copied().unwrap_or(f64::NAN)));
        }
        for k in 0..s.uncertain.len() {
            c.push(Cell::from(r.quantiles.get(k).copied().unwrap_or(f64::NAN)));
        }
        for k in 0..s.counterfactuals.len() {
            c.push(Cell::from(r.counterfactuals.get(k).map_or("", |o| o.name())));
        }
        c
    }

    /// Folds in one run.
    pub fn add(&mut self, r: &RunRow) {
        self.runs += 1;
        self.outcomes[r.outcome.index()] += 1;
        if let Some(t) = r.first_step_round {
            self.first_step.add(i64::from(t));
        }
        if let Some(k) = r.kept_talking_after_setback {
            self.setback_runs += 1;
            self.kept_talking += u64::from(k);
        }
        if let Some(a) = r.mediator_accepted {
            self.mediated += 1;
            self.accepted += u64::from(a);
        }
        let yes = |o: OutcomeClass| i64::from(o.is_agreement());
        let comp = |o: OutcomeClass| i64::from(o == OutcomeClass::Comprehensive);
        for ((st, spec), o) in self.counterfactuals.iter_mut().zip(&self.spec.counterfactuals).zip(&r.counterfactuals) {
            let sign = if spec.scenario_first { 1 } else { -1 };
            st.agreement.add(sign * (yes(r.outcome) - yes(*o)));
            st.comprehensive.add(sign * (comp(r.outcome) - comp(*o)));
            st.counterfactual_agreements += u64::from(o.is_agreement());
        }
        let agreed = r.outcome.is_agreement();
        for (acc, &u) in self.sensitivity.iter_mut().zip(&r.quantiles) {
            if u < 0.25 {
                acc.low_n += 1;
                acc.low_yes += u64::from(agreed);
            } else if u >= 0.75 {
                acc.high_n += 1;
                acc.high_yes += u64::from(agreed);
            }
            acc.sum_u.add(u);
            acc.sum_uu.add(u * u);
            if agreed {
                acc.sum_uy.add(u);
            }
        }
        for (m, (i, j)) in self.final_trust.iter_mut().zip(pairs(&self.spec.parties)) {
            if let Some(t) = r.final_trust.get(i).and_then(|row| row.get(j)) {
                m.add(*t);
            }
        }
        for (m, u) in self.utility.iter_mut().zip(&r.discounted_utility) {
            m.add(*u);
        }
        self.visibility.add(r.final_visibility);
        self.strikes.add(i64::from(r.strikes));
        self.rounds.add(i64::from(r.rounds));
        for (bins, values) in self.trust_path.iter_mut().zip(&r.trust_path) {
            for (b, v) in bins.iter_mut().zip(values) {
                b.add(*v);
            }
        }
    }

    fn agreements(&self) -> u64 {
        self.outcomes[0] + self.outcomes[1]
    }

    fn sensitivity_rows(&self) -> Vec<(String, Estimate, Estimate, Estimate, f64)> {
        let n = self.runs as f64;
        let agreements = self.agreements() as f64;
        let mut rows: Vec<_> = self
            .spec
            .uncertain
            .iter()
            .zip(&self.sensitivity)
            .map(|(name, a)| {
                let lo = wilson(a.low_yes, a.low_n);
                let hi = wilson(a.high_yes, a.high_n);
                let effect = hi.value - lo.value;
                let se = (hi.value * (1.0 - hi.value) / a.high_n.max(1) as f64 + lo.value * (1.0 - lo.value) / a.low_n.max(1) as f64).sqrt();
                let (mu, my) = (a.sum_u.value() / n, agreements / n);
                let cov = a.sum_uy.value() / n - mu * my;
                let vu = a.sum_uu.value() / n - mu * mu;
                let vy = my * (1.0 - my);
                let rho = if vu > 0.0 && vy > 0.0 { cov / (vu * vy).sqrt() } else { 0.0 };
                (name.clone(), lo, hi, Estimate { value: effect, lo: effect - Z95 * se, hi: effect + Z95 * se, n: a.low_n + a.high_n }, rho)
            })
            .collect();
        rows.sort_by(|a, b| b.3.value.abs().total_cmp(&a.3.value.abs()).then_with(|| a.0.cmp(&b.0)));
        rows
    }

    fn cumulative(&self) -> Vec<f64> {
        let n = self.runs.max(1) as f64;
        let mut acc = 0u64;
        (0..=i64::from(self.spec.horizon))
            .map(|t| {
                acc += self.first_step.counts.get(&t).copied().unwrap_or(0);
                acc as f64 / n
            })
            .collect()
    }

    fn pair_names(&self) -> Vec<String> {
        pairs(&self.spec.parties).into_iter().map(|(i, j)| format!("{}'s trust in {}", self.spec.display(i), self.spec.display(j))).collect()
    }
}

fn prop(e: Estimate) -> Json {
    json!({"p": num(e.value), "lo": num(e.lo), "hi": num(e.hi), "n": e.n})
}

fn diff(e: Estimate) -> Json {
    json!({"diff": num(e.value), "lo": num(e.lo), "hi": num(e.hi)})
}

fn num(x: f64) -> Json {
    serde_json::Number::from_f64(x).map_or(Json::Null, Json::Number)
}

impl Study for ForecastStudy {
    const KIND: &'static str = "run";

    fn merge(&mut self, o: ForecastStudy) -> Result<(), String> {
        if o.spec != self.spec {
            return Err("field \"spec\": expected the same scenario, parties, parameters and counterfactuals in every shard".into());
        }
        if o.trust_path.len() != self.trust_path.len() {
            return Err("field \"trust_path\": expected every shard to track trust the same way".into());
        }
        self.runs += o.runs;
        for (a, b) in self.outcomes.iter_mut().zip(o.outcomes) {
            *a += b;
        }
        self.first_step.merge(&o.first_step);
        self.setback_runs += o.setback_runs;
        self.kept_talking += o.kept_talking;
        self.mediated += o.mediated;
        self.accepted += o.accepted;
        for (a, b) in self.counterfactuals.iter_mut().zip(&o.counterfactuals) {
            a.agreement.merge(&b.agreement);
            a.comprehensive.merge(&b.comprehensive);
            a.counterfactual_agreements += b.counterfactual_agreements;
        }
        for (a, b) in self.sensitivity.iter_mut().zip(&o.sensitivity) {
            a.low_n += b.low_n;
            a.low_yes += b.low_yes;
            a.high_n += b.high_n;
            a.high_yes += b.high_yes;
            a.sum_u.merge(&b.sum_u);
            a.sum_uu.merge(&b.sum_uu);
            a.sum_uy.merge(&b.sum_uy);
        }
        for (a, b) in self.final_trust.iter_mut().zip(&o.final_trust) {
            a.merge(b);
        }
        for (a, b) in self.utility.iter_mut().zip(&o.utility) {
            a.merge(b);
        }
        self.visibility.merge(&o.visibility);
        self.strikes.merge(&o.strikes);
        self.rounds.merge(&o.rounds);
        for (ra, rb) in self.trust_path.iter_mut().zip(&o.trust_path) {
            for (a, b) in ra.iter_mut().zip(rb) {
                a.merge(b)?;
            }
        }
        Ok(())
    }

    fn aggregates(&self) -> Json {
        let n = self.runs;
        let s = &self.spec;
        let with_step = self.first_step.total();
        let mean_int = |h: &IntHistogram| if n == 0 { f64::NAN } else { h.counts.iter().map(|(v, c)| *v as f64 * *c as f64).sum::<f64>() / n as f64 };
        let np = s.parties.len();
        let mut trust = vec![vec![1.0; np]; np];
        for (m, (i, j)) in self.final_trust.iter().zip(pairs(&s.parties)) {
            trust[i][j] = m.mean();
        }
        let fans: Vec<Json> = self
            .pair_names()
            .iter()
            .enumerate()
            .map(|(k, name)| {
                let rounds: Vec<Json> = self
                    .trust_path
                    .iter()
                    .enumerate()
                    .map(|(t, bins)| {
                        let b = &bins[k];
                        json!({"round": t, "q05": num(b.quantile(0.05)), "q25": num(b.quantile(0.25)), "q50": num(b.quantile(0.5)), "q75": num(b.quantile(0.75)), "q95": num(b.quantile(0.95))})
                    })
                    .collect();
                json!({"pair": name, "rounds": rounds})
            })
            .collect();
        json!({
            "scenario": s.scenario,
            "variant": s.variant,
            "source": s.source,
            "round_unit": s.round_unit,
            "horizon": s.horizon,
            "runs": n,
            "seed": s.seed,
            "outcomes": {
                "comprehensive": prop(wilson(self.outcomes[0], n)),
                "partial": prop(wilson(self.outcomes[1], n)),
                "collapse": prop(wilson(self.outcomes[2], n)),
                "drift": prop(wilson(self.outcomes[3], n)),
                "agreement": prop(wilson(self.agreements(), n)),
            },
            "first_step_round": {
                "runs_with_step": prop(wilson(with_step, n)),
                "median": self.first_step.quantile(0.5),
                "q1": self.first_step.quantile(0.25),
                "q3": self.first_step.quantile(0.75),
                "cumulative": self.cumulative().into_iter().map(num).collect::<Vec<_>>(),
            },
            "kept_talking_after_setback": {
                "runs_with_condition": prop(wilson(self.setback_runs, n)),
                "probability": prop(wilson(self.kept_talking, self.setback_runs)),
            },
            "mediator_accepted": (self.mediated > 0).then(|| prop(wilson(self.accepted, self.mediated))),
            "counterfactuals": s.counterfactuals.iter().zip(&self.counterfactuals).map(|(c, st)| json!({
                "id": c.id,
                "label": c.label,
                "agreement": diff(st.agreement.summary()),
                "comprehensive": diff(st.comprehensive.summary()),
                "counterfactual_agreement": prop(wilson(st.counterfactual_agreements, n)),
            })).collect::<Vec<_>>(),
            "sensitivity": self.sensitivity_rows().into_iter().map(|(name, lo, hi, eff, rho)| json!({
                "parameter": name,
                "low_quarter": prop(lo),
                "high_quarter": prop(hi),
                "effect": diff(eff),
                "rank_correlation": num(rho),
            })).collect::<Vec<_>>(),
            "parties": s.parties,
            "mean_final_trust": trust.iter().map(|r| r.iter().map(|x| num(*x)).collect::<Vec<_>>()).collect::<Vec<_>>(),
            "mean_discounted_utility": self.utility.iter().map(|m| num(m.mean())).collect::<Vec<_>>(),
            "mean_final_visibility": num(self.visibility.mean()),
            "mean_strikes": num(mean_int(&self.strikes)),
            "mean_rounds": num(mean_int(&self.rounds)),
            "trust_fan": fans,
        })
    }

    fn title(&self, _: &ReportInfo) -> String {
        format!("Forecast: {}", self.spec.scenario)
    }

    fn report(&self, _: &ReportInfo) -> String {
        forecast_report(self)
    }
}

fn plural(unit: &str) -> String {
    if unit.ends_with('s') { unit.to_string() } else { format!("{unit}s") }
}

fn forecast_report(st: &ForecastStudy) -> String {
    let s = &st.spec;
    let n = st.runs;
    let unit = if s.round_unit.is_empty() { "round".to_string() } else { s.round_unit.clone() };
    let units = plural(&unit);
    let mut out = String::new();
    let classes: Vec<(OutcomeClass, Estimate)> = OutcomeClass::ALL.iter().map(|&c| (c, wilson(st.outcomes[c.index()], n))).collect();
    let agreement = wilson(st.agreements(), n);
    let top = classes.iter().max_by(|a, b| a.1.value.total_cmp(&b.1.value)).map(|x| (x.0, x.1));
    let _ = writeln!(out, "<header>\n<h1>{}</h1>", escape(&format!("What is likely to happen in {}", s.scenario)));
    let mut who = (0..s.parties.len()).map(|i| s.display(i)).collect::<Vec<_>>().join(" and ");
    if let Some(m) = &s.mediator {
        who = format!("{who}, talking through {m}");
    } else {
        who = format!("{who}, talking directly");
    }
    let _ = writeln!(
        out,
        "<p class=\"meta\">{} simulated runs of up to {} {} each ({}){}. Scenario source: {}.</p>",
        group(n),
        s.horizon,
        escape(&units),
        escape(&who),
        s.variant.as_ref().map_or(String::new(), |v| format!(", variant “{}”", escape(v))),
        escape(&s.source)
    );
    let _ = writeln!(
        out,
        "<p>Each simulated run plays the talks out {unit} by {unit}: offers passed{}, spoiler attacks, whether each side delivers what it agreed, and how trust and public attention move. The uncertain assumptions are drawn afresh in every run, so the shares below say how often each ending comes up across plausible worlds, not what will surely happen.</p>",
        s.mediator.as_ref().map_or(String::new(), |m| format!(" through {}", escape(m)))
    );
    let mut headline = String::new();
    if let Some((c, e)) = top {
        let _ = write!(
            headline,
            "The most likely result is a <b>{}</b> ({} of runs, 95% interval {}–{}). ",
            escape(c.meaning().split(':').next().unwrap_or("")),
            pct(e.value),
            pct(e.lo),
            pct(e.hi)
        );
    }
    let _ = write!(headline, "At least one concrete step is agreed and carried out in <b>{}</b> of runs", pct(agreement.value));
    match (st.first_step.quantile(0.5), st.first_step.quantile(0.25), st.first_step.quantile(0.75)) {
        (Some(m), Some(q1), Some(q3)) => {
            let _ = write!(headline, "; when it happens, the first step typically comes in {unit} {m} (half of those runs between {unit} {q1} and {q3}).");
        }
        _ => headline.push('.'),
    }
    let _ = writeln!(out, "<p class=\"headline\">{headline}</p>");
    if s.illustrative {
        let _ = writeln!(
            out,
            "<p class=\"caveat\"><b>Illustrative numbers.</b> This scenario's parameters are hand-set to show how the model behaves, each with a one-line reason in the scenario file; they are not estimates from data or from experts. Read the results as “what follows if these assumptions hold”, and compare variants rather than trusting any single percentage.</p>"
        );
    }
    out.push_str("<ul class=\"keyfacts\">\n");
    let kept = wilson(st.kept_talking, st.setback_runs);
    if st.setback_runs > 0 {
        let _ = writeln!(
            out,
            "<li><b>Kept talking after the first setback:</b> {} (95% interval {}–{}), among the {} of runs that had a setback (a spoiler strike or a broken promise).</li>",
            pct(kept.value),
            pct(kept.lo),
            pct(kept.hi),
            pct(wilson(st.setback_runs, n).value)
        );
    }
    if st.mediated > 0 {
        let a = wilson(st.accepted, st.mediated);
        let _ = writeln!(
            out,
            "<li><b>Mediator's role accepted</b> (every side's trust in {} stayed above its threshold): {} (95% interval {}–{}).</li>",
            escape(s.mediator.as_deref().unwrap_or("the mediator")),
            pct(a.value),
            pct(a.lo),
            pct(a.hi)
        );
    }
    let _ = writeln!(out, "<li><b>Spoiler strikes</b> per run on average: {:.2}; talks lasted {:.1} {} on average.</li>", mean_of(&st.strikes, n), mean_of(&st.rounds, n), escape(&units));
    out.push_str("</ul>\n</header>\n");

    // Outcomes.
    let mut items: Vec<charts::Interval> = classes
        .iter()
        .map(|(c, e)| charts::Interval { label: c.meaning().split(':').next().unwrap_or("").to_string(), value: e.value, lo: e.lo, hi: e.hi })
        .collect();
    items.push(charts::Interval { label: "any deal (comprehensive or partial)".into(), value: agreement.value, lo: agreement.lo, hi: agreement.hi });
    let mut body = html::figure(
        "chart-outcomes",
        "How the talks end",
        &charts::probability_bars(&items),
        &format!(
            "Share of the {} simulated runs ending each way; the whisker is the 95% interval of that share. Comprehensive: every step agreed and implemented. Partial: some steps implemented by the end. Collapse: a side walked out. Drift: still talking, nothing implemented.",
            group(n)
        ),
    );
    let rows: Vec<Vec<String>> = classes
        .iter()
        .map(|(c, e)| vec![c.meaning().to_string(), pct(e.value), format!("{}–{}", pct(e.lo), pct(e.hi)), group(st.outcomes[c.index()])])
        .collect();
    body.push_str(&html::table(&["outcome", "probability", "95% interval", "runs"], &rows));
    out.push_str(&html::section("outcomes", "Outcomes", "How likely each ending is, across all simulated runs.", &body));

    // Time to first step.
    let cum = st.cumulative();
    let line = charts::Line { name: "first concrete step".into(), points: cum.iter().enumerate().map(|(t, y)| (t as f64, *y)).collect() };
    let body = html::figure(
        "chart-first-step",
        "When the first concrete step happens",
        &charts::cumulative_curves(&[line], &format!("{unit} of the talks"), "runs with a first step"),
        &format!(
            "The curve rises each {unit} in which some runs see their first step agreed and carried out (e.g. a prisoner exchange). Where it levels off is the share of runs that ever get a first step: {}.",
            pct(wilson(st.first_step.total(), n).value)
        ),
    );
    out.push_str(&html::section("first-step", "Time to the first step", "Small credible steps are what the talks are judged on: how soon does the first one come?", &body));

    // Trust.
    if !st.trust_path.is_empty() && n > 0 {
        let names = st.pair_names();
        let fans: Vec<charts::Fan> = names
            .iter()
            .enumerate()
            .map(|(k, name)| charts::Fan {
                name: name.clone(),
                points: st
                    .trust_path
                    .iter()
                    .enumerate()
                    .map(|(t, bins)| {
                        let b = &bins[k];
                        (t as f64, [b.quantile(0.05), b.quantile(0.25), b.quantile(0.5), b.quantile(0.75), b.quantile(0.95)])
                    })
                    .collect(),
            })
            .collect();
        let mut body = String::new();
        // One panel per pair: overlapping bands of several pairs are hard to read.
        for (k, fan) in fans.iter().enumerate() {
            body.push_str(&html::figure(
                &format!("chart-trust-{k}"),
                &fan.name,
                &charts::fan_chart(std::slice::from_ref(fan), (0.0, 1.0), &format!("{unit} of the talks"), "belief that the other side delivers"),
                if k + 1 == fans.len() {
                    "The belief (0 to 1) that the other side will carry out what it agrees. The line is the median run; the dark band holds the middle half of runs, the light band 90% of them. Deliveries raise trust; observed defections and spoiler strikes lower it. After a run ends its last value is carried forward."
                } else {
                    "Median run (line), middle half of runs (dark band), 90% of runs (light band)."
                },
            ));
        }
        out.push_str(&html::section("trust", "Trust", "Doubts about delivery are one of the three tests every opening must survive.", &body));
    }

    // Counterfactuals.
    if !s.counterfactuals.is_empty() {
        let items: Vec<charts::Interval> = s
            .counterfactuals
            .iter()
            .zip(&st.counterfactuals)
            .map(|(c, x)| {
                let e = x.agreement.summary();
                charts::Interval { label: c.label.clone(), value: e.value, lo: e.lo, hi: e.hi }
            })
            .collect();
        let mut body = html::figure(
            "chart-counterfactuals",
            "What difference each choice makes",
            &charts::forest(&items, "difference in the chance of any deal (percentage points)"),
            "Each row replays the same runs, with the same luck, under one change, and shows how much the chance of a deal differs (dot) with its 95% interval (line). Right of zero: the first option in the label does better; an interval crossing zero means no clear difference.",
        );
        let rows: Vec<Vec<String>> = s
            .counterfactuals
            .iter()
            .zip(&st.counterfactuals)
            .map(|(c, x)| {
                let a = x.agreement.summary();
                let k = x.comprehensive.summary();
                vec![c.label.clone(), pts(a.value), format!("{} to {}", pts(a.lo).trim_end_matches(" pts"), pts(a.hi)), pts(k.value), pct(wilson(x.counterfactual_agreements, n).value)]
            })
            .collect();
        body.push_str(&html::table(&["comparison", "Δ P(any deal)", "95% interval", "Δ P(comprehensive)", "P(any deal) under the alternative"], &rows));
        out.push_str(&html::section("counterfactuals", "Counterfactuals", "Paired comparisons on common random numbers: mediated vs direct talks, small steps vs a grand bargain, and each spoiler removed.", &body));
    }

    // Sensitivity.
    let sens = st.sensitivity_rows();
    if !sens.is_empty() {
        let top: Vec<_> = sens.iter().take(12).collect();
        let swings: Vec<charts::Swing> = top.iter().map(|(name, lo, hi, _, _)| charts::Swing { label: name.clone(), low: lo.value, high: hi.value }).collect();
        let mut body = html::figure(
            "chart-sensitivity",
            "Which assumptions matter most",
            &charts::tornado(&swings, agreement.value, "chance of any deal", "assumption in its lowest quarter", "assumption in its highest quarter"),
            &format!(
                "For each uncertain assumption (largest effect on top), the chance of a deal in the runs where it was drawn in its lowest quarter and in its highest quarter; the black line is the overall chance ({}). Long bars mark the assumptions worth pinning down first.",
                pct(agreement.value)
            ),
        );
        let rows: Vec<Vec<String>> = sens
            .iter()
            .map(|(name, lo, hi, e, rho)| vec![name.clone(), pct(lo.value), pct(hi.value), pts(e.value), format!("{} to {}", pts(e.lo).trim_end_matches(" pts"), pts(e.hi)), format!("{rho:+.3}")])
            .collect();
        body.push_str(&html::table(&["parameter", "P(deal), low quarter", "P(deal), high quarter", "effect", "95% interval", "rank correlation"], &rows));
        out.push_str(&html::section("sensitivity", "Sensitivity", "The uncertain parameters ranked by their effect on the chance of a deal.", &body));
    }

    // Parties.
    let mut rows = Vec::new();
    for k in 0..s.parties.len() {
        let u = st.utility.get(k).map_or(f64::NAN, Moments::mean);
        let trusts: Vec<String> = pairs(&s.parties)
            .into_iter()
            .zip(&st.final_trust)
            .filter(|((i, _), _)| *i == k)
            .map(|((_, j), m)| format!("{}: {:.2}", s.display(j), m.mean()))
            .collect();
        rows.push(vec![s.display(k).to_string(), format!("{u:.3}"), trusts.join(", ")]);
    }
    let body = html::table(&["party", "mean discounted utility", "mean final trust in the others"], &rows);
    out.push_str(&html::section("parties", "The parties at the end", "Averages over all runs.", &body));
    out
}

fn mean_of(h: &IntHistogram, n: u64) -> f64 {
    if n == 0 {
        return f64::NAN;
    }
    h.counts.iter().map(|(v, c)| *v as f64 * *c as f64).sum::<f64>() / n as f64
}
