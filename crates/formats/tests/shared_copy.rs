//! When `../shared` is beside the repository, checks that the bundled copies in `tests/data` are
//! still byte-identical to it (the copies exist so that a clone without `../shared` tests fully).

use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

#[test]
fn bundled_data_equals_shared_when_present() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let shared = root.join("../shared");
    if !shared.is_dir() {
        eprintln!("../shared is absent: nothing to compare");
        return;
    }
    let pairs = [
        ("data/genius", "tests/data/genius"),
        ("data/ktab", "tests/data/ktab"),
        ("reference/negmas/reference.json", "tests/data/negmas/reference.json"),
        ("reference/negmas/bench.json", "tests/data/negmas/bench.json"),
    ];
    let mut compared = 0;
    for (theirs, ours) in pairs {
        let (a, b) = (shared.join(theirs), root.join(ours));
        let mut list = Vec::new();
        if a.is_dir() {
            files(&a, &mut list);
        } else {
            list.push(a.clone());
        }
        for f in list {
            let rel = f.strip_prefix(&a).unwrap();
            let mine = if rel.as_os_str().is_empty() { b.clone() } else { b.join(rel) };
            assert_eq!(std::fs::read(&f).unwrap(), std::fs::read(&mine).unwrap_or_default(), "{} differs", mine.display());
            compared += 1;
        }
    }
    assert!(compared > 50, "only {compared} files compared");
}
