//! Embeds the git revision the binary is built from (`BC_GIT_REVISION`), or "unknown" outside a
//! git checkout, so that run manifests can name the code that produced them.

use std::process::Command;

fn main() {
    let rev = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".to_string());
    let dirty = Command::new("git")
        .args(["status", "--porcelain", "--untracked-files=no"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .is_some_and(|o| !o.stdout.is_empty());
    let rev = if dirty && rev != "unknown" { format!("{rev}-dirty") } else { rev };
    println!("cargo:rustc-env=BC_GIT_REVISION={rev}");
    // Rebuild when HEAD moves (a worktree's .git is a file naming the real git dir).
    if let Ok(o) = Command::new("git").args(["rev-parse", "--git-dir"]).output() {
        if let Ok(dir) = String::from_utf8(o.stdout) {
            let dir = dir.trim();
            if !dir.is_empty() {
                println!("cargo:rerun-if-changed={dir}/HEAD");
                println!("cargo:rerun-if-changed={dir}/index");
            }
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
}
