//! PRIM against the EMA Workbench 2.5.3's `Prim` on a seeded synthetic data set
//! (`tests/data/gsa/prim_data.csv` and `prim.json`, made by `scripts/gsa_fixtures.py`): the
//! same boxes, peeling trajectories, limits and members, for two settings.

use std::path::Path;

use bc_engine::gsa::prim::{Prim, PrimOptions};
use bc_engine::gsa::Matrix;
use serde_json::Value;

fn data_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/gsa")
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

/// The CSV: a comment line, a header, then x0..x4 and the 0/1 outcome.
fn data() -> (Matrix, Vec<bool>) {
    let text = std::fs::read_to_string(data_dir().join("prim_data.csv")).unwrap();
    let mut rows = Vec::new();
    let mut y = Vec::new();
    for line in text.lines().filter(|l| !l.starts_with('#')).skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        let (x, out) = fields.split_at(fields.len() - 1);
        rows.push(x.iter().map(|v| v.parse::<f64>().unwrap()).collect());
        y.push(match out[0] {
            "1" => true,
            "0" => false,
            other => panic!("outcome {other:?} is not 0 or 1"),
        });
    }
    (Matrix::from_rows(&rows).unwrap(), y)
}

#[test]
fn boxes_equal_ema_workbenchs() {
    let f: Value = serde_json::from_str(&std::fs::read_to_string(data_dir().join("prim.json")).unwrap()).unwrap();
    let (x, y) = data();
    assert_eq!(x.rows(), 1000);
    for case in f["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let options = PrimOptions {
            threshold: case["threshold"].as_f64().unwrap(),
            peel_alpha: case["peel_alpha"].as_f64().unwrap(),
            paste_alpha: case["paste_alpha"].as_f64().unwrap(),
            mass_min: case["mass_min"].as_f64().unwrap(),
        };
        let mut prim = Prim::new(x.clone(), y.clone(), options).unwrap();
        for (bi, want) in case["boxes"].as_array().unwrap().iter().enumerate() {
            let got = prim.find_box().unwrap().clone();
            assert_eq!(got.accepted, want["accepted"].as_bool().unwrap(), "{name} box {bi}: accepted");
            let traj = want["trajectory"].as_array().unwrap();
            assert_eq!(got.trajectory.len(), traj.len(), "{name} box {bi}: trajectory length");
            for (i, (g, w)) in got.trajectory.iter().zip(traj).enumerate() {
                let at = format!("{name} box {bi} step {i}");
                // The same counts, so the same divisions: the ratios are equal to the last bit.
                assert_eq!(g.n as u64, w["n"].as_u64().unwrap(), "{at}: n");
                assert_eq!(g.k as u64, w["k"].as_u64().unwrap(), "{at}: k");
                assert_eq!(g.res_dim as u64, w["res_dim"].as_u64().unwrap(), "{at}: res_dim");
                assert_eq!(g.coverage, w["coverage"].as_f64().unwrap(), "{at}: coverage");
                assert_eq!(g.density, w["density"].as_f64().unwrap(), "{at}: density");
                assert_eq!(g.mean, w["mean"].as_f64().unwrap(), "{at}: mean");
                assert_eq!(g.mass, w["mass"].as_f64().unwrap(), "{at}: mass");
            }
            for (i, (g, w)) in got.limits.iter().zip(want["limits"].as_array().unwrap()).enumerate() {
                assert_eq!(g.lower, floats(&w["lower"]), "{name} box {bi} step {i}: lower limits");
                assert_eq!(g.upper, floats(&w["upper"]), "{name} box {bi} step {i}: upper limits");
            }
            let members: Vec<usize> = want["members"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as usize).collect();
            assert_eq!(got.members, members, "{name} box {bi}: members");
            let sel = &want["selected"];
            let s = got.stats();
            assert_eq!(
                (s.coverage, s.density, s.mass, s.res_dim as u64),
                (
                    sel["coverage"].as_f64().unwrap(),
                    sel["density"].as_f64().unwrap(),
                    sel["mass"].as_f64().unwrap(),
                    sel["res_dim"].as_u64().unwrap()
                ),
                "{name} box {bi}: selected box"
            );
        }
    }
}

/// Selecting an earlier box on the trajectory changes which rows the next box excludes.
#[test]
fn selection_changes_the_members() {
    let (x, y) = data();
    let mut prim = Prim::new(x, y, PrimOptions::default()).unwrap();
    let last = prim.find_box().unwrap().clone();
    let pick = last.best_with_density(0.9).unwrap();
    assert!(last.trajectory[pick].density >= 0.9);
    let chosen = prim.select(pick).unwrap();
    assert_eq!(chosen.members.len(), last.trajectory[pick].n);
    assert!(prim.select(last.limits.len()).is_err());
}
