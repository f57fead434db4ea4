//! A tournament's scores as `backchannel tournament` prints them: one row an agent, ranked, with
//! its agreement rate, mean utility, advantage, welfare, distances to the Pareto frontier and the
//! Nash point, and faults.

use std::fmt::Write as _;

use bc_tournament::Scores;

/// The ranked table under a header line.
pub fn summary_table(header: &str, scores: &Scores) -> String {
    let names = &scores.spec.agents;
    let mut out = String::new();
    let _ = writeln!(out, "{header}");
    let _ = writeln!(out);
    let w = names.iter().map(|n| n.chars().count()).max().unwrap_or(0).max(5);
    let _ = writeln!(
        out,
        "{:<w$} {:>10} {:>9} {:>10} {:>10} {:>10} {:>9} {:>9} {:>7}",
        "agent", "played", "agreed", "utility", "advantage", "welfare", "pareto_d", "nash_d", "faults"
    );
    for (a, s) in scores.ranked() {
        let [agreement_rate, utility, advantage, welfare, pareto, nash] = s.means();
        let _ = writeln!(
            out,
            "{:<w$} {:>10} {:>9.3} {:>10.4} {:>10.4} {:>10.4} {:>9.4} {:>9.4} {:>7}",
            names.get(a).map_or("", |n| n.as_str()),
            s.n,
            agreement_rate,
            utility,
            advantage,
            welfare,
            pareto,
            nash,
            s.faults
        );
    }
    out
}
