//! `backchannel negotiate` and `backchannel tournament` end to end: NegMAS's trace through the
//! command line, the JSON keys, every protocol, the trace file, shards, and clear errors (exit
//! code 2) for bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value as Json;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_backchannel"))
}

fn data(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data").join(p)
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

fn json(args: &[&str]) -> Json {
    let out = run(args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn itex() -> String {
    data("genius/ItexvsCypress").display().to_string()
}

#[test]
fn json_trace_equals_negmas_bench() {
    let bench: Json = serde_json::from_str(&std::fs::read_to_string(data("negmas/bench.json")).unwrap()).unwrap();
    let reference = bench["negotiations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["domain"] == "ItexvsCypress" && n["pair"] == "boulware_vs_conceder" && n["n_steps"] == 1000)
        .unwrap();
    let j = json(&[
        "negotiate",
        &itex(),
        "--agents",
        "boulware,conceder",
        "--semantics",
        "negmas",
        "--ignore-discount",
        "--steps",
        "1000",
        "--json",
    ]);
    let r = &reference["result"];
    assert_eq!(j["agreement"], r["agreement"]);
    assert_eq!(j["step"], r["final_state_step"]);
    let trace: Vec<Json> =
        r["trace"].as_array().unwrap().iter().map(|e| serde_json::json!({"step": e[0], "proposer": e[1], "outcome": e[2]})).collect();
    assert_eq!(j["trace"].as_array().unwrap(), &trace);
    let utils = r["agreement_utils"].as_array().unwrap();
    assert_eq!(j["utils"][0].as_f64(), utils[0].as_f64());
    assert_eq!(j["utils"][1].as_f64(), utils[1].as_f64());
    for key in ["pareto_distance", "nash_distance", "welfare", "n_offers", "ending"] {
        assert!(!j[key].is_null(), "{key}");
    }
}

#[test]
fn every_protocol_and_mediator_runs() {
    for (protocol, mediators) in [
        ("single-text", vec!["flip", "random", "hill-climbing", "annealing:t0=0.5"]),
        ("relay", vec!["pass", "discipline", "bridge"]),
        ("confidential", vec!["nash", "welfare", "egalitarian"]),
    ] {
        for m in mediators {
            let j = json(&["negotiate", &itex(), "--agents", "conceder,micro", "--protocol", protocol, "--mediator", m, "--json"]);
            assert_eq!(j["protocol"], protocol);
            assert!(j["step"].as_u64().unwrap() <= 100);
            assert!(j["fault"].is_null(), "{protocol} {m}: {}", j["fault"]);
        }
    }
    let j = json(&["negotiate", &itex(), "--agents", "hill-climber,annealer", "--protocol", "single-text", "--json"]);
    assert_eq!(j["ending"], "agreement");
}

#[test]
fn trace_file_has_every_event() {
    let path = std::env::temp_dir().join(format!("bc-trace-{}.jsonl", std::process::id()));
    let j =
        json(&["negotiate", &itex(), "--agents", "boulware,conceder", "--protocol", "relay", "--json", "--trace", path.to_str().unwrap()]);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    let events: Vec<Json> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let offers = events.iter().filter(|e| e["event"] == "offer").count() as u64;
    assert_eq!(offers, j["n_offers"].as_u64().unwrap());
    assert!(events.iter().any(|e| e["event"] == "delivered"));
    assert_eq!(events.last().unwrap()["event"], "end");
}

#[test]
fn bad_input_gets_clear_errors() {
    let d = itex();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["negotiate", &d, "--agents", "boulware,bolware"], "unknown agent \"bolware\"; valid agents: boulware"),
        (
            vec!["negotiate", &d, "--agents", "boulware,conceder", "--protocol", "shuttle"],
            "--protocol: expected one of sao, single-text, relay, confidential, found \"shuttle\"",
        ),
        (vec!["negotiate", &d, "--agents", "boulware,conceder", "--steps", "0"], "--steps: expected at least 1 round, found 0"),
        (vec!["negotiate", &d, "--agents", "boulware"], "--agents: expected at least 2 agents (one per party), found 1 (boulware)"),
        (
            vec!["negotiate", &d, "--agents", "boulware,conceder", "--mediator", "pass"],
            "--mediator: expected no mediator under protocol sao",
        ),
        (
            vec!["negotiate", &d, "--agents", "boulware,conceder", "--protocol", "relay", "--mediator", "nash"],
            "valid relay mediators: pass, discipline, bridge",
        ),
        (vec!["negotiate", &d, "--agents", "hill-climber,conceder"], "supports: single-text"),
        (vec!["negotiate", &d, "--agents", "tb:e=x,conceder"], "expected a number"),
        (vec!["negotiate", &d, "--agents", "boulware:speed=2,conceder"], "unknown parameter \"speed\""),
        (vec!["negotiate", &d, "--agents", "boulware,conceder", "--profiles", "0,7"], "profile 7 does not exist"),
        (vec!["negotiate", &d, "--agents", "a,b,c"], "unknown agent"),
        (vec!["tournament", &d, "--agents", "boulware", "--no-self-play", "--out", "/nonexistent-dir/x"], "self-play"),
        (vec!["tournament", &d, "--agents", "boulware", "--shard", "3/3"], "0 <= i < N"),
    ];
    for (args, expect) in cases {
        let out = run(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(expect), "{args:?}: expected {expect:?} in {err}");
    }
    // A domain with one profile for a two-party negotiation.
    let dom = data("genius/ItexvsCypress/ItexvsCypress_domain.xml");
    let prof = data("genius/ItexvsCypress/ItexvsCypress_Itex.xml");
    let out = run(&["negotiate", dom.to_str().unwrap(), prof.to_str().unwrap(), "--agents", "boulware,conceder"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("the domain has 1"));
}

#[test]
fn tournament_shards_concatenate_through_the_cli() {
    let base = std::env::temp_dir().join(format!("bc-cli-shards-{}", std::process::id()));
    let d = itex();
    let go = |out: &Path, shard: Option<&str>| {
        let mut args =
            vec!["tournament", &d, "--agents", "boulware,random,micro", "--repetitions", "3", "--steps", "40", "--quiet", "--json"];
        let o = out.to_str().unwrap().to_string();
        args.extend(["--out", &o]);
        if let Some(s) = shard {
            args.extend(["--shard", s]);
        }
        let j = json(&args);
        (std::fs::read(out.join("results.csv")).unwrap(), std::fs::read(out.join("results.jsonl")).unwrap(), j)
    };
    let (csv, jsonl, summary) = go(&base.join("all"), None);
    assert_eq!(summary["total_negotiations"], 3 * 3 * 2 * 3);
    let (mut c, mut j) = (Vec::new(), Vec::new());
    for s in ["0/2", "1/2"] {
        let (a, b, _) = go(&base.join(s.replace('/', "-")), Some(s));
        c.extend(a);
        j.extend(b);
    }
    assert_eq!(c, csv);
    assert_eq!(j, jsonl);
    let scores = std::fs::read_to_string(base.join("all/scores.csv")).unwrap();
    assert!(scores.starts_with("agent,negotiations,agreement_rate"));
    assert_eq!(scores.lines().count(), 4);
    // The shards' results rescored together give the unsharded scores.
    let merged = base.join("merged");
    let shards: Vec<String> = ["0-2", "1-2"].iter().map(|s| base.join(s).join("results.jsonl").display().to_string()).collect();
    let out = run(&["tournament", "--rescore", &shards[0], &shards[1], "--out", merged.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read_to_string(merged.join("scores.csv")).unwrap(), scores);
    std::fs::remove_dir_all(&base).unwrap();
}
