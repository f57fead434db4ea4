//! Run directories of `sweep`, `tournament` and `stakeholders`: shards merged equal the
//! unsharded run byte for byte (sweep, tournament), `--dry-run` estimates without writing,
//! designs and keys are checked, and a stakeholder run writes its history.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_backchannel")).args(args).output().unwrap()
}

fn ok(args: &[&str]) -> String {
    let out = bin(args);
    assert!(out.status.success(), "backchannel {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn fails(args: &[&str], expect: &str) {
    let out = bin(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert!(err.contains(expect), "{args:?}: expected {expect:?} in {err}");
}

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("bc-cli-run-dirs-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn same(a: &Path, b: &Path, files: &[&str]) {
    for f in files {
        assert!(std::fs::read(a.join(f)).unwrap() == std::fs::read(b.join(f)).unwrap(), "{f} differs");
    }
}

const FILES: [&str; 6] = ["records.csv", "records.parquet", "events.jsonl", "stats.json", "aggregates.json", "report.html"];

fn data(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data").join(rel).display().to_string()
}

#[test]
fn tournament_run_directory_merges() {
    let root = tempdir("tournament");
    let (a, b) = (data("genius/ItexvsCypress"), data("genius/Camera"));
    let common = [a.as_str(), b.as_str(), "--agents", "boulware,conceder,micro", "--steps", "60", "--quiet"];
    let whole = root.join("whole").display().to_string();
    let mut args = vec!["tournament"];
    args.extend(common);
    args.extend(["--out", &whole]);
    ok(&args);
    let mut shards = Vec::new();
    for i in 0..3 {
        let d = root.join(format!("s{i}")).display().to_string();
        let s = format!("{i}/3");
        let mut a = vec!["tournament"];
        a.extend(common);
        a.extend(["--shard", &s, "--out", &d]);
        ok(&a);
        shards.push(d);
    }
    let m = root.join("merged").display().to_string();
    ok(&["merge", &shards[0], &shards[1], &shards[2], "--out", &m]);
    let mut files = FILES.to_vec();
    files.extend(["results.csv", "results.jsonl", "scores.csv"]);
    same(Path::new(&whole), Path::new(&m), &files);
    let real = root.join("real").display().to_string();
    let summary: serde_json::Value = serde_json::from_str(&ok(&[
        "tournament",
        &a,
        "--agents",
        "boulware,conceder",
        "--repetitions",
        "10",
        "--quiet",
        "--json",
        "--out",
        &real,
    ]))
    .unwrap();
    let dry = ok(&[
        "tournament",
        &a,
        "--agents",
        "boulware,conceder",
        "--repetitions",
        "10",
        "--dry-run",
        "--out",
        &root.join("never").display().to_string(),
    ]);
    assert!(dry.contains(&format!("{} negotiations", summary["total_negotiations"])), "{dry}");
    assert!(!root.join("never").exists());
    // A run directory is never written over.
    fails(&["tournament", &a, "--agents", "boulware,conceder", "--quiet", "--out", &whole], "exists and is not empty");
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn sweep_shards_merge_and_rows_match_the_design() {
    let root = tempdir("sweep");
    let design = ["--lhs", "6", "mediator.leak=0..0.2", "parties.iran.capacity=0.4..0.9", "--runs", "300", "--seed", "5", "--quiet"];
    let whole = root.join("whole");
    let mut args: Vec<&str> = vec!["sweep"];
    args.extend(design);
    let w = whole.display().to_string();
    args.extend(["--out", &w]);
    ok(&args);
    let csv = std::fs::read_to_string(whole.join("records.csv")).unwrap();
    assert_eq!(csv.lines().count(), 7, "one row per point");
    assert!(csv.starts_with("point,mediator.leak,parties.iran.capacity,runs,"));
    assert!(csv.lines().next().unwrap().contains(",at_least_one_step,at_least_one_step_lo,at_least_one_step_hi,agenda_share,"), "{csv}");
    let agg: serde_json::Value = serde_json::from_slice(&std::fs::read(whole.join("aggregates.json")).unwrap()).unwrap();
    for effect in agg["main_effects"].as_array().unwrap() {
        let bins = effect["bins"].as_array().unwrap();
        assert_eq!(bins.iter().map(|b| b["runs"].as_u64().unwrap()).sum::<u64>(), 6 * 300, "every run in one bin");
        assert!(
            bins.iter()
                .filter(|b| b["runs"] != 0)
                .all(|b| b["agenda_share"]["estimate"].is_f64() && b["at_least_one_step"]["estimate"].is_f64()),
            "{effect}"
        );
    }
    let mut shards = Vec::new();
    for i in 0..2 {
        let d = root.join(format!("s{i}")).display().to_string();
        let shard = format!("{i}/2");
        let mut a: Vec<&str> = vec!["sweep"];
        a.extend(design);
        a.extend(["--shard", &shard, "--out", &d]);
        ok(&a);
        shards.push(d);
    }
    let m = root.join("merged").display().to_string();
    ok(&["merge", &shards[1], &shards[0], "--out", &m]);
    same(&whole, Path::new(&m), &FILES);
    let html = std::fs::read_to_string(whole.join("report.html")).unwrap();
    assert!(html.contains("chart-sweep-0") && html.contains("chart-sweep-1"));
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn sweep_rejects_bad_designs() {
    fails(&["sweep", "--grid", "mediator.nope=1,2", "--runs", "10"], "no key \"nope\"");
    fails(&["sweep", "--grid", "nowhere.leak=1,2", "--runs", "10"], "no table \"nowhere\"");
    fails(&["sweep", "--grid", "mediator.leak=0.1,x"], "\"x\"");
    fails(&["sweep", "--lhs", "5", "mediator.leak=0.3..0.1"], "lo < hi");
    fails(&["sweep", "--lhs", "five", "mediator.leak=0..0.1"], "number of points");
    fails(&["sweep"], "expected a design");
    fails(&["sweep", "--grid", "mediator.leak=0.1", "--lhs", "3", "mediator.leak=0..1"], "found both");
    fails(&["sweep", "--grid", "mediator.leak=0.1,0.2", "--shard", "0/2"], "--out");
}

#[test]
fn stakeholders_run_directory() {
    let root = tempdir("stakeholders");
    let out = root.join("smp");
    let text = ok(&["stakeholders", "--out", out.to_str().unwrap()]);
    assert!(text.contains("Forecast outcome"));
    let agg: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("aggregates.json")).unwrap()).unwrap();
    let json: serde_json::Value = serde_json::from_str(&ok(&["stakeholders", "--json"])).unwrap();
    // The aggregates carry the same position history as --json.
    assert_eq!(agg["actors"][0]["positions"], json["actors"][0]["positions"]);
    assert_eq!(agg["forecast"], json["forecast"]["most_likely"]["position"]);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("chart-positions-0") && html.contains("Illustrative numbers"));
    fails(&["stakeholders", "--shard", "1/2", "--out", root.join("x").to_str().unwrap()], "not sharded");
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn grid_sweep_shards_merge_with_the_grid_report() {
    let root = tempdir("grid");
    let design = ["--grid", "mediator.leak=0,0.1,0.2", "--grid", "parties.iran.capacity=0.5,0.9", "--runs", "100", "--quiet"];
    let whole = root.join("whole").display().to_string();
    let mut args: Vec<&str> = vec!["sweep"];
    args.extend(design);
    args.extend(["--out", &whole]);
    ok(&args);
    let html = std::fs::read_to_string(Path::new(&whole).join("report.html")).unwrap();
    assert!(html.contains("chart-sweep-grid"), "a two-parameter grid gets its heat map");
    let mut shards = Vec::new();
    for i in 0..3 {
        let d = root.join(format!("s{i}")).display().to_string();
        let s = format!("{i}/3");
        let mut a: Vec<&str> = vec!["sweep"];
        a.extend(design);
        a.extend(["--shard", &s, "--out", &d]);
        ok(&a);
        shards.push(d);
    }
    let m = root.join("merged").display().to_string();
    ok(&["merge", &shards[2], &shards[0], &shards[1], "--out", &m]);
    same(Path::new(&whole), Path::new(&m), &FILES);
    std::fs::remove_dir_all(root).unwrap();
}
