//! The `sensitivity` and `discover` studies in run directories: their records (one row per
//! model run: the inputs' quantiles and the output), their statistics (the domain crate's
//! `bc_diplomacy::gsa::SensitivityData` / `DiscoverData`, every run's output, merged by
//! concatenation), their aggregates (the analysis, as the commands' `--json`) and their
//! reports: Sobol' index bars or the Morris mu*–sigma plot, and PRIM's coverage–density
//! trajectory with the chosen box drawn over the runs on its two most restricted inputs.
//! The analysis itself is `bc_diplomacy::gsa`'s; this module lays it out.

use std::fmt::Write as _;

use bc_diplomacy::gsa::{DiscoverData, DiscoverResult, FoundBox, Method, SensitivityData, SensitivityResult};
use bc_report::estimate::group;
use bc_report::html::{self, charts, escape, pct};
use bc_report::study::{ReportInfo, Study};
use serde_json::{json, Value as Json};

use crate::Stats;
pub use bc_diplomacy::gsa::{discover_cells, discover_columns, sensitivity_cells, sensitivity_columns};

/// Runs drawn one by one in a box's scatter plot (the first ones, in run order).
pub const SCATTER_RUNS: usize = 2_000;

fn error_json(e: impl std::fmt::Display) -> Json {
    json!({ "error": e.to_string() })
}

fn indicator_words(name: &str) -> String {
    match name {
        "at_least_one_step" => "the chance that at least one step is implemented".into(),
        "agenda_share" => "the share of the agenda standing at the end".into(),
        "comprehensive" => "the chance of a comprehensive outcome".into(),
        "breakdown" => "the chance of a breakdown".into(),
        "reversed" => "the chance that a standing step is reversed".into(),
        other => other.replace('_', " "),
    }
}

impl Study for Stats<SensitivityData> {
    const KIND: &'static str = "sensitivity";

    fn merge(&mut self, next: Stats<SensitivityData>) -> Result<(), String> {
        SensitivityData::merge(&mut self.0, next.0)
    }

    /// The analysis, as `backchannel sensitivity --json` prints it (or `{"error": …}` when the
    /// runs held give no indices, e.g. a shard of one base point).
    fn aggregates(&self) -> Json {
        match self.analyze(0) {
            Ok(r) => serde_json::to_value(r).unwrap_or(Json::Null),
            Err(e) => error_json(e),
        }
    }

    fn title(&self, _: &ReportInfo) -> String {
        format!("Sensitivity of {} in {}", self.spec.indicator, self.spec.scenario)
    }

    fn report(&self, info: &ReportInfo) -> String {
        sensitivity_report(self, info)
    }
}

fn sensitivity_report(data: &SensitivityData, info: &ReportInfo) -> String {
    let spec = &data.spec;
    let d = spec.inputs.len();
    let mut out = String::new();
    let what = indicator_words(&spec.indicator);
    let _ = writeln!(out, "<header>\n<h1>{}</h1>", escape(&format!("Which assumptions drive {what} in {}", spec.scenario)));
    let design = match spec.method {
        Method::Sobol { samples } => format!("a Saltelli design of N = {samples} base points, N (D + 2) runs"),
        Method::Morris { trajectories } => format!("r = {trajectories} Morris trajectories on a 4-level grid, r (D + 1) runs"),
    };
    let _ = writeln!(
        out,
        "<p class=\"meta\">{} model runs held ({design}) over D = {d} uncertain parameters; output: <code>{}</code>, one value per run; seed {}.</p>",
        group(data.outputs.len() as u64),
        escape(&spec.indicator),
        spec.seed
    );
    let r = match data.analyze(0) {
        Ok(r) => r,
        Err(e) => {
            let _ = writeln!(out, "<p class=\"caveat\">No indices from these runs: {}</p>\n</header>", escape(&e.to_string()));
            return out;
        }
    };
    let _ = writeln!(out, "<p class=\"headline\">{}</p>", headline(&r));
    let _ = writeln!(
        out,
        "<p class=\"caveat\">Every parameter is varied over its own distribution in the scenario: an input's coordinate is its quantile, so an effect is per step in probability, not per unit. The scenario's numbers are illustrative; the indices say what matters in the model as written, not in the world.</p>\n</header>"
    );
    match r.method {
        Method::Sobol { samples } => {
            let bars: Vec<charts::SobolBar> = r
                .inputs
                .iter()
                .map(|i| charts::SobolBar {
                    label: i.input.label.clone(),
                    s1: i.s1.unwrap_or((f64::NAN, f64::NAN)),
                    st: i.st.unwrap_or((f64::NAN, f64::NAN)),
                })
                .collect();
            let chart = html::figure(
                "chart-sobol",
                "Sobol' indices, largest total effect first",
                &charts::sobol_bars(&bars),
                &format!("Per parameter, ST (top bar) is the share of the output's variance it accounts for alone and through its interactions, S1 (lower bar) the share it explains alone; whiskers are 95% bootstrap intervals over the {samples} base points. An ST near 0 means the parameter can be fixed anywhere in its range."),
            );
            let rows: Vec<Vec<String>> = r
                .inputs
                .iter()
                .enumerate()
                .map(|(k, i)| {
                    let (s1, c1) = i.s1.unwrap_or_default();
                    let (st, ct) = i.st.unwrap_or_default();
                    vec![
                        (k + 1).to_string(),
                        i.input.label.clone(),
                        i.input.path.clone(),
                        format!("{s1:.3}\u{a0}±\u{a0}{c1:.3}"),
                        format!("{st:.3}\u{a0}±\u{a0}{ct:.3}"),
                        format!("{:.3}", st - s1),
                    ]
                })
                .collect();
            let table = html::table(&["rank", "parameter", "scenario key", "S1 (95%)", "ST (95%)", "ST − S1 (interactions)"], &rows);
            let body = format!("{chart}{table}{}", intervals_note(true));
            out.push_str(&html::section(
                "indices",
                "Sobol' indices",
                "How much of the output's variance each parameter accounts for.",
                &body,
            ));
        }
        Method::Morris { trajectories } => {
            let points: Vec<charts::Labelled> = r
                .inputs
                .iter()
                .map(|i| charts::Labelled {
                    label: i.input.label.clone(),
                    x: i.mu_star.map_or(f64::NAN, |m| m.0),
                    y: i.sigma.unwrap_or(f64::NAN),
                    x_half: i.mu_star.map(|m| m.1),
                })
                .collect();
            let chart = html::figure(
                "chart-morris",
                "Morris screening: mean absolute effect (mu*) against the spread of the effects (sigma)",
                &charts::labelled_scatter(&points, "mu*: mean absolute elementary effect (per quantile step of 2/3)", "sigma: standard deviation of the effects", true),
                &format!("Each dot is a parameter, numbered by rank of mu*; dots can coincide (those with no effect at all sit at the origin) and the table lists every parameter. Whiskers are 95% bootstrap intervals of mu* over the {trajectories} trajectories. Far right: large effects. Above the grey line (sigma > mu*): effects that change with the other parameters or along the range (interactions, non-linearity). Near the origin: parameters that can be fixed."),
            );
            let rows: Vec<Vec<String>> = r
                .inputs
                .iter()
                .enumerate()
                .map(|(k, i)| {
                    let (m, c) = i.mu_star.unwrap_or_default();
                    vec![
                        (k + 1).to_string(),
                        i.input.label.clone(),
                        i.input.path.clone(),
                        format!("{m:.3}\u{a0}±\u{a0}{c:.3}"),
                        format!("{:.3}", i.mu.unwrap_or(f64::NAN)),
                        format!("{:.3}", i.sigma.unwrap_or(f64::NAN)),
                    ]
                })
                .collect();
            let table = html::table(&["rank", "parameter", "scenario key", "mu* (95%)", "mu", "sigma"], &rows);
            let body = format!("{chart}{table}{}", intervals_note(false));
            out.push_str(&html::section("effects", "Morris elementary effects", "A screen of which parameters matter at all: effects of moving one parameter at a time by a step, over many starting points.", &body));
        }
    }
    if info.shard.is_some() {
        out.push_str("<p class=\"caveat\">These indices use only this shard's runs; merge the shards for the study's.</p>\n");
    }
    out
}

fn headline(r: &SensitivityResult) -> String {
    let top: Vec<String> = r
        .inputs
        .iter()
        .take(3)
        .map(|i| match (i.st, i.mu_star) {
            (Some((st, c)), _) => format!("<b>{}</b> (ST {st:.2} ± {c:.2})", escape(&i.input.label)),
            (None, Some((m, c))) => format!("<b>{}</b> (mu* {m:.3} ± {c:.3})", escape(&i.input.label)),
            _ => escape(&i.input.label),
        })
        .collect();
    let mean = if r.indicator == "agenda_share" { format!("{:.3}", r.mean) } else { pct(r.mean) };
    let lead = match r.method {
        Method::Sobol { .. } => {
            let total: f64 = r.inputs.iter().filter_map(|i| i.s1).map(|s| s.0).sum();
            format!(" Together the first-order indices account for {} of the variance; the rest is interactions and the model's own run-to-run chance.", pct(total.clamp(0.0, 1.0)))
        }
        Method::Morris { .. } => String::new(),
    };
    format!("The output averages {mean} over the runs. The parameters that matter most: {}.{lead}", top.join(", "))
}

fn intervals_note(sobol: bool) -> String {
    let what = if sobol { "indices" } else { "mu* values" };
    format!(
        "<p><b>What the intervals mean.</b> They are 95% bootstrap intervals of the {what} over the design's {} (100 resamples): the Monte Carlo error at this size, nothing more. An interval that contains 0 means the parameter cannot be told from inert at this size; overlapping intervals mean the order of those parameters is not settled. They shrink roughly as 1/√N: raise <code>--samples</code> (by powers of two for Sobol') until they are small next to the {what}. They say nothing about whether the scenario's distributions are right.</p>\n",
        if sobol { "base points" } else { "trajectories" }
    )
}

impl Study for Stats<DiscoverData> {
    const KIND: &'static str = "discover";

    fn merge(&mut self, next: Stats<DiscoverData>) -> Result<(), String> {
        DiscoverData::merge(&mut self.0, next.0)
    }

    /// The boxes, as `backchannel discover --json` prints them (or `{"error": …}` when the runs
    /// held give no boxes, e.g. a shard where no run hits the target).
    fn aggregates(&self) -> Json {
        match self.analyze() {
            Ok(r) => serde_json::to_value(r).unwrap_or(Json::Null),
            Err(e) => error_json(e),
        }
    }

    fn title(&self, _: &ReportInfo) -> String {
        format!("Scenario discovery: {} in {}", self.spec.target, self.spec.scenario)
    }

    fn report(&self, info: &ReportInfo) -> String {
        discover_report(self, info)
    }
}

/// The two inputs a box restricts most (narrowest quantile range first; with one restriction,
/// the first other input), with their quantile limits.
pub fn box_axes(b: &FoundBox, data: &DiscoverData) -> Option<[(usize, (f64, f64)); 2]> {
    let index = |path: &str| data.spec.inputs.iter().position(|i| i.path == path);
    let mut dims: Vec<(usize, (f64, f64))> = b.restrictions.iter().filter_map(|r| Some((index(&r.input.path)?, r.quantiles))).collect();
    dims.sort_by(|a, b| (a.1 .1 - a.1 .0).total_cmp(&(b.1 .1 - b.1 .0)).then(a.0.cmp(&b.0)));
    let first = *dims.first()?;
    let second = match dims.get(1) {
        Some(s) => *s,
        None => ((0..data.spec.inputs.len()).find(|j| *j != first.0)?, (0.0, 1.0)),
    };
    Some([first, second])
}

fn discover_report(data: &DiscoverData, info: &ReportInfo) -> String {
    let spec = &data.spec;
    let target = spec.target.replace('_', " ");
    let mut out = String::new();
    let _ = writeln!(out, "<header>\n<h1>{}</h1>", escape(&format!("Under which assumptions {target} happens in {}", spec.scenario)));
    let runs = data.runs_held();
    let hits = data.hits.bytes().filter(|b| *b == b'1').count() as u64;
    let _ = writeln!(
        out,
        "<p class=\"meta\">{} forecast runs held ({} of them {target}, {}); PRIM (peeling and pasting) with threshold {}, peel and paste alpha {} and {}, minimum mass {}; seed {}.</p>",
        group(runs),
        group(hits),
        pct(if runs > 0 { hits as f64 / runs as f64 } else { f64::NAN }),
        spec.prim.threshold,
        spec.prim.peel_alpha,
        spec.prim.paste_alpha,
        spec.prim.mass_min,
        spec.seed
    );
    let r: DiscoverResult = match data.analyze() {
        Ok(r) => r,
        Err(e) => {
            let _ = writeln!(out, "<p class=\"caveat\">No boxes from these runs: {}</p>\n</header>", escape(&e.to_string()));
            return out;
        }
    };
    if let Some(b) = r.boxes.first() {
        let _ = writeln!(out, "<p class=\"headline\">{}.</p>", escape(&capitalise(&b.rule)));
    }
    let _ = writeln!(
        out,
        "<p class=\"caveat\">A box is a region of the uncertain parameters (limits on a few of them) where {target} is much more frequent than overall. <b>Coverage</b> is the share of all {target} runs that fall in the box, <b>density</b> the share of the box's runs that are {target}, <b>mass</b> the share of all runs in the box. Boxes are found one after another, each on the runs the earlier boxes left. The scenario's numbers are illustrative.</p>\n</header>"
    );
    for (k, b) in r.boxes.iter().enumerate() {
        let id = format!("box-{}", k + 1);
        let mut body = String::new();
        if !b.accepted {
            let _ = writeln!(body, "<p>{}.</p>", escape(&capitalise(&b.rule)));
            out.push_str(&html::section(
                &id,
                &format!("Box {}: the remaining runs", k + 1),
                "No further box reaches the density threshold.",
                &body,
            ));
            continue;
        }
        let chosen = b.trajectory.iter().position(|s| s.coverage == b.coverage && s.density == b.density);
        let points: Vec<charts::TrajectoryPoint> =
            b.trajectory.iter().map(|s| charts::TrajectoryPoint { coverage: s.coverage, density: s.density, res_dim: s.res_dim }).collect();
        body.push_str(&html::figure(
            &format!("chart-trajectory-{}", k + 1),
            "Peeling trajectory: coverage against density",
            &charts::prim_trajectory(&points, chosen, spec.prim.threshold),
            "Each dot is a box on PRIM's path from all runs (right) to the smallest box it peeled (left); dots are coloured by how many parameters the box restricts. The ringed box is the one reported: the highest coverage among the boxes at or above the density threshold.",
        ));
        if let Some([(xa, xl), (ya, yl)]) = box_axes(b, data) {
            let shown = (runs as usize).min(SCATTER_RUNS);
            let pts: Vec<(f64, f64, bool)> = (0..shown).map(|i| (data.point(i)[xa], data.point(i)[ya], data.hit(i))).collect();
            let label = |j: usize| format!("{} (quantile)", spec.inputs[j].label);
            body.push_str(&html::figure(
                &format!("chart-box-{}", k + 1),
                "The box on its two most restricted parameters",
                &charts::box_scatter(&pts, (xl, yl), (&label(xa), &label(ya)), (&target, &format!("not {target}"))),
                &format!(
                    "{} runs (the first {} in run order) on the two parameters the box restricts most, each as its quantile (0 = lowest value in the scenario's distribution, 1 = highest); the rectangle is the box's limits on these two{}.",
                    group(shown as u64),
                    group(shown as u64),
                    if b.restrictions.len() > 2 { format!(" (it also restricts {} more)", b.restrictions.len() - 2) } else { String::new() }
                ),
            ));
        }
        let rows: Vec<Vec<String>> = b
            .restrictions
            .iter()
            .map(|x| {
                let v = |o: Option<f64>| o.map_or("—".to_string(), |v| format!("{v:.4}"));
                vec![
                    x.input.label.clone(),
                    x.input.path.clone(),
                    v(x.above),
                    v(x.below),
                    format!("{:.3}–{:.3}", x.quantiles.0, x.quantiles.1),
                ]
            })
            .collect();
        body.push_str(&html::table(&["parameter", "scenario key", "above", "below", "quantile range"], &rows));
        let _ = writeln!(
            body,
            "<p>Coverage {}, density {}, mass {}, lift {:.2} (density over the overall rate). The full peeling trajectory of every box is in <code>aggregates.json</code>.</p>",
            pct(b.coverage),
            pct(b.density),
            pct(b.mass),
            b.lift
        );
        out.push_str(&html::section(&id, &format!("Box {}", k + 1), &capitalise(&b.rule), &body));
    }
    if info.shard.is_some() {
        out.push_str("<p class=\"caveat\">These boxes use only this shard's runs; merge the shards for the study's.</p>\n");
    }
    out
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}
