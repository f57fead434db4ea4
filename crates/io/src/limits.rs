//! The table of limits: every bound on the work or memory one input file or one flag can ask
//! for, as data. Each limit is checked before anything of its size is allocated, and a refusal
//! ([`Exceeded`]) names the limit, the value found and how to raise it. The table is
//! documented in `docs/limits.md` (a test keeps the two in step).
//!
//! Limits are raised for one process with `--limit NAME=N` (the binary calls [`set`]); the value
//! in force is [`Limit::get`].

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

/// One limit: its name (as given to `--limit`), its default, what it bounds.
#[derive(Debug)]
pub struct Limit {
    /// The name given to `--limit NAME=N`.
    pub name: &'static str,
    /// The default value.
    pub default: u64,
    /// What is counted, in the plural ("bytes", "values", ...).
    pub unit: &'static str,
    /// What the limit bounds.
    pub what: &'static str,
    /// The flag, if any, whose value the limit bounds (else the input it bounds).
    pub applies_to: &'static str,
    /// How to raise it, when not by `--limit NAME=N` alone.
    pub raise: &'static str,
    current: AtomicU64,
}

const fn limit(
    name: &'static str,
    default: u64,
    unit: &'static str,
    what: &'static str,
    applies_to: &'static str,
    raise: &'static str,
) -> Limit {
    Limit { name, default, unit, what, applies_to, raise, current: AtomicU64::new(default) }
}

/// Bytes read from one input file (scenario TOML, GENIUS XML, GeniusWeb JSON, KTAB CSV/XML,
/// a run directory's JSON files).
pub static INPUT_BYTES: Limit = limit("input-bytes", 64 << 20, "bytes", "bytes read from one input file", "every input file", "");
/// Bytes of one line of a line-oriented input (JSON Lines: `tournament --rescore`).
pub static LINE_BYTES: Limit = limit("line-bytes", 1 << 20, "bytes", "bytes in one line of a JSON Lines input", "tournament --rescore", "");
/// Values of one issue (discrete values listed, or the integers of an integer range).
pub static VALUES_PER_ISSUE: Limit =
    limit("values-per-issue", 1_000_000, "values", "values of one issue of a domain", "GENIUS XML, GeniusWeb JSON", "");
/// Outcomes of a domain enumerated into a table (strategies' tables, non-additive analytics).
pub static OUTCOMES: Limit = limit(
    "outcomes",
    10_000_000,
    "outcomes",
    "outcomes of a domain enumerated into a table",
    "analyze",
    "analyze --max-outcomes N, or analyze --sample N",
);
/// Packages (outcomes) of one step of a backchannel scenario.
pub static PACKAGES_PER_STEP: Limit =
    limit("packages-per-step", 200_000, "packages", "packages of one step of a scenario", "scenario files", "");
/// Outcomes drawn by `analyze --sample`.
pub static SAMPLE: Limit = limit("sample", 10_000_000, "outcomes", "outcomes drawn", "analyze --sample", "");
/// Points of a Latin-hypercube design.
pub static LHS_POINTS: Limit = limit("lhs-points", 1_000_000, "points", "points of a Latin hypercube", "sweep --lhs", "");
/// Points of a grid design (the product of the value counts).
pub static GRID_POINTS: Limit =
    limit("grid-points", 1_000_000, "points", "points of a grid (product of the value counts)", "sweep --grid", "");
/// Runs of a sensitivity design or a scenario discovery (each holds a row of every uncertain
/// parameter's quantile in memory).
pub static GSA_RUNS: Limit = limit(
    "gsa-runs",
    2_000_000,
    "runs",
    "runs of a sensitivity design (N (D + 2) for Sobol', r (D + 1) for Morris) or of a discovery",
    "sensitivity --samples, discover --runs",
    "",
);
/// Turns of a stakeholder model.
pub static TURNS: Limit = limit("turns", 10_000, "turns", "turns of a stakeholder model", "stakeholders --turns", "");
/// Worker threads per available core.
pub static THREADS_PER_CORE: Limit = limit(
    "threads-per-core",
    4,
    "threads per core",
    "worker threads per available core",
    "run, sweep, tournament --threads",
    "--force (up to 1024 threads)",
);

/// Worker threads never exceed this, even with `--force`.
pub const MAX_THREADS: u64 = 1024;

/// Every limit, in the order of `docs/limits.md`.
pub static LIMITS: [&Limit; 11] = [
    &INPUT_BYTES,
    &LINE_BYTES,
    &VALUES_PER_ISSUE,
    &OUTCOMES,
    &PACKAGES_PER_STEP,
    &SAMPLE,
    &LHS_POINTS,
    &GRID_POINTS,
    &GSA_RUNS,
    &TURNS,
    &THREADS_PER_CORE,
];

impl Limit {
    /// The value in force.
    pub fn get(&self) -> u64 {
        self.current.load(Ordering::Relaxed)
    }

    /// `Ok` if `found` is at most the limit, else the refusal; `context` says where the value
    /// was found (a flag, a file and field), e.g. `"--sample"`.
    pub fn check(&'static self, found: u64, context: impl Into<String>) -> Result<(), Exceeded> {
        if found <= self.get() {
            Ok(())
        } else {
            Err(self.exceeded(Found::Exactly(found), context))
        }
    }

    /// A refusal for a value of `found`, which is more than the limit.
    pub fn exceeded(&'static self, found: Found, context: impl Into<String>) -> Exceeded {
        Exceeded { limit: self, value: self.get(), found, context: context.into() }
    }

    /// How to raise the limit, in words.
    pub fn how_to_raise(&self) -> String {
        if self.raise.is_empty() {
            format!("--limit {}=N", self.name)
        } else if self.raise.starts_with("--force") {
            self.raise.to_string()
        } else {
            format!("--limit {}=N; {}", self.name, self.raise)
        }
    }
}

/// The value found: exact, or only known to be more than some number (a product that
/// overflows, a file still growing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// Exactly this many.
    Exactly(u64),
    /// More than this many.
    MoreThan(u64),
}

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Found::Exactly(n) => write!(f, "{n}"),
            Found::MoreThan(n) => write!(f, "more than {n}"),
        }
    }
}

/// A value over a limit.
#[derive(Debug, Clone)]
pub struct Exceeded {
    /// The limit.
    pub limit: &'static Limit,
    /// Its value when checked.
    pub value: u64,
    /// The value found.
    pub found: Found,
    /// Where it was found.
    pub context: String,
}

impl fmt::Display for Exceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.context.is_empty() {
            write!(f, "{}: ", self.context)?;
        }
        write!(
            f,
            "expected at most {} {} (limit {}), found {} (raise it with {})",
            self.value,
            self.limit.unit,
            self.limit.name,
            self.found,
            self.limit.how_to_raise()
        )
    }
}

impl std::error::Error for Exceeded {}

/// The limit named `name`.
pub fn find(name: &str) -> Option<&'static Limit> {
    LIMITS.iter().copied().find(|l| l.name == name)
}

/// Sets a limit for this process from `NAME=N` (the argument of `--limit`).
pub fn set(arg: &str) -> Result<(), String> {
    let names = || LIMITS.iter().map(|l| l.name).collect::<Vec<_>>().join(", ");
    let Some((name, value)) = arg.split_once('=') else {
        return Err(format!("--limit: expected NAME=N (NAME one of {}), found {arg:?}", names()));
    };
    let Some(l) = find(name.trim()) else {
        return Err(format!("--limit: expected a limit name (one of {}), found {:?}", names(), name.trim()));
    };
    let n: u64 = value
        .trim()
        .replace('_', "")
        .parse()
        .map_err(|_| format!("--limit {}: expected a whole number, found {:?}", l.name, value.trim()))?;
    if n == 0 {
        return Err(format!("--limit {}: expected a positive number, found 0", l.name));
    }
    l.current.store(n, Ordering::Relaxed);
    Ok(())
}

/// The product of `factors`, or [`Found::MoreThan`] the limit as soon as a partial product
/// passes `limit` (checked arithmetic: nothing overflows, nothing is allocated).
pub fn checked_product(limit: &'static Limit, factors: impl IntoIterator<Item = u64>) -> Result<u64, Found> {
    let mut p: u64 = 1;
    let mut zero = false;
    let mut over = false;
    for f in factors {
        if f == 0 {
            zero = true;
        }
        match p.checked_mul(f) {
            Some(q) if q <= limit.get() => p = q,
            _ => {
                over = true;
                p = limit.get();
            }
        }
    }
    if zero {
        Ok(0)
    } else if over {
        Err(Found::MoreThan(limit.get()))
    } else {
        Ok(p)
    }
}

/// The cores this process may use (1 when the system does not say): the one place that asks.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The worker threads a `--threads` value means: `threads`, or one per core for 0.
pub fn worker_threads(threads: usize) -> usize {
    if threads == 0 {
        cores()
    } else {
        threads
    }
}

/// The most worker threads allowed: [`THREADS_PER_CORE`] × the available cores, or
/// [`MAX_THREADS`] with `force`.
pub fn max_threads(force: bool) -> u64 {
    if force {
        return MAX_THREADS;
    }
    let cores = cores() as u64;
    THREADS_PER_CORE.get().saturating_mul(cores).min(MAX_THREADS)
}

/// Checks a `--threads` value (0 = one per core) against [`max_threads`].
pub fn check_threads(threads: usize, force: bool) -> Result<(), String> {
    let max = max_threads(force);
    if threads as u64 <= max {
        return Ok(());
    }
    let cores = cores();
    if force {
        Err(format!("--threads: expected at most {MAX_THREADS} (0 = one per core), found {threads}"))
    } else {
        Err(format!(
            "--threads: expected at most {max} ({} per core on {cores} cores, limit {}; 0 = one per core), found {threads} (raise it with --force, up to {MAX_THREADS}, or --limit {}=N)",
            THREADS_PER_CORE.get(),
            THREADS_PER_CORE.name,
            THREADS_PER_CORE.name
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_documented() {
        let doc = include_str!("../../../docs/limits.md");
        for (i, l) in LIMITS.iter().enumerate() {
            assert!(LIMITS[..i].iter().all(|m| m.name != l.name), "{} twice", l.name);
            let row = format!("| `{}` | {} |", l.name, l.default);
            assert!(doc.contains(&row), "docs/limits.md lacks the row {row:?}");
        }
    }

    #[test]
    fn check_at_and_past_the_limit() {
        assert!(SAMPLE.check(SAMPLE.default, "--sample").is_ok());
        let e = SAMPLE.check(SAMPLE.default + 1, "--sample").unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("--sample") && msg.contains("limit sample") && msg.contains(&(SAMPLE.default + 1).to_string()), "{msg}");
        assert!(msg.contains("--limit sample=N"), "{msg}");
    }

    #[test]
    fn products_never_overflow() {
        assert_eq!(checked_product(&OUTCOMES, [10, 1000, 1000]), Ok(10_000_000));
        assert_eq!(checked_product(&OUTCOMES, [10, 1000, 1001]), Err(Found::MoreThan(OUTCOMES.get())));
        assert_eq!(checked_product(&OUTCOMES, [u64::MAX, u64::MAX, 0]), Ok(0));
        assert_eq!(checked_product(&OUTCOMES, []), Ok(1));
    }

    #[test]
    fn set_parses_and_refuses() {
        assert!(set("bogus=1").unwrap_err().contains("input-bytes"));
        assert!(set("turns").unwrap_err().contains("NAME=N"));
        assert!(set("turns=x").unwrap_err().contains("whole number"));
        assert!(set("turns=0").unwrap_err().contains("positive"));
    }

    #[test]
    fn threads_bounded_unless_forced() {
        assert!(check_threads(0, false).is_ok());
        let max = max_threads(false) as usize;
        assert!(check_threads(max, false).is_ok());
        let e = check_threads(max + 1, false).unwrap_err();
        assert!(e.contains("--force"), "{e}");
        assert!(check_threads(1024, true).is_ok());
        assert!(check_threads(1_000_000_000, true).is_err());
    }
}
