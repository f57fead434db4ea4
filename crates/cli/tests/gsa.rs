//! `backchannel sensitivity` and `backchannel discover` end to end: the same numbers whatever
//! `--threads`, a dominant parameter's ST away from 0 and an inert one's interval holding 0, a
//! PRIM box on the driving parameter, run directories (`--out`) whose shards merge into the
//! unsharded directory byte for byte, `--dry-run`, and bad flags refused with exit code 2, the
//! settings the libraries refuse said with their flags.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn data(p: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data").join(p).display().to_string()
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_backchannel")).args(args).output().unwrap()
}

fn json(args: &[&str]) -> Value {
    let o = run(args);
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

/// Asserts exit code 2 with every `needle` in the message.
fn refused(args: &[&str], needles: &[&str]) {
    let o = run(args);
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {e}");
    for n in needles {
        assert!(e.contains(n), "expected {n:?} in: {e}");
    }
}

fn two_params() -> String {
    data("diplomacy/gsa_two_params.toml")
}

fn input<'a>(r: &'a Value, path: &str) -> &'a Value {
    r["inputs"].as_array().unwrap().iter().find(|i| i["path"] == path).unwrap_or_else(|| panic!("no {path} in {r}"))
}

#[test]
fn sobol_separates_the_driver_from_the_inert_parameter_whatever_the_threads() {
    let s = two_params();
    let args = |t: &'static str| {
        vec!["sensitivity", s.as_str(), "--method", "sobol", "--samples", "256", "--seed", "3", "--json", "-q", "--threads", t]
    };
    let one = json(&args("1"));
    let two = json(&args("2"));
    let three = json(&args("3"));
    assert_eq!(one, two);
    assert_eq!(one, three);
    assert_eq!(one["runs"], 256 * 4);
    let driver = input(&one, "parties.zimbabwe.capacity");
    let inert = input(&one, "mediator.leak_jump");
    let (st, conf) = (driver["st"][0].as_f64().unwrap(), driver["st"][1].as_f64().unwrap());
    assert!(st - conf > 0.0, "the driver's ST interval excludes 0: {driver}");
    let (st, conf) = (inert["st"][0].as_f64().unwrap(), inert["st"][1].as_f64().unwrap());
    assert!(st - conf <= 0.0 && 0.0 <= st + conf, "the inert ST interval holds 0: {inert}");
    assert_eq!(one["inputs"][0]["path"], "parties.zimbabwe.capacity", "ranked by ST");
    assert_eq!(driver["label"], "zimbabwe's delivery capacity");
}

#[test]
fn morris_screens_and_is_thread_independent() {
    let s = two_params();
    let args = |t: &'static str| vec!["sensitivity", s.as_str(), "--method", "morris", "--samples", "30", "--json", "-q", "--threads", t];
    let one = json(&args("1"));
    assert_eq!(one, json(&args("2")));
    assert_eq!(one["runs"], 30 * 3);
    assert!(input(&one, "parties.zimbabwe.capacity")["mu_star"][0].as_f64().unwrap() > 0.05);
    assert_eq!(input(&one, "mediator.leak_jump")["mu_star"][0].as_f64().unwrap(), 0.0);
}

#[test]
fn discover_finds_a_box_on_the_driving_parameter() {
    let s = two_params();
    let args =
        |t: &'static str| vec!["discover", s.as_str(), "--target", "comprehensive", "--runs", "2000", "--json", "-q", "--threads", t];
    let one = json(&args("1"));
    assert_eq!(one, json(&args("2")));
    let first = &one["boxes"][0];
    assert_eq!(first["accepted"], true, "{first}");
    assert!(first["density"].as_f64().unwrap() >= 0.8);
    let r = first["restrictions"].as_array().unwrap();
    let cap = r.iter().find(|x| x["path"] == "parties.zimbabwe.capacity").expect("a limit on the driver");
    // More capacity, more comprehensive deals: the box is bounded below, in the parameter's units.
    let above = cap["above"].as_f64().unwrap();
    assert!((0.2..0.95).contains(&above), "{cap}");
    assert!(first["trajectory"].as_array().unwrap().len() > 1);
    let text = run(&["discover", s.as_str(), "--target", "comprehensive", "--runs", "2000", "-q"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("likelier than overall when zimbabwe's delivery capacity >"), "{text}");
}

#[test]
fn dry_run_counts_the_runs_quickly() {
    let start = std::time::Instant::now();
    let o = run(&["sensitivity", &two_params(), "--method", "sobol", "--samples", "1024", "--dry-run"]);
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("4096 runs (2 uncertain parameters)"));
    assert!(start.elapsed().as_secs_f64() < 5.0);
}

#[test]
fn bad_flags_are_refused() {
    let s = two_params();
    refused(&["sensitivity", &s, "--method", "sobol", "--indicator", "bogus"], &["--indicator", "agenda_share", "breakdown", "bogus"]);
    refused(&["sensitivity", &s, "--method", "sobol", "--samples", "0"], &["--samples", "found 0"]);
    refused(&["sensitivity", &s, "--method", "morris", "--samples", "0"], &["--samples", "found 0"]);
    refused(&["sensitivity", &s, "--method", "sobol", "--samples", "1000"], &["--samples", "power of two"]);
    refused(&["sensitivity", &s, "--method", "anova"], &["sobol", "morris"]);
    refused(&["sensitivity", &s, "--method", "sobol", "--samples", "1048576"], &["limit gsa-runs", "--limit gsa-runs=N"]);
    refused(&["discover", &s, "--target", "bogus"], &["--target", "breakdown", "comprehensive", "collapse", "drift", "bogus"]);
    refused(&["discover", &s, "--target", "breakdown", "--runs", "0"], &["--runs", "found 0"]);
    refused(&["discover", &s, "--target", "breakdown", "--runs", "2000001"], &["limit gsa-runs"]);
    refused(&["discover", &s, "--target", "comprehensive", "--threshold", "1.5"], &["--threshold", "1.5"]);
    refused(&["discover", &s, "--target", "collapse", "--runs", "50"], &["collapse", "PRIM needs"]);
}

/// The libraries name the setting they refuse (`indicator: …`); the binary says it with the
/// flag, exactly as the message starts (crates/cli/src/flags.rs).
#[test]
fn refused_settings_are_said_with_their_flags() {
    let s = two_params();
    let starts = |args: &[&str], prefix: &str| {
        let o = run(args);
        let e = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.code() == Some(2) && e.starts_with(prefix), "{args:?}: expected {prefix:?}…, found {e}");
    };
    starts(&["sensitivity", &s, "--method", "sobol", "--indicator", "bogus"], "error: --indicator: expected one of at_least_one_step, ");
    starts(&["sensitivity", &s, "--method", "sobol", "--samples", "1000"], "error: --samples: expected a power of two");
    starts(&["sensitivity", &s, "--method", "sobol", "--samples", "1048576"], "error: --samples: expected at most ");
    starts(&["discover", &s, "--target", "bogus"], "error: --target: expected one of ");
    starts(&["discover", &s, "--target", "collapse", "--runs", "50"], "error: --target collapse: 0 of the 50 runs hit it");
    let root = tempdir("said-with-flags");
    let out = root.join("d").display().to_string();
    starts(
        &["discover", &s, "--target", "collapse", "--runs", "50", "-q", "--out", &out],
        "error: --target collapse: 0 of the 50 runs hit it",
    );
    starts(
        &["sensitivity", &s, "--method", "morris", "--samples", "4", "--out", "/"],
        "error: --out: expected a directory name, found \"/\"",
    );
    starts(&["sweep", &s, "--grid", "x"], "error: --grid: expected key=v1,v2,...");
    starts(&["sweep", &s, "--grid", "a=1,x"], "error: --grid a: expected numbers separated by commas, found \"x\"");
    starts(&["sweep", &s, "--lhs", "5", "a=1..0"], "error: --lhs a: expected finite lo < hi, found 1..0");
    std::fs::remove_dir_all(root).unwrap();
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("bc-cli-gsa-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

const FILES: [&str; 6] = ["records.csv", "records.parquet", "events.jsonl", "stats.json", "aggregates.json", "report.html"];

/// Runs `args` with `--out` into `root/whole` and as three shards merged into `root/merged`,
/// checks the two directories are byte-identical, and returns the whole run's `--json`.
fn whole_and_merged(root: &Path, args: &[&str]) -> Value {
    let whole = root.join("whole").display().to_string();
    let mut a = args.to_vec();
    a.extend(["--json", "-q", "--out", &whole]);
    let printed = json(&a);
    let mut shards = Vec::new();
    for i in 0..3 {
        let d = root.join(format!("s{i}")).display().to_string();
        let shard = format!("{i}/3");
        let mut a = args.to_vec();
        a.extend(["-q", "--threads", "1", "--shard", &shard, "--out", &d]);
        let o = run(&a);
        assert!(o.status.success(), "{a:?}: {}", String::from_utf8_lossy(&o.stderr));
        shards.push(d);
    }
    let merged = root.join("merged").display().to_string();
    let o = run(&["merge", &shards[1], &shards[2], &shards[0], "--out", &merged]);
    assert!(o.status.success(), "merge: {}", String::from_utf8_lossy(&o.stderr));
    for f in FILES {
        assert!(std::fs::read(root.join("whole").join(f)).unwrap() == std::fs::read(root.join("merged").join(f)).unwrap(), "{f} differs");
    }
    // aggregates.json is what --json prints.
    let agg: Value = serde_json::from_slice(&std::fs::read(root.join("whole/aggregates.json")).unwrap()).unwrap();
    assert_eq!(agg, printed);
    printed
}

#[test]
fn sensitivity_run_directories_shard_and_merge() {
    let s = two_params();
    for (method, samples, runs) in [("sobol", "64", 64 * 4), ("morris", "12", 12 * 3)] {
        let root = tempdir(&format!("sens-{method}"));
        let printed = whole_and_merged(&root, &["sensitivity", &s, "--method", method, "--samples", samples, "--seed", "5"]);
        // The same indices as without --out.
        let plain = json(&["sensitivity", &s, "--method", method, "--samples", samples, "--seed", "5", "--json", "-q"]);
        assert_eq!(printed, plain);
        let whole = root.join("whole");
        let m: Value = serde_json::from_slice(&std::fs::read(whole.join("run.json")).unwrap()).unwrap();
        assert_eq!(m["kind"], "sensitivity");
        assert_eq!(m["records"], runs);
        assert_eq!(m["settings"]["method"], method);
        let csv = std::fs::read_to_string(whole.join("records.csv")).unwrap();
        assert_eq!(csv.lines().next().unwrap(), "run,group,q_parties_zimbabwe_capacity,q_mediator_leak_jump,agenda_share");
        assert_eq!(csv.lines().count(), runs + 1);
        // The outputs in the records are those the indices were computed from.
        let stats: Value = serde_json::from_slice(&std::fs::read(whole.join("stats.json")).unwrap()).unwrap();
        let last: Vec<f64> = csv.lines().skip(1).map(|l| l.rsplit(',').next().unwrap().parse().unwrap()).collect();
        let outputs: Vec<f64> = stats["outputs"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
        assert_eq!(last, outputs);
        let page = std::fs::read_to_string(whole.join("report.html")).unwrap();
        assert!(page.contains(if method == "sobol" { "id=\"chart-sobol\"" } else { "id=\"chart-morris\"" }));
        assert!(page.contains("zimbabwe&apos;s delivery capacity") || page.contains("zimbabwe&#39;s delivery capacity"));
        std::fs::remove_dir_all(root).unwrap();
    }
}

#[test]
fn discover_run_directories_shard_and_merge() {
    let s = two_params();
    let root = tempdir("discover");
    let printed = whole_and_merged(&root, &["discover", &s, "--target", "comprehensive", "--runs", "1500"]);
    assert_eq!(printed["boxes"][0]["accepted"], true);
    let page = std::fs::read_to_string(root.join("whole/report.html")).unwrap();
    assert!(page.contains("id=\"chart-trajectory-1\"") && page.contains("id=\"chart-box-1\""));
    let m: Value = serde_json::from_slice(&std::fs::read(root.join("whole/run.json")).unwrap()).unwrap();
    assert_eq!((m["kind"].as_str(), m["records"].as_u64()), (Some("discover"), Some(1500)));
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn run_directory_flags_are_checked() {
    let s = two_params();
    let root = tempdir("flags");
    let never = root.join("never").display().to_string();
    // --dry-run estimates this invocation's share and writes nothing.
    let o = run(&["sensitivity", &s, "--method", "morris", "--samples", "40", "--dry-run", "--shard", "1/4", "--out", &never]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.starts_with("120 runs (2 uncertain parameters)")
            && text.contains("10 trajectories (shard 1/4 of 40 trajectories)")
            && text.contains("records.csv about"),
        "{text}"
    );
    let o = run(&["discover", &s, "--target", "comprehensive", "--dry-run", "--out", &never]);
    assert!(o.status.success() && String::from_utf8_lossy(&o.stdout).contains("5,000 runs"), "{}", String::from_utf8_lossy(&o.stdout));
    assert!(!root.join("never").exists());
    refused(&["sensitivity", &s, "--method", "sobol", "--shard", "0/2"], &["--shard 0/2", "--out"]);
    refused(&["discover", &s, "--target", "comprehensive", "--shard", "0/2"], &["--shard 0/2", "--out"]);
    refused(&["sensitivity", &s, "--method", "morris", "--shard", "0/x", "--out", &never], &["--shard"]);
    // An existing run directory is never written over; a failed study leaves nothing.
    let full = root.join("full");
    std::fs::create_dir_all(&full).unwrap();
    std::fs::write(full.join("keep"), b"x").unwrap();
    refused(
        &["sensitivity", &s, "--method", "morris", "--samples", "4", "-q", "--out", &full.display().to_string()],
        &["exists and is not empty"],
    );
    assert_eq!(std::fs::read(full.join("keep")).unwrap(), b"x");
    let failed = root.join("failed").display().to_string();
    refused(&["discover", &s, "--target", "collapse", "--runs", "50", "-q", "--out", &failed], &["collapse", "PRIM needs"]);
    assert!(!root.join("failed").exists() && !root.join("failed.incomplete").exists());
    std::fs::remove_dir_all(root).unwrap();
}
