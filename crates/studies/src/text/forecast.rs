//! The forecast's summary as `backchannel run` prints it: the headline indicators, outcome classes,
//! time to the first step, process indicators, paired counterfactuals with their transition tables
//! and the ranked parameter swings, a page a person reads in a minute.

use std::fmt::Write as _;

use bc_diplomacy::forecast::{Forecast, Headline, Interval};
use bc_diplomacy::Outcome;

fn pct(p: &Interval) -> String {
    if p.estimate.is_nan() {
        return "   n/a".into();
    }
    format!("{:5.1}%  [{:4.1}, {:4.1}]", 100.0 * p.estimate, 100.0 * p.lo, 100.0 * p.hi)
}

fn pts(d: &Interval) -> String {
    if d.estimate.is_nan() {
        return "n/a".into();
    }
    format!("{:+5.1} pts [{:+5.1}, {:+5.1}]", 100.0 * d.estimate, 100.0 * d.lo, 100.0 * d.hi)
}

/// A utility (or a difference of utilities) with its interval.
fn utility(v: &Interval, signed: bool) -> String {
    if v.estimate.is_nan() {
        return "n/a".into();
    }
    if signed {
        format!("{:+.3}  [{:+.3}, {:+.3}]", v.estimate, v.lo, v.hi)
    } else {
        format!("{:.3}  [{:.3}, {:.3}]", v.estimate, v.lo, v.hi)
    }
}

/// Two decimals; "n/a" for a mean over no runs (an empty shard).
fn fixed2(x: f64) -> String {
    if x.is_nan() {
        "n/a".into()
    } else {
        format!("{x:.2}")
    }
}

/// The headline indicators for people, in `forecast::INDICATORS` order.
const INDICATOR_NAMES: [&str; 5] = [
    "at least one step implemented",
    "share of the agenda standing at the end",
    "comprehensive (every step stands)",
    "breakdown (a party walked out)",
    "reversed (a standing step snapped back)",
];

/// Short names of the outcome classes for the transition tables' columns.
const CLASS_SHORT: [&str; 5] = ["compreh.", "partial", "brk+prog", "collapse", "drift"];

fn headline_rows(h: &Headline) -> [&Interval; 5] {
    [&h.at_least_one_step, &h.agenda_share, &h.comprehensive, &h.breakdown, &h.reversed]
}

/// The report a person reads.
pub fn report(f: &Forecast) -> String {
    let mut o = String::new();
    let variant = f.variant.as_ref().map(|v| format!(", variant {v}")).unwrap_or_default();
    let _ = writeln!(o, "backchannel forecast: {}{variant}", f.scenario);
    let _ = writeln!(o, "{} runs, seed {}, horizon {} {}s; source {}", f.runs, f.seed, f.horizon, f.round_unit, f.source);
    let _ = writeln!(o, "95% intervals, Monte Carlo error only (they shrink with more runs; no parameter or structural uncertainty).");
    let _ = writeln!(o, "Differences are paired: the same runs with the same random numbers.");
    let _ = writeln!(o);
    let _ = writeln!(o, "Headline");
    for (name, p) in INDICATOR_NAMES.iter().zip(headline_rows(&f.headline)) {
        let _ = writeln!(o, "  {name:<48} {}", pct(p));
    }
    for (k, u) in f.headline.utility.iter().enumerate() {
        let name = format!("discounted utility, {}", f.party_names.get(k).unwrap_or(&u.party));
        let _ = writeln!(o, "  {name:<48} {}", utility(&u.value, false));
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "Outcome class (by what stands at the end)");
    let rows = [
        ("comprehensive (every step stands)", &f.outcomes.comprehensive),
        ("partial (some steps stand; still talking)", &f.outcomes.partial),
        ("breakdown after progress (some stand; a party left)", &f.outcomes.breakdown_after_progress),
        ("collapse (nothing stands; a party left)", &f.outcomes.collapse),
        ("drift (nothing stands; still talking)", &f.outcomes.drift),
    ];
    for (name, p) in rows {
        let _ = writeln!(o, "  {name:<52} {}", pct(p));
    }
    let _ = writeln!(o);
    let fs = &f.first_step_round;
    match (fs.median, fs.q1, fs.q3) {
        (Some(m), Some(a), Some(b)) => {
            let _ = writeln!(o, "First concrete step                    {} {m} (quartiles {a}–{b})", f.round_unit);
        }
        _ => {
            let _ = writeln!(o, "First concrete step                    none in any run");
        }
    }
    let k = &f.kept_talking_after_setback;
    let _ = writeln!(
        o,
        "Kept talking after the first setback   {}   (setback in {} of runs; within {} {}s)",
        pct(&k.probability),
        if k.runs_with_setback.estimate.is_nan() { "n/a".to_string() } else { format!("{:.1}%", 100.0 * k.runs_with_setback.estimate) },
        k.window,
        f.round_unit
    );
    match &f.mediator_accepted {
        Some(p) => {
            let _ = writeln!(o, "Mediator's role accepted               {}", pct(p));
        }
        None if f.runs == 0 => {
            let _ = writeln!(o, "Mediator's role accepted               n/a (no runs)");
        }
        None => {
            let _ = writeln!(o, "Mediator's role accepted               n/a (direct talks)");
        }
    }
    let _ = writeln!(o, "Concrete signals from every side       {}", pct(&f.concrete_signals));
    let trust: Vec<String> = (0..f.parties.len())
        .flat_map(|i| (0..f.parties.len()).filter(move |j| *j != i).map(move |j| (i, j)))
        .map(|(i, j)| {
            format!(
                "{}→{} {}",
                f.parties[i],
                f.parties[j],
                fixed2(f.mean_final_trust.get(i).and_then(|r| r.get(j)).copied().unwrap_or(f64::NAN))
            )
        })
        .collect();
    let _ = writeln!(o, "Mean final trust                       {}; mean strikes per run {}", trust.join(", "), fixed2(f.mean_strikes));
    if !f.counterfactuals.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(o, "Counterfactuals (paired differences)");
        for c in &f.counterfactuals {
            let _ = writeln!(o, "  {}", c.label);
            for (name, d) in INDICATOR_NAMES.iter().zip(headline_rows(&c.difference)) {
                let _ = writeln!(o, "    {name:<46} {}", pts(d));
            }
            for (k, u) in c.difference.utility.iter().enumerate() {
                let name = format!("discounted utility, {}", f.party_names.get(k).unwrap_or(&u.party));
                let _ = writeln!(o, "    {name:<46} {}", utility(&u.value, true));
            }
            let _ = writeln!(o, "    outcome classes, runs (rows: the scenario; columns: the same runs under the alternative)");
            let _ = write!(o, "      {:<26}", "");
            for name in CLASS_SHORT {
                let _ = write!(o, " {name:>9}");
            }
            let _ = writeln!(o);
            for (name, row) in Outcome::ALL.iter().zip(&c.transitions.counts) {
                let _ = write!(o, "      {:<26}", name.name());
                for x in row {
                    let _ = write!(o, " {x:>9}");
                }
                let _ = writeln!(o);
            }
        }
    }
    let sw = &f.sensitivity;
    if !sw.swing.is_empty() && sw.runs == 0 {
        let _ = writeln!(o);
        let _ = writeln!(o, "Sensitivity: no parameter swings ran (they run with the counterfactuals, on every --swing-every-th run)");
    } else if !sw.swing.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "Sensitivity: paired swings, each parameter at its {:.0}th vs {:.0}th percentile, on {} runs",
            100.0 * sw.quantiles[1],
            100.0 * sw.quantiles[0],
            sw.runs
        );
        let _ = writeln!(o, "  intervals {}", sw.confidence);
        let w = sw.swing.iter().take(10).map(|s| s.label.chars().count()).max().unwrap_or(0).max(9);
        let _ = writeln!(o, "  {:>4}  {:<w$}  {:<30} at least one step", "rank", "parameter", "agenda share");
        for (k, s) in sw.swing.iter().take(10).enumerate() {
            let _ = writeln!(o, "  {:>4}  {:<w$}  {:<30} {}", k + 1, s.label, pts(&s.agenda_share), pts(&s.at_least_one_step));
        }
        if sw.swing.len() > 10 {
            let _ = writeln!(o, "  ... and {} more (see --json)", sw.swing.len() - 10);
        }
        if sw.swing.iter().any(|s| s.parameter.ends_with(".audience_cost")) {
            let _ = writeln!(o, "  (An engagement cost is the domestic cost of being seen talking; it is not Fearon's audience cost.)");
        }
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "Every number in the default scenario is illustrative; see `backchannel scenario export`.");
    o
}
