//! Compares both readings of hyper-rectangle (ANAC 2014 "nonlinear") GENIUS profiles with the
//! peers' own utilities, bit for bit: `--semantics negmas` with NegMAS 0.16
//! (`tests/data/negmas/hyperrectangles.json`, from `scripts/negmas_hyperrectangles.py`) and
//! `--semantics genius` with GENIUS 10.4's `NonlinearUtilitySpace.getUtility`
//! (`tests/data/genius-java/hyperrectangles.json`). The cases: every outcome of synthetic domains
//! that exercise EXCLUDES bounds, rectangle and ufun weights, fractional bounds, nested min/max
//! ufuns and several top-level ufuns, and 2,000 seeded outcomes of the ANAC 2014 10issues domain.

use std::path::{Path, PathBuf};

use bc_formats::{load_files, load_folder, Semantics};
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

#[test]
fn genius_semantics_gives_genius_utilities_on_hyper_rectangles() {
    let text = std::fs::read_to_string(data().join("genius-java/hyperrectangles.json")).expect("reference file");
    let reference: Json = serde_json::from_str(&text).expect("valid JSON");
    let cases = reference["cases"].as_array().expect("cases");
    assert_eq!(cases.len(), 4);
    for case in cases {
        let profile = case["profile"].as_str().unwrap();
        let s = load_files(&data().join(case["domain"].as_str().unwrap()), &[data().join(profile)], Semantics::Genius)
            .unwrap_or_else(|e| panic!("{profile}: {e}"));
        let party = &s.parties[0];
        if let Some(rv) = case["reserved_value"].as_f64() {
            assert_eq!(party.reserved_value, rv, "{profile}: reserved value");
        }
        let outcomes = case["outcomes"].as_array().unwrap();
        let bits = case["bits"].as_array().unwrap();
        assert_eq!(outcomes.len(), bits.len());
        assert!(outcomes.len() >= 125);
        let mut distinct = std::collections::BTreeSet::new();
        for (o, b) in outcomes.iter().zip(bits) {
            let outcome: Vec<_> =
                o.as_array().unwrap().iter().zip(s.space.issues()).map(|(v, issue)| issue.parse_value(&v.to_string()).unwrap()).collect();
            let want = f64::from_bits(u64::from_str_radix(b.as_str().unwrap(), 16).unwrap());
            let got = party.utility.eval(&outcome);
            assert_eq!(got.to_bits(), want.to_bits(), "{profile}: outcome {o}: GENIUS {want}, ours {got}");
            distinct.insert(want.to_bits());
        }
        // The reference must tell rectangles apart, not only give one value everywhere.
        assert!(distinct.len() >= 5, "{profile}: only {} distinct utilities", distinct.len());
    }
}

#[test]
fn genius_semantics_refuses_what_genius_cannot_read() {
    // GENIUS reads bounds with Integer.parseInt: a fractional bound is an error, not a rounding.
    let dir = data().join("hyperrectangles");
    let e = load_files(&dir.join("domain.xml"), &[dir.join("profile-1.xml")], Semantics::Genius).unwrap_err().to_string();
    assert!(e.contains("profile-1.xml") && e.contains("@min") && e.contains("an integer") && e.contains("1.5"), "{e}");
}
