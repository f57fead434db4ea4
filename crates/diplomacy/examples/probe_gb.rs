//! Temporary probe.
use bc_diplomacy::{Draws, Scenario};
use bc_diplomacy::sim::{simulate, NoTrace};
fn main() {
    let s = Scenario::default_scenario().unwrap();
    for (a, b) in [(1.2, 3.8), (2.5, 2.5), (4.0, 1.0)] {
        let (mut st, mut gb, mut st1, mut gb1) = (0.0, 0.0, 0.0, 0.0);
        let n = 600;
        for run in 0..n {
            let draws = Draws::from_rng(&mut bc_engine::rng_for(80, run));
            let (mut m, _) = s.sample(&draws);
            for p in &mut m.parties { p.capacity = 1.0; for t in &mut p.trust { *t = (a, b); } }
            let r = simulate(&m, &draws, &mut NoTrace);
            st += r.agenda_share; st1 += r.at_least_one_step as u8 as f64;
            let r = simulate(&m.grand_bargain(), &draws, &mut NoTrace);
            gb += r.agenda_share; gb1 += r.at_least_one_step as u8 as f64;
        }
        let n = n as f64;
        println!("trust ({a},{b}): steps share {:.3} step {:.3} | GB share {:.3} step {:.3}", st/n, st1/n, gb/n, gb1/n);
    }
}
