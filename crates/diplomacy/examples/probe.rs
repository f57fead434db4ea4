//! Temporary probe.
use bc_diplomacy::{forecast, Options, Scenario};
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let runs: u64 = args.get(1).and_then(|x| x.parse().ok()).unwrap_or(2000);
    let variant = args.get(2).cloned();
    let mut s = Scenario::default_scenario().unwrap();
    if let Some(v) = variant { s = s.variant(&v).unwrap(); }
    let t = std::time::Instant::now();
    let f = forecast(&s, &Options { runs, seed: 0, threads: 2, counterfactuals: true, swing_every: 20 }, |_| {}).unwrap();
    eprintln!("time {:?}", t.elapsed());
    let h = &f.headline;
    println!("step {:.3} share {:.3} comp {:.3} breakdown {:.3} reversed {:.3}", h.at_least_one_step.estimate, h.agenda_share.estimate, h.comprehensive.estimate, h.breakdown.estimate, h.reversed.estimate);
    println!("outcomes {:?}", [f.outcomes.comprehensive.estimate, f.outcomes.partial.estimate, f.outcomes.breakdown_after_progress.estimate, f.outcomes.collapse.estimate, f.outcomes.drift.estimate]);
    println!("kept {:.3} of {:.3}; accepted {:?}; signals {:.3}; first {:?}", f.kept_talking_after_setback.probability.estimate, f.kept_talking_after_setback.runs_with_setback.estimate, f.mediator_accepted.map(|x| x.estimate), f.concrete_signals.estimate, f.first_step_round.median);
    for c in &f.counterfactuals {
        let d = &c.difference;
        println!("{:30} step {:+.3} [{:+.3},{:+.3}] share {:+.3} [{:+.3},{:+.3}] comp {:+.3} brk {:+.3} rev {:+.3}", c.name, d.at_least_one_step.estimate, d.at_least_one_step.lo, d.at_least_one_step.hi, d.agenda_share.estimate, d.agenda_share.lo, d.agenda_share.hi, d.comprehensive.estimate, d.breakdown.estimate, d.reversed.estimate);
    }
    for sw in f.sensitivity.swing.iter().take(8) {
        println!("{:45} share {:+.3} [{:+.3},{:+.3}] step {:+.3}", sw.label, sw.agenda_share.estimate, sw.agenda_share.lo, sw.agenda_share.hi, sw.at_least_one_step.estimate);
    }
}
