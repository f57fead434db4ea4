//! Morris elementary-effect statistics against SALib 1.6.0's `morris.analyze` on SALib's own
//! trajectories and outputs (`tests/data/gsa/morris.json`, made by `scripts/gsa_fixtures.py`).

use std::path::Path;

use bc_engine::gsa::morris::{morris_analyze, morris_sample, MorrisEstimates, MorrisIndices, MorrisSums};
use bc_engine::gsa::{Bootstrap, Matrix};
use serde_json::Value;

fn fixture() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/gsa/morris.json");
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

fn analyze(x: &Matrix, y: &[f64], levels: usize, seed: u64, threads: usize) -> MorrisIndices {
    morris_analyze(x, y, levels, &Bootstrap { num_resamples: 100, conf_level: 0.95, seed, threads }).unwrap()
}

#[test]
fn statistics_equal_salibs_on_its_trajectories() {
    let f = fixture();
    for case in f["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let rows: Vec<Vec<f64>> = case["x"].as_array().unwrap().iter().map(floats).collect();
        let x = Matrix::from_rows(&rows).unwrap();
        let y = floats(&case["y"]);
        let levels = case["num_levels"].as_u64().unwrap() as usize;
        let m = analyze(&x, &y, levels, 3, 0);
        for (what, ours, theirs) in [
            ("mu", &m.mu, floats(&case["mu"])),
            ("mu_star", &m.mu_star, floats(&case["mu_star"])),
            ("sigma", &m.sigma, floats(&case["sigma"])),
        ] {
            for (j, (a, b)) in ours.iter().zip(&theirs).enumerate() {
                // Relative to the size of the effects: a mean near zero is a difference of
                // large effects, known only to their rounding.
                let scale = m.mu_star[j].max(1.0);
                assert!((a - b).abs() <= 1e-12 * scale, "{name} {what}[{j}]: ours {a}, SALib {b}");
            }
        }
        // The bootstrap half-widths come from different resamples: same magnitude only
        // (parameters with constant effects have widths of rounding size in both).
        for (j, (a, b)) in m.mu_star_conf.iter().zip(floats(&case["mu_star_conf"])).enumerate() {
            let rounding = 1e-12 * m.mu_star[j].max(1.0);
            if b <= rounding {
                assert!(*a <= rounding, "{name} mu_star_conf[{j}]: ours {a}, SALib {b}");
            } else {
                assert!(a / b > 0.6 && a / b < 1.6, "{name} mu_star_conf[{j}]: ours {a}, SALib {b}");
            }
        }
    }
}

/// Sums over shards of whole trajectories, merged, give SALib's statistics too.
#[test]
fn merged_sums_give_salibs_statistics() {
    let f = fixture();
    for case in f["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let rows: Vec<Vec<f64>> = case["x"].as_array().unwrap().iter().map(floats).collect();
        let y = floats(&case["y"]);
        let levels = case["num_levels"].as_u64().unwrap() as usize;
        let size = rows[0].len() + 1;
        let mut merged = MorrisSums::new(rows[0].len());
        // Shards of three trajectories, merged last to first.
        for (xs, ys) in rows.chunks(3 * size).zip(y.chunks(3 * size)).rev() {
            let mut part = MorrisSums::new(rows[0].len());
            part.add(&Matrix::from_rows(xs).unwrap(), ys, levels).unwrap();
            merged.merge(&part).unwrap();
        }
        let MorrisEstimates { mu, mu_star, sigma } = merged.estimates().unwrap();
        for (what, ours, theirs) in
            [("mu", mu, floats(&case["mu"])), ("mu_star", mu_star, floats(&case["mu_star"])), ("sigma", sigma, floats(&case["sigma"]))]
        {
            for (j, (a, b)) in ours.iter().zip(&theirs).enumerate() {
                let scale = floats(&case["mu_star"])[j].max(1.0);
                assert!((a - b).abs() <= 1e-12 * scale, "{name} {what}[{j}] from sums: ours {a}, SALib {b}");
            }
        }
    }
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let bounds = [(0.0, 1.0), (-2.0, 2.0), (0.0, 10.0)];
    let x = morris_sample(40, &bounds, 4, 8).unwrap();
    assert_eq!(x, morris_sample(40, &bounds, 4, 8).unwrap());
    let y: Vec<f64> = (0..x.rows()).map(|i| x.get(i, 0) * x.get(i, 1) + x.get(i, 2).sin()).collect();
    let one = analyze(&x, &y, 4, 5, 1);
    assert_eq!(one, analyze(&x, &y, 4, 5, 3));
    assert_eq!(one, analyze(&x, &y, 4, 5, 0));
}
