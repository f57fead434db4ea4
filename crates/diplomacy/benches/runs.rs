//! Runs per second of the backchannel model on the embedded default scenario: one run alone,
//! one run with its paired counterfactuals (what `backchannel run` does per run), and the
//! grand-bargain variant (the largest step), each on one worker's scratch as `backchannel run`
//! runs them. `cargo bench -p bc-diplomacy`.
#![allow(missing_docs)] // criterion's macros generate undocumented items

use bc_diplomacy::forecast::{counterfactuals, job, JobOptions};
use bc_diplomacy::sim::{NoTrace, Scratch};
use bc_diplomacy::Scenario;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn bench(c: &mut Criterion) {
    let Ok(s) = Scenario::default_scenario() else { return };
    let cfs = JobOptions { cfs: counterfactuals(&s), swing_every: 0, trust_path: false };
    let mut g = c.benchmark_group("default_scenario");
    g.throughput(Throughput::Elements(200));
    g.bench_function("run_alone_x200", |b| {
        let mut i = 0u64;
        let mut scratch = Scratch::default();
        b.iter(|| {
            for _ in 0..200 {
                std::hint::black_box(job(&s, &JobOptions::default(), 0, i, &mut NoTrace, &mut scratch));
                i += 1;
            }
        })
    });
    g.bench_function("run_with_counterfactuals_x200", |b| {
        let mut i = 0u64;
        let mut scratch = Scratch::default();
        b.iter(|| {
            for _ in 0..200 {
                std::hint::black_box(job(&s, &cfs, 0, i, &mut NoTrace, &mut scratch));
                i += 1;
            }
        })
    });
    if let Ok(gb) = s.variant("grand_bargain") {
        g.bench_function("grand_bargain_alone_x200", |b| {
            let mut i = 0u64;
            let mut scratch = Scratch::default();
            b.iter(|| {
                for _ in 0..200 {
                    std::hint::black_box(job(&gb, &JobOptions::default(), 0, i, &mut NoTrace, &mut scratch));
                    i += 1;
                }
            })
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
