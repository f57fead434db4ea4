//! End-to-end tests of `backchannel analyze`: JSON output lined up with NegMAS's reference.json,
//! and clear errors with exit code 2 on bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value as Json;

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data")
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_backchannel")).args(args).output().expect("binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bc-analyze-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn json_lines_up_with_the_reference() {
    let dir = data().join("genius/ItexvsCypress");
    let out = run(&["analyze", dir.to_str().unwrap(), "--semantics", "negmas", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let ours: Json = serde_json::from_slice(&out.stdout).unwrap();
    let reference: Json = serde_json::from_str(&std::fs::read_to_string(data().join("negmas/reference.json")).unwrap()).unwrap();
    let mode = &reference["domains"]["ItexvsCypress"]["modes"]["as_loaded"];
    assert_eq!(ours["n_outcomes"], 180);
    assert_eq!(ours["reserved_values"], mode["reserved_values"]);
    for key in ["pareto", "nash", "max_welfare"] {
        let set = |v: &Json| {
            let mut s: Vec<String> = v.as_array().unwrap().iter().map(|p| p["outcome"].to_string()).collect();
            s.sort();
            s
        };
        assert_eq!(set(&ours[key]), set(&mode[key]), "{key}");
    }
    for key in ["kalai_smorodinsky", "kalai"] {
        assert!(ours[key].is_array(), "{key}");
    }
    // The egalitarian point of NegMAS is called kalai_egalitarian there, kalai here.
    assert_eq!(ours["kalai"][0]["utils"], mode["kalai_egalitarian"][0]["utils"]);
}

#[test]
fn huge_non_additive_space_is_refused_with_its_size_then_sampled() {
    let dir = data().join("genius/10issues");
    let out = run(&["analyze", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("10000000000 outcomes") && err.contains("--sample"), "{err}");
    let out = run(&["analyze", dir.to_str().unwrap(), "--sample", "2000", "--seed", "3", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let j: Json = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["method"], "sampled");
    assert!(j["n_pareto"].as_u64().unwrap() >= 1);
    let again = run(&["analyze", dir.to_str().unwrap(), "--sample", "2000", "--seed", "3", "--json"]);
    assert_eq!(again.stdout, out.stdout, "same seed, same output");
}

#[test]
fn bad_inputs_exit_2_naming_file_and_field() {
    let dir = temp_dir("bad");
    let domain = data().join("genius/LaptopB/Laptop-B-domain.xml");
    let good = std::fs::read_to_string(data().join("genius/LaptopB/Laptop-B-prof1.xml")).unwrap();
    let cases: Vec<(&str, String, &str)> = vec![
        ("truncated.xml", good[..good.len() / 2].to_string(), "truncated.xml"),
        ("nan.xml", good.replacen("<weight index=\"1\" value=\"", "<weight index=\"1\" value=\"NaN", 1), "finite number"),
        ("negative.xml", good.replacen("<weight index=\"1\" value=\"", "<weight index=\"1\" value=\"-", 1), "non-negative"),
        ("issue.xml", good.replacen("name=\"Laptop\"", "name=\"Desktop\"", 1), "\"Desktop\""),
    ];
    for (name, text, needle) in cases {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        let out = run(&["analyze", domain.to_str().unwrap(), path.to_str().unwrap(), path.to_str().unwrap()]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        assert!(err.contains(name) && err.contains(needle), "{name}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    let missing = dir.join("nope.xml");
    let out = run(&["analyze", domain.to_str().unwrap(), missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("nope.xml"), "{}", stderr(&out));
    let empty = temp_dir("empty");
    let out = run(&["analyze", empty.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("one domain file"), "{}", stderr(&out));
    let out = run(&["analyze", domain.to_str().unwrap(), "--semantics", "bogus"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn convert_writes_files_that_analyze_to_the_same_frontier() {
    let out = temp_dir("convert");
    let src = data().join("genius/ItexvsCypress");
    for to in ["genius", "geniusweb"] {
        let dest = out.join(to);
        let o = run(&["convert", src.to_str().unwrap(), "--to", to, "--out", dest.to_str().unwrap()]);
        assert!(o.status.success(), "{to}: {}", stderr(&o));
        let a = run(&["analyze", src.to_str().unwrap(), "--json"]);
        let b = run(&["analyze", dest.to_str().unwrap(), "--json"]);
        assert!(b.status.success(), "{to}: {}", stderr(&b));
        let (a, b): (Json, Json) = (serde_json::from_slice(&a.stdout).unwrap(), serde_json::from_slice(&b.stdout).unwrap());
        assert_eq!(a["n_pareto"], b["n_pareto"], "{to}");
        assert_eq!(a["nash"][0]["outcome"], b["nash"][0]["outcome"], "{to}");
    }
    // LaptopB's weights sum to 1.000052: GeniusWeb cannot hold it, and nothing is written.
    let dest = out.join("refused");
    let o = run(&["convert", data().join("genius/LaptopB").to_str().unwrap(), "--to", "geniusweb", "--out", dest.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("sum to"), "{}", stderr(&o));
    assert!(!dest.exists() || std::fs::read_dir(&dest).unwrap().next().is_none());
}

#[test]
fn outcome_distances_agree_with_the_printed_points() {
    let dir = data().join("genius/LaptopB");
    let out = run(&["analyze", dir.to_str().unwrap(), "--json", "--outcome", "Dell|60 Gb|19'' LCD"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let j: Json = serde_json::from_slice(&out.stdout).unwrap();
    let u: Vec<f64> = j["outcome"]["utils"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
    let nearest = |key: &str| {
        j[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                let v: Vec<f64> = p["utils"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
                ((v[0] - u[0]).powi(2) + (v[1] - u[1]).powi(2)).sqrt()
            })
            .fold(f64::INFINITY, f64::min)
    };
    for (dist_key, points_key) in [("pareto", "pareto"), ("nash", "nash"), ("max_welfare", "max_welfare")] {
        let d = j["outcome"]["distance"][dist_key].as_f64().unwrap();
        assert!((d - nearest(points_key)).abs() < 1e-12, "{dist_key}: {d}");
    }
    assert!(j["outcome"]["distance"]["pareto"].as_f64().unwrap() > 0.0, "Dell is not on the frontier");
}
