//! Snapshot tests (insta) of every command's table and of the visible text of every kind of run
//! directory's `report.html`, so that a refactoring that changes what a user reads fails here.
//!
//! The snapshots under `tests/snapshots/` are produced by the code (`INSTA_UPDATE=always cargo
//! test --release -p backchannel --test snapshots`, then reviewed) and never written by CI: under
//! `CI=true` insta only compares, and a mismatch or a missing snapshot fails the test. Where a
//! snapshot's numbers are also checked against an outside reference, the test says where; the
//! other numbers are the model's own and are guarded here against unintended change only.
//!
//! Every command runs in a scratch directory holding a `data` link to `tests/data`, so paths in
//! the output are relative (`data/genius/Travel`, `run-dir`) and the same from any checkout.
//! Sizes are small: the whole file runs in a few seconds.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A fresh scratch directory for one test, with `data` linked to the repository's `tests/data`.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("snapshots-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data").canonicalize().unwrap();
    std::os::unix::fs::symlink(data, dir.join("data")).unwrap();
    dir
}

/// The standard output of `backchannel ARGS` run in `dir`, which must succeed with nothing on
/// standard error (progress bars are switched off with `--quiet` where a command has them).
fn table(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_backchannel")).args(args).current_dir(dir).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "backchannel {args:?} failed: {err}");
    assert!(err.is_empty(), "backchannel {args:?} wrote to standard error: {err}");
    String::from_utf8(out.stdout).unwrap()
}

/// What a reader sees of an HTML page: the text outside tags, `<style>` and `<script>`, entities
/// decoded, one line per block element (and per SVG text label), whitespace collapsed (a line
/// break in the source is a space, as in a browser).
fn visible_text(html: &str) -> String {
    const BLOCKS: [&str; 17] = [
        "p",
        "h1",
        "h2",
        "h3",
        "li",
        "tr",
        "section",
        "header",
        "footer",
        "figcaption",
        "figure",
        "table",
        "ul",
        "title",
        "text",
        "br",
        "div",
    ];
    let mut text = String::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open].replace('\n', " "));
        rest = &rest[open..];
        let Some(close) = rest.find('>') else { break };
        let tag = &rest[1..close];
        let name: String = tag.trim_start_matches('/').chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        rest = &rest[close + 1..];
        if !tag.starts_with('/') && (name == "style" || name == "script") {
            let end = format!("</{name}>");
            rest = rest.find(&end).map_or("", |i| &rest[i + end.len()..]);
            continue;
        }
        text.push(if BLOCKS.contains(&name.as_str()) { '\n' } else { ' ' });
    }
    text.push_str(&rest.replace('\n', " "));
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&amp;", "&");
    let lines: Vec<String> = text.lines().map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ")).filter(|l| !l.is_empty()).collect();
    lines.join("\n") + "\n"
}

fn report(dir: &Path) -> String {
    visible_text(&std::fs::read_to_string(dir.join("report.html")).unwrap())
}

#[test]
fn visible_text_drops_markup_and_keeps_words() {
    let html = "<html><head><title>T</title><style>p{color:red}</style></head><body><p>a &lt;b&gt;\n  <b>c</b></p>\
                <script>x<y</script><ul><li>d&#39;e</li><li>f &amp; g</li></ul><svg><text x=\"1\">0.5</text></svg></body></html>";
    assert_eq!(visible_text(html), "T\na <b> c\nd'e\nf & g\n0.5\n");
}

#[test]
fn forecast_tables() {
    let d = scratch("run");
    insta::assert_snapshot!("run_default", table(&d, &["run", "--runs", "200", "--seed", "7"]));
    for v in ["direct", "grand_bargain", "leverage", "discreet"] {
        insta::assert_snapshot!(format!("run_variant_{v}"), table(&d, &["run", "--variant", v, "--runs", "100", "--seed", "3"]));
    }
    insta::assert_snapshot!(
        "run_england_zimbabwe",
        table(&d, &["run", "data/diplomacy/england_zimbabwe.toml", "--runs", "100", "--seed", "5"])
    );
    insta::assert_snapshot!("trace", table(&d, &["trace", "--seed", "7", "--run", "3"]));
    insta::assert_snapshot!("trace_direct", table(&d, &["trace", "--variant", "direct", "--seed", "7", "--run", "11"]));
}

#[test]
fn scenario_tables() {
    let d = scratch("scenario");
    insta::assert_snapshot!("scenario_validate", table(&d, &["scenario", "validate", "data/diplomacy/england_zimbabwe.toml"]));
    insta::assert_snapshot!("scenario_export_leverage", table(&d, &["scenario", "export", "--variant", "leverage"]));
}

#[test]
fn forecast_run_directory_and_merge() {
    let d = scratch("run-dir");
    insta::assert_snapshot!("run_out", table(&d, &["run", "--runs", "200", "--seed", "7", "--out", "run-dir", "--quiet"]));
    insta::assert_snapshot!("run_report", report(&d.join("run-dir")));
    table(&d, &["run", "--runs", "200", "--seed", "7", "--out", "s0", "--shard", "0/2", "--quiet"]);
    table(&d, &["run", "--runs", "200", "--seed", "7", "--out", "s1", "--shard", "1/2", "--quiet"]);
    insta::assert_snapshot!("merge", table(&d, &["merge", "s0", "s1", "--out", "merged"]));
    // Merged shards give the unsharded report (crates/studies/tests check every file byte for byte).
    assert_eq!(report(&d.join("merged")), report(&d.join("run-dir")));
}

#[test]
fn sweep_table_and_report() {
    let d = scratch("sweep");
    insta::assert_snapshot!("sweep_grid", table(&d, &["sweep", "--grid", "mediator.leak=0.1,0.3", "--runs", "100", "--seed", "2"]));
    let out =
        table(&d, &["sweep", "--lhs", "3", "mediator.leak=0.05..0.4", "--runs", "50", "--seed", "2", "--out", "sweep-dir", "--quiet"]);
    insta::assert_snapshot!("sweep_lhs_out", out);
    insta::assert_snapshot!("sweep_report", report(&d.join("sweep-dir")));
}

#[test]
fn sensitivity_and_discovery_tables_and_reports() {
    let d = scratch("gsa");
    let two = "data/diplomacy/gsa_two_params.toml";
    // Sobol' and Morris estimators and PRIM are checked against SALib and the EMA Workbench in
    // crates/engine's gsa tests; these are the model's runs through them.
    insta::assert_snapshot!("sensitivity_sobol", table(&d, &["sensitivity", two, "--method", "sobol", "--samples", "32", "--seed", "1"]));
    insta::assert_snapshot!("sensitivity_morris", table(&d, &["sensitivity", "--method", "morris", "--samples", "2", "--seed", "1"]));
    let out = table(&d, &["sensitivity", two, "--method", "sobol", "--samples", "16", "--seed", "1", "--out", "sens-dir", "--quiet"]);
    insta::assert_snapshot!("sensitivity_out", out);
    insta::assert_snapshot!("sensitivity_report", report(&d.join("sens-dir")));
    insta::assert_snapshot!("discover", table(&d, &["discover", "--target", "breakdown", "--runs", "200", "--seed", "4"]));
    let out = table(&d, &["discover", "--target", "comprehensive", "--runs", "200", "--seed", "4", "--out", "discover-dir", "--quiet"]);
    insta::assert_snapshot!("discover_out", out);
    insta::assert_snapshot!("discover_report", report(&d.join("discover-dir")));
}

#[test]
fn negotiation_tables() {
    let d = scratch("negotiate");
    // Agreement, step and utilities of this session equal NegMAS 0.16's (tests/negotiate.rs,
    // json_trace_equals_negmas_bench).
    let itex = ["negotiate", "data/genius/ItexvsCypress", "--agents", "boulware,conceder", "--semantics", "negmas"];
    insta::assert_snapshot!("negotiate_negmas", table(&d, &[&itex[..], &["--ignore-discount", "--steps", "1000"]].concat()));
    insta::assert_snapshot!("negotiate", table(&d, &["negotiate", "data/genius/Travel", "--agents", "boulware,conceder", "--seed", "1"]));
    for protocol in ["single-text", "relay", "confidential"] {
        let args = ["negotiate", "data/genius/Car", "--agents", "conceder,linear", "--protocol", protocol, "--seed", "1"];
        insta::assert_snapshot!(format!("negotiate_{}", protocol.replace('-', "_")), table(&d, &args));
    }
    insta::assert_snapshot!("negotiate_agent_list", table(&d, &["negotiate", "--agents", "list"]));
}

#[test]
fn tournament_table_and_report() {
    let d = scratch("tournament");
    let args =
        ["tournament", "data/genius/Travel", "data/genius/Car", "--agents", "boulware,conceder,linear", "--steps", "60", "--seed", "1"];
    insta::assert_snapshot!("tournament", table(&d, &[&args[..], &["--out", "tour-dir", "--quiet"]].concat()));
    insta::assert_snapshot!("tournament_report", report(&d.join("tour-dir")));
    insta::assert_snapshot!("tournament_rescore", table(&d, &["tournament", "--rescore", "tour-dir/results.jsonl", "--out", "rescored"]));
}

#[test]
fn analysis_and_conversion_tables() {
    let d = scratch("analyze");
    // The frontier, Nash, Kalai–Smorodinsky and welfare points of the GENIUS domains are checked
    // against NegMAS's in crates/formats/tests/reference.rs (genius semantics, mode `genius`).
    insta::assert_snapshot!("analyze_travel", table(&d, &["analyze", "data/genius/Travel"]));
    insta::assert_snapshot!("analyze_england_zimbabwe", table(&d, &["analyze", "data/genius/EnglandZimbabwe"]));
    insta::assert_snapshot!("convert", table(&d, &["convert", "data/genius/Travel", "--to", "geniusweb", "--out", "convert-dir"]));
}

#[test]
fn stakeholder_tables_and_report() {
    let d = scratch("stakeholders");
    insta::assert_snapshot!("stakeholders_default", table(&d, &["stakeholders"]));
    // Every turn's positions and probabilities of this KTAB scenario equal KTAB's reference log
    // (crates/stakeholders/tests/ktab_reference.rs, dummy_data_3dim).
    insta::assert_snapshot!("stakeholders_ktab_dummy_3dim", table(&d, &["stakeholders", "data/ktab/dummyData_3Dim.csv"]));
    insta::assert_snapshot!("stakeholders_bdm", table(&d, &["stakeholders", "--model", "bdm", "--seed", "1"]));
    insta::assert_snapshot!("stakeholders_out", table(&d, &["stakeholders", "--out", "stake-dir"]));
    insta::assert_snapshot!("stakeholders_report", report(&d.join("stake-dir")));
}
