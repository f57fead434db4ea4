//! The audit "bounded by construction" end to end: no target path is destroyed (devices, FIFOs,
//! symbolic links, existing files without --force), no input or flag exhausts the machine
//! (refused with the limit named), and inputs that would give silently wrong results are refused.

use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_backchannel"))
}

fn data(p: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data").join(p).display().to_string()
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts exit code 2 with every `needle` in the message.
fn refused(o: &Output, needles: &[&str]) {
    let e = stderr(o);
    assert_eq!(o.status.code(), Some(2), "stderr: {e}");
    for n in needles {
        assert!(e.contains(n), "expected {n:?} in: {e}");
    }
}

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("bc-cli-bounded-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn mkfifo(p: &Path) -> bool {
    Command::new("mkfifo").arg(p).status().map(|s| s.success()).unwrap_or(false)
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

fn negotiate_trace(target: &str, extra: &[&str]) -> Output {
    let camera = data("genius/Camera");
    let mut args = vec!["negotiate", camera.as_str(), "--agents", "boulware,conceder", "--trace", target];
    args.extend_from_slice(extra);
    run(&args)
}

#[test]
fn trace_to_dev_full_is_refused_and_dev_full_stays_a_device() {
    let full = Path::new("/dev/full");
    if !std::fs::symlink_metadata(full).map(|m| m.file_type().is_char_device()).unwrap_or(false) {
        return;
    }
    for extra in [&[][..], &["--force"][..]] {
        let o = negotiate_trace("/dev/full", extra);
        refused(&o, &["--trace", "/dev/full", "found a character device", "left untouched"]);
        assert!(std::fs::symlink_metadata(full).unwrap().file_type().is_char_device());
    }
    let o = run(&["scenario", "export", "--out", "/dev/full", "--force"]);
    refused(&o, &["--out", "found a character device"]);
    assert!(std::fs::symlink_metadata(full).unwrap().file_type().is_char_device());
}

#[test]
fn fifo_symlink_and_existing_file_are_not_replaced() {
    let d = scratch("targets");
    let fifo = d.join("pipe");
    if mkfifo(&fifo) {
        refused(&negotiate_trace(&s(&fifo), &["--force"]), &["found a FIFO"]);
        refused(&run(&["scenario", "export", "--out", &s(&fifo), "--force"]), &["found a FIFO"]);
        assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    }
    let real = d.join("real.txt");
    std::fs::write(&real, "kept").unwrap();
    let link = d.join("link.jsonl");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    refused(&negotiate_trace(&s(&link), &["--force"]), &["found a symbolic link"]);
    refused(&run(&["scenario", "export", "--out", &s(&link), "--force"]), &["found a symbolic link"]);
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert_eq!(std::fs::read_to_string(&real).unwrap(), "kept");

    // An existing regular file: refused without --force, replaced with it.
    let old = d.join("old.jsonl");
    std::fs::write(&old, "old").unwrap();
    refused(&negotiate_trace(&s(&old), &[]), &["exists", "--force"]);
    assert_eq!(std::fs::read_to_string(&old).unwrap(), "old");
    let o = negotiate_trace(&s(&old), &["--force"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(std::fs::read_to_string(&old).unwrap().starts_with("{\"step\":0"));
    let toml = d.join("s.toml");
    assert!(run(&["scenario", "export", "--out", &s(&toml)]).status.success());
    refused(&run(&["scenario", "export", "--out", &s(&toml)]), &["exists", "--force"]);
    assert!(run(&["scenario", "export", "--out", &s(&toml), "--force"]).status.success());
    // Nothing but the targets is left behind (no temporary files).
    let mut names: Vec<String> = std::fs::read_dir(&d).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names.retain(|n| n != "pipe");
    assert_eq!(names, ["link.jsonl", "old.jsonl", "real.txt", "s.toml"]);
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn convert_lands_every_file_or_none() {
    let d = scratch("convert");
    let out = d.join("out");
    let camera = data("genius/Camera");
    let o = run(&["convert", &camera, "--to", "genius", "--out", &s(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut first: Vec<String> = std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    first.sort();
    assert!(first.len() >= 3, "{first:?}");
    // Again without --force: refused, nothing changed.
    let before: Vec<Vec<u8>> = first.iter().map(|n| std::fs::read(out.join(n)).unwrap()).collect();
    refused(&run(&["convert", &camera, "--to", "genius", "--out", &s(&out)]), &["exists", "--force"]);
    // One target that cannot be written (a directory named like a profile): no file lands.
    let out2 = d.join("out2");
    std::fs::create_dir_all(out2.join(&first[first.len() - 1])).unwrap();
    refused(&run(&["convert", &camera, "--to", "genius", "--out", &s(&out2), "--force"]), &["found a directory"]);
    let left: Vec<_> = std::fs::read_dir(&out2).unwrap().collect();
    assert_eq!(left.len(), 1, "only the directory stays");
    let o = run(&["convert", &camera, "--to", "genius", "--out", &s(&out), "--force"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let after: Vec<Vec<u8>> = first.iter().map(|n| std::fs::read(out.join(n)).unwrap()).collect();
    assert_eq!(before, after);
    let mut again: Vec<String> = std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    again.sort();
    assert_eq!(again, first, "no temporary file is left");
    std::fs::remove_dir_all(&d).unwrap();
}

fn row(index: u64, u: [f64; 2]) -> String {
    format!(
        "{{\"index\":{index},\"jobs\":6,\"domain\":\"d\",\"agents\":[\"a\",\"b\"],\"agreement\":null,\"utilities\":[{},{}],\"advantages\":[0.0,0.0],\"welfare\":1.0,\"pareto_distance\":0.0,\"nash_distance\":0.0}}\n",
        u[0], u[1]
    )
}

#[test]
fn rescore_refuses_repeated_missing_and_empty_shards_and_keeps_scores() {
    let d = scratch("rescore");
    let shard = |k: u64| {
        let p = d.join(format!("s{k}.jsonl"));
        std::fs::write(&p, row(2 * k, [0.5, 0.25]) + &row(2 * k + 1, [0.75, 0.5])).unwrap();
        s(&p)
    };
    let (s0, s1, s2) = (shard(0), shard(1), shard(2));
    let out = s(&d.join("scores"));
    let o = run(&["tournament", "--rescore", &s0, &s1, &s2, "--out", &out]);
    assert!(o.status.success(), "{}", stderr(&o));
    let scores = std::fs::read_to_string(d.join("scores/scores.csv")).unwrap();
    // The audit's case: a shard given twice.
    refused(&run(&["tournament", "--rescore", &s0, &s0, &s1, &s2, "--out", &s(&d.join("x"))]), &["job 0 again", "s0.jsonl:1"]);
    // A shard left out.
    refused(&run(&["tournament", "--rescore", &s0, &s2, "--out", &s(&d.join("x"))]), &["jobs 2..4 are missing"]);
    // The last shard left out: the rows record the tournament's 6 jobs.
    refused(&run(&["tournament", "--rescore", &s0, &s1, "--out", &s(&d.join("x"))]), &["s1.jsonl", "jobs 4..6 are missing", "\"jobs\": 6"]);
    // Rows that do not record it, or disagree on it.
    let old = d.join("old.jsonl");
    std::fs::write(&old, row(0, [0.5, 0.25]).replace("\"jobs\":6,", "")).unwrap();
    refused(&run(&["tournament", "--rescore", &s(&old), "--out", &s(&d.join("x"))]), &["old.jsonl:1", "field \"jobs\""]);
    let other = d.join("other.jsonl");
    std::fs::write(&other, row(4, [0.5, 0.25]).replace("\"jobs\":6,", "\"jobs\":7,")).unwrap();
    refused(
        &run(&["tournament", "--rescore", &s0, &s1, &s(&other), "--out", &s(&d.join("x"))]),
        &["other.jsonl:1", "expected 6", "found 7"],
    );
    // An empty file.
    let empty = d.join("empty.jsonl");
    std::fs::write(&empty, "").unwrap();
    refused(&run(&["tournament", "--rescore", &s0, &s(&empty), "--out", &s(&d.join("x"))]), &["empty.jsonl", "found none"]);
    // A missing file, a FIFO and a device.
    refused(&run(&["tournament", "--rescore", &s(&d.join("nope.jsonl")), "--out", &s(&d.join("x"))]), &["nope.jsonl"]);
    refused(&run(&["tournament", "--rescore", "/dev/zero", "--out", &s(&d.join("x"))]), &["/dev/zero", "found a character device"]);
    let fifo = d.join("pipe");
    if mkfifo(&fifo) {
        refused(&run(&["tournament", "--rescore", &s(&fifo), "--out", &s(&d.join("x"))]), &["found a FIFO"]);
    }
    // A finished run's scores.csv is not overwritten without --force.
    std::fs::write(d.join("scores/scores.csv"), "kept").unwrap();
    refused(&run(&["tournament", "--rescore", &s0, &s1, &s2, "--out", &out]), &["scores.csv", "exists", "--force"]);
    assert_eq!(std::fs::read_to_string(d.join("scores/scores.csv")).unwrap(), "kept");
    assert!(run(&["tournament", "--rescore", &s0, &s1, &s2, "--out", &out, "--force"]).status.success());
    assert_eq!(std::fs::read_to_string(d.join("scores/scores.csv")).unwrap(), scores);
    assert!(!d.join("x").exists(), "nothing is written by a refused rescore");
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn agent_listing_needs_no_domain() {
    let o = run(&["negotiate", "--agents", "list"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("boulware"));
    refused(&run(&["negotiate", "--agents", "boulware,conceder"]), &["expected a domain folder"]);
}

#[test]
fn unknown_limit_is_refused_with_the_list() {
    refused(&run(&["--limit", "bogus=1", "scenario", "schema"]), &["--limit", "input-bytes", "\"bogus\""]);
    refused(&run(&["scenario", "schema", "--limit", "turns=x"]), &["--limit turns", "whole number"]);
}

#[test]
fn threads_are_bounded_without_a_panic() {
    let camera = data("genius/Camera");
    for args in [
        &["run", "--runs", "10", "--threads", "1000000000"][..],
        &["run", "--runs", "10", "--threads", "10000"][..],
        &["sweep", "--grid", "mediator.leak=0,0.1", "--runs", "2", "--threads", "1000000000"][..],
        &["tournament", camera.as_str(), "--agents", "boulware,conceder", "--threads", "10000", "--dry-run"][..],
    ] {
        refused(&run(args), &["--threads: expected at most", "found 1", "--force"]);
    }
    // --force allows more, up to a fixed ceiling.
    refused(&run(&["run", "--runs", "10", "--threads", "1000000000", "--force"]), &["--threads: expected at most 1024"]);
}

#[test]
fn merge_refuses_shards_run_with_different_settings() {
    let d = scratch("merge-settings");
    let camera = data("genius/Camera");
    let shard = |k: &str, extra: &[&str]| {
        let out = s(&d.join(k.replace('/', "-")));
        let mut args = vec![
            "tournament",
            camera.as_str(),
            "--agents",
            "boulware,conceder",
            "--steps",
            "20",
            "--shard",
            k,
            "--quiet",
            "--out",
            out.as_str(),
        ];
        args.extend_from_slice(extra);
        let o = run(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        out
    };
    let a = shard("0/2", &[]);
    let b = shard("1/2", &["--semantics", "negmas"]);
    let run_json = std::fs::read_to_string(Path::new(&a).join("run.json")).unwrap();
    assert!(run_json.contains("\"semantics\": \"genius\"") && run_json.contains("\"ignore_discount\": \"false\""), "{run_json}");
    refused(&run(&["merge", &a, &b, "--out", &s(&d.join("merged"))]), &["settings.semantics", "\"genius\"", "\"negmas\""]);
    std::fs::remove_dir_all(Path::new(&b)).unwrap();
    let b = shard("1/2", &["--ignore-discount"]);
    refused(&run(&["merge", &a, &b, "--out", &s(&d.join("merged"))]), &["settings.ignore_discount"]);
    std::fs::remove_dir_all(Path::new(&b)).unwrap();
    let b = shard("1/2", &[]);
    let o = run(&["merge", &a, &b, "--out", &s(&d.join("merged"))]);
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::remove_dir_all(&d).unwrap();
}

/// Runs `args`, failing the test (not hanging it) if the command is still running after a
/// generous minute: a FIFO given as input must be refused, not waited on.
fn run_or_kill(args: &[&str]) -> Output {
    let mut child = bin().args(args).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().unwrap();
    for _ in 0..600 {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _ = child.kill();
    panic!("backchannel {args:?} still running after 60 s");
}

#[test]
fn devices_and_fifos_are_refused_as_inputs() {
    refused(&run(&["scenario", "validate", "/dev/zero"]), &["/dev/zero", "expected a regular file", "found a character device"]);
    refused(&run(&["stakeholders", "/dev/zero"]), &["found a character device"]);
    let d = scratch("fifo-inputs");
    let (toml, xml) = (d.join("s.toml"), d.join("k.xml"));
    if mkfifo(&toml) && mkfifo(&xml) {
        refused(&run_or_kill(&["run", &s(&toml), "--runs", "2"]), &["found a FIFO"]);
        refused(&run_or_kill(&["scenario", "validate", &s(&toml)]), &["found a FIFO"]);
        refused(&run_or_kill(&["stakeholders", &s(&xml)]), &["found a FIFO"]);
        let camera = data("genius/Camera/camera_domain.xml");
        refused(&run_or_kill(&["analyze", &camera, &s(&xml)]), &["found a FIFO"]);
    }
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn input_bytes_at_and_past_the_limit() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("../diplomacy/scenarios/us_iran_pakistan.toml");
    let len = std::fs::metadata(&file).unwrap().len();
    let at = format!("input-bytes={len}");
    let past = format!("input-bytes={}", len - 1);
    let o = run(&["--limit", &at, "scenario", "validate", &s(&file)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&["--limit", &past, "scenario", "validate", &s(&file)]);
    refused(&o, &["limit input-bytes", &format!("found {len}"), &format!("at most {}", len - 1), "--limit input-bytes=N"]);
}

#[test]
fn read_errors_say_what_is_wrong_once() {
    refused(&run(&["analyze", "/nonexist"]), &["/nonexist", "No such file"]);
    let e = stderr(&run(&["analyze", "/nonexist"]));
    assert!(!e.contains("profile files"), "{e}");
    let camera = data("genius/Camera");
    let buyer = data("genius/Camera/camera_buyer_utility.xml");
    let e = stderr(&run(&["analyze", &camera, &buyer]));
    assert!(e.contains("found a directory") && !e.contains("another kind of file"), "{e}");
    // The OS error is printed once.
    let d = scratch("os-once");
    let file = d.join("file");
    std::fs::write(&file, "x").unwrap();
    let o = run(&["tournament", &camera, "--agents", "boulware,conceder", "--quiet", "--out", &s(&file.join("t"))]);
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{e}");
    assert_eq!(e.matches("os error").count(), 1, "{e}");
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn genius_xml_must_be_utf8_unless_it_declares_latin1() {
    let d = scratch("latin1");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/genius/Camera");
    for f in ["camera_domain.xml", "camera_buyer_utility.xml", "camera_seller_utility.xml"] {
        std::fs::copy(src.join(f), d.join(f)).unwrap();
    }
    let domain = d.join("camera_domain.xml");
    let text = std::fs::read(&domain).unwrap();
    // A comment with a Latin-1 "é" (0xe9), after the first line.
    let cut = text.iter().position(|b| *b == b'\n').unwrap() + 1;
    let mut bad = text[..cut].to_vec();
    bad.extend_from_slice(b"<!-- caf\xe9 -->\n");
    bad.extend_from_slice(&text[cut..]);
    std::fs::write(&domain, &bad).unwrap();
    let declared = bad.starts_with(b"<?xml");
    refused(&run(&["analyze", &s(&d)]), &["camera_domain.xml:", "expected UTF-8 text", "0xe9"]);
    // With an XML declaration naming ISO-8859-1 the same bytes are read as Latin-1.
    let body = if declared { bad[cut..].to_vec() } else { bad.clone() };
    let mut latin = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n".to_vec();
    latin.extend_from_slice(&body);
    std::fs::write(&domain, &latin).unwrap();
    let o = run(&["analyze", &s(&d)]);
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn dry_runs_time_a_small_sample_whatever_the_flags() {
    // A point of 10^9 runs or a negotiation of 10^9 rounds is never run: the dry run times a
    // fixed sample and says by how much it scaled it.
    let o = run(&["sweep", "--grid", "mediator.leak=0,0.1", "--runs", "1000000000", "--dry-run"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("timed on 16 runs per point and scaled by 62500000"), "{text}");
    let camera = data("genius/Camera");
    let o = run(&["tournament", &camera, "--agents", "boulware,conceder", "--steps", "1000000000", "--dry-run"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("timed on negotiations of 1000 rounds and scaled by 1000000"), "{text}");
}

#[test]
fn sweep_design_sizes_at_and_past_their_limits() {
    refused(
        &run(&["sweep", "--lhs", "1000000000000", "mediator.leak=0..0.3", "--runs", "1"]),
        &["--lhs", "limit lhs-points", "found 1000000000000", "--limit lhs-points=N"],
    );
    // At the limit (lowered for the test) the design is accepted and costed.
    let o = run(&["--limit", "lhs-points=3", "sweep", "--lhs", "3", "mediator.leak=0..0.3", "--runs", "1", "--dry-run"]);
    assert!(o.status.success(), "{}", stderr(&o));
    refused(
        &run(&["--limit", "lhs-points=3", "sweep", "--lhs", "4", "mediator.leak=0..0.3", "--runs", "1", "--dry-run"]),
        &["limit lhs-points", "found 4"],
    );
    let o = run(&[
        "--limit",
        "grid-points=4",
        "sweep",
        "--grid",
        "mediator.leak=0,0.1",
        "--grid",
        "scenario.rounds=10,20",
        "--runs",
        "1",
        "--dry-run",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    refused(
        &run(&[
            "--limit",
            "grid-points=4",
            "sweep",
            "--grid",
            "mediator.leak=0,0.1,0.2",
            "--grid",
            "scenario.rounds=10,20",
            "--runs",
            "1",
            "--dry-run",
        ]),
        &["--grid", "limit grid-points", "found more than 4"],
    );
}

#[test]
fn sweep_sets_whole_numbers_on_integer_keys() {
    let o = run(&["sweep", "--grid", "scenario.rounds=10,20", "--runs", "2"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("scenario.rounds"));
}

#[test]
fn analyze_sample_at_and_past_the_limit() {
    let camera = data("genius/Camera");
    refused(
        &run(&["analyze", &camera, "--sample", "1000000000000"]),
        &["--sample", "limit sample", "found 1000000000000", "--limit sample=N"],
    );
    assert!(run(&["--limit", "sample=50", "analyze", &camera, "--sample", "50"]).status.success());
    refused(&run(&["--limit", "sample=50", "analyze", &camera, "--sample", "51"]), &["limit sample", "found 51"]);
}

#[test]
fn stakeholder_turns_at_and_past_the_limit() {
    refused(&run(&["stakeholders", "--model", "bdm", "--turns", "1000000"]), &["--turns", "limit turns", "found 1000000"]);
    for model in ["smp", "bdm"] {
        let o = run(&["--limit", "turns=3", "stakeholders", "--model", model, "--turns", "3"]);
        assert!(o.status.success(), "{}", stderr(&o));
        refused(&run(&["--limit", "turns=3", "stakeholders", "--model", model, "--turns", "4"]), &["limit turns", "found 4"]);
    }
}

#[test]
fn messages_name_what_is_wrong() {
    // --param names the unknown parameter, not its value.
    refused(&run(&["stakeholders", "--param", "Bogus=1"]), &["--param: expected a parameter name", "VotingRule", "found \"Bogus\""]);
    // An unknown protocol lists every protocol.
    let d = scratch("telepathy");
    let f = d.join("t.toml");
    assert!(run(&["scenario", "export", "--out", &s(&f)]).status.success());
    let text = std::fs::read_to_string(&f).unwrap();
    let bad: String = text
        .lines()
        .map(|l| if l.starts_with("protocol = ") { "protocol = \"telepathy\"".to_string() } else { l.to_string() })
        .collect::<Vec<_>>()
        .join("\n");
    assert_ne!(bad, text);
    std::fs::write(&f, bad).unwrap();
    refused(
        &run(&["scenario", "validate", &s(&f)]),
        &["mediator.protocol: expected one of \"relay\", \"single_text\", \"confidential\", found \"telepathy\""],
    );
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn packages_per_step_at_and_past_the_limit() {
    assert_eq!(bc_diplomacy::scenario::MAX_PACKAGES, bc_io::limits::PACKAGES_PER_STEP.default);
    let d = scratch("packages");
    let f = d.join("s.toml");
    assert!(run(&["scenario", "export", "--out", &s(&f)]).status.success());
    // The default scenario's largest step is its grand_bargain variant's one step of every
    // issue: 3 x 3 x 3 x 2 x 2 x 3 x 3 = 972 packages.
    let o = run(&["--limit", "packages-per-step=972", "scenario", "validate", &s(&f)]);
    assert!(o.status.success(), "{}", stderr(&o));
    refused(
        &run(&["--limit", "packages-per-step=971", "scenario", "validate", &s(&f)]),
        &["972 packages", "limit packages-per-step", "--limit packages-per-step=N"],
    );
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn ktab_dimension_names_must_differ() {
    let d = scratch("ktab-dims");
    let f = d.join("two.csv");
    let csv = |a: &str, b: &str| {
        format!("t,two dims,3,2\nActor,Description,Power,{a},Sal,{b},Sal\nx,X,10,10,50,20,50\ny,Y,20,60,50,70,50\nz,Z,30,90,50,40,50\n")
    };
    std::fs::write(&f, csv("Trade", "Security")).unwrap();
    let o = run(&["stakeholders", &s(&f)]);
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::write(&f, csv("Trade", "Trade")).unwrap();
    refused(&run(&["stakeholders", &s(&f)]), &["two.csv", "dimensions", "distinct dimension names", "\"Trade\" twice"]);
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn run_directory_out_refuses_a_file_or_a_link() {
    let d = scratch("rundir-out");
    let file = d.join("file");
    std::fs::write(&file, "kept").unwrap();
    refused(&run(&["run", "--runs", "2", "--quiet", "--out", &s(&file)]), &["found a file (left untouched)"]);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "kept");
    let target = d.join("target");
    std::fs::create_dir(&target).unwrap();
    let link = d.join("link");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    refused(&run(&["run", "--runs", "2", "--quiet", "--out", &s(&link)]), &["found a symbolic link (left untouched)"]);
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert_eq!(std::fs::read_dir(&target).unwrap().count(), 0);
    std::fs::remove_dir_all(&d).unwrap();
}

/// A GENIUS domain with a categorical issue and an integer issue `0..2*10^9`, and two profiles
/// with linear evaluators on it: both rising, or (with `opposed`) the second falling.
fn huge_integer_scenario(d: &Path, opposed: bool) -> Vec<String> {
    let domain = d.join("d.xml");
    std::fs::write(
        &domain,
        r#"<negotiation_template><utility_space number_of_issues="2"><objective index="0" name="root" type="objective">
<issue index="1" name="c" type="discrete"><item index="1" value="a"/><item index="2" value="b"/><item index="3" value="c"/></issue>
<issue index="2" name="n" type="integer" lowerbound="0" upperbound="2000000000"></issue>
</objective></utility_space></negotiation_template>"#,
    )
    .unwrap();
    let mut out = vec![s(&domain)];
    for (k, (evals, linear)) in [
        ([1.0, 0.5, 0.0], r#"offset="0" slope="5e-10""#),
        ([0.0, 0.5, 1.0], if opposed { r#"offset="1" slope="-1e-9""# } else { r#"offset="0" slope="1e-9""# }),
    ]
    .iter()
    .enumerate()
    {
        let p = d.join(format!("p{k}.xml"));
        std::fs::write(&p, format!(r#"<utility_space><objective index="0" name="root" type="objective">
<issue index="1" name="c" type="discrete"><item index="1" value="a" evaluation="{}"/><item index="2" value="b" evaluation="{}"/><item index="3" value="c" evaluation="{}"/></issue>
<issue index="2" name="n" type="integer" lowerbound="0" upperbound="2000000000"><evaluator ftype="linear" {linear}/></issue>
<weight index="1" value="0.6"/><weight index="2" value="0.4"/></objective></utility_space>"#, evals[0], evals[1], evals[2])).unwrap();
        out.push(s(&p));
    }
    out
}

/// Runs the binary with its address space limited to 1 GB (`ulimit -v`), timing it.
fn run_in_1gb(args: &[String]) -> (Output, f64) {
    let t = std::time::Instant::now();
    let o = Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 1048576 && exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_backchannel"))
        .args(args)
        .output()
        .unwrap();
    (o, t.elapsed().as_secs_f64())
}

#[test]
fn an_integer_issue_of_two_billion_values_analyses_in_1gb() {
    let d = scratch("huge-integer");
    let mut args = vec!["analyze".to_string()];
    args.extend(huge_integer_scenario(&d, false));
    args.extend(["--outcome".to_string(), "b|1000000000".to_string()]);
    let (o, secs) = run_in_1gb(&args);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(secs < 5.0, "{secs} s");
    assert!(out.contains("6000000003 outcomes") && out.contains("Pareto frontier: 3 outcomes"), "{out}");
    assert!(out.contains("b | 2000000000") && out.contains("utilities [0.5000  0.7000]"), "{out}");
    // Opposed on `n`: each of its 2*10^9 values could be on the frontier; refused, not listed.
    let mut args = vec!["analyze".to_string()];
    args.extend(huge_integer_scenario(&d, true));
    let (o, secs) = run_in_1gb(&args);
    refused(&o, &["issue \"n\"", "limit outcomes", "--limit outcomes=N"]);
    assert!(secs < 5.0, "{secs} s");
    std::fs::remove_dir_all(&d).unwrap();
}
