//! Run directories of `sensitivity` and `discover` on test functions (no model runs): shards
//! merged equal the unsharded directory byte for byte, the aggregates are the analysis (Sobol'
//! indices of the Ishigami function near the analytic values, PRIM finding the planted box), and
//! the report has its charts, tables and explanations.

mod common;

use std::path::Path;

use bc_diplomacy::gsa::Method;
use bc_engine::Shard;
use serde_json::Value;

const FILES: [&str; 6] = ["records.csv", "records.parquet", "events.jsonl", "stats.json", "aggregates.json", "report.html"];

fn same(a: &Path, b: &Path) {
    for f in FILES {
        assert!(std::fs::read(a.join(f)).unwrap() == std::fs::read(b.join(f)).unwrap(), "{f} differs");
    }
}

fn json(p: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

fn input<'a>(r: &'a Value, path: &str) -> &'a Value {
    r["inputs"].as_array().unwrap().iter().find(|i| i["path"] == path).unwrap()
}

/// The figure with `id` and its SVG.
fn figure<'a>(page: &'a str, id: &str) -> &'a str {
    let start = page.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no figure {id}"));
    let end = start + page[start..].find("</figure>").unwrap();
    &page[start..end]
}

#[test]
fn sobol_directory_merges_and_reports_the_indices() {
    let root = common::tempdir("gsa-sobol");
    let method = Method::Sobol { samples: 1024 };
    let whole = common::write_sensitivity(&root.join("whole"), method, 1, Shard::ALL);
    let shards: Vec<_> =
        (0..3).map(|i| common::write_sensitivity(&root.join(format!("s{i}")), method, 1, Shard { index: i, count: 3 })).collect();
    let merged = bc_studies::merge_dirs(&[shards[2].clone(), shards[0].clone(), shards[1].clone()], &root.join("merged"), |_| {}).unwrap();
    same(&whole, &merged);
    // The aggregates are the indices: Ishigami's analytic values within a few intervals.
    let a = json(&whole.join("aggregates.json"));
    assert_eq!(a["runs"], 1024 * 6);
    for (path, s1, st) in [("test.x1", 0.3139, 0.5576), ("test.x2", 0.4424, 0.4424), ("test.x3", 0.0, 0.2437), ("test.x4", 0.0, 0.0)] {
        let i = input(&a, path);
        let (v1, c1) = (i["s1"][0].as_f64().unwrap(), i["s1"][1].as_f64().unwrap());
        let (vt, ct) = (i["st"][0].as_f64().unwrap(), i["st"][1].as_f64().unwrap());
        assert!((v1 - s1).abs() < 3.0 * c1.max(0.01), "{path} S1 {v1} ± {c1}, analytic {s1}");
        assert!((vt - st).abs() < 3.0 * ct.max(0.01), "{path} ST {vt} ± {ct}, analytic {st}");
    }
    assert_eq!(a["inputs"][0]["path"], "test.x1", "ranked by ST");
    // A shard's directory says it is one and holds its share of the records.
    let m = json(&shards[1].join("run.json"));
    assert_eq!(m["kind"], "sensitivity");
    let r = Shard { index: 1, count: 3 }.range(1024);
    assert_eq!(m["job_range"], serde_json::json!([r.start, r.end]));
    assert_eq!(m["records"], (r.end - r.start) * 6);
    let page = std::fs::read_to_string(whole.join("report.html")).unwrap();
    let fig = figure(&page, "chart-sobol");
    assert!(fig.contains("<svg") && fig.matches("<rect").count() >= 8, "two bars per input");
    for label in ["Iran&apos;s delivery capacity", "mediator&apos;s leak", "proxy attack base"] {
        assert!(fig.contains(label), "label {label} on the chart");
    }
    assert!(fig.contains("ST, total order") && fig.contains("S1, first order"), "legend");
    assert!(page.contains("What the intervals mean") && page.contains("1024 base points"));
    assert!(page.contains("<td>test.x3</td>"), "the table lists every input");
    assert!(std::fs::read_to_string(shards[0].join("report.html")).unwrap().contains("only this shard"));
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn morris_directory_merges_and_plots_mu_star_against_sigma() {
    let root = common::tempdir("gsa-morris");
    let method = Method::Morris { trajectories: 40 };
    let whole = common::write_sensitivity(&root.join("whole"), method, 2, Shard::ALL);
    let shards: Vec<_> =
        (0..2).map(|i| common::write_sensitivity(&root.join(format!("s{i}")), method, 2, Shard { index: i, count: 2 })).collect();
    let merged = bc_studies::merge_dirs(&shards, &root.join("merged"), |_| {}).unwrap();
    same(&whole, &merged);
    let a = json(&whole.join("aggregates.json"));
    // x1 and x2 matter, the inert inputs have no effect at all.
    assert!(input(&a, "test.x1")["mu_star"][0].as_f64().unwrap() > 1.0);
    assert_eq!(input(&a, "test.x5")["mu_star"][0].as_f64().unwrap(), 0.0);
    let page = std::fs::read_to_string(whole.join("report.html")).unwrap();
    let fig = figure(&page, "chart-morris");
    assert_eq!(fig.matches(" r=\"5\"").count(), 5, "one dot (radius 5) per input");
    assert!(
        fig.contains(&format!("1. {}", a["inputs"][0]["label"].as_str().unwrap().replace('\'', "&apos;"))),
        "the top input is named on the chart"
    );
    assert!(page.contains("mu* (95%)") && page.contains("40 trajectories"));
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn discover_directory_merges_and_draws_the_box() {
    let root = common::tempdir("gsa-discover");
    let whole = common::write_discover(&root.join("whole"), 3000, Shard::ALL);
    let shards: Vec<_> = (0..3).map(|i| common::write_discover(&root.join(format!("s{i}")), 3000, Shard { index: i, count: 3 })).collect();
    let merged = bc_studies::merge_dirs(&shards, &root.join("merged"), |_| {}).unwrap();
    same(&whole, &merged);
    let a = json(&whole.join("aggregates.json"));
    let first = &a["boxes"][0];
    assert_eq!(first["accepted"], true, "{first}");
    let r = first["restrictions"].as_array().unwrap();
    let x1 = r.iter().find(|x| x["path"] == "test.x1").expect("a limit on x1");
    let x2 = r.iter().find(|x| x["path"] == "test.x2").expect("a limit on x2");
    // The planted box: x1 > 0.6 (uniform on [0, 1]) and x2 below its median (uniform on [0, 0.5]).
    assert!((x1["above"].as_f64().unwrap() - 0.6).abs() < 0.05, "{x1}");
    assert!((x2["below"].as_f64().unwrap() - 0.25).abs() < 0.04, "{x2}");
    let page = std::fs::read_to_string(whole.join("report.html")).unwrap();
    let traj = figure(&page, "chart-trajectory-1");
    assert!(traj.contains("chosen: coverage") && traj.contains("threshold 80%"));
    let steps = first["trajectory"].as_array().unwrap().len();
    assert!(traj.matches("<circle").count() > steps, "a dot per trajectory entry and the ring");
    let scatter = figure(&page, "chart-box-1");
    assert!(scatter.matches("<circle").count() >= 2000, "the runs as points");
    assert!(scatter.contains("Iran&apos;s delivery capacity (quantile)"), "axis named by the input");
    assert!(page.contains("breakdown is ") && page.contains("likelier than overall when"));
    assert!(page.contains("<b>Coverage</b>"));
    std::fs::remove_dir_all(root).unwrap();
}
