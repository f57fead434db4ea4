//! Tidy tests, after rust-analyzer's: the invariants ARCHITECTURE.md states, checked on the
//! repository's files and on `cargo metadata`, so that breaking one fails `cargo test`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository's root (this crate is `crates/tidy`).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap_or_else(|e| panic!("repository root: {e}"))
}

/// Every file under `dir` (recursively) whose name ends with one of `exts`, skipping build
/// output, virtual environments and hidden folders.
fn files(dir: &Path, exts: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = fs::read_dir(dir) else { return out };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if p.is_dir() {
            if name.starts_with('.')
                || ["target", "corpus", "artifacts", "node_modules", "__pycache__"].contains(&name)
                || name.ends_with("venv")
            {
                continue;
            }
            out.extend(files(&p, exts));
        } else if exts.iter().any(|e| name.ends_with(e)) {
            out.push(p);
        }
    }
    out
}

fn text(p: &Path) -> String {
    fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn rel(p: &Path) -> String {
    p.strip_prefix(root()).unwrap_or(p).display().to_string()
}

/// The Rust sources of the repository's own code.
fn rust_files() -> Vec<PathBuf> {
    let r = root();
    let mut v = files(&r.join("crates"), &[".rs"]);
    v.extend(files(&r.join("fuzz"), &[".rs"]));
    v
}

#[test]
fn every_file_opens_with_a_line_that_says_what_it_is_for() {
    let r = root();
    let mut bad = Vec::new();
    for p in rust_files() {
        if !text(&p).starts_with("//!") {
            bad.push(format!("{}: the first line is not a `//!` comment", rel(&p)));
        }
    }
    // Scripts: a `#` comment (or a docstring) on the first line, or the second after `#!`.
    let mut scripts = files(&r.join("scripts"), &[".sh", ".py"]);
    scripts.extend(files(&r.join("clients"), &[".py"]));
    scripts.push(r.join(".ci/run"));
    for p in scripts {
        let t = text(&p);
        let mut lines = t.lines();
        let mut first = lines.next().unwrap_or("");
        if first.starts_with("#!") {
            first = lines.next().unwrap_or("");
        }
        let says = (first.starts_with("# ") && first.len() > 8) || first.starts_with("\"\"\"");
        if !says {
            bad.push(format!("{}: no opening comment saying what it is for (found {first:?})", rel(&p)));
        }
    }
    for p in files(&r.join("docs"), &[".md"]).into_iter().chain([r.join("README.md"), r.join("ARCHITECTURE.md")]) {
        if !text(&p).starts_with("# ") {
            bad.push(format!("{}: does not open with a `# ` title", rel(&p)));
        }
    }
    assert!(bad.is_empty(), "files that do not say what they are for:\n{}", bad.join("\n"));
}

/// The longest a source file may be without saying why.
const MAX_LINES: usize = 800;

#[test]
fn no_source_file_is_over_800_lines_unless_it_says_why() {
    let mut bad = Vec::new();
    for p in rust_files() {
        let t = text(&p);
        let n = t.lines().count();
        // The reason is a `//! Long file:` line in the file's opening comment.
        let says_why = t.lines().take_while(|l| l.starts_with("//!")).any(|l| l.starts_with("//! Long file:"));
        if n > MAX_LINES && !says_why {
            bad.push(format!("{}: {n} lines and no `//! Long file:` line saying why", rel(&p)));
        }
    }
    assert!(bad.is_empty(), "files over {MAX_LINES} lines:\n{}", bad.join("\n"));
}

#[test]
fn the_model_and_the_protocols_do_no_io_read_no_clock_and_start_no_thread() {
    // ARCHITECTURE.md: bc-model and bc-protocol are pure (randomness comes in as `&mut impl
    // Rng`); their callers own files, time and parallelism.
    let forbidden = [
        "std::fs",
        "std::io",
        "std::net",
        "std::time",
        "Instant::",
        "SystemTime",
        "std::thread",
        "rayon",
        "std::env",
        "std::process",
        "thread_rng",
    ];
    let mut bad = Vec::new();
    for krate in ["model", "protocol"] {
        for p in files(&root().join("crates").join(krate).join("src"), &[".rs"]) {
            for (k, line) in text(&p).lines().enumerate() {
                let code = line.split("//").next().unwrap_or("");
                for f in forbidden {
                    if code.contains(f) {
                        bad.push(format!("{}:{}: `{f}` in `{}`", rel(&p), k + 1, line.trim()));
                    }
                }
            }
        }
    }
    assert!(bad.is_empty(), "I/O, clock or threads in a pure crate:\n{}", bad.join("\n"));
}

/// Crates whose sources may spell command-line flags: the binary, the Python module (its own
/// front end), these tests, the benchmarks and the fuzzing bodies.
const FLAG_SPEAKERS: [&str; 5] = ["cli", "python", "tidy", "bench", "fuzzing"];

/// Library files that may spell a flag: the table of limits, whose refusals say how to raise a
/// limit (`--limit NAME=N`, `--force`).
const FLAG_FILES: [&str; 1] = ["crates/io/src/limits.rs"];

/// The first string literal of `code` that starts with `--` and a letter (`"--out…"`), if any.
fn flag_literal(code: &str) -> Option<&str> {
    code.match_indices("\"--").map(|(i, _)| &code[i..]).find(|rest| rest[3..].starts_with(|c: char| c.is_ascii_alphabetic()))
}

#[test]
fn library_errors_name_the_setting_not_the_flag() {
    // ARCHITECTURE.md: a library says `indicator: expected …`; the binary says it with the flag
    // (crates/cli/src/flags.rs), the Python module with the keyword. Line-based: comments,
    // asserts and everything from a `#[cfg(test)]` module on (tests sit at the bottom of a file)
    // are left out.
    let mut bad = Vec::new();
    let r = root();
    let Ok(crates) = fs::read_dir(r.join("crates")) else { panic!("no crates/ under {}", r.display()) };
    let mut crates: Vec<PathBuf> = crates.filter_map(Result::ok).map(|e| e.path()).collect();
    crates.sort();
    for krate in crates {
        let name = krate.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if FLAG_SPEAKERS.contains(&name) {
            continue;
        }
        for p in files(&krate.join("src"), &[".rs"]) {
            if FLAG_FILES.contains(&rel(&p).as_str()) {
                continue;
            }
            let t = text(&p);
            let mut lines = t.lines().enumerate().peekable();
            while let Some((k, line)) = lines.next() {
                let code = line.trim_start();
                if code == "#[cfg(test)]" && lines.peek().is_some_and(|(_, next)| next.trim_start().starts_with("mod ")) {
                    break;
                }
                if code.starts_with("//") || code.contains("assert") {
                    continue;
                }
                if let Some(lit) = flag_literal(code) {
                    let lit: String = lit.chars().take(24).collect();
                    bad.push(format!("{}:{}: {lit}…", rel(&p), k + 1));
                }
            }
        }
    }
    assert!(
        bad.is_empty(),
        "library sources that spell a command-line flag in a string (name the setting, e.g. `bc_io::SettingError`; the CLI adds the flag):\n{}",
        bad.join("\n")
    );
}

/// The workspace's crates in layers: a crate may depend only on crates of lower layers.
const LAYERS: &[(&str, u32)] = &[
    ("bc-model", 0),
    ("bc-io", 0),
    ("bc-engine", 0),
    ("bc-formats", 1),
    ("bc-protocol", 1),
    ("bc-report", 1),
    ("bc-strategy", 2),
    ("bc-stakeholders", 2),
    ("bc-bench", 2),
    ("bc-tournament", 3),
    ("bc-diplomacy", 3),
    ("bc-studies", 4),
    ("bc-fuzzing", 4),
    ("bc-server", 5),
    ("bc-tidy", 6),
    ("bc-python", 6),
    ("backchannel", 6),
];

/// `cargo metadata` of the workspace, without the dependencies' own packages.
fn metadata() -> serde_json::Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline"])
        .current_dir(root())
        .output()
        .unwrap_or_else(|e| panic!("cargo metadata: {e}"));
    assert!(out.status.success(), "cargo metadata failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("cargo metadata's JSON: {e}"))
}

/// Each workspace package's name and its dependencies as (name, kind: "normal", "dev", "build").
fn packages() -> Vec<(String, Vec<(String, String)>)> {
    let m = metadata();
    let pkgs = m["packages"].as_array().unwrap_or_else(|| panic!("no packages in cargo metadata"));
    pkgs.iter()
        .map(|p| {
            let deps = p["dependencies"]
                .as_array()
                .map(|ds| {
                    ds.iter()
                        .map(|d| (d["name"].as_str().unwrap_or("").to_string(), d["kind"].as_str().unwrap_or("normal").to_string()))
                        .collect()
                })
                .unwrap_or_default();
            (p["name"].as_str().unwrap_or("").to_string(), deps)
        })
        .collect()
}

#[test]
fn crate_dependencies_point_one_way() {
    let layer = |name: &str| LAYERS.iter().find(|(n, _)| *n == name).map(|(_, l)| *l);
    let mut bad = Vec::new();
    for (name, deps) in packages() {
        let Some(mine) = layer(&name) else {
            bad.push(format!("{name}: not in the tidy test's LAYERS (add it with its layer)"));
            continue;
        };
        for (dep, kind) in deps {
            if let Some(theirs) = layer(&dep) {
                // Dev-dependencies may reach sideways for test data, never up.
                let ok = if kind == "dev" { theirs <= mine } else { theirs < mine };
                if !ok {
                    bad.push(format!("{name} (layer {mine}) depends on {dep} (layer {theirs}, {kind})"));
                }
            }
        }
    }
    assert!(bad.is_empty(), "dependencies that climb:\n{}", bad.join("\n"));
}

/// Crates that must not depend on the listed crates in any way (dev- and build-dependencies
/// included), whatever their layers: bc-report writes any study's run directory and merges any
/// study without knowing the domain (the domain studies are bc-studies').
const NEVER: &[(&str, &[&str])] = &[(
    "bc-report",
    &["bc-diplomacy", "bc-tournament", "bc-stakeholders", "bc-strategy", "bc-protocol", "bc-model", "bc-formats", "bc-studies"],
)];

#[test]
fn the_generic_crates_know_no_domain_crate() {
    let mut bad = Vec::new();
    for (name, deps) in packages() {
        let Some((_, never)) = NEVER.iter().find(|(n, _)| *n == name) else { continue };
        for (dep, kind) in deps {
            if never.contains(&dep.as_str()) {
                bad.push(format!("{name} depends on {dep} ({kind})"));
            }
        }
    }
    assert!(bad.is_empty(), "a generic crate depends on a domain crate:\n{}", bad.join("\n"));
}

#[test]
fn the_binary_draws_through_bc_engine_not_its_own_generator() {
    // Every generator comes from `bc_engine::rng_for` / `rng_seeded`, so the binary cannot pick
    // another generator or seeding by accident.
    let (_, deps) = packages().into_iter().find(|(n, _)| n == "backchannel").unwrap_or_else(|| panic!("no backchannel package"));
    let direct: Vec<_> = deps.iter().filter(|(d, k)| d.starts_with("rand_chacha") && k == "normal").collect();
    assert!(direct.is_empty(), "the binary depends on rand_chacha directly: {direct:?}");
}
