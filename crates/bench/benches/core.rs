//! Benchmarks of utility evaluation and Pareto/Nash extraction on real domains (Travel 188k,
//! Energy 391k, EnergyGrid 5.76M outcomes), the workloads NegMAS's bench.json times.
#![allow(missing_docs)] // criterion_group! generates an undocumented public function.

use bc_bench::load_domain;
use bc_formats::Semantics;
use bc_model::{analyze, Options};
use criterion::{black_box, criterion_group, criterion_main, Criterion};

fn utility_evaluation(c: &mut Criterion) {
    let s = load_domain("Travel", Semantics::Negmas);
    let u = &s.parties[0].utility;
    let outcome = s.space.outcome_at(123_456);
    c.bench_function("eval one outcome (Travel)", |b| b.iter(|| u.eval(black_box(&outcome))));
    c.bench_function("eval all 188160 outcomes (Travel)", |b| b.iter(|| u.eval_all(black_box(&s.space), u64::MAX).map(|v| v.len())));
}

fn pareto_and_nash(c: &mut Criterion) {
    let mut g = c.benchmark_group("pareto+nash");
    for (name, first, second) in [("Travel", 0, 1), ("Energy", 0, 1), ("EnergyGrid", 1, 2)] {
        let s = load_domain(name, Semantics::Negmas);
        let parties = [&s.parties[first], &s.parties[second]];
        g.bench_function(name, |b| b.iter(|| analyze(&s.space, black_box(&parties), Options::default())));
    }
    let s = load_domain("EnergyGrid", Semantics::Genius);
    let all: Vec<_> = s.parties.iter().collect();
    g.bench_function("EnergyGrid, 3 parties, genius", |b| b.iter(|| analyze(&s.space, black_box(&all), Options::default())));
    // The enumerating path (what a non-additive utility needs), for comparison.
    let s = load_domain("Travel", Semantics::Negmas);
    let parties = [&s.parties[0], &s.parties[1]];
    g.bench_function("Travel, enumerating", |b| {
        b.iter(|| bc_model::analytics::analyze_enumerated(&s.space, black_box(&parties), u64::MAX))
    });
    g.finish();
}

criterion_group!(benches, utility_evaluation, pareto_and_nash);
criterion_main!(benches);
