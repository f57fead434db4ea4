//! The `run` study: a Monte Carlo forecast of the backchannel model as a run directory. The
//! statistics are the diplomacy crate's exact, mergeable [`Aggregate`] (`stats.json`); this
//! module writes each run ([`JobRecord`]) as a record, derives `aggregates.json` from the
//! aggregate's summary (the keys of `backchannel run --json`, plus the final visibility and the
//! trust fan), and renders the report's charts.

use std::fmt::Write as _;

use bc_diplomacy::forecast::{pairs, Aggregate, ForecastSpec, JobRecord};
use bc_diplomacy::Outcome;
use bc_engine::stats::{wilson, Moments, Proportion};
use serde_json::{json, Value as Json};

use crate::estimate::group;
use crate::html::{self, charts, escape, pct, pts};
use crate::records::{Cell, Column, ColumnType};
use crate::study::{ReportInfo, Study};

/// What an outcome class means, for people.
fn meaning(o: Outcome) -> &'static str {
    match o {
        Outcome::Comprehensive => "comprehensive deal: every step agreed and implemented",
        Outcome::Partial => "partial deal: some steps implemented by the end",
        Outcome::Collapse => "collapse: a side walked out of the talks",
        Outcome::Drift => "drift: still talking at the end, nothing implemented",
    }
}

fn ident(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect()
}

/// The record columns of a forecast's runs.
pub fn columns(s: &ForecastSpec) -> Vec<Column> {
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
        c.push(Cell::from(j.counterfactuals.get(k).map_or("", |o| o.name())));
    }
    c
}

fn pair_names(s: &ForecastSpec) -> Vec<String> {
    pairs(s.parties.len()).into_iter().map(|(i, j)| format!("{}'s trust in {}", s.display(i), s.display(j))).collect()
}

fn num(x: f64) -> Json {
    serde_json::Number::from_f64(x).map_or(Json::Null, Json::Number)
}

impl Study for Aggregate {
    const KIND: &'static str = "run";

    fn merge(&mut self, next: Aggregate) -> Result<(), String> {
        Aggregate::merge(self, next).map_err(|e| e.to_string())
    }

    /// The summary (`backchannel run --json`'s keys and values), with the mean final
    /// visibility after the mean utilities and the trust fan (quantiles of trust per round and
    /// pair) at the end.
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
                    .map(|(t, bins)| {
                        let b = &bins[k];
                        json!({"round": t, "q05": num(b.quantile(0.05)), "q25": num(b.quantile(0.25)), "q50": num(b.quantile(0.5)), "q75": num(b.quantile(0.75)), "q95": num(b.quantile(0.95))})
                    })
                    .collect();
                json!({"pair": name, "rounds": rounds})
            })
            .collect();
        let mut out = serde_json::Map::new();
        if let Json::Object(fields) = summary {
            for (key, value) in fields {
                let after_utility = key == "mean_discounted_utility";
                out.insert(key, value);
                if after_utility {
                    out.insert("mean_final_visibility".into(), num(self.visibility.mean()));
                }
            }
        }
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
    if unit.ends_with('s') { unit.to_string() } else { format!("{unit}s") }
}

fn forecast_report(st: &Aggregate) -> String {
    let s = &st.spec;
    let n = st.runs;
    let unit = if s.round_unit.is_empty() { "round".to_string() } else { s.round_unit.clone() };
    let units = plural(&unit);
    let mut out = String::new();
    let classes: Vec<(Outcome, Proportion, u64)> = Outcome::ALL.iter().zip(st.outcomes).map(|(&c, k)| (c, wilson(k, n), k)).collect();
    let agreement = wilson(st.agreements(), n);
    let top = classes.iter().max_by(|a, b| a.1.p.total_cmp(&b.1.p)).map(|x| (x.0, x.1));
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
            escape(meaning(c).split(':').next().unwrap_or("")),
            pct(e.p),
            pct(e.lo),
            pct(e.hi)
        );
    }
    let _ = write!(headline, "At least one concrete step is agreed and carried out in <b>{}</b> of runs", pct(agreement.p));
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
            pct(kept.p),
            pct(kept.lo),
            pct(kept.hi),
            pct(wilson(st.setback_runs, n).p)
        );
    }
    if st.mediated > 0 {
        let a = wilson(st.accepted, st.mediated);
        let _ = writeln!(
            out,
            "<li><b>Mediator's role accepted</b> (every side's trust in {} stayed above its threshold): {} (95% interval {}–{}).</li>",
            escape(s.mediator.as_deref().unwrap_or("the mediator")),
            pct(a.p),
            pct(a.lo),
            pct(a.hi)
        );
    }
    let _ = writeln!(out, "<li><b>Spoiler strikes</b> per run on average: {:.2}; talks lasted {:.1} {} on average.</li>", st.strikes.mean(), st.rounds.mean(), escape(&units));
    out.push_str("</ul>\n</header>\n");

    // Outcomes.
    let mut items: Vec<charts::Interval> = classes
        .iter()
        .map(|(c, e, _)| charts::Interval { label: meaning(*c).split(':').next().unwrap_or("").to_string(), value: e.p, lo: e.lo, hi: e.hi })
        .collect();
    items.push(charts::Interval { label: "any deal (comprehensive or partial)".into(), value: agreement.p, lo: agreement.lo, hi: agreement.hi });
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
        .map(|(c, e, k)| vec![meaning(*c).to_string(), pct(e.p), format!("{}–{}", pct(e.lo), pct(e.hi)), group(*k)])
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
            pct(wilson(st.first_step.total(), n).p)
        ),
    );
    out.push_str(&html::section("first-step", "Time to the first step", "Small credible steps are what the talks are judged on: how soon does the first one come?", &body));

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
                charts::Interval { label: c.label.clone(), value: e.diff, lo: e.lo, hi: e.hi }
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
                vec![c.label.clone(), pts(a.diff), format!("{} to {}", pts(a.lo).trim_end_matches(" pts"), pts(a.hi)), pts(k.diff), pct(wilson(x.counterfactual_agreements, n).p)]
            })
            .collect();
        body.push_str(&html::table(&["comparison", "Δ P(any deal)", "95% interval", "Δ P(comprehensive)", "P(any deal) under the alternative"], &rows));
        out.push_str(&html::section("counterfactuals", "Counterfactuals", "Paired comparisons on common random numbers: mediated vs direct talks, small steps vs a grand bargain, and each spoiler removed.", &body));
    }

    // Sensitivity.
    let sens = st.sensitivity();
    if !sens.is_empty() {
        let top: Vec<_> = sens.iter().take(12).collect();
        let swings: Vec<charts::Swing> = top.iter().map(|x| charts::Swing { label: x.parameter.clone(), low: x.low_quarter.p, high: x.high_quarter.p }).collect();
        let mut body = html::figure(
            "chart-sensitivity",
            "Which assumptions matter most",
            &charts::tornado(&swings, agreement.p, "chance of any deal", "assumption in its lowest quarter", "assumption in its highest quarter"),
            &format!(
                "For each uncertain assumption (largest effect on top), the chance of a deal in the runs where it was drawn in its lowest quarter and in its highest quarter; the black line is the overall chance ({}). Long bars mark the assumptions worth pinning down first.",
                pct(agreement.p)
            ),
        );
        let rows: Vec<Vec<String>> = sens
            .iter()
            .map(|x| {
                let e = &x.effect;
                vec![x.parameter.clone(), pct(x.low_quarter.p), pct(x.high_quarter.p), pts(e.diff), format!("{} to {}", pts(e.lo).trim_end_matches(" pts"), pts(e.hi)), format!("{:+.3}", x.rank_correlation)]
            })
            .collect();
        body.push_str(&html::table(&["parameter", "P(deal), low quarter", "P(deal), high quarter", "effect", "95% interval", "rank correlation"], &rows));
        out.push_str(&html::section("sensitivity", "Sensitivity", "The uncertain parameters ranked by their effect on the chance of a deal.", &body));
    }

    // Parties.
    let mut rows = Vec::new();
    for k in 0..s.parties.len() {
        let u = st.utility.get(k).map_or(f64::NAN, Moments::mean);
        let trusts: Vec<String> = pairs(s.parties.len())
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
