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
    for key in [
        "runs",
        "intervals",
        "headline",
        "outcomes",
        "first_step_round",
        "kept_talking_after_setback",
        "mediator_accepted",
        "concrete_signals",
        "counterfactuals",
        "sensitivity",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert!(v["intervals"].as_str().unwrap_or("").contains("Monte Carlo error only"));
    // The outcome classes partition the runs.
    let total: f64 = ["comprehensive", "partial", "breakdown_after_progress", "collapse", "drift"]
        .iter()
        .map(|c| v["outcomes"][c]["estimate"].as_f64().unwrap_or(f64::NAN))
        .sum();
    assert!((total - 1.0).abs() < 1e-9, "{total}");
    // Every counterfactual has a 5x5 transition table over all runs.
    for c in v["counterfactuals"].as_array().unwrap() {
        let counts: Vec<Vec<u64>> = serde_json::from_value(c["transitions"]["counts"].clone()).unwrap_or_default();
        assert_eq!(counts.len(), 5);
        assert_eq!(counts.iter().flatten().sum::<u64>(), 600, "{}", c["name"]);
    }
    // Swings on every 20th run (30 of 600), with readable labels, largest agenda-share swing first.
    assert_eq!(v["sensitivity"]["runs"], 30);
    let swings = v["sensitivity"]["swing"].as_array().unwrap();
    assert!(swings.iter().any(|s| s["label"] == "Iran's delivery capacity"), "{swings:?}");
    let sizes: Vec<f64> = swings.iter().map(|s| s["agenda_share"]["estimate"].as_f64().unwrap_or(0.0).abs()).collect();
    assert!(sizes.windows(2).all(|w| w[0] >= w[1]), "{sizes:?}");
    assert_eq!(v["runs"], 600);
    let (_, two, _) = backchannel(&["run", "--runs", "600", "--seed", "5", "--threads", "2", "--json"]);
    assert_eq!(one, two, "output differs between 1 and 2 threads");
    let (_, text1, _) = backchannel(&["run", "--runs", "600", "--seed", "5", "--threads", "1"]);
    let (_, text2, _) = backchannel(&["run", "--runs", "600", "--seed", "5", "--threads", "2"]);
    assert_eq!(text1, text2);
    assert!(text1.contains("Counterfactuals") && text1.contains("Sensitivity"));
    assert!(
        text1.contains("Monte Carlo error only")
            && text1.contains("breakdown after progress")
            && text1.contains("Iran's delivery capacity")
    );
    let headline = text1.find("Headline").unwrap_or(usize::MAX);
    assert!(headline < text1.find("Outcome class").unwrap_or(0), "the headline indicators come first");
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
    assert!(out.contains("  zone: ") && out.contains("packages pass both sides' true tests;") && out.contains("as they bargain"), "{out}");
    let (code, json, err) = backchannel(&["trace", "--seed", "3", "--run", "2", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
    let events = v["events"].as_array().cloned().unwrap_or_default();
    assert!(events.iter().any(|e| e["event"] == "table"), "a table event");
    assert!(v["record"]["agenda_share"].is_f64());
    // A failed delivery says why, in some run of the first few.
    let why = (0..40).find_map(|run| {
        let (_, out, _) = backchannel(&["trace", "--seed", "1", "--run", &run.to_string()]);
        out.lines().find(|l| l.contains("DOES NOT DELIVER")).map(str::to_string)
    });
    let why = why.expect("some run of 40 has a failed delivery");
    assert!(["unable:", "reneged:", "held back:"].iter().any(|w| why.contains(w)), "{why}");
    let (code, _, err) = backchannel(&["run", "--variant", "nope", "--runs", "10"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown variant \"nope\""), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
