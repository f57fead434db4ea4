//! A domain's analysis as `backchannel analyze` prints it: each party's reservation, range and
//! disagreement utility, the Pareto frontier's size and the bargaining solutions, and, for one
//! outcome, its utilities and distances (the ANAC metrics).

use std::fmt::Write as _;

use bc_formats::DomainProfiles;
use bc_model::{Analysis, Distances};

/// An outcome's lines: its values, utilities, welfare and distances to the frontier and the solutions.
pub fn outcome(names: &[String], utils: &[f64], d: &Distances) -> String {
    let mut text = String::new();
    let _ = writeln!(text, "\noutcome   {}", names.join(" | "));
    let _ = writeln!(text, "utilities [{}]  welfare {:.4}", fmt_utils(utils), d.welfare);
    let _ = writeln!(
        text,
        "distance  to frontier {:.4}, Nash {:.4}, Kalai-Smorodinsky {:.4}, Kalai {:.4}, max welfare {:.4}",
        d.pareto, d.nash, d.kalai_smorodinsky, d.kalai, d.max_welfare
    );
    text
}

fn fmt_utils(u: &[f64]) -> String {
    u.iter().map(|x| format!("{x:.4}")).collect::<Vec<_>>().join("  ")
}

/// The analysis table; `sample` is (outcomes, seed) when the analysis ran on a sample.
pub fn table(s: &DomainProfiles, a: &Analysis, sample: Option<(usize, u64)>) -> String {
    let mut out = String::new();
    let size = a.n_outcomes.map_or("continuous".to_string(), |n| n.to_string());
    let _ = writeln!(out, "domain    {} ({} issues, {size} outcomes)", s.space.name(), s.space.issues().len());
    match sample {
        Some((n, seed)) => {
            let _ = writeln!(out, "method    sample of {n} outcomes (seed {seed}); frontier and ranges are the sample's");
        }
        None => {
            let _ = writeln!(out, "method    {}", bc_formats::json::method_name(a.method));
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "{:<28} {:>12} {:>12} {:>12} {:>12}", "party", "reserved", "min", "max", "disagree");
    for (k, p) in s.parties.iter().enumerate() {
        let _ = writeln!(
            out,
            "{:<28} {:>12.4} {:>12.4} {:>12.4} {:>12.4}",
            truncate(&p.name, 28),
            a.reserved_values[k],
            a.ranges[k].0,
            a.ranges[k].1,
            a.disagreement[k]
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "Pareto frontier: {} outcomes", a.pareto.len());
    let rows: [(&str, &[usize]); 5] = [
        ("Nash", &a.nash),
        ("Kalai-Smorodinsky", &a.kalai_smorodinsky),
        ("Kalai (egalitarian)", &a.kalai),
        ("max welfare", &a.max_welfare),
        ("max relative welfare", &a.max_relative_welfare),
    ];
    for (name, which) in rows {
        if which.is_empty() {
            let _ = writeln!(out, "  {name:<22} none (no rational outcome)");
        }
        for &k in which.iter().take(3) {
            let p = &a.pareto[k];
            let _ = writeln!(out, "  {name:<22} [{}]  {}", fmt_utils(&p.utils), s.space.value_names(&p.outcome).join(" | "));
        }
        if which.len() > 3 {
            let _ = writeln!(out, "  {:<22} ... and {} more tied points", "", which.len() - 3);
        }
    }
    out
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n - 1).chain(std::iter::once('…')).collect()
    }
}
