//! The BDM/Scholz model against the public replication's own output (ORACLES.md #12):
//! `tests/data/bdm/reference.json` holds, for Bueno de Mesquita's EC emission-standards data
//! (`ec_emissions.csv`), every actor's position and risk exponent, the weighted median and the
//! weighted mean in each of 10 rounds, as produced by running jmckib's `bdm_scholz_model.py`.

use std::path::Path;

use bc_stakeholders::bdm::{self, BdmActor, BdmOptions};
use serde_json::Value;

fn data(file: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/bdm").join(file)).expect("test data")
}

fn actors() -> Vec<BdmActor> {
    data("ec_emissions.csv")
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            BdmActor {
                name: f[0].into(),
                capability: f[1].parse().unwrap(),
                position: f[2].parse().unwrap(),
                salience: f[3].parse().unwrap(),
            }
        })
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * (1.0 + b.abs())
}

#[test]
fn ec_emissions_ten_rounds_match_the_replication() {
    let reference: Value = serde_json::from_str(&data("reference.json")).unwrap();
    let rounds = reference["rounds"].as_array().unwrap();
    let ours = bdm::run(&actors(), BdmOptions::default(), rounds.len() - 1).unwrap();
    assert_eq!(ours.len(), rounds.len());
    for (t, (got, want)) in ours.iter().zip(rounds).enumerate() {
        let num = |v: &Value| v.as_f64().unwrap();
        assert!(close(got.median, num(&want["median"])), "round {t}: median {} vs {}", got.median, want["median"]);
        assert!(close(got.mean, num(&want["mean"])), "round {t}: mean {} vs {}", got.mean, want["mean"]);
        for (i, x) in want["positions"].as_array().unwrap().iter().enumerate() {
            assert!(close(got.positions[i], num(x)), "round {t}: actor {i} at {} vs {x}", got.positions[i]);
        }
        if let Some(risk) = want.get("risk_exponents") {
            for (i, r) in risk.as_array().unwrap().iter().enumerate() {
                assert!(close(got.risk[i], num(r)), "round {t}: risk of actor {i}");
            }
        }
    }
    // The published medians, to the 4 decimals ORACLES.md quotes.
    let medians: Vec<String> = ours[1..].iter().map(|r| format!("{:.4}", r.median)).collect();
    assert_eq!(medians[0], "8.4159");
    assert_eq!(medians[9], "7.0000");
}
