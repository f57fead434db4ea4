//! Tournaments are reproducible: the same rows whatever the thread count, shards that
//! concatenate to the unsharded files, every job decoded to the right agents and roles, and
//! scores that are the sums of the rows.

use std::path::{Path, PathBuf};

use bc_engine::Shard;
use bc_formats::Semantics;
use bc_protocol::ProtocolKind;
use bc_strategy::Spec;
use bc_tournament::{CsvWriter, Domain, JsonlWriter, Row, Scores, Tournament};

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/genius")
}

fn tournament(protocol: ProtocolKind, repetitions: u64) -> Tournament {
    let domains = ["ItexvsCypress", "LaptopB"]
        .iter()
        .map(|d| {
            let s = bc_formats::load_folder(&data().join(d), Semantics::Genius).unwrap();
            Domain::new(*d, s.space, s.parties, 2).unwrap()
        })
        .collect();
    let agents: Vec<Spec> = ["boulware", "random", "micro", "agentk"].iter().map(|a| a.parse().unwrap()).collect();
    Tournament::builder(domains, agents).protocol(protocol).steps(60).repetitions(repetitions).seed(11).build().unwrap()
}

fn rows(t: &Tournament, range: std::ops::Range<u64>, threads: usize) -> Vec<Row> {
    let mut out = Vec::new();
    t.run(
        range,
        threads,
        |r| {
            out.push(r.clone());
            Ok(())
        },
        |_| {},
    )
    .unwrap();
    out
}

#[test]
fn jobs_cover_every_tuple_rotation_and_repetition() {
    let t = tournament(ProtocolKind::Sao, 3);
    assert_eq!(t.n_jobs(), 2 * 16 * 2 * 3);
    let (d, agents, profiles, rep) = t.job(16 * 2 * 3 + 5);
    assert_eq!((d, agents, profiles.as_slice(), rep), (1, &[0usize, 0][..], &[1usize, 0][..], 2));
    let (_, agents, profiles, _) = t.job(2 * 3 * 6);
    assert_eq!((agents, profiles.as_slice()), (&[1usize, 2][..], &[0usize, 1][..]));
}

#[test]
fn same_rows_whatever_the_threads() {
    for protocol in [ProtocolKind::Sao, ProtocolKind::Relay, ProtocolKind::Confidential, ProtocolKind::SingleText] {
        let t = tournament(protocol, 2);
        let one = rows(&t, 0..t.n_jobs(), 1);
        let two = rows(&t, 0..t.n_jobs(), 2);
        assert_eq!(one.len() as u64, t.n_jobs());
        assert_eq!(one, two, "{protocol:?}");
        assert!(one.iter().any(|r| r.agreement.is_some()), "{protocol:?}: some negotiation agrees");
        assert!(one.iter().all(|r| r.step <= 60 && r.fault.is_none()), "{protocol:?}");
    }
}

fn write(t: &Tournament, dir: &Path, shard: Shard) -> (Vec<u8>, Vec<u8>) {
    std::fs::create_dir_all(dir).unwrap();
    let range = shard.range(t.n_jobs());
    let mut csv = CsvWriter::create(&dir.join("r.csv"), 2, range.start == 0).unwrap();
    let mut jsonl = JsonlWriter::create(&dir.join("r.jsonl")).unwrap();
    t.run(
        range,
        2,
        |r| {
            csv.write(t, r)?;
            jsonl.write(t, r)
        },
        |_| {},
    )
    .unwrap();
    csv.finish().unwrap();
    jsonl.finish().unwrap();
    (std::fs::read(dir.join("r.csv")).unwrap(), std::fs::read(dir.join("r.jsonl")).unwrap())
}

#[test]
fn shards_concatenate_to_the_whole() {
    let t = tournament(ProtocolKind::Sao, 2);
    let base = std::env::temp_dir().join(format!("bc-tournament-shards-{}", std::process::id()));
    let (csv, jsonl) = write(&t, &base.join("all"), Shard::ALL);
    let (mut c, mut j) = (Vec::new(), Vec::new());
    for index in 0..3 {
        let (a, b) = write(&t, &base.join(format!("s{index}")), Shard { index, count: 3 });
        c.extend(a);
        j.extend(b);
    }
    assert_eq!(c, csv);
    assert_eq!(j, jsonl);
    assert_eq!(String::from_utf8(csv).unwrap().lines().count() as u64, t.n_jobs() + 1);
    assert!(!base.join("all/r.csv.partial").exists());
    std::fs::remove_dir_all(&base).unwrap();
}

#[test]
fn scores_are_the_sums_of_the_rows() {
    let t = tournament(ProtocolKind::Sao, 1);
    let all = rows(&t, 0..t.n_jobs(), 2);
    let scores = t.run(0..t.n_jobs(), 2, |_| Ok(()), |_| {}).unwrap();
    let mut again = Scores::new(t.spec());
    for r in &all {
        again.add(r);
    }
    assert_eq!(scores, again);
    for (a, s) in scores.agents.iter().enumerate() {
        let n = all.iter().map(|r| r.agents.iter().filter(|x| **x == a).count() as u64).sum::<u64>();
        assert_eq!(s.n, n);
        let u: f64 = all.iter().flat_map(|r| r.agents.iter().zip(&r.utilities).filter(|(x, _)| **x == a).map(|(_, u)| *u)).sum();
        assert!((s.utility.sum.value() - u).abs() < 1e-9);
    }
    // Advantages are utilities above the disagreement point; a failed negotiation scores 0.
    for r in &all {
        if r.agreement.is_none() {
            assert!(r.advantages.iter().all(|a| *a == 0.0));
        }
    }
}

#[test]
fn bad_settings_are_refused_with_reasons() {
    let s = bc_formats::load_folder(&data().join("ItexvsCypress"), Semantics::Genius).unwrap();
    let e = Domain::new("one", s.space.clone(), s.parties[..1].to_vec(), 2).unwrap_err();
    assert!(e.to_string().contains("at least 2 profiles, found 1"), "{e}");
    let d = || vec![Domain::new("Itex", s.space.clone(), s.parties.clone(), 2).unwrap()];
    let agents = |names: &[&str]| names.iter().map(|n| n.parse::<Spec>().unwrap()).collect::<Vec<_>>();
    let e = Domain::new("Itex", s.space.clone(), s.parties.clone(), 1).unwrap_err();
    assert_eq!(e.to_string(), "parties: expected at least 2, found 1");
    let e = Tournament::builder(d(), agents(&["boulware", "nope"])).build().unwrap_err();
    assert!(e.to_string().contains("unknown agent \"nope\""), "{e}");
    // Errors name the setting, not a command-line flag (the CLI adds the flag).
    let e = Tournament::builder(d(), agents(&["boulware"])).steps(0).build().unwrap_err();
    assert_eq!(e.to_string(), "steps: expected at least 1 round, found 0");
    let e = Tournament::builder(d(), agents(&["boulware"])).repetitions(0).build().unwrap_err();
    assert_eq!(e.to_string(), "repetitions: expected at least 1, found 0");
    let e = Tournament::builder(Vec::new(), agents(&["boulware"])).build().unwrap_err();
    assert_eq!(e.to_string(), "domains: expected at least one domain, found none");
    let e = Tournament::builder(d(), agents(&["boulware"])).self_play(false).build().unwrap_err();
    assert!(e.to_string().contains("self-play"), "{e}");
}

#[test]
fn fast_json_lines_equal_the_json_objects() {
    let t = tournament(ProtocolKind::Sao, 1);
    let all = rows(&t, 0..t.n_jobs(), 2);
    let mut line = String::new();
    for r in &all {
        bc_tournament::jsonl_line(&t, r, &mut line);
        assert!(line.ends_with('\n'));
        let parsed: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(parsed, bc_tournament::output::row_json(&t, r), "{line}");
    }
}
