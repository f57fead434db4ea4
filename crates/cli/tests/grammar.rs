//! A property test over the command line: invocations generated from a grammar of the
//! subcommands and their flags (valid and invalid values, huge numbers, missing arguments, and
//! paths to FIFOs, devices, folders, garbage and missing files) run the real binary, which must
//! exit 0 or 2 (never 101, a panic, or a signal), never print "panicked at", and finish in time.
//!
//! The work a valid invocation asks for is kept small (few steps, runs and turns; `run` and
//! `sweep` only with `--dry-run` or `--runs` of 1 or 2): the property is about parsing and
//! refusing, not about how long a large study legitimately takes.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// Longest any one invocation may take.
const BOUND: Duration = Duration::from_secs(20);

/// Invocations tried (the whole test stays well under a minute on two cores).
const CASES: u32 = 400;

/// Fixture paths every case can name.
struct Fixtures {
    dir: PathBuf,
    fifo: Option<String>,
    empty_dir: String,
    garbage: String,
    existing: String,
    missing: String,
}

fn data(p: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data").join(p).display().to_string()
}

fn fixtures() -> Fixtures {
    let dir = std::env::temp_dir().join(format!("bc-cli-grammar-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("empty")).unwrap();
    std::fs::write(dir.join("garbage.xml"), b"<\xff\x00 not { a [ file").unwrap();
    std::fs::write(dir.join("existing.txt"), b"keep me").unwrap();
    let fifo = dir.join("fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().map(|s| s.success()).unwrap_or(false);
    let s = |p: PathBuf| p.display().to_string();
    Fixtures {
        fifo: made.then(|| s(fifo)),
        empty_dir: s(dir.join("empty")),
        garbage: s(dir.join("garbage.xml")),
        existing: s(dir.join("existing.txt")),
        missing: s(dir.join("missing/nothing.xml")),
        dir,
    }
}

/// Placeholder for a fresh output path, replaced per invocation.
const NEW: &str = "{NEW}";

fn pick(v: Vec<String>) -> BoxedStrategy<String> {
    prop::sample::select(v).boxed()
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// An optional flag (absent 3 times in 4) with one of `values`, the first of which (a valid one)
/// is as likely as all the others together.
fn opt(flag: &'static str, values: Vec<String>) -> BoxedStrategy<Vec<String>> {
    let first = values[0].clone();
    let value = prop_oneof![Just(first), pick(values)];
    prop_oneof![3 => Just(Vec::new()), 1 => value.prop_map(move |v| vec![flag.to_string(), v])].boxed()
}

/// A flag the command needs: present 9 times in 10, valid as often as not.
fn req(flag: &'static str, values: Vec<String>) -> BoxedStrategy<Vec<String>> {
    let first = values[0].clone();
    let value = prop_oneof![Just(first), pick(values)];
    prop_oneof![1 => Just(Vec::new()), 9 => value.prop_map(move |v| vec![flag.to_string(), v])].boxed()
}

/// An optional switch.
fn switch(flag: &'static str) -> BoxedStrategy<Vec<String>> {
    any::<bool>().prop_map(move |b| if b { vec![flag.to_string()] } else { Vec::new() }).boxed()
}

/// Numbers that are cheap or refused: the small valid ones first (the first is the likeliest,
/// see [`opt`]), then invalid forms and huge values.
fn numbers(small: &[&str]) -> Vec<String> {
    let mut v = strs(small);
    v.extend(strs(&["-1", "abc", "", "1e3", "0x10", "99999999999999999999999999", "18446744073709551616", " 3"]));
    v
}

fn join(parts: Vec<Vec<String>>) -> Vec<String> {
    parts.into_iter().flatten().collect()
}

fn invocation(f: &Fixtures) -> BoxedStrategy<Vec<String>> {
    let mut bad_paths =
        vec![f.empty_dir.clone(), f.garbage.clone(), f.existing.clone(), f.missing.clone(), "/dev/zero".into(), "/dev/null".into()];
    if let Some(p) = &f.fifo {
        bad_paths.push(p.clone());
    }
    let camera = data("genius/Camera");
    let ultimatum = data("genius/Ultimatum");
    let domains = {
        let mut v = vec![camera.clone(), ultimatum.clone(), format!("{camera}/camera_domain.xml")];
        v.extend(bad_paths.clone());
        v
    };
    let outs = {
        let mut v = vec![NEW.to_string(), NEW.to_string(), "/dev/full".into()];
        v.extend(bad_paths.clone());
        v
    };
    let domain_args = prop_oneof![
        4 => pick(vec![camera.clone(), ultimatum.clone()]).prop_map(|d| vec![d]),
        1 => pick(domains.clone()).prop_map(|d| vec![d]),
        1 => Just(vec![format!("{camera}/camera_domain.xml"), format!("{camera}/camera_buyer_utility.xml"), format!("{camera}/camera_seller_utility.xml")]),
        1 => (pick(domains.clone()), pick(bad_paths.clone())).prop_map(|(a, b)| vec![a, b]),
        1 => Just(Vec::new()),
    ]
    .boxed();
    let semantics = opt("--semantics", strs(&["genius", "negmas", "telepathy"]));
    let limit = opt(
        "--limit",
        strs(&[
            "outcomes=5",
            "input-bytes=10",
            "bogus=1",
            "sample=abc",
            "turns=99999999999999999999",
            "threads-per-core=0",
            "values-per-issue=1",
            "noequals",
        ]),
    );
    let agents = strs(&[
        "boulware,conceder",
        "random,random",
        "conceder,linear,boulware",
        "list",
        "bogus,conceder",
        "",
        "boulware",
        "tb:e=2.5,micro",
        "tb:e=abc,micro",
        "boulware:x=1,conceder",
    ]);

    let analyze = (
        domain_args.clone(),
        (
            semantics.clone(),
            opt("--normalize", strs(&["per-party", "shared", "none"])),
            opt("--sample", numbers(&["0", "1", "100", "1000000000000"])),
        ),
        (opt("--seed", numbers(&["0", "7"])), opt("--max-outcomes", numbers(&["0", "1", "100", "1000000000000"]))),
        (
            opt("--outcome", strs(&["Canon|APS-C|Middle range model|Manfrotto|Lowepro|Battery Grip", "", "a|b", "|||||||||"])),
            switch("--json"),
            limit.clone(),
        ),
    )
        .prop_map(|(d, (a, b, c), (e, g), (h, i, j))| join(vec![vec!["analyze".into()], d, a, b, c, e, g, h, i, j]));

    let negotiate = (
        domain_args.clone(),
        (
            req("--agents", agents.clone()),
            opt("--protocol", strs(&["sao", "single-text", "relay", "confidential", "telepathy"])),
            opt("--mediator", strs(&["flip", "pass", "nash", "bogus"])),
        ),
        (
            opt("--profiles", strs(&["0,1", "1,0", "5,6", "abc", ""])),
            opt("--steps", numbers(&["0", "1", "50", "1000000000000"])),
            opt("--seed", numbers(&["3"])),
        ),
        (semantics.clone(), switch("--ignore-discount"), opt("--time-limit-ms", numbers(&["0", "1000"])), opt("--trace", outs.clone())),
        (switch("--force"), opt("--repeat", numbers(&["0", "1", "1000000000000"])), switch("--json"), limit.clone()),
    )
        .prop_map(|(d, (a, b, c), (e, g, h), (i, j, k, l), (m, n, o, p))| {
            join(vec![vec!["negotiate".into()], d, a, b, c, e, g, h, i, j, k, l, m, n, o, p])
        });

    let tournament = (
        prop_oneof![pick(vec![camera.clone(), ultimatum.clone()]).prop_map(|d| vec![d]), domain_args.clone()],
        (
            req("--agents", agents.clone()),
            opt("--protocol", strs(&["sao", "relay", "telepathy"])),
            opt("--parties", numbers(&["2", "3", "0", "100"])),
        ),
        (
            opt("--steps", numbers(&["1", "20"])),
            opt("--repetitions", numbers(&["1", "2", "0"])),
            switch("--no-self-play"),
            opt("--seed", numbers(&["1"])),
        ),
        (
            opt("--out", outs.clone()),
            opt("--shard", strs(&["0/2", "1/2", "2/2", "0/0", "abc", "1/1000000000000"])),
            opt("--threads", numbers(&["0", "1", "2", "1000000000", "10000"])),
        ),
        (switch("--force"), switch("--quiet"), switch("--json"), limit.clone()),
    )
        .prop_map(|(d, (a, b, c), (e, g, h, i), (j, k, l), (m, n, o, p))| {
            join(vec![vec!["tournament".into()], d, a, b, c, e, g, h, i, j, k, l, m, n, o, p])
        });
    // The same with --dry-run, where sizes may be huge.
    let tournament_dry = (
        pick(vec![camera.clone(), ultimatum.clone()]),
        opt("--steps", numbers(&["1000000000000", "1000000000", "100"])),
        opt("--repetitions", numbers(&["1000000000", "3"])),
        req("--agents", agents.clone()),
    )
        .prop_map(|(d, a, b, c)| join(vec![vec!["tournament".into(), d, "--dry-run".into()], a, b, c]));
    let rescore = prop::collection::vec(pick(bad_paths.clone()), 0..3)
        .prop_map(|files| join(vec![vec!["tournament".into(), "--rescore".into()], files, vec!["--out".into(), NEW.into()]]));

    let ktab = {
        let mut v = vec![data("ktab/dummyData_3Dim.csv"), data("ktab/smpExample.xml"), data("bdm/ec_emissions.csv")];
        v.extend(bad_paths.clone());
        v
    };
    let stakeholders = (
        prop_oneof![Just(Vec::new()), pick(ktab).prop_map(|k| vec![k])],
        (opt("--model", strs(&["smp", "bdm", "bogus"])), opt("--turns", numbers(&["1", "5", "1000000"])), opt("--seed", numbers(&["2"]))),
        (
            opt("--param", strs(&["VotingRule=PropCbc", "Bogus=1", "VotingRule=bogus", "noequals"])),
            switch("--fix-quirks"),
            switch("--json"),
        ),
        (opt("--out", outs.clone()), opt("--shard", strs(&["0/2", "3/2", "x"])), switch("--dry-run"), switch("--quiet"), limit.clone()),
    )
        .prop_map(|(f, (a, b, c), (d, e, g), (h, i, j, k, l))| join(vec![vec!["stakeholders".into()], f, a, b, c, d, e, g, h, i, j, k, l]));

    let convert = (
        domain_args.clone(),
        req("--to", strs(&["genius", "geniusweb", "bogus"])),
        req("--out", outs.clone()),
        (switch("--force"), semantics.clone(), switch("--normalize"), limit.clone()),
    )
        .prop_map(|(d, a, b, (c, e, g, h))| join(vec![vec!["convert".into()], d, a, b, c, e, g, h]));

    let merge = (prop::collection::vec(pick(bad_paths.clone()), 0..3), req("--out", outs.clone()))
        .prop_map(|(dirs, o)| join(vec![vec!["merge".into()], dirs, o]));

    let scenarios = {
        let mut v = vec![data("diplomacy/england_zimbabwe.toml")];
        v.extend(bad_paths.clone());
        v
    };
    let validate =
        (prop_oneof![1 => Just(Vec::new()), 9 => pick(scenarios.clone()).prop_map(|s| vec![s])], switch("--json"), limit.clone())
            .prop_map(|(s, a, b)| join(vec![vec!["scenario".into(), "validate".into()], s, a, b]));

    // `run` and `sweep`: only a dry run, or one or two runs.
    let budget = prop_oneof![
        opt("--runs", numbers(&["1000000000000", "5", "0"])).prop_map(|mut v| {
            v.push("--dry-run".into());
            v
        }),
        pick(strs(&["1", "2"])).prop_map(|n| vec!["--runs".into(), n]),
    ];
    let scenario_arg = prop_oneof![Just(Vec::new()), pick(scenarios).prop_map(|s| vec![s])];
    let run = (
        scenario_arg.clone(),
        budget.clone(),
        (
            opt("--variant", strs(&["direct", "bogus", ""])),
            opt("--seed", numbers(&["4"])),
            opt("--threads", numbers(&["0", "1", "1000000000", "10000"])),
        ),
        (
            switch("--no-counterfactuals"),
            switch("--json"),
            opt("--out", outs.clone()),
            opt("--shard", strs(&["0/2", "2/2", "x"])),
            switch("--quiet"),
            limit.clone(),
        ),
    )
        .prop_map(|(s, b, (a, c, d), (e, g, h, i, j, k))| join(vec![vec!["run".into()], s, b, a, c, d, e, g, h, i, j, k]));
    let sweep = (
        scenario_arg,
        budget,
        opt("--grid", strs(&["scenario.rounds=10,20", "bogus=1", "scenario.rounds=", "=,,", "scenario.rounds=1e400"])),
        prop_oneof![
            3 => Just(Vec::new()),
            1 => (pick(strs(&["4", "1000000000000", "x", "0"])), pick(strs(&["scenario.rounds=10..20", "bogus=0..1", "scenario.rounds=2..1", "x"])))
                .prop_map(|(n, k)| vec!["--lhs".to_string(), n, k]),
        ],
        (opt("--threads", numbers(&["0", "1", "10000"])), switch("--json"), opt("--out", outs), switch("--quiet"), limit),
    )
        .prop_map(|(s, b, g, l, (a, c, d, e, h))| join(vec![vec!["sweep".into()], s, b, g, l, a, c, d, e, h]));

    prop_oneof![analyze, negotiate, tournament, tournament_dry, rescore, stakeholders, convert, merge, validate, run, sweep]
        .prop_flat_map(|args| {
            // Sometimes drop an argument (a missing value or operand) or pass --limit first.
            let n = args.len();
            (Just(args), 0..n * 5, any::<bool>())
        })
        .prop_map(|(mut args, drop, global)| {
            // Never --dry-run: without it the budget of a huge run would be spent, not refused.
            if drop > 0 && drop < args.len() && args[drop] != "--dry-run" {
                args.remove(drop);
            }
            if global {
                args.splice(0..0, ["--limit".to_string(), "outcomes=1000".to_string()]);
            }
            args
        })
        .boxed()
}

static FRESH: AtomicUsize = AtomicUsize::new(0);

/// Runs the binary on `args` (standard output discarded, standard error to a file), killing it
/// past [`BOUND`]. Returns the exit code (`None` for a signal), standard error and the time.
fn run(dir: &Path, args: &[String]) -> (Option<i32>, String, Duration) {
    let k = FRESH.fetch_add(1, Ordering::Relaxed);
    let args: Vec<String> = args.iter().map(|a| a.replace(NEW, &dir.join(format!("new-{k}")).display().to_string())).collect();
    let err_path = dir.join(format!("stderr-{k}"));
    let err = std::fs::File::create(&err_path).unwrap();
    let t = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_backchannel"))
        .args(&args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(err)
        .spawn()
        .unwrap();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if t.elapsed() > BOUND {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let elapsed = t.elapsed();
    let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
    let _ = std::fs::remove_file(&err_path);
    match status {
        Some(s) => (s.code(), stderr, elapsed),
        None => (Some(-1), format!("killed after {elapsed:?}\n{stderr}"), elapsed),
    }
}

#[test]
fn no_generated_invocation_panics_hangs_or_dies() {
    let f = fixtures();
    let mut runner = TestRunner::new(Config { cases: CASES, failure_persistence: None, max_shrink_iters: 64, ..Config::default() });
    let started = Instant::now();
    let codes = [std::cell::Cell::new(0usize), std::cell::Cell::new(0usize)];
    let result = runner.run(&invocation(&f), |args| {
        let (code, stderr, elapsed) = run(&f.dir, &args);
        if std::env::var_os("BC_GRAMMAR_LOG").is_some() {
            eprintln!("{code:?} {elapsed:?} {args:?}\n    {}", stderr.lines().next().unwrap_or(""));
        }
        prop_assert!(elapsed < BOUND, "backchannel {args:?} took {elapsed:?} (killed)\n{stderr}");
        prop_assert!(!stderr.contains("panicked at"), "backchannel {args:?} panicked:\n{stderr}");
        prop_assert!(code == Some(0) || code == Some(2), "backchannel {args:?} exited with {code:?} (a signal when None):\n{stderr}");
        let c = &codes[usize::from(code == Some(2))];
        c.set(c.get() + 1);
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    // The fixture FIFO was never opened for writing: had a reader blocked on it, the case would
    // have been killed above.
    let _ = std::fs::remove_dir_all(&f.dir);
    // Both outcomes occur, so the grammar reaches past the parser.
    let (ok, refused) = (codes[0].get(), codes[1].get());
    assert!(ok > 0 && refused > 0, "exits 0: {ok}, exits 2: {refused}");
    eprintln!("{CASES} invocations in {:?}: {ok} exited 0, {refused} exited 2", started.elapsed());
}
