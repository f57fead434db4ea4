//! The `backchannel run`, `scenario` and `trace` commands end to end: JSON keys, byte-identical
//! output for a seed whatever the thread count, exit codes, atomic export.

use std::process::Command;

fn backchannel(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_backchannel")).args(args).output().unwrap_or_else(|e| panic!("{e}"));
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into(), String::from_utf8_lossy(&out.stderr).into())
}

#[test]
fn run_json_has_the_keys_and_ignores_threads() {
    let (code, one, err) = backchannel(&["run", "--runs", "600", "--seed", "5", "--threads", "1", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&one).unwrap_or_default();
    for key in ["runs", "outcomes", "first_step_round", "kept_talking_after_setback", "mediator_accepted", "counterfactuals", "sensitivity"] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["runs"], 600);
    let (_, two, _) = backchannel(&["run", "--runs", "600", "--seed", "5", "--threads", "2", "--json"]);
    assert_eq!(one, two, "output differs between 1 and 2 threads");
    let (_, text1, _) = backchannel(&["run", "--runs", "600", "--seed", "5", "--threads", "1"]);
    let (_, text2, _) = backchannel(&["run", "--runs", "600", "--seed", "5", "--threads", "2"]);
    assert_eq!(text1, text2);
    assert!(text1.contains("Counterfactuals") && text1.contains("Sensitivity"));
}

#[test]
fn export_validate_and_trace() {
    let dir = std::env::temp_dir().join(format!("bc-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_default();
    let file = dir.join("direct.toml");
    let f = file.to_string_lossy().to_string();
    let (code, _, err) = backchannel(&["scenario", "export", "--variant", "direct", "--out", &f]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = backchannel(&["scenario", "validate", &f]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("direct talks"), "{out}");
    let text = std::fs::read_to_string(&file).unwrap_or_default().replace("rounds = 104", "rounds = 0").replace("[public]", "[publik]");
    std::fs::write(&file, text).unwrap_or_default();
    let (code, _, err) = backchannel(&["scenario", "validate", &f]);
    assert_eq!(code, 2);
    assert!(err.contains("scenario.rounds: expected a number in [1, 100000], found 0") && err.contains("unknown key \"publik\""), "{err}");
    let (code, out, _) = backchannel(&["scenario", "validate", &f, "--json"]);
    assert_eq!(code, 2);
    assert!(out.contains("\"valid\": false"), "{out}");
    let (code, out, err) = backchannel(&["trace", "--seed", "3", "--run", "2"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("week ") && out.contains("\noutcome "), "{out}");
    let (code, _, err) = backchannel(&["run", "--variant", "nope", "--runs", "10"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown variant \"nope\""), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
