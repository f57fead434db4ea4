//! JSON forms shared by the command-line tool and the Python module: numbers as NegMAS writes
//! them (non-finite values as strings), and the analysis of a scenario (`analyze --json`).

use bc_model::{Analysis, Method};
use serde_json::{json, Value as Json};

use crate::DomainProfiles;

/// A float as JSON: finite numbers as numbers (shortest round-trip form), infinities as the
/// strings `"inf"` / `"-inf"` (as NegMAS writes them) and NaN as `null`.
pub fn float(x: f64) -> Json {
    if x.is_finite() {
        serde_json::Number::from_f64(x).map_or(Json::Null, Json::Number)
    } else if x.is_nan() {
        Json::Null
    } else if x > 0.0 {
        Json::String("inf".into())
    } else {
        Json::String("-inf".into())
    }
}

/// Floats as a JSON array, each as [`float`] writes it.
pub fn floats(v: &[f64]) -> Json {
    Json::Array(v.iter().map(|&x| float(x)).collect())
}

fn points_json(s: &DomainProfiles, a: &Analysis, which: &[usize]) -> Json {
    Json::Array(
        which
            .iter()
            .map(|&k| {
                let p = &a.pareto[k];
                json!({
                    "outcome": s.space.value_names(&p.outcome),
                    "utils": p.utils.iter().map(|u| float(*u)).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}

/// The name of an analysis method, as the JSON writes it.
pub fn method_name(m: Method) -> &'static str {
    match m {
        Method::Additive => "additive",
        Method::Enumerated => "enumerated",
        Method::Sampled => "sampled",
    }
}

/// The analysis of scenario `s` as `backchannel analyze --json` prints it (and the Python
/// module returns it): the keys of NegMAS's reference.json modes, plus what was analysed
/// (`sample`: the number of sampled outcomes and the seed, when the space was sampled).
pub fn analysis_json(s: &DomainProfiles, a: &Analysis, sample: Option<(usize, u64)>) -> Json {
    let all: Vec<usize> = (0..a.pareto.len()).collect();
    json!({
        "domain": s.space.name(),
        "issues": s.space.issues().iter().map(|i| i.name()).collect::<Vec<_>>(),
        "profiles": s.parties.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
        "n_outcomes": a.n_outcomes.map(|n| json!(n as u64)),
        "method": method_name(a.method),
        "sample": sample.map(|(n, seed)| json!({"n": n, "seed": seed})),
        "reserved_values": a.reserved_values.iter().map(|x| float(*x)).collect::<Vec<_>>(),
        "ranges": a.ranges.iter().map(|(lo, hi)| json!([float(*lo), float(*hi)])).collect::<Vec<_>>(),
        "disagreement": a.disagreement.iter().map(|x| float(*x)).collect::<Vec<_>>(),
        "n_pareto": a.pareto.len(),
        "pareto": points_json(s, a, &all),
        "nash": points_json(s, a, &a.nash),
        "kalai_smorodinsky": points_json(s, a, &a.kalai_smorodinsky),
        "kalai": points_json(s, a, &a.kalai),
        "modified_kalai": points_json(s, a, &a.modified_kalai),
        "modified_ks": points_json(s, a, &a.modified_ks),
        "max_welfare": points_json(s, a, &a.max_welfare),
        "max_relative_welfare": points_json(s, a, &a.max_relative_welfare),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_finite_numbers_are_written_as_negmas_does() {
        assert_eq!(float(0.25).to_string(), "0.25");
        assert_eq!(float(f64::INFINITY), json!("inf"));
        assert_eq!(float(f64::NEG_INFINITY), json!("-inf"));
        assert_eq!(float(f64::NAN), Json::Null);
        assert_eq!(floats(&[1.0, f64::NAN]).to_string(), "[1.0,null]");
    }
}
