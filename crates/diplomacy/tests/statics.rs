//! MODEL.md's behavioural checks at the default scenario, each on paired runs (common random
//! numbers) with a stated confidence (95% intervals that must exclude zero): P(agreement) falls
//! as spoilers' hazards rise; rises with mediator insulation when audience costs bind; steps
//! beat the grand bargain when initial trust is low. Also the Fey–Ramsay null: a mediator with
//! no insulation, no confidentiality and no visibility difference leaves every run unchanged.

use bc_diplomacy::model::{Model, Protocol};
use bc_diplomacy::sim::{simulate, NoTrace};
use bc_engine::stats::PairedCount as Paired;
use bc_diplomacy::{Scenario, Streams};

const RUNS: u64 = 3000;

/// Paired difference in P(agreement) between two changes of each run's model.
fn paired(runs: u64, seed: u64, a: impl Fn(&mut Model), b: impl Fn(&mut Model)) -> Paired {
    let s = Scenario::default_scenario().unwrap_or_else(|e| panic!("{e}"));
    let mut d = Paired::default();
    for run in 0..runs {
        let streams = Streams::from_rng(&mut bc_engine::rng_for(seed, run));
        let (model, _) = s.sample(&streams);
        let (mut ma, mut mb) = (model.clone(), model);
        a(&mut ma);
        b(&mut mb);
        let ya = simulate(&ma, &streams, &mut NoTrace).outcome.is_agreement();
        let yb = simulate(&mb, &streams, &mut NoTrace).outcome.is_agreement();
        d.add(i64::from(ya) - i64::from(yb));
    }
    d
}

fn assert_positive(d: &Paired, what: &str) {
    let s = d.summary();
    assert!(s.lo > 0.0, "{what}: difference {:.4}, 95% interval [{:.4}, {:.4}] does not exclude 0", s.diff, s.lo, s.hi);
}

#[test]
fn agreement_falls_as_spoiler_hazards_rise() {
    // All spoilers three times as likely to strike vs as in the scenario.
    let d = paired(RUNS, 21, |_| {}, |m| m.spoilers.iter_mut().for_each(|s| s.base *= 3.0));
    assert_positive(&d, "P(agreement) with base hazards minus with tripled hazards");
    // The regional rival's strike alone.
    let d = paired(RUNS, 22, |m| m.spoilers[0].base = 0.002, |m| m.spoilers[0].base = 0.03);
    assert_positive(&d, "P(agreement) with a rare regional strike minus with a frequent one");
}

#[test]
fn agreement_rises_with_insulation_when_audience_costs_bind() {
    let bind = |m: &mut Model| m.parties.iter_mut().for_each(|p| p.audience_cost *= 5.0);
    let d = paired(
        RUNS,
        23,
        |m| {
            bind(m);
            if let Some(med) = &mut m.mediator {
                med.insulation = 0.9;
            }
        },
        |m| {
            bind(m);
            if let Some(med) = &mut m.mediator {
                med.insulation = 0.1;
            }
        },
    );
    assert_positive(&d, "P(agreement) with insulation 0.9 minus 0.1, audience costs x5");
}

#[test]
fn steps_beat_the_grand_bargain_when_trust_is_low() {
    let low = |m: &mut Model| {
        for p in &mut m.parties {
            for t in &mut p.trust {
                *t = (1.0, 4.0);
            }
        }
    };
    let d = paired(RUNS, 24, low, |m| {
        low(m);
        *m = m.grand_bargain();
    });
    assert_positive(&d, "P(agreement) in steps minus as a grand bargain, trust priors Beta(1, 4)");
}

#[test]
fn fey_ramsay_null() {
    // A relaying mediator that passes every offer on, with no insulation, no leaks and the
    // visibility of direct talks: every run identical to direct talks on the same random numbers.
    let s = Scenario::default_scenario().unwrap_or_else(|e| panic!("{e}"));
    let pass: bc_strategy::Spec = "pass".parse().unwrap_or_else(|e| panic!("{e}"));
    for run in 0..2000 {
        let streams = Streams::from_rng(&mut bc_engine::rng_for(25, run));
        let (model, _) = s.sample(&streams);
        let mut mediated = model.clone();
        if let Some(med) = &mut mediated.mediator {
            med.protocol = Protocol::Relay;
            med.strategy = pass.clone();
            med.insulation = 0.0;
            med.leak = 0.0;
            med.visibility = model.public.direct_visibility;
        }
        let direct = model.without_mediator();
        let mut a = simulate(&mediated, &streams, &mut NoTrace);
        let b = simulate(&direct, &streams, &mut NoTrace);
        a.mediator_accepted = None;
        assert_eq!(a, b, "run {run}");
    }
    // And the same mediator with insulation is not neutral (the check can fail).
    let mut differ = 0;
    for run in 0..300 {
        let streams = Streams::from_rng(&mut bc_engine::rng_for(25, run));
        let (model, _) = s.sample(&streams);
        let mut mediated = model.clone();
        if let Some(med) = &mut mediated.mediator {
            med.protocol = Protocol::Relay;
            med.strategy = pass.clone();
            med.insulation = 1.0;
            med.leak = 0.0;
            med.visibility = 0.0;
        }
        let mut a = simulate(&mediated, &streams, &mut NoTrace);
        a.mediator_accepted = None;
        differ += usize::from(a != simulate(&model.without_mediator(), &streams, &mut NoTrace));
    }
    assert!(differ > 0);
}
