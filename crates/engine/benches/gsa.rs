//! Criterion bench of the Sobol' analysis (first and total order, 100 bootstrap resamples) on
//! the outputs of a Saltelli design with N = 2^12 and D = 20 (the G function with a_j = j).
#![allow(missing_docs)] // criterion_group! generates an undocumented function

use bc_engine::gsa::saltelli::{saltelli_sample, sobol_analyze};
use bc_engine::gsa::sequence::Scrambling;
use bc_engine::gsa::Bootstrap;
use criterion::{black_box, criterion_group, criterion_main, Criterion};

const N: usize = 1 << 12;
const D: usize = 20;

/// The outputs `scripts/bench_gsa.sh` also gives SALib: the G function with a_j = j on the
/// unscrambled Saltelli design (bit-identical to SALib's).
fn outputs() -> Vec<f64> {
    let x = saltelli_sample(N, &[(0.0, 1.0); D], Scrambling::None, 0).expect("valid design");
    (0..x.rows())
        .map(|i| x.row(i).iter().enumerate().map(|(j, &v)| ((4.0 * v - 2.0).abs() + j as f64) / (1.0 + j as f64)).product())
        .collect()
}

fn bench(c: &mut Criterion) {
    let y = outputs();
    for threads in [1, 0] {
        let b = Bootstrap { num_resamples: 100, conf_level: 0.95, seed: 1, threads };
        let name = if threads == 1 { "sobol_analyze/n4096_d20/1_thread" } else { "sobol_analyze/n4096_d20/all_cores" };
        c.bench_function(name, |bench| bench.iter(|| sobol_analyze(black_box(&y), D, &b).expect("analysis")));
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
