//! Run directories of the long commands: shards merged equal the unsharded run byte for byte,
//! and `--dry-run` estimates without writing.

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
    files.extend(["results.csv", "results.jsonl"]);
    same(Path::new(&whole), Path::new(&m), &files);
    let real = root.join("real").display().to_string();
    let summary: serde_json::Value = serde_json::from_str(&ok(&["tournament", &a, "--agents", "boulware,conceder", "--repetitions", "10", "--quiet", "--json", "--out", &real])).unwrap();
    let dry = ok(&["tournament", &a, "--agents", "boulware,conceder", "--repetitions", "10", "--dry-run", "--out", &root.join("never").display().to_string()]);
    assert!(dry.contains(&format!("{} negotiations", summary["total_negotiations"])), "{dry}");
    assert!(!root.join("never").exists());
    // A run directory is never written over.
    fails(&["tournament", &a, "--agents", "boulware,conceder", "--quiet", "--out", &whole], "exists and is not empty");
    std::fs::remove_dir_all(root).unwrap();
}
