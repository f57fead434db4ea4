//! A stakeholder model's run as `backchannel stakeholders` prints it: positions and winning
//! probabilities turn by turn (KTAB's SMP) or round by round (BDM), and the forecast outcome.

use std::fmt::Write as _;

use bc_stakeholders::json::{quirks_label, BdmScenarioRun, ILLUSTRATIVE};
use bc_stakeholders::smp::{SmpRun, Stop};
use bc_stakeholders::StakeholderScenario;

fn header(out: &mut String, scenario: &StakeholderScenario, illustrative: bool, model: &str) {
    let _ = writeln!(out, "Scenario: {}", scenario.name);
    if !scenario.description.is_empty() {
        let _ = writeln!(out, "  {}", scenario.description);
    }
    if illustrative {
        let _ = writeln!(out, "NOTE: {ILLUSTRATIVE}");
    }
    let _ = writeln!(out, "Model: {model}");
    for (d, name) in scenario.dimensions.iter().enumerate() {
        let _ = writeln!(out, "  dimension {}: {name} (0-100)", d + 1);
    }
}

fn table_head(out: &mut String, scenario: &StakeholderScenario, name_w: usize, last: &str) -> Vec<usize> {
    let widths: Vec<usize> = scenario.dimensions.iter().map(|d| d.chars().count().max(6)).collect();
    let _ = write!(out, "  {:<name_w$}", "actor");
    for (d, w) in scenario.dimensions.iter().zip(&widths) {
        let _ = write!(out, "  {d:>w$}");
    }
    if last.is_empty() {
        let _ = writeln!(out);
    } else {
        let _ = writeln!(out, "  {last}");
    }
    widths
}

/// The SMP run turn by turn, and its forecast.
pub fn smp_text(scenario: &StakeholderScenario, run: &SmpRun, illustrative: bool) -> String {
    let mut out = String::new();
    let p = &run.options.params;
    header(&mut out, scenario, illustrative, "KTAB Spatial Model of Politics");
    let named: Vec<String> = p.named().iter().map(|(k, v)| format!("{k}={v}")).collect();
    let _ = writeln!(out, "  parameters: {}", named.join(", "));
    let _ = writeln!(out, "  quirks: {}; seed: {}", quirks_label(p), run.options.seed);
    let name_w = scenario.actors.iter().map(|a| a.name.chars().count()).max().unwrap_or(5).max(5);
    for (t, state) in run.states.iter().enumerate() {
        let _ = writeln!(out);
        match t {
            0 => {
                let _ = writeln!(out, "Turn 0 (initial positions)");
            }
            _ => {
                let _ = writeln!(out, "Turn {t} (this step moved {:.4} times as far as the first)", run.turns[t - 1].fractional_change);
            }
        }
        let widths = table_head(&mut out, scenario, name_w, "P(win)");
        for (i, a) in scenario.actors.iter().enumerate() {
            let _ = write!(out, "  {:<name_w$}", a.name);
            for (x, w) in state.positions[i].iter().zip(&widths) {
                let _ = write!(out, "  {:>w$.1}", x * 100.0);
            }
            let _ = writeln!(out, "  {:.4}", state.win_prob[i]);
        }
    }
    let n = run.turns.len();
    let _ = writeln!(out);
    match run.stop {
        Stop::Converged => {
            let _ = writeln!(out, "Stopped after {n} turns: the last step moved the actors less than 2% as much as the first.");
        }
        Stop::MaxTurns => {
            let _ = writeln!(out, "Stopped after {n} turns: the turn limit.");
        }
    }
    let f = run.forecast();
    let coords = |v: &[f64]| v.iter().map(|x| format!("{x:.1}")).collect::<Vec<_>>().join(", ");
    let holders: Vec<&str> = f.most_likely_holders.iter().map(|&i| scenario.actors[i].name.as_str()).collect();
    let _ = writeln!(out, "Forecast outcome (turn {n}):");
    let _ = writeln!(
        out,
        "  most likely position: ({}) with probability {:.4}, held by {}",
        coords(&f.most_likely),
        f.most_likely_probability,
        holders.join(", ")
    );
    let _ = writeln!(out, "  probability-weighted position: ({})", coords(&f.expected));
    if illustrative {
        let _ = writeln!(out, "NOTE: illustrative numbers; see above.");
    }
    out
}

/// The BDM run (each dimension separately) round by round, and its forecast.
pub fn bdm_text(scenario: &StakeholderScenario, run: &BdmScenarioRun, illustrative: bool) -> String {
    let (options, rounds) = (run.options, run.rounds);
    let pos = |t: usize, i: usize| run.positions(t, i);
    let medians = |t: usize| run.medians(t);
    let means = |t: usize| run.means(t);
    let quirks = run.quirks();
    let mut out = String::new();
    header(&mut out, scenario, illustrative, "Bueno de Mesquita expected utility (Scholz et al. 2011), each dimension separately");
    let _ = writeln!(out, "  Q = {}, quirks: {quirks}", options.q);
    let name_w = scenario.actors.iter().map(|a| a.name.chars().count()).max().unwrap_or(5).max(6);
    let coords = |v: &[f64], widths: &[usize]| v.iter().zip(widths).map(|(x, w)| format!("  {x:>w$.1}")).collect::<String>();
    for t in 0..=rounds {
        let _ = writeln!(out);
        let _ = writeln!(out, "Round {t}");
        let widths = table_head(&mut out, scenario, name_w, "");
        for (i, a) in scenario.actors.iter().enumerate() {
            let _ = writeln!(out, "  {:<name_w$}{}", a.name, coords(&pos(t, i), &widths));
        }
        let _ = writeln!(out, "  {:<name_w$}{}", "median", coords(&medians(t), &widths));
        let _ = writeln!(out, "  {:<name_w$}{}", "mean", coords(&means(t), &widths));
    }
    let fmt = |v: &[f64]| v.iter().map(|x| format!("{x:.1}")).collect::<Vec<_>>().join(", ");
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Forecast outcome (round {rounds}): weighted median ({}); weighted mean ({})",
        fmt(&medians(rounds)),
        fmt(&means(rounds))
    );
    if illustrative {
        let _ = writeln!(out, "NOTE: illustrative numbers; see above.");
    }
    out
}
