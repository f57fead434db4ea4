//! A forecast is byte-identical for a seed whatever the thread count, and every run can be
//! replayed alone.

use bc_diplomacy::forecast::{self, job, Options};
use bc_diplomacy::sim::{NoTrace, Scratch};
use bc_diplomacy::Scenario;

#[test]
fn same_bytes_whatever_the_threads() {
    let s = Scenario::default_scenario().unwrap_or_else(|e| panic!("{e}"));
    let run = |threads| {
        let f = forecast::forecast(&s, &Options { runs: 600, seed: 7, threads, counterfactuals: true, swing_every: 50 }, |_| {})
            .unwrap_or_else(|e| panic!("{e}"));
        serde_json::to_string(&f).unwrap_or_default()
    };
    let one = run(1);
    assert!(one.len() > 1000);
    assert_eq!(one, run(2));
    assert_eq!(one, run(3));
    let other_seed = forecast::forecast(&s, &Options { runs: 600, seed: 8, threads: 2, counterfactuals: true, swing_every: 50 }, |_| {})
        .map(|f| serde_json::to_string(&f).unwrap_or_default())
        .unwrap_or_default();
    assert_ne!(one, other_seed);
}

#[test]
fn a_run_replays_alone() {
    let s = Scenario::default_scenario().unwrap_or_else(|e| panic!("{e}"));
    let o = forecast::JobOptions { cfs: forecast::counterfactuals(&s), swing_every: 50, trust_path: false };
    let mut streamed = Vec::new();
    forecast::run_jobs(
        &s,
        &Options { runs: 50, seed: 3, threads: 2, counterfactuals: true, swing_every: 50 },
        |j| {
            streamed.push(j);
            Ok(())
        },
        |_| {},
    )
    .unwrap_or_else(|e| panic!("{e}"));
    for j in &streamed {
        assert_eq!(*j, job(&s, &o, 3, j.run, &mut NoTrace, &mut Scratch::default()));
    }
}
