//! `backchannel sensitivity` and `backchannel discover` end to end: the same numbers whatever
//! `--threads`, a dominant parameter's ST away from 0 and an inert one's interval holding 0, a
//! PRIM box on the driving parameter, `--dry-run`, and bad flags refused with exit code 2.

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
    let args = |t: &'static str| vec!["sensitivity", s.as_str(), "--method", "sobol", "--samples", "256", "--seed", "3", "--json", "-q", "--threads", t];
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
    let args = |t: &'static str| vec!["discover", s.as_str(), "--target", "comprehensive", "--runs", "2000", "--json", "-q", "--threads", t];
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
