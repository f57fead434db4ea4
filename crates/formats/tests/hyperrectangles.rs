//! Compares `--semantics negmas` on hyper-rectangle (ANAC 2014 "nonlinear") GENIUS profiles with
//! NegMAS 0.16's own utilities (`tests/data/negmas/hyperrectangles.json`, produced by
//! `scripts/negmas_hyperrectangles.py`): every outcome of a synthetic domain that exercises
//! EXCLUDES bounds, rectangle and ufun weights, fractional bounds and two top-level ufuns, and
//! 2,000 seeded outcomes of the ANAC 2014 10issues domain. Bit for bit.

use std::path::{Path, PathBuf};

use bc_formats::{load_folder, Semantics};
use serde_json::Value as Json;

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data")
}

fn folder(case: &str) -> PathBuf {
    match case {
        "10issues" => data().join("genius/10issues"),
        other => data().join(other),
    }
}

#[test]
fn negmas_semantics_gives_negmas_utilities_on_hyper_rectangles() {
    let text = std::fs::read_to_string(data().join("negmas/hyperrectangles.json")).expect("reference file");
    let reference: Json = serde_json::from_str(&text).expect("valid JSON");
    let cases = reference["cases"].as_array().expect("cases");
    assert_eq!(cases.len(), 2);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let s = load_folder(&folder(name), Semantics::Negmas).unwrap_or_else(|e| panic!("{name}: {e}"));
        let issues: Vec<&str> = s.space.issues().iter().map(|i| i.name()).collect();
        let expected: Vec<&str> = case["issues"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        assert_eq!(issues, expected, "{name}: issue order");
        for (p, rv) in s.parties.iter().zip(case["reserved_values"].as_array().unwrap()) {
            let rv = match rv.as_str() {
                Some("-inf") => f64::NEG_INFINITY,
                Some("inf") => f64::INFINITY,
                _ => rv.as_f64().unwrap(),
            };
            assert_eq!(p.reserved_value, rv, "{name}: reserved value of {}", p.name);
        }
        let rows = case["outcomes"].as_array().unwrap();
        assert!(rows.len() >= 125, "{name}: too few outcomes in the reference");
        let mut nonzero = 0;
        for row in rows {
            let outcome: Vec<_> = row["outcome"]
                .as_array()
                .unwrap()
                .iter()
                .zip(s.space.issues())
                .map(|(v, issue)| issue.parse_value(&v.to_string()).unwrap_or_else(|| panic!("{name}: value {v} of {}", issue.name())))
                .collect();
            for (party, want) in s.parties.iter().zip(row["utils"].as_array().unwrap()) {
                let got = party.utility.eval(&outcome);
                let want = want.as_f64().unwrap();
                assert_eq!(got.to_bits(), want.to_bits(), "{name} {}: outcome {:?}: NegMAS {want}, ours {got}", party.name, row["outcome"]);
                nonzero += usize::from(want != 0.0);
            }
        }
        // The reference must exercise the rectangles, not only empty sums.
        assert!(nonzero * 2 > rows.len(), "{name}: most outcomes should fall in some rectangle");
    }
}
