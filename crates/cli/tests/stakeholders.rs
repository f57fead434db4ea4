//! End-to-end tests of `backchannel stakeholders`: the JSON shape, agreement with KTAB's
//! reference log through the binary, determinism, and clear errors on bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn ktab(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/ktab").join(file)
}

fn backchannel(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_backchannel")).args(args).output().expect("run backchannel")
}

fn json(args: &[&str]) -> Value {
    let out = backchannel(args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

#[test]
fn embedded_scenario_json_shape_and_determinism() {
    let v = json(&["stakeholders", "--json"]);
    assert_eq!(v["illustrative"], true);
    assert!(v["note"].as_str().unwrap().contains("illustrative"));
    let dims = v["dimensions"].as_array().unwrap();
    assert_eq!(dims.len(), 3);
    let turns = v["turns"].as_array().unwrap();
    let actors = v["actors"].as_array().unwrap();
    assert!(actors.len() >= 10);
    let names: Vec<&str> = actors.iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"Pakistan") && names.contains(&"Israel"));
    for a in actors {
        let pos = a["positions"].as_array().unwrap();
        assert_eq!(pos.len(), turns.len(), "one position per turn from turn 0");
        for p in pos {
            let p = p.as_array().unwrap();
            assert_eq!(p.len(), dims.len());
            assert!(p.iter().all(|x| (0.0..=100.0).contains(&x.as_f64().unwrap())));
        }
        assert_eq!(a["win_probabilities"].as_array().unwrap().len(), turns.len());
    }
    assert!(v["forecast"]["most_likely"]["probability"].as_f64().unwrap() > 0.0);
    let text = backchannel(&["stakeholders"]);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("illustrative") && text.contains("Forecast outcome"));
    assert_eq!(backchannel(&["stakeholders", "--json"]).stdout, backchannel(&["stakeholders", "--json"]).stdout);
}

#[test]
fn ktab_file_through_the_binary_matches_the_reference_log() {
    let v = json(&["stakeholders", ktab("dummyData_3Dim.csv").to_str().unwrap(), "--json"]);
    let log = std::fs::read_to_string(ktab("20170530_ref-dummyData_3Dim.txt")).unwrap();
    let lines: Vec<&str> = log.lines().collect();
    let start = lines.iter().position(|l| l.starts_with("History of actor positions")).unwrap() + 1;
    let actors = v["actors"].as_array().unwrap();
    for (i, a) in actors.iter().enumerate() {
        for d in 0..3 {
            let logged: Vec<&str> = lines[start + 3 * i + d].split(':').nth(1).unwrap().split_whitespace().collect();
            let ours: Vec<String> = a["positions"].as_array().unwrap().iter().map(|p| format!("{:.1}", p[d].as_f64().unwrap())).collect();
            assert_eq!(ours, logged, "actor {i} dimension {d}");
        }
    }
    let short = json(&["stakeholders", ktab("dummyData_3Dim.csv").to_str().unwrap(), "--turns", "1", "--json"]);
    assert_eq!(short["turns"].as_array().unwrap().len(), 2);
    assert_eq!(short["stop"], "max_turns");
}

#[test]
fn bdm_model_gives_positions_per_round() {
    let v = json(&["stakeholders", ktab("SOE-Pol-Comp.csv").to_str().unwrap(), "--model", "bdm", "--turns", "3", "--json"]);
    let a = &v["actors"][0];
    assert_eq!(a["positions"].as_array().unwrap().len(), 4);
    assert_eq!(a["positions"][0], serde_json::json!([30.0, 20.0]));
    assert_eq!(v["forecast"]["median"].as_array().unwrap().len(), 2);
}

#[test]
fn bad_input_exits_2_naming_file_line_and_field() {
    let dir = std::env::temp_dir().join(format!("bc-stakeholders-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "S,d,3,1\nActor,Description,Power,P,S\nA,,1,10,50\nB,,1,x,50\nC,,1,90,50\n").unwrap();
    let out = backchannel(&["stakeholders", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.csv:4: actor \"B\" / position on \"P\": expected a number, found \"x\""), "{err}");
    let out = backchannel(&["stakeholders", "--param", "VotingRule=Majority"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("PropCbc"));
    let out = backchannel(&["stakeholders", ktab("smpExample.xml").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("smpExample.xml:32"));
    std::fs::remove_dir_all(&dir).ok();
}
