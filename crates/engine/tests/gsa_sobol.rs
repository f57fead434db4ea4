//! Sobol' sequence, Saltelli sample and Sobol' indices against SciPy 1.17 / SALib 1.6.0's own
//! numbers in `tests/data/gsa/` (made by `scripts/gsa_fixtures.py`), and against the analytic
//! indices of the Ishigami and G functions.

use std::path::Path;

use bc_engine::gsa::saltelli::{saltelli_sample, sobol_analyze, SobolIndices, SobolSums};
use bc_engine::gsa::sequence::{Scrambling, SobolSequence};
use bc_engine::gsa::{Bootstrap, Matrix};
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/gsa").join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

/// The fixture script's hash: FNV-1a over the values' 64-bit patterns, word by word.
fn fnv(values: &[f64]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for v in values {
        h = (h ^ v.to_bits()).wrapping_mul(0x100_0000_01b3);
    }
    format!("{h:016x}")
}

fn bounds(case: &Value) -> Vec<(f64, f64)> {
    case["problem"]["bounds"].as_array().unwrap().iter().map(|b| (b[0].as_f64().unwrap(), b[1].as_f64().unwrap())).collect()
}

/// SALib's `Ishigami.evaluate` (a = 7, b = 0.1), same operations.
fn ishigami(x: &[f64]) -> f64 {
    x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
}

/// SALib's `Sobol_G.evaluate` with a = [0, 1, 4.5, 9, 99, 99, 99, 99].
fn sobol_g(x: &[f64]) -> f64 {
    const A: [f64; 8] = [0.0, 1.0, 4.5, 9.0, 99.0, 99.0, 99.0, 99.0];
    x.iter().zip(A).map(|(&xi, a)| (2.0 * (2.0 * xi - 1.0).abs() + a) / (1.0 + a)).product()
}

fn model(name: &str) -> fn(&[f64]) -> f64 {
    match name {
        "ishigami" | "ishigami_small" => ishigami,
        "sobol_g" => sobol_g,
        other => panic!("no model for fixture case {other}"),
    }
}

fn evaluate(x: &Matrix, f: fn(&[f64]) -> f64) -> Vec<f64> {
    (0..x.rows()).map(|i| f(x.row(i))).collect()
}

fn assert_close(what: &str, ours: &[f64], theirs: &[f64], tol: f64) {
    assert_eq!(ours.len(), theirs.len(), "{what}");
    for (j, (a, b)) in ours.iter().zip(theirs).enumerate() {
        assert!((a - b).abs() <= tol, "{what}[{j}]: ours {a}, SALib {b}, difference {}", (a - b).abs());
    }
}

/// Bootstrap half-widths from different random resamples cannot be equal; with 100 resamples
/// each is within about 10% of the other, so a factor of 1.6 either way flags a wrong formula.
fn assert_same_magnitude(what: &str, ours: &[f64], theirs: &[f64]) {
    for (j, (a, b)) in ours.iter().zip(theirs).enumerate() {
        assert!(a / b > 1.0 / 1.6 && a / b < 1.6, "{what}[{j}]: ours {a}, SALib {b}");
    }
}

fn analyze(y: &[f64], d: usize, seed: u64, threads: usize) -> SobolIndices {
    sobol_analyze(y, d, &Bootstrap { num_resamples: 100, conf_level: 0.95, seed, threads }).unwrap()
}

#[test]
fn unscrambled_sequence_is_scipys_bit_for_bit() {
    let f = fixture("sobol_sequence.json");
    for (name, s) in f["sequences"].as_object().unwrap() {
        let (d, n) = (s["dims"].as_u64().unwrap() as usize, s["n"].as_u64().unwrap() as usize);
        let pts = SobolSequence::new(d).unwrap().take(n).unwrap();
        for (i, row) in s["first_rows"].as_array().unwrap().iter().enumerate() {
            assert_eq!(pts.row(i), floats(row).as_slice(), "{name} row {i}");
        }
        assert_eq!(fnv(pts.data()), s["fnv"].as_str().unwrap(), "{name}: hash of all {n} points");
    }
}

/// Skipping is SciPy's `fast_forward` (SALib's `skip_values`).
#[test]
fn skipped_sequence_is_scipys_fast_forward() {
    let f = fixture("sobol_sequence.json");
    let s = &f["skipped"];
    let mut seq = SobolSequence::new(s["dims"].as_u64().unwrap() as usize).unwrap();
    seq.skip(s["skip"].as_u64().unwrap()).unwrap();
    for (i, row) in s["rows"].as_array().unwrap().iter().enumerate() {
        let mut point = vec![0.0; seq.dims()];
        seq.next_into(&mut point).unwrap();
        assert_eq!(point, floats(row), "point {} after the skip", i);
    }
}

#[test]
fn saltelli_sample_is_salibs_bit_for_bit() {
    let f = fixture("sobol.json");
    for case in f["cases"].as_array().unwrap() {
        let e = &case["unscrambled"];
        let n = case["n"].as_u64().unwrap() as usize;
        let x = saltelli_sample(n, &bounds(case), Scrambling::None, 0).unwrap();
        assert_eq!((x.rows() as u64, x.cols() as u64), (e["rows"].as_u64().unwrap(), e["cols"].as_u64().unwrap()));
        for (i, row) in e["x_first_rows"].as_array().unwrap().iter().enumerate() {
            assert_eq!(x.row(i), floats(row).as_slice(), "{} row {i}", case["name"]);
        }
        assert_eq!(fnv(x.data()), e["x_fnv"].as_str().unwrap(), "{}: hash of the sample", case["name"]);
    }
}

/// On SALib's own sample and SALib's own outputs (stored in full for the small case), the
/// point estimates are SALib's to rounding.
#[test]
fn point_estimates_on_salibs_outputs_equal_salibs() {
    let f = fixture("sobol.json");
    let case = &f["cases"][0];
    assert_eq!(case["name"], "ishigami_small");
    let e = &case["unscrambled"];
    let y = floats(&e["y"]);
    let s = analyze(&y, 3, 1, 0);
    assert_close("S1", &s.s1, &floats(&e["S1"]), 1e-12);
    assert_close("ST", &s.st, &floats(&e["ST"]), 1e-12);
    assert_same_magnitude("S1_conf", &s.s1_conf, &floats(&e["S1_conf"]));
    assert_same_magnitude("ST_conf", &s.st_conf, &floats(&e["ST_conf"]));
}

/// At N = 2^13 the outputs are re-evaluated here on the regenerated (bit-identical) sample:
/// they agree with numpy's to a few ulps (checked on their sum and first values), so the
/// point estimates agree with SALib's to 1e-12.
#[test]
fn point_estimates_at_n_8192_equal_salibs() {
    let f = fixture("sobol.json");
    for case in f["cases"].as_array().unwrap().iter().skip(1) {
        let name = case["name"].as_str().unwrap();
        let e = &case["unscrambled"];
        let d = bounds(case).len();
        let x = saltelli_sample(case["n"].as_u64().unwrap() as usize, &bounds(case), Scrambling::None, 0).unwrap();
        let y = evaluate(&x, model(name));
        let sum: f64 = y.iter().sum();
        let their_sum = e["y_sum"].as_f64().unwrap();
        assert!((sum - their_sum).abs() <= 1e-12 * their_sum.abs(), "{name}: output sum {sum} vs {their_sum}");
        for (a, b) in y.iter().zip(floats(&e["y_first"])) {
            assert!((a - b).abs() <= 1e-14 * b.abs().max(1.0), "{name}: output {a} vs {b}");
        }
        let s = analyze(&y, d, 7, 0);
        assert_close(&format!("{name} S1"), &s.s1, &floats(&e["S1"]), 1e-12);
        assert_close(&format!("{name} ST"), &s.st, &floats(&e["ST"]), 1e-12);
        assert_same_magnitude(&format!("{name} S1_conf"), &s.s1_conf, &floats(&e["S1_conf"]));
        assert_same_magnitude(&format!("{name} ST_conf"), &s.st_conf, &floats(&e["ST_conf"]));
        // The mergeable sums give the same estimates.
        let mut sums = SobolSums::new(d);
        for shard in y.chunks((d + 2) * 1000) {
            let mut part = SobolSums::new(d);
            part.add(shard).unwrap();
            sums.merge(&part).unwrap();
        }
        let (s1, st) = sums.estimates().unwrap();
        assert_close(&format!("{name} S1 from sums"), &s1, &floats(&e["S1"]), 1e-12);
        assert_close(&format!("{name} ST from sums"), &st, &floats(&e["ST"]), 1e-12);
    }
}

/// With our own scrambled sample (a different random scramble from SALib's), the indices
/// agree with SALib's scrambled run within the two bootstrap intervals, and both contain the
/// analytic values.
#[test]
fn scrambled_indices_agree_with_salib_and_analytic_values_within_intervals() {
    let f = fixture("sobol.json");
    for case in f["cases"].as_array().unwrap().iter().skip(1) {
        let name = case["name"].as_str().unwrap();
        let theirs = &case["scrambled"];
        let d = bounds(case).len();
        let x = saltelli_sample(case["n"].as_u64().unwrap() as usize, &bounds(case), Scrambling::LinearMatrix { seed: 2024 }, 0).unwrap();
        let ours = analyze(&evaluate(&x, model(name)), d, 99, 0);
        let analytic = &case["analytic"];
        for (what, o, oc, t, tc, a) in [
            ("S1", &ours.s1, &ours.s1_conf, floats(&theirs["S1"]), floats(&theirs["S1_conf"]), floats(&analytic["S1"])),
            ("ST", &ours.st, &ours.st_conf, floats(&theirs["ST"]), floats(&theirs["ST_conf"]), floats(&analytic["ST"])),
        ] {
            for j in 0..d {
                assert!((o[j] - t[j]).abs() <= oc[j] + tc[j], "{name} {what}[{j}]: ours {} ± {}, SALib {} ± {}", o[j], oc[j], t[j], tc[j]);
                assert!((o[j] - a[j]).abs() <= oc[j], "{name} {what}[{j}]: ours {} ± {}, analytic {}", o[j], oc[j], a[j]);
                assert!((t[j] - a[j]).abs() <= tc[j], "{name} {what}[{j}]: SALib {} ± {}, analytic {}", t[j], tc[j], a[j]);
            }
        }
    }
}

/// The analytic Ishigami indices in the fixture are the textbook ones (S1 = 0.3139, 0.4424, 0;
/// ST = 0.5576, 0.4424, 0.2437), computed here from the variance formulas.
#[test]
fn ishigami_analytic_values_are_the_textbook_ones() {
    let (a, b, pi) = (7.0f64, 0.1f64, std::f64::consts::PI);
    let v1 = 0.5 * (1.0 + b * pi.powi(4) / 5.0).powi(2);
    let v2 = a * a / 8.0;
    let v13 = b * b * pi.powi(8) * (1.0 / 18.0 - 1.0 / 50.0);
    let v = v1 + v2 + v13;
    let f = fixture("sobol.json");
    let an = &f["cases"][1]["analytic"];
    assert_close("analytic S1", &floats(&an["S1"]), &[v1 / v, v2 / v, 0.0], 1e-15);
    assert_close("analytic ST", &floats(&an["ST"]), &[(v1 + v13) / v, v2 / v, v13 / v], 1e-15);
    assert_close("rounded", &[v1 / v, v2 / v, (v1 + v13) / v, v13 / v], &[0.3139, 0.4424, 0.5576, 0.2437], 5e-5);
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let bounds = [(-std::f64::consts::PI, std::f64::consts::PI); 3];
    let x = saltelli_sample(1024, &bounds, Scrambling::LinearMatrix { seed: 5 }, 0).unwrap();
    let y = evaluate(&x, ishigami);
    let one = analyze(&y, 3, 11, 1);
    assert_eq!(one, analyze(&y, 3, 11, 3));
    assert_eq!(one, analyze(&y, 3, 11, 0));
    assert_ne!(one.s1_conf, analyze(&y, 3, 12, 1).s1_conf, "the seed drives the resamples");
}
