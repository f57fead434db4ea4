//! Criterion bench of whole SMP runs: KTAB's dummyData_3Dim (7 actors) and the 40-actor dummy data.
#![allow(missing_docs)] // criterion_group! generates an undocumented function

use std::path::Path;

use bc_stakeholders::{read, smp, Params};
use criterion::{black_box, criterion_group, criterion_main, Criterion};

fn bench(c: &mut Criterion) {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/ktab");
    for (name, file) in [("dummyData_3Dim", "dummyData_3Dim.csv"), ("dummyData-a040", "dummyData-a040.csv")] {
        let scenario = read::load(&data.join(file)).expect("bundled KTAB scenario");
        let options = smp::RunOptions {
            params: Params::default(),
            seed: bc_stakeholders::prng::KTAB_DEFAULT_SEED,
            max_turns: smp::DEFAULT_MAX_TURNS,
        };
        c.bench_function(&format!("smp_run/{name}"), |b| b.iter(|| smp::run(black_box(&scenario), options).expect("run")));
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
