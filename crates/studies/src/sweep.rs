//! The `sweep` study: a parameter study over the backchannel model. A design of points (a full
//! grid, or a seeded Latin hypercube) is run point by point; each point's forecast is one record,
//! and the exact per-parameter main effects are mergeable statistics.

use std::fmt::Write as _;

use bc_diplomacy::forecast::{Aggregate, Interval, INDICATORS};
use bc_diplomacy::Outcome;
use bc_engine::stats::{wilson, Moments, Z95};
use bc_io::SettingError;
use bc_report::html::{self, charts, escape, pct};
use bc_report::records::{Cell, Column, ColumnType};
use bc_report::study::{ReportInfo, Study};
use rand::seq::SliceRandom;
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json};

/// How one parameter is varied.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Axis {
    /// A grid's levels.
    Levels(Vec<f64>),
    /// A Latin hypercube's range `[lo, hi]`.
    Range(f64, f64),
}

/// One swept parameter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepParam {
    /// The scenario key (e.g. `mediator.leak`).
    pub key: String,
    /// Its levels or range.
    pub axis: Axis,
}

/// Bins of a Latin-hypercube parameter's main effect.
pub const LHS_BINS: usize = 10;

impl SweepParam {
    fn bins(&self) -> usize {
        match &self.axis {
            Axis::Levels(l) => l.len(),
            Axis::Range(..) => LHS_BINS,
        }
    }

    fn bin(&self, v: f64) -> usize {
        match &self.axis {
            Axis::Levels(l) => l.iter().position(|x| *x == v).unwrap_or(0),
            Axis::Range(lo, hi) => {
                let t = if hi > lo { (v - lo) / (hi - lo) } else { 0.0 };
                ((t * LHS_BINS as f64).floor().max(0.0) as usize).min(LHS_BINS - 1)
            }
        }
    }

    fn bin_value(&self, b: usize) -> f64 {
        match &self.axis {
            Axis::Levels(l) => l.get(b).copied().unwrap_or(f64::NAN),
            Axis::Range(lo, hi) => lo + (hi - lo) * (b as f64 + 0.5) / LHS_BINS as f64,
        }
    }
}

/// Parses `key=v1,v2,...` (a grid axis); errors name the setting `grid`.
pub fn parse_grid(s: &str) -> Result<SweepParam, SettingError> {
    let (key, vals) = s
        .split_once('=')
        .ok_or_else(|| SettingError::new("grid", format!("expected key=v1,v2,... (e.g. mediator.leak=0.05,0.1,0.2), found {s:?}")))?;
    let mut levels = Vec::new();
    for v in vals.split(',') {
        let x: f64 =
            v.trim().parse().map_err(|_| SettingError::item("grid", key, format!("expected numbers separated by commas, found {v:?}")))?;
        if !x.is_finite() {
            return Err(SettingError::item("grid", key, format!("expected finite numbers, found {v:?}")));
        }
        if levels.contains(&x) {
            return Err(SettingError::item("grid", key, format!("expected distinct levels, found {v} twice")));
        }
        levels.push(x);
    }
    if key.trim().is_empty() {
        return Err(SettingError::new("grid", format!("expected a key before '=', found {s:?}")));
    }
    Ok(SweepParam { key: key.trim().to_string(), axis: Axis::Levels(levels) })
}

/// Parses `key=lo..hi` (a Latin-hypercube axis); errors name the setting `lhs`.
pub fn parse_range(s: &str) -> Result<SweepParam, SettingError> {
    let bad = || SettingError::new("lhs", format!("expected key=lo..hi (e.g. mediator.leak=0.0..0.3), found {s:?}"));
    let (key, range) = s.split_once('=').ok_or_else(bad)?;
    let (lo, hi) = range.split_once("..").ok_or_else(bad)?;
    let lo: f64 = lo.trim().parse().map_err(|_| bad())?;
    let hi: f64 = hi.trim().parse().map_err(|_| bad())?;
    if !(lo.is_finite() && hi.is_finite() && lo < hi) || key.trim().is_empty() {
        return Err(SettingError::item("lhs", key, format!("expected finite lo < hi, found {lo}..{hi}")));
    }
    Ok(SweepParam { key: key.trim().to_string(), axis: Axis::Range(lo, hi) })
}

/// The points of a design.
#[derive(Clone, Debug, PartialEq)]
pub struct Design {
    /// The parameters.
    pub params: Vec<SweepParam>,
    /// `points[i][k]`: parameter k's value at point i.
    pub points: Vec<Vec<f64>>,
}

impl Design {
    /// The full grid over every parameter's levels, the last parameter varying fastest; errors
    /// name the setting `grid`.
    pub fn grid(params: Vec<SweepParam>) -> Result<Design, SettingError> {
        let sizes = params.iter().map(|p| match &p.axis {
            Axis::Levels(levels) => levels.len() as u64,
            Axis::Range(..) => 1,
        });
        let limit = &bc_io::limits::GRID_POINTS;
        bc_io::limits::checked_product(limit, sizes).map_err(|found| SettingError::new("grid", limit.exceeded(found, "")))?;
        let mut points: Vec<Vec<f64>> = vec![Vec::new()];
        for p in &params {
            let Axis::Levels(levels) = &p.axis else {
                return Err(SettingError::item("grid", &p.key, "expected levels for a grid, found a range"));
            };
            points = points.into_iter().flat_map(|pt| levels.iter().map(move |&v| [pt.clone(), vec![v]].concat())).collect();
        }
        Ok(Design { params, points })
    }

    /// A Latin hypercube of `n` points over the parameters' ranges: each range is cut into `n`
    /// equal strata, each stratum used once per parameter, with a uniform point inside it.
    /// Seeded: parameter k draws from `bc_engine::rng_for(seed, k)`. Errors name the setting `lhs`.
    pub fn lhs(n: usize, params: Vec<SweepParam>, seed: u64) -> Result<Design, SettingError> {
        if n == 0 {
            return Err(SettingError::new("lhs", "expected at least 1 point, found 0"));
        }
        bc_io::limits::LHS_POINTS.check(n as u64, "").map_err(|e| SettingError::new("lhs", e))?;
        let mut points = vec![Vec::with_capacity(params.len()); n];
        for (k, p) in params.iter().enumerate() {
            let Axis::Range(lo, hi) = p.axis else {
                return Err(SettingError::item("lhs", &p.key, "expected a range for a Latin hypercube, found levels"));
            };
            let mut rng = bc_engine::rng_for(seed, k as u64);
            let mut strata: Vec<usize> = (0..n).collect();
            strata.shuffle(&mut rng);
            for (pt, s) in points.iter_mut().zip(strata) {
                let u: f64 = rng.gen();
                pt.push(lo + (hi - lo) * (s as f64 + u) / n as f64);
            }
        }
        Ok(Design { params, points })
    }
}

/// What the sweep is: fixed for the whole study.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SweepSpec {
    /// Scenario name.
    pub scenario: String,
    /// `grid` or `lhs`.
    pub method: String,
    /// The parameters.
    pub params: Vec<SweepParam>,
    /// Monte Carlo runs per point.
    pub runs_per_point: u64,
    /// Master seed.
    pub seed: u64,
    /// True when the scenario's numbers are illustrative.
    pub illustrative: bool,
}

/// One point's forecast.
#[derive(Clone, Debug, PartialEq)]
pub struct PointRow {
    /// Point index.
    pub point: u64,
    /// Parameter values.
    pub values: Vec<f64>,
    /// Runs per outcome class, in [`Outcome::ALL`] order.
    pub outcomes: [u64; 5],
    /// The headline indicators' exact statistics (in `forecast::INDICATORS` order).
    pub indicators: Vec<Moments>,
    /// The point's headline indicators with their 95% intervals.
    pub headline: [Interval; 5],
    /// Median round of the first step among runs with one.
    pub first_step_median: Option<i64>,
    /// Runs with a setback, and of those, runs that kept talking.
    pub kept_talking: (u64, u64),
}

impl PointRow {
    /// Point `point` at parameter `values`, from the forecast run there.
    pub fn new(point: u64, values: Vec<f64>, forecast: &Aggregate) -> PointRow {
        let f = forecast.summary();
        PointRow {
            point,
            values,
            outcomes: forecast.outcomes,
            indicators: forecast.headline.iter().take(INDICATORS.len()).cloned().collect(),
            headline: crate::forecast::indicators(&f.headline),
            first_step_median: forecast.first_step.quantile(0.5),
            kept_talking: (forecast.setback_runs, forecast.kept_talking),
        }
    }

    /// Runs at the point.
    pub fn runs(&self) -> u64 {
        self.outcomes.iter().sum()
    }

    /// Runs with at least one step implemented.
    pub fn with_step(&self) -> u64 {
        self.indicators.first().map_or(0, |m| m.sum.value().round().max(0.0) as u64)
    }

    /// The point's mean agenda share.
    pub fn agenda_share(&self) -> f64 {
        self.headline[1].estimate
    }
}

/// Per parameter and bin (exact, mergeable): runs, runs with at least one step, agenda share.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EffectBin {
    /// Runs at points in this bin.
    pub runs: u64,
    /// … with at least one step implemented.
    pub with_step: u64,
    /// Agenda share standing at the end, over those runs.
    pub agenda_share: Moments,
    /// Points in this bin.
    pub points: u64,
}

impl EffectBin {
    /// The mean agenda share with its 95% interval.
    pub fn agenda(&self) -> Interval {
        Interval::normal(&self.agenda_share, Z95)
    }
}

/// Points shown one by one in the report (the first ones, in point order).
pub const SHOWN_POINTS: usize = 200;

/// One point's forecast as the report shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PointSummary {
    /// Point index.
    pub point: u64,
    /// Parameter values.
    pub values: Vec<f64>,
    /// Runs.
    pub runs: u64,
    /// The headline indicators with their intervals (in `forecast::INDICATORS` order).
    pub headline: Vec<Interval>,
    /// Median round of the first step.
    pub first_step_median: Option<i64>,
}

/// A sweep as a `bc_engine::Study`: job `i` is design point `i`, a forecast of the scenario
/// file with the swept keys set to the point's values (common random numbers: the same seed at
/// every point). Points run one after another, each forecast in parallel inside.
pub struct Sweep {
    /// The scenario file's text, its name for messages and the folder its paths are relative to.
    pub text: String,
    /// See [`Sweep::text`].
    pub source: String,
    /// See [`Sweep::text`].
    pub dir: std::path::PathBuf,
    /// The variant applied at every point.
    pub variant: Option<String>,
    /// The design.
    pub design: Design,
    /// Each point's forecast options (runs, seed, threads; no counterfactuals).
    pub options: bc_diplomacy::forecast::Options,
    /// The statistics' empty value (its spec).
    pub empty: SweepStudy,
}

/// Runs per point that `--dry-run` times (then scales to the runs per point).
pub const DRY_RUN_RUNS: u64 = 16;

impl Sweep {
    /// The checked scenario at design point `point`.
    pub fn scenario(&self, point: usize) -> Result<bc_diplomacy::Scenario, bc_diplomacy::Error> {
        let values = self.design.points.get(point).map_or(&[][..], |v| &v[..]);
        let settings = self.design.params.iter().zip(values).map(|(p, v)| (p.key.as_str(), *v));
        let s = bc_diplomacy::settings::scenario_with(&self.text, &self.source, &self.dir, settings).map_err(|e| match e.problems() {
            // A scenario that fails its checks at this point says which point.
            [] => e,
            _ => bc_diplomacy::Error::new(bc_diplomacy::ErrorKind::Options(format!("sweep point {point}: {e}"))),
        })?;
        match &self.variant {
            Some(v) => s.variant(v),
            None => Ok(s),
        }
    }

    fn point(&self, i: u64) -> Result<PointRow, String> {
        let s = self.scenario(i as usize).map_err(|e| e.to_string())?;
        let agg = bc_diplomacy::forecast::aggregate(&s, &self.options, |_| {}).map_err(|e| e.to_string())?;
        Ok(PointRow::new(i, self.design.points[i as usize].clone(), &agg))
    }
}

impl bc_engine::Study for Sweep {
    type Scratch = ();
    /// The point's forecast, or why it could not run (which stops the sweep).
    type Record = Result<PointRow, String>;
    type Stats = SweepStudy;

    fn kind(&self) -> &'static str {
        "sweep"
    }
    fn jobs(&self) -> u64 {
        self.design.points.len() as u64
    }
    fn unit(&self) -> &'static str {
        "sweep points"
    }
    fn columns(&self) -> Vec<Column> {
        self.empty.columns()
    }
    fn scratch(&self) {}
    fn run(&self, _: &mut (), i: u64, detail: bool) -> bc_engine::Job<Self::Record> {
        let row = self.point(i);
        let mut job = bc_engine::Job::record(row);
        if let (true, Ok(r)) = (detail, &job.record) {
            job.rows.push(self.empty.cells(r));
        }
        job
    }
    fn stats(&self, _: u64) -> SweepStudy {
        self.empty.clone()
    }
    fn fold(&self, stats: &mut SweepStudy, record: &Self::Record) {
        if let Ok(r) = record {
            stats.add(r);
        }
    }
    fn parallel(&self) -> bool {
        false
    }
    fn progress_unit(&self) -> (&'static str, u64) {
        ("runs", self.options.runs)
    }
    fn calibration(&self) -> Option<(Sweep, f64, String)> {
        let runs = self.options.runs.clamp(1, DRY_RUN_RUNS);
        let small = Sweep {
            text: self.text.clone(),
            source: self.source.clone(),
            dir: self.dir.clone(),
            variant: self.variant.clone(),
            design: self.design.clone(),
            options: bc_diplomacy::forecast::Options { runs, ..self.options },
            empty: self.empty.clone(),
        };
        Some((small, self.options.runs as f64 / runs as f64, format!("{runs} runs per point")))
    }
}

/// The sweep's statistics (`stats.json` of a `sweep` directory).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepStudy {
    /// What the sweep is.
    pub spec: SweepSpec,
    /// Points folded in.
    pub points: u64,
    /// Runs per outcome class over all points.
    pub outcomes: [u64; 5],
    /// The headline indicators over all points (in `forecast::INDICATORS` order).
    pub indicators: Vec<Moments>,
    /// `effects[param][bin]`.
    pub effects: Vec<Vec<EffectBin>>,
    /// The point with the highest mean agenda share (first on ties), and its values and share.
    pub best: Option<(u64, Vec<f64>, f64)>,
    /// The first [`SHOWN_POINTS`] points (shards in order: the same points as one pass).
    #[serde(default)]
    pub shown: Vec<PointSummary>,
}

impl SweepStudy {
    /// Empty statistics for `spec`.
    pub fn new(spec: SweepSpec) -> SweepStudy {
        let effects = spec.params.iter().map(|p| vec![EffectBin::default(); p.bins()]).collect();
        SweepStudy {
            spec,
            points: 0,
            outcomes: [0; 5],
            indicators: vec![Moments::default(); INDICATORS.len()],
            effects,
            best: None,
            shown: Vec::new(),
        }
    }

    /// The record columns.
    pub fn columns(&self) -> Vec<Column> {
        let mut c = vec![Column::new("point", ColumnType::Int)];
        for p in &self.spec.params {
            c.push(Column::new(p.key.clone(), ColumnType::Float));
        }
        c.push(Column::new("runs", ColumnType::Int));
        for name in INDICATORS {
            c.push(Column::new(name, ColumnType::Float));
            c.push(Column::new(format!("{name}_lo"), ColumnType::Float));
            c.push(Column::new(format!("{name}_hi"), ColumnType::Float));
        }
        for o in Outcome::ALL {
            c.push(Column::new(format!("p_{}", o.name()), ColumnType::Float));
        }
        c.extend([
            Column::nullable("first_step_median", ColumnType::Int),
            Column::nullable("p_kept_talking_after_setback", ColumnType::Float),
        ]);
        c
    }

    /// A point as record cells.
    pub fn cells(&self, r: &PointRow) -> Vec<Cell> {
        let n = r.runs();
        let mut c = vec![Cell::from(r.point)];
        c.extend(r.values.iter().map(|&v| Cell::from(v)));
        c.push(Cell::from(n));
        for i in &r.headline {
            c.extend([Cell::from(i.estimate), Cell::from(i.lo), Cell::from(i.hi)]);
        }
        for k in r.outcomes {
            c.push(Cell::from(wilson(k, n).p));
        }
        c.push(Cell::from(r.first_step_median));
        c.push(if r.kept_talking.0 > 0 { Cell::from(wilson(r.kept_talking.1, r.kept_talking.0).p) } else { Cell::Null });
        c
    }

    /// Folds in one point.
    pub fn add(&mut self, r: &PointRow) {
        self.points += 1;
        let n = r.runs();
        for (a, b) in self.outcomes.iter_mut().zip(r.outcomes) {
            *a += b;
        }
        for (a, b) in self.indicators.iter_mut().zip(&r.indicators) {
            a.merge(b);
        }
        let share = r.indicators.get(1).cloned().unwrap_or_default();
        for ((bins, p), &v) in self.effects.iter_mut().zip(&self.spec.params).zip(&r.values) {
            if let Some(b) = bins.get_mut(p.bin(v)) {
                b.runs += n;
                b.with_step += r.with_step();
                b.agenda_share.merge(&share);
                b.points += 1;
            }
        }
        if self.shown.len() < SHOWN_POINTS {
            self.shown.push(PointSummary {
                point: r.point,
                values: r.values.clone(),
                runs: n,
                headline: r.headline.to_vec(),
                first_step_median: r.first_step_median,
            });
        }
        let p = r.agenda_share();
        if self.best.as_ref().is_none_or(|(_, _, bp)| p > *bp) {
            self.best = Some((r.point, r.values.clone(), p));
        }
    }
}

fn num(x: f64) -> Json {
    serde_json::Number::from_f64(x).map_or(Json::Null, Json::Number)
}

/// A main effect's bin as JSON.
fn bin_json(value: f64, e: &EffectBin) -> Json {
    let w = wilson(e.with_step, e.runs);
    let a = e.agenda();
    json!({
        "value": num(value), "points": e.points, "runs": e.runs,
        "at_least_one_step": {"estimate": num(w.p), "lo": num(w.lo), "hi": num(w.hi)},
        "agenda_share": {"estimate": num(a.estimate), "lo": num(a.lo), "hi": num(a.hi)},
    })
}

impl Study for SweepStudy {
    const KIND: &'static str = "sweep";

    fn merge(&mut self, o: SweepStudy) -> Result<(), String> {
        if o.spec != self.spec {
            return Err("field \"spec\": expected the same scenario, design and runs per point in every shard".into());
        }
        self.points += o.points;
        for (a, b) in self.outcomes.iter_mut().zip(o.outcomes) {
            *a += b;
        }
        for (a, b) in self.indicators.iter_mut().zip(&o.indicators) {
            a.merge(b);
        }
        for (ra, rb) in self.effects.iter_mut().zip(&o.effects) {
            for (a, b) in ra.iter_mut().zip(rb) {
                a.runs += b.runs;
                a.with_step += b.with_step;
                a.agenda_share.merge(&b.agenda_share);
                a.points += b.points;
            }
        }
        let room = SHOWN_POINTS.saturating_sub(self.shown.len());
        self.shown.extend(o.shown.into_iter().take(room));
        // Shards come in order, so a later shard's best wins only when strictly better: the
        // same point as one pass.
        if let Some(b) = o.best {
            if self.best.as_ref().is_none_or(|(_, _, bp)| b.2 > *bp) {
                self.best = Some(b);
            }
        }
        Ok(())
    }

    fn aggregates(&self) -> Json {
        let runs: u64 = self.outcomes.iter().sum();
        let effects: Vec<Json> = self
            .spec
            .params
            .iter()
            .zip(&self.effects)
            .map(|(p, bins)| json!({"key": p.key, "bins": bins.iter().enumerate().map(|(b, e)| bin_json(p.bin_value(b), e)).collect::<Vec<_>>()}))
            .collect();
        let mut overall = serde_json::Map::new();
        for (k, (name, m)) in INDICATORS.iter().zip(&self.indicators).enumerate() {
            let i = if k == 1 { Interval::normal(m, Z95) } else { Interval::wilson(m) };
            overall.insert((*name).to_string(), json!({"estimate": num(i.estimate), "lo": num(i.lo), "hi": num(i.hi)}));
        }
        let outcomes: serde_json::Map<String, Json> =
            Outcome::ALL.iter().zip(self.outcomes).map(|(o, k)| (o.name().to_string(), num(wilson(k, runs).p))).collect();
        json!({
            "scenario": self.spec.scenario,
            "method": self.spec.method,
            "points": self.points,
            "runs_per_point": self.spec.runs_per_point,
            "seed": self.spec.seed,
            "intervals": "95% intervals, Monte Carlo error only",
            "headline_overall": overall,
            "outcomes_overall": outcomes,
            "main_effects": effects,
            "best_point": self.best.as_ref().map(|(i, v, p)| json!({"point": i, "values": v, "agenda_share": num(*p)})),
        })
    }

    fn title(&self, _: &ReportInfo) -> String {
        format!("Sweep: {}", self.spec.scenario)
    }

    fn report(&self, _: &ReportInfo) -> String {
        let s = &self.spec;
        let mut out = String::new();
        let keys: Vec<&str> = s.params.iter().map(|p| p.key.as_str()).collect();
        let _ =
            writeln!(out, "<header>\n<h1>{}</h1>", escape(&format!("How the forecast for {} moves with {}", s.scenario, keys.join(", "))));
        let _ = writeln!(
            out,
            "<p class=\"meta\">{} points ({}), {} simulated runs each. 95% intervals, Monte Carlo error only.</p>",
            self.points,
            if s.method == "lhs" { "Latin hypercube" } else { "full grid" },
            s.runs_per_point
        );
        if let Some((i, v, p)) = &self.best {
            let vals: Vec<String> = keys.iter().zip(v).map(|(k, x)| format!("{k} = {x:.4}")).collect();
            let _ = writeln!(
                out,
                "<p class=\"headline\">The share of the agenda standing at the end is highest at point {i} ({}): {} on average.</p>",
                escape(&vals.join(", ")),
                pct(*p)
            );
        }
        if s.illustrative {
            out.push_str("<p class=\"caveat\"><b>Illustrative numbers.</b> The base scenario's parameters are hand-set to show how the model behaves; read the sweep as “what follows if these assumptions hold”.</p>\n");
        }
        out.push_str("</header>\n");
        for (k, (p, bins)) in s.params.iter().zip(&self.effects).enumerate() {
            let used: Vec<(f64, &EffectBin)> =
                bins.iter().enumerate().filter(|(_, e)| e.runs > 0).map(|(b, e)| (p.bin_value(b), e)).collect();
            let fans = [
                charts::Fan {
                    name: "share of the agenda standing".into(),
                    points: used
                        .iter()
                        .map(|(x, e)| {
                            let a = e.agenda();
                            (*x, [a.lo, a.lo, a.estimate, a.hi, a.hi])
                        })
                        .collect(),
                },
                charts::Fan {
                    name: "at least one step".into(),
                    points: used
                        .iter()
                        .map(|(x, e)| {
                            let w = wilson(e.with_step, e.runs);
                            (*x, [w.lo, w.lo, w.p, w.hi, w.hi])
                        })
                        .collect(),
                },
            ];
            let body = html::figure(
                &format!("chart-sweep-{k}"),
                &format!("The headline indicators as {} varies", p.key),
                &charts::fan_chart(&fans, (0.0, 1.0), &p.key, "share of runs / of the agenda"),
                "Each line is an indicator at each value, averaged over the other swept parameters (the main effect): the mean share of the agenda standing at the end, and the chance of at least one step implemented; the band is its 95% interval (Monte Carlo error only).",
            );
            out.push_str(&html::section(
                &format!("param-{k}"),
                &p.key,
                "Main effect on the agenda share and on the chance of at least one step.",
                &body,
            ));
        }
        if let ([a, b], "grid") = (s.params.as_slice(), s.method.as_str()) {
            if self.shown.len() as u64 == self.points {
                let cells: Vec<(f64, f64, f64)> =
                    self.shown.iter().filter_map(|p| Some((*p.values.first()?, *p.values.get(1)?, p.headline.get(1)?.estimate))).collect();
                let body = html::figure(
                    "chart-sweep-grid",
                    &format!("Share of the agenda standing for each {} and {}", a.key, b.key),
                    &charts::heatmap(&cells, &a.key, &b.key),
                    "Each cell is one point of the grid, with its mean share of the agenda standing at the end written in it; darker cells keep more of the agenda (the shading spans the lowest to the highest cell).",
                );
                out.push_str(&html::section(
                    "grid",
                    "The whole grid",
                    "Both parameters at once: interactions show up as cells that the main effects alone do not predict.",
                    &body,
                ));
            }
        }
        let mut header: Vec<&str> = vec!["point"];
        header.extend(keys.iter().copied());
        header.extend([
            "at least one step",
            "95% interval",
            "agenda share",
            "comprehensive",
            "breakdown",
            "reversed",
            "first step (median)",
        ]);
        let rows: Vec<Vec<String>> = self
            .shown
            .iter()
            .map(|p| {
                let h = |k: usize| p.headline.get(k).copied().unwrap_or(Interval { estimate: f64::NAN, lo: f64::NAN, hi: f64::NAN });
                let mut r = vec![p.point.to_string()];
                r.extend(p.values.iter().map(|v| format!("{v:.4}")));
                r.extend([
                    pct(h(0).estimate),
                    format!("{}–{}", pct(h(0).lo), pct(h(0).hi)),
                    pct(h(1).estimate),
                    pct(h(2).estimate),
                    pct(h(3).estimate),
                    pct(h(4).estimate),
                    p.first_step_median.map_or("–".into(), |m| m.to_string()),
                ]);
                r
            })
            .collect();
        let intro = if self.points as usize > self.shown.len() {
            format!("The first {} of {} points; every point is in records.csv.", self.shown.len(), self.points)
        } else {
            "Every point of the design with its forecast (also in records.csv).".to_string()
        };
        out.push_str(&html::section("points", "Points", &intro, &html::table(&header, &rows)));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_and_lhs_designs() {
        let g = Design::grid(vec![parse_grid("a=1,2").unwrap(), parse_grid("b=0.1,0.2,0.3").unwrap()]).unwrap();
        assert_eq!(g.points.len(), 6);
        assert_eq!(g.points[1], vec![1.0, 0.2]);
        let l = Design::lhs(20, vec![parse_range("a=0..1").unwrap(), parse_range("b=10..20").unwrap()], 3).unwrap();
        for k in 0..2 {
            let (lo, hi) = if k == 0 { (0.0, 1.0) } else { (10.0, 20.0) };
            let mut strata: Vec<usize> = l.points.iter().map(|p| ((p[k] - lo) / (hi - lo) * 20.0).floor() as usize).collect();
            strata.sort();
            assert_eq!(strata, (0..20).collect::<Vec<_>>(), "each stratum once");
        }
        assert_eq!(l, Design::lhs(20, vec![parse_range("a=0..1").unwrap(), parse_range("b=10..20").unwrap()], 3).unwrap());
        // Errors name the setting (the command line says it with its flag), never a flag.
        let e = parse_grid("a").unwrap_err();
        assert!(e.name() == "grid" && e.to_string().starts_with("grid: expected key=v1"), "{e}");
        assert_eq!(parse_grid("a=1,x").unwrap_err().to_string(), "grid a: expected numbers separated by commas, found \"x\"");
        assert_eq!(parse_range("a=2..1").unwrap_err().to_string(), "lhs a: expected finite lo < hi, found 2..1");
        assert_eq!(Design::lhs(0, Vec::new(), 1).unwrap_err().to_string(), "lhs: expected at least 1 point, found 0");
    }
}
