//! Run directories end to end on a synthetic forecast: the files, determinism, shards merged
//! byte for byte (through `merge_dirs`, by the directories' kind), and merge rejecting
//! mismatched shards.

mod common;

use bc_engine::Shard;
use bc_report::manifest::Manifest;
use bc_studies::merge_dirs;
use common::{tempdir, write_run};

const FILES: [&str; 6] = ["records.csv", "records.parquet", "events.jsonl", "stats.json", "aggregates.json", "report.html"];

#[test]
fn run_directory_has_every_file_and_is_deterministic() {
    let root = tempdir("files");
    let a = write_run(&root.join("a"), 7, 2000, Shard::ALL);
    let b = write_run(&root.join("b"), 7, 2000, Shard::ALL);
    for f in FILES {
        let x = std::fs::read(a.join(f)).unwrap();
        assert!(!x.is_empty(), "{f} is empty");
        assert_eq!(x, std::fs::read(b.join(f)).unwrap(), "{f} differs between two runs with the same seed");
    }
    let m = Manifest::read(&a).unwrap();
    assert_eq!((m.kind.as_str(), m.seed, m.records, m.jobs), ("run", Some(7), 2000, 2000));
    assert!(m.finished.is_some() && m.started.ends_with('Z'));
    assert_eq!(m.scenario.unwrap().sha256.len(), 64);
    let csv = std::fs::read_to_string(a.join("records.csv")).unwrap();
    assert_eq!(csv.lines().count(), 2001);
    assert!(csv.starts_with("run,outcome,at_least_one_step,agenda_share,"), "{}", csv.lines().next().unwrap_or(""));
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    for col in [
        "utility_a",
        "utility_b",
        "steps_standing",
        "reversals",
        "breakdown",
        "kept_talking",
        "concrete_signals",
        "mediator_accepted",
        "cf_direct",
        "cf_without_rival",
    ] {
        assert!(header.contains(&col), "records.csv lacks {col}");
    }
    let agg: serde_json::Value = serde_json::from_slice(&std::fs::read(a.join("aggregates.json")).unwrap()).unwrap();
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
        assert!(agg.get(key).is_some(), "aggregates.json lacks {key}");
    }
    // The outcome probabilities are the record counts divided by the runs.
    let collapses = csv.lines().filter(|l| l.split(',').nth(1) == Some("collapse")).count();
    assert_eq!(agg["outcomes"]["collapse"]["estimate"].as_f64().unwrap(), collapses as f64 / 2000.0);
    // … and the headline indicators are the means of the record columns.
    let with_step = csv.lines().skip(1).filter(|l| l.split(',').nth(2) == Some("1")).count();
    assert_eq!(agg["headline"]["at_least_one_step"]["estimate"].as_f64().unwrap(), with_step as f64 / 2000.0);
    let share: f64 = csv.lines().skip(1).map(|l| l.split(',').nth(3).unwrap().parse::<f64>().unwrap()).sum();
    assert!((agg["headline"]["agenda_share"]["estimate"].as_f64().unwrap() - share / 2000.0).abs() < 1e-12);
    // Each counterfactual's transition table counts every run once, its rows the scenario's classes.
    let cf = &agg["counterfactuals"][0];
    let counts: Vec<Vec<u64>> = serde_json::from_value(cf["transitions"]["counts"].clone()).unwrap();
    assert_eq!(counts.iter().flatten().sum::<u64>(), 2000);
    assert_eq!(counts[3].iter().sum::<u64>(), collapses as u64);
    // The swings ran on every 5th run, one per uncertain parameter, with readable labels.
    assert_eq!(agg["sensitivity"]["runs"], 400);
    assert_eq!(agg["sensitivity"]["swing"].as_array().unwrap().len(), 3);
    let report = std::fs::read_to_string(a.join("report.html")).unwrap();
    for text in [
        "Monte Carlo error only",
        "Headline indicators",
        "breakdown after progress",
        "scenario ↓",
        "Which assumptions matter most",
        "not Fearon's audience cost",
        "upper bound",
    ] {
        assert!(report.contains(text), "report.html lacks {text:?}");
    }
    // A different seed gives different records.
    let c = write_run(&root.join("c"), 8, 2000, Shard::ALL);
    assert_ne!(std::fs::read(a.join("records.csv")).unwrap(), std::fs::read(c.join("records.csv")).unwrap());
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn four_shards_merged_equal_the_unsharded_run_byte_for_byte() {
    let root = tempdir("shards");
    // More runs than a Parquet row group, and shards that cut groups mid-way.
    let runs = 40_003;
    let whole = write_run(&root.join("whole"), 11, runs, Shard::ALL);
    let mut shards = Vec::new();
    for i in [2, 0, 3, 1] {
        shards.push(write_run(&root.join(format!("s{i}")), 11, runs, Shard { index: i, count: 4 }));
    }
    let merged = merge_dirs(&shards, &root.join("merged"), |_| {}).unwrap();
    for f in FILES {
        let x = std::fs::read(whole.join(f)).unwrap();
        let y = std::fs::read(merged.join(f)).unwrap();
        assert!(x == y, "{f}: merged shards differ from the unsharded run ({} vs {} bytes)", x.len(), y.len());
    }
    let m = Manifest::read(&merged).unwrap();
    assert_eq!(m.merged_from.len(), 4);
    assert!(m.merged_from[0].ends_with("s0"), "shards are merged in shard order: {:?}", m.merged_from);
    // A shard's own report says it is partial.
    let shard_report = std::fs::read_to_string(shards[0].join("report.html")).unwrap();
    assert!(shard_report.contains("only shard 2/4"));
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn merge_rejects_missing_repeated_and_foreign_shards() {
    let root = tempdir("reject");
    let s0 = write_run(&root.join("s0"), 3, 100, Shard { index: 0, count: 2 });
    let s1 = write_run(&root.join("s1"), 3, 100, Shard { index: 1, count: 2 });
    let other = write_run(&root.join("o1"), 4, 100, Shard { index: 1, count: 2 });
    let e = merge_dirs(std::slice::from_ref(&s0), &root.join("m1"), |_| {}).unwrap_err().to_string();
    assert!(e.contains("expected 2 shard directories"), "{e}");
    let e = merge_dirs(&[s0.clone(), s0.clone()], &root.join("m2"), |_| {}).unwrap_err().to_string();
    assert!(e.contains("shard 0 twice"), "{e}");
    let e = merge_dirs(&[s0.clone(), other], &root.join("m3"), |_| {}).unwrap_err().to_string();
    assert!(e.contains("\"seed\"") && e.contains("not shards of one run"), "{e}");
    let e = merge_dirs(&[s0.clone(), root.join("nowhere")], &root.join("m4"), |_| {}).unwrap_err().to_string();
    assert!(e.contains("run.json"), "{e}");
    assert!(!root.join("m1").exists() && !root.join("m1.incomplete").exists());
    // The output must be new or empty.
    let e = merge_dirs(&[s0, s1.clone()], &s1, |_| {}).unwrap_err().to_string();
    assert!(e.contains("exists and is not empty"), "{e}");
    std::fs::remove_dir_all(root).unwrap();
}
