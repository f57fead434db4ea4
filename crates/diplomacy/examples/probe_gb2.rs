//! Temporary probe.
use bc_diplomacy::{Draws, Scenario};
use bc_diplomacy::sim::{simulate, Trace, Event};
fn main() {
    let s = Scenario::default_scenario().unwrap();
    for run in 0..5u64 {
        let draws = Draws::from_rng(&mut bc_engine::rng_for(80, run));
        let (mut m, _) = s.sample(&draws);
        for p in &mut m.parties { p.capacity = 1.0; for t in &mut p.trust { *t = (1.2, 3.8); } }
        let g = m.clone();
        let mut tr = Trace::default();
        let r = simulate(&g, &draws, &mut tr);
        let mut last_table = String::new();
        for e in tr.0 { match &e { Event::Table{..} => last_table = serde_json::to_string(&e).unwrap(), Event::Left{..} | Event::Agreed{..} | Event::Response{..} | Event::Withdrawal{..} | Event::Delivery{..} | Event::StepDone{..} | Event::Rejected{..} => { println!("  {last_table}"); println!("{}", serde_json::to_string(&e).unwrap()) }, _ => {} } }
        println!("{:?} share {:.3}", r.outcome, r.agenda_share);
    }
}
