//! Run directories of any study, on a toy study defined here (no domain crate): the runner writes
//! every file, shards merged by the generic `merge::<S>` equal the unsharded run byte for byte
//! (records, events, the study's concatenated and derived files, statistics, aggregates, report),
//! merge refuses mismatched shards and another kind, and a failed run leaves nothing behind.

use std::path::{Path, PathBuf};

use bc_engine::{Job, Shard};
use bc_report::manifest::Manifest;
use bc_report::merge::merge;
use bc_report::records::{Cell, Column, ColumnType};
use bc_report::runner::{run, Plan};
use bc_report::study::{ReportInfo, Study};
use serde::{Deserialize, Serialize};

/// Job `i` gives the number `i * i mod 7`; its statistics are exact counts per value.
struct Squares {
    jobs: u64,
}

/// The toy study's statistics: how many jobs gave each value, and the sum of the values.
#[derive(Debug, Serialize, Deserialize)]
struct Counts {
    counts: [u64; 7],
    sum: u64,
}

impl bc_engine::Study for Squares {
    type Scratch = ();
    type Record = u64;
    type Stats = Counts;

    fn kind(&self) -> &'static str {
        "squares"
    }
    fn jobs(&self) -> u64 {
        self.jobs
    }
    fn unit(&self) -> &'static str {
        "jobs"
    }
    fn columns(&self) -> Vec<Column> {
        vec![Column::new("job", ColumnType::Int), Column::new("value", ColumnType::Int), Column::nullable("half", ColumnType::Float)]
    }
    fn scratch(&self) {}
    fn run(&self, _: &mut (), i: u64, _detail: bool) -> Job<u64> {
        let v = i * i % 7;
        let half = v.is_multiple_of(2).then_some(v as f64 / 2.0);
        Job {
            record: v,
            rows: vec![vec![Cell::from(i), Cell::from(v), Cell::from(half)]],
            events: if v == 0 { vec![format!("{{\"job\":{i},\"event\":\"zero\"}}")] } else { Vec::new() },
            files: vec![format!("{i};{v}\n")],
        }
    }
    fn stats(&self, _: u64) -> Counts {
        Counts { counts: [0; 7], sum: 0 }
    }
    fn fold(&self, stats: &mut Counts, v: &u64) {
        stats.counts[*v as usize] += 1;
        stats.sum += v;
    }
    fn concatenated(&self) -> Vec<(&'static str, String)> {
        vec![("values.txt", "job;value\n".into())]
    }
}

impl Study for Counts {
    const KIND: &'static str = "squares";

    fn merge(&mut self, next: Counts) -> Result<(), String> {
        for (a, b) in self.counts.iter_mut().zip(next.counts) {
            *a += b;
        }
        self.sum += next.sum;
        Ok(())
    }
    fn aggregates(&self) -> serde_json::Value {
        serde_json::json!({"jobs": self.counts.iter().sum::<u64>(), "sum": self.sum})
    }
    fn report(&self, _: &ReportInfo) -> String {
        bc_report::html::table(
            &["value", "jobs"],
            &self.counts.iter().enumerate().map(|(v, n)| vec![v.to_string(), n.to_string()]).collect::<Vec<_>>(),
        )
    }
    fn title(&self, _: &ReportInfo) -> String {
        "Squares mod 7".into()
    }
    fn files(&self) -> Vec<(&'static str, String)> {
        vec![("counts.csv", self.counts.iter().map(|n| format!("{n}\n")).collect())]
    }
}

const FILES: [&str; 8] =
    ["records.csv", "records.parquet", "events.jsonl", "stats.json", "aggregates.json", "report.html", "values.txt", "counts.csv"];

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("bc-report-it-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Shard `shard` of the toy study of `jobs` jobs, written to `out` by the generic runner.
fn write(out: &Path, jobs: u64, seed: u64, shard: Shard) -> PathBuf {
    let plan = Plan { out: Some(out.to_path_buf()), shard, threads: 2, quiet: true, seed: Some(seed), ..Plan::default() };
    run(&Squares { jobs }, &plan, |_, _| Ok(())).unwrap();
    out.to_path_buf()
}

#[test]
fn shards_of_any_study_merge_into_the_unsharded_run_byte_for_byte() {
    let root = tempdir("generic-merge");
    // More jobs than a Parquet row group, cut mid-group by the shards.
    let jobs = 40_001;
    let whole = write(&root.join("whole"), jobs, 5, Shard::ALL);
    let shards: Vec<PathBuf> =
        [2, 0, 1].into_iter().map(|i| write(&root.join(format!("s{i}")), jobs, 5, Shard { index: i, count: 3 })).collect();
    let merged = merge::<Counts>(&shards, &root.join("merged"), |_| {}).unwrap();
    for f in FILES {
        let x = std::fs::read(whole.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert!(!x.is_empty(), "{f} is empty");
        assert!(x == std::fs::read(merged.join(f)).unwrap(), "{f}: merged shards differ from the unsharded run");
    }
    let agg: serde_json::Value = serde_json::from_slice(&std::fs::read(merged.join("aggregates.json")).unwrap()).unwrap();
    assert_eq!(agg["jobs"], jobs);
    let values = std::fs::read_to_string(merged.join("values.txt")).unwrap();
    assert_eq!(values.lines().count() as u64, jobs + 1, "the header once, then a line per job");
    let m = Manifest::read(&merged).unwrap();
    assert_eq!((m.kind.as_str(), m.jobs, m.records, m.merged_from.len()), ("squares", jobs, jobs, 3));
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn merge_refuses_mismatched_shards_and_another_kind() {
    let root = tempdir("generic-reject");
    let s0 = write(&root.join("s0"), 100, 3, Shard { index: 0, count: 2 });
    let s1 = write(&root.join("s1"), 100, 3, Shard { index: 1, count: 2 });
    let other = write(&root.join("o1"), 100, 4, Shard { index: 1, count: 2 });
    let e = merge::<Counts>(std::slice::from_ref(&s0), &root.join("m1"), |_| {}).unwrap_err().to_string();
    assert!(e.contains("expected 2 shard directories"), "{e}");
    let e = merge::<Counts>(&[s0.clone(), s0.clone()], &root.join("m2"), |_| {}).unwrap_err().to_string();
    assert!(e.contains("shard 0 twice"), "{e}");
    let e = merge::<Counts>(&[s0.clone(), other], &root.join("m3"), |_| {}).unwrap_err().to_string();
    assert!(e.contains("\"seed\"") && e.contains("not shards of one run"), "{e}");
    assert!(!root.join("m1").exists() && !root.join("m1.incomplete").exists());

    /// Statistics of another kind: merge reads the kind before anything else.
    #[derive(Serialize, Deserialize)]
    struct Other;
    impl Study for Other {
        const KIND: &'static str = "other";
        fn merge(&mut self, _: Other) -> Result<(), String> {
            Ok(())
        }
        fn aggregates(&self) -> serde_json::Value {
            serde_json::Value::Null
        }
        fn report(&self, _: &ReportInfo) -> String {
            String::new()
        }
        fn title(&self, _: &ReportInfo) -> String {
            String::new()
        }
    }
    let e = merge::<Other>(&[s0.clone(), s1.clone()], &root.join("m5"), |_| {}).unwrap_err().to_string();
    assert!(e.contains("field \"kind\": expected \"other\", found \"squares\""), "{e}");
    // The output must be new or empty.
    let e = merge::<Counts>(&[s0, s1.clone()], &s1, |_| {}).unwrap_err().to_string();
    assert!(e.contains("exists and is not empty"), "{e}");
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn a_failed_run_leaves_nothing_behind() {
    let root = tempdir("failed");
    let out = root.join("out");
    {
        let dir = bc_report::rundir::RunDir::create(&out, Manifest::start("run", 10, Shard::ALL)).unwrap();
        let mut rec = dir.records(vec![bc_report::records::Column::new("x", bc_report::records::ColumnType::Int)]).unwrap();
        rec.write(&[bc_report::records::Cell::Int(1)]).unwrap();
        assert!(bc_report::rundir::incomplete_path(&out).exists());
        // Dropped without finish: the run failed.
    }
    assert!(!out.exists() && !bc_report::rundir::incomplete_path(&out).exists());
    std::fs::remove_dir_all(root).unwrap();
}
