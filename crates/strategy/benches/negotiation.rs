//! Criterion benches of one negotiation: Boulware vs Conceder, 1000 steps, NegMAS semantics
//! without discounting, on ItexvsCypress (180 outcomes) and Travel (188,160 outcomes), timed as
//! NegMAS's bench.py times it (strategies and their presorted tables built from scratch, then
//! the run); and the parts: one party's table, and the run with tables already built (what a
//! tournament pays per negotiation).

#![allow(missing_docs)] // criterion's macros generate undocumented items

use std::path::Path;
use std::sync::Arc;

use bc_formats::Semantics;
use bc_model::{OutcomeSpace, Preferences};
use bc_protocol::ProtocolKind;
use bc_strategy::{play, Budget, Plan, Side, Spec, Table};
use criterion::{criterion_group, criterion_main, Criterion};
use rand::SeedableRng;

fn load(domain: &str) -> (Arc<OutcomeSpace>, Vec<Preferences>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/genius").join(domain);
    let mut s = bc_formats::load_folder(&dir, Semantics::Negmas).unwrap();
    bc_formats::ignore_discount(&mut s).unwrap();
    (Arc::new(s.space), s.parties)
}

fn negotiate(space: &Arc<OutcomeSpace>, prefs: &[Preferences], sides: Option<&[Arc<Side>]>) -> u64 {
    let agents: Vec<Spec> = vec!["boulware".parse().unwrap(), "conceder".parse().unwrap()];
    let plan =
        Plan { protocol: ProtocolKind::Sao, agents: &agents, mediator: None, n_steps: 1000, keep_events: false, budget: Budget::default() };
    let fresh: Vec<Arc<Side>>;
    let sides = match sides {
        Some(s) => s,
        None => {
            fresh = prefs.iter().take(2).map(|p| Arc::new(Side::new(space.clone(), p.clone()).unwrap())).collect();
            &fresh
        }
    };
    let r = play(&plan, sides, &mut |k| rand_chacha::ChaCha8Rng::seed_from_u64(k as u64)).unwrap();
    r.step
}

fn benches(c: &mut Criterion) {
    for domain in ["ItexvsCypress", "Travel"] {
        let (space, prefs) = load(domain);
        let mut g = c.benchmark_group(domain);
        if domain == "Travel" {
            g.sample_size(20);
        }
        g.bench_function("negotiation, tables built (NegMAS's timed region)", |b| b.iter(|| negotiate(&space, &prefs, None)));
        let warm: Vec<Arc<Side>> = prefs.iter().take(2).map(|p| Arc::new(Side::new(space.clone(), p.clone()).unwrap())).collect();
        for s in &warm {
            s.table().unwrap();
        }
        g.bench_function("negotiation, tables shared (tournament)", |b| b.iter(|| negotiate(&space, &prefs, Some(&warm))));
        g.bench_function("one table", |b| b.iter(|| Table::build(&space, &prefs[1], u64::MAX).unwrap().n_rational()));
        g.bench_function("utilities only", |b| b.iter(|| prefs[1].utility.eval_all(&space, u64::MAX).unwrap().len()));
        g.finish();
    }
}

criterion_group!(negotiation, benches);
criterion_main!(negotiation);
