//! Finding and running headless Chromium for the browser tests, shared by bc-studies', bc-server's
//! and the CLI's tests (included with `#[path]`): `BC_CHROMIUM`, else Debian's and Google's names
//! on PATH (the same names `.ci/run` looks for); a test skips, saying so, only when none is found
//! and `BC_REQUIRE_BROWSER` is unset.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Chromium's path: `BC_CHROMIUM`, else the first of the usual names found on PATH.
pub fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("BC_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    for name in ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"] {
        for dir in std::env::split_paths(&path) {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// Chromium, or `None` after saying the test is skipped (a failure under `BC_REQUIRE_BROWSER`).
pub fn browser_or_skip() -> Option<PathBuf> {
    match chromium() {
        Some(b) => Some(b),
        None if std::env::var_os("BC_REQUIRE_BROWSER").is_some() => {
            panic!("BC_REQUIRE_BROWSER is set but no Chromium was found (install Debian's chromium or set BC_CHROMIUM)")
        }
        None => {
            eprintln!("SKIPPED: no Chromium found (install Debian's chromium, or set BC_CHROMIUM); set BC_REQUIRE_BROWSER=1 to make this a failure");
            None
        }
    }
}

/// Runs headless Chromium on the file `page` with `extra` flags and a fresh `profile` folder,
/// and returns its standard output.
pub fn headless(browser: &Path, page: &Path, extra: &[&str], profile: &Path) -> String {
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
            "--disable-quic",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium starts");
    assert!(out.status.success(), "chromium failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}
