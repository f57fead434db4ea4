//! MODEL.md v2's checks on paired runs (common, addressed draws), each with a stated confidence.
//! A one-sided claim ("does not raise") has a weak part on every case (the paired difference is
//! not significantly of the wrong sign at 99%) and a strict part at the default scenario
//! (significantly of the right sign at 99%, with the margin stated), and each strict part names
//! in a comment the mutation that makes it fail. Also: the Fey–Ramsay null, the rejected mediator
//! as direct talks, the information effect of confidential mediation, strategic delivery.
//!
//! Steps beat the grand bargain at a prior mean of 0.4 and less so at 0.8; below about 0.3 they
//! do only when the response to a defection is slow enough for a bundle to be worth reneging on
//! (docs/model.md, "Known gaps").

use bc_diplomacy::model::{Model, Protocol};
use bc_diplomacy::sim::{simulate, NoTrace, RunEvent, Trace};
use bc_diplomacy::{Draws, RunRecord, Scenario};
use bc_engine::stats::Moments;

const RUNS: u64 = 1500;
/// Two-sided 99% normal quantile.
const Z99: f64 = 2.575_829_303_548_901;

fn default() -> Scenario {
    Scenario::default_scenario().unwrap_or_else(|e| panic!("{e}"))
}

fn step(r: &RunRecord) -> f64 {
    f64::from(u8::from(r.at_least_one_step))
}

fn share(r: &RunRecord) -> f64 {
    r.agenda_share
}

/// Paired differences `ind(a) - ind(b)` over runs of `s`, each run's model changed by `a` and by
/// `b`: (mean, 99% low, 99% high).
fn paired(
    s: &Scenario,
    runs: u64,
    seed: u64,
    a: impl Fn(&mut Model),
    b: impl Fn(&mut Model),
    ind: fn(&RunRecord) -> f64,
) -> (f64, f64, f64) {
    let mut d = Moments::default();
    for run in 0..runs {
        let draws = Draws::from_rng(&mut bc_engine::rng_for(seed, run));
        let (model, _) = s.sample(&draws);
        let (mut ma, mut mb) = (model.clone(), model);
        a(&mut ma);
        b(&mut mb);
        d.add(ind(&simulate(&ma, &draws, &mut NoTrace)) - ind(&simulate(&mb, &draws, &mut NoTrace)));
    }
    let half = Z99 * (d.variance() / d.n as f64).sqrt();
    (d.mean(), d.mean() - half, d.mean() + half)
}

/// Weak part: `a - b` is not significantly negative at 99%.
fn not_below(d: (f64, f64, f64), what: &str) {
    assert!(d.2 >= 0.0, "{what}: {:.4}, 99% interval [{:.4}, {:.4}] is below 0", d.0, d.1, d.2);
}

/// Strict part: `a - b` is significantly above `margin` at 99%.
fn above(d: (f64, f64, f64), margin: f64, what: &str) {
    assert!(d.1 > margin, "{what}: {:.4}, 99% interval [{:.4}, {:.4}] does not exceed {margin}", d.0, d.1, d.2);
}

#[test]
fn each_spoiler_separately() {
    let s = default();
    let k = s.nominal().spoilers.len();
    for sp in 0..k {
        for (name, ind) in [("at_least_one_step", step as fn(&RunRecord) -> f64), ("agenda_share", share)] {
            // Raising its base hazard does not raise the indicator.
            let d = paired(
                &s,
                400,
                30 + sp as u64,
                |m| m.spoilers[sp].base *= 0.5,
                |m| m.spoilers[sp].base = (m.spoilers[sp].base * 3.0).min(1.0),
                ind,
            );
            not_below(d, &format!("spoiler {sp}: {name} at half minus at triple base hazard"));
            // Removing it does not lower it.
            let d = paired(&s, 400, 40 + sp as u64, |m| m.spoilers[sp].enabled = false, |_| {}, ind);
            not_below(d, &format!("spoiler {sp}: {name} without minus with it"));
        }
    }
    // Strict, at the default: removing the proxy attack raises at_least_one_step by more than half
    // a point. Mutation: restore v1's step-myopic stay test (leave when the current step's
    // best gain is 0) or make strikes cost trust regardless of capacity_link, and it fails.
    let proxy = s.nominal().spoilers.iter().position(|x| x.id == "proxy_attack").unwrap_or(0);
    let d = paired(&s, RUNS, 50, |m| m.spoilers[proxy].enabled = false, |_| {}, step);
    above(d, 0.005, "at_least_one_step without the proxy attack minus with it");
}

#[test]
fn prior_trust_mean_at_fixed_precision() {
    let s = default();
    // Every case: a higher prior mean (a + b fixed) does not lower at_least_one_step.
    for (party, lo, hi) in [(0usize, 0.25, 0.45), (1, 0.25, 0.45), (0, 0.4, 0.7)] {
        let set = move |mean: f64| {
            move |m: &mut Model| {
                let other = 1 - party;
                let (a, b) = m.parties[party].trust[other];
                let total = a + b;
                m.parties[party].trust[other] = (mean * total, (1.0 - mean) * total);
            }
        };
        let d = paired(&s, 400, 60 + party as u64, set(hi), set(lo), step);
        not_below(d, &format!("party {party}: at_least_one_step at prior mean {hi} minus {lo}"));
    }
    // Strict, at the default: both priors at mean 0.6 instead of 0.3 (same precision) raise
    // at_least_one_step by more than 5 points. Mutation: drop trust from the stay test and the
    // acceptance test (tau = 1 everywhere) and the difference is 0.
    let both = |mean: f64| {
        move |m: &mut Model| {
            for i in 0..2 {
                let (a, b) = m.parties[i].trust[1 - i];
                m.parties[i].trust[1 - i] = (mean * (a + b), (1.0 - mean) * (a + b));
            }
        }
    };
    let d = paired(&s, RUNS, 61, both(0.6), both(0.3), step);
    above(d, 0.05, "at_least_one_step with priors at mean 0.6 minus 0.3");
}

#[test]
fn engagement_cost_does_not_help() {
    let s = default();
    for (name, ind) in [("at_least_one_step", step as fn(&RunRecord) -> f64), ("agenda_share", share)] {
        for party in 0..2 {
            let d = paired(&s, 400, 70 + party as u64, |_| {}, move |m| m.parties[party].audience_cost *= 3.0, ind);
            not_below(d, &format!("party {party}: {name} at the cost minus at three times it"));
        }
    }
    // Strict, at the default: tripling both engagement costs lowers agenda_share by more than 1
    // point. Mutation: leave the cost out of the stay test and the difference is 0.
    let d = paired(&s, RUNS, 72, |_| {}, |m| m.parties.iter_mut().for_each(|p| p.audience_cost *= 3.0), share);
    above(d, 0.01, "agenda_share at the engagement costs minus at three times them");
}

#[test]
fn steps_beat_the_grand_bargain_at_moderate_trust_and_less_so_at_high() {
    // Full capacity, so that only beliefs differ. "Low" here is a prior mean of 0.4, Beta(2, 3),
    // near the default scenario's priors (0.32 to 0.35); below about 0.3 the sign flips (see
    // docs/model.md, "Known gaps"). Mutation: switch learning off (an observed delivery or
    // defection leaves the belief as it was) and the advantage goes.
    let s = default();
    let arm = |a: f64, b: f64, grand: bool| {
        move |m: &mut Model| {
            for p in &mut m.parties {
                p.capacity = 1.0;
                for t in &mut p.trust {
                    *t = (a, b);
                }
            }
            if grand {
                *m = m.grand_bargain();
            }
        }
    };
    let low = paired(&s, 800, 80, arm(2.0, 3.0, false), arm(2.0, 3.0, true), share);
    above(low, 0.05, "agenda_share in steps minus grand bargain, priors Beta(2, 3)");
    // The interaction on the same runs: (steps - grand) at low trust minus at high trust.
    let mut d = Moments::default();
    for run in 0..800 {
        let draws = Draws::from_rng(&mut bc_engine::rng_for(80, run));
        let (model, _) = s.sample(&draws);
        let value = |f: &dyn Fn(&mut Model)| {
            let mut m = model.clone();
            f(&mut m);
            share(&simulate(&m, &draws, &mut NoTrace))
        };
        let gap = |a: f64, b: f64| value(&arm(a, b, false)) - value(&arm(a, b, true));
        d.add(gap(2.0, 3.0) - gap(4.0, 1.0));
    }
    let half = Z99 * (d.variance() / d.n as f64).sqrt();
    assert!(d.mean() - half > 0.0, "advantage at mean 0.4 minus at mean 0.8: {:.4} ± {:.4}", d.mean(), half);
}

#[test]
fn leverage_buys_early_deals() {
    let s = default().variant("leverage").unwrap_or_else(|e| panic!("{e}"));
    let early = |r: &RunRecord| f64::from(u8::from(r.first_step_round.is_some_and(|t| t < 26)));
    let off = |m: &mut Model| *m = m.without_leverage();
    // Leverage raises a first step within half a year. Mutation: leave leverage out of the
    // acceptance test (the value to clear `d_i - leverage` and the floor) and the stay test, and
    // it fails (with it out of the acceptance test alone the stay test still carries it).
    let d = paired(&s, RUNS, 90, |_| {}, off, early);
    above(d, 0.01, "first step within 26 rounds with leverage minus without");
}

#[test]
fn fading_leverage_raises_reversals() {
    let s = default().variant("leverage").unwrap_or_else(|e| panic!("{e}"));
    let reversed = |r: &RunRecord| f64::from(u8::from(r.reversals > 0));
    // Once it fades, steps it bought are withdrawn: with the leverage fading, reversed is higher
    // than with the same leverage kept for good (traced: strategic withdrawals 916 against 502 in
    // 1,500 runs). Mutation: leave the leverage out of the withdrawal and delivery tests (`keep`
    // and `D`) and the difference goes (out of either alone, or of the withdrawal and stay
    // tests, it stays).
    let kept = |m: &mut Model| {
        if let Some(med) = &mut m.mediator {
            med.leverage_decay = 0.0;
        }
    };
    let d = paired(&s, RUNS, 91, |_| {}, kept, reversed);
    above(d, 0.0, "reversed with fading leverage minus with leverage kept");
}

/// A mediator that changes nothing: relay passing every offer, no discipline, insulation,
/// leverage or leaks, the visibility of direct talks, standing that never moves.
fn null_mediator(m: &mut Model) {
    let pass: bc_strategy::Spec = "pass".parse().unwrap_or_else(|e| panic!("{e}"));
    let direct = m.public.direct_visibility;
    if let Some(med) = &mut m.mediator {
        med.protocol = Protocol::Relay;
        med.strategy = pass;
        med.insulation = 0.0;
        med.leak = 0.0;
        med.visibility = direct;
        med.discipline = 0.0;
        med.leverage.iter_mut().for_each(|l| *l = 0.0);
        med.standing.iter_mut().for_each(|x| *x = 1.0);
        med.threshold = 0.0;
        med.gain = 0.0;
        med.loss = 0.0;
    }
}

fn without_bookkeeping(mut r: RunRecord) -> RunRecord {
    r.mediator_accepted = None;
    r.rejected_round = None;
    r
}

#[test]
fn fey_ramsay_null_and_the_information_effect() {
    let s = default();
    // The null mediator leaves every run unchanged.
    for run in 0..800 {
        let draws = Draws::from_rng(&mut bc_engine::rng_for(25, run));
        let (model, _) = s.sample(&draws);
        let mut null = model.clone();
        null_mediator(&mut null);
        let a = without_bookkeeping(simulate(&null, &draws, &mut NoTrace));
        assert_eq!(a, simulate(&model.without_mediator(), &draws, &mut NoTrace), "run {run}");
    }
    // With bluffing off, confidential mediation changes no run's rounds in which some package
    // passes every party's true test, up to the first agreement in either arm.
    let zone_rounds = |m: &Model, draws: &Draws| {
        let mut trace = Trace::default();
        simulate(m, draws, &mut trace);
        let mut rounds = Vec::new();
        for e in trace.0 {
            match e {
                RunEvent::Table { round, zone, .. } if zone > 0 => rounds.push(round),
                RunEvent::Agreed { round, .. } => return (rounds, round),
                _ => {}
            }
        }
        (rounds, u32::MAX)
    };
    for run in 0..300 {
        let draws = Draws::from_rng(&mut bc_engine::rng_for(26, run));
        let (mut model, _) = s.sample(&draws);
        model.parties.iter_mut().for_each(|p| p.bluff = 0.0);
        let mut null = model.clone();
        null_mediator(&mut null);
        let mut conf = null.clone();
        if let Some(med) = &mut conf.mediator {
            med.protocol = Protocol::Confidential;
            med.strategy = "nash".parse().unwrap_or_else(|e| panic!("{e}"));
        }
        let (a, ta) = zone_rounds(&null, &draws);
        let (b, tb) = zone_rounds(&conf, &draws);
        let until = ta.min(tb);
        let cut = |v: Vec<u32>| v.into_iter().filter(|t| *t <= until).collect::<Vec<_>>();
        assert_eq!(cut(a), cut(b), "run {run}");
    }
    // With bluffing on, confidential mediation (truthful reports) raises at_least_one_step and
    // agenda_share against the null mediator. Mutation: apply the full bluff in confidential
    // mediation too (report_shading = 1) and the difference vanishes.
    let bluffing = |m: &mut Model| m.parties.iter_mut().for_each(|p| p.bluff = 0.3);
    let confidential = move |m: &mut Model| {
        bluffing(m);
        null_mediator(m);
        if let Some(med) = &mut m.mediator {
            med.protocol = Protocol::Confidential;
            med.strategy = "nash".parse().unwrap_or_else(|e| panic!("{e}"));
        }
    };
    let null = move |m: &mut Model| {
        bluffing(m);
        null_mediator(m);
    };
    above(paired(&s, RUNS, 27, confidential, null, step), 0.0, "at_least_one_step, confidential minus null mediator, bluffs 0.3");
    above(paired(&s, 4000, 28, confidential, null, share), 0.0, "agenda_share, confidential minus null mediator, bluffs 0.3");
}

#[test]
fn a_mediator_rejected_before_round_zero_is_direct_talks() {
    let s = default();
    let mut rejected_runs = 0;
    for run in 0..800 {
        let draws = Draws::from_rng(&mut bc_engine::rng_for(29, run));
        let (model, _) = s.sample(&draws);
        let mut rejected = model.clone();
        if let Some(med) = &mut rejected.mediator {
            med.standing[0] = 0.0;
        }
        let r = simulate(&rejected, &draws, &mut NoTrace);
        assert_eq!(r.rejected_round, Some(0));
        assert_eq!(r.mediator_accepted, Some(false));
        rejected_runs += 1;
        assert_eq!(without_bookkeeping(r), simulate(&model.without_mediator(), &draws, &mut NoTrace), "run {run}");
    }
    assert_eq!(rejected_runs, 800);
}

/// Per step name: (agreements, first delivery attempts reneged) by party id, over `runs` sampled
/// runs of `s` with full capacity (every failure to deliver is then a choice) and `change`.
fn reneging(s: &Scenario, runs: u64, seed: u64, change: impl Fn(&mut Model)) -> std::collections::BTreeMap<(String, String), (u32, u32)> {
    let mut out = std::collections::BTreeMap::new();
    for run in 0..runs {
        let draws = Draws::from_rng(&mut bc_engine::rng_for(seed, run));
        let (mut model, _) = s.sample(&draws);
        model.parties.iter_mut().for_each(|p| p.capacity = 1.0);
        change(&mut model);
        let mut trace = Trace::default();
        simulate(&model, &draws, &mut trace);
        let mut agreed: Option<(String, u32)> = None;
        for e in trace.0 {
            match e {
                RunEvent::Agreed { step, round, .. } => agreed = Some((step, round)),
                // The first attempt, in the round of the agreement (retries during a wait come later).
                RunEvent::Delivery { party, why, round, .. } => {
                    if let Some((step, r)) = &agreed {
                        if *r == round {
                            let e = out.entry((step.clone(), party)).or_insert((0, 0));
                            e.0 += 1;
                            e.1 += u32::from(why == "reneged");
                        }
                    }
                }
                _ => {}
            }
        }
    }
    out
}

#[test]
fn strategic_delivery() {
    let s = default();
    // A slow response (the snap-back takes 80 weeks) makes the one-off gain of keeping the other
    // side's concession worth weighing against the step's value and the reputation at stake.
    let slow = |m: &mut Model| m.response.grace = 80;
    // On the last step (the core trade: sanctions relief is a large one-off gain for Iran, and no
    // later step is left to protect) Iran reneges more often than on an early small step (the
    // inspection mechanism). Mutation: take the one-off gain out of the test (G = 0) and nobody
    // reneges. (With the continuation values set to 0 the gap stays: at these numbers it comes
    // from the core trade's lopsided gain, not from the reputation at stake.)
    let r = reneging(&s, 300, 100, slow);
    let rate = |step: &str| r.get(&(step.to_string(), "iran".to_string())).map_or(0.0, |&(n, k)| f64::from(k) / f64::from(n.max(1)));
    let (early, last) = (rate("inspection mechanism with limited relief"), rate("core trade: sanctions for enrichment"));
    assert!(last > early + 0.2, "Iran's reneging rate on the core trade {last:.3}, on the inspection mechanism {early:.3}: {r:?}");
    // On a sequenced step only the second mover reneges (the first cannot gain: the other has
    // not delivered). Mutation: treat the first mover like a simultaneous one (G at its full
    // value) and it reneges too.
    let last_step = s.nominal().steps.len() - 1;
    let (us, iran) = (0, 1);
    let core = |order: Vec<usize>| {
        let r = reneging(&s, 300, 101, |m| {
            slow(m);
            m.steps[last_step].sequence = Some(order.clone());
        });
        r.into_iter().filter(|((st, _), _)| st == "core trade: sanctions for enrichment").map(|((_, p), (_, k))| (p, k)).collect::<Vec<_>>()
    };
    // Iran moving second reneges as it does on a simultaneous step; moving first, never.
    let second = core(vec![us, iran]);
    assert!(second.iter().any(|(p, k)| p == "iran" && *k > 0) && second.iter().all(|(p, k)| p == "iran" || *k == 0), "{second:?}");
    let first = core(vec![iran, us]);
    assert!(first.iter().all(|(p, k)| p != "iran" || *k == 0), "Iran moving first never reneges: {first:?}");
}

#[test]
fn removing_the_hardliner_raises_breakdown_through_the_mediators_record() {
    // Traced (docs/model.md, "Why removing a spoiler can raise breakdown"): without the hardliner
    // incident the talks reach agreements sooner; Iran, short of capacity, fails to deliver some;
    // each failure costs the mediator standing with the United States (`standing_loss`), which
    // rejects it; the talks go direct, uninsulated, and Iran leaves. With the hardliner the same
    // runs are still talking at the horizon. Claim, at 99% on paired runs: at the default,
    // removing the incident raises `breakdown`; with a mediator whose standing does not suffer
    // from failed packages (`standing_loss = 0`), removing it lowers `breakdown`. The
    // second part is the mutation of the first: switch the mediator's record off and the sign
    // goes (measured: +3.8 points at the default, -1.6 with standing_loss = 0; 4,000 runs).
    let s = default();
    let k = s.nominal().spoilers.iter().position(|x| x.id == "hardliner_incident").unwrap_or_else(|| panic!("no hardliner_incident"));
    let breakdown = |r: &RunRecord| f64::from(u8::from(r.left.is_some()));
    let d = paired(&s, RUNS, 90, |m| m.spoilers[k].enabled = false, |_| {}, breakdown);
    eprintln!("breakdown, without minus with the incident: {:.4} [{:.4}, {:.4}]", d.0, d.1, d.2);
    above(d, 0.0, "breakdown without the hardliner incident minus with it");
    let no_record = |m: &mut Model| {
        if let Some(med) = &mut m.mediator {
            med.loss = 0.0;
        }
    };
    let d = paired(
        &s,
        RUNS,
        90,
        |m| {
            no_record(m);
            m.spoilers[k].enabled = false
        },
        no_record,
        breakdown,
    );
    eprintln!("breakdown, without minus with the incident, standing_loss = 0: {:.4} [{:.4}, {:.4}]", d.0, d.1, d.2);
    assert!(
        d.2 < 0.0,
        "with standing_loss = 0, removing the incident should lower breakdown: {:.4}, 99% interval [{:.4}, {:.4}]",
        d.0,
        d.1,
        d.2
    );
}

#[test]
fn at_very_low_trust_steps_beat_the_grand_bargain_only_when_the_response_is_slow() {
    // The commitment problem makes size matter: the temptation to renege is `G (1 - delta^grace)`,
    // large for a bundle (one step, no continuation value to lose) and small for an early step
    // (the steps after it are lost with the other side's trust). At the default grace of 4 weeks
    // the temptation is about 6% of G and never bites, so at a prior mean of 0.24 the bundle
    // wins (docs/model.md, "Known gaps"); with the snap-back a year away (grace 52) steps win.
    // Full capacity, priors Beta(1.2, 3.8). Measured on 400 runs: -0.142 at grace 4, -0.014 at
    // 26, +0.052 at 52. Mutation: the grace of 4 (the fast response) and the strict part fails.
    let s = default();
    let arm = |grace: u32, grand: bool| {
        move |m: &mut Model| {
            m.response.grace = grace;
            for p in &mut m.parties {
                p.capacity = 1.0;
                for t in &mut p.trust {
                    *t = (1.2, 3.8);
                }
            }
            if grand {
                *m = m.grand_bargain();
            }
        }
    };
    let slow = paired(&s, RUNS, 81, arm(52, false), arm(52, true), share);
    eprintln!("agenda_share, steps minus grand bargain at grace 52: {:.4} [{:.4}, {:.4}]", slow.0, slow.1, slow.2);
    above(slow, 0.0, "agenda_share in steps minus grand bargain, priors Beta(1.2, 3.8), grace 52");
    let fast = paired(&s, RUNS, 81, arm(4, false), arm(4, true), share);
    eprintln!("agenda_share, steps minus grand bargain at grace 4: {:.4} [{:.4}, {:.4}]", fast.0, fast.1, fast.2);
    assert!(fast.2 < 0.0, "at grace 4 the bundle should still win at a prior mean of 0.24: {:.4} [{:.4}, {:.4}]", fast.0, fast.1, fast.2);
}
