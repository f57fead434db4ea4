//! The reductions of MODEL.md: with certain trust, no spoilers, no floors, no mediator and SPE
//! strategies on a divisible issue the dyad is Rubinstein (5/7, 10/19); a binding floor gives
//! the ratification-constrained shares (0.64 / 0.60); floors summing above 1 never agree;
//! Fearon's reservation p - c leaves exactly the range (p - c_A, p + c_B); trust updates are the
//! Beta posterior with perfect verifiability; a strike whose hazard depends on the blamed side's
//! capacity moves the target's belief by Bayes on the grid.

use std::path::Path;

use bc_diplomacy::sim::{initial_zone, simulate, NoTrace, RunEvent, Trace};
use bc_diplomacy::{Draws, Outcome, Scenario};
use bc_model::Value;

struct Dyad<'a> {
    first: &'a str,
    da: f64,
    db: f64,
    ra: f64,
    rb: f64,
    floor_a: Option<f64>,
    floor_b: Option<f64>,
    strategy: &'a str,
    mediator: Option<&'a str>,
    grid: u32,
    rounds: u32,
}

impl Default for Dyad<'_> {
    fn default() -> Self {
        Dyad {
            first: "a",
            da: 0.9,
            db: 0.9,
            ra: 0.0,
            rb: 0.0,
            floor_a: None,
            floor_b: None,
            strategy: "{ kind = \"spe\" }",
            mediator: None,
            grid: 21,
            rounds: 20,
        }
    }
}

fn party(id: &str, other: &str, scores: &str, r: f64, d: f64, floor: Option<f64>, strategy: &str) -> String {
    let ratification =
        floor.map(|f| format!("ratification = {{ floor = {f}, visibility = 0, expectations = 0, reciprocity = 0 }}\n")).unwrap_or_default();
    format!(
        "[parties.{id}]\nutility = {{ weights = {{ share = 1 }}, values = {{ share = {scores} }} }}\nreservation = {r}\n\
         discount = {d}\ncapacity = 1\nwalk_away = 0\naudience_cost = 0\nstrategy = {strategy}\n{ratification}\
         [parties.{id}.trust.{other}]\na = 1e12\nb = 1e-12\n\n"
    )
}

fn dyad(d: &Dyad) -> Scenario {
    let a = party("a", "b", "{ low = 0, high = 1 }", d.ra, d.da, d.floor_a, d.strategy);
    let b = party("b", "a", "{ low = 1, high = 0 }", d.rb, d.db, d.floor_b, d.strategy);
    let parties = if d.first == "a" { a + &b } else { b + &a };
    let mediator = d
        .mediator
        .map(|p| {
            format!(
                "[mediator]\nprotocol = \"{p}\"\ninsulation = 0\nleak = 0\nleak_jump = 0\nvisibility = 0\n\
                 standing_threshold = 0.5\nstanding_gain = 0\nstanding_loss = 0\nstanding = {{ a = 1, b = 1 }}\n"
            )
        })
        .unwrap_or_default();
    let text = format!(
        "[scenario]\nname = \"dyad\"\nrounds = {}\nsub_rounds = 4\nreal_grid = {}\n\n\
         [[issues]]\nname = \"share\"\nreal = [0.0, 1.0]\nimplementers = [\"a\", \"b\"]\n\n\
         [[steps]]\nname = \"split\"\nissues = [\"share\"]\nverifiability = 1\n\n\
         [public]\nvisibility = 0\nexpectations = 0\ndecay = 0\ngamma = 0\nannounce_visibility = 0\n\
         announce_expectations = 0\ndirect_visibility = 0\n\n{parties}{mediator}",
        d.rounds, d.grid
    );
    Scenario::from_str(&text, "dyad.toml", Path::new(".")).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// Party a's share of the agreed split, the round it was agreed in, and the outcome.
fn share_of_a(s: &Scenario) -> (f64, Option<u32>, Outcome) {
    let streams = Draws::from_rng(&mut bc_engine::rng_for(1, 0));
    let (model, _) = s.sample(&streams);
    let r = simulate(&model, &streams, &mut NoTrace);
    let a = model.parties.iter().position(|p| p.id == "a").unwrap_or(0);
    (r.discounted_utility[a], r.first_step_round, r.outcome)
}

#[test]
fn rubinstein_shares() {
    let (x, round, outcome) = share_of_a(&dyad(&Dyad { da: 0.9, db: 0.8, ..Dyad::default() }));
    assert!((x - 5.0 / 7.0).abs() < 1e-12, "first proposer's share {x}, expected 5/7");
    assert_eq!((round, outcome), (Some(0), Outcome::Comprehensive), "agreement without delay");
    let (x, _, _) = share_of_a(&dyad(&Dyad { da: 0.9, db: 0.9, ..Dyad::default() }));
    assert!((x - 10.0 / 19.0).abs() < 1e-12, "equal discounts: {x}, expected 10/19");
    // Independent of the grid the split is interpolated on.
    let (x, _, _) = share_of_a(&dyad(&Dyad { da: 0.9, db: 0.8, grid: 2, ..Dyad::default() }));
    assert!((x - 5.0 / 7.0).abs() < 1e-12, "{x}");
}

#[test]
fn ratification_constrained_rubinstein() {
    let (x, round, _) = share_of_a(&dyad(&Dyad { floor_a: Some(0.6), ..Dyad::default() }));
    assert!((x - 0.64).abs() < 1e-12, "constrained proposer's share {x}, expected 0.64");
    assert_eq!(round, Some(0));
    let (x, _, _) = share_of_a(&dyad(&Dyad { first: "b", floor_a: Some(0.6), ..Dyad::default() }));
    assert!((x - 0.60).abs() < 1e-12, "constrained responder's share {x}, expected 0.60");
    // A floor that does not bind changes nothing (0.47 < 0.4737 = delta(1-delta)/(1-delta^2)).
    let (x, _, _) = share_of_a(&dyad(&Dyad { floor_a: Some(0.47), ..Dyad::default() }));
    assert!((x - 10.0 / 19.0).abs() < 1e-12, "{x}");
}

#[test]
fn disjoint_win_sets_never_agree() {
    let strategies = ["{ kind = \"spe\" }", "{ kind = \"time_based\", exponent = 1, rounds = 5 }"];
    for strategy in strategies {
        for mediator in [None, Some("relay"), Some("single_text"), Some("confidential")] {
            if strategy.contains("spe") && mediator.is_some() {
                continue;
            }
            let s = dyad(&Dyad { floor_a: Some(0.6), floor_b: Some(0.45), strategy, mediator, grid: 101, ..Dyad::default() });
            for run in 0..50 {
                let streams = Draws::from_rng(&mut bc_engine::rng_for(3, run));
                let (model, _) = s.sample(&streams);
                let r = simulate(&model, &streams, &mut NoTrace);
                assert!(!r.at_least_one_step && r.agreements == 0, "{strategy} {mediator:?}: {:?}", r.outcome);
            }
        }
    }
    // Just below the line they do agree.
    let s = dyad(&Dyad { floor_a: Some(0.55), floor_b: Some(0.4), ..Dyad::default() });
    assert!(share_of_a(&s).2.has_progress());
}

#[test]
fn fearon_bargaining_range() {
    // p = 0.6, c_A = 0.1, c_B = 0.15: reservations p - c_A for A and 1 - p - c_B for B.
    let (p, ca, cb) = (0.6, 0.1, 0.15);
    let s = dyad(&Dyad {
        ra: p - ca,
        rb: 1.0 - p - cb,
        strategy: "{ kind = \"time_based\", exponent = 1, rounds = 5 }",
        grid: 10_001,
        ..Dyad::default()
    });
    let zone: Vec<f64> = initial_zone(s.nominal())
        .iter()
        .map(|pkg| match pkg[0] {
            Value::Real(x) => x,
            Value::Index(_) => f64::NAN,
        })
        .collect();
    let lo = zone.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = zone.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    assert!((lo - (p - ca)).abs() < 1e-12 && (hi - (p + cb)).abs() < 1e-12, "zone [{lo}, {hi}], expected [0.5, 0.75]");
    // Every grid point strictly inside is in the zone, nothing outside is.
    assert_eq!(zone.len(), 2501, "grid points in [0.5, 0.75] at step 1e-4");
}

fn beta_case(capacity: f64, verifiability: f64, rounds: u32) -> String {
    format!(
        "[scenario]\nname = \"trust\"\nrounds = {rounds}\n\n\
         [[issues]]\nname = \"gesture\"\nvalues = [\"no\", \"yes\"]\nstatus_quo = \"no\"\nimplementers = [\"b\"]\n\n\
         [[issues]]\nname = \"side\"\nvalues = [\"x\", \"y\"]\nstatus_quo = \"x\"\nimplementers = [\"a\"]\n\n\
         [[steps]]\nname = \"all\"\nissues = [\"gesture\", \"side\"]\nverifiability = {verifiability}\n\n\
         [public]\nvisibility = 0\nexpectations = 0\ndecay = 0\ngamma = 0\nannounce_visibility = 0\n\
         announce_expectations = 0\ndirect_visibility = 0\n\n\
         [parties.a]\nutility = {{ weights = {{ gesture = 1, side = 0 }}, values = {{ gesture = {{ no = 0, yes = 1 }} }} }}\n\
         discount = 1\ncapacity = 1\nwalk_away = 0\naudience_cost = 0\nstrategy = {{ kind = \"time_based\", rounds = 1 }}\n\
         trust.b = {{ a = 2, b = 3 }}\n\n\
         [parties.b]\nutility = {{ weights = {{ gesture = 1, side = 1 }}, values = {{ gesture = {{ no = 0, yes = 0.5 }}, side = {{ x = 0, y = 1 }} }} }}\n\
         discount = 1\ncapacity = {capacity}\nwalk_away = 0\naudience_cost = 0\nstrategy = {{ kind = \"time_based\", rounds = 1 }}\n\
         trust.a = {{ a = 1, b = 1 }}\n"
    )
}

#[test]
fn trust_updates_are_the_beta_posterior() {
    for (capacity, v, rounds) in [(1.0, 1.0, 1), (0.0, 1.0, 1), (0.5, 1.0, 60), (0.3, 1.0, 60)] {
        let s = Scenario::from_str(&beta_case(capacity, v, rounds), "trust.toml", Path::new(".")).unwrap_or_else(|e| panic!("{e}"));
        for run in 0..20 {
            let streams = Draws::from_rng(&mut bc_engine::rng_for(11, run));
            let (model, _) = s.sample(&streams);
            let mut trace = Trace::default();
            let r = simulate(&model, &streams, &mut trace);
            // a's observations of b's deliveries, from the story of the run.
            let (mut seen_delivery, mut seen_defection) = (0.0, 0.0);
            for e in &trace.0 {
                if let RunEvent::Delivery { party, observed, .. } = e {
                    if party == "b" {
                        for (who, saw) in observed {
                            assert_eq!(who, "a");
                            if *saw {
                                seen_delivery += 1.0;
                            } else {
                                seen_defection += 1.0;
                            }
                        }
                    }
                }
            }
            let expected = (2.0 + seen_delivery) / (2.0 + 3.0 + seen_delivery + seen_defection);
            assert!((r.final_trust[0][1] - expected).abs() < 1e-15, "capacity {capacity}: {} vs {expected}", r.final_trust[0][1]);
            if rounds == 1 {
                let exact = if capacity == 1.0 { 3.0 / 6.0 } else { 2.0 / 6.0 };
                assert_eq!(r.final_trust[0][1], exact);
            }
        }
    }
}

#[test]
fn a_strike_is_evidence_by_bayes_on_the_grid() {
    // The target a holds Beta(7, 3) about b's capacity; the spoiler strikes with hazard
    // 0.1 + 0.7 (1 - x) when b's capacity is x, so a strike is evidence of low capacity
    // (Kydd and Walter 2002). The posterior mean is Bayes on the 101-point midpoint grid.
    let text = beta_case(1.0, 1.0, 1).replace("trust.b = { a = 2, b = 3 }", "trust.b = { a = 7, b = 3 }")
        + "\n[spoilers.extremists]\ntarget = \"a\"\nbase = 0.1\nvisibility = 0\nprogress = 0\ncapacity_link = 0.7\nvisibility_jump = 0\npause = 1\n";
    let s = Scenario::from_str(&text, "kw.toml", Path::new(".")).unwrap_or_else(|e| panic!("{e}"));
    let grid: Vec<f64> = (0..101).map(|k| (k as f64 + 0.5) / 101.0).collect();
    let prior: Vec<f64> = grid.iter().map(|x| x.powi(6) * (1.0 - x).powi(2)).collect();
    let h = |x: f64| 0.1 + 0.7 * (1.0 - x);
    // The posterior after a strike (or a quiet round), and then `delivered` perfectly observed
    // deliveries of b.
    let post_mean = |struck: bool, delivered: i32| {
        let w: Vec<f64> = prior.iter().zip(&grid).map(|(p, &x)| p * x.powi(delivered) * if struck { h(x) } else { 1.0 - h(x) }).collect();
        w.iter().zip(&grid).map(|(w, x)| w * x).sum::<f64>() / w.iter().sum::<f64>()
    };
    let (mut struck_seen, mut quiet_seen) = (false, false);
    for run in 0..40 {
        let draws = Draws::from_rng(&mut bc_engine::rng_for(0, run));
        let mut trace = Trace::default();
        let r = simulate(s.nominal(), &draws, &mut trace);
        // Capacity 1: the hazard is 0.1; one round; a's belief after it is the posterior.
        if r.strikes == 1 {
            // The strike suspends the talks: nothing else moves the belief.
            struck_seen = true;
            assert_eq!(r.agreements, 0);
            assert!((r.final_trust[0][1] - post_mean(true, 0)).abs() < 1e-12, "{} vs {}", r.final_trust[0][1], post_mean(true, 0));
            assert!(r.final_trust[0][1] < 0.7, "a strike lowers the belief");
        } else if r.steps_implemented == 1 {
            // A quiet round, then b's delivery, seen (verifiability 1).
            quiet_seen = true;
            assert!((r.final_trust[0][1] - post_mean(false, 1)).abs() < 1e-12, "{} vs {}", r.final_trust[0][1], post_mean(false, 1));
        }
    }
    assert!(struck_seen && quiet_seen);
}
