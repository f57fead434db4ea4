//! Normalisation of utilities to [0, 1], per party or on one scale shared by all parties.

use crate::error::Error;
use crate::space::OutcomeSpace;
use crate::utility::{Preferences, UtilityFunction};

/// How to map utilities to [0, 1].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Normalization {
    /// Each party on its own: `u' = (u - min_i) / (max_i - min_i)` (what NegMAS's tournaments do).
    PerParty,
    /// One scale for all, keeping differences comparable across parties:
    /// `u' = (u - max_i) / (M - m) + 1` with `m`, `M` the lowest and highest utility of any party
    /// (NegMAS's `Scenario.normalize()` default). Every party's best outcome gets 1.
    Shared,
}

/// Lowest and highest utility of a function over a space: analytic for additive functions,
/// by enumeration (within `limit`) otherwise.
pub fn utility_range(space: &OutcomeSpace, utility: &UtilityFunction, limit: u64) -> Result<(f64, f64), Error> {
    if let Some(f) = utility.as_additive() {
        return Ok(f.minmax());
    }
    let all = utility.eval_all(space, limit)?;
    Ok(all.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(*x), b.max(*x))))
}

/// Normalises every party's utility and reservation value with the same affine map as the
/// utility. A party whose utility is constant is mapped to 1 everywhere.
pub fn normalize(space: &OutcomeSpace, parties: &[Preferences], how: Normalization, limit: u64) -> Result<Vec<Preferences>, Error> {
    let ranges: Vec<(f64, f64)> = parties.iter().map(|p| utility_range(space, &p.utility, limit)).collect::<Result<_, _>>()?;
    let global = ranges.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), (lo, hi)| (a.min(*lo), b.max(*hi)));
    Ok(parties
        .iter()
        .zip(&ranges)
        .map(|(p, (lo, hi))| {
            let (scale, shift) = match how {
                Normalization::PerParty if hi > lo => (1.0 / (hi - lo), -lo / (hi - lo)),
                Normalization::Shared if global.1 > global.0 => {
                    let s = 1.0 / (global.1 - global.0);
                    (s, 1.0 - s * hi)
                }
                _ => (0.0, 1.0),
            };
            p.affine(scale, shift)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::issue::Issue;
    use crate::utility::{Discount, LinearAdditive, ValueFunction};

    fn setup() -> (OutcomeSpace, Vec<Preferences>) {
        let s = OutcomeSpace::new("s", vec![Issue::categorical("a", vec!["x".into(), "y".into(), "z".into()]).unwrap()]).unwrap();
        let mk = |t: Vec<f64>, r: f64| Preferences {
            name: "p".into(),
            utility: UtilityFunction::LinearAdditive(LinearAdditive::new(&s, 0.0, vec![1.0], vec![ValueFunction::Table(t)]).unwrap()),
            reserved_value: r,
            discount: Discount::None,
        };
        let ps = vec![mk(vec![2.0, 4.0, 6.0], 3.0), mk(vec![1.0, 2.0, 3.0], f64::NEG_INFINITY)];
        (s, ps)
    }

    #[test]
    fn per_party_maps_each_range_to_unit_interval() {
        let (s, ps) = setup();
        let n = normalize(&s, &ps, Normalization::PerParty, 100).unwrap();
        assert_eq!(utility_range(&s, &n[0].utility, 100).unwrap(), (0.0, 1.0));
        assert_eq!(utility_range(&s, &n[1].utility, 100).unwrap(), (0.0, 1.0));
        assert_eq!(n[0].reserved_value, 0.25);
        assert_eq!(n[1].reserved_value, f64::NEG_INFINITY);
    }

    #[test]
    fn shared_keeps_differences_comparable_and_max_at_one() {
        let (s, ps) = setup();
        let n = normalize(&s, &ps, Normalization::Shared, 100).unwrap();
        let (lo0, hi0) = utility_range(&s, &n[0].utility, 100).unwrap();
        let (lo1, hi1) = utility_range(&s, &n[1].utility, 100).unwrap();
        assert!((hi0 - 1.0).abs() < 1e-15 && (hi1 - 1.0).abs() < 1e-15);
        assert!((hi0 - lo0 - 0.8).abs() < 1e-12, "{lo0}");
        assert!((hi1 - lo1 - 0.4).abs() < 1e-12, "{lo1}");
    }
}
