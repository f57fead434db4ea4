//! `backchannel run --out`: the default run writes a complete run directory with a report a
//! person can read; four shards merged equal the unsharded run byte for byte; the files do not
//! depend on the thread count; `--dry-run` writes nothing. The report is rendered in headless
//! Chromium when it is installed (required in CI through `BC_REQUIRE_BROWSER`).

#[path = "../../studies/tests/common/chromium.rs"]
mod chromium;

use std::path::{Path, PathBuf};
use std::process::Command;

const FILES: [&str; 6] = ["records.csv", "records.parquet", "events.jsonl", "stats.json", "aggregates.json", "report.html"];

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_backchannel"))
}

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("bc-cli-run-out-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run(args: &[&str]) -> String {
    let out = bin().args(args).output().unwrap();
    assert!(out.status.success(), "backchannel {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn same_files(a: &Path, b: &Path) {
    for f in FILES {
        let x = std::fs::read(a.join(f)).unwrap_or_else(|e| panic!("{}: {e}", a.join(f).display()));
        let y = std::fs::read(b.join(f)).unwrap_or_else(|e| panic!("{}: {e}", b.join(f).display()));
        assert!(x == y, "{f} differs between {} and {}", a.display(), b.display());
    }
}

#[test]
fn default_run_writes_a_readable_report() {
    let root = tempdir("default");
    let out = root.join("forecast");
    let text = run(&["run", "--out", out.to_str().unwrap(), "--quiet"]);
    assert!(text.contains("backchannel forecast"), "the terminal summary is still printed");
    for f in FILES.iter().chain(&["run.json"]) {
        assert!(std::fs::metadata(out.join(f)).unwrap().len() > 0, "{f} is empty");
    }
    let manifest: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(manifest["kind"], "run");
    assert_eq!(manifest["jobs"], 10_000);
    assert_eq!(manifest["records"], 10_000);
    assert_eq!(manifest["scenario"]["sha256"].as_str().unwrap().len(), 64);
    // The aggregates agree with the terminal's --json on every proportion (same runs, same formulas).
    let json: serde_json::Value = serde_json::from_str(&run(&["run", "--json", "--quiet"])).unwrap();
    let agg: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("aggregates.json")).unwrap()).unwrap();
    for class in ["comprehensive", "partial", "breakdown_after_progress", "collapse", "drift"] {
        assert!(json["outcomes"][class]["estimate"].is_f64(), "{class}");
        assert_eq!(agg["outcomes"][class]["estimate"], json["outcomes"][class]["estimate"], "{class}");
        assert_eq!(agg["outcomes"][class]["lo"], json["outcomes"][class]["lo"], "{class}");
    }
    for indicator in ["at_least_one_step", "agenda_share", "comprehensive", "breakdown", "reversed"] {
        assert!(json["headline"][indicator]["estimate"].is_f64(), "{indicator}");
        assert_eq!(agg["headline"][indicator], json["headline"][indicator], "{indicator}");
    }
    assert_eq!(agg["first_step_round"]["median"], json["first_step_round"]["median"]);
    assert_eq!(agg["counterfactuals"].as_array().unwrap().len(), json["counterfactuals"].as_array().unwrap().len());
    for (a, b) in agg["counterfactuals"].as_array().unwrap().iter().zip(json["counterfactuals"].as_array().unwrap()) {
        assert_eq!(a["difference"]["at_least_one_step"]["estimate"], b["difference"]["at_least_one_step"]["estimate"], "{}", a["name"]);
        assert_eq!(a["transitions"], b["transitions"], "{}", a["name"]);
    }
    // One aggregate behind both: every key of --json has the same value in aggregates.json, to
    // the last digit (the aggregates add only the mean final visibility and the trust fan).
    for (key, value) in json.as_object().unwrap() {
        assert_eq!(&agg[key], value, "{key}");
    }
    let extra: Vec<&String> = agg.as_object().unwrap().keys().filter(|k| json.get(k.as_str()).is_none()).collect();
    assert_eq!(extra, ["mean_final_visibility", "trust_fan"]);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("The most likely result is"));
    assert!(
        html.contains("Monte Carlo error only")
            && html.contains("not Fearon's audience cost")
            && html.contains("upper bound (truthful reports)")
    );
    // The records carry the headline indicators and one utility column per party.
    let csv = std::fs::read_to_string(out.join("records.csv")).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    for col in ["run", "outcome", "at_least_one_step", "agenda_share", "utility_us", "utility_iran", "cf_direct"] {
        assert!(header.contains(&col), "records.csv lacks {col}: {header:?}");
    }
    assert_eq!(csv.lines().count(), 10_001);
    assert!(html.contains("Illustrative numbers"));
    // The SVG namespace is a name, not a download; nothing else may point outside the file.
    let outside = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    assert!(!outside.contains("http://") && !outside.contains("https://") && !outside.contains("<script"), "self-contained, no network");
    for id in ["chart-headline", "chart-outcomes", "chart-first-step", "chart-trust-0", "chart-counterfactuals", "chart-sensitivity"] {
        assert!(html.contains(&format!("id=\"{id}\"")), "{id}");
    }
    browser_check(&out.join("report.html"), &root);
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn four_shards_merged_equal_the_unsharded_run() {
    let root = tempdir("shards");
    let whole = root.join("whole");
    run(&["run", "--runs", "5000", "--seed", "3", "--threads", "2", "--quiet", "--out", whole.to_str().unwrap()]);
    let mut shards = Vec::new();
    for i in 0..4 {
        let d = root.join(format!("shard{i}"));
        run(&[
            "run",
            "--runs",
            "5000",
            "--seed",
            "3",
            "--threads",
            "1",
            "--quiet",
            "--shard",
            &format!("{i}/4"),
            "--out",
            d.to_str().unwrap(),
        ]);
        shards.push(d);
    }
    let merged = root.join("merged");
    let mut args = vec!["merge".to_string()];
    args.extend(shards.iter().rev().map(|d| d.display().to_string()));
    args.extend(["--out".into(), merged.display().to_string()]);
    let text = run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(text.contains("merged 4 shards"), "{text}");
    same_files(&whole, &merged);
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn files_do_not_depend_on_the_thread_count() {
    let root = tempdir("threads");
    let (a, b) = (root.join("t1"), root.join("t2"));
    run(&["run", "--runs", "1500", "--seed", "9", "--threads", "1", "--quiet", "--out", a.to_str().unwrap()]);
    run(&["run", "--runs", "1500", "--seed", "9", "--threads", "2", "--quiet", "--out", b.to_str().unwrap()]);
    same_files(&a, &b);
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn dry_run_estimates_and_writes_nothing() {
    let root = tempdir("dry");
    let out = root.join("never");
    let text = run(&["run", "--runs", "1000000", "--shard", "1/4", "--dry-run", "--out", out.to_str().unwrap()]);
    assert!(text.contains("250,000 runs (shard 1/4 of 1,000,000 runs)"), "{text}");
    assert!(text.contains("records.parquet about"), "{text}");
    assert!(!out.exists());
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn bad_flags_get_clear_errors() {
    let out = bin().args(["run", "--shard", "4/4"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("0 <= i < N"));
    let out = bin().args(["run", "--runs", "10", "--shard", "0/2"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--out"), "{}", String::from_utf8_lossy(&out.stderr));
    let out = bin().args(["merge", "/nonexistent/a", "--out", "/nonexistent/b"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("run.json"));
}

/// Renders the report in headless Chromium and checks that every chart is drawn; skips only
/// when Chromium is missing and `BC_REQUIRE_BROWSER` is unset.
fn browser_check(page: &Path, root: &Path) {
    let Some(browser) = chromium::browser_or_skip() else { return };
    let dom = chromium::headless(&browser, page, &["--dump-dom"], &root.join("profile"));
    assert!(dom.contains("What is likely to happen"));
    let figures = dom.matches("<figure class=\"chart\"").count();
    assert!(figures >= 6, "only {figures} charts rendered");
    for fig in dom.split("<figure class=\"chart\"").skip(1) {
        let fig = &fig[..fig.find("</figure>").unwrap()];
        assert!(fig.contains("<svg"), "a chart without its svg");
        let marks = ["<rect", "<polyline", "<polygon", "<circle", "<line"].iter().map(|m| fig.matches(m).count()).sum::<usize>();
        assert!(marks > 5, "a chart with only {marks} marks");
    }
}
