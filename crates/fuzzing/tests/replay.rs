//! The fuzz smoke run as a test: every fuzz target's body (`bc_fuzzing::TARGETS`) on each file of
//! its committed seed corpus (`fuzz/seeds/<target>`, and `fuzz/regressions/<target>` where a
//! crash was found and fixed), then on random mutations of the seeds (bit flips, byte changes,
//! insertions, deletions, truncations, splices of two seeds, repeated slices). A panic fails the
//! test, naming the target and the input's seed and mutation.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut out = Vec::new();
    for dir in ["seeds", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else { continue };
        let mut paths: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
        paths.sort();
        for p in paths {
            let bytes = std::fs::read(&p).unwrap();
            out.push((p, bytes));
        }
    }
    out
}

#[test]
fn every_target_has_seeds_and_they_replay() {
    for (name, body) in bc_fuzzing::TARGETS {
        let seeds = corpus(name);
        assert!(!seeds.is_empty(), "fuzz/seeds/{name} is empty");
        for (path, bytes) in &seeds {
            let r = std::panic::catch_unwind(|| body(bytes));
            assert!(r.is_ok(), "{name} panicked on {}", path.display());
        }
    }
}

/// One mutation of a seed, as proptest generates it.
#[derive(Clone, Debug)]
enum Mutation {
    FlipBit(usize, u8),
    SetByte(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Truncate(usize),
    Splice(usize, usize, usize),
    Repeat(usize, usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let at = any::<usize>();
    // Bytes that matter to the formats: markup, quotes, digits, signs, separators, and any byte.
    let byte = prop_oneof![prop::sample::select(b"<>/=\"'{}[]:,.-+eE0123456789\n\r\t \x1e#&;".to_vec()), any::<u8>()];
    prop_oneof![
        (at, 0u8..8).prop_map(|(i, b)| Mutation::FlipBit(i, b)),
        (at, byte.clone()).prop_map(|(i, b)| Mutation::SetByte(i, b)),
        (at, prop::collection::vec(byte, 1..16)).prop_map(|(i, v)| Mutation::Insert(i, v)),
        (at, 1usize..64).prop_map(|(i, n)| Mutation::Delete(i, n)),
        at.prop_map(Mutation::Truncate),
        (at, at, at).prop_map(|(a, b, c)| Mutation::Splice(a, b, c)),
        (at, 1usize..32, 1usize..50).prop_map(|(i, n, k)| Mutation::Repeat(i, n, k)),
    ]
}

fn apply(seed: &[u8], other: &[u8], muts: &[Mutation]) -> Vec<u8> {
    let mut v = seed.to_vec();
    for m in muts {
        let len = v.len().max(1);
        match m {
            Mutation::FlipBit(i, b) if !v.is_empty() => v[i % len] ^= 1 << b,
            Mutation::SetByte(i, b) if !v.is_empty() => v[i % len] = *b,
            Mutation::Insert(i, bytes) => {
                let at = i % (v.len() + 1);
                v.splice(at..at, bytes.iter().copied());
            }
            Mutation::Delete(i, n) if !v.is_empty() => {
                let at = i % len;
                let end = (at + n).min(v.len());
                v.drain(at..end);
            }
            Mutation::Truncate(i) => v.truncate(i % (v.len() + 1)),
            Mutation::Splice(a, b, c) if !other.is_empty() => {
                // Replace our tail from `a` by other's bytes from `b` (up to `c` of them).
                let at = a % (v.len() + 1);
                let from = b % other.len();
                let end = (from + c % 4096).min(other.len());
                v.truncate(at);
                v.extend_from_slice(&other[from..end]);
            }
            Mutation::Repeat(i, n, k) if !v.is_empty() => {
                let at = i % len;
                let end = (at + n).min(v.len());
                let chunk = v[at..end].to_vec();
                for _ in 0..*k {
                    v.splice(end..end, chunk.iter().copied());
                }
            }
            _ => {}
        }
    }
    v
}

/// Mutations per target: a few thousand in all, well under a minute on two cores.
const CASES: u32 = 1000;

#[test]
fn random_mutations_of_the_seeds_never_panic() {
    for (name, body) in bc_fuzzing::TARGETS {
        let seeds = corpus(name);
        let n = seeds.len();
        let mut runner = TestRunner::new(Config { cases: CASES, failure_persistence: None, ..Config::default() });
        let strategy = (0..n, 0..n, prop::collection::vec(mutation(), 1..8));
        let ran = std::cell::Cell::new(0u32);
        let changed = std::cell::Cell::new(0u32);
        let result = runner.run(&strategy, |(s, o, muts)| {
            let input = apply(&seeds[s].1, &seeds[o].1, &muts);
            ran.set(ran.get() + 1);
            changed.set(changed.get() + u32::from(input != seeds[s].1));
            let r = std::panic::catch_unwind(|| body(&input));
            prop_assert!(r.is_ok(), "{name} panicked on a mutation of {}: {:?}", seeds[s].0.display(), String::from_utf8_lossy(&input));
            Ok(())
        });
        if let Err(e) = result {
            panic!("{name}: {e}");
        }
        assert_eq!(ran.get(), CASES, "{name}");
        assert!(changed.get() > CASES * 9 / 10, "{name}: only {} of {CASES} inputs were mutated", changed.get());
    }
}
