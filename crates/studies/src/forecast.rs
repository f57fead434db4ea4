//! The `run` study: a Monte Carlo forecast of the backchannel model as a run directory. The
//! statistics are the diplomacy crate's exact, mergeable [`Aggregate`] (`stats.json`); this
//! module writes each run ([`JobRecord`]) as a record, derives `aggregates.json` from the
//! aggregate's summary (the keys of `backchannel run --json`, plus the final visibility and the
//! trust fan), and renders the report's charts.

use std::fmt::Write as _;

use bc_diplomacy::forecast::{pairs, Aggregate, ForecastSpec, Headline, Interval, JobRecord, Transitions};
use bc_diplomacy::Outcome;
use bc_report::estimate::group;
use bc_report::html::{self, charts, escape, pct, pts};
use bc_report::records::{Cell, Column, ColumnType};
use bc_report::study::{ReportInfo, Study};
use serde_json::{json, Value as Json};

use crate::Stats;

/// A forecast as a `bc_engine::Study` (`backchannel run --out` / `--shard` / `--dry-run`): job
/// `i` is Monte Carlo run `i` with its paired counterfactuals and swings, traced so that the
/// record keeps the run's trust path and the run's key events go to `events.jsonl`.
pub struct ForecastStudy<'a> {
    scenario: &'a bc_diplomacy::Scenario,
    options: bc_diplomacy::forecast::JobOptions,
    spec: ForecastSpec,
    seed: u64,
    runs: u64,
}

impl<'a> ForecastStudy<'a> {
    /// The forecast of `scenario` under `options`.
    pub fn new(scenario: &'a bc_diplomacy::Scenario, options: &bc_diplomacy::forecast::Options) -> ForecastStudy<'a> {
        let o = bc_diplomacy::forecast::JobOptions { trust_path: true, ..bc_diplomacy::forecast::JobOptions::new(scenario, options) };
        let spec = ForecastSpec::new(scenario, &o, options.seed);
        ForecastStudy { scenario, options: o, spec, seed: options.seed, runs: options.runs }
    }
}

impl bc_engine::Study for ForecastStudy<'_> {
    type Scratch = bc_diplomacy::sim::Scratch;
    type Record = JobRecord;
    type Stats = Aggregate;

    fn kind(&self) -> &'static str {
        "run"
    }
    fn jobs(&self) -> u64 {
        self.runs
    }
    fn unit(&self) -> &'static str {
        "runs"
    }
    fn columns(&self) -> Vec<Column> {
        columns(&self.spec)
    }
    fn scratch(&self) -> bc_diplomacy::sim::Scratch {
        bc_diplomacy::sim::Scratch::default()
    }
    fn run(&self, scratch: &mut bc_diplomacy::sim::Scratch, i: u64, _detail: bool) -> bc_engine::Job<JobRecord> {
        let mut events = KeyEvents { run: i, lines: Vec::new() };
        let j = bc_diplomacy::forecast::job(self.scenario, &self.options, self.seed, i, &mut events, scratch);
        bc_engine::Job { rows: vec![cells(&self.spec, &j)], events: events.lines, files: Vec::new(), record: j }
    }
    fn stats(&self, _: u64) -> Aggregate {
        Aggregate::new(self.spec.clone(), true)
    }
    fn fold(&self, agg: &mut Aggregate, j: &JobRecord) {
        agg.add(j);
    }
}

/// A run's key events (strikes and how they were read, agreements, implemented steps,
/// withdrawals from standing steps and the responses to them, a rejected mediator, walk-outs,
/// the end) as JSON lines, rendered on the worker thread (small, and cheap to write).
struct KeyEvents {
    run: u64,
    lines: Vec<String>,
}

impl bc_diplomacy::sim::Observer for KeyEvents {
    const ENABLED: bool = true;
    fn event(&mut self, e: bc_diplomacy::sim::RunEvent) {
        use bc_diplomacy::sim::RunEvent as Event;
        match e {
            Event::Strike { round, spoiler, reading, .. } => {
                self.lines.push(
                    serde_json::json!({"run": self.run, "event": "strike", "round": round, "spoiler": spoiler, "reading": reading})
                        .to_string(),
                );
            }
            e @ (Event::Agreed { .. }
            | Event::StepDone { .. }
            | Event::Withdrawal { .. }
            | Event::Response { .. }
            | Event::Rejected { .. }
            | Event::Left { .. }
            | Event::End { .. }) => {
                // `{"run":N,` + the event's own fields.
                if let Ok(text) = serde_json::to_string(&e) {
                    if let Some(rest) = text.strip_prefix('{') {
                        self.lines.push(format!("{{\"run\":{},{rest}", self.run));
                    }
                }
            }
            _ => {}
        }
    }
}

/// What an outcome class means, for people.
pub fn meaning(o: Outcome) -> &'static str {
    match o {
        Outcome::Comprehensive => "comprehensive: every step stands at the end",
        Outcome::Partial => "partial: some steps stand, the talks are still on",
        Outcome::BreakdownAfterProgress => "breakdown after progress: some steps stand, a side walked out",
        Outcome::Collapse => "collapse: nothing stands, a side walked out",
        Outcome::Drift => "drift: nothing stands, still talking",
    }
}

/// The short name of an outcome class, for people ("breakdown after progress").
pub fn class_name(o: Outcome) -> &'static str {
    meaning(o).split(':').next().unwrap_or("")
}

/// The headline indicators for people, in `forecast::INDICATORS` order.
pub const INDICATOR_NAMES: [&str; 5] = [
    "at least one step implemented",
    "share of the agenda standing at the end",
    "comprehensive (every step stands)",
    "breakdown (a side walked out)",
    "reversed (a step that stood was snapped back)",
];

/// The note every forecast's intervals carry.
pub const INTERVALS_NOTE: &str = "95% intervals, Monte Carlo error only";

/// A headline's five indicators in `forecast::INDICATORS` order.
pub fn indicators(h: &Headline) -> [Interval; 5] {
    [h.at_least_one_step, h.agenda_share, h.comprehensive, h.breakdown, h.reversed]
}

fn ident(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect()
}

/// 0/1 for a flag (the indicator columns).
fn flag(b: bool) -> Cell {
    Cell::from(u32::from(b))
}

/// The record columns of a forecast's runs.
pub fn columns(s: &ForecastSpec) -> Vec<Column> {
    let mut c = vec![
        Column::new("run", ColumnType::Int),
        Column::new("outcome", ColumnType::Text),
        Column::new("at_least_one_step", ColumnType::Int),
        Column::new("agenda_share", ColumnType::Float),
        Column::new("comprehensive", ColumnType::Int),
        Column::new("breakdown", ColumnType::Int),
        Column::new("reversed", ColumnType::Int),
        Column::new("steps_standing", ColumnType::Int),
        Column::new("rounds", ColumnType::Int),
        Column::nullable("first_step_round", ColumnType::Int),
        Column::new("steps_implemented", ColumnType::Int),
        Column::new("reversals", ColumnType::Int),
        Column::new("withdrawals", ColumnType::Int),
        Column::new("agreements", ColumnType::Int),
        Column::new("strikes", ColumnType::Int),
        Column::new("setbacks", ColumnType::Int),
        Column::nullable("kept_talking", ColumnType::Int),
        Column::nullable("rounds_to_resume", ColumnType::Int),
        Column::new("concrete_signals", ColumnType::Int),
        Column::nullable("mediator_accepted", ColumnType::Int),
        Column::nullable("rejected_round", ColumnType::Int),
        Column::new("left", ColumnType::Text),
        Column::new("final_visibility", ColumnType::Float),
    ];
    for (i, j) in pairs(s.parties.len()) {
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

/// A run as record cells (in [`columns`] order).
pub fn cells(s: &ForecastSpec, j: &JobRecord) -> Vec<Cell> {
    let r = &j.record;
    let mut c = vec![
        Cell::from(j.run),
        Cell::from(r.outcome.name()),
        flag(r.at_least_one_step),
        // + 0.0: a share of nothing is written 0, never -0.
        Cell::from(r.agenda_share + 0.0),
        flag(r.outcome == Outcome::Comprehensive),
        flag(r.left.is_some()),
        flag(r.reversals > 0),
        Cell::from(r.steps_standing),
        Cell::from(r.rounds),
        Cell::from(r.first_step_round),
        Cell::from(r.steps_implemented),
        Cell::from(r.reversals),
        Cell::from(r.withdrawals),
        Cell::from(r.agreements),
        Cell::from(r.strikes),
        Cell::from(r.setbacks),
        r.kept_talking_after_setback.map_or(Cell::Null, flag),
        Cell::from(r.rounds_to_resume),
        flag(r.concrete_signals),
        r.mediator_accepted.map_or(Cell::Null, flag),
        Cell::from(r.rejected_round),
        Cell::from(r.left.and_then(|i| s.parties.get(i)).cloned().unwrap_or_default()),
        Cell::from(r.final_visibility),
    ];
    for (i, k) in pairs(s.parties.len()) {
        c.push(Cell::from(r.final_trust.get(i).and_then(|row| row.get(k)).copied().unwrap_or(f64::NAN)));
    }
    for k in 0..s.parties.len() {
        c.push(Cell::from(r.discounted_utility.get(k).copied().unwrap_or(f64::NAN)));
    }
    for k in 0..s.uncertain.len() {
        c.push(Cell::from(j.quantiles.get(k).copied().unwrap_or(f64::NAN)));
    }
    for k in 0..s.counterfactuals.len() {
        c.push(Cell::from(j.counterfactuals.get(k).map_or("", |b| b.outcome.name())));
    }
    c
}

/// "Iran's", "United States'".
fn possessive(name: &str) -> String {
    if name.ends_with('s') {
        format!("{name}'")
    } else {
        format!("{name}'s")
    }
}

fn pair_names(s: &ForecastSpec) -> Vec<String> {
    pairs(s.parties.len()).into_iter().map(|(i, j)| format!("{} trust in {}", possessive(s.display(i)), s.display(j))).collect()
}

fn num(x: f64) -> Json {
    serde_json::Number::from_f64(x).map_or(Json::Null, Json::Number)
}

impl Study for Stats<Aggregate> {
    const KIND: &'static str = "run";

    fn merge(&mut self, next: Stats<Aggregate>) -> Result<(), String> {
        Aggregate::merge(&mut self.0, next.0).map_err(|e| e.to_string())
    }

    /// The summary (`backchannel run --json`'s keys and values), then the mean final
    /// visibility and the trust fan (quantiles of trust per round and pair).
    fn aggregates(&self) -> Json {
        let summary = serde_json::to_value(self.summary()).unwrap_or(Json::Null);
        let fans: Vec<Json> = pair_names(&self.spec)
            .iter()
            .enumerate()
            .map(|(k, name)| {
                let rounds: Vec<Json> = self
                    .trust_path
                    .iter()
                    .enumerate()
                    .filter_map(|(t, bins)| {
                        let b = bins.get(k)?;
                        Some(json!({"round": t, "q05": num(b.quantile(0.05)), "q25": num(b.quantile(0.25)), "q50": num(b.quantile(0.5)), "q75": num(b.quantile(0.75)), "q95": num(b.quantile(0.95))}))
                    })
                    .collect();
                json!({"pair": name, "rounds": rounds})
            })
            .collect();
        let mut out = serde_json::Map::new();
        if let Json::Object(fields) = summary {
            out.extend(fields);
        }
        out.insert("mean_final_visibility".into(), num(self.visibility.mean()));
        out.insert("trust_fan".into(), Json::Array(fans));
        Json::Object(out)
    }

    fn title(&self, _: &ReportInfo) -> String {
        format!("Forecast: {}", self.spec.scenario)
    }

    fn report(&self, _: &ReportInfo) -> String {
        forecast_report(self)
    }
}

fn plural(unit: &str) -> String {
    if unit.ends_with('s') {
        unit.to_string()
    } else {
        format!("{unit}s")
    }
}

/// `47% (95% interval 45–49%)`.
fn share(i: &Interval) -> String {
    format!("{} (95% interval {}–{})", pct(i.estimate), pct(i.lo), pct(i.hi))
}

/// `+1.2 pts (−0.3 to +2.4 pts)`.
fn diff(i: &Interval) -> String {
    format!("{} ({} to {})", pts(i.estimate), pts(i.lo).trim_end_matches(" pts"), pts(i.hi))
}

/// A utility or a difference of utilities, with its interval.
fn value(i: &Interval, signed: bool) -> String {
    if !i.estimate.is_finite() {
        return "n/a".into();
    }
    if signed {
        format!("{:+.3} ({:+.3} to {:+.3})", i.estimate, i.lo, i.hi)
    } else {
        format!("{:.3} ({:.3} to {:.3})", i.estimate, i.lo, i.hi)
    }
}

/// A counterfactual's 5×5 table of outcome classes: rows the run as the scenario has it,
/// columns the same run under the counterfactual.
pub fn transition_table(t: &Transitions, alternative: &str) -> String {
    let names: Vec<String> = Outcome::ALL.iter().map(|o| class_name(*o).to_string()).collect();
    let corner = format!("scenario ↓ · {alternative} →");
    let mut header: Vec<&str> = vec![corner.as_str()];
    header.extend(names.iter().map(String::as_str));
    header.push("total");
    let rows: Vec<Vec<String>> = Outcome::ALL
        .iter()
        .zip(&t.counts)
        .map(|(o, row)| {
            let mut r = vec![class_name(*o).to_string()];
            r.extend(row.iter().map(|k| group(*k)));
            r.push(group(row.iter().sum()));
            r
        })
        .collect();
    html::table(&header, &rows)
}

fn forecast_report(st: &Aggregate) -> String {
    let f = st.summary();
    let s = &st.spec;
    let n = st.runs;
    let unit = if s.round_unit.is_empty() { "round".to_string() } else { s.round_unit.clone() };
    let units = plural(&unit);
    let h = indicators(&f.headline);
    let mut out = String::new();
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
    let mut headline = format!(
        "At least one concrete step is implemented in <b>{}</b> of runs (95% interval {}–{}); on average <b>{}</b> of the agenda stands at the end.",
        pct(h[0].estimate),
        pct(h[0].lo),
        pct(h[0].hi),
        pct(h[1].estimate)
    );
    let fs = &f.first_step_round;
    if let (Some(m), Some(q1), Some(q3)) = (fs.median, fs.q1, fs.q3) {
        let _ = write!(
            headline,
            " When it happens, the first step typically comes in {unit} {m} (half of those runs between {unit} {q1} and {q3})."
        );
    }
    let top = Outcome::ALL.iter().zip(st.outcomes).max_by(|a, b| a.1.cmp(&b.1).then(b.0.index().cmp(&a.0.index()))).map(|x| *x.0);
    if let Some(c) = top {
        let o = outcome_interval(&f.outcomes, c);
        let _ = write!(headline, " The most likely result is <b>{}</b> ({} of runs).", escape(class_name(c)), pct(o.estimate));
    }
    let _ = writeln!(out, "<p class=\"headline\">{headline}</p>");
    if s.illustrative {
        let _ = writeln!(
            out,
            "<p class=\"caveat\"><b>Illustrative numbers.</b> This scenario's parameters are hand-set to show how the model behaves, each with a one-line reason in the scenario file; they are not estimates from data or from experts. Read the results as “what follows if these assumptions hold”, and compare variants rather than trusting any single percentage.</p>"
        );
    }
    out.push_str("</header>\n");

    // Headline indicators.
    let items: Vec<charts::Interval> = INDICATOR_NAMES
        .iter()
        .zip(&h)
        .map(|(name, i)| charts::Interval { label: (*name).to_string(), value: i.estimate, lo: i.lo, hi: i.hi })
        .collect();
    let mut body = html::figure(
        "chart-headline",
        "The headline indicators",
        &charts::probability_bars(&items),
        &format!(
            "Share of the {} simulated runs with each result (the agenda share is a mean over runs); the whisker is its 95% interval, Monte Carlo error only: it shrinks with more runs and carries no parameter or structural uncertainty.",
            group(n)
        ),
    );
    let mut rows: Vec<Vec<String>> = INDICATOR_NAMES
        .iter()
        .zip(&h)
        .map(|(name, i)| vec![(*name).to_string(), pct(i.estimate), format!("{}–{}", pct(i.lo), pct(i.hi))])
        .collect();
    for (k, u) in f.headline.utility.iter().enumerate() {
        rows.push(vec![format!("{} discounted utility", possessive(s.display(k))), value(&u.value, false), String::new()]);
    }
    body.push_str(&html::table(&["indicator", "estimate", "95% interval"], &rows));
    body.push_str("<p>A party's discounted utility is its no-deal value plus each change of what stands, discounted to the round it happened, minus its discounted engagement costs: the domestic cost of being seen talking to the other side. The engagement cost is not Fearon's audience cost (the price of backing down from a public threat).</p>\n");
    out.push_str(&html::section(
        "headline",
        "Headline indicators",
        &format!("The numbers the talks are judged on first ({INTERVALS_NOTE})."),
        &body,
    ));

    // Outcome classes.
    let classes: Vec<(Outcome, Interval, u64)> =
        Outcome::ALL.iter().zip(st.outcomes).map(|(&c, k)| (c, outcome_interval(&f.outcomes, c), k)).collect();
    let items: Vec<charts::Interval> = classes
        .iter()
        .map(|(c, e, _)| charts::Interval { label: class_name(*c).to_string(), value: e.estimate, lo: e.lo, hi: e.hi })
        .collect();
    let mut body = html::figure(
        "chart-outcomes",
        "How the talks end",
        &charts::probability_bars(&items),
        &format!(
            "Share of the {} simulated runs ending each way, by what stands at the end; the whisker is the 95% interval of that share (Monte Carlo error only). A walk-out by itself reverses nothing: steps stand until someone withdraws from them.",
            group(n)
        ),
    );
    let rows: Vec<Vec<String>> = classes
        .iter()
        .map(|(c, e, k)| vec![meaning(*c).to_string(), pct(e.estimate), format!("{}–{}", pct(e.lo), pct(e.hi)), group(*k)])
        .collect();
    body.push_str(&html::table(&["outcome", "probability", "95% interval", "runs"], &rows));
    out.push_str(&html::section("outcomes", "Outcome classes", "How likely each ending is, across all simulated runs.", &body));

    // Process indicators.
    let mut facts = String::from("<ul class=\"keyfacts\">\n");
    let k = &f.kept_talking_after_setback;
    if st.setback_runs > 0 {
        let _ = writeln!(
            facts,
            "<li><b>Kept talking after the first setback:</b> {}, among the {} of runs that had a setback (a spoiler strike or an observed defection): an offer on the table within {} {} of it and nobody walking out.</li>",
            share(&k.probability),
            pct(k.runs_with_setback.estimate),
            k.window,
            escape(&units)
        );
    } else {
        facts.push_str("<li><b>Kept talking after the first setback:</b> no run had a setback.</li>\n");
    }
    match &f.mediator_accepted {
        Some(a) => {
            let _ = writeln!(
                facts,
                "<li><b>Mediator's role accepted</b> (no side rejected {}): {}.</li>",
                escape(s.mediator.as_deref().unwrap_or("the mediator")),
                share(a)
            );
        }
        None if s.mediator.is_some() => facts.push_str("<li><b>Mediator's role accepted:</b> no runs.</li>\n"),
        None => facts.push_str("<li><b>Mediator's role accepted:</b> not applicable (direct talks).</li>\n"),
    }
    let _ = writeln!(
        facts,
        "<li><b>Concrete signals</b> (every side that implements something delivered on a step in time): {}.</li>",
        share(&f.concrete_signals)
    );
    let _ = writeln!(
        facts,
        "<li><b>Spoiler strikes</b> per run on average: {:.2}; talks lasted {:.1} {} on average.</li>",
        f.mean_strikes,
        f.mean_rounds,
        escape(&units)
    );
    facts.push_str("</ul>\n");
    out.push_str(&html::section("process", "How the talks went", &format!("Indicators of the process ({INTERVALS_NOTE})."), &facts));

    // Time to first step.
    let cum = &f.first_step_round.cumulative;
    let line = charts::Line { name: "first concrete step".into(), points: cum.iter().enumerate().map(|(t, y)| (t as f64, *y)).collect() };
    let body = html::figure(
        "chart-first-step",
        "When the first concrete step happens",
        &charts::cumulative_curves(&[line], &format!("{unit} of the talks"), "runs with a first step"),
        &format!(
            "The curve rises each {unit} in which some runs see their first step implemented (e.g. a prisoner exchange). Where it levels off is the share of runs that ever get a first step: {}.",
            pct(h[0].estimate)
        ),
    );
    out.push_str(&html::section(
        "first-step",
        "Time to the first step",
        "Small credible steps are what the talks are judged on: how soon does the first one come?",
        &body,
    ));

    // Trust.
    if !st.trust_path.is_empty() && n > 0 {
        let names = pair_names(s);
        let fans: Vec<charts::Fan> = names
            .iter()
            .enumerate()
            .map(|(k, name)| charts::Fan {
                name: name.clone(),
                points: st
                    .trust_path
                    .iter()
                    .enumerate()
                    .filter_map(|(t, bins)| {
                        let b = bins.get(k)?;
                        Some((t as f64, [b.quantile(0.05), b.quantile(0.25), b.quantile(0.5), b.quantile(0.75), b.quantile(0.95)]))
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
        out.push_str(&html::section(
            "trust",
            "Trust",
            "Doubts about delivery are one of the three tests every opening must survive.",
            &body,
        ));
    }

    // Counterfactuals.
    if !f.counterfactuals.is_empty() {
        let items: Vec<charts::Interval> = f
            .counterfactuals
            .iter()
            .flat_map(|c| {
                [
                    charts::Interval {
                        label: format!("{}: at least one step", c.label),
                        value: c.difference.at_least_one_step.estimate,
                        lo: c.difference.at_least_one_step.lo,
                        hi: c.difference.at_least_one_step.hi,
                    },
                    charts::Interval {
                        label: format!("{}: agenda share", c.label),
                        value: c.difference.agenda_share.estimate,
                        lo: c.difference.agenda_share.lo,
                        hi: c.difference.agenda_share.hi,
                    },
                ]
            })
            .collect();
        let mut body = html::figure(
            "chart-counterfactuals",
            "What difference each choice makes",
            &charts::forest(&items, "paired difference (percentage points)"),
            "Each comparison replays the same runs, with the same luck, under one change, and shows the paired difference in the chance of at least one step and in the share of the agenda standing at the end (dot) with its 95% interval (line; Monte Carlo error only). Right of zero: the first option in the label does better; an interval crossing zero means no clear difference.",
        );
        for (k, c) in f.counterfactuals.iter().enumerate() {
            let d = indicators(&c.difference);
            let mut rows: Vec<Vec<String>> = INDICATOR_NAMES.iter().zip(&d).map(|(name, i)| vec![(*name).to_string(), diff(i)]).collect();
            for (p, u) in c.difference.utility.iter().enumerate() {
                rows.push(vec![format!("{} discounted utility", possessive(s.display(p))), value(&u.value, true)]);
            }
            let alternative = if c.name == "direct" { "direct talks".to_string() } else { c.name.replace('_', " ") };
            let _ = writeln!(body, "<h3 id=\"cf-{k}\">{}</h3>", escape(&c.label));
            body.push_str(&html::table(&["indicator", &format!("paired difference ({INTERVALS_NOTE})")], &rows));
            let _ = writeln!(
                body,
                "<p>Where the same runs end up: rows are the outcome class as the scenario has it, columns the class of the same run under the alternative ({}).</p>",
                escape(&alternative)
            );
            body.push_str(&transition_table(&c.transitions, &alternative));
            if c.name == "direct" {
                body.push_str("<p>When the mediator works confidentially, the model takes its reports of whether a zone of agreement exists as truthful, so the information effect of confidential mediation shown here is an upper bound (truthful reports).</p>\n");
            }
        }
        out.push_str(&html::section(
            "counterfactuals",
            "Counterfactuals",
            "Paired comparisons on common random numbers: mediated vs direct talks, small steps vs a grand bargain, the mediator with and without its leverage, and each spoiler removed.",
            &body,
        ));
    }

    // Sensitivity: paired swings.
    let sens = &f.sensitivity;
    if !sens.swing.is_empty() && sens.runs > 0 {
        let top: Vec<_> = sens.swing.iter().take(12).collect();
        let items: Vec<charts::Interval> = top
            .iter()
            .map(|x| charts::Interval {
                label: x.label.clone(),
                value: x.agenda_share.estimate,
                lo: x.agenda_share.lo,
                hi: x.agenda_share.hi,
            })
            .collect();
        let (lo_q, hi_q) = (sens.quantiles[0] * 100.0, sens.quantiles[1] * 100.0);
        let mut body = html::figure(
            "chart-sensitivity",
            "Which assumptions matter most",
            &charts::swing_tornado(&items, &format!("change in the agenda share standing, {hi_q:.0}th − {lo_q:.0}th percentile (percentage points)")),
            &format!(
                "For each uncertain assumption (largest swing on top), the paired change in the share of the agenda standing at the end when it moves from its {lo_q:.0}th to its {hi_q:.0}th percentile, every other draw of the run unchanged, on {} runs (every {}th); the whisker is its interval, {}. Long bars mark the assumptions worth pinning down first.",
                group(sens.runs),
                s.swing_every,
                escape(&sens.confidence)
            ),
        );
        let rows: Vec<Vec<String>> = sens
            .swing
            .iter()
            .enumerate()
            .map(|(k, x)| {
                vec![
                    (k + 1).to_string(),
                    x.label.clone(),
                    diff(&x.agenda_share),
                    diff(&x.at_least_one_step),
                    diff(&x.comprehensive),
                    diff(&x.breakdown),
                    diff(&x.reversed),
                ]
            })
            .collect();
        body.push_str(&html::table(
            &["rank", "assumption", "agenda share", "at least one step", "comprehensive", "breakdown", "reversed"],
            &rows,
        ));
        if sens.swing.iter().any(|x| x.parameter.ends_with(".audience_cost")) {
            body.push_str("<p>An engagement cost is a party's domestic cost per round of being seen talking; it is not Fearon's audience cost (the price of backing down from a public threat).</p>\n");
        }
        out.push_str(&html::section(
            "sensitivity",
            "Sensitivity",
            "The uncertain parameters ranked by their paired swing on the agenda share.",
            &body,
        ));
    }

    // Parties.
    let mut rows = Vec::new();
    for k in 0..s.parties.len() {
        let u = f.headline.utility.get(k).map_or(f64::NAN, |u| u.value.estimate);
        let trusts: Vec<String> = pairs(s.parties.len())
            .into_iter()
            .filter(|(i, _)| *i == k)
            .map(|(i, j)| format!("{}: {:.2}", s.display(j), f.mean_final_trust.get(i).and_then(|r| r.get(j)).copied().unwrap_or(f64::NAN)))
            .collect();
        rows.push(vec![s.display(k).to_string(), format!("{u:.3}"), trusts.join(", ")]);
    }
    let body = html::table(&["party", "mean discounted utility", "mean final trust in the others"], &rows);
    out.push_str(&html::section("parties", "The parties at the end", "Averages over all runs.", &body));
    out
}

/// The probability of class `c`.
pub fn outcome_interval(o: &bc_diplomacy::forecast::Outcomes, c: Outcome) -> Interval {
    match c {
        Outcome::Comprehensive => o.comprehensive,
        Outcome::Partial => o.partial,
        Outcome::BreakdownAfterProgress => o.breakdown_after_progress,
        Outcome::Collapse => o.collapse,
        Outcome::Drift => o.drift,
    }
}
