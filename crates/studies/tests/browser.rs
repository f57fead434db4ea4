//! The HTML reports rendered in headless Chromium (a forecast; Sobol', Morris and PRIM studies):
//! the charts are there, drawn and non-empty.
//! Skips (saying so) only when no Chromium is installed and `BC_REQUIRE_BROWSER` is unset; CI
//! installs Chromium and sets it. `BC_SCREENSHOT_DIR=DIR` keeps a screenshot to look at.

#[path = "common/chromium.rs"]
mod chromium;
mod common;

use std::path::Path;

use chromium::{browser_or_skip, headless};

use bc_engine::Shard;

#[test]
fn report_renders_with_its_charts() {
    let Some(browser) = browser_or_skip() else { return };
    let root = common::tempdir("browser");
    let dir = common::write_run(&root.join("run"), 5, 3000, Shard::ALL);
    let page = dir.join("report.html");
    let dom = headless(&browser, &page, &["--dump-dom"], &root.join("profile"));
    assert!(dom.contains("What is likely to happen"), "the rendered page has the headline");
    assert!(dom.contains("Illustrative numbers"));
    for id in [
        "chart-headline",
        "chart-outcomes",
        "chart-first-step",
        "chart-trust-0",
        "chart-trust-1",
        "chart-counterfactuals",
        "chart-sensitivity",
    ] {
        let start = dom.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("chart {id} missing from the rendered page"));
        let fig = &dom[start..start + dom[start..].find("</figure>").expect("figure closes")];
        let svg = &fig[fig.find("<svg").unwrap_or_else(|| panic!("{id} has no svg"))..];
        let marks = ["<rect", "<polyline", "<polygon", "<circle", "<line", "<path"].iter().map(|m| svg.matches(m).count()).sum::<usize>();
        assert!(marks > 10, "{id}: only {marks} drawn marks");
        assert!(svg.matches("<text").count() >= 4, "{id}: axis labels missing");
        assert!(fig.contains("<figcaption>"), "{id}: no caption");
    }
    // The rendered picture is not blank: the screenshot PNG carries real content.
    let shot = root.join("report.png");
    headless(
        &browser,
        &page,
        &[&format!("--screenshot={}", shot.display()), "--window-size=1100,2600", "--hide-scrollbars"],
        &root.join("profile2"),
    );
    let png = std::fs::read(&shot).expect("screenshot written");
    assert_eq!(&png[1..4], b"PNG");
    assert!(png.len() > 30_000, "screenshot of {} bytes looks blank", png.len());
    if let Some(keep) = std::env::var_os("BC_SCREENSHOT_DIR") {
        std::fs::copy(&shot, Path::new(&keep).join("report-synthetic.png")).unwrap();
        std::fs::copy(&page, Path::new(&keep).join("report-synthetic.html")).unwrap();
    }
    std::fs::remove_dir_all(root).unwrap();
}

#[test]
fn sensitivity_and_discovery_reports_render_with_their_charts() {
    let Some(browser) = browser_or_skip() else { return };
    let root = common::tempdir("browser-gsa");
    let pages = [
        (
            common::write_sensitivity(&root.join("sobol"), bc_diplomacy::gsa::Method::Sobol { samples: 256 }, 2, Shard::ALL),
            vec!["chart-sobol"],
            "Which assumptions drive",
        ),
        (
            common::write_sensitivity(&root.join("morris"), bc_diplomacy::gsa::Method::Morris { trajectories: 20 }, 2, Shard::ALL),
            vec!["chart-morris"],
            "Morris elementary effects",
        ),
        (
            common::write_discover(&root.join("discover"), 2000, Shard::ALL),
            vec!["chart-trajectory-1", "chart-box-1"],
            "Under which assumptions breakdown happens",
        ),
    ];
    for (k, (dir, ids, heading)) in pages.iter().enumerate() {
        let page = dir.join("report.html");
        let dom = headless(&browser, &page, &["--dump-dom"], &root.join(format!("profile{k}")));
        assert!(dom.contains(heading), "{heading}: the rendered page has its heading");
        for id in ids {
            let start = dom.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("chart {id} missing from the rendered page"));
            let fig = &dom[start..start + dom[start..].find("</figure>").expect("figure closes")];
            let svg = &fig[fig.find("<svg").unwrap_or_else(|| panic!("{id} has no svg"))..];
            let marks =
                ["<rect", "<polyline", "<polygon", "<circle", "<line", "<path"].iter().map(|m| svg.matches(m).count()).sum::<usize>();
            assert!(marks > 10, "{id}: only {marks} drawn marks");
            assert!(svg.matches("<text").count() >= 4, "{id}: axis labels missing");
            assert!(fig.contains("<figcaption>"), "{id}: no caption");
        }
        let shot = root.join(format!("report{k}.png"));
        headless(
            &browser,
            &page,
            &[&format!("--screenshot={}", shot.display()), "--window-size=1100,2400", "--hide-scrollbars"],
            &root.join(format!("shot{k}")),
        );
        let png = std::fs::read(&shot).expect("screenshot written");
        assert_eq!(&png[1..4], b"PNG");
        assert!(png.len() > 30_000, "screenshot of {} bytes looks blank", png.len());
        if let Some(keep) = std::env::var_os("BC_SCREENSHOT_DIR") {
            std::fs::copy(&shot, Path::new(&keep).join(format!("report-gsa-{k}.png"))).unwrap();
        }
    }
    std::fs::remove_dir_all(root).unwrap();
}
