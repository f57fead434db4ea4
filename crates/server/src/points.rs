//! Preferences a party sets for itself before the start (rooms with `editable_preferences`),
//! in Inspire's convention: issue weights are points that sum to 100, and within each issue
//! every value gets a rating from 0 to 100, the best value 100. The utility of a package is
//! `Σ_k (weight_k / 100) · (rating_k(v_k) / 100)`, from 0 to 1; the reservation and discount
//! stay the profile's.

use bc_model::{LinearAdditive, OutcomeSpace, Preferences, UtilityFunction, ValueFunction};

/// Most values an issue may have in a room whose parties rate every value by hand.
pub const MAX_RATED_VALUES: u64 = 100;
/// How far from 100 the weights' sum may be (rounding of decimal points).
const SUM_TOLERANCE: f64 = 1e-6;

/// Checks that every issue of `space` can be rated by hand. Errors name the issue.
pub fn check_space(space: &OutcomeSpace) -> Result<(), String> {
    for issue in space.issues() {
        match issue.cardinality() {
            Some(n) if n <= MAX_RATED_VALUES => {}
            Some(n) => {
                return Err(format!(
                    "editable_preferences: issue `{}` has {n} values; a party rates at most {MAX_RATED_VALUES} per issue by hand",
                    issue.name()
                ))
            }
            None => return Err(format!("editable_preferences: issue `{}` is continuous; only discrete issues can be rated", issue.name())),
        }
    }
    Ok(())
}

fn points(x: f64, what: &str) -> Result<f64, String> {
    if !x.is_finite() || !(0.0..=100.0).contains(&x) {
        return Err(format!("{what}: expected points from 0 to 100, found {x}"));
    }
    Ok(x)
}

/// Checks `weights` (one per issue, summing to 100) and `ratings` (one list per issue, one
/// rating per value, 0 to 100, the best 100) against `space`. Errors name the issue and value.
pub fn check(space: &OutcomeSpace, weights: &[f64], ratings: &[Vec<f64>]) -> Result<(), String> {
    let issues = space.issues();
    if weights.len() != issues.len() {
        return Err(format!("weights: expected one weight per issue ({}), found {}", issues.len(), weights.len()));
    }
    if ratings.len() != issues.len() {
        return Err(format!("ratings: expected one list of ratings per issue ({}), found {}", issues.len(), ratings.len()));
    }
    for (issue, w) in issues.iter().zip(weights) {
        points(*w, &format!("weight of `{}`", issue.name()))?;
    }
    let sum: f64 = weights.iter().sum();
    if (sum - 100.0).abs() > SUM_TOLERANCE {
        let parts: Vec<String> = issues.iter().zip(weights).map(|(i, w)| format!("{} {w}", i.name())).collect();
        return Err(format!("weights: expected points that sum to 100, found {} ({})", round6(sum), parts.join(" + ")));
    }
    for (issue, r) in issues.iter().zip(ratings) {
        let n = issue.cardinality().unwrap_or(0) as usize;
        if r.len() != n {
            return Err(format!("ratings of `{}`: expected one rating per value ({n}), found {}", issue.name(), r.len()));
        }
        for (v, x) in r.iter().enumerate() {
            let value = issue.value_name(bc_model::Value::Index(v as u32));
            points(*x, &format!("rating of `{}` = `{value}`", issue.name()))?;
        }
        let best = r.iter().fold(f64::NEG_INFINITY, |a, x| a.max(*x));
        if best != 100.0 {
            return Err(format!("ratings of `{}`: the best value is rated 100, found best {best}", issue.name()));
        }
    }
    Ok(())
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// The preferences `base` becomes with these points (checked with [`check`] first).
pub fn preferences(space: &OutcomeSpace, base: &Preferences, weights: &[f64], ratings: &[Vec<f64>]) -> Result<Preferences, String> {
    check(space, weights, ratings)?;
    let w = weights.iter().map(|x| x / 100.0).collect();
    let v = ratings.iter().map(|r| ValueFunction::Table(r.iter().map(|x| x / 100.0).collect())).collect();
    let f = LinearAdditive::new(space, 0.0, w, v).map_err(|e| format!("preferences: {e}"))?;
    Ok(Preferences {
        name: base.name.clone(),
        utility: UtilityFunction::LinearAdditive(f),
        reserved_value: base.reserved_value,
        discount: base.discount,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use bc_model::{Discount, Issue};

    fn space() -> OutcomeSpace {
        OutcomeSpace::new(
            "t",
            vec![
                Issue::categorical("price", vec!["low".into(), "mid".into(), "high".into()]).unwrap(),
                Issue::categorical("delivery", vec!["fast".into(), "slow".into()]).unwrap(),
            ],
        )
        .unwrap()
    }

    fn base(space: &OutcomeSpace) -> Preferences {
        let f = LinearAdditive::new(
            space,
            0.0,
            vec![0.5, 0.5],
            vec![ValueFunction::Table(vec![0.0, 0.5, 1.0]), ValueFunction::Table(vec![1.0, 0.0])],
        )
        .unwrap();
        Preferences { name: "p".into(), utility: UtilityFunction::LinearAdditive(f), reserved_value: 0.25, discount: Discount::None }
    }

    #[test]
    fn points_become_a_utility_from_zero_to_one() {
        let s = space();
        let p = preferences(&s, &base(&s), &[70.0, 30.0], &[vec![100.0, 40.0, 0.0], vec![20.0, 100.0]]).unwrap();
        // (low, slow): 0.7 * 1 + 0.3 * 1; (mid, fast): 0.7 * 0.4 + 0.3 * 0.2.
        let u = |k| p.utility.eval_index(&s, k);
        assert!((u(1) - 1.0).abs() < 1e-12, "{}", u(1));
        assert!((u(2) - (0.7 * 0.4 + 0.3 * 0.2)).abs() < 1e-12, "{}", u(2));
        assert_eq!(p.reserved_value, 0.25, "the reservation stays the profile's");
    }

    #[test]
    fn bad_points_are_refused_with_the_reason() {
        let s = space();
        let r = [vec![100.0, 40.0, 0.0], vec![20.0, 100.0]];
        let e = check(&s, &[60.0, 35.0], &r).unwrap_err();
        assert!(e.contains("sum to 100, found 95 (price 60 + delivery 35)"), "{e}");
        let e = check(&s, &[120.0, -20.0], &r).unwrap_err();
        assert!(e.contains("weight of `price`: expected points from 0 to 100, found 120"), "{e}");
        let e = check(&s, &[50.0, 50.0], &[vec![100.0, 40.0, 0.0], vec![20.0, 90.0]]).unwrap_err();
        assert!(e.contains("ratings of `delivery`: the best value is rated 100, found best 90"), "{e}");
        let e = check(&s, &[50.0, 50.0], &[vec![100.0, 140.0, 0.0], vec![20.0, 100.0]]).unwrap_err();
        assert!(e.contains("rating of `price` = `mid`: expected points from 0 to 100, found 140"), "{e}");
        let e = check(&s, &[50.0, 50.0], &[vec![100.0, 0.0], vec![20.0, 100.0]]).unwrap_err();
        assert!(e.contains("ratings of `price`: expected one rating per value (3), found 2"), "{e}");
        let e = check(&s, &[100.0], &r).unwrap_err();
        assert!(e.contains("one weight per issue (2), found 1"), "{e}");
        assert!(check(&s, &[f64::NAN, 50.0], &r).is_err());
    }
}
