//! Oracle 18 (`shared/reference/oracles/ORACLES.md`): Klein, Faratin, Sayama & Bar-Yam (2003),
//! "Negotiating complex contracts". In mediated single-text negotiation over contracts with
//! interdependent issues, the voters' choice is a prisoner's dilemma: hill-climbing dominates
//! annealing, yet mutual annealing is better for both than mutual hill-climbing
//! (their final utilities: annealer/annealer 550/550, hill-climber/hill-climber 400/400,
//! annealer vs hill-climber 180/700). The exact numbers depend on their random landscapes, so the
//! test asserts the ordering T > R > P > S on averages over random landscapes of the same kind,
//! and that an annealing mediator with truthful hill-climbing voters reaches at least the
//! welfare of hill-climbers with Klein's plain mediator.
//!
//! Landscape: `n` binary issues; each agent's utility is a sum of pairwise interaction weights,
//! `u(x) = sum_{i <= j} w_ij x_i x_j` with `w_ij` uniform in `[-1, 1]`, drawn independently per
//! agent (a GENIUS hyper-rectangle utility: one rectangle per pair).

use std::sync::Arc;

use bc_model::{
    Aggregation, Bound, Discount, HyperRectangles, Issue, OutcomeSpace, Preferences, Rectangle, RectangleGroup, UtilityFunction,
};
use bc_protocol::ProtocolKind;
use bc_strategy::{play, Budget, Plan, Side, Spec};
use rand::{Rng, SeedableRng};

const ISSUES: usize = 14;
const ROUNDS: u64 = 1500;
const LANDSCAPES: u64 = 24;

fn landscape(seed: u64) -> (Arc<OutcomeSpace>, Vec<Arc<Side>>) {
    let space =
        Arc::new(OutcomeSpace::new("klein", (0..ISSUES).map(|i| Issue::integer(format!("c{i}"), 0, 1).unwrap()).collect()).unwrap());
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let sides = (0..2)
        .map(|a| {
            let mut rectangles = Vec::new();
            for i in 0..ISSUES {
                for j in i..ISSUES {
                    let mut bounds = vec![Bound { issue: i, min: 1.0, max: 1.0 }];
                    if j != i {
                        bounds.push(Bound { issue: j, min: 1.0, max: 1.0 });
                    }
                    rectangles.push(Rectangle { bounds, utility: rng.gen_range(-1.0..=1.0), weight: 1.0, exclusive: false });
                }
            }
            let root = RectangleGroup { aggregation: Aggregation::Sum, weight: 1.0, rectangles, groups: vec![] };
            let f = HyperRectangles::new(&space, root, 0.0, 1.0, None).unwrap();
            let prefs = Preferences {
                name: format!("agent{a}"),
                utility: UtilityFunction::HyperRectangles(f),
                reserved_value: f64::NEG_INFINITY,
                discount: Discount::None,
            };
            Arc::new(Side::new(space.clone(), prefs).unwrap())
        })
        .collect();
    (space, sides)
}

/// Mean normalised final utility of each party over the landscapes.
fn mean_utilities(agents: [&str; 2], mediator: &str) -> [f64; 2] {
    let specs: Vec<Spec> = agents.iter().map(|a| a.parse().unwrap()).collect();
    let mediator: Spec = mediator.parse().unwrap();
    let mut sum = [0.0; 2];
    for seed in 0..LANDSCAPES {
        let (_, sides) = landscape(seed);
        let plan = Plan {
            protocol: ProtocolKind::SingleText,
            agents: &specs,
            mediator: Some(&mediator),
            n_steps: ROUNDS,
            keep_events: false,
            budget: Budget::default(),
        };
        let r = play(&plan, &sides, &mut |k| rand_chacha::ChaCha8Rng::seed_from_u64(seed * 1000 + k as u64)).unwrap();
        let agreement = r.ending.agreement().expect("every text is ratified without reservation values");
        for (k, s) in sides.iter().enumerate() {
            let t = s.table().unwrap();
            sum[k] += (s.utility(agreement) - t.min()) / (t.max() - t.min());
        }
    }
    sum.map(|x| x / LANDSCAPES as f64)
}

#[test]
fn klein_single_text_is_a_prisoners_dilemma() {
    let [r, r2] = mean_utilities(["annealer", "annealer"], "flip");
    let [p, p2] = mean_utilities(["hill-climber", "hill-climber"], "flip");
    let [s, t] = mean_utilities(["annealer", "hill-climber"], "flip");
    let [t2, s2] = mean_utilities(["hill-climber", "annealer"], "flip");
    let (r, p, s, t) = ((r + r2) / 2.0, (p + p2) / 2.0, (s + s2) / 2.0, (t + t2) / 2.0);
    eprintln!("T {t:.3}  R {r:.3}  P {p:.3}  S {s:.3}");
    assert!(t > r, "temptation {t} should beat mutual annealing {r}");
    assert!(r > p, "mutual annealing {r} should beat mutual hill-climbing {p}");
    assert!(p > s, "mutual hill-climbing {p} should beat the sucker's payoff {s}");
}

#[test]
fn an_annealing_mediator_with_truthful_voters_beats_mutual_hill_climbing() {
    let [a, b] = mean_utilities(["hill-climber", "hill-climber"], "annealing");
    let [p, q] = mean_utilities(["hill-climber", "hill-climber"], "flip");
    eprintln!("annealing mediator welfare {:.3}, flip mediator welfare {:.3}", a + b, p + q);
    assert!(a + b >= p + q, "annealing mediator {} vs hill-climbers {}", a + b, p + q);
}
