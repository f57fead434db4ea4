//! Compares `--semantics genius` on the 16 additive GENIUS domains with GENIUS 10.4 itself:
//! `AdditiveUtilitySpace.getUtility` on about 120 bids per profile spread over GENIUS's bid
//! order, and each profile's reservation value and discount factor
//! (`tests/data/genius-java/additive.json`; see `tests/data/README.md` for how it was made).
//! Bit for bit.

use std::path::{Path, PathBuf};

use bc_formats::{load_files, Semantics};
use bc_model::Discount;
use serde_json::Value as Json;

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data")
}

fn bits(v: &Json) -> f64 {
    f64::from_bits(u64::from_str_radix(v.as_str().expect("hex bits"), 16).expect("hex bits"))
}

#[test]
fn genius_semantics_gives_genius_utilities_on_every_additive_domain() {
    let text = std::fs::read_to_string(data().join("genius-java/additive.json")).expect("reference file");
    let reference: Json = serde_json::from_str(&text).expect("valid JSON");
    let cases = reference["cases"].as_array().expect("cases");
    let domains: std::collections::BTreeSet<&str> = cases.iter().map(|c| c["domain"].as_str().unwrap()).collect();
    assert_eq!(domains.len(), 16, "every bundled domain but the hyper-rectangle one");
    let mut compared = 0;
    for case in cases {
        let profile = case["profile"].as_str().unwrap();
        let s = load_files(&data().join(case["domain"].as_str().unwrap()), &[data().join(profile)], Semantics::Genius)
            .unwrap_or_else(|e| panic!("{profile}: {e}"));
        let party = &s.parties[0];
        assert_eq!(party.reserved_value.to_bits(), bits(&case["reservation"]).to_bits(), "{profile}: reservation value");
        let d = bits(&case["discount"]);
        match party.discount {
            // GENIUS stores "no discount" as a factor of 1.
            Discount::None => assert_eq!(d, 1.0, "{profile}: GENIUS discounts by {d}, we do not"),
            Discount::NormalizedTime(ours) => assert_eq!(ours.to_bits(), d.to_bits(), "{profile}: discount factor"),
            Discount::PerStep(_) => panic!("{profile}: GENIUS semantics never discounts per step"),
        }
        let rows = case["rows"].as_array().unwrap();
        assert!(rows.len() >= 9, "{profile}: too few bids");
        for row in rows {
            let row = row.as_array().unwrap();
            let (names, want) = row.split_at(row.len() - 1);
            assert_eq!(names.len(), s.space.issues().len(), "{profile}: one value per issue");
            let outcome: Vec<_> = names
                .iter()
                .zip(s.space.issues())
                .map(|(n, issue)| {
                    let n = n.as_str().unwrap();
                    issue.parse_value(n).unwrap_or_else(|| panic!("{profile}: {n:?} is not a value of {}", issue.name()))
                })
                .collect();
            let want = bits(&want[0]);
            let got = party.utility.eval(&outcome);
            assert_eq!(got.to_bits(), want.to_bits(), "{profile}: {names:?}: GENIUS {want}, ours {got}");
            compared += 1;
        }
    }
    assert!(compared > 3000, "{compared} bids compared");
}
